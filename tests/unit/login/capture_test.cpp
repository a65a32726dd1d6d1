#include "login/capture.h"

#include <doctest/doctest.h>

using namespace bootmortem;

namespace {

const char* const k_marker = "MARK-1234";

core::FakeFs system_fs() {
  core::FakeFs fs;
  for (const char* exe : {"/bin/bash", "/bin/sh", "/usr/sbin/runuser", "/usr/sbin/nologin"})
    fs.files[exe] = core::FileStat{0100755, 0, 0};
  fs.contents["/etc/login.defs"] = "ENV_PATH\tPATH=/usr/local/bin:/usr/bin:/bin\n";
  fs.contents["/etc/default/locale"] = "LANG=C.UTF-8\n";
  return fs;
}

login::CaptureOptions options() {
  login::CaptureOptions o;
  o.marker = k_marker;
  return o;
}

// What `env -0` prints after the marker.
std::string dump(std::initializer_list<const char*> items) {
  std::string out = std::string(k_marker) + "\n";
  for (const char* i : items) out += std::string(i) + '\0';
  return out;
}

core::CommandResult exited(int code, std::string out, std::string err = "") {
  core::CommandResult r;
  r.started = true;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

const core::Passwd k_app{"app", 1001, 1001, "/home/app", "/bin/bash"};
const core::Passwd k_svc{"svc", 998, 998, "/var/lib/svc", "/usr/sbin/nologin"};

}  // namespace

TEST_CASE("a login through runuser: profile output before the marker is ignored") {
  core::FakeCommandRunner runner;
  runner.respond = [](const core::CommandSpec&) {
    return exited(0, "Welcome to host!\nlast login...\n" +
                         dump({"HOME=/home/app", "USER=app", "LOGNAME=app", "SHELL=/bin/bash",
                               "PATH=/home/app/.local/bin:/usr/bin:/bin", "DATABASE_URL=postgres://app:pw@db/app",
                               "PWD=/home/app", "SHLVL=1", "_=/usr/bin/env", "MULTI=a\nb"}));
  };
  auto fs = system_fs();
  auto login = login::capture_login_env(k_app, fs, runner, options());
  CHECK(login.captured);
  CHECK(login.method == "login-shell");
  CHECK(login.env.get("PATH") == "/home/app/.local/bin:/usr/bin:/bin");
  CHECK(login.env.get("DATABASE_URL") == "postgres://app:pw@db/app");
  CHECK(login.env.get("MULTI") == "a\nb");
  // the shell's bookkeeping is not the login's
  CHECK_FALSE(login.env.has("PWD"));
  CHECK_FALSE(login.env.has("SHLVL"));
  CHECK_FALSE(login.env.has("_"));
  // pam_env's locale, which runuser's PAM stack does not read, is added
  CHECK(login.env.get("LANG") == "C.UTF-8");

  REQUIRE(runner.calls.size() == 1);
  const auto& spec = runner.calls[0];
  CHECK(spec.argv == std::vector<std::string>{"/usr/sbin/runuser", "-l", "app", "--session-command",
                                              "echo MARK-1234; exec /usr/bin/env -0"});
  CHECK(spec.own_session);
  CHECK(spec.keep_tail);
  CHECK(spec.timeout_s == 5);
  REQUIRE(spec.env.has_value());
  CHECK(spec.env->size() == 1);  // the operator's TERM, DISPLAY... stay out
}

TEST_CASE("a service account with nologin still gets a login, through /bin/sh, and says so") {
  core::FakeCommandRunner runner;
  runner.respond = [](const core::CommandSpec&) {
    return exited(0, dump({"HOME=/var/lib/svc", "USER=svc", "SHELL=/bin/sh", "PATH=/usr/bin:/bin"}));
  };
  auto fs = system_fs();
  auto login = login::capture_login_env(k_svc, fs, runner, options());
  CHECK(login.captured);
  CHECK(login.method == "login-shell (/bin/sh; the account's shell is /usr/sbin/nologin)");
  // login(1) and systemd's User= take SHELL from passwd
  CHECK(login.env.get("SHELL") == "/usr/sbin/nologin");
  REQUIRE(runner.calls.size() == 1);
  const auto& argv = runner.calls[0].argv;
  CHECK(std::vector<std::string>(argv.begin(), argv.begin() + 5) ==
        std::vector<std::string>{"/usr/sbin/runuser", "-l", "-s", "/bin/sh", "svc"});
}

TEST_CASE("which shell a login runs") {
  auto fs = system_fs();
  CHECK(login::login_shell_for(k_app, fs).path == "/bin/bash");
  CHECK(login::login_shell_for(k_app, fs).why_not_own.empty());
  for (const char* refusing : {"/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false"}) {
    CAPTURE(refusing);
    core::Passwd u{"svc", 998, 998, "/", refusing};
    auto sh = login::login_shell_for(u, fs);
    CHECK(sh.path == "/bin/sh");
    CHECK(sh.why_not_own == std::string("the account's shell is ") + refusing);
  }
  core::Passwd gone{"u", 1002, 1002, "/home/u", "/usr/bin/zsh"};
  CHECK(login::login_shell_for(gone, fs).why_not_own == "the account's shell /usr/bin/zsh cannot be run");
  core::Passwd none{"u", 1002, 1002, "/home/u", ""};
  CHECK(login::login_shell_for(none, fs).path == "/bin/sh");
  CHECK(login::login_shell_for(none, fs).why_not_own.empty());
}

TEST_CASE("when no login can be had: the synthesised env, and why") {
  auto fs = system_fs();
  struct Case {
    const char* what;
    core::CommandResult result;
    const char* method;
  };
  core::CommandResult not_started;
  not_started.error = "command not found: runuser";
  core::CommandResult timed_out = exited(-1, "profile says hi\n");
  timed_out.timed_out = true;
  const Case cases[] = {
      {"runuser missing", not_started, "passwd (runuser could not run: command not found: runuser)"},
      {"a profile hangs", timed_out,
       "passwd (the login did not finish within 5 s: a profile hangs or waits for input; it was killed)"},
      {"PAM refuses", exited(1, "", "runuser: Authentication failure\nmore\n"),
       "passwd (runuser refused: runuser: Authentication failure)"},
      {"silent failure", exited(126, ""), "passwd (runuser refused: exit status 126)"},
      {"no marker", exited(0, "something else\n"), "passwd (the login printed no environment)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    core::FakeCommandRunner runner;
    runner.respond = [&](const core::CommandSpec&) { return c.result; };
    auto login = login::capture_login_env(k_app, fs, runner, options());
    CHECK_FALSE(login.captured);
    CHECK(login.method == c.method);
    CHECK(login.env.get("HOME") == "/home/app");  // synthesised from passwd
    CHECK(login.env.get("LANG") == "C.UTF-8");
  }
}

TEST_CASE("not root: runuser is not even tried") {
  core::FakeCommandRunner runner;
  auto fs = system_fs();
  auto o = options();
  o.as_root = false;
  auto login = login::capture_login_env(k_app, fs, runner, o);
  CHECK(runner.calls.empty());
  CHECK(login.method == "passwd (not root: a login through runuser needs root)");
}

TEST_CASE("a login that timed out after the dump still counts") {
  core::FakeCommandRunner runner;
  runner.respond = [](const core::CommandSpec&) {
    auto r = exited(-1, dump({"HOME=/home/app", "USER=app"}));
    r.timed_out = true;
    return r;
  };
  auto fs = system_fs();
  CHECK(login::capture_login_env(k_app, fs, runner, options()).captured);
}

TEST_CASE("the env dump: the last marker, profile text on the same line, NUL-separated entries") {
  CHECK_FALSE(login::parse_env_dump("no marker here", k_marker).has_value());
  auto env = login::parse_env_dump(std::string("no newline at the end") + k_marker + "\nA=1" + '\0' + "B==2" +
                                       '\0' + "junk" + '\0',
                                   k_marker);
  REQUIRE(env);
  CHECK(env->get("A") == "1");
  CHECK(env->get("B") == "=2");
  CHECK(env->size() == 2);
  // a profile that printed our marker (it cannot know a random one) loses to the last
  auto twice = login::parse_env_dump(std::string(k_marker) + "\nA=fake" + '\0' + k_marker + "\nA=real" + '\0',
                                     k_marker);
  REQUIRE(twice);
  CHECK(twice->get("A") == "real");
  // an empty dump is an empty environment, not a failure
  auto empty = login::parse_env_dump(std::string(k_marker) + "\n", k_marker);
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("a random marker per call") {
  core::FakeCommandRunner runner;
  auto fs = system_fs();
  login::capture_login_env(k_app, fs, runner);
  login::capture_login_env(k_app, fs, runner);
  REQUIRE(runner.calls.size() == 2);
  CHECK(runner.calls[0].argv.back() != runner.calls[1].argv.back());
  CHECK(runner.calls[0].argv.back().starts_with("echo bootmortem-login-env-"));
}
