// A running supervisord's own account of the program, as evidence: its state
// and spawnerr (XML-RPC getProcessInfo), the tails of the program's log
// files, and its history from supervisord.log. Reached through seams
// (RpcTransport, FileSystem), so tests need no supervisord.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/fs.h"
#include "evidence/supervisor_log.h"
#include "evidence/supervisor_rpc.h"
#include "trace/trace.h"

namespace bootmortem::evidence {

struct SupervisorView {
  int pid = 0;                 // supervisord's
  std::string config;          // the config file it runs
  std::string found_by;        // "pidfile", "cmdline" (-c) or "default-path"

  // getProcessInfo; state is empty when supervisord could not be asked.
  std::string state;           // "FATAL", "RUNNING", "BACKOFF", ...
  std::string description;     // "Exited too quickly (...)", "pid 1234, uptime 0:00:05"
  std::string spawnerr;
  // 0 after a too-quick exit (semantics §9): the log's exited: lines hold the real one.
  std::optional<int> exitstatus;
  int process_pid = 0;
  int64_t start = 0, now = 0;  // epoch seconds, supervisord's clock
  std::string stdout_logfile, stderr_logfile;
  std::string stdout_tail, stderr_tail;  // the program's own logs, last bytes
  std::string tails_from;      // "supervisord" (XML-RPC) or "files"
  std::string query_error;     // why supervisord could not be asked

  std::string log_file;        // the supervisord.log read
  std::string log_error;
  std::vector<LogEvent> history;
  std::string summary;         // summarize_history(history)

  bool replayed = true;        // false: RUNNING, so no second copy was started
  // supervisord's own copy was alive while bootmortem replayed (STARTING, or
  // RUNNING yet flapping): ports and files may have been fought over.
  int copy_pid_during_replay = 0;
  // Failures of the replay caused by that copy (a port it held): the
  // replay's own conflict, set aside rather than blamed on the program.
  std::vector<std::string> self_conflict;

  int64_t uptime_s() const { return state == "RUNNING" && now >= start && start > 0 ? now - start : 0; }
  // The last exit supervisord logged: "status 3", "SIGSEGV"; empty when none.
  std::string last_exit() const;
  // RUNNING, but one of the last attempts lived at least as long as this one
  // has so far: a crash after startsecs that autorestart repeats, not a
  // healthy start (the egg-cache example does this on a loaded machine).
  bool flapping() const;
};

// The last attempt supervisord saw end, from its log: how it ended and after
// how long; nullopt when none ended.
struct LoggedAttempt {
  std::optional<int> status;
  std::optional<std::string> signal;
  int64_t lived_ms = 0;
  bool success_logged = false;  // "entered RUNNING" came first
  bool expected = false;        // supervisord logged the exit as expected
};
std::optional<LoggedAttempt> last_logged_attempt(std::span<const LogEvent> history);

// The replay collided with supervisord's own copy of the program: the failed
// calls at `conflicting` (indexes into t.failed) were the copy's doing, not
// the program's. They move to view.self_conflict; the exit is taken from the
// last attempt supervisord saw end, and the program's output from
// supervisord's tail of its log instead of the replay's (which was about the
// conflict). The other failed calls of the replay stay evidence.
void set_aside_self_conflict(trace::TraceLog& t, SupervisorView& view, const std::vector<size_t>& conflicting);

// The same conflict, with a second replay of the program in a network
// namespace of its own (loopback only), where the port is free: the second
// replay is the evidence, less its failed connections (nothing listens in
// that namespace), and the first one's conflict goes to view.self_conflict.
void take_isolated_replay(trace::TraceLog& t, trace::TraceLog second, SupervisorView& view,
                          const std::vector<size_t>& conflicting);

struct LiveQuery {
  int supervisord_pid = 0;
  std::string config, found_by;
  std::string namespec;        // getProcessInfo's name: "group:name", or "name"
  std::string process_name;    // as the log names it
  std::string log_file;        // [supervisord] logfile, absolute ("syslog": none to read)
  // The program's configured log paths: read directly when supervisord
  // cannot be asked ("AUTO" and "NONE" are skipped).
  std::string stdout_logfile, stderr_logfile;
  std::vector<std::string> spawnerr_texts;  // the replay's, to attribute spawnerr: lines
  size_t tail_bytes = 4096;
  size_t log_bytes = 8 << 20;  // the end of supervisord.log that is parsed
  size_t max_history = 64;     // log lines kept for the report (the summary sees all)
};

// rpc may be null (no [unix_http_server]): the history and the log files
// are still read.
SupervisorView ask_supervisor(const LiveQuery& q, const RpcTransport* rpc, const core::FileSystem& fs);

// "0:05:12" as supervisorctl prints an uptime.
std::string format_uptime(int64_t seconds);

struct Evidence;
// Sets ev.supervisor and the supervisord_* facts and values.
void attach_supervisor(Evidence& ev, SupervisorView view);
// The supervisord_* facts and values from ev.supervisor (all false/"" without
// one); make_evidence calls it so every known fact is always present.
void add_supervisor_facts(Evidence& ev);
const std::vector<std::string>& supervisor_fact_names();
const std::vector<std::string>& supervisor_value_names();

}  // namespace bootmortem::evidence
