// Who holds a TCP port: the listening sockets of /proc/net/tcp and tcp6 and
// the processes whose fds point at them, and a process's line of parents.
// For telling a port conflict the replay created with supervisord's own copy
// of the program from one the program really has.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bootmortem::trace {

struct Listener {
  int port = 0;
  pid_t pid = 0;
};
// Every process with a listening TCP socket (IPv4 or IPv6), with its port;
// empty when /proc cannot be read.
std::vector<Listener> listeners();
// The processes among them listening on port.
std::vector<pid_t> listening_pids(int port);

// pid, its parent, its parent's parent ... up to (not including) pid 0.
std::vector<pid_t> ancestry(pid_t pid);

// The listening sockets of one /proc/net/tcp-format text: inode and port
// (pure: tested on recorded text).
struct ListeningSocket {
  unsigned long inode = 0;
  int port = 0;
};
std::vector<ListeningSocket> listening_sockets(const std::string& proc_net_tcp);

}  // namespace bootmortem::trace
