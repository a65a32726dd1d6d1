// The live supervisord's account of the program in a report: a few lines at
// the top (its state, the history in one sentence, whether the replay agrees),
// its own log lines quoted further down, and the "supervisord" object in
// JSON. One place, so text, Markdown and JSON say the same.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "evidence/live_supervisor.h"

namespace bootmortem::report {

struct View;

// The text report quotes this many of supervisord's log lines (JSON all kept).
inline constexpr size_t k_history_lines = 12;

// Sentences for the top, empty without a live supervisord:
//   supervisord (pid 16663) reports it FATAL: Exited too quickly (process log may have details)
//   supervisord saw 4 starts in 7.8 s, each exited with status 3 after ~0.5 s, then FATAL.
//   The replay exited with status 3 too: it reproduces what supervisord saw.
std::vector<std::string> supervisor_lead(const View& v);

// The verdict when the program was not replayed because supervisord runs it.
std::optional<std::string> supervisor_verdict(const View& v);

// "supervisord.log (/var/log/supervisor/supervisord.log), test_server since supervisord (pid 16663) started"
std::string supervisor_history_title(const View& v);
// The last n of supervisord's log lines about the program, as logged.
std::vector<std::string> history_lines(const std::vector<evidence::LogEvent>& history, size_t n);

// " (read from /proc/16663/environ)" when the base environment is the live
// supervisord's, else "".
std::string base_env_origin(const View& v);

nlohmann::ordered_json supervisor_json(const View& v);
// One history event: time, event, pid, status/signal, line.
nlohmann::ordered_json log_event_json(const evidence::LogEvent& e);

// Secrets in what supervisord said (log tails, descriptions) masked.
void redact_supervisor(evidence::SupervisorView& s);

}  // namespace bootmortem::report
