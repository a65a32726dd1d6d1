// Which host and when, in every JSON document bootmortem writes: "host"
// (hostname, boot_id) and "time" right after "schema", so that reports of
// many hosts merge (`bootmortem summarize`).
#pragma once

#include <nlohmann/json.hpp>

#include "core/host.h"

namespace bootmortem::report {

// {"schema": schema, "host": {...}, "time": "..."}; host and time are left
// out when the stamp is empty (a program inside a check document, whose
// check has them, and tests).
inline nlohmann::ordered_json headed(const char* schema, const core::Stamp& s) {
  nlohmann::ordered_json j = {{"schema", schema}};
  if (s.hostname.empty() && s.time.empty()) return j;
  auto text = [](const std::string& v) { return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v); };
  j["host"] = {{"hostname", text(s.hostname)}, {"boot_id", text(s.boot_id)}};
  j["time"] = text(s.time);
  return j;
}

}  // namespace bootmortem::report
