// The vocabulary a rule may name: facts, values, and the names the engine
// itself provides. One table each, so the loader's lint, the matcher and
// rules/README.md agree.
#pragma once

#include <string>
#include <vector>

namespace bootmortem::rules {

struct FactName {
  const char* name;
  // How a finding cites the fact when a rule relied on it being true; a
  // template over Evidence.values. Empty: not worth citing.
  const char* citation;
};

// Every fact evidence::make_evidence fills (evidence.h's comment), and how it
// reads in a report.
const std::vector<FactName>& fact_names();
bool is_fact(const std::string& name);
const char* fact_citation(const std::string& name);

// Every value evidence::make_evidence fills.
const std::vector<std::string>& value_names();
bool is_value(const std::string& name);

// Captures a syscall condition sets from the syscall it matched.
const std::vector<std::string>& syscall_capture_names();

// Names only the engine fills: the config line built from set_env.
inline constexpr const char* k_config_line = "config_line";
// {login_env.X}: the user's login value of variable X, or of the variable
// whose name the capture or value X holds.
inline constexpr const char* k_login_env_prefix = "login_env.";

}  // namespace bootmortem::rules
