// `bootmortem summarize`: the options of run::summarize.
#include "cli/subcommand.h"
#include "run/summarize.h"

namespace bootmortem::cli {

Subcommand add_summarize(CLI::App& parent) {
  auto o = std::make_shared<run::SummarizeOptions>();
  auto* app = parent.add_subcommand(
      "summarize", "one summary of many hosts' JSON reports: the failing programs grouped by cause, with the fix once");
  app->add_option("reports", o->inputs,
                  "JSON reports of diagnose, explain or check (bootmortem/1, bootmortem-check/1, bootmortem-error/1): "
                  "files, directories of them (every *.json, recursively), or - for a stream on stdin")
      ->required();
  static const Choices<report::Format> k_formats = {
      {"text", report::Format::Text},
      {"markdown", report::Format::Markdown},
      {"json", report::Format::Json},
  };
  add_choice(*app, "--format", o->format, k_formats, "text, markdown or json");
  app->add_option("-o,--output", o->out, "write the summary to FILE instead of stdout");
  app->footer(
      "A failing program's cause is its report's top finding; programs with the same rule are one group, its fix "
      "shown once (the most common, when they differ). A newer report of the same program on the same host "
      "replaces an older one. A file of another schema, or cut short, is named and skipped. Exit status: 0 every "
      "program starts, 1 some fail (each with a cause) or a host could not be diagnosed, 3 some failure is "
      "unexplained, 2 no report could be read.");
  return {app, [o] { return run::summarize(*o); }};
}

}  // namespace bootmortem::cli
