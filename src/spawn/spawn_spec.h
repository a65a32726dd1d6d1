// Exactly what supervisord would exec for one process: argv, the resolved
// file, the environment, uid/gid/groups, cwd and umask. A pure function of the
// config, the base environment and the user database (§5-§8 of
// supervisor-semantics.md).
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/env.h"
#include "core/fs.h"
#include "core/userdb.h"

namespace bootmortem::spawn {

// Where supervisord's own environment (the base of the child's) came from.
enum class BaseEnvSource {
  LiveSupervisord,  // /proc/<pid>/environ of the running supervisord: observed
  File,             // --base-env FILE
  Invoker,          // bootmortem's own environment less SUDO_*: assumed
  Systemd,          // what systemd gives a system service: assumed
};

struct BaseEnv {
  BaseEnvSource source = BaseEnvSource::Invoker;
  bool observed = false;
  int pid = 0;            // LiveSupervisord
  std::string file;       // File
  core::Env env;
  std::string cwd;        // supervisord's working directory
  mode_t umask = 022;     // supervisord's umask
  uid_t uid = 0;          // supervisord's real uid
};

const char* base_env_source_name(BaseEnvSource s);  // "live-supervisord", ...

// supervisord's cwd and umask when we have to assume them: a daemonizing
// supervisord chdirs to [supervisord] directory (if set) and sets umask
// [supervisord] umask; with nodaemon it keeps the launcher's.
void assume_daemon_state(BaseEnv& base, const config::SupervisordConfig& sd);

// supervisord is a Python 3 program: with no usable locale in its
// environment, the interpreter sets LC_CTYPE=C.UTF-8 in its own os.environ
// (PEP 538), which every child then inherits. Returns true when it applied.
bool coerce_c_locale(core::Env& env);

// Subprocess.get_execv_args up to its checks: command= split as supervisord
// splits it, and argv[0] looked up as it looks it up (§7 steps 1-3).
struct CommandLookup {
  std::optional<std::vector<std::string>> argv;  // nullopt: shlex cannot split it
  std::string parse_error;                       // shlex's message, when argv is nullopt
  std::string filename;                // the candidate that stat()ed, else argv[0] as written
  std::optional<core::FileStat> found;  // nullopt: nothing stat()s (or no argv[0])
};

// The directories supervisord searches for a bare name: environment= PATH
// when set, even empty (ProcessConfig.get_path), else supervisord's own
// non-empty PATH, else /bin:/usr/bin:/usr/local/bin (ServerOptions.get_path).
std::vector<std::string> search_path(const core::Env& config_env, const core::Env& supervisord_env);
// PATH's entries as Python's str.split(os.pathsep) gives them: empty ones kept.
std::vector<std::string> split_path(const std::string& path);

// The lookup with supervisord's environment and cwd (relative names and PATH
// entries are stat()ed against cwd; filename keeps them as written).
CommandLookup lookup_command(const config::ProcessConfig& proc, const core::Env& supervisord_env,
                             const std::string& cwd, const core::FileSystem& fs);

// The interpreter a script's #! line names (the kernel's reading: the first
// word after #!), or "" for anything else. The kernel ends the name at a
// space, a tab or the newline only: a #! line saved with CRLF names an
// interpreter ending in '\r' (crlf says so; the name returned lacks it).
std::string shebang_interpreter(const core::FileSystem& fs, const std::string& path, bool& crlf);

struct SpawnSpec {
  std::string name;          // process name
  std::string section;       // "program:x"
  core::Origin source;
  // Where each of the section's keys was written (ProcessConfig's): a
  // finding points at the line its fix changes.
  std::map<std::string, core::Origin> key_origins;

  std::vector<std::string> argv;  // as written in command=, argv[0] unresolved
  std::string filename;           // what execve gets
  std::string interpreter;        // the #! interpreter of filename, when it is a script
  bool shebang_crlf = false;      // its #! line ends in "\r\n": the kernel looks for "<interpreter>\r"
  // Set when supervisord would fail before forking (spawnerr): it never runs.
  std::optional<std::string> spawnerr;
  // Worse: supervisord on this host refuses the whole config for this
  // program (check: a user= it lacks) and exits at startup; spawnerr says why.
  bool config_refused = false;

  core::Env env;             // the child's whole environment
  BaseEnv base;

  bool switch_user = false;  // setgroups/setgid/setuid happen in the child
  std::optional<std::string> child_error;  // "couldn't setuid to N: msg" pre-decided
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string user;          // passwd name of uid
  std::string user_home;     // passwd home of uid
  std::string user_shell;

  std::optional<std::string> directory;  // chdir after the uid switch
  std::string cwd;                       // where the child starts (directory or supervisord's)
  std::optional<mode_t> umask;           // program umask=, else inherited
  mode_t effective_umask = 022;

  bool redirect_stderr = false;
  int startsecs = 1;
  int startretries = 3;
  std::vector<int> exitcodes{0};
  config::AutoRestart autorestart = config::AutoRestart::Unexpected;
  long minfds = 1024;
};

SpawnSpec make_spawn_spec(const config::Config& cfg, const config::ProcessConfig& proc,
                          const BaseEnv& base, const core::UserDb& users,
                          const core::FileSystem& fs);

}  // namespace bootmortem::spawn
