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

namespace {

// A scratch directory under /tmp, removed at the end of the test.
struct TempTree {
  std::filesystem::path root;
  TempTree() {
    char tmpl[] = "/tmp/bootmortem-config-XXXXXX";
    root = ::mkdtemp(tmpl);
  }
  ~TempTree() { std::filesystem::remove_all(root); }
  std::string write(const std::string& rel, const std::string& text) const {
    const auto p = root / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path(const std::string& rel) const { return (root / rel).string(); }
};

std::string brief(const Config& c) {
  std::string out;
  for (const auto& p : c.processes)
    out += p.namespec() + " " + py_repr(p.command) + " " + opt_repr(p.directory) + "\n";
  return out;
}

}  // namespace

TEST_CASE("loader: [include] globs, sorting, %(here)s per file, nested include ignored") {
  // Same tree as a run of supervisor 4.2.5's read_config (as root) gave:
  //   app '/bin/echo <d>/conf.d' '<d>/conf.d' / b '/bin/b <d>/sub' None /
  //   grp:inc '/bin/inc /root' None / grp:main '/bin/echo <d>' '<d>' / unreadable ...
  TempTree t;
  const std::string d = t.root.string();
  const std::string main = t.write("sd.conf",
                                   "[supervisord]\nlogfile=/tmp/sd.log\n\n[include]\nfiles = conf.d/*.conf\n"
                                   "   nomatch/*.ini sub/b.conf\n\t" + d + "/sub/b.conf\n\n"
                                   "[program:main]\ncommand=/bin/echo %(here)s\ndirectory=%(here)s\n");
  t.write("conf.d/20-app.conf",
          "[program:app]\ncommand=/bin/echo %(here)s\ndirectory=%(here)s\n[include]\nfiles=/etc/passwd\n");
  t.write("conf.d/10-inc.conf", "[program:inc]\ncommand=/bin/inc %(ENV_HOME)s\n[group:grp]\nprograms=inc,main\n");
  t.write("conf.d/30-other.conf", "[program:other]\ncommand=/bin/true\n");
  t.write("conf.d/.hidden.conf", "[program:hidden]\ncommand=/bin/true\n");
  std::filesystem::create_directories(t.root / "conf.d" / "zdir.conf");  // matched, unreadable: skipped
  std::filesystem::create_symlink("/nonexistent", t.root / "conf.d" / "40-dangling.conf");
  t.write("sub/b.conf", "[program:b]\ncommand=/bin/b %(here)s\n");

  const Config c = load_config_file(main, golden_context());
  CHECK(brief(c) == "app '/bin/echo " + d + "/conf.d' '" + d + "/conf.d'\n" +
                        "b '/bin/b " + d + "/sub' None\n" +
                        "grp:inc '/bin/inc /root' None\n" +
                        "grp:main '/bin/echo " + d + "' '" + d + "'\n" +
                        "other '/bin/true' None\n");
  CHECK(c.parse_warnings == std::vector<std::string>{"No file matches via include \"" + d + "/nomatch/*.ini\""});
  std::vector<std::string> infos;
  for (const char* f : {"/conf.d/10-inc.conf", "/conf.d/20-app.conf", "/conf.d/30-other.conf",
                        "/conf.d/40-dangling.conf", "/conf.d/zdir.conf", "/sub/b.conf", "/sub/b.conf"})
    infos.push_back("Included extra file \"" + d + f + "\" during parsing");
  CHECK(c.parse_infos == infos);
  CHECK(c.included == std::vector<std::string>{d + "/conf.d/10-inc.conf", d + "/conf.d/20-app.conf",
                                               d + "/conf.d/30-other.conf", d + "/sub/b.conf", d + "/sub/b.conf"});
  CHECK(c.path == main);
  CHECK(c.here == d);
  // Where the program came from, for reports.
  const auto app = c.find("app");
  REQUIRE(app.size() == 1);
  CHECK(app[0]->source.str() == d + "/conf.d/20-app.conf:1");
  CHECK(app[0]->key_origins.at("directory").str() == d + "/conf.d/20-app.conf:3");
}

TEST_CASE("loader: %(here)s is replaced as text when [include] exists, so %%(here)s breaks") {
  // supervisor 4.2.5, same file: "Format string '%<d>' for 'program:main.directory'
  // is badly formatted: unsupported format character '/' (0x2f) at index 1 in
  // section 'program:main' (file: '<d>/sd.conf')".
  TempTree t;
  const std::string d = t.root.string();
  const std::string main = t.write("sd.conf", "[supervisord]\n[include]\nfiles=none/*.conf\n"
                                              "[program:main]\ncommand=/bin/true\ndirectory=%%(here)s\n");
  try {
    load_config_file(main, golden_context());
    FAIL("expected an error");
  } catch (const core::InputError& e) {
    CHECK(std::string(e.what()) == main + ":6: Format string '%" + d +
                                       "' for 'program:main.directory' is badly formatted: unsupported format "
                                       "character '/' (0x2f) at index 1 in section 'program:main' (file: '" +
                                       main + "')");
  }
  // Without [include] the same value is a literal %(here)s.
  const Config c = load_config_text("[supervisord]\n[program:main]\ncommand=/bin/true\ndirectory=%%(here)s\n",
                                    main, golden_context());
  CHECK(c.processes.at(0).directory == "%(here)s");
}

TEST_CASE("loader: errors in included files name that file and line") {
  TempTree t;
  const std::string main = t.write("sd.conf", "[supervisord]\n[include]\nfiles=conf.d/*.conf\n");
  const std::string bad = t.write("conf.d/a.conf", "[program:x]\ncommand=/bin/true\nstartsecs=soon\n");
  CHECK_THROWS_WITH_AS(load_config_file(main, golden_context()),
                       (bad + ":3: invalid literal for int() with base 10: 'soon' in section 'program:x' (file: '" +
                        bad + "')").c_str(),
                       core::InputError);
  t.write("conf.d/a.conf", "[program:x]\ncommand=/bin/true\nno delimiter here\n");
  CHECK_THROWS_WITH_AS(load_config_file(main, golden_context()),
                       (bad + ":3: Source contains parsing errors: '" + bad + "'\n\t[line  3]: 'no delimiter here\\n'")
                           .c_str(),
                       core::InputError);
  t.write("conf.d/a.conf", "key=1\n[program:x]\n");
  CHECK_THROWS_WITH_AS(load_config_file(main, golden_context()),
                       (bad + ":1: File contains no section headers.\nfile: '" + bad + "', line: 1\n'key=1\\n'").c_str(),
                       core::InputError);
}

TEST_CASE("loader: [include] without files=") {
  CHECK_THROWS_WITH_AS(load_config_text("[supervisord]\n[include]\nfile=x\n", "/etc/sv/sd.conf", golden_context()),
                       "/etc/sv/sd.conf:2: .ini file has [include] section, but no files setting", core::InputError);
}

TEST_CASE("loader: missing or unreadable main file") {
  CHECK_THROWS_WITH_AS(load_config_file("/nonexistent/sd.conf", golden_context()),
                       "/nonexistent/sd.conf: could not find config file /nonexistent/sd.conf", core::InputError);
}

TEST_CASE("loader: Debian's supervisord.conf with a conf.d program") {
  // /etc/supervisor/supervisord.conf as Debian 4.2.5-1 ships it, and the
  // incident's program in conf.d.
  TempTree t;
  const std::string d = t.root.string();
  const std::string main = t.write("supervisor/supervisord.conf", R"(; supervisor config file

[unix_http_server]
file=/var/run/supervisor.sock   ; (the path to the socket file)
chmod=0700                       ; sockef file mode (default 0700)

[supervisord]
logfile=/var/log/supervisor/supervisord.log ; (main log file;default $CWD/supervisord.log)
pidfile=/var/run/supervisord.pid ; (supervisord pidfile;default supervisord.pid)
childlogdir=/var/log/supervisor            ; ('AUTO' child log dir, default $TEMP)

; the below section must remain in the config file for RPC
; (supervisorctl/web interface) to work, additional interfaces may be
; added by defining them in separate rpcinterface: sections
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix:///var/run/supervisor.sock ; use a unix:// URL  for a unix socket

; The [include] section can just contain the "files" setting.  This
; setting can list multiple files (separated by whitespace or
; newlines).  It can also contain wildcards.  The filenames are
; interpreted as relative to this file.  Included files *cannot*
; include files themselves.

[include]
files = )" + d + R"(/supervisor/conf.d/*.conf
)");
  t.write("supervisor/conf.d/test_server.conf", R"([program:test_server]
command=/home/cissoid/venv/bin/gunicorn app:app -b 0.0.0.0:8000 -w 2 -k gevent
directory=/home/cissoid/app
user=cissoid
autostart=true
autorestart=true
stdout_logfile=/var/log/test_server.log
redirect_stderr=true
environment=PATH="/home/cissoid/venv/bin:/usr/bin:/bin"
)");
  core::FakeUserDb users;
  users.users.push_back(core::Passwd{"root", 0, 0, "/root", "/bin/bash"});
  users.users.push_back(core::Passwd{"cissoid", 1000, 1000, "/home/cissoid", "/bin/bash"});
  LoadContext ctx = golden_context();
  ctx.users = &users;
  const Config c = load_config_file(main, ctx);
  REQUIRE(c.processes.size() == 1);
  const ProcessConfig& p = c.processes[0];
  CHECK(p.name == "test_server");
  CHECK(p.command == "/home/cissoid/venv/bin/gunicorn app:app -b 0.0.0.0:8000 -w 2 -k gevent");
  CHECK(p.user == "cissoid");
  CHECK(p.uid == 1000u);
  CHECK(p.directory == "/home/cissoid/app");
  CHECK(p.autorestart == AutoRestart::True);
  CHECK(p.redirect_stderr);
  CHECK(p.stdout_logfile == "/var/log/test_server.log");
  CHECK(p.stderr_logfile == "NONE");
  CHECK(p.environment.entries() ==
        std::vector<core::Env::Entry>{{"PATH", "/home/cissoid/venv/bin:/usr/bin:/bin"}});
  CHECK(c.supervisord.server_url == "unix:///var/run/supervisor.sock");
  CHECK(c.supervisord.unix_socket == "/var/run/supervisor.sock");
  CHECK(c.supervisord.logfile_path == "/var/log/supervisor/supervisord.log");
  CHECK(c.supervisord.pidfile_path == "/var/run/supervisord.pid");
  CHECK(c.supervisord.childlogdir == "/var/log/supervisor");
  CHECK_FALSE(c.supervisord.user.has_value());
  CHECK(p.source.str() == d + "/supervisor/conf.d/test_server.conf:1");
  CHECK(p.key_origins.at("user").line == 4);
  CHECK(c.find("test_server").at(0) == &p);
}
