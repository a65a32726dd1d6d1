// `bootmortem show`: the program table as supervisord resolves it, without
// running anything. The rows are plain values; the renderers only write.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "spawn/spawn_spec.h"

namespace bootmortem::report {

enum class ShowFormat { Text, Json };

struct ShowRow {
  const config::ProcessConfig* proc = nullptr;
  // command= split and argv[0] looked up as supervisord's spawn would.
  spawn::CommandLookup command;
};

// One row per process, the lookup made with supervisord's environment and
// cwd (here: assumed to be bootmortem's own) through fs.
std::vector<ShowRow> make_show_rows(const std::vector<const config::ProcessConfig*>& processes,
                                    const core::Env& supervisord_env, const std::string& cwd,
                                    const core::FileSystem& fs);

// "TERM" for 15, as Python's signal.Signals(n).name less "SIG"; the number
// when Python has no name for it (0, the real-time signals between the ends).
std::string stop_signal_name(int sig);
// "022": Python's '%03o'.
std::string octal_mode(mode_t mode);
const char* autorestart_name(config::AutoRestart a);

// JSON: an array, one object per process. The field names are a contract
// (tests/differential compares them with supervisor's own parse).
void render_show_json(const std::vector<ShowRow>& rows, std::ostream& out);
// A table for people, then each process's environment= below it.
void render_show_text(const std::vector<ShowRow>& rows, std::ostream& out);

}  // namespace bootmortem::report
