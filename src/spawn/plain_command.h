// A command run as it is, by the invoking user (`bootmortem trace -- CMD`):
// no supervisord config, so no user switch; the invoker's environment, cwd
// and umask; CMD looked up on PATH as execvp(3) looks it up.
#pragma once

#include <string>
#include <vector>

#include "core/env.h"
#include "core/fs.h"
#include "spawn/spawn_spec.h"

namespace bootmortem::spawn {

struct ExecvpLookup {
  std::string filename;  // what execve gets; relative names resolve against cwd
  int err = 0;           // 0 found; ENOENT nothing there; EACCES only unrunnable files
};

// execvp's search: a name with a '/' is used as it is; otherwise each entry
// of PATH in turn (an empty entry is the cwd; no PATH is glibc's
// "/bin:/usr/bin"), the first executable regular file winning. EACCES when
// only directories or files without permission to run were found, as execvp
// reports it.
ExecvpLookup lookup_like_execvp(const std::string& name, const core::Env& env, const std::string& cwd,
                                const core::FileSystem& fs);

// The spec for argv as the invoker (base: their environment, cwd, umask and
// uid). spawnerr is set when execvp would find nothing to run; lookup.err
// says which way.
struct PlainCommand {
  SpawnSpec spec;
  ExecvpLookup lookup;
};
PlainCommand plain_spawn_spec(const std::vector<std::string>& argv, const BaseEnv& base,
                              const core::FileSystem& fs);

}  // namespace bootmortem::spawn
