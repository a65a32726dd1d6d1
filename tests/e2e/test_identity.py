#!/usr/bin/python3
"""e2e: bootmortem's replay gives the child the identity a real supervisord gives it,
and leaves nothing running.

1. A test user with a supplementary group (listed in /etc/group's member list)
   and a group it is not a member of. A program `/bin/cat /proc/self/status`
   with user=, umask=027 runs under a real root supervisord; its stdout log is
   the reference. `bootmortem diagnose` must show the same Uid, Gid, Groups,
   Umask and SigIgn lines in stdout_tail (and the same capabilities,
   NoNewPrivs and signal mask).
2. Programs that fork a process tree (bash background jobs; a Python program
   with a child in its own process group and a setsid double-forked daemon),
   each with a unique marker in argv, autostart=false so only bootmortem runs
   them: after `diagnose` (verdict "starts") no process with the marker remains.

Note: on this host NSS is `files systemd`, and both enumerate memberships, so a
group that initgroups(3) would add but supervisord's getgrall() scan would not
(an sssd/LDAP group without enumeration) cannot be made here; the test only
checks that a non-member group is absent.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_identity.py
"""
import grp
import os
import pwd
import subprocess
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

USER = "bmtest_ident"
SUPP_GROUP = "bmtest_supp"     # USER is in its member list
OTHER_GROUP = "bmtest_other"   # USER is not a member
BRIEF_FIELDS = ("Uid", "Gid", "Groups", "Umask", "SigIgn")
EXTRA_FIELDS = ("SigBlk", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs")

SPAWNER = r'''
import os, sys, time
# argv[1] is the marker; every fork below keeps this command line
def sleeper():
    time.sleep(300)
    os._exit(0)
if os.fork() == 0:                  # plain child, same process group
    sleeper()
if os.fork() == 0:                  # child in a process group of its own
    os.setpgid(0, 0)
    sleeper()
pid = os.fork()
if pid == 0:                        # classic daemon: setsid + double fork
    os.setsid()
    if os.fork() == 0:
        sleeper()
    os._exit(0)
os.waitpid(pid, 0)                  # the grandchild is now an orphan
time.sleep(300)
'''

CONF = """\
[unix_http_server]
file=%%(here)s/supervisor.sock

[supervisord]
logfile=%%(here)s/supervisord.log
pidfile=%%(here)s/supervisord.pid
childlogdir=%%(here)s/log

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://%%(here)s/supervisor.sock

[program:ident_status]
command=/bin/cat /proc/self/status
user=%(user)s
umask=027
startsecs=10
startretries=0
autorestart=false

[program:ident_fields]
command=/bin/grep -E "^(Uid|Gid|Groups|Umask|SigBlk|SigIgn|Cap[A-Za-z]+|NoNewPrivs):" /proc/self/status
user=%(user)s
umask=027
startsecs=10
startretries=0
autorestart=false

[program:ident_tree]
command=/bin/bash -c 'exec -a %(mark_sh)s-a sleep 300 & exec -a %(mark_sh)s-b sleep 300 & exec -a %(mark_sh)s-c sleep 300' %(mark_sh)s-bash
user=%(user)s
autostart=false
autorestart=false

[program:ident_daemon]
command=/usr/bin/python3 %%(here)s/spawner.py %(mark_py)s
user=%(user)s
autostart=false
autorestart=false
"""


def run(*argv):
    subprocess.run(argv, check=True, capture_output=True, text=True)


def remove_identities():
    for name in (USER,):
        try:
            pwd.getpwnam(name)
            subprocess.run(["userdel", "-r", name], capture_output=True)
        except KeyError:
            pass
    for name in (USER, SUPP_GROUP, OTHER_GROUP):
        try:
            grp.getgrnam(name)
            subprocess.run(["groupdel", name], capture_output=True)
        except KeyError:
            pass


def create_identities():
    remove_identities()
    run("groupadd", SUPP_GROUP)
    run("groupadd", OTHER_GROUP)
    run("useradd", "--create-home", "--shell", "/bin/bash", "--user-group", USER)
    run("usermod", "-a", "-G", SUPP_GROUP, USER)    # -> /etc/group member list
    pw = pwd.getpwnam(USER)
    supp = grp.getgrnam(SUPP_GROUP)
    other = grp.getgrnam(OTHER_GROUP)
    assert USER in supp.gr_mem and USER not in other.gr_mem
    return pw, supp, other


def marked_pids(marker):
    me = os.getpid()
    return {p: e2elib.cmdline(p) for p in e2elib.all_pids()
            if p != me and marker in e2elib.cmdline(p) and e2elib.pid_alive(p)}


class Identity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pw, cls.supp, cls.other = create_identities()
        cls.addClassCleanup(remove_identities)
        cls.tmp = e2elib.make_tmpdir("identity")
        cls.addClassCleanup(e2elib.remove_tmpdir, cls.tmp)
        (cls.tmp / "log").mkdir()
        tag = uuid.uuid4().hex[:12]
        cls.mark_sh = "bmmark-sh-" + tag
        cls.mark_py = "bmmark-py-" + tag
        (cls.tmp / "spawner.py").write_text(SPAWNER)
        cls.conf = cls.tmp / "supervisord.conf"
        cls.conf.write_text(CONF % {"user": USER, "mark_sh": cls.mark_sh, "mark_py": cls.mark_py})
        cls.leftovers = []
        cls.addClassCleanup(cls.kill_leftovers)
        cls.sup = e2elib.Supervisord(cls.conf, cls.tmp / "supervisord.pid", cls.tmp / "supervisord.log")
        cls.addClassCleanup(cls.sup.stop)
        cls.sup.start()
        cls.real = {}
        for prog in ("ident_status", "ident_fields"):
            took = cls.sup.wait_for("gave up: %s entered FATAL state" % prog, 20.0)
            note("%s FATAL after %.1f s" % (prog, took))
            logs = sorted((cls.tmp / "log").glob("%s-stdout---*.log" % prog))
            if len(logs) != 1:
                raise AssertionError("expected one AUTO stdout log of %s, found %r" % (prog, logs))
            cls.real[prog] = logs[0].read_text()
        cls.real_status = cls.real["ident_status"]
        cls.results = {}

    @classmethod
    def kill_leftovers(cls):
        # only processes carrying this run's unique markers: bootmortem's replays
        for marker in (cls.mark_sh, cls.mark_py):
            for pid in marked_pids(marker):
                e2elib.kill_and_wait(pid, timeout=2.0)

    def diagnose(self, prog):
        if prog not in self.results:
            self.results[prog] = e2elib.run_bootmortem(
                ["diagnose", prog, "-c", str(self.conf), "--format", "json"])
        return self.results[prog]

    # ---- real supervisord reference ---------------------------------------------
    def test_real_child_identity_is_as_documented(self):
        f = e2elib.status_fields(self.real_status, BRIEF_FIELDS + EXTRA_FIELDS)
        uid, gid = self.pw.pw_uid, self.pw.pw_gid
        note("real supervisord child: %r" % f)
        self.assertEqual(" ".join([str(uid)] * 4), f["Uid"])
        self.assertEqual(" ".join([str(gid)] * 4), f["Gid"])
        self.assertEqual(sorted([gid, self.supp.gr_gid]), sorted(int(g) for g in f["Groups"].split()))
        self.assertNotIn(str(self.other.gr_gid), f["Groups"].split())
        self.assertEqual("0027", f["Umask"])
        self.assertEqual("0000000001001000", f["SigIgn"])  # SIGPIPE + SIGXFSZ, from CPython
        self.assertEqual("0000000000000000", f["CapEff"])

    # ---- bootmortem's replay -------------------------------------------------------
    def replay_status(self, prog="ident_status"):
        res = self.diagnose(prog)
        rep = res.json()
        self.assertIn(res.rc, (1, 3), res.describe())
        # cat exits at once: before startsecs (10 here: under load supervisord notices an exit late), so supervisord calls it a failed start
        self.assertEqual("fails", rep.get("verdict"), res.describe())
        self.assertEqual(0, (rep.get("exit") or {}).get("code"), res.describe())
        tail = rep.get("stdout_tail")
        self.assertIsInstance(tail, str, "stdout_tail missing:\n" + res.describe())
        return res, tail

    def compare(self, prog, fields):
        res, tail = self.replay_status(prog)
        real = e2elib.status_fields(self.real[prog], fields)
        mine = e2elib.status_fields(tail, fields)
        for field in fields:
            with self.subTest(program=prog, field=field):
                self.assertEqual(real.get(field), mine.get(field),
                                 "%s differs: supervisord child %r, bootmortem replay %r%s"
                                 % (field, real.get(field), mine.get(field),
                                    "" if mine.get(field) else
                                    " (line not in stdout_tail, %d lines: is the tail too short?)"
                                    % len(tail.splitlines())))

    def test_replay_identity_matches_real_supervisord(self):
        """As briefed: the whole /proc/self/status (~57 lines) via cat; needs a
        stdout_tail that holds it."""
        self.compare("ident_status", BRIEF_FIELDS)

    def test_replay_identity_fields_match_real_supervisord(self):
        """The same identity, with grep printing only the lines compared (short
        output, so it does not depend on how long stdout_tail is)."""
        self.compare("ident_fields", BRIEF_FIELDS + EXTRA_FIELDS)

    def test_replay_caps_and_signal_state_match_real_supervisord(self):
        res, tail = self.replay_status()
        real = e2elib.status_fields(self.real_status, EXTRA_FIELDS)
        mine = e2elib.status_fields(tail, EXTRA_FIELDS)
        for field in EXTRA_FIELDS:
            with self.subTest(field=field):
                self.assertEqual(real.get(field), mine.get(field),
                                 "%s differs: supervisord child %r, bootmortem replay %r"
                                 % (field, real.get(field), mine.get(field)))

    def check_tree_ended(self, prog, marker):
        self.assertFalse(marked_pids(marker), "marker already running before the test")
        res = self.diagnose(prog)
        rep = res.json()
        self.assertEqual(0, res.rc, res.describe())
        self.assertEqual("starts", rep.get("verdict"), res.describe())
        left = marked_pids(marker)
        if left:  # allow a moment for SIGKILLed processes to be reaped, then judge
            time.sleep(1.0)
            left = marked_pids(marker)
        self.assertFalse(left, "bootmortem left processes of %s running: %r" % (prog, left))

    def test_replay_leaves_no_process_bash_tree(self):
        self.check_tree_ended("ident_tree", self.mark_sh)

    def test_replay_leaves_no_process_daemonized_tree(self):
        self.check_tree_ended("ident_daemon", self.mark_py)

    def test_tree_programs_really_fork(self):
        """Sanity, without bootmortem: the commands build the trees they claim
        (bash: 3 processes; Python: 4, one of them a setsid orphan)."""
        check = "bmmark-check-" + uuid.uuid4().hex[:12]
        cmds = {
            3: ["/bin/bash", "-c", "exec -a %s-a sleep 300 & exec -a %s-b sleep 300 & "
                "exec -a %s-c sleep 300" % (check, check, check), check + "-bash"],
            4: [e2elib.PY, str(self.tmp / "spawner.py"), check],
        }
        for want, argv in cmds.items():
            with self.subTest(argv=argv[0]):
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
                try:
                    deadline = time.monotonic() + 5.0
                    while len(marked_pids(check)) < want and time.monotonic() < deadline:
                        time.sleep(0.05)
                    time.sleep(0.2)
                    self.assertEqual(want, len(marked_pids(check)), marked_pids(check))
                finally:
                    for pid in marked_pids(check):
                        e2elib.kill_and_wait(pid, timeout=2.0)
                    proc.wait()

    def test_markers_only_from_bootmortem(self):
        """autostart=false: the real supervisord never ran the tree programs."""
        log = self.sup.log_text()
        self.assertNotIn("spawned: 'ident_tree'", log)
        self.assertNotIn("spawned: 'ident_daemon'", log)


if __name__ == "__main__":
    e2elib.main(e2elib.BASE_PREREQS + [
        (lambda: e2elib.shutil.which("groupadd") is not None, "groupadd (passwd)"),
        (e2elib.have_file("/bin/bash"), "/bin/bash"),
    ])
