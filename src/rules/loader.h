// Rule files (TOML) to Rule values. Every mistake an operator can make in a
// rule file is an InputError naming the file and line: bad TOML, an unknown
// field, fact, value, syscall or errno, a regex RE2 rejects, a template hole
// that nothing fills. The format is documented in rules/README.md.
#pragma once

#include <string>
#include <vector>

#include "rules/pattern_table.h"
#include "rules/rule.h"

namespace bootmortem::rules {

// Where the pack's patterns live: one table per text field, one for paths.
struct PatternTables {
  PatternTable text[static_cast<int>(TextField::Count)];
  PatternTable path;
  void seal();
};

std::vector<Rule> load_rules(const std::string& text, const std::string& origin,
                             PatternTables& tables);

// The syscall names a rule may list, and the "@family" shorthands
// ("@stat" = stat, lstat, newfstatat, statx, ...) that expand to several.
bool is_known_call(const std::string& name);
const std::vector<std::string>* call_family(const std::string& name);

}  // namespace bootmortem::rules
