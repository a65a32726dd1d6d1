#include "trace/decode.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/fs.h"
#include "trace/procfs.h"

namespace bootmortem::trace {
namespace {

constexpr size_t k_page = 4096;

// readlink(/proc/pid/cwd) or (/proc/pid/fd/N) into buf (4096 bytes): the
// length, 0 when it fails. No allocation.
size_t proc_link_into(pid_t pid, long fd, char* buf) {
  char link[64];
  if (static_cast<int>(fd) == AT_FDCWD)
    std::snprintf(link, sizeof link, "/proc/%d/cwd", static_cast<int>(pid));
  else
    std::snprintf(link, sizeof link, "/proc/%d/fd/%d", static_cast<int>(pid), static_cast<int>(fd));
  ssize_t n = proc_readlink(pid, link, buf, 4096 - 1);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

// A tracer without CAP_SYS_PTRACE (root in a container) may not use
// process_vm_readv on a program that runs as another user (user=): EPERM.
// It may still peek at its stopped tracee, a word at a time. Up to len
// bytes from addr into dst; stops after a NUL when until_nul. The count, or
// -1 when nothing could be read.
long peek_into(pid_t pid, uint64_t addr, char* dst, size_t len, bool until_nul) {
  size_t done = 0;
  while (done < len) {
    const uint64_t at = addr + done;
    const uint64_t word_at = at & ~uint64_t{sizeof(long) - 1};
    errno = 0;
    const long word = ptrace(PTRACE_PEEKDATA, pid, reinterpret_cast<void*>(word_at), nullptr);
    if (errno != 0) return done == 0 ? -1 : static_cast<long>(done);
    const size_t off = static_cast<size_t>(at - word_at);
    const size_t take = std::min(sizeof word - off, len - done);
    std::memcpy(dst + done, reinterpret_cast<const char*>(&word) + off, take);
    if (until_nul)
      if (const void* nul = std::memchr(dst + done, '\0', take))
        return static_cast<long>(static_cast<const char*>(nul) - dst) + 1;
    done += take;
  }
  return static_cast<long>(done);
}

// process_vm_readv of len bytes, or peek_into when it is refused.
long read_remote(pid_t pid, uint64_t addr, char* dst, size_t len) {
  struct iovec local{dst, len};
  struct iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
  if (n < 0 && errno == EPERM) return peek_into(pid, addr, dst, len, false);
  return static_cast<long>(n);
}

// read_string into buf (max bytes): the length, or -1 for its nullopt.
long read_string_into(pid_t pid, uint64_t addr, char* buf, size_t max) {
  if (addr == 0) return -1;
  size_t len = 0;
  // Page by page: a read that crosses into an unmapped page fails whole.
  while (len < max) {
    size_t chunk = std::min(k_page - (addr % k_page), max - len);
    struct iovec local{buf + len, chunk};
    struct iovec remote{reinterpret_cast<void*>(addr), chunk};
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n < 0 && errno == EPERM) {  // word by word, up to the NUL
      const long m = peek_into(pid, addr, buf + len, max - len, true);
      if (m <= 0) return len == 0 ? -1 : static_cast<long>(len);
      const void* nul = std::memchr(buf + len, '\0', static_cast<size_t>(m));
      return nul ? static_cast<long>(static_cast<const char*>(nul) - buf) : static_cast<long>(len) + m;
    }
    if (n <= 0) return len == 0 ? -1 : static_cast<long>(len);
    const void* nul = std::memchr(buf + len, '\0', static_cast<size_t>(n));
    if (nul) return static_cast<long>(static_cast<const char*>(nul) - buf);
    len += static_cast<size_t>(n);
    addr += static_cast<uint64_t>(n);
  }
  return static_cast<long>(len);
}

}  // namespace

std::string octal(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0%llo", static_cast<unsigned long long>(v));
  return buf;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<std::string> read_bytes(pid_t pid, uint64_t addr, size_t len) {
  if (addr == 0) return std::nullopt;
  std::string out(len, '\0');
  const long n = read_remote(pid, addr, out.data(), len);
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> read_string(pid_t pid, uint64_t addr, size_t max) {
  std::string out(max, '\0');
  long n = read_string_into(pid, addr, out.data(), max);
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n));
  return out;
}

size_t sockaddr_text_into(const char* raw, size_t len, char* out) {
  if (len < sizeof(sa_family_t)) return 0;
  sa_family_t fam;
  std::memcpy(&fam, raw, sizeof fam);
  char ip[INET6_ADDRSTRLEN] = {0};
  if (fam == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in sin;
    std::memcpy(&sin, raw, sizeof sin);
    inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof ip);
    return static_cast<size_t>(
        std::snprintf(out, k_sockaddr_text_max, "%s:%d", ip, static_cast<int>(ntohs(sin.sin_port))));
  }
  if (fam == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, raw, sizeof sin6);
    inet_ntop(AF_INET6, &sin6.sin6_addr, ip, sizeof ip);
    return static_cast<size_t>(
        std::snprintf(out, k_sockaddr_text_max, "[%s]:%d", ip, static_cast<int>(ntohs(sin6.sin6_port))));
  }
  if (fam != AF_UNIX) return 0;
  const size_t off = offsetof(sockaddr_un, sun_path);
  if (len <= off) return 0;
  const char* path = raw + off;
  size_t n = len - off;
  size_t w = 0;
  if (path[0] == '\0') {  // abstract: "@name", the name up to the next NUL
    out[w++] = '@';
    ++path;
    --n;
  }
  const void* nul = std::memchr(path, '\0', n);
  if (nul) n = static_cast<size_t>(static_cast<const char*>(nul) - path);
  n = std::min(n, k_sockaddr_text_max - w);
  std::memcpy(out + w, path, n);
  return w + n;
}

SockAddr decode_sockaddr(const std::string& raw) {
  SockAddr out;
  if (raw.size() < sizeof(sa_family_t)) return out;
  sa_family_t fam;
  std::memcpy(&fam, raw.data(), sizeof fam);
  char text[k_sockaddr_text_max];
  out.text.assign(text, sockaddr_text_into(raw.data(), raw.size(), text));
  char ip[INET6_ADDRSTRLEN] = {0};
  if (fam == AF_INET && raw.size() >= sizeof(sockaddr_in)) {
    sockaddr_in sin;
    std::memcpy(&sin, raw.data(), sizeof sin);
    inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof ip);
    out.family = "AF_INET";
    out.port = ntohs(sin.sin_port);
    out.strace = "{sa_family=AF_INET, sin_port=htons(" + std::to_string(out.port) +
                 "), sin_addr=inet_addr(\"" + ip + "\")}";
  } else if (fam == AF_INET6 && raw.size() >= sizeof(sockaddr_in6)) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, raw.data(), sizeof sin6);
    inet_ntop(AF_INET6, &sin6.sin6_addr, ip, sizeof ip);
    out.family = "AF_INET6";
    out.port = ntohs(sin6.sin6_port);
    out.strace = "{sa_family=AF_INET6, sin6_port=htons(" + std::to_string(out.port) +
                 "), sin6_addr=inet_pton(AF_INET6, \"" + ip + "\")}";
  } else if (fam == AF_UNIX) {
    out.family = "AF_UNIX";
    out.strace = "{sa_family=AF_UNIX, sun_path=" + quote_string(out.text) + "}";
  } else {
    out.family = std::to_string(fam);
    out.strace = "{sa_family=" + out.family + "}";
  }
  return out;
}

std::string proc_cwd(pid_t pid) {
  char buf[4096];
  return std::string(buf, proc_link_into(pid, AT_FDCWD, buf));
}

std::string proc_fd_path(pid_t pid, int fd) {
  char buf[4096];
  return std::string(buf, proc_link_into(pid, fd, buf));
}

std::string resolve_at(pid_t pid, long dirfd, const std::string& path) {
  if (path.starts_with('/')) return core::normalize_path(path);
  std::string base = (static_cast<int>(dirfd) == AT_FDCWD) ? proc_cwd(pid)
                                                           : proc_fd_path(pid, static_cast<int>(dirfd));
  if (base.empty()) return path;
  return core::absolute_path(path, base);
}

std::string quote_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%o", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string format_open_flags(uint64_t flags) {
  struct Flag {
    uint64_t bit;
    const char* name;
  };
  static const Flag k_flags[] = {
      {O_CREAT, "O_CREAT"},       {O_EXCL, "O_EXCL"},         {O_NOCTTY, "O_NOCTTY"},
      {O_TRUNC, "O_TRUNC"},       {O_APPEND, "O_APPEND"},     {O_NONBLOCK, "O_NONBLOCK"},
      {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"}, {O_CLOEXEC, "O_CLOEXEC"},
      {O_PATH, "O_PATH"},
  };
  std::string out;
  switch (flags & O_ACCMODE) {
    case O_RDONLY: out = "O_RDONLY"; break;
    case O_WRONLY: out = "O_WRONLY"; break;
    default: out = "O_RDWR"; break;
  }
  uint64_t rest = flags & ~static_cast<uint64_t>(O_ACCMODE);
  for (const auto& f : k_flags) {
    if ((rest & f.bit) == f.bit && f.bit) {
      out += "|";
      out += f.name;
      rest &= ~f.bit;
    }
  }
  if (rest) out += "|" + hex(rest);
  return out;
}

namespace {

// A stopped tracee's memory and /proc entries.
class TraceeMemory final : public CallMemory {
 public:
  explicit TraceeMemory(pid_t pid) : pid_(pid) {}
  std::optional<std::string> path(int, uint64_t addr) const override { return read_string(pid_, addr); }
  std::optional<std::string> sockaddr(uint64_t addr, size_t len) const override {
    return read_bytes(pid_, addr, len);
  }
  std::string resolve(long dirfd, const std::string& path) const override { return resolve_at(pid_, dirfd, path); }

 private:
  pid_t pid_;
};

}  // namespace

DecodedCall decode_call(pid_t pid, const SyscallDesc& desc, const uint64_t (&args)[6]) {
  return decode_call(desc, args, TraceeMemory(pid));
}

DecodedCall decode_call(const SyscallDesc& desc, const uint64_t (&args)[6], const CallMemory& mem) {
  DecodedCall out;
  long last_dirfd = AT_FDCWD;
  int paths_seen = 0;
  for (int i = 0; i < desc.nargs; ++i) {
    if (i) out.args += ", ";
    const uint64_t v = args[i];
    switch (desc.args[i]) {
      case ArgKind::DirFd:
        last_dirfd = static_cast<int>(v);
        out.args += static_cast<int>(v) == AT_FDCWD ? "AT_FDCWD" : std::to_string(static_cast<int>(v));
        break;
      case ArgKind::Path: {
        auto s = mem.path(paths_seen, v);
        out.args += s ? quote_string(*s) : hex(v);
        // symlinkat's first path is the link's target, not a path to resolve.
        bool is_target = (std::strcmp(desc.name, "symlink") == 0 ||
                          std::strcmp(desc.name, "symlinkat") == 0) && paths_seen == 0;
        std::string abs = s && !is_target ? mem.resolve(last_dirfd, *s) : (s ? *s : "");
        (paths_seen == 0 ? out.path : out.path2) = abs;
        ++paths_seen;
        last_dirfd = AT_FDCWD;
        break;
      }
      case ArgKind::Fd: out.args += std::to_string(static_cast<int>(v)); break;
      case ArgKind::Mode: out.args += octal(v & 07777); break;
      case ArgKind::OpenFlags: out.args += format_open_flags(v); break;
      case ArgKind::Sockaddr: {
        size_t len = i + 1 < 6 ? static_cast<size_t>(std::min<uint64_t>(args[i + 1], 128)) : 0;
        auto raw = mem.sockaddr(v, len);
        if (raw) {
          SockAddr sa = decode_sockaddr(*raw);
          out.args += sa.strace;
          out.addr = sa.text;
          out.port = sa.port;
        } else {
          out.args += hex(v);
        }
        break;
      }
      case ArgKind::Int: out.args += std::to_string(static_cast<long>(v)); break;
      case ArgKind::Ptr: out.args += hex(v); break;
      case ArgKind::None: break;
    }
  }
  return out;
}

size_t normalize_path_into(std::string_view in, char* out, uint16_t* parts) {
  // core::normalize_path, step for step, on fixed buffers.
  if (in.empty()) {
    out[0] = '.';
    return 1;
  }
  const bool absolute = in.front() == '/';
  size_t n = absolute ? 1 : 0;
  if (absolute) out[0] = '/';
  size_t np = 0;
  auto last_is_dotdot = [&] {
    size_t start = parts[np - 1];
    return n - start == 2 && out[start] == '.' && out[start + 1] == '.';
  };
  auto push = [&](std::string_view part) {
    if (np > 0) out[n++] = '/';
    parts[np++] = static_cast<uint16_t>(n);
    std::memcpy(out + n, part.data(), part.size());
    n += part.size();
  };
  size_t i = 0;
  while (i <= in.size()) {
    size_t end = in.find('/', i);
    if (end == std::string_view::npos) end = in.size();
    std::string_view part = in.substr(i, end - i);
    i = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (np > 0 && !last_is_dotdot()) {
        --np;
        n = parts[np] - (np > 0 ? 1 : 0);
      } else if (!absolute) {
        push(part);
      }
      continue;
    }
    push(part);
  }
  if (n == 0) {
    out[0] = '.';
    return 1;
  }
  return n;
}

size_t CallKeyReader::resolve_into(pid_t pid, long dirfd, std::string_view path, char* out) {
  if (!path.empty() && path.front() == '/') return normalize_path_into(path, out, parts_);
  const size_t base = proc_link_into(pid, dirfd, base_);
  if (base == 0) {  // resolve_at: the path as written
    std::memcpy(out, path.data(), path.size());
    return path.size();
  }
  // core::join_path(base, path), then normalised.
  size_t n = base;
  std::memcpy(joined_, base_, base);
  if (base_[base - 1] != '/') joined_[n++] = '/';
  std::memcpy(joined_ + n, path.data(), path.size());
  n += path.size();
  return normalize_path_into(std::string_view(joined_, n), out, parts_);
}

CallKey CallKeyReader::read(pid_t pid, const SyscallDesc& desc, const uint64_t (&args)[6]) {
  // decode_call's walk over the arguments, without the text.
  CallKey key;
  long last_dirfd = AT_FDCWD;
  int paths_seen = 0;
  for (int i = 0; i < desc.nargs; ++i) {
    const uint64_t v = args[i];
    switch (desc.args[i]) {
      case ArgKind::DirFd: last_dirfd = static_cast<int>(v); break;
      case ArgKind::Path: {
        char* out = paths_[paths_seen == 0 ? 0 : 1];
        long len = read_string_into(pid, v, raw_, k_max_string);
        bool is_target = paths_seen == 0 && (std::strcmp(desc.name, "symlink") == 0 ||
                                             std::strcmp(desc.name, "symlinkat") == 0);
        size_t n = 0;
        if (len >= 0 && !is_target) {
          n = resolve_into(pid, last_dirfd, std::string_view(raw_, static_cast<size_t>(len)), out);
        } else if (len >= 0) {
          std::memcpy(out, raw_, static_cast<size_t>(len));
          n = static_cast<size_t>(len);
        }
        (paths_seen == 0 ? key.path : key.path2) = std::string_view(out, n);
        ++paths_seen;
        last_dirfd = AT_FDCWD;
        break;
      }
      case ArgKind::Sockaddr: {
        size_t len = i + 1 < 6 ? static_cast<size_t>(std::min<uint64_t>(args[i + 1], sizeof sockaddr_)) : 0;
        if (v == 0) break;
        const long n = read_remote(pid, v, sockaddr_, len);
        if (n >= 0)
          key.addr = std::string_view(addr_, sockaddr_text_into(sockaddr_, static_cast<size_t>(n), addr_));
        break;
      }
      default: break;
    }
  }
  return key;
}

}  // namespace bootmortem::trace
