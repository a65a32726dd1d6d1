// run/verify with a fake tracer behind LazyTracer: which fix is proven, the
// order the findings end in, the combined patch, and that the config file on
// disk is never written.
#include "run/verify.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "evidence/evidence.h"

using namespace bootmortem;

namespace {

// Starts when the spawn has every variable of `needs` set to "1"; else exits
// 3 naming the first one missing (as Python's KeyError does).
class FakeTracer final : public trace::Tracer {
 public:
  explicit FakeTracer(std::vector<std::string> needs, int* runs) : needs_(std::move(needs)), runs_(runs) {}
  trace::TraceLog run(const spawn::SpawnSpec& spec, const trace::TraceOptions& o) override {
    ++*runs_;
    trace::TraceLog t;
    t.backend = "fake";
    // A tracer that costs the program nothing: its verdicts need no
    // untraced run (run/confirm.h).
    t.cost = trace::TracerCost{};
    t.watched_ms = static_cast<int64_t>((o.startsecs + o.watch) * 1000);
    for (const auto& n : needs_)
      if (spec.env.get(n).value_or("") != "1") {
        t.verdict = trace::Verdict::Fails;
        t.exit_code = 3;
        t.after_ms = 10;
        t.err.head = "KeyError: '" + n + "'\n";
        t.err.total = t.err.head.size();
        return t;
      }
    t.verdict = trace::Verdict::Starts;
    t.after_ms = t.watched_ms;
    return t;
  }

 private:
  std::vector<std::string> needs_;
  int* runs_;
};

// Two rules for one symptom: "wrong" sets the variable to 0 (ranks first),
// "right" sets it to 1.
const char* k_pack = R"(
[[rule]]
id = "wrong"
title = "W"
family = "t"
confidence = 0.9
stderr = '''KeyError: '(?P<var>A)''''
cause = "c"
fix = "f"
  [rule.set_env]
  "{var}" = "0"

[[rule]]
id = "right"
title = "R"
family = "t"
confidence = 0.5
stderr = '''KeyError: '(?P<var>\w+)''''
cause = "c"
fix = "f"
  [rule.set_env]
  "{var}" = "1"
)";

struct Fixture {
  std::string dir, conf, text;
  core::RealFs fs;
  core::FakeUserDb users;
  rules::RulePack pack;
  int runs = 0;
  Fixture() {
    char tmpl[] = "/tmp/bootmortem-verify-test.XXXXXX";
    dir = mkdtemp(tmpl);
    conf = dir + "/supervisord.conf";
    text = "[supervisord]\nlogfile=" + dir + "/s.log\n\n[program:web]\ncommand=/bin/web\nstartsecs=1\n";
    std::ofstream(conf) << text;
    pack.add_text(k_pack, "t.toml");
  }
  ~Fixture() {
    std::remove(conf.c_str());
    rmdir(dir.c_str());
  }
  report::Report verify(std::vector<std::string> needs) {
    run::LazyTracer tracer(
        trace::TracerChoice{std::make_unique<FakeTracer>(std::move(needs), &runs), "fake", "fake"});
    spawn::BaseEnv base;
    base.cwd = "/";
    base.env.set("PATH", "/usr/bin:/bin");
    spawn::BaseEnv b = base;
    config::Config cfg = run::load_with_base(conf, b, users);
    spawn::SpawnSpec spec = spawn::make_spawn_spec(cfg, run::one_process(cfg, "web"), b, users, fs);
    trace::TraceOptions topt;
    report::Report r;
    r.config_path = conf;
    r.ev = evidence::make_evidence(spec, tracer.run(spec, topt), login::LoginEnv{});
    r.ev.config_text = text;
    r.findings = pack.match(r.ev);
    run::verify_findings(r, run::VerifyContext{conf, "web", base, run::Watch{std::nullopt, 0.5, false}, &pack,
                                               &users, &fs, &tracer});
    return r;
  }
};

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("the fix that verifies comes first, the one that did not goes after it") {
  Fixture fx;
  auto r = fx.verify({"A"});
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].rule == "right");
  CHECK(r.findings[0].verified == true);
  CHECK(r.findings[0].verification.find("RUNNING") != std::string::npos);
  CHECK(r.findings[1].rule == "wrong");
  CHECK(r.findings[1].verified == false);
  CHECK(r.findings[1].verification.find("then the top finding is") != std::string::npos);
  REQUIRE(r.remedy);
  CHECK(r.remedy->verified);
  CHECK(r.remedy->rules == std::vector<std::string>{"right"});
  CHECK(r.remedy->replays == 2);
  REQUIRE(r.remedy->patches.size() == 1);
  CHECK(r.remedy->patches[0].first == fx.conf);
  CHECK(r.remedy->patches[0].second.find("+environment=A=\"1\"") != std::string::npos);
  CHECK(read(fx.conf) == fx.text);  // the real file is never written
}

TEST_CASE("a chain: the first fix takes its cause away and reveals a second; one combined patch") {
  Fixture fx;
  auto r = fx.verify({"A", "B"});
  // "right" for A alone fails on B (its own cause gone), "wrong" fails the
  // same way; the chain adds "right" for B and then starts.
  REQUIRE(r.remedy);
  CHECK(r.remedy->verified);
  CHECK(r.remedy->rules == std::vector<std::string>{"right", "right"});
  REQUIRE(r.findings.size() >= 2);
  CHECK(r.findings[0].rule == "right");
  CHECK(r.findings[0].verified == true);
  CHECK(r.findings[1].round == 2);
  CHECK(r.findings[1].plan.config[0].value == "B=\"1\"");
  REQUIRE(r.remedy->patches.size() == 1);
  CHECK(r.remedy->patches[0].second.find("+environment=A=\"1\",B=\"1\"") != std::string::npos);
  CHECK(read(fx.conf) == fx.text);
}

TEST_CASE("patch_name: relative below the working directory, else absolute") {
  CHECK(run::patch_name("/srv/deploy/conf.d/a.conf", "/srv/deploy") == "conf.d/a.conf");
  CHECK(run::patch_name("/etc/supervisor/a.conf", "/srv/deploy") == "/etc/supervisor/a.conf");
  CHECK(run::patch_name("/etc/a.conf", "/") == "/etc/a.conf");
}
