// `bootmortem check`: the options of run::check.
#include "cli/subcommand.h"
#include "cli/terminal.h"
#include "run/check.h"

namespace bootmortem::cli {

Subcommand add_check(CLI::App& parent) {
  auto o = std::make_shared<run::CheckOptions>();
  auto no_redact = std::make_shared<bool>(false);
  auto* app = parent.add_subcommand(
      "check", "replay every program of a config (or those named) as supervisord would; CI's smoke-check");
  app->add_option("programs", o->programs, "program names (name, group:name, group:*); default: all");
  app->add_option("-c,--configuration", o->d.config, "supervisord config file (default: supervisord's search path)");
  add_choice(*app, "--format", o->d.format, report_formats(), "text, markdown, json, junit or sarif");
  app->add_option("--startsecs", o->d.startsecs, "seconds each program must stay up (default: its startsecs=)")
      ->check(CLI::PositiveNumber);
  app->add_option("--watch", o->d.watch,
                  "seconds to keep watching after startsecs: an exit then is a crash loop or EXITED (default: 5)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--base-env", o->d.base_env,
                  "supervisord's environment: a file (NUL- or newline-separated) or 'systemd' "
                  "(default: a running supervisord's for this config, else bootmortem's own)");
  app->add_option("--rules", o->d.rules_dir, "rule pack directory");
  app->add_flag("--no-redact", *no_redact, "show secret-looking values in the report");
  add_tracer_option(*app, o->d.tracer);
  auto no_verify = std::make_shared<bool>(false);
  app->add_flag("--no-verify", *no_verify,
                "do not replay a failing program with the top findings' fixes applied (each alone)");
  app->add_option("--root", o->root,
                  "replay inside a staged root filesystem (an exported image, a debootstrap tree): the config, "
                  "users and programs are DIR's; an overlay keeps DIR unchanged");
  app->add_flag("--static", o->static_only,
                "run nothing: check each program's user, command, #! line, directory, log directories and keys "
                "against this host, each result at its config line");
  add_quiet_flag(*app, o->d.quiet,
                 "only a line per program (ok or FAIL, and its verdict), and no progress on stderr");
  app->footer(
      "The programs start together, in supervisord's order (priority), each traced on its own. One that exits "
      "before startsecs while others run is retried as supervisord retries it (BACKOFF: 1 s, 2 s, 3 s ... before "
      "each next start, startretries times), so one that needs another program of the config starts late, not "
      "never; one that starts stays up until every other program has started or given up. A program that fails "
      "every start costs about startretries*(startretries+1)/2 seconds of waits (6 s for the default 3) on top of "
      "its starts. Exit status: 0 every program starts, 1 one fails with a cause, 3 one fails unexplained, 2 "
      "bootmortem's own errors. With --static nothing runs and no root is needed: exit status 1 when a program (or "
      "[supervisord]) has a failing result, else 0 (warnings do not fail).");
  Subcommand sub{app, [o, no_redact, no_verify] {
            o->d.redact = !*no_redact;
            o->d.verify = !*no_verify;
            quiet_format(o->d.quiet, o->d.format);
            o->d.color = report_color(o->d.format);
            auto progress = open_progress("check", o->d.quiet);
            run::CheckOptions c = *o;
            c.d.progress = progress.get();
            return run::check(c);
          }};
  sub.on_error = json_error_sink("check", std::shared_ptr<const report::Format>(o, &o->d.format), [o] {
    std::string named;
    for (const auto& p : o->programs) named += (named.empty() ? "" : " ") + p;
    return named;
  });
  return sub;
}

}  // namespace bootmortem::cli
