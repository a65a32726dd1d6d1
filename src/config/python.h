// Small pieces of Python's behaviour that supervisord's messages and parsing
// depend on, reproduced exactly.
#pragma once

#include <string>
#include <vector>

namespace bootmortem::config {

// POSIX shlex.split(s), as supervisord splits command=. Throws
// std::invalid_argument with shlex's message ("No closing quotation",
// "No escaped character").
std::vector<std::string> shlex_split(const std::string& s);

// Python repr() of a str, as %r prints it: quoted with ' (or " when the text
// has a ' and no "), backslash escapes as Python writes them.
std::string py_repr(const std::string& s);

}  // namespace bootmortem::config
