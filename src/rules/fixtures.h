// Rule fixtures: recorded evidence a rule must explain ([positive]) and a
// close miss it must leave alone ([negative]), one TOML file per rule under
// rules/fixtures/<family>/<rule-id>.toml. `bootmortem rules test` runs them
// all. The format is documented in rules/README.md ("Fixtures").
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "evidence/evidence.h"

namespace bootmortem::rules {

struct FixtureCase {
  bool positive = true;          // [positive] or [negative]
  core::Origin origin;           // the case's table header
  std::string note;
  std::string expect_top;        // this rule must be the first finding
  std::vector<std::string> expect_absent;  // none of these may be found
  bool expect_none = false;      // no rule at all may fire
  evidence::Evidence evidence;   // built through evidence::make_evidence
};

struct Fixture {
  std::string file;
  std::string rule;              // `rule = "id"`; empty for pack-wide cases
  std::vector<FixtureCase> cases;
};

// One fixture file's text; origin names it in errors (file:line). Throws
// core::InputError on bad TOML, an unknown key, fact, value or errno.
Fixture parse_fixture(const std::string& text, const std::string& origin);

// Every *.toml below dir (recursively), in path order. A missing directory
// holds no fixtures; an unreadable or malformed file throws.
std::vector<Fixture> load_fixture_dir(const std::string& dir);

// The evidence a case starts from before its own keys apply: user app
// (uid 1001, HOME its own), [program:app] running gunicorn in /srv/app,
// failing with exit status 1 after 300 ms, nothing on stdout or stderr.
evidence::Evidence fixture_base_evidence();

}  // namespace bootmortem::rules
