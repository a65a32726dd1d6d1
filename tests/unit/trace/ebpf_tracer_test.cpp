// The eBPF backend on small real programs. Needs root: skipped as another
// user unless BOOTMORTEM_REQUIRE_ROOT is set (CI runs as root and sets it,
// so there a missing backend fails).
#include "trace/ebpf_tracer.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/user.h>
#include <unistd.h>

#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "trace/ebpf_offsets.h"
#include "tracer_helpers.h"

using namespace bootmortem;
using testing::find_failed;
using testing::process_with_marker_alive;
using testing::shell;

namespace {

// The backend, or nullptr when this user cannot load it (and need not).
std::unique_ptr<trace::EbpfTracer> backend() {
  if (geteuid() != 0) {
    if (std::getenv("BOOTMORTEM_REQUIRE_ROOT")) FAIL("the eBPF backend needs root and BOOTMORTEM_REQUIRE_ROOT is set");
    MESSAGE("not root: eBPF backend tests skipped");
    return nullptr;
  }
  return std::make_unique<trace::EbpfTracer>();
}

// This process's BPF links on the sys_exit raw tracepoint (fdinfo says
// "tp_name:\tsys_exit"): 1 while the backend is attached, 0 once it left.
int sys_exit_links() {
  int n = 0;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fdinfo")) {
    std::ifstream in(fd.path());
    std::string line;
    while (std::getline(in, line))
      if (line == "tp_name:\tsys_exit") ++n;
  }
  return n;
}

// Two runs on one tracer: the second reports only its own failures and
// its own totals.
constexpr const char* k_first = "mkdir /no/such/first 2>/dev/null; exit 2";
constexpr const char* k_second = "mkdir /no/such/second 2>/dev/null; exit 4";
void check_second_run(const trace::TraceLog& second) {
  REQUIRE(second.exit_code);
  CHECK(*second.exit_code == 4);
  CHECK(find_failed(second, "mkdir", "/no/such/second"));
  CHECK_FALSE(find_failed(second, "mkdir", "/no/such/first"));
  CHECK(second.lost_events == 0);
  // The kernel's totals are the second run's own: every failure it counted was kept.
  CHECK(second.failed_dropped == 0);
  uint64_t kept = 0;
  for (const auto& f : second.failed) kept += f.count;
  CHECK(second.failed_total == kept);
}

}  // namespace

TEST_CASE("kernel offsets: the syscall argument registers sit where ptrace's user_regs_struct has them") {
  std::string why;
  auto k = trace::kernel_offsets("", &why);
  REQUIRE_MESSAGE(k, why);
  CHECK(k->regs[0] == offsetof(user_regs_struct, rdi));
  CHECK(k->regs[1] == offsetof(user_regs_struct, rsi));
  CHECK(k->regs[2] == offsetof(user_regs_struct, rdx));
  CHECK(k->regs[3] == offsetof(user_regs_struct, r10));
  CHECK(k->regs[4] == offsetof(user_regs_struct, r8));
  CHECK(k->regs[5] == offsetof(user_regs_struct, r9));
  CHECK(k->regs_orig_ax == offsetof(user_regs_struct, orig_rax));
  CHECK(k->task_tgid == k->task_pid + sizeof(pid_t));  // declared side by side
  CHECK(k->task_signal != 0);
  auto again = trace::KernelOffsets::parse(k->serialize());
  REQUIRE(again);
  CHECK(again->serialize() == k->serialize());
  CHECK_FALSE(trace::KernelOffsets::parse("1 2 3"));
  // A cache written before orig_ax was kept (13 numbers) is computed again.
  CHECK_FALSE(trace::KernelOffsets::parse("112 104 96 56 72 64 1264 1268 1280 1848 1164 4 96"));
}

TEST_CASE("ebpf: exit code, failed calls resolved against the cwd the program moved to, stderr") {
  auto tracer = backend();
  if (!tracer) return;
  trace::TraceOptions opt;
  opt.startsecs = 5;
  auto log = tracer->run(shell("cd /tmp && mkdir no/such/dir 2>/dev/null; echo oops >&2; exit 3"), opt);
  CHECK(log.backend == "ebpf");
  CHECK(log.verdict == trace::Verdict::Fails);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 3);
  const auto* f = find_failed(log, "mkdir", "/tmp/no/such/dir");
  REQUIRE(f);
  CHECK(f->err == ENOENT);
  CHECK(f->args == "\"no/such/dir\", 0777");
  CHECK(log.err.text() == "oops\n");
  CHECK(log.lost_events == 0);
}

TEST_CASE("ebpf: a second run on the same tracer attaches again and starts from empty counts") {
  auto tracer = backend();
  if (!tracer) return;
  trace::TraceOptions opt;
  opt.startsecs = 5;
  auto first = tracer->run(shell(k_first), opt);
  REQUIRE(find_failed(first, "mkdir", "/no/such/first"));
  check_second_run(tracer->run(shell(k_second), opt));
}

TEST_CASE("ebpf: with more runs to follow it stays attached between them, and leaves after the last") {
  auto tracer = backend();
  if (!tracer) return;
  CHECK(sys_exit_links() == 1);  // attached by the constructor
  trace::TraceOptions opt;
  opt.startsecs = 5;
  opt.more_runs = true;
  auto first = tracer->run(shell(k_first), opt);
  CHECK(find_failed(first, "mkdir", "/no/such/first"));
  CHECK(sys_exit_links() == 1);  // still on the tracepoint
  opt.more_runs = false;
  check_second_run(tracer->run(shell(k_second), opt));
  CHECK(sys_exit_links() == 0);  // left once the last tree was gone
}

TEST_CASE("ebpf: a failed exec in a child, the children's exit codes, the process count") {
  auto tracer = backend();
  if (!tracer) return;
  trace::TraceOptions opt;
  opt.startsecs = 5;
  auto log = tracer->run(shell("/no/such/program 2>/dev/null; (exit 7); sh -c 'exit 5'; exit 1"), opt);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 1);
  const auto* f = find_failed(log, "execve", "/no/such/program");
  REQUIRE(f);
  CHECK(f->err == ENOENT);
  CHECK(log.processes >= 3);
  bool saw5 = false, saw7 = false;
  for (const auto& e : log.exits) {
    saw5 = saw5 || (e.code && *e.code == 5);
    saw7 = saw7 || (e.code && *e.code == 7);
  }
  CHECK(saw5);
  CHECK(saw7);
  bool exec_sh = false;
  for (const auto& e : log.execs) exec_sh = exec_sh || e.path == "/bin/sh";
  CHECK(exec_sh);
}

TEST_CASE("ebpf: repeated failures are counted in the kernel, one record each") {
  auto tracer = backend();
  if (!tracer) return;
  trace::TraceOptions opt;
  opt.startsecs = 30;
  spawn::SpawnSpec s = shell("");
  s.argv = {"/usr/bin/python3", "-c", "import os\nfor i in range(20000): os.access('/no/such/x', 0)\n"};
  s.filename = "/usr/bin/python3";
  auto log = tracer->run(s, opt);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 0);
  const auto* f = find_failed(log, "access", "/no/such/x");
  REQUIRE(f);
  CHECK(f->count == 20000);
  CHECK(log.failed_total >= 20000);
}

TEST_CASE("ebpf: the same failure on two CPUs at once is one record with the exact count") {
  auto tracer = backend();
  if (!tracer) return;
  trace::TraceOptions opt;
  opt.startsecs = 60;
  opt.wait_for_exit = true;
  spawn::SpawnSpec s = shell("");
  // Four processes at once, each failing 20,000 times on one path and 500
  // times on paths of its own.
  s.argv = {"/usr/bin/python3", "-c",
            "import os\n"
            "pids = []\n"
            "for n in range(4):\n"
            "    p = os.fork()\n"
            "    if p == 0:\n"
            "        for i in range(20000):\n"
            "            os.access('/no/such/shared', 0)\n"
            "            if i % 40 == 0: os.access('/no/such/own-%d-%d' % (n, i), 0)\n"
            "        os._exit(0)\n"
            "    pids.append(p)\n"
            "for p in pids: os.waitpid(p, 0)\n"};
  s.filename = "/usr/bin/python3";
  auto log = tracer->run(s, opt);
  REQUIRE(log.exit_code);
  CHECK(*log.exit_code == 0);
  const auto* f = find_failed(log, "access", "/no/such/shared");
  REQUIRE(f);
  CHECK(f->count == 80000);
  CHECK(f->pids >= 4);
  size_t own = 0;
  for (const auto& r : log.failed) own += r.path.starts_with("/no/such/own-") ? 1 : 0;
  CHECK(own == 2000);
  CHECK(log.lost_events == 0);
}

TEST_CASE("ebpf: distinct failures past the table are counted, not kept; the totals stay exact") {
  auto tracer = backend();
  if (!tracer) return;
  trace::TraceOptions opt;
  opt.startsecs = 60;
  opt.wait_for_exit = true;
  opt.max_failed = 100;
  spawn::SpawnSpec s = shell("");
  // 5,000 distinct paths, then the first of them 1,000 times more: that one
  // was kept and goes on being counted.
  s.argv = {"/usr/bin/python3", "-c",
            "import os\n"
            "for i in range(5000): os.access('/no/such/d/m%d.py' % i, 0)\n"
            "for i in range(1000): os.access('/no/such/d/m0.py', 0)\n"};
  s.filename = "/usr/bin/python3";
  auto log = tracer->run(s, opt);
  REQUIRE(log.exit_code);
  const auto* first = find_failed(log, "access", "/no/such/d/m0.py");
  REQUIRE(first);
  CHECK(first->count == 1001);
  size_t kept = 0;
  for (const auto& r : log.failed) kept += r.path.starts_with("/no/such/d/") ? 1 : 0;
  CHECK(kept <= 100);
  CHECK(log.failed_total >= 6000);
  CHECK(log.failed_dropped >= 5000 - 100);
  uint64_t counted = 0;
  for (const auto& r : log.failed) counted += r.count;
  CHECK(log.failed_total == counted + log.failed_dropped);
}

TEST_CASE("ebpf: the cost of tracing is measured in the kernel, per event") {
  auto tracer = backend();
  if (!tracer) return;
  trace::TraceOptions opt;
  opt.startsecs = 60;
  opt.wait_for_exit = true;
  spawn::SpawnSpec s = shell("");
  s.argv = {"/usr/bin/python3", "-c", "import os\nfor i in range(20000): os.access('/no/such/c%d' % i, 0)\n"};
  s.filename = "/usr/bin/python3";
  auto log = tracer->run(s, opt);
  REQUIRE(log.cost);
  // Every failure is an event of the tree, and so are its fork, exec and exit.
  CHECK(log.cost->events >= 20000);
  CHECK(log.cost->ns > 0);
  // Far less than the run: at most a few microseconds an event.
  CHECK(log.cost->ns < static_cast<int64_t>(log.cost->events) * 20000);
  // The kernel's run-time statistics are read only when someone turned them on.
  std::ifstream enabled("/proc/sys/kernel/bpf_stats_enabled");
  std::string on;
  std::getline(enabled, on);
  if (on == "1") CHECK(log.cost->machine_ns > 0);
  else CHECK(log.cost->machine_ns == -1);
}

TEST_CASE("ebpf: bind on a port already held gives EADDRINUSE with the address") {
  auto tracer = backend();
  if (!tracer) return;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(listen(s, 1) == 0);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  spawn::SpawnSpec spec = shell("");
  spec.argv = {"/usr/bin/python3", "-c",
               "import socket\ns=socket.socket()\ns.bind(('127.0.0.1', " + std::to_string(port) + "))\n"};
  spec.filename = "/usr/bin/python3";
  trace::TraceOptions opt;
  opt.startsecs = 10;
  auto log = tracer->run(spec, opt);
  close(s);
  const trace::FailedSyscall* bind_fail = nullptr;
  for (const auto& f : log.failed)
    if (f.call == "bind") bind_fail = &f;
  REQUIRE(bind_fail);
  CHECK(bind_fail->err == EADDRINUSE);
  CHECK(bind_fail->addr == "127.0.0.1:" + std::to_string(port));
  CHECK(bind_fail->port == port);
}

TEST_CASE("ebpf: a program that stays up starts; the whole tree is ended, daemons included") {
  auto tracer = backend();
  if (!tracer) return;
  const std::string marker = "bm-ebpf-unit-" + std::to_string(getpid());
  trace::TraceOptions opt;
  opt.startsecs = 0.5;
  spawn::SpawnSpec spec = shell("");
  spec.argv = {"/bin/bash", "-c",
               "setsid bash -c 'exec -a " + marker + " sleep 300' & exec -a " + marker + " sleep 300"};
  spec.filename = "/bin/bash";
  auto log = tracer->run(spec, opt);
  CHECK(log.verdict == trace::Verdict::Starts);
  CHECK_FALSE(process_with_marker_alive(marker));
  bool killed = false;
  for (const auto& e : log.exits) killed = killed || (e.killed_by_us && e.signal && *e.signal == SIGKILL);
  CHECK(killed);
}

TEST_CASE("ebpf: tick: a progress display's clock while the replay is watched") {
  auto tracer = backend();
  if (!tracer) return;
  testing::check_ticks(*tracer);
}

TEST_CASE("ebpf: hold_fd: a start is kept up, traced, until released; the verdict is the window's") {
  auto tracer = backend();
  if (!tracer) return;
  testing::check_hold_until_released(*tracer);
  testing::check_exit_during_hold(*tracer);
}
