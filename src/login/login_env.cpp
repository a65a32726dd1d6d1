#include "login/login_env.h"

namespace bootmortem::login {

LoginEnv synthesise_login_env(const core::Passwd& user) {
  // login(1) and su - set exactly these four from the passwd entry.
  LoginEnv out{"passwd", {}};
  out.env.set("HOME", user.home);
  out.env.set("USER", user.name);
  out.env.set("LOGNAME", user.name);
  out.env.set("SHELL", user.shell.empty() ? "/bin/sh" : user.shell);
  return out;
}

}  // namespace bootmortem::login
