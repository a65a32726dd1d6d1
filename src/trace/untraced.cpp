#include "trace/untraced.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>

#include "trace/procfs.h"
#include "trace/replay_child.h"
#include "trace/ticks.h"

namespace bootmortem::trace {
namespace {

using Clock = std::chrono::steady_clock;

// SIGKILL to pid's descendants that are still alive, deepest last found.
void kill_descendants(pid_t pid) {
  for (pid_t c : children_of(pid)) {
    kill_descendants(c);
    kill(c, SIGKILL);
  }
}

}  // namespace

UntracedRun run_untraced(const spawn::SpawnSpec& spec, double limit_s, int mount_ns_fd,
                         const std::function<void(int64_t elapsed_ms)>& tick, bool private_network,
                         size_t capture_bytes) {
  UntracedRun r;
  // Orphans of the run (a daemonizing program's grandchildren) come to us.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  ReplayChild child(spec, capture_bytes, std::nullopt, private_network, mount_ns_fd);
  const pid_t main = child.fork_child();
  const auto start = Clock::now();
  child.go();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit_s));
  auto ms = [&] { return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count(); };
  TickSchedule ticks(start);
  while (Clock::now() < deadline) {
    if (tick && ticks.due(Clock::now())) tick(ms());
    struct pollfd fds[2] = {{child.stdout_fd(), POLLIN, 0}, {child.stderr_fd(), POLLIN, 0}};
    poll(fds, 2, 10);
    child.read_outputs();  // a full pipe would stop the program
    int status = 0;
    if (waitpid(main, &status, WNOHANG) == main) {
      r.exited = true;
      if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
      else r.code = WEXITSTATUS(status);
      break;
    }
  }
  r.after_ms = ms();
  if (!r.exited) kill(-main, SIGKILL);
  // Nothing of it survives: its group, whatever is left under it or was
  // handed to us, until nothing is left to reap.
  const auto end = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < end) {
    kill(-main, SIGKILL);
    kill_descendants(getpid());
    int status = 0;
    pid_t p = waitpid(-1, &status, WNOHANG);
    if (p < 0) break;  // ECHILD: nothing left
    if (p == 0) usleep(2000);
  }
  child.throw_child_failure();
  child.close_stdin();
  child.read_outputs();
  r.out = child.out();
  r.err = child.err();
  return r;
}

}  // namespace bootmortem::trace
