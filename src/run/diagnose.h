// `bootmortem diagnose`: config -> spawn -> trace -> evidence -> rules -> report.
#pragma once

#include <optional>
#include <string>

#include "report/report.h"
#include "run/progress.h"
#include "trace/trace.h"

namespace bootmortem::run {

// The settle window's default. The late deaths it is for come within a few
// seconds of startsecs: a gunicorn or uWSGI worker that fails its boot
// (0.5-1.5 s idle, several times that on a loaded machine or under ptrace), a
// framework's import-time checks (Django's 1-3 s), a refused or unresolvable
// backend (glibc's resolver gives up a try after 5 s). A program that stays up
// costs startsecs + this; one that exits ends the watch at once.
inline constexpr double k_default_watch = 5.0;

struct DiagnoseOptions {
  std::string program;
  std::optional<std::string> config;     // -c
  std::optional<std::string> base_env;   // FILE or "systemd"
  std::optional<double> startsecs;
  // Seconds the program is still watched after startsecs (--watch): a death
  // then is a crash loop or EXITED, not a start.
  double watch = k_default_watch;
  std::optional<std::string> rules_dir;
  report::Format format = report::Format::Text;
  bool redact = true;
  bool color = false;
  bool quiet = false;                    // -q: report::RenderOptions::quiet
  // Told what the command waits for (a terminal's status line); none: notes
  // to stderr only.
  Progress* progress = nullptr;
  bool replay = false;                   // even when the live supervisord runs it
  // Replay the top findings' fixes (run/verify.h); --no-verify turns it off.
  bool verify = true;
  // --patch-out: the combined patch of the proven fix, for patch -p0 / git apply.
  std::optional<std::string> patch_out;
  trace::TracerKind tracer = trace::TracerKind::Auto;
};

// Writes r's combined fix (report::Remedy) to path: the commands that change
// files as comment lines first, then one unified diff per config file.
// Returns false (and writes nothing) when r has no fix with a config change
// or a command.
bool write_patch_file(const report::Report& r, const std::string& path);

// Returns the process exit code; throws core::InputError / core::SystemError.
int diagnose(const DiagnoseOptions& o);

// The rule directory: --rules, $BOOTMORTEM_RULES, the pack installed beside
// the binary (BIN/../share/bootmortem/rules), or the source tree's when
// running from a build directory.
std::string rules_dir(const std::optional<std::string>& given);

}  // namespace bootmortem::run
