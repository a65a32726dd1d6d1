#include "rules/pattern_table.h"

namespace bootmortem::rules {
namespace {

RE2::Options options() {
  RE2::Options o;
  o.set_log_errors(false);  // errors become InputError, not lines on stderr
  return o;
}

}  // namespace

PatternTable::PatternTable() = default;
PatternTable::~PatternTable() = default;
PatternTable::PatternTable(PatternTable&&) noexcept = default;
PatternTable& PatternTable::operator=(PatternTable&&) noexcept = default;

int PatternTable::add(const std::string& pattern, const core::Origin& origin,
                      std::vector<std::string>* captures) {
  auto re = std::make_unique<RE2>(pattern, options());
  if (!re->ok()) throw core::InputError(origin, "bad regex '" + pattern + "': " + re->error());
  if (captures)
    for (const auto& [name, index] : re->NamedCapturingGroups()) captures->push_back(name);
  res_.push_back(std::move(re));
  set_.reset();
  return static_cast<int>(res_.size()) - 1;
}

void PatternTable::seal() {
  set_ = std::make_unique<RE2::Set>(options(), RE2::UNANCHORED);
  for (const auto& re : res_) {
    std::string error;
    // Already compiled alone, so the set accepts it too.
    set_->Add(re->pattern(), &error);
  }
  if (!res_.empty()) set_->Compile();
}

std::vector<bool> PatternTable::matching(const std::string& text) const {
  std::vector<bool> out(res_.size(), false);
  if (res_.empty()) return out;
  std::vector<int> hits;
  if (set_) {
    set_->Match(text, &hits);
    for (int i : hits) out[i] = true;
  } else {  // not sealed: a caller bug, but answer correctly anyway
    for (size_t i = 0; i < res_.size(); ++i) out[i] = RE2::PartialMatch(text, *res_[i]);
  }
  return out;
}

bool PatternTable::captures(int index, const std::string& text,
                            std::map<std::string, std::string>* out, std::string* matched) const {
  const RE2& re = *res_.at(index);
  std::vector<re2::StringPiece> groups(re.NumberOfCapturingGroups() + 1);
  if (!re.Match(text, 0, text.size(), RE2::UNANCHORED, groups.data(),
                static_cast<int>(groups.size())))
    return false;
  for (const auto& [name, i] : re.NamedCapturingGroups())
    if (groups[i].data()) (*out)[name] = std::string(groups[i]);
  if (matched) *matched = std::string(groups[0]);
  return true;
}

}  // namespace bootmortem::rules
