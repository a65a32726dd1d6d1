#include "trace/ticks.h"

#include <doctest/doctest.h>

using namespace bootmortem;
using namespace std::chrono_literals;

TEST_CASE("ticks: every 100 ms from the start, on schedule; a missed one is not made up for") {
  const trace::TickSchedule::Clock::time_point t0{};
  trace::TickSchedule s(t0);
  CHECK_FALSE(s.due(t0));
  CHECK_FALSE(s.due(t0 + 99ms));
  CHECK(s.due(t0 + 101ms));
  CHECK_FALSE(s.due(t0 + 150ms));
  CHECK(s.due(t0 + 200ms));  // on the start's schedule, not 100 ms after the last
  CHECK(s.due(t0 + 750ms));  // late: one tick, not five
  CHECK_FALSE(s.due(t0 + 800ms));
  CHECK(s.due(t0 + 850ms));
}
