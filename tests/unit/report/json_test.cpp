#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "../rules/seed_evidence.h"
#include "../trace/tracer_helpers.h"
#include "report/report.h"

using namespace bootmortem;
using nlohmann::json;

namespace {
json as_json(const report::Report& r) {
  std::ostringstream out;
  report::render(r, report::Format::Json, {}, out);
  return json::parse(out.str());
}
}  // namespace

TEST_CASE("schema fields and types") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  auto j = as_json(r);
  CHECK(j["schema"] == "bootmortem/1");
  CHECK(j["program"] == "test_server");
  CHECK(j["verdict"] == "fails");
  CHECK(j["exit"] == json{{"code", 3}, {"signal", nullptr}, {"after_ms", 512}});
  CHECK(j["base_env"] == json{{"source", "live-supervisord"}, {"observed", true}, {"pid", 1234}});
  CHECK(j["findings"] == json::array());
  CHECK(j["env_diff"][0] == json{{"name", "HOME"}, {"spawn", "/root"}, {"login", "/home/cissoid"}, {"kind", "identity"}});
  CHECK(j["env_diff"][3]["login"].is_null());
  CHECK(j["syscalls_failed"].back() ==
        json{{"pid", 27887}, {"call", "mkdir"}, {"path", "/root/.cache"}, {"errno", "EACCES"}, {"count", 1}});
  CHECK(j["spawn"]["umask"] == "022");
  CHECK(j["spawn"]["groups"] == json{1001});
  CHECK(j["spawn"]["directory"] == "/srv/test_server");
  CHECK(j["trace"]["backend"] == "ptrace+seccomp");
  CHECK(j["spawnerr"].is_null());
  CHECK(j["stderr_tail"].get<std::string>().find("Reason: Worker failed to boot.") != std::string::npos);
}

TEST_CASE("signal name, file base, spawnerr, addr, finding without patch") {
  report::Report r;
  r.ev = testing::base_evidence();
  r.ev.trace.exit_code.reset();
  r.ev.trace.exit_signal = 9;
  r.ev.trace.spawnerr = "can't find command 'x'";
  r.ev.spec.base.source = spawn::BaseEnvSource::File;
  r.ev.spec.base.file = "/tmp/env";
  r.ev.spec.directory.reset();
  r.ev.trace.failed = {testing::failed_bind(1, EACCES, "0.0.0.0:80", 80)};
  rules::Finding f;
  f.rule = "r";
  f.confidence = 0.5;
  r.findings = {f};
  auto j = as_json(r);
  CHECK(j["exit"]["signal"] == "SIGKILL");
  CHECK(j["exit"]["code"].is_null());
  CHECK(j["base_env"] == json{{"source", "file"}, {"observed", true}, {"file", "/tmp/env"}});
  CHECK(j["spawnerr"] == "can't find command 'x'");
  CHECK(j["spawn"]["directory"].is_null());
  CHECK(j["syscalls_failed"][0]["addr"] == "0.0.0.0:80");
  CHECK(j["findings"][0]["patch"].is_null());
  CHECK(j["findings"][0]["config_line"].is_null());
  CHECK(j["findings"][0]["verified"].is_null());
}

TEST_CASE("what the tracer counted but did not keep is present when nonzero; pids when several") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  auto j = as_json(r);
  CHECK(j["trace"].size() == 6);  // backend, why, note, attempts, cost and untraced only
  CHECK(j["trace"]["attempts"] == 1);
  CHECK(j["trace"]["cost"].is_null());
  CHECK(j["trace"]["untraced"].is_null());
  CHECK_FALSE(j["syscalls_failed"].back().contains("pids"));
  r.ev.trace.execs_dropped = 9000;
  r.ev.trace.lost_events = 3;
  r.ev.trace.failed.back().pids = 4;
  j = as_json(r);
  CHECK(j["trace"]["execs_dropped"] == 9000);
  CHECK(j["trace"]["lost_events"] == 3);
  CHECK_FALSE(j["trace"].contains("exits_dropped"));
  CHECK(j["syscalls_failed"].back()["pids"] == 4);
}

TEST_CASE("bytes that are not UTF-8 (stderr, a failed call's path) become U+FFFD, not an error") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  r.ev.trace.err = trace::Captured{"Traceback \xff\xfe\n", "", 13, 0};
  r.ev.trace.failed.back().path = "/root/.cache/\xc3";
  auto j = as_json(r);  // json::parse throws on invalid UTF-8
  CHECK(j["stderr_tail"] == "Traceback \xef\xbf\xbd\xef\xbf\xbd\n");
  CHECK(j["syscalls_failed"].back()["path"] == "/root/.cache/\xef\xbf\xbd");
}

TEST_CASE("trace: the tracing cost, and the untraced run that decided the verdict with the traced run's own") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  auto& t = r.ev.trace;
  t.backend = "ptrace";
  t.exit_code = 3;
  t.after_ms = 900;
  t.cost = trace::TracerCost{2'400'000'000, 2'000'004};
  t.untraced = testing::untraced_exit_3(3000);
  auto j = as_json(r);
  CHECK(j["trace"]["cost"] == json{{"ns", 2'400'000'000}, {"events", 2'000'004}, {"share", 0.8}, {"traced_ms", 3000}});
  const auto& ju = j["trace"]["untraced"];
  CHECK(ju["exited"] == true);
  CHECK(ju["code"] == 3);
  CHECK(ju["signal"].is_null());
  CHECK(ju["after_ms"] == 900);
  CHECK(ju["decided"] == true);
  CHECK(ju["traced"] == json{{"verdict", "starts"}, {"code", nullptr}, {"signal", nullptr}, {"after_ms", 3000}});
  CHECK(ju["text"] == "traced: still up at 3.0 s; untraced: exit status 3 after 900 ms; the verdict is the untraced run's");
  CHECK(j["exit"]["after_ms"] == 900);
  // eBPF with the kernel's statistics: the machine's figure too.
  t.backend = "ebpf";
  t.untraced.reset();
  t.after_ms = 1000;
  t.cost = trace::TracerCost{230'000'000, 1'000'003, 250'000'000, 1'200'000};
  j = as_json(r);
  CHECK(j["trace"]["cost"]["machine_ns"] == 250'000'000);
  CHECK(j["trace"]["cost"]["machine_runs"] == 1'200'000);
  CHECK(j["trace"]["cost"]["share"] == doctest::Approx(0.23));
  CHECK(j["trace"]["untraced"].is_null());
}
