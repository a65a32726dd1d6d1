// The environment a real login of the configured user would have, to compare
// against what supervisord gives the child.
#pragma once

#include <string>

#include "core/env.h"
#include "core/fs.h"
#include "core/userdb.h"

namespace bootmortem::login {

struct LoginEnv {
  // "passwd": synthesised from the passwd entry and the system's login
  // defaults (login.defs, /etc/environment, /etc/default/locale) without
  // running the user's shell profile; "login-shell": captured from a login.
  std::string method;
  core::Env env;
};

// What login(1) and PAM give every session of this user before any shell
// profile runs: HOME, USER, LOGNAME, SHELL, MAIL and PATH from login.defs,
// then pam_env's /etc/environment and /etc/default/locale.
LoginEnv synthesise_login_env(const core::Passwd& user, const core::FileSystem& fs);

}  // namespace bootmortem::login
