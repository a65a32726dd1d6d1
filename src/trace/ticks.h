// TraceOptions::tick's schedule, the same in every backend: every
// k_tick_ms from the start; a tick the tracer was too busy for is not made
// up for.
#pragma once

#include <chrono>

#include "trace/trace.h"

namespace bootmortem::trace {

class TickSchedule {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds k_every{k_tick_ms};

  explicit TickSchedule(Clock::time_point start) : next_(start + k_every) {}

  // Whether a tick is due at now; if so, the next one is scheduled.
  bool due(Clock::time_point now) {
    if (now < next_) return false;
    next_ += k_every;
    if (next_ <= now) next_ = now + k_every;
    return true;
  }

 private:
  Clock::time_point next_;
};

}  // namespace bootmortem::trace
