#include "report/env.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include <doctest/doctest.h>

using namespace bootmortem;

namespace {

// The seed incident's shape: root's shell started supervisord; user=app;
// app's ~/.profile prepends ~/bin to PATH and exports DATABASE_URL.
report::EnvReport seed() {
  spawn::SpawnSpec s;
  s.name = "web";
  s.user = "app";
  s.uid = 1001;
  s.base.source = spawn::BaseEnvSource::Invoker;
  for (const auto& [k, v] : {std::pair{"HOME", "/root"},
                             {"USER", "root"},
                             {"LOGNAME", "root"},
                             {"SHELL", "/bin/bash"},
                             {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                             {"LANG", "C.UTF-8"},
                             {"SUPERVISOR_ENABLED", "1"},
                             {"API_TOKEN", "tok-spawn-123"}})
    s.env.set(k, v);
  login::LoginEnv l{"login-shell", {}, true};
  for (const auto& [k, v] : {std::pair{"HOME", "/home/app"},
                             {"USER", "app"},
                             {"LOGNAME", "app"},
                             {"SHELL", "/bin/bash"},
                             {"PATH", "/home/app/bin:/usr/local/bin:/usr/bin:/bin"},
                             {"MAIL", "/var/mail/app"},
                             {"DATABASE_URL", "postgres://app:hunter2@db/app"},
                             {"SECRET_KEY", "s3cr3t"}})
    l.env.set(k, v);
  return report::make_env_report(s, l, "/etc/supervisor/conf.d/web.conf");
}

std::string render(const report::EnvReport& r, report::Format f, bool redact = true) {
  std::ostringstream out;
  report::RenderOptions o;
  o.redact = redact;
  report::render_env(r, f, o, out);
  return out.str();
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("text: identity as root's vs the user's, PATH as entries, the profile's variables") {
  std::string t = render(seed(), report::Format::Text);
  CAPTURE(t);
  CHECK(has(t, "web: the environment supervisord would give it, against a login of app (uid 1001)"));
  CHECK(has(t, "  Login:  login-shell\n"));
  CHECK(has(t, "  Base:   invoker, assumed\n"));
  CHECK(has(t, "  Identity (user= does not change these):\n"));
  CHECK(has(t, "    HOME          /root"));
  CHECK(has(t, "/home/app\n"));
  CHECK(has(t, "    PATH          the spawn lacks /home/app/bin (the login has them)\n"));
  CHECK(has(t, "only the spawn has /usr/local/sbin, /usr/sbin, /sbin\n"));
  CHECK(has(t, "    DATABASE_URL  (unset)"));
  CHECK(has(t, "postgres://app:***@db/app"));
  CHECK(has(t, "A login session's own (no service needs them): MAIL"));
  CHECK(has(t, "Facts for rules: login_only_vars, path_lacks_login_entries\n"));
  CHECK_FALSE(has(t, "SUPERVISOR_ENABLED"));
  CHECK_FALSE(has(t, "hunter2"));
  CHECK_FALSE(has(t, "s3cr3t"));
}

TEST_CASE("json: the diff with list entries, the facts, both environments, redacted") {
  auto j = nlohmann::json::parse(render(seed(), report::Format::Json));
  CHECK(j["schema"] == "bootmortem-env/1");
  CHECK(j["program"] == "web");
  CHECK(j["login"]["method"] == "login-shell");
  CHECK(j["login"]["captured"] == true);
  nlohmann::json path;
  for (const auto& d : j["env_diff"])
    if (d["name"] == "PATH") path = d;
  REQUIRE(path.is_object());
  CHECK(path["kind"] == "search-path");
  CHECK(path["missing"] == nlohmann::json::array({"/home/app/bin"}));
  CHECK(path["extra"] == nlohmann::json::array({"/usr/local/sbin", "/usr/sbin", "/sbin"}));
  CHECK(j["facts"]["path_lacks_login_entries"] == true);
  CHECK(j["values"]["login_only_vars"] == "DATABASE_URL, SECRET_KEY");
  CHECK(j["login_env"]["SECRET_KEY"] == "***");
  CHECK(j["login_env"]["DATABASE_URL"] == "postgres://app:***@db/app");
  CHECK(j["spawn_env"]["API_TOKEN"] == "***");
  CHECK(j["spawn_env"]["HOME"] == "/root");
}

TEST_CASE("--no-redact shows the values; redaction is the default in every format") {
  for (auto f : {report::Format::Text, report::Format::Markdown, report::Format::Json}) {
    std::string out = render(seed(), f);
    CHECK_FALSE(has(out, "hunter2"));
    CHECK_FALSE(has(out, "s3cr3t"));
    CHECK_FALSE(has(out, "tok-spawn-123"));
  }
  CHECK(has(render(seed(), report::Format::Json, false), "hunter2"));
  CHECK(has(render(seed(), report::Format::Text, false), "s3cr3t"));
}

TEST_CASE("a list variable's entries come from the masked value") {
  std::vector<evidence::EnvDiff> diff = {
      {"PATH", "/a", "/a:/home/u/bin", "search-path", {"/home/u/bin"}, {}},
      {"PYTHONPATH", "/x", "https://u:pw@h/x:/y", "search-path", {"https://u:pw@h/x"}, {"/x"}},
  };
  auto r = report::redact_env_diff(diff);
  CHECK(r[0].missing == std::vector<std::string>{"/home/u/bin"});
  CHECK(r[1].missing == std::vector<std::string>{"https", "//u", "***@h/x", "/y"});
}

TEST_CASE("no difference says so") {
  spawn::SpawnSpec s;
  s.name = "web";
  s.user = "app";
  s.env.set("HOME", "/home/app");
  login::LoginEnv l{"login-shell", s.env, true};
  std::string t = render(report::make_env_report(s, l, "x.conf"), report::Format::Text);
  CHECK(has(t, "No difference: the child would get what a login of app has."));
}
