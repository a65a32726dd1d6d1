// The loader against supervisor itself: every tests/data/config/golden/*.conf
// is loaded as /etc/sv/<case>.conf and dumped in the format that
// generate_golden.py prints from Debian's supervisor 4.2.5 parser; the two
// must agree line for line (values, order, warnings, error texts).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "config/python.h"

using namespace bootmortem;
using namespace bootmortem::config;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string py_bool(bool b) { return b ? "True" : "False"; }

std::string py_oct(mode_t m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0o%o", static_cast<unsigned>(m));
  return buf;
}

std::string py_env(const core::Env& env) {
  std::string out = "{";
  for (size_t i = 0; i < env.entries().size(); ++i) {
    const auto& [k, v] = env.entries()[i];
    out += (i ? ", " : "") + py_repr(k) + ": " + py_repr(v);
  }
  return out + "}";
}

std::string opt_repr(const std::optional<std::string>& v) { return v ? py_repr(*v) : "None"; }

std::string dump(const Config& c) {
  std::ostringstream o;
  for (const auto& p : c.processes) {
    o << "process " << p.namespec() << "\n";
    o << "  group=" << p.group_name << " gprio=" << p.group_priority << " prio=" << p.priority << "\n";
    o << "  command=" << py_repr(p.command) << "\n";
    o << "  directory=" << opt_repr(p.directory) << " uid=" << (p.uid ? std::to_string(*p.uid) : "None")
      << " umask=" << (p.umask ? py_oct(*p.umask) : "None") << "\n";
    o << "  env=" << py_env(p.environment) << "\n";
    o << "  stdout=" << p.stdout_logfile << " stderr=" << p.stderr_logfile << "\n";
    std::string codes = "[";
    for (size_t i = 0; i < p.exitcodes.size(); ++i) codes += (i ? ", " : "") + std::to_string(p.exitcodes[i]);
    const char* restart = p.autorestart == AutoRestart::True    ? "true"
                          : p.autorestart == AutoRestart::False ? "false"
                                                                : "unexpected";
    o << "  autostart=" << py_bool(p.autostart) << " autorestart=" << restart << " startsecs=" << p.startsecs
      << " startretries=" << p.startretries << " exitcodes=" << codes << "]\n";
    o << "  stopsignal=" << p.stopsignal << " stopwaitsecs=" << p.stopwaitsecs
      << " stopasgroup=" << py_bool(p.stopasgroup) << " killasgroup=" << py_bool(p.killasgroup)
      << " redirect_stderr=" << py_bool(p.redirect_stderr) << "\n";
    o << "  serverurl=" << opt_repr(p.serverurl) << "\n";
  }
  const auto& s = c.supervisord;
  o << "supervisord env=" << py_env(s.environment) << " umask=" << py_oct(s.umask) << " minfds=" << s.minfds
    << " minprocs=" << s.minprocs << " identifier=" << py_repr(s.identifier) << " nodaemon=" << py_bool(s.nodaemon)
    << "\n";
  o << "serverurl=" << opt_repr(s.server_url) << "\n";
  for (const auto& w : c.parse_warnings) o << "warning: " << w << "\n";
  return o.str();
}

LoadContext golden_context() {
  LoadContext ctx;
  ctx.environ.set("PATH", "/usr/bin:/bin");
  ctx.environ.set("HOME", "/root");
  ctx.environ.set("LANG", "C.UTF-8");
  ctx.host_node_name = "vm";
  ctx.cwd = "/";
  return ctx;  // users: the system's (root, nobody); no directory checks
}

}  // namespace

TEST_CASE("loader: golden cases agree with supervisor 4.2.5") {
  const std::filesystem::path dir = std::filesystem::path(BOOTMORTEM_TEST_DATA) / "config" / "golden";
  std::vector<std::filesystem::path> confs;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".conf") confs.push_back(e.path());
  std::sort(confs.begin(), confs.end());
  CHECK(confs.size() >= 40);
  const LoadContext ctx = golden_context();
  for (const auto& conf : confs) {
    const std::string name = conf.stem().string();
    CAPTURE(name);
    const std::string expected = slurp(std::filesystem::path(conf).replace_extension(".expected"));
    std::string got;
    try {
      got = dump(load_config_text(slurp(conf), "/etc/sv/" + name + ".conf", ctx));
    } catch (const core::InputError& e) {
      got = "error: " + e.message() + "\n";
    }
    CHECK(got == expected);
  }
}
