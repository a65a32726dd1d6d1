#!/usr/bin/python3
"""e2e: `bootmortem check`, CI's smoke-check, against what a real supervisord does.

examples/egg-cache is installed with a third program, test_server_fixed: the
same gunicorn app with the fix bootmortem proposes (environment=HOME=...).
A real root supervisord runs the config first, and its log says which
programs reach RUNNING and which FATAL. While it runs, check must ask it as
diagnose does (its environment; the RUNNING program not started twice).
Then it is stopped, as in CI where none runs, and `bootmortem check`
replays the same config from the same root shell's environment: each
program's verdict in the JUnit, JSON and text reports must be supervisord's.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_check.py
"""
import os
import sys
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

PROGRAMS = ("test_server", "test_server_fixed", "test_server_silent")  # supervisord's order
FIXED = """
[program:test_server_fixed]
command=/usr/bin/gunicorn -k gevent -w 1 -b 127.0.0.1:%d wsgi:application
directory=%%(here)s/app
user=cissoid
environment=HOME="/home/cissoid"
stdout_logfile=%%(here)s/log/test_server_fixed.out.log
stderr_logfile=%%(here)s/log/test_server_fixed.err.log
"""
WATCH = "2"  # the settle window after startsecs: see setUpClass
TIMEOUT = 150.0  # see test_egg_cache.py: FATAL takes ~10 s, longer on a loaded machine


def supervisord_verdict(sup, prog):
    """'fails' once supervisord gives up on prog (FATAL); 'starts' once it has
    reported it RUNNING and logged nothing more of it for 3 s. RUNNING alone
    is no verdict: under load supervisord may log 'success:' just before it
    reaps the exit (semantics §9), and then starts it again."""
    deadline = time.monotonic() + TIMEOUT
    last_seen, since = None, None
    while time.monotonic() < deadline:
        lines = sup.lines_for(prog)
        if sup.failure_seen(prog):
            return "fails"
        last = lines[-1] if lines else ""
        if last != last_seen:
            last_seen, since = last, time.monotonic()
        elif "success: %s entered RUNNING" % prog in last and time.monotonic() - since >= 3.0:
            return "starts"
        time.sleep(0.1)
    raise AssertionError("%s neither FATAL nor steadily RUNNING after %.0f s; log:\n%s"
                         % (prog, TIMEOUT, sup.log_text()))


class Check(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = e2elib.make_tmpdir("check")
        cls.addClassCleanup(e2elib.remove_tmpdir, cls.tmp)
        cls.dest = cls.tmp / "egg-cache"
        cls.ports = e2elib.free_ports(3)
        cls.conf = e2elib.install_egg_cache(cls.dest, cls.ports[0], cls.ports[1])
        with open(cls.conf, "a") as f:
            f.write(FIXED % cls.ports[2])
        # startsecs=10 for the failing two: gunicorn's failing boot always ends
        # before it, so supervisord reaches FATAL (and holds no copy of them)
        # even on a loaded machine; test_lifecycle.py covers the crash loop
        # that startsecs=1 can turn into there.
        text = Path(cls.conf).read_text()
        for prog in ("test_server", "test_server_silent"):
            text = e2elib.set_in_section(text, "program:%s" % prog, "startsecs=10")
        Path(cls.conf).write_text(text)

        # What supervisord itself makes of each program.
        sup = e2elib.Supervisord(cls.conf, cls.dest / "run" / "supervisord.pid",
                                 cls.dest / "log" / "supervisord.log")
        cls.addClassCleanup(sup.stop)
        sup.start()
        cls.supervisord = {}
        for prog in PROGRAMS:
            cls.supervisord[prog] = supervisord_verdict(sup, prog)
        note("supervisord: %s" % cls.supervisord)
        cls.supervisord_pid = sup.pid
        # The failing programs exit about 0.5 s after they start, over a second
        # on a loaded machine: the settle window after startsecs catches that
        # as a failure whichever side of startsecs it lands.
        run = lambda *args: e2elib.run_bootmortem(["check", "-c", cls.conf, "--watch", WATCH] + list(args),
                                                   env=dict(e2elib.ROOT_SHELL_ENV))
        cls.live = run("--format", "json")
        # Its programs stop with it: the replays find their ports free.
        sup.stop()

        # CI's run: the same root shell's environment supervisord had.
        cls.junit = run("--format", "junit")
        cls.json = run("--format", "json")
        cls.text = run()
        cls.fixed_only = run("test_server_fixed", "--format", "junit")
        cls.unknown = run("no_such_program")

    def junit_cases(self, result):
        root = ET.fromstring(result.stdout)  # well-formed XML, or this raises
        return root, {tc.get("name"): tc for tc in root.iter("testcase")}

    def test_setup_supervisord_runs_the_fix_and_gives_up_on_the_rest(self):
        # What the rest compares against: the incident's programs FATAL, the fixed one RUNNING.
        self.assertEqual({"test_server": "fails", "test_server_silent": "fails", "test_server_fixed": "starts"},
                         self.supervisord)

    def test_junit_verdicts_are_supervisords(self):
        r = self.junit
        self.assertEqual(1, r.rc, r.describe())
        root, cases = self.junit_cases(r)
        self.assertEqual(list(PROGRAMS), [tc.get("name") for tc in root.iter("testcase")], r.describe())
        for prog, verdict in self.supervisord.items():
            with self.subTest(program=prog):
                failure = cases[prog].find("failure")
                self.assertEqual(verdict == "fails", failure is not None, r.describe())
                if failure is not None:
                    self.assertEqual("home-python-egg-cache", failure.get("type"))
                    self.assertIn("/root/.cache/Python-Eggs", failure.text)
                    self.assertGreater(float(cases[prog].get("time")), 0.0)
                else:
                    self.assertGreaterEqual(float(cases[prog].get("time")), 1 + float(WATCH))
        suite = root.find("testsuite")
        self.assertEqual(("3", "2", "0"), (suite.get("tests"), suite.get("failures"), suite.get("errors")))
        self.assertEqual(self.conf, suite.get("name"))

    def test_json_summary_and_each_programs_report(self):
        r = self.json
        self.assertEqual(1, r.rc, r.describe())
        j = r.json()
        self.assertEqual("bootmortem-check/1", j["schema"])
        self.assertEqual({"programs": 3, "start": 1, "fail": 2, "unexplained": 0}, j["summary"])
        by_name = {p["program"]: p for p in j["programs"]}
        for prog, verdict in self.supervisord.items():
            with self.subTest(program=prog):
                p = by_name[prog]
                self.assertEqual(verdict, p["verdict"])
                self.assertEqual({"source": "invoker", "observed": False}, p["base_env"])
                self.assertEqual("cissoid", p["spawn"]["user"])
                rules = [f["rule"] for f in p["findings"]]
                self.assertEqual(["home-python-egg-cache"] if verdict == "fails" else [], rules[:1])

    def test_text_lists_each_program_then_the_failing_reports(self):
        r = self.text
        self.assertEqual(1, r.rc, r.describe())
        lines = r.stdout.splitlines()
        self.assertEqual("bootmortem check %s: 3 programs, 1 starts, 2 fail" % self.conf, lines[0])
        self.assertTrue(lines[1].startswith("  FAIL  test_server fails: exit status 3 after"), r.describe())
        self.assertTrue(lines[3].startswith("  ok    test_server_fixed starts: still up after"), r.describe())
        self.assertIn("── test_server ──", r.stdout)
        self.assertIn("── test_server_silent ──", r.stdout)
        self.assertNotIn("── test_server_fixed ──", r.stdout)
        # progress on stderr, a line per program as its verdict comes in (the
        # programs run together: in the order they end), for a CI log
        progress = sorted(l.rsplit(" after ", 1)[0] for l in r.stderr.splitlines())
        self.assertEqual(["bootmortem check 1/3: test_server fails", "bootmortem check 2/3: test_server_fixed starts",
                          "bootmortem check 3/3: test_server_silent fails"], progress, r.describe())

    def test_named_program_only_and_exit_0_when_it_starts(self):
        r = self.fixed_only
        self.assertEqual(0, r.rc, r.describe())
        _, cases = self.junit_cases(r)
        self.assertEqual(["test_server_fixed"], list(cases))
        self.assertIsNone(cases["test_server_fixed"].find("failure"))

    def test_with_supervisord_running_it_is_asked_and_its_running_program_not_started_twice(self):
        r = self.live
        self.assertEqual(1, r.rc, r.describe())
        by_name = {p["program"]: p for p in r.json()["programs"]}
        self.assertEqual(set(PROGRAMS), set(by_name))
        for prog, verdict in self.supervisord.items():
            with self.subTest(program=prog):
                p = by_name[prog]
                self.assertEqual({"source": "live-supervisord", "observed": True, "pid": self.supervisord_pid},
                                 p["base_env"])
                self.assertEqual(verdict, p["verdict"])
                sv = p["supervisord"]
                self.assertEqual(self.supervisord_pid, sv["pid"])
                if verdict == "starts":  # RUNNING: its copy is the evidence, none was started
                    self.assertEqual("RUNNING", sv["state"])
                    self.assertFalse(sv["replayed"])
                else:  # FATAL: replayed, and explained
                    self.assertEqual("FATAL", sv["state"])
                    self.assertTrue(sv["replayed"])
                    self.assertEqual("home-python-egg-cache", p["findings"][0]["rule"])

    def test_unknown_program_is_exit_2_naming_the_config(self):
        r = self.unknown
        self.assertEqual(2, r.rc, r.describe())
        self.assertEqual("", r.stdout)
        self.assertEqual(1, len(r.stderr.strip().splitlines()), r.describe())
        self.assertIn(self.conf, r.stderr)

    def test_nothing_of_the_replays_is_left_running(self):
        app = str(self.dest / "app")
        left = [p for p in e2elib.all_pids()
                if "gunicorn" in e2elib.cmdline(p) and os.path.realpath("/proc/%d/cwd" % p) == app]
        self.assertEqual([], left)


if __name__ == "__main__":
    e2elib.main(e2elib.EGG_CACHE_PREREQS)
