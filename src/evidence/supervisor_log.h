// supervisord.log as evidence: the lines supervisord wrote about one process
// (spawned / success / exited / gave up / spawnerr / stopped), with their
// timestamps, and the one sentence a person wants from them. Text in, events
// out: no file access here. Formats: supervisor-semantics.md §9.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bootmortem::evidence {

enum class LogEventKind {
  SupervisordStarted,  // "supervisord started with pid <pid>"
  Spawned,             // "spawned: '<name>' with pid <pid>"
  Success,             // "success: <name> entered RUNNING state, ..."
  Exited,              // "exited: <name> (<how>; expected|not expected)"
  GaveUp,              // "gave up: <name> entered FATAL state, ..."
  Spawnerr,            // "spawnerr: <message>" (names no process)
  Stopped,             // "stopped: <name> (<how>)"
  Killing,             // "killing '<name>' (<pid>) with SIGKILL"
};

// "spawned", "success", "exited", "gave_up", ... (the JSON report's names).
const char* log_event_name(LogEventKind k);

struct LogEvent {
  LogEventKind kind = LogEventKind::Spawned;
  std::string time;      // "2026-11-29 15:37:52,067": local time, as logged
  int64_t ms = 0;        // the same on a local-time millisecond scale: only differences mean anything
  std::string level;     // "INFO", "WARN", ...
  std::string process;   // empty for Spawnerr and SupervisordStarted
  int pid = 0;           // Spawned, Killing, SupervisordStarted
  std::optional<int> status;          // Exited/Stopped with "exit status N"
  std::optional<std::string> signal;  // Exited/Stopped "terminated by SIGSEGV"
  bool expected = false;              // Exited: "; expected)"
  std::string message;                // the message as logged (first line)

  std::string line() const { return time + " " + level + " " + message; }
};

// Every record of interest, all processes, in log order. Records span lines
// (DEBG output of a child, tracebacks): a line without the
// "YYYY-MM-DD HH:MM:SS,mmm LEVEL " prefix continues the previous record and
// is never read as an event. Unknown messages are skipped.
std::vector<LogEvent> parse_supervisord_log(const std::string& text);

struct HistoryQuery {
  std::string process;     // process name, as logged (no "group:" prefix)
  int supervisord_pid = 0; // start from this supervisord's "started with pid" line (0: the last one)
  // A spawnerr line names no process: it is the process's when it quotes the
  // name ('name') or equals one of these texts (its spawnerr as supervisord
  // or the replay reports it).
  std::vector<std::string> spawnerr_texts;
  size_t max_events = 64;  // the most recent ones
};

// The process's events since the live supervisord started (so a previous
// run in the same, unrotated log does not count).
std::vector<LogEvent> process_history(const std::vector<LogEvent>& all, const HistoryQuery& q);

// "supervisord saw 4 starts in 7.8 s, each exited with status 3 after ~0.5 s,
// then FATAL". Describes the latest episode (after the previous FATAL or
// stop); earlier ones are counted. Empty when there are no events.
std::string summarize_history(const std::vector<LogEvent>& history);

// The end of supervisord.log, read for one process: its history summarised
// whole, and its latest `keep` events. A log that does not hold q's
// supervisord start (rotated, or another one's) is read from its last start.
struct LogHistory {
  std::vector<LogEvent> events;
  std::string summary;
};
LogHistory history_from_log(const std::string& text, HistoryQuery q, size_t keep);

// A signal by name, "SIGSEGV" as supervisord logs it or "SEGV"; nullopt
// for none.
std::optional<int> signal_by_name(const std::string& name);
// "SIGSEGV" for 11; the number when the signal has no name.
std::string signal_name(int sig);

// "~0.5 s", "~40 ms", "~12.3 s".
std::string approx_duration(int64_t ms);

}  // namespace bootmortem::evidence
