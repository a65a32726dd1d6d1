// A loaded rule as the matcher sees it: plain data, every regex already
// compiled into a PatternTable (pattern_table.h) and referred to by index.
// Internal to src/rules/; the pack's public face is rules.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "rules/template.h"

namespace bootmortem::rules {

// The text fields a rule may search with a regex. Each has its own
// PatternTable, so one RE2::Set pass per field answers for every rule.
enum class TextField { Stderr, Stdout, Output, Spawnerr, Count };

// The field's name in rule files and reports.
inline const char* text_field_name(TextField f) {
  static constexpr const char* k[] = {"stderr", "stdout", "output", "spawnerr"};
  return k[static_cast<int>(f)];
}

// One pattern reference: which table entry, and the capture names it sets.
struct PatternRef {
  int index = -1;
  std::vector<std::string> captures;
  bool set() const { return index >= 0; }
};

// "Some failed syscall of the trace has all of these properties".
struct SyscallCond {
  std::vector<std::string> calls;  // empty: any call
  std::vector<int> errnos;         // empty: any errno
  PatternRef path;                 // into the path table
  PatternRef path_not;             // a path matching this is not it (known probes)
  std::string under;               // a value name: path at or below its value
  int port_below = -1;             // -1: no port condition
  int port_at_least = -1;          // -1: no port condition
  core::Origin origin;
};

struct FactCond {
  std::string name;
  bool want = true;  // "!name" wants false
};

// Conditions that must all hold. A rule has one set at top level and may
// have alternatives ([[rule.any]]): one of them must hold as well.
struct Conditions {
  std::vector<int> exit_codes;
  std::optional<bool> fails;  // verdict = "fails" / "starts"
  std::vector<FactCond> facts;
  PatternRef text[static_cast<int>(TextField::Count)];
  std::vector<SyscallCond> syscalls;
  std::string preflight;  // a pre-flight check id (evidence/preflight.h); "": none
  core::Origin origin;

  // Names this set captures (regex groups, and the matched syscall's fields).
  std::vector<std::string> capture_names() const;
};

// NAME = value of [rule.set_env]; a name written "{capture}" is the
// capture's value. Values may name {login_env.X}: the user's login value of
// the variable X (or of the variable a capture or value X names).
struct EnvAssignment {
  Template name;
  Template value;
};

// key = value of [rule.set] (the program's section) or [rule.set_supervisord].
struct KeyAssignment {
  std::string key;
  Template value;
};

struct Rule {
  std::string id;
  std::string title;
  std::string family;
  double confidence = 0;
  Conditions all;
  std::vector<Conditions> any;
  std::vector<SyscallCond> cite;  // cited when the rule fires, never required
  Template cause;
  Template fix;
  std::vector<EnvAssignment> set_env;  // in the order written
  std::vector<KeyAssignment> set_program;
  std::vector<KeyAssignment> set_supervisord;
  std::vector<Template> run;       // shell commands that change files; holes shell-quoted
  std::vector<Template> changes;   // the paths those commands change
  std::optional<Template> unverifiable;  // why the fix cannot be replayed
  core::Origin origin;
};

}  // namespace bootmortem::rules
