// Who holds a TCP port: the listening sockets of /proc/net/tcp and tcp6 and
// the processes whose fds point at them, and a process's line of parents.
// For telling a port conflict the replay created with supervisord's own copy
// of the program from one the program really has.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bootmortem::trace {

// Processes with a listening TCP socket (IPv4 or IPv6) on port; empty when
// none is found or /proc cannot be read.
std::vector<pid_t> listening_pids(int port);

// pid, its parent, its parent's parent ... up to (not including) pid 0.
std::vector<pid_t> ancestry(pid_t pid);

// /proc/<pid>/cmdline split at its NULs; empty when it cannot be read.
std::vector<std::string> proc_cmdline(pid_t pid);

// The inodes of the listening sockets on port in one /proc/net/tcp-format
// text (pure: tested on recorded text).
std::vector<unsigned long> listening_inodes(const std::string& proc_net_tcp, int port);

}  // namespace bootmortem::trace
