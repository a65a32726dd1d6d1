// supervisor's environment= grammar (datatypes.dict_of_key_value_pairs), as
// Debian's 4.2.5 runs it: legacy shlex, four tokens per pair.
#pragma once

#include <string>

#include "core/env.h"

namespace bootmortem::config {

// Throws ValueError with supervisor's message:
// "Unexpected end of key/value pairs in value '<value>'" or shlex's
// "No closing quotation".
core::Env dict_of_key_value_pairs(const std::string& value);

}  // namespace bootmortem::config
