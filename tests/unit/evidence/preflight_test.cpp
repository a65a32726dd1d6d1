// check --static's checks on a fake user database and file system.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>

#include "evidence/preflight.h"

using namespace bootmortem;
using namespace bootmortem::evidence;

namespace {

struct World {
  core::FakeUserDb users;
  core::FakeFs fs;

  World() {
    users.users.push_back(core::Passwd{"root", 0, 0, "/root", "/bin/bash"});
    users.users.push_back(core::Passwd{"appuser", 1001, 1001, "/home/appuser", "/bin/bash"});
    users.groups.push_back(core::Group{"appuser", 1001, {}});
    for (const char* d : {"/", "/usr", "/usr/bin", "/bin", "/var", "/var/log", "/var/log/supervisor", "/run", "/srv",
                          "/srv/app", "/srv/app/bin", "/tmp"})
      dir(d);
    file("/usr/bin/python3", 0755);
    file("/usr/bin/gunicorn", 0755, "#!/usr/bin/python3\nimport gunicorn\n");
    file("/bin/sh", 0755);
  }
  void dir(const std::string& path, mode_t mode = 0755, uid_t uid = 0) {
    fs.files[path] = core::FileStat{S_IFDIR | mode, uid, uid};
  }
  void file(const std::string& path, mode_t mode, const std::string& text = "", uid_t uid = 0) {
    fs.files[path] = core::FileStat{S_IFREG | mode, uid, uid};
    if (!text.empty()) fs.contents[path] = text;
  }

  config::Config load(const std::string& programs) const {
    config::LoadContext ctx;
    ctx.environ.set("PATH", "/usr/bin:/bin");
    ctx.environ.set("HOME", "/root");
    ctx.cwd = "/";
    ctx.users = &users;
    ctx.fs = &fs;
    ctx.record_host_problems = true;
    return config::load_config_text(
        "[supervisord]\nlogfile=/var/log/supervisor/supervisord.log\npidfile=/run/supervisord.pid\n"
        "childlogdir=/var/log/supervisor\n\n" + programs,
        "/etc/supervisor/supervisord.conf", ctx);
  }

  PreflightResults run(const config::Config& cfg) const {
    std::vector<const config::ProcessConfig*> procs;
    for (const auto& p : cfg.processes) procs.push_back(&p);
    core::Env env;
    env.set("PATH", "/usr/bin:/bin");
    env.set("HOME", "/root");
    return preflight(PreflightContext{cfg, env, "/", users, fs}, procs);
  }

  // The checks of the one program's items, in order.
  std::vector<std::string> checks(const std::string& programs) const {
    const auto cfg = load(programs);
    const auto r = run(cfg);
    std::vector<std::string> out;
    for (const auto& i : r.programs.at(0)) out.push_back(i.check);
    return out;
  }
  PreflightItem only(const std::string& programs) const {
    const auto cfg = load(programs);
    const auto r = run(cfg);
    REQUIRE(r.programs.at(0).size() == 1);
    return r.programs.at(0).front();
  }
};

using Checks = std::vector<std::string>;

}  // namespace

TEST_CASE("a program that is fine has no result, and neither has the config") {
  World w;
  w.file("/srv/app/bin/worker", 0755, "#!/bin/sh\necho hi\n");
  const auto cfg = w.load("[program:worker]\ncommand=/srv/app/bin/worker\nuser=appuser\ndirectory=/srv/app\n");
  const auto r = w.run(cfg);
  CHECK(r.config.empty());
  CHECK(r.programs.at(0).empty());
}

TEST_CASE("user-missing: at the line of user=, with supervisord's message") {
  World w;
  const auto i = w.only("[program:web]\ncommand=/usr/bin/python3\nuser=ghost\n");
  CHECK(i.check == "user-missing");
  CHECK(i.failure);
  CHECK(i.location.str() == "/etc/supervisor/supervisord.conf:8");
  CHECK(i.values.at("user") == "ghost");
  CHECK(i.values.at("message") == "Invalid user name ghost in section 'program:web'");
}

TEST_CASE("command-not-found: on supervisord's PATH, or PATH of environment=") {
  World w;
  auto i = w.only("[program:x]\ncommand=celery worker\n");
  CHECK(i.check == "command-not-found");
  CHECK(i.location.line == 7);
  CHECK(i.values.at("searched") == "no directory of PATH=/usr/bin:/bin has it");
  w.file("/opt/venv/bin/celery", 0755);
  CHECK(w.checks("[program:x]\ncommand=celery worker\nenvironment=PATH=\"/opt/venv/bin\"\n").empty());
  i = w.only("[program:x]\ncommand=/srv/app/bin/nothing\n");
  CHECK(i.values.at("searched") == "there is no /srv/app/bin/nothing");
}

TEST_CASE("command-not-executable: no x bit, the user's bits, a directory above") {
  World w;
  w.file("/srv/app/bin/a", 0644);
  CHECK(w.only("[program:x]\ncommand=/srv/app/bin/a\n").values.at("why") == "it has no execute bit (mode 0644)");
  w.file("/srv/app/bin/b", 0750);  // root:root
  CHECK(w.checks("[program:x]\ncommand=/srv/app/bin/b\n").empty());  // root runs it
  const auto i = w.only("[program:x]\ncommand=/srv/app/bin/b\nuser=appuser\n");
  CHECK(i.check == "command-not-executable");
  CHECK(i.values.at("why") == "mode 0750, owner uid 0 gid 0: appuser may not execute it");
  w.dir("/srv/private", 0700);
  w.file("/srv/private/c", 0755, "#!/bin/sh\n");
  CHECK(w.only("[program:x]\ncommand=/srv/private/c\nuser=appuser\n").values.at("why") ==
        "appuser may not search /srv/private");
}

TEST_CASE("shebang-crlf and interpreter-missing") {
  World w;
  w.file("/srv/app/bin/scheduler", 0755, "#!/bin/sh\r\necho hi\r\n");
  auto i = w.only("[program:x]\ncommand=/srv/app/bin/scheduler\n");
  CHECK(i.check == "shebang-crlf");
  CHECK(i.values.at("interpreter") == "/bin/sh");
  w.file("/srv/app/bin/tool", 0755, "#!/srv/app/venv/bin/python3\nprint(1)\n");
  i = w.only("[program:x]\ncommand=/srv/app/bin/tool\n");
  CHECK(i.check == "interpreter-missing");
  CHECK(i.values.at("interpreter") == "/srv/app/venv/bin/python3");
}

TEST_CASE("directory-missing and directory-not-enterable, at directory='s line") {
  World w;
  auto i = w.only("[program:x]\ncommand=/bin/sh\ndirectory=/srv/gone\n");
  CHECK(i.check == "directory-missing");
  CHECK(i.location.line == 8);
  w.dir("/srv/locked", 0750);
  w.dir("/srv/locked/app");
  i = w.only("[program:x]\ncommand=/bin/sh\nuser=appuser\ndirectory=/srv/locked/app\n");
  CHECK(i.check == "directory-not-enterable");
  CHECK(i.values.at("blocked") == "/srv/locked");
  CHECK(w.checks("[program:x]\ncommand=/bin/sh\ndirectory=/srv/locked/app\n").empty());  // root enters
}

TEST_CASE("logdir-missing for a program's log and [supervisord]'s; logdir-unwritable for its user=") {
  World w;
  auto cfg = w.load("[program:x]\ncommand=/bin/sh\nstdout_logfile=/var/log/app/x.log\n");
  auto r = w.run(cfg);
  REQUIRE(r.programs.at(0).size() == 1);
  CHECK(r.programs[0][0].check == "logdir-missing");
  CHECK(r.programs[0][0].values.at("directory") == "/var/log/app");
  CHECK(r.programs[0][0].location.line == 8);
  w.fs.files.erase("/var/log/supervisor");
  cfg = w.load("[program:x]\ncommand=/bin/sh\n");
  r = w.run(cfg);
  REQUIRE(r.config.size() == 2);
  CHECK(r.config[0].values.at("key") == "logfile");
  CHECK(r.config[0].location.line == 2);
  CHECK(r.config[1].values.at("key") == "childlogdir");

  World u;
  cfg = u.load("[program:x]\ncommand=/bin/sh\nstdout_logfile=/var/log/supervisor/x.log\n");
  cfg.supervisord.user = "appuser";
  cfg.supervisord.uid = 1001;
  r = u.run(cfg);
  REQUIRE(r.programs.at(0).size() == 1);
  CHECK(r.programs[0][0].check == "logdir-unwritable");
  CHECK(r.programs[0][0].values.at("writer") == "appuser");
}

TEST_CASE("home-unset: a warning for user= without HOME when the stack keeps state under ~") {
  World w;
  auto i = w.only("[program:web]\ncommand=/usr/bin/gunicorn app:app\nuser=appuser\n");
  CHECK(i.check == "home-unset");
  CHECK_FALSE(i.failure);
  CHECK(i.values.at("stack") == "python3");  // from gunicorn's #! line
  CHECK(i.values.at("user_home") == "/home/appuser");
  CHECK(i.location.line == 8);
  CHECK(w.checks("[program:web]\ncommand=/usr/bin/gunicorn app:app\nuser=appuser\nenvironment=HOME=\"/home/appuser\"\n")
            .empty());
  CHECK(w.checks("[program:web]\ncommand=/bin/sh -c true\nuser=appuser\n").empty());
  CHECK(w.checks("[program:web]\ncommand=/usr/bin/gunicorn app:app\n").empty());  // no user=
}

TEST_CASE("unknown keys: a typo of a key is a failure with its suggestion, anything else a warning") {
  World w;
  w.file("/srv/app/bin/mailer", 0755, "#!/bin/sh\n");
  const auto cfg = w.load("[program:mailer]\ncommand=/srv/app/bin/mailer\nenviroment=SMTP_HOST=\"mail\"\ncolour=blue\n");
  const auto r = w.run(cfg);
  REQUIRE(r.programs.at(0).size() == 2);
  CHECK(r.programs[0][0].check == "unknown-key");
  CHECK_FALSE(r.programs[0][0].failure);
  CHECK(r.programs[0][1].check == "unknown-key-typo");
  CHECK(r.programs[0][1].failure);
  CHECK(r.programs[0][1].values.at("suggestion") == "environment");
  CHECK(r.programs[0][1].location.line == 8);
  CHECK(nearest_key("autorestrat", config::SectionKind::Program) == "autorestart");
  CHECK(nearest_key("stdout_logfile_maxbyte", config::SectionKind::Program) == "stdout_logfile_maxbytes");
  CHECK(nearest_key("socket", config::SectionKind::Program) == "");
  CHECK(nearest_key("sockets", config::SectionKind::FcgiProgram) == "socket");
  CHECK(nearest_key("xyz", config::SectionKind::Program) == "");
}

TEST_CASE("named_ports reads the common forms loosely") {
  core::Env env;
  using P = std::vector<std::pair<std::string, int>>;
  CHECK(named_ports("gunicorn --bind 127.0.0.1:8001 app:app", env) == P{{"127.0.0.1", 8001}});
  CHECK(named_ports("gunicorn -b 0.0.0.0:80 app:app", env) == P{{"0.0.0.0", 80}});
  CHECK(named_ports("gunicorn --bind=:9000 app:app", env) == P{{"", 9000}});
  CHECK(named_ports("node server.js --port 3000", env) == P{{"", 3000}});
  CHECK(named_ports("uwsgi --http-socket :8080 --module app", env) == P{{"", 8080}});
  CHECK(named_ports("redis-server --port=6379", env) == P{{"", 6379}});
  CHECK(named_ports("celery -A app:celery worker -b redis://localhost:6379/0", env).empty());
  CHECK(named_ports("gunicorn -b unix:/run/app.sock app:app", env).empty());
  env.set("PORT", "5000");
  CHECK(named_ports("npm start", env) == P{{"", 5000}});
}

TEST_CASE("port-clash: two programs naming one port explicitly, on both; different hosts do not clash") {
  World w;
  const auto cfg = w.load(
      "[program:a]\ncommand=/usr/bin/python3 -m http.server --bind 127.0.0.1 8000 -b 127.0.0.1:8000\n\n"
      "[program:b]\ncommand=/usr/bin/python3 x.py\nenvironment=PORT=\"8000\"\n\n"
      "[program:c]\ncommand=/usr/bin/python3 y.py -b 10.0.0.1:9000\n\n"
      "[program:d]\ncommand=/usr/bin/python3 z.py -b 10.0.0.2:9000\n");
  const auto r = w.run(cfg);
  REQUIRE(r.programs.size() == 4);
  REQUIRE(r.programs[0].size() == 1);
  CHECK(r.programs[0][0].check == "port-clash");
  CHECK_FALSE(r.programs[0][0].failure);
  CHECK(r.programs[0][0].values.at("other_program") == "b");
  CHECK(r.programs[0][0].values.at("port") == "8000");
  REQUIRE(r.programs[1].size() == 1);
  CHECK(r.programs[1][0].values.at("other_program") == "a");
  CHECK(r.programs[2].empty());
  CHECK(r.programs[3].empty());
}

TEST_CASE("every check has a unique id and its item carries every value it declares") {
  std::vector<std::string> ids;
  for (const auto& c : preflight_checks()) ids.push_back(c.id);
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  World w;
  const auto i = w.only("[program:web]\ncommand=/usr/bin/python3\nuser=ghost\n");
  for (const auto& name : find_preflight_check(i.check)->values) CHECK(i.values.count(name) == 1);
}
