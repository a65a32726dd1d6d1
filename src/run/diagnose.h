// `bootmortem diagnose`: config -> spawn -> trace -> evidence -> rules -> report.
#pragma once

#include <optional>
#include <string>

#include "report/report.h"
#include "trace/trace.h"

namespace bootmortem::run {

struct DiagnoseOptions {
  std::string program;
  std::optional<std::string> config;     // -c
  std::optional<std::string> base_env;   // FILE or "systemd"
  std::optional<double> startsecs;
  std::optional<std::string> rules_dir;
  report::Format format = report::Format::Text;
  bool redact = true;
  bool color = false;
  bool replay = false;                   // even when the live supervisord runs it
  trace::TracerKind tracer = trace::TracerKind::Auto;
};

// Returns the process exit code; throws core::InputError / core::SystemError.
int diagnose(const DiagnoseOptions& o);

// The rule directory: --rules, $BOOTMORTEM_RULES, the installed pack, or the
// source tree's when running from a build directory.
std::string rules_dir(const std::optional<std::string>& given);

}  // namespace bootmortem::run
