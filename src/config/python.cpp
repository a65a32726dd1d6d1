// Python str, int and os.path behaviour that supervisor's config handling
// leans on. Each function names the Python it stands for; where a message is
// produced it is Python's, byte for byte, because users grep for it.
#include "config/python.h"

#include <fmt/format.h>
#include <limits>

namespace bootmortem::config {

std::u32string utf8_decode(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xc0) == 0x80;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok) {  // surrogateescape: keep the byte, visibly
      out.push_back(0xdc00 + b);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::string utf8_encode(char32_t c) {
  std::string out;
  if (c >= 0xdc80 && c <= 0xdcff) {
    out.push_back(static_cast<char>(c - 0xdc00));
  } else if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  }
  return out;
}

std::string utf8_encode(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) out += utf8_encode(c);
  return out;
}

bool py_isspace(char32_t c) {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
         c == 0x202f || c == 0x205f || c == 0x3000;
}

namespace {

std::string strip_impl(const std::string& s, bool left) {
  auto u = utf8_decode(s);
  size_t b = 0, e = u.size();
  if (left)
    while (b < e && py_isspace(u[b])) ++b;
  while (e > b && py_isspace(u[e - 1])) --e;
  return utf8_encode(u.substr(b, e - b));
}

// Code points Python prints as-is in repr(): isprintable(). Exact for
// Latin-1; above it the common separator and format ranges are excluded.
bool py_isprintable(char32_t c) {
  if (c < 0x20 || c == 0x7f) return false;
  if (c >= 0x80 && c <= 0xa0) return false;
  if (c == 0xad) return false;
  if (c >= 0xd800 && c <= 0xdfff) return false;
  if (c == 0x1680 || (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f)) return false;
  if ((c >= 0x205f && c <= 0x206f) || c == 0x3000 || c == 0xfeff) return false;
  if ((c >= 0xe000 && c <= 0xf8ff) || (c >= 0xfff9 && c <= 0xfffb)) return false;
  return true;
}

}  // namespace

std::string py_strip(const std::string& s) { return strip_impl(s, true); }
std::string py_rstrip(const std::string& s) { return strip_impl(s, false); }

std::vector<std::string> py_split(const std::string& s) {
  std::vector<std::string> out;
  std::u32string cur;
  bool in_word = false;
  for (char32_t c : utf8_decode(s)) {
    if (py_isspace(c)) {
      if (in_word) out.push_back(utf8_encode(cur));
      cur.clear();
      in_word = false;
    } else {
      cur.push_back(c);
      in_word = true;
    }
  }
  if (in_word) out.push_back(utf8_encode(cur));
  return out;
}

std::string py_lower(const std::string& s) {
  auto u = utf8_decode(s);
  for (auto& c : u)
    if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7)) c += 0x20;
  return utf8_encode(u);
}

std::string py_upper(const std::string& s) {
  auto u = utf8_decode(s);
  for (auto& c : u)
    if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7)) c -= 0x20;
  return utf8_encode(u);
}

std::string py_escape(char32_t c) {
  const auto u = static_cast<uint32_t>(c);
  if (c < 0x100) return fmt::format("\\x{:02x}", u);
  if (c < 0x10000) return fmt::format("\\u{:04x}", u);
  return fmt::format("\\U{:08x}", u);
}

std::string py_repr(const std::string& s) {
  auto u = utf8_decode(s);
  const bool has_single = u.find(U'\'') != std::u32string::npos;
  const bool has_double = u.find(U'"') != std::u32string::npos;
  const char32_t quote = (has_single && !has_double) ? U'"' : U'\'';
  std::string out(1, static_cast<char>(quote));
  for (char32_t c : u) {
    if (c == quote || c == U'\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == U'\t') {
      out += "\\t";
    } else if (c == U'\n') {
      out += "\\n";
    } else if (c == U'\r') {
      out += "\\r";
    } else if (py_isprintable(c)) {
      out += utf8_encode(c);
    } else {
      out += py_escape(c);
    }
  }
  out += static_cast<char>(quote);
  return out;
}

std::optional<long long> py_int(const std::string& text, int base) {
  auto u = utf8_decode(py_strip(text));
  size_t i = 0;
  bool negative = false;
  if (i < u.size() && (u[i] == '+' || u[i] == '-')) negative = u[i++] == '-';
  bool prefixed = false;
  if (base == 8 && i + 1 < u.size() && u[i] == '0' && (u[i + 1] == 'o' || u[i + 1] == 'O')) {
    i += 2;
    prefixed = true;
  }
  auto is_digit = [&](size_t k) {
    return k < u.size() && u[k] >= '0' && u[k] < static_cast<char32_t>('0' + base);
  };
  if (prefixed && i < u.size() && u[i] == '_') ++i;  // "0o_7" is valid
  if (!is_digit(i)) return std::nullopt;
  // Python's ints have no limit; ours pin at +-LLONG_MAX, past which every
  // check that follows (signal, exit code, uid) still gives Python's verdict.
  constexpr long long k_limit = std::numeric_limits<long long>::max();
  long long value = 0;
  while (i < u.size()) {
    if (u[i] == '_') ++i;  // one underscore, and only between digits
    if (!is_digit(i)) return std::nullopt;
    const int digit = static_cast<int>(u[i++] - '0');
    value = value > (k_limit - digit) / base ? k_limit : value * base + digit;
  }
  return negative ? -value : value;
}

long long py_int_or_throw(const std::string& s) {
  if (auto v = py_int(s, 10)) return *v;
  throw ValueError("invalid literal for int() with base 10: " + py_repr(s));
}

std::string py_dirname(const std::string& p) {
  const auto slash = p.rfind('/');
  std::string head = slash == std::string::npos ? "" : p.substr(0, slash + 1);
  // Trailing slashes go, unless the head is nothing but slashes.
  if (!head.empty() && head.find_first_not_of('/') != std::string::npos)
    while (!head.empty() && head.back() == '/') head.pop_back();
  return head;
}

std::string py_join(const std::string& a, const std::string& b) {
  if (b.starts_with('/')) return b;
  if (a.empty() || a.ends_with('/')) return a + b;
  return a + "/" + b;
}

std::string py_expanduser(const std::string& p, const std::optional<std::string>& home) {
  if (!p.starts_with('~')) return p;
  const auto slash = p.find('/');
  if (slash != 1 && p.size() != 1) return p;  // ~user: left alone (no passwd lookup here)
  if (!home) return p;
  std::string h = *home;
  while (h.size() > 1 && h.back() == '/') h.pop_back();
  return (h.empty() ? "/" : h) + p.substr(1);
}

}  // namespace bootmortem::config
