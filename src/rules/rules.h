// The rule pack: TOML files under rules/, one per family. Rules are data:
// conditions over Evidence, named captures, cause/fix templates, a config
// patch. Format: rules/README.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "evidence/evidence.h"

namespace bootmortem::rules {

// One change to the config that a fix makes.
struct ConfigChange {
  std::string file;     // the file that holds the section; empty: the main config
  std::string section;  // "program:web", "supervisord"
  std::string key;      // "environment": value holds assignments to add to it
  std::string value;
  int section_line = 0; // 1-based line of the section header in file, 0: unknown
};

// What a fix changes, in a form bootmortem can apply to a replay (run/verify).
struct FixPlan {
  std::vector<ConfigChange> config;
  std::vector<std::string> commands;  // shell commands that change files, in order
  std::vector<std::string> paths;     // the files and directories those commands change
  // Why the fix cannot be replayed (a value nobody knows, a cause outside the
  // host); empty when it can, or when there is nothing to replay.
  std::string unverifiable;
  bool empty() const { return config.empty() && commands.empty(); }
};

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
  FixPlan plan;
  // The fix replayed (run/verify): true, the program then reached RUNNING and
  // held through the window; false, it did not (verification says what
  // happened instead); nullopt, not tried (verification says why).
  std::optional<bool> verified;
  std::string verification;
  int64_t verify_ms = -1;   // what the replays for it took
  int round = 1;            // 1: found in the replay; n: revealed once round n-1's fixes were applied
  std::vector<std::string> evidence;  // human-readable citations
  // The config line the finding is about (a code-scanning annotation, a
  // pre-flight result): the key whose value is wrong or that the fix
  // changes, else the program's section header. line 0: not known.
  core::Origin location;
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
  // What was loaded, as 16 hex digits: FNV-1a over each file's name and text
  // in load order. Two packs with one digest hold the same rules; `--version`
  // names it, so a ticket can say which pack judged.
  std::string digest() const;

  // Findings, most likely first.
  std::vector<Finding> match(const evidence::Evidence& ev) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bootmortem::rules
