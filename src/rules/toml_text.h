// A rule or fixture file's TOML, parsed: bad TOML is an InputError naming the
// file and line, like every other mistake in those files.
#pragma once

#include <string>

#include <toml++/toml.h>

namespace bootmortem::rules {

toml::table parse_toml(const std::string& text, const std::string& origin);

}  // namespace bootmortem::rules
