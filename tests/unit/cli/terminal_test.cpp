// The terminal decisions, on what a process would observe: whether its
// streams are terminals, NO_COLOR and TERM.
#include <doctest/doctest.h>

#include "cli/terminal.h"
#include "core/error.h"

using namespace bootmortem;
using cli::color_wanted;

TEST_CASE("colour: a terminal, no NO_COLOR, a TERM that is not dumb") {
  CHECK(color_wanted(true, nullptr, "xterm-256color"));
  CHECK(color_wanted(true, nullptr, nullptr));  // TERM unset is not "dumb"
  CHECK_FALSE(color_wanted(false, nullptr, "xterm-256color"));  // piped, redirected
}

TEST_CASE("colour: NO_COLOR set and not empty turns it off, whatever its value") {
  CHECK_FALSE(color_wanted(true, "1", "xterm"));
  CHECK_FALSE(color_wanted(true, "0", "xterm"));  // no-color.org: any value
  CHECK(color_wanted(true, "", "xterm"));          // set but empty: as unset
}

TEST_CASE("colour: never on a dumb terminal") {
  CHECK_FALSE(color_wanted(true, nullptr, "dumb"));
  CHECK(color_wanted(true, nullptr, "dumb-ish"));
}

TEST_CASE("status line: on stderr's terminal, unless it cannot erase a line") {
  CHECK(cli::status_line_wanted(true, "xterm"));
  CHECK(cli::status_line_wanted(true, nullptr));
  CHECK_FALSE(cli::status_line_wanted(false, "xterm"));
  CHECK_FALSE(cli::status_line_wanted(true, "dumb"));
}

TEST_CASE("-q: text only; with another format, an error that names it") {
  CHECK_NOTHROW(cli::quiet_format(true, report::Format::Text));
  CHECK_NOTHROW(cli::quiet_format(false, report::Format::Json));
  CHECK_THROWS_WITH_AS(cli::quiet_format(true, report::Format::Json), "-q applies to text output, not --format json",
                       core::InputError);
  CHECK_THROWS_AS(cli::quiet_format(true, report::Format::Junit), core::InputError);
}
