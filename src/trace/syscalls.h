// The system calls the tracer traps, and how their arguments read: which
// argument is a path, which a dirfd, which a sockaddr. The narrowest set the
// rules need: files, exec, chdir, bind/connect.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bootmortem::trace {

enum class ArgKind : uint8_t {
  None,
  Path,      // const char*
  DirFd,     // int, AT_FDCWD shown as such
  Fd,        // int
  Mode,      // octal
  OpenFlags, // O_RDONLY|O_CLOEXEC...
  Sockaddr,  // struct sockaddr*, the next argument is its length
  Int,
  Ptr,       // shown as an address
};

struct SyscallDesc {
  const char* name;
  ArgKind args[6];
  int nargs;
  // The argument holding AT_* flags, or -1. With AT_EMPTY_PATH the call is
  // about an open fd, not a path (glibc's fstat is newfstatat(fd, "", buf,
  // AT_EMPTY_PATH)): the filter lets it through untrapped.
  int empty_path_flags = -1;
};

// Every syscall of the trapped set, by name; resolved to numbers with
// libseccomp for the native architecture (names absent there are skipped).
const std::vector<SyscallDesc>& traced_syscalls();

// Index of the syscall table by number; nullptr when not traced.
const SyscallDesc* find_syscall(long nr);
// The filter's decision, made by the tracer itself when there is no filter:
// the call's entry in the table when the filter would trap it (the native
// architecture, AUDIT_ARCH_*; not an AT_EMPTY_PATH form), else nullptr.
const SyscallDesc* trapped_call(uint32_t arch, uint64_t nr, const uint64_t args[6]);
// The native number of a syscall by name; -1 when the architecture lacks it.
long syscall_number(const char* name);

// The BPF program: allow everything, SECCOMP_RET_TRACE the trapped set (less
// the AT_EMPTY_PATH forms, see SyscallDesc). Built
// before fork so the child only has to hand it to prctl().
struct BpfProgram {
  std::vector<uint8_t> bytes;  // struct sock_filter[]
  size_t count() const { return bytes.size() / 8; }
};
BpfProgram build_seccomp_filter();

}  // namespace bootmortem::trace
