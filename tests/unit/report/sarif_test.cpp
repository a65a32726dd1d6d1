// SARIF 2.1.0 on hand-built runs: the log's frame, the rule metadata each
// result names, levels, and locations a code-scanning upload can place on a
// repository's file (relative URI, the finding's line, else the section's).
#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "../rules/seed_evidence.h"
#include "report/report.h"

using namespace bootmortem;
using nlohmann::json;

namespace {

const std::string k_conf = "/srv/repo/deploy/conf.d/app.conf";

rules::Finding finding(const std::string& rule, int line) {
  rules::Finding f;
  f.rule = rule;
  f.title = "Python egg cache under a HOME the user cannot write";
  f.family = "home";
  f.cause = "pkg_resources extracts zipped eggs under HOME=/root.";
  f.fix = "Add environment=HOME=\"/home/cissoid\" to [program:test_server].";
  f.patch = "--- " + k_conf + "\n+++ " + k_conf +
            "\n@@ -5,1 +5,1 @@\n-environment=A=\"1\"\n+environment=A=\"1\",HOME=\"/home/cissoid\"\n";
  f.confidence = 0.9;
  f.verified = true;
  f.verification = "replayed with the fix: RUNNING";
  f.location = {k_conf, line};
  return f;
}

report::Report program(const std::string& name, bool starts, std::vector<rules::Finding> findings) {
  report::Report r;
  r.config_path = "/srv/repo/deploy/supervisord.conf";
  r.ev = testing::seed_evidence(false);
  r.ev.spec.name = name;
  r.ev.spec.section = "program:" + name;
  r.ev.spec.source = {k_conf, 3};
  r.ev.trace.verdict = starts ? trace::Verdict::Starts : trace::Verdict::Fails;
  if (starts) r.ev.trace.exit_code.reset();
  r.findings = std::move(findings);
  return r;
}

json sarif(const report::CheckReport& c, report::RenderOptions o = {}) {
  if (o.base_dir.empty()) o.base_dir = "/srv/repo";
  std::ostringstream out;
  report::render(c, report::Format::Sarif, o, out);
  return json::parse(out.str());
}

report::CheckReport check_of(std::vector<report::Report> programs) {
  report::CheckReport c;
  c.config_path = "/srv/repo/deploy/supervisord.conf";
  c.programs = std::move(programs);
  return c;
}

}  // namespace

TEST_CASE("sarif: one run of bootmortem; a result per finding at the finding's line, relative to the checkout") {
  const json log = sarif(check_of({program("test_server", false, {finding("home-python-egg-cache", 5)}),
                                   program("web", true, {})}));
  CHECK(log["version"] == "2.1.0");
  CHECK(log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json");
  REQUIRE(log["runs"].size() == 1);
  const json& run = log["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "bootmortem");
  CHECK(run["tool"]["driver"]["version"] == BOOTMORTEM_VERSION);
  CHECK(run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///srv/repo/");

  // The rule as the pack describes it, once.
  const json& rules = run["tool"]["driver"]["rules"];
  REQUIRE(rules.size() == 1);
  CHECK(rules[0]["id"] == "home-python-egg-cache");
  CHECK(rules[0]["name"] == "HomePythonEggCache");
  CHECK(rules[0]["shortDescription"]["text"] == "Python egg cache under a HOME the user cannot write.");
  CHECK(rules[0]["fullDescription"]["text"] == "pkg_resources extracts zipped eggs under HOME=/root.");
  const std::string help = rules[0]["help"]["text"];
  CHECK(help.starts_with("Add environment=HOME=\"/home/cissoid\" to [program:test_server].\n\n--- "));
  CHECK(rules[0]["help"]["markdown"].get<std::string>().find("```diff\n") != std::string::npos);

  // The program that starts has no finding: nothing to annotate.
  REQUIRE(run["results"].size() == 1);
  const json& r = run["results"][0];
  CHECK(r["ruleId"] == "home-python-egg-cache");
  CHECK(r["ruleIndex"] == 0);
  CHECK(r["level"] == "error");
  CHECK(r["message"]["text"] == "test_server: pkg_resources extracts zipped eggs under HOME=/root.");
  const json& at = r["locations"][0]["physicalLocation"];
  CHECK(at["artifactLocation"]["uri"] == "deploy/conf.d/app.conf");
  CHECK(at["artifactLocation"]["uriBaseId"] == "%SRCROOT%");
  CHECK(at["region"]["startLine"] == 5);
  CHECK(r["properties"]["program"] == "test_server");
  CHECK(r["properties"]["verified"] == true);
  CHECK(r["properties"]["verdict"] == "fails");
  CHECK(r["partialFingerprints"]["bootmortemFinding/v1"] == "test_server/home-python-egg-cache");
}

TEST_CASE("sarif: no line of its own is the section header's; a file outside the checkout is an absolute URI") {
  auto p = program("test_server", false, {finding("home-python-egg-cache", 0)});
  json r = sarif(check_of({p}))["runs"][0]["results"][0];
  CHECK(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 3);

  p.findings[0].location = {"/etc/supervisor/my app.conf", 7};
  r = sarif(check_of({p}))["runs"][0]["results"][0];
  const json& artifact = r["locations"][0]["physicalLocation"]["artifactLocation"];
  CHECK(artifact["uri"] == "file:///etc/supervisor/my%20app.conf");
  CHECK_FALSE(artifact.contains("uriBaseId"));
  CHECK(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 7);

  // A sibling whose name starts like the checkout's is not under it.
  p.findings[0].location = {"/srv/repository/app.conf", 2};
  r = sarif(check_of({p}))["runs"][0]["results"][0];
  CHECK(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///srv/repository/app.conf");
}

TEST_CASE("sarif: levels; an unexplained failure is an error of its own rule at the section header") {
  auto second = finding("home-inherited-eacces", 5);
  auto revealed = finding("umask-too-tight", 4);
  revealed.round = 2;
  auto healthy = finding("home-python-egg-cache", 5);
  const json run =
      sarif(check_of({program("test_server", false, {finding("home-python-egg-cache", 5), second, revealed}),
                      program("web", true, {healthy}), program("worker", false, {})}))["runs"][0];
  const json& results = run["results"];
  REQUIRE(results.size() == 5);
  CHECK(results[0]["level"] == "error");    // the top finding
  CHECK(results[1]["level"] == "warning");  // a less likely explanation
  CHECK(results[2]["level"] == "error");    // what stood behind the first cause
  CHECK(results[3]["level"] == "note");     // a program that starts
  CHECK(results[3]["message"]["text"].get<std::string>().starts_with("web: "));
  // One descriptor per rule, whichever program found it.
  const json& rules = run["tool"]["driver"]["rules"];
  REQUIRE(rules.size() == 4);
  CHECK(results[3]["ruleIndex"] == 0);
  const json& worker = results[4];
  CHECK(worker["ruleId"] == "unexplained-failure");
  CHECK(worker["level"] == "error");
  CHECK(rules[worker["ruleIndex"].get<size_t>()]["id"] == "unexplained-failure");
  CHECK(worker["message"]["text"].get<std::string>().starts_with("worker fails: exit status 3"));
  CHECK(worker["locations"][0]["physicalLocation"]["region"]["startLine"] == 3);
}

TEST_CASE("sarif: a fix the replay applied is an error, whatever its rank") {
  auto p = program("test_server", false, {finding("a", 5), finding("b", 5)});
  p.remedy = report::Remedy{};
  p.remedy->rules = {"a", "b"};
  const json results = sarif(check_of({p}))["runs"][0]["results"];
  CHECK(results[1]["level"] == "error");
}

TEST_CASE("sarif: secrets redacted as in the other formats, unless --no-redact") {
  auto f = finding("env-var-missing", 5);
  f.fix = "Add environment=DATABASE_URL=\"postgres://app:hunter2@db/app\" to [program:test_server].";
  f.evidence = {"stderr: connecting to postgres://app:hunter2@db/app"};
  const auto c = check_of({program("test_server", false, {f})});
  CHECK(sarif(c).dump().find("hunter2") == std::string::npos);
  report::RenderOptions plain;
  plain.redact = false;
  CHECK(sarif(c, plain).dump().find("hunter2") != std::string::npos);
}

TEST_CASE("sarif from diagnose: one report, one run") {
  std::ostringstream out;
  report::RenderOptions o;
  o.base_dir = "/srv/repo/";
  report::render(program("test_server", false, {finding("home-python-egg-cache", 5)}), report::Format::Sarif, o, out);
  const json log = json::parse(out.str());
  REQUIRE(log["runs"].size() == 1);
  CHECK(log["runs"][0]["results"].size() == 1);
  CHECK(log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
        "deploy/conf.d/app.conf");
}
