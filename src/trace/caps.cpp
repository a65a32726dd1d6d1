#include "trace/caps.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "trace/syscalls.h"

namespace bootmortem::trace {

const char* cap_name(Cap c) {
  switch (c) {
    case Cap::Setgid: return "CAP_SETGID";
    case Cap::Setuid: return "CAP_SETUID";
    case Cap::SysPtrace: return "CAP_SYS_PTRACE";
    case Cap::SysAdmin: return "CAP_SYS_ADMIN";
    case Cap::Perfmon: return "CAP_PERFMON";
    case Cap::Bpf: return "CAP_BPF";
  }
  return "CAP_?";
}

Caps own_caps() {
  // glibc has no wrapper; libcap is not worth a dependency for one call.
  struct __user_cap_header_struct header {};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  Caps caps;
  if (syscall(SYS_capget, &header, data) != 0) return caps;
  caps.known = true;
  caps.effective = static_cast<uint64_t>(data[0].effective) | static_cast<uint64_t>(data[1].effective) << 32;
  return caps;
}

std::string ebpf_missing_caps(const Caps& caps) {
  if (caps.has(Cap::SysAdmin) || (caps.has(Cap::Bpf) && caps.has(Cap::Perfmon))) return "";
  std::string out;
  for (Cap c : {Cap::Bpf, Cap::Perfmon})
    if (!caps.has(c)) out += std::string(cap_name(c)) + "/";
  return out + cap_name(Cap::SysAdmin);
}

PtraceMode ptrace_mode(PtraceStops stops) {
  PtraceMode m;
  m.stops = stops;
  switch (stops) {
    case PtraceStops::SeccompFilter:
      break;
    case PtraceStops::SeccompNoNewPrivs:
      m.note = "not root: no_new_privs was set for the filter (under this tracer the kernel ignores setuid bits "
               "and file capabilities at exec anyway)";
      break;
    case PtraceStops::EverySyscall:
      m.note = "no seccomp filter: " + std::string(cap_name(Cap::SysAdmin)) +
               " missing and no_new_privs would change the program; it stops at every system call's entry and "
               "exit, the same " + std::to_string(traced_syscalls().size()) +
               " file, exec and socket calls decoded, so it runs slower than under supervisord";
      break;
  }
  return m;
}

PtraceMode ptrace_stops(uid_t euid, const Caps& caps) {
  if (caps.has(Cap::SysAdmin)) return ptrace_mode(PtraceStops::SeccompFilter);
  if (euid != 0 && !caps.has(Cap::Setuid) && !caps.has(Cap::SysPtrace))
    return ptrace_mode(PtraceStops::SeccompNoNewPrivs);
  return ptrace_mode(PtraceStops::EverySyscall);
}

std::string mount_refused_why(int err, const Caps& caps) {
  if (err != EPERM) return std::strerror(err);
  if (!caps.has(Cap::SysAdmin))
    return std::string(cap_name(Cap::SysAdmin)) +
           " is missing from the effective capability set, as in a container's default one";
  return std::string("refused although ") + cap_name(Cap::SysAdmin) +
         " is in the effective capability set (a seccomp profile or a security module?)";
}

}  // namespace bootmortem::trace
