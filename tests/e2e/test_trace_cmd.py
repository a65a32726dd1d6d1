#!/usr/bin/python3
"""e2e: `bootmortem trace -- CMD` runs any command as its invoker, traced.

The command gets the invoker's environment, cwd and umask and is found on
PATH as execvp finds it; bootmortem waits for it to exit (no startsecs
verdict unless asked), ends what it left running, exits with its status
(128+N for signal N; 127/126 when it cannot be found/run; 0 after
--startsecs, 124 after --timeout), and reports its failed calls decoded,
with secrets masked. No root needed; never skipped. Each case runs once per
tracer in TRACERS (BOOTMORTEM_E2E_TRACERS=ptrace,ebpf overrides it).

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_trace_cmd.py
"""
import os
import signal
import socket
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import PY  # noqa: E402

# eBPF needs root; CI runs as root, so there both backends run every case.
DEFAULT_TRACERS = "ptrace,ebpf" if os.geteuid() == 0 else "ptrace"
TRACERS = [t for t in os.environ.get("BOOTMORTEM_E2E_TRACERS", DEFAULT_TRACERS).split(",") if t]


def marker_alive(marker):
    me = os.getpid()
    return [p for p in e2elib.all_pids() if p != me and marker in e2elib.cmdline(p)]


class TraceCmdCases:
    tracer = None

    def trace(self, args, fmt="json", env=None, cwd=None, preexec_fn=None):
        argv = ["trace", "--tracer", self.tracer, "--format", fmt] + args
        return e2elib.run_bootmortem(argv, env=env, timeout=60, cwd=cwd, preexec_fn=preexec_fn)

    def test_exit_status_is_the_commands(self):
        res = self.trace(["--", "sh", "-c", "exit 3"])
        self.assertEqual(res.rc, 3, res.describe())
        self.assertEqual(res.json()["exit"]["code"], 3)
        res = self.trace(["--", "sh", "-c", "kill -SEGV $$"])
        self.assertEqual(res.rc, 128 + 11, res.describe())
        self.assertEqual(res.json()["exit"]["signal"], "SIGSEGV")

    def test_started_with_sigchld_ignored(self):
        # A parent's SIG_IGN for SIGCHLD survives exec: the kernel would reap
        # bootmortem's child unseen (the eBPF backend waited forever). Neither
        # may the command inherit it: supervisord's children start with it at
        # its default.
        def ignore_sigchld():
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        res = self.trace(["--", "sh", "-c", "grep ^SigIgn: /proc/self/status; exit 7"], preexec_fn=ignore_sigchld)
        self.assertEqual(res.rc, 7, res.describe())
        self.assertEqual(res.json()["exit"]["code"], 7)
        ignored = int(res.json()["stdout"]["tail"].split()[1], 16)
        self.assertFalse(ignored & (1 << (signal.SIGCHLD - 1)), "the command inherited SIGCHLD ignored")
        self.assertTrue(ignored & (1 << (signal.SIGPIPE - 1)), "SIGPIPE is ignored, as under supervisord")

    def test_not_found_127_not_runnable_126(self):
        res = self.trace(["--", "bm-no-such-command"])
        self.assertEqual(res.rc, 127, res.describe())
        self.assertIn("bm-no-such-command: command not found", res.stderr)
        res = self.trace(["--", "/etc/passwd"])
        self.assertEqual(res.rc, 126, res.describe())
        self.assertIn("/etc/passwd: Permission denied", res.stderr)

    def test_the_invokers_environment_cwd_umask_and_path(self):
        tmp = e2elib.make_tmpdir("trace-cmd")
        try:
            env = dict(os.environ, BM_MARK="mark-%s" % uuid.uuid4().hex[:8])
            old = os.umask(0o027)
            try:
                res = self.trace(["--", "sh", "-c", "pwd; umask; echo $BM_MARK"], env=env, cwd=tmp)
            finally:
                os.umask(old)
            self.assertEqual(res.rc, 0, res.describe())
            j = res.json()
            self.assertEqual(j["stdout"]["tail"].splitlines(), [str(tmp), "0027", env["BM_MARK"]])
            self.assertTrue(j["filename"].endswith("/sh"), j["filename"])
            self.assertEqual(j["command"], ["sh", "-c", "pwd; umask; echo $BM_MARK"])
        finally:
            e2elib.remove_tmpdir(tmp)

    def test_waits_for_the_exit_past_a_second(self):
        res = self.trace(["--", "sh", "-c", "sleep 1.5; exit 5"])
        self.assertEqual(res.rc, 5, res.describe())
        self.assertGreaterEqual(res.json()["exit"]["after_ms"], 1500)

    def test_startsecs_and_timeout_end_the_tree(self):
        for flag, rc, ended in (("--startsecs", 0, "startsecs"), ("--timeout", 124, "timeout")):
            marker = "bm_trace_%s_%s" % (ended, uuid.uuid4().hex[:8])
            t0 = time.monotonic()
            res = self.trace([flag, "0.5", "--", "sh", "-c", "sleep 30 & sleep 31; : %s" % marker])
            self.assertEqual(res.rc, rc, res.describe())
            self.assertLess(time.monotonic() - t0, 10)
            j = res.json()
            self.assertEqual(j["exit"]["ended_by"], ended)
            self.assertIsNone(j["exit"]["code"])
            self.assertEqual(marker_alive(marker), [])

    def test_what_the_main_process_leaves_running_is_ended(self):
        marker = "bm_trace_orphan_%s" % uuid.uuid4().hex[:8]
        res = self.trace(["--", "sh", "-c", "(sleep 30; : %s) & echo started" % marker])
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(marker_alive(marker), [])
        self.assertTrue(any(e["killed_by_us"] for e in res.json()["exits"]), res.describe())

    def test_failed_calls_decoded(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            code = ("import os, socket\n"
                    "try: os.mkdir('/etc/passwd/bm_sub')\n"
                    "except OSError: pass\n"
                    "try: socket.socket().bind(('127.0.0.1', %d))\n"
                    "except OSError: pass\n" % port)
            res = self.trace(["--", PY, "-c", code])
            text = self.trace(["--", PY, "-c", code], fmt="text")
        self.assertEqual(res.rc, 0, res.describe())
        failed = res.json()["failed"]
        mkdir = [f for f in failed if f["call"] == "mkdir"]
        self.assertEqual([(f["path"], f["errno"]) for f in mkdir], [("/etc/passwd/bm_sub", "ENOTDIR")])
        bind = [f for f in failed if f["call"] == "bind"]
        self.assertEqual([(f["addr"], f["port"], f["errno"]) for f in bind],
                         [("127.0.0.1:%d" % port, port, "EADDRINUSE")])
        self.assertIn('mkdir("/etc/passwd/bm_sub", 0777) = -1 ENOTDIR (Not a directory)', text.stdout)
        self.assertIn("= -1 EADDRINUSE (Address already in use)", text.stdout)
        self.assertIn("Trace: ", text.stdout)

    def test_secrets_masked_unless_asked(self):
        argv = ["--", "sh", "-c", "echo token=hunter2", "sh", "--password", "s3cret"]
        res = self.trace(argv)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertNotIn("hunter2", res.stdout)
        self.assertNotIn("s3cret", res.stdout)
        shown = self.trace(["--no-redact"] + argv)
        self.assertIn("hunter2", shown.stdout)
        self.assertIn("s3cret", shown.stdout)


for _tracer in TRACERS:
    _name = "TraceCmd_" + _tracer
    globals()[_name] = type(_name, (TraceCmdCases, unittest.TestCase), {"tracer": _tracer})


if __name__ == "__main__":
    e2elib.main([(e2elib.have_file(PY), PY + " (python3)")], need_root=False)
