#include "rules/patch.h"

#include <doctest/doctest.h>

using namespace bootmortem::rules;

namespace {
const Assignments k_env = {{"HOME", "/home/cissoid"}, {"USER", "cissoid"}, {"LOGNAME", "cissoid"}};
}

TEST_CASE("assignments are quoted and % doubled for supervisor's grammar") {
  CHECK(env_assignments(k_env) == "HOME=\"/home/cissoid\",USER=\"cissoid\",LOGNAME=\"cissoid\"");
  CHECK(env_assignments({{"PCT", "50%"}}) == "PCT=\"50%%\"");
}

TEST_CASE("no environment= yet: the line goes after the section's last key") {
  std::string conf =
      "[supervisord]\n"
      "nodaemon=true\n"
      "\n"
      "[program:web]\n"
      "command=/srv/app/venv/bin/gunicorn app:app\n"
      "user=appuser   ; the new user\n"
      "autostart=true\n"
      "\n"
      "[program:other]\n"
      "command=/bin/true\n";
  auto edit = environment_edit(conf, "/etc/supervisor/conf.d/web.conf", 4, "program:web", k_env);
  CHECK(edit.config_line ==
        "environment=HOME=\"/home/cissoid\",USER=\"cissoid\",LOGNAME=\"cissoid\"");
  CHECK(edit.patch ==
        "--- /etc/supervisor/conf.d/web.conf\n"
        "+++ /etc/supervisor/conf.d/web.conf\n"
        "@@ -5,6 +5,7 @@\n"
        " command=/srv/app/venv/bin/gunicorn app:app\n"
        " user=appuser   ; the new user\n"
        " autostart=true\n"
        "+environment=HOME=\"/home/cissoid\",USER=\"cissoid\",LOGNAME=\"cissoid\"\n"
        " \n"
        " [program:other]\n"
        " command=/bin/true\n");
}

TEST_CASE("an existing environment= is extended, not repeated (supervisord keeps the last)") {
  std::string conf =
      "[program:web]\n"
      "command=/srv/app/run\n"
      "environment=APP_ENV=\"prod\" ; keep\n"
      "user=appuser\n";
  auto edit = environment_edit(conf, "web.conf", 1, "program:web", k_env);
  CHECK(edit.config_line ==
        "environment=APP_ENV=\"prod\",HOME=\"/home/cissoid\",USER=\"cissoid\",LOGNAME=\"cissoid\"");
  CHECK(edit.patch ==
        "--- web.conf\n"
        "+++ web.conf\n"
        "@@ -1,4 +1,4 @@\n"
        " [program:web]\n"
        " command=/srv/app/run\n"
        "-environment=APP_ENV=\"prod\" ; keep\n"
        "+environment=APP_ENV=\"prod\",HOME=\"/home/cissoid\",USER=\"cissoid\",LOGNAME=\"cissoid\" ; keep\n"
        " user=appuser\n");
}

TEST_CASE("a continued environment= value is extended on its last line") {
  std::string conf =
      "[program:web]\n"
      "environment=\n"
      "    A=\"1\",\n"
      "    B=\"2\"\n"
      "command=/srv/app/run\n";
  auto edit = environment_edit(conf, "web.conf", 1, "program:web", {{"HOME", "/home/u"}});
  CHECK(edit.config_line == "environment=A=\"1\",B=\"2\",HOME=\"/home/u\"");
  CHECK(edit.patch.find("-    B=\"2\"\n+    B=\"2\",HOME=\"/home/u\"\n") != std::string::npos);
}

TEST_CASE("the header is found by name when the line number is off; none: no patch") {
  std::string conf = "[program:a]\ncommand=/bin/a\n[program:web]\ncommand=/bin/web\n";
  auto edit = environment_edit(conf, "x.conf", 1, "program:web", {{"HOME", "/h"}});
  CHECK(edit.patch ==
        "--- x.conf\n+++ x.conf\n@@ -2,3 +2,4 @@\n command=/bin/a\n [program:web]\n"
        " command=/bin/web\n+environment=HOME=\"/h\"\n");
  auto none = environment_edit("", "x.conf", 4, "program:web", {{"HOME", "/h"}});
  CHECK(none.config_line == "environment=HOME=\"/h\"");
  CHECK(none.patch.empty());
}

TEST_CASE("unified_diff: identical files have no diff") {
  CHECK(unified_diff("f", {"a", "b"}, {"a", "b"}).empty());
}

TEST_CASE("apply_change: a key is replaced with its continuation lines, or added; environment is extended") {
  const std::string text =
      "[supervisord]\nlogfile=/x\n\n[program:web]\ncommand=gunicorn\n  app:app\nuser=www\n\n[program:other]\nuser=a\n";
  ConfigChange cmd{"f.conf", "program:web", "command", "/srv/venv/bin/gunicorn app:app", 4};
  auto a = apply_change(text, cmd);
  REQUIRE(a);
  CHECK(*a ==
        "[supervisord]\nlogfile=/x\n\n[program:web]\ncommand=/srv/venv/bin/gunicorn app:app\nuser=www\n\n"
        "[program:other]\nuser=a\n");
  // The header moved: found by name.
  ConfigChange dir{"f.conf", "program:web", "directory", "/srv/app", 1};
  auto b = apply_change(*a, dir);
  REQUIRE(b);
  CHECK(b->find("user=www\ndirectory=/srv/app\n\n[program:other]") != std::string::npos);
  ConfigChange fds{"", "supervisord", "minfds", "65536", 0};
  auto c = apply_change(*b, fds);
  REQUIRE(c);
  CHECK(c->starts_with("[supervisord]\nlogfile=/x\nminfds=65536\n"));
  ConfigChange env1{"f.conf", "program:other", "environment", "A=\"1\"", 0};
  ConfigChange env2{"f.conf", "program:other", "environment", "B=\"2\"", 0};
  auto d = apply_change(*apply_change(*c, env1), env2);
  REQUIRE(d);
  CHECK(d->ends_with("[program:other]\nuser=a\nenvironment=A=\"1\",B=\"2\"\n"));
  CHECK_FALSE(apply_change(text, ConfigChange{"f", "program:gone", "user", "x", 0}));
}
