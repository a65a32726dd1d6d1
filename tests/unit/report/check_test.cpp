// `bootmortem check`'s report on hand-built runs: the exit code over
// programs, the JUnit file CI servers read (counts, escaping, bytes XML
// cannot hold), the text summary and the JSON document.
#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "../rules/seed_evidence.h"
#include "golden.h"
#include "report/report.h"

using namespace bootmortem;
using nlohmann::json;

namespace {

rules::Finding egg_cache_finding() {
  rules::Finding f;
  f.rule = "home-python-egg-cache";
  f.title = "Python egg cache under a HOME the user cannot write";
  f.cause = "pkg_resources extracts zipped eggs under HOME=/root.";
  f.fix = "Add environment=HOME=\"/home/cissoid\" to [program:test_server].";
  f.confidence = 0.9;
  f.evidence = {"mkdir(\"/root/.cache\", 0755) = -1 EACCES"};
  return f;
}

report::Report program(const std::string& name, bool starts, bool explained) {
  report::Report r;
  r.config_path = "/etc/supervisor/supervisord.conf";
  r.ev = testing::seed_evidence(false);
  r.ev.spec.name = name;
  r.ev.spec.base.source = spawn::BaseEnvSource::Invoker;
  r.ev.spec.base.observed = false;
  if (starts) {
    r.ev.trace.verdict = trace::Verdict::Starts;
    r.ev.trace.exit_code.reset();
    r.ev.trace.after_ms = 6000;
    r.ev.trace.watched_ms = 6000;
  } else {
    r.ev.trace.verdict = trace::Verdict::Fails;
    r.ev.trace.after_ms = 512;
  }
  if (explained && !starts) r.findings = {egg_cache_finding()};
  return r;
}

report::CheckReport three(bool unexplained) {
  report::CheckReport c;
  c.config_path = "/etc/supervisor/supervisord.conf";
  c.programs = {program("test_server", false, true), program("web", true, false),
                program("worker", false, !unexplained)};
  return c;
}

std::string render(const report::CheckReport& c, report::Format f) {
  std::ostringstream out;
  report::render(c, f, {}, out);
  return out.str();
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("exit code: 0 when all start, 1 when each failure has a cause, 3 when one has none") {
  auto c = three(false);
  CHECK(report::exit_code(c) == 1);
  CHECK(report::exit_code(three(true)) == 3);
  c.programs = {program("web", true, false)};
  CHECK(report::exit_code(c) == 0);
}

TEST_CASE("junit: golden; a testcase per program, failures counted, the rule as the failure's type") {
  const std::string xml = render(three(true), report::Format::Junit);
  testing::golden("check.junit.xml", xml);
  CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bootmortem\" tests=\"3\" "
                        "failures=\"2\" errors=\"0\" time=\"7.024\">\n"));
  CHECK(count(xml, "<testcase ") == 3);
  CHECK(count(xml, "<failure ") == 2);
  // One that starts: the last lines of its stderr, for a log that asks why it passed.
  CHECK(xml.find("<testcase name=\"web\" classname=\"supervisord.conf\" time=\"6.000\">\n      <system-err>") !=
        std::string::npos);
  CHECK(count(xml, "<system-err>") == 1);
  CHECK(xml.find("<failure type=\"home-python-egg-cache\" message=\"Python egg cache under a HOME the user cannot "
                 "write\">") != std::string::npos);
  CHECK(xml.find("<failure type=\"unexplained\" message=\"worker fails: exit status 3 after 512 ms "
                 "(startsecs=1): BACKOFF, then FATAL after about 8.0 s (4 starts)\">") != std::string::npos);
  // The failure's text is the program's text report, secrets masked.
  CHECK(xml.find("Fix:\n  Add environment=HOME=&quot;/home/cissoid&quot; to [program:test_server].") !=
        std::string::npos);
  CHECK(xml.find("hunter2") == std::string::npos);
}

TEST_CASE("junit: markup is escaped, and what XML 1.0 cannot hold becomes U+FFFD") {
  report::CheckReport c;
  c.config_path = "/srv/a&b/supervisord.conf";
  c.programs = {program("test_server", false, true)};
  c.programs[0].findings[0].title = "<HOME> is \"root's\" & not cissoid's";
  c.programs[0].ev.trace.err.head = "bad \xff byte, a bell \x07, an escape \x1b[31m, caf\xc3\xa9\r\n";
  c.programs[0].ev.trace.err.total = c.programs[0].ev.trace.err.head.size();
  const std::string xml = render(c, report::Format::Junit);
  CHECK(xml.find("<testsuite name=\"/srv/a&amp;b/supervisord.conf\"") != std::string::npos);
  CHECK(xml.find("message=\"&lt;HOME&gt; is &quot;root&apos;s&quot; &amp; not cissoid&apos;s\"") != std::string::npos);
  CHECK(xml.find("bad \xef\xbf\xbd byte, a bell \xef\xbf\xbd, an escape \xef\xbf\xbd[31m, caf\xc3\xa9&#13;") !=
        std::string::npos);
  CHECK(xml.find('\x07') == std::string::npos);
  CHECK(xml.find('\x1b') == std::string::npos);
  CHECK(xml.find('\xff') == std::string::npos);
}

TEST_CASE("junit from diagnose: one report, one testcase") {
  std::ostringstream out;
  report::render(program("test_server", false, true), report::Format::Junit, {}, out);
  CHECK(count(out.str(), "<testcase ") == 1);
  CHECK(out.str().find("tests=\"1\" failures=\"1\"") != std::string::npos);
}

TEST_CASE("text: a line per program, then the report of each that fails") {
  const std::string text = render(three(true), report::Format::Text);
  CHECK(text.starts_with("bootmortem check /etc/supervisor/supervisord.conf: 3 programs, 1 starts, 2 fail\n"
                         "  FAIL  test_server fails: exit status 3 after 512 ms (startsecs=1): BACKOFF, then FATAL "
                         "after about 8.0 s (4 starts)\n"
                         "        Python egg cache under a HOME the user cannot write [home-python-egg-cache]\n"
                         "  ok    web starts: still up after 6000 ms (startsecs=1): RUNNING through startsecs and the "
                         "settle window (6 s watched)\n"
                         "  FAIL  worker fails: exit status 3 after 512 ms (startsecs=1): BACKOFF, then FATAL after "
                         "about 8.0 s (4 starts)\n"
                         "        no rule explains it\n"));
  CHECK(count(text, "\n── ") == 2);
  CHECK(text.find("── web ──") == std::string::npos);
  CHECK(text.find("No rule explains this failure") != std::string::npos);
}

TEST_CASE("text, quiet (-q): a line per program, ok or FAIL and its verdict, and nothing else") {
  std::ostringstream out;
  report::RenderOptions o;
  o.quiet = true;
  report::render(three(true), report::Format::Text, o, out);
  CHECK(out.str() ==
        "FAIL  test_server fails: exit status 3 after 512 ms (startsecs=1): BACKOFF, then FATAL after about 8.0 s "
        "(4 starts)\n"
        "ok    web starts: still up after 6000 ms (startsecs=1): RUNNING through startsecs and the settle window "
        "(6 s watched)\n"
        "FAIL  worker fails: exit status 3 after 512 ms (startsecs=1): BACKOFF, then FATAL after about 8.0 s "
        "(4 starts)\n");
  o.color = true;
  out.str("");
  report::render(three(true), report::Format::Text, o, out);
  CHECK(out.str().starts_with("\x1b[1m\x1b[31mFAIL\x1b[0m  test_server fails: "));
}

TEST_CASE("markdown: the table, then each failing program's report") {
  const std::string md = render(three(true), report::Format::Markdown);
  CHECK(md.find("| `test_server` | **fails** | Python egg cache under a HOME the user cannot write "
                "(`home-python-egg-cache`) |") != std::string::npos);
  CHECK(md.find("| `web` | starts |  |") != std::string::npos);
  CHECK(md.find("| `worker` | **fails** | no rule explains it |") != std::string::npos);
  CHECK(count(md, "# bootmortem: ") == 2);
}

TEST_CASE("json: bootmortem-check/1, the summary, each program's bootmortem/1 object") {
  json j = json::parse(render(three(true), report::Format::Json));
  CHECK(j["schema"] == "bootmortem-check/1");
  CHECK(j["config"] == "/etc/supervisor/supervisord.conf");
  CHECK(j["summary"] == json{{"programs", 3}, {"start", 1}, {"fail", 2}, {"unexplained", 1}});
  REQUIRE(j["programs"].size() == 3);
  CHECK(j["programs"][0]["schema"] == "bootmortem/1");
  CHECK(j["programs"][0]["program"] == "test_server");
  CHECK(j["programs"][0]["findings"][0]["rule"] == "home-python-egg-cache");
  CHECK(j["programs"][1]["verdict"] == "starts");
  CHECK(j["programs"][2]["findings"].empty());
}
