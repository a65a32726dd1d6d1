// `bootmortem env`: the child's environment against a real login's, on its
// own, without running the program. Text, Markdown or JSON, redacted like
// every report unless asked not to.
#pragma once

#include "core/host.h"

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "evidence/env_diff.h"
#include "login/login_env.h"
#include "report/report.h"
#include "spawn/spawn_spec.h"

namespace bootmortem::report {

struct EnvReport {
  std::string config_path;
  spawn::SpawnSpec spec;  // name, user, uid, env, base
  login::LoginEnv login;
  std::vector<evidence::EnvDiff> diff;
  // evidence::env_fact_names() and env_value_names(), as rules see them.
  std::map<std::string, bool> facts;
  std::map<std::string, std::string> values;
  core::Stamp stamp;  // the host and the time
};

EnvReport make_env_report(spawn::SpawnSpec spec, login::LoginEnv login, std::string config_path);

void render_env(const EnvReport& r, Format f, const RenderOptions& o, std::ostream& out);

// The diff as the text reports show it, grouped by class; list variables
// (PATH...) as the entries one side lacks. Shared with `diagnose`'s report.
// Expects values already redacted when they should be.
void env_diff_text(const std::vector<evidence::EnvDiff>& diff, std::ostream& out, bool bold = false);

// The diff with secret-looking values and URL credentials masked.
std::vector<evidence::EnvDiff> redact_env_diff(std::vector<evidence::EnvDiff> diff);

}  // namespace bootmortem::report
