// `bootmortem trace` for people: the outcome, how it was traced, the failed
// calls in strace's notation (one line per distinct call, with its count and
// pids), the execs, and whatever was not kept, said as such.
#include <algorithm>
#include <ostream>
#include <tuple>
#include <vector>

#include "report/trace_report.h"
#include "report/view.h"
#include "rules/trace_text.h"

namespace bootmortem::report {
namespace {

void failed_calls(const TraceView& v, const TraceRenderOptions& o, std::ostream& out) {
  const auto& t = v.r.log;
  if (t.failed_total == 0) {
    out << "\nNo traced system call failed.\n";
    return;
  }
  out << "\nFailed system calls: " << t.failed_total << " in all, " << t.failed.size() << " distinct";
  if (t.failed_dropped)
    out << "; " << t.failed_dropped << " failures of further distinct calls not recorded (limit reached)";
  out << ":\n";

  std::vector<const trace::FailedSyscall*> misses;
  for (const auto& f : t.failed) {
    if (is_lookup_miss(f))
      misses.push_back(&f);
    else
      out << "  " << rules::syscall_line(f, true) << "\n";
  }
  if (misses.empty()) return;
  // The lookups that matter: the last ones and the most repeated ones,
  // shown in the order they first failed.
  std::vector<const trace::FailedSyscall*> shown = misses;
  if (!o.all && shown.size() > k_trace_lookups_last + k_trace_lookups_repeated) {
    std::vector<const trace::FailedSyscall*> last(misses.end() - k_trace_lookups_last, misses.end());
    std::vector<const trace::FailedSyscall*> earlier(misses.begin(), misses.end() - k_trace_lookups_last);
    std::stable_sort(earlier.begin(), earlier.end(), [](auto* a, auto* b) { return a->count > b->count; });
    shown.clear();
    for (size_t i = 0; i < k_trace_lookups_repeated && earlier[i]->count > 1; ++i)
      shown.push_back(earlier[i]);
    shown.insert(shown.end(), last.begin(), last.end());
    std::sort(shown.begin(), shown.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  }
  out << "  lookups of files that do not exist (ENOENT, ENOTDIR)";
  if (shown.size() < misses.size())
    out << ": " << shown.size() << " of " << misses.size() << ", the last and the most repeated";
  out << ":\n";
  for (const auto* f : shown) out << "    " << rules::syscall_line(*f, true) << "\n";
  if (shown.size() < misses.size()) out << "    (--all lists them all)\n";
}

void execs(const TraceView& v, std::ostream& out) {
  const auto& t = v.r.log;
  if (t.execs.empty() && !t.execs_dropped) return;
  out << "\nExecs (" << t.execs.size() + t.execs_dropped << "):\n";
  const size_t n = std::min(t.execs.size(), k_trace_execs_shown);
  for (size_t i = 0; i < n; ++i)
    out << "  [pid " << t.execs[i].pid << "] " << t.execs[i].path << " (at " << t.execs[i].at_ms << " ms)\n";
  if (t.execs.size() > n) out << "  (" << t.execs.size() - n << " more; --format json lists them)\n";
  if (t.execs_dropped)
    out << "  (" << t.execs_dropped << " more not kept: only the first " << t.execs.size() << " are)\n";
}

void indented(std::ostream& out, const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out << (nl == start ? "  |" : "  | ") << text.substr(start, nl - start) << "\n";
    start = nl + 1;
  }
}

}  // namespace

void render_trace_text(const TraceView& v, const TraceRenderOptions& o, std::ostream& out) {
  const auto& t = v.r.log;
  out << v.command << ": " << v.outcome << "\n";
  out << "Processes: " << t.processes << "\n";
  out << "Trace: " << t.backend;
  if (!t.backend_why.empty()) out << ", " << t.backend_why;
  out << "\n";
  if (!t.backend_note.empty()) out << "  " << t.backend_note << "\n";
  if (auto cost = tracing_cost_text(t); !cost.empty()) out << "  Tracing cost: " << cost << "\n";
  if (t.lost_events)
    out << "  " << t.lost_events
        << " events lost (the tracer could not keep up): the counts below are lower bounds\n";
  if (t.exits_dropped)
    out << "  exit statuses of " << t.exits_dropped << " processes not kept (only the first "
        << t.exits.size() << " are)\n";
  failed_calls(v, o, out);
  execs(v, out);
  for (const auto& [label, tail, c] :
       {std::tuple{"stderr", &v.stderr_tail, &t.err}, {"stdout", &v.stdout_tail, &t.out}}) {
    if (c->total == 0) continue;
    out << "\n" << label << " (" << c->total << " bytes";
    if (c->dropped) out << ", " << c->dropped << " of them not kept";
    out << "; last " << k_tail_lines << " lines):\n";
    indented(out, *tail);
  }
}

}  // namespace bootmortem::report
