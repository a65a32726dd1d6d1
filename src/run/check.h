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
  // --static: run nothing; check each program's users, files and keys
  // against this host (evidence/preflight.h) and report the pack's
  // pre-flight findings at their config lines.
  bool static_only = false;
};

// Returns the process exit code; throws core::InputError / core::SystemError.
// A program whose config has a problem of this host (user= unknown here) is
// not replayed: it fails with that line, as supervisord here would refuse
// the whole config; the others are replayed.
int check(const CheckOptions& o);

// `check --static`: 1 when a program has a failing result, else 0.
int check_static(const CheckOptions& o);

}  // namespace bootmortem::run
