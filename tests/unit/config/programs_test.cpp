// Processes (programs.cpp): numprocs naming, merged environments, origins
// and where each error points. Expected values
// from supervisor 4.2.5's read_config on the same text.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "load_text.h"

using namespace bootmortem;
using namespace bootmortem::config;

using namespace bootmortem::config::testing;

TEST_CASE("programs: numprocs makes one process per number, each expanded") {
  const Config c = load(R"([supervisord]
[program:web]
command=/bin/web --port 80%(process_num)02d
process_name=%(program_name)s_%(process_num)02d
numprocs=3
numprocs_start=1
environment=PORT="80%(process_num)02d"
)");
  REQUIRE(c.processes.size() == 3);
  for (int i = 0; i < 3; ++i) {
    const auto& p = c.processes[i];
    const std::string n = std::to_string(i + 1);
    CHECK(p.name == "web_0" + n);
    CHECK(p.namespec() == "web:web_0" + n);
    CHECK(p.group_name == "web");
    CHECK(p.process_num == i + 1);
    CHECK(p.numprocs == 3);
    CHECK(p.command == "/bin/web --port 800" + n);
    CHECK(p.environment.get("PORT") == "800" + n);
    CHECK(p.process_name_template == "%(program_name)s_%(process_num)02d");
  }
}

TEST_CASE("programs: the merged environment: global first, the program's own wins") {
  const Config c = load(R"([supervisord]
environment=SHARED="global",GLOBAL_ONLY=g,SUPERVISOR_GROUP_NAME="from-global"
[program:x]
command=/bin/true
environment=OWN=1,SHARED="mine"
)");
  CHECK(c.supervisord.environment.entries() ==
        std::vector<core::Env::Entry>{{"SHARED", "global"}, {"GLOBAL_ONLY", "g"}, {"SUPERVISOR_GROUP_NAME", "from-global"}});
  CHECK(c.processes.at(0).environment.entries() ==
        std::vector<core::Env::Entry>{{"SHARED", "mine"}, {"GLOBAL_ONLY", "g"}, {"SUPERVISOR_GROUP_NAME", "from-global"},
                                      {"OWN", "1"}});
}

TEST_CASE("programs: errors point at the key's line, or the section header") {
  CHECK(error_of("[supervisord]\n[program:x]\ncommand=/bin/true\nautostart=maybe\n") ==
        "/etc/sv/sd.conf:4: not a valid boolean value: 'maybe' in section 'program:x' (file: '/etc/sv/sd.conf')");
  CHECK(error_of("[supervisord]\n\n[program:x]\ndirectory=/tmp\n") ==
        "/etc/sv/sd.conf:3: program section program:x does not specify a command in section 'program:x' (file: "
        "'/etc/sv/sd.conf')");
  CHECK(error_of("[supervisord]\n[program:x]\ncommand=/bin/true\nuser=ghost\n") ==
        "/etc/sv/sd.conf:4: Invalid user name ghost in section 'program:x' (file: '/etc/sv/sd.conf')");
  CHECK(error_of("[supervisord]\n[program:x]\ncommand=/bin/true\nuser=4242\n") ==
        "/etc/sv/sd.conf:4: Invalid user id 4242 in section 'program:x' (file: '/etc/sv/sd.conf')");
  CHECK(error_of("[supervisord]\n[program:web]\ncommand=/bin/true\nnumprocs=3\n") ==
        "/etc/sv/sd.conf:2: %(process_num) must be present within process_name when numprocs > 1 in section "
        "'program:web' (file: '/etc/sv/sd.conf')");
  // Read by process_groups_from_parser itself: no section suffix.
  CHECK(error_of("[supervisord]\n[program:x]\ncommand=/bin/true\npriority=high\n") ==
        "/etc/sv/sd.conf:4: invalid literal for int() with base 10: 'high'");
  CHECK(error_of("[supervisord]\n[program:my app]\ncommand=/bin/true\n") ==
        "/etc/sv/sd.conf:2: Invalid name: 'my app' because of character: ' '");
  // A [DEFAULT] key's error points at the [DEFAULT] line.
  CHECK(error_of("[DEFAULT]\nminfds=x\n[supervisord]\n") ==
        "/etc/sv/sd.conf:2: invalid literal for int() with base 10: 'x'");
}


TEST_CASE("programs: parse-time directory checks of log files, through the fs seam") {
  core::FakeFs fs;
  fs.files["/"] = core::FileStat{S_IFDIR | 0755, 0, 0};
  fs.files["/tmp"] = core::FileStat{S_IFDIR | 01777, 0, 0};
  LoadContext ctx = context();
  ctx.fs = &fs;
  const std::string text = "[supervisord]\nlogfile=/tmp/sd.log\n[program:x]\ncommand=/bin/true\n"
                           "stdout_logfile=/var/log/app/out.log\n";
  CHECK_THROWS_WITH_AS(load_config_text(text, "/etc/sv/sd.conf", ctx),
                       "/etc/sv/sd.conf:5: The directory named as part of the path /var/log/app/out.log does not exist "
                       "in section 'program:x' (file: '/etc/sv/sd.conf')",
                       core::InputError);
  fs.files["/var/log/app"] = core::FileStat{S_IFDIR | 0755, 0, 0};
  CHECK(load_config_text(text, "/etc/sv/sd.conf", ctx).processes.at(0).stdout_logfile == "/var/log/app/out.log");
  CHECK_THROWS_WITH_AS(load_config_text("[supervisord]\nlogfile=/nope/sd.log\n", "/etc/sv/sd.conf", ctx),
                       "/etc/sv/sd.conf:2: The directory named as part of the path /nope/sd.log does not exist",
                       core::InputError);
}

TEST_CASE("programs: key origins, including inherited [DEFAULT] keys") {
  const Config c = load("[DEFAULT]\nstartsecs=7\n[supervisord]\n[program:x]\ncommand=/bin/true\nuser=root\n");
  const auto& p = c.processes.at(0);
  CHECK(p.startsecs == 7);
  CHECK(p.key_origins.at("startsecs").line == 2);
  CHECK(p.key_origins.at("user").line == 6);
  CHECK(p.key_origins.count("directory") == 0);
  CHECK(p.source.line == 4);
}
