#!/usr/bin/python3
"""e2e: `bootmortem check --static`, and `check`'s handling of a user= this
host lacks, on tests/data/deploy-repo as it is in the repository.

This host has no user appuser and no /srv/app (the deploy repo's staged root
has them; this test does not stage it). So:

- `check --static` reports every program, each with user= missing at its own
  user= line (never one line for the whole config): a warning, as this
  host need not be the target; mailer's `enviroment=` with "did you mean
  environment" at its line is a failure anywhere, and it exits 1; the JSON
  report gives a file and a line for every result; and it needs no root.
- `check --static --root /` says this host is the target: user= missing is
  then a failure of every program.
- plain `check` (root: it would replay) reports every program failing at its
  user= line, not replayed, and exits 1, not 2 (no input error).

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_static.py
"""
import os
import re
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

DEPLOY = e2elib.REPO / "tests" / "data" / "deploy-repo" / "deploy"
CONFIG = DEPLOY / "supervisord.conf"
APP_CONF = DEPLOY / "conf.d" / "app.conf"
PROGRAMS = ("api", "mailer", "scheduler", "web", "worker")  # supervisord's order: priority, then name


def key_lines():
    """{program: {key: line}} of app.conf, read from the file itself."""
    out, current = {}, None
    for n, line in enumerate(APP_CONF.read_text().splitlines(), 1):
        m = re.match(r"\[program:(\S+)\]", line)
        if m:
            current = out.setdefault(m.group(1), {})
        elif current is not None and "=" in line and not line.startswith(";"):
            current[line.split("=", 1)[0].strip()] = n
    return out


class Static(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import pwd
        try:
            pwd.getpwnam("appuser")
            raise unittest.SkipTest("this host has a user appuser: the test is about one that has not")
        except KeyError:
            pass
        cls.lines = key_lines()
        cls.app_conf = str(APP_CONF)

    def test_text_every_program_at_its_user_line(self):
        res = e2elib.run_bootmortem(["check", "--static", "-c", str(CONFIG)])
        self.assertEqual(res.rc, 1, res.stdout + res.stderr)
        for prog in PROGRAMS:
            where = "%s:%d" % (self.app_conf, self.lines[prog]["user"])
            self.assertRegex(res.stdout, r"(?m)^── %s ──\n(?:.*\n)*?warn %s: user= names a user this host does not have"
                             r".*\n.*on this host, which need not be the target" % (prog, re.escape(where)), res.stdout)
        typo = "%s:%d" % (self.app_conf, self.lines["mailer"]["enviroment"])
        self.assertIn("FAIL %s: A key supervisor ignores, spelt like one it reads [preflight-unknown-key-typo]"
                      % typo, res.stdout)
        self.assertIn("Rename enviroment= to environment= in [program:mailer]", res.stdout)
        self.assertIn("FAIL  mailer:", res.stdout)
        self.assertIn("ok    web: 0 failures, 2 warnings", res.stdout)
        # One summary line per program, never one line for the whole config.
        self.assertEqual(len(re.findall(r"(?m)^  (?:FAIL|ok  )  (?:%s):" % "|".join(PROGRAMS), res.stdout)), 5)

    def test_json_file_and_line_per_result(self):
        res = e2elib.run_bootmortem(["check", "--static", "-c", str(CONFIG), "--format", "json"])
        self.assertEqual(res.rc, 1, res.stderr)
        doc = res.json()
        self.assertEqual(doc["schema"], "bootmortem-check-static/1")
        self.assertEqual([p["program"] for p in doc["programs"]], list(PROGRAMS))
        for p in doc["programs"]:
            self.assertEqual(p["fails"], p["program"] == "mailer", p)
            self.assertTrue(p["results"], p)
            for r in p["results"]:
                self.assertTrue(r["file"], r)
                self.assertGreater(r["line"], 0, r)
                self.assertIn(r["severity"], ("failure", "warning"))
            users = [r for r in p["results"] if r["rule"] == "preflight-user-missing"]
            self.assertEqual(len(users), 1, p)
            self.assertEqual((users[0]["file"], users[0]["line"]), (self.app_conf, self.lines[p["program"]]["user"]))
            self.assertEqual(users[0]["severity"], "warning", users[0])
        mailer = next(p for p in doc["programs"] if p["program"] == "mailer")
        typo = [r for r in mailer["results"] if r["rule"] == "preflight-unknown-key-typo"]
        self.assertEqual(len(typo), 1, mailer)
        self.assertEqual(typo[0]["line"], self.lines["mailer"]["enviroment"])
        self.assertIn("environment=", typo[0]["cause"])

    def test_junit_only_the_typo_fails_where_the_target_is_not(self):
        res = e2elib.run_bootmortem(["check", "--static", "-c", str(CONFIG), "--format", "junit"])
        self.assertEqual(res.rc, 1, res.stderr)
        cases = {c.get("name"): c for c in ET.fromstring(res.stdout).iter("testcase")}
        self.assertEqual(sorted(p for p in PROGRAMS if cases[p].find("failure") is not None), ["mailer"])

    def test_junit_a_failing_testcase_per_program_on_the_target(self):
        res = e2elib.run_bootmortem(["check", "--static", "--root", "/", "-c", str(CONFIG), "--format", "junit"])
        self.assertEqual(res.rc, 1, res.stderr)
        cases = {c.get("name"): c for c in ET.fromstring(res.stdout).iter("testcase")}
        for prog in PROGRAMS:
            self.assertIsNotNone(cases[prog].find("failure"), prog)
        failure = cases["web"].find("failure")
        # The message is the first failing line of the section (directory=),
        # the text every failing result with its line.
        self.assertEqual(failure.get("message"), "%s:%d: directory= does not exist"
                         % (self.app_conf, self.lines["web"]["directory"]))
        self.assertIn("%s:%d: user= names a user this host does not have" % (self.app_conf, self.lines["web"]["user"]),
                      failure.text)

    def test_runs_nothing_as_non_root_too(self):
        if os.geteuid() != 0:
            self.skipTest("already not root")
        res = e2elib.run_bootmortem(["check", "--static", "-c", str(CONFIG), "--format", "json"],
                                    preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)))
        self.assertEqual(res.rc, 1, res.stderr)
        self.assertEqual(len(res.json()["programs"]), 5)

    def test_plain_check_every_program_fails_at_its_user_line(self):
        if os.geteuid() != 0:
            self.skipTest("check replays, which needs root")
        res = e2elib.run_bootmortem(["check", "-c", str(CONFIG)], timeout=120.0)
        self.assertEqual(res.rc, 1, res.stdout + res.stderr)
        for prog in PROGRAMS:
            where = "%s:%d" % (self.app_conf, self.lines[prog]["user"])
            self.assertIn("%s fails: supervisord would not spawn it: supervisord on this host would refuse the "
                          "whole config: %s: Invalid user name appuser in section 'program:%s'"
                          % (prog, where, prog), res.stdout)
        self.assertIn("5 programs, 0 start, 5 fail", res.stdout)
        # What supervisord does is refuse the config at startup: no BACKOFF, no retries.
        self.assertIn("What supervisord does: it refuses the whole config when it starts", res.stdout)
        self.assertNotIn("BACKOFF", res.stdout)
        res = e2elib.run_bootmortem(["check", "-c", str(CONFIG), "--format", "json"], timeout=120.0)
        self.assertEqual(res.rc, 1, res.stderr)
        for p in res.json()["programs"]:
            self.assertEqual(p["findings"][0]["rule"], "user-unknown", p["findings"])
            self.assertEqual(p["outcome"]["kind"], "config-refused", p["outcome"])


if __name__ == "__main__":
    e2elib.main(need_root=False)
