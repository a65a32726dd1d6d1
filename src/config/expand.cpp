// A re-implementation of CPython 3.11's PyUnicode_Format for a dict argument
// (Objects/unicodeobject.c: unicode_format_arg_parse / _format). The argument
// bookkeeping matters: with a dict, one unnamed conversion consumes the dict
// itself, a second fails with "not enough arguments", and a %(name) resets it.
#include "config/expand.h"

#include <algorithm>
#include <climits>
#include <cstdio>

#include "config/python.h"

namespace bootmortem::config {

Expansions::Expansions(std::initializer_list<std::pair<std::string, PyValue>> init) {
  for (const auto& [k, v] : init) set(k, v);
}

void Expansions::set(const std::string& key, PyValue value) {
  for (auto& e : entries_)
    if (e.first == key) {
      e.second = std::move(value);
      return;
    }
  entries_.emplace_back(key, std::move(value));
}

void Expansions::update(const Expansions& other) {
  for (const auto& [k, v] : other.entries_) set(k, v);
}

const PyValue* Expansions::get(const std::string& key) const {
  for (const auto& e : entries_)
    if (e.first == key) return &e.second;
  return nullptr;
}

std::vector<std::string> Expansions::sorted_keys() const {
  std::vector<std::string> keys;
  for (const auto& e : entries_) keys.push_back(e.first);
  std::sort(keys.begin(), keys.end());  // byte order of UTF-8 == code point order
  return keys;
}

namespace {

std::string value_repr(const PyValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return py_repr(*s);
  return std::to_string(std::get<long long>(v));
}

}  // namespace

std::string Expansions::repr() const {
  std::string out = "{";
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i) out += ", ";
    out += py_repr(entries_[i].first) + ": " + value_repr(entries_[i].second);
  }
  return out + "}";
}

namespace {

// The argument a conversion formats: the dict itself, or a looked-up value.
struct Arg {
  bool is_dict = true;
  PyValue value;
};

struct Spec {
  bool ljust = false, sign = false, blank = false, alt = false, zero = false;
  long width = -1, prec = -1;
};

// Python raises "width too big" / "precision too big" past PY_SSIZE_T_MAX
// and MemoryError somewhere below that, when the padding cannot be
// allocated (supervisord then dies with a traceback). bootmortem refuses
// any field wider than this, with Python's words, rather than allocate
// gigabytes: `%(here)99999999999s` is a broken config either way.
constexpr long k_max_field = 1L << 20;

const char* type_name(const Arg& a) {
  if (a.is_dict) return "dict";
  return std::holds_alternative<std::string>(a.value) ? "str" : "int";
}

// repr() but with non-ASCII escaped, as ascii() does.
std::string ascii_of(const std::string& repr) {
  std::string out;
  for (char32_t c : utf8_decode(repr)) {
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    out += py_escape(c);
  }
  return out;
}

std::string pad(const std::string& body, const Spec& spec) {
  const long len = static_cast<long>(utf8_decode(body).size());
  if (spec.width <= len) return body;
  const std::string fill(spec.width - len, ' ');
  return spec.ljust ? body + fill : fill + body;
}

std::string format_text(std::string text, const Spec& spec) {
  if (spec.prec >= 0) {
    auto u = utf8_decode(text);
    if (static_cast<long>(u.size()) > spec.prec) text = utf8_encode(u.substr(0, spec.prec));
  }
  return pad(text, spec);
}

std::string format_integer(long long v, char conv, const Spec& spec) {
  const unsigned long long mag = v < 0 ? 0ULL - static_cast<unsigned long long>(v) : v;
  char buf[64];
  const char* fmt = conv == 'o' ? "%llo" : conv == 'x' ? "%llx" : conv == 'X' ? "%llX" : "%llu";
  std::snprintf(buf, sizeof buf, fmt, mag);
  std::string digits = buf;
  if (spec.prec > static_cast<long>(digits.size())) digits.insert(0, spec.prec - digits.size(), '0');
  std::string prefix = v < 0 ? "-" : spec.sign ? "+" : spec.blank ? " " : "";
  if (spec.alt && conv == 'o') prefix += "0o";
  if (spec.alt && (conv == 'x' || conv == 'X')) prefix += conv == 'x' ? "0x" : "0X";
  const long len = static_cast<long>(prefix.size() + digits.size());
  if (spec.zero && !spec.ljust && spec.width > len) digits.insert(0, spec.width - len, '0');
  return pad(prefix + digits, spec);
}

std::string format_float(double v, char conv, const Spec& spec) {
  std::string f = "%";
  if (spec.ljust) f += '-';
  if (spec.sign) f += '+';
  if (spec.blank) f += ' ';
  if (spec.alt) f += '#';
  if (spec.zero) f += '0';
  if (spec.width >= 0) f += std::to_string(spec.width);
  f += '.' + std::to_string(spec.prec >= 0 ? spec.prec : 6);
  f += conv;
  char buf[512];
  std::snprintf(buf, sizeof buf, f.c_str(), v);
  return buf;
}

}  // namespace

std::string py_format(const std::string& fmt, const Expansions& mapping) {
  const auto u = utf8_decode(fmt);
  const size_t n = u.size();
  std::string out;
  Arg arg;             // starts as the dict itself
  bool arg_used = false;
  auto next_arg = [&]() -> const Arg& {
    if (arg_used) throw FormatError("not enough arguments for format string");
    arg_used = true;
    return arg;
  };
  size_t i = 0;
  while (i < n) {
    if (u[i] != U'%') {
      out += utf8_encode(u[i++]);
      continue;
    }
    ++i;
    if (i >= n) throw FormatError("incomplete format");
    if (u[i] == U'%') {  // only "%%" is a literal: "%5%" is an error
      out += '%';
      ++i;
      continue;
    }
    if (u[i] == U'(') {
      size_t depth = 1, start = ++i;
      while (i < n && depth > 0) {
        if (u[i] == U')') --depth;
        else if (u[i] == U'(') ++depth;
        ++i;
      }
      if (depth > 0) throw FormatError("incomplete format key");
      const std::string key = utf8_encode(u.substr(start, i - 1 - start));
      const PyValue* v = mapping.get(key);
      if (!v) throw FormatKeyError(py_repr(key));
      arg = Arg{false, *v};
      arg_used = false;
    }
    Spec spec;
    for (; i < n; ++i) {
      const char32_t c = u[i];
      if (c == U'-') spec.ljust = true;
      else if (c == U'+') spec.sign = true;
      else if (c == U' ') spec.blank = true;
      else if (c == U'#') spec.alt = true;
      else if (c == U'0') spec.zero = true;
      else break;
    }
    auto star = [&]() -> long {
      const Arg& a = next_arg();
      if (a.is_dict || !std::holds_alternative<long long>(a.value)) throw FormatError("* wants int");
      ++i;
      return static_cast<long>(std::get<long long>(a.value));
    };
    auto number = [&](const char* too_big) -> long {
      long v = 0;
      while (i < n && u[i] >= U'0' && u[i] <= U'9') {
        v = v * 10 + (u[i++] - U'0');
        if (v > k_max_field) throw FormatError(too_big);
      }
      return v;
    };
    if (i < n && u[i] == U'*') {
      spec.width = star();
      if (spec.width < 0) {
        spec.ljust = true;
        // The width only ever comes from a %(key)'s own int, and the
        // conversion after it fails ("not enough arguments", as in Python);
        // negating LONG_MIN on the way there would be UB.
        spec.width = spec.width == LONG_MIN ? LONG_MAX : -spec.width;
      }
    } else if (i < n && u[i] >= U'0' && u[i] <= U'9') {
      spec.width = number("width too big");
    }
    if (i < n && u[i] == U'.') {
      ++i;
      spec.prec = 0;
      if (i < n && u[i] == U'*') spec.prec = std::max(0L, star());
      else spec.prec = number("precision too big");
    }
    if (i < n && (u[i] == U'h' || u[i] == U'l' || u[i] == U'L')) ++i;
    if (i >= n) throw FormatError("incomplete format");
    const char32_t conv = u[i];
    const size_t conv_index = i++;
    const Arg& a = next_arg();
    const auto* text = a.is_dict ? nullptr : std::get_if<std::string>(&a.value);
    const auto* num = a.is_dict ? nullptr : std::get_if<long long>(&a.value);
    switch (conv) {
      case U's':
        out += format_text(a.is_dict ? mapping.repr() : text ? *text : std::to_string(*num), spec);
        break;
      case U'r':
      case U'a': {
        std::string r = a.is_dict ? mapping.repr() : text ? py_repr(*text) : std::to_string(*num);
        out += format_text(conv == U'a' ? ascii_of(r) : r, spec);
        break;
      }
      case U'd':
      case U'i':
      case U'u':
      case U'o':
      case U'x':
      case U'X': {
        if (!num) {
          const bool decimal = conv == U'd' || conv == U'i' || conv == U'u';
          throw FormatError(std::string("%") + static_cast<char>(conv) + " format: " +
                            (decimal ? "a real number" : "an integer") + " is required, not " + type_name(a));
        }
        out += format_integer(*num, conv == U'i' || conv == U'u' ? 'd' : static_cast<char>(conv), spec);
        break;
      }
      case U'e':
      case U'E':
      case U'f':
      case U'F':
      case U'g':
      case U'G':
        if (!num) throw FormatError(std::string("must be real number, not ") + type_name(a));
        out += format_float(static_cast<double>(*num), static_cast<char>(conv), spec);
        break;
      case U'c': {
        std::string ch;
        if (num && *num >= 0 && *num < 0x110000) ch = utf8_encode(static_cast<char32_t>(*num));
        else if (num) throw FormatError("%c arg not in range(0x110000)");
        else if (text && utf8_decode(*text).size() == 1) ch = *text;
        else throw FormatError("%c requires int or char");
        out += pad(ch, spec);
        break;
      }
      default: {
        char buf[128];
        const char shown = (conv > 31 && conv < 128) ? static_cast<char>(conv) : '?';
        std::snprintf(buf, sizeof buf, "unsupported format character '%c' (0x%x) at index %zu", shown,
                      static_cast<unsigned>(conv), conv_index);
        throw FormatError(buf);
      }
    }
  }
  return out;
}

std::string expand(const std::string& s, const Expansions& expansions, const std::string& name) {
  try {
    return py_format(s, expansions);
  } catch (const FormatKeyError& e) {
    std::string available;
    for (const auto& k : expansions.sorted_keys()) available += (available.empty() ? "" : ", ") + k;
    throw ValueError("Format string " + py_repr(s) + " for " + py_repr(name) + " contains names (" + e.what() +
                     ") which cannot be expanded. Available names: " + available);
  } catch (const FormatError& e) {
    throw ValueError("Format string " + py_repr(s) + " for " + py_repr(name) + " is badly formatted: " + e.what());
  }
}

}  // namespace bootmortem::config
