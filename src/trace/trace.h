// Runs a SpawnSpec in a traced child and watches its whole process tree.
// The result is a TraceLog: plain data, bounded in size whatever the child does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spawn/spawn_spec.h"
#include "trace/caps.h"

namespace bootmortem::trace {

// One failed system call, aggregated by (call, errno, path/addr): ten
// thousand processes failing the same call make one record.
struct FailedSyscall {
  int pid = 0;           // the first pid that made it
  std::string call;      // "mkdir", "openat", "bind", ...
  int err = 0;           // errno
  std::string path;      // absolute, resolved against cwd or dirfd; may be empty
  std::string path2;     // second path (rename, link)
  std::string addr;      // decoded sockaddr for bind/connect: "0.0.0.0:80", "/run/x.sock"
  int port = -1;         // for AF_INET/AF_INET6
  std::string args;      // strace-like rendering of the arguments
  int64_t at_ms = 0;     // first occurrence, since the spawn
  uint64_t seq = 0;      // order of first occurrence across the trace
  uint64_t count = 1;
  // Distinct pids that made it: exact up to 8; beyond, a pid that comes back
  // after 8 others is counted again.
  uint64_t pids = 1;
};

struct ExecEvent {
  int pid = 0;
  std::string path;
  int64_t at_ms = 0;
};

struct ProcessExit {
  int pid = 0;
  int ppid = 0;
  std::optional<int> code;    // exit status
  std::optional<int> signal;  // terminating signal
  bool core_dumped = false;
  int64_t at_ms = 0;
  bool killed_by_us = false;  // ended when the verdict was in
};

// Keeps the first and the last bytes of a stream, counts the rest.
struct Captured {
  std::string head;
  std::string tail;
  uint64_t total = 0;
  uint64_t dropped = 0;   // bytes between head and tail that were not kept
  std::string text() const;  // head + marker + tail
};

enum class Verdict { Starts, Fails };

// What tracing took from the program. ptrace: the time from a stop reaching
// the tracer to the program resumed, summed over its stops (a lower bound:
// the kernel's switches to the tracer and back come on top). eBPF: the time
// in the programs on the tree's own events (a watched call's sys_exit, fork,
// exec, exit), timed in the kernel by the programs themselves.
struct TracerCost {
  int64_t ns = 0;
  uint64_t events = 0;  // ptrace: stops; eBPF: the tree's events handled
  // eBPF with the kernel's run-time statistics (BPF_ENABLE_STATS, on for the
  // run only): all runs of the programs while the replay ran, over every
  // process's system calls (each passes the first test); -1 when unknown.
  int64_t machine_ns = -1;
  uint64_t machine_runs = 0;
};

// A second run of the same spawn with no tracer: exit status and timing only.
struct UntracedCheck {
  bool exited = false;        // the main process exited within startsecs + the window
  std::optional<int> code;
  std::optional<int> signal;
  int64_t after_ms = 0;       // when it exited, or how long it was watched
  bool decided = false;       // its verdict replaced the traced run's
  bool output = false;        // and its stdout and stderr the traced run's
  // The traced run's own account, kept when the untraced run decided.
  Verdict traced_verdict = Verdict::Fails;
  std::optional<int> traced_code;
  std::optional<int> traced_signal;
  int64_t traced_after_ms = 0;
};

struct TraceOptions {
  double startsecs = 1.0;        // how long the main process must stay up
  // Seconds the main process is still watched after startsecs: an exit then
  // is a crash loop or EXITED to supervisord, not a healthy start.
  double watch = 0;
  size_t capture_bytes = 64 * 1024;  // per stream, for head and for tail
  size_t max_failed = 4096;      // distinct failed-syscall records kept
  // `bootmortem trace`: no startsecs verdict; wait for the main process to
  // exit (at most `timeout` seconds when > 0), then end the tree. Its stdin
  // is at end of file.
  bool wait_for_exit = false;
  double timeout = 0;
  size_t max_execs = 1024;       // exec events kept, the rest counted
  size_t max_exits = 1024;       // process exits kept, the rest counted
  // Another run follows on the same tracer (check's programs): the eBPF
  // backend then stays on its tracepoints between the two, which spares the
  // next run the kernel's wait for an RCU grace period at attach (8-30 ms).
  bool more_runs = false;
  // The replay gets a network namespace of its own (loopback only): for a
  // second replay when supervisord's own copy holds the port it needs.
  bool private_network = false;
  // A mount namespace the replay enters before anything else (setns), or -1:
  // a verification replay sees its fix's throwaway copy of files there.
  int mount_ns_fd = -1;
  // check: a program that starts is not ended when its verdict is in but
  // kept running, still traced, until hold_fd turns readable (a byte or end
  // of file), so that the config's other programs, replayed alongside it and
  // perhaps retried, find it up as they would under supervisord. on_hold is
  // called as the hold begins, with the verdict's after_ms. The verdict stays
  // the window's: an exit of the main process during the hold ends the hold
  // and is kept among the exits only.
  int hold_fd = -1;
  std::function<void(int64_t after_ms)> on_hold;
  // A progress display's clock: called about every k_tick_ms while the
  // replay is watched (startsecs and the window, or until its exit), with
  // the ms since the program started. Not during a hold. It must return
  // quickly: under ptrace the program waits at its next stop meanwhile.
  std::function<void(int64_t elapsed_ms)> tick;
};

inline constexpr int k_tick_ms = 100;

// check: a failed bind (EADDRINUSE) whose address another program of the
// same config held, its replay running alongside this one.
struct SiblingBind {
  std::string addr;     // the failed call's address: "127.0.0.1:8080"
  int port = -1;
  std::string program;  // the other program's name
  int pid = 0;          // the process of its replay that listened there
};

struct TraceLog {
  std::string backend = "ptrace+seccomp";
  std::string backend_note;       // how the trace was taken, limits that matter
  std::string backend_why;        // why this backend (choose_tracer)
  Verdict verdict = Verdict::Fails;
  int main_pid = 0;
  std::optional<int> exit_code;   // main process
  std::optional<int> exit_signal;
  int64_t after_ms = 0;           // main process lifetime (or how long it was watched when it starts)
  int64_t watched_ms = 0;         // startsecs + the settle window: how long an exit was waited for
  // Processes of the tree other than the main one that were still alive at
  // the end and that the replay ended. When the main process had exited on
  // its own (and a short grace for the rest had passed): a daemonizing
  // program's children, which supervisord loses track of.
  uint64_t left_behind = 0;
  std::optional<std::string> spawnerr;  // supervisord would not have forked

  std::vector<FailedSyscall> failed;   // distinct, ordered by seq
  uint64_t failed_total = 0;
  uint64_t failed_dropped = 0;         // failures whose record did not fit (max_failed)
  std::vector<ExecEvent> execs;        // the first max_execs
  uint64_t execs_dropped = 0;
  std::vector<ProcessExit> exits;      // the first max_exits processes of the tree
  uint64_t exits_dropped = 0;
  size_t processes = 0;
  // Events the backend could not deliver (an eBPF ring buffer that was full).
  uint64_t lost_events = 0;
  // What the tracing took from the program, when it is known.
  std::optional<TracerCost> cost;
  // The verdict checked by a run of the same spawn with no tracer, when the
  // traced run's timing decided it (run/: confirm_untraced).
  std::optional<UntracedCheck> untraced;

  Captured out;
  Captured err;
  // /proc/<main pid>/status identity lines read right after the first exec.
  std::optional<std::string> main_status;

  // check: which start of the program this log is of. supervisord retries a
  // program that exits before startsecs (BACKOFF); check does so while the
  // config's other programs run, so 1 unless an earlier start failed.
  int attempts = 1;
  std::vector<SiblingBind> sibling_binds;
};

// After the main process exits, how long the rest of the tree is given to
// exit on its own before what remains counts as left behind.
inline constexpr int k_orphan_grace_ms = 300;

class Tracer {
 public:
  virtual ~Tracer() = default;
  virtual TraceLog run(const spawn::SpawnSpec& spec, const TraceOptions& options) = 0;
};

// The ptrace + seccomp backend; without CAP_SYS_ADMIN as root, ptrace
// alone (trace/caps.h, ptrace_stops). `stops` forces one way (tests).
class PtraceTracer final : public Tracer {
 public:
  explicit PtraceTracer(std::optional<PtraceStops> stops = std::nullopt) : stops_(stops) {}
  TraceLog run(const spawn::SpawnSpec& spec, const TraceOptions& options) override;

 private:
  std::optional<PtraceStops> stops_;
};

// Which backend to trace with: `--tracer auto|ebpf|ptrace`.
enum class TracerKind { Auto, Ebpf, Ptrace };

// The backend that will run and why it was chosen (for the report): Auto
// takes eBPF where the kernel accepts it (root), else ptrace with the reason;
// Ebpf throws SystemError when it cannot be loaded.
struct TracerChoice {
  std::unique_ptr<Tracer> tracer;
  std::string why;
  std::string name;  // "ebpf", "ptrace"
};
TracerChoice choose_tracer(TracerKind wanted);

}  // namespace bootmortem::trace
