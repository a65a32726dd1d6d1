// A log of any size through the pack's output patterns with bounded memory,
// for `bootmortem explain`. The file is read in big blocks cut at a newline;
// one RE2::Set pass answers for every pattern at once (one DFA pass per
// block, whatever the pack's size), and only a block in which some pattern
// matched is searched again, by that pattern alone, for the lines to keep.
// Per pattern its first and last few matches are kept (whole lines, with
// their line numbers), and the file's tail; bytes and lines are counted.
//
// A match that spans lines (a `\s+` across a line break) is found when its
// lines fall in one block; blocks are cut at newlines, never inside a line
// shorter than a block.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evidence/log_evidence.h"
#include "rules/rules.h"

namespace bootmortem::rules {

struct ScanOptions {
  size_t block_bytes = 8 << 20;        // read size; a block ends at its last newline
  size_t min_block_bytes = 64 << 10;   // the smallest piece a failed set pass is split to
  size_t keep_first = 3;               // matches kept per pattern from the start of the file
  size_t keep_last = 3;                // and from its end
  size_t tail_bytes = 64 << 10;        // what the tracer keeps of the end of a stream
  size_t max_excerpt_bytes = 8 << 10;  // a longer excerpt is cut
  int64_t max_mem = 64 << 20;          // RE2's budget for the set: its program and DFA cache
  // For tests: a set pass over this many bytes or more fails as when the
  // DFA runs out of memory (RE2::Set::kOutOfMemory). 0: never.
  size_t simulate_dfa_failure_from = 0;
};

// Reads at most n bytes into buf; returns 0 at the end. Throws on an error.
using ReadFn = std::function<size_t(char* buf, size_t n)>;

class LogScanner {
 public:
  // RE2 syntax; throws core::InputError naming a pattern RE2 rejects.
  explicit LogScanner(const std::vector<std::string>& patterns, ScanOptions options = {});
  ~LogScanner();
  LogScanner(LogScanner&&) noexcept;
  LogScanner& operator=(LogScanner&&) noexcept;

  evidence::LogScan scan(const ReadFn& read) const;
  evidence::LogScan scan_text(std::string_view text) const;

  size_t size() const;
  // Set passes that failed for want of DFA memory and were split, since
  // construction (the scan is still complete: the halves, and at the
  // smallest size each pattern on its own, answer instead).
  size_t dfa_failures() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The regexes the pack runs over program output (its stderr, stdout and
// output fields), each once, in the pack's order.
std::vector<std::string> output_patterns(const RulePack& pack);

}  // namespace bootmortem::rules
