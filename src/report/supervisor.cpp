#include "report/supervisor.h"

#include "report/view.h"

namespace bootmortem::report {
namespace {

using json = nlohmann::ordered_json;

json nonempty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string running_detail(const evidence::SupervisorView& s) {
  return "pid " + std::to_string(s.process_pid) + ", uptime " + evidence::format_uptime(s.uptime_s());
}

}  // namespace

json log_event_json(const evidence::LogEvent& e) {
  json j = {{"time", e.time}, {"event", evidence::log_event_name(e.kind)}};
  if (e.pid) j["pid"] = e.pid;
  if (e.kind == evidence::LogEventKind::Exited || e.kind == evidence::LogEventKind::Stopped) {
    j["status"] = e.status ? json(*e.status) : json(nullptr);
    j["signal"] = e.signal ? json(*e.signal) : json(nullptr);
  }
  if (e.kind == evidence::LogEventKind::Exited) j["expected"] = e.expected;
  j["line"] = e.line();
  return j;
}

std::vector<std::string> supervisor_lead(const View& v) {
  const auto& sv = v.r.ev.supervisor;
  if (!sv) return {};
  const auto& s = *sv;
  const std::string who = "supervisord (pid " + std::to_string(s.pid) + ")";
  std::vector<std::string> out;
  if (s.state.empty())
    out.push_back(who + " runs this config but could not be asked about " + v.program + ": " + s.query_error);
  else if (!s.replayed && !v.r.ev.logs)  // explain replays nothing, and says so itself
    out.push_back("Not replayed: a second copy would collide with the one supervisord runs on its port "
                  "and files (--replay starts one anyway).");
  else if (s.state == "RUNNING" && !v.r.ev.logs)
    out.push_back(who + " reports it RUNNING (" + running_detail(s) + "), but it keeps exiting and being restarted");
  else
    out.push_back(who + " reports it " + s.state + (s.description.empty() ? "" : ": " + s.description));
  if (!s.summary.empty())
    out.push_back(sentence(s.summary));
  else if (!s.log_error.empty())
    out.push_back("Its history is not known: " + s.log_error + ".");
  else
    out.push_back("supervisord.log has no lines about " + v.program + " since supervisord started.");
  if (!s.self_conflict.empty()) {
    out.push_back("The replay collided with supervisord's own copy and could not run its course; set aside, "
                  "not blamed on the program:");
    for (const auto& c : s.self_conflict) out.push_back("  " + c);
    out.push_back("The exit and output below are supervisord's last attempt's, from its log; for a full replay, "
                  "`supervisorctl stop " + v.program + "` and run diagnose again.");
  } else if (s.copy_pid_during_replay)
    out.push_back("supervisord's own copy (pid " + std::to_string(s.copy_pid_during_replay) +
                  ") was running during the replay: a port or file conflict below may be between the two "
                  "copies; `supervisorctl stop " + v.program + "` and run diagnose again.");
  if (v.r.ev.facts.count("supervisord_same_exit") && v.r.ev.facts.at("supervisord_same_exit"))
    out.push_back("The replay exited with " + s.last_exit() + " too: it reproduces what supervisord saw.");
  return out;
}

std::optional<std::string> supervisor_verdict(const View& v) {
  const auto& sv = v.r.ev.supervisor;
  if (!sv || sv->replayed || sv->state != "RUNNING") return std::nullopt;
  return v.program + " starts: supervisord (pid " + std::to_string(sv->pid) + ") reports it RUNNING, " +
         running_detail(*sv);
}

std::string supervisor_history_title(const View& v) {
  const auto& s = *v.r.ev.supervisor;
  return "supervisord.log (" + s.log_file + "), " + v.program + " since supervisord (pid " +
         std::to_string(s.pid) + ") started";
}

std::vector<std::string> history_lines(const std::vector<evidence::LogEvent>& history, size_t n) {
  std::vector<std::string> out;
  for (size_t i = history.size() > n ? history.size() - n : 0; i < history.size(); ++i)
    out.push_back(history[i].line());
  return out;
}

std::string base_env_origin(const View& v) {
  const auto& b = v.r.ev.spec.base;
  if (b.source != spawn::BaseEnvSource::LiveSupervisord) return "";
  return " (read from the running supervisord's /proc/" + std::to_string(b.pid) + "/environ)";
}

json supervisor_json(const View& v) {
  const auto& sv = v.r.ev.supervisor;
  if (!sv) return nullptr;
  const auto& s = *sv;
  json history = json::array();
  for (const auto& e : s.history) history.push_back(log_event_json(e));
  const bool known = !s.state.empty();
  return {
      {"pid", s.pid},
      {"config", s.config},
      {"found_by", s.found_by},
      {"state", nonempty(s.state)},
      {"description", nonempty(s.description)},
      {"spawnerr", nonempty(s.spawnerr)},
      // 0 after a too-quick exit whatever the status (semantics §9); see history.
      {"exitstatus", known && s.exitstatus ? json(*s.exitstatus) : json(nullptr)},
      {"process_pid", known && s.process_pid ? json(s.process_pid) : json(nullptr)},
      {"uptime_s", s.state == "RUNNING" ? json(s.uptime_s()) : json(nullptr)},
      {"flapping", s.flapping()},
      {"replayed", s.replayed},
      {"copy_pid_during_replay", s.copy_pid_during_replay ? json(s.copy_pid_during_replay) : json(nullptr)},
      {"self_conflict", s.self_conflict},
      {"query_error", nonempty(s.query_error)},
      {"log_file", nonempty(s.log_file)},
      {"log_error", nonempty(s.log_error)},
      {"summary", nonempty(s.summary)},
      {"history", history},
      {"tails_from", nonempty(s.tails_from)},
      {"stdout_tail", s.stdout_tail},
      {"stderr_tail", s.stderr_tail},
  };
}

void redact_supervisor(evidence::SupervisorView& s) {
  for (auto* t : {&s.description, &s.spawnerr, &s.stdout_tail, &s.stderr_tail, &s.summary, &s.query_error})
    *t = redact_text(*t);
  for (auto& e : s.history) e.message = redact_text(e.message);
}

}  // namespace bootmortem::report
