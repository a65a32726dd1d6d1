// Helpers of the tracer tests: a shell script as a spawn spec, a failed
// call by name and path, whether a marked process is still alive.
#pragma once

#include <dirent.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "trace/trace.h"

namespace bootmortem::testing {

inline spawn::SpawnSpec shell(const std::string& script) {
  spawn::SpawnSpec s;
  s.name = "t";
  s.argv = {"/bin/sh", "-c", script};
  s.filename = "/bin/sh";
  s.env.set("PATH", "/usr/bin:/bin");
  s.base.cwd = "/";
  s.cwd = "/";
  s.uid = getuid();
  return s;
}

// An untraced run that decided: exit status 3 after 900 ms, where the traced
// run was still up after traced_after_ms.
inline trace::UntracedCheck untraced_exit_3(int64_t traced_after_ms) {
  trace::UntracedCheck u;
  u.exited = true;
  u.code = 3;
  u.after_ms = 900;
  u.decided = true;
  u.traced_verdict = trace::Verdict::Starts;
  u.traced_after_ms = traced_after_ms;
  return u;
}

inline const trace::FailedSyscall* find_failed(const trace::TraceLog& log, const std::string& call,
                                               const std::string& path) {
  for (const auto& f : log.failed)
    if (f.call == call && f.path == path) return &f;
  return nullptr;
}

inline bool process_with_marker_alive(const std::string& marker) {
  DIR* d = opendir("/proc");
  bool found = false;
  while (struct dirent* de = readdir(d)) {
    std::ifstream in(std::string("/proc/") + de->d_name + "/cmdline");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string cmd = ss.str();
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(marker) != std::string::npos && cmd.find("unit_trace") == std::string::npos) found = true;
  }
  closedir(d);
  return found;
}

// TraceOptions::hold_fd, the same for both backends (check's): a program
// that starts is kept up, still traced, until the fd turns readable; the
// verdict and after_ms are the window's; then the tree is ended.
inline void check_hold_until_released(trace::Tracer& tracer) {
  int p[2];
  REQUIRE(pipe(p) == 0);
  const std::string marker = "bm_hold_marker_" + std::to_string(getpid());
  trace::TraceOptions opt;
  opt.startsecs = 0.2;
  opt.hold_fd = p[0];
  int64_t held_at = -1;
  std::thread releaser;
  opt.on_hold = [&](int64_t after_ms) {
    held_at = after_ms;
    CHECK(process_with_marker_alive(marker));
    releaser = std::thread([w = p[1]] {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      close(w);  // end of file: released
    });
  };
  const auto t0 = std::chrono::steady_clock::now();
  auto log = tracer.run(shell("echo up; sleep 30 # " + marker), opt);
  const auto took = std::chrono::steady_clock::now() - t0;
  if (releaser.joinable()) releaser.join();
  close(p[0]);
  CHECK(log.verdict == trace::Verdict::Starts);
  CHECK(held_at >= 200);
  CHECK(log.after_ms == held_at);
  CHECK_FALSE(log.exit_code);
  CHECK(took >= std::chrono::milliseconds(600));
  CHECK(log.out.text() == "up\n");
  CHECK_FALSE(process_with_marker_alive(marker));
}

// An exit during the hold ends it; the verdict stays the window's start and
// the exit is kept among the exits only.
inline void check_exit_during_hold(trace::Tracer& tracer) {
  int p[2];
  REQUIRE(pipe(p) == 0);
  trace::TraceOptions opt;
  opt.startsecs = 0.2;
  opt.hold_fd = p[0];
  bool held = false;
  opt.on_hold = [&](int64_t) { held = true; };
  auto log = tracer.run(shell("sleep 0.6; exit 3"), opt);  // never released
  close(p[0]);
  close(p[1]);
  CHECK(held);
  CHECK(log.verdict == trace::Verdict::Starts);
  CHECK_FALSE(log.exit_code);
  CHECK(log.after_ms < 600);
  bool exit3 = false;
  for (const auto& e : log.exits) exit3 = exit3 || (e.pid == log.main_pid && e.code && *e.code == 3 && !e.killed_by_us);
  CHECK(exit3);
}

// TraceOptions::tick, for both backends: about every k_tick_ms while the
// replay is watched, with the time since the start, rising; also while the
// program stops at trapped calls all the time; none once it is over.
inline void check_ticks(trace::Tracer& tracer) {
  trace::TraceOptions opt;
  opt.startsecs = 0.4;
  opt.watch = 0.2;
  std::vector<int64_t> ticks;
  opt.tick = [&](int64_t ms) { ticks.push_back(ms); };
  auto log = tracer.run(shell("while :; do cat /nonexistent 2>/dev/null; done"), opt);
  CHECK(log.verdict == trace::Verdict::Starts);
  REQUIRE(ticks.size() >= 3);
  CHECK(ticks.size() <= 7);  // 600 ms at 100 ms
  CHECK(ticks.front() >= trace::k_tick_ms);
  CHECK(std::is_sorted(ticks.begin(), ticks.end()));
  CHECK(ticks.back() <= log.after_ms);

  ticks.clear();
  log = tracer.run(shell("exit 3"), opt);
  CHECK(log.verdict == trace::Verdict::Fails);
  CHECK(ticks.empty());  // over before the first
}

}  // namespace bootmortem::testing
