// Small pieces of Python's behaviour that supervisord's messages and parsing
// depend on, reproduced exactly.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bootmortem::config {

// Python's ValueError as supervisor raises it: the text is supervisor's
// message, without file, line or section (the loader adds those).
class ValueError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// POSIX shlex.split(s), as supervisord splits command=. Throws
// std::invalid_argument with shlex's message ("No closing quotation",
// "No escaped character").
std::vector<std::string> shlex_split(const std::string& s);

// Python repr() of a str, as %r prints it: quoted with ' (or " when the text
// has a ' and no "), backslash escapes as Python writes them.
std::string py_repr(const std::string& s);
// How repr()/ascii() escape one code point: \xNN, \uNNNN or \UNNNNNNNN.
std::string py_escape(char32_t c);

// Python str works on code points, our strings hold UTF-8. Bytes that are not
// valid UTF-8 become U+DC80+byte (Python's surrogateescape) so nothing is lost.
std::u32string utf8_decode(const std::string& s);
std::string utf8_encode(const std::u32string& s);
std::string utf8_encode(char32_t c);

bool py_isspace(char32_t c);                       // str.isspace() of one char
std::string py_strip(const std::string& s);        // str.strip()
std::string py_rstrip(const std::string& s);       // str.rstrip()
std::vector<std::string> py_split(const std::string& s);  // str.split()
std::string py_lower(const std::string& s);        // str.lower() (ASCII and Latin-1)
std::string py_upper(const std::string& s);        // str.upper() (ASCII and Latin-1)

// int(s, base) for base 10 or 8: surrounding whitespace, a sign, "_" between
// digits, and (base 8) an "0o" prefix are accepted; nullopt where Python
// raises ValueError.
std::optional<long long> py_int(const std::string& s, int base = 10);
// int(s), throwing ValueError("invalid literal for int() with base 10: '<s>'").
long long py_int_or_throw(const std::string& s);

// os.path helpers with Python's exact textual behaviour.
std::string py_dirname(const std::string& p);
std::string py_join(const std::string& a, const std::string& b);
// os.path.expanduser with HOME taken from the given value (nullopt: unset).
std::string py_expanduser(const std::string& p, const std::optional<std::string>& home);

}  // namespace bootmortem::config
