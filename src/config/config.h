// What supervisord makes of its config: the [supervisord] settings that reach
// children and one ProcessConfig per process (numprocs expanded).
// Facts: ../shared/docs/supervisor-semantics.md §1-§5.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/error.h"
#include "core/userdb.h"

namespace bootmortem::config {

enum class AutoRestart { False, Unexpected, True };
enum class SectionKind { Program, FcgiProgram, EventListener };

struct ProcessConfig {
  SectionKind kind = SectionKind::Program;
  std::string section;       // "program:test_server", as written in the header
  std::string program_name;  // "test_server"
  std::string group_name;    // [group:g] name, else the program name
  std::string name;          // process name after process_name expansion
  int process_num = 0;
  int numprocs = 1;
  core::Origin source;       // the section header (first one when merged)

  std::string command;       // after %-expansion, before splitting
  // environment= of [supervisord] updated by the program's own (program wins),
  // after expansion and dict_of_key_value_pairs parsing.
  core::Env environment;
  std::optional<std::string> user;   // as written, after expansion
  std::optional<uid_t> uid;          // resolved at parse time, as supervisord does
  std::optional<std::string> directory;
  std::optional<mode_t> umask;
  int priority = 999;
  bool autostart = true;
  AutoRestart autorestart = AutoRestart::Unexpected;
  int startsecs = 1;
  int startretries = 3;
  std::vector<int> exitcodes{0};
  int stopsignal = 15;
  int stopwaitsecs = 10;
  bool stopasgroup = false;
  bool killasgroup = false;
  bool redirect_stderr = false;
  std::string stdout_logfile = "AUTO";  // a path, "AUTO" or "NONE"
  std::string stderr_logfile = "AUTO";
  std::optional<std::string> serverurl;  // unset or AUTO -> computed
};

struct SupervisordConfig {
  core::Env environment;          // [supervisord] environment=
  mode_t umask = 022;
  std::optional<std::string> directory;
  bool nodaemon = false;
  std::optional<std::string> user;
  long minfds = 1024;
  long minprocs = 200;
  std::optional<std::string> childlogdir;
  std::string logfile = "supervisord.log";  // as written; relative to supervisord's cwd
  std::string pidfile = "supervisord.pid";
  std::string identifier = "supervisor";
  // SUPERVISOR_SERVER_URL as supervisord computes it (unix socket first).
  std::optional<std::string> server_url;
  std::optional<std::string> unix_socket;  // [unix_http_server] file=
};

struct Config {
  std::string path;  // the main config file, absolute
  std::string here;  // its directory
  std::vector<std::string> included;  // files read through [include], in order
  SupervisordConfig supervisord;
  std::vector<ProcessConfig> processes;  // sorted by (priority, name)

  // Resolve a name as supervisorctl does: "name", "group:name", "group:*".
  // Throws InputError listing the known names when nothing matches.
  std::vector<const ProcessConfig*> find(const std::string& spec) const;
};

// What the loader needs from the world, so it can run on fakes.
struct LoadContext {
  core::Env environ;              // supervisord's environment: ENV_* names
  std::string host_node_name;     // platform.node()
  std::string cwd;                // supervisord's cwd (relative -c, logfile)
  const core::UserDb* users = nullptr;  // user= is resolved at parse time
};

// Parse a config held in memory (includes are read from disk).
Config load_config_text(const std::string& text, const std::string& path, const LoadContext& ctx);
// Read and parse the file at path.
Config load_config_file(const std::string& path, const LoadContext& ctx);

// supervisord's default search list (§1) for a given argv[0]; first existing
// wins. Returns nullopt when none exists.
std::vector<std::string> default_search_paths(const std::string& argv0);
std::optional<std::string> find_default_config(const std::string& argv0, const std::string& cwd);

}  // namespace bootmortem::config
