// `bootmortem explain`'s evidence: what supervisord's log and the program's
// own log files say, read without running anything. The lines kept from each
// file (bounded, whatever its size) become the stderr and stdout text the
// rules search, as a replay's output would; supervisord's history of the
// program gives the verdict, the exit status and how long it lived.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "evidence/live_supervisor.h"
#include "evidence/supervisor_log.h"
#include "trace/trace.h"

namespace bootmortem::evidence {

// One kept piece of a file: the whole line or lines a pattern matched.
struct Excerpt {
  uint64_t line = 0;    // 1-based number of its first line
  uint64_t offset = 0;  // byte offset of its first line
  uint64_t end = 0;     // byte offset of the newline after its last line (or of the end)
  std::string text;     // those lines without the last newline; shorter than end - offset when cut
};

// A file as a bounded scan leaves it.
struct LogScan {
  uint64_t bytes = 0;
  uint64_t lines = 0;              // a last line without a newline counts
  std::vector<Excerpt> excerpts;   // in file order, none overlapping
  std::string tail;                // the last bytes, from a line start when cut
  uint64_t tail_offset = 0;        // where tail starts in the file
};

enum class LogRole {
  Supervisord,  // [supervisord] logfile=
  Stderr,       // the program's stderr_logfile=
  Stdout,       // the program's stdout_logfile=
  Extra,        // --log FILE: counts as the program's stderr
};

// "supervisord.log", "stderr_logfile", "stdout_logfile", "--log".
const char* log_role_name(LogRole r);

struct LogFile {
  std::string path;               // as read; for AUTO, the file found
  LogRole role = LogRole::Extra;
  // Why nothing was read: "stderr_logfile=NONE", "AUTO: no file ... in /tmp",
  // "No such file or directory". Empty when it was read.
  std::string error;
  LogScan scan;
  // redirect_stderr=true: supervisord writes the program's stderr into its
  // stdout log, so that file's text is its stderr too.
  bool merged = false;

  // The program stream its text counts as: "stderr", "stdout", or "" for
  // supervisord's own log.
  std::string stream() const;
  // stream() is s, or this is a merged stdout log and s is "stderr".
  bool counts_as(const std::string& s) const;
};

struct LogReading {
  std::vector<LogFile> files;
  // supervisord.log's account of the program when no supervisord runs (with
  // one, Evidence::supervisor holds it, as for diagnose).
  std::vector<LogEvent> history;
  std::string summary;  // summarize_history(history)
  std::string log_file; // the supervisord.log the history came from; empty when none was read

  size_t files_read() const;
};

// "4.1 KiB", "1.0 GiB", "312 bytes".
std::string byte_size_text(uint64_t n);

// "not replayed: evidence from 3 log files (supervisord.log 4.1 KiB, 52
// lines; test_server.err.log 1.2 KiB, 18 lines; big.log 1.0 GiB, 8388608 lines)"
std::string describe_reading(const LogReading& r);

// One stream's text as the rules see it: each of its files' excerpts before
// the file's tail, "[...]" where lines were skipped; the last file's tail is
// the Captured's tail, so a report's "last lines" are that file's last lines.
trace::Captured stream_from_logs(const LogReading& r, const std::string& stream);

// The trace explain hands the rules in place of a replay: no system calls,
// backend "none" and describe_reading as its note; stderr and stdout from the
// files; verdict, exit status, lifetime and spawnerr from supervisord's
// history (the latest attempt), or from its live state when one runs
// (RUNNING and not flapping: starts). With no history the program is taken
// to fail and nothing is known of its exit.
trace::TraceLog trace_from_logs(const LogReading& r, const std::vector<LogEvent>& history,
                                int startsecs, const SupervisorView* live);

}  // namespace bootmortem::evidence
