// Helpers of the tracer tests: a shell script as a spawn spec, a failed
// call by name and path, whether a marked process is still alive.
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "trace/trace.h"

namespace bootmortem::testing {

inline spawn::SpawnSpec shell(const std::string& script) {
  spawn::SpawnSpec s;
  s.name = "t";
  s.argv = {"/bin/sh", "-c", script};
  s.filename = "/bin/sh";
  s.env.set("PATH", "/usr/bin:/bin");
  s.base.cwd = "/";
  s.cwd = "/";
  s.uid = getuid();
  return s;
}

inline const trace::FailedSyscall* find_failed(const trace::TraceLog& log, const std::string& call,
                                               const std::string& path) {
  for (const auto& f : log.failed)
    if (f.call == call && f.path == path) return &f;
  return nullptr;
}

inline bool process_with_marker_alive(const std::string& marker) {
  DIR* d = opendir("/proc");
  bool found = false;
  while (struct dirent* de = readdir(d)) {
    std::ifstream in(std::string("/proc/") + de->d_name + "/cmdline");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string cmd = ss.str();
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(marker) != std::string::npos && cmd.find("unit_trace") == std::string::npos) found = true;
  }
  closedir(d);
  return found;
}

}  // namespace bootmortem::testing
