#include "run/summarize.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "core/host.h"
#include "report/summary.h"

namespace bootmortem::run {
namespace {

namespace fs = std::filesystem;

// The report files under a directory, in name order: the playbook's
// reports/<host>/<program>.json, or any tree of them.
std::vector<std::string> json_files(const std::string& dir, report::Summary& s) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) throw core::InputError(core::Origin{dir, 0}, "cannot read the directory: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) {
      s.skip(dir, "stopped reading the directory: " + ec.message());
      break;
    }
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void read_file(const std::string& path, report::Summary& s) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    s.skip(path, std::string("cannot open: ") + std::strerror(errno));
    return;
  }
  s.read(in, path);
}

}  // namespace

int summarize(const SummarizeOptions& o) {
  report::Summary s;
  s.stamp = core::stamp_now();
  size_t files = 0;
  for (const auto& input : o.inputs) {
    if (input == "-") {
      ++files;
      s.read(std::cin, "stdin");
      continue;
    }
    std::error_code ec;
    const auto status = fs::status(input, ec);
    if (ec || !fs::exists(status))
      throw core::InputError(core::Origin{input, 0}, "no such file or directory");
    if (fs::is_directory(status)) {
      const auto found = json_files(input, s);
      if (found.empty()) s.skip(input, "no *.json file in the directory");
      for (const auto& f : found) {
        ++files;
        read_file(f, s);
      }
    } else {
      ++files;
      read_file(input, s);
    }
  }
  if (s.documents == 0)
    throw core::InputError(s.skipped.empty() ? "no report to summarize"
                                             : "no report among " + std::to_string(files) + " file(s): " +
                                                   s.skipped.front().source + ": " + s.skipped.front().why);
  if (o.out) {
    std::ofstream out(*o.out, std::ios::binary | std::ios::trunc);
    if (!out) throw core::InputError(core::Origin{*o.out, 0}, "cannot write the summary");
    report::render_summary(s, o.format, out);
    out.close();
    if (!out) throw core::InputError(core::Origin{*o.out, 0}, "cannot write the summary");
  } else {
    report::render_summary(s, o.format, std::cout);
    std::cout.flush();
  }
  return report::exit_code(s);
}

}  // namespace bootmortem::run
