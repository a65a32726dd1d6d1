// `bootmortem env PROGRAM`: the environment supervisord would give the
// program, against a real login of its user, without running the program.
// Answers "what does my shell have that the service does not?" on its own.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "run/base_env.h"
#include "cli/subcommand.h"
#include "cli/terminal.h"
#include "config/config.h"
#include "core/error.h"
#include "core/host.h"
#include "core/userdb.h"
#include "login/capture.h"
#include "report/env.h"

namespace bootmortem::cli {

using run::DiagnoseOptions;
using run::choose_base;
using run::find_config;
using run::load_with_base;
using run::one_process;
namespace {

struct EnvOptions {
  DiagnoseOptions d;  // program, -c, --base-env: found and chosen as diagnose does
  report::Format format = report::Format::Text;
  bool redact = true;
  bool color = false;
};

// config -> spawn, the first two stages of diagnose's pipeline.
spawn::SpawnSpec spawn_spec_for(const DiagnoseOptions& o, const std::string& config_path,
                                const core::FileSystem& fs, const core::UserDb& users) {
  spawn::BaseEnv base = choose_base(o, config_path, fs);
  config::Config cfg = load_with_base(config_path, base, users);
  return spawn::make_spawn_spec(cfg, one_process(cfg, o.program), base, users, fs);
}

int env_command(const EnvOptions& o) {
  const core::Stamp stamp = core::stamp_now();
  core::RealFs fs;
  core::SystemUserDb users;
  const std::string config_path = find_config(o.d, fs);
  spawn::SpawnSpec spec = spawn_spec_for(o.d, config_path, fs, users);

  std::optional<core::Passwd> pw = users.by_uid(spec.uid);
  login::LoginEnv login = pw ? login::real_login_env(*pw, fs)
                             : login::LoginEnv{"none (uid " + std::to_string(spec.uid) + " has no passwd entry)", {}};

  report::RenderOptions ro;
  ro.redact = o.redact;
  ro.color = o.color;
  report::EnvReport r = report::make_env_report(std::move(spec), std::move(login), config_path);
  r.stamp = stamp;
  report::render_env(r, o.format, ro, std::cout);
  std::cout.flush();
  return 0;
}

}  // namespace

Subcommand add_env(CLI::App& parent) {
  auto o = std::make_shared<EnvOptions>();
  auto no_redact = std::make_shared<bool>(false);
  auto* app = parent.add_subcommand(
      "env", "the environment supervisord would give a program against a login of its user; runs nothing");
  app->add_option("program", o->d.program, "program name: name, group:name")->required();
  app->add_option("-c,--configuration", o->d.config,
                  "supervisord config file (default: the running supervisord's, else supervisord's search path)");
  // Not junit: env runs nothing that could pass or fail.
  static const Choices<report::Format> k_formats = {
      {"text", report::Format::Text}, {"markdown", report::Format::Markdown}, {"json", report::Format::Json}};
  add_choice(*app, "--format", o->format, k_formats, "text, markdown or json");
  app->add_option("--base-env", o->d.base_env,
                  "supervisord's environment: a file (NUL- or newline-separated) or 'systemd'");
  app->add_flag("--no-redact", *no_redact, "show secret-looking values");
  return {app, [o, no_redact] {
            o->redact = !*no_redact;
            o->color = report_color(o->format);
            return env_command(*o);
          }};
}

}  // namespace bootmortem::cli
