#include "rules/patch.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace bootmortem::rules {
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool blank_or_comment(const std::string& line) {
  std::string t = trim(line);
  return t.empty() || t[0] == '#' || t[0] == ';';
}
bool indented(const std::string& line) { return !line.empty() && (line[0] == ' ' || line[0] == '\t'); }

// Where the value of a line ends: before an inline comment, which Python 3's
// configparser starts at ';' or '#' preceded by whitespace.
size_t value_end(const std::string& line) {
  for (size_t i = 1; i < line.size(); ++i)
    if ((line[i] == ';' || line[i] == '#') && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
      size_t e = i;
      while (e > 0 && (line[e - 1] == ' ' || line[e - 1] == '\t')) --e;
      return e;
    }
  size_t e = line.size();
  while (e > 0 && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r')) --e;
  return e;
}

struct KeyLine {
  std::string key;  // lower-cased, as configparser stores it
  size_t first = 0, last = 0;  // line indexes of the key and its continuation
};

// The keys of the section whose header is at index header.
std::vector<KeyLine> section_keys(const std::vector<std::string>& lines, size_t header) {
  std::vector<KeyLine> keys;
  for (size_t i = header + 1; i < lines.size() && (lines[i].empty() || lines[i][0] != '['); ++i) {
    const std::string& line = lines[i];
    if (blank_or_comment(line)) continue;
    if (indented(line) && !keys.empty()) {
      keys.back().last = i;  // continuation of the value
      continue;
    }
    size_t delim = line.find_first_of("=:");
    if (delim == std::string::npos) continue;
    std::string key = trim(line.substr(0, delim));
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    keys.push_back({key, i, i});
  }
  return keys;
}

// A key's value, its continuation lines joined, without inline comments.
std::string key_value(const std::vector<std::string>& lines, const KeyLine& k) {
  std::string value;
  for (size_t i = k.first; i <= k.last; ++i) {
    std::string part = lines[i].substr(0, value_end(lines[i]));
    if (i == k.first) part = part.substr(part.find_first_of("=:") + 1);
    value += trim(part);
  }
  return value;
}

std::optional<size_t> find_header(const std::vector<std::string>& lines, int section_line,
                                  const std::string& section) {
  auto is_header = [&](size_t i) { return trim(lines[i]) == "[" + section + "]"; };
  if (section_line >= 1 && static_cast<size_t>(section_line) <= lines.size() &&
      (section.empty() || is_header(section_line - 1)))
    return section_line - 1;
  for (size_t i = 0; i < lines.size(); ++i)
    if (is_header(i)) return i;
  return std::nullopt;
}

std::string quote_value(const std::string& v) {
  std::string out = "\"";
  for (char c : v) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string env_assignments(const Assignments& env) {
  std::string out;
  for (const auto& [k, v] : env) out += (out.empty() ? "" : ",") + k + "=" + quote_value(v);
  return out;
}

ConfigEdit environment_edit(const std::string& config_text, const std::string& file,
                            int section_line, const std::string& section,
                            const Assignments& env) {
  ConfigEdit edit;
  const std::string add = env_assignments(env);
  edit.config_line = "environment=" + add;
  std::vector<std::string> before = split_lines(config_text);
  auto header = find_header(before, section_line, section);
  if (!header) return edit;
  const auto keys = section_keys(before, *header);
  auto existing = std::find_if(keys.rbegin(), keys.rend(),
                               [](const KeyLine& k) { return k.key == "environment"; });
  if (existing != keys.rend()) {
    // The line as the section will have it: the old value extended.
    const std::string value = key_value(before, *existing);
    edit.config_line = "environment=" + value + (!value.empty() && value.back() != ',' ? "," : "") + add;
  }
  auto after = apply_change(config_text, ConfigChange{file, section, "environment", add, section_line});
  if (after) edit.patch = unified_diff(file, before, split_lines(*after));
  return edit;
}

std::optional<std::string> apply_change(const std::string& text, const ConfigChange& change) {
  std::vector<std::string> lines = split_lines(text);
  auto header = find_header(lines, change.section_line, change.section);
  if (!header) return std::nullopt;
  auto keys = section_keys(lines, *header);
  auto existing = std::find_if(keys.rbegin(), keys.rend(),
                               [&](const KeyLine& k) { return k.key == change.key; });
  if (change.key == "environment" && existing != keys.rend()) {
    // Extend the value's last line; supervisord would keep only one key.
    const std::string value = key_value(lines, *existing);
    std::string& last = lines[existing->last];
    bool needs_comma = !value.empty() && value.back() != ',';
    last.insert(value_end(last), (needs_comma ? "," : "") + change.value);
  } else if (existing != keys.rend()) {
    lines.erase(lines.begin() + static_cast<long>(existing->first) + 1,
                lines.begin() + static_cast<long>(existing->last) + 1);
    lines[existing->first] = change.key + "=" + change.value;
  } else {
    size_t at = keys.empty() ? *header + 1 : keys.back().last + 1;
    lines.insert(lines.begin() + static_cast<long>(at), change.key + "=" + change.value);
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  if (!text.empty() && text.back() != '\n' && !out.empty()) out.pop_back();
  return out;
}

std::string unified_diff(const std::string& file, const std::vector<std::string>& before,
                         const std::vector<std::string>& after) {
  size_t prefix = 0;
  while (prefix < before.size() && prefix < after.size() && before[prefix] == after[prefix]) ++prefix;
  if (prefix == before.size() && prefix == after.size()) return "";
  size_t suffix = 0;
  while (suffix < before.size() - prefix && suffix < after.size() - prefix &&
         before[before.size() - 1 - suffix] == after[after.size() - 1 - suffix])
    ++suffix;
  constexpr size_t k_context = 3;
  size_t lead = std::min(prefix, k_context);
  size_t trail = std::min(suffix, k_context);
  size_t start = prefix - lead;
  size_t old_count = before.size() - prefix - suffix + lead + trail;
  size_t new_count = after.size() - prefix - suffix + lead + trail;
  // An empty range is numbered by the line before it (diff's convention).
  auto range = [&](size_t count) {
    return std::to_string(count ? start + 1 : start) + "," + std::to_string(count);
  };
  std::string out = "--- " + file + "\n+++ " + file + "\n";
  out += "@@ -" + range(old_count) + " +" + range(new_count) + " @@\n";
  for (size_t i = start; i < prefix; ++i) out += " " + before[i] + "\n";
  for (size_t i = prefix; i < before.size() - suffix; ++i) out += "-" + before[i] + "\n";
  for (size_t i = prefix; i < after.size() - suffix; ++i) out += "+" + after[i] + "\n";
  for (size_t i = before.size() - suffix; i < before.size() - suffix + trail; ++i)
    out += " " + before[i] + "\n";
  return out;
}

}  // namespace bootmortem::rules
