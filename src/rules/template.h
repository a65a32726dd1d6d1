// cause/fix/set_env templates: literal text with {name} holes, filled from a
// rule's captures and Evidence.values. Parsed once at load so an unknown name
// is a load error with file:line, never a blank in a report.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/error.h"

namespace bootmortem::rules {

class Template {
 public:
  Template() = default;
  // "{{" and "}}" are literal braces. Throws InputError on an unclosed hole
  // or an empty or malformed name.
  static Template parse(const std::string& text, const core::Origin& origin);

  // The hole names, in order of first appearance.
  std::vector<std::string> names() const;
  // Holes are looked up in each map in turn; a missing name fills as "".
  std::string fill(const std::vector<const std::map<std::string, std::string>*>& scopes) const;

  bool empty() const { return parts_.empty(); }
  const core::Origin& origin() const { return origin_; }

 private:
  struct Part {
    bool hole = false;
    std::string text;  // literal text, or the hole's name
  };
  std::vector<Part> parts_;
  core::Origin origin_;
};

}  // namespace bootmortem::rules
