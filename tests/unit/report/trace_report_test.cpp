// `bootmortem trace`'s report on a hand-built run: golden text and JSON, the
// exit status, the outcome sentence, redaction.
#include "report/trace_report.h"

#include <cerrno>
#include <csignal>
#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "golden.h"

using namespace bootmortem;
using nlohmann::json;

namespace {

trace::FailedSyscall failed(uint64_t seq, const std::string& call, int err, const std::string& path,
                            const std::string& args, uint64_t count = 1, int pid = 4242, uint64_t pids = 1) {
  trace::FailedSyscall f;
  f.pid = pid;
  f.call = call;
  f.err = err;
  f.path = path;
  f.args = args;
  f.seq = seq;
  f.at_ms = static_cast<int64_t>(seq);
  f.count = count;
  f.pids = pids;
  return f;
}

// A Python service that probes for modules, fails to write its cache in
// /root, cannot bind its port, and dies; many of its helpers ran /bin/true.
report::TraceReport sample() {
  report::TraceReport r;
  r.argv = {"/usr/bin/python3", "app.py", "--password", "hunter2", "--db=postgres://app:s3cret@db/app"};
  r.filename = "/usr/bin/python3";
  r.log.backend_why = "chosen with --tracer ptrace";
  auto& t = r.log;
  t.backend = "ptrace+seccomp";
  t.backend_note = "seccomp filter traps 34 file, exec and socket calls";
  t.main_pid = 4242;
  t.exit_code = 1;
  t.after_ms = 812;
  t.processes = 10004;
  uint64_t seq = 0;
  for (int i = 0; i < 14; ++i)
    t.failed.push_back(failed(++seq, "newfstatat", ENOENT, "/usr/lib/python3.11/mod" + std::to_string(i) + ".so",
                              "AT_FDCWD, \"/usr/lib/python3.11/mod" + std::to_string(i) + ".so\", 0x7ffd0000, 0",
                              i == 3 ? 40 : 1));
  t.failed.push_back(failed(++seq, "access", ENOENT, "/etc/ld.so.preload", "\"/etc/ld.so.preload\", 4", 10000, 4243, 10000));
  t.failed.push_back(failed(++seq, "mkdir", EACCES, "/root/.cache", "\"/root/.cache\", 0777", 4));
  auto bind = failed(++seq, "bind", EADDRINUSE, "", "3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"0.0.0.0\")}, 16");
  bind.addr = "0.0.0.0:8080";
  bind.port = 8080;
  t.failed.push_back(bind);
  for (int i = 0; i < 3; ++i)
    t.failed.push_back(failed(++seq, "openat", ENOENT, "/srv/app/conf" + std::to_string(i) + ".ini",
                              "AT_FDCWD, \"/srv/app/conf" + std::to_string(i) + ".ini\", O_RDONLY|O_CLOEXEC"));
  t.failed_total = 14 + 39 + 10000 + 4 + 1 + 3 + 5;
  t.failed_dropped = 5;
  for (int i = 0; i < 22; ++i)
    t.execs.push_back({4242 + i, i == 0 ? "/usr/bin/python3.11" : "/usr/bin/true", i * 10});
  t.execs_dropped = 9982;
  t.exits_dropped = 8980;
  for (int i = 0; i < 2; ++i) {
    trace::ProcessExit e;
    e.pid = 4243 + i;
    e.ppid = 4242;
    e.code = 0;
    e.at_ms = 20 + i;
    t.exits.push_back(e);
  }
  trace::ProcessExit killed;
  killed.pid = 5000;
  killed.ppid = 4242;
  killed.signal = SIGKILL;
  killed.at_ms = 812;
  killed.killed_by_us = true;
  t.exits.push_back(killed);
  t.lost_events = 0;
  t.err.head = "Traceback (most recent call last):\n  File \"app.py\", line 9\nOSError: [Errno 98] Address already in use\n"
               "db: postgres://app:s3cret@db/app\n";
  t.err.total = t.err.head.size();
  t.out.head = "starting\n";
  t.out.tail = "line 999998\nline 999999\n";
  t.out.total = 1 << 30;
  t.out.dropped = t.out.total - t.out.head.size() - t.out.tail.size();
  return r;
}

std::string render(const report::TraceReport& r, report::TraceFormat f, report::TraceRenderOptions o = {}) {
  std::ostringstream out;
  report::render_trace(r, f, o, out);
  return out.str();
}

long fixed_rss() { return 4321; }

}  // namespace

TEST_CASE("text: golden") { testing::golden("trace.txt", render(sample(), report::TraceFormat::Text)); }

TEST_CASE("text --all lists every lookup of a missing file") {
  std::string all = render(sample(), report::TraceFormat::Text, {true, true});
  for (int i = 0; i < 14; ++i) CHECK(all.find("/mod" + std::to_string(i) + ".so") != std::string::npos);
  std::string some = render(sample(), report::TraceFormat::Text);
  CHECK(some.find("/mod0.so") == std::string::npos);  // neither among the last nor repeated
  CHECK(some.find("/mod3.so") != std::string::npos);  // repeated
}

TEST_CASE("json: golden, and the field names consumers key on") {
  auto r = sample();
  r.peak_rss_kib = fixed_rss;
  const std::string text = render(r, report::TraceFormat::Json);
  testing::golden("trace.json", text);
  json j = json::parse(text);
  for (const char* k : {"schema", "command", "filename", "backend", "why", "note", "exit", "processes", "execs",
                        "execs_dropped", "exits", "exits_dropped", "failed", "failed_total", "failed_distinct",
                        "failed_dropped", "lost_events", "cost", "stdout", "stderr", "peak_rss_kib"})
    CHECK_MESSAGE(j.contains(k), k);
  CHECK(j["schema"] == "bootmortem-trace/1");
  CHECK(j["exit"] == json{{"code", 1}, {"signal", nullptr}, {"after_ms", 812}, {"ended_by", nullptr}, {"status", 1}});
  CHECK(j["failed"].size() == 20);
  CHECK(j["failed_distinct"] == 20);
  CHECK(j["peak_rss_kib"] == 4321);
  const auto& access = j["failed"][14];
  CHECK(access["count"] == 10000);
  CHECK(access["pid"] == 4243);
  CHECK(access["pids"] == 10000);
  CHECK(access["text"] == "access(\"/etc/ld.so.preload\", 4) = -1 ENOENT (No such file or directory)");
  CHECK(j["failed"][16]["addr"] == "0.0.0.0:8080");
  CHECK(j["failed"][16]["port"] == 8080);
  CHECK(j["failed"][0]["addr"].is_null());
  CHECK(j["stdout"]["bytes"] == 1 << 30);
  CHECK(j["stdout"]["tail"] == "starting\n\n[... 1073741791 bytes not kept ...]\nline 999998\nline 999999");
}

TEST_CASE("secrets are masked in argv and output unless asked") {
  std::string masked = render(sample(), report::TraceFormat::Json);
  CHECK(masked.find("hunter2") == std::string::npos);
  CHECK(masked.find("s3cret") == std::string::npos);
  std::string text = render(sample(), report::TraceFormat::Text);
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find("s3cret") == std::string::npos);
  std::string shown = render(sample(), report::TraceFormat::Json, {false, false});
  CHECK(shown.find("hunter2") != std::string::npos);
  CHECK(shown.find("s3cret") != std::string::npos);
}

TEST_CASE("exit status and outcome: the command's, 128+signal, 0 after startsecs, 124 after timeout") {
  auto r = sample();
  CHECK(report::trace_exit_code(r) == 1);
  CHECK(report::trace_outcome(r) == "exited with status 1 after 812 ms");
  r.log.exit_code.reset();
  r.log.exit_signal = SIGSEGV;
  CHECK(report::trace_exit_code(r) == 128 + SIGSEGV);
  CHECK(report::trace_outcome(r) == "killed by SIGSEGV after 812 ms");
  r.log.exit_signal.reset();
  r.limit = report::TraceLimit::Startsecs;
  r.limit_s = 0.5;
  CHECK(report::trace_exit_code(r) == 0);
  CHECK(report::trace_outcome(r) == "started: still up after 812 ms (--startsecs 0.5); bootmortem ended it");
  r.limit = report::TraceLimit::Timeout;
  r.limit_s = 10;
  CHECK(report::trace_exit_code(r) == 124);
  CHECK(report::trace_outcome(r) == "still running after 812 ms (--timeout 10); bootmortem ended it");
  auto j = json::parse(render(r, report::TraceFormat::Json));
  CHECK(j["exit"]["ended_by"] == "timeout");
  CHECK(j["exit"]["status"] == 124);
}

TEST_CASE("lost events are said, never silently dropped") {
  auto r = sample();
  r.log.lost_events = 17;
  std::string text = render(r, report::TraceFormat::Text);
  CHECK(text.find("17 events lost") != std::string::npos);
  CHECK(json::parse(render(r, report::TraceFormat::Json))["lost_events"] == 17);
}

TEST_CASE("the tracing cost: a line and a JSON object when known, nothing made up when not") {
  auto r = sample();
  CHECK(render(r, report::TraceFormat::Text).find("Tracing cost") == std::string::npos);
  CHECK(json::parse(render(r, report::TraceFormat::Json))["cost"].is_null());
  r.log.cost = trace::TracerCost{203'000'000, 40'000};
  CHECK(render(r, report::TraceFormat::Text).find("\n  Tracing cost: ptrace stopped it 40,000 times, at least 203 ms "
                                                  "(25 % of its 812 ms run)\n") != std::string::npos);
  auto j = json::parse(render(r, report::TraceFormat::Json));
  CHECK(j["cost"]["ns"] == 203'000'000);
  CHECK(j["cost"]["events"] == 40'000);
  CHECK(j["cost"]["share"] == doctest::Approx(0.25));
  CHECK(j["cost"]["traced_ms"] == 812);
  CHECK_FALSE(j["cost"].contains("machine_ns"));
}

TEST_CASE("argv as a shell takes it back") {
  CHECK(report::shell_words({"sh", "-c", "echo 'hi' $x", ""}) == "sh -c 'echo '\\''hi'\\'' $x' ''");
  CHECK(report::shell_words({"/usr/bin/python3", "-m", "http.server", "--bind=0.0.0.0:80"}) ==
        "/usr/bin/python3 -m http.server --bind=0.0.0.0:80");
}

TEST_CASE("json: bytes that are not UTF-8, in a path and on stderr, become U+FFFD instead of an error") {
  auto r = sample();
  r.log.err = trace::Captured{"bad \xff byte\n", "", 11, 0};
  r.log.failed = {failed(1, "openat", ENOENT, "/srv/caf\xe9/app.py", "AT_FDCWD, \"/srv/caf\xe9/app.py\", O_RDONLY")};
  const std::string text = render(r, report::TraceFormat::Json);
  json j = json::parse(text);  // throws on invalid UTF-8, as any consumer would
  CHECK(j["stderr"]["tail"] == "bad \xef\xbf\xbd byte");
  CHECK(j["failed"][0]["path"] == "/srv/caf\xef\xbf\xbd/app.py");
}
