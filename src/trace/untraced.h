// The spawn run once more with no tracer at all: its exit status, timing
// and output only. A traced run's timing can decide a verdict (ptrace stops a program
// at every trapped call: a boot that fails in 0.9 s can outlive startsecs
// under it), and this run says what the program does at its own speed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "spawn/spawn_spec.h"
#include "trace/trace.h"

namespace bootmortem::trace {

struct UntracedRun {
  bool exited = false;        // the main process exited within the limit
  std::optional<int> code;    // its exit status
  std::optional<int> signal;  // or the signal that ended it
  int64_t after_ms = 0;       // when it exited, or how long it was watched
  // Its output, as a traced run keeps it (capture_bytes of head and tail):
  // the whole of what the program says before an exit the traced run, cut at
  // the end of its watch, never reached.
  Captured out;
  Captured err;
};

// Runs spec as the replay child does (same environment, user, directory,
// umask, fds), watches the main process for at most limit_s seconds, then
// ends the whole tree (process group, and every orphan it left to this
// process as subreaper). tick, when given, is called as TraceOptions::tick
// is; private_network as TraceOptions::private_network (the traced run it
// checks had a network of its own). Throws SystemError when the run itself
// could not be set up.
UntracedRun run_untraced(const spawn::SpawnSpec& spec, double limit_s, int mount_ns_fd = -1,
                         const std::function<void(int64_t elapsed_ms)>& tick = {}, bool private_network = false,
                         size_t capture_bytes = 64 * 1024);

}  // namespace bootmortem::trace
