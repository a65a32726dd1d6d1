// `bootmortem summarize`'s model and renderers, fed the JSON the real
// renderers write: the seed incident as reported by several hosts.
#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "../rules/seed_evidence.h"
#include "report/report.h"
#include "report/summary.h"
#include "rules/rules.h"

using namespace bootmortem;
using nlohmann::json;

namespace {

core::Stamp stamp(const std::string& host, const std::string& time = "2026-12-07T20:40:00Z") {
  return core::Stamp{host, "0a1b2c3d-boot", time};
}

// The seed incident on a host: its top finding is the pack's rule for it.
report::Report seed_on(const std::string& host, const std::string& time = "2026-12-07T20:40:00Z") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  r.findings = rules::RulePack::load_dir(BOOTMORTEM_SOURCE_DIR "/rules").match(r.ev);
  r.config_path = "/etc/supervisor/conf.d/test_server.conf";
  r.stamp = stamp(host, time);
  return r;
}

std::string json_of(const report::Report& r) {
  std::ostringstream out;
  report::render(r, report::Format::Json, {}, out);
  return out.str();
}

report::Summary summary_of(const std::string& stream, const std::string& source = "reports") {
  report::Summary s;
  std::istringstream in(stream);
  s.read(in, source);
  return s;
}

std::string rendered(const report::Summary& s, report::Format f) {
  std::ostringstream out;
  report::render_summary(s, f, out);
  return out.str();
}

std::string seed_rule() { return seed_on("x").findings.at(0).rule; }

}  // namespace

TEST_CASE("every JSON report names its host and time; an unstamped one does not pretend") {
  auto j = json::parse(json_of(seed_on("web-1")));
  CHECK(j["host"] == json{{"hostname", "web-1"}, {"boot_id", "0a1b2c3d-boot"}});
  CHECK(j["time"] == "2026-12-07T20:40:00Z");
  // Right after the schema, where a reader looks first.
  const std::string text = json_of(seed_on("web-1"));
  CHECK(text.find("\"schema\"") < text.find("\"host\""));
  CHECK(text.find("\"time\"") < text.find("\"program\""));

  report::Report bare = seed_on("web-1");
  bare.stamp = {};
  CHECK_FALSE(json::parse(json_of(bare)).contains("host"));

  report::CheckReport c;
  c.config_path = "/etc/supervisor/supervisord.conf";
  c.stamp = stamp("web-2");
  c.programs.push_back(seed_on("ignored"));
  c.programs.back().stamp = {};
  std::ostringstream out;
  report::render(c, report::Format::Json, {}, out);
  auto cj = json::parse(out.str());
  CHECK(cj["host"]["hostname"] == "web-2");
  CHECK_FALSE(cj["programs"][0].contains("host"));
}

TEST_CASE("the error document: schema, host, command, program, the error redacted") {
  std::ostringstream out;
  report::render_error_json(stamp("db-1"), "diagnose", "worker",
                            "/etc/supervisor/conf.d/w.conf:3: bad url postgres://app:hunter2@db/app", out);
  auto j = json::parse(out.str());
  CHECK(j["schema"] == "bootmortem-error/1");
  CHECK(j["host"]["hostname"] == "db-1");
  CHECK(j["command"] == "diagnose");
  CHECK(j["program"] == "worker");
  CHECK(j["error"].get<std::string>().find("w.conf:3") != std::string::npos);
  CHECK(j["error"].get<std::string>().find("hunter2") == std::string::npos);
  std::ostringstream none;
  report::render_error_json(stamp("db-1"), "check", "", "no config", none);
  CHECK(json::parse(none.str())["program"].is_null());
}

TEST_CASE("a fleet: two hosts share a cause, one is unexplained, one could not run") {
  report::Report unexplained = seed_on("db-1");
  unexplained.findings.clear();
  std::ostringstream err;
  report::render_error_json(stamp("db-2"), "ansible", "", "unreachable: ssh: connect to host db-2 port 22", err);
  // One stream of concatenated documents, as `cat reports/*/*.json | bootmortem summarize -` gives.
  const auto s = summary_of(json_of(seed_on("web-1")) + json_of(seed_on("web-2")) + json_of(unexplained) + err.str());
  CHECK(s.documents == 4);
  CHECK(s.skipped.empty());
  CHECK(s.hosts == std::vector<std::string>{"web-1", "web-2", "db-1", "db-2"});
  const auto g = s.groups();
  REQUIRE(g.causes.size() == 1);
  const size_t cause = g.causes[0].cause;
  const auto& programs = g.causes[0].programs;
  CHECK(s.causes[cause].rule == seed_rule());
  CHECK(programs.size() == 2);
  CHECK(s.causes[cause].fix_variants() == 1);
  CHECK(g.unexplained.size() == 1);
  CHECK(s.hosts[s.programs[g.unexplained[0]].host] == "db-1");
  // The seed's gunicorn: its last line on stderr, not the whole tail.
  CHECK(s.programs[g.unexplained[0]].stderr_last.find("Reason: Worker failed to boot.") != std::string::npos);
  CHECK(s.programs[g.unexplained[0]].stderr_last.find('\n') == std::string::npos);
  CHECK(s.errors.size() == 1);
  CHECK(report::exit_code(s) == 3);

  auto j = json::parse(rendered(s, report::Format::Json));
  CHECK(j["schema"] == "bootmortem-summary/1");
  CHECK(j["causes"].size() == 1);
  CHECK(j["causes"][0]["rule"] == seed_rule());
  CHECK(j["causes"][0]["programs"] == 2);
  CHECK(j["causes"][0]["hosts"] == 2);
  CHECK(j["causes"][0]["which"][0]["host"] == "web-1");
  CHECK(j["causes"][0]["which"][1]["host"] == "web-2");
  CHECK(j["causes"][0]["which"][0]["program"] == "test_server");
  CHECK(j["unexplained"][0]["host"] == "db-1");
  CHECK(j["errors"][0]["host"] == "db-2");
  CHECK(j["errors"][0]["error"].get<std::string>().find("unreachable") == 0);
  CHECK(j["totals"]["programs"] == 3);
  CHECK(j["totals"]["fail"] == 3);
  CHECK(j["totals"]["error_hosts"] == 1);

  const std::string text = rendered(s, report::Format::Text);
  CHECK(text.rfind("bootmortem summary: 3 programs on 3 hosts fail: 1 cause, 1 unexplained; bootmortem could not "
                   "run on 1 host\n",
                   0) == 0);
  CHECK(text.find("2 programs on 2 hosts") != std::string::npos);
  CHECK(text.find("on: web-1 (test_server); web-2 (test_server)") != std::string::npos);
  CHECK(text.find("db-2: ansible: unreachable") != std::string::npos);
}

TEST_CASE("a check report counts each of its programs on its host") {
  report::CheckReport c;
  c.config_path = "/etc/supervisor/supervisord.conf";
  c.stamp = stamp("web-3");
  c.programs.push_back(seed_on(""));
  c.programs.push_back(seed_on(""));
  c.programs.back().ev.spec.name = "other";
  c.programs.back().ev.trace.verdict = trace::Verdict::Starts;
  c.programs.back().findings.clear();
  for (auto& p : c.programs) p.stamp = {};
  std::ostringstream out;
  report::render(c, report::Format::Json, {}, out);
  const auto s = summary_of(out.str());
  CHECK(s.documents == 1);
  REQUIRE(s.programs.size() == 2);
  const auto g = s.groups();
  CHECK(g.causes.size() == 1);
  CHECK(g.starts.size() == 1);
  CHECK(s.hosts == std::vector<std::string>{"web-3"});
  CHECK(report::exit_code(s) == 1);
}

TEST_CASE("reports of another schema, cut short or not JSON are named and skipped; the rest is read") {
  const std::string good = json_of(seed_on("web-1"));
  auto s = summary_of(good.substr(0, good.size() / 2), "reports/web-2/worker.json");
  REQUIRE(s.skipped.size() == 1);
  CHECK(s.skipped[0].source == "reports/web-2/worker.json");
  CHECK(s.skipped[0].why.find("cut short") == 0);
  CHECK(s.documents == 0);

  s = summary_of(R"({"schema": "bootmortem-trace/1", "program": "x"})", "t.json");
  REQUIRE(s.skipped.size() == 1);
  CHECK(s.skipped[0].why.find("schema \"bootmortem-trace/1\" is not one summarize reads") == 0);

  s = summary_of("[1, 2, 3]", "a.json");
  CHECK(s.skipped.at(0).why == "not a bootmortem report (no \"schema\")");

  s = summary_of("PLAY RECAP ****\n", "log.json");
  CHECK(s.skipped.at(0).why == "not JSON at byte 0");

  // A bad token inside a document: named at its byte; the next document is still read.
  s = summary_of("{\"schema\": bootmortem}\n" + good, "two.json");
  REQUIRE(s.skipped.size() == 1);
  CHECK(s.skipped[0].source == "two.json");
  CHECK(s.skipped[0].why == "not JSON: the document at byte 0 does not parse");
  CHECK(s.documents == 1);

  // Braces and quotes inside strings, escaped quotes and backslashes, do not end a document.
  report::Report odd = seed_on("web-1");
  odd.ev.trace.err.head = "{[\"}\\\" ]}\\\n";
  s = summary_of(json_of(odd) + json_of(odd));
  CHECK(s.skipped.empty());
  CHECK(s.documents == 2);

  s = summary_of("  \n", "empty.json");
  CHECK(s.skipped.at(0).why == "empty");

  // A good document, then a broken one: the first counts, the second is named by its number.
  s = summary_of(good + "{\"schema\": \"bootmortem/1\", ", "stdin");
  CHECK(s.documents == 1);
  REQUIRE(s.skipped.size() == 1);
  CHECK(s.skipped[0].source == "stdin (document 2)");
  CHECK(s.programs.size() == 1);
}

TEST_CASE("the same program on the same host twice: the newer report stands, whichever comes first") {
  report::Report old_fail = seed_on("web-1", "2026-12-07T10:00:00Z");
  report::Report new_ok = seed_on("web-1", "2026-12-07T11:00:00Z");
  new_ok.ev.trace.verdict = trace::Verdict::Starts;
  new_ok.findings.clear();
  for (const auto& stream : {json_of(old_fail) + json_of(new_ok), json_of(new_ok) + json_of(old_fail)}) {
    const auto s = summary_of(stream);
    CHECK(s.superseded == 1);
    REQUIRE(s.programs.size() == 1);
    CHECK(s.programs[0].starts);
    CHECK(s.reports[s.programs[0].report].time == "2026-12-07T11:00:00Z");
    CHECK(s.groups().causes.empty());  // the old failure's cause has no program left
    CHECK(report::exit_code(s) == 0);
  }
}

TEST_CASE("the Markdown is a table a ticket holds: a row per cause, pipes escaped") {
  report::Report a = seed_on("web-1"), b = seed_on("web-2"), c = seed_on("db-1");
  c.findings.at(0).rule = "some-other-rule";
  c.findings.at(0).title = "a | b";  // a pipe would split the cell
  const auto s = summary_of(json_of(a) + json_of(b) + json_of(c));
  const std::string md = rendered(s, report::Format::Markdown);
  std::istringstream lines(md);
  std::string line;
  std::vector<std::string> table;
  while (std::getline(lines, line))
    if (line.rfind("|", 0) == 0) table.push_back(line);
  REQUIRE(table.size() == 4);  // header, separator, two causes
  CHECK(table[0] == "| # | Cause | Rule | Programs | Hosts | Fix verified | Where |");
  CHECK(table[2].find("| 1 | ") == 0);
  CHECK(table[2].find("| 2 | 2 |") != std::string::npos);  // programs, hosts
  CHECK(table[3].find("a \\| b") != std::string::npos);
  // Every row has the header's number of cells.
  auto cells = [](const std::string& row) {
    size_t n = 0;
    for (size_t i = 0; i < row.size(); ++i)
      if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++n;
    return n;
  };
  for (const auto& row : table) CHECK(cells(row) == cells(table[0]));
  CHECK(md.find("## 1. ") != std::string::npos);
  CHECK(md.find("**Fix:** ") != std::string::npos);
}

TEST_CASE("fixes that differ for one cause: the most common is shown, the variants counted") {
  report::Report a = seed_on("web-1"), b = seed_on("web-2"), c = seed_on("web-3");
  c.findings.at(0).fix = "a different fix";
  const auto s = summary_of(json_of(a) + json_of(b) + json_of(c));
  const auto g = s.groups();
  REQUIRE(g.causes.size() == 1);
  const auto& cause = s.causes[g.causes[0].cause];
  CHECK(cause.fix_variants() == 2);
  CHECK(cause.most_common().programs == 2);
  CHECK(cause.most_common().shown_text() == a.findings.at(0).fix);
  CHECK(rendered(s, report::Format::Text).find("2 variants") != std::string::npos);
}

TEST_CASE("a report's bulk is not kept: stderr to its last line, findings to the top one") {
  report::Report r = seed_on("web-1");
  r.ev.trace.err.head = std::string(200000, 'x') + "\nthe last line\n";
  const auto s = summary_of(json_of(r));
  REQUIRE(s.programs.size() == 1);
  CHECK(s.programs[0].stderr_last == "the last line");
}

TEST_CASE("no failure, no error: exit 0 and a headline that says so") {
  report::Report ok = seed_on("web-1");
  ok.ev.trace.verdict = trace::Verdict::Starts;
  ok.findings.clear();
  const auto s = summary_of(json_of(ok));
  CHECK(report::exit_code(s) == 0);
  CHECK(rendered(s, report::Format::Text).rfind("bootmortem summary: every program starts (1 on 1 host)", 0) == 0);
}

TEST_CASE("the same fix for differently named programs is one, with {program} in the name's place") {
  report::Report a = seed_on("web-1"), b = seed_on("web-1"), c = seed_on("web-2");
  b.ev.spec.name = "test_server_2";
  // The renderer names the program in its fix: as the pack would for test_server_2.
  auto rename = [](std::string s, const std::string& from, const std::string& to) {
    for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) s.replace(i, from.size(), to);
    return s;
  };
  b.findings.at(0).fix = rename(a.findings.at(0).fix, "test_server", "test_server_2");
  b.findings.at(0).patch.clear();
  a.findings.at(0).patch.clear();
  c.findings.at(0).patch.clear();
  REQUIRE(b.findings.at(0).fix != a.findings.at(0).fix);
  auto s = summary_of(json_of(a) + json_of(c));
  auto g = s.groups();
  REQUIRE(g.causes.size() == 1);
  // One name on every host: the fix as the reports wrote it.
  CHECK(s.causes[g.causes[0].cause].most_common().shown_text() == a.findings.at(0).fix);
  s = summary_of(json_of(a) + json_of(b) + json_of(c));
  g = s.groups();
  const auto& cause = s.causes[g.causes[0].cause];
  CHECK(cause.fix_variants() == 1);
  CHECK(cause.most_common().programs == 3);
  CHECK(cause.most_common().shown_text().find("[program:{program}]") != std::string::npos);
  CHECK(rendered(s, report::Format::Text).find("{program}: each program's name") != std::string::npos);
}
