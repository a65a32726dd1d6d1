// All the regexes of one evidence field across the whole pack. Each pattern
// is compiled once at load; an RE2::Set over them answers "which of the
// pack's patterns match this text" in one pass, and only those are run
// again to extract their named groups.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "core/error.h"

namespace bootmortem::rules {

class PatternTable {
 public:
  PatternTable();
  ~PatternTable();
  PatternTable(PatternTable&&) noexcept;
  PatternTable& operator=(PatternTable&&) noexcept;

  // Compiles pattern; throws InputError(origin) when RE2 rejects it. Returns
  // the index and fills the capture names (named groups) it defines.
  int add(const std::string& pattern, const core::Origin& origin,
          std::vector<std::string>* captures);
  // Builds the set; call once after the last add().
  void seal();

  size_t size() const { return res_.size(); }
  // The pattern as written in the rule file.
  const std::string& pattern(int index) const { return res_.at(index)->pattern(); }
  // Which patterns match somewhere in text (one flag per index).
  std::vector<bool> matching(const std::string& text) const;
  // Named groups of pattern index on text, or false when it does not match.
  bool captures(int index, const std::string& text,
                std::map<std::string, std::string>* out, std::string* matched = nullptr) const;

 private:
  std::vector<std::unique_ptr<RE2>> res_;
  std::unique_ptr<RE2::Set> set_;
};

}  // namespace bootmortem::rules
