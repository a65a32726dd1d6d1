// check's replays side by side: one forked worker process per program, each
// its own tracer. A process has one set of children for waitpid(-1), one
// subreaper flag and, for ptrace, tracees bound to the tracing thread, so two
// replays cannot share one process; they can share a parent that starts them
// together and collects what they found. Parent and worker talk in lines over
// a socket pair; the workers see each other's state in a shared page.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bootmortem::trace {

// What a worker's program is doing, as its siblings see it.
enum class WorkerState : int {
  Running = 0,  // loading, replaying, or waiting to retry (BACKOFF)
  Up = 1,       // started, and kept up until the parent releases it
  Done = 2,     // its last replay has ended (or the worker has)
};

// The worker's side.
class WorkerChannel {
 public:
  WorkerChannel(int fd, std::atomic<int>* states, size_t count, size_t index)
      : fd_(fd), states_(states), count_(count), index_(index) {}

  // One line to the parent ('\n' added; the text must hold none); false when
  // the parent is gone.
  bool send(const std::string& line);
  // The parent's next line; nullopt at end of file (released or gone).
  std::optional<std::string> receive_line();
  // Readable once the parent releases this worker (it shuts its side
  // down) or is gone: TraceOptions::hold_fd.
  int fd() const { return fd_; }
  // Sleeps for `wait`; true when released before it was over.
  bool released_within(std::chrono::milliseconds wait);

  void set_state(WorkerState s);
  // Another worker's program is running, about to be retried, or up.
  bool others_active() const;
  size_t index() const { return index_; }

 private:
  int fd_;
  std::atomic<int>* states_;
  size_t count_;
  size_t index_;
};

// The parent's side. The parent must have no other thread when it forks (a
// lock held by one would stay held in the child forever).
class Workers {
 public:
  // Room for `count` workers. Makes this process the subreaper of what they
  // leave, so that nothing of a worker that dies is left running.
  explicit Workers(size_t count);
  // Whatever still runs is killed and reaped, workers and their trees.
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  // Forks the next worker; body runs in it, then it exits (_exit, status 0;
  // 70 when body throws, which it should not). Workers ignore SIGINT,
  // SIGTERM, SIGHUP and SIGQUIT: the parent's end reaches them as the end of
  // file of their socket, and they end their replays cleanly.
  size_t spawn(const std::function<void(WorkerChannel&)>& body);
  pid_t pid(size_t i) const { return slots_[i].pid; }
  size_t size() const { return slots_.size(); }

  bool send(size_t i, const std::string& line);
  // The end of this worker's hold (and of its wait for the start signal).
  void release(size_t i);
  void set_state(size_t i, WorkerState s);

  struct Event {
    size_t worker = 0;
    bool ended = false;  // the worker exited: status is its wait status
    std::string line;    // otherwise one line it sent
    int status = 0;
  };
  // The lines and exits that came within timeout (at least one when there
  // are any before it). A line longer than max_line ends its worker.
  std::vector<Event> wait(std::chrono::milliseconds timeout);
  // Workers that have not ended yet.
  size_t running() const;

  // Kills every worker still running and everything they left (each then
  // ends with an Event from wait()).
  void kill_all();

  static constexpr size_t k_max_line = 64 << 20;

 private:
  struct Slot {
    pid_t pid = 0;
    int fd = -1;
    std::string buffer;
    bool eof = false;
    bool reaped = false;
    int status = 0;
  };
  void reap(Slot& s, bool block);
  void sweep();

  std::atomic<int>* states_ = nullptr;
  size_t count_;
  std::vector<Slot> slots_;
  int subreaper_before_ = 0;
};

// A wait status in words: "exit status 3", "killed by SIGKILL".
std::string describe_wait_status(int status);

}  // namespace bootmortem::trace
