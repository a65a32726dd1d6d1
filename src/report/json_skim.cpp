#include "report/json_skim.h"

#include <array>
#include <cstring>
#include <vector>

namespace bootmortem::report {
namespace {

bool blank(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// The closing quote of the string whose opening quote is at open: the next
// quote not escaped (not after an odd run of backslashes); npos when the
// text ends first.
size_t string_end(std::string_view t, size_t open) {
  size_t p = open + 1;
  for (;;) {
    const void* q = p < t.size() ? std::memchr(t.data() + p, '"', t.size() - p) : nullptr;
    if (!q) return std::string_view::npos;
    const size_t quote = static_cast<const char*>(q) - t.data();
    size_t backslashes = 0;
    while (quote - backslashes > open + 1 && t[quote - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote;
    p = quote + 1;
  }
}

// The byte after the value starting at p (a string, a container or a
// scalar); npos when the text ends first.
size_t value_end(std::string_view t, size_t p) {
  if (t[p] == '"') {
    const size_t q = string_end(t, p);
    return q == std::string_view::npos ? q : q + 1;
  }
  if (t[p] == '{' || t[p] == '[') {
    // Only quotes and brackets matter inside: the rest is passed over by
    // one table lookup a byte.
    static const auto k_special = [] {
      std::array<bool, 256> a{};
      for (unsigned char c : std::string_view("\"{}[]")) a[c] = true;
      return a;
    }();
    const char* d = t.data();
    size_t depth = 0;
    for (; p < t.size(); ++p) {
      while (p < t.size() && !k_special[static_cast<unsigned char>(d[p])]) ++p;
      if (p == t.size()) break;
      const char c = d[p];
      if (c == '"') {
        p = string_end(t, p);
        if (p == std::string_view::npos) return p;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (--depth == 0) {
        return p + 1;
      }
    }
    return std::string_view::npos;
  }
  while (p < t.size() && !blank(t[p]) && t[p] != ',' && t[p] != '}' && t[p] != ']') ++p;
  return p < t.size() ? p : std::string_view::npos;
}

// A string's raw text [open, close] cut to its last max bytes: the cut
// moves forward past UTF-8 continuation bytes and out of an escape.
void append_string(std::string& kept, std::string_view t, size_t open, size_t close, size_t max) {
  size_t from = open + 1;
  if (close - from > max) {
    from = close - max;
    while (from < close && (static_cast<unsigned char>(t[from]) & 0xC0) == 0x80) ++from;
    size_t backslashes = 0;
    while (t[from - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 1) from += t[from] == 'u' ? 5 : 1;  // the escaped character, or \uXXXX
    if (from > close) from = close;
  }
  kept += '"';
  kept.append(t.data() + from, close - from);
  kept += '"';
}

}  // namespace

Skim skim_document(std::string_view t, size_t from, const SkimOptions& o, std::string& kept) {
  kept.clear();
  Skim s;
  size_t p = from;
  while (p < t.size() && blank(t[p])) ++p;
  s.begin = p;
  if (p == t.size()) return s;
  if (t[p] != '{' && t[p] != '[') {
    s.result = Skim::Result::NotJson;
    s.at = p;
    return s;
  }
  std::vector<char> open;  // the containers p is in
  bool expect_key = false;
  size_t string_max = o.max_string;  // for the value of the member just read
  while (p < t.size()) {
    const char c = t[p];
    if (blank(c)) {
      ++p;
      continue;
    }
    if (kept.size() > o.max_kept) {
      s.result = Skim::Result::TooLarge;
      s.at = from;
      return s;
    }
    switch (c) {
      case '{':
      case '[':
        string_max = o.max_string;
        open.push_back(c);
        kept += c;
        expect_key = c == '{';
        ++p;
        break;
      case '}':
      case ']':
        if (open.empty() || open.back() != (c == '}' ? '{' : '[')) {
          s.result = Skim::Result::NotJson;
          s.at = p;
          return s;
        }
        open.pop_back();
        kept += c;
        ++p;
        if (open.empty()) {
          s.result = Skim::Result::Done;
          s.end = p;
          return s;
        }
        expect_key = false;
        break;
      case ',':
        kept += c;
        ++p;
        expect_key = !open.empty() && open.back() == '{';
        break;
      case ':':
        kept += c;
        ++p;
        break;
      case '"': {
        const size_t close = string_end(t, p);
        if (close == std::string_view::npos) return s;
        if (!expect_key) {
          append_string(kept, t, p, close, string_max);
          string_max = o.max_string;
          p = close + 1;
          break;
        }
        expect_key = false;
        const std::string_view key = t.substr(p + 1, close - p - 1);
        kept.append(t.data() + p, close + 1 - p);
        p = close + 1;
        string_max = o.tails && o.tails->count(key) ? o.tail_max : o.max_string;
        if (!o.keep || o.keep->count(key)) break;
        // A member not kept: its value becomes null, unread.
        while (p < t.size() && blank(t[p])) ++p;
        if (p == t.size()) return s;
        if (t[p] != ':') {
          s.result = Skim::Result::NotJson;
          s.at = p;
          return s;
        }
        ++p;
        while (p < t.size() && blank(t[p])) ++p;
        if (p == t.size()) return s;
        const size_t end = value_end(t, p);
        if (end == std::string_view::npos) return s;
        kept += ":null";
        p = end;
        break;
      }
      default: {  // a number, true, false, null: nlohmann checks it
        const size_t end = value_end(t, p);
        if (end == std::string_view::npos) return s;
        kept.append(t.data() + p, end - p);
        p = end;
        break;
      }
    }
  }
  return s;  // Incomplete
}

}  // namespace bootmortem::report
