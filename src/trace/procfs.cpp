#include "trace/procfs.h"

#include <dirent.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "core/fs.h"

namespace bootmortem::trace {
namespace {

std::string readlink_str(const std::string& link) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : core::normalize_path(p);
}

std::string status_field(const std::string& status, const std::string& name) {
  std::istringstream in(status);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(name + ":")) return line.substr(name.size() + 1);
  return "";
}

}  // namespace

std::vector<std::string> split_nul(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\0', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string proc_exe(pid_t pid) {
  char buf[PATH_MAX];
  const ssize_t n = proc_readlink(pid, ("/proc/" + std::to_string(pid) + "/exe").c_str(), buf, sizeof buf - 1);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

ssize_t proc_readlink(pid_t pid, const char* link, char* buf, size_t size) {
  ssize_t n = ::readlink(link, buf, size);
  if (n >= 0 || (errno != EACCES && errno != EPERM)) return n;
  // /proc/<pid> is owned by the process's effective ids (while it is dumpable).
  char dir[32];
  std::snprintf(dir, sizeof dir, "/proc/%d", static_cast<int>(pid));
  struct stat st;
  if (::stat(dir, &st) != 0 || st.st_uid == 0) return n;
  const int old_gid = setfsgid(st.st_gid);
  const int old_uid = setfsuid(st.st_uid);
  n = ::readlink(link, buf, size);
  const int err = errno;
  setfsuid(static_cast<uid_t>(old_uid));
  setfsgid(static_cast<gid_t>(old_gid));
  errno = err;
  return n;
}

std::string proc_identity(pid_t pid) {
  std::string status = proc_text("/proc/" + std::to_string(pid) + "/status");
  std::string out;
  for (const char* name : {"Umask", "Uid", "Gid", "Groups", "CapEff", "SigIgn"})
    out += std::string(name) + ":" + status_field(status, name) + "\n";
  return out;
}

std::string proc_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t parent_of(pid_t pid) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
  const std::string stat = proc_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 4 > stat.size()) return 0;
  return static_cast<pid_t>(std::strtol(stat.c_str() + close + 4, nullptr, 10));
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc");
  if (!dir) return out;
  while (struct dirent* de = readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(de->d_name, &end, 10);
    if (pid <= 0 || *end) continue;
    if (parent_of(static_cast<pid_t>(pid)) == parent) out.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return out;
}

size_t own_thread_count() {
  size_t n = 0;
  DIR* dir = opendir("/proc/self/task");
  if (!dir) return 0;
  while (struct dirent* de = readdir(dir))
    if (de->d_name[0] != '.') ++n;
  closedir(dir);
  return n;
}

std::optional<std::string> config_arg(const std::vector<std::string>& argv) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") break;
    if (a == "-c") return i + 1 < argv.size() ? std::optional(argv[i + 1]) : std::nullopt;
    if (a.starts_with("-c")) return a.substr(2);
    if (a.starts_with("--conf")) {  // --c alone is ambiguous with --childlogdir
      auto eq = a.find('=');
      std::string opt = a.substr(0, eq);
      if (std::string("--configuration").starts_with(opt)) {
        if (eq != std::string::npos) return a.substr(eq + 1);
        return i + 1 < argv.size() ? std::optional(argv[i + 1]) : std::nullopt;
      }
    }
  }
  return std::nullopt;
}

std::optional<LiveSupervisord> read_live_supervisord(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::vector<std::string> argv = split_nul(proc_text(base + "/cmdline"));
  // `python3 /usr/bin/supervisord -c X`, a supervisord executable, or
  // `python3 -m supervisor.supervisord`.
  size_t at = argv.size();
  bool as_module = false;
  for (size_t i = 0; i < argv.size() && i < 3; ++i) {
    if (core::basename(argv[i]) == "supervisord") at = i;
    if (i > 0 && argv[i] == "supervisor.supervisord" && argv[i - 1] == "-m") at = i, as_module = true;
  }
  if (at == argv.size()) return std::nullopt;
  std::vector<std::string> args(argv.begin() + static_cast<long>(at) + 1, argv.end());

  LiveSupervisord live;
  live.pid = pid;
  live.cwd = readlink_str(base + "/cwd");
  std::string env_text = proc_text(base + "/environ");
  live.environ_read = !env_text.empty();
  live.environ = core::Env::parse(env_text);
  std::string status = proc_text(base + "/status");
  live.umask = static_cast<mode_t>(std::strtoul(status_field(status, "Umask").c_str(), nullptr, 8));
  live.uid = static_cast<uid_t>(std::strtoul(status_field(status, "Uid").c_str(), nullptr, 10));

  // A relative -c, and the cwd-relative default paths, were resolved in the
  // launch directory: PWD when present (a daemon chdirs to directory=).
  const std::string launch = live.environ.get("PWD").value_or(live.cwd);
  if (auto conf = config_arg(args)) {
    live.config = real_path(core::absolute_path(*conf, launch));
    live.found_by = "cmdline";
  } else if (!as_module) {  // as a module argv[0] is the module file: unknowable here
    if (auto found = config::find_default_config(argv[at], launch)) {
      live.config = real_path(core::absolute_path(*found, launch));
      live.found_by = "default-path";
    }
  }
  return live;
}

std::vector<LiveSupervisord> list_live_supervisords() {
  std::vector<pid_t> pids;
  if (DIR* dir = opendir("/proc")) {
    while (struct dirent* de = readdir(dir)) {
      char* end = nullptr;
      long pid = std::strtol(de->d_name, &end, 10);
      if (pid > 0 && !*end) pids.push_back(static_cast<pid_t>(pid));
    }
    closedir(dir);
  }
  std::sort(pids.begin(), pids.end());
  std::vector<LiveSupervisord> out;
  for (pid_t pid : pids)
    if (auto live = read_live_supervisord(pid)) out.push_back(std::move(*live));
  return out;
}

std::optional<LiveSupervisord> find_live_supervisord(const std::string& config_path,
                                                     const std::string& pidfile_path) {
  if (!pidfile_path.empty()) {
    // Written after daemonizing, removed on a clean exit (§10); a stale one
    // may name a reused pid, so it must still be a supervisord.
    char* end = nullptr;
    std::string text = proc_text(pidfile_path);
    long pid = std::strtol(text.c_str(), &end, 10);
    if (pid > 0 && end != text.c_str())
      if (auto live = read_live_supervisord(static_cast<pid_t>(pid))) {
        live->found_by = "pidfile";
        return live;
      }
  }
  const std::string want = real_path(config_path);
  auto all = list_live_supervisords();
  // An explicit -c first: a default-path match is only as good as that search is now.
  for (const char* how : {"cmdline", "default-path"})
    for (auto& live : all)
      if (live.found_by == how && live.config == want) return std::move(live);
  return std::nullopt;
}

}  // namespace bootmortem::trace
