// What /proc says about a process: the replay's tasks and a running
// supervisord (its real environment, cwd, umask and uid are the base of every
// child it spawns).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/env.h"

namespace bootmortem::trace {

std::string proc_exe(pid_t pid);
// readlink of a /proc/<pid>/ link (cwd, exe, fd/N) into buf, without
// allocating: the length, or -1. A tracer without CAP_SYS_PTRACE (root in a
// container) may not read the links of a process that runs as another user
// (EACCES); it tries again with this thread's filesystem ids set to that
// process's (setfsuid, setfsgid: CAP_SETUID and CAP_SETGID, which a
// container keeps), then back.
ssize_t proc_readlink(pid_t pid, const char* link, char* buf, size_t size);
// A /proc file of NUL-separated strings (cmdline, environ), split.
std::vector<std::string> split_nul(const std::string& s);
// The identity lines of /proc/<pid>/status: Umask, Uid, Gid, Groups, CapEff, SigIgn.
std::string proc_identity(pid_t pid);

// A whole /proc file ("" when it cannot be read).
std::string proc_text(const std::string& path);
// The parent of pid now (the ppid of /proc/<pid>/stat); 0 when unknown.
pid_t parent_of(pid_t pid);
// The processes whose parent is pid now.
std::vector<pid_t> children_of(pid_t pid);

// The threads of this process (/proc/self/task); 0 when unknown.
size_t own_thread_count();

struct LiveSupervisord {
  pid_t pid = 0;
  // The config it runs, absolute after realpath: its -c, or the file its
  // default search path (semantics §1) finds now. Empty when unknowable
  // (`python -m supervisor.supervisord` without -c).
  std::string config;
  std::string found_by;  // "cmdline" (-c), "default-path", or "pidfile"
  bool environ_read = false;  // /proc/<pid>/environ needs root or its uid
  core::Env environ;     // /proc/<pid>/environ: exactly what children inherit
  std::string cwd;
  mode_t umask = 022;
  uid_t uid = 0;
};

// The supervisord running this config: the pid in its pidfile when that is
// a live supervisord, else the one whose -c names the config (compared after
// realpath), else one started without -c whose default search path finds it.
std::optional<LiveSupervisord> find_live_supervisord(const std::string& config_path,
                                                     const std::string& pidfile_path = "");

// Every supervisord running now, in pid order.
std::vector<LiveSupervisord> list_live_supervisords();

// What /proc says about one pid, if it is a supervisord.
std::optional<LiveSupervisord> read_live_supervisord(pid_t pid);

// Parse a supervisord command line (argv after the interpreter) for its -c
// value, with getopt's rules (-c X, -cX, --configuration X, --configuration=X,
// unambiguous prefixes of --configuration).
std::optional<std::string> config_arg(const std::vector<std::string>& argv);

}  // namespace bootmortem::trace
