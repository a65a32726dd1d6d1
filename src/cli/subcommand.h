// One subcommand: its CLI11 options, and what runs when it was given. Each
// lives in its own file and is listed once in app.cpp's table.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

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

// --format values shared by the subcommands that print reports: text,
// markdown, json, junit.
const std::map<std::string, report::Format>& report_formats();

// --tracer auto|ebpf|ptrace, for every subcommand that traces.
void add_tracer_option(CLI::App& app, trace::TracerKind& kind);

}  // namespace bootmortem::cli
