// libFuzzer target over the config module: the INI reader, %-expansion, the
// environment= grammar, both shlex modes, and load_config_text as a whole.
// The contract under test (DESIGN.md "Safety"): malformed input is an
// InputError / ValueError with a message, never a crash, a hang or any other
// exception. Built and run by fuzz/run; seeds are tests/config-corpus.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"
#include "config/environment.h"
#include "config/expand.h"
#include "config/ini.h"
#include "config/python.h"
#include "config/shlex.h"

using namespace bootmortem;

namespace {

// The names supervisor offers a per-process key, with both int kinds.
const config::Expansions& expansions() {
  static const config::Expansions e{{"here", std::string("/etc/sv")},
                                    {"program_name", std::string("p")},
                                    {"group_name", std::string("g")},
                                    {"host_node_name", std::string("vm")},
                                    {"process_num", 3LL},
                                    {"numprocs", 10LL},
                                    {"ENV_HOME", std::string("/root")}};
  return e;
}

// The grammars a value goes through. Their documented failures are
// std::invalid_argument (ValueError derives from it); anything else escapes.
void values(const std::string& v) {
  try {
    config::expand(v, expansions(), "program:p.command");
  } catch (const std::invalid_argument&) {
  }
  try {
    config::dict_of_key_value_pairs(v);
  } catch (const std::invalid_argument&) {
  }
  try {
    config::shlex_split(v);
  } catch (const std::invalid_argument&) {
  }
  try {
    config::shlex_legacy_tokens(v, "/.+-():");
  } catch (const std::invalid_argument&) {
  }
}

// A world that answers from memory: no NSS, no disk for the parse-time checks.
struct World {
  core::FakeUserDb users;
  core::FakeFs fs;
  config::LoadContext ctx;
  World() {
    users.users = {{"root", 0, 0, "/root", "/bin/sh"}, {"nobody", 65534, 65534, "/nonexistent", "/bin/sh"}};
    users.groups = {{"root", 0, {}}, {"nogroup", 65534, {}}};
    for (const char* dir : {"/", "/tmp", "/etc", "/etc/sv", "/var/log", "/root"})
      fs.files[dir] = core::FileStat{0040755, 0, 0};
    ctx.environ.set("HOME", "/root");
    ctx.environ.set("PATH", "/usr/bin:/bin");
    ctx.host_node_name = "vm";
    ctx.cwd = "/etc/sv";
    ctx.users = &users;
    ctx.fs = &fs;
  }
};

bool many_processes(const std::string& text) {
  config::IniDocument doc;
  try {
    doc.read(text, "/etc/sv/supervisord.conf");
  } catch (const core::InputError&) {
    return false;
  }
  for (const auto& name : doc.sections())
    if (const auto* v = doc.get(name, "numprocs"))
      if (auto n = config::py_int(v->value); n && *n > 100) return true;
  return false;
}

}  // namespace

// One of three jobs per input, chosen by its length so that every input
// (a seed config included) reaches each job as the fuzzer grows or shrinks
// it, and a crash file reproduces by itself. All three on every input made
// a run three times slower.
enum class Job { IniValues, Grammars, Load };

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const World world;
  const std::string text(reinterpret_cast<const char*>(data), size);

  switch (static_cast<Job>(size % 3)) {
    case Job::IniValues: {
      // The grammars on what the INI layer hands them: continuation lines,
      // stripped comments, [DEFAULT] values.
      config::IniDocument doc;
      try {
        doc.read(text, "/etc/sv/supervisord.conf");
        for (const auto& name : doc.sections())
          for (const auto& option : doc.options(name))
            if (const auto* v = doc.get(name, option)) values(v->value);
      } catch (const core::InputError&) {
      }
      break;
    }
    case Job::Grammars:
      values(text);
      break;
    case Job::Load:
      // [include] reads files from the real disk (a glob could name
      // /dev/zero): the loader is fuzzed without it; the INI job sees it.
      if (text.find("[include") != std::string::npos) break;
      // numprocs=99999999 is honoured as supervisor honours it, in time and
      // memory linear in it (200,000 take 16 s here, 28 s in supervisor):
      // not a bug, but a libFuzzer timeout. Such inputs are skipped.
      if (many_processes(text)) break;
      try {
        config::load_config_text(text, "/etc/sv/supervisord.conf", world.ctx);
      } catch (const core::InputError&) {
      }
      break;
  }
  return 0;
}
