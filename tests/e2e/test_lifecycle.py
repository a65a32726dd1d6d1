"""supervisord's whole life, for real: what a real supervisord does with a
program first (from its own log), then what bootmortem says of it.

- crash_loop: up past startsecs=1, then dies (its config file is under the
  HOME it inherited, /root): supervisord marks it RUNNING, logs the exit
  "not expected" and starts it again, forever. bootmortem: fails, a crash
  loop, the cause named, exit 1 -- also while supervisord is cycling it, and
  with a listening port the live copy holds (no self-made port finding).
- daemonizes: its child exits while a grandchild lives on.
- exits_expected: exits 0 after startsecs; autorestart=unexpected leaves it EXITED.
- healthy: stays up: starts, exit 0.
- On a machine with every core busy (stress-ng, a CPU hog per core) the seed
  incident, the crash loop and the healthy program get the same verdict and
  the same cause as on an idle one.
"""
import os
import shutil
import subprocess
import sys
import textwrap
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import PY, note  # noqa: E402

USER = "bmlife"
MARKER = "bmlife-marker-%d" % os.getpid()
HOME_RULES = ("home-inherited-eacces", "home-root-xdg-dirs", "home-root-config", "home-inherited-denied-logged")
PORT_RULES = ("port-in-use", "port-held-by-orphan")

# Dies 2.5 s after it starts: past startsecs=1 even when a loaded supervisord
# reaps a second late. Its settings live under HOME, which is root's.
CRASH = """
import os, socket, sys, time
port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
if port:
    s = socket.socket()
    s.bind(("127.0.0.1", port))
    s.listen(8)
time.sleep(2.5)
open(os.path.expanduser("~/.config/lifeapp/settings.ini"))
"""
DAEMON = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    time.sleep(300)
    sys.exit(0)
sys.exit(0)
"""


def sh(*argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_markers():
    for pid in e2elib.all_pids():
        if MARKER in e2elib.cmdline(pid):
            e2elib.kill_and_wait(pid, timeout=5)


def root_shell():
    """The root shell's environment, and a rule pack chosen by BOOTMORTEM_RULES."""
    env = dict(e2elib.ROOT_SHELL_ENV)
    if os.environ.get("BOOTMORTEM_RULES"):
        env["BOOTMORTEM_RULES"] = os.environ["BOOTMORTEM_RULES"]
    return env


def diagnose(conf, prog, *args):
    res = e2elib.run_bootmortem(["diagnose", prog, "-c", str(conf), "--format", "json"] + list(args),
                                env=root_shell())
    return res, res.json()


def set_up(cls, tag):
    """A fresh tmpdir and test user for a test class, with the crashing script; undone at class cleanup."""
    cls.tmp = e2elib.make_tmpdir(tag)
    cls.addClassCleanup(e2elib.remove_tmpdir, cls.tmp)
    subprocess.run(["userdel", "-r", USER], capture_output=True)
    sh("useradd", "-m", "-s", "/bin/bash", USER)
    cls.addClassCleanup(subprocess.run, ["userdel", "-r", USER], capture_output=True)
    cls.addClassCleanup(kill_markers)
    (cls.tmp / "crash.py").write_text(textwrap.dedent(CRASH))
    return cls.tmp


class Lifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        t = set_up(cls, "lifecycle")
        (t / "daemon.py").write_text(textwrap.dedent(DAEMON))
        (t / "serve").write_text("#!%s\nimport sys\nfrom http.server import test, SimpleHTTPRequestHandler\n"
                                 "test(SimpleHTTPRequestHandler, port=int(sys.argv[1]), bind='127.0.0.1')\n" % PY)
        (t / "serve").chmod(0o755)
        cls.port, cls.healthy_port = e2elib.free_ports(2)
        programs = {
            "crash_loop": "%s %s/crash.py" % (PY, t),
            "crash_loop_port": "%s %s/crash.py %d" % (PY, t, cls.port),
            "daemonizes": "%s %s/daemon.py %s" % (PY, t, MARKER),
            "exits_expected": "/bin/sh -c 'sleep 2.5; exit 0'",
            "healthy": "/bin/sleep 300",
            # A script: its process shows the interpreter in its command line.
            "healthy_port": "%s/serve %d" % (t, cls.healthy_port),
        }
        lines = ["[supervisord]", "logfile=%s/supervisord.log" % t, "pidfile=%s/supervisord.pid" % t,
                 "childlogdir=%s" % t, "", "[unix_http_server]", "file=%s/supervisor.sock" % t, "",
                 "[rpcinterface:supervisor]",
                 "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", ""]
        for name, command in programs.items():
            lines += ["[program:%s]" % name, "command=%s" % command, "user=%s" % USER, "startsecs=1",
                      "stdout_logfile=%s/%s.out" % (t, name), "stderr_logfile=%s/%s.err" % (t, name), ""]
        cls.conf = t / "supervisord.conf"
        cls.conf.write_text("\n".join(lines))

        sup = e2elib.Supervisord(cls.conf, t / "supervisord.pid", t / "supervisord.log")
        cls.sup = sup
        cls.addClassCleanup(sup.stop)
        sup.start()
        # supervisord's own behaviour first.
        cls.real = {}
        for name in ("crash_loop", "crash_loop_port"):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # at least two cycles: it is restarted
                lines = sup.lines_for(name)
                if sum("spawned: '%s' " % name in l for l in lines) >= 2 and sup.failure_seen(name):
                    break
                time.sleep(0.2)
            cls.real[name] = sup.failure_seen(name)
        cls.real["daemonizes"], _ = sup.wait_for_failure("daemonizes", 60)
        cls.real["exits_expected"], _ = sup.wait_for_failure("exits_expected", 60)
        sup.wait_for("success: healthy ", 30)
        sup.wait_for("success: healthy_port ", 30)
        note("supervisord: %s" % cls.real)
        cls.log_at_setup = sup.log_text()

        # While supervisord cycles them.
        cls.live = {name: diagnose(cls.conf, name) for name in ("crash_loop_port", "crash_loop")}
        # A second copy of a steady program, asked for: it meets the first's listener.
        cls.live["healthy_port"] = diagnose(cls.conf, "healthy_port", "--replay", "--watch", "1")
        cls.live_log = sup.log_text()
        sup.stop()
        kill_markers()
        # A post-mortem from supervisord.log alone.
        cls.explained = e2elib.run_bootmortem(["explain", "crash_loop", "-c", str(cls.conf), "--format", "json"],
                                              env=root_shell())

        # Replays with no supervisord running, as in CI.
        cls.replay = {name: diagnose(cls.conf, name) for name in
                      ("crash_loop", "daemonizes", "exits_expected")}
        cls.replay["crash_loop_ptrace"] = diagnose(cls.conf, "crash_loop", "--tracer", "ptrace")
        cls.replay["daemonizes_ptrace"] = diagnose(cls.conf, "daemonizes", "--tracer", "ptrace")
        cls.replay["healthy"] = diagnose(cls.conf, "healthy", "--watch", "2")

    # ---- supervisord's own account ------------------------------------------
    def test_supervisord_crash_loops_restarts_and_never_gives_up(self):
        for name in ("crash_loop", "crash_loop_port"):
            with self.subTest(program=name):
                self.assertEqual("CRASH_LOOP", self.real[name], self.log_at_setup)
                self.assertIn("success: %s entered RUNNING state" % name, self.log_at_setup)
                self.assertIn("exited: %s (exit status 1; not expected)" % name, self.log_at_setup)
                self.assertNotIn("gave up: %s " % name, self.log_at_setup)

    def test_supervisord_on_the_others(self):
        # The daemonizing child exits at once: FATAL, or EXITED when a loaded
        # supervisord reaps it after startsecs (semantics §9).
        self.assertIn(self.real["daemonizes"], ("FATAL", "EXITED"), self.log_at_setup)
        self.assertEqual("EXITED", self.real["exits_expected"], self.log_at_setup)
        self.assertIn("exited: exits_expected (exit status 0; expected)", self.log_at_setup)

    # ---- bootmortem's ---------------------------------------------------------
    def assert_crash_loop_explained(self, res, rep):
        self.assertEqual(1, res.rc, res.describe())
        self.assertEqual("fails", rep["verdict"], res.describe())
        self.assertEqual("crash-loop", rep["outcome"]["kind"], res.describe())
        self.assertEqual("RUNNING", rep["outcome"]["state"])
        self.assertTrue(rep["outcome"]["restarted"])
        self.assertEqual(1, rep["exit"]["code"], res.describe())
        self.assertGreater(rep["exit"]["after_ms"], 1000, res.describe())
        self.assertIn(rep["findings"][0]["rule"], HOME_RULES, res.describe())
        self.assertIn("/root/.config", rep["findings"][0]["cause"], res.describe())

    def test_crash_loop_replayed(self):
        for key in ("crash_loop", "crash_loop_ptrace"):
            with self.subTest(tracer=key):
                self.assert_crash_loop_explained(*self.replay[key])
        text = e2elib.run_bootmortem(["diagnose", "crash_loop", "-c", str(self.conf), "--watch", "4"],
                                     env=root_shell())
        self.assertEqual(1, text.rc, text.describe())
        first = text.stdout.splitlines()[:2]
        self.assertIn("a crash loop", first[0], text.describe())
        self.assertIn("starts it again at once, forever", first[1], text.describe())

    def test_crash_loop_under_the_live_supervisord_cycling_it(self):
        for name in ("crash_loop", "crash_loop_port"):
            with self.subTest(program=name):
                res, rep = self.live[name]
                self.assert_crash_loop_explained(res, rep)
                self.assertEqual("live-supervisord", rep["base_env"]["source"])
                rules = [f["rule"] for f in rep["findings"]]
                self.assertFalse(set(rules) & set(PORT_RULES), res.describe())
        # The port case: if the replay met the live copy's listener, it says so.
        res, rep = self.live["crash_loop_port"]
        note("crash_loop_port under the live supervisord: self_conflict %r" % rep["supervisord"]["self_conflict"])
        for line in rep["supervisord"]["self_conflict"]:
            self.assertIn("127.0.0.1:%d" % self.port, line, res.describe())
            self.assertIn("supervisord's own copy", line)

    def test_a_conflict_with_the_live_copy_is_set_aside_and_replayed_apart(self):
        res, rep = self.live["healthy_port"]
        self.assertEqual(0, res.rc, res.describe())
        self.assertEqual("starts", rep["verdict"], res.describe())
        self.assertEqual([], rep["findings"], res.describe())
        conflict = rep["supervisord"]["self_conflict"]
        self.assertEqual(1, len(conflict), res.describe())
        self.assertIn("bind(127.0.0.1:%d) failed with EADDRINUSE" % self.healthy_port, conflict[0])
        self.assertIn("network namespace of its own", rep["trace"]["note"], res.describe())
        # supervisord's copy was not disturbed: still the one it started.
        self.assertNotIn("exited: healthy_port", self.live_log)

    def test_explain_reads_the_crash_loop_from_supervisords_log(self):
        res = self.explained
        rep = res.json()
        self.assertEqual("fails", rep["verdict"], res.describe())
        self.assertEqual("crash-loop", rep["outcome"]["kind"], res.describe())
        self.assertEqual(1, rep["exit"]["code"], res.describe())
        self.assertIn(rep["findings"][0]["rule"], HOME_RULES, res.describe())

    def test_daemonizing_program(self):
        for key in ("daemonizes", "daemonizes_ptrace"):
            with self.subTest(tracer=key):
                res, rep = self.replay[key]
                self.assertEqual(1, res.rc, res.describe())
                self.assertEqual("daemonizes", rep["outcome"]["kind"], res.describe())
                self.assertEqual("program-daemonizes", rep["findings"][0]["rule"], res.describe())
        left = [p for p in e2elib.all_pids() if MARKER in e2elib.cmdline(p) and e2elib.pid_alive(p)]
        self.assertEqual([], left, "the replay left the daemonized child running")

    def test_expected_exit_is_exited(self):
        res, rep = self.replay["exits_expected"]
        self.assertEqual(1, res.rc, res.describe())
        self.assertEqual("fails", rep["verdict"])
        self.assertEqual("exited", rep["outcome"]["kind"], res.describe())
        self.assertEqual("EXITED", rep["outcome"]["state"])
        self.assertTrue(rep["outcome"]["expected"])
        self.assertFalse(rep["outcome"]["restarted"])
        self.assertEqual("exits-expected-after-startsecs", rep["findings"][0]["rule"], res.describe())

    def test_healthy_program(self):
        res, rep = self.replay["healthy"]
        self.assertEqual(0, res.rc, res.describe())
        self.assertEqual("starts", rep["verdict"])
        self.assertEqual("running", rep["outcome"]["kind"])
        self.assertEqual([], rep["findings"])
        self.assertGreaterEqual(rep["exit"]["after_ms"], 3000, res.describe())


# Fails 150,000 lookups of modules that are not there, then exits 3: about a
# second at its own speed, ten or more under ptrace, which stops it twice at
# every one of them.
LOOKUPS = """
import os, sys
for i in range(150000):
    try:
        os.stat("/nonexistent/bm-module-%d.py" % i)
    except OSError:
        pass
print("no module found on the search path", file=sys.stderr)
sys.exit(3)
"""


class TracerSpeed(unittest.TestCase):
    """A verdict the tracer's own cost could decide is an untraced run's."""

    @classmethod
    def setUpClass(cls):
        t = set_up(cls, "tracerspeed")
        (t / "lookups.py").write_text(textwrap.dedent(LOOKUPS))
        conf = ["[supervisord]", "logfile=%s/supervisord.log" % t, "pidfile=%s/supervisord.pid" % t,
                "childlogdir=%s" % t, "", "[program:lookups]", "command=%s %s/lookups.py" % (PY, t),
                "user=%s" % USER, "startsecs=3", ""]
        cls.conf = t / "supervisord.conf"
        cls.conf.write_text("\n".join(conf))
        cls.real, cls.log = e2elib.failure_under_supervisord(cls, cls.conf, t, "lookups", 60)
        cls.ptrace = diagnose(cls.conf, "lookups", "--tracer", "ptrace", "--watch", "2")
        cls.ebpf = diagnose(cls.conf, "lookups", "--tracer", "ebpf", "--watch", "2")

    def test_supervisord_sees_it_fail(self):
        self.assertIn(self.real, ("FATAL", "CRASH_LOOP"), self.log)
        self.assertIn("exited: lookups (exit status 3; not expected)", self.log)

    def test_under_ptrace_the_untraced_run_gives_the_verdict(self):
        res, rep = self.ptrace
        self.assertEqual("fails", rep["verdict"], res.describe())
        self.assertEqual(3, rep["exit"]["code"], res.describe())
        self.assertIn("the verdict is an untraced run's", rep["trace"]["note"], res.describe())
        self.assertIn(res.rc, (1, 3), res.describe())

    def test_under_ebpf_the_run_itself_fails(self):
        res, rep = self.ebpf
        self.assertEqual("fails", rep["verdict"], res.describe())
        self.assertEqual(3, rep["exit"]["code"], res.describe())
        self.assertNotIn("untraced", rep["trace"]["note"], res.describe())


class LoadedMachine(unittest.TestCase):
    """The same verdicts and causes with a CPU hog per core as without."""

    @classmethod
    def setUpClass(cls):
        t = set_up(cls, "loaded")
        ports = e2elib.free_ports(3)
        cls.seed_conf = e2elib.install_egg_cache(t / "egg-cache", ports[0], ports[1])
        conf = ["[supervisord]", "logfile=%s/supervisord.log" % t, "pidfile=%s/supervisord.pid" % t, ""]
        for name, command in (("crash_loop", "%s %s/crash.py" % (PY, t)),
                              ("healthy", "%s -m http.server %d --bind 127.0.0.1" % (PY, ports[2]))):
            conf += ["[program:%s]" % name, "command=%s" % command, "user=%s" % USER, "startsecs=1", ""]
        cls.conf = t / "supervisord.conf"
        cls.conf.write_text("\n".join(conf))
        cls.cases = [(cls.seed_conf, "test_server"), (cls.seed_conf, "test_server_silent"),
                     (cls.conf, "crash_loop"), (cls.conf, "healthy")]
        cls.idle = {c: cls.judge(*c) for c in cls.cases}
        cls.addClassCleanup(e2elib.start_hogs(900))
        cls.loaded = {c: cls.judge(*c) for c in cls.cases}
        cls.loaded_ptrace = {c: cls.judge(*c, "--tracer", "ptrace") for c in cls.cases[:3]}

    @classmethod
    def judge(cls, conf, prog, *args):
        res, rep = diagnose(conf, prog, *args)
        top = rep["findings"][0]["rule"] if rep["findings"] else None
        return {"rc": res.rc, "verdict": rep["verdict"], "top": top, "kind": rep["outcome"]["kind"],
                "after_ms": rep["exit"]["after_ms"], "describe": res.describe()}

    def test_idle_verdicts_are_right(self):
        expect = {"test_server": (1, "fails", "home-python-egg-cache"),
                  "test_server_silent": (1, "fails", "home-python-egg-cache"),
                  "healthy": (0, "starts", None)}
        for (conf, prog), got in self.idle.items():
            with self.subTest(program=prog):
                if prog == "crash_loop":
                    self.assertEqual((1, "fails"), (got["rc"], got["verdict"]), got["describe"])
                    self.assertIn(got["top"], HOME_RULES, got["describe"])
                else:
                    self.assertEqual(expect[prog], (got["rc"], got["verdict"], got["top"]), got["describe"])

    def test_loaded_machine_gives_the_same_verdict_and_cause(self):
        for runs, label in ((self.loaded, "ebpf"), (self.loaded_ptrace, "ptrace")):
            for case, got in runs.items():
                with self.subTest(program=case[1], tracer=label):
                    idle = self.idle[case]
                    note("%s (%s): idle %s after %d ms, loaded %s after %d ms" % (
                        case[1], label, idle["kind"], idle["after_ms"], got["kind"], got["after_ms"]))
                    self.assertEqual((idle["rc"], idle["verdict"], idle["top"]),
                                     (got["rc"], got["verdict"], got["top"]), got["describe"])


if __name__ == "__main__":
    e2elib.main(e2elib.EGG_CACHE_PREREQS + [(lambda: shutil.which("stress-ng") is not None, "stress-ng")])
