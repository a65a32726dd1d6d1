// The config change a rule's set_env asks for, as the line to paste and as a
// unified diff of the config file. supervisord keeps only the last
// environment= of a section, so an existing one is extended, never repeated.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rules/rules.h"

namespace bootmortem::rules {

using Assignments = std::vector<std::pair<std::string, std::string>>;

// KEY="value",KEY2="value2" in supervisor's environment= grammar: quoted
// because its shlex stops a bare word at '/', '%' doubled because the value
// is %-expanded first.
std::string env_assignments(const Assignments& env);

struct ConfigEdit {
  std::string config_line;  // environment=... as the section should have it
  std::string patch;        // unified diff; empty without config text or section
};

// section_line is the 1-based line of the [program:x] header in
// config_text (spec.source.line); section names it in case the line is off.
ConfigEdit environment_edit(const std::string& config_text, const std::string& file,
                            int section_line, const std::string& section,
                            const Assignments& env);

// text with the change made: environment= extended (never repeated), another
// key's value replaced (with its continuation lines) or the key added after
// the section's last key. nullopt when text has no such section.
std::optional<std::string> apply_change(const std::string& text, const ConfigChange& change);

// A file's lines, without their newlines (a last line without one included).
std::vector<std::string> split_lines(const std::string& text);

// One-hunk unified diff between two versions of a file (3 lines of context).
std::string unified_diff(const std::string& file, const std::vector<std::string>& before,
                         const std::vector<std::string>& after);

}  // namespace bootmortem::rules
