#include "trace/replay_child.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "core/error.h"

namespace bootmortem::trace {
namespace {

void make_pipe(Fd& r, Fd& w) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) throw core::SystemError("pipe2", errno);
  r.fd = p[0];
  w.fd = p[1];
}

}  // namespace

TraceLog not_forked(const spawn::SpawnSpec& spec) {
  TraceLog log;
  log.backend = "none";
  log.backend_note = "supervisord would not fork: " + *spec.spawnerr;
  log.verdict = Verdict::Fails;
  log.spawnerr = spec.spawnerr;
  return log;
}

bool hold_released(int hold_fd) {
  struct pollfd p = {hold_fd, POLLIN, 0};
  return poll(&p, 1, 0) != 0 && (p.revents != 0 || errno != EINTR);
}

void keep_exit(TraceLog& log, const ProcessExit& e, size_t max_exits, size_t& killed_kept) {
  constexpr size_t k_killed_reserve = 16;
  if (e.killed_by_us && e.pid != log.main_pid) ++log.left_behind;
  if (log.exits.size() < max_exits || (e.killed_by_us && killed_kept < k_killed_reserve)) {
    if (e.killed_by_us && log.exits.size() >= max_exits) ++killed_kept;
    log.exits.push_back(e);
  } else {
    ++log.exits_dropped;
  }
}

void Fd::reset() {
  if (fd >= 0) close(fd);
  fd = -1;
}

ReplayChild::ReplayChild(const spawn::SpawnSpec& spec, size_t capture_bytes, std::optional<PtraceStops> ptrace,
                         bool private_network, int mount_ns_fd)
    : out_(capture_bytes), err_(capture_bytes) {
  // Asked before the fork: the child could report EPERM, not why.
  if (private_network)
    if (const Caps caps = own_caps(); !caps.has(Cap::SysAdmin))
      throw core::SystemError("unshare(CLONE_NEWNET)", EPERM, mount_refused_why(EPERM, caps));
  const bool filter = ptrace && *ptrace != PtraceStops::EverySyscall;
  if (filter) bpf_ = build_seccomp_filter();
  argv_s_ = spec.argv;
  env_s_ = spec.env.to_strings();
  for (auto& s : argv_s_) argv_.push_back(s.data());
  argv_.push_back(nullptr);
  for (auto& s : env_s_) envp_.push_back(s.data());
  envp_.push_back(nullptr);

  make_pipe(in_r_, in_w_);
  make_pipe(out_r_, out_w_);
  if (!spec.redirect_stderr) make_pipe(err_r_, err_w_);
  make_pipe(rep_r_, rep_w_);
  if (!ptrace) make_pipe(go_r_, go_w_);
  fcntl(out_r_.fd, F_SETFL, O_NONBLOCK);
  if (err_r_.fd >= 0) fcntl(err_r_.fd, F_SETFL, O_NONBLOCK);
  fcntl(rep_r_.fd, F_SETFL, O_NONBLOCK);

  plan_.stdin_fd = in_r_.fd;
  plan_.stdout_fd = out_w_.fd;
  plan_.stderr_fd = spec.redirect_stderr ? out_w_.fd : err_w_.fd;
  plan_.err_fd = rep_w_.fd;
  plan_.go_fd = go_r_.fd;
  plan_.ptrace = ptrace.has_value();
  plan_.private_network = private_network;
  plan_.mount_ns_fd = mount_ns_fd;
  plan_.supervisord_cwd = spec.base.cwd.empty() ? "/" : spec.base.cwd.c_str();
  plan_.directory = spec.directory ? spec.directory->c_str() : nullptr;
  plan_.switch_user = spec.switch_user;
  plan_.uid = spec.uid;
  plan_.gid = spec.gid;
  plan_.groups = spec.groups.data();
  plan_.ngroups = spec.groups.size();
  if (spec.child_error) {
    child_error_ = *spec.child_error;
    plan_.preset_error = child_error_.c_str();
  }
  plan_.umask = spec.effective_umask;
  plan_.minfds = spec.minfds;
  plan_.filename = spec.filename.c_str();
  plan_.argv = argv_.data();
  plan_.envp = envp_.data();
  plan_.argv0 = argv_s_.empty() ? "" : argv_s_[0].c_str();
  if (filter) {
    plan_.bpf = bpf_.bytes.data();
    plan_.bpf_len = static_cast<unsigned short>(bpf_.count());
    plan_.need_no_new_privs = *ptrace == PtraceStops::SeccompNoNewPrivs;
  }
  // Last: nothing after it throws, so the destructor always restores it.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGCHLD, &dfl, &old_sigchld_);
}

ReplayChild::~ReplayChild() {
  stop_pump();
  sigaction(SIGCHLD, &old_sigchld_, nullptr);
}

pid_t ReplayChild::fork_child() {
  pid_t pid = fork();
  if (pid < 0) throw core::SystemError("fork", errno);
  if (pid == 0) run_child(plan_);
  in_r_.reset();
  out_w_.reset();
  err_w_.reset();
  rep_w_.reset();
  go_r_.reset();
  return pid;
}

void ReplayChild::go() {
  char c = 'g';
  (void)!::write(go_w_.fd, &c, 1);
  go_w_.reset();
}

void ReplayChild::throw_child_failure() {
  ChildFailure f{};
  if (::read(rep_r_.fd, &f, sizeof f) == sizeof f)
    throw core::SystemError(child_step_name(static_cast<ChildStep>(f.step)), f.err);
}

void ReplayChild::read_outputs() {
  read_pipe(out_r_, out_);
  read_pipe(err_r_, err_);
}

void ReplayChild::start_pump() {
  make_pipe(pump_wake_r_, pump_wake_w_);
  pump_ = std::thread([this] {
    while (out_r_.fd >= 0 || err_r_.fd >= 0) {
      struct pollfd fds[3] = {{pump_wake_r_.fd, POLLIN, 0}, {out_r_.fd, POLLIN, 0}, {err_r_.fd, POLLIN, 0}};
      if (poll(fds, 3, -1) < 0 && errno != EINTR) return;
      if (fds[0].revents) return;
      if (fds[1].revents) read_pipe(out_r_, out_);
      if (fds[2].revents) read_pipe(err_r_, err_);
    }
  });
}

void ReplayChild::stop_pump() {
  if (!pump_.joinable()) return;
  char c = 's';
  (void)!::write(pump_wake_w_.fd, &c, 1);
  pump_.join();
  pump_wake_r_.reset();
  pump_wake_w_.reset();
}

void ReplayChild::read_pipe(Fd& fd, StreamCapture& cap) {
  if (fd.fd < 0) return;
  char buf[65536];
  // A bounded number of reads: a child that writes without pause must not
  // keep the loop from the tracer's events.
  for (int i = 0; i < 64; ++i) {
    ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n > 0) {
      cap.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) fd.reset();  // EOF: every writer is gone
    return;
  }
}

}  // namespace bootmortem::trace
