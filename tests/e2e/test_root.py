#!/usr/bin/python3
"""e2e: `bootmortem check --root DIR`, the deploy config checked inside the
target's filesystem from a CI runner that has none of it.

tests/data/deploy-repo is staged into a Debian 12 tree (debootstrap with
python3, gunicorn and supervisor, then its stage-rootfs), as the app's image
build would. On this host appuser, /srv/app and the config do not exist.
Five programs: web and worker start; mailer (`enviroment=` typo) and
scheduler (CRLF #! line) are broken in ways a pre-flight sees; api only at
run time (gunicorn cannot write its --pid file's directory).

First a real supervisord runs the config inside a copy of the tree (its own
mount namespace, chroot): its states are the truth. Then bootmortem, from
outside, on another copy: the same verdicts, the causes, the fixes proven,
and the copy left exactly as it was.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_root.py
"""
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

CONF = "/etc/supervisor/supervisord.conf"
STARTS = ("web", "worker")
FAILS = {
    "api": "gunicorn-pidfile-dir-unwritable",
    "mailer": "env-var-missing",
    "scheduler": "script-crlf-line-endings",
}
# Each failing program exits within a second of its start; supervisord's
# BACKOFF waits (1+2+3 s) make FATAL come after ~6-10 s, much later on a
# loaded machine.
SETTLE = 120.0


def app_conf_line(needle):
    """The line of the staged conf.d/app.conf that holds needle (1-based)."""
    lines = (e2elib.DEPLOY_REPO / "deploy" / "conf.d" / "app.conf").read_text().splitlines()
    return [i + 1 for i, l in enumerate(lines) if needle in l][0]


class RealSupervisordInRoot:
    """supervisord -n in its own mount namespace, chrooted into root: the
    target as its image would run it."""

    def __init__(self, root):
        self.root = root
        script = ('mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" && '
                  'exec chroot "$R" /usr/bin/supervisord -n -c %s' % CONF)
        self.proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "--fork",
                                      "sh", "-c", script], env=dict(e2elib.ROOT_SHELL_ENV, R=str(root)),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def states(self):
        r = subprocess.run(["chroot", str(self.root), "/usr/bin/supervisorctl", "-c", CONF, "status"],
                           capture_output=True, text=True, timeout=30)
        out = {}
        for line in r.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2:
                out[parts[0]] = parts[1]
        return out

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class CheckRoot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.truth_tmp, truth_root = e2elib.staged_deploy_root("root-truth")
        sup = RealSupervisordInRoot(truth_root)
        try:
            deadline = time.monotonic() + SETTLE
            states = {}
            while time.monotonic() < deadline:
                states = sup.states()
                settled = all(states.get(p) == "FATAL" for p in FAILS)
                if settled and all(states.get(p) == "RUNNING" for p in STARTS):
                    break
                time.sleep(1)
            cls.supervisord_states = states
        finally:
            sup.stop()
        note("supervisord in the staged root: %s" % cls.supervisord_states)

        cls.tmp, cls.root = e2elib.staged_deploy_root("root")
        cls.before = e2elib.tree_manifest(cls.root)
        cls.mounts_before = Path("/proc/mounts").read_text().count(str(cls.root))
        cls.json = e2elib.run_bootmortem(["check", "--root", str(cls.root), "-c", CONF, "--format", "json"],
                                         timeout=600)
        cls.junit = e2elib.run_bootmortem(["check", "--root", str(cls.root), "-c", CONF, "--format", "junit",
                                           "--no-verify"], timeout=600)
        cls.text = e2elib.run_bootmortem(["check", "--root", str(cls.root), "-c", CONF, "--no-verify"],
                                         timeout=600)
        cls.sarif = e2elib.run_bootmortem(["check", "--root", str(cls.root), "-c", CONF, "--format", "sarif",
                                           "--no-verify"], timeout=600)
        cls.static = e2elib.run_bootmortem(["check", "--static", "--root", str(cls.root), "-c", CONF,
                                            "--format", "sarif"])
        cls.static_json = e2elib.run_bootmortem(["check", "--static", "--root", str(cls.root), "-c", CONF,
                                                 "--format", "json"])

    @classmethod
    def tearDownClass(cls):
        e2elib.remove_tmpdir(cls.truth_tmp)
        e2elib.remove_tmpdir(cls.tmp)

    def programs(self):
        return {p["program"]: p for p in self.json.json()["programs"]}

    def test_supervisord_itself_agrees_with_the_fixture(self):
        for p in STARTS:
            self.assertEqual(self.supervisord_states.get(p), "RUNNING", self.supervisord_states)
        for p in FAILS:
            self.assertEqual(self.supervisord_states.get(p), "FATAL", self.supervisord_states)

    def test_verdicts_are_supervisords(self):
        self.assertEqual(self.json.rc, 1, self.json.describe())
        progs = self.programs()
        self.assertEqual(sorted(progs), sorted(STARTS + tuple(FAILS)), self.json.describe())
        for name, p in progs.items():
            want = "starts" if self.supervisord_states.get(name) == "RUNNING" else "fails"
            self.assertEqual(p["verdict"], want, "%s: %s" % (name, self.json.describe()))

    def test_causes_and_proven_fixes(self):
        progs = self.programs()
        for name, rule in FAILS.items():
            findings = progs[name]["findings"]
            self.assertTrue(findings, "%s has no finding: %s" % (name, self.json.describe()))
            self.assertEqual(findings[0]["rule"], rule, "%s: %s" % (name, [f["rule"] for f in findings]))
        # Replayed inside the root with the fix applied: the file fixes on an
        # overlay of the overlay, the program then RUNNING.
        self.assertIs(progs["api"]["findings"][0]["verified"], True, progs["api"]["findings"][0])
        self.assertIs(progs["scheduler"]["findings"][0]["verified"], True, progs["scheduler"]["findings"][0])
        self.assertIn("chown appuser /srv/app/run", " ".join(progs["api"]["findings"][0]["commands"]))

    def test_the_targets_users_and_login(self):
        worker = self.programs()["worker"]
        self.assertEqual(worker["spawn"]["user"], "appuser", worker["spawn"])
        passwd = (self.root / "etc" / "passwd").read_text()
        self.assertIn("appuser:x:%d:%d:" % (worker["spawn"]["uid"], worker["spawn"]["gid"]), passwd)
        # The login was run in the root (runuser and its profiles), not
        # synthesised on this host: HOME is the root's passwd home.
        self.assertEqual(worker["login"]["method"], "login-shell", worker["login"])
        home = [d for d in worker["env_diff"] if d["name"] == "HOME"]
        self.assertEqual(home and home[0]["login"], "/home/appuser", worker["env_diff"])

    def test_the_root_is_left_as_it_was(self):
        after = e2elib.tree_manifest(self.root)
        changed = sorted(k for k in set(self.before) | set(after) if self.before.get(k) != after.get(k))
        self.assertEqual(changed, [], "bootmortem changed the staged root")
        self.assertEqual(Path("/proc/mounts").read_text().count(str(self.root)), self.mounts_before)
        left = [pid for pid in e2elib.all_pids() if "gunicorn" in e2elib.cmdline(pid)]
        self.assertEqual(left, [], "processes left running")

    def test_junit_counts(self):
        from junitparser import JUnitXml
        self.assertEqual(self.junit.rc, 1, self.junit.describe())
        path = self.tmp / "check.xml"
        path.write_text(self.junit.stdout)
        xml = JUnitXml.fromfile(str(path))
        suites = list(xml) if hasattr(xml, "__iter__") else [xml]
        tests = sum(s.tests for s in suites)
        failures = sum(s.failures for s in suites)
        self.assertEqual((tests, failures), (5, 3), self.junit.stdout)
        ET.fromstring(self.junit.stdout)

    def test_text_names_the_root(self):
        self.assertEqual(self.text.rc, 1, self.text.describe())
        self.assertIn(str(self.root), self.text.stdout.splitlines()[0])
        for name in FAILS:
            self.assertRegex(self.text.stdout, r"FAIL\s+%s fails" % name)
        for name in STARTS:
            self.assertRegex(self.text.stdout, r"ok\s+%s starts" % name)


    def sarif_results(self, res, name):
        """(level, rule, uri, line) of each result of a SARIF log, which must
        also pass the SARIF Multitool's validation."""
        path = self.tmp / name
        path.write_text(res.stdout)
        exe, why = e2elib.sarif_multitool()
        if exe is None:
            self.fail("the SARIF Multitool: " + why)
        self.assertEqual(e2elib.sarif_validation_errors(exe, path), [])
        log = json.loads(res.stdout)
        run = log["runs"][0]
        # The URIs are the root's paths, relative to the root's directory.
        self.assertEqual(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file://%s/" % os.path.realpath(self.root))
        out = set()
        for r in run["results"]:
            loc = r["locations"][0]["physicalLocation"]
            out.add((r["level"], r["ruleId"], r["properties"]["program"], loc["artifactLocation"]["uri"],
                     loc["region"]["startLine"]))
        return out

    def test_static_finds_the_two_at_their_lines(self):
        self.assertEqual(self.static.rc, 1, self.static.describe())
        errors = {r for r in self.sarif_results(self.static, "static.sarif") if r[0] == "error"}
        conf = "etc/supervisor/conf.d/app.conf"
        self.assertEqual(errors, {
            ("error", "preflight-unknown-key-typo", "mailer", conf, app_conf_line("enviroment=")),
            ("error", "preflight-shebang-crlf", "scheduler", conf, app_conf_line("command=/srv/app/bin/scheduler")),
        })
        failing = [p["program"] for p in self.static_json.json()["programs"] if p["fails"]]
        self.assertEqual(sorted(failing), ["mailer", "scheduler"])

    def test_sarif_of_the_replay(self):
        self.assertEqual(self.sarif.rc, 1, self.sarif.describe())
        top = {(r[2], r[1]) for r in self.sarif_results(self.sarif, "check.sarif") if r[0] == "error"}
        for name, rule in FAILS.items():
            self.assertIn((name, rule), top)
        self.assertFalse({p for p, _ in top} & set(STARTS), top)


class BadRoot(unittest.TestCase):
    def test_not_a_root_filesystem(self):
        tmp = e2elib.make_tmpdir("root-empty")
        try:
            r = e2elib.run_bootmortem(["check", "--root", str(tmp), "-c", CONF])
            self.assertEqual(r.rc, 2, r.describe())
            lines = r.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, r.stderr)
            self.assertIn(str(tmp), lines[0])
            self.assertIn("not a root filesystem", lines[0])
        finally:
            e2elib.remove_tmpdir(tmp)

    def test_config_not_in_the_root(self):
        tree = e2elib.debootstrap_rootfs()
        r = e2elib.run_bootmortem(["check", "--root", str(tree), "-c", "/etc/supervisor/nowhere.conf"])
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("/etc/supervisor/nowhere.conf", r.stderr)
        self.assertIn("no such file in the root filesystem", r.stderr)


if __name__ == "__main__":
    e2elib.main(e2elib.BASE_PREREQS + [
        (lambda: e2elib.shutil.which("debootstrap") is not None, "debootstrap"),
        (e2elib.have_module("junitparser"), "python3-junitparser"),
    ])
