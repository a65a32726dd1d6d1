// check --static's report: exit status from failures alone, file:line on
// every result in each format.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "report/report.h"

using namespace bootmortem;
using namespace bootmortem::report;

namespace {

StaticResult result(const std::string& rule, int line, bool failure) {
  StaticResult r;
  r.finding.rule = rule;
  r.finding.title = "title of " + rule;
  r.finding.family = "preflight";
  r.finding.cause = "because";
  r.finding.fix = "do this";
  r.finding.location = {"/etc/supervisor/conf.d/app.conf", line};
  r.failure = failure;
  return r;
}

StaticReport report_with(std::vector<StaticResult> web, std::vector<StaticResult> worker) {
  StaticReport c;
  c.config_path = "/etc/supervisor/supervisord.conf";
  c.programs.push_back({"web", "program:web", {"/etc/supervisor/conf.d/app.conf", 3}, std::move(web)});
  c.programs.push_back({"worker", "program:worker", {"/etc/supervisor/conf.d/app.conf", 9}, std::move(worker)});
  return c;
}

std::string rendered(const StaticReport& c, Format f) {
  std::ostringstream out;
  render(c, f, RenderOptions{}, out);
  return out.str();
}

}  // namespace

TEST_CASE("exit status: 1 with a failing result anywhere, 0 with warnings alone") {
  CHECK(exit_code(report_with({}, {})) == 0);
  CHECK(exit_code(report_with({result("preflight-home-unset", 6, false)}, {})) == 0);
  CHECK(exit_code(report_with({}, {result("preflight-user-missing", 11, true)})) == 1);
  StaticReport c = report_with({}, {});
  c.config.push_back(result("preflight-logdir-missing", 2, true));
  CHECK(exit_code(c) == 1);
}

TEST_CASE("every format names each result's file:line") {
  const auto c = report_with({result("preflight-home-unset", 6, false)}, {result("preflight-user-missing", 11, true)});
  const std::string text = rendered(c, Format::Text);
  CHECK(text.find("  ok    web: 0 failures, 1 warning") != std::string::npos);
  CHECK(text.find("  FAIL  worker: 1 failure, 0 warnings") != std::string::npos);
  CHECK(text.find("warn /etc/supervisor/conf.d/app.conf:6: title of preflight-home-unset [preflight-home-unset]") !=
        std::string::npos);
  CHECK(text.find("FAIL /etc/supervisor/conf.d/app.conf:11: title of preflight-user-missing") != std::string::npos);
  CHECK(rendered(c, Format::Markdown).find("`/etc/supervisor/conf.d/app.conf:11`") != std::string::npos);
  const auto j = nlohmann::json::parse(rendered(c, Format::Json));
  CHECK(j["schema"] == "bootmortem-check-static/1");
  CHECK(j["programs"][1]["results"][0]["file"] == "/etc/supervisor/conf.d/app.conf");
  CHECK(j["programs"][1]["results"][0]["line"] == 11);
  CHECK(j["programs"][1]["results"][0]["severity"] == "failure");
  CHECK(j["programs"][0]["fails"] == false);
  const std::string junit = rendered(c, Format::Junit);
  CHECK(junit.find("<testcase name=\"web\" classname=\"supervisord.conf\" time=\"0.000\">\n      <system-out>") !=
        std::string::npos);
  CHECK(junit.find("<failure type=\"preflight-user-missing\" message=\"/etc/supervisor/conf.d/app.conf:11: title of "
                   "preflight-user-missing\">") != std::string::npos);
  CHECK(junit.find("tests=\"2\" failures=\"1\"") != std::string::npos);
}
