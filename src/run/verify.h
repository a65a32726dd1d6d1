// Proven fixes: the top findings' fixes applied to a replay, and the replay
// judged over supervisord's whole life (evidence/outcome.h). A config fix is
// applied to the config's text, which bootmortem's own parser reads again
// (the real file is never written); a fix to files runs its commands in a
// throwaway copy: a private mount namespace with an overlay over each
// directory the fix changes, which the replay enters. When a fix reveals a
// second failure, that failure's fix is added and the program replayed again,
// up to three rounds. The verified findings come first, and the report gets
// the combined fix (report::Remedy).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/fs.h"
#include "core/userdb.h"
#include "report/report.h"
#include "rules/rules.h"
#include "run/base_env.h"
#include "spawn/spawn_spec.h"

namespace bootmortem::run {

// Findings whose fixes are replayed, and rounds a chain of causes may take.
inline constexpr size_t k_verify_candidates = 3;
inline constexpr int k_verify_rounds = 3;

struct VerifyContext {
  std::string config_path;  // the main config, absolute
  std::string program;      // as diagnose names it (one process)
  spawn::BaseEnv base;      // supervisord's environment, before the config was read
  Watch watch;
  const rules::RulePack* pack = nullptr;
  const core::UserDb* users = nullptr;
  const core::FileSystem* fs = nullptr;
  LazyTracer* tracer = nullptr;
  Progress* progress = nullptr;  // told of each replay; none: shows nothing
  // check's: another program's user= this host lacks is not the patched
  // config failing to load (config::LoadContext::record_host_problems).
  bool record_host_problems = false;
};

// Replays the fixes of r's top findings; sets each finding's verified,
// verification and verify_ms, adds the causes a chain revealed, orders the
// findings by proof and sets r.remedy. Does nothing for a program that
// starts. The real config and files are never changed.
void verify_findings(report::Report& r, const VerifyContext& ctx);

// The text of each config file once the changes are made, in order (a change
// to "" goes to main_config). Files are read through fs.
std::map<std::string, std::string> patched_texts(const std::vector<rules::ConfigChange>& changes,
                                                 const std::string& main_config, const core::FileSystem& fs);

// A file's name as a patch header: relative to cwd when it lies below it (a
// deploy repository: `git apply`, `patch -p0`), else absolute (`patch -p0`
// from anywhere).
std::string patch_name(const std::string& file, const std::string& cwd);

}  // namespace bootmortem::run
