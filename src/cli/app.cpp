#include "cli/app.h"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <vector>

#include "cli/subcommand.h"
#include "core/error.h"
#include "core/host.h"
#include "rules/rules.h"
#include "run/diagnose.h"

namespace bootmortem::cli {
namespace {

// Every subcommand, in the order `--help` lists them.
constexpr AddSubcommand k_subcommands[] = {
    add_check,
    add_diagnose,
    add_env,
    add_explain,
    add_rules,
    add_show,
    add_summarize,
    add_trace,
};

// The program's version, then the pack it would judge with: where it is
// found (an installed binary's own, --rules is per command), how many rules,
// and their digest. A pack that does not load is said, not fatal.
std::string version_text() {
  std::string out = std::string("bootmortem ") + BOOTMORTEM_VERSION + "\n";
  const std::string dir = run::rules_dir(std::nullopt);
  try {
    const rules::RulePack pack = rules::RulePack::load_dir(dir);
    out += "rule pack " + pack.digest() + ": " + std::to_string(pack.size()) + " rules in " + dir;
  } catch (const std::exception& e) {
    out += "rule pack: " + std::string(e.what());
  }
  return out;
}

}  // namespace

const Choices<report::Format>& report_formats() {
  static const Choices<report::Format> k = {
      {"text", report::Format::Text},
      {"markdown", report::Format::Markdown},
      {"json", report::Format::Json},
      {"junit", report::Format::Junit},
      {"sarif", report::Format::Sarif},
  };
  return k;
}

void add_tracer_option(CLI::App& app, trace::TracerKind& kind) {
  static const Choices<trace::TracerKind> k = {
      {"auto", trace::TracerKind::Auto},
      {"ebpf", trace::TracerKind::Ebpf},
      {"ptrace", trace::TracerKind::Ptrace},
  };
  add_choice(app, "--tracer", kind, k, "auto (eBPF when root and the kernel accepts it, else ptrace), ebpf or ptrace");
}

int run(int argc, char** argv) {
  // A parent's SIG_IGN for SIGCHLD survives exec, and with it the kernel
  // reaps every child bootmortem starts (runuser for the login environment,
  // supervisorctl, the replay) before bootmortem can learn how it ended.
  signal(SIGCHLD, SIG_DFL);
  CLI::App app{"bootmortem: why a supervisord program will not boot, and what to change", "bootmortem"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text, "print the program's and the rule pack's versions and exit");

  std::vector<Subcommand> subs;
  for (AddSubcommand add : k_subcommands) subs.push_back(add(app));

  // Nothing asked: the usage and the subcommands, as a person would want.
  if (argc <= 1) {
    std::cout << app.help();
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::string what = e.what();
    if (argc > 1 && argv[1][0] != '-' && !app.get_subcommands().size())
      what = std::string("unknown command '") + argv[1] + "' (try --help)";
    std::cerr << "bootmortem: " << what << "\n";
    return 2;
  }

  for (const auto& s : subs) {
    if (!s.app->parsed()) continue;
    std::string error;
    try {
      return s.run();
    } catch (const core::InputError& e) {
      error = e.what();
    } catch (const core::SystemError& e) {
      error = e.what();
    } catch (const std::exception& e) {
      error = std::string("internal error: ") + e.what();
    }
    std::cerr << "bootmortem: " << error << "\n";
    if (s.on_error) s.on_error(error);
    return 2;
  }
  return 2;
}

std::function<void(const std::string&)> json_error_sink(const std::string& command,
                                                        std::shared_ptr<const report::Format> format,
                                                        std::function<std::string()> program) {
  return [command, format, program](const std::string& error) {
    if (*format != report::Format::Json) return;
    report::render_error_json(core::stamp_now(), command, program(), error, std::cout);
    std::cout.flush();
  };
}

}  // namespace bootmortem::cli
