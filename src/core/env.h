// An environment as Python's dict holds it: insertion-ordered, and an update
// of an existing key keeps the key's place. supervisord builds the child's
// environment with dict.update(), so order matters for faithful replay output.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bootmortem::core {

class Env {
 public:
  using Entry = std::pair<std::string, std::string>;

  void set(const std::string& name, const std::string& value);
  void update(const Env& other);  // each of other's entries set in order
  bool erase(const std::string& name);
  std::optional<std::string> get(const std::string& name) const;
  bool has(const std::string& name) const { return get(name).has_value(); }

  const std::vector<Entry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // "NAME=value" strings, the shape execve() wants.
  std::vector<std::string> to_strings() const;
  // Parse NUL-separated (as /proc/<pid>/environ) or newline-separated text.
  static Env parse(const std::string& text);

  bool operator==(const Env&) const = default;

 private:
  std::vector<Entry> entries_;
};

}  // namespace bootmortem::core
