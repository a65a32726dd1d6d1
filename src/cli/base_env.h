// The two steps before the spawn that `diagnose` and `env` share: which
// config file, and which environment supervisord runs with. Defined in
// diagnose.cpp; declared here so `env` calls them rather than copying them.
#pragma once

#include <string>

#include "cli/diagnose.h"
#include "core/fs.h"
#include "spawn/spawn_spec.h"

namespace bootmortem::cli {

// -c, else supervisord's own search path; InputError when none is found.
std::string find_config(const DiagnoseOptions& o, const core::FileSystem& fs);

// A live supervisord's /proc environ, else --base-env FILE|systemd, else
// bootmortem's own environment less SUDO_* (DESIGN.md, "Fidelity").
spawn::BaseEnv choose_base(const DiagnoseOptions& o, const std::string& config_path,
                           const core::FileSystem& fs);

}  // namespace bootmortem::cli
