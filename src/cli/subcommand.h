// One subcommand: its CLI11 options, and what runs when it was given. Each
// lives in its own file and is listed once in app.cpp's table.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "report/report.h"
#include "trace/trace.h"

namespace bootmortem::cli {

struct Subcommand {
  CLI::App* app = nullptr;
  // Returns the exit code; may throw core::InputError / core::SystemError.
  std::function<int()> run;
};

using AddSubcommand = Subcommand (*)(CLI::App& parent);

Subcommand add_check(CLI::App& parent);
Subcommand add_diagnose(CLI::App& parent);
Subcommand add_env(CLI::App& parent);
Subcommand add_explain(CLI::App& parent);
Subcommand add_rules(CLI::App& parent);
Subcommand add_show(CLI::App& parent);
Subcommand add_trace(CLI::App& parent);

// A word for each value an option takes, in the order its help lists them.
template <class T>
using Choices = std::vector<std::pair<std::string, T>>;

// An option that takes one of a few words (any case). Its help shows them
// plainly, "text|markdown|json", not CLI11's "ENUM:value in {json->2,...}".
template <class T>
CLI::Option* add_choice(CLI::App& app, const std::string& name, T& value, const Choices<T>& words,
                        const std::string& help) {
  std::string shown;
  for (const auto& [word, v] : words) shown += (shown.empty() ? "" : "|") + word;
  return app.add_option(name, value, help)
      ->transform(CLI::CheckedTransformer(words, CLI::ignore_case))
      ->option_text(shown);
}

// --format values shared by the subcommands that print reports: text,
// markdown, json, junit.
const Choices<report::Format>& report_formats();

// --tracer auto|ebpf|ptrace, for every subcommand that traces.
void add_tracer_option(CLI::App& app, trace::TracerKind& kind);

}  // namespace bootmortem::cli
