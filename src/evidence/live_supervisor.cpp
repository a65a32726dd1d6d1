#include "evidence/live_supervisor.h"

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>

#include "evidence/evidence.h"

namespace bootmortem::evidence {
namespace {

// The end of a text, starting at a line boundary when it was cut.
std::string last_bytes(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  std::string t = s.substr(s.size() - n);
  size_t nl = t.find('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

// Which getProcessInfo members fill which field.
void fill_from_info(const RpcValue& info, SupervisorView& v) {
  v.state = info.str("statename");
  v.description = info.str("description");
  v.spawnerr = info.str("spawnerr");
  if (auto s = info.integer("exitstatus")) v.exitstatus = static_cast<int>(*s);
  v.process_pid = static_cast<int>(info.integer("pid").value_or(0));
  v.start = info.integer("start").value_or(0);
  v.now = info.integer("now").value_or(0);
  v.stdout_logfile = info.str("stdout_logfile");
  v.stderr_logfile = info.str("stderr_logfile");
}

// tailProcess*Log(name, 0, n) -> [text, offset, overflow]: the last n bytes.
std::string rpc_tail(const RpcTransport& rpc, const std::string& method, const LiveQuery& q) {
  RpcResult r = rpc_call(rpc, method, {RpcValue::of(q.namespec), RpcValue::of(int64_t{0}),
                                       RpcValue::of(static_cast<int64_t>(q.tail_bytes))});
  if (!r.ok() || r.response.value.a.size() < 3) return "";
  const auto& a = r.response.value.a;
  if (!a[2].i) return a[0].s;
  // Overflow: the text was cut mid-line; start at the next whole line.
  size_t nl = a[0].s.find('\n');
  return nl == std::string::npos ? a[0].s : a[0].s.substr(nl + 1);
}

std::string file_tail(const core::FileSystem& fs, const std::string& path, size_t n) {
  if (path.empty() || path == "AUTO" || path == "NONE" || path == "none" || path == "auto") return "";
  auto text = fs.read_suffix(path, n + 1);  // one more: last_bytes then starts at a whole line
  return text ? last_bytes(*text, n) : "";
}

void ask_rpc(const LiveQuery& q, const RpcTransport& rpc, SupervisorView& v) {
  RpcResult info = rpc_call(rpc, "supervisor.getProcessInfo", {RpcValue::of(q.namespec)});
  if (!info.error.empty()) {
    v.query_error = info.error;
    return;
  }
  if (info.response.fault) {
    // BAD_NAME: the loaded config is not the file on disk (reread/update pending).
    v.query_error = "getProcessInfo(" + q.namespec + "): " + info.response.fault_string;
    return;
  }
  fill_from_info(info.response.value, v);
  v.stderr_tail = rpc_tail(rpc, "supervisor.tailProcessStderrLog", q);
  v.stdout_tail = rpc_tail(rpc, "supervisor.tailProcessStdoutLog", q);
  v.tails_from = "supervisord";
}

void read_history(const LiveQuery& q, const core::FileSystem& fs, SupervisorView& v) {
  if (q.log_file.empty() || q.log_file == "syslog") {
    v.log_error = "supervisord logs to " + (q.log_file.empty() ? std::string("nowhere known") : q.log_file);
    return;
  }
  v.log_file = q.log_file;
  auto text = fs.read_suffix(q.log_file, q.log_bytes + 1);
  if (!text) {
    v.log_error = "cannot read " + q.log_file;
    return;
  }
  HistoryQuery hq;
  hq.process = q.process_name;
  hq.supervisord_pid = q.supervisord_pid;
  hq.spawnerr_texts = q.spawnerr_texts;
  if (!v.spawnerr.empty()) hq.spawnerr_texts.push_back(v.spawnerr);
  auto h = history_from_log(last_bytes(*text, q.log_bytes), hq, q.max_history);
  v.history = std::move(h.events);
  v.summary = std::move(h.summary);
}

}  // namespace

std::string SupervisorView::last_exit() const {
  for (auto it = history.rbegin(); it != history.rend(); ++it)
    if (it->kind == LogEventKind::Exited) return it->status ? "status " + std::to_string(*it->status) : it->signal.value_or("");
  return "";
}

bool SupervisorView::flapping() const {
  if (state != "RUNNING") return false;
  std::vector<int64_t> lived;
  int64_t spawned = -1;
  for (const auto& e : history) {
    if (e.kind == LogEventKind::Spawned) spawned = e.ms;
    if (e.kind == LogEventKind::Exited && spawned >= 0) lived.push_back(e.ms - spawned), spawned = -1;
  }
  // Only the last few: a crash hours ago says nothing about a process up since.
  for (size_t i = lived.size() > 3 ? lived.size() - 3 : 0; i < lived.size(); ++i)
    if (uptime_s() * 1000 <= lived[i]) return true;
  return false;
}

std::string format_uptime(int64_t s) { return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60); }

SupervisorView ask_supervisor(const LiveQuery& q, const RpcTransport* rpc, const core::FileSystem& fs) {
  SupervisorView v;
  v.pid = q.supervisord_pid;
  v.config = q.config;
  v.found_by = q.found_by;
  if (rpc)
    ask_rpc(q, *rpc, v);
  else
    v.query_error = "no [unix_http_server] socket to ask supervisord through";
  if (v.tails_from.empty()) {
    v.stderr_tail = file_tail(fs, q.stderr_logfile, q.tail_bytes);
    v.stdout_tail = file_tail(fs, q.stdout_logfile, q.tail_bytes);
    if (!v.stderr_tail.empty() || !v.stdout_tail.empty()) v.tails_from = "files";
  }
  read_history(q, fs, v);
  return v;
}

std::optional<LoggedAttempt> last_logged_attempt(std::span<const LogEvent> history) {
  std::optional<LoggedAttempt> last;
  int64_t spawned = -1;
  bool success = false;
  for (const auto& e : history) {
    if (e.kind == LogEventKind::Spawned) spawned = e.ms, success = false;
    if (e.kind == LogEventKind::Success) success = true;
    if (e.kind == LogEventKind::Exited && spawned >= 0) {
      last = LoggedAttempt{e.status, e.signal, e.ms - spawned, success, e.expected};
      spawned = -1;
    }
  }
  return last;
}

namespace {

// Moves the failed calls at `conflicting` out of t into view.self_conflict.
void move_conflicts(trace::TraceLog& t, SupervisorView& view, const std::vector<size_t>& conflicting) {
  std::vector<trace::FailedSyscall> kept;
  for (size_t i = 0; i < t.failed.size(); ++i) {
    const auto& f = t.failed[i];
    if (std::find(conflicting.begin(), conflicting.end(), i) == conflicting.end()) {
      kept.push_back(f);
      continue;
    }
    view.self_conflict.push_back(f.call + "(" + (f.addr.empty() ? f.path : f.addr) + ") failed with EADDRINUSE: " +
                                 "supervisord's own copy of the program (pid " +
                                 std::to_string(view.copy_pid_during_replay) + ") holds it");
  }
  t.failed = std::move(kept);
}

}  // namespace

void take_isolated_replay(trace::TraceLog& t, trace::TraceLog second, SupervisorView& view,
                          const std::vector<size_t>& conflicting) {
  if (conflicting.empty()) return;
  move_conflicts(t, view, conflicting);
  std::vector<trace::FailedSyscall> kept;
  size_t unreachable = 0;
  for (auto& f : second.failed) {
    if (f.call == "connect" && (f.err == ECONNREFUSED || f.err == ENETUNREACH || f.err == EHOSTUNREACH))
      ++unreachable;
    else
      kept.push_back(std::move(f));
  }
  second.failed = std::move(kept);
  second.backend_note += "; replayed a second time in a network namespace of its own (loopback only), because "
                         "supervisord's own running copy holds the port the first replay needed";
  if (unreachable)
    second.backend_note += "; " + std::to_string(unreachable) +
                           " failed connections there set aside (nothing listens in that namespace)";
  t = std::move(second);
}

void set_aside_self_conflict(trace::TraceLog& t, SupervisorView& view, const std::vector<size_t>& conflicting) {
  if (conflicting.empty()) return;
  move_conflicts(t, view, conflicting);
  t.backend_note += "; the replay collided with supervisord's own running copy, so its exit and output are "
                    "supervisord's last attempt's, from its log";
  if (auto a = last_logged_attempt(view.history)) {
    t.verdict = trace::Verdict::Fails;
    t.exit_code = a->status;
    t.exit_signal = a->signal ? signal_by_name(*a->signal) : std::nullopt;
    t.after_ms = a->lived_ms;
    t.left_behind = 0;
  }
  auto from_tail = [](const std::string& tail) {
    trace::Captured c;
    c.head = tail;
    c.total = tail.size();
    return c;
  };
  t.err = from_tail(view.stderr_tail);
  t.out = from_tail(view.stdout_tail);
}

const std::vector<std::string>& supervisor_fact_names() {
  static const std::vector<std::string> k = {"supervisord_seen", "supervisord_fatal", "supervisord_running",
                                             "supervisord_same_exit", "supervisord_copy_alive"};
  return k;
}

const std::vector<std::string>& supervisor_value_names() {
  static const std::vector<std::string> k = {"supervisord_pid", "supervisord_state", "supervisord_description",
                                             "supervisord_summary", "supervisord_exit"};
  return k;
}

void add_supervisor_facts(Evidence& ev) {
  const auto& s = ev.supervisor;
  const auto& t = ev.trace;
  const std::string last = s ? s->last_exit() : "";
  std::string replay_exit;
  if (t.exit_code) replay_exit = "status " + std::to_string(*t.exit_code);
  if (t.exit_signal) replay_exit = ev.values["signal"];
  auto& f = ev.facts;
  f["supervisord_seen"] = s && !s->state.empty();
  f["supervisord_fatal"] = s && s->state == "FATAL";
  f["supervisord_running"] = s && s->state == "RUNNING";
  // The replay reproduces what supervisord saw: the strongest sign that the
  // findings explain the real failure and not an artefact of the replay.
  f["supervisord_same_exit"] = s && s->replayed && !last.empty() && last == replay_exit;
  f["supervisord_copy_alive"] = s && s->copy_pid_during_replay != 0;
  auto& v = ev.values;
  v["supervisord_pid"] = s ? std::to_string(s->pid) : "";
  v["supervisord_state"] = s ? s->state : "";
  v["supervisord_description"] = s ? s->description : "";
  v["supervisord_summary"] = s ? s->summary : "";
  v["supervisord_exit"] = last;
}

void attach_supervisor(Evidence& ev, SupervisorView view) {
  ev.supervisor = std::move(view);
  add_supervisor_facts(ev);
}

}  // namespace bootmortem::evidence
