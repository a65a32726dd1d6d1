#include "trace/stop_kind.h"

#include <doctest/doctest.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <csignal>

using namespace bootmortem::trace;

namespace {
// Wait statuses as the kernel builds them (see wait(2), ptrace(2)).
int exited(int code) { return (code & 0xff) << 8; }
int signaled(int sig, bool core = false) { return sig | (core ? 0x80 : 0); }
int stopped(int sig) { return (sig << 8) | 0x7f; }
int event(int ev) { return ((SIGTRAP | (ev << 8)) << 8) | 0x7f; }
}  // namespace

TEST_CASE("exits and deaths") {
  CHECK(classify_stop(exited(3)).kind == StopKind::Exited);
  CHECK(classify_stop(exited(3)).signal == 3);
  CHECK(classify_stop(exited(0)).signal == 0);
  CHECK(classify_stop(signaled(SIGKILL)).kind == StopKind::Signaled);
  CHECK(classify_stop(signaled(SIGSEGV, true)).signal == SIGSEGV);
}

TEST_CASE("ptrace events") {
  CHECK(classify_stop(event(PTRACE_EVENT_SECCOMP)).kind == StopKind::SeccompStop);
  CHECK(classify_stop(event(PTRACE_EVENT_FORK)).kind == StopKind::ForkEvent);
  CHECK(classify_stop(event(PTRACE_EVENT_VFORK)).kind == StopKind::VforkEvent);
  CHECK(classify_stop(event(PTRACE_EVENT_CLONE)).kind == StopKind::CloneEvent);
  CHECK(classify_stop(event(PTRACE_EVENT_EXEC)).kind == StopKind::ExecEvent);
  CHECK(classify_stop(event(PTRACE_EVENT_VFORK_DONE)).kind == StopKind::OtherEvent);
  CHECK(classify_stop(event(PTRACE_EVENT_EXIT)).kind == StopKind::OtherEvent);
}

TEST_CASE("syscall stops carry SIGTRAP|0x80 with TRACESYSGOOD; plain SIGTRAP is a signal") {
  CHECK(classify_stop(stopped(SIGTRAP | 0x80)).kind == StopKind::SyscallStop);
  Stop s = classify_stop(stopped(SIGTRAP));
  CHECK(s.kind == StopKind::SignalStop);
  CHECK(s.signal == SIGTRAP);
}

TEST_CASE("signal-delivery stops keep their signal for re-injection") {
  Stop s = classify_stop(stopped(SIGTERM));
  CHECK(s.kind == StopKind::SignalStop);
  CHECK(s.signal == SIGTERM);
  CHECK(classify_stop(stopped(SIGSTOP)).signal == SIGSTOP);
  CHECK(classify_stop(0xffff).kind == StopKind::Continued);
}
