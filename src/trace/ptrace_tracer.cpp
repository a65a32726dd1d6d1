// The ptrace + seccomp backend. The tracing thread blocks in waitpid (the
// output pipes are read on another thread); every wait status is classified
// (stop_kind.h) and one switch decides how to resume. Lessons from strace's
// strace.c and filter_seccomp.c: TRACESECCOMP with the whole tree followed,
// EXITKILL, new children's first SIGSTOP swallowed, signals re-injected.
// Without CAP_SYS_ADMIN as root (a container) there is no filter: the
// program stops at every call's entry and exit (PTRACE_SYSCALL), and the
// entry stop of a call the filter would trap does what its seccomp stop does.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/error.h"
#include "trace/capture.h"
#include "trace/caps.h"
#include "trace/child.h"
#include "trace/decode.h"
#include "trace/failed_table.h"
#include "trace/procfs.h"
#include "trace/replay_child.h"
#include "trace/stop_kind.h"
#include "trace/syscalls.h"
#include "trace/ticks.h"
#include "trace/trace.h"

namespace bootmortem::trace {
namespace {

using Clock = std::chrono::steady_clock;

// Per traced task: what the tracer waits for next.
struct Task {
  bool seen = false;           // first stop observed
  bool in_syscall = false;     // between a seccomp (or trapped entry) stop and its exit stop
  bool is_thread = false;
  int ppid = 0;
  uint64_t nr = 0;
  uint64_t args[6] = {};
};

class Session {
 public:
  Session(const spawn::SpawnSpec& spec, const TraceOptions& opt, PtraceMode mode)
      : spec_(spec),
        opt_(opt),
        mode_(std::move(mode)),
        every_syscall_(mode_.stops == PtraceStops::EverySyscall),
        failed_(opt.max_failed),
        keys_(std::make_unique<CallKeyReader>()),
        child_(spec, opt.capture_bytes, mode_.stops, opt.private_network, opt.mount_ns_fd) {}

  TraceLog run();

 private:
  // A wait status from the tree: a stop is timed, from its report to the
  // program resumed (TracerCost).
  void handle(pid_t pid, int status);
  void handle_status(pid_t pid, int status);
  void on_syscall_stop(pid_t pid, Task& t);
  void on_syscall_exit(pid_t pid, Task& t, const struct __ptrace_syscall_info& info);
  void record_exit(const ProcessExit& e);
  void resume(pid_t pid, int sig);
  void hold();
  void end_tree();
  int64_t ms_since_start() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
  }

  const spawn::SpawnSpec& spec_;
  TraceOptions opt_;
  const PtraceMode mode_;
  const bool every_syscall_;  // no seccomp filter: PTRACE_SYSCALL at every resume
  TraceLog log_;
  std::unordered_map<pid_t, Task> tasks_;
  FailedTable failed_;
  std::unique_ptr<CallKeyReader> keys_;  // fixed buffers, reused call after call
  size_t killed_kept_ = 0;
  Clock::time_point start_;
  pid_t main_ = 0;
  bool main_exited_ = false;
  bool holding_ = false;  // started; kept up for the siblings (TraceOptions::hold_fd)
  TracerCost cost_;

  ReplayChild child_;  // prepared before fork: the child only reads it
};

void Session::resume(pid_t pid, int sig) {
  const Task& t = tasks_[pid];
  // Between a seccomp stop and the syscall's exit we need the exit stop;
  // without a filter, every call's entry and exit.
  __ptrace_request req = t.in_syscall || every_syscall_ ? PTRACE_SYSCALL : PTRACE_CONT;
  ptrace(req, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
}

// A syscall stop: the exit of a trapped call; without a filter, also any
// call's entry (a trapped one is kept as its seccomp stop would keep it) or
// an untrapped call's exit. The kernel says which (op), not a count of stops:
// a new task or an exec may begin with either.
void Session::on_syscall_stop(pid_t pid, Task& t) {
  struct __ptrace_syscall_info info;
  std::memset(&info, 0, sizeof info);
  long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, reinterpret_cast<void*>(sizeof info), &info);
  if (n > 0 && info.op == PTRACE_SYSCALL_INFO_ENTRY) {
    if (!every_syscall_) {
      t.in_syscall = false;
      return;
    }
    t.in_syscall = trapped_call(info.arch, info.entry.nr, info.entry.args) != nullptr;
    if (!t.in_syscall) return;
    t.nr = info.entry.nr;
    for (int i = 0; i < 6; ++i) t.args[i] = info.entry.args[i];
    return;
  }
  if (!t.in_syscall) return;
  t.in_syscall = false;
  if (n > 0 && info.op == PTRACE_SYSCALL_INFO_EXIT) on_syscall_exit(pid, t, info);
}

void Session::on_syscall_exit(pid_t pid, Task& t, const struct __ptrace_syscall_info& info) {
  if (!info.exit.is_error) return;
  const SyscallDesc* desc = find_syscall(static_cast<long>(t.nr));
  if (!desc) return;
  const int err = static_cast<int>(-info.exit.rval);

  // The hot path: a call seen before is counted without allocating; only a
  // new record is decoded into strings.
  const CallKey key = keys_->read(pid, *desc, t.args);
  FailedSyscall* f = failed_.add({desc->name, err, key.path, key.path2, key.addr}, pid);
  if (!f) return;
  DecodedCall call = decode_call(pid, *desc, t.args);
  f->port = call.port;
  f->args = std::move(call.args);
  f->at_ms = ms_since_start();
}

void Session::record_exit(const ProcessExit& e) { keep_exit(log_, e, opt_.max_exits, killed_kept_); }

void Session::handle(pid_t pid, int status) {
  if (!WIFSTOPPED(status)) {
    handle_status(pid, status);
    return;
  }
  const auto stopped = Clock::now();
  handle_status(pid, status);
  cost_.ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - stopped).count();
  ++cost_.events;
}

void Session::handle_status(pid_t pid, int status) {
  const Stop stop = classify_stop(status);
  Task& t = tasks_[pid];
  const bool first = !t.seen;
  t.seen = true;

  switch (stop.kind) {
    case StopKind::Exited:
    case StopKind::Signaled: {
      if (!t.is_thread) {
        ProcessExit e;
        e.pid = pid;
        e.ppid = t.ppid;
        if (stop.kind == StopKind::Exited) e.code = stop.signal;
        else e.signal = stop.signal;
        e.core_dumped = WCOREDUMP(status);
        e.at_ms = ms_since_start();
        record_exit(e);
      }
      if (pid == main_ && !main_exited_) {
        main_exited_ = true;
        if (holding_) {  // after the verdict: an exit, not the verdict's
          tasks_.erase(pid);
          return;
        }
        log_.after_ms = ms_since_start();
        if (stop.kind == StopKind::Exited) log_.exit_code = stop.signal;
        else log_.exit_signal = stop.signal;
      }
      tasks_.erase(pid);
      return;
    }
    case StopKind::SeccompStop: {
      struct __ptrace_syscall_info info;
      std::memset(&info, 0, sizeof info);
      long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, reinterpret_cast<void*>(sizeof info), &info);
      if (n > 0 && info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
        t.nr = info.seccomp.nr;
        for (int i = 0; i < 6; ++i) t.args[i] = info.seccomp.args[i];
        t.in_syscall = true;
      }
      resume(pid, 0);
      return;
    }
    case StopKind::SyscallStop:
      if (t.in_syscall || every_syscall_) on_syscall_stop(pid, t);
      resume(pid, 0);
      return;
    case StopKind::ForkEvent:
    case StopKind::VforkEvent:
    case StopKind::CloneEvent: {
      unsigned long child = 0;
      ptrace(PTRACE_GETEVENTMSG, pid, nullptr, &child);
      Task& c = tasks_[static_cast<pid_t>(child)];
      c.ppid = pid;
      c.is_thread = stop.kind == StopKind::CloneEvent;
      if (!c.is_thread) ++log_.processes;
      resume(pid, 0);
      return;
    }
    case StopKind::ExecEvent: {
      unsigned long former = 0;
      ptrace(PTRACE_GETEVENTMSG, pid, nullptr, &former);
      // A non-leader thread that exec'd now carries the leader's pid: its
      // own entry goes (the call it was in has succeeded; nothing of it is
      // read again).
      if (static_cast<pid_t>(former) != pid) tasks_.erase(static_cast<pid_t>(former));
      // The exec succeeded: its exit stop would only say 0, so it is not asked for.
      t.in_syscall = false;
      if (log_.execs.size() < opt_.max_execs)
        log_.execs.push_back(ExecEvent{pid, proc_exe(pid), ms_since_start()});
      else
        ++log_.execs_dropped;
      if (pid == main_ && !log_.main_status) log_.main_status = proc_identity(pid);
      resume(pid, 0);
      return;
    }
    case StopKind::SignalStop:
      // An auto-attached child's first stop is the SIGSTOP ptrace sent it.
      if (first && stop.signal == SIGSTOP && pid != main_) {
        resume(pid, 0);
        return;
      }
      resume(pid, stop.signal);
      return;
    case StopKind::OtherEvent:
    case StopKind::Continued:
    case StopKind::Unknown:
      resume(pid, 0);
      return;
  }
}

void Session::end_tree() {
  // The replay leaves nothing behind: the process group first, then every
  // task we know of (a descendant may have left the group), then reap all,
  // ours and the orphans that the subreaper flag brought to us.
  if (!main_exited_) kill(-main_, SIGKILL);
  kill(-main_, SIGKILL);
  for (const auto& [pid, task] : tasks_) kill(pid, SIGKILL);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, __WALL | WNOHANG);
    if (pid < 0) break;  // ECHILD: nothing left
    if (pid == 0) {
      for (const auto& [p, task] : tasks_) kill(p, SIGKILL);
      usleep(2000);
      continue;
    }
    auto it = tasks_.find(pid);
    Stop stop = classify_stop(status);
    if (stop.kind == StopKind::Exited || stop.kind == StopKind::Signaled) {
      if (it != tasks_.end() && !it->second.is_thread) {
        ProcessExit e;
        e.pid = pid;
        e.ppid = it->second.ppid;
        if (stop.kind == StopKind::Exited) e.code = stop.signal;
        else e.signal = stop.signal;
        e.at_ms = ms_since_start();
        e.killed_by_us = true;
        record_exit(e);
      }
      if (pid == main_ && !main_exited_) main_exited_ = true;
      tasks_.erase(pid);
    } else {
      ptrace(PTRACE_CONT, pid, nullptr, nullptr);  // SIGKILL is pending
    }
  }
}

// Wakes the tracer out of a blocking waitpid at the deadline: a timer sends
// SIGALRM to this thread, then again every 10 ms (a signal that came just
// before waitpid is not lost), with a handler that does nothing and no
// SA_RESTART, so waitpid returns EINTR. With a period of its own, the same
// wakes it for TraceOptions::tick. Two at once end in the reverse order of
// their start: each restores the handler it found.
class DeadlineAlarm {
 public:
  explicit DeadlineAlarm(Clock::duration after, std::chrono::milliseconds every = std::chrono::milliseconds(10)) {
    struct sigaction sa {};
    sa.sa_handler = [](int) {};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old_);
    struct sigevent ev {};
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGALRM;
    ev._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));  // sigev_notify_thread_id (glibc names it so)
    if (timer_create(CLOCK_MONOTONIC, &ev, &timer_) != 0) throw core::SystemError("timer_create", errno);
    // A deadline already past fires at once.
    const int64_t ns = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::nanoseconds>(after).count());
    struct itimerspec its {};
    its.it_value.tv_sec = ns / 1000000000;
    its.it_value.tv_nsec = ns % 1000000000;
    its.it_interval.tv_sec = every.count() / 1000;
    its.it_interval.tv_nsec = every.count() % 1000 * 1000000;
    timer_settime(timer_, 0, &its, nullptr);
  }
  ~DeadlineAlarm() {
    timer_delete(timer_);
    sigaction(SIGALRM, &old_, nullptr);
  }
  DeadlineAlarm(const DeadlineAlarm&) = delete;
  DeadlineAlarm& operator=(const DeadlineAlarm&) = delete;

 private:
  struct sigaction old_ {};
  timer_t timer_{};
};

void Session::hold() {
  holding_ = true;
  log_.after_ms = ms_since_start();
  if (opt_.on_hold) opt_.on_hold(log_.after_ms);
  // The deadline's alarm goes on firing every 10 ms; hold_fd is looked at
  // that often, also when stops keep waitpid from being interrupted.
  auto next_look = Clock::now();
  int status = 0;
  while (!main_exited_) {
    if (Clock::now() >= next_look) {
      if (hold_released(opt_.hold_fd)) return;
      next_look = Clock::now() + std::chrono::milliseconds(10);
    }
    pid_t p = waitpid(-1, &status, __WALL);
    if (p > 0) {
      handle(p, status);
      continue;
    }
    if (errno != EINTR) return;
  }
}

TraceLog Session::run() {
  log_.backend = every_syscall_ ? "ptrace" : "ptrace+seccomp";

  // Orphans of the replay (a daemonizing program's grandchildren) come to us.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  start_ = Clock::now();
  const pid_t pid = child_.fork_child();
  main_ = pid;
  log_.main_pid = pid;
  log_.processes = 1;
  // supervisord keeps a child's stdin open (supervisorctl sendstdin); a
  // command traced until it exits reads end of file instead of waiting.
  if (opt_.wait_for_exit) child_.close_stdin();

  // The child stops itself after PTRACE_TRACEME; set the options then.
  int status = 0;
  if (waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status)) {
    child_.throw_child_failure();
    throw core::SystemError("replay child", ECHILD, "it ended before it could be traced");
  }
  // Without a filter of ours, a seccomp filter the program installs itself
  // that asks for a tracer gets none (ENOSYS), as it would untraced.
  const long options = PTRACE_O_TRACESYSGOOD | (every_syscall_ ? 0 : PTRACE_O_TRACESECCOMP) | PTRACE_O_TRACEFORK |
                       PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
  if (ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(options)) != 0) {
    int err = errno;
    kill(pid, SIGKILL);
    waitpid(pid, &status, __WALL);
    throw core::SystemError("ptrace(PTRACE_SETOPTIONS)", err);
  }
  tasks_[pid].seen = true;
  // The output pipes are read on a thread of their own: this one only waits
  // for stops, one blocking waitpid each, as few system calls per trapped
  // call as the stops allow.
  child_.start_pump();
  start_ = Clock::now();  // supervisord's laststart is taken at fork; the stop is ours
  ptrace(every_syscall_ ? PTRACE_SYSCALL : PTRACE_CONT, pid, nullptr, nullptr);

  // startsecs and the settle window, or with wait_for_exit the timeout if any.
  const double limit = opt_.wait_for_exit ? opt_.timeout : opt_.startsecs + opt_.watch;
  const bool unlimited = opt_.wait_for_exit && opt_.timeout <= 0;
  const auto deadline =
      unlimited ? Clock::time_point::max()
                : start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit));
  std::optional<DeadlineAlarm> alarm;
  if (!unlimited) alarm.emplace(deadline - Clock::now());
  std::optional<DeadlineAlarm> tick_alarm;
  if (opt_.tick) tick_alarm.emplace(TickSchedule::k_every, TickSchedule::k_every);
  TickSchedule ticks(start_);
  while (!main_exited_) {
    // Looked at after stops too: a program that makes trapped calls all the
    // time keeps waitpid from being interrupted.
    if (opt_.tick && ticks.due(Clock::now())) opt_.tick(ms_since_start());
    pid_t p = waitpid(-1, &status, __WALL);
    if (p > 0) {
      handle(p, status);
      continue;
    }
    if (errno != EINTR) break;  // ECHILD: nothing left to wait for
    if (Clock::now() >= deadline) break;
  }
  tick_alarm.reset();
  if (!main_exited_ && !opt_.wait_for_exit && opt_.hold_fd >= 0) hold();
  alarm.reset();
  // The main process is gone: the rest of the tree gets a moment to follow
  // it; what is still there after that was left behind (daemonizing).
  if (main_exited_ && !holding_ && !opt_.wait_for_exit) {
    const auto grace = Clock::now() + std::chrono::milliseconds(k_orphan_grace_ms);
    DeadlineAlarm grace_alarm(grace - Clock::now());
    auto live = [this] {
      for (const auto& [p, task] : tasks_)
        if (!task.is_thread) return true;
      return false;
    };
    while (live()) {
      pid_t p = waitpid(-1, &status, __WALL);
      if (p > 0) {
        handle(p, status);
        continue;
      }
      if (errno != EINTR || Clock::now() >= grace) break;
    }
  }
  child_.stop_pump();

  log_.watched_ms = static_cast<int64_t>(limit * 1000);
  if (main_exited_ && !holding_) {
    log_.verdict = Verdict::Fails;
  } else {
    log_.verdict = Verdict::Starts;
    if (!holding_) log_.after_ms = ms_since_start();
  }
  end_tree();
  // A setup failure of the tool itself, reported before exec: an error.
  if (log_.verdict == Verdict::Fails) child_.throw_child_failure();
  child_.close_stdin();
  child_.read_outputs();

  log_.out = child_.out();
  log_.err = child_.err();
  log_.failed_total = failed_.total();
  log_.failed_dropped = failed_.dropped();
  log_.failed = failed_.take();
  log_.cost = cost_;
  if (every_syscall_)
    log_.backend_note = mode_.note;
  else
    log_.backend_note =
        "seccomp filter traps " + std::to_string(traced_syscalls().size()) +
        " file, exec and socket calls (not their forms on an open fd); each trapped call stops the "
        "program twice, so timing-sensitive programs run slower than under supervisord" +
        (mode_.note.empty() ? "" : "; " + mode_.note);
  return std::move(log_);
}

}  // namespace

TraceLog PtraceTracer::run(const spawn::SpawnSpec& spec, const TraceOptions& options) {
  if (spec.spawnerr) return not_forked(spec);
  if (spec.switch_user && geteuid() != 0)
    throw core::SystemError("replay as uid " + std::to_string(spec.uid), EPERM,
                            "user= needs bootmortem to run as root, as supervisord does");
  PtraceMode mode = ptrace_stops(geteuid(), own_caps());
  if (stops_ && *stops_ != mode.stops) mode = ptrace_mode(*stops_);
  Session s(spec, options, std::move(mode));
  return s.run();
}

}  // namespace bootmortem::trace
