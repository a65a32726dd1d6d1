"""bootmortem env / diagnose against real logins of real users.

Users are created here (useradd) and removed at the end (userdel -r); their
~/.profile files export variables, prepend to PATH, hang, read stdin or flood.
A login must never stop bootmortem: it finishes within the login timeout
(5 s) plus a margin, leaves no process of the user behind, and says how the
login environment was obtained.
"""
import os
import pwd
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import ROOT_SHELL_ENV, note, run_bootmortem  # noqa: E402

TAG = "%04x" % (os.getpid() & 0xFFFF)
APP = "bmlogin" + TAG       # a normal user with a ~/.profile
SVC = "bmsvc" + TAG         # a service account: /usr/sbin/nologin
SLOW = "bmslow" + TAG       # profile sleeps for an hour
STDIN = "bmstdin" + TAG     # profile reads stdin and the tty
FLOOD = "bmflood" + TAG     # profile prints 10 MB
USERS = [APP, SVC, SLOW, STDIN, FLOOD]

LOGIN_TIMEOUT = 5.0   # login::CaptureOptions::timeout_s
MARGIN = 10.0         # config load, runuser's PAM, a slow CI machine

APP_PROFILE = """\
echo "Welcome, $USER; this profile talks"
printf 'and ends without a newline'
export BM_E2E_SETTING=from-profile
export DATABASE_URL=postgres://app:e2e-pw-4711@db.internal/app
PATH="$HOME/appbin:$PATH"
"""

PROFILES = {
    SLOW: "sleep 3600\nexport NEVER=reached\n",
    STDIN: "read answer\nread answer2 </dev/tty\nexport BM_E2E_READ=done\n",
    # 10 MB on stdout and some on stderr before the environment dump
    FLOOD: "head -c 10000000 /dev/zero | tr '\\0' x\nhead -c 100000 /dev/zero | tr '\\0' y >&2\n"
           "export BM_E2E_FLOOD=survived\n",
}


def sh(*argv):
    subprocess.run(argv, check=True, capture_output=True)


def add_user(name, shell="/bin/bash", system=False, home=None):
    subprocess.run(["userdel", "-r", name], capture_output=True)  # a leftover of an aborted run
    argv = ["useradd", "-m", "-s", shell]
    if system:
        argv += ["--system", "-d", home or "/var/lib/" + name]
    sh(*argv, name)


def write_profile(name, text):
    pw = pwd.getpwnam(name)
    path = os.path.join(pw.pw_dir, ".profile")
    with open(path, "w") as f:
        f.write(text)
    os.chown(path, pw.pw_uid, pw.pw_gid)
    # bash prefers these over ~/.profile; skel may ship one
    for other in (".bash_profile", ".bash_login"):
        try:
            os.unlink(os.path.join(pw.pw_dir, other))
        except FileNotFoundError:
            pass


def processes_of(name):
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return []
    out = []
    for pid in e2elib.all_pids():
        try:
            if os.stat("/proc/%d" % pid).st_uid == uid and e2elib.pid_alive(pid):
                out.append("%d %s" % (pid, e2elib.cmdline(pid)))
        except OSError:
            pass
    return out


def write_conf(tmp, programs):
    conf = tmp / "supervisord.conf"
    text = "[supervisord]\nlogfile=%(here)s/supervisord.log\npidfile=%(here)s/supervisord.pid\n\n"
    for name, user in programs:
        text += "[program:%s]\ncommand=/bin/sh -c \"echo started; exit 3\"\nuser=%s\nstartsecs=1\n" \
                "startretries=0\nautorestart=false\n\n" % (name, user)
    conf.write_text(text)
    return conf


def env_json(program, conf, *extra):
    res = run_bootmortem(["env", program, "-c", str(conf), "--format", "json"] + list(extra),
                         env=dict(ROOT_SHELL_ENV), timeout=LOGIN_TIMEOUT + MARGIN + 30)
    return res


def diff_entry(j, name):
    for d in j["env_diff"]:
        if d["name"] == name:
            return d
    return None


class LoginEnvTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = e2elib.make_tmpdir("login")
        add_user(APP)
        write_profile(APP, APP_PROFILE)
        add_user(SVC, shell="/usr/sbin/nologin", system=True)
        write_profile(SVC, "export BM_E2E_SVC=from-sh-profile\n")
        for name, text in PROFILES.items():
            add_user(name)
            write_profile(name, text)
        cls.conf = write_conf(cls.tmp, [("app", APP), ("svc", SVC), ("slow", SLOW), ("stdin", STDIN),
                                        ("flood", FLOOD)])

    @classmethod
    def tearDownClass(cls):
        for name in USERS:
            left = processes_of(name)
            if left:
                note("processes of %s left behind (a failure of the test that ran them): %s" % (name, left))
            for line in left:  # by pid: only processes of the users made here
                try:
                    os.kill(int(line.split()[0]), 9)
                except OSError:
                    pass
            subprocess.run(["userdel", "-r", name], capture_output=True)
        e2elib.remove_tmpdir(cls.tmp)

    def assertNothingLeft(self, name):
        deadline = time.monotonic() + 2
        while processes_of(name) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(processes_of(name), [], "processes of %s survived bootmortem" % name)

    def test_profile_variable_and_path_entry_are_login_only(self):
        res = env_json("app", self.conf)
        self.assertEqual(res.rc, 0, res.describe())
        j = res.json()
        self.assertEqual(j["login"]["method"], "login-shell", res.describe())
        self.assertTrue(j["login"]["captured"])

        setting = diff_entry(j, "BM_E2E_SETTING")
        self.assertIsNotNone(setting, res.describe())
        self.assertEqual(setting["login"], "from-profile")
        self.assertIsNone(setting["spawn"])

        path = diff_entry(j, "PATH")
        appbin = pwd.getpwnam(APP).pw_dir + "/appbin"
        self.assertIn(appbin, path["missing"], res.describe())
        self.assertNotIn(appbin, path["spawn"])
        self.assertTrue(j["facts"]["path_lacks_login_entries"])
        self.assertTrue(j["facts"]["login_only_vars"])
        self.assertIn("BM_E2E_SETTING", j["values"]["login_only_vars"])

        # secrets masked by default, shown when asked
        self.assertEqual(diff_entry(j, "DATABASE_URL")["login"], "postgres://app:***@db.internal/app")
        self.assertNotIn("e2e-pw-4711", res.stdout)
        plain = env_json("app", self.conf, "--no-redact")
        self.assertIn("e2e-pw-4711", plain.stdout)

        text = run_bootmortem(["env", "app", "-c", str(self.conf)], env=dict(ROOT_SHELL_ENV))
        self.assertEqual(text.rc, 0, text.describe())
        self.assertIn("the spawn lacks " + appbin, text.stdout)
        self.assertRegex(text.stdout, r"\n    BM_E2E_SETTING +\(unset\) +from-profile\n")
        self.assertNotIn("Welcome", text.stdout)  # the profile's chatter is not the env
        self.assertNothingLeft(APP)

    def test_identity_is_roots_against_the_users(self):
        res = env_json("app", self.conf)
        j = res.json()
        home = pwd.getpwnam(APP).pw_dir
        for name, spawn, login in (("HOME", "/root", home), ("USER", "root", APP), ("LOGNAME", "root", APP)):
            d = diff_entry(j, name)
            self.assertIsNotNone(d, "%s not in the diff\n%s" % (name, res.describe()))
            self.assertEqual((d["spawn"], d["login"], d["kind"]), (spawn, login, "identity"))

    def test_the_egg_cache_example(self):
        conf = e2elib.REPO / "examples" / "egg-cache" / "supervisord.conf"
        try:
            user = pwd.getpwnam("cissoid")
        except KeyError:
            self.skipTest("the example's user cissoid does not exist (examples/egg-cache/install creates it)")
        res = run_bootmortem(["env", "test_server", "-c", str(conf)], env=dict(ROOT_SHELL_ENV))
        self.assertEqual(res.rc, 0, res.describe())
        self.assertRegex(res.stdout, r"\n    HOME +/root +%s\n" % user.pw_dir)
        self.assertRegex(res.stdout, r"\n    USER +root +cissoid\n")
        self.assertRegex(res.stdout, r"\n    LOGNAME +root +cissoid\n")
        note("bootmortem env test_server:\n" + res.stdout)

    def test_service_account_with_nologin_gets_a_login_and_says_how(self):
        res = env_json("svc", self.conf)
        self.assertEqual(res.rc, 0, res.describe())
        j = res.json()
        self.assertEqual(j["login"]["method"],
                         "login-shell (/bin/sh; the account's shell is /usr/sbin/nologin)", res.describe())
        self.assertTrue(j["login"]["captured"])
        # sh read the account's ~/.profile: it really was a login
        self.assertEqual(diff_entry(j, "BM_E2E_SVC")["login"], "from-sh-profile", res.describe())
        text = run_bootmortem(["env", "svc", "-c", str(self.conf)], env=dict(ROOT_SHELL_ENV))
        self.assertIn("Login:  login-shell (/bin/sh; the account's shell is /usr/sbin/nologin)", text.stdout)
        self.assertNothingLeft(SVC)

    def test_profile_that_sleeps_an_hour(self):
        res = env_json("slow", self.conf)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertLess(res.seconds, LOGIN_TIMEOUT + MARGIN, res.describe())
        j = res.json()
        self.assertFalse(j["login"]["captured"])
        self.assertEqual(j["login"]["method"],
                         "passwd (the login did not finish within 5 s: a profile hangs or waits for input; "
                         "it was killed)", res.describe())
        # the synthesised login still has the user's identity
        self.assertEqual(diff_entry(j, "HOME")["login"], pwd.getpwnam(SLOW).pw_dir)
        self.assertNothingLeft(SLOW)

    def test_profile_that_reads_stdin_and_the_tty(self):
        res = env_json("stdin", self.conf)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertLess(res.seconds, LOGIN_TIMEOUT + MARGIN, res.describe())
        j = res.json()
        # stdin is /dev/null and there is no controlling tty: both reads fail at once
        self.assertEqual(j["login"]["method"], "login-shell", res.describe())
        self.assertEqual(diff_entry(j, "BM_E2E_READ")["login"], "done")
        self.assertNothingLeft(STDIN)

    def test_profile_that_prints_10_mb(self):
        res = env_json("flood", self.conf)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertLess(res.seconds, LOGIN_TIMEOUT + MARGIN, res.describe())
        j = res.json()
        self.assertEqual(j["login"]["method"], "login-shell", res.describe())
        self.assertEqual(diff_entry(j, "BM_E2E_FLOOD")["login"], "survived")
        self.assertLess(len(res.stdout), 100000)  # none of the flood reaches the report
        self.assertNothingLeft(FLOOD)

    def test_diagnose_uses_the_real_login(self):
        res = run_bootmortem(["diagnose", "app", "-c", str(self.conf), "--format", "json"],
                             env=dict(ROOT_SHELL_ENV), timeout=120)
        self.assertIn(res.rc, (1, 3), res.describe())
        j = res.json()
        setting = [d for d in j["env_diff"] if d["name"] == "BM_E2E_SETTING"]
        self.assertEqual(len(setting), 1, res.describe())
        self.assertEqual(setting[0]["login"], "from-profile")
        self.assertNotIn("e2e-pw-4711", res.stdout)
        self.assertNothingLeft(APP)


if __name__ == "__main__":
    e2elib.main(e2elib.BASE_PREREQS + [
        (e2elib.have_file("/usr/sbin/runuser"), "/usr/sbin/runuser (util-linux)"),
        (lambda: os.path.exists("/usr/sbin/nologin"), "/usr/sbin/nologin (login)"),
    ])
