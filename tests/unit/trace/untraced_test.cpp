#include "trace/untraced.h"

#include <doctest/doctest.h>

#include "tracer_helpers.h"

using namespace bootmortem;

TEST_CASE("untraced: the exit status and when it came") {
  auto r = trace::run_untraced(testing::shell("sleep 0.2; exit 7"), 5.0);
  CHECK(r.exited);
  CHECK(r.code == 7);
  CHECK_FALSE(r.signal);
  CHECK(r.after_ms >= 150);
  CHECK(r.after_ms < 5000);
}

TEST_CASE("untraced: ticks while it waits, with the time since the start") {
  std::vector<int64_t> ticks;
  auto r = trace::run_untraced(testing::shell("sleep 30"), 0.45, -1, [&](int64_t ms) { ticks.push_back(ms); });
  CHECK_FALSE(r.exited);
  REQUIRE(ticks.size() >= 3);
  CHECK(ticks.size() <= 5);
  CHECK(ticks.front() >= trace::k_tick_ms);
  CHECK(std::is_sorted(ticks.begin(), ticks.end()));
}

TEST_CASE("untraced: still up at the limit, then nothing of its tree is left") {
  const std::string marker = "bm-untraced-" + std::to_string(getpid());
  auto r = trace::run_untraced(testing::shell("(exec -a " + marker + " sleep 30) & sleep 30"), 0.3);
  CHECK_FALSE(r.exited);
  CHECK(r.after_ms >= 300);
  CHECK_FALSE(testing::process_with_marker_alive(marker));
}
