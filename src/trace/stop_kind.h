// A wait status becomes one named StopKind before anyone acts on it
// (strace's next_event()); one switch in the tracer decides how to resume.
#pragma once

namespace bootmortem::trace {

enum class StopKind {
  Exited,          // WIFEXITED
  Signaled,        // WIFSIGNALED
  SeccompStop,     // PTRACE_EVENT_SECCOMP: a trapped syscall's entry
  SyscallStop,     // SIGTRAP|0x80 with TRACESYSGOOD: syscall entry or exit
  ForkEvent,       // PTRACE_EVENT_FORK
  VforkEvent,      // PTRACE_EVENT_VFORK
  CloneEvent,      // PTRACE_EVENT_CLONE (threads)
  ExecEvent,       // PTRACE_EVENT_EXEC
  OtherEvent,      // any other PTRACE_EVENT_* (VFORK_DONE, EXIT, STOP)
  SignalStop,      // signal-delivery-stop (or group-stop): a signal to pass on
  Continued,       // WIFCONTINUED
  Unknown,
};

struct Stop {
  StopKind kind = StopKind::Unknown;
  int signal = 0;  // the signal for SignalStop / Signaled / Exited's status for Exited
};

// Pure: classifies a status from waitpid(..., __WALL).
Stop classify_stop(int status) noexcept;

const char* stop_kind_name(StopKind k) noexcept;

}  // namespace bootmortem::trace
