// Trace data as people read it: a failed syscall in strace's notation
//   mkdir("/root/.cache", 0755) = -1 EACCES (Permission denied)
// and a captured stream as text. Findings cite them and the report lists
// them, so both live here.
#pragma once

#include <string>

#include "trace/trace.h"

namespace bootmortem::rules {

// The call alone: name(args) = -1 ERRNO (message). When the tracer recorded
// no argument text, the path (or address) stands in for it.
std::string syscall_text(const trace::FailedSyscall& s);
// As above, plus " (×N)" when it failed N > 1 times, and "[pid N] " in front
// when with_pid (strace -f style; "[pid N, M pids] " when M processes made
// it, N the first).
std::string syscall_line(const trace::FailedSyscall& s, bool with_pid);

// A captured stream as one text: head, a marker for what was dropped, tail.
std::string stream_text(const trace::Captured& c);
// Its last max_lines lines (a trailing newline does not count as a line).
std::string last_lines(const std::string& text, size_t max_lines);

}  // namespace bootmortem::rules
