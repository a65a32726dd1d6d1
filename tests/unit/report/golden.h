// Golden files for the renderers: tests/data/report/<name>. Set
// BOOTMORTEM_UPDATE_GOLDEN=1 to rewrite them; review the diff like code.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace bootmortem::testing {

inline void golden(const std::string& name, const std::string& actual) {
  std::string path = BOOTMORTEM_TEST_DATA "/report/" + name;
  if (std::getenv("BOOTMORTEM_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "missing golden file " << path);
  std::ostringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

}  // namespace bootmortem::testing
