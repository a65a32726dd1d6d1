#include "login/capture.h"

#include <unistd.h>

#include <fmt/format.h>
#include <random>

namespace bootmortem::login {
namespace {

// Shells that refuse a login: `runuser -l svc` with one of these prints
// "This account is currently not available." and runs nothing.
const char* const k_refusing_shells[] = {"nologin", "false", "true"};

// Variables a shell sets for itself; they describe the shell, not the login.
const char* const k_shell_bookkeeping[] = {"_", "PWD", "OLDPWD", "SHLVL"};

// runuser lives in sbin, which an operator's PATH (sudo without -i) may lack.
const char* const k_runuser_paths[] = {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"};

// What runuser gets: -l clears the environment anyway; this keeps the
// operator's TERM, DISPLAY and the like out of the login's.
const char* const k_runuser_path_env = "/usr/sbin:/usr/bin:/sbin:/bin";

std::string random_marker() {
  std::random_device rd;
  return fmt::format("bootmortem-login-env-{:08x}{:08x}", rd(), rd());
}

std::string first_line(const std::string& text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  size_t end = text.find('\n', start);
  std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  constexpr size_t k_max = 200;  // a flood on stderr is not a reason
  return line.size() > k_max ? line.substr(0, k_max) + "..." : line;
}

std::string seconds(double s) { return fmt::format("{:g}", s); }

// Why a login's result cannot be used, first match wins; none: use it.
struct Unusable {
  bool (*applies)(const core::CommandResult& r, bool dumped);
  std::string (*reason)(const core::CommandResult& r, const CaptureOptions& o);
};

const Unusable k_unusable[] = {
    {[](const core::CommandResult& r, bool) { return !r.started; },
     [](const core::CommandResult& r, const CaptureOptions&) { return "runuser could not run: " + r.error; }},
    {[](const core::CommandResult& r, bool dumped) { return r.timed_out && !dumped; },
     [](const core::CommandResult&, const CaptureOptions& o) {
       return "the login did not finish within " + seconds(o.timeout_s) +
              " s: a profile hangs or waits for input; it was killed";
     }},
    {[](const core::CommandResult& r, bool dumped) { return !dumped && r.exit_code != 0; },
     [](const core::CommandResult& r, const CaptureOptions&) {
       std::string why = first_line(r.err);
       if (why.empty()) why = first_line(r.out);
       return "runuser refused: " + (why.empty() ? "exit status " + std::to_string(r.exit_code) : why);
     }},
    {[](const core::CommandResult&, bool dumped) { return !dumped; },
     [](const core::CommandResult&, const CaptureOptions&) {
       return std::string("the login printed no environment");
     }},
};

LoginEnv fallback(const core::Passwd& user, const core::FileSystem& fs, const std::string& why) {
  LoginEnv out = synthesise_login_env(user, fs);
  out.method += " (" + why + ")";
  return out;
}

}  // namespace

LoginShell login_shell_for(const core::Passwd& user, const core::FileSystem& fs) {
  // An empty passwd shell means /bin/sh to login(1) and runuser alike.
  if (user.shell.empty()) return {"/bin/sh", ""};
  const std::string base = core::basename(user.shell);
  for (const char* refusing : k_refusing_shells)
    if (base == refusing) return {"/bin/sh", "the account's shell is " + user.shell};
  if (!fs.executable(user.shell)) return {"/bin/sh", "the account's shell " + user.shell + " cannot be run"};
  return {user.shell, ""};
}

core::CommandSpec login_command(const core::Passwd& user, const LoginShell& shell,
                                const std::string& marker, const CaptureOptions& o) {
  core::CommandSpec spec;
  spec.argv = {"runuser", "-l"};
  if (!shell.why_not_own.empty()) spec.argv.insert(spec.argv.end(), {"-s", shell.path});
  // exec: nothing of the shell (~/.bash_logout) runs after the dump.
  spec.argv.insert(spec.argv.end(), {user.name, "--session-command", "echo " + marker + "; exec /usr/bin/env -0"});
  core::Env env;
  env.set("PATH", k_runuser_path_env);
  spec.env = env;
  spec.timeout_s = o.timeout_s;
  spec.max_output = o.max_output;
  spec.keep_tail = true;
  spec.own_session = true;
  return spec;
}

std::optional<core::Env> parse_env_dump(const std::string& out, const std::string& marker) {
  const std::string line = marker + "\n";
  // The last one: a profile cannot know a random marker, and one it echoes
  // back from a fixed marker would come before ours. Profile output before
  // it need not end in a newline, so it may share the marker's line.
  size_t at = out.rfind(line);
  if (at == std::string::npos) return std::nullopt;
  core::Env env;
  size_t pos = at + line.size();
  while (pos < out.size()) {
    size_t end = out.find('\0', pos);
    if (end == std::string::npos) end = out.size();
    std::string item = out.substr(pos, end - pos);
    pos = end + 1;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env.set(item.substr(0, eq), item.substr(eq + 1));
  }
  for (const char* name : k_shell_bookkeeping) env.erase(name);
  return env;
}

LoginEnv capture_login_env(const core::Passwd& user, const core::FileSystem& fs,
                           const core::CommandRunner& runner, const CaptureOptions& o) {
  if (!o.as_root) return fallback(user, fs, "not root: a login through runuser needs root");

  const LoginShell shell = login_shell_for(user, fs);
  const std::string marker = o.marker.empty() ? random_marker() : o.marker;
  core::CommandSpec spec = login_command(user, shell, marker, o);
  for (const char* path : k_runuser_paths)
    if (fs.executable(path)) {
      spec.argv[0] = path;
      break;
    }

  const core::CommandResult r = runner.run(spec);
  std::optional<core::Env> dumped = parse_env_dump(r.out, marker);
  for (const auto& u : k_unusable)
    if (u.applies(r, dumped.has_value())) return fallback(user, fs, u.reason(r, o));

  LoginEnv out;
  out.captured = true;
  out.method = shell.why_not_own.empty() ? "login-shell"
                                         : "login-shell (" + shell.path + "; " + shell.why_not_own + ")";
  out.env = std::move(*dumped);
  // A login's pam_env sets these before any shell runs (runuser's PAM stack
  // lacks it); whatever the profiles set wins.
  const core::Env pam = pam_env_defaults(fs);
  for (const auto& [k, v] : pam.entries())
    if (!out.env.has(k)) out.env.set(k, v);
  // login(1) and systemd's User= give SHELL from passwd, even a nologin one.
  if (!user.shell.empty()) out.env.set("SHELL", user.shell);
  return out;
}

LoginEnv real_login_env(const core::Passwd& user, const core::FileSystem& fs) {
  CaptureOptions o;
  o.as_root = ::geteuid() == 0;
  return capture_login_env(user, fs, core::RealCommandRunner{}, o);
}

}  // namespace bootmortem::login
