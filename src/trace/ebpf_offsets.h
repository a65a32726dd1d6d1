// Where the eBPF programs find the kernel fields they read (task_struct's
// tgid, parent, signal and exit code; linux_binprm's file name; the syscall
// number and argument registers in pt_regs). Looked up in the running kernel's BTF
// (/sys/kernel/btf/vmlinux) with libbpf, then kept in /run (tmpfs, so a
// reboot, the only way to change kernels, empties it) keyed by the boot id:
// parsing 5 MB of BTF takes longer than the traced program's start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bootmortem::trace {

struct KernelOffsets {
  uint32_t regs[6] = {};  // di, si, dx, r10, r8, r9 (x86-64 syscall arguments)
  uint32_t regs_orig_ax = 0;  // the syscall number, kept there until the call returns
  uint32_t task_pid = 0;
  uint32_t task_tgid = 0;
  uint32_t task_real_parent = 0;
  uint32_t task_signal = 0;
  uint32_t task_exit_code = 0;
  uint32_t signal_live = 0;
  uint32_t bprm_filename = 0;

  std::string serialize() const;
  static std::optional<KernelOffsets> parse(const std::string& text);
};

// The offsets for the running kernel; nullopt with *why set when its BTF
// cannot be read or lacks a field. cache_dir "" disables the cache.
std::optional<KernelOffsets> kernel_offsets(const std::string& cache_dir, std::string* why);

}  // namespace bootmortem::trace
