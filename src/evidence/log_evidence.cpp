#include "evidence/log_evidence.h"

#include "evidence/live_supervisor.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <iterator>

#include "core/fs.h"

namespace bootmortem::evidence {
namespace {

// The latest attempt in supervisord's history: how it ended, if it did.
void attempt_from_history(const std::vector<LogEvent>& h, int startsecs, trace::TraceLog& t) {
  long last_spawn = -1, last_spawnerr = -1;
  for (size_t i = 0; i < h.size(); ++i) {
    if (h[i].kind == LogEventKind::Spawned) last_spawn = static_cast<long>(i);
    if (h[i].kind == LogEventKind::Spawnerr) last_spawnerr = static_cast<long>(i);
  }
  if (last_spawnerr > last_spawn) {
    // "spawnerr: can't find command 'x'": it never forked.
    t.spawnerr = h[last_spawnerr].message.substr(std::strlen("spawnerr: "));
    return;
  }
  if (last_spawn < 0) return;
  const LogEvent& spawn = h[last_spawn];
  t.main_pid = spawn.pid;
  // The start before the latest entered RUNNING and then exited
  // unexpectedly: supervisord restarted it, and the latest is the next turn
  // of a crash loop unless it has outlived that one well.
  const auto before = last_logged_attempt(std::span(h).first(static_cast<size_t>(last_spawn)));
  const bool cycling = before && before->success_logged && (before->signal || !before->expected);
  auto take_before = [&] {
    t.exit_code = before->status;
    if (before->signal) t.exit_signal = signal_by_name(*before->signal);
    t.after_ms = before->lived_ms;
    t.verdict = trace::Verdict::Fails;
  };
  const LogEvent* success = nullptr;
  for (size_t i = last_spawn + 1; i < h.size(); ++i) {
    const LogEvent& e = h[i];
    if (e.kind == LogEventKind::Success) success = &e;
    if (e.kind == LogEventKind::Exited) {
      t.exit_code = e.status;
      if (e.signal) t.exit_signal = signal_by_name(*e.signal);
      t.after_ms = e.ms - spawn.ms;
      t.verdict = trace::Verdict::Fails;
      return;
    }
    if (e.kind == LogEventKind::Stopped && success) {  // up, then stopped by someone
      if (cycling && e.ms - spawn.ms <= 2 * before->lived_ms) return take_before();
      t.verdict = trace::Verdict::Starts;
      t.after_ms = e.ms - spawn.ms;
      return;
    }
  }
  // The latest start has not ended in the log: in a crash loop it is only
  // the next turn (a live supervisord's account of a steady copy still
  // outranks this, in trace_from_logs).
  if (cycling) return take_before();
  if (success) {
    t.verdict = trace::Verdict::Starts;
    t.after_ms = std::max<int64_t>(success->ms - spawn.ms, int64_t{startsecs} * 1000);
  }
}

}  // namespace

const char* log_role_name(LogRole r) {
  switch (r) {
    case LogRole::Supervisord: return "supervisord.log";
    case LogRole::Stderr: return "stderr_logfile";
    case LogRole::Stdout: return "stdout_logfile";
    case LogRole::Extra: return "--log";
  }
  return "?";
}

std::string LogFile::stream() const {
  switch (role) {
    case LogRole::Stderr:
    case LogRole::Extra: return "stderr";
    case LogRole::Stdout: return "stdout";
    case LogRole::Supervisord: return "";
  }
  return "";
}

bool LogFile::counts_as(const std::string& s) const {
  return stream() == s || (merged && role == LogRole::Stdout && s == "stderr");
}

size_t LogReading::files_read() const {
  size_t n = 0;
  for (const auto& f : files) n += f.error.empty();
  return n;
}

std::string byte_size_text(uint64_t n) {
  static const char* k_units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (n < 1024) return std::to_string(n) + (n == 1 ? " byte" : " bytes");
  double v = static_cast<double>(n) / 1024;
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(k_units)) v /= 1024, ++u;
  return fmt::format("{:.1f} {}", v, k_units[u]);
}

std::string describe_reading(const LogReading& r) {
  std::string read, unread;
  for (const auto& f : r.files) {
    if (f.error.empty())
      read += (read.empty() ? "" : "; ") + core::basename(f.path) + " " + byte_size_text(f.scan.bytes) + ", " +
              std::to_string(f.scan.lines) + (f.scan.lines == 1 ? " line" : " lines");
    else
      unread += (unread.empty() ? "" : "; ") + std::string(log_role_name(f.role)) +
                (f.path.empty() ? "" : " " + f.path) + " (" + f.error + ")";
  }
  const size_t n = r.files_read();
  std::string s = n == 0 ? "not replayed: no log file could be read"
                         : "not replayed: evidence from " + std::to_string(n) + (n == 1 ? " log file (" : " log files (") +
                               read + ")";
  if (!unread.empty()) s += "; not read: " + unread;
  return s;
}

trace::Captured stream_from_logs(const LogReading& r, const std::string& stream) {
  std::vector<const LogFile*> files;
  for (const auto& f : r.files)
    if (f.error.empty() && f.counts_as(stream)) files.push_back(&f);
  trace::Captured c;
  uint64_t kept = 0;  // bytes of the files' own text in head and tail
  for (size_t i = 0; i < files.size(); ++i) {
    const LogScan& s = files[i]->scan;
    const bool last = i + 1 == files.size();
    c.total += s.bytes;
    if (files.size() > 1) c.head += "[... " + files[i]->path + " ...]\n";
    uint64_t at = 0;  // the file offset the text has reached
    for (const auto& e : s.excerpts) {
      if (e.offset >= s.tail_offset) break;  // the tail holds it
      if (e.offset > at) c.head += "[...]\n";
      c.head += e.text + "\n";
      kept += e.text.size() + 1;
      at = e.end + 1;
    }
    kept += s.tail.size();
    if (last) {
      c.tail = s.tail;
    } else {
      if (s.tail_offset > at) c.head += "[...]\n";
      c.head += s.tail;
      if (!s.tail.empty() && s.tail.back() != '\n') c.head += "\n";
    }
  }
  c.dropped = c.total > kept ? c.total - kept : 0;
  return c;
}

trace::TraceLog trace_from_logs(const LogReading& r, const std::vector<LogEvent>& history, int startsecs,
                                const SupervisorView* live) {
  trace::TraceLog t;
  t.backend = "none";
  t.backend_note = describe_reading(r);
  t.err = stream_from_logs(r, "stderr");
  t.out = stream_from_logs(r, "stdout");
  t.verdict = trace::Verdict::Fails;
  attempt_from_history(history, startsecs, t);
  // What supervisord says now outranks its log: a program it runs and that
  // is not flapping is up (diagnose's rule for not replaying it).
  if (live && live->state == "RUNNING" && !live->flapping()) {
    t.verdict = trace::Verdict::Starts;
    t.spawnerr.reset();
    t.exit_code.reset();
    t.exit_signal.reset();
    t.main_pid = live->process_pid;
    t.after_ms = live->uptime_s() * 1000;
  }
  return t;
}

}  // namespace bootmortem::evidence
