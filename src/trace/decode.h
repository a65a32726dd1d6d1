// Reading a stopped tracee: strings and sockaddrs from its memory, its cwd
// and fds from /proc, and strace's notation for a failed call.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "trace/syscalls.h"

namespace bootmortem::trace {

// A NUL-terminated string at addr in pid's memory (at most max bytes).
std::optional<std::string> read_string(pid_t pid, uint64_t addr, size_t max = 4096);
// len bytes at addr.
std::optional<std::string> read_bytes(pid_t pid, uint64_t addr, size_t len);

struct SockAddr {
  std::string family;  // "AF_INET", "AF_INET6", "AF_UNIX", or a number
  std::string text;    // "0.0.0.0:80", "[::1]:8080", "/run/x.sock", "@abstract"
  int port = -1;
  std::string strace;  // {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("0.0.0.0")}
};
SockAddr decode_sockaddr(const std::string& raw);
// SockAddr::text written to out (at least k_sockaddr_text_max bytes) without
// allocating; returns its length.
inline constexpr size_t k_sockaddr_text_max = 160;
size_t sockaddr_text_into(const char* raw, size_t len, char* out);

// readlink(/proc/pid/cwd) and readlink(/proc/pid/fd/N).
std::string proc_cwd(pid_t pid);
std::string proc_fd_path(pid_t pid, int fd);

// A path argument made absolute the way the kernel resolved it: against the
// dirfd's directory, or the process's cwd for AT_FDCWD.
std::string resolve_at(pid_t pid, long dirfd, const std::string& path);

// Decoded arguments of one failed call.
struct DecodedCall {
  std::string args;   // strace-style argument list, without the parentheses
  std::string path;   // first path argument, absolute
  std::string path2;  // second path argument, absolute
  std::string addr;
  int port = -1;
};
DecodedCall decode_call(pid_t pid, const SyscallDesc& desc, const uint64_t (&args)[6]);

// Where decode_call finds a call's strings: the stopped tracee's memory
// (ptrace), or the bytes the kernel copied when the call failed (eBPF).
class CallMemory {
 public:
  virtual ~CallMemory() = default;
  // The nth (0 or 1) path argument, at addr; nullopt when unreadable.
  virtual std::optional<std::string> path(int nth, uint64_t addr) const = 0;
  // The sockaddr of len bytes at addr; nullopt when unreadable.
  virtual std::optional<std::string> sockaddr(uint64_t addr, size_t len) const = 0;
  // A path made absolute as the kernel resolved it (dirfd or cwd).
  virtual std::string resolve(long dirfd, const std::string& path) const = 0;
};
DecodedCall decode_call(const SyscallDesc& desc, const uint64_t (&args)[6], const CallMemory& mem);

// What identifies a failed call: its paths as decode_call resolves them and
// its address as SockAddr::text. Views into the reader's buffers, valid
// until its next read().
struct CallKey {
  std::string_view path;
  std::string_view path2;
  std::string_view addr;
};

// Reads a CallKey from a stopped tracee into fixed buffers: the tracer's hot
// path (a call that failed a million times) allocates nothing.
class CallKeyReader {
 public:
  CallKey read(pid_t pid, const SyscallDesc& desc, const uint64_t (&args)[6]);

 private:
  static constexpr size_t k_max_string = 4096;  // read_string's default
  static constexpr size_t k_max_path = 2 * k_max_string + 8;
  // resolve_at into out: returns the length.
  size_t resolve_into(pid_t pid, long dirfd, std::string_view path, char* out);

  char raw_[k_max_string];
  char base_[k_max_string];
  char joined_[k_max_path];
  char paths_[2][k_max_path];
  char sockaddr_[128];
  char addr_[k_sockaddr_text_max];
  uint16_t parts_[k_max_path / 2 + 2];
};

// core::normalize_path into out (at least in.size() + 2 bytes), using parts
// (at least in.size() / 2 + 2 entries) as scratch; returns the length.
size_t normalize_path_into(std::string_view in, char* out, uint16_t* parts);

// strace's rendering of flags and modes, and of numbers: 0755, 0x7ffd...
std::string octal(uint64_t v);
std::string hex(uint64_t v);
std::string format_open_flags(uint64_t flags);
std::string quote_string(const std::string& s);

}  // namespace bootmortem::trace
