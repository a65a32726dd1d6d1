// `bootmortem trace --format json`: one object, schema "bootmortem-trace/1".
// Fields may be added, never change meaning.
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/error.h"
#include "report/cost_json.h"
#include "report/json_text.h"
#include "report/stamp_json.h"
#include "report/trace_report.h"
#include "report/view.h"
#include "rules/trace_text.h"

namespace bootmortem::report {
namespace {

using json = nlohmann::ordered_json;

json nonempty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json failed(const trace::FailedSyscall& f) {
  return {{"call", f.call},
          {"errno", core::errno_name(f.err)},
          {"path", f.path},
          {"path2", nonempty(f.path2)},
          {"addr", nonempty(f.addr)},
          {"port", f.port >= 0 ? json(f.port) : json(nullptr)},
          {"args", f.args},
          {"text", rules::syscall_text(f)},
          {"count", f.count},
          {"pid", f.pid},
          {"pids", f.pids},
          {"at_ms", f.at_ms}};
}

json stream(const trace::Captured& c, const std::string& tail) {
  return {{"bytes", c.total}, {"dropped", c.dropped}, {"tail", tail}};
}

const char* limit_name(TraceLimit l) {
  switch (l) {
    case TraceLimit::Startsecs: return "startsecs";
    case TraceLimit::Timeout: return "timeout";
    case TraceLimit::None: break;
  }
  return nullptr;
}

}  // namespace

void render_trace_json(const TraceView& v, std::ostream& out) {
  const auto& t = v.r.log;
  json execs = json::array(), exits = json::array();
  for (const auto& e : t.execs) execs.push_back({{"pid", e.pid}, {"path", e.path}, {"at_ms", e.at_ms}});
  for (const auto& e : t.exits)
    exits.push_back({{"pid", e.pid},
                     {"ppid", e.ppid},
                     {"code", e.code ? json(*e.code) : json(nullptr)},
                     {"signal", e.signal ? json(signal_name(*e.signal)) : json(nullptr)},
                     {"at_ms", e.at_ms},
                     {"killed_by_us", e.killed_by_us}});
  const bool ended = !t.exit_code && !t.exit_signal;
  const char* limit = limit_name(v.r.limit);

  json j = headed("bootmortem-trace/1", v.r.stamp);
  j.update(json{
      {"command", v.r.argv},
      {"filename", v.r.filename},
      {"backend", t.backend},
      {"why", t.backend_why},
      {"note", t.backend_note},
      {"exit",
       {{"code", t.exit_code ? json(*t.exit_code) : json(nullptr)},
        {"signal", t.exit_signal ? json(signal_name(*t.exit_signal)) : json(nullptr)},
        {"after_ms", t.after_ms},
        // set when bootmortem ended the command: "startsecs" or "timeout"
        {"ended_by", ended && limit ? json(limit) : json(nullptr)},
        {"status", trace_exit_code(v.r)}}},
      {"processes", t.processes},
      {"execs", execs},
      {"execs_dropped", t.execs_dropped},
      {"exits", exits},
      {"exits_dropped", t.exits_dropped},
      {"failed_total", t.failed_total},
      {"failed_distinct", t.failed.size()},
      {"failed_dropped", t.failed_dropped},
      {"lost_events", t.lost_events},
      // What the tracing took from the command (null when unknown).
      {"cost", tracing_cost_json(t)},
      {"stdout", stream(t.out, v.stdout_tail)},
      {"stderr", stream(t.err, v.stderr_tail)},
  });
  // The failed calls are written one by one, not built into one document:
  // thousands of records with long paths would double bootmortem's memory.
  std::string text = json_text(j);
  text.resize(text.size() - 2);  // "\n}", the closing brace
  out << text << ",\n  \"failed\": [";
  for (size_t i = 0; i < t.failed.size(); ++i) {
    std::string item = json_text(failed(t.failed[i]));
    out << (i ? ",\n    " : "\n    ");
    for (char c : item) {
      out << c;
      if (c == '\n') out << "    ";
    }
  }
  out << (t.failed.empty() ? "]" : "\n  ]");
  // Last, once everything else is built: bootmortem's own peak resident
  // set, never the command's.
  out << ",\n  \"peak_rss_kib\": " << (v.r.peak_rss_kib ? v.r.peak_rss_kib() : 0) << "\n}\n";
}

}  // namespace bootmortem::report
