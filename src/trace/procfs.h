// What /proc says about a process: the replay's tasks and a running
// supervisord (its real environment, cwd, umask and uid are the base of every
// child it spawns).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/env.h"

namespace bootmortem::trace {

std::string proc_exe(pid_t pid);
// The identity lines of /proc/<pid>/status: Umask, Uid, Gid, Groups, CapEff, SigIgn.
std::string proc_identity(pid_t pid);

struct LiveSupervisord {
  pid_t pid = 0;
  std::string config;    // the config path it was started with, absolute
  core::Env environ;     // /proc/<pid>/environ: exactly what children inherit
  std::string cwd;
  mode_t umask = 022;
  uid_t uid = 0;
};

// The supervisord running with this config (compared after realpath), if any.
// default_config: the path supervisord would find without -c, to match a
// supervisord started without one.
std::optional<LiveSupervisord> find_live_supervisord(const std::string& config_path);

// Parse a supervisord command line (argv after the interpreter) for its -c
// value, with getopt's rules (-c X, -cX, --configuration X, --configuration=X,
// unambiguous prefixes of --configuration).
std::optional<std::string> config_arg(const std::vector<std::string>& argv);

}  // namespace bootmortem::trace
