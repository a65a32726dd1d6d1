// The status line on a fake screen: what it says in each part of a wait,
// how it fits the width, and that ticks redraw it about ten times a second
// at most, on a fake clock.
#include "cli/status_line.h"

#include <doctest/doctest.h>

#include <string>

using namespace bootmortem;
using cli::StatusLine;
using cli::status_text;
using namespace std::chrono_literals;

namespace {

run::Waiting replay(double startsecs, double window) {
  run::Waiting w;
  w.program = "test_server";
  w.what = "replay";
  w.tracer = "ptrace";
  w.startsecs = startsecs;
  w.window = window;
  return w;
}

// A screen that keeps what was written, a clock that moves when told.
struct FakeScreen {
  std::string out;
  StatusLine::Clock::time_point now{};
  size_t columns = 0;
  StatusLine::Screen screen() {
    return {[this](std::string_view s) { out += s; }, [this] { return now; }, [this] { return columns; }};
  }
};

}  // namespace

TEST_CASE("a replay's line: startsecs, then the settle window, then its end") {
  const auto w = replay(10, 5);
  CHECK(status_text("diagnose", w, 2345) ==
        "diagnose test_server: replay (ptrace) · 2.3 s of startsecs=10 · waiting for exit or RUNNING");
  CHECK(status_text("diagnose", w, 11200) ==
        "diagnose test_server: replay (ptrace) · up past startsecs=10 · 1.2 s of the 5 s settle window · "
        "waiting for a late exit");
  CHECK(status_text("diagnose", w, 15000) == "diagnose test_server: replay (ptrace) · 15.0 s · ending it");
  CHECK(status_text("check", replay(1.5, 0), 600) ==
        "check test_server: replay (ptrace) · 0.6 s of startsecs=1.5 · waiting for exit or RUNNING");
}

TEST_CASE("other waits: a limit, what is awaited, or neither") {
  run::Waiting w;
  w.what = "3 programs together, 1 settled";
  w.until = "web, worker (start 2 of 4)";
  CHECK(status_text("check", w, 7210) ==
        "check: 3 programs together, 1 settled · 7.2 s · waiting for web, worker (start 2 of 4)");
  CHECK(status_text("diagnose", run::waiting_on("x", "the login environment of app"), 0) ==
        "diagnose x: the login environment of app");
  run::Waiting copy = run::waiting_on("x", "supervisord's own copy is STARTING");
  copy.limit = 5;
  copy.until = "it to exit before the replay";
  CHECK(status_text("diagnose", copy, 0) ==
        "diagnose x: supervisord's own copy is STARTING · 0.0 s of at most 5 s · "
        "waiting for it to exit before the replay");
}

TEST_CASE("fit_columns: cut on a character, marked") {
  CHECK(cli::fit_columns("abcdefg", 0) == "abcdefg");
  CHECK(cli::fit_columns("abcdefg", 7) == "abcdefg");
  CHECK(cli::fit_columns("abcdefg", 5) == "abcd…");
  CHECK(cli::fit_columns("a · b · c", 5) == "a · …");  // "·" is two bytes, one column
  CHECK(cli::fit_columns("abc", 1) == "…");
}

TEST_CASE("drawn in place: carriage return, the text, erase to the end of the line") {
  FakeScreen s;
  {
    StatusLine line("diagnose", s.screen());
    line.waiting(replay(1, 0));
    CHECK(s.out ==
          "\rdiagnose test_server: replay (ptrace) · 0.0 s of startsecs=1 · waiting for exit or RUNNING\x1b[K");
    s.out.clear();
    line.idle();
    CHECK(s.out == "\r\x1b[K");
    s.out.clear();
    line.tick(500);  // no wait: nothing to show
    line.idle();
    CHECK(s.out.empty());
    line.waiting(replay(1, 0));
    s.out.clear();
  }
  CHECK(s.out == "\r\x1b[K");  // erased when it goes
}

TEST_CASE("ticks redraw it about ten times a second at most") {
  FakeScreen s;
  StatusLine line("diagnose", s.screen());
  line.waiting(replay(10, 5));  // drawn at once
  auto draws = [&] {
    size_t n = 0;
    for (size_t at = s.out.find('\r'); at != std::string::npos; at = s.out.find('\r', at + 1)) ++n;
    s.out.clear();
    return n;
  };
  CHECK(draws() == 1);
  s.now += 40ms;
  line.tick(40);
  s.now += 40ms;
  line.tick(80);
  CHECK(draws() == 0);
  s.now += 19ms;  // a tracer's tick a little early
  line.tick(99);
  CHECK(draws() == 1);
  for (int i = 1; i <= 100; ++i) {  // 1 s of ticks every 10 ms
    s.now += 10ms;
    line.tick(99 + 10 * i);
  }
  const size_t n = draws();
  CHECK(n >= 10);
  CHECK(n <= 11);
  line.waiting(replay(10, 5));  // a new wait is shown at once
  CHECK(draws() == 1);
}

TEST_CASE("a wait under way keeps its clock when what it awaits changes") {
  FakeScreen s;
  StatusLine line("check", s.screen());
  run::Waiting w;
  w.what = "2 programs together, 1 settled";
  w.until = "worker";
  w.since_ms = 3400;
  line.waiting(w);
  CHECK(s.out.find("· 3.4 s · waiting for worker") != std::string::npos);
}

TEST_CASE("a note goes above the line, which is drawn again under it") {
  FakeScreen s;
  StatusLine line("check", s.screen());
  line.note("bootmortem check 1/2: web starts after 1003 ms");
  CHECK(s.out == "bootmortem check 1/2: web starts after 1003 ms\n");
  s.out.clear();
  run::Waiting w;
  w.what = "2 programs together, 1 settled";
  w.until = "worker";
  line.waiting(w);
  s.out.clear();
  line.note("bootmortem check 2/2: worker fails after 20 ms");
  CHECK(s.out == "\r\x1b[Kbootmortem check 2/2: worker fails after 20 ms\n"
                 "\rcheck: 2 programs together, 1 settled · waiting for worker\x1b[K");
}

TEST_CASE("never wider than the terminal, less one column") {
  FakeScreen s;
  s.columns = 30;
  StatusLine line("diagnose", s.screen());
  line.waiting(replay(10, 5));
  CHECK(s.out == "\rdiagnose test_server: replay…\x1b[K");
}
