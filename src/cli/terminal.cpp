#include "cli/terminal.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "cli/status_line.h"
#include "cli/subcommand.h"
#include "core/error.h"

namespace bootmortem::cli {
namespace {

bool dumb(const char* term) { return term && std::string_view(term) == "dumb"; }

}  // namespace

bool color_wanted(bool stdout_tty, const char* no_color, const char* term) {
  return stdout_tty && !(no_color && *no_color) && !dumb(term);
}

bool report_color(report::Format format) {
  return format == report::Format::Text && color_wanted(isatty(1), std::getenv("NO_COLOR"), std::getenv("TERM"));
}

bool status_line_wanted(bool stderr_tty, const char* term) { return stderr_tty && !dumb(term); }

std::unique_ptr<run::Progress> open_progress(const std::string& command, bool quiet) {
  if (quiet) return std::make_unique<run::SilentProgress>();
  if (status_line_wanted(isatty(2), std::getenv("TERM"))) return stderr_status_line(command);
  return std::make_unique<run::Progress>();
}

void add_quiet_flag(CLI::App& app, bool& quiet, const std::string& what_stays) {
  app.add_flag("-q,--quiet", quiet,
               "print " + what_stays + " (text output only: an error with --format markdown, json, junit or sarif)");
}

void quiet_format(bool quiet, report::Format format) {
  if (!quiet || format == report::Format::Text) return;
  for (const auto& [word, f] : report_formats())
    if (f == format) throw core::InputError("-q applies to text output, not --format " + word);
}

}  // namespace bootmortem::cli
