// The live status line: while a command waits for a replay, one line on
// stderr rewritten in place (carriage return, the text, erase to the end of
// the line), at most about ten times a second, and erased before anything
// else is printed. Only on a terminal (cli/terminal.h decides).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "run/progress.h"

namespace bootmortem::cli {

// The line for a wait, elapsed_ms into it:
//   diagnose test_server: replay (ptrace) · 2.3 s of startsecs=10 · waiting for exit or RUNNING
std::string status_text(const std::string& command, const run::Waiting& w, int64_t elapsed_ms);

// s in at most `columns` characters (a UTF-8 sequence counts as one), ending
// in "…" when cut; 0: as it is.
std::string fit_columns(std::string_view s, size_t columns);

class StatusLine final : public run::Progress {
 public:
  using Clock = std::chrono::steady_clock;
  // What it draws on: a terminal, or a test's string and clock.
  struct Screen {
    std::function<void(std::string_view)> write;  // all of it, at once
    std::function<Clock::time_point()> now;
    std::function<size_t()> columns;  // the width now; 0: unknown
  };
  // The least time between two draws for ticks (a new wait draws at once).
  // The tracers tick every 100 ms (trace::k_tick_ms): one that comes a
  // little early is still drawn, and no caller gets more than about ten a
  // second.
  static constexpr std::chrono::milliseconds k_min_interval{90};

  StatusLine(std::string command, Screen screen) : command_(std::move(command)), screen_(std::move(screen)) {}
  ~StatusLine() override { erase(); }
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;

  void waiting(const run::Waiting& w) override;
  void tick(int64_t elapsed_ms) override;
  bool shows_clock() const override { return true; }
  void idle() override;
  void note(const std::string& line) override;

 private:
  void draw();
  void erase();

  std::string command_;
  Screen screen_;
  std::optional<run::Waiting> w_;
  int64_t elapsed_ms_ = 0;
  std::optional<Clock::time_point> drawn_at_;
  bool shown_ = false;
};

// A StatusLine on stderr (fd 2), as wide as that terminal.
std::unique_ptr<StatusLine> stderr_status_line(std::string command);

}  // namespace bootmortem::cli
