// The capabilities bootmortem runs with, and what tracing makes of them. In a
// container build step or a CI job it is often root (uid 0) without
// CAP_SYS_ADMIN, CAP_BPF or CAP_PERFMON (Docker's and Podman's default sets):
// eBPF cannot load, a seccomp filter needs no_new_privs, and a private mount
// namespace is refused. Each of those degrades with a reason that names the
// capability, from the values below.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace bootmortem::trace {

// Capability numbers (linux/capability.h), spelled here so that callers
// need no platform header; CAP_PERFMON and CAP_BPF are Linux 5.8.
enum class Cap : int {
  Setgid = 6,
  Setuid = 7,
  SysPtrace = 19,
  SysAdmin = 21,
  Perfmon = 38,
  Bpf = 39,
};
const char* cap_name(Cap c);  // "CAP_SYS_ADMIN"

// This process's effective set (capget). Unknown (the call failed) counts
// as every capability present: the operations themselves then say no.
struct Caps {
  bool known = false;
  uint64_t effective = 0;
  bool has(Cap c) const { return !known || (effective >> static_cast<int>(c) & 1) != 0; }
};
Caps own_caps();

// What loading the eBPF programs lacks: "" when the set allows it
// (CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON); else the missing ones,
// "CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN".
std::string ebpf_missing_caps(const Caps& caps);

// How the ptrace backend stops the program at the calls it decodes.
enum class PtraceStops {
  // A seccomp filter traps the decoded calls only, installed with
  // CAP_SYS_ADMIN (root's, before the uid switch): no no_new_privs.
  SeccompFilter,
  // The same filter with no_new_privs: not root, and not able to gain
  // privileges at exec under this tracer anyway (see ptrace_stops()).
  SeccompNoNewPrivs,
  // No filter: a stop at every system call's entry and exit
  // (PTRACE_SYSCALL), the same calls decoded; slower, nothing changed.
  EverySyscall,
};
struct PtraceMode {
  PtraceStops stops = PtraceStops::SeccompFilter;
  std::string note;  // for TraceLog::backend_note, "" for SeccompFilter
};
// A filter without no_new_privs needs CAP_SYS_ADMIN. Without it, root gets
// no filter rather than no_new_privs, which would keep the program's setuid
// helpers and file capabilities from working. Not root, without
// CAP_SYS_PTRACE or CAP_SETUID, no_new_privs changes nothing there: the
// kernel already ignores setuid bits and file capabilities at an exec traced
// by a tracer without CAP_SYS_PTRACE when the program lacks CAP_SETUID.
PtraceMode ptrace_stops(uid_t euid, const Caps& caps);
// The mode with its note, whatever the capabilities (PtraceTracer's forced one).
PtraceMode ptrace_mode(PtraceStops stops);

// A namespace of the replay's own (unshare, mount, for a fix's throwaway
// copy or a private network) was refused with err: why, in words, from the
// effective set ("CAP_SYS_ADMIN is missing from the effective capability
// set, ...", or a policy's refusal).
std::string mount_refused_why(int err, const Caps& caps);

}  // namespace bootmortem::trace
