#include "trace/stop_kind.h"

#include <sys/ptrace.h>
#include <sys/wait.h>

#include <csignal>

namespace bootmortem::trace {

Stop classify_stop(int status) noexcept {
  if (WIFEXITED(status)) return {StopKind::Exited, WEXITSTATUS(status)};
  if (WIFSIGNALED(status)) return {StopKind::Signaled, WTERMSIG(status)};
  if (WIFCONTINUED(status)) return {StopKind::Continued, 0};
  if (!WIFSTOPPED(status)) return {StopKind::Unknown, 0};

  const int sig = WSTOPSIG(status);
  const int event = status >> 16;  // (SIGTRAP | PTRACE_EVENT_x << 8) << 8 | 0x7f
  if (sig == (SIGTRAP | 0x80)) return {StopKind::SyscallStop, 0};
  if (sig == SIGTRAP && event != 0) {
    switch (event) {
      case PTRACE_EVENT_SECCOMP: return {StopKind::SeccompStop, 0};
      case PTRACE_EVENT_FORK: return {StopKind::ForkEvent, 0};
      case PTRACE_EVENT_VFORK: return {StopKind::VforkEvent, 0};
      case PTRACE_EVENT_CLONE: return {StopKind::CloneEvent, 0};
      case PTRACE_EVENT_EXEC: return {StopKind::ExecEvent, 0};
      default: return {StopKind::OtherEvent, 0};
    }
  }
  return {StopKind::SignalStop, sig};
}

const char* stop_kind_name(StopKind k) noexcept {
  switch (k) {
    case StopKind::Exited: return "exited";
    case StopKind::Signaled: return "signaled";
    case StopKind::SeccompStop: return "seccomp";
    case StopKind::SyscallStop: return "syscall";
    case StopKind::ForkEvent: return "fork";
    case StopKind::VforkEvent: return "vfork";
    case StopKind::CloneEvent: return "clone";
    case StopKind::ExecEvent: return "exec";
    case StopKind::OtherEvent: return "event";
    case StopKind::SignalStop: return "signal";
    case StopKind::Continued: return "continued";
    case StopKind::Unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace bootmortem::trace
