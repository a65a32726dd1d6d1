// Hand-built Evidence for rule and report tests: the seed incident
// (shared/seed/000_588963438107c28d.txt) as bootmortem would record it, and
// a healthy base that single-rule tests bend one fact at a time.
#pragma once

#include <cerrno>
#include <string>

#include "evidence/evidence.h"

namespace bootmortem::testing {

inline const char* k_seed_config =
    "; test_server, as deployed after the switch from user=root\n"
    "[program:test_server]\n"
    "command=/srv/test_server/venv/bin/gunicorn -k gevent -b 0.0.0.0:8080 app:application\n"
    "directory=/srv/test_server\n"
    "user=cissoid\n"
    "autostart=true\n"
    "stderr_logfile=/var/log/test_server/err.log\n"
    "\n"
    "[program:other]\n"
    "command=/bin/true\n";

inline const char* k_silent_stderr =
    "[2016-01-25 21:26:22 +0800] [27886] [INFO] Starting gunicorn 19.1.0\n"
    "[2016-01-25 21:26:22 +0800] [27886] [INFO] Listening at: http://0.0.0.0:8080 (27886)\n"
    "[2016-01-25 21:26:22 +0800] [27886] [INFO] Using worker: gevent\n"
    "[2016-01-25 21:26:22 +0800] [27887] [INFO] Booting worker with pid: 27887\n"
    "[2016-01-25 21:26:23 +0800] [27886] [INFO] Shutting down: Master\n"
    "[2016-01-25 21:26:23 +0800] [27886] [INFO] Reason: Worker failed to boot.\n";

inline const char* k_loud_stderr =
    "[2016-01-25 21:26:22 +0800] [27886] [INFO] Starting gunicorn 19.1.0\n"
    "[2016-01-25 21:26:22 +0800] [27887] [INFO] Booting worker with pid: 27887\n"
    "[2016-01-25 21:26:22 +0800] [27887] [ERROR] Exception in worker process\n"
    "Traceback (most recent call last):\n"
    "  File \"/srv/test_server/app.py\", line 3, in <module>\n"
    "    import MySQLdb\n"
    "pkg_resources.ExtractionError: Can't extract file(s) to egg cache\n"
    "\n"
    "The following error occurred while trying to extract file(s) to the Python egg cache:\n"
    "\n"
    "  [Errno 13] Permission denied: '/root/.cache'\n"
    "\n"
    "The Python egg cache directory is currently set to:\n"
    "\n"
    "  /root/.cache/Python-Eggs\n"
    "\n"
    "Perhaps your account does not have write access to this directory?  You can change the "
    "cache directory by setting the PYTHON_EGG_CACHE environment variable to point to an "
    "accessible directory.\n"
    "[2016-01-25 21:26:23 +0800] [27886] [INFO] Shutting down: Master\n"
    "[2016-01-25 21:26:23 +0800] [27886] [INFO] Reason: Worker failed to boot.\n";

inline trace::FailedSyscall failed(uint64_t seq, const std::string& call, int err,
                                   const std::string& path, const std::string& args = "",
                                   int pid = 27887) {
  trace::FailedSyscall s;
  s.pid = pid;
  s.call = call;
  s.err = err;
  s.path = path;
  s.args = args;
  s.seq = seq;
  s.at_ms = static_cast<int64_t>(seq) * 3;
  return s;
}

inline trace::FailedSyscall failed_bind(uint64_t seq, int err, const std::string& addr, int port) {
  trace::FailedSyscall s = failed(seq, "bind", err, "", "", 27886);
  s.addr = addr;
  s.port = port;
  return s;
}

// A program that runs as cissoid with every fact false but uid_nonzero:
// the neutral ground each rule test changes.
inline evidence::Evidence base_evidence() {
  evidence::Evidence ev;
  auto& s = ev.spec;
  s.name = "test_server";
  s.section = "program:test_server";
  s.source = {"/etc/supervisor/conf.d/test_server.conf", 2};
  s.argv = {"/srv/test_server/venv/bin/gunicorn", "-k", "gevent", "-b", "0.0.0.0:8080",
            "app:application"};
  s.filename = s.argv[0];
  s.base.source = spawn::BaseEnvSource::LiveSupervisord;
  s.base.observed = true;
  s.base.pid = 1234;
  s.switch_user = true;
  s.uid = 1001;
  s.gid = 1001;
  s.groups = {1001};
  s.user = "cissoid";
  s.user_home = "/home/cissoid";
  s.user_shell = "/bin/bash";
  s.directory = "/srv/test_server";
  s.cwd = "/srv/test_server";
  s.effective_umask = 022;
  for (const auto& [k, v] : {std::pair{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                             {"HOME", "/home/cissoid"}, {"USER", "cissoid"}, {"LOGNAME", "cissoid"},
                             {"SUPERVISOR_ENABLED", "1"}, {"SUPERVISOR_PROCESS_NAME", "test_server"}})
    s.env.set(k, v);

  ev.trace.backend = "ptrace+seccomp";
  ev.trace.backend_note = "seccomp filter traps file, exec and socket calls only";
  ev.trace.verdict = trace::Verdict::Fails;
  ev.trace.main_pid = 27886;
  ev.trace.exit_code = 1;
  ev.trace.after_ms = 512;
  ev.trace.processes = 2;

  ev.login.method = "login-shell";
  ev.login.env.set("HOME", "/home/cissoid");
  ev.login.env.set("USER", "cissoid");
  ev.login.env.set("LOGNAME", "cissoid");
  ev.config_text = k_seed_config;

  for (const auto& f : evidence::known_facts()) ev.facts[f] = false;
  ev.facts["uid_nonzero"] = true;
  ev.facts["user_switched"] = true;
  ev.facts["exited_early"] = true;
  for (const auto& v : evidence::known_values()) ev.values[v] = "";
  ev.values["program"] = "test_server";
  ev.values["section"] = "program:test_server";
  ev.values["config_file"] = "/etc/supervisor/conf.d/test_server.conf";
  ev.values["user"] = "cissoid";
  ev.values["uid"] = "1001";
  ev.values["gid"] = "1001";
  ev.values["user_home"] = "/home/cissoid";
  ev.values["user_shell"] = "/bin/bash";
  ev.values["home"] = "/home/cissoid";
  ev.values["command"] =
      "/srv/test_server/venv/bin/gunicorn -k gevent -b 0.0.0.0:8080 app:application";
  ev.values["argv0"] = s.argv[0];
  ev.values["filename"] = s.filename;
  ev.values["directory"] = "/srv/test_server";
  ev.values["cwd"] = "/srv/test_server";
  ev.values["exit_code"] = "1";
  ev.values["after_ms"] = "512";
  ev.values["startsecs"] = "1";
  ev.values["base_source"] = "live-supervisord";
  return ev;
}

// Python's ordinary import probing: ENOENT all over sys.path. No rule may
// take these for a cause.
inline void add_sys_path_probing(evidence::Evidence& ev, uint64_t first_seq = 1) {
  const char* paths[] = {
      "/usr/lib/python3/dist-packages/MySQLdb.cpython-311-x86_64-linux-gnu.so",
      "/usr/lib/python3/dist-packages/MySQLdb.py",
      "/usr/lib/python3.11/MySQLdb/__init__.py",
      "/srv/test_server/venv/lib/python3.11/site-packages/gevent/_config.pyc",
  };
  uint64_t seq = first_seq;
  for (const char* p : paths)
    ev.trace.failed.push_back(failed(seq++, "newfstatat", ENOENT, p));
  ev.trace.failed.push_back(failed(seq++, "openat", ENOENT, "/usr/lib/python3.11/encodings/MySQLdb.py"));
}

// The seed incident: HOME=/root for uid 1001, the egg cache refused, exit 3.
inline evidence::Evidence seed_evidence(bool loud) {
  evidence::Evidence ev = base_evidence();
  ev.spec.env.set("HOME", "/root");
  ev.spec.env.set("USER", "root");
  ev.spec.env.set("LOGNAME", "root");
  ev.spec.env.set("DATABASE_URL", "postgres://app:hunter2@db.internal:5432/app");
  ev.spec.env.set("SECRET_KEY", "s3cr3t-django-key");
  ev.values["home"] = "/root";
  ev.values["exit_code"] = "3";
  ev.facts["home_not_users_home"] = true;
  ev.facts["home_is_root_home"] = true;
  ev.facts["user_var_not_user"] = true;
  ev.facts["logname_not_user"] = true;
  ev.trace.exit_code = 3;
  add_sys_path_probing(ev);
  ev.trace.failed.push_back(failed(
      40, "newfstatat", EACCES,
      "/root/.cache/Python-Eggs/MySQL_python-1.2.5-py2.7-linux-x86_64.egg-tmp",
      "AT_FDCWD, \"/root/.cache/Python-Eggs/MySQL_python-1.2.5-py2.7-linux-x86_64.egg-tmp\", "
      "0x7ffd5c3a8f40, 0"));
  ev.trace.failed.push_back(failed(41, "newfstatat", EACCES, "/root/.cache/Python-Eggs",
                                   "AT_FDCWD, \"/root/.cache/Python-Eggs\", 0x7ffd5c3a8e10, 0"));
  ev.trace.failed.push_back(failed(42, "mkdir", EACCES, "/root/.cache", "\"/root/.cache\", 0755"));
  ev.trace.failed.back().count = 1;
  ev.trace.failed_total = 8;
  ev.trace.err.head = loud ? k_loud_stderr : k_silent_stderr;
  ev.trace.err.total = ev.trace.err.head.size();
  ev.env_diff = {
      {"HOME", "/root", "/home/cissoid", "identity"},
      {"USER", "root", "cissoid", "identity"},
      {"LOGNAME", "root", "cissoid", "identity"},
      {"DATABASE_URL", "postgres://app:hunter2@db.internal:5432/app", std::nullopt, "other"},
      {"SECRET_KEY", "s3cr3t-django-key", std::nullopt, "other"},
  };
  return ev;
}

}  // namespace bootmortem::testing
