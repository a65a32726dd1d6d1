// What supervisord does with the program over its whole life, judged from
// one replay by supervisord's own rules (supervisor-semantics.md §9): an exit
// before startsecs is BACKOFF and, after startretries, FATAL; an exit after
// it that autorestart restarts is a crash loop, forever; an exit it does not
// restart leaves it EXITED; a main process that exits while its children
// live on is a daemonizing program supervisord loses; up through startsecs
// and the settle window is RUNNING. A pure function of the spawn and the
// trace, so every branch is tested on hand-built values.
#pragma once

#include <cstdint>
#include <string>

#include "spawn/spawn_spec.h"
#include "trace/trace.h"

namespace bootmortem::evidence {

enum class OutcomeKind {
  SpawnError,  // supervisord cannot spawn it: BACKOFF at once, then FATAL
  BackoffFatal,  // exits before startsecs: BACKOFF, then FATAL
  CrashLoop,   // up past startsecs, then an exit autorestart restarts: forever
  Exited,      // up past startsecs, then an exit that is not restarted
  Daemonizes,  // the main process exits while processes it started live on
  Running,     // up through startsecs and the settle window
  ConfigRefused,  // supervisord refuses the config at startup: nothing of it runs
};

const char* outcome_kind_name(OutcomeKind k);  // "backoff-fatal", "crash-loop", ...

struct Outcome {
  OutcomeKind kind = OutcomeKind::Running;
  // The state supervisord settles in or keeps returning to: "FATAL",
  // "RUNNING" (a crash loop spends most of each cycle there), "EXITED".
  std::string state;
  std::string next;      // what supervisord does next: "it retries 3 times ..."
  bool expected = false;  // the exit status is in exitcodes (never for a signal)
  bool restarted = false;  // supervisord starts it again at once (autorestart)
  int attempts = 0;       // BACKOFF/FATAL: startretries + 1 starts
  int64_t fatal_after_ms = 0;  // BACKOFF/FATAL: about how long until FATAL
  int64_t died_after_ms = -1;  // how long each run lives; -1 when it did not die
  int64_t startsecs_ms = 0;
  int64_t watched_ms = 0;      // startsecs + the settle window
  // The exit landed within half of startsecs on either side: on a loaded
  // machine supervisord may show the other behaviour (FATAL or a crash loop)
  // for the same failure.
  bool near_startsecs = false;
  std::string load_note;  // the sentence that says so, when near_startsecs
};

// The judgement of one replay. A log or a live supervisord's account (no
// replay) is judged the same way from the TraceLog built from it.
Outcome judge_outcome(const spawn::SpawnSpec& spec, const trace::TraceLog& trace);

// "FATAL after ~8 s: 4 starts, each exited with status 3 after 480 ms"...: the
// outcome in one line, for the verdict.
std::string outcome_summary(const Outcome& o);

}  // namespace bootmortem::evidence
