#include "trace/port_owner.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <unordered_map>

#include "trace/procfs.h"

namespace bootmortem::trace {

std::vector<ListeningSocket> listening_sockets(const std::string& text) {
  std::vector<ListeningSocket> out;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, tr, retr, uid, timeout;
    unsigned long inode = 0;
    if (!(f >> sl >> local >> remote >> st >> queues >> tr >> retr >> uid >> timeout >> inode)) continue;
    if (st != "0A" || !inode) continue;  // TCP_LISTEN
    auto colon = local.rfind(':');
    if (colon == std::string::npos) continue;
    out.push_back({inode, static_cast<int>(std::strtol(local.c_str() + colon + 1, nullptr, 16))});
  }
  return out;
}

std::vector<Listener> listeners() {
  std::unordered_map<unsigned long, int> port_of;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"})
    for (const auto& s : listening_sockets(proc_text(table))) port_of[s.inode] = s.port;
  std::vector<Listener> out;
  if (port_of.empty()) return out;
  DIR* proc = opendir("/proc");
  if (!proc) return out;
  while (dirent* e = readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
    if (pid <= 0) continue;
    const std::string fds = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = opendir(fds.c_str());
    if (!d) continue;
    while (dirent* fd = readdir(d)) {
      char target[64];
      ssize_t n = proc_readlink(pid, (fds + "/" + fd->d_name).c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = '\0';
      unsigned long inode = 0;
      if (std::sscanf(target, "socket:[%lu]", &inode) != 1) continue;
      if (auto it = port_of.find(inode); it != port_of.end()) out.push_back({it->second, pid});
    }
    closedir(d);
  }
  closedir(proc);
  return out;
}

std::vector<pid_t> listening_pids(int port) {
  std::vector<pid_t> out;
  for (const auto& l : listeners())
    if (l.port == port && std::find(out.begin(), out.end(), l.pid) == out.end()) out.push_back(l.pid);
  return out;
}

std::vector<pid_t> ancestry(pid_t pid) {
  std::vector<pid_t> out;
  while (pid > 0 && out.size() < 4096) {
    out.push_back(pid);
    pid = parent_of(pid);
  }
  return out;
}

}  // namespace bootmortem::trace
