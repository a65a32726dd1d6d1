// Config::find (supervisorctl's names) and the default config search list of
// supervisord (semantics §1; candidates printed by Options.__init__'s code).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "config/config.h"

using namespace bootmortem;
using namespace bootmortem::config;

namespace {

Config sample() {
  LoadContext ctx;
  ctx.cwd = "/";
  ctx.host_node_name = "vm";
  return load_config_text(R"([supervisord]
[program:web]
command=/bin/web
numprocs=2
process_name=%(program_name)s_%(process_num)02d
[program:api]
command=/bin/api
[group:svc]
programs=worker,beat
[program:worker]
command=/bin/worker
[program:beat]
command=/bin/beat
)",
                          "/etc/sv/sd.conf", ctx);
}

std::vector<std::string> names(const std::vector<const ProcessConfig*>& ps) {
  std::vector<std::string> out;
  for (const auto* p : ps) out.push_back(p->namespec());
  return out;
}

}  // namespace

TEST_CASE("find: supervisorctl's namespecs") {
  const Config c = sample();
  CHECK(names(c.find("api")) == std::vector<std::string>{"api"});
  CHECK(names(c.find("svc:worker")) == std::vector<std::string>{"svc:worker"});
  CHECK(names(c.find("svc:*")) == std::vector<std::string>{"svc:worker", "svc:beat"});
  CHECK(names(c.find("svc:")) == std::vector<std::string>{"svc:worker", "svc:beat"});
  CHECK(names(c.find("web:web_01")) == std::vector<std::string>{"web:web_01"});
  CHECK(names(c.find("web:*")) == std::vector<std::string>{"web:web_00", "web:web_01"});
}

TEST_CASE("find: bare names a person types") {
  const Config c = sample();
  CHECK(names(c.find("web_00")) == std::vector<std::string>{"web:web_00"});  // numprocs name
  CHECK(names(c.find("web")) == std::vector<std::string>{"web:web_00", "web:web_01"});  // the group
  CHECK(names(c.find("beat")) == std::vector<std::string>{"svc:beat"});  // a [group:] member
  CHECK(names(c.find("svc")) == std::vector<std::string>{"svc:worker", "svc:beat"});
}

TEST_CASE("find: unknown names list what is known") {
  const Config c = sample();
  CHECK_THROWS_WITH_AS(c.find("nope"),
                       "no such process 'nope' in /etc/sv/sd.conf; known: api, svc:worker, svc:beat, web:web_00, "
                       "web:web_01",
                       core::InputError);
  CHECK_THROWS_AS(c.find("svc:nope"), core::InputError);
  CHECK_THROWS_AS(c.find("api:api2"), core::InputError);
}

TEST_CASE("default_search_paths: <X> is dirname(dirname(argv0)), textually") {
  const std::vector<std::string> tail{"supervisord.conf", "etc/supervisord.conf", "/etc/supervisord.conf",
                                      "/etc/supervisor/supervisord.conf"};
  auto with = [&](std::string a, std::string b) {
    std::vector<std::string> v{std::move(a), std::move(b)};
    v.insert(v.end(), tail.begin(), tail.end());
    return v;
  };
  CHECK(default_search_paths("/usr/bin/supervisord") == with("/usr/etc/supervisord.conf", "/usr/supervisord.conf"));
  CHECK(default_search_paths("supervisord") == with("etc/supervisord.conf", "supervisord.conf"));
  CHECK(default_search_paths("./venv/bin/supervisord") ==
        with("./venv/etc/supervisord.conf", "./venv/supervisord.conf"));
  CHECK(default_search_paths("/supervisord") == with("/etc/supervisord.conf", "/supervisord.conf"));
  CHECK(default_search_paths("bin/supervisord") == with("etc/supervisord.conf", "supervisord.conf"));
}

TEST_CASE("find_default_config: first existing candidate, relative ones against cwd") {
  char tmpl[] = "/tmp/bootmortem-search-XXXXXX";
  const std::filesystem::path root = ::mkdtemp(tmpl);
  std::filesystem::create_directories(root / "venv/bin");
  std::filesystem::create_directories(root / "work/etc");
  const std::string argv0 = (root / "venv/bin/supervisord").string();
  // Nothing in the venv or the cwd: whatever the host has in /etc decides.
  const auto host = find_default_config(argv0, (root / "work").string());
  if (host) CHECK(host->starts_with("/etc/"));
  std::ofstream(root / "work/etc/supervisord.conf") << "[supervisord]\n";
  CHECK(find_default_config(argv0, (root / "work").string()) == "etc/supervisord.conf");
  std::ofstream(root / "work/supervisord.conf") << "[supervisord]\n";
  CHECK(find_default_config(argv0, (root / "work").string()) == "supervisord.conf");
  std::ofstream(root / "venv/supervisord.conf") << "[supervisord]\n";
  CHECK(find_default_config(argv0, (root / "work").string()) == (root / "venv/supervisord.conf").string());
  // A dangling symlink does not exist for os.path.exists.
  std::filesystem::create_directories(root / "venv/etc");
  std::filesystem::create_symlink("/nonexistent", root / "venv/etc/supervisord.conf");
  CHECK(find_default_config(argv0, (root / "work").string()) == (root / "venv/supervisord.conf").string());
  std::filesystem::remove_all(root);
}
