// The login environment of a user, for real: `runuser -l` through PAM and
// the login shell, so ~/.profile, /etc/profile and /etc/profile.d count.
// When no login can be run (not root, runuser refused, a profile hangs) it
// falls back to synthesise_login_env and LoginEnv::method says why.
#pragma once

#include <optional>
#include <string>

#include "core/command.h"
#include "core/env.h"
#include "core/fs.h"
#include "core/userdb.h"
#include "login/login_env.h"

namespace bootmortem::login {

struct CaptureOptions {
  // A profile that sleeps, prompts or waits on a network mount must not stop
  // the diagnosis: after this the login is killed and the env synthesised.
  double timeout_s = 5;
  // The env dump comes last, after anything the profiles print; this much of
  // the tail is kept.
  size_t max_output = 4 << 20;
  // runuser works for root only; otherwise do not try.
  bool as_root = true;
  // Printed just before the dump; "" picks a random one per call so a profile
  // cannot fake it.
  std::string marker;
};

// The shell the login runs: the account's own, or /bin/sh when the account's
// shell refuses logins (nologin, false) or does not exist. A service account
// still has profiles (/etc/profile, /etc/profile.d) that a login would read.
struct LoginShell {
  std::string path;
  std::string why_not_own;  // "" when it is the account's own shell
};
LoginShell login_shell_for(const core::Passwd& user, const core::FileSystem& fs);

// The runuser command: a login (-l) as the user through PAM, with no new
// session inside ours (--session-command) so that ending our session's group
// ends everything the profiles started.
core::CommandSpec login_command(const core::Passwd& user, const LoginShell& shell,
                                const std::string& marker, const CaptureOptions& o);

// The environment printed after the last marker line (`env -0`), or nullopt
// when the marker is not there. Shell bookkeeping (PWD, SHLVL, _) is dropped:
// it describes the shell, not the login.
std::optional<core::Env> parse_env_dump(const std::string& out, const std::string& marker);

LoginEnv capture_login_env(const core::Passwd& user, const core::FileSystem& fs,
                           const core::CommandRunner& runner, const CaptureOptions& o = {});

// The real thing, for the CLI: RealCommandRunner, runuser tried only as root.
LoginEnv real_login_env(const core::Passwd& user, const core::FileSystem& fs);

}  // namespace bootmortem::login
