// Every shipped rule (rules/*.toml) on hand-built Evidence: one case that
// must fire it and one close miss that must not.
#include <algorithm>
#include <cerrno>

#include <doctest/doctest.h>

#include "rules/rules.h"
#include "seed_evidence.h"

using namespace bootmortem;
using testing::failed;

namespace {

const rules::RulePack& pack() {
  static const rules::RulePack p = rules::RulePack::load_dir(BOOTMORTEM_SOURCE_DIR "/rules");
  return p;
}

std::vector<std::string> ids(const evidence::Evidence& ev) {
  std::vector<std::string> out;
  for (const auto& f : pack().match(ev)) out.push_back(f.rule);
  return out;
}

bool fires(const evidence::Evidence& ev, const std::string& id) {
  auto all = ids(ev);
  return std::find(all.begin(), all.end(), id) != all.end();
}

const rules::Finding& finding(const std::vector<rules::Finding>& fs, const std::string& id) {
  for (const auto& f : fs)
    if (f.rule == id) return f;
  FAIL("no finding " << id);
  throw;
}

// HOME left at /root for uid 1001.
evidence::Evidence root_home() {
  auto ev = testing::base_evidence();
  ev.values["home"] = "/root";
  ev.facts["home_not_users_home"] = true;
  ev.facts["home_is_root_home"] = true;
  return ev;
}

}  // namespace

TEST_CASE("Python's ENOENT probing of sys.path never makes a finding") {
  auto ev = root_home();
  testing::add_sys_path_probing(ev);
  CHECK(ids(ev).empty());
}

TEST_CASE("home-python-egg-cache") {
  SUBCASE("old setuptools: mkdir of ~/.python-eggs, nothing on stderr") {
    auto ev = root_home();
    ev.trace.failed = {failed(1, "mkdir", EACCES, "/root/.python-eggs", "\"/root/.python-eggs\", 0755")};
    auto fs = pack().match(ev);
    REQUIRE(!fs.empty());
    CHECK(fs[0].rule == "home-python-egg-cache");
    CHECK(fs[0].cause.find("egg cache /root/.python-eggs,") != std::string::npos);
    CHECK(fs[0].config_line ==
          "environment=HOME=\"/home/cissoid\",USER=\"cissoid\",LOGNAME=\"cissoid\"");
    CHECK(fs[0].fix.find("PYTHON_EGG_CACHE") != std::string::npos);
  }
  SUBCASE("only mkdir(\"/root/.cache\") failed, stderr names the cache") {
    auto ev = root_home();
    ev.trace.failed = {failed(1, "mkdir", EACCES, "/root/.cache", "\"/root/.cache\", 0755")};
    ev.trace.err.head = "The Python egg cache directory is currently set to:\n\n  /root/.cache/Python-Eggs\n";
    auto fs = pack().match(ev);
    REQUIRE(!fs.empty());
    CHECK(fs[0].rule == "home-python-egg-cache");
    CHECK(fs[0].cause.find("egg cache /root/.cache/Python-Eggs,") != std::string::npos);
  }
  SUBCASE("miss: the same failure when HOME is the user's own") {
    auto ev = testing::base_evidence();
    ev.trace.failed = {failed(1, "mkdir", EACCES, "/home/cissoid/.python-eggs")};
    CHECK_FALSE(fires(ev, "home-python-egg-cache"));
  }
  SUBCASE("miss: mkdir(\"/root/.cache\") without any sign of the egg cache") {
    auto ev = root_home();
    ev.trace.failed = {failed(1, "mkdir", EACCES, "/root/.cache")};
    CHECK_FALSE(fires(ev, "home-python-egg-cache"));
    CHECK(fires(ev, "home-inherited-eacces"));
  }
  SUBCASE("miss: ENOENT in the cache is extraction as usual") {
    auto ev = root_home();
    ev.trace.failed = {failed(1, "newfstatat", ENOENT, "/root/.cache/Python-Eggs/x-tmp")};
    CHECK(ids(ev).empty());
  }
}

TEST_CASE("home-inherited-eacces") {
  auto ev = root_home();
  ev.trace.failed = {failed(1, "openat", EACCES, "/root/.config/app/settings.ini")};
  auto fs = pack().match(ev);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule == "home-inherited-eacces");
  CHECK(fs[0].cause.rfind("openat of /root/.config/app/settings.ini failed with EACCES", 0) == 0);
  CHECK(fs[0].confidence < 0.9);

  SUBCASE("miss: EACCES under the application's own directory") {
    ev.trace.failed = {failed(1, "openat", EACCES, "/srv/app/data/app.db")};
    CHECK(ids(ev).empty());
  }
}

TEST_CASE("home-unset") {
  auto ev = testing::base_evidence();
  ev.facts["home_unset"] = true;
  CHECK(fires(ev, "home-unset"));
  ev.facts["home_unset"] = false;
  CHECK_FALSE(fires(ev, "home-unset"));
}

TEST_CASE("gunicorn-worker-boot-failed") {
  auto ev = testing::base_evidence();
  ev.trace.exit_code = 3;
  ev.trace.err.head = testing::k_silent_stderr;
  CHECK(ids(ev) == std::vector<std::string>{"gunicorn-worker-boot-failed"});
  SUBCASE("miss: some other program exiting 3") {
    ev.trace.err.head = "fatal: cannot read config\n";
    CHECK(ids(ev).empty());
  }
  SUBCASE("miss: the text with another status") {
    ev.trace.exit_code = 1;
    CHECK(ids(ev).empty());
  }
}

TEST_CASE("gunicorn-app-load-failed") {
  auto ev = testing::base_evidence();
  ev.trace.exit_code = 4;
  ev.trace.err.head = "Failed to find attribute 'app' in 'main'.\n[INFO] Reason: App failed to load.\n";
  CHECK(ids(ev) == std::vector<std::string>{"gunicorn-app-load-failed"});
  ev.trace.err.head = "error 4\n";
  CHECK(ids(ev).empty());
}

TEST_CASE("command-not-found") {
  auto ev = testing::base_evidence();
  ev.trace.spawnerr = "can't find command 'ssserver'";
  auto fs = pack().match(ev);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule == "command-not-found");
  CHECK(fs[0].cause.find("'ssserver'") != std::string::npos);
  CHECK(fs[0].evidence == std::vector<std::string>{"spawnerr: can't find command 'ssserver'"});
  ev.trace.spawnerr = "command at '/srv/app' is a directory";
  CHECK(ids(ev).empty());
}

TEST_CASE("exec-interpreter-missing and exec-format-error") {
  auto ev = testing::base_evidence();
  ev.trace.exit_code = 127;
  ev.trace.err.head =
      "supervisor: couldn't exec /srv/app/venv/bin/gunicorn: ENOENT\n"
      "supervisor: child process was not spawned\n";
  CHECK(ids(ev) == std::vector<std::string>{"exec-interpreter-missing"});
  ev.trace.err.head = "";
  ev.trace.failed = {failed(1, "execve", ENOEXEC, "/srv/app/run.sh")};
  auto fs = pack().match(ev);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule == "exec-format-error");
  CHECK(fs[0].cause.find("execve of /srv/app/run.sh") == 0);
  SUBCASE("miss: /usr/bin/env walking PATH (execve ENOENT)") {
    ev.trace.failed = {failed(1, "execve", ENOENT, "/usr/local/sbin/node"),
                       failed(2, "execve", ENOENT, "/usr/local/bin/node")};
    CHECK(ids(ev).empty());
  }
}

TEST_CASE("exec-permission-denied") {
  auto ev = testing::base_evidence();
  ev.trace.failed = {failed(1, "execve", EACCES, "/home/deploy/venv/bin/gunicorn")};
  CHECK(ids(ev) == std::vector<std::string>{"exec-permission-denied"});
  ev.trace.failed.clear();
  ev.trace.err.head = "supervisor: couldn't exec /home/deploy/venv/bin/gunicorn: EACCES\n";
  CHECK(ids(ev) == std::vector<std::string>{"exec-permission-denied"});
  ev.trace.err.head = "supervisor: couldn't exec /x: EPERM\n";
  CHECK(ids(ev).empty());
}

TEST_CASE("gunicorn-log-unwritable") {
  auto ev = testing::base_evidence();
  ev.trace.err.head =
      "Error: Error: '/var/log/gunicorn/error.log' isn't writable [PermissionError(13, 'Permission denied')]\n";
  auto fs = pack().match(ev);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule == "gunicorn-log-unwritable");
  CHECK(fs[0].fix.find("chown cissoid /var/log/gunicorn/error.log") != std::string::npos);
  ev.trace.err.head = "Error: No application module specified.\n";
  CHECK(ids(ev).empty());
}

TEST_CASE("directory-not-enterable") {
  auto ev = testing::base_evidence();
  ev.trace.exit_code = 127;
  SUBCASE("from supervisor's message") {
    ev.trace.err.head = "supervisor: couldn't chdir to /srv/test_server: ENOENT\n"
                        "supervisor: child process was not spawned\n";
    auto fs = pack().match(ev);
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].rule == "directory-not-enterable");
    CHECK(fs[0].cause.find("chdir to /srv/test_server (ENOENT)") != std::string::npos);
  }
  SUBCASE("from the failed chdir alone") {
    ev.trace.failed = {failed(1, "chdir", EACCES, "/home/deploy/app")};
    auto fs = pack().match(ev);
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].cause.find("chdir to /home/deploy/app (EACCES)") != std::string::npos);
  }
  SUBCASE("miss: a stat of the directory is not a chdir") {
    ev.trace.failed = {failed(1, "newfstatat", ENOENT, "/srv/test_server/.env")};
    CHECK(ids(ev).empty());
  }
}

TEST_CASE("privileged-port-nonroot") {
  auto ev = testing::base_evidence();
  ev.trace.failed = {testing::failed_bind(1, EACCES, "0.0.0.0:80", 80)};
  auto fs = pack().match(ev);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule == "privileged-port-nonroot");
  CHECK(fs[0].cause.rfind("bind to 0.0.0.0:80 failed with EACCES", 0) == 0);
  CHECK(fs[0].evidence.at(0) == "bind(0.0.0.0:80) = -1 EACCES (Permission denied)");
  // EACCES that no port privilege explains is a policy's (mac.toml).
  SUBCASE("miss: a high port") {
    ev.trace.failed = {testing::failed_bind(1, EACCES, "0.0.0.0:8080", 8080)};
    CHECK(ids(ev) == std::vector<std::string>{"selinux-port-denied"});
  }
  SUBCASE("miss: running as root") {
    ev.facts["uid_nonzero"] = false;
    CHECK(ids(ev) == std::vector<std::string>{"selinux-port-denied"});
  }
}

TEST_CASE("port-in-use") {
  auto ev = testing::base_evidence();
  ev.trace.failed = {testing::failed_bind(1, EADDRINUSE, "0.0.0.0:8080", 8080)};
  auto fs = pack().match(ev);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].rule == "port-in-use");
  CHECK(fs[0].fix.find("sport = :8080") != std::string::npos);
  ev.trace.failed = {failed(1, "connect", ECONNREFUSED, "")};
  CHECK(ids(ev).empty());
}

TEST_CASE("the gunicorn status ranks below a syscall-proven cause") {
  auto ev = testing::seed_evidence(false);
  auto fs = pack().match(ev);
  REQUIRE(fs.size() == 3);
  CHECK(fs[0].rule == "home-python-egg-cache");
  CHECK(fs[1].rule == "home-inherited-eacces");
  CHECK(fs[2].rule == "gunicorn-worker-boot-failed");
  CHECK(finding(fs, "gunicorn-worker-boot-failed").score < finding(fs, "home-inherited-eacces").score);
}

TEST_CASE("program-daemonizes and oneshot-exits-before-startsecs") {
  auto ev = testing::base_evidence();
  ev.trace.verdict = trace::Verdict::Fails;
  ev.trace.exit_code = 0;
  ev.values["exit_code"] = "0";
  ev.values["argv0"] = "/usr/sbin/nginx";
  ev.values["after_ms"] = "35";
  ev.facts["exited_early"] = true;

  SUBCASE("a child outlived it: daemonized") {
    ev.facts["descendants_survived"] = true;
    auto fs = pack().match(ev);
    REQUIRE_FALSE(fs.empty());
    CHECK(fs.front().rule == "program-daemonizes");
    CHECK(fs.front().cause.find("/usr/sbin/nginx exited with status 0 after 35 ms") != std::string::npos);
    CHECK_FALSE(fires(ev, "oneshot-exits-before-startsecs"));
  }
  SUBCASE("nothing outlived it: a one-shot task") {
    ev.facts["descendants_survived"] = false;
    auto fs = pack().match(ev);
    REQUIRE_FALSE(fs.empty());
    CHECK(fs.front().rule == "oneshot-exits-before-startsecs");
    CHECK(fs.front().fix.find("startsecs=0") != std::string::npos);
    CHECK_FALSE(fires(ev, "program-daemonizes"));
  }
  SUBCASE("a non-zero exit is neither") {
    ev.trace.exit_code = 1;
    ev.values["exit_code"] = "1";
    ev.facts["descendants_survived"] = true;
    CHECK_FALSE(fires(ev, "program-daemonizes"));
    CHECK_FALSE(fires(ev, "oneshot-exits-before-startsecs"));
  }
}
