// The replay child between fork and exec: supervisord's _spawn_as_child, in
// order, with everything prepared before the fork. Never allocates, never
// throws; the tool's own setup failures go to the parent through a
// close-on-exec pipe, the program's failures are written to fd 2 in
// supervisord's own words and end in exit 127, as supervisord's child does.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace bootmortem::trace {

// Steps whose failure is the tool's, reported as {step, errno} on err_fd.
enum class ChildStep : int {
  EnterSupervisordCwd = 1,
  Traceme,
  Seccomp,
  NoNewPrivs,
  PrivateNetwork,
  EnterMountNamespace,
};
const char* child_step_name(ChildStep s);

struct ChildFailure {
  int step;
  int err;
};

struct ChildPlan {
  // fds, already open in the parent
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;   // == stdout_fd with redirect_stderr
  int err_fd = -1;      // close-on-exec report pipe
  int go_fd = -1;       // without ptrace: wait for a byte here before anything else
  bool ptrace = true;   // PTRACE_TRACEME, stop, and install the seccomp filter if bpf
  int close_from = 3;

  const char* supervisord_cwd = nullptr;
  // A network namespace of its own with only loopback: for a second replay
  // when supervisord's own copy holds the port the first one needed.
  bool private_network = false;
  // A mount namespace to enter first (setns), or -1: a verification replay's
  // throwaway copy of the files its fix changes (run/verify.cpp).
  int mount_ns_fd = -1;
  // [supervisord] minfds: supervisord raises its RLIMIT_NOFILE to it at
  // start (set_rlimits), and every child inherits that; 0 leaves it.
  long minfds = 0;
  const char* directory = nullptr;  // directory=, or nullptr

  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  const gid_t* groups = nullptr;
  size_t ngroups = 0;
  const char* preset_error = nullptr;  // "couldn't setuid to N: ..." decided by the parent

  mode_t umask = 022;
  const char* filename = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* argv0 = nullptr;

  // struct sock_filter[] (ptrace only); nullptr: no filter, the tracer
  // stops the child at every call (PtraceStops::EverySyscall)
  const void* bpf = nullptr;
  unsigned short bpf_len = 0;
  // Without CAP_SYS_ADMIN the kernel demands it for a filter (trace/caps.h).
  bool need_no_new_privs = false;
};

[[noreturn]] void run_child(const ChildPlan& plan);

}  // namespace bootmortem::trace
