#!/usr/bin/python3
"""e2e: root without CAP_SYS_ADMIN, as in a Docker or Podman build step or a
CI container. The same config is checked (and one program diagnosed) twice:
with every capability, and under setpriv with Docker's default capability
set (no CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, ...). The
findings, verdicts and exit statuses must be the same; the unprivileged run
names its tracer (ptrace, no seccomp filter) and why, the program runs
without no_new_privs (it says so itself on stderr), and a fix to files is
not replayed (verified null, the reason naming the capability) where the
privileged run proves it.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_unprivileged.py
"""
import os
import pwd
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import PY, note  # noqa: E402

USER = "bmunpriv"
MARKER = "bm-unpriv-marker-%d" % os.getpid()
PROGRAMS = ("crlf", "healthy", "home_cfg")
# Docker's default capability set (moby's oci/caps/defaults.go): CapEff a80425fb.
DOCKER_CAPS = ("chown", "dac_override", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
               "net_bind_service", "net_raw", "sys_chroot", "mknod", "audit_write", "setfcap")
# The bounding set is what root's capabilities are after exec; the inheritable
# set is cleared too (root's exec would add it back).
AS_IN_DOCKER = ["setpriv", "--bounding-set", "-all," + ",".join("+" + c for c in DOCKER_CAPS),
                "--inh-caps", "-all", "--"]
CAP_SYS_ADMIN = 21


def cap_eff(prefix):
    """The effective capability set a command started under prefix gets."""
    out = subprocess.run(prefix + ["grep", "^CapEff:", "/proc/self/status"], capture_output=True, text=True,
                         check=True).stdout
    return int(out.split()[1], 16)


class Unprivileged(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = e2elib.make_tmpdir("unpriv")
        cls.addClassCleanup(e2elib.remove_tmpdir, cls.tmp)
        subprocess.run(["userdel", "-r", USER], capture_output=True)
        subprocess.run(["useradd", "-m", "-s", "/bin/bash", USER], check=True, capture_output=True)
        cls.addClassCleanup(subprocess.run, ["userdel", "-r", USER], capture_output=True)
        cls.home = pwd.getpwnam(USER).pw_dir
        cls.conf = cls.write_config()
        cls.caps = cap_eff(AS_IN_DOCKER)
        env = dict(e2elib.ROOT_SHELL_ENV)

        def both(args):
            return e2elib.run_bootmortem(args, env=env, timeout=300), cls.dropped(args, env)

        cls.check = both(["check", "-c", str(cls.conf), "--watch", "1", "--format", "json"])
        cls.diagnose = both(["diagnose", "crlf", "-c", str(cls.conf), "--format", "json"])
        cls.diagnose_text = cls.dropped(["diagnose", "crlf", "-c", str(cls.conf)], env)

    @staticmethod
    def dropped(args, env):
        """bootmortem args as root with Docker's default capabilities only."""
        argv = AS_IN_DOCKER + [os.path.abspath(e2elib.bootmortem_path())] + list(args)
        t0 = time.monotonic()
        proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", timeout=300)
        res = e2elib.BootmortemResult(argv, proc, time.monotonic() - t0)
        note("as in Docker: %s -> exit %d in %.2f s" % (" ".join(args), res.rc, res.seconds))
        return res

    @classmethod
    def write_config(cls):
        t = cls.tmp
        scripts = t / "scripts"
        scripts.mkdir()
        # The seed's kind of failure: HOME is root's, where the user cannot make its config.
        # It first says whether it runs with no_new_privs or a seccomp filter.
        (scripts / "home_cfg.py").write_text(
            "import os, sys, time\n"
            "for line in open('/proc/self/status'):\n"
            "    if line.startswith(('NoNewPrivs:', 'Seccomp:')):\n"
            "        sys.stderr.write('bm-status ' + ' '.join(line.split()) + '\\n')\n"
            "sys.stderr.flush()\n"
            "os.chdir(os.path.dirname(os.path.abspath(__file__)))\n"
            "try:\n"
            "    open('bm-relative-missing')\n"
            "except OSError:\n"
            "    pass\n"
            "conf = os.path.expanduser('~/.config/bmapp')\n"
            "os.makedirs(conf, exist_ok=True)\n"
            "open(os.path.join(conf, 'settings.ini'), 'a').close()\n"
            "time.sleep(300)\n")
        # A script saved with CRLF line endings: its fix is to the file (sed -i).
        crlf = scripts / "crlf.sh"
        crlf.write_bytes(b"#!/bin/sh\r\necho started\r\nexec %s -c 'import time; time.sleep(300)' %s\r\n"
                         % (PY.encode(), MARKER.encode()))
        crlf.chmod(0o755)
        port = e2elib.free_ports(1)[0]
        programs = [
            ("home_cfg", "%s %s %s" % (PY, scripts / "home_cfg.py", MARKER), "user=%s" % USER),
            ("crlf", str(crlf), ""),
            ("healthy", "%s -m http.server %d --bind 127.0.0.1 --directory %s" % (PY, port, t), "user=%s" % USER),
        ]
        lines = ["[supervisord]", "logfile=%s/supervisord.log" % t, "pidfile=%s/supervisord.pid" % t,
                 "childlogdir=%s" % t, ""]
        for name, command, extra in programs:
            lines += ["[program:%s]" % name, "command=%s" % command, "startretries=1",
                      "stdout_logfile=%s/%s.out" % (t, name), "stderr_logfile=%s/%s.err" % (t, name)]
            if extra:
                lines.append(extra)
            lines.append("")
        conf = t / "supervisord.conf"
        conf.write_text("\n".join(lines))
        return conf

    def programs(self, res):
        return {p["program"]: p for p in res.json()["programs"]}

    def test_setup_setpriv_drops_what_docker_drops(self):
        self.assertEqual(0xa80425fb, self.caps)
        self.assertFalse(self.caps >> CAP_SYS_ADMIN & 1)

    def test_check_same_verdicts_findings_and_exit_status(self):
        full, dropped = self.check
        self.assertEqual(1, full.rc, full.describe())
        self.assertEqual(full.rc, dropped.rc, dropped.describe())
        a, b = self.programs(full), self.programs(dropped)
        self.assertEqual(set(PROGRAMS), set(a))
        self.assertEqual(set(PROGRAMS), set(b))
        self.assertEqual(full.json()["summary"], dropped.json()["summary"])
        verdicts = {"crlf": "fails", "healthy": "starts", "home_cfg": "fails"}
        for prog in PROGRAMS:
            with self.subTest(program=prog):
                self.assertEqual(verdicts[prog], a[prog]["verdict"], full.describe())
                self.assertEqual(verdicts[prog], b[prog]["verdict"], dropped.describe())
                rules = lambda p: [f["rule"] for f in p["findings"]]  # noqa: E731
                self.assertEqual(rules(a[prog])[:1], rules(b[prog])[:1], dropped.describe())
                self.assertEqual(sorted(rules(a[prog])), sorted(rules(b[prog])), dropped.describe())
        self.assertEqual("script-crlf-line-endings", b["crlf"]["findings"][0]["rule"])
        self.assertTrue(b["home_cfg"]["findings"][0]["rule"].startswith("home-"), dropped.describe())

    def test_check_names_ptrace_without_a_filter_and_why(self):
        full, dropped = self.check
        for prog, p in self.programs(dropped).items():
            with self.subTest(program=prog):
                t = p["trace"]
                self.assertEqual("ptrace", t["backend"], dropped.describe())
                self.assertIn("CAP_SYS_ADMIN", t["why"])
                self.assertIn("in the effective capability set", t["why"])
                self.assertTrue(t["why"].endswith(": ptrace without a seccomp filter"), t["why"])
                self.assertTrue(t["note"].startswith("no seccomp filter: CAP_SYS_ADMIN missing and no_new_privs "
                                                     "would change the program"), t["note"])
        for prog, p in self.programs(full).items():
            with self.subTest(program=prog, run="full"):
                self.assertIn(p["trace"]["backend"], ("ebpf", "ptrace+seccomp"))
                self.assertNotIn("CAP_SYS_ADMIN", p["trace"]["why"])

    def test_the_program_runs_without_no_new_privs_or_a_filter(self):
        full, dropped = self.check
        err = self.programs(dropped)["home_cfg"]["stderr_tail"]
        self.assertIn("bm-status NoNewPrivs: 0", err, dropped.describe())
        self.assertIn("bm-status Seccomp: 0", err, dropped.describe())
        self.assertIn("bm-status NoNewPrivs: 0", self.programs(full)["home_cfg"]["stderr_tail"])

    def test_failed_calls_of_a_program_of_another_user_are_decoded_alike(self):
        # user=: a tracer without CAP_SYS_PTRACE may not read its memory with
        # process_vm_readv nor its /proc links (cwd) as it is.
        full, dropped = self.check
        calls = lambda p: sorted((s["call"], s["path"], s["errno"]) for s in p["syscalls_failed"]  # noqa: E731
                                 if s["errno"] == "EACCES" or "bm-relative" in s["path"])
        a, b = calls(self.programs(full)["home_cfg"]), calls(self.programs(dropped)["home_cfg"])
        self.assertIn(("openat", str(self.tmp / "scripts" / "bm-relative-missing"), "ENOENT"), b, dropped.describe())
        self.assertTrue([c for c in b if c[1].startswith("/root/.config")], dropped.describe())
        self.assertEqual(a, b)

    def test_login_through_runuser_still_works(self):
        full, dropped = self.check
        a, b = self.programs(full)["home_cfg"], self.programs(dropped)["home_cfg"]
        self.assertEqual(a["login"], b["login"], dropped.describe())
        self.assertTrue(b["login"]["captured"], dropped.describe())
        home = [d for d in b["env_diff"] if d["name"] == "HOME"]
        self.assertEqual([{"name": "HOME", "spawn": "/root", "login": self.home}],
                         [{k: d[k] for k in ("name", "spawn", "login")} for d in home])

    def test_config_fix_proven_file_fix_not_replayed_for_want_of_the_capability(self):
        full, dropped = self.check
        a, b = self.programs(full), self.programs(dropped)
        # A fix to the config needs no namespace: proven either way.
        self.assertIs(True, a["home_cfg"]["findings"][0]["verified"], full.describe())
        self.assertIs(True, b["home_cfg"]["findings"][0]["verified"], dropped.describe())
        # A fix to files is replayed on a copy in a mount namespace of its own.
        self.assertIs(True, a["crlf"]["findings"][0]["verified"], full.describe())
        top = b["crlf"]["findings"][0]
        self.assertIsNone(top["verified"], dropped.describe())
        self.assertIn("not replayed", top["verification"])
        self.assertIn("needs CAP_SYS_ADMIN, which is missing from the effective capability set",
                      top["verification"])

    def test_diagnose_same_exit_status_and_findings(self):
        full, dropped = self.diagnose
        self.assertEqual(1, full.rc, full.describe())
        self.assertEqual(full.rc, dropped.rc, dropped.describe())
        a, b = full.json(), dropped.json()
        self.assertEqual(a["verdict"], b["verdict"])
        self.assertEqual([f["rule"] for f in a["findings"]][:1], [f["rule"] for f in b["findings"]][:1])
        self.assertEqual("ptrace", b["trace"]["backend"])
        self.assertIs(True, a["findings"][0]["verified"], full.describe())
        self.assertIsNone(b["findings"][0]["verified"], dropped.describe())
        self.assertIn("CAP_SYS_ADMIN", b["findings"][0]["verification"])

    def test_diagnose_text_trace_line_says_which_and_why(self):
        res = self.diagnose_text
        self.assertEqual(1, res.rc, res.describe())
        line = [l for l in res.stdout.splitlines() if l.startswith("Trace: ")]
        self.assertEqual(1, len(line), res.describe())
        self.assertTrue(line[0].startswith("Trace: ptrace, no CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN in the effective "
                                           "capability set (a container?): ptrace without a seccomp filter "
                                           "(no seccomp filter: CAP_SYS_ADMIN missing"), line[0])

    def test_explicit_ebpf_is_an_error_naming_the_capabilities(self):
        res = self.dropped(["diagnose", "home_cfg", "-c", str(self.conf), "--tracer", "ebpf"],
                           dict(e2elib.ROOT_SHELL_ENV))
        self.assertEqual(2, res.rc, res.describe())
        self.assertEqual("", res.stdout)
        self.assertIn("CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN", res.stderr)

    def test_nothing_left_running(self):
        uid = pwd.getpwnam(USER).pw_uid

        def ours(pid):
            try:
                return os.stat("/proc/%d" % pid).st_uid == uid or MARKER in e2elib.cmdline(pid)
            except OSError:
                return False
        self.assertEqual([], [p for p in e2elib.all_pids() if ours(p) and p != os.getpid()])


if __name__ == "__main__":
    e2elib.main(e2elib.BASE_PREREQS + [(e2elib.have_file("/usr/bin/setpriv"), "/usr/bin/setpriv (util-linux)")])
