#include "report/logs.h"

#include <cctype>

#include "report/report.h"
#include "report/supervisor.h"
#include "report/view.h"

namespace bootmortem::report {
namespace {

using json = nlohmann::ordered_json;

// The history explain went by: the live supervisord's, else the log's.
const std::vector<evidence::LogEvent>& history(const View& v) {
  const auto& ev = v.r.ev;
  return ev.supervisor ? ev.supervisor->history : ev.logs->history;
}

bool nothing_read(const evidence::LogReading& r) {
  for (const auto& f : r.files)
    if (f.error.empty() && f.scan.bytes > 0) return false;
  return true;
}

// Bytes and lines of the files the program's streams came from.
bool program_logs_empty(const evidence::LogReading& r) {
  for (const auto& f : r.files)
    if (f.error.empty() && f.role != evidence::LogRole::Supervisord && f.scan.bytes > 0) return false;
  return true;
}

}  // namespace

std::optional<std::string> logs_verdict(const View& v) {
  const auto& ev = v.r.ev;
  if (!ev.logs) return std::nullopt;
  const auto& t = ev.trace;
  const std::string p = v.program;
  const std::string how = " (not replayed)";
  if (t.spawnerr) return p + " fails: supervisord could not spawn it: " + *t.spawnerr + how;
  if (ev.spec.spawnerr) return p + " fails: supervisord would not spawn it: " + *ev.spec.spawnerr + how;
  const auto& sv = ev.supervisor;
  if (v.starts) {
    if (sv && sv->state == "RUNNING")
      return p + " starts: supervisord (pid " + std::to_string(sv->pid) + ") reports it RUNNING, " +
             sv->description + how;
    return p + " starts: supervisord logged it RUNNING after " + evidence::approx_duration(t.after_ms) + how;
  }
  if (v.signal)
    return p + " fails: supervisord logged it killed by " + *v.signal + " after " +
           evidence::approx_duration(t.after_ms) + how;
  if (t.exit_code)
    return p + " fails: supervisord logged exit status " + std::to_string(*t.exit_code) + " after " +
           evidence::approx_duration(t.after_ms) + how;
  if (!history(v).empty()) return p + ": supervisord's log does not say how its last start ended" + how;
  return p + ": supervisord's log has no record of it; how it fails is not known" + how;
}

std::vector<std::string> logs_lead(const View& v) {
  const auto& ev = v.r.ev;
  if (!ev.logs) return {};
  const auto& r = *ev.logs;
  std::vector<std::string> out;
  std::string note = ev.trace.backend_note;
  if (!note.empty()) note[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(note[0])));
  out.push_back(sentence(note));
  // With a live supervisord its lead already gave the summary.
  if (!ev.supervisor && !r.summary.empty()) out.push_back(sentence(r.summary));
  if (history(v).empty() && program_logs_empty(r)) {
    std::string what = nothing_read(r) ? "no log file read has anything in it" : "the program's log files are empty";
    if (r.files_read() == 0) what = "no log file could be read";
    out.push_back("No evidence: " + what + ", and supervisord's log has no lines about " + v.program + ".");
  }
  return out;
}

std::string logs_no_finding(const View& v) {
  return "No rule explains it from these logs. Nothing was replayed, so rules that need a failed system call "
         "could not apply; `bootmortem diagnose " + v.program + "` replays it traced.";
}

std::vector<std::string> logs_file_rows(const evidence::LogReading& r) {
  std::vector<std::string> out;
  for (const auto& f : r.files) {
    std::string role = evidence::log_role_name(f.role);
    std::string path = f.path.empty() ? "" : " " + f.path;
    if (f.error.empty())
      out.push_back(role + path + ": " + evidence::byte_size_text(f.scan.bytes) + ", " + std::to_string(f.scan.lines) +
                    (f.scan.lines == 1 ? " line" : " lines"));
    else
      out.push_back(role + path + ": not read (" + f.error + ")");
  }
  return out;
}

size_t logs_matched_count(const evidence::LogReading& r) {
  size_t n = 0;
  for (const auto& f : r.files)
    for (const auto& e : f.scan.excerpts) {
      ++n;
      for (char c : e.text) n += c == '\n';
    }
  return n;
}

std::vector<std::string> logs_matched_rows(const evidence::LogReading& r, size_t n) {
  std::vector<std::string> out;
  for (const auto& f : r.files)
    for (const auto& e : f.scan.excerpts) {
      uint64_t line = e.line;
      size_t start = 0;
      while (start <= e.text.size() && out.size() < n) {
        size_t nl = e.text.find('\n', start);
        if (nl == std::string::npos) nl = e.text.size();
        out.push_back(f.path + ":" + std::to_string(line++) + ": " + e.text.substr(start, nl - start));
        start = nl + 1;
      }
    }
  return out;
}

std::string logs_history_title(const View& v) {
  return "supervisord.log (" + v.r.ev.logs->log_file + "), " + v.program + " since supervisord last started";
}

json logs_json(const View& v) {
  const auto& ev = v.r.ev;
  if (!ev.logs) return nullptr;
  const auto& r = *ev.logs;
  json files = json::array();
  for (const auto& f : r.files) {
    json matched = json::array();
    for (const auto& e : f.scan.excerpts) matched.push_back({{"line", e.line}, {"text", e.text}});
    files.push_back({{"path", f.path},
                     {"role", evidence::log_role_name(f.role)},
                     {"stream", f.stream().empty() ? json(nullptr) : json(f.merged ? "stdout+stderr" : f.stream())},
                     {"read", f.error.empty()},
                     {"error", f.error.empty() ? json(nullptr) : json(f.error)},
                     {"bytes", f.scan.bytes},
                     {"lines", f.scan.lines},
                     {"matched", matched}});
  }
  json hist = json::array();
  for (const auto& e : r.history) hist.push_back(log_event_json(e));
  return {
      {"replayed", false},
      {"note", ev.trace.backend_note},
      {"files", files},
      // supervisord.log's account when no supervisord runs (else see "supervisord").
      {"log_file", r.log_file.empty() ? json(nullptr) : json(r.log_file)},
      {"summary", r.summary.empty() ? json(nullptr) : json(r.summary)},
      {"history", hist},
  };
}

void redact_logs(evidence::LogReading& r) {
  for (auto& f : r.files) {
    for (auto& e : f.scan.excerpts) e.text = redact_text(e.text);
    f.scan.tail = redact_text(f.scan.tail);
  }
  for (auto& e : r.history) e.message = redact_text(e.message);
  r.summary = redact_text(r.summary);
}

}  // namespace bootmortem::report
