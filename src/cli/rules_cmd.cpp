// `bootmortem rules list|lint|test|patterns`: the rule pack as an operator
// maintains it. lint and test are also CTests (tests/CMakeLists.txt), so a rule that
// does not load or does not explain its own fixture fails CI.
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "run/diagnose.h"
#include "cli/subcommand.h"
#include "rules/fixture_check.h"
#include "rules/fixtures.h"
#include "rules/rules.h"

namespace bootmortem::cli {

using run::rules_dir;
namespace {

enum class ListFormat { Text, Json };

struct RulesOptions {
  std::optional<std::string> rules;     // --rules
  std::optional<std::string> fixtures;  // --fixtures (test, lint)
  ListFormat format = ListFormat::Text;
  bool verbose = false;                 // test: show what each positive case's rule says
};

std::string fixtures_dir(const RulesOptions& o, const std::string& rules) {
  return o.fixtures ? *o.fixtures : rules + "/fixtures";
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw core::InputError(core::Origin{p.string(), 0}, "cannot read file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int list(const RulesOptions& o) {
  std::string dir = rules_dir(o.rules);
  auto rules = rules::RulePack::load_dir(dir).list();
  if (o.format == ListFormat::Json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& r : rules)
      out.push_back({{"id", r.id}, {"title", r.title}, {"family", r.family},
                     {"confidence", r.confidence}, {"file", r.origin.file}, {"line", r.origin.line}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  size_t id_w = 2, fam_w = 6;
  for (const auto& r : rules) {
    id_w = std::max(id_w, r.id.size());
    fam_w = std::max(fam_w, r.family.size());
  }
  fmt::print(std::cout, "{:<{}}  {:<{}}  CONF  TITLE\n", "ID", id_w, "FAMILY", fam_w);
  for (const auto& r : rules)
    fmt::print(std::cout, "{:<{}}  {:<{}}  {:.2f}  {}\n", r.id, id_w, r.family, fam_w, r.confidence, r.title);
  std::cout << rules.size() << " rules in " << dir << "\n";
  return 0;
}

// The regexes the pack runs over program output, for other tools (grep, a
// log shipper's alerting) and for comparing `explain` against them.
int patterns(const RulesOptions& o) {
  auto all = rules::RulePack::load_dir(rules_dir(o.rules)).text_patterns();
  if (o.format == ListFormat::Json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& p : all) out.push_back({{"rule", p.rule}, {"field", p.field}, {"pattern", p.pattern}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& p : all) std::cout << p.rule << "\t" << p.field << "\t" << p.pattern << "\n";
  return 0;
}

// Every file is loaded even after one fails, so one run shows every broken
// file; within a file the loader stops at its first mistake.
int lint(const RulesOptions& o) {
  namespace fs = std::filesystem;
  std::string dir = rules_dir(o.rules);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw core::InputError(core::Origin{dir, 0}, "no such rule directory");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());

  int errors = 0;
  rules::RulePack pack;
  for (const auto& f : files) {
    try {
      pack.add_text(read_text(f), f.string());
    } catch (const core::InputError& e) {
      std::cout << e.what() << "\n";
      ++errors;
    }
  }
  std::vector<fs::path> fixtures;
  std::string fdir = fixtures_dir(o, dir);
  if (fs::is_directory(fdir, ec))
    for (auto it = fs::recursive_directory_iterator(fdir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->path().extension() == ".toml") fixtures.push_back(it->path());
  std::sort(fixtures.begin(), fixtures.end());
  for (const auto& f : fixtures) {
    try {
      rules::parse_fixture(read_text(f), f.string());
    } catch (const core::InputError& e) {
      std::cout << e.what() << "\n";
      ++errors;
    }
  }
  std::cout << pack.size() << " rules in " << files.size() << " files, " << fixtures.size() << " fixture files: "
            << (errors ? std::to_string(errors) + (errors == 1 ? " error" : " errors") : std::string("ok"))
            << "\n";
  return errors ? 2 : 0;
}

int test(const RulesOptions& o) {
  std::string dir = rules_dir(o.rules);
  rules::RulePack pack = rules::RulePack::load_dir(dir);
  auto fixtures = rules::load_fixture_dir(fixtures_dir(o, dir));
  auto report = rules::check_fixtures(pack, fixtures);
  if (o.verbose)
    for (const auto& fx : fixtures)
      for (const auto& c : fx.cases) {
        if (!c.positive) continue;
        auto fs = pack.match(c.evidence);
        if (fs.empty()) continue;
        std::cout << c.origin.str() << ": " << fs[0].rule << "\n  cause: " << fs[0].cause
                  << "\n  fix: " << fs[0].fix << "\n";
        if (!fs[0].config_line.empty()) std::cout << "  config: " << fs[0].config_line << "\n";
      }
  for (const auto& f : report.failures) std::cout << f.line() << "\n";
  std::cout << report.passed << " passed, " << report.failures.size() << " failed\n";
  return report.ok() ? 0 : 1;
}

}  // namespace

Subcommand add_rules(CLI::App& parent) {
  auto o = std::make_shared<RulesOptions>();
  auto* app = parent.add_subcommand("rules", "list, lint and test the rule pack; print its patterns");
  app->require_subcommand(1);
  auto rules_option = [&](CLI::App* sub) {
    sub->add_option("--rules", o->rules, "rule pack directory (default: the installed pack)");
  };

  auto* ls = app->add_subcommand("list", "list the rules: id, family, confidence, title");
  rules_option(ls);
  static const Choices<ListFormat> k_formats = {{"text", ListFormat::Text},
                                                              {"json", ListFormat::Json}};
  add_choice(*ls, "--format", o->format, k_formats, "text or json");

  auto* pt = app->add_subcommand("patterns", "every text regex of the pack (RE2 syntax): rule, field, pattern");
  rules_option(pt);
  add_choice(*pt, "--format", o->format, k_formats, "text (tab-separated) or json");

  auto* lt = app->add_subcommand("lint", "load every rule and fixture file; report mistakes as file:line (exit 2)");
  rules_option(lt);
  lt->add_option("--fixtures", o->fixtures, "fixture directory (default: RULES/fixtures)");

  auto* ts = app->add_subcommand("test", "run every fixture; exit 0 when all pass and every rule has both kinds");
  rules_option(ts);
  ts->add_option("--fixtures", o->fixtures, "fixture directory (default: RULES/fixtures)");
  ts->add_flag("-v,--verbose", o->verbose, "print the cause, fix and config line each positive case produces");

  return {app, [o, ls, pt, lt, ts] {
            if (ls->parsed()) return list(*o);
            if (pt->parsed()) return patterns(*o);
            if (lt->parsed()) return lint(*o);
            if (ts->parsed()) return test(*o);
            return 2;
          }};
}

}  // namespace bootmortem::cli
