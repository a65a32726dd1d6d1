// The tracer on small real programs, as the current user (no user switch).
#include "trace/trace.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "tracer_helpers.h"

using namespace bootmortem;
using testing::find_failed;
using testing::process_with_marker_alive;
using testing::shell;

TEST_CASE("a failing program: exit code, failed syscalls with absolute paths, stderr") {
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.startsecs = 5;
  auto log = tracer.run(shell("cd /tmp && mkdir no/such/dir 2>/dev/null; echo oops >&2; exit 3"), opt);
  CHECK(log.verdict == trace::Verdict::Fails);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 3);
  CHECK(log.after_ms < 5000);
  // mkdir(1) runs in a forked child that exec'd: the tree is followed.
  const auto* f = find_failed(log, "mkdir", "/tmp/no/such/dir");
  REQUIRE(f != nullptr);
  CHECK(f->err == ENOENT);
  CHECK(f->args == "\"no/such/dir\", 0777");
  CHECK(log.err.text() == "oops\n");
  CHECK(log.execs.size() >= 2);
}

TEST_CASE("the time the program spent stopped at the tracer is counted, stop by stop") {
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.startsecs = 30;
  opt.wait_for_exit = true;
  // 2,000 failed trapped calls (test -e: stat): each stops it at the
  // seccomp trap and at the call's exit.
  auto log = tracer.run(shell("i=0; while [ $i -lt 2000 ]; do [ -e /no/such/$i ]; i=$((i+1)); done"), opt);
  CHECK(log.failed_total >= 2000);
  REQUIRE(log.cost);
  CHECK(log.cost->events >= 4000);
  CHECK(log.cost->ns > 0);
  CHECK(log.cost->ns < log.after_ms * 1000000);
  CHECK(log.cost->machine_ns == -1);
}

TEST_CASE("a program that stays up for startsecs starts, and its whole tree is ended") {
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.startsecs = 0.5;
  const std::string marker = "bm_unit_marker_" + std::to_string(getpid());
  auto log = tracer.run(shell("sleep 30 & sleep 31 & exec sleep 32 # " + marker), opt);
  CHECK(log.verdict == trace::Verdict::Starts);
  CHECK_FALSE(log.exit_code);
  CHECK(log.after_ms >= 500);
  CHECK(log.processes >= 3);
  CHECK_FALSE(process_with_marker_alive(marker));
  // every process of the tree was reaped and marked as ended by us
  CHECK(std::count_if(log.exits.begin(), log.exits.end(), [](const auto& e) { return e.killed_by_us; }) >= 3);
}

TEST_CASE("hold_fd: a start is kept up, traced, until released; the verdict is the window's") {
  trace::PtraceTracer tracer;
  testing::check_hold_until_released(tracer);
  testing::check_exit_during_hold(tracer);
}

TEST_CASE("tick: a progress display's clock while the replay is watched") {
  trace::PtraceTracer tracer;
  testing::check_ticks(tracer);
}

TEST_CASE("chdir to a missing directory= fails as supervisord's child does") {
  auto spec = shell("true");
  spec.directory = "/no/such/place";
  trace::PtraceTracer tracer;
  auto log = tracer.run(spec, {});
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 127);
  CHECK(log.err.text() ==
        "supervisor: couldn't chdir to /no/such/place: ENOENT\n"
        "supervisor: child process was not spawned\n");
  CHECK(find_failed(log, "chdir", "/no/such/place") != nullptr);
}

TEST_CASE("exec failure is the program's, in supervisord's words") {
  auto spec = shell("");
  spec.argv = {"/no/such/binary"};
  spec.filename = "/no/such/binary";
  trace::PtraceTracer tracer;
  auto log = tracer.run(spec, {});
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 127);
  CHECK(log.err.text().starts_with("supervisor: couldn't exec /no/such/binary: ENOENT\n"));
}

TEST_CASE("spawnerr: supervisord would not fork, nothing runs") {
  auto spec = shell("true");
  spec.spawnerr = "can't find command 'nosuch'";
  trace::PtraceTracer tracer;
  auto log = tracer.run(spec, {});
  CHECK(log.verdict == trace::Verdict::Fails);
  CHECK(log.spawnerr == "can't find command 'nosuch'");
  CHECK(log.main_pid == 0);
}

TEST_CASE("children start with SIGPIPE and SIGXFSZ ignored and the given umask") {
  auto spec = shell("grep -E '^(SigIgn|Umask)' /proc/self/status");
  spec.effective_umask = 027;
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.startsecs = 5;
  auto log = tracer.run(spec, opt);
  CHECK(log.out.text() == "Umask:\t0027\nSigIgn:\t0000000001001000\n");
}


TEST_CASE("wait_for_exit: no startsecs verdict, the exit is waited for") {
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.startsecs = 0.05;  // ignored
  opt.wait_for_exit = true;
  auto log = tracer.run(shell("sleep 0.3; exit 4"), opt);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 4);
  CHECK(log.after_ms >= 300);
}

TEST_CASE("wait_for_exit: stdin is at end of file") {
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.wait_for_exit = true;
  opt.timeout = 10;
  auto log = tracer.run(shell("cat; exit 6"), opt);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 6);
  CHECK(log.after_ms < 5000);
}

TEST_CASE("wait_for_exit with a timeout ends a command that does not exit, and its tree") {
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.wait_for_exit = true;
  opt.timeout = 0.3;
  const std::string marker = "bm_unit_timeout_" + std::to_string(getpid());
  auto log = tracer.run(shell("sleep 30 & exec sleep 31 # " + marker), opt);
  CHECK_FALSE(log.exit_code);
  CHECK_FALSE(log.exit_signal);
  CHECK(log.after_ms >= 300);
  CHECK(log.after_ms < 5000);
  CHECK_FALSE(process_with_marker_alive(marker));
}

TEST_CASE("execs and exits past their limits are counted, not kept") {
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.wait_for_exit = true;
  opt.max_execs = 10;
  opt.max_exits = 10;
  auto log = tracer.run(shell("i=0; while [ $i -lt 50 ]; do /bin/true; i=$((i+1)); done"), opt);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 0);
  CHECK(log.processes == 51);
  CHECK(log.execs.size() == 10);
  CHECK(log.execs.size() + log.execs_dropped == 51);
  CHECK(log.exits.size() == 10);
  CHECK(log.exits.size() + log.exits_dropped == 51);
  CHECK(log.lost_events == 0);
}

TEST_CASE("the same failure in several processes is one record with their pid count") {
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.wait_for_exit = true;
  auto log = tracer.run(shell("for i in 1 2 3; do /bin/cat /no/such/bm_file 2>/dev/null; done; true"), opt);
  const auto* f = find_failed(log, "openat", "/no/such/bm_file");
  REQUIRE(f != nullptr);
  CHECK(f->count == 3);
  CHECK(f->pids == 3);
  CHECK(std::count_if(log.failed.begin(), log.failed.end(),
                      [](const auto& x) { return x.path == "/no/such/bm_file"; }) == 1);
}

// A program that fstat()s an fd that is not open, then stat()s a path that
// does not exist: one is a probe the filter lets through, the other a failure.
static spawn::SpawnSpec fstat_then_stat() {
  auto spec = shell("");
  spec.argv = {"/usr/bin/python3", "-c",
               "import os\n"
               "for f in (lambda: os.fstat(99), lambda: os.stat('/no/such/bm_stat')):\n"
               "    try: f()\n"
               "    except OSError: pass\n"};
  spec.filename = "/usr/bin/python3";
  return spec;
}

TEST_CASE("fstat on an fd (newfstatat with AT_EMPTY_PATH) is not trapped; stat of a path is") {
  auto spec = fstat_then_stat();
  trace::PtraceTracer tracer;
  trace::TraceOptions opt;
  opt.wait_for_exit = true;
  auto log = tracer.run(spec, opt);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 0);
  CHECK(find_failed(log, "newfstatat", "/no/such/bm_stat") != nullptr);
  CHECK(std::none_of(log.failed.begin(), log.failed.end(), [](const auto& f) { return f.err == EBADF; }));
}

// Root without CAP_SYS_ADMIN (a container) gets no seccomp filter: the same
// evidence from a stop at every call, and nothing of the program changed.
namespace {

// The records (not their arguments: a stack address differs run to run).
std::string failed_lines(const trace::TraceLog& log) {
  std::vector<std::string> lines;
  for (const auto& f : log.failed)
    lines.push_back(f.call + " " + f.path + " " + std::to_string(f.err) + " x" + std::to_string(f.count));
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("without a seccomp filter: the same failed calls, exits and output as with it") {
  // Without CAP_SYS_ADMIN (not root) a filter needs no_new_privs.
  trace::PtraceTracer filtered(trace::own_caps().has(trace::Cap::SysAdmin) ? trace::PtraceStops::SeccompFilter
                                                                           : trace::PtraceStops::SeccompNoNewPrivs);
  trace::PtraceTracer every(trace::PtraceStops::EverySyscall);
  trace::TraceOptions opt;
  opt.startsecs = 5;
  const auto spec = shell(
      "cd /tmp && mkdir no/such/dir 2>/dev/null; cat /no/such/bm_every 2>/dev/null; "
      "(ls /no/such/bm_sub >/dev/null 2>&1) & wait; echo oops >&2; exit 3");
  auto a = filtered.run(spec, opt);
  auto b = every.run(spec, opt);
  CHECK(a.backend == "ptrace+seccomp");
  CHECK(b.backend == "ptrace");
  CHECK(b.backend_note.starts_with("no seccomp filter: CAP_SYS_ADMIN missing and no_new_privs would change the "
                                   "program"));
  REQUIRE(b.exit_code);
  CHECK(*b.exit_code == 3);
  CHECK(b.err.text() == "oops\n");
  REQUIRE(find_failed(b, "mkdir", "/tmp/no/such/dir") != nullptr);
  CHECK(find_failed(b, "mkdir", "/tmp/no/such/dir")->args == "\"no/such/dir\", 0777");
  CHECK(find_failed(b, "openat", "/no/such/bm_every") != nullptr);
  CHECK(failed_lines(a) == failed_lines(b));
  CHECK(a.processes == b.processes);
  CHECK(a.execs.size() == b.execs.size());
  CHECK(a.exits.size() == b.exits.size());
}

TEST_CASE("without a seccomp filter: the program has none, nor no_new_privs") {
  trace::PtraceTracer every(trace::PtraceStops::EverySyscall);
  trace::TraceOptions opt;
  opt.wait_for_exit = true;
  auto log = every.run(shell("grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status"), opt);
  CHECK(log.out.text() == "NoNewPrivs:\t0\nSeccomp:\t0\n");
}

TEST_CASE("without a seccomp filter: fstat on an fd is not recorded, a failed exec and chdir are") {
  trace::PtraceTracer every(trace::PtraceStops::EverySyscall);
  auto spec = fstat_then_stat();
  trace::TraceOptions opt;
  opt.wait_for_exit = true;
  auto log = every.run(spec, opt);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 0);
  CHECK(find_failed(log, "newfstatat", "/no/such/bm_stat") != nullptr);
  CHECK(std::none_of(log.failed.begin(), log.failed.end(), [](const auto& f) { return f.err == EBADF; }));

  auto missing = shell("true");
  missing.directory = "/no/such/place";
  auto chdir_log = every.run(missing, {});
  REQUIRE(chdir_log.exit_code);
  CHECK(*chdir_log.exit_code == 127);
  CHECK(find_failed(chdir_log, "chdir", "/no/such/place") != nullptr);

  auto noexec = shell("/no/such/bm_binary");
  noexec.argv = {"/no/such/bm_binary"};
  noexec.filename = "/no/such/bm_binary";
  auto exec_log = every.run(noexec, {});
  CHECK(find_failed(exec_log, "execve", "/no/such/bm_binary") != nullptr);
}

TEST_CASE("without a seccomp filter: a start held and its tree ended") {
  trace::PtraceTracer every(trace::PtraceStops::EverySyscall);
  testing::check_hold_until_released(every);
  const std::string marker = "bm_every_marker_" + std::to_string(getpid());
  trace::TraceOptions opt;
  opt.startsecs = 0.5;
  auto log = every.run(shell("sleep 30 & exec sleep 31 # " + marker), opt);
  CHECK(log.verdict == trace::Verdict::Starts);
  CHECK_FALSE(process_with_marker_alive(marker));
}
