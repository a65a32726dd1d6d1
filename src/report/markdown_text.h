// Markdown pieces every Markdown writer uses: a machine string in code (a
// span or fence longer than any run of backticks in it), a table cell.
#pragma once

#include <algorithm>
#include <ostream>
#include <string>

namespace bootmortem::report::md {

// The longest run of backticks in s, so a fence or span can be longer.
inline size_t backtick_run(const std::string& s) {
  size_t best = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

inline std::string code(const std::string& s) {
  std::string ticks(backtick_run(s) + 1, '`');
  bool pad = !s.empty() && (s.front() == '`' || s.back() == '`');
  return ticks + (pad ? " " : "") + s + (pad ? " " : "") + ticks;
}

inline void block(std::ostream& out, const std::string& lang, const std::string& text) {
  std::string fence(std::max<size_t>(3, backtick_run(text) + 1), '`');
  out << fence << lang << "\n" << text;
  if (!text.empty() && text.back() != '\n') out << "\n";
  out << fence << "\n\n";
}

// s with its pipes escaped and its line breaks as spaces, for a table cell.
inline std::string unpiped(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' || c == '\r' ? std::string(" ") : std::string(1, c);
  return out;
}

inline std::string cell(const std::string& s) { return code(unpiped(s)); }

}  // namespace bootmortem::report::md
