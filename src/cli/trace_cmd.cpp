// `bootmortem trace -- CMD [ARG...]`: any command, as the invoking user,
// under the tracer choose_tracer picks; the failed calls that matter,
// decoded and aggregated, the execs, the exit. No config, no rules.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "run/base_env.h"
#include "cli/subcommand.h"
#include "core/fs.h"
#include "core/host.h"
#include "report/trace_report.h"
#include "spawn/plain_command.h"
#include "trace/trace.h"

namespace bootmortem::cli {

using run::own_environment;
using run::own_umask;
namespace {

struct TraceCmdOptions {
  std::vector<std::string> command;
  trace::TracerKind tracer = trace::TracerKind::Auto;
  report::TraceFormat format = report::TraceFormat::Text;
  std::optional<double> startsecs;
  std::optional<double> timeout;
  bool no_redact = false;
  bool all = false;
};

const Choices<report::TraceFormat> k_trace_formats = {
    {"text", report::TraceFormat::Text},
    {"json", report::TraceFormat::Json},
};

// bootmortem's own peak resident set, in KiB: VmHWM, the high-water mark of
// this process image. getrusage(RUSAGE_SELF).ru_maxrss would also carry
// whatever the process that forked us had resident before it exec'd
// bootmortem (Linux keeps the larger across execve: run it from a 200 MB
// Python and ru_maxrss starts at 200 MB); RUSAGE_CHILDREN is the command's.
long own_peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmHWM:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

int trace_command(const TraceCmdOptions& o) {
  core::RealFs fs;
  // The invoker as they are: their environment (unlike diagnose, sudo's
  // variables too), cwd, umask and uid.
  spawn::BaseEnv base;
  base.source = spawn::BaseEnvSource::Invoker;
  base.observed = true;
  base.env = own_environment();
  base.cwd = fs.cwd();
  base.umask = own_umask();
  base.uid = getuid();
  spawn::PlainCommand cmd = spawn::plain_spawn_spec(o.command, base, fs);
  if (cmd.spec.spawnerr) {
    // As a shell or env(1) says it: 127 nothing to run, 126 cannot run it.
    std::cerr << "bootmortem: " << *cmd.spec.spawnerr << "\n";
    return cmd.lookup.err == EACCES ? 126 : 127;
  }

  trace::TraceOptions topt;
  report::TraceReport r;
  r.stamp = core::stamp_now();
  if (o.startsecs) {
    topt.startsecs = *o.startsecs;
    r.limit = report::TraceLimit::Startsecs;
    r.limit_s = *o.startsecs;
  } else {
    topt.wait_for_exit = true;
    topt.timeout = o.timeout.value_or(0);
    if (o.timeout) {
      r.limit = report::TraceLimit::Timeout;
      r.limit_s = *o.timeout;
    }
  }
  trace::TracerChoice choice = trace::choose_tracer(o.tracer);
  r.log = choice.tracer->run(cmd.spec, topt);
  r.log.backend_why = choice.why;
  r.argv = o.command;
  r.filename = cmd.spec.filename;
  r.peak_rss_kib = own_peak_rss_kib;
  const int status = report::trace_exit_code(r);

  report::TraceRenderOptions ro;
  ro.redact = !o.no_redact;
  ro.all = o.all;
  report::render_trace(std::move(r), o.format, ro, std::cout);
  std::cout.flush();
  return status;
}

}  // namespace

Subcommand add_trace(CLI::App& parent) {
  auto o = std::make_shared<TraceCmdOptions>();
  auto* app = parent.add_subcommand(
      "trace", "run any command as yourself under the tracer and say which system calls failed");
  add_tracer_option(*app, o->tracer);
  add_choice(*app, "--format", o->format, k_trace_formats, "text or json");
  auto* startsecs = app->add_option("--startsecs", o->startsecs,
                                    "end it when it is still up after N seconds, as a start (exit 0)")
                        ->check(CLI::PositiveNumber);
  app->add_option("--timeout", o->timeout, "end it when it is still running after N seconds (exit 124)")
      ->check(CLI::PositiveNumber)
      ->excludes(startsecs);
  app->add_flag("--all", o->all, "text: list every lookup of a missing file, not the most frequent");
  app->add_flag("--no-redact", o->no_redact, "show secret-looking values in argv, paths and output");
  // After `--` every word is the command's, options included.
  app->add_option("command", o->command, "the command and its arguments, after --")->required();
  app->footer(
      "Exit status: the command's, 128+N when signal N killed it, 2 for bootmortem's own errors, "
      "127/126 when the command cannot be found/run.");
  return {app, [o] { return trace_command(*o); }};
}

}  // namespace bootmortem::cli
