#!/usr/bin/python3
"""e2e: the seed incident, for real (examples/egg-cache).

Installs the example into a temp DEST, starts a real root supervisord with a
root shell's environment, waits until test_server and test_server_silent are
FATAL after exiting with status 3, then asks bootmortem why -- while that
supervisord still runs, so bootmortem can read its real environment.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_egg_cache.py
"""
import os
import re
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

APP_USER, APP_HOME = "cissoid", "/home/cissoid"
PROGRAMS = ("test_server", "test_server_silent")
EGG_CACHE = re.compile(r"/root/\.cache/Python-Eggs|/root/\.python-eggs")
# what only the egg-cache failure prints; none of it may reach the silent one's stderr
EGG_TEXT = re.compile(r"ExtractionError|egg cache|Python-Eggs|python-eggs|PYTHON_EGG_CACHE|/root/\.cache",
                      re.IGNORECASE)
FATAL_TIMEOUT = 150.0  # 4 attempts, 1+2+3 s backoff: ~10 s; longer on a loaded machine, where
# supervisord reaps late, logs "success:" and so restarts the retry budget (§9)


class EggCacheIncident(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # startsecs=10: gunicorn's failing boot (0.5-3 s, loaded or not) always
        # ends before it, so supervisord gives up with FATAL after exactly 4
        # attempts and holds no copy while bootmortem replays. With the
        # example's startsecs=1 a loaded machine turns the same failure into a
        # crash loop (test_lifecycle.py covers that and the demo accepts it).
        e2elib.egg_cache_under_supervisord(cls, "eggcache", [("program:test_server", "startsecs=10"),
                                                             ("program:test_server_silent", "startsecs=10")],
                                           ports=4)
        cls.fatal_after = {}
        for prog in PROGRAMS:
            cls.fatal_after[prog] = cls.sup.wait_for(
                "gave up: %s entered FATAL state" % prog, FATAL_TIMEOUT)
            lines = cls.sup.lines_for(prog)
            t = [e2elib.parse_log_time(l) for l in lines]
            note("%s FATAL %.1f s after supervisord start (log: first spawn -> gave up %.3f s)"
                 % (prog, cls.fatal_after[prog], t[-1] - t[0]))
        cls.results = {}

    # ---- helpers ---------------------------------------------------------------
    def diagnose(self, prog, fmt, env=None, conf=None):
        key = (prog, fmt, conf)
        if key not in self.results:
            args = ["diagnose", prog, "-c", conf or self.conf]
            if fmt:
                args += ["--format", fmt]
            self.results[key] = e2elib.run_bootmortem(args, env=env)
        return self.results[key]

    def read_log(self, name):
        return (self.dest / "log" / name).read_text(errors="replace")

    # ---- the real supervisord side (no bootmortem needed) ---------------------------
    def test_real_supervisord_reaches_fatal_with_exit_status_3(self):
        for prog in PROGRAMS:
            with self.subTest(program=prog):
                lines = self.sup.lines_for(prog)
                text = "\n".join(lines)
                spawns = sum("spawned: '%s' " % prog in l for l in lines)
                exits = [l for l in lines if "exited: %s (" % prog in l]
                # 4 = startretries + 1. More only when supervisord's reap lag logged a
                # 'success:' just before the exit (semantics §9), which resets the budget.
                if "success: %s " % prog in text:
                    note("%s: supervisord logged 'success:' before an exit (reap lag under "
                         "load); %d attempts instead of 4" % (prog, spawns))
                    self.assertGreaterEqual(spawns, 4, text)
                else:
                    self.assertEqual(4, spawns, text)
                self.assertEqual(spawns, len(exits), text)
                for l in exits:
                    self.assertIn("exited: %s (exit status 3; not expected)" % prog, l)
                self.assertIn("gave up: %s entered FATAL state, too many start retries too quickly"
                              % prog, text)

    def test_real_loud_stderr_shows_extraction_error_under_root(self):
        err = self.read_log("test_server.err.log")
        self.assertIn("Reason: Worker failed to boot.", err)
        self.assertIn("pkg_resources.ExtractionError: Can't extract file(s) to egg cache", err)
        self.assertIn("Permission denied: '/root/.cache'", err)
        self.assertRegex(err, EGG_CACHE)

    def test_real_silent_stderr_has_no_egg_text(self):
        err = self.read_log("test_server_silent.err.log")
        self.assertIn("Booting worker with pid", err)
        self.assertIn("Reason: Worker failed to boot.", err)
        self.assertIsNone(EGG_TEXT.search(err),
                          "the silent variant leaked the cause (gunicorn >= 24.1 prints boot "
                          "exceptions to stderr?):\n" + err)
        self.assertNotIn("Traceback", err)

    def test_real_fix_boots(self):
        """Control: the same program with HOME set boots under a real supervisord,
        so HOME is the cause and nothing else is wrong with the reproduction."""
        fixed = self.tmp / "fixed"
        (fixed / "log").mkdir(parents=True)
        (fixed / "run").mkdir()
        app = self.dest / "app"
        port = self.ports[2]
        (fixed / "supervisord.conf").write_text(FIXED_CONF % {"app": app, "port": port})
        sup = e2elib.Supervisord(fixed / "supervisord.conf", fixed / "run" / "supervisord.pid",
                                 fixed / "log" / "supervisord.log")
        try:
            sup.start()
            took = sup.wait_for("success: test_server entered RUNNING state", 20.0)
            note("fixed test_server RUNNING after %.1f s" % took)
            body = urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=10).read().decode()
            self.assertIn("test_server up; <eggdb connection", body)
        finally:
            sup.stop()

    # ---- bootmortem -------------------------------------------------------------------
    def check_json_fails_with_egg_cache(self, prog):
        res = self.diagnose(prog, "json")
        rep = res.json()
        self.assertEqual(1, res.rc, res.describe())
        self.assertEqual("bootmortem/1", rep.get("schema"), res.describe())
        self.assertEqual(prog, rep.get("program"))
        self.assertEqual("fails", rep.get("verdict"), res.describe())
        self.assertEqual(3, (rep.get("exit") or {}).get("code"), res.describe())
        findings = rep.get("findings") or []
        self.assertTrue(findings, "no findings:\n" + res.describe())
        top = findings[0]
        note("%s: top finding rule=%s cause=%r fix=%r" % (prog, top.get("rule"), top.get("cause"),
                                                         top.get("fix")))
        self.assertRegex(top.get("cause", ""), EGG_CACHE,
                         "top finding's cause does not name the egg cache under /root")
        fix = top.get("fix", "")
        self.assertTrue('HOME="%s"' % APP_HOME in fix or "PYTHON_EGG_CACHE" in fix,
                        "top finding's fix neither sets HOME=\"%s\" nor PYTHON_EGG_CACHE: %r"
                        % (APP_HOME, fix))
        return res, rep

    def test_diagnose_json_loud(self):
        self.check_json_fails_with_egg_cache("test_server")

    def test_diagnose_json_silent(self):
        res, rep = self.check_json_fails_with_egg_cache("test_server_silent")
        tail = rep.get("stderr_tail")
        self.assertIsInstance(tail, str, "stderr_tail missing")
        self.assertIn("Worker failed to boot", tail,
                      "stderr_tail should be gunicorn's real stderr of the replay")
        self.assertIsNone(EGG_TEXT.search(tail),
                          "silent variant's stderr_tail mentions the egg cache; then it is not "
                          "only the trace that explains it:\n" + tail)
        failed = rep.get("syscalls_failed") or []
        hits = [s for s in failed if s.get("errno") == "EACCES"
                and re.match(r"/root/(\.cache|\.python-eggs)", s.get("path") or "")]
        self.assertTrue(hits, "no failed syscall with EACCES under /root/.cache or "
                              "/root/.python-eggs in syscalls_failed: %r" % failed[:40])

    def test_diagnose_uses_live_supervisord_environment(self):
        res = self.diagnose("test_server", "json")
        rep = res.json()
        base = rep.get("base_env") or {}
        self.assertEqual("live-supervisord", base.get("source"), res.describe())
        self.assertEqual(self.sup.pid, base.get("pid"))
        home = [d for d in rep.get("env_diff") or [] if d.get("name") == "HOME"]
        self.assertEqual([{"name": "HOME", "spawn": "/root", "login": APP_HOME}],
                         [{k: d.get(k) for k in ("name", "spawn", "login")} for d in home])

    def test_diagnose_text(self):
        for prog in PROGRAMS:
            with self.subTest(program=prog):
                res = self.diagnose(prog, "text")
                self.assertEqual(1, res.rc, res.describe())
                self.assertRegex(res.stdout, EGG_CACHE, res.describe())
                self.assertRegex(res.stdout, r"(?m)environment=HOME=", res.describe())
                self.assertNotIn("\x1b[", res.stdout, "colour escapes when stdout is not a tty")

    def test_diagnose_markdown(self):
        res = self.diagnose("test_server", "markdown")
        self.assertEqual(1, res.rc, res.describe())
        self.assertTrue(res.stdout.lstrip().startswith("#"),
                        "markdown report does not start with a heading:\n" + res.stdout[:500])
        self.assertRegex(res.stdout, EGG_CACHE)

    def test_diagnose_fixed_config_starts(self):
        """With the fix applied (and no supervisord running for that config, so the base
        environment is assumed from bootmortem's own: the operator's root shell)."""
        fixed = self.tmp / "fixed-diag"
        (fixed / "log").mkdir(parents=True)
        (fixed / "run").mkdir()
        (fixed / "supervisord.conf").write_text(
            FIXED_CONF % {"app": self.dest / "app", "port": self.ports[3]})
        env = dict(e2elib.ROOT_SHELL_ENV)
        res = e2elib.run_bootmortem(["diagnose", "test_server", "-c",
                                     str(fixed / "supervisord.conf"), "--format", "json"], env=env)
        rep = res.json()
        self.assertEqual(0, res.rc, res.describe())
        self.assertEqual("starts", rep.get("verdict"), res.describe())
        bind = "127.0.0.1:%d" % self.ports[3]
        left = {p: e2elib.cmdline(p) for p in e2elib.all_pids()
                if bind in e2elib.cmdline(p) and e2elib.pid_alive(p)}
        if left:
            time.sleep(1.0)
            left = {p: c for p, c in left.items() if e2elib.pid_alive(p)}
        for p in left:  # don't leak them into the next test; then fail
            e2elib.kill_and_wait(p, timeout=2.0)
        self.assertFalse(left, "gunicorn of the replay still running after diagnose: %r" % left)


FIXED_CONF = """\
[unix_http_server]
file=%%(here)s/run/supervisor.sock

[supervisord]
logfile=%%(here)s/log/supervisord.log
pidfile=%%(here)s/run/supervisord.pid
childlogdir=%%(here)s/log

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://%%(here)s/run/supervisor.sock

[program:test_server]
command=/usr/bin/gunicorn -k gevent -w 1 -b 127.0.0.1:%(port)d wsgi:application
directory=%(app)s
user=cissoid
environment=HOME="/home/cissoid",USER="cissoid",LOGNAME="cissoid"
stdout_logfile=%%(here)s/log/test_server.out.log
stderr_logfile=%%(here)s/log/test_server.err.log
"""


if __name__ == "__main__":
    e2elib.main(e2elib.EGG_CACHE_PREREQS)
