#include "rules/trace_text.h"

#include <cstdio>
#include <cstring>

#include "core/error.h"
#include "trace/decode.h"

namespace bootmortem::rules {

std::string syscall_text(const trace::FailedSyscall& s) {
  std::string args = s.args;
  if (args.empty()) {
    if (!s.path.empty()) args = trace::quote_string(s.path);
    if (!s.path2.empty()) args += ", " + trace::quote_string(s.path2);
    if (args.empty() && !s.addr.empty()) args = s.addr;
  }
  // strerror's text is what strace prints after the errno name.
  return s.call + "(" + args + ") = -1 " + core::errno_name(s.err) + " (" + std::strerror(s.err) +
         ")";
}

std::string syscall_line(const trace::FailedSyscall& s, bool with_pid) {
  std::string out;
  if (with_pid)
    out = "[pid " + std::to_string(s.pid) + (s.pids > 1 ? ", " + std::to_string(s.pids) + " pids" : "") + "] ";
  out += syscall_text(s);
  if (s.count > 1) out += " (×" + std::to_string(s.count) + ")";
  return out;
}

std::string stream_text(const trace::Captured& c) {
  // Defined here rather than using Captured::text() so rules and report need
  // no tracer code; the marker is what a reader needs to know bytes are gone.
  if (c.dropped == 0) return c.head + c.tail;
  return c.head + "\n[... " + std::to_string(c.dropped) + " bytes not kept ...]\n" + c.tail;
}

std::string last_lines(const std::string& text, size_t max_lines) {
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;
  size_t start = end;
  for (size_t n = 0; start > 0; --start)
    if (text[start - 1] == '\n' && ++n == max_lines) break;
  return text.substr(start, end - start);
}

}  // namespace bootmortem::rules
