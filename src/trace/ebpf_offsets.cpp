#include "trace/ebpf_offsets.h"

#if BOOTMORTEM_EBPF
#include <bpf/btf.h>
#endif
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace bootmortem::trace {
namespace {

constexpr const char* k_vmlinux_btf = "/sys/kernel/btf/vmlinux";

std::string read_small(const char* path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

// What the cached offsets were computed for: this boot of this kernel.
std::string cache_key() {
  struct stat st {};
  ::stat(k_vmlinux_btf, &st);
  return read_small("/proc/sys/kernel/random/boot_id") + " " + std::to_string(st.st_size);
}

#if BOOTMORTEM_EBPF
// Byte offset of a member of a struct, looking into anonymous structs and
// unions (task_struct keeps many fields in them); -1 when absent.
long member_offset(const struct btf* btf, int type_id, const char* name, int depth = 0) {
  const struct btf_type* t = btf__type_by_id(btf, static_cast<__u32>(type_id));
  if (!t || depth > 8) return -1;
  if (!btf_is_composite(t)) return -1;
  const struct btf_member* m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); ++i, ++m) {
    const long off = static_cast<long>(btf_member_bit_offset(t, static_cast<__u32>(i)) / 8);
    const char* mname = btf__name_by_offset(btf, m->name_off);
    if (mname && *mname) {
      if (std::strcmp(mname, name) == 0) return off;
      continue;
    }
    int inner = btf__resolve_type(btf, m->type);
    long found = inner >= 0 ? member_offset(btf, inner, name, depth + 1) : -1;
    if (found >= 0) return off + found;
  }
  return -1;
}

long struct_member(const struct btf* btf, const char* type, const char* member, std::string* missing) {
  int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
  long off = id > 0 ? member_offset(btf, id, member) : -1;
  if (off < 0 && missing->empty()) *missing = std::string(type) + "." + member;
  return off;
}

std::optional<KernelOffsets> from_btf(std::string* why) {
  struct btf* btf = btf__load_vmlinux_btf();
  if (!btf) {
    *why = std::string("cannot read the kernel's BTF (") + k_vmlinux_btf + "): " + std::strerror(errno);
    return std::nullopt;
  }
  std::string missing;
  KernelOffsets k;
  const char* regs[6] = {"di", "si", "dx", "r10", "r8", "r9"};
  for (int i = 0; i < 6; ++i) k.regs[i] = static_cast<uint32_t>(struct_member(btf, "pt_regs", regs[i], &missing));
  k.regs_orig_ax = static_cast<uint32_t>(struct_member(btf, "pt_regs", "orig_ax", &missing));
  k.task_pid = static_cast<uint32_t>(struct_member(btf, "task_struct", "pid", &missing));
  k.task_tgid = static_cast<uint32_t>(struct_member(btf, "task_struct", "tgid", &missing));
  k.task_real_parent = static_cast<uint32_t>(struct_member(btf, "task_struct", "real_parent", &missing));
  k.task_signal = static_cast<uint32_t>(struct_member(btf, "task_struct", "signal", &missing));
  k.task_exit_code = static_cast<uint32_t>(struct_member(btf, "task_struct", "exit_code", &missing));
  // signal_struct.live is an atomic_t whose counter is its first field.
  k.signal_live = static_cast<uint32_t>(struct_member(btf, "signal_struct", "live", &missing));
  k.bprm_filename = static_cast<uint32_t>(struct_member(btf, "linux_binprm", "filename", &missing));
  btf__free(btf);
  if (!missing.empty()) {
    *why = "the kernel's BTF has no " + missing;
    return std::nullopt;
  }
  return k;
}
#endif

}  // namespace

std::string KernelOffsets::serialize() const {
  std::ostringstream out;
  for (uint32_t r : regs) out << r << ' ';
  out << regs_orig_ax << ' ' << task_pid << ' ' << task_tgid << ' ' << task_real_parent << ' ' << task_signal << ' '
      << task_exit_code << ' ' << signal_live << ' ' << bprm_filename;
  return out.str();
}

std::optional<KernelOffsets> KernelOffsets::parse(const std::string& text) {
  std::istringstream in(text);
  KernelOffsets k;
  for (uint32_t& r : k.regs) in >> r;
  in >> k.regs_orig_ax >> k.task_pid >> k.task_tgid >> k.task_real_parent >> k.task_signal >> k.task_exit_code >>
      k.signal_live >> k.bprm_filename;
  if (!in) return std::nullopt;
  return k;
}

std::optional<KernelOffsets> kernel_offsets(const std::string& cache_dir, std::string* why) {
#if BOOTMORTEM_EBPF
  const std::string key = cache_key();
  const std::string file = cache_dir + "/kernel-offsets";
  // Trusted only when root wrote it where only root can.
  struct stat st {};
  const bool trusted = !cache_dir.empty() && ::stat(cache_dir.c_str(), &st) == 0 && st.st_uid == 0 &&
                       !(st.st_mode & 022) && ::stat(file.c_str(), &st) == 0 && st.st_uid == 0 &&
                       !(st.st_mode & 022);
  if (trusted) {
    std::ifstream in(file);
    std::string stored, values;
    if (std::getline(in, stored) && std::getline(in, values) && stored == key)
      if (auto k = KernelOffsets::parse(values)) return k;
  }
  auto k = from_btf(why);
  if (k && !cache_dir.empty() && geteuid() == 0) {
    // Written whole then renamed: a reader never sees half a file.
    ::mkdir(cache_dir.c_str(), 0755);
    const std::string tmp = file + "." + std::to_string(getpid());
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << key << '\n' << k->serialize() << '\n';
    }
    if (::rename(tmp.c_str(), file.c_str()) != 0) ::unlink(tmp.c_str());
  }
  return k;
#else
  *why = "built without the eBPF backend";
  return std::nullopt;
#endif
}

}  // namespace bootmortem::trace
