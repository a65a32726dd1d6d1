// The rule pack: TOML files under rules/, one per family. Rules are data:
// conditions over Evidence, named captures, cause/fix templates, a config
// patch. Format: rules/README.md.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "evidence/evidence.h"

namespace bootmortem::rules {

struct Finding {
  std::string rule;     // id
  std::string title;
  std::string family;
  std::string cause;    // template filled
  std::string fix;
  std::string patch;    // unified diff of the config section, or empty
  std::string config_line;  // the line to add to the program's section, or empty
  double confidence = 0;
  double score = 0;     // ranking score (confidence plus evidence position)
  bool verified = false;  // the fix was replayed and the program then started
  std::vector<std::string> evidence;  // human-readable citations
};

struct RuleInfo {
  std::string id;
  std::string title;
  std::string family;
  double confidence = 0;
  core::Origin origin;
};

// One text regex of the pack: the rule that wrote it, the evidence field it
// searches ("stderr", "stdout", "output", "spawnerr"), RE2 syntax as written.
struct PackPattern {
  std::string rule;
  std::string field;
  std::string pattern;
};

class RulePack {
 public:
  RulePack();
  ~RulePack();
  RulePack(RulePack&&) noexcept;
  RulePack& operator=(RulePack&&) noexcept;

  // Every *.toml in dir, in name order. Throws core::InputError (file:line).
  static RulePack load_dir(const std::string& dir);
  // One file's text; origin names it in errors.
  void add_text(const std::string& text, const std::string& origin);

  std::vector<RuleInfo> list() const;
  // Every text regex of every rule (alternatives included), in rule order.
  std::vector<PackPattern> text_patterns() const;
  size_t size() const;

  // Findings, most likely first.
  std::vector<Finding> match(const evidence::Evidence& ev) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bootmortem::rules
