#include "run/run_json.h"

#include <cstdint>

namespace bootmortem::run {
namespace {

using json = nlohmann::json;

// RFC 3629's well-formed sequences (no overlongs, no surrogates, nothing
// above U+10FFFF): what nlohmann's dump() accepts without throwing.
bool valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i + k < n && p[i + k] >= lo && p[i + k] <= hi;
  };
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      i += 1;
    } else if (c >= 0xC2 && c <= 0xDF && cont(1)) {
      i += 2;
    } else if (c == 0xE0 && cont(1, 0xA0) && cont(2)) {
      i += 3;
    } else if (((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) && cont(1) && cont(2)) {
      i += 3;
    } else if (c == 0xED && cont(1, 0x80, 0x9F) && cont(2)) {
      i += 3;
    } else if (c == 0xF0 && cont(1, 0x90) && cont(2) && cont(3)) {
      i += 4;
    } else if (c >= 0xF1 && c <= 0xF3 && cont(1) && cont(2) && cont(3)) {
      i += 4;
    } else if (c == 0xF4 && cont(1, 0x80, 0x8F) && cont(2) && cont(3)) {
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

json opt_int(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }
std::optional<int> opt_int_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<int>();
}
json opt_bytes(const std::optional<std::string>& v) { return v ? bytes_json(*v) : json(nullptr); }
std::optional<std::string> opt_bytes_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  return bytes_from_json(j);
}

json captured_json(const trace::Captured& c) {
  return {{"head", bytes_json(c.head)}, {"tail", bytes_json(c.tail)}, {"total", c.total}, {"dropped", c.dropped}};
}
trace::Captured captured_from(const json& j) {
  trace::Captured c;
  c.head = bytes_from_json(j.at("head"));
  c.tail = bytes_from_json(j.at("tail"));
  c.total = j.at("total").get<uint64_t>();
  c.dropped = j.at("dropped").get<uint64_t>();
  return c;
}

json failed_json(const trace::FailedSyscall& f) {
  return {{"pid", f.pid},         {"call", f.call},        {"err", f.err},
          {"path", bytes_json(f.path)}, {"path2", bytes_json(f.path2)}, {"addr", bytes_json(f.addr)},
          {"port", f.port},       {"args", bytes_json(f.args)}, {"at_ms", f.at_ms},
          {"seq", f.seq},         {"count", f.count},      {"pids", f.pids}};
}
trace::FailedSyscall failed_from(const json& j) {
  trace::FailedSyscall f;
  f.pid = j.at("pid").get<int>();
  f.call = j.at("call").get<std::string>();
  f.err = j.at("err").get<int>();
  f.path = bytes_from_json(j.at("path"));
  f.path2 = bytes_from_json(j.at("path2"));
  f.addr = bytes_from_json(j.at("addr"));
  f.port = j.at("port").get<int>();
  f.args = bytes_from_json(j.at("args"));
  f.at_ms = j.at("at_ms").get<int64_t>();
  f.seq = j.at("seq").get<uint64_t>();
  f.count = j.at("count").get<uint64_t>();
  f.pids = j.at("pids").get<uint64_t>();
  return f;
}

json exit_json(const trace::ProcessExit& e) {
  return {{"pid", e.pid},
          {"ppid", e.ppid},
          {"code", opt_int(e.code)},
          {"signal", opt_int(e.signal)},
          {"core_dumped", e.core_dumped},
          {"at_ms", e.at_ms},
          {"killed_by_us", e.killed_by_us}};
}
trace::ProcessExit exit_from(const json& j) {
  trace::ProcessExit e;
  e.pid = j.at("pid").get<int>();
  e.ppid = j.at("ppid").get<int>();
  e.code = opt_int_from(j.at("code"));
  e.signal = opt_int_from(j.at("signal"));
  e.core_dumped = j.at("core_dumped").get<bool>();
  e.at_ms = j.at("at_ms").get<int64_t>();
  e.killed_by_us = j.at("killed_by_us").get<bool>();
  return e;
}

json log_event_json(const evidence::LogEvent& e) {
  return {{"kind", static_cast<int>(e.kind)},
          {"time", bytes_json(e.time)},
          {"ms", e.ms},
          {"level", bytes_json(e.level)},
          {"process", bytes_json(e.process)},
          {"pid", e.pid},
          {"status", opt_int(e.status)},
          {"signal", opt_bytes(e.signal)},
          {"expected", e.expected},
          {"message", bytes_json(e.message)}};
}
evidence::LogEvent log_event_from(const json& j) {
  evidence::LogEvent e;
  e.kind = static_cast<evidence::LogEventKind>(j.at("kind").get<int>());
  e.time = bytes_from_json(j.at("time"));
  e.ms = j.at("ms").get<int64_t>();
  e.level = bytes_from_json(j.at("level"));
  e.process = bytes_from_json(j.at("process"));
  e.pid = j.at("pid").get<int>();
  e.status = opt_int_from(j.at("status"));
  e.signal = opt_bytes_from(j.at("signal"));
  e.expected = j.at("expected").get<bool>();
  e.message = bytes_from_json(j.at("message"));
  return e;
}

json cost_json(const std::optional<trace::TracerCost>& c) {
  if (!c) return nullptr;
  return {{"ns", c->ns}, {"events", c->events}, {"machine_ns", c->machine_ns}, {"machine_runs", c->machine_runs}};
}
std::optional<trace::TracerCost> cost_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  trace::TracerCost c;
  c.ns = j.at("ns").get<int64_t>();
  c.events = j.at("events").get<uint64_t>();
  c.machine_ns = j.at("machine_ns").get<int64_t>();
  c.machine_runs = j.at("machine_runs").get<uint64_t>();
  return c;
}

json verdict_json(trace::Verdict v) { return v == trace::Verdict::Starts ? "starts" : "fails"; }
trace::Verdict verdict_from(const json& j) {
  const std::string verdict = j.get<std::string>();
  if (verdict != "starts" && verdict != "fails")
    throw json::other_error::create(501, "verdict '" + verdict + "'", nullptr);
  return verdict == "starts" ? trace::Verdict::Starts : trace::Verdict::Fails;
}

json untraced_json(const std::optional<trace::UntracedCheck>& u) {
  if (!u) return nullptr;
  return {{"exited", u->exited},
          {"code", opt_int(u->code)},
          {"signal", opt_int(u->signal)},
          {"after_ms", u->after_ms},
          {"decided", u->decided},
          {"output", u->output},
          {"traced_verdict", verdict_json(u->traced_verdict)},
          {"traced_code", opt_int(u->traced_code)},
          {"traced_signal", opt_int(u->traced_signal)},
          {"traced_after_ms", u->traced_after_ms}};
}
std::optional<trace::UntracedCheck> untraced_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  trace::UntracedCheck u;
  u.exited = j.at("exited").get<bool>();
  u.code = opt_int_from(j.at("code"));
  u.signal = opt_int_from(j.at("signal"));
  u.after_ms = j.at("after_ms").get<int64_t>();
  u.decided = j.at("decided").get<bool>();
  u.output = j.at("output").get<bool>();
  u.traced_verdict = verdict_from(j.at("traced_verdict"));
  u.traced_code = opt_int_from(j.at("traced_code"));
  u.traced_signal = opt_int_from(j.at("traced_signal"));
  u.traced_after_ms = j.at("traced_after_ms").get<int64_t>();
  return u;
}

}  // namespace

json bytes_json(const std::string& s) {
  if (valid_utf8(s)) return json(s);
  static const char* hex = "0123456789abcdef";
  std::string h;
  h.reserve(s.size() * 2);
  for (unsigned char c : s) {
    h += hex[c >> 4];
    h += hex[c & 15];
  }
  return json{{"hex", h}};
}

std::string bytes_from_json(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  const std::string h = j.at("hex").get<std::string>();
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw json::other_error::create(501, "a hex string with a character that is not [0-9a-f]", nullptr);
  };
  if (h.size() % 2) throw json::other_error::create(501, "a hex string of odd length", nullptr);
  std::string s;
  s.reserve(h.size() / 2);
  for (size_t i = 0; i < h.size(); i += 2) s += static_cast<char>(nibble(h[i]) << 4 | nibble(h[i + 1]));
  return s;
}

json trace_log_json(const trace::TraceLog& t) {
  json failed = json::array(), execs = json::array(), exits = json::array(), siblings = json::array();
  for (const auto& f : t.failed) failed.push_back(failed_json(f));
  for (const auto& e : t.execs) execs.push_back({{"pid", e.pid}, {"path", bytes_json(e.path)}, {"at_ms", e.at_ms}});
  for (const auto& e : t.exits) exits.push_back(exit_json(e));
  for (const auto& s : t.sibling_binds)
    siblings.push_back(
        {{"addr", bytes_json(s.addr)}, {"port", s.port}, {"program", bytes_json(s.program)}, {"pid", s.pid}});
  return {{"backend", bytes_json(t.backend)},
          {"backend_note", bytes_json(t.backend_note)},
          {"backend_why", bytes_json(t.backend_why)},
          {"verdict", verdict_json(t.verdict)},
          {"main_pid", t.main_pid},
          {"exit_code", opt_int(t.exit_code)},
          {"exit_signal", opt_int(t.exit_signal)},
          {"after_ms", t.after_ms},
          {"watched_ms", t.watched_ms},
          {"left_behind", t.left_behind},
          {"spawnerr", opt_bytes(t.spawnerr)},
          {"failed", failed},
          {"failed_total", t.failed_total},
          {"failed_dropped", t.failed_dropped},
          {"execs", execs},
          {"execs_dropped", t.execs_dropped},
          {"exits", exits},
          {"exits_dropped", t.exits_dropped},
          {"processes", t.processes},
          {"lost_events", t.lost_events},
          {"cost", cost_json(t.cost)},
          {"untraced", untraced_json(t.untraced)},
          {"out", captured_json(t.out)},
          {"err", captured_json(t.err)},
          {"main_status", opt_bytes(t.main_status)},
          {"attempts", t.attempts},
          {"sibling_binds", siblings}};
}

trace::TraceLog trace_log_from_json(const json& j) {
  trace::TraceLog t;
  t.backend = bytes_from_json(j.at("backend"));
  t.backend_note = bytes_from_json(j.at("backend_note"));
  t.backend_why = bytes_from_json(j.at("backend_why"));
  t.verdict = verdict_from(j.at("verdict"));
  t.main_pid = j.at("main_pid").get<int>();
  t.exit_code = opt_int_from(j.at("exit_code"));
  t.exit_signal = opt_int_from(j.at("exit_signal"));
  t.after_ms = j.at("after_ms").get<int64_t>();
  t.watched_ms = j.at("watched_ms").get<int64_t>();
  t.left_behind = j.at("left_behind").get<uint64_t>();
  t.spawnerr = opt_bytes_from(j.at("spawnerr"));
  for (const auto& f : j.at("failed")) t.failed.push_back(failed_from(f));
  t.failed_total = j.at("failed_total").get<uint64_t>();
  t.failed_dropped = j.at("failed_dropped").get<uint64_t>();
  for (const auto& e : j.at("execs"))
    t.execs.push_back({e.at("pid").get<int>(), bytes_from_json(e.at("path")), e.at("at_ms").get<int64_t>()});
  t.execs_dropped = j.at("execs_dropped").get<uint64_t>();
  for (const auto& e : j.at("exits")) t.exits.push_back(exit_from(e));
  t.exits_dropped = j.at("exits_dropped").get<uint64_t>();
  t.processes = j.at("processes").get<size_t>();
  t.lost_events = j.at("lost_events").get<uint64_t>();
  t.cost = cost_from(j.at("cost"));
  t.untraced = untraced_from(j.at("untraced"));
  t.out = captured_from(j.at("out"));
  t.err = captured_from(j.at("err"));
  t.main_status = opt_bytes_from(j.at("main_status"));
  t.attempts = j.at("attempts").get<int>();
  for (const auto& s : j.at("sibling_binds"))
    t.sibling_binds.push_back({bytes_from_json(s.at("addr")), s.at("port").get<int>(),
                               bytes_from_json(s.at("program")), s.at("pid").get<int>()});
  return t;
}

json supervisor_view_json(const evidence::SupervisorView& v) {
  json history = json::array(), conflict = json::array();
  for (const auto& e : v.history) history.push_back(log_event_json(e));
  for (const auto& c : v.self_conflict) conflict.push_back(bytes_json(c));
  return {{"pid", v.pid},
          {"config", bytes_json(v.config)},
          {"found_by", bytes_json(v.found_by)},
          {"state", bytes_json(v.state)},
          {"description", bytes_json(v.description)},
          {"spawnerr", bytes_json(v.spawnerr)},
          {"exitstatus", opt_int(v.exitstatus)},
          {"process_pid", v.process_pid},
          {"start", v.start},
          {"now", v.now},
          {"stdout_logfile", bytes_json(v.stdout_logfile)},
          {"stderr_logfile", bytes_json(v.stderr_logfile)},
          {"stdout_tail", bytes_json(v.stdout_tail)},
          {"stderr_tail", bytes_json(v.stderr_tail)},
          {"tails_from", bytes_json(v.tails_from)},
          {"query_error", bytes_json(v.query_error)},
          {"log_file", bytes_json(v.log_file)},
          {"log_error", bytes_json(v.log_error)},
          {"history", history},
          {"summary", bytes_json(v.summary)},
          {"replayed", v.replayed},
          {"copy_pid_during_replay", v.copy_pid_during_replay},
          {"self_conflict", conflict}};
}

evidence::SupervisorView supervisor_view_from_json(const json& j) {
  evidence::SupervisorView v;
  v.pid = j.at("pid").get<int>();
  v.config = bytes_from_json(j.at("config"));
  v.found_by = bytes_from_json(j.at("found_by"));
  v.state = bytes_from_json(j.at("state"));
  v.description = bytes_from_json(j.at("description"));
  v.spawnerr = bytes_from_json(j.at("spawnerr"));
  v.exitstatus = opt_int_from(j.at("exitstatus"));
  v.process_pid = j.at("process_pid").get<int>();
  v.start = j.at("start").get<int64_t>();
  v.now = j.at("now").get<int64_t>();
  v.stdout_logfile = bytes_from_json(j.at("stdout_logfile"));
  v.stderr_logfile = bytes_from_json(j.at("stderr_logfile"));
  v.stdout_tail = bytes_from_json(j.at("stdout_tail"));
  v.stderr_tail = bytes_from_json(j.at("stderr_tail"));
  v.tails_from = bytes_from_json(j.at("tails_from"));
  v.query_error = bytes_from_json(j.at("query_error"));
  v.log_file = bytes_from_json(j.at("log_file"));
  v.log_error = bytes_from_json(j.at("log_error"));
  for (const auto& e : j.at("history")) v.history.push_back(log_event_from(e));
  v.summary = bytes_from_json(j.at("summary"));
  v.replayed = j.at("replayed").get<bool>();
  v.copy_pid_during_replay = j.at("copy_pid_during_replay").get<int>();
  for (const auto& c : j.at("self_conflict")) v.self_conflict.push_back(bytes_from_json(c));
  return v;
}

json program_run_json(const ProgramRun& r) {
  return {{"log", trace_log_json(r.log)}, {"view", r.view ? supervisor_view_json(*r.view) : json(nullptr)}};
}

ProgramRun program_run_from_json(const json& j) {
  ProgramRun r;
  r.log = trace_log_from_json(j.at("log"));
  if (!j.at("view").is_null()) r.view = supervisor_view_from_json(j.at("view"));
  return r;
}

}  // namespace bootmortem::run
