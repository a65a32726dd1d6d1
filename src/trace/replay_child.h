// What both backends do around the traced program: the argv and environment
// laid out before fork, the pipes on 0/1/2 and the close-on-exec report pipe,
// the child plan (child.h), and bounded reading of the program's output.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "spawn/spawn_spec.h"
#include "trace/capture.h"
#include "trace/caps.h"
#include "trace/child.h"
#include "trace/syscalls.h"

namespace bootmortem::trace {

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset();
};

// The trace of a program supervisord would not even fork (spec.spawnerr).
TraceLog not_forked(const spawn::SpawnSpec& spec);

// TraceOptions::hold_fd has turned readable (a byte, end of file or an
// error): the hold is over.
bool hold_released(int hold_fd);

// Adds a process's exit to log.exits within max_exits, keeping a few of the
// processes the tracer ended itself whatever came before (they say what
// outlived the main process); the rest counted in exits_dropped.
void keep_exit(TraceLog& log, const ProcessExit& e, size_t max_exits, size_t& killed_kept);

class ReplayChild {
 public:
  // ptrace (a value): the child stops itself under PTRACE_TRACEME, then
  // installs the seccomp filter unless there is none; otherwise (nullopt) it
  // waits on a pipe until go().
  // While it lives, SIGCHLD is at its default in this process: one inherited
  // as ignored (a parent's SIG_IGN survives exec) would have the kernel reap
  // the child unseen, and the tracer wait for an exit it never learns of.
  ReplayChild(const spawn::SpawnSpec& spec, size_t capture_bytes, std::optional<PtraceStops> ptrace,
              bool private_network = false, int mount_ns_fd = -1);
  ~ReplayChild();

  // Forks; in the parent closes the child's ends and returns its pid.
  pid_t fork_child();
  // Lets a child that waits for it (not ptrace) go on to exec.
  void go();

  // Reads what is buffered in the output pipes (non-blocking).
  void read_outputs();
  // Or reads them on a thread of its own, for a tracer that blocks in
  // waitpid: start_pump() after fork_child(), stop_pump() before out()/err()
  // or read_outputs(). The destructor stops it too.
  void start_pump();
  void stop_pump();
  void close_stdin() { in_w_.reset(); }
  // The tool's own setup failure reported by the child, if any: throws it.
  void throw_child_failure();

  int stdout_fd() const { return out_r_.fd; }
  int stderr_fd() const { return err_r_.fd; }
  Captured out() const { return out_.finish(); }
  Captured err() const { return err_.finish(); }

 private:
  void read_pipe(Fd& fd, StreamCapture& cap);

  BpfProgram bpf_;
  std::vector<std::string> argv_s_, env_s_;
  std::vector<char*> argv_, envp_;
  std::string child_error_;
  ChildPlan plan_;
  Fd in_r_, in_w_, out_r_, out_w_, err_r_, err_w_, rep_r_, rep_w_, go_r_, go_w_;
  StreamCapture out_;
  StreamCapture err_;
  Fd pump_wake_r_, pump_wake_w_;
  std::thread pump_;
  struct sigaction old_sigchld_ {};
};

}  // namespace bootmortem::trace
