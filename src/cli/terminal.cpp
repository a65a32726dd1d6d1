#include "cli/terminal.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

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

}  // namespace bootmortem::cli
