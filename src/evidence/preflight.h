// `check --static`: what can be known about a config's programs without
// running anything, from the config, the user database and the file system
// alone (both behind their seams, so the host's or a staged root's). Each
// problem is an item the rule pack's `preflight = "<check>"` condition
// matches; the rule gives the title and the fix, the item the config line
// it is about and the values for the templates.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/env.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/userdb.h"

namespace bootmortem::evidence {

struct PreflightItem {
  std::string check;     // a preflight_checks() id: "user-missing", ...
  core::Origin location;  // the config line it is about (line 0: unknown)
  bool failure = true;    // the program cannot start as configured; false: a warning
  std::map<std::string, std::string> values;  // the check's values (preflight_checks())
};

// The checks, the values each item of it carries (every one always set,
// maybe ""), and whether it is a failure or a warning.
struct PreflightCheck {
  const char* id;
  std::vector<std::string> values;
  bool failure;
  const char* what;  // one line, for rules/README.md and messages
};
const std::vector<PreflightCheck>& preflight_checks();
const PreflightCheck* find_preflight_check(const std::string& id);

// What the checks look at. supervisord is assumed to run as root unless
// [supervisord] user= says otherwise (cfg.supervisord.uid).
struct PreflightContext {
  const config::Config& cfg;
  core::Env supervisord_env;  // its environment: PATH for the command search, HOME
  std::string cwd;            // its working directory (relative command= and directory=)
  const core::UserDb& users;
  const core::FileSystem& fs;
};

struct PreflightResults {
  std::vector<PreflightItem> config;                 // [supervisord]'s own
  std::vector<std::vector<PreflightItem>> programs;  // one list per process asked for, in that order
};

// Every check on the config and on each of procs, which are processes of
// ctx.cfg (ports are compared across every process of the config). Items are
// in the order of the checks.
PreflightResults preflight(const PreflightContext& ctx, const std::vector<const config::ProcessConfig*>& procs);

// The known key nearest to an unknown one (edit distance at most 2, and
// less than half the key's length), or "" when none is that near.
std::string nearest_key(const std::string& key, config::SectionKind kind);

// The ports a command line and environment name explicitly (--bind/-b
// host:port, --port N, port=N, host:port or :port arguments, PORT=N), as
// "host:port" with "" for any address. Loose on purpose: a guess for clashes.
std::vector<std::pair<std::string, int>> named_ports(const std::string& command, const core::Env& environment);

}  // namespace bootmortem::evidence
