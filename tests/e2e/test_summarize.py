#!/usr/bin/python3
"""e2e: `bootmortem summarize` over the reports bootmortem itself writes.

One config, four programs: two that fail for the seed incident's cause (a
test user without HOME, writing under root's), one that fails for another
(binding port 80 as that user), one that starts. A real supervisord runs it
first and must agree: the three FATAL, the fourth RUNNING. Then, with it
stopped, `check --format json` (one bootmortem-check/1), `diagnose --format
json` of each failing program (bootmortem/1, newer than the check's), a
config that does not exist (bootmortem-error/1 from a diagnose that exits
2), a truncated copy of a report and a trace report (skipped, named). The
summary of that directory: two causes, with 2 and 1 programs on this host,
the fixes once, the error, the skips; the same from stdin (`cat | summarize
-`); Markdown with a table; exit 1. ~40 s.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_summarize.py
"""
import json
import time
import os
import pwd
import shutil
import socket
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

USER = "bmsummary"
CONF = """[supervisord]
logfile=%(here)s/supervisord.log
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s

[unix_http_server]
file=%(here)s/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://%(here)s/supervisor.sock

[program:cache-a]
command=/bin/sh -c 'mkdir -p "$HOME/.cache/a" && exec sleep 600'
user={user}
startsecs=1
startretries=1

[program:cache-b]
command=/bin/sh -c 'mkdir -p "$HOME/.cache/b" && exec sleep 600'
user={user}
startsecs=1
startretries=1

[program:web]
command=/usr/bin/python3 -m http.server 80 --bind 127.0.0.1
user={user}
startsecs=1
startretries=1

[program:idle]
command=/bin/sleep 600
user={user}
startsecs=1
"""
HOME_RULE = "home-inherited-eacces"
PORT_RULE = "privileged-port-nonroot"


def port_80_free():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 80))
        return True
    except OSError:
        return False
    finally:
        s.close()


class Summarize(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not port_80_free():
            raise AssertionError("127.0.0.1:80 is taken on this machine: the port cause would not be the only one")
        cls.tmp = e2elib.make_tmpdir("summarize")
        cls.addClassCleanup(e2elib.remove_tmpdir, cls.tmp)
        try:
            pwd.getpwnam(USER)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", USER], check=True)
            cls.addClassCleanup(subprocess.run, ["userdel", "-r", USER], capture_output=True)
        cls.conf = cls.tmp / "supervisord.conf"
        cls.conf.write_text(CONF.replace("{user}", USER))

        # What supervisord makes of it: the three FATAL, idle RUNNING.
        sup = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c", str(cls.conf)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            states = {}
            for _ in range(300):
                out = subprocess.run(["supervisorctl", "-c", str(cls.conf), "status"], capture_output=True,
                                     text=True).stdout
                states = {line.split()[0]: line.split()[1] for line in out.splitlines() if len(line.split()) > 1}
                if all(states.get(p) == "FATAL" for p in ("cache-a", "cache-b", "web")) and \
                        states.get("idle") == "RUNNING":
                    break
                time.sleep(0.2)
            cls.supervisord_states = states
        finally:
            e2elib.kill_and_wait(sup.pid)
            sup.wait(timeout=30)

        cls.reports = cls.tmp / "reports"
        (cls.reports / "this-host").mkdir(parents=True)
        r = e2elib.run_bootmortem(["check", "-c", str(cls.conf), "--format", "json"], timeout=300)
        cls.check_rc = r.rc
        (cls.reports / "this-host" / "check.json").write_text(r.stdout)
        cls.check = json.loads(r.stdout)
        cls.diagnosed = {}
        for prog in ("cache-a", "cache-b", "web"):
            r = e2elib.run_bootmortem(["diagnose", prog, "-c", str(cls.conf), "--format", "json"], timeout=300)
            cls.diagnosed[prog] = r.rc
            (cls.reports / "this-host" / ("%s.json" % prog)).write_text(r.stdout)
        r = e2elib.run_bootmortem(["diagnose", "web", "-c", str(cls.tmp / "missing.conf"), "--format", "json"])
        cls.error_rc = r.rc
        (cls.reports / "this-host" / "error.json").write_text(r.stdout)
        whole = (cls.reports / "this-host" / "cache-a.json").read_text()
        (cls.reports / "this-host" / "truncated.json").write_text(whole[: len(whole) // 3])
        r = e2elib.run_bootmortem(["trace", "--format", "json", "--", "/bin/true"])
        (cls.reports / "this-host" / "trace.json").write_text(r.stdout)

    def summarize(self, *args, stdin=None):
        bm = os.path.abspath(e2elib.bootmortem_path())
        return subprocess.run([bm, "summarize", *args], input=stdin, capture_output=True, text=True, timeout=60)

    def test_supervisord_agrees_with_the_setup(self):
        self.assertEqual({"cache-a": "FATAL", "cache-b": "FATAL", "web": "FATAL", "idle": "RUNNING"},
                         self.supervisord_states)

    def test_reports_name_this_host_and_a_time(self):
        host = socket.gethostname()
        boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        self.assertEqual(1, self.check_rc)
        self.assertEqual({"hostname": host, "boot_id": boot_id}, self.check["host"])
        self.assertRegex(self.check["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        for prog, rc in self.diagnosed.items():
            with self.subTest(program=prog):
                self.assertEqual(1, rc)
                doc = json.loads((self.reports / "this-host" / ("%s.json" % prog)).read_text())
                self.assertEqual("bootmortem/1", doc["schema"])
                self.assertEqual(host, doc["host"]["hostname"])
        self.assertEqual(2, self.error_rc)
        err = json.loads((self.reports / "this-host" / "error.json").read_text())
        self.assertEqual("bootmortem-error/1", err["schema"])
        self.assertEqual(("diagnose", "web", host), (err["command"], err["program"], err["host"]["hostname"]))
        self.assertIn("missing.conf", err["error"])

    def check_summary(self, s):
        self.assertEqual("bootmortem-summary/1", s["schema"])
        causes = {c["rule"]: c for c in s["causes"]}
        self.assertEqual({HOME_RULE, PORT_RULE}, set(causes), json.dumps(s["causes"], indent=1)[:3000])
        home, port = causes[HOME_RULE], causes[PORT_RULE]
        self.assertEqual(s["causes"][0]["rule"], HOME_RULE)  # the cause of most programs first
        self.assertEqual((2, 1), (home["programs"], home["hosts"]))
        self.assertEqual(["cache-a", "cache-b"], [w["program"] for w in home["which"]])
        self.assertEqual((1, 1), (port["programs"], port["hosts"]))
        self.assertEqual(["web"], [w["program"] for w in port["which"]])
        self.assertIn('HOME="/home/%s"' % USER, home["fix"])
        self.assertEqual(1, len(home["fixes"]))  # the same fix for both: shown once
        self.assertEqual(2, home["verified"])
        self.assertEqual([], s["unexplained"])
        self.assertEqual(["idle"], [p["program"] for p in s["starts"]])
        self.assertEqual(1, len(s["errors"]))
        self.assertIn("missing.conf", s["errors"][0]["error"])
        t = s["totals"]
        self.assertEqual((4, 3, 1, 2, 1), (t["programs"], t["fail"], t["start"], t["causes"], t["error_hosts"]))
        # The diagnose reports are newer than the check's (or as new): they replace its three.
        self.assertEqual(3, t["superseded"])

    def test_the_directory(self):
        r = self.summarize("--format", "json", str(self.reports))
        self.assertEqual(1, r.returncode, r.stderr)
        s = json.loads(r.stdout)
        self.check_summary(s)
        self.assertEqual(5, s["totals"]["reports"])  # check, three diagnose, the error
        skipped = {Path(k["file"]).name: k["why"] for k in s["skipped"]}
        self.assertEqual({"truncated.json", "trace.json"}, set(skipped))
        self.assertIn("cut short", skipped["truncated.json"])
        self.assertIn('"bootmortem-trace/1"', skipped["trace.json"])

    def test_a_stream_on_stdin(self):
        files = sorted((self.reports / "this-host").glob("*.json"))
        good = "".join(f.read_text() for f in files if f.name not in ("truncated.json", "trace.json"))
        r = self.summarize("--format", "json", "-", stdin=good)
        self.assertEqual(1, r.returncode, r.stderr)
        s = json.loads(r.stdout)
        self.check_summary(s)
        self.assertEqual([], s["skipped"])

    def test_text_and_markdown(self):
        r = self.summarize(str(self.reports))
        self.assertEqual(1, r.returncode, r.stderr)
        self.assertTrue(r.stdout.startswith("bootmortem summary: 3 programs on 1 host fail: 2 causes; bootmortem "
                                            "could not run on 1 host\n"), r.stdout[:400])
        self.assertIn("[%s]" % HOME_RULE, r.stdout)
        self.assertIn("(cache-a, cache-b)", r.stdout)
        out = self.tmp / "summary.md"
        r = self.summarize("--format", "markdown", "-o", str(out), str(self.reports))
        self.assertEqual(1, r.returncode, r.stderr)
        self.assertEqual("", r.stdout)
        rows = [line for line in out.read_text().splitlines() if line.startswith("| ")]
        self.assertTrue(rows[0].startswith("| # | Cause | Rule | Programs | Hosts |"), rows)
        self.assertIn("`%s`" % HOME_RULE, rows[1])
        self.assertIn("| 2 | 1 | 2 of 2 |", rows[1])

    def test_nothing_readable_is_exit_2_with_one_line(self):
        bad = self.tmp / "bad"
        bad.mkdir(exist_ok=True)
        (bad / "x.json").write_text("{")
        r = self.summarize(str(bad))
        self.assertEqual(2, r.returncode)
        self.assertEqual(1, len(r.stderr.splitlines()), r.stderr)
        self.assertIn("x.json", r.stderr)
        r = self.summarize(str(self.tmp / "no-such-dir"))
        self.assertEqual(2, r.returncode)
        self.assertIn("no-such-dir: no such file or directory", r.stderr)


if __name__ == "__main__":
    e2elib.main(prereqs=[(lambda: shutil.which("supervisord") is not None, "supervisor")])
