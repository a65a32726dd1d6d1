// How a reporting command uses the terminal. The decisions are pure
// functions of what was observed (is it a terminal, NO_COLOR, TERM), so
// that tests need no terminal; the others observe this process.
#pragma once

#include "report/report.h"

namespace bootmortem::cli {

// Colour on stdout: it is a terminal, NO_COLOR is unset or empty
// (https://no-color.org), and TERM is not "dumb". nullptr: unset.
bool color_wanted(bool stdout_tty, const char* no_color, const char* term);

// Colour for a report in `format` on this process's stdout: text only.
bool report_color(report::Format format);

}  // namespace bootmortem::cli
