// The redaction corpus (tests/data/redaction/README.md): secrets in the
// environment, argv, the program's output, the env diff and a proposed
// patch; no report in any format may show one unless asked.
#include <fstream>
#include <set>
#include <sstream>

#include <doctest/doctest.h>
#include <re2/re2.h>

#include "../rules/seed_evidence.h"
#include "report/env.h"
#include "report/report.h"

using namespace bootmortem;

namespace {

const std::string k_dir = BOOTMORTEM_TEST_DATA "/redaction/";

std::string read(const std::string& name) {
  std::ifstream in(k_dir + name, std::ios::binary);
  REQUIRE_MESSAGE(in, "missing corpus file " << k_dir + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l[0] != '#') out.push_back(l);
  return out;
}

core::Env env_file(const std::string& name) {
  core::Env env;
  for (const auto& l : lines(read(name))) {
    auto eq = l.find('=');
    if (eq != std::string::npos) env.set(l.substr(0, eq), l.substr(eq + 1));
  }
  return env;
}

// Every "Secret-0NNN" the corpus holds.
std::set<std::string> corpus_secrets() {
  std::set<std::string> out;
  for (const char* f : {"spawn.env", "login.env", "argv.txt", "output.txt", "patch.txt"}) {
    std::string text = read(f);
    re2::StringPiece in(text);
    std::string id;
    while (RE2::FindAndConsume(&in, R"((Secret-0\d+))", &id)) out.insert(id);
  }
  return out;
}

struct Corpus {
  report::Report diagnose;
  report::EnvReport env;
};

Corpus corpus() {
  Corpus c;
  auto& ev = c.diagnose.ev;
  ev = testing::seed_evidence(false);
  ev.spec.argv = lines(read("argv.txt"));
  ev.spec.env = env_file("spawn.env");
  ev.login = {"login-shell", env_file("login.env"), true};
  ev.env_diff = evidence::diff_env(ev.spec.env, ev.login.env);
  const std::string output = read("output.txt");
  ev.trace.err.head = output;
  ev.trace.err.total = output.size();
  ev.trace.out.head = output;
  ev.trace.out.total = output.size();
  ev.trace.spawnerr = "can't connect: " + lines(output)[1];
  ev.trace.failed.push_back(ev.trace.failed.front());
  ev.trace.failed.back().path = "/srv/app/postgres://app:path-Secret-0501@db/x";
  ev.trace.failed.back().args = "\"/srv/app/postgres://app:path-Secret-0501@db/x\", O_RDONLY";
  ev.trace.failed.back().err = EACCES;

  rules::Finding f;
  f.rule = "corpus";
  f.title = "A finding that quotes what it saw";
  f.cause = "It printed: " + lines(output)[2];
  f.fix = "Set it: environment=SECRET_KEY=\"fix-Secret-0502\"";
  f.config_line = "environment=SECRET_KEY=\"fix-Secret-0502\"";
  f.patch = read("patch.txt");
  f.evidence = lines(output);
  c.diagnose.findings = {f};
  c.diagnose.config_path = "/etc/supervisor/conf.d/app.conf";

  c.env = report::make_env_report(ev.spec, ev.login, "/etc/supervisor/conf.d/app.conf");
  return c;
}

// Every rendering of both reports, labelled for failure messages.
std::vector<std::pair<std::string, std::string>> renderings(const Corpus& c, bool redact) {
  std::vector<std::pair<std::string, std::string>> out;
  report::RenderOptions o;
  o.redact = redact;
  const std::pair<const char*, report::Format> formats[] = {
      {"text", report::Format::Text}, {"markdown", report::Format::Markdown}, {"json", report::Format::Json}};
  for (const auto& [name, f] : formats) {
    std::ostringstream d, e;
    report::render(c.diagnose, f, o, d);
    report::render_env(c.env, f, o, e);
    out.push_back({std::string("diagnose ") + name, d.str()});
    out.push_back({std::string("env ") + name, e.str()});
  }
  return out;
}

}  // namespace

TEST_CASE("redaction corpus: no secret in any format of either report") {
  const auto secrets = corpus_secrets();
  REQUIRE(secrets.size() >= 30);
  const Corpus c = corpus();
  for (const auto& [label, text] : renderings(c, true)) {
    CAPTURE(label);
    for (const auto& s : secrets) {
      CAPTURE(s);
      size_t at = text.find(s);
      CHECK_MESSAGE(at == std::string::npos,
                    "leaks in: " << text.substr(text.rfind('\n', at) + 1, text.find('\n', at) - text.rfind('\n', at)));
    }
  }
}

TEST_CASE("redaction corpus: every secret reaches some report with --no-redact") {
  // Otherwise the first test passes for a secret no renderer ever shows.
  const Corpus c = corpus();
  std::string all;
  for (const auto& [label, text] : renderings(c, false)) all += text;
  for (const auto& s : corpus_secrets()) {
    CAPTURE(s);
    CHECK(all.find(s) != std::string::npos);
  }
}
