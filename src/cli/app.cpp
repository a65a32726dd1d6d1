#include "cli/app.h"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <vector>

#include "cli/subcommand.h"
#include "core/error.h"

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
    add_trace,
};

}  // namespace

const Choices<report::Format>& report_formats() {
  static const Choices<report::Format> k = {
      {"text", report::Format::Text},
      {"markdown", report::Format::Markdown},
      {"json", report::Format::Json},
      {"junit", report::Format::Junit},
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
  app.set_version_flag("--version", std::string("bootmortem ") + BOOTMORTEM_VERSION);

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

  try {
    for (const auto& s : subs)
      if (s.app->parsed()) return s.run();
  } catch (const core::InputError& e) {
    std::cerr << "bootmortem: " << e.what() << "\n";
    return 2;
  } catch (const core::SystemError& e) {
    std::cerr << "bootmortem: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bootmortem: internal error: " << e.what() << "\n";
    return 2;
  }
  return 2;
}

}  // namespace bootmortem::cli
