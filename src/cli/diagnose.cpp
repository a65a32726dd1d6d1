// `bootmortem diagnose`: the options of run::diagnose.
#include "cli/subcommand.h"
#include "cli/terminal.h"
#include "run/diagnose.h"

namespace bootmortem::cli {

Subcommand add_diagnose(CLI::App& parent) {
  auto o = std::make_shared<run::DiagnoseOptions>();
  auto no_redact = std::make_shared<bool>(false);
  auto* app = parent.add_subcommand("diagnose", "replay a [program:x] as supervisord would, traced, and explain it");
  app->add_option("program", o->program, "program name: name, group:name")->required();
  app->add_option("-c,--configuration", o->config,
                  "supervisord config file (default: the running supervisord's, else supervisord's search path)");
  add_choice(*app, "--format", o->format, report_formats(), "text, markdown, json, junit or sarif");
  app->add_option("--startsecs", o->startsecs, "seconds the program must stay up (default: its startsecs=)")
      ->check(CLI::PositiveNumber);
  app->add_option("--watch", o->watch,
                  "seconds to keep watching after startsecs: an exit then is a crash loop or EXITED (default: 5)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--base-env", o->base_env,
                  "supervisord's environment: a file (NUL- or newline-separated) or 'systemd'");
  app->add_option("--rules", o->rules_dir, "rule pack directory");
  app->add_flag("--no-redact", *no_redact, "show secret-looking values in the report");
  add_tracer_option(*app, o->tracer);
  auto no_verify = std::make_shared<bool>(false);
  app->add_flag("--no-verify", *no_verify, "do not replay the program with the top findings' fixes applied");
  app->add_option("--patch-out", o->patch_out,
                  "write the combined fix as a patch (patch -p0 < FILE; file commands as comments)");
  add_quiet_flag(*app, o->quiet, "only the verdict line, and no progress on stderr");
  app->add_flag("--replay", o->replay,
                "replay even when the live supervisord reports the program RUNNING (starts a second copy)");
  Subcommand sub{app, [o, no_redact, no_verify] {
            o->redact = !*no_redact;
            o->verify = !*no_verify;
            quiet_format(o->quiet, o->format);
            o->color = report_color(o->format);
            auto progress = open_progress("diagnose", o->quiet);
            run::DiagnoseOptions d = *o;
            d.progress = progress.get();
            return run::diagnose(d);
          }};
  sub.on_error = json_error_sink("diagnose", std::shared_ptr<const report::Format>(o, &o->format),
                                 [o] { return o->program; });
  return sub;
}

}  // namespace bootmortem::cli
