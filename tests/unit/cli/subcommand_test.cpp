#include "cli/subcommand.h"

#include <doctest/doctest.h>

#include <string>

namespace bootmortem::cli {
namespace {

enum class Colour { Red, Green, Blue };

const Choices<Colour> k_colours = {{"red", Colour::Red}, {"green", Colour::Green}, {"blue", Colour::Blue}};

// Parses "--colour WORD" into an app that has only that option; returns the
// error CLI11 gave, or "" when it parsed.
std::string parse(CLI::App& app, const std::string& word) {
  try {
    app.parse("--colour " + word, false);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("a choice's help shows its words in their order, not CLI11's map") {
  CLI::App app{"test", "test"};
  Colour c = Colour::Red;
  add_choice(app, "--colour", c, k_colours, "which colour");
  const std::string help = app.help();
  CHECK(help.find("--colour red|green|blue") != std::string::npos);
  CHECK(help.find("ENUM") == std::string::npos);
  CHECK(help.find("->") == std::string::npos);
}

TEST_CASE("a choice takes its words in any case") {
  CLI::App app{"test", "test"};
  Colour c = Colour::Red;
  add_choice(app, "--colour", c, k_colours, "which colour");
  CHECK(parse(app, "blue") == "");
  CHECK(c == Colour::Blue);
  CHECK(parse(app, "Green") == "");
  CHECK(c == Colour::Green);
}

TEST_CASE("a word that is not a choice is one line naming the words; numbers are not words") {
  CLI::App app{"test", "test"};
  Colour c = Colour::Red;
  add_choice(app, "--colour", c, k_colours, "which colour");
  CHECK(parse(app, "mauve") == "--colour: 'mauve' is not one of red|green|blue");
  CHECK(parse(app, "1") == "--colour: '1' is not one of red|green|blue");
  CHECK(c == Colour::Red);
}

TEST_CASE("the report formats are listed in their order") {
  CHECK(choice_words(report_formats()) == "text|markdown|json|junit|sarif");
}

}  // namespace
}  // namespace bootmortem::cli
