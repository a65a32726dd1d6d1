// `explain`'s account in a report: that nothing was replayed, which files
// were read (size, lines), the lines the pack's patterns matched with their
// file:line, and supervisord's history when no supervisord runs. One place,
// so text, Markdown and JSON say the same. All empty for a replay.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "evidence/log_evidence.h"

namespace bootmortem::report {

struct View;

// The text report lists at most this many matched lines (JSON all kept).
inline constexpr size_t k_matched_lines = 40;

// The verdict from the logs:
//   test_server fails: supervisord logged exit status 3 after ~0.4 s (not replayed)
std::optional<std::string> logs_verdict(const View& v);

// Sentences for the top:
//   Not replayed: evidence from 3 log files (supervisord.log 4.1 KiB, 52 lines; ...).
//   supervisord saw 4 starts in 7.8 s, each exited with status 3 after ~0.5 s, then FATAL.
//   No evidence: the log files read are empty and supervisord.log has no lines about test_server.
std::vector<std::string> logs_lead(const View& v);

// Instead of "No rule explains this failure": what could not apply, and the
// command that would show more.
std::string logs_no_finding(const View& v);

// "role  path  size, lines" or "role  path: not read (why)", one per file.
std::vector<std::string> logs_file_rows(const evidence::LogReading& r);
// "path:line: text" for each line of the kept excerpts, in file order; the
// first n.
std::vector<std::string> logs_matched_rows(const evidence::LogReading& r, size_t n);
size_t logs_matched_count(const evidence::LogReading& r);

// "supervisord.log (/var/log/supervisor/supervisord.log), test_server since supervisord last started"
std::string logs_history_title(const View& v);

// The "explain" object of the JSON report (null for a replay).
nlohmann::ordered_json logs_json(const View& v);

// Secrets in the kept lines, tails and history masked.
void redact_logs(evidence::LogReading& r);

}  // namespace bootmortem::report
