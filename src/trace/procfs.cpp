#include "trace/procfs.h"

#include <dirent.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/fs.h"

namespace bootmortem::trace {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string readlink_str(const std::string& link) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : core::normalize_path(p);
}

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

std::string status_field(const std::string& status, const std::string& name) {
  std::istringstream in(status);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(name + ":")) return line.substr(name.size() + 1);
  return "";
}

}  // namespace

std::string proc_exe(pid_t pid) { return readlink_str("/proc/" + std::to_string(pid) + "/exe"); }

std::string proc_identity(pid_t pid) {
  std::string status = slurp("/proc/" + std::to_string(pid) + "/status");
  std::string out;
  for (const char* name : {"Umask", "Uid", "Gid", "Groups", "CapEff", "SigIgn"})
    out += std::string(name) + ":" + status_field(status, name) + "\n";
  return out;
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

std::optional<LiveSupervisord> find_live_supervisord(const std::string& config_path) {
  const std::string want = real_path(config_path);
  DIR* dir = opendir("/proc");
  if (!dir) return std::nullopt;
  std::optional<LiveSupervisord> found;
  while (struct dirent* de = readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(de->d_name, &end, 10);
    if (pid <= 0 || *end) continue;
    const std::string base = "/proc/" + std::to_string(pid);
    std::vector<std::string> argv = split_nul(slurp(base + "/cmdline"));
    // `python3 /usr/bin/supervisord -c X` or a supervisord executable.
    size_t at = argv.size();
    for (size_t i = 0; i < argv.size() && i < 3; ++i)
      if (core::basename(argv[i]) == "supervisord") at = i;
    if (at == argv.size()) continue;
    std::vector<std::string> args(argv.begin() + static_cast<long>(at) + 1, argv.end());
    auto conf = config_arg(args);
    if (!conf) continue;  // started without -c: not matched to an explicit file
    std::string cwd = readlink_str(base + "/cwd");
    // A relative -c resolved against the launch directory: PWD if present.
    std::string env_text = slurp(base + "/environ");
    core::Env env = core::Env::parse(env_text);
    std::string launch = env.get("PWD").value_or(cwd);
    if (real_path(core::absolute_path(*conf, launch)) != want) continue;
    LiveSupervisord live;
    live.pid = static_cast<pid_t>(pid);
    live.config = want;
    live.environ = std::move(env);
    live.cwd = cwd;
    std::string status = slurp(base + "/status");
    live.umask = static_cast<mode_t>(std::strtoul(status_field(status, "Umask").c_str(), nullptr, 8));
    live.uid = static_cast<uid_t>(std::strtoul(status_field(status, "Uid").c_str(), nullptr, 10));
    found = std::move(live);
    break;
  }
  closedir(dir);
  return found;
}

}  // namespace bootmortem::trace
