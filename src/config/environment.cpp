// Why this is a faithful copy rather than a sane parser: supervisor walks the
// token list in steps of four and never looks at the fourth token, so any
// token separates pairs and unquoted values stop at the first non-word
// character without an error (`A=$HOME/x` gives A="$"). bootmortem must
// reproduce those silent truncations to replay what the child really gets.
#include "config/environment.h"

#include "config/python.h"
#include "config/shlex.h"

namespace bootmortem::config {

namespace {

// str.strip('\'"'): any run of quote characters at either end.
std::string strip_quotes(const std::string& s) {
  const auto b = s.find_first_not_of("'\"");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of("'\"");
  return s.substr(b, e - b + 1);
}

}  // namespace

core::Env dict_of_key_value_pairs(const std::string& value) {
  // supervisor adds these to shlex's ASCII letters, digits and '_'.
  const auto tokens = shlex_legacy_tokens(value, "/.+-():");
  core::Env env;
  for (size_t i = 0; i < tokens.size(); i += 4) {
    if (i + 3 > tokens.size() || tokens[i + 1] != "=")
      throw ValueError("Unexpected end of key/value pairs in value '" + value + "'");
    env.set(tokens[i], strip_quotes(tokens[i + 2]));
  }
  return env;
}

}  // namespace bootmortem::config
