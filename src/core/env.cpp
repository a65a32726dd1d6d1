#include "core/env.h"

namespace bootmortem::core {

void Env::set(const std::string& name, const std::string& value) {
  for (auto& e : entries_) {
    if (e.first == name) {
      e.second = value;
      return;
    }
  }
  entries_.emplace_back(name, value);
}

void Env::update(const Env& other) {
  for (const auto& [k, v] : other.entries_) set(k, v);
}

bool Env::erase(const std::string& name) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == name) {
      entries_.erase(it);
      return true;
    }
  }
  return false;
}

std::optional<std::string> Env::get(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.first == name) return e.second;
  return std::nullopt;
}

std::vector<std::string> Env::to_strings() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [k, v] : entries_) out.push_back(k + "=" + v);
  return out;
}

Env Env::parse(const std::string& text) {
  // NUL-separated when any NUL is present, newline-separated otherwise.
  const char sep = text.find('\0') != std::string::npos ? '\0' : '\n';
  Env env;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    start = end + 1;
    if (!item.empty() && item.back() == '\r') item.pop_back();
    size_t eq = item.find('=');
    if (item.empty() || eq == std::string::npos || eq == 0) continue;
    env.set(item.substr(0, eq), item.substr(eq + 1));
  }
  return env;
}

}  // namespace bootmortem::core
