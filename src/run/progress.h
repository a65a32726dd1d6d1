// What a command is waiting for while it runs a program, for whoever shows
// it (cli/status_line.h draws one line on a terminal). The code that waits
// says what it waits for, ticks while it does, and goes idle before anything
// else is printed; nothing here knows about terminals.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace bootmortem::run {

// One wait: a replay watched for startsecs and then the settle window, or
// another wait (check's programs together, supervisord's copy going down).
struct Waiting {
  std::string program;  // "test_server"; empty: the command's programs together
  std::string what;     // "replay", "untraced run", "fix replay 2 (home-python-egg-cache)"
  std::string tracer;   // "ptrace", "ebpf"; empty when nothing traces
  double startsecs = 0;  // > 0: a replay's clock, startsecs ...
  double window = 0;     // ... then the settle window (--watch)
  double limit = 0;      // otherwise: the wait ends after this many seconds at most (0: no limit)
  std::string until;     // otherwise: what it waits for ("web, worker (start 2 of 4)")
  // How long it has lasted already: a wait under way whose `until` changed.
  int64_t since_ms = 0;
};

// A wait with no clock of its own: what runs, and for which program.
inline Waiting waiting_on(const std::string& program, const std::string& what) {
  Waiting w;
  w.program = program;
  w.what = what;
  return w;
}

class Progress {
 public:
  virtual ~Progress() = default;
  // A wait begins, or what it waits for changes.
  virtual void waiting(const Waiting&) {}
  // The wait goes on, elapsed_ms since it began (for a replay: since the
  // program started); about ten times a second, and only when it shows a
  // clock (a tracer woken for nothing is not).
  virtual void tick(int64_t /*elapsed_ms*/) {}
  virtual bool shows_clock() const { return false; }
  // Nothing is waited for now.
  virtual void idle() {}
  // A line that stays, for a log: check's verdicts as they come in. This
  // one writes it to stderr.
  virtual void note(const std::string& line);
};

// Notes to stderr, no live display: the default when no one asked.
Progress& plain_progress();

// For TraceOptions::tick: p's tick, or none when p shows no clock.
std::function<void(int64_t elapsed_ms)> ticks_of(Progress& p);

// Shows nothing at all, notes included (-q).
class SilentProgress final : public Progress {
 public:
  void note(const std::string&) override {}
};

}  // namespace bootmortem::run
