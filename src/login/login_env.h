// The environment a real login of the configured user would have, to compare
// against what supervisord gives the child.
#pragma once

#include <string>

#include "core/env.h"
#include "core/userdb.h"

namespace bootmortem::login {

struct LoginEnv {
  // "passwd": synthesised from the passwd entry (HOME, USER, LOGNAME, SHELL)
  // without running a login; "login-shell": captured from the user's login.
  std::string method;
  core::Env env;
};

// The login environment synthesised from passwd, the floor every account has.
LoginEnv synthesise_login_env(const core::Passwd& user);

}  // namespace bootmortem::login
