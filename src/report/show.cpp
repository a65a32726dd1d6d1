// The rows of `bootmortem show` and their JSON. Values are printed as
// supervisor holds them after parsing, so tests/differential/run.py can build
// the same objects from supervisor's own ProcessConfig and compare.
#include "report/show.h"

#include <array>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/signals.h"
#include "report/json_text.h"

namespace bootmortem::report {
namespace {

// Field order is the reading order of a person; ordered_json keeps it.
using json = nlohmann::ordered_json;

constexpr const char* kind_name(config::SectionKind k) {
  switch (k) {
    case config::SectionKind::Program: return "program";
    case config::SectionKind::FcgiProgram: return "fcgi-program";
    case config::SectionKind::EventListener: return "eventlistener";
  }
  return "program";
}

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json row_json(const ShowRow& row) {
  const config::ProcessConfig& p = *row.proc;
  json env = json::object();
  for (const auto& [k, v] : p.environment.entries()) env[k] = v;
  const auto& cmd = row.command;
  json argv = cmd.argv ? json(*cmd.argv) : json(nullptr);
  json executable = cmd.found ? json(cmd.filename) : json(nullptr);
  return {
      {"name", p.name},
      {"group", p.group_name},
      {"section", p.section},
      {"kind", kind_name(p.kind)},
      {"command", p.command},
      {"argv", argv},
      {"executable", executable},
      {"environment", env},
      {"user", opt(p.user)},
      {"uid", opt(p.uid)},
      {"directory", opt(p.directory)},
      {"umask", p.umask ? json(octal_mode(*p.umask)) : json(nullptr)},
      {"priority", p.priority},
      {"autostart", p.autostart},
      {"autorestart", autorestart_name(p.autorestart)},
      {"startsecs", p.startsecs},
      {"startretries", p.startretries},
      {"exitcodes", p.exitcodes},
      {"stopsignal", stop_signal_name(p.stopsignal)},
      {"stopwaitsecs", p.stopwaitsecs},
      {"stopasgroup", p.stopasgroup},
      {"killasgroup", p.killasgroup},
      {"redirect_stderr", p.redirect_stderr},
      {"stdout_logfile", p.stdout_logfile},
      {"stderr_logfile", p.stderr_logfile},
      {"serverurl", opt(p.serverurl)},
      {"source", {{"file", p.source.file}, {"line", p.source.line}}},
  };
}

}  // namespace

std::vector<ShowRow> make_show_rows(const std::vector<const config::ProcessConfig*>& processes,
                                    const core::Env& supervisord_env, const std::string& cwd,
                                    const core::FileSystem& fs) {
  std::vector<ShowRow> rows;
  for (const auto* p : processes) rows.push_back({p, spawn::lookup_command(*p, supervisord_env, cwd, fs)});
  return rows;
}

std::string stop_signal_name(int sig) {
  // Python 3.11's signal.Signals names on Linux: glibc's, and the two
  // real-time ends.
  if (const char* name = core::signal_abbrev(sig)) return name;
  if (sig == 34) return "RTMIN";
  if (sig == 64) return "RTMAX";
  return std::to_string(sig);
}

std::string octal_mode(mode_t mode) { return fmt::format("{:03o}", mode); }

const char* autorestart_name(config::AutoRestart a) {
  switch (a) {
    case config::AutoRestart::True: return "true";
    case config::AutoRestart::False: return "false";
    case config::AutoRestart::Unexpected: return "unexpected";
  }
  return "unexpected";
}

void render_show_json(const std::vector<ShowRow>& rows, std::ostream& out) {
  json all = json::array();
  for (const auto& row : rows) all.push_back(row_json(row));
  out << json_text(all) << "\n";
}

}  // namespace bootmortem::report
