// `bootmortem trace`: one command's run under a tracer, as people and
// programs read it. No rules, no config: the failed calls decoded and
// aggregated, the execs, the exit, the backend and why, what was not kept.
#pragma once

#include "core/host.h"

#include <ostream>
#include <string>
#include <vector>

#include "trace/trace.h"

namespace bootmortem::report {

enum class TraceFormat { Text, Json };

// What stopped the wait before the command exited.
enum class TraceLimit { None, Startsecs, Timeout };

struct TraceReport {
  std::vector<std::string> argv;  // as given
  std::string filename;           // what execve got
  trace::TraceLog log;
  TraceLimit limit = TraceLimit::None;
  double limit_s = 0;
  // bootmortem's own peak resident set in KiB (this process image's, never
  // the command's), asked by the JSON renderer once the whole report is
  // built, so the figure covers the report too. nullptr: JSON says 0.
  long (*peak_rss_kib)() = nullptr;
  core::Stamp stamp;  // the host and the time of the run
};

struct TraceRenderOptions {
  bool redact = true;
  bool all = false;  // text: every lookup of a missing file too
};

// The command's exit status; 128 + the signal that killed it; when
// bootmortem ended it, 0 after --startsecs (it started) and 124 after
// --timeout (as timeout(1)).
int trace_exit_code(const TraceReport& r);

// "exited with status 3 after 512 ms", "killed by SIGSEGV after 12 ms", ...
std::string trace_outcome(const TraceReport& r);

// The argv as a shell would take it back: words with special characters in
// single quotes.
std::string shell_words(const std::vector<std::string>& argv);

// Text for people, or one JSON object ("bootmortem-trace/1").
void render_trace(TraceReport r, TraceFormat f, const TraceRenderOptions& o, std::ostream& out);

// What both renderers show, computed once: the report with secrets masked
// (argv, paths, addresses, argument text, exec paths, output) unless told
// not to, and the last lines of each stream.
struct TraceView {
  TraceReport r;
  std::string command;  // shell_words(argv)
  std::string outcome;  // trace_outcome
  std::string stdout_tail, stderr_tail;
};
TraceView make_trace_view(TraceReport r, bool redact);

// Text: lookups of missing files, which every interpreter makes by the
// hundred, are cut down unless `all`: the last ones (what the command was
// after when it gave up) and the most repeated ones (what it kept trying).
inline constexpr size_t k_trace_lookups_last = 10;
inline constexpr size_t k_trace_lookups_repeated = 5;
inline constexpr size_t k_trace_execs_shown = 20;

void render_trace_text(const TraceView& v, const TraceRenderOptions& o, std::ostream& out);
void render_trace_json(const TraceView& v, std::ostream& out);

}  // namespace bootmortem::report
