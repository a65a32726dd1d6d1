// `bootmortem summarize`: the reports of many hosts (files, directories of
// them, or a stream on stdin) read one at a time into report::Summary, and
// the summary printed once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/report.h"

namespace bootmortem::run {

struct SummarizeOptions {
  // Files; directories (every *.json under them, recursively, in name
  // order); "-" for stdin. A path that does not exist is an input error; a
  // file that is not a report is skipped and named.
  std::vector<std::string> inputs;
  report::Format format = report::Format::Text;
  std::optional<std::string> out;  // -o FILE instead of stdout
};

// Returns the exit code (report::exit_code of the summary); throws
// core::InputError when nothing could be read at all.
int summarize(const SummarizeOptions& o);

}  // namespace bootmortem::run
