#include "spawn/plain_command.h"

#include <cerrno>
#include <cstring>

namespace bootmortem::spawn {
namespace {

// What execve would say of one candidate, from stat and access(X_OK).
int try_candidate(const std::string& path, const std::string& cwd, const core::FileSystem& fs) {
  const std::string abs = core::absolute_path(path, cwd);
  auto st = fs.stat(abs);
  if (!st) return ENOENT;
  if (st->is_dir() || !fs.executable(abs)) return EACCES;
  return 0;
}

}  // namespace

ExecvpLookup lookup_like_execvp(const std::string& name, const core::Env& env, const std::string& cwd,
                                const core::FileSystem& fs) {
  ExecvpLookup out;
  out.filename = name;
  if (name.empty()) {
    out.err = ENOENT;
    return out;
  }
  if (name.find('/') != std::string::npos) {
    out.err = try_candidate(name, cwd, fs);
    return out;
  }
  const std::string path = env.get("PATH").value_or("/bin:/usr/bin");
  bool got_eacces = false;
  for (const auto& dir : split_path(path)) {
    std::string candidate = core::join_path(dir, name);  // an empty entry: the name as given
    int err = try_candidate(candidate, cwd, fs);
    if (err == 0) {
      out.filename = candidate;
      return out;
    }
    if (err == EACCES) got_eacces = true;
  }
  out.err = got_eacces ? EACCES : ENOENT;
  return out;
}

PlainCommand plain_spawn_spec(const std::vector<std::string>& argv, const BaseEnv& base,
                              const core::FileSystem& fs) {
  PlainCommand out;
  SpawnSpec& spec = out.spec;
  spec.argv = argv;
  spec.name = argv.empty() ? "" : core::basename(argv.front());
  spec.base = base;
  spec.env = base.env;
  spec.uid = base.uid;
  spec.cwd = base.cwd;
  spec.effective_umask = base.umask;
  out.lookup = lookup_like_execvp(argv.empty() ? "" : argv.front(), base.env, base.cwd, fs);
  spec.filename = out.lookup.filename;
  if (argv.empty()) {
    spec.spawnerr = "no command given";
  } else if (out.lookup.err != 0) {
    const bool searched = argv.front().find('/') == std::string::npos;
    spec.spawnerr = argv.front() + ": " +
                    (out.lookup.err == ENOENT && searched ? std::string("command not found")
                                                          : std::string(std::strerror(out.lookup.err)));
  }
  return out;
}

}  // namespace bootmortem::spawn
