#include "spawn/spawn_spec.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

using namespace bootmortem;

namespace {

struct World {
  core::FakeUserDb users;
  core::FakeFs fs;
  config::Config cfg;
  spawn::BaseEnv base;

  World() {
    users.users = {{"root", 0, 0, "/root", "/bin/bash"},
                   {"cissoid", 1001, 1001, "/home/cissoid", "/bin/bash"}};
    users.groups = {{"root", 0, {}},
                    {"cissoid", 1001, {}},
                    {"extragrp", 1002, {"cissoid"}},
                    {"other", 1003, {"someone"}},
                    {"www", 1004, {"someone", "cissoid"}}};
    fs.working_dir = "/";
    fs.files["/usr/bin/gunicorn"] = {S_IFREG | 0755, 0, 0};
    fs.files["/srv/app"] = {S_IFDIR | 0755, 1001, 1001};
    cfg.path = "/etc/supervisor/supervisord.conf";
    cfg.supervisord.server_url = "unix:///var/run/supervisor.sock";
    base.env.set("HOME", "/root");
    base.env.set("USER", "root");
    base.env.set("PATH", "/usr/local/bin:/usr/bin:/bin");
    base.env.set("SUPERVISOR_ENABLED", "from-shell");
    base.cwd = "/";
    base.uid = 0;
  }

  config::ProcessConfig program(const std::string& command) {
    config::ProcessConfig p;
    p.section = "program:test_server";
    p.program_name = p.group_name = p.name = "test_server";
    p.command = command;
    p.user = "cissoid";
    p.uid = 1001;
    return p;
  }
};

}  // namespace

TEST_CASE("environment: supervisord's own, then SUPERVISOR_*, then environment=; HOME kept") {
  World w;
  auto p = w.program("gunicorn app:application");
  p.environment.set("OVERRIDE", "from-program");
  p.environment.set("SUPERVISOR_PROCESS_NAME", "from-program");
  auto s = spawn::make_spawn_spec(w.cfg, p, w.base, w.users, w.fs);
  CHECK(s.env.get("HOME") == "/root");
  CHECK(s.env.get("USER") == "root");
  CHECK(s.env.get("SUPERVISOR_ENABLED") == "1");
  CHECK(s.env.get("SUPERVISOR_SERVER_URL") == "unix:///var/run/supervisor.sock");
  CHECK(s.env.get("SUPERVISOR_PROCESS_NAME") == "from-program");
  CHECK(s.env.get("SUPERVISOR_GROUP_NAME") == "test_server");
  CHECK(s.env.get("OVERRIDE") == "from-program");
  // dict.update keeps the key's first position
  CHECK(s.env.entries()[0].first == "HOME");
}

TEST_CASE("no SUPERVISOR_SERVER_URL without an http server section") {
  World w;
  w.cfg.supervisord.server_url.reset();
  auto s = spawn::make_spawn_spec(w.cfg, w.program("gunicorn"), w.base, w.users, w.fs);
  CHECK_FALSE(s.env.has("SUPERVISOR_SERVER_URL"));
}

TEST_CASE("user switch: primary gid first, then groups whose member list names the user") {
  World w;
  auto s = spawn::make_spawn_spec(w.cfg, w.program("gunicorn"), w.base, w.users, w.fs);
  CHECK(s.switch_user);
  CHECK(s.uid == 1001);
  CHECK(s.gid == 1001);
  CHECK(s.groups == std::vector<gid_t>{1001, 1002, 1004});
  CHECK(s.user == "cissoid");
  CHECK(s.user_home == "/home/cissoid");
  CHECK_FALSE(s.child_error);
}

TEST_CASE("user switch: same uid changes nothing; a non-root supervisord cannot switch") {
  World w;
  w.base.uid = 1001;
  auto same = spawn::make_spawn_spec(w.cfg, w.program("gunicorn"), w.base, w.users, w.fs);
  CHECK_FALSE(same.switch_user);
  CHECK_FALSE(same.child_error);

  w.base.uid = 1002;
  auto other = spawn::make_spawn_spec(w.cfg, w.program("gunicorn"), w.base, w.users, w.fs);
  REQUIRE(other.child_error);
  CHECK(*other.child_error == "couldn't setuid to 1001: Can't drop privilege as nonroot user");
}

TEST_CASE("PATH search: the first candidate that stat()s wins, executable or not") {
  World w;
  w.base.env.set("PATH", "/opt/bin1:/opt/bin2");
  w.fs.files["/opt/bin1/dup"] = {S_IFREG | 0644, 0, 0};
  w.fs.files["/opt/bin2/dup"] = {S_IFREG | 0755, 0, 0};
  auto s = spawn::make_spawn_spec(w.cfg, w.program("dup --flag"), w.base, w.users, w.fs);
  CHECK(s.filename == "/opt/bin1/dup");
  REQUIRE(s.spawnerr);
  CHECK(*s.spawnerr == "command at '/opt/bin1/dup' is not executable");
  CHECK(s.argv == std::vector<std::string>{"dup", "--flag"});
}

TEST_CASE("PATH search uses environment= PATH before supervisord's") {
  World w;
  w.fs.files["/srv/venv/bin/gunicorn"] = {S_IFREG | 0755, 0, 0};
  auto p = w.program("gunicorn app");
  p.environment.set("PATH", "/srv/venv/bin:/usr/bin");
  auto s = spawn::make_spawn_spec(w.cfg, p, w.base, w.users, w.fs);
  CHECK(s.filename == "/srv/venv/bin/gunicorn");
  CHECK_FALSE(s.spawnerr);
}

TEST_CASE("PATH=\"\" in environment= searches the cwd; an empty supervisord PATH falls through") {
  // ProcessConfig.get_path tests `is not None`, ServerOptions.get_path `if p:`.
  World w;
  auto p = w.program("gunicorn app");
  p.environment.set("PATH", "");
  CHECK(spawn::search_path(p.environment, w.base.env) == std::vector<std::string>{""});
  w.base.cwd = "/usr/bin";
  auto s = spawn::make_spawn_spec(w.cfg, p, w.base, w.users, w.fs);
  CHECK(s.filename == "gunicorn");
  w.base.env.set("PATH", "");
  CHECK(spawn::search_path(core::Env{}, w.base.env) ==
        std::vector<std::string>{"/bin", "/usr/bin", "/usr/local/bin"});
}

TEST_CASE("lookup_command: unsplittable, empty, relative and not found") {
  World w;
  auto bad = spawn::lookup_command(w.program("echo 'open"), w.base.env, "/", w.fs);
  CHECK_FALSE(bad.argv);
  CHECK(bad.parse_error == "No closing quotation");
  auto empty = spawn::lookup_command(w.program(""), w.base.env, "/", w.fs);
  REQUIRE(empty.argv);
  CHECK(empty.argv->empty());
  CHECK_FALSE(empty.found);
  // A relative name with a slash is looked up against supervisord's cwd and
  // reported as written.
  w.fs.files["/usr/bin/tool"] = {S_IFREG | 0755, 0, 0};
  auto rel = spawn::lookup_command(w.program("bin/tool -x"), w.base.env, "/usr", w.fs);
  CHECK(rel.filename == "bin/tool");
  CHECK(rel.found);
  auto missing = spawn::lookup_command(w.program("nosuch"), w.base.env, "/", w.fs);
  CHECK(missing.filename == "nosuch");
  CHECK_FALSE(missing.found);
}

TEST_CASE("spawnerr texts as supervisord records them") {
  World w;
  CHECK(*spawn::make_spawn_spec(w.cfg, w.program("nosuch"), w.base, w.users, w.fs).spawnerr ==
        "can't find command 'nosuch'");
  CHECK(*spawn::make_spawn_spec(w.cfg, w.program("/srv/app"), w.base, w.users, w.fs).spawnerr ==
        "command at '/srv/app' is a directory");
  CHECK(*spawn::make_spawn_spec(w.cfg, w.program(""), w.base, w.users, w.fs).spawnerr ==
        "command is empty");
  CHECK(*spawn::make_spawn_spec(w.cfg, w.program("/bin/echo \"a"), w.base, w.users, w.fs).spawnerr ==
        "can't parse command '/bin/echo \"a': No closing quotation");
}

TEST_CASE("a relative command resolves against supervisord's cwd, not directory=") {
  World w;
  w.base.cwd = "/opt";
  w.fs.files["/srv/app/rel.sh"] = {S_IFREG | 0755, 0, 0};
  auto p = w.program("./rel.sh");
  p.directory = "/srv/app";
  auto s = spawn::make_spawn_spec(w.cfg, p, w.base, w.users, w.fs);
  REQUIRE(s.spawnerr);
  CHECK(*s.spawnerr == "can't find command './rel.sh'");
  CHECK(s.cwd == "/srv/app");
}

TEST_CASE("umask: the program's, else supervisord's; daemonizing sets [supervisord] umask") {
  World w;
  w.base.umask = 0077;
  auto p = w.program("gunicorn");
  CHECK(spawn::make_spawn_spec(w.cfg, p, w.base, w.users, w.fs).effective_umask == 0077);
  p.umask = 027;
  CHECK(spawn::make_spawn_spec(w.cfg, p, w.base, w.users, w.fs).effective_umask == 027);

  spawn::BaseEnv b = w.base;
  config::SupervisordConfig sd;
  sd.umask = 007;
  sd.directory = "/tmp";
  spawn::assume_daemon_state(b, sd);
  CHECK(b.umask == 007);
  CHECK(b.cwd == "/tmp");
  spawn::BaseEnv n = w.base;
  sd.nodaemon = true;
  spawn::assume_daemon_state(n, sd);
  CHECK(n.umask == 0077);
  CHECK(n.cwd == "/");
}

TEST_CASE("supervisord's Python coerces a C locale: children get LC_CTYPE=C.UTF-8") {
  core::Env none;
  CHECK(spawn::coerce_c_locale(none));
  CHECK(none.get("LC_CTYPE") == "C.UTF-8");
  core::Env posix;
  posix.set("LANG", "POSIX");
  CHECK(spawn::coerce_c_locale(posix));
  core::Env utf8;
  utf8.set("LANG", "C.UTF-8");
  CHECK_FALSE(spawn::coerce_c_locale(utf8));
  CHECK_FALSE(utf8.has("LC_CTYPE"));
  core::Env all;
  all.set("LC_ALL", "C");
  CHECK_FALSE(spawn::coerce_c_locale(all));
  core::Env off;
  off.set("PYTHONCOERCECLOCALE", "0");
  CHECK_FALSE(spawn::coerce_c_locale(off));

  World w;  // HOME/USER/PATH only: no locale at all
  auto s = spawn::make_spawn_spec(w.cfg, w.program("gunicorn"), w.base, w.users, w.fs);
  CHECK(s.env.get("LC_CTYPE") == "C.UTF-8");
}

TEST_CASE("a script's #! interpreter is read the way the kernel reads it") {
  World w;
  w.fs.files["/srv/app/run"] = {S_IFREG | 0755, 0, 0};
  w.fs.contents["/srv/app/run"] = "#! /opt/python2.7/bin/python -u\nprint(1)\n";
  CHECK(spawn::make_spawn_spec(w.cfg, w.program("/srv/app/run"), w.base, w.users, w.fs).interpreter ==
        "/opt/python2.7/bin/python");
  w.fs.contents["/usr/bin/gunicorn"] = "\x7f" "ELF...";
  CHECK(spawn::make_spawn_spec(w.cfg, w.program("gunicorn"), w.base, w.users, w.fs).interpreter.empty());
}
