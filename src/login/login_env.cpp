#include "login/login_env.h"

#include <sstream>

namespace bootmortem::login {
namespace {

// "KEY value" lines of /etc/login.defs.
std::string login_defs(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string k, v;
    if (words >> k >> v && k == key) return v;
  }
  return "";
}

// pam_env's simple KEY=VALUE files, quotes stripped, comments skipped.
void read_env_file(const std::string& text, core::Env& env) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    if (line.starts_with("export ")) line = line.substr(7);
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    env.set(line.substr(0, eq), value);
  }
}

}  // namespace

LoginEnv synthesise_login_env(const core::Passwd& user, const core::FileSystem& fs) {
  LoginEnv out{"passwd", {}};
  out.env.set("HOME", user.home);
  out.env.set("USER", user.name);
  out.env.set("LOGNAME", user.name);
  out.env.set("SHELL", user.shell.empty() ? "/bin/sh" : user.shell);

  const std::string defs = fs.read_file("/etc/login.defs").value_or("");
  if (std::string dir = login_defs(defs, "MAIL_DIR"); !dir.empty())
    out.env.set("MAIL", core::join_path(dir, user.name));
  std::string path = login_defs(defs, user.uid == 0 ? "ENV_SUPATH" : "ENV_PATH");
  if (path.starts_with("PATH=")) path = path.substr(5);
  out.env.set("PATH", path.empty() ? "/usr/local/bin:/usr/bin:/bin" : path);

  out.env.update(pam_env_defaults(fs));
  return out;
}

core::Env pam_env_defaults(const core::FileSystem& fs) {
  core::Env env;
  for (const char* file : {"/etc/environment", "/etc/default/locale"})
    if (auto text = fs.read_file(file)) read_env_file(*text, env);
  return env;
}

}  // namespace bootmortem::login
