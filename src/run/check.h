// `bootmortem check`: a CI smoke-check of a deploy config, every program of
// it (or those named) replayed as supervisord would start it.
#pragma once

#include <string>
#include <vector>

#include "run/diagnose.h"

namespace bootmortem::run {

struct CheckOptions {
  std::vector<std::string> programs;  // none: all of them
  DiagnoseOptions d;                  // config, base env, startsecs, rules, format, redaction, tracer
};

// Returns the process exit code; throws core::InputError / core::SystemError.
int check(const CheckOptions& o);

}  // namespace bootmortem::run
