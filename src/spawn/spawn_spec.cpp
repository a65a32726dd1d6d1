#include "spawn/spawn_spec.h"

#include <stdexcept>

#include "config/python.h"

namespace bootmortem::spawn {
std::vector<std::string> split_path(const std::string& path) {
  // Python's str.split(os.pathsep): empty entries are kept.
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = path.find(':', start);
    out.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

namespace {

// ServerOptions.check_execv_args on the lookup: the spawnerr text supervisord
// would record, or nullopt when it would fork.
std::optional<std::string> check_command(SpawnSpec& spec, const config::ProcessConfig& proc,
                                         const BaseEnv& base, const core::FileSystem& fs) {
  using config::py_repr;
  CommandLookup cmd = lookup_command(proc, base.env, base.cwd, fs);
  if (!cmd.argv) return "can't parse command " + py_repr(proc.command) + ": " + cmd.parse_error;
  spec.argv = *cmd.argv;
  if (spec.argv.empty()) return std::string("command is empty");
  spec.filename = cmd.filename;
  const auto& st = cmd.found;
  if (!st) return "can't find command " + py_repr(spec.filename);
  if (st->is_dir()) return "command at " + py_repr(spec.filename) + " is a directory";
  if (!st->any_exec_bit()) return "command at " + py_repr(spec.filename) + " is not executable";
  if (!fs.executable(core::absolute_path(spec.filename, base.cwd)))
    return "no permission to run command " + py_repr(spec.filename);
  return std::nullopt;
}

// ServerOptions.drop_privileges as the child would run it, decided up front.
void resolve_user(SpawnSpec& spec, const config::ProcessConfig& proc, const BaseEnv& base,
                  const core::UserDb& users) {
  auto identity = users.by_uid(proc.uid.value_or(base.uid));
  if (!proc.uid) {
    // No user=: the child keeps supervisord's identity and groups.
    spec.uid = base.uid;
    if (identity) {
      spec.gid = identity->gid;
      spec.user = identity->name;
      spec.user_home = identity->home;
      spec.user_shell = identity->shell;
    }
    return;
  }
  const uid_t uid = *proc.uid;
  spec.uid = uid;
  if (!identity) {
    spec.child_error = "couldn't setuid to " + std::to_string(uid) + ": Can't find uid " +
                       std::to_string(uid);
    return;
  }
  spec.user = identity->name;
  spec.user_home = identity->home;
  spec.user_shell = identity->shell;
  spec.gid = identity->gid;
  if (base.uid == uid) return;  // same-uid shortcut: nothing changes
  if (base.uid != 0) {
    spec.child_error = "couldn't setuid to " + std::to_string(uid) +
                       ": Can't drop privilege as nonroot user";
    return;
  }
  spec.switch_user = true;
  spec.groups = core::supervisor_groups(users, *identity);
}

}  // namespace

std::string shebang_interpreter(const core::FileSystem& fs, const std::string& path, bool& crlf) {
  auto head = fs.read_prefix(path, 256);
  const size_t nl = head ? head->find('\n') : std::string::npos;
  crlf = head && head->starts_with("#!") && nl != std::string::npos && nl > 0 && (*head)[nl - 1] == '\r';
  if (!head || !head->starts_with("#!")) return "";
  std::string line = head->substr(2, head->find('\n') == std::string::npos ? std::string::npos : head->find('\n') - 2);
  size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos) return "";
  size_t end = line.find_first_of(" \t\r", start);
  return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::vector<std::string> search_path(const core::Env& config_env, const core::Env& supervisord_env) {
  // ProcessConfig.get_path tests `is not None`: environment=PATH="" searches
  // [""], i.e. the bare name against the cwd. ServerOptions.get_path tests
  // `if p:`, so supervisord's empty PATH falls through to the default.
  if (auto p = config_env.get("PATH")) return split_path(*p);
  if (auto p = supervisord_env.get("PATH"); p && !p->empty()) return split_path(*p);
  return {"/bin", "/usr/bin", "/usr/local/bin"};
}

CommandLookup lookup_command(const config::ProcessConfig& proc, const core::Env& supervisord_env,
                             const std::string& cwd, const core::FileSystem& fs) {
  CommandLookup out;
  try {
    out.argv = config::shlex_split(proc.command);
  } catch (const std::invalid_argument& e) {
    out.parse_error = e.what();
    return out;
  }
  if (out.argv->empty()) return out;
  const std::string& program = out.argv->front();
  out.filename = program;
  // Joined, not normalised: the kernel resolves "missing/../x" as ENOENT.
  if (program.find('/') != std::string::npos) {
    out.found = fs.stat(core::join_path(cwd, program));
    return out;
  }
  for (const auto& dir : search_path(proc.environment, supervisord_env)) {
    const std::string candidate = core::join_path(dir, program);
    // The first candidate that stat()s wins, executable or not (§7 step 3).
    if (auto st = fs.stat(core::join_path(cwd, candidate))) {
      out.found = st;
      out.filename = candidate;
      break;
    }
  }
  return out;
}

bool coerce_c_locale(core::Env& env) {
  // PEP 538, as CPython 3.7+ does at start-up: no LC_ALL and an LC_CTYPE that
  // resolves to C/POSIX -> setenv("LC_CTYPE", "C.UTF-8"). supervisord's
  // os.environ then has it although /proc/<pid>/environ does not.
  if (env.get("PYTHONCOERCECLOCALE") == "0") return false;
  if (auto all = env.get("LC_ALL"); all && !all->empty()) return false;
  std::string ctype = env.get("LC_CTYPE").value_or("");
  if (ctype.empty()) ctype = env.get("LANG").value_or("");
  if (!ctype.empty() && ctype != "C" && ctype != "POSIX") return false;
  env.set("LC_CTYPE", "C.UTF-8");
  return true;
}

const char* base_env_source_name(BaseEnvSource s) {
  switch (s) {
    case BaseEnvSource::LiveSupervisord: return "live-supervisord";
    case BaseEnvSource::File: return "file";
    case BaseEnvSource::Invoker: return "invoker";
    case BaseEnvSource::Systemd: return "systemd";
  }
  return "unknown";
}

void assume_daemon_state(BaseEnv& base, const config::SupervisordConfig& sd) {
  if (sd.nodaemon) return;  // umask= and directory= act only when daemonizing
  base.umask = sd.umask;
  if (sd.directory) base.cwd = *sd.directory;
}

SpawnSpec make_spawn_spec(const config::Config& cfg, const config::ProcessConfig& proc,
                          const BaseEnv& base, const core::UserDb& users,
                          const core::FileSystem& fs) {
  SpawnSpec spec;
  spec.name = proc.name;
  spec.section = proc.section;
  spec.source = proc.source;
  spec.key_origins = proc.key_origins;
  spec.base = base;
  spec.redirect_stderr = proc.redirect_stderr;
  spec.startsecs = proc.startsecs;
  spec.startretries = proc.startretries;
  spec.exitcodes = proc.exitcodes;
  spec.autorestart = proc.autorestart;
  spec.minfds = cfg.supervisord.minfds;

  spec.spawnerr = check_command(spec, proc, base, fs);
  if (!spec.spawnerr)
    spec.interpreter = shebang_interpreter(fs, core::absolute_path(spec.filename, base.cwd), spec.shebang_crlf);
  resolve_user(spec, proc, base, users);

  // Subprocess._spawn_as_child: os.environ, then SUPERVISOR_*, then the merged
  // environment= dict on top (§5). HOME, USER, LOGNAME, SHELL, PWD untouched.
  spec.env = base.env;
  coerce_c_locale(spec.env);
  spec.env.set("SUPERVISOR_ENABLED", "1");
  std::optional<std::string> url = proc.serverurl ? proc.serverurl : cfg.supervisord.server_url;
  if (url && !url->empty()) spec.env.set("SUPERVISOR_SERVER_URL", *url);
  spec.env.set("SUPERVISOR_PROCESS_NAME", proc.name);
  spec.env.set("SUPERVISOR_GROUP_NAME", proc.group_name);
  spec.env.update(proc.environment);

  spec.directory = proc.directory;
  spec.cwd = proc.directory ? core::absolute_path(*proc.directory, base.cwd) : base.cwd;
  spec.umask = proc.umask;
  spec.effective_umask = proc.umask.value_or(base.umask);
  return spec;
}

}  // namespace bootmortem::spawn
