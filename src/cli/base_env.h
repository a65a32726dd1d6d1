// The two steps before the spawn that `diagnose`, `check` and `env` share:
// which config file, and which environment supervisord runs with. Defined in
// diagnose.cpp; declared here so `env` calls them rather than copying them.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "cli/diagnose.h"
#include "config/config.h"
#include "core/fs.h"
#include "core/userdb.h"
#include "report/report.h"
#include "rules/rules.h"
#include "spawn/spawn_spec.h"

namespace bootmortem::cli {

// -c, else (when ask_live) the config of the one supervisord that runs, else
// supervisord's own search path; InputError when none is found.
std::string find_config_file(const std::optional<std::string>& given, const core::FileSystem& fs,
                             bool ask_live);
std::string find_config(const DiagnoseOptions& o, const core::FileSystem& fs);

// bootmortem's own environment and umask, and platform.node() as
// supervisord names it.
core::Env own_environment();
mode_t own_umask();
std::string node_name();

// A live supervisord's /proc environ, else --base-env FILE|systemd, else
// bootmortem's own environment less SUDO_* (DESIGN.md, "Fidelity").
spawn::BaseEnv choose_base(const DiagnoseOptions& o, const std::string& config_path,
                           const core::FileSystem& fs);
// The same without asking a live supervisord: --base-env, else bootmortem's
// own environment (`check`, for configs no supervisord runs yet).
spawn::BaseEnv assumed_base(const DiagnoseOptions& o, const core::FileSystem& fs);

// The config as supervisord reads it with that environment; a base that was
// assumed (not observed) takes the daemonizing supervisord's cwd and umask.
config::Config load_with_base(const std::string& config_path, spawn::BaseEnv& base,
                              const core::UserDb& users);

// The one process `program` names; InputError listing them when it names
// none or several.
const config::ProcessConfig& one_process(const config::Config& cfg, const std::string& program);

// The pack's findings on r.ev, the report on stdout, and the exit code.
int match_and_report(report::Report& r, const rules::RulePack& pack, report::Format format, bool redact,
                     bool color);

}  // namespace bootmortem::cli
