#include "trace/ebpf_tracer.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstring>
#include <ctime>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/fs.h"
#include "trace/decode.h"
#include "trace/ebpf_offsets.h"
#include "trace/failed_table.h"
#include "trace/procfs.h"
#include "trace/replay_child.h"
#include "trace/syscalls.h"
#include "trace/ticks.h"

#if BOOTMORTEM_EBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "trace/bpf/events.h"
#include "trace/bpf/tracer.skel.h"
#endif

namespace bootmortem::trace {

#if BOOTMORTEM_EBPF

namespace {

using Clock = std::chrono::steady_clock;

uint64_t monotonic_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// libbpf's messages, kept for the reason when loading fails.
std::string g_libbpf_last;
int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level > LIBBPF_WARN) return 0;
  char buf[512];
  vsnprintf(buf, sizeof buf, fmt, args);
  std::string line(buf);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  if (!line.empty()) g_libbpf_last = line;
  return 0;
}

// A tracepoint's first probe waits until an RCU grace period has passed
// since any tracepoint last lost its last one (tracepoint_add_func: the
// 1->0->1 rule). A run right after another (a benchmark, diagnoses in a
// row) waits there for 10 ms at its first attach, 0-27 ms measured. The wait
// is the kernel's, but it can be taken while the programs load: a no-op
// program is attached first, on a thread, to a tracepoint that rarely fires
// (sched_kthread_stop), takes the wait there, and goes once the real
// programs are attached; they find none left. Back to back this took the
// median run of `trace -- /bin/true` from 19.5 to 15.9 ms; a run with no
// wait pending pays nothing measurable. Only an optimisation: if anything
// fails here, the real attach waits as it would have. Plain bpf(2) calls,
// so the thread shares no state with libbpf.
class GracePeriodAhead {
 public:
  GracePeriodAhead() : thread_([this] { attach(); }) {}
  ~GracePeriodAhead() {
    join();
    if (link_ >= 0) close(link_);
    if (prog_ >= 0) close(prog_);
  }
  GracePeriodAhead(const GracePeriodAhead&) = delete;
  GracePeriodAhead& operator=(const GracePeriodAhead&) = delete;
  // After the loading, before the real attach.
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  void attach() {
    const struct bpf_insn return0[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    static const char license[] = "GPL";
    union bpf_attr load {};
    load.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
    load.insns = reinterpret_cast<uint64_t>(return0);
    load.insn_cnt = 2;
    load.license = reinterpret_cast<uint64_t>(license);
    prog_ = static_cast<int>(syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load));
    if (prog_ < 0) return;
    static const char tracepoint[] = "sched_kthread_stop";
    union bpf_attr open {};
    open.raw_tracepoint.name = reinterpret_cast<uint64_t>(tracepoint);
    open.raw_tracepoint.prog_fd = static_cast<uint32_t>(prog_);
    link_ = static_cast<int>(syscall(SYS_bpf, BPF_RAW_TRACEPOINT_OPEN, &open, sizeof open));
  }

  int prog_ = -1;
  int link_ = -1;
  std::thread thread_;  // last: started once the fds above are set
};

}  // namespace

struct EbpfTracer::Loaded {
  tracer_bpf* skel = nullptr;
  ~Loaded() {
    if (skel) tracer_bpf__destroy(skel);
  }
};

EbpfTracer::EbpfTracer() {
  GracePeriodAhead grace;
  std::string why;
  auto offsets = kernel_offsets(k_offsets_cache_dir, &why);
  if (!offsets) throw core::SystemError("eBPF", ENOTSUP, why);

  libbpf_set_print(libbpf_print);
  auto loaded = std::make_unique<Loaded>();
  loaded->skel = tracer_bpf__open();
  if (!loaded->skel) throw core::SystemError("eBPF: open the programs", errno, g_libbpf_last);
  auto* ro = loaded->skel->rodata;
  for (int i = 0; i < 6; ++i) ro->off_regs[i] = offsets->regs[i];
  ro->off_orig_ax = offsets->regs_orig_ax;
  ro->off_task_pid = offsets->task_pid;
  ro->off_task_tgid = offsets->task_tgid;
  ro->off_task_real_parent = offsets->task_real_parent;
  ro->off_task_signal = offsets->task_signal;
  ro->off_task_exit_code = offsets->task_exit_code;
  ro->off_signal_live = offsets->signal_live;
  ro->off_bprm_filename = offsets->bprm_filename;
  if (int rc = tracer_bpf__load(loaded->skel))
    throw core::SystemError("eBPF: load the programs", -rc, g_libbpf_last);

  // Which syscalls to watch and where their strings are.
  const int layout_fd = bpf_map__fd(loaded->skel->maps.layout);
  for (const auto& d : traced_syscalls()) {
    long nr = syscall_number(d.name);
    if (nr < 0 || nr >= BM_MAX_NR) continue;
    bm_layout l{};
    l.watched = 1;
    l.report_success = std::strcmp(d.name, "chdir") == 0;  // to follow each process's cwd
    l.str1 = l.str2 = l.sockaddr_len = -1;
    for (int i = 0; i < d.nargs; ++i) {
      if (d.args[i] == ArgKind::Path) (l.str1 < 0 ? l.str1 : l.str2) = static_cast<int8_t>(i);
      if (d.args[i] == ArgKind::Sockaddr) {
        l.str1 = static_cast<int8_t>(i);
        l.sockaddr_len = static_cast<int8_t>(i + 1);
      }
    }
    uint32_t key = static_cast<uint32_t>(nr);
    bpf_map_update_elem(layout_fd, &key, &l, BPF_ANY);
  }
  grace.join();
  if (int rc = tracer_bpf__attach(loaded->skel))
    throw core::SystemError("eBPF: attach to the raw tracepoints", -rc, g_libbpf_last);
  loaded_ = loaded.release();
}

EbpfTracer::~EbpfTracer() { delete loaded_; }

namespace {

// The programs' counters, summed over the CPUs.
bm_stats kernel_stats(tracer_bpf* skel) {
  const int ncpu = std::max(libbpf_num_possible_cpus(), 1);
  std::vector<bm_stats> per_cpu(static_cast<size_t>(ncpu));
  bm_stats sum{};
  const uint32_t zero = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &zero, per_cpu.data()) != 0) return sum;
  for (const auto& c : per_cpu) {
    sum.lost += c.lost;
    sum.distinct_full += c.distinct_full;
    sum.procs_full += c.procs_full;
    sum.failed += c.failed;
    sum.counted += c.counted;
    sum.unseen += c.unseen;
    sum.events += c.events;
    sum.timed += c.timed;
    sum.timed_ns += c.timed_ns;
  }
  return sum;
}

// The kernel's own account of the programs' runs (bpf_prog_info run_time_ns
// and run_cnt), over every process's system calls: kept only when someone
// turned kernel.bpf_stats_enabled on. bootmortem does not turn it on: it
// would time every run of the programs, every system call on the machine.
struct MachineRuns {
  uint64_t ns = 0;
  uint64_t runs = 0;
};
std::optional<MachineRuns> machine_runs(tracer_bpf* skel) {
  if (core::RealFs().read_prefix("/proc/sys/kernel/bpf_stats_enabled", 1).value_or("0") != "1") return std::nullopt;
  MachineRuns sum;
  for (bpf_program* p : {skel->progs.bm_sys_exit, skel->progs.bm_fork, skel->progs.bm_exec, skel->progs.bm_exit}) {
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) != 0) return std::nullopt;
    sum.ns += info.run_time_ns;
    sum.runs += info.run_cnt;
  }
  return sum;
}

class Session {
 public:
  Session(tracer_bpf* skel, const spawn::SpawnSpec& spec, const TraceOptions& opt)
      : skel_(skel), spec_(spec), opt_(opt), child_(spec, opt.capture_bytes, std::nullopt, opt.private_network, opt.mount_ns_fd), failed_(opt.max_failed) {}
  ~Session() {
    if (rb_) ring_buffer__free(rb_);
  }

  TraceLog run();

 private:
  static int on_record(void* ctx, void* data, size_t size) {
    static_cast<Session*>(ctx)->record(data, size);
    return 0;
  }
  void record(const void* data, size_t size);
  void on_call(const bm_fail& e);
  void on_proc(const bm_proc& e);
  void record_exit(const ProcessExit& e);
  void reap();
  bool pump(int sfd, int timeout_ms, int hold_fd = -1);
  void hold(int sfd);
  void end_tree();
  bool tree_alive() const;
  void collect_counts();
  std::string resolve(uint32_t tgid, int64_t dirfd, const std::string& path);
  int64_t ms_at(uint64_t ts) const {
    return ts > start_ns_ ? static_cast<int64_t>((ts - start_ns_) / 1000000) : 0;
  }

  tracer_bpf* skel_;
  const spawn::SpawnSpec& spec_;
  TraceOptions opt_;
  ReplayChild child_;
  ring_buffer* rb_ = nullptr;
  TraceLog log_;
  uint64_t start_ns_ = 0;
  pid_t main_ = 0;
  bool main_exited_ = false;
  bool holding_ = false;  // started; kept up for the siblings (TraceOptions::hold_fd)
  bool ending_ = false;  // the verdict is in: what exits now, we killed
  bool discarding_ = false;  // draining records that are not this run's
  std::optional<MachineRuns> machine_before_;

  std::unordered_map<uint32_t, std::string> cwd_;     // known from fork and chdir
  FailedTable failed_;
  // The kernel's key of a failure it counts -> the record (or npos: dropped).
  std::unordered_map<std::string, size_t> by_key_;
  size_t killed_kept_ = 0;
};

std::string Session::resolve(uint32_t tgid, int64_t dirfd, const std::string& path) {
  if (path.starts_with('/')) return core::normalize_path(path);
  std::string base;
  if (static_cast<int>(dirfd) == AT_FDCWD) {
    auto it = cwd_.find(tgid);
    base = it != cwd_.end() ? it->second : proc_cwd(static_cast<pid_t>(tgid));
  } else {
    base = proc_fd_path(static_cast<pid_t>(tgid), static_cast<int>(dirfd));
  }
  if (base.empty()) return path;
  return core::absolute_path(path, base);
}

void Session::on_call(const bm_fail& e) {
  const SyscallDesc* desc = find_syscall(e.nr);
  if (!desc) return;
  const std::string s1(e.s1, std::min<size_t>(e.len1, BM_STR_MAX));
  const std::string s2(e.len2 ? std::string(e.s2, std::min<size_t>(e.len2, BM_STR_MAX)) : std::string());

  // fstat's newfstatat(fd, "", AT_EMPTY_PATH) is about an open fd: not
  // trapped by the ptrace backend's filter, not reported here either.
  if (desc->empty_path_flags >= 0 && (e.args[desc->empty_path_flags] & AT_EMPTY_PATH) && e.len1 == 0) return;

  if (e.kind == BM_EV_OK) {  // a chdir that worked: the process's new cwd
    cwd_[e.tgid] = resolve(e.tgid, AT_FDCWD, s1);
    return;
  }

  // Decoded as the ptrace backend decodes, from the bytes the kernel copied:
  // only a failure's first occurrence comes this way.
  struct KernelCopy final : CallMemory {
    Session* session;
    const bm_fail& e;
    const std::string &s1, &s2;
    KernelCopy(Session* s, const bm_fail& ev, const std::string& a, const std::string& b)
        : session(s), e(ev), s1(a), s2(b) {}
    std::optional<std::string> path(int nth, uint64_t addr) const override {
      if (addr == 0 || (nth == 0 ? e.len1 : e.len2) == 0) return std::nullopt;
      return nth == 0 ? s1 : s2;
    }
    std::optional<std::string> sockaddr(uint64_t, size_t) const override {
      if (e.len1 == 0) return std::nullopt;
      return s1;
    }
    std::string resolve(long dirfd, const std::string& path) const override {
      return session->resolve(e.tgid, dirfd, path);
    }
  };
  uint64_t args[6];
  std::copy(std::begin(e.args), std::end(e.args), args);
  DecodedCall call = decode_call(*desc, args, KernelCopy(this, e, s1, s2));

  const int err = -e.ret;
  const FailedTable::Key key{desc->name, err, call.path, call.path2, call.addr};
  size_t index = std::string::npos;
  if (FailedSyscall* f = failed_.add(key, static_cast<int>(e.tgid))) {
    f->port = call.port;
    f->args = std::move(call.args);
    f->at_ms = ms_at(e.ts);
    index = failed_.size() - 1;
    if (failed_.full()) skel_->bss->records_full = 1;  // the kernel stops sending new ones
  } else if (auto i = failed_.index_of(key)) {
    index = *i;
  }
  if (e.aggregated) {
    // Counted in the kernel from now on: collect_counts() adds the rest.
    bm_key k{};
    k.nr = e.nr;
    k.ret = e.ret;
    k.len1 = e.len1;
    k.len2 = e.len2;
    k.h1 = e.h1;
    k.h2 = e.h2;
    by_key_.emplace(std::string(reinterpret_cast<const char*>(&k), sizeof k), index);
  }
}

void Session::on_proc(const bm_proc& e) {
  if (e.kind == BM_EV_FORK) {
    ++log_.processes;
    auto it = cwd_.find(e.ppid);
    if (it != cwd_.end()) cwd_[e.tgid] = it->second;
    return;
  }
  // BM_EV_EXIT: code as in a wait status.
  cwd_.erase(e.tgid);
  if (static_cast<pid_t>(e.tgid) == main_) return;  // waitpid gives ours exactly
  ProcessExit x;
  x.pid = static_cast<int>(e.tgid);
  x.ppid = static_cast<int>(e.ppid);
  const int status = e.code;
  if (WIFSIGNALED(status)) {
    x.signal = WTERMSIG(status);
    x.core_dumped = WCOREDUMP(status);
  } else {
    x.code = WEXITSTATUS(status);
  }
  x.at_ms = ms_at(e.ts);
  x.killed_by_us = ending_;
  record_exit(x);
}

void Session::record_exit(const ProcessExit& e) { keep_exit(log_, e, opt_.max_exits, killed_kept_); }

void Session::record(const void* data, size_t size) {
  if (discarding_ || size < sizeof(uint32_t)) return;
  uint32_t kind;
  std::memcpy(&kind, data, sizeof kind);
  switch (kind) {
    case BM_EV_FAIL:
    case BM_EV_OK:
      if (size >= BM_FAIL_HEAD) on_call(*static_cast<const bm_fail*>(data));
      return;
    case BM_EV_EXEC: {
      if (size < BM_FAIL_HEAD) return;
      const auto& e = *static_cast<const bm_fail*>(data);
      if (static_cast<pid_t>(e.tgid) == main_ && !log_.main_status) log_.main_status = proc_identity(main_);
      if (log_.execs.size() < opt_.max_execs)
        log_.execs.push_back(
            ExecEvent{static_cast<int>(e.tgid), std::string(e.s1, std::min<size_t>(e.len1, BM_STR_MAX)), ms_at(e.ts)});
      else
        ++log_.execs_dropped;
      return;
    }
    case BM_EV_FORK:
    case BM_EV_EXIT:
      if (size >= sizeof(bm_proc)) on_proc(*static_cast<const bm_proc*>(data));
      return;
  }
}

// Our children: the main process, and orphans of the tree (we are their
// subreaper). Only the main process's status is taken from here.
void Session::reap() {
  while (true) {
    int status = 0;
    pid_t p = waitpid(-1, &status, WNOHANG);
    if (p <= 0) return;
    if (p != main_ || main_exited_) continue;
    main_exited_ = true;
    ProcessExit x;
    x.pid = p;
    x.ppid = getpid();
    if (WIFSIGNALED(status)) {
      x.signal = WTERMSIG(status);
      x.core_dumped = WCOREDUMP(status);
    } else {
      x.code = WEXITSTATUS(status);
    }
    if (!ending_ && !holding_) {  // its own end, not ours nor one after the verdict
      log_.after_ms = ms_at(monotonic_ns());
      log_.exit_code = x.code;
      log_.exit_signal = x.signal;
    }
    x.at_ms = ms_at(monotonic_ns());
    x.killed_by_us = ending_;
    record_exit(x);
  }
}

// A process of the tree other than the main one: the kernel drops each from
// the map when it exits.
bool Session::tree_alive() const {
  const int procs_fd = bpf_map__fd(skel_->maps.procs);
  uint32_t key = 0, next = 0;
  uint32_t* prev = nullptr;
  while (bpf_map_get_next_key(procs_fd, prev, &next) == 0) {
    if (static_cast<pid_t>(next) != main_) return true;
    key = next;
    prev = &key;
  }
  return false;
}

void Session::end_tree() {
  // The replay leaves nothing behind: its process group, then every process
  // the kernel still follows (its map is exact even when the ring buffer
  // dropped a fork record), until none is left and nothing is left to reap.
  ending_ = true;
  const int procs_fd = bpf_map__fd(skel_->maps.procs);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    ring_buffer__consume(rb_);
    kill(-main_, SIGKILL);
    bool any = false;
    uint32_t key = 0, next = 0;
    uint32_t* prev = nullptr;
    while (bpf_map_get_next_key(procs_fd, prev, &next) == 0) {
      if (kill(static_cast<pid_t>(next), SIGKILL) == 0) any = true;
      key = next;
      prev = &key;
    }
    reap();
    if (!any && main_exited_) {
      int status;
      if (waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD) break;
    }
    ring_buffer__poll(rb_, 2);
  }
  reap();
  ring_buffer__consume(rb_);
  // Nothing of the tree is left: off the tracepoints now, not at exit. Every
  // system call on the machine stops paying for the probes, and the next
  // attach (the kernel makes a tracepoint's first probe wait out an RCU
  // grace period after the last one left) finds that period further along.
  // Unless this tracer's next run follows: staying on spares it that wait.
  if (!opt_.more_runs) tracer_bpf__detach(skel_);
}

void Session::collect_counts() {
  const int fd = bpf_map__fd(skel_->maps.counts);
  bm_key key{}, next{};
  bm_key* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    bm_count c{};
    if (bpf_map_lookup_elem(fd, &next, &c) == 0 && c.count > 1) {
      // The first failure came through the ring buffer and is counted.
      auto it = by_key_.find(std::string(reinterpret_cast<const char*>(&next), sizeof next));
      if (it == by_key_.end() || it->second == std::string::npos)
        failed_.add_dropped(c.count - 1);
      else
        failed_.add_to(it->second, c.count - 1, c.pids > 1 ? c.pids - 1 : 0);
    }
    key = next;
    prev = &key;
  }
  log_.failed = failed_.take();
  // Lost records and unfollowed forks, and every failure the kernel saw,
  // summed over CPUs: the total is exact even when records were lost.
  const bm_stats st = kernel_stats(skel_);
  log_.lost_events = st.lost + st.procs_full;
  uint64_t kept = 0;
  for (const auto& f : log_.failed) kept += f.count;
  log_.failed_total = std::max<uint64_t>(st.failed, failed_.total());
  log_.failed_dropped = log_.failed_total - kept;
  // The time of the events the programs timed, scaled to all of them.
  if (st.timed) {
    TracerCost cost;
    cost.ns = static_cast<int64_t>(static_cast<double>(st.timed_ns) * static_cast<double>(st.events) /
                                   static_cast<double>(st.timed));
    cost.events = st.events;
    const auto after = machine_runs(skel_);
    if (machine_before_ && after && after->ns >= machine_before_->ns) {
      cost.machine_ns = static_cast<int64_t>(after->ns - machine_before_->ns);
      cost.machine_runs = after->runs - machine_before_->runs;
    }
    log_.cost = cost;
  }
}

// One wait of at most timeout_ms for a child's exit, records, output or
// hold_fd, then all of them handled; false when poll itself failed.
bool Session::pump(int sfd, int timeout_ms, int hold_fd) {
  struct pollfd fds[5] = {{sfd, POLLIN, 0},
                          {ring_buffer__epoll_fd(rb_), POLLIN, 0},
                          {child_.stdout_fd(), POLLIN, 0},
                          {child_.stderr_fd(), POLLIN, 0},
                          {hold_fd, POLLIN, 0}};
  if (poll(fds, hold_fd >= 0 ? 5 : 4, timeout_ms) < 0 && errno != EINTR) return false;
  signalfd_siginfo si;
  while (::read(sfd, &si, sizeof si) == sizeof si) {
  }
  ring_buffer__consume(rb_);
  reap();
  child_.read_outputs();
  return true;
}

void Session::hold(int sfd) {
  holding_ = true;
  log_.after_ms = ms_at(monotonic_ns());
  if (opt_.on_hold) opt_.on_hold(log_.after_ms);
  while (!main_exited_ && !hold_released(opt_.hold_fd))
    if (!pump(sfd, 10, opt_.hold_fd)) return;
}

TraceLog Session::run() {
  log_.backend = "ebpf";
  rb_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), on_record, this, nullptr);
  if (!rb_) throw core::SystemError("eBPF: ring buffer", errno);
  // A previous run that stayed attached may have left records of a process
  // it could not end: not this run's.
  discarding_ = true;
  ring_buffer__consume(rb_);
  discarding_ = false;

  // Orphans of the replay (a daemonizing program's grandchildren) come to us.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old);
  struct Restore {
    sigset_t* old;
    ~Restore() { sigprocmask(SIG_SETMASK, old, nullptr); }
  } restore{&old};
  Fd sfd(signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC));
  if (sfd.fd < 0) throw core::SystemError("signalfd", errno);

  main_ = child_.fork_child();
  log_.main_pid = main_;
  log_.processes = 1;
  // Followed from its first instruction: in the map before it may go on.
  const uint32_t tgid = static_cast<uint32_t>(main_);
  const uint8_t one = 1;
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.procs), &tgid, &one, BPF_ANY) != 0) {
    int err = errno;
    kill(main_, SIGKILL);
    waitpid(main_, nullptr, 0);
    throw core::SystemError("eBPF: follow the replay's pid", err);
  }
  cwd_[tgid] = spec_.directory ? *spec_.directory : (spec_.base.cwd.empty() ? "/" : spec_.base.cwd);
  machine_before_ = machine_runs(skel_);
  start_ns_ = monotonic_ns();
  const auto start = Clock::now();
  child_.go();

  // supervisord keeps a child's stdin open; a command traced until it
  // exits reads end of file instead of waiting for input.
  if (opt_.wait_for_exit) child_.close_stdin();
  // startsecs and the settle window, or with wait_for_exit the timeout if any.
  const double limit = opt_.wait_for_exit ? opt_.timeout : opt_.startsecs + opt_.watch;
  const bool unlimited = opt_.wait_for_exit && opt_.timeout <= 0;
  const auto deadline =
      unlimited ? Clock::time_point::max()
                : start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit));
  TickSchedule ticks(start);
  while (!main_exited_) {
    auto now = Clock::now();
    if (now >= deadline) break;
    if (opt_.tick && ticks.due(now)) opt_.tick(ms_at(monotonic_ns()));
    // The kernel does not wake us for records: drain them every 10 ms.
    constexpr int k_drain_ms = 10;
    int timeout = unlimited ? k_drain_ms
                            : std::min<int>(k_drain_ms, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                            deadline - now).count()) + 1);
    if (!pump(sfd.fd, timeout)) break;
  }
  if (!main_exited_ && !opt_.wait_for_exit && opt_.hold_fd >= 0) hold(sfd.fd);
  // The main process is gone: the rest of the tree gets a moment to follow
  // it; what is still there after that was left behind (daemonizing).
  if (main_exited_ && !holding_ && !opt_.wait_for_exit) {
    const auto grace = Clock::now() + std::chrono::milliseconds(k_orphan_grace_ms);
    while (Clock::now() < grace && tree_alive()) {
      poll(nullptr, 0, 5);
      ring_buffer__consume(rb_);
      reap();
      child_.read_outputs();
    }
  }

  log_.watched_ms = static_cast<int64_t>(limit * 1000);
  if (main_exited_ && !holding_) {
    log_.verdict = Verdict::Fails;
  } else {
    log_.verdict = Verdict::Starts;
    if (!holding_) log_.after_ms = ms_at(monotonic_ns());
  }
  end_tree();
  // A setup failure of the tool itself, reported before exec: an error.
  if (log_.verdict == Verdict::Fails) child_.throw_child_failure();
  child_.close_stdin();
  child_.read_outputs();
  collect_counts();

  log_.out = child_.out();
  log_.err = child_.err();
  log_.backend_note = "raw tracepoints on sys_exit and the scheduler's fork, exec and exit; "
                      "the program runs unstopped, failures are filtered and counted in the kernel";
  if (log_.lost_events)
    log_.backend_note += "; " + std::to_string(log_.lost_events) + " events lost (ring buffer full or too many processes)";
  return std::move(log_);
}

}  // namespace

TraceLog EbpfTracer::run(const spawn::SpawnSpec& spec, const TraceOptions& options) {
  if (spec.spawnerr) return not_forked(spec);
  // The maps hold the previous run's processes and counts: start clean.
  auto* skel = loaded_->skel;
  skel->bss->records_full = 0;
  // The kernel's map of counted failures holds BM_MAX_DISTINCT keys.
  skel->bss->max_records = static_cast<uint32_t>(std::min<size_t>(options.max_failed, BM_MAX_DISTINCT));
  // The table counts paths twice; the kernel's records fit in half the ring.
  const uint64_t heads = static_cast<uint64_t>(options.max_failed) * BM_FAIL_HEAD;
  const uint64_t half = BM_RINGBUF_BYTES / 2;
  const uint64_t strings = heads < half / 2 ? half - heads : half / 2;
  skel->bss->max_bytes = std::min<uint64_t>(FailedTable::k_default_max_bytes / 2, strings);
  skel->bss->sent_records = 0;
  skel->bss->sent_bytes = 0;
  if (!skel->links.bm_sys_exit) {
    // A previous run left the tracepoints when its tree was gone (detaching
    // clears the links).
    if (int rc = tracer_bpf__attach(skel))
      throw core::SystemError("eBPF: attach to the raw tracepoints", -rc, g_libbpf_last);
  }
  // A previous run's processes, failure counts and statistics are still in
  // the maps (a fresh load finds them empty).
  for (bpf_map* m : {skel->maps.procs, skel->maps.counts}) {
    const int fd = bpf_map__fd(m);
    bm_key key{};
    while (bpf_map_get_next_key(fd, nullptr, &key) == 0) bpf_map_delete_elem(fd, &key);
  }
  // No key counted yet: every slot clear.
  static const bm_seen no_keys{};
  const uint32_t first = 0;
  bpf_map_update_elem(bpf_map__fd(skel->maps.seen), &first, &no_keys, BPF_ANY);
  const std::vector<bm_stats> zeros(static_cast<size_t>(std::max(libbpf_num_possible_cpus(), 1)));
  const uint32_t zero = 0;
  bpf_map_update_elem(bpf_map__fd(skel->maps.stats), &zero, zeros.data(), BPF_ANY);
  Session s(skel, spec, options);
  return s.run();
}

#else  // built without eBPF

struct EbpfTracer::Loaded {};
EbpfTracer::EbpfTracer() { throw core::SystemError("eBPF", ENOTSUP, "bootmortem was built without the eBPF backend"); }
EbpfTracer::~EbpfTracer() = default;
TraceLog EbpfTracer::run(const spawn::SpawnSpec&, const TraceOptions&) { return {}; }

#endif

}  // namespace bootmortem::trace
