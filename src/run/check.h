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
  // --root DIR: a staged root filesystem the programs are replayed in
  // (run/staged_root.h); the config path (-c) and every path in it are
  // DIR's, and so are the users and the login profiles.
  std::optional<std::string> root;
};

// Returns the process exit code; throws core::InputError / core::SystemError.
int check(const CheckOptions& o);

}  // namespace bootmortem::run
