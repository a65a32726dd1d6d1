#include "run/together.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "run/confirm.h"
#include "run/run_json.h"
#include "trace/port_owner.h"
#include "trace/workers.h"

namespace bootmortem::run {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// supervisord's BACKOFF: an exit before startsecs, which it retries.
bool exited_too_quickly(const trace::TraceLog& log, const trace::TraceOptions& o) {
  return log.verdict == trace::Verdict::Fails && !log.spawnerr && o.startsecs > 0 &&
         log.after_ms < static_cast<int64_t>(o.startsecs * 1000);
}

// A worker's tracer: the backend, loaded before the start signal so that the
// programs start together; starts retried as supervisord would while the
// config's other programs run; a start held up until the parent releases it.
class TogetherTracer final : public trace::Tracer {
 public:
  TogetherTracer(trace::TracerKind kind, trace::WorkerChannel& ch) : kind_(kind), ch_(ch) {}

  void load() {
    if (!choice_) choice_ = trace::choose_tracer(kind_);
  }
  bool loaded() const { return choice_.has_value(); }
  const std::string& why() const { return choice_->why; }
  void set_workers(std::vector<std::pair<pid_t, std::string>> w) { workers_ = std::move(w); }

  trace::TraceLog run(const spawn::SpawnSpec& spec, const trace::TraceOptions& options) override {
    load();
    trace::TraceOptions o = options;
    o.more_runs = false;  // each worker's tracer runs once per start
    o.hold_fd = ch_.fd();
    int attempt = 1;
    o.on_hold = [&](int64_t after_ms) {
      ch_.set_state(trace::WorkerState::Up);
      ch_.send("up " + std::to_string(after_ms) + " " + std::to_string(attempt));
    };
    // The parent starts the next program once this one is under way.
    if (!told_starting_) ch_.send("starting");
    told_starting_ = true;
    trace::TraceLog log;
    for (;; ++attempt) {
      log = choice_->tracer->run(spec, o);
      log.attempts = attempt;
      // Asked now, while the sibling that holds the port is still up.
      log.sibling_binds = find_sibling_binds(log, workers_, getpid(), getppid());
      // The sibling keeps its port while it runs: every retry would fail so.
      if (attempt > spec.startretries || !exited_too_quickly(log, o) || !log.sibling_binds.empty()) break;
      if (!ch_.others_active()) break;  // nothing else runs that could change the outcome
      // BACKOFF: supervisord waits n seconds before start n + 1.
      ch_.send("backoff " + std::to_string(attempt));
      if (ch_.released_within(std::chrono::seconds(attempt))) break;  // the check is being stopped
      if (!ch_.others_active()) break;
    }
    if (log.attempts > 1) {
      std::string waits;
      for (int n = 1; n < log.attempts; ++n) waits += (n > 1 ? ", " : "") + std::to_string(n) + " s";
      log.backend_note += "; check: start " + std::to_string(log.attempts) + ", as supervisord retries it: the " +
                          std::to_string(log.attempts - 1) +
                          " before exited before startsecs while the config's other programs ran (BACKOFF waits: " +
                          waits + ")";
    }
    return log;
  }

 private:
  trace::TracerKind kind_;
  trace::WorkerChannel& ch_;
  std::optional<trace::TracerChoice> choice_;
  std::vector<std::pair<pid_t, std::string>> workers_;
  bool told_starting_ = false;
};

// What the parent gives every worker (read-only, copied by fork).
struct Plan {
  const std::optional<trace::LiveSupervisord>& live;
  const config::Config& cfg;
  const std::vector<const config::ProcessConfig*>& procs;
  const std::vector<spawn::SpawnSpec>& specs;
  const Watch& watch;
  trace::TracerKind kind;
  const core::FileSystem& fs;
};

// Worker -> parent, a line each: "ready" (the backend is loaded),
// "starting" (its replay is under way), "backoff N" (start N exited before
// startsecs; start N + 1 follows in N s), "up AFTER_MS ATTEMPT" (it started
// and is held), then {"run": ...} or {"error": ..., "errno": ...}. Parent ->
// worker: the start signal, {"workers": [[pid, name]...]}; then the end of
// file that releases it.
void worker_main(trace::WorkerChannel& ch, const Plan& plan, size_t i) {
  auto fail = [&ch](const std::string& what, int err) {
    ch.set_state(trace::WorkerState::Done);
    ch.send(text(json{{"error", what}, {"errno", err}}));
  };
  try {
    auto owned = std::make_unique<TogetherTracer>(plan.kind, ch);
    TogetherTracer& tracer = *owned;
    // A program a running supervisord has up is not replayed: no backend
    // is loaded for it unless it is.
    if (!plan.live) tracer.load();
    if (!ch.send("ready")) return;
    const auto go = ch.receive_line();
    if (!go) return;  // the check stopped before the start
    std::vector<std::pair<pid_t, std::string>> workers;
    const json start = json::parse(*go);
    for (const auto& w : start.at("workers"))
      workers.emplace_back(w.at(0).get<pid_t>(), w.at(1).get<std::string>());
    tracer.set_workers(std::move(workers));
    LazyTracer lazy(trace::TracerChoice{std::move(owned), "", ""});
    ProgramRun run = run_program(plan.live, plan.cfg, *plan.procs[i], plan.specs[i], false, plan.watch, false, lazy,
                                 plan.fs);
    if (tracer.loaded()) run.log.backend_why = tracer.why();
    // No untraced run here: the programs run together, and one run alone
    // could fail for want of another (a socket, a port). A verdict the
    // tracer's speed may have decided says so, and how to check it.
    const auto& spec = plan.specs[i];
    if (confirm_reason(run.log, plan.watch.startsecs.value_or(static_cast<double>(spec.startsecs))) !=
        ConfirmReason::None)
      run.log.backend_note += "; this verdict's timing was the traced run's, under a tracer whose cost is " +
                              std::string(run.log.cost ? "a large share of it" : "unknown") +
                              ": check makes no untraced run (`bootmortem diagnose " + spec.name +
                              "` makes one)";
    ch.set_state(trace::WorkerState::Done);
    ch.send(text(json{{"run", program_run_json(run)}}));
  } catch (const core::SystemError& e) {
    fail(e.what(), e.err());
  } catch (const std::exception& e) {
    fail(e.what(), 0);
  }
}

// Long enough for the slowest program's every start and wait, and the
// asks of a live supervisord; only a worker that hangs meets it.
Clock::duration time_limit(const std::vector<spawn::SpawnSpec>& specs, const Watch& watch) {
  double worst = 0;
  for (const auto& s : specs) {
    const double startsecs = watch.startsecs.value_or(static_cast<double>(s.startsecs));
    const double starts = s.startretries + 1.0;
    worst = std::max(worst, starts * (startsecs + watch.window + 10) + s.startretries * starts / 2);
  }
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(worst + 120));
}

enum class Stage { Loading, Ready, Starting, Up, Done };

struct Slot {
  Stage stage = Stage::Loading;
  int attempt = 1;    // the start it is at or waits for
  bool told = false;  // its progress was reported
  TogetherResult result;
};

// What the check waits for: the programs neither up nor over yet.
Waiting awaited(const std::vector<Slot>& slots, const std::vector<const config::ProcessConfig*>& procs,
                const std::vector<spawn::SpawnSpec>& specs) {
  Waiting w;
  size_t settled = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].stage == Stage::Up || slots[i].stage == Stage::Done) {
      ++settled;
      continue;
    }
    w.until += (w.until.empty() ? "" : ", ") + procs[i]->name;
    if (slots[i].attempt > 1) w.until += fmt::format(" (start {} of {})", slots[i].attempt, specs[i].startretries + 1);
  }
  w.what = std::to_string(slots.size()) + (slots.size() == 1 ? " program" : " programs together") + ", " +
           std::to_string(settled) + " settled";
  if (settled == slots.size()) w.until = "their replays to end";
  return w;
}

// One line from worker i.
void take_line(Slot& s, size_t i, const std::string& line,
               const std::function<void(const TogetherProgress&)>& on_verdict) {
  if (int n = 0; std::sscanf(line.c_str(), "backoff %d", &n) == 1) {
    s.attempt = n + 1;
    return;
  }
  if (line == "ready" && s.stage == Stage::Loading) {
    s.stage = Stage::Ready;
    return;
  }
  if (line == "starting") {
    if (s.stage == Stage::Ready) s.stage = Stage::Starting;
    return;
  }
  if (line.starts_with("up ")) {
    long long after_ms = 0;
    int attempt = 0;
    if (std::sscanf(line.c_str(), "up %lld %d", &after_ms, &attempt) == 2) {
      s.stage = Stage::Up;
      if (!s.told) on_verdict(TogetherProgress{i, true, after_ms, attempt, ""});
      s.told = true;
      return;
    }
  }
  s.stage = Stage::Done;
  try {
    const json j = json::parse(line);
    if (j.contains("run")) {
      s.result.run = program_run_from_json(j.at("run"));
      const auto& t = s.result.run->log;
      if (!s.told) on_verdict(TogetherProgress{i, t.verdict == trace::Verdict::Starts, t.after_ms, t.attempts, ""});
      s.told = true;
      return;
    }
    s.result.error = j.at("error").get<std::string>();
    s.result.err = j.at("errno").get<int>();
  } catch (const std::exception& e) {
    s.result.run.reset();
    s.result.error = std::string("its worker process sent what is not a result (") + e.what() + ")";
    s.result.err = EPROTO;
  }
  if (!s.told) on_verdict(TogetherProgress{i, false, 0, 1, s.result.error});
  s.told = true;
}

}  // namespace

std::vector<trace::SiblingBind> find_sibling_binds(const trace::TraceLog& log,
                                                   const std::vector<std::pair<pid_t, std::string>>& workers,
                                                   pid_t self, pid_t parent) {
  std::vector<trace::SiblingBind> out;
  if (workers.size() < 2) return out;
  for (const auto& f : log.failed) {
    if (f.call != "bind" || f.err != EADDRINUSE || f.port <= 0) continue;
    for (pid_t holder : trace::listening_pids(f.port)) {
      // holder, its parent, ... the worker it descends from, then the check.
      const auto chain = trace::ancestry(holder);
      const auto at = std::find(chain.begin(), chain.end(), parent);
      if (at == chain.end() || at == chain.begin()) continue;
      const pid_t worker = *(at - 1);
      if (worker == self) continue;  // the program's own tree holds it
      const auto w = std::find_if(workers.begin(), workers.end(), [&](const auto& p) { return p.first == worker; });
      if (w == workers.end()) continue;
      out.push_back(trace::SiblingBind{f.addr, f.port, w->second, holder});
      break;
    }
  }
  return out;
}

std::vector<TogetherResult> replay_together(const std::optional<trace::LiveSupervisord>& live,
                                            const config::Config& cfg,
                                            const std::vector<const config::ProcessConfig*>& procs,
                                            const std::vector<spawn::SpawnSpec>& specs, const Watch& watch,
                                            trace::TracerKind kind, const core::FileSystem& fs,
                                            const std::function<void(const TogetherProgress&)>& on_verdict,
                                            Progress& progress) {
  // fork copies only the calling thread: a lock another thread held (malloc's)
  // would stay held in every worker.
  if (size_t threads = trace::own_thread_count(); threads > 1)
    throw core::SystemError("check: start the replays", EDEADLK,
                            std::to_string(threads) + " threads run in bootmortem before it forks its workers");
  const Plan plan{live, cfg, procs, specs, watch, kind, fs};
  std::vector<Slot> slots(specs.size());
  trace::Workers workers(specs.size());
  for (size_t i = 0; i < specs.size(); ++i)
    workers.spawn([&plan, i](trace::WorkerChannel& ch) { worker_main(ch, plan, i); });

  const auto began = Clock::now();
  const auto deadline = began + time_limit(specs, watch);
  // Which programs are awaited, told when that changes, and the clock.
  std::string shown;
  auto show = [&] {
    const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began).count();
    Waiting w = awaited(slots, procs, specs);
    if (w.what + w.until != shown) {
      shown = w.what + w.until;
      w.since_ms = elapsed_ms;
      progress.waiting(w);
    }
    progress.tick(elapsed_ms);
  };
  show();
  // The start signal goes to one worker at a time, in the config's order
  // (supervisord's): the next once this one's replay is under way.
  std::string go;
  size_t next = 0;
  constexpr size_t k_none = SIZE_MAX;
  size_t starting = k_none;
  bool released = false;
  while (workers.running() > 0) {
    if (Clock::now() >= deadline) {
      workers.kill_all();
      for (auto& s : slots)
        if (s.stage != Stage::Done && !s.result.run) {
          s.result.error = "its worker did not finish in time and was killed";
          s.result.err = ETIMEDOUT;
        }
    }
    for (const auto& e : workers.wait(std::chrono::milliseconds(trace::k_tick_ms))) {
      Slot& s = slots[e.worker];
      if (!e.ended) {
        take_line(s, e.worker, e.line, on_verdict);
        continue;
      }
      if (s.stage != Stage::Done) {  // ended without a result
        s.stage = Stage::Done;
        if (s.result.error.empty()) {
          s.result.error =
              "its worker process ended (" + trace::describe_wait_status(e.status) + ") before it reported";
          s.result.err = ECHILD;
        }
        if (!s.told) on_verdict(TogetherProgress{e.worker, false, 0, 1, s.result.error});
        s.told = true;
      }
    }
    // Once every backend is loaded (or its worker is gone), so that the
    // programs start close together.
    auto loading = [](const Slot& s) { return s.stage == Stage::Loading; };
    if (go.empty() && std::none_of(slots.begin(), slots.end(), loading)) {
      json list = json::array();
      for (size_t i = 0; i < slots.size(); ++i) list.push_back({workers.pid(i), procs[i]->name});
      go = text(json{{"workers", list}});
    }
    if (starting != k_none && slots[starting].stage != Stage::Ready) starting = k_none;
    while (!go.empty() && starting == k_none && next < slots.size()) {
      if (slots[next].stage == Stage::Ready && workers.send(next, go)) starting = next;
      ++next;
    }
    // Every program up or over: none is left that a held one could help.
    auto settled = [](const Slot& s) { return s.stage == Stage::Up || s.stage == Stage::Done; };
    if (next == slots.size() && starting == k_none && !released && std::all_of(slots.begin(), slots.end(), settled)) {
      released = true;
      for (size_t i = 0; i < slots.size(); ++i) workers.release(i);
    }
    show();
  }
  std::vector<TogetherResult> out;
  for (auto& s : slots) out.push_back(std::move(s.result));
  return out;
}

}  // namespace bootmortem::run
