// DESIGN.md's "bootmortem/1" schema. Fields may be added, never change
// meaning: consumers (CI, tickets) key on these names.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/error.h"
#include "report/cost_json.h"
#include "report/json_text.h"
#include "report/logs.h"
#include "report/stamp_json.h"
#include "report/supervisor.h"
#include "report/view.h"
#include "rules/trace_text.h"

namespace bootmortem::report {
namespace {

// ordered_json keeps the schema's order (schema, program, verdict first) for readers.
using json = nlohmann::ordered_json;

json opt(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
json opt_int(const std::optional<int>& i) { return i ? json(*i) : json(nullptr); }
json nonempty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json finding(const rules::Finding& f) {
  return {{"rule", f.rule},
          {"title", f.title},
          {"cause", f.cause},
          {"fix", f.fix},
          {"patch", nonempty(f.patch)},
          {"config_line", nonempty(f.config_line)},
          {"confidence", f.confidence},
          // true: replayed with the fix, RUNNING; false: replayed, it was not
          // (verification says what happened); null: not replayed (why).
          {"verified", f.verified ? json(*f.verified) : json(nullptr)},
          {"verification", nonempty(f.verification)},
          {"verify_ms", f.verify_ms >= 0 ? json(f.verify_ms) : json(nullptr)},
          // 1: found in the replay; n: revealed once the fixes before it were applied.
          {"round", f.round},
          {"commands", f.plan.commands},
          {"evidence", f.evidence}};
}

// The combined fix the verification replays tried (null when none ran).
json remedy_json(const std::optional<Remedy>& m) {
  if (!m) return nullptr;
  json patches = json::array();
  for (const auto& [file, diff] : m->patches) patches.push_back({{"file", file}, {"patch", diff}});
  return {{"verified", m->verified}, {"rules", m->rules},     {"commands", m->commands},
          {"patches", patches},      {"outcome", m->outcome}, {"replays", m->replays},
          {"ms", m->ms}};
}

json syscall(const trace::FailedSyscall& s) {
  json j = {{"pid", s.pid},
            {"call", s.call},
            {"path", s.path},
            {"errno", core::errno_name(s.err)},
            {"count", s.count}};
  if (!s.addr.empty()) j["addr"] = s.addr;
  if (s.pids > 1) j["pids"] = s.pids;  // distinct pids; "pid" is the first
  return j;
}

json trace_json(const trace::TraceLog& t) {
  json j = {{"backend", t.backend}, {"why", t.backend_why}, {"note", t.backend_note},
            // check: which start this is (supervisord's BACKOFF retries while the others run).
            {"attempts", t.attempts}};
  // What was counted but not kept, never silently: present when nonzero.
  for (const auto& [name, n] : {std::pair{"failed_dropped", t.failed_dropped},
                                {"execs_dropped", t.execs_dropped},
                                {"exits_dropped", t.exits_dropped},
                                {"lost_events", t.lost_events}})
    if (n) j[name] = n;
  // What the tracing took from the program (null when unknown).
  j["cost"] = tracing_cost_json(t);
  // The verdict checked by a run with no tracer (null when none ran): its
  // exit and timing, whether it decided (its verdict, exit and timing are
  // then the report's), and the traced run's own.
  if (t.untraced) {
    const auto& u = *t.untraced;
    const bool up = u.decided ? u.traced_verdict == trace::Verdict::Starts : t.verdict == trace::Verdict::Starts;
    const auto& code = u.decided ? u.traced_code : t.exit_code;
    const auto& sig = u.decided ? u.traced_signal : t.exit_signal;
    j["untraced"] = {{"exited", u.exited},
                     {"code", opt_int(u.code)},
                     {"signal", u.signal ? json(signal_name(*u.signal)) : json(nullptr)},
                     {"after_ms", u.after_ms},
                     {"decided", u.decided},
                     {"output", u.output},
                     {"traced",
                      {{"verdict", up ? "starts" : "fails"},
                       {"code", opt_int(code)},
                       {"signal", sig ? json(signal_name(*sig)) : json(nullptr)},
                       {"after_ms", u.decided ? u.traced_after_ms : t.after_ms}}},
                     {"text", untraced_text(t)}};
  } else {
    j["untraced"] = nullptr;
  }
  return j;
}

json outcome_json(const evidence::Outcome& o) {
  return {{"state", o.state},
          {"kind", evidence::outcome_kind_name(o.kind)},
          {"next", o.next},
          {"expected", o.expected},
          {"restarted", o.restarted},
          {"attempts", o.attempts ? json(o.attempts) : json(nullptr)},
          {"fatal_after_ms", o.attempts ? json(o.fatal_after_ms) : json(nullptr)},
          {"died_after_ms", o.died_after_ms >= 0 ? json(o.died_after_ms) : json(nullptr)},
          {"startsecs_ms", o.startsecs_ms},
          {"watched_ms", o.watched_ms},
          {"near_startsecs", o.near_startsecs},
          {"note", nonempty(o.load_note)}};
}

json base_env(const spawn::BaseEnv& b) {
  json j = {{"source", spawn::base_env_source_name(b.source)}, {"observed", b.observed}};
  if (b.source == spawn::BaseEnvSource::LiveSupervisord) j["pid"] = b.pid;
  if (b.source == spawn::BaseEnvSource::File) j["file"] = b.file;
  return j;
}

json report_doc(const View& v) {
  const auto& ev = v.r.ev;
  const auto& t = ev.trace;
  json findings = json::array(), diff = json::array(), failed = json::array();
  for (const auto& f : v.r.findings) findings.push_back(finding(f));
  for (const auto& d : ev.env_diff) {
    diff.push_back({{"name", d.name}, {"spawn", opt(d.spawn)}, {"login", opt(d.login)}, {"kind", d.kind}});
    // List variables (PATH...): the login's entries the child lacks, and its extras.
    if (evidence::is_list_var(d.name)) {
      diff.back()["missing"] = d.missing;
      diff.back()["extra"] = d.extra;
    }
  }
  for (const auto& s : t.failed) failed.push_back(syscall(s));

  json j = headed("bootmortem/1", v.r.stamp);
  j.update(json{
      {"program", v.program},
      {"verdict", v.starts ? "starts" : "fails"},
      {"exit", {{"code", opt_int(t.exit_code)}, {"signal", opt(v.signal)}, {"after_ms", t.after_ms}}},
      // What supervisord does with it over time (evidence/outcome.h).
      {"outcome", outcome_json(v.outcome)},
      {"base_env", base_env(ev.spec.base)},
      // The live supervisord's account (null when none runs this config).
      {"supervisord", supervisor_json(v)},
      // explain: the log files read instead of a replay (null for a replay).
      {"explain", logs_json(v)},
      {"findings", findings},
      {"fix", remedy_json(v.r.remedy)},
      {"env_diff", diff},
      // How the login side of env_diff was obtained (login::LoginEnv).
      {"login", {{"method", ev.login.method}, {"captured", ev.login.captured}}},
      {"syscalls_failed", failed},
      // All the tracer kept: the first and last 64 KiB of each stream.
      {"stderr_tail", v.stderr_kept},
      {"stdout_tail", v.stdout_kept},
      {"spawn",
       {{"argv", ev.spec.argv},
        {"filename", ev.spec.filename},
        {"user", ev.spec.user},
        {"uid", ev.spec.uid},
        {"gid", ev.spec.gid},
        {"groups", ev.spec.groups},
        {"directory", opt(ev.spec.directory)},
        {"cwd", ev.spec.cwd},
        {"umask", v.umask}}},
      {"trace", trace_json(t)},
      {"spawnerr", opt(v.spawnerr)},
  });
  return j;
}

}  // namespace

void render_json(const View& v, std::ostream& out) { out << json_text(report_doc(v)) << "\n"; }

void render_check_json(const std::vector<View>& views, const std::string& config_path, const std::string& root,
                       const core::Stamp& stamp, std::ostream& out) {
  json programs = json::array();
  size_t starts = 0, unexplained = 0;
  for (const auto& v : views) {
    programs.push_back(report_doc(v));
    if (v.starts) ++starts;
    else if (v.r.findings.empty()) ++unexplained;
  }
  json j = headed("bootmortem-check/1", stamp);
  j.update(json{
      {"config", config_path},
      {"root", root.empty() ? json(nullptr) : json(root)},
      {"summary",
       {{"programs", views.size()},
        {"start", starts},
        {"fail", views.size() - starts},
        {"unexplained", unexplained}}},
      {"programs", programs},
  });
  out << json_text(j) << "\n";
}

void render_static_json(const StaticReport& c, std::ostream& out) {
  auto results = [](const std::vector<StaticResult>& rs) {
    json a = json::array();
    for (const auto& r : rs)
      a.push_back({{"rule", r.finding.rule},
                   {"title", r.finding.title},
                   {"family", r.finding.family},
                   {"severity", r.failure ? "failure" : "warning"},
                   {"refuses_config", r.refuses},
                   {"file", r.finding.location.file},
                   {"line", r.finding.location.line},
                   {"cause", r.finding.cause},
                   {"fix", r.finding.fix}});
    return a;
  };
  json programs = json::array();
  size_t failing = 0;
  for (const auto& p : c.programs) {
    if (p.fails()) ++failing;
    programs.push_back({{"program", p.name},
                        {"section", p.section},
                        {"file", p.source.file},
                        {"line", p.source.line},
                        {"fails", p.fails()},
                        {"results", results(p.results)}});
  }
  json j = headed("bootmortem-check-static/1", c.stamp);
  j.update(json{
      {"config", c.config_path},
      {"summary", {{"programs", c.programs.size()}, {"fail", failing}, {"config_fails", any_failure(c.config)}}},
      {"supervisord", {{"fails", any_failure(c.config)}, {"results", results(c.config)}}},
      {"programs", programs},
  });
  out << json_text(j) << "\n";
}

void render_error_json(const core::Stamp& stamp, const std::string& command, const std::string& program,
                       const std::string& error, std::ostream& out) {
  json j = headed("bootmortem-error/1", stamp);
  j.update(json{{"command", command}, {"program", nonempty(program)}, {"error", redact_text(error)}});
  out << json_text(j) << "\n";
}

}  // namespace bootmortem::report
