#include "rules/fixture_check.h"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace bootmortem::rules {
namespace {

// "a (0.95), b (0.60)": what did fire, so a failure line says what to look at.
std::string summary(const std::vector<Finding>& fs) {
  if (fs.empty()) return "no findings";
  std::string out;
  for (const auto& f : fs) out += fmt::format("{}{} ({:.2f})", out.empty() ? "" : ", ", f.rule, f.score);
  return out;
}

bool found(const std::vector<Finding>& fs, const std::string& id) {
  return std::any_of(fs.begin(), fs.end(), [&](const Finding& f) { return f.rule == id; });
}

}  // namespace

std::string check_case(const RulePack& pack, const FixtureCase& c) {
  auto fs = pack.match(c.evidence);
  std::string kind = c.positive ? "positive" : "negative";
  if (!c.expect_top.empty() && (fs.empty() || fs[0].rule != c.expect_top))
    return kind + ": expected top finding '" + c.expect_top + "', got " + summary(fs);
  for (const auto& id : c.expect_absent)
    if (found(fs, id)) return kind + ": '" + id + "' fired but must not; got " + summary(fs);
  if (c.expect_none && !fs.empty()) return kind + ": expected no findings, got " + summary(fs);
  // Every finding a report would show must say something.
  for (const auto& f : fs)
    if (f.cause.empty() || f.fix.empty()) return kind + ": '" + f.rule + "' has an empty cause or fix";
  return "";
}

FixtureReport check_fixtures(const RulePack& pack, const std::vector<Fixture>& fixtures) {
  FixtureReport report;
  std::set<std::string> known, has_positive, has_negative;
  for (const auto& r : pack.list()) known.insert(r.id);

  for (const auto& fx : fixtures) {
    if (!fx.rule.empty() && !known.count(fx.rule))
      report.failures.push_back({{fx.file, 1}, "fixture for unknown rule '" + fx.rule + "'"});
    for (const auto& c : fx.cases) {
      std::vector<std::string> named = c.expect_absent;
      if (!c.expect_top.empty()) named.push_back(c.expect_top);
      std::string unknown;
      for (const auto& id : named)
        if (!known.count(id)) unknown = id;
      // Coverage counts a case whether or not it passes: a failing case is
      // reported once, as itself.
      if (c.positive) has_positive.insert(c.expect_top);
      if (!c.positive) has_negative.insert(c.expect_absent.begin(), c.expect_absent.end());
      std::string why = unknown.empty() ? check_case(pack, c) : "names unknown rule '" + unknown + "'";
      if (why.empty())
        ++report.passed;
      else
        report.failures.push_back({c.origin, why});
    }
  }
  for (const auto& r : pack.list()) {
    if (!has_positive.count(r.id))
      report.failures.push_back({r.origin, "rule '" + r.id + "' has no positive fixture"});
    if (!has_negative.count(r.id))
      report.failures.push_back({r.origin, "rule '" + r.id + "' has no negative fixture"});
  }
  return report;
}

}  // namespace bootmortem::rules
