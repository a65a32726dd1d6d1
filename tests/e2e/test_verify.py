#!/usr/bin/python3
"""e2e: proven fixes. bootmortem replays the program with its fix applied;
the patch it writes (--patch-out) is applied with patch(1) and the commands
it gives are run, and then a real supervisord keeps the program RUNNING
(its log says so, not bootmortem). Fixes to files are replayed on a
throwaway copy: the real files keep their checksums and modes.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_verify.py
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

USER = "cissoid"
HELD_S = 8.0  # after supervisord's "success:", the program must still be up this long


def fingerprint(path):
    st = os.lstat(path)
    digest = None
    if os.path.isfile(path):
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    return (digest, st.st_mode, st.st_uid, st.st_gid)


def tree_fingerprint(root):
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            out[p] = fingerprint(p)
    out[str(root)] = fingerprint(root)
    return out


def no_leftovers(test):
    with open("/proc/mounts") as f:
        mounts = f.read()
    test.assertNotIn("bootmortem-verify", mounts)
    test.assertEqual([n for n in os.listdir("/tmp") if n.startswith("bootmortem-verify.")], [])


def diagnose(args, cwd):
    res = e2elib.run_bootmortem(["diagnose"] + args + ["--format", "json"], env=dict(e2elib.ROOT_SHELL_ENV),
                                cwd=cwd, timeout=300)
    return res, res.json()


def keeps_running(test, conf, dest, program):
    """Start a real supervisord on conf; it must log success for program and
    no exit of it for HELD_S more seconds."""
    sup = e2elib.Supervisord(conf, dest / "run" / "supervisord.pid", dest / "log" / "supervisord.log")
    test.addCleanup(sup.stop)
    sup.start()
    sup.wait_for("success: %s entered RUNNING" % program, 60)
    time.sleep(HELD_S)
    lines = sup.lines_for(program)
    test.assertFalse([l for l in lines if ("exited: %s " % program) in l or ("gave up: %s " % program) in l],
                     "supervisord's log:\n" + sup.log_text())
    sup.stop()


def apply_patch_out(test, patch_file, cwd):
    with open(patch_file) as f:
        text = f.read()
    p = subprocess.run(["patch", "-p0", "--batch", "-i", str(patch_file)], cwd=cwd, capture_output=True, text=True)
    test.assertEqual(p.returncode, 0, "patch -p0 failed:\n%s\n%s\n--- the patch:\n%s" % (p.stdout, p.stderr, text))
    # the commands that change files, as the patch file lists them, in order
    commands = re.findall(r"^#   (.*)$", text, re.M)
    for c in commands:
        r = subprocess.run(["/bin/sh", "-c", c], capture_output=True, text=True)
        test.assertEqual(r.returncode, 0, "%s: %s" % (c, r.stderr))
    return commands


class EggCache(unittest.TestCase):
    """The seed incident, and the seed with a second cause behind the first."""

    def setUp(self):
        self.tmp = e2elib.make_tmpdir("verify")
        self.addCleanup(e2elib.remove_tmpdir, self.tmp)
        self.dest = self.tmp / "egg-cache"
        ports = e2elib.free_ports(2)
        self.conf = self.dest / "supervisord.conf"
        self.assertEqual(e2elib.install_egg_cache(self.dest, ports[0], ports[1]), str(self.conf))

    def test_seed_fix_verified_and_applied(self):
        patch_file = self.tmp / "fix.patch"
        before = self.conf.read_text()
        res, rep = diagnose(["test_server", "-c", str(self.conf), "--patch-out", str(patch_file)], self.tmp)
        self.assertEqual(res.rc, 1, res.describe())
        top = rep["findings"][0]
        note("seed: top %s verified=%s in %s ms" % (top["rule"], top["verified"], top["verify_ms"]))
        self.assertTrue(top["rule"].startswith("home-"), res.describe())
        self.assertIs(top["verified"], True, res.describe())
        self.assertIs(rep["fix"]["verified"], True, res.describe())
        self.assertEqual(self.conf.read_text(), before, "the real config was changed")
        self.assertEqual(apply_patch_out(self, patch_file, self.tmp), [])
        self.assertIn('HOME="/home/cissoid"', self.conf.read_text())
        keeps_running(self, str(self.conf), self.dest, "test_server")

    def test_two_causes_one_combined_patch(self):
        # The app first imports the zipped egg (HOME), then opens its own log
        # in a directory root owns.
        logdir = self.tmp / "applog"
        logdir.mkdir()
        os.chmod(logdir, 0o755)
        (self.dest / "app" / "wsgi_logged.py").write_text(
            "import logging\n"
            "from wsgi import application  # noqa: F401 -- the egg, under HOME\n"
            "logging.getLogger('app').addHandler(logging.FileHandler(%r))\n" % str(logdir / "app.log"))
        port = e2elib.free_ports(1)[0]
        text = self.conf.read_text() + (
            "\n[program:two_causes]\ncommand=/usr/bin/gunicorn -w 1 -b 127.0.0.1:%d wsgi_logged:application\n"
            "directory=%%(here)s/app\nuser=cissoid\n"
            "stdout_logfile=%%(here)s/log/two.out.log\nstderr_logfile=%%(here)s/log/two.err.log\n" % port)
        for p in ("test_server", "test_server_silent"):  # only the program under test runs
            text = e2elib.set_in_section(text, "program:" + p, "autostart=false")
        self.conf.write_text(text)
        before = tree_fingerprint(logdir)
        patch_file = self.tmp / "fix.patch"
        res, rep = diagnose(["two_causes", "-c", str(self.conf), "--patch-out", str(patch_file)], self.tmp)
        self.assertEqual(res.rc, 1, res.describe())
        rules = [f["rule"] for f in rep["findings"]]
        note("two causes: %s; fix %s" % (rules[:3], rep["fix"]["rules"]))
        self.assertIs(rep["fix"]["verified"], True, res.describe())
        self.assertEqual(len(rep["fix"]["rules"]), 2, res.describe())
        self.assertTrue(rep["fix"]["rules"][0].startswith("home-"), res.describe())
        self.assertEqual(rep["fix"]["rules"][1], "log-file-unwritable", res.describe())
        # both causes, in order, at the top, each verified
        self.assertEqual(rules[:2], rep["fix"]["rules"], res.describe())
        self.assertEqual([f["verified"] for f in rep["findings"][:2]], [True, True])
        self.assertEqual(rep["findings"][1]["round"], 2)
        self.assertEqual(tree_fingerprint(logdir), before, "the replay changed the real log directory")
        no_leftovers(self)
        # the patch for the config, then the command for the directory
        self.assertEqual(len(apply_patch_out(self, patch_file, self.tmp)), 1)
        self.assertEqual(os.stat(logdir).st_uid, int(subprocess.check_output(["id", "-u", USER])))
        text = self.conf.read_text()
        self.assertIn('HOME="/home/cissoid"', text[text.index("[program:two_causes]"):])
        keeps_running(self, str(self.conf), self.dest, "two_causes")

    def test_included_file_gets_the_patch(self):
        # the program moves to an [include]d file
        text = self.conf.read_text()
        start = text.index("[program:test_server]")
        end = text.index("[program:test_server_silent]")
        (self.dest / "conf.d").mkdir()
        included = self.dest / "conf.d" / "app.conf"
        included.write_text(text[start:end].replace("%(here)s", str(self.dest)))
        self.conf.write_text(text[:start] + "[include]\nfiles = conf.d/*.conf\n\n" + text[end:])
        main_before = self.conf.read_text()
        patch_file = self.tmp / "fix.patch"
        res, rep = diagnose(["test_server", "-c", str(self.conf), "--patch-out", str(patch_file)], self.tmp)
        self.assertEqual(res.rc, 1, res.describe())
        self.assertIs(rep["fix"]["verified"], True, res.describe())
        self.assertEqual([p["file"] for p in rep["fix"]["patches"]], [str(included)], res.describe())
        patch_text = patch_file.read_text()
        self.assertIn("--- egg-cache/conf.d/app.conf\n", patch_text)  # relative to where bootmortem ran
        apply_patch_out(self, patch_file, self.tmp)
        self.assertIn('HOME="/home/cissoid"', included.read_text())
        self.assertEqual(self.conf.read_text(), main_before)
        keeps_running(self, str(self.conf), self.dest, "test_server")


class FileFixes(unittest.TestCase):
    """Fixes that change files, replayed on a copy; and ranking by proof."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = e2elib.make_tmpdir("verify-files")
        cls.addClassCleanup(e2elib.remove_tmpdir, cls.tmp)
        t = cls.tmp
        (t / "run.sh").write_bytes(b"#!/usr/bin/env bash\r\necho up\r\nexec sleep 600\r\n")
        os.chmod(t / "run.sh", 0o755)
        (t / "run_sh.sh").write_bytes(b"#!/bin/sh\r\necho up\r\nexec sleep 600\r\n")
        os.chmod(t / "run_sh.sh", 0o755)
        (t / "private").mkdir()
        os.chmod(t / "private", 0o700)
        (t / "logs").mkdir()
        os.chmod(t / "logs", 0o755)
        # Warns that its log is refused (and goes on), then dies keeping state
        # under HOME=/root: the log rule ranks first, the HOME fix is the one.
        (t / "rank.py").write_text(
            "import os, sys, time\n"
            "try:\n    open(%r, 'a')\n"
            "except OSError as e:\n    print('warning: %%s; logging to stderr' %% e, file=sys.stderr)\n"
            "os.makedirs(os.path.expanduser('~/.cache/rankapp'), exist_ok=True)\n"
            "time.sleep(600)\n" % str(t / "logs" / "app.log"))
        common = "user=%s\nstartsecs=1\nstartretries=1\n" % USER
        (t / "supervisord.conf").write_text(
            "[supervisord]\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\n\n" % (t, t)
            + "[program:crlf]\ncommand=%s/run.sh\n%s\n" % (t, common)
            + "[program:crlf_sh]\ncommand=%s/run_sh.sh\n%s\n" % (t, common)
            + "[program:private_dir]\ncommand=/bin/sleep 600\ndirectory=%s/private\n%s\n" % (t, common)
            + "[program:rank]\ncommand=/usr/bin/python3 %s/rank.py\n%s\n" % (t, common))

    def run_case(self, program):
        before = tree_fingerprint(self.tmp)
        res, rep = diagnose([program, "-c", str(self.tmp / "supervisord.conf"), "--watch", "2"], self.tmp)
        self.assertEqual(res.rc, 1, res.describe())
        self.assertEqual(tree_fingerprint(self.tmp), before, "the replay changed real files")
        no_leftovers(self)
        return res, rep

    def test_crlf_script(self):
        res, rep = self.run_case("crlf")
        top = rep["findings"][0]
        self.assertEqual(top["rule"], "script-crlf-line-endings", res.describe())
        self.assertIs(top["verified"], True, res.describe())
        self.assertEqual(rep["fix"]["commands"], ["sed -i 's/\\r$//' %s/run.sh" % self.tmp], res.describe())

    def test_crlf_script_run_by_the_kernel(self):
        # #!/bin/sh\r: the kernel's exec of the script fails with ENOENT and
        # supervisord says only that; the file's first line says why.
        res, rep = self.run_case("crlf_sh")
        top = rep["findings"][0]
        self.assertEqual(top["rule"], "script-crlf-line-endings", res.describe())
        self.assertIs(top["verified"], True, res.describe())

    def test_directory_user_cannot_enter(self):
        res, rep = self.run_case("private_dir")
        top = rep["findings"][0]
        self.assertEqual(top["rule"], "directory-not-enterable", res.describe())
        self.assertIs(top["verified"], True, res.describe())
        self.assertIn("chmod o+x %s/private" % self.tmp, rep["fix"]["commands"][0])

    def test_a_command_that_strays_changes_nothing(self):
        # A pack whose CRLF fix also writes outside the paths it declares:
        # everything but the copy is read-only while it runs.
        stray = "/var/tmp/bootmortem-stray-%d" % os.getpid()
        pack = self.tmp / "rules-stray"
        shutil.copytree(os.path.join(e2elib.REPO, "rules"), pack)
        text = (pack / "path.toml").read_text()
        marker = "run = [\"sed -i"
        self.assertIn(marker, text)
        (pack / "path.toml").write_text(text.replace(marker, "run = [\"touch %s && sed -i" % stray, 1))
        before = tree_fingerprint(self.tmp / "private")
        res = e2elib.run_bootmortem(["diagnose", "crlf", "-c", str(self.tmp / "supervisord.conf"), "--watch", "2",
                                     "--rules", str(pack), "--format", "json"], env=dict(e2elib.ROOT_SHELL_ENV))
        self.assertEqual(res.rc, 1, res.describe())
        top = res.json()["findings"][0]
        self.assertEqual(top["rule"], "script-crlf-line-endings", res.describe())
        self.assertIsNone(top["verified"], res.describe())
        self.assertIn("Read-only file system", top["verification"], res.describe())
        self.assertFalse(os.path.exists(stray))
        self.assertEqual(tree_fingerprint(self.tmp / "private"), before)
        no_leftovers(self)

    def test_check_reports_whether_each_fix_verified(self):
        conf = str(self.tmp / "supervisord.conf")
        res = e2elib.run_bootmortem(["check", "-c", conf, "crlf", "private_dir", "--watch", "2", "--format", "json"],
                                    env=dict(e2elib.ROOT_SHELL_ENV), timeout=300)
        self.assertEqual(res.rc, 1, res.describe())
        tops = {p["program"]: p["findings"][0] for p in res.json()["programs"]}
        self.assertIs(tops["crlf"]["verified"], True, res.describe())
        self.assertIs(tops["private_dir"]["verified"], True, res.describe())
        junit = e2elib.run_bootmortem(["check", "-c", conf, "crlf", "--watch", "2", "--format", "junit"],
                                      env=dict(e2elib.ROOT_SHELL_ENV), timeout=300)
        self.assertEqual(junit.rc, 1, junit.describe())
        self.assertIn('<property name="fix_verified" value="true"/>', junit.stdout)
        self.assertIn("(fix verified)", junit.stdout)
        no_leftovers(self)

    def test_verified_fix_outranks_a_higher_rule(self):
        # Without verification the log rule is first...
        res0 = e2elib.run_bootmortem(["diagnose", "rank", "-c", str(self.tmp / "supervisord.conf"), "--watch", "2",
                                      "--no-verify", "--format", "json"], env=dict(e2elib.ROOT_SHELL_ENV))
        unverified = [f["rule"] for f in res0.json()["findings"]]
        self.assertEqual(unverified[0], "log-file-unwritable", res0.describe())
        self.assertIsNone(res0.json()["fix"], res0.describe())
        # ...its fix does not make the program start; the HOME one does.
        res, rep = self.run_case("rank")
        rules = {f["rule"]: f for f in rep["findings"]}
        self.assertIs(rules["log-file-unwritable"]["verified"], False, res.describe())
        top = rep["findings"][0]
        self.assertTrue(top["rule"].startswith("home-"), res.describe())
        self.assertIs(top["verified"], True, res.describe())
        self.assertEqual(rep["fix"]["rules"], [top["rule"]], res.describe())
        self.assertLess([f["rule"] for f in rep["findings"]].index(top["rule"]),
                        [f["rule"] for f in rep["findings"]].index("log-file-unwritable"))


if __name__ == "__main__":
    e2elib.main()
