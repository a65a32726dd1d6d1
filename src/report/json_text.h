// JSON text of a document. JSON is UTF-8; a program's output, a path or an
// environment value need not be. nlohmann's dump() throws on such bytes
// (type_error 316), which would end a report about a program that printed
// one; here they become U+FFFD instead.
#pragma once

#include <string>

namespace bootmortem::report {

template <class Json>
std::string json_text(const Json& j, int indent = 2) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace bootmortem::report
