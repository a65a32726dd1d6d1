// Everything known about one failed (or healthy) start, as one value: the
// spawn spec, the trace, the environment against a login, and facts derived
// from them that rules name.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "evidence/env_diff.h"
#include "evidence/live_supervisor.h"
#include "evidence/log_evidence.h"
#include "evidence/outcome.h"
#include "evidence/preflight.h"
#include "login/login_env.h"
#include "spawn/spawn_spec.h"
#include "trace/trace.h"

namespace bootmortem::evidence {

struct Evidence {
  spawn::SpawnSpec spec;
  trace::TraceLog trace;
  login::LoginEnv login;
  std::vector<EnvDiff> env_diff;
  // What supervisord does with it over its life (outcome.h).
  Outcome outcome;

  // Text of the config file that holds the program's section (for patches).
  std::string config_text;

  // A running supervisord's own account of the program (live_supervisor.h);
  // nullopt when none runs for this config.
  std::optional<SupervisorView> supervisor;

  // `explain`: the log files read in place of a replay (log_evidence.h);
  // nullopt when the program was replayed.
  std::optional<LogReading> logs;

  // `check --static`: the pre-flight problems the rules' `preflight`
  // condition matches (preflight.h); empty for a replay.
  std::vector<PreflightItem> preflight;

  // Named boolean facts the rules' `facts` conditions refer to. All of
  // known_facts() are always present (true or false):
  //   uid_nonzero          the child runs as a non-root uid
  //   user_switched        user= is set and differs from supervisord's uid
  //   home_unset           HOME is absent from the child's environment
  //   home_not_users_home  HOME is set and differs from the passwd home of the uid
  //   home_is_root_home    HOME is root's passwd home while uid != 0
  //   user_var_not_user    USER is set and is not the uid's name
  //   logname_not_user     LOGNAME is set and is not the uid's name
  //   spawnerr             supervisord would fail before forking
  //   exited_early         the main process exited before startsecs
  //   exited_late          it exited after startsecs, within the settle window
  //   crash_loop           ... and supervisord restarts it (autorestart)
  //   exit_expected        its exit status is in exitcodes
  //   shebang_crlf         the command's #! line ends in \r (CRLF line endings)
  //   starts               the main process stayed up for startsecs and the window
  //   signaled             the main process was killed by a signal
  //   stderr_empty         nothing was written to stderr
  //   descendants_survived the main process exited while processes it
  //                        started were still running (ended by the tracer)
  //   and the environment's: login_captured, login_only_vars,
  //   runtime_vars_missing, path_lacks_login_entries,
  //   search_path_lacks_login_entries, locale_unset, locale_differs
  //   (env_diff.h says what each means)
  //   and the live supervisord's: supervisord_seen (it reported the program's
  //   state), supervisord_fatal, supervisord_running, supervisord_same_exit
  //   (the replay exited as supervisord last logged), supervisord_copy_alive
  //   (supervisord's own copy ran during the replay)
  //   and check's: port_held_by_sibling (a bind failed with EADDRINUSE on
  //   an address another program of the config, replayed alongside, held)
  std::map<std::string, bool> facts;
  // Named values for templates; all of known_values() are present (maybe ""):
  //   program, section, config_file, user, uid, gid, user_home, user_shell,
  //   home (the child's HOME), command, argv0, filename, directory, cwd,
  //   exit_code, signal, after_ms, startsecs, spawnerr, base_source,
  //   outcome (crash-loop...), outcome_next (what supervisord does next),
  //   interpreter (the #! interpreter of the command's file, when a script),
  //   login_command, module_dir (found.h: add_found_values)
  //   and the environment's: login_method, login_only_vars,
  //   runtime_vars_missing, path_missing, search_path_missing, login_lang
  //   and the live supervisord's: supervisord_pid, supervisord_state,
  //   supervisord_description, supervisord_summary, supervisord_exit
  //   and check's: sibling_program (that other program), sibling_addr (the
  //   address)
  std::map<std::string, std::string> values;
};

// Build the Evidence value and derive its facts and values.
Evidence make_evidence(spawn::SpawnSpec spec, trace::TraceLog trace, login::LoginEnv login);

// The fact and value names make_evidence fills, for rule validation.
const std::vector<std::string>& known_facts();
const std::vector<std::string>& known_values();

}  // namespace bootmortem::evidence
