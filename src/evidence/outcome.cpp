#include "evidence/outcome.h"

#include "evidence/supervisor_log.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace bootmortem::evidence {
namespace {

std::string how_it_ended(const trace::TraceLog& t) {
  if (t.exit_signal) return "killed by " + signal_name(*t.exit_signal);
  if (t.exit_code) return "exit status " + std::to_string(*t.exit_code);
  return "exit";
}

std::string seconds(int64_t ms) {
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms < 10000 && ms % 1000 != 0) return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
  return std::to_string((ms + 500) / 1000) + " s";
}

// supervisord's BACKOFF: the n-th failed start waits n seconds before the
// next; the start after startretries retries is the last (semantics §9).
void backoff(Outcome& o, const spawn::SpawnSpec& s, int64_t run_ms) {
  const int retries = std::max(0, s.startretries);
  o.state = "FATAL";
  o.attempts = retries + 1;
  o.fatal_after_ms = o.attempts * run_ms + static_cast<int64_t>(retries) * (retries + 1) / 2 * 1000;
  o.next = "it retries " + std::to_string(retries) + (retries == 1 ? " time" : " times") +
           (retries ? " (waiting 1, 2, 3 ... s between starts)" : "") + ", then gives up: FATAL after about " +
           seconds(o.fatal_after_ms) + " and " + std::to_string(o.attempts) +
           (o.attempts == 1 ? " start" : " starts") + "; it stays FATAL until started by hand";
}

}  // namespace

const char* outcome_kind_name(OutcomeKind k) {
  switch (k) {
    case OutcomeKind::SpawnError: return "spawn-error";
    case OutcomeKind::BackoffFatal: return "backoff-fatal";
    case OutcomeKind::CrashLoop: return "crash-loop";
    case OutcomeKind::Exited: return "exited";
    case OutcomeKind::Daemonizes: return "daemonizes";
    case OutcomeKind::Running: return "running";
    case OutcomeKind::ConfigRefused: return "config-refused";
  }
  return "running";
}

Outcome judge_outcome(const spawn::SpawnSpec& s, const trace::TraceLog& t) {
  Outcome o;
  o.startsecs_ms = static_cast<int64_t>(s.startsecs) * 1000;
  o.watched_ms = t.watched_ms;
  if (s.config_refused) {
    // supervisord reads the whole config before it starts anything, and
    // exits with status 2 at the first such error: no BACKOFF, no retry.
    o.kind = OutcomeKind::ConfigRefused;
    o.next = "it refuses the whole config when it starts: it prints the error and exits with status 2, so no "
             "program of the config runs, this one included";
    return o;
  }
  if (t.spawnerr) {
    o.kind = OutcomeKind::SpawnError;
    backoff(o, s, 0);
    return o;
  }
  if (t.verdict == trace::Verdict::Starts) {
    o.kind = OutcomeKind::Running;
    o.state = "RUNNING";
    o.next = "it keeps it RUNNING: it stayed up through startsecs=" + std::to_string(s.startsecs) + " and the " +
             seconds(std::max<int64_t>(0, t.watched_ms - o.startsecs_ms)) + " settle window";
    return o;
  }
  o.died_after_ms = t.after_ms;
  o.expected = !t.exit_signal && t.exit_code &&
               std::find(s.exitcodes.begin(), s.exitcodes.end(), *t.exit_code) != s.exitcodes.end();
  // STARTING -> BACKOFF only when the exit comes sooner than startsecs
  // (strictly); startsecs=0 never counts an exit as too quick.
  const bool too_quick = s.startsecs > 0 && t.after_ms < o.startsecs_ms;
  if (s.startsecs > 0) {
    const int64_t off = t.after_ms > o.startsecs_ms ? t.after_ms - o.startsecs_ms : o.startsecs_ms - t.after_ms;
    o.near_startsecs = off * 2 <= o.startsecs_ms;
  }
  if (o.near_startsecs)
    o.load_note = "It exited " + seconds(t.after_ms) + " after the start, close to startsecs=" +
                  std::to_string(s.startsecs) + ": on a loaded machine supervisord may show the other behaviour (" +
                  (too_quick ? "a crash loop instead of FATAL" : "FATAL instead of a crash loop") +
                  "); both are this failure.";
  const std::string how = how_it_ended(t);
  // After startsecs autorestart decides; before it, BACKOFF's retries do.
  o.restarted = !too_quick && (s.autorestart == config::AutoRestart::True ||
                               (s.autorestart == config::AutoRestart::Unexpected && !o.expected));

  uint64_t behind = t.left_behind;
  if (!behind)
    for (const auto& e : t.exits) behind += e.killed_by_us && e.pid != t.main_pid;
  if (behind > 0) {
    o.kind = OutcomeKind::Daemonizes;
    const std::string n = std::to_string(behind) + (behind == 1 ? " process" : " processes");
    if (too_quick) {
      backoff(o, s, t.after_ms);
      o.next = "it sees its child exit (" + how + ") while " + n +
               " it started live on, which it neither watches nor stops; then " + o.next;
    } else {
      o.state = "EXITED";
      o.next = "it sees its child exit (" + how + ") while " + n +
               " it started live on, which it neither watches nor stops" +
               (o.restarted ? "; it starts another copy at once, which collides with the first"
                            : "; it shows the program EXITED while those keep running");
    }
    return o;
  }
  if (too_quick) {
    o.kind = OutcomeKind::BackoffFatal;
    backoff(o, s, t.after_ms);
    o.next = "each start ends in BACKOFF (" + how + " after " + seconds(t.after_ms) + ", before startsecs=" +
             std::to_string(s.startsecs) + "); " + o.next;
    return o;
  }
  if (o.restarted) {
    o.kind = OutcomeKind::CrashLoop;
    o.state = "RUNNING";
    o.next = "it marks it RUNNING after startsecs=" + std::to_string(s.startsecs) + ", then logs it " +
             (o.expected ? "exited (expected)" : "exited (not expected)") + " after " + seconds(t.after_ms) +
             " and starts it again at once, forever: a crash loop that never reaches FATAL";
    return o;
  }
  o.kind = OutcomeKind::Exited;
  o.state = "EXITED";
  o.next = std::string("it logs it exited (") + (o.expected ? "expected" : "not expected") + ") after " +
           seconds(t.after_ms) + " and leaves it EXITED: autorestart=" +
           (s.autorestart == config::AutoRestart::False ? "false" : "unexpected") + " does not start it again";
  return o;
}

std::string outcome_summary(const Outcome& o) {
  switch (o.kind) {
    case OutcomeKind::SpawnError:
    case OutcomeKind::BackoffFatal:
      return "BACKOFF, then FATAL after about " + seconds(o.fatal_after_ms) + " (" + std::to_string(o.attempts) +
             " starts)";
    case OutcomeKind::CrashLoop:
      return "a crash loop: RUNNING, then dies after " + seconds(o.died_after_ms) + ", restarted forever";
    case OutcomeKind::Exited:
      return std::string("EXITED after ") + seconds(o.died_after_ms) + ", not restarted";
    case OutcomeKind::Daemonizes:
      return "daemonizes: its child exits, what it started lives on unsupervised (" + o.state + ")";
    case OutcomeKind::Running:
      return "RUNNING through startsecs and the settle window (" + seconds(o.watched_ms) + " watched)";
    case OutcomeKind::ConfigRefused:
      return "supervisord refuses the config: nothing of it runs";
  }
  return "";
}

}  // namespace bootmortem::evidence
