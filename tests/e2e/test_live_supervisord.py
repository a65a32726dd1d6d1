#!/usr/bin/python3
"""e2e: a running supervisord as evidence.

1. The egg-cache example (the seed incident) under a real root supervisord
   that has reached FATAL: `diagnose` quotes supervisord's own history of the
   program (4 spawns, each exited with status 3, then FATAL), its state, and
   says the base environment was read from that supervisord -- with -c, and
   without -c (the live supervisord's own config).
2. A healthy program that the real supervisord reports RUNNING: `diagnose`
   says so (exit 0, verdict starts, its pid and uptime) and starts no second
   copy (the program appends its pid to a marker file at start), unless
   --replay is given.

The installed example gets startsecs=10 for test_server (and autostart=false
for test_server_silent, which this test does not need): gunicorn then always
exits before startsecs, so supervisord reaches FATAL after exactly 4 attempts
even on a loaded machine, where with startsecs=1 a slow boot can pass
startsecs and make supervisord restart it without limit.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_live_supervisord.py
"""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

FATAL_TIMEOUT = 90.0
PROGRAM = "test_server"

HEALTHY_CONF = """\
[unix_http_server]
file=%(here)s/supervisor.sock

[supervisord]
logfile=%(here)s/supervisord.log
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:healthy]
command=/usr/bin/python3 -u %(here)s/healthy.py
startsecs=1
stdout_logfile=%(here)s/healthy.out.log
stderr_logfile=%(here)s/healthy.err.log
"""

# Appends its pid to the marker at start: every copy that ever ran is listed.
HEALTHY_PY = """\
import os, sys, time
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "marker"), "a") as f:
    f.write("%d\\n" % os.getpid())
print("healthy up", flush=True)
time.sleep(600)
"""


class LiveSupervisord(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        e2elib.egg_cache_under_supervisord(cls, "live", [("program:test_server", "startsecs=10"),
                                                         ("program:test_server_silent", "autostart=false")])
        took = cls.sup.wait_for("gave up: test_server entered FATAL state", FATAL_TIMEOUT)
        note("test_server FATAL %.1f s after supervisord started" % took)
        cls.results = {}

    def diagnose(self, *args, cwd=None):
        key = (args, cwd)
        if key not in self.results:
            env = os.environ.copy()
            if cwd:  # run from a directory that holds no supervisord.conf
                env["PWD"] = str(cwd)
            self.results[key] = run_in(cwd, ["diagnose"] + list(args), env)
        return self.results[key]

    def check_fatal_report(self, res):
        rep = res.json()
        self.assertEqual(1, res.rc, res.describe())
        self.assertEqual("fails", rep.get("verdict"))
        base = rep.get("base_env") or {}
        self.assertEqual("live-supervisord", base.get("source"), res.describe())
        self.assertEqual(self.sup.pid, base.get("pid"))
        sd = rep.get("supervisord")
        self.assertIsInstance(sd, dict, "no 'supervisord' object:\n" + res.describe())
        self.assertEqual(self.sup.pid, sd.get("pid"))
        self.assertEqual("FATAL", sd.get("state"), sd)
        self.assertEqual("Exited too quickly (process log may have details)", sd.get("description"))
        self.assertTrue(sd.get("replayed"))
        events = [e.get("event") for e in sd.get("history") or []]
        self.assertEqual(["spawned", "exited"] * 4 + ["gave_up"], events, sd.get("history"))
        for e in sd["history"]:
            if e["event"] == "exited":
                self.assertEqual(3, e.get("status"), e)
            self.assertIn(e["line"], self.sup.log_text(), "a quoted line is not supervisord's own")
        spawned = [e["pid"] for e in sd["history"] if e["event"] == "spawned"]
        self.assertEqual(4, len(set(spawned)))
        summary = sd.get("summary") or ""
        note("summary: " + summary)
        self.assertRegex(summary, r"^supervisord saw 4 starts in \d+\.\d s, each exited with status 3 "
                                  r"after ~[\d.]+ (s|ms), then FATAL$")
        self.assertIn("Worker failed to boot", sd.get("stderr_tail") or "")
        self.assertEqual(3, (rep.get("exit") or {}).get("code"), res.describe())
        return rep

    # ---- FATAL: supervisord's history in the report -----------------------------
    def test_json_quotes_supervisords_history(self):
        self.check_fatal_report(self.diagnose(PROGRAM, "-c", self.conf, "--format", "json"))

    def test_text_report_leads_with_supervisords_account(self):
        res = self.diagnose(PROGRAM, "-c", self.conf)
        self.assertEqual(1, res.rc, res.describe())
        head = res.stdout.splitlines()[:4]
        note("text report head:\n  " + "\n  ".join(head))
        self.assertTrue(head[0].startswith("test_server fails: exit status 3"), head)
        self.assertEqual("supervisord (pid %d) reports it FATAL: Exited too quickly "
                         "(process log may have details)" % self.sup.pid, head[1])
        self.assertRegex(head[2], r"^supervisord saw 4 starts in .*, each exited with status 3 .*then FATAL\.$")
        self.assertEqual("The replay exited with status 3 too: it reproduces what supervisord saw.", head[3])
        self.assertRegex(res.stdout, r"(?m)^  \d{4}-\d\d-\d\d [\d:,]+ INFO gave up: test_server entered FATAL state")
        self.assertIn("read from the running supervisord's /proc/%d/environ" % self.sup.pid, res.stdout)

    def test_markdown_has_a_supervisord_section(self):
        res = self.diagnose(PROGRAM, "-c", self.conf, "--format", "markdown")
        self.assertEqual(1, res.rc, res.describe())
        self.assertIn("## supervisord\n\nsupervisord (pid %d) reports it FATAL" % self.sup.pid, res.stdout)
        self.assertIn("INFO gave up: test_server entered FATAL state", res.stdout)

    def test_without_c_uses_the_live_supervisords_config(self):
        others = [s for s in live_supervisords() if s != self.sup.pid]
        res = self.diagnose(PROGRAM, "--format", "json", cwd=self.tmp)
        others += [s for s in live_supervisords() if s != self.sup.pid]
        if res.rc == 2 and others:
            # Other supervisords run on this machine (a demo, another test): then
            # diagnose must refuse to guess, and name ours among them.
            note("other supervisords running (%s): checking the refusal" % sorted(set(others)))
            self.assertIn("supervisords are running; pick one with -c", res.stderr)
            self.assertIn("pid %d: %s" % (self.sup.pid, self.conf), res.stderr)
            return
        self.check_fatal_report(res)

    # ---- RUNNING: said so, and not started a second time ---------------------------
    def test_running_program_is_not_replayed(self):
        d = self.tmp / "healthy"
        d.mkdir()
        (d / "supervisord.conf").write_text(HEALTHY_CONF)
        (d / "healthy.py").write_text(HEALTHY_PY)
        sup = e2elib.Supervisord(d / "supervisord.conf", d / "supervisord.pid", d / "supervisord.log")
        try:
            sup.start()
            sup.wait_for("success: healthy entered RUNNING state", 30.0)
            first = marker_pids(d)
            self.assertEqual(1, len(first), first)
            time.sleep(1.2)  # an uptime of at least a second to report
            res = e2elib.run_bootmortem(["diagnose", "healthy", "-c", str(d / "supervisord.conf"),
                                         "--format", "json"])
            rep = res.json()
            self.assertEqual(0, res.rc, res.describe())
            self.assertEqual("starts", rep.get("verdict"))
            sd = rep.get("supervisord") or {}
            self.assertEqual("RUNNING", sd.get("state"), res.describe())
            self.assertEqual(first[0], sd.get("process_pid"))
            self.assertGreaterEqual(sd.get("uptime_s") or 0, 1)
            self.assertFalse(sd.get("replayed"))
            self.assertEqual("none", (rep.get("trace") or {}).get("backend"))
            self.assertEqual(first, marker_pids(d), "diagnose started a second copy")
            self.assertEqual(1, count_running(d / "healthy.py"))

            text = e2elib.run_bootmortem(["diagnose", "healthy", "-c", str(d / "supervisord.conf")])
            self.assertEqual(0, text.rc, text.describe())
            self.assertRegex(text.stdout.splitlines()[0],
                             r"^healthy starts: supervisord \(pid %d\) reports it RUNNING, pid %d, uptime 0:00:\d\d$"
                             % (sup.pid, first[0]))
            self.assertIn("healthy up", text.stdout, "the program's own stdout log, from supervisord")
            self.assertEqual(first, marker_pids(d), "diagnose started a second copy")

            # --replay: the user asked for a second copy; it is ended afterwards.
            rr = e2elib.run_bootmortem(["diagnose", "healthy", "-c", str(d / "supervisord.conf"),
                                        "--replay", "--format", "json"])
            self.assertEqual(0, rr.rc, rr.describe())
            # Replayed (not "none"), by the default backend: eBPF as root.
            self.assertEqual("ebpf", (rr.json().get("trace") or {}).get("backend"), rr.describe())
            self.assertEqual(first[0], (rr.json().get("supervisord") or {}).get("copy_pid_during_replay"),
                             "the report should say supervisord's copy ran during the replay")
            self.assertEqual(2, len(marker_pids(d)), "--replay did not run the program")
            deadline = time.monotonic() + 5
            while count_running(d / "healthy.py") > 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(1, count_running(d / "healthy.py"), "the replay's copy survived")
        finally:
            sup.stop()


def run_in(cwd, args, env):
    if cwd is None:
        return e2elib.run_bootmortem(args, env=env)
    old = os.getcwd()
    env["BOOTMORTEM"] = os.environ["BOOTMORTEM"] = os.path.abspath(e2elib.bootmortem_path())
    os.chdir(cwd)
    try:
        return e2elib.run_bootmortem(args, env=env)
    finally:
        os.chdir(old)


def marker_pids(d):
    try:
        return [int(x) for x in (d / "marker").read_text().split()]
    except OSError:
        return []


def count_running(script):
    return sum(1 for p in e2elib.all_pids()
               if str(script) in e2elib.cmdline(p) and e2elib.pid_alive(p))


def live_supervisords():
    return [p for p in e2elib.all_pids()
            if re.search(r"(^|/)supervisord( |$)", e2elib.cmdline(p).split(" -")[0] + " ")
            and e2elib.pid_alive(p)]


if __name__ == "__main__":
    e2elib.main(e2elib.EGG_CACHE_PREREQS)
