// Skimming a JSON document before it is parsed: its text, copied without
// whitespace, with only the values of the members named (any other
// member's value becomes null, however large), and with each long string
// cut to its last bytes. A
// structural scan only (brackets, strings, escapes); what is kept is then
// parsed, and checked, by nlohmann/json. `summarize` reads hundreds of MiB
// of reports whose bulk (stderr, failed calls, evidence) it never uses:
// skimmed, it parses a fraction of them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

namespace bootmortem::report {

using Names = std::unordered_set<std::string_view>;

struct SkimOptions {
  const Names* keep = nullptr;     // members whose values are kept, at any depth; null: all
  const Names* tails = nullptr;    // members whose string values keep only their last tail_max bytes
  size_t tail_max = 1024;
  size_t max_string = 16 * 1024;   // any longer string keeps its last max_string bytes (whole UTF-8 characters)
  size_t max_kept = 16u << 20;     // a document keeping more is not skimmed (TooLarge)
};

struct Skim {
  enum class Result {
    Done,        // kept holds the document; end is the byte after it
    Incomplete,  // the text ends inside the document
    NotJson,     // at: a byte that cannot begin or continue a document here
    TooLarge,    // it would keep more than max_kept
  };
  Result result = Result::Incomplete;
  size_t begin = 0;  // the document's first byte (the text's end when it holds only blanks)
  size_t end = 0;
  size_t at = 0;
};

// The document (an object or an array) starting at the first non-blank byte
// from `from`; kept is replaced by its skimmed text.
Skim skim_document(std::string_view text, size_t from, const SkimOptions& o, std::string& kept);

}  // namespace bootmortem::report
