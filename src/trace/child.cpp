#include "trace/child.h"

#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

// close_range(2) is Linux 5.9; glibc's headers name it from 2.34 on, and the
// release binary is built against 2.31. The number is one on every arch.
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#include "core/error.h"

namespace bootmortem::trace {
namespace {

void put(const char* s) {
  size_t n = std::strlen(s);
  while (n > 0) {
    ssize_t w = ::write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

void put_number(long v) {
  char buf[24];
  int i = sizeof buf - 1;
  buf[i] = '\0';
  bool neg = v < 0;
  unsigned long u = neg ? static_cast<unsigned long>(-v) : static_cast<unsigned long>(v);
  do {
    buf[--i] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u && i > 1);
  if (neg) buf[--i] = '-';
  put(buf + i);
}

void put_errno(int err) {
  // errno.errorcode.get(err, err): the symbolic name, or the number.
  if (const char* name = core::errno_cname(err))
    put(name);
  else
    put_number(err);
}

[[noreturn]] void tool_failure(const ChildPlan& p, ChildStep step, int err) {
  ChildFailure f{static_cast<int>(step), err};
  (void)!::write(p.err_fd, &f, sizeof f);
  _exit(126);
}

// Subprocess._spawn_as_child's finally clause.
[[noreturn]] void not_spawned() {
  put("supervisor: child process was not spawned\n");
  _exit(127);
}

}  // namespace

const char* child_step_name(ChildStep s) {
  switch (s) {
    case ChildStep::EnterSupervisordCwd: return "chdir to supervisord's working directory";
    case ChildStep::Traceme: return "ptrace(PTRACE_TRACEME)";
    case ChildStep::Seccomp: return "prctl(PR_SET_SECCOMP)";
    case ChildStep::NoNewPrivs: return "prctl(PR_SET_NO_NEW_PRIVS)";
    case ChildStep::PrivateNetwork: return "unshare(CLONE_NEWNET) with loopback up";
    case ChildStep::EnterMountNamespace: return "setns(CLONE_NEWNS) into the verification's mount namespace";
  }
  return "child setup";
}

void run_child(const ChildPlan& p) {
  // options.setpgrp(): its own process group, same session.
  setpgid(0, 0);

  // The eBPF backend follows this pid once the parent has added it to the
  // kernel's map: nothing of the program may run before that.
  if (!p.ptrace) {
    char c = 0;
    while (::read(p.go_fd, &c, 1) < 0 && errno == EINTR) {
    }
    if (c != 'g') _exit(126);  // the parent gave up
  }

  if (p.mount_ns_fd >= 0 && setns(p.mount_ns_fd, CLONE_NEWNS) != 0)
    tool_failure(p, ChildStep::EnterMountNamespace, errno);

  // _prepare_child_fds: pipes on 0, 1, 2; every other fd closed.
  dup2(p.stdin_fd, 0);
  dup2(p.stdout_fd, 1);
  dup2(p.stderr_fd, 2);
  int err_fd = p.err_fd;
  if (err_fd > 3) syscall(SYS_close_range, 3u, static_cast<unsigned>(err_fd - 1), 0u);
  syscall(SYS_close_range, static_cast<unsigned>(err_fd + 1), ~0u, 0u);

  // CPython ignores SIGPIPE and SIGXFSZ and supervisord never restores them,
  // so every child starts with both ignored and an empty mask (§8).
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    signal(sig, (sig == SIGPIPE || sig == SIGXFSZ) ? SIG_IGN : SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  // supervisord's set_rlimits: a soft limit below minfds is raised to it (and
  // the hard one too, which only root may do; supervisord itself refuses to
  // start when that fails, and the replay then keeps what it has).
  if (p.minfds > 0) {
    struct rlimit rl;
    const rlim_t want = static_cast<rlim_t>(p.minfds);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
      if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) rl.rlim_max = want;
      rl.rlim_cur = want;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
  }

  // The child starts where supervisord runs: a relative command or directory=
  // resolves against it.
  if (chdir(p.supervisord_cwd) != 0) tool_failure(p, ChildStep::EnterSupervisordCwd, errno);

  if (p.private_network) {
    if (unshare(CLONE_NEWNET) != 0) tool_failure(p, ChildStep::PrivateNetwork, errno);
    const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    std::memset(&ifr, 0, sizeof ifr);
    std::memcpy(ifr.ifr_name, "lo", 3);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) tool_failure(p, ChildStep::PrivateNetwork, errno);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) tool_failure(p, ChildStep::PrivateNetwork, errno);
    close(s);
  }

  if (p.ptrace) {
    if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) tool_failure(p, ChildStep::Traceme, errno);
    raise(SIGSTOP);  // the parent sets its ptrace options before we go on
  }

  if (p.preset_error) {
    put("supervisor: ");
    put(p.preset_error);
    put("\n");
    not_spawned();
  }

  // drop_privileges: setgroups, setgid ... then, still root, the filter (so no
  // no_new_privs is needed; root without CAP_SYS_ADMIN gets no filter at all,
  // trace/caps.h), then setuid.
  if (p.switch_user) {
    if (setgroups(p.ngroups, p.groups) != 0) {
      put("supervisor: couldn't setuid to ");
      put_number(p.uid);
      put(": Could not set groups of effective user\n");
      not_spawned();
    }
    if (setgid(p.gid) != 0) {
      put("supervisor: couldn't setuid to ");
      put_number(p.uid);
      put(": Could not set group id of effective user\n");
      not_spawned();
    }
  }

  if (p.ptrace && p.bpf) {
    if (p.need_no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      tool_failure(p, ChildStep::NoNewPrivs, errno);
    struct sock_fprog prog;
    prog.len = p.bpf_len;
    prog.filter = static_cast<struct sock_filter*>(const_cast<void*>(p.bpf));
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
      tool_failure(p, ChildStep::Seccomp, errno);
  }

  if (p.switch_user && setuid(p.uid) != 0) {
    put("supervisor: couldn't setuid to ");
    put_number(p.uid);
    put(": [Errno ");
    put_number(errno);
    put("] ");
    put(std::strerror(errno));
    put("\n");
    not_spawned();
  }

  if (p.directory && chdir(p.directory) != 0) {
    int err = errno;
    put("supervisor: couldn't chdir to ");
    put(p.directory);
    put(": ");
    put_errno(err);
    put("\n");
    not_spawned();
  }

  umask(p.umask);
  execve(p.filename, p.argv, p.envp);
  int err = errno;
  put("supervisor: couldn't exec ");
  put(p.argv0);
  put(": ");
  put_errno(err);
  put("\n");
  not_spawned();
}

}  // namespace bootmortem::trace
