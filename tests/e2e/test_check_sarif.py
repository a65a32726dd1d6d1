#!/usr/bin/python3
"""e2e: `bootmortem check --format sarif`, validated by Microsoft's SARIF Multitool.

A deploy repository's checkout (deploy/supervisord.conf including
conf.d/*.conf, and a file included from outside the checkout) with small
programs, no gunicorn:

* needs_token: Python reads os.environ['APP_TOKEN'], which nothing sets
  (env-var-missing): the result is on its section's environment= line, which
  holds a password that must not appear in the log;
* crlf: a script saved with CRLF line endings (script-crlf-line-endings):
  the fix is a command, so the result is on the section header;
* mystery: exits 7 saying nothing: no rule explains it
  (unexplained-failure, on its section header);
* sleeper: starts, so has no result;
* lost (in the file outside the checkout): a command supervisord cannot find
  (command-not-found): the result is on its command= line, named by an
  absolute file:// URI.

check runs from the checkout, as CI runs it before a code-scanning upload:
the files under it are named by URIs relative to it. The log must validate
(`sarif-multitool validate`: no result of level error), and every result's
startLine must be the line of its program's section header or of a key of
that section, each the one expected above.

The Multitool comes from npm (`@microsoft/sarif-multitool`, Debian's npm);
it is installed once into <build>/sarif-multitool (BOOTMORTEM_SARIF_MULTITOOL
names another directory). When it cannot be installed the test is skipped
(77), except under CI or BOOTMORTEM_REQUIRE_ROOT=1, where that fails.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_check_sarif.py
"""
import json
import os
import re
import shutil
import subprocess
import sys
import unittest
import urllib.parse
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402


APP_CONF = """\
; The deploy repo's programs.
[program:needs_token]
command=/usr/bin/python3 -c "import os; print(os.environ['APP_TOKEN'])"
; the database password is a secret: the log must not show it
environment=APP_MODE="prod",DB_PASSWORD="hunter2-sarif"
startsecs=1
startretries=0
autorestart=false

[program:crlf]
command="{repo}/bin/crlf.sh"
startsecs=1
startretries=0
autorestart=false

[program:mystery]
command=/bin/sh -c "exit 7"
startsecs=1
startretries=0
autorestart=false

[program:sleeper]
command=/bin/sleep 120
startsecs=1
"""

OUTSIDE_CONF = """\
[program:lost]
startsecs=1
startretries=0
command=no_such_tool_for_sarif --serve
"""

MAIN_CONF = """\
[supervisord]
logfile={repo}/log/supervisord.log
pidfile={repo}/run/supervisord.pid

[include]
files = conf.d/*.conf {outside}/*.conf
"""

# What each program's results must be: (rule, level, the key its line
# holds; None: the section header).
EXPECTED = {
    "needs_token": ("env-var-missing", "error", "environment"),
    "crlf": ("script-crlf-line-endings", "error", None),
    "mystery": ("unexplained-failure", "error", None),
    "lost": ("command-not-found", "error", "command"),
}


def must_have_tools():
    return os.environ.get("BOOTMORTEM_REQUIRE_ROOT") == "1" or bool(os.environ.get("CI"))


class CheckSarif(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.exe, why = e2elib.sarif_multitool()
        if cls.exe is None:
            if must_have_tools():
                raise AssertionError("the SARIF Multitool is needed: " + why)
            print("SKIP: " + why, file=sys.stderr)
            sys.exit(e2elib.SKIP)
        cls.tmp = e2elib.make_tmpdir("sarif")
        cls.addClassCleanup(e2elib.remove_tmpdir, cls.tmp)
        cls.repo = cls.tmp / "my repo"  # a space: URIs percent-encode it
        cls.outside = cls.tmp / "outside"
        for d in ("deploy/conf.d", "bin", "log", "run"):
            (cls.repo / d).mkdir(parents=True)
        cls.outside.mkdir()
        fmt = dict(repo=cls.repo, outside=cls.outside)
        (cls.repo / "deploy" / "supervisord.conf").write_text(MAIN_CONF.format(**fmt))
        cls.app_conf = cls.repo / "deploy" / "conf.d" / "app.conf"
        cls.app_conf.write_text(APP_CONF.format(**fmt))
        cls.outside_conf = cls.outside / "extra.conf"
        cls.outside_conf.write_text(OUTSIDE_CONF)
        script = cls.repo / "bin" / "crlf.sh"
        script.write_bytes(b"#!/bin/sh\r\necho started\r\nsleep 60\r\n")
        script.chmod(0o755)

        cls.result = e2elib.run_bootmortem(
            ["check", "-c", "deploy/supervisord.conf", "--watch", "1", "--format", "sarif"],
            env=dict(e2elib.ROOT_SHELL_ENV), cwd=str(cls.repo))
        cls.sarif_path = cls.tmp / "check.sarif"
        cls.sarif_path.write_text(cls.result.stdout)
        try:
            cls.log = json.loads(cls.result.stdout)
        except ValueError as e:
            raise AssertionError("check --format sarif printed invalid JSON (%s)\n%s" % (e, cls.result.describe()))
        cls.results = cls.log["runs"][0]["results"]

    def by_program(self):
        out = {}
        for r in self.results:
            out.setdefault(r["properties"]["program"], []).append(r)
        return out

    def path_of(self, artifact):
        uri = artifact["uri"]
        if artifact.get("uriBaseId") == "%SRCROOT%":
            base = self.log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            uri = urllib.parse.urljoin(base, uri)
        self.assertTrue(uri.startswith("file:///"), uri)
        return Path(urllib.parse.unquote(urllib.parse.urlparse(uri).path))

    def test_exit_status_is_checks(self):
        # mystery fails unexplained: 3, as for any format.
        self.assertEqual(3, self.result.rc, self.result.describe())

    def validate(self, path):
        """The Multitool's errors on the log at path (it exits 0 with them)."""
        return e2elib.sarif_validation_errors(self.exe, path)

    def test_multitool_validates_the_log(self):
        self.assertEqual([], self.validate(self.sarif_path))

    def test_multitool_finds_errors_in_a_broken_copy(self):
        # The check above could pass on a validator that says nothing: an
        # absolute URI under a uriBaseId is an error (SARIF1004).
        broken = json.loads(self.result.stdout)
        loc = broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        loc["uri"], loc["uriBaseId"] = "file:///etc/supervisor/supervisord.conf", "%SRCROOT%"
        path = self.tmp / "broken.sarif"
        path.write_text(json.dumps(broken))
        errors = self.validate(path)
        self.assertTrue(any(e.startswith("SARIF1004: ") for e in errors), errors)

    def test_tool_and_rules(self):
        driver = self.log["runs"][0]["tool"]["driver"]
        self.assertEqual("bootmortem", driver["name"])
        version = e2elib.run_bootmortem(["--version"]).stdout.splitlines()[0]
        self.assertEqual("bootmortem " + driver["version"], version)
        ids = [rule["id"] for rule in driver["rules"]]
        self.assertEqual(len(ids), len(set(ids)))
        for r in self.results:
            self.assertEqual(r["ruleId"], ids[r["ruleIndex"]])
        for rule in driver["rules"]:
            self.assertTrue(rule["shortDescription"]["text"], rule)
            self.assertTrue(rule["help"]["text"], rule)

    def test_each_program_has_its_expected_top_result(self):
        programs = self.by_program()
        self.assertNotIn("sleeper", programs, self.result.stdout)
        for prog, (rule, level, _) in EXPECTED.items():
            with self.subTest(prog):
                self.assertIn(prog, programs, self.result.stdout)
                top = programs[prog][0]
                self.assertEqual(rule, top["ruleId"])
                self.assertEqual(level, top["level"])
                # A finding's cause after the program's name; else the verdict line, which names it.
                lead = prog + (" fails: " if rule == "unexplained-failure" else ": ")
                self.assertTrue(top["message"]["text"].startswith(lead), top["message"])

    def test_uris_relative_under_the_checkout_absolute_outside(self):
        for r in self.results:
            artifact = r["locations"][0]["physicalLocation"]["artifactLocation"]
            prog = r["properties"]["program"]
            if prog == "lost":
                self.assertNotIn("uriBaseId", artifact)
                self.assertEqual(self.outside_conf.as_uri(), artifact["uri"])
            else:
                self.assertEqual("%SRCROOT%", artifact.get("uriBaseId"), r)
                self.assertEqual("deploy/conf.d/app.conf", artifact["uri"])
        self.assertEqual(self.repo.as_uri() + "/", self.log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"])

    def test_each_start_line_is_the_key_or_the_section_header(self):
        for r in self.results:
            prog = r["properties"]["program"]
            with self.subTest(prog=prog, rule=r["ruleId"]):
                at = r["locations"][0]["physicalLocation"]
                path = self.path_of(at["artifactLocation"])
                lines = path.read_text().splitlines()
                line = at["region"]["startLine"]
                self.assertTrue(1 <= line <= len(lines), (path, line))
                text = lines[line - 1]
                header = "[program:%s]" % prog
                # The section the line is in: the nearest header above it.
                above = [l for l in lines[:line] if l.startswith("[")]
                self.assertEqual(header, above[-1], (path, line, text))
                if r is self.by_program()[prog][0] and prog in EXPECTED:
                    key = EXPECTED[prog][2]
                    if key is None:
                        self.assertEqual(header, text)
                    else:
                        self.assertTrue(text.startswith(key + "="), (path, line, text))
                else:
                    self.assertTrue(text == header or re.match(r"^\w+\s*=", text), (path, line, text))

    def test_secrets_are_redacted(self):
        self.assertNotIn("hunter2-sarif", self.result.stdout)

    def test_nothing_is_left_running(self):
        left = [p for p in e2elib.all_pids()
                if "/bin/sleep 120" in e2elib.cmdline(p) or "crlf.sh" in e2elib.cmdline(p)]
        self.assertEqual([], left)


if __name__ == "__main__":
    e2elib.main(e2elib.BASE_PREREQS)
