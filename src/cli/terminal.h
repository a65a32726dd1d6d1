// How a reporting command uses the terminal: colour on stdout, a live
// status line on stderr. The decisions are pure functions of what was
// observed (is it a terminal, NO_COLOR, TERM), so that tests need no
// terminal; the others observe this process.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "report/report.h"
#include "run/progress.h"

namespace bootmortem::cli {

// Colour on stdout: it is a terminal, NO_COLOR is unset or empty
// (https://no-color.org), and TERM is not "dumb". nullptr: unset.
bool color_wanted(bool stdout_tty, const char* no_color, const char* term);

// Colour for a report in `format` on this process's stdout: text only.
bool report_color(report::Format format);

// The status line (cli/status_line.h) on stderr: it is a terminal that can
// erase a line (TERM not "dumb"). Not NO_COLOR's business: it has no colour.
bool status_line_wanted(bool stderr_tty, const char* term);

// What `command` (diagnose, check) shows while it waits for replays: with
// -q nothing; else a status line when this process's stderr wants one,
// else only check's notes, on stderr as before.
std::unique_ptr<run::Progress> open_progress(const std::string& command, bool quiet);

// -q, --quiet for diagnose, check and explain; what_stays: what it still
// prints. quiet_format throws InputError when it is given with a format
// other than text (a JSON or JUnit report is read whole, or not at all).
void add_quiet_flag(CLI::App& app, bool& quiet, const std::string& what_stays);
void quiet_format(bool quiet, report::Format format);

}  // namespace bootmortem::cli
