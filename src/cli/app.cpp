#include "cli/app.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "cli/diagnose.h"
#include "core/error.h"

namespace bootmortem::cli {
namespace {

const std::map<std::string, report::Format> k_formats = {
    {"text", report::Format::Text},
    {"markdown", report::Format::Markdown},
    {"json", report::Format::Json},
};

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"bootmortem: why a supervisord program will not boot, and what to change"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("bootmortem ") + BOOTMORTEM_VERSION);

  DiagnoseOptions d;
  bool no_redact = false;
  auto* diag = app.add_subcommand("diagnose", "replay a [program:x] as supervisord would, traced, and explain it");
  diag->add_option("program", d.program, "program name: name, group:name")->required();
  diag->add_option("-c,--configuration", d.config, "supervisord config file (default: supervisord's search path)");
  diag->add_option("--format", d.format, "text, markdown or json")
      ->transform(CLI::CheckedTransformer(k_formats, CLI::ignore_case));
  diag->add_option("--startsecs", d.startsecs, "seconds the program must stay up (default: its startsecs=)")
      ->check(CLI::PositiveNumber);
  diag->add_option("--base-env", d.base_env,
                   "supervisord's environment: a file (NUL- or newline-separated) or 'systemd'");
  diag->add_option("--rules", d.rules_dir, "rule pack directory");
  diag->add_flag("--no-redact", no_redact, "show secret-looking values in the report");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "bootmortem: " << e.what() << "\n";
    return 2;
  }

  try {
    if (*diag) {
      d.redact = !no_redact;
      d.color = d.format == report::Format::Text && isatty(1);
      return diagnose(d);
    }
  } catch (const core::InputError& e) {
    std::cerr << "bootmortem: " << e.what() << "\n";
    return 2;
  } catch (const core::SystemError& e) {
    std::cerr << "bootmortem: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bootmortem: internal error: " << e.what() << "\n";
    return 2;
  }
  return 2;
}

}  // namespace bootmortem::cli
