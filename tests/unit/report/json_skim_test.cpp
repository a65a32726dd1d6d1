// report/json_skim.h: what a document keeps, and where a stream's
// documents end, on the text cases a structural scan can get wrong.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "report/json_skim.h"

using namespace bootmortem::report;

namespace {
const Names k_keep = {"a", "b", "s"};
const Names k_tails = {"s"};

std::string skimmed(const std::string& text, SkimOptions o = {&k_keep, &k_tails, 8}) {
  std::string kept;
  const Skim s = skim_document(text, 0, o, kept);
  REQUIRE(s.result == Skim::Result::Done);
  return kept;
}
}  // namespace

TEST_CASE("members not kept become null, at any depth, however they are nested") {
  CHECK(skimmed(R"({ "a": 1, "x": {"y": [1, {"z": "}]\"{"}], "w": "]"}, "b": [{"a": true, "q": null}] })") ==
        R"({"a":1,"x":null,"b":[{"a":true,"q":null}]})");
  CHECK(skimmed(R"([{"x": "[[["}, 2, "three"])") == R"([{"x":null},2,"three"])");
}

TEST_CASE("a string ends at a quote after an even run of backslashes") {
  CHECK(skimmed(R"({"a": "one \\", "b": "two \" three \\\" four"})") == R"({"a":"one \\","b":"two \" three \\\" four"})");
  CHECK(skimmed(R"({"x": "\\\\\"}", "a": 1})") == R"({"x":null,"a":1})");
}

TEST_CASE("a long string keeps its end: whole UTF-8 characters, never half an escape") {
  // tail_max 8 for "s": its last 8 bytes of JSON text.
  std::string kept = skimmed("{\"s\": \"0123456789\xc3\xa9\xc3\xa9\xc3\xa9\"}");
  CHECK(nlohmann::json::parse(kept)["s"] == "89\xc3\xa9\xc3\xa9\xc3\xa9");
  // 5 would begin inside the first é: the cut moves to the next character.
  kept = skimmed("{\"s\": \"0123456789\xc3\xa9\xc3\xa9\xc3\xa9\"}", {&k_keep, &k_tails, 5});
  CHECK(nlohmann::json::parse(kept)["s"] == "\xc3\xa9\xc3\xa9");
  kept = skimmed(R"({"s": "0123456789abc\nxy"})");
  CHECK(nlohmann::json::parse(kept)["s"] == "9abc\nxy");
  // Beginning after the backslash of \u00e9: the whole escape is left out.
  kept = skimmed(R"({"s": "0123456789ab\u00e9xyz"})");
  CHECK(nlohmann::json::parse(kept)["s"] == "xyz");
  // Beginning after the backslash of \": the escaped quote is left out.
  kept = skimmed(R"({"s": "0123456789abcd\"efghijk"})");
  CHECK(nlohmann::json::parse(kept)["s"] == "efghijk");
  // Other members keep max_string bytes.
  CHECK(skimmed(R"({"a": "0123456789abcdef"})") == R"({"a":"0123456789abcdef"})");
}

TEST_CASE("where a document ends, and what is not one") {
  std::string kept;
  const std::string two = "{\"a\": 1}\n  {\"b\": 2}";
  Skim s = skim_document(two, 0, {&k_keep}, kept);
  REQUIRE(s.result == Skim::Result::Done);
  CHECK(kept == R"({"a":1})");
  s = skim_document(two, s.end, {&k_keep}, kept);
  REQUIRE(s.result == Skim::Result::Done);
  CHECK(kept == R"({"b":2})");
  CHECK(s.end == two.size());

  CHECK(skim_document(R"({"a": [1, 2)", 0, {}, kept).result == Skim::Result::Incomplete);
  CHECK(skim_document(R"({"a": "open)", 0, {}, kept).result == Skim::Result::Incomplete);
  CHECK(skim_document("   ", 0, {}, kept).result == Skim::Result::Incomplete);
  s = skim_document("  PLAY RECAP", 0, {}, kept);
  CHECK(s.result == Skim::Result::NotJson);
  CHECK(s.at == 2);
  s = skim_document(R"({"a": 1]})", 0, {}, kept);
  CHECK(s.result == Skim::Result::NotJson);
  CHECK(s.at == 7);
  SkimOptions small;
  small.max_kept = 10;
  CHECK(skim_document(R"({"a": "a long enough value", "b": 1})", 0, small, kept).result == Skim::Result::TooLarge);
}
