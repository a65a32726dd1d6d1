// `bootmortem show [PROGRAM...]`: the program table as supervisord would
// resolve it from the config, without running anything.

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "run/base_env.h"
#include "cli/subcommand.h"
#include "config/config.h"
#include "core/fs.h"
#include "core/userdb.h"
#include "report/report.h"
#include "report/show.h"


namespace bootmortem::cli {

using run::find_config_file;
using run::node_name;
using run::own_environment;
namespace {

struct ShowOptions {
  std::vector<std::string> programs;
  std::optional<std::string> config;
  report::ShowFormat format = report::ShowFormat::Text;
  bool no_redact = false;
};

const Choices<report::ShowFormat> k_show_formats = {
    {"text", report::ShowFormat::Text},
    {"json", report::ShowFormat::Json},
};

// supervisord is assumed to run with bootmortem's own environment, as it was
// invoked: its ENV_* names and its PATH for the command lookup.
// configparser's messages span lines ("Source contains parsing errors:
// '<f>'\n\t[line  5]: ..."); the contract is one line on stderr, so each
// line break and the indent after it become one space.
std::string one_line(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\n') {
      out += s[i];
      continue;
    }
    while (i + 1 < s.size() && (s[i + 1] == '\t' || s[i + 1] == ' ')) ++i;
    out += ' ';
  }
  return out;
}

config::Config load(const std::string& path, const core::FileSystem& fs, const core::UserDb& users,
                    const core::Env& env) {
  config::LoadContext ctx;
  ctx.environ = env;
  ctx.host_node_name = node_name();
  ctx.cwd = fs.cwd();
  ctx.users = &users;
  ctx.fs = &fs;  // the parse-time directory checks supervisord makes
  try {
    return config::load_config_file(path, ctx);
  } catch (const core::InputError& e) {
    throw core::InputError(e.origin(), one_line(e.message()));
  }
}

int show(const ShowOptions& o) {
  core::RealFs fs;
  core::SystemUserDb users;
  const core::Env env = own_environment();
  const config::Config cfg = load(find_config_file(o.config, fs, false), fs, users, env);

  std::vector<const config::ProcessConfig*> selected;
  if (o.programs.empty())
    for (const auto& p : cfg.processes) selected.push_back(&p);
  for (const auto& spec : o.programs)
    for (const auto* p : cfg.find(spec))
      if (std::find(selected.begin(), selected.end(), p) == selected.end()) selected.push_back(p);

  // The table is pasted into tickets like a report: secrets masked unless asked.
  std::vector<config::ProcessConfig> masked;
  if (!o.no_redact) {
    masked.reserve(selected.size());
    for (const auto* p : selected) {
      config::ProcessConfig c = *p;
      c.command = report::redact_text(c.command);
      c.environment = {};
      for (const auto& [k, v] : p->environment.entries()) c.environment.set(k, report::redact_value(k, v));
      masked.push_back(std::move(c));
    }
    for (size_t i = 0; i < masked.size(); ++i) selected[i] = &masked[i];
  }
  const auto rows = report::make_show_rows(selected, env, fs.cwd(), fs);
  if (o.format == report::ShowFormat::Json)
    report::render_show_json(rows, std::cout);
  else
    report::render_show_text(rows, std::cout);
  std::cout.flush();
  return 0;
}

}  // namespace

Subcommand add_show(CLI::App& parent) {
  auto o = std::make_shared<ShowOptions>();
  auto* app = parent.add_subcommand("show", "print the programs as supervisord resolves them, without running them");
  app->add_option("program", o->programs, "names: name, group:name, group:* (default: all)");
  app->add_option("-c,--configuration", o->config, "supervisord config file (default: supervisord's search path)");
  add_choice(*app, "--format", o->format, k_show_formats, "text or json");
  app->add_flag("--no-redact", o->no_redact, "show secret-looking values as written");
  return {app, [o] { return show(*o); }};
}

}  // namespace bootmortem::cli
