// The terminal decisions, on what a process would observe: whether its
// streams are terminals, NO_COLOR and TERM.
#include <doctest/doctest.h>

#include "cli/terminal.h"

using bootmortem::cli::color_wanted;

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
