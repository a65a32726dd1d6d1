// What every renderer shows, computed once: the report with secrets already
// redacted (when asked), the verdict sentence, the stream tails. Renderers
// format a View; none of them redacts or summarises on its own, so text,
// Markdown and JSON cannot disagree about what is shown.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/report.h"

namespace bootmortem::report {

struct View {
  Report r;                 // redacted copy
  std::string program;
  bool starts = false;
  std::optional<std::string> signal;  // "SIGSEGV"
  std::optional<std::string> spawnerr;
  std::string verdict_line;  // "test_server fails: exit status 3 after 512 ms (startsecs=1)"
  // What supervisord does with it over time, for a replay: "supervisord: ...",
  // and on an exit close to startsecs the note that load may show the other
  // behaviour. Empty when nothing was replayed.
  std::vector<std::string> outcome_lead;
  evidence::Outcome outcome;  // judged from the spawn and the trace
  std::string stderr_tail, stdout_tail;  // the last k_tail_lines lines, for people
  std::string stderr_kept, stdout_kept;  // all the tracer kept (bounded), for JSON
  std::string base_env;      // "live-supervisord (pid 1234), observed"
  std::string umask;         // "022"
  // Failed calls worth a person's eye: all but lookups that found nothing
  // (ENOENT/ENOTDIR from stat/open/access...), which every interpreter makes
  // by the hundred while probing its search paths.
  std::vector<trace::FailedSyscall> notable;
  size_t lookups_hidden = 0;
};

inline constexpr size_t k_tail_lines = 20;
// s ending in a full stop.
std::string sentence(std::string s);
// The last k_tail_lines of a captured stream, redacted unless told not to.
std::string tail_text(const trace::Captured& c, bool redact);
// The text report lists at most this many notable failed syscalls, the latest.
inline constexpr size_t k_text_syscalls = 20;

View make_view(const Report& r, const RenderOptions& o);
// A failed lookup of a file that is simply not there: normal probing.
bool is_lookup_miss(const trace::FailedSyscall& f);
std::vector<std::string> redact_argv(const std::vector<std::string>& argv);
// What the tracer counted but did not keep, for people: "3 events lost,
// 9000 execs and 9000 process exits not kept"; empty when all was kept.
std::string trace_not_kept(const trace::TraceLog& t);
// What tracing took from the program, for people: "ptrace stopped it 12,345
// times, at least 310 ms (4.2 % of its 7.4 s run)", "eBPF programs 412 ms on
// 1,000,003 of its events (23 % of its 1.8 s run); 430 ms over all the
// machine's calls"; empty when the cost is unknown.
std::string tracing_cost_text(const trace::TraceLog& t);
// The verdict checked by a run with no tracer: "traced: still up at 3.0 s;
// untraced: exit status 3 after 0.9 s; the verdict is the untraced run's";
// empty when there was no such run.
std::string untraced_text(const trace::TraceLog& t);
// "SIGSEGV" for 11; "signal 99" when unknown.
std::string signal_name(int sig);
// "live-supervisord (pid 1234), observed", "invoker, assumed"...
std::string base_env_text(const spawn::BaseEnv& b);
// A spawn or login value of the env diff as shown: "(unset)" when absent.
std::string shown(const std::optional<std::string>& v);

void render_text(const View& v, const RenderOptions& o, std::ostream& out);
void render_markdown(const View& v, std::ostream& out);
void render_json(const View& v, std::ostream& out);
// `check`: the views of one config's programs.
void render_check_text(const std::vector<View>& views, const std::string& config_path, const RenderOptions& o,
                       std::ostream& out);
void render_check_markdown(const std::vector<View>& views, const std::string& config_path, const core::Stamp& stamp,
                           std::ostream& out);
// root: check --root's staged root filesystem ("" for the host).
void render_check_json(const std::vector<View>& views, const std::string& config_path, const std::string& root,
                       const core::Stamp& stamp, std::ostream& out);
void render_junit(const std::vector<View>& views, const std::string& config_path, const RenderOptions& o,
                  std::ostream& out);
// SARIF 2.1.0: a result per finding at its config line (sarif.cpp).
void render_sarif(const std::vector<View>& views, const std::string& config_path, const RenderOptions& o,
                  std::ostream& out);
// `check --static`: no views (nothing ran), the results as found; the
// findings redacted by the caller when asked.
void render_static_text(const StaticReport& c, const RenderOptions& o, std::ostream& out);
void render_static_markdown(const StaticReport& c, std::ostream& out);
void render_static_json(const StaticReport& c, std::ostream& out);
void render_static_junit(const StaticReport& c, std::ostream& out);
void render_static_sarif(const StaticReport& c, const RenderOptions& o, std::ostream& out);

}  // namespace bootmortem::report
