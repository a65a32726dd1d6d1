#include "rules/rules.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "rules/loader.h"
#include "rules/matcher.h"

namespace bootmortem::rules {

struct RulePack::Impl {
  PatternTables tables;
  std::vector<Rule> rules;
  uint64_t digest = 14695981039346656037ull;  // FNV-1a 64 offset basis
};

RulePack::RulePack() : impl_(std::make_unique<Impl>()) {}
RulePack::~RulePack() = default;
RulePack::RulePack(RulePack&&) noexcept = default;
RulePack& RulePack::operator=(RulePack&&) noexcept = default;

RulePack RulePack::load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw core::InputError(core::Origin{dir, 0}, "no such rule directory");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  if (ec) throw core::InputError(core::Origin{dir, 0}, "cannot list rule directory: " + ec.message());
  std::sort(files.begin(), files.end());
  RulePack pack;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw core::InputError(core::Origin{f.string(), 0}, "cannot read rule file");
    std::ostringstream text;
    text << in.rdbuf();
    pack.add_text(text.str(), f.string());
  }
  return pack;
}

void RulePack::add_text(const std::string& text, const std::string& origin) {
  std::vector<Rule> loaded;
  try {
    loaded = load_rules(text, origin, impl_->tables);
  } catch (...) {
    impl_->tables.seal();  // the pack stays usable without the bad file's rules
    throw;
  }
  impl_->tables.seal();
  // An id names a rule in reports and in `rules test`; two with one name
  // would make both ambiguous.
  std::map<std::string, core::Origin> seen;
  for (const auto& r : impl_->rules) seen.emplace(r.id, r.origin);
  for (const auto& r : loaded)
    if (auto [it, fresh] = seen.emplace(r.id, r.origin); !fresh)
      throw core::InputError(r.origin, "rule '" + r.id + "' is already defined at " +
                                           it->second.str());
  impl_->rules.insert(impl_->rules.end(), loaded.begin(), loaded.end());
  // The name, not the path: one pack installed anywhere has one digest.
  const std::string name = origin.substr(origin.rfind('/') + 1);
  for (const std::string* part : {&name, &text}) {
    for (unsigned char c : *part) impl_->digest = (impl_->digest ^ c) * 1099511628211ull;
    impl_->digest = (impl_->digest ^ 0) * 1099511628211ull;  // a separator no text holds
  }
}

std::string RulePack::digest() const {
  return fmt::format("{:016x}", impl_->digest);
}

std::vector<RuleInfo> RulePack::list() const {
  std::vector<RuleInfo> out;
  for (const auto& r : impl_->rules) out.push_back({r.id, r.title, r.family, r.confidence, r.origin});
  return out;
}

std::vector<PackPattern> RulePack::text_patterns() const {
  std::vector<PackPattern> out;
  for (const auto& r : impl_->rules) {
    std::vector<const Conditions*> sets{&r.all};
    for (const auto& alt : r.any) sets.push_back(&alt);
    for (const auto* c : sets)
      for (int i = 0; i < static_cast<int>(TextField::Count); ++i)
        if (c->text[i].set()) out.push_back({r.id, text_field_name(static_cast<TextField>(i)), impl_->tables.text[i].pattern(c->text[i].index)});
  }
  return out;
}

size_t RulePack::size() const { return impl_->rules.size(); }

std::vector<Finding> RulePack::match(const evidence::Evidence& ev) const {
  return match_rules(impl_->rules, impl_->tables, ev);
}

}  // namespace bootmortem::rules
