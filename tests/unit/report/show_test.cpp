#include "report/show.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

using namespace bootmortem;

namespace {

config::ProcessConfig program(const std::string& name, const std::string& command) {
  config::ProcessConfig p;
  p.section = "program:" + name;
  p.program_name = p.group_name = p.name = name;
  p.command = command;
  p.source = {"/etc/supervisor/conf.d/" + name + ".conf", 3};
  return p;
}

struct World {
  core::FakeFs fs;
  core::Env env;
  World() {
    fs.files["/usr/bin/gunicorn"] = {S_IFREG | 0755, 0, 0};
    env.set("PATH", "/usr/local/bin:/usr/bin");
  }
  nlohmann::json json_of(const std::vector<const config::ProcessConfig*>& procs) {
    std::ostringstream out;
    report::render_show_json(report::make_show_rows(procs, env, "/", fs), out);
    return nlohmann::json::parse(out.str());
  }
};

}  // namespace

TEST_CASE("show JSON: one object per process with supervisor's values") {
  World w;
  auto p = program("web", "gunicorn -b ':8000' app:app");
  p.environment.set("PATH", "/srv/venv/bin:/usr/bin");
  p.user = "www-data";
  p.uid = 33;
  p.umask = 022;
  p.stopsignal = 3;
  p.autorestart = config::AutoRestart::True;
  p.exitcodes = {0, 2};
  p.redirect_stderr = true;
  p.stderr_logfile = "NONE";
  auto j = w.json_of({&p});
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 1);
  const auto& o = j[0];
  CHECK(o["name"] == "web");
  CHECK(o["group"] == "web");
  CHECK(o["argv"] == nlohmann::json({"gunicorn", "-b", ":8000", "app:app"}));
  // environment= PATH is searched, not supervisord's.
  CHECK(o["executable"] == "/usr/bin/gunicorn");
  CHECK(o["environment"] == nlohmann::json({{"PATH", "/srv/venv/bin:/usr/bin"}}));
  CHECK(o["user"] == "www-data");
  CHECK(o["uid"] == 33);
  CHECK(o["directory"].is_null());
  CHECK(o["umask"] == "022");
  CHECK(o["autorestart"] == "true");
  CHECK(o["exitcodes"] == nlohmann::json({0, 2}));
  CHECK(o["stopsignal"] == "QUIT");
  CHECK(o["stdout_logfile"] == "AUTO");
  CHECK(o["stderr_logfile"] == "NONE");
  CHECK(o["source"] == nlohmann::json({{"file", "/etc/supervisor/conf.d/web.conf"}, {"line", 3}}));
}

TEST_CASE("show JSON: argv null when shlex cannot split, [] when empty; executable null when not found") {
  World w;
  auto open = program("open", "/bin/echo \"open");
  auto empty = program("empty", "");
  auto missing = program("missing", "no-such-tool");
  auto j = w.json_of({&open, &empty, &missing});
  CHECK(j[0]["argv"].is_null());
  CHECK(j[0]["executable"].is_null());
  CHECK(j[1]["argv"] == nlohmann::json::array());
  CHECK(j[1]["executable"].is_null());
  CHECK(j[2]["argv"] == nlohmann::json({"no-such-tool"}));
  CHECK(j[2]["executable"].is_null());
}

TEST_CASE("show JSON: bytes that are not UTF-8 do not throw") {
  World w;
  auto p = program("bin", "/bin/echo \xff\xfe");
  CHECK_NOTHROW(w.json_of({&p}));
}

TEST_CASE("signal names as Python's signal.Signals prints them, numbers otherwise") {
  CHECK(report::stop_signal_name(15) == "TERM");
  CHECK(report::stop_signal_name(6) == "ABRT");
  CHECK(report::stop_signal_name(17) == "CHLD");
  CHECK(report::stop_signal_name(29) == "IO");
  CHECK(report::stop_signal_name(34) == "RTMIN");
  CHECK(report::stop_signal_name(0) == "0");
  CHECK(report::stop_signal_name(40) == "40");
  CHECK(report::octal_mode(0) == "000");
  CHECK(report::octal_mode(0777) == "777");
  CHECK(report::octal_mode(07) == "007");
}

TEST_CASE("show text: a header, one row per process, then details") {
  World w;
  auto a = program("web", "gunicorn app");
  a.user = "nobody";
  auto b = program("cron", "/bin/echo 'a b'");
  b.group_name = "jobs";
  b.environment.set("A", "x y");
  std::ostringstream out;
  report::render_show_text(report::make_show_rows({&a, &b}, w.env, "/", w.fs), out);
  const std::string s = out.str();
  CHECK(s.starts_with("PROCESS"));
  CHECK(s.find("web ") != std::string::npos);
  CHECK(s.find("/usr/bin/gunicorn") != std::string::npos);
  CHECK(s.find("jobs:cron") != std::string::npos);
  CHECK(s.find("/bin/echo 'a b'") != std::string::npos);
  CHECK(s.find("(not found)") != std::string::npos);
  CHECK(s.find("env A='x y'") != std::string::npos);
}
