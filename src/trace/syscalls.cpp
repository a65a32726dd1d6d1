#include "trace/syscalls.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <limits>
#include <mutex>

#include "core/error.h"

namespace bootmortem::trace {
namespace {

using A = ArgKind;

// glibc issues several variants of each call (openat for open, newfstatat or
// statx for stat, mkdirat rarely): trap them all so a rule written for one
// sees the others.
const std::vector<SyscallDesc> k_syscalls = {
    {"open", {A::Path, A::OpenFlags, A::Mode}, 3},
    {"openat", {A::DirFd, A::Path, A::OpenFlags, A::Mode}, 4},
    {"openat2", {A::DirFd, A::Path, A::Ptr, A::Int}, 4},
    {"creat", {A::Path, A::Mode}, 2},
    {"access", {A::Path, A::Int}, 2},
    {"faccessat", {A::DirFd, A::Path, A::Int}, 3},
    {"faccessat2", {A::DirFd, A::Path, A::Int, A::Int}, 4},
    {"stat", {A::Path, A::Ptr}, 2},
    {"lstat", {A::Path, A::Ptr}, 2},
    // A third of a Python start's newfstatat calls are fstat(fd) in disguise
    // (`strace -e newfstatat python3 -c 'import json' |& grep -c EMPTY_PATH`).
    {"newfstatat", {A::DirFd, A::Path, A::Ptr, A::Int}, 4, 3},
    {"statx", {A::DirFd, A::Path, A::Int, A::Int, A::Ptr}, 5, 2},
    {"mkdir", {A::Path, A::Mode}, 2},
    {"mkdirat", {A::DirFd, A::Path, A::Mode}, 3},
    {"rmdir", {A::Path}, 1},
    {"unlink", {A::Path}, 1},
    {"unlinkat", {A::DirFd, A::Path, A::Int}, 3},
    {"rename", {A::Path, A::Path}, 2},
    {"renameat", {A::DirFd, A::Path, A::DirFd, A::Path}, 4},
    {"renameat2", {A::DirFd, A::Path, A::DirFd, A::Path, A::Int}, 5},
    {"link", {A::Path, A::Path}, 2},
    {"linkat", {A::DirFd, A::Path, A::DirFd, A::Path, A::Int}, 5},
    {"symlink", {A::Path, A::Path}, 2},
    {"symlinkat", {A::Path, A::DirFd, A::Path}, 3},
    {"chdir", {A::Path}, 1},
    {"chmod", {A::Path, A::Mode}, 2},
    {"fchmodat", {A::DirFd, A::Path, A::Mode}, 3},
    {"chown", {A::Path, A::Int, A::Int}, 3},
    {"lchown", {A::Path, A::Int, A::Int}, 3},
    {"fchownat", {A::DirFd, A::Path, A::Int, A::Int, A::Int}, 5},
    {"truncate", {A::Path, A::Int}, 2},
    {"execve", {A::Path, A::Ptr, A::Ptr}, 3},
    {"execveat", {A::DirFd, A::Path, A::Ptr, A::Ptr, A::Int}, 5},
    {"bind", {A::Fd, A::Sockaddr, A::Int}, 3},
    {"connect", {A::Fd, A::Sockaddr, A::Int}, 3},
};

// By number, a flat table: the tracer looks every trapped call up.
struct Index {
  std::vector<const SyscallDesc*> by_nr;
};

const Index& index() {
  static const Index idx = [] {
    Index i;
    for (const auto& d : k_syscalls) {
      int nr = seccomp_syscall_resolve_name(d.name);
      if (nr < 0) continue;  // __NR_SCMP_ERROR: not on this arch
      if (static_cast<size_t>(nr) >= i.by_nr.size()) i.by_nr.resize(static_cast<size_t>(nr) + 1);
      i.by_nr[static_cast<size_t>(nr)] = &d;
    }
    return i;
  }();
  return idx;
}

}  // namespace

const std::vector<SyscallDesc>& traced_syscalls() { return k_syscalls; }

const SyscallDesc* find_syscall(long nr) {
  const auto& v = index().by_nr;
  return nr >= 0 && static_cast<size_t>(nr) < v.size() ? v[static_cast<size_t>(nr)] : nullptr;
}

const SyscallDesc* trapped_call(uint32_t arch, uint64_t nr, const uint64_t args[6]) {
  static const uint32_t native = seccomp_arch_native();
  if (arch != native || nr > static_cast<uint64_t>(std::numeric_limits<long>::max())) return nullptr;
  const SyscallDesc* desc = find_syscall(static_cast<long>(nr));
  if (desc && desc->empty_path_flags >= 0 && (args[desc->empty_path_flags] & AT_EMPTY_PATH) != 0) return nullptr;
  return desc;
}

long syscall_number(const char* name) {
  int nr = seccomp_syscall_resolve_name(name);
  return nr < 0 ? -1 : nr;
}

BpfProgram build_seccomp_filter() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) throw core::SystemError("seccomp_init", ENOMEM);
  // A 32-bit binary under a 64-bit kernel must not be killed by the filter.
  seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  const auto& by_nr = index().by_nr;
  for (size_t nr = 0; nr < by_nr.size(); ++nr) {
    const SyscallDesc* desc = by_nr[nr];
    if (!desc) continue;
    int rc = desc->empty_path_flags < 0
                 ? seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), static_cast<int>(nr), 0)
                 : seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), static_cast<int>(nr), 1,
                                    SCMP_CMP(static_cast<unsigned>(desc->empty_path_flags),
                                             SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, 0));
    if (rc < 0) {
      seccomp_release(ctx);
      throw core::SystemError(std::string("seccomp_rule_add ") + desc->name, -rc);
    }
  }
  // libseccomp 2.5 exports only to a file descriptor.
  int fd = memfd_create("bootmortem-bpf", MFD_CLOEXEC);
  if (fd < 0) {
    seccomp_release(ctx);
    throw core::SystemError("memfd_create", errno);
  }
  int rc = seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  if (rc < 0) {
    close(fd);
    throw core::SystemError("seccomp_export_bpf", -rc);
  }
  BpfProgram prog;
  off_t size = lseek(fd, 0, SEEK_END);
  prog.bytes.resize(static_cast<size_t>(size));
  if (pread(fd, prog.bytes.data(), prog.bytes.size(), 0) != size) {
    close(fd);
    throw core::SystemError("read seccomp program", errno);
  }
  close(fd);
  return prog;
}

}  // namespace bootmortem::trace
