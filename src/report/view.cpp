#include "report/view.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "core/signals.h"
#include "report/env.h"
#include "report/logs.h"
#include "report/supervisor.h"
#include "rules/trace_text.h"
#include "trace/cost.h"

namespace bootmortem::report {
namespace {

void redact_finding(rules::Finding& f) {
  for (auto* s : {&f.title, &f.cause, &f.fix, &f.patch, &f.config_line, &f.verification}) *s = redact_text(*s);
  for (auto& e : f.evidence) e = redact_text(e);
  for (auto& c : f.plan.config) c.value = redact_text(c.value);
  for (auto& c : f.plan.commands) c = redact_text(c);
}

void redact(Report& r) {
  auto& ev = r.ev;
  ev.spec.argv = redact_argv(ev.spec.argv);
  ev.env_diff = redact_env_diff(std::move(ev.env_diff));
  for (auto& f : r.findings) redact_finding(f);
  for (auto& s : ev.trace.failed) {
    s.args = redact_text(s.args);
    s.path = redact_text(s.path);
  }
  if (ev.trace.spawnerr) ev.trace.spawnerr = redact_text(*ev.trace.spawnerr);
  if (ev.spec.spawnerr) ev.spec.spawnerr = redact_text(*ev.spec.spawnerr);
  if (ev.supervisor) redact_supervisor(*ev.supervisor);
  if (ev.logs) redact_logs(*ev.logs);
  if (r.remedy) {
    for (auto& [file, diff] : r.remedy->patches) diff = redact_text(diff);
    for (auto& c : r.remedy->commands) c = redact_text(c);
    r.remedy->outcome = redact_text(r.remedy->outcome);
  }
}

// A replay's outcome is known; a log's or a live supervisord's account has
// its own lead lines.
bool replayed(const View& v) {
  const auto& t = v.r.ev.trace;
  return !v.r.ev.logs && t.backend != "none" && !(v.r.ev.supervisor && !v.r.ev.supervisor->replayed);
}

std::string verdict_line(const View& v) {
  const auto& t = v.r.ev.trace;
  const auto& o = v.outcome;
  std::string startsecs = "(startsecs=" + std::to_string(v.r.ev.spec.startsecs) + ")";
  std::string after = std::to_string(t.after_ms) + " ms";
  std::string what = replayed(v) ? ": " + evidence::outcome_summary(o) : "";
  if (v.spawnerr) return v.program + " fails: supervisord would not spawn it: " + *v.spawnerr;
  if (v.starts) return v.program + " starts: still up after " + after + " " + startsecs + what;
  if (v.signal) return v.program + " fails: killed by " + *v.signal + " after " + after + " " + startsecs + what;
  if (t.exit_code)
    return v.program + " fails: exit status " + std::to_string(*t.exit_code) + " after " + after +
           " " + startsecs + what;
  return v.program + " fails after " + after + " " + startsecs + what;
}

std::vector<std::string> outcome_lead(const View& v) {
  // A log's failing account is judged too (explain); a steady copy that was
  // not replayed has supervisord's own lead.
  const bool from_logs = v.r.ev.logs && !v.starts && (v.r.ev.trace.exit_code || v.r.ev.trace.exit_signal);
  if (!replayed(v) && !v.spawnerr && !from_logs) return {};
  const auto& o = v.outcome;
  std::vector<std::string> out{"What supervisord does: " + sentence(o.next)};
  if (!o.load_note.empty()) out.push_back(o.load_note);
  return out;
}

}  // namespace

std::string base_env_text(const spawn::BaseEnv& b) {
  std::string out = spawn::base_env_source_name(b.source);
  if (b.source == spawn::BaseEnvSource::LiveSupervisord) out += " (pid " + std::to_string(b.pid) + ")";
  if (b.source == spawn::BaseEnvSource::File) out += " (" + b.file + ")";
  return out + (b.observed ? ", observed" : ", assumed");
}

std::string trace_not_kept(const trace::TraceLog& t) {
  std::string out;
  if (t.lost_events) out = std::to_string(t.lost_events) + " events lost";
  std::string items;
  if (t.execs_dropped) items = std::to_string(t.execs_dropped) + " execs";
  if (t.exits_dropped)
    items += (items.empty() ? "" : " and ") + std::to_string(t.exits_dropped) + " process exits";
  if (!items.empty()) out += (out.empty() ? "" : ", ") + items + " not kept";
  return out;
}

namespace {

// 1234567 -> "1,234,567".
std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "0.42 ms", "4.2 ms", "310 ms", "7.4 s".
std::string duration_ns(int64_t ns) {
  const double ms = static_cast<double>(ns) / 1e6;
  if (ms < 1) return fmt::format("{:.2f} ms", ms);
  if (ms < 10) return fmt::format("{:.1f} ms", ms);
  if (ms < 1000) return fmt::format("{:.0f} ms", ms);
  return fmt::format("{:.1f} s", ms / 1000);
}
std::string duration_ms(int64_t ms) { return duration_ns(ms * 1'000'000); }

// "4.2 %", "23 %".
std::string percent(double share) {
  const double p = share * 100;
  return p < 10 ? fmt::format("{:.1f} %", p) : fmt::format("{:.0f} %", p);
}

// One run's end as the untraced line tells it.
std::string run_end(bool up, const std::optional<int>& code, const std::optional<int>& sig, int64_t after_ms) {
  if (up) return "still up at " + duration_ms(after_ms);
  if (sig) return "killed by " + signal_name(*sig) + " after " + duration_ms(after_ms);
  if (code) return "exit status " + std::to_string(*code) + " after " + duration_ms(after_ms);
  return "ended after " + duration_ms(after_ms);
}

}  // namespace

std::string tracing_cost_text(const trace::TraceLog& t) {
  if (!t.cost) return "";
  const auto& c = *t.cost;
  const auto share = trace::cost_share(t);
  const std::string of_run =
      share ? " (" + percent(*share) + " of its " + duration_ms(trace::traced_ms(t)) + " run)" : "";
  std::string out;
  if (t.backend.starts_with("ptrace"))
    out = "ptrace stopped it " + grouped(c.events) + (c.events == 1 ? " time" : " times") + ", at least " +
          duration_ns(c.ns) + of_run;
  else if (t.backend == "ebpf")
    out = "eBPF programs " + duration_ns(c.ns) + " on " + grouped(c.events) + " of its events" + of_run;
  else
    out = t.backend + " " + duration_ns(c.ns) + " on " + grouped(c.events) + " of its events" + of_run;
  if (c.machine_ns >= 0) out += "; " + duration_ns(c.machine_ns) + " over all the machine's calls";
  return out;
}

std::string untraced_text(const trace::TraceLog& t) {
  if (!t.untraced) return "";
  const auto& u = *t.untraced;
  const std::string traced =
      u.decided ? run_end(u.traced_verdict == trace::Verdict::Starts, u.traced_code, u.traced_signal,
                          u.traced_after_ms)
                : run_end(t.verdict == trace::Verdict::Starts, t.exit_code, t.exit_signal, t.after_ms);
  return "traced: " + traced + "; untraced: " + run_end(!u.exited, u.code, u.signal, u.after_ms) +
         (u.decided ? "; the verdict is the untraced run's" : "; the traced verdict stands") +
         (u.output ? ", and so is the output shown" : "");
}

std::string signal_name(int sig) {
  const char* abbrev = core::signal_abbrev(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string shown(const std::optional<std::string>& v) { return v ? *v : "(unset)"; }

bool is_lookup_miss(const trace::FailedSyscall& f) {
  if (f.err != ENOENT && f.err != ENOTDIR) return false;
  // A missing directory=, interpreter or socket is never mere probing.
  for (const char* call : {"chdir", "execve", "execveat", "bind", "connect"})
    if (f.call == call) return false;
  return true;
}

std::string sentence(std::string s) {
  if (!s.empty() && s.back() != '.') s += ".";
  return s;
}

std::string tail_text(const trace::Captured& c, bool redact) {
  std::string t = rules::last_lines(rules::stream_text(c), k_tail_lines);
  return redact ? redact_text(t) : t;
}

View make_view(const Report& r, const RenderOptions& o) {
  View v;
  v.r = r;
  if (o.redact) redact(v.r);
  const auto& ev = v.r.ev;
  v.program = ev.spec.name;
  if (v.program.empty()) {
    auto it = ev.values.find("program");
    if (it != ev.values.end()) v.program = it->second;
  }
  v.starts = ev.trace.verdict == trace::Verdict::Starts;
  if (ev.trace.exit_signal) v.signal = signal_name(*ev.trace.exit_signal);
  if (ev.trace.spawnerr)
    v.spawnerr = ev.trace.spawnerr;
  else if (ev.spec.spawnerr)
    v.spawnerr = ev.spec.spawnerr;
  v.outcome = evidence::judge_outcome(ev.spec, ev.trace);
  v.verdict_line = logs_verdict(v).value_or(supervisor_verdict(v).value_or(verdict_line(v)));
  v.outcome_lead = outcome_lead(v);
  v.stderr_tail = tail_text(ev.trace.err, o.redact);
  v.stdout_tail = tail_text(ev.trace.out, o.redact);
  auto kept = [&](const trace::Captured& c) {
    std::string t = rules::stream_text(c);
    return o.redact ? redact_text(t) : t;
  };
  v.stderr_kept = kept(ev.trace.err);
  v.stdout_kept = kept(ev.trace.out);
  v.base_env = base_env_text(ev.spec.base);
  v.umask = fmt::format("{:03o}", ev.spec.effective_umask);
  for (const auto& f : ev.trace.failed) {
    if (is_lookup_miss(f))
      ++v.lookups_hidden;
    else
      v.notable.push_back(f);
  }
  return v;
}

}  // namespace bootmortem::report
