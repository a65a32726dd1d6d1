"""A verdict the tracer cannot change: a program that fails a million calls.

storm (C, compiled here with cc): 1,000,000 stat(2) calls on distinct
nonexistent paths, a line on stderr, exit 3. About a second at its own speed
(three on a loaded machine), so under a real supervisord with startsecs=10
it exits in STARTING every time: BACKOFF, then FATAL. Under ptrace, which
stops it at every call (about 60 times slower), it is still up when
startsecs and the window are over; bootmortem must then take the verdict
from an untraced run of the same spawn, keep the traced run's evidence, and
say both. Under eBPF (target: at most 1.3 times its own speed) it fails by
itself, no untraced run needed. Both again with a CPU hog per core beside.
Every report says what the tracing cost, when the tracer measured it.
"""
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

STARTSECS = 10
CALLS = 1000000

STORM = r"""
#include <stdio.h>
#include <sys/stat.h>

int main(void) {
  char path[64];
  struct stat st;
  for (long i = 0; i < %d; i++) {
    snprintf(path, sizeof path, "/nonexistent/bm-storm/mod-%%ld.so", i);
    stat(path, &st);
  }
  fputs("storm: no module found on the search path\n", stderr);
  return 3;
}
""" % CALLS


def diagnose(conf, tracer):
    """diagnose storm with a short window: the ptrace run is cut at startsecs + 2 s."""
    res = e2elib.run_bootmortem(["diagnose", "storm", "-c", str(conf), "--format", "json", "--tracer", tracer,
                                 "--watch", "2"], env=dict(e2elib.ROOT_SHELL_ENV), timeout=300)
    return res, res.json()


def untraced_seconds(exe):
    t0 = time.monotonic()
    rc = subprocess.run([exe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return rc, time.monotonic() - t0


class TracerCost(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        t = e2elib.make_tmpdir("tracercost")
        cls.addClassCleanup(e2elib.remove_tmpdir, t)
        (t / "storm.c").write_text(STORM)
        subprocess.run(["cc", "-O2", "-o", str(t / "storm"), str(t / "storm.c")], check=True)
        cls.exe = str(t / "storm")
        rc, secs = untraced_seconds(cls.exe)
        note("storm untraced: exit %d after %.2f s" % (rc, secs))
        conf = ["[supervisord]", "logfile=%s/supervisord.log" % t, "pidfile=%s/supervisord.pid" % t,
                "childlogdir=%s" % t, "", "[program:storm]", "command=%s" % cls.exe,
                "startsecs=%d" % STARTSECS, "startretries=1",
                "stdout_logfile=%s/storm.out" % t, "stderr_logfile=%s/storm.err" % t, ""]
        cls.conf = t / "supervisord.conf"
        cls.conf.write_text("\n".join(conf))
        cls.real, cls.log = e2elib.failure_under_supervisord(cls, cls.conf, t, "storm", 120)

        cls.idle = {tracer: diagnose(cls.conf, tracer) for tracer in ("ptrace", "ebpf")}
        cls.check = e2elib.run_bootmortem(["check", "-c", str(cls.conf), "--format", "json", "--tracer", "ptrace",
                                           "--watch", "2", "--no-verify"], env=dict(e2elib.ROOT_SHELL_ENV),
                                          timeout=300)
        stop = e2elib.start_hogs(600)
        try:
            rc, secs = untraced_seconds(cls.exe)
            note("storm untraced on the loaded machine: exit %d after %.2f s" % (rc, secs))
            cls.loaded = {tracer: diagnose(cls.conf, tracer) for tracer in ("ptrace", "ebpf")}
        finally:
            stop()

    def runs(self):
        for label, runs in (("idle", self.idle), ("loaded", self.loaded)):
            for tracer, (res, rep) in runs.items():
                t = rep["trace"]
                note("%s %s: verdict %s, exit %s after %s ms; cost %s; untraced %s" % (
                    label, tracer, rep["verdict"], rep["exit"]["code"], rep["exit"]["after_ms"], t.get("cost"),
                    (t.get("untraced") or {}).get("text")))
                yield label, tracer, res, rep

    def test_supervisord_gives_up_on_it(self):
        self.assertEqual("FATAL", self.real, self.log)
        self.assertIn("exited: storm (exit status 3; not expected)", self.log)
        self.assertIn("gave up: storm entered FATAL state", self.log)

    def test_it_fails_with_both_tracers_idle_and_loaded(self):
        for label, tracer, res, rep in self.runs():
            with self.subTest(machine=label, tracer=tracer):
                self.assertEqual("fails", rep["verdict"], res.describe())
                self.assertEqual(3, rep["exit"]["code"], res.describe())
                self.assertLess(rep["exit"]["after_ms"], STARTSECS * 1000, res.describe())
                self.assertEqual("backoff-fatal", rep["outcome"]["kind"], res.describe())
                self.assertEqual("FATAL", rep["outcome"]["state"], res.describe())
                self.assertIn(res.rc, (1, 3), res.describe())
                # The traced run's failed calls are kept, whichever run
                # decided; the output is the run's that reached the exit (under
                # ptrace the traced run was cut before the program printed its
                # last line, and the untraced run's output is shown).
                u = rep["trace"]["untraced"]
                self.assertIn("storm: no module found", rep["stderr_tail"], res.describe())
                if u and u["decided"]:
                    self.assertTrue(u["output"], res.describe())
                self.assertTrue(any(s["path"].startswith("/nonexistent/bm-storm/") for s in rep["syscalls_failed"]),
                                res.describe())

    def test_under_ptrace_an_untraced_run_decides(self):
        for label, runs in (("idle", self.idle), ("loaded", self.loaded)):
            res, rep = runs["ptrace"]
            with self.subTest(machine=label):
                u = rep["trace"]["untraced"]
                self.assertIsNotNone(u, res.describe())
                self.assertTrue(u["decided"], res.describe())
                self.assertTrue(u["exited"], res.describe())
                self.assertEqual(3, u["code"], res.describe())
                self.assertEqual(u["after_ms"], rep["exit"]["after_ms"], res.describe())
                # ptrace's own run outlived startsecs: still up when the window ended.
                self.assertEqual("starts", u["traced"]["verdict"], res.describe())
                self.assertGreaterEqual(u["traced"]["after_ms"], STARTSECS * 1000, res.describe())
                self.assertIn("the verdict is the untraced run's", u["text"], res.describe())
                self.assertIn("the verdict is an untraced run's", rep["trace"]["note"], res.describe())

    def test_under_ebpf_the_traced_run_fails_by_itself(self):
        for label, runs in (("idle", self.idle), ("loaded", self.loaded)):
            res, rep = runs["ebpf"]
            with self.subTest(machine=label):
                u = rep["trace"]["untraced"]
                self.assertTrue(u is None or not u["decided"], res.describe())
                self.assertNotIn("untraced run's", rep["trace"]["note"], res.describe())

    def test_check_says_when_the_tracer_may_have_decided(self):
        # check replays a config's programs together and makes no untraced
        # run: under ptrace the storm is still up at startsecs there, and the
        # report must say that verdict is the slowed run's and how to check it.
        res = self.check
        rep = res.json()
        prog = next(p for p in rep["programs"] if p["program"] == "storm")
        note("check --tracer ptrace: storm %s; %s" % (prog["verdict"], prog["trace"]["note"]))
        self.assertIsNone(prog["trace"]["untraced"], res.describe())
        self.assertIn("check makes no untraced run (`bootmortem diagnose storm` makes one)", prog["trace"]["note"],
                      res.describe())
        self.assertGreaterEqual(prog["trace"]["cost"]["share"], 0.02, res.describe())

    def test_the_tracing_cost_is_reported(self):
        for label, tracer, res, rep in self.runs():
            with self.subTest(machine=label, tracer=tracer):
                cost = rep["trace"]["cost"]
                self.assertIsNotNone(cost, res.describe())
                # At least one stop or event per failed call it saw.
                self.assertGreater(cost["events"], 0, res.describe())
                self.assertGreater(cost["ns"], 0, res.describe())
                self.assertIsNotNone(cost["share"], res.describe())
                if tracer == "ptrace":
                    self.assertGreaterEqual(cost["share"], 0.02, res.describe())


if __name__ == "__main__":
    e2elib.main(e2elib.BASE_PREREQS + [(lambda: shutil.which("cc") is not None, "cc (build-essential)"),
                                       (lambda: shutil.which("stress-ng") is not None, "stress-ng")])
