// check's worker processes: lines both ways, the release, the shared state,
// and nothing left of a worker that dies.
#include "trace/workers.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <string>

#include "tracer_helpers.h"

using namespace bootmortem;
using testing::process_with_marker_alive;

namespace {

// Every event until the workers have all ended.
std::vector<trace::Workers::Event> drain(trace::Workers& w) {
  std::vector<trace::Workers::Event> all;
  for (int i = 0; i < 500 && w.running() > 0; ++i)
    for (auto& e : w.wait(std::chrono::milliseconds(20))) all.push_back(std::move(e));
  return all;
}

}  // namespace

TEST_CASE("workers: lines both ways; the release is the end of file a worker waits for") {
  trace::Workers w(2);
  for (int k = 0; k < 2; ++k)
    w.spawn([](trace::WorkerChannel& ch) {
      ch.send("ready " + std::to_string(ch.index()));
      auto go = ch.receive_line();
      ch.send("got " + go.value_or("nothing"));
      // Held until released: the socket's end of file.
      const bool released = ch.released_within(std::chrono::seconds(20));
      ch.send(released ? "released" : "timed out");
      CHECK_FALSE(ch.receive_line());
    });
  std::vector<std::string> lines[2];
  for (int i = 0; i < 200 && (lines[0].empty() || lines[1].empty()); ++i)
    for (const auto& e : w.wait(std::chrono::milliseconds(20)))
      if (!e.ended) lines[e.worker].push_back(e.line);
  CHECK(lines[0] == std::vector<std::string>{"ready 0"});
  CHECK(lines[1] == std::vector<std::string>{"ready 1"});
  CHECK(w.send(0, "go zero"));
  CHECK(w.send(1, "go one"));
  w.release(0);
  w.release(1);
  for (const auto& e : drain(w)) {
    if (e.ended) {
      CHECK(WIFEXITED(e.status));
      CHECK(WEXITSTATUS(e.status) == 0);
      continue;
    }
    lines[e.worker].push_back(e.line);
  }
  CHECK(lines[0] == std::vector<std::string>{"ready 0", "got go zero", "released"});
  CHECK(lines[1] == std::vector<std::string>{"ready 1", "got go one", "released"});
}

TEST_CASE("workers: each sees whether another is still active") {
  trace::Workers w(2);
  // Worker 0 is done at once; worker 1 waits for that, then reports.
  w.spawn([](trace::WorkerChannel& ch) { ch.set_state(trace::WorkerState::Done); });
  w.spawn([](trace::WorkerChannel& ch) {
    for (int i = 0; i < 1000 && ch.others_active(); ++i) usleep(2000);
    ch.send(ch.others_active() ? "others active" : "alone");
  });
  std::string said;
  for (const auto& e : drain(w))
    if (!e.ended) said = e.line;
  CHECK(said == "alone");
}

TEST_CASE("workers: a worker that dies is an ended event; what it left running is killed") {
  const std::string marker = "bm_worker_orphan_" + std::to_string(getpid());
  {
    trace::Workers w(2);
    // Starts a process of its own and dies without ending it, as a worker
    // killed in the middle of an eBPF replay would.
    w.spawn([&marker](trace::WorkerChannel& ch) {
      if (fork() == 0) {
        execl("/bin/bash", "bash", "-c", ("exec -a " + marker + " sleep 300").c_str(), nullptr);
        _exit(127);
      }
      usleep(100000);
      ch.send("about to die");
      raise(SIGKILL);
    });
    w.spawn([](trace::WorkerChannel& ch) {
      ch.send("a whole line");
      CHECK(write(ch.fd(), "half a line", 11) == 11);  // then gone
      _exit(3);
    });
    bool died = false, exited3 = false;
    std::vector<std::string> lines;
    for (const auto& e : drain(w)) {
      if (!e.ended) {
        lines.push_back(e.line);
        continue;
      }
      if (e.worker == 0) died = WIFSIGNALED(e.status) && WTERMSIG(e.status) == SIGKILL;
      if (e.worker == 1) exited3 = WIFEXITED(e.status) && WEXITSTATUS(e.status) == 3;
    }
    CHECK(died);
    CHECK(exited3);
    CHECK(std::count(lines.begin(), lines.end(), "half a line") == 0);
    CHECK(trace::describe_wait_status(W_EXITCODE(3, 0)) == "exit status 3");
    CHECK(trace::describe_wait_status(SIGKILL) == "killed by SIGKILL");
  }  // the orphan came to us (subreaper) and goes with the workers
  CHECK_FALSE(process_with_marker_alive(marker));
}

TEST_CASE("workers: kill_all ends workers that are still running, and their trees") {
  const std::string marker = "bm_worker_killed_" + std::to_string(getpid());
  trace::Workers w(1);
  w.spawn([&marker](trace::WorkerChannel& ch) {
    if (fork() == 0) {
      execl("/bin/bash", "bash", "-c", ("exec -a " + marker + " sleep 300").c_str(), nullptr);
      _exit(127);
    }
    ch.send("running");
    ch.released_within(std::chrono::seconds(300));
  });
  bool running = false;
  for (int i = 0; i < 200 && !running; ++i)
    for (const auto& e : w.wait(std::chrono::milliseconds(20))) running = running || e.line == "running";
  REQUIRE(running);
  usleep(100000);
  CHECK(process_with_marker_alive(marker));
  w.kill_all();
  CHECK(w.running() == 0);
  CHECK_FALSE(process_with_marker_alive(marker));
}
