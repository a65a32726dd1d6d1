// One subcommand: its CLI11 options, and what runs when it was given. Each
// lives in its own file and is listed once in app.cpp's table.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "report/report.h"
#include "trace/trace.h"

namespace bootmortem::cli {

struct Subcommand {
  CLI::App* app = nullptr;
  // Returns the exit code; may throw core::InputError / core::SystemError.
  std::function<int()> run;
  // Told the one-line error when run threw (exit 2), after stderr was: a
  // subcommand asked for JSON also prints a "bootmortem-error/1" document.
  std::function<void(const std::string& error)> on_error{};
};

// on_error for a subcommand whose report can be JSON: the error document on
// stdout when format is Json (read when the error happens).
std::function<void(const std::string&)> json_error_sink(const std::string& command,
                                                        std::shared_ptr<const report::Format> format,
                                                        std::function<std::string()> program);

using AddSubcommand = Subcommand (*)(CLI::App& parent);

Subcommand add_check(CLI::App& parent);
Subcommand add_diagnose(CLI::App& parent);
Subcommand add_env(CLI::App& parent);
Subcommand add_explain(CLI::App& parent);
Subcommand add_rules(CLI::App& parent);
Subcommand add_show(CLI::App& parent);
Subcommand add_summarize(CLI::App& parent);
Subcommand add_trace(CLI::App& parent);

// A word for each value an option takes, in the order its help lists them.
template <class T>
using Choices = std::vector<std::pair<std::string, T>>;

// "text|markdown|json": the words, in the order the option lists them.
template <class T>
std::string choice_words(const Choices<T>& words) {
  std::string shown;
  for (const auto& [word, v] : words) shown += (shown.empty() ? "" : "|") + word;
  return shown;
}

// An option that takes one of a few words (any case). Its help shows them
// plainly, "--format text|markdown|json", and a word that is not one of them
// is one line naming them, "--format: 'xml' is not one of text|markdown|json"
// (CLI11's CheckedTransformer says "ENUM:value in {json->2,...} OR {2,...}"
// and accepts the numbers too).
template <class T>
CLI::Option* add_choice(CLI::App& app, const std::string& name, T& value, const Choices<T>& words,
                        const std::string& help) {
  const std::string shown = choice_words(words);
  // The word becomes the enum's number, which CLI11 then converts to T.
  CLI::Validator to_number(
      [words, shown](std::string& in) -> std::string {
        for (const auto& [word, v] : words)
          if (CLI::detail::to_lower(in) == CLI::detail::to_lower(word)) {
            in = std::to_string(static_cast<std::underlying_type_t<T>>(v));
            return {};
          }
        return "'" + in + "' is not one of " + shown;
      },
      "");
  return app.add_option(name, value, help)->transform(to_number)->option_text(shown);
}

// --format values shared by the subcommands that print reports: text,
// markdown, json, junit, sarif.
const Choices<report::Format>& report_formats();

// --tracer auto|ebpf|ptrace, for every subcommand that traces.
void add_tracer_option(CLI::App& app, trace::TracerKind& kind);

}  // namespace bootmortem::cli
