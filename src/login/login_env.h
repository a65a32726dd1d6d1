// The environment a real login of the configured user would have, to compare
// against what supervisord gives the child.
#pragma once

#include <string>

#include "core/env.h"
#include "core/fs.h"
#include "core/userdb.h"

namespace bootmortem::login {

struct LoginEnv {
  // How it was obtained, for people: "login-shell" (captured from a real
  // login), "login-shell (/bin/sh; the account's shell is /usr/sbin/nologin)",
  // or "passwd" / "passwd (<why no login could be run>)": synthesised from
  // the passwd entry and the system's login defaults, without the profiles.
  std::string method;
  core::Env env;
  bool captured = false;  // true: from a login shell, profiles included
};

// What login(1) and PAM give every session of this user before any shell
// profile runs: HOME, USER, LOGNAME, SHELL, MAIL and PATH from login.defs,
// then pam_env's /etc/environment and /etc/default/locale.
LoginEnv synthesise_login_env(const core::Passwd& user, const core::FileSystem& fs);

// What pam_env sets in a login session before any shell runs:
// /etc/environment, then /etc/default/locale (Debian's login, sshd, su and
// sudo -i stacks read both; runuser's does not).
core::Env pam_env_defaults(const core::FileSystem& fs);

}  // namespace bootmortem::login
