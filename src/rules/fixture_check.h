// Runs fixtures against a rule pack: each case's expectation, and that every
// rule has both a positive and a negative case (DESIGN.md: "every rule ships
// with at least one positive and one negative fixture").
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "rules/fixtures.h"
#include "rules/rules.h"

namespace bootmortem::rules {

struct FixtureFailure {
  core::Origin origin;  // the case, or the rule that lacks a fixture
  std::string message;
  std::string line() const { return origin.str() + ": " + message; }
};

struct FixtureReport {
  int passed = 0;
  std::vector<FixtureFailure> failures;
  bool ok() const { return failures.empty(); }
};

// One case: empty when it holds, else why not.
std::string check_case(const RulePack& pack, const FixtureCase& c);

// Every case of every fixture, then the coverage of every rule in the pack.
FixtureReport check_fixtures(const RulePack& pack, const std::vector<Fixture>& fixtures);

}  // namespace bootmortem::rules
