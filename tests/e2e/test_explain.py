#!/usr/bin/python3
"""e2e: `bootmortem explain`, a post-mortem from the logs, starting nothing.

The egg-cache example (the seed incident) runs under a real root supervisord
until test_server is FATAL; explain is asked once while that supervisord
still runs (its account is in the report), then supervisord is stopped and
every other case reads only what is left on disk:

- the cause named from gunicorn's stderr log (pkg_resources' ExtractionError
  under /root/.cache), the exit status from supervisord.log, "not replayed",
  the files read with their sizes and lines, and nothing started: the
  installed app appends its pid to a marker file when it is imported, and
  explain leaves it untouched (diagnose, run afterwards, writes it: the
  marker does catch a start);
- --log: the traceback in a 20 MB file of ordinary log lines explains the
  silent variant, whose own stderr says nothing; the matched line's file:line
  is right;
- no evidence (empty logs): no finding, exit 3, and a plain statement;
- bad input: a missing --log file is one line naming it, exit 2.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_explain.py
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

FATAL_TIMEOUT = 90.0
PROGRAM = "test_server"
EGG_CACHE = re.compile(r"/root/\.cache/Python-Eggs|/root/\.python-eggs")
APP_HOME = "/home/cissoid"

# Put at the top of the installed app: every import of it, by a worker of any
# copy of the program, appends that worker's pid.
MARKER_CODE = """
import os as _bm_os
with open(%r, "a") as _bm_f:
    _bm_f.write("%%d\\n" %% _bm_os.getpid())
"""

EMPTY_CONF = """\
[supervisord]
logfile=%(here)s/supervisord.log
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s

[program:quiet]
command=/bin/true
stdout_logfile=%(here)s/quiet.out.log
stderr_logfile=%(here)s/quiet.err.log
"""


class Explain(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # startsecs=10: gunicorn always exits before it, so FATAL comes after
        # exactly 4 attempts even on a loaded machine (see test_live_supervisord).
        e2elib.egg_cache_under_supervisord(cls, "explain", [("program:test_server", "startsecs=10"),
                                                            ("program:test_server_silent", "startsecs=10")])
        cls.marker = cls.dest / "log" / "imported.marker"  # log/ is cissoid's
        for prog in (PROGRAM, "test_server_silent"):
            took = cls.sup.wait_for("gave up: %s entered FATAL state" % prog, FATAL_TIMEOUT)
            note("%s FATAL %.1f s after supervisord started" % (prog, took))
        cls.live_pid = cls.sup.pid
        cls.live = e2elib.run_bootmortem(["explain", PROGRAM, "-c", cls.conf, "--format", "json"])
        cls.sup.stop()
        # From here on nothing runs; only the files are left.
        app = cls.dest / "app" / "wsgi.py"
        code = app.read_text()
        doc_end = code.index('"""', 3) + 3
        app.write_text(code[:doc_end] + MARKER_CODE % str(cls.marker) + code[doc_end:])
        cls.results = {}

    def explain(self, *args):
        if args not in self.results:
            self.results[args] = e2elib.run_bootmortem(["explain"] + list(args))
        return self.results[args]

    def json_report(self, *args):
        res = self.explain(*(list(args) + ["--format", "json"]))
        return res, res.json()

    def assert_not_started(self):
        self.assertFalse(self.marker.exists(),
                         "the app was imported: explain started the program (%s)"
                         % (self.marker.read_text() if self.marker.exists() else ""))

    # ---- the egg cache from the logs ------------------------------------------------
    def test_names_the_egg_cache_from_the_logs_without_starting_it(self):
        res, rep = self.json_report(PROGRAM, "-c", self.conf)
        self.assert_not_started()
        self.assertEqual(1, res.rc, res.describe())
        self.assertEqual("fails", rep["verdict"])
        self.assertEqual(3, rep["exit"]["code"], "the exit status supervisord logged")
        self.assertEqual("none", rep["trace"]["backend"])
        self.assertTrue(rep["trace"]["note"].startswith("not replayed: evidence from "), rep["trace"])
        self.assertEqual([], rep["syscalls_failed"])
        top = rep["findings"][0]
        note("top finding %s: %s" % (top["rule"], top["cause"]))
        self.assertEqual("home-python-egg-cache", top["rule"], res.describe())
        self.assertRegex(top["cause"], EGG_CACHE)
        self.assertIn('HOME="%s"' % APP_HOME, top["fix"])
        self.assertTrue(any("Python egg cache" in e for e in top["evidence"]), top["evidence"])
        self.assertIsNone(rep["supervisord"], "supervisord was stopped")

        ex = rep["explain"]
        self.assertFalse(ex["replayed"])
        files = {f["role"]: f for f in ex["files"]}
        err = files["stderr_logfile"]
        self.assertEqual(str(self.dest / "log" / "test_server.err.log"), err["path"])
        on_disk = (self.dest / "log" / "test_server.err.log").read_bytes()
        self.assertEqual(len(on_disk), err["bytes"])
        self.assertEqual(on_disk.count(b"\n"), err["lines"])
        self.assertTrue(err["matched"], "no matched lines kept")
        lines = on_disk.decode(errors="replace").split("\n")
        for m in err["matched"]:  # each kept excerpt is the file's own line(s) at that number
            self.assertEqual(lines[m["line"] - 1], m["text"].split("\n")[0], m)
        sd_log = files["supervisord.log"]
        self.assertEqual(str(self.dest / "log" / "supervisord.log"), sd_log["path"])
        self.assertGreater(sd_log["lines"], 8)
        events = [e["event"] for e in ex["history"]]
        self.assertEqual(["spawned", "exited"] * 4 + ["gave_up"], events, ex["history"])
        self.assertRegex(ex["summary"], r"^supervisord saw 4 starts in .*, each exited with status 3 .*then FATAL$")

    def test_text_says_it_did_not_replay_and_what_it_read(self):
        res = self.explain(PROGRAM, "-c", self.conf)
        self.assert_not_started()
        self.assertEqual(1, res.rc, res.describe())
        head = res.stdout.splitlines()[:3]
        note("text report head:\n  " + "\n  ".join(head))
        self.assertRegex(head[0], r"^test_server fails: supervisord logged exit status 3 after ~[\d.]+ m?s "
                                  r"\(not replayed\)$")
        self.assertRegex(head[1], r"^Not replayed: evidence from 3 log files \(supervisord\.log [\d.]+ (bytes|KiB), "
                                  r"\d+ lines; test_server\.out\.log .*; test_server\.err\.log [\d.]+ KiB, \d+ lines\)\.$")
        self.assertRegex(res.stdout, EGG_CACHE)
        self.assertIn("Log files read (nothing was run):", res.stdout)
        self.assertRegex(res.stdout, r"(?m)^  %s:\d+: .*Permission denied: '/root/\.cache'"
                         % re.escape(str(self.dest / "log" / "test_server.err.log")))

    def test_markdown(self):
        res = self.explain(PROGRAM, "-c", self.conf, "--format", "markdown")
        self.assertEqual(1, res.rc, res.describe())
        self.assertIn("## Not replayed: evidence from log files", res.stdout)
        self.assertRegex(res.stdout, EGG_CACHE)

    def test_with_the_live_supervisord_its_account_is_in_the_report(self):
        res = self.live
        rep = res.json()
        self.assertEqual(1, res.rc, res.describe())
        sd = rep["supervisord"]
        self.assertIsInstance(sd, dict, res.describe())
        self.assertEqual(self.live_pid, sd["pid"])
        self.assertEqual("FATAL", sd["state"])
        self.assertFalse(sd["replayed"])
        self.assertEqual("live-supervisord", rep["base_env"]["source"])
        self.assertEqual("home-python-egg-cache", rep["findings"][0]["rule"], res.describe())
        self.assertEqual("none", rep["trace"]["backend"])

    # ---- --log: the cause in a big file of its own ---------------------------------
    def test_extra_log_explains_the_silent_variant(self):
        silent, silent_rep = self.json_report("test_server_silent", "-c", self.conf)
        self.assertNotEqual("home-python-egg-cache", (silent_rep["findings"] or [{}])[0].get("rule"),
                            "the silent variant's own logs hold no egg-cache text")
        loud = (self.dest / "log" / "test_server.err.log").read_text()
        big = self.tmp / "app-history.log"
        ordinary = "".join('10.0.0.%d - - [29/Nov/2026:15:37:%02d +0000] "GET /api/items/%d HTTP/1.1" 200 %d\n'
                           % (i % 250, i % 60, i, 100 + i % 900) for i in range(100000))
        with open(big, "w") as f:
            for _ in range(2):
                f.write(ordinary)
            f.write(loud)
            f.write(ordinary)
        size = big.stat().st_size
        note("--log file of %.1f MB" % (size / 1e6))
        res, rep = self.json_report("test_server_silent", "-c", self.conf, "--log", str(big))
        self.assert_not_started()
        self.assertEqual(1, res.rc, res.describe())
        self.assertEqual("home-python-egg-cache", rep["findings"][0]["rule"], res.describe())
        extra = [f for f in rep["explain"]["files"] if f["role"] == "--log"]
        self.assertEqual(1, len(extra))
        self.assertEqual(size, extra[0]["bytes"])
        self.assertEqual(300000 + loud.count("\n"), extra[0]["lines"])
        needle = "Permission denied: '/root/.cache'"
        with open(big) as f:
            lines = {i: line.rstrip("\n") for i, line in enumerate(f, 1) if needle in line}
        got = {m["line"] + k: line for m in extra[0]["matched"]
               for k, line in enumerate(m["text"].split("\n")) if needle in line}
        self.assertTrue(got, extra[0]["matched"])
        for number, line in got.items():  # file:line as in the file
            self.assertEqual(lines.get(number), line, number)
        self.assertGreater(min(got), 200000, "the traceback comes after 200000 ordinary lines")

    # ---- no evidence, bad input ---------------------------------------------------------
    def test_no_evidence_no_finding_and_a_clear_statement(self):
        d = self.tmp / "quiet"
        d.mkdir()
        (d / "supervisord.conf").write_text(EMPTY_CONF)
        for name in ("supervisord.log", "quiet.out.log", "quiet.err.log"):
            (d / name).write_text("")
        conf = str(d / "supervisord.conf")
        res, rep = self.json_report("quiet", "-c", conf)
        self.assertEqual(3, res.rc, res.describe())
        self.assertEqual([], rep["findings"])
        text = self.explain("quiet", "-c", conf)
        self.assertEqual(3, text.rc, text.describe())
        self.assertIn("No evidence: no log file read has anything in it, and supervisord's log has no lines "
                      "about quiet.", text.stdout)
        self.assertIn("No rule explains it from these logs.", text.stdout)
        self.assertTrue(text.stdout.startswith("quiet: supervisord's log has no record of it"), text.stdout[:200])

    def test_missing_log_file_is_bad_input(self):
        missing = str(self.tmp / "no-such.log")
        res = self.explain(PROGRAM, "-c", self.conf, "--log", missing)
        self.assertEqual(2, res.rc, res.describe())
        self.assertEqual("", res.stdout)
        self.assertEqual(["bootmortem: %s: No such file or directory" % missing], res.stderr.splitlines())
        self.assert_not_started()

    # ---- last: the marker does catch a start --------------------------------------------
    def test_z_diagnose_does_start_it_so_the_marker_works(self):
        self.assert_not_started()
        res = e2elib.run_bootmortem(["diagnose", PROGRAM, "-c", self.conf, "--format", "json"],
                                    env=dict(e2elib.ROOT_SHELL_ENV))
        self.assertEqual(1, res.rc, res.describe())
        self.assertTrue(self.marker.exists(), "diagnose replayed the app, yet the marker is absent")
        self.marker.unlink()


if __name__ == "__main__":
    e2elib.main(e2elib.EGG_CACHE_PREREQS)
