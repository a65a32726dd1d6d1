// Secrets never reach a report unless asked (DESIGN.md, Safety). Names are
// judged by their word parts so API_KEY is secret and KEYBOARD is not; the
// tables say which parts count, and the tests pin the borderline names.
#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "report/report.h"
#include "report/view.h"

namespace bootmortem::report {
namespace {

// A part that is exactly one of these makes the name secret.
const std::set<std::string> k_secret_parts = {
    "KEY",  "KEYS",  "APIKEY",  "ACCESSKEY",   "SECRETKEY", "PRIVKEY", "TOKEN",  "TOKENS",
    "AUTH", "PASS",  "PRIVATE", "SESSION",     "CREDS",     "COOKIE",  "CREDENTIAL",
    "CREDENTIALS", "AUTHORIZATION", "BEARER", "SIGNATURE", "PASSPHRASE",
};
// A part that contains one of these makes the name secret (DBPASSWORD,
// MYSECRET, PGPASSWORD).
const char* const k_secret_substrings[] = {"PASSWORD", "PASSWD", "SECRET", "CREDENTIAL"};
// A part ending in one of these (ACCESSTOKEN, GITHUBTOKEN, but not TOKENIZERS).
const char* const k_secret_suffixes[] = {"TOKEN"};
// Names with a secret-looking part whose value is an address or an id that
// the reader needs and that grants nothing.
const std::set<std::string> k_not_secret = {
    "SSH_AUTH_SOCK",       "XDG_SESSION_ID",          "XDG_SESSION_TYPE", "XDG_SESSION_CLASS",
    "XDG_SESSION_DESKTOP", "DBUS_SESSION_BUS_ADDRESS", "DESKTOP_SESSION",
};

// Whole names that are secret though no part looks it (MySQL's client
// reads its password from MYSQL_PWD; PWD alone is the working directory).
const std::set<std::string> k_secret_names = {"MYSQL_PWD"};

// Upper-cased word parts: split on anything not alphanumeric and where a
// lower-case letter meets an upper-case one (apiKey -> API, KEY).
std::vector<std::string> parts(const std::string& name) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = name[i];
    if (!std::isalnum(c)) {
      if (!out.back().empty()) out.emplace_back();
      continue;
    }
    if (i > 0 && std::isupper(c) && std::islower(static_cast<unsigned char>(name[i - 1])) &&
        !out.back().empty())
      out.emplace_back();
    out.back() += static_cast<char>(std::toupper(c));
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const RE2& url_credentials() {
  // scheme://user:password@ — the password is everything up to the '@'.
  static const RE2 re(R"(([A-Za-z][A-Za-z0-9+.\-]*://[^\s/:@'"]*:)[^\s/@'"]+@)");
  return re;
}

const RE2& assignment() {
  // NAME=value or --name=value inside free text; the name decides. A quoted
  // value is masked whole (environment=SECRET_KEY="a b" in a patch).
  static const RE2 re(R"re(([A-Za-z_][A-Za-z0-9_.\-]*)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s,;'"&]+)))re");
  return re;
}

const RE2& quoted_key() {
  // "name": "value" and 'name': 'value', as JSON and Python dicts print
  // them (a settings dump in a traceback).
  static const RE2 re(R"re(["']([A-Za-z_][A-Za-z0-9_.\-]*)["']\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'))re");
  return re;
}

const RE2& auth_header() {
  // An HTTP Authorization header or a bearer token echoed in a log line:
  // the credential is whatever follows the scheme.
  static const RE2 re(
      R"re((?i)(?:(?:proxy-)?authorization\s*[:=]\s*(?:(?:bearer|basic|token|digest)\s+)?([^\s,;'"]+))|(?:\bbearer\s+([A-Za-z0-9\-._~+/]+=*)))re");
  return re;
}

// Each match's first value group that matched is replaced by ***. With
// `named`, group 1 is a name and only secret names count.
std::string mask(const std::string& text, const RE2& re, bool named) {
  const int n = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(n);
  std::vector<RE2::Arg> args(n);
  std::vector<const RE2::Arg*> ptrs(n);
  for (int i = 0; i < n; ++i) {
    args[i] = RE2::Arg(&groups[i]);
    ptrs[i] = &args[i];
  }
  std::string result;
  re2::StringPiece input(text);
  const char* last = text.data();
  while (RE2::FindAndConsumeN(&input, re, ptrs.data(), n)) {
    if (named && !secret_name(std::string(groups[0]))) {
      // Look again right after the name: its "value" may hold the secret
      // assignment (environment=SECRET_KEY="..." names "environment").
      const char* resume = groups[0].data() + groups[0].size();
      input = re2::StringPiece(resume, text.data() + text.size() - resume);
      continue;
    }
    for (int i = named ? 1 : 0; i < n; ++i) {
      const auto& g = groups[i];
      if (g.data() == nullptr || g.empty() || g == "***") continue;
      result.append(last, g.data() - last);
      result += "***";
      last = g.data() + g.size();
      break;
    }
  }
  result.append(last, text.data() + text.size() - last);
  return result;
}

}  // namespace

bool secret_name(const std::string& name) {
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (k_not_secret.count(upper)) return false;
  if (k_secret_names.count(upper)) return true;
  for (const auto& p : parts(name)) {
    if (k_secret_parts.count(p)) return true;
    for (const char* s : k_secret_substrings)
      if (p.find(s) != std::string::npos) return true;
    for (const char* s : k_secret_suffixes)
      if (ends_with(p, s)) return true;
  }
  return false;
}

namespace {

bool contains_nocase(const std::string& text, std::string_view word) {
  return std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         }) != text.end();
}

}  // namespace

// Each pattern runs only on text that holds what it cannot match without
// (most paths and argv words hold none): the patterns are compiled on first
// use, and a trace that needs none of them never pays for that.
std::string redact_text(const std::string& text) {
  std::string out = text;
  if (out.find("://") != std::string::npos && out.find('@') != std::string::npos)
    RE2::GlobalReplace(&out, url_credentials(), R"(\1***@)");
  // Headers first: HTTP_AUTHORIZATION=Token abc is a header's value, and
  // the assignment rule alone would stop at the space.
  if (contains_nocase(out, "authorization") || contains_nocase(out, "bearer")) out = mask(out, auth_header(), false);
  if (out.find('=') != std::string::npos) out = mask(out, assignment(), true);
  if (out.find(':') != std::string::npos && out.find_first_of("\"'") != std::string::npos)
    out = mask(out, quoted_key(), true);
  return out;
}

std::string redact_value(const std::string& name, const std::string& value) {
  if (secret_name(name) && !value.empty()) return "***";
  return redact_text(value);
}

std::vector<std::string> redact_argv(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  bool mask_next = false;
  for (const auto& a : argv) {
    if (mask_next) {
      out.push_back("***");
      mask_next = false;
      continue;
    }
    out.push_back(redact_text(a));
    // "--password hunter2": the flag names the secret, the next word is it.
    size_t name = a.find_first_not_of('-');
    if (name > 0 && name != std::string::npos && a.find('=') == std::string::npos)
      mask_next = secret_name(a.substr(name));
  }
  return out;
}

}  // namespace bootmortem::report
