// Running a helper command (supervisorctl, runuser, ...) behind a seam: the
// real runner uses Boost.Process with a timeout and bounded output; tests use
// FakeCommandRunner. A helper that hangs, prompts or floods never stops
// bootmortem.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"

namespace bootmortem::core {

struct CommandSpec {
  std::vector<std::string> argv;   // argv[0] is looked up on PATH when relative
  std::optional<Env> env;          // nullopt: bootmortem's own environment
  double timeout_s = 10;
  size_t max_output = 1 << 20;     // per stream; the rest is read and dropped
  // Keep the last max_output bytes instead of the first: for helpers whose
  // answer comes at the end of whatever else they print (a login shell's
  // profile may print megabytes before the environment dump).
  bool keep_tail = false;
  // Start it in a new session (setsid): no controlling terminal, so nothing
  // it runs can prompt on the operator's tty; its process group is then
  // killed when it ends or times out, so a profile's `sleep 3600 &` or a
  // hung child is not left behind. The helper must not start a session of
  // its own (runuser: --session-command, not -c).
  bool own_session = false;
};

struct CommandResult {
  bool started = false;            // false: could not be run at all (see error)
  std::string error;
  int exit_code = -1;              // -1 when killed or not started
  bool timed_out = false;          // killed after timeout_s
  std::string out;
  std::string err;
  bool truncated = false;          // some output was dropped
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual CommandResult run(const CommandSpec& spec) const = 0;
};

class RealCommandRunner final : public CommandRunner {
 public:
  CommandResult run(const CommandSpec& spec) const override;
};

// Answers from a function; records what it was asked.
class FakeCommandRunner final : public CommandRunner {
 public:
  std::function<CommandResult(const CommandSpec&)> respond;
  mutable std::vector<CommandSpec> calls;
  CommandResult run(const CommandSpec& spec) const override {
    calls.push_back(spec);
    return respond ? respond(spec) : CommandResult{};
  }
};

}  // namespace bootmortem::core
