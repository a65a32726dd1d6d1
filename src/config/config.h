// What supervisord makes of its config: the [supervisord] settings that reach
// children and one ProcessConfig per process (numprocs expanded).
// Facts: ../shared/docs/supervisor-semantics.md §1-§5.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/userdb.h"

namespace bootmortem::config {

enum class AutoRestart { False, Unexpected, True };

// A config error that depends on the host rather than on the text (a user=
// this host lacks, a log file whose directory is missing here): where it was
// written, the key, and the message supervisord would print before refusing
// the whole config. Recorded instead of thrown under
// LoadContext::record_host_problems.
struct HostProblem {
  core::Origin origin;
  std::string key;
  std::string message;
};
enum class SectionKind { Program, FcgiProgram, EventListener };

// [fcgi-program:x] socket= as parse_fcgi_socket leaves it.
struct FcgiSocket {
  std::string url;    // "unix:///abs/path" (normalised) or "tcp://host:port"
  std::string path;   // unix sockets
  std::string host;   // tcp sockets
  int port = 0;
  std::optional<std::pair<uid_t, gid_t>> owner;  // socket_owner, or the program user's
  mode_t mode = 0700;                            // unix only
  std::optional<int> backlog;
};

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

  // Further keys, for evidence and reports (defaults as supervisor's).
  int group_priority = 999;  // the group's priority ([group:g] or the program's)
  int numprocs_start = 0;
  std::string process_name_template = "%(program_name)s";  // as written
  long long stdout_logfile_maxbytes = 50LL * 1024 * 1024;
  int stdout_logfile_backups = 10;
  long long stdout_capture_maxbytes = 0;
  bool stdout_events_enabled = false;
  bool stdout_syslog = false;
  long long stderr_logfile_maxbytes = 50LL * 1024 * 1024;
  int stderr_logfile_backups = 10;
  long long stderr_capture_maxbytes = 0;
  bool stderr_events_enabled = false;
  bool stderr_syslog = false;
  std::optional<FcgiSocket> fcgi_socket;  // [fcgi-program:x] outside a [group:]
  std::vector<std::string> events;        // [eventlistener:x], upper-cased
  int buffer_size = 10;                   // [eventlistener:x]
  // Where each key's effective value was written (a [DEFAULT] key counts):
  // lets a report point at, or patch, the right line.
  std::map<std::string, core::Origin> key_origins;
  // Keys of the section that supervisor does not read (and silently
  // ignores): "enviroment", with where each was written.
  std::map<std::string, core::Origin> unknown_keys;
  // With LoadContext::record_host_problems: this process's problems (user=,
  // stdout_logfile/stderr_logfile directories), in supervisor's reading order.
  std::vector<HostProblem> host_problems;

  // supervisorctl's name for it: "group:name", or "name" when both agree.
  std::string namespec() const;
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

  std::optional<uid_t> uid;        // user= resolved (after parsing, as realize() does)
  std::string logfile_path;        // logfile made absolute against supervisord's cwd ("syslog" kept)
  std::string pidfile_path;        // pidfile made absolute
  int loglevel = 20;               // info
  long long logfile_maxbytes = 50LL * 1024 * 1024;
  int logfile_backups = 10;
  bool silent = false;
  bool nocleanup = false;
  bool strip_ansi = false;
  core::Origin source;             // the [supervisord] header
  std::map<std::string, core::Origin> key_origins;
  // With LoadContext::record_host_problems: the config's own (logfile,
  // pidfile, childlogdir, directory, user=, [unix_http_server] chown=).
  std::vector<HostProblem> host_problems;
};

struct Config {
  std::string path;  // the main config file, absolute
  std::string here;  // its directory
  std::vector<std::string> included;  // files read through [include], in order
  SupervisordConfig supervisord;
  std::vector<ProcessConfig> processes;  // sorted by (priority, name)
  // What supervisord would log while parsing (WARN / INFO lines).
  std::vector<std::string> parse_warnings;
  std::vector<std::string> parse_infos;

  // Resolve a name as supervisorctl does: "group:name", "group:*" (or
  // "group:"), and a bare "name" (the process whose namespec it is). A bare
  // name that is no namespec also matches a group (all its processes) or a
  // process name inside a group ("web_00", a [group:] member), which
  // supervisorctl would refuse but a person means. Throws InputError listing
  // the known names when nothing matches.
  std::vector<const ProcessConfig*> find(const std::string& spec) const;
};

// What the loader needs from the world, so it can run on fakes.
struct LoadContext {
  core::Env environ;              // supervisord's environment: ENV_* names
  std::string host_node_name;     // platform.node()
  std::string cwd;                // supervisord's cwd (relative -c, logfile)
  const core::UserDb* users = nullptr;  // user= is resolved at parse time (null: the system's)
  // When set, the directory checks supervisord makes at parse time
  // (logfile/pidfile/child log parent dirs, directory=, childlogdir) are
  // made through it; when null they are skipped.
  const core::FileSystem* fs = nullptr;
  // Texts that stand in for files of these absolute paths (the main config
  // or an included one): a fix's patched config, read as supervisord would
  // read it once patched, with the real file left as it is.
  std::map<std::string, std::string> overrides;
  // When set, the errors that depend on the host, not on the text (an
  // unknown user= name or uid, a log file's missing directory, a missing
  // [supervisord] directory=) do not throw: each is recorded with its origin
  // and supervisord's message against its process (ProcessConfig::
  // host_problems) or the config (SupervisordConfig::host_problems), and the
  // value is kept as written (no uid). Errors of the text still throw.
  bool record_host_problems = false;
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
