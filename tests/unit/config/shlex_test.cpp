// Legacy (non-POSIX) shlex tokens, as printed by Python 3.11's
// list(shlex.shlex(s)) with wordchars += '/.+-():'.
#include <doctest/doctest.h>

#include "config/python.h"
#include "config/shlex.h"

using namespace bootmortem::config;
using V = std::vector<std::string>;

TEST_CASE("shlex legacy: tokens") {
  auto t = [](const std::string& s) { return shlex_legacy_tokens(s, "/.+-():"); };
  CHECK(t("A=1,B=2") == V{"A", "=", "1", ",", "B", "=", "2"});
  CHECK(t("A=\"x y\",B='z'") == V{"A", "=", "\"x y\"", ",", "B", "=", "'z'"});
  CHECK(t("A=$HOME/x") == V{"A", "=", "$", "HOME/x"});
  CHECK(t("A=café") == V{"A", "=", "caf", "é"});
  CHECK(t("A=foo#bar\nB=2") == V{"A", "=", "fooB", "=", "2"});
  CHECK(t("A=x\"y\"") == V{"A", "=", "x\"y\""});
  CHECK(t("A=\"a\\\"b\"") == V{"A", "=", "\"a\\\"", "b\""});
  CHECK(t("\"QK\"=1") == V{"\"QK\"", "=", "1"});
  CHECK(t("a\\b") == V{"a", "\\", "b"});
  CHECK_THROWS_WITH_AS(t("A=\"open"), "No closing quotation", ValueError);
  CHECK(t("  ") == V{});
  CHECK(t("PATH=/usr/local/bin:/usr/bin") == V{"PATH", "=", "/usr/local/bin:/usr/bin"});
}
