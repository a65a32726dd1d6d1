// Both modes of Python 3.11's shlex.shlex.read_token that supervisor uses, as
// state machines over code points (a non-ASCII letter is one character to
// Python: "café" tokenises as "caf" + "é", not as two stray bytes).
#include <deque>

#include "config/python.h"
#include "config/shlex.h"

namespace bootmortem::config {

namespace {

constexpr char32_t kEof = 0;  // read(1) returning '' (a NUL byte is not expected in a config)
const std::u32string kWhitespace = U" \t\r\n";
const std::u32string kQuotes = U"'\"";

bool in(char32_t c, const std::u32string& set) { return c != kEof && set.find(c) != std::u32string::npos; }

class Reader {
 public:
  explicit Reader(std::u32string s) : s_(std::move(s)) {}
  char32_t read() { return pos_ < s_.size() ? s_[pos_++] : kEof; }
  void readline() {  // instream.readline(): up to and including '\n'
    while (pos_ < s_.size() && s_[pos_++] != U'\n') {
    }
  }

 private:
  std::u32string s_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<std::string> shlex_legacy_tokens(const std::string& s, const std::string& extra_wordchars) {
  const std::u32string wordchars =
      U"abcdfeghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_" + utf8_decode(extra_wordchars);
  const std::u32string commenters = U"#";
  Reader in_stream(utf8_decode(s));
  std::deque<char32_t> pushback;
  char32_t state = U' ';
  bool at_eof = false;  // state None
  std::vector<std::string> tokens;

  for (;;) {
    // get_token(): a pushed-back character is a token of its own.
    if (!pushback.empty()) {
      tokens.push_back(utf8_encode(pushback.front()));
      pushback.pop_front();
      continue;
    }
    std::u32string token;
    for (;;) {
      if (at_eof) break;
      const char32_t c = in_stream.read();
      if (state == U' ') {
        if (c == kEof) {
          at_eof = true;
          break;
        } else if (in(c, kWhitespace)) {
          if (!token.empty()) break;
        } else if (in(c, commenters)) {
          in_stream.readline();
        } else if (in(c, wordchars)) {
          token = c;
          state = U'a';
        } else if (in(c, kQuotes)) {
          token = c;
          state = c;
        } else {
          token = c;
          break;
        }
      } else if (state == U'\'' || state == U'"') {
        if (c == kEof) throw ValueError("No closing quotation");
        token.push_back(c);
        if (c == state) {
          state = U' ';
          break;
        }
      } else {  // 'a': inside a word
        if (c == kEof) {
          at_eof = true;
          break;
        } else if (in(c, kWhitespace)) {
          state = U' ';
          if (!token.empty()) break;
        } else if (in(c, commenters)) {
          // Legacy mode skips the rest of the line and stays in the word:
          // "A=foo#bar\nB" reads as the single word "fooB".
          in_stream.readline();
        } else if (in(c, wordchars) || in(c, kQuotes)) {
          token.push_back(c);
        } else {
          pushback.push_back(c);
          state = U' ';
          if (!token.empty()) break;
        }
      }
    }
    if (token.empty()) break;  // legacy eof is ''
    tokens.push_back(utf8_encode(token));
  }
  return tokens;
}

std::vector<std::string> shlex_split(const std::string& s) {
  // shlex(s, posix=True) with whitespace_split=True and no commenters: every
  // non-blank character is a word character, so ASCII-only logic is exact
  // and multi-byte UTF-8 passes through untouched.
  std::vector<std::string> out;
  std::string token;
  bool quoted = false;
  char state = ' ';
  char escaped_state = ' ';
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  size_t i = 0;
  for (;;) {
    const bool eof = i >= s.size();
    const char c = eof ? '\0' : s[i++];
    if (state == ' ' || state == 'a') {
      if (eof) break;
      if (is_ws(c)) {
        if (!token.empty() || quoted) out.push_back(token);
        token.clear();
        quoted = false;
        state = ' ';
      } else if (c == '\\') {
        escaped_state = 'a';
        state = '\\';
      } else if (c == '\'' || c == '"') {
        state = c;
      } else {
        token += c;
        state = 'a';
      }
    } else if (state == '\'' || state == '"') {
      quoted = true;
      if (eof) throw ValueError("No closing quotation");
      if (c == state) {
        state = 'a';
      } else if (c == '\\' && state == '"') {
        escaped_state = state;
        state = '\\';
      } else {
        token += c;
      }
    } else {  // after a backslash
      if (eof) throw ValueError("No escaped character");
      // Inside double quotes only \" and \\ are escapes; else the backslash stays.
      if ((escaped_state == '"' || escaped_state == '\'') && c != '\\' && c != escaped_state) token += '\\';
      token += c;
      state = escaped_state;
    }
  }
  if (!token.empty() || quoted) out.push_back(token);
  return out;
}

}  // namespace bootmortem::config
