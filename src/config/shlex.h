// Python's shlex tokeniser in its legacy (non-POSIX) mode, the mode
// supervisor 4.2.5's dict_of_key_value_pairs runs it in. shlex_split (POSIX
// mode, for command=) is declared in python.h.
#pragma once

#include <string>
#include <vector>

namespace bootmortem::config {

// list(shlex.shlex(s)) after `lexer.wordchars += extra_wordchars`: legacy
// mode, '#' comments, quotes kept on quoted tokens, no escapes. Throws
// ValueError("No closing quotation").
std::vector<std::string> shlex_legacy_tokens(const std::string& s, const std::string& extra_wordchars);

}  // namespace bootmortem::config
