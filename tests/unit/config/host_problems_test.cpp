// LoadContext::record_host_problems: what depends on the host (a user=, a
// log file's directory) is recorded per program with its line and
// supervisord's message; what depends on the text still throws.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "config/config.h"
#include "load_text.h"

using namespace bootmortem;
using namespace bootmortem::config;

namespace {

const char* k_config = R"([supervisord]
logfile=/var/log/supervisor/supervisord.log
childlogdir=/var/log/supervisor

[program:web]
command=/usr/bin/gunicorn app:app
user=appuser
stdout_logfile=/var/log/app/web.log

[program:worker]
command=/srv/app/bin/worker
enviroment=A="1"
)";

LoadContext lenient(const core::FileSystem* fs) {
  LoadContext ctx = testing::context();
  ctx.record_host_problems = true;
  ctx.fs = fs;
  return ctx;
}

core::FakeFs fs_with(std::initializer_list<const char*> dirs) {
  core::FakeFs fs;
  for (const char* d : dirs) fs.files[d] = core::FileStat{S_IFDIR | 0755, 0, 0};
  return fs;
}

}  // namespace

TEST_CASE("without the flag an unknown user= is an input error at its line") {
  CHECK(testing::error_of(k_config) ==
        "/etc/sv/sd.conf:7: Invalid user name appuser in section 'program:web' (file: '/etc/sv/sd.conf')");
}

TEST_CASE("with the flag an unknown user= is the program's problem, with its line and supervisord's message") {
  const Config c = load_config_text(k_config, "/etc/sv/sd.conf", lenient(nullptr));
  REQUIRE(c.processes.size() == 2);
  const ProcessConfig& web = *c.find("web").front();
  REQUIRE(web.host_problems.size() == 1);
  CHECK(web.host_problems[0].origin.str() == "/etc/sv/sd.conf:7");
  CHECK(web.host_problems[0].key == "user");
  CHECK(web.host_problems[0].message ==
        "Invalid user name appuser in section 'program:web' (file: '/etc/sv/sd.conf')");
  CHECK(web.user == "appuser");
  CHECK_FALSE(web.uid.has_value());
  CHECK(c.find("worker").front()->host_problems.empty());
  CHECK(c.supervisord.host_problems.empty());
}

TEST_CASE("with the flag and a file system, missing log directories are recorded against program and config") {
  const core::FakeFs fs = fs_with({"/", "/var", "/var/log"});
  const Config c = load_config_text(k_config, "/etc/sv/sd.conf", lenient(&fs));
  const ProcessConfig& web = *c.find("web").front();
  REQUIRE(web.host_problems.size() == 2);
  CHECK(web.host_problems[1].key == "stdout_logfile");
  CHECK(web.host_problems[1].origin.line == 8);
  CHECK(web.host_problems[1].message.starts_with(
      "The directory named as part of the path /var/log/app/web.log does not exist"));
  CHECK(web.stdout_logfile == "/var/log/app/web.log");
  REQUIRE(c.supervisord.host_problems.size() == 2);
  CHECK(c.supervisord.host_problems[0].key == "logfile");
  CHECK(c.supervisord.host_problems[0].origin.line == 2);
  CHECK(c.supervisord.host_problems[1].key == "childlogdir");
  CHECK(c.supervisord.host_problems[1].message == "/var/log/supervisor is not an existing directory");
}

TEST_CASE("with the flag an error of the text still throws") {
  LoadContext ctx = lenient(nullptr);
  CHECK_THROWS_WITH_AS(
      load_config_text("[supervisord]\n[program:x]\ncommand=a\nautostart=maybe\n", "/etc/sv/sd.conf", ctx),
      doctest::Contains("sd.conf:4: not a valid boolean value: 'maybe'"), core::InputError);
}

TEST_CASE("keys supervisor ignores are recorded with their line, [DEFAULT] ones not") {
  const Config c = testing::load("[DEFAULT]\nfoo=1\n[supervisord]\n[program:x]\ncommand=a\nenviroment=A=\"1\"\n");
  const ProcessConfig& p = c.processes.front();
  REQUIRE(p.unknown_keys.size() == 1);
  CHECK(p.unknown_keys.begin()->first == "enviroment");
  CHECK(p.unknown_keys.begin()->second.line == 6);
}
