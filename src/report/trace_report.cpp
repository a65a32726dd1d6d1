#include "report/trace_report.h"

#include <cctype>
#include <fmt/format.h>
#include <string_view>

#include "report/report.h"
#include "report/view.h"

namespace bootmortem::report {
namespace {

std::string seconds(double s) { return fmt::format("{:g}", s); }

}  // namespace

int trace_exit_code(const TraceReport& r) {
  if (r.log.exit_code) return *r.log.exit_code;
  if (r.log.exit_signal) return 128 + *r.log.exit_signal;
  return r.limit == TraceLimit::Startsecs ? 0 : 124;
}

std::string trace_outcome(const TraceReport& r) {
  const auto& t = r.log;
  const std::string after = " after " + std::to_string(t.after_ms) + " ms";
  if (t.exit_code) return "exited with status " + std::to_string(*t.exit_code) + after;
  if (t.exit_signal) return "killed by " + signal_name(*t.exit_signal) + after;
  if (r.limit == TraceLimit::Startsecs)
    return "started: still up" + after + " (--startsecs " + seconds(r.limit_s) + "); bootmortem ended it";
  if (r.limit == TraceLimit::Timeout)
    return "still running" + after + " (--timeout " + seconds(r.limit_s) + "); bootmortem ended it";
  return "ended" + after;
}

std::string shell_words(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    constexpr std::string_view k_safe = "@%+=:,./_-";
    bool plain = !a.empty();
    for (unsigned char c : a)
      if (!std::isalnum(c) && k_safe.find(static_cast<char>(c)) == std::string_view::npos) plain = false;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

TraceView make_trace_view(TraceReport r, bool redact) {
  TraceView v;
  v.r = std::move(r);
  auto& t = v.r.log;
  if (redact) {
    v.r.argv = redact_argv(v.r.argv);
    v.r.filename = redact_text(v.r.filename);
    for (auto& f : t.failed)
      for (auto* s : {&f.args, &f.path, &f.path2, &f.addr}) *s = redact_text(*s);
    for (auto& e : t.execs) e.path = redact_text(e.path);
  }
  v.stdout_tail = tail_text(t.out, redact);
  v.stderr_tail = tail_text(t.err, redact);
  v.command = shell_words(v.r.argv);
  v.outcome = trace_outcome(v.r);
  return v;
}

void render_trace(TraceReport r, TraceFormat f, const TraceRenderOptions& o, std::ostream& out) {
  TraceView v = make_trace_view(std::move(r), o.redact);
  if (f == TraceFormat::Json)
    render_trace_json(v, out);
  else
    render_trace_text(v, o, out);
}

}  // namespace bootmortem::report
