#include "rules/template.h"

#include <algorithm>
#include <cctype>

namespace bootmortem::rules {
namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

}  // namespace

Template Template::parse(const std::string& text, const core::Origin& origin) {
  Template t;
  t.origin_ = origin;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.parts_.push_back({false, literal});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') throw core::InputError(origin, "unmatched '}' in template (write '}}' for a brace)");
    if (c != '{') {
      literal += c;
      continue;
    }
    size_t close = text.find('}', i + 1);
    if (close == std::string::npos)
      throw core::InputError(origin, "unclosed '{' in template (write '{{' for a brace)");
    std::string name = text.substr(i + 1, close - i - 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), name_char))
      throw core::InputError(origin, "bad template name '{" + name + "}'");
    flush();
    t.parts_.push_back({true, name});
    i = close;
  }
  flush();
  return t;
}

std::vector<std::string> Template::names() const {
  std::vector<std::string> out;
  for (const auto& p : parts_)
    if (p.hole && std::find(out.begin(), out.end(), p.text) == out.end()) out.push_back(p.text);
  return out;
}

std::string Template::fill(
    const std::vector<const std::map<std::string, std::string>*>& scopes) const {
  std::string out;
  for (const auto& p : parts_) {
    if (!p.hole) {
      out += p.text;
      continue;
    }
    for (const auto* scope : scopes) {
      auto it = scope->find(p.text);
      if (it != scope->end()) {
        out += it->second;
        break;
      }
    }
  }
  return out;
}

}  // namespace bootmortem::rules
