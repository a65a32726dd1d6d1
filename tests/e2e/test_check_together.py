#!/usr/bin/python3
"""e2e: `bootmortem check` starts a config's programs together, as supervisord does.

Two small configs of python3 programs, no gunicorn:

* together.conf: `broker` (priority 100) listens on a Unix socket after a
  0.4 s startup delay; `worker` (priority 200) connects to it at once, exits
  1 when it cannot, and exits too when the broker goes away. A real
  supervisord starts worker before the socket exists, retries it (BACKOFF)
  and ends with both RUNNING. check must say both start (exit 0): worker on a
  later attempt, while broker's replay is still up.
* collide.conf: `web_a` and `web_b` both listen on 127.0.0.1:PORT. Whichever
  binds second fails at every start; check must name the other program as
  the holder (rule port-held-by-sibling), not "another process".

Each check runs under both tracers, and nothing of the programs may be left
running after it.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_check_together.py
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

TRACERS = ("ebpf", "ptrace")
WATCH = "2"
TIMEOUT = 60.0

BROKER = r'''
import os, socket, sys, time
path = sys.argv[1]
time.sleep(0.4)  # a broker takes a moment before it listens
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(16)
print("broker: listening on", path, flush=True)
conns = []
while True:
    conns.append(s.accept()[0])
'''

WORKER = r'''
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("worker: cannot reach the broker at %s: %s" % (sys.argv[1], e), file=sys.stderr, flush=True)
    sys.exit(1)
print("worker: connected", flush=True)
while s.recv(1):
    pass
print("worker: the broker went away", file=sys.stderr, flush=True)
sys.exit(1)
'''

WEB = r'''
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
print("web: listening on port", sys.argv[1], flush=True)
while True:
    time.sleep(3600)
'''

SUPERVISORD = """[supervisord]
logfile=%(dir)s/supervisord-%(name)s.log
pidfile=%(dir)s/supervisord-%(name)s.pid
childlogdir=%(dir)s/log
"""

TOGETHER = """
[program:broker]
command=%(py)s %(dir)s/broker.py %(dir)s/broker.sock
priority=100

[program:worker]
command=%(py)s %(dir)s/worker.py %(dir)s/broker.sock
priority=200
"""

COLLIDE = """
[program:web_a]
command=%(py)s %(dir)s/web.py %(port)d
priority=100

[program:web_b]
command=%(py)s %(dir)s/web.py %(port)d
priority=200
"""


def leftovers(marker):
    """Processes (not this one) whose command line names marker."""
    return [(p, e2elib.cmdline(p)) for p in e2elib.all_pids()
            if p != os.getpid() and marker in e2elib.cmdline(p) and e2elib.pid_alive(p)]


def progress_lines(result):
    return [l for l in result.stderr.splitlines() if l.startswith("bootmortem check ")]


class CheckTogether(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = e2elib.make_tmpdir("check-together")
        cls.addClassCleanup(e2elib.remove_tmpdir, cls.tmp)
        (cls.tmp / "log").mkdir()
        for name, text in (("broker.py", BROKER), ("worker.py", WORKER), ("web.py", WEB)):
            (cls.tmp / name).write_text(text)
        cls.port = e2elib.free_ports(1)[0]
        fill = {"dir": str(cls.tmp), "py": e2elib.PY, "port": cls.port}
        cls.together = cls.tmp / "together.conf"
        cls.together.write_text(SUPERVISORD % dict(fill, name="together") + TOGETHER % fill)
        cls.collide = cls.tmp / "collide.conf"
        cls.collide.write_text(SUPERVISORD % dict(fill, name="collide") + COLLIDE % fill)

        # What a real supervisord makes of together.conf: both RUNNING in the
        # end, worker after at least one BACKOFF.
        sup = e2elib.Supervisord(cls.together, cls.tmp / "supervisord-together.pid",
                                 cls.tmp / "supervisord-together.log")
        cls.addClassCleanup(sup.stop)
        sup.start()
        for prog in ("broker", "worker"):
            sup.wait_for("success: %s entered RUNNING" % prog, TIMEOUT)
        time.sleep(2.0)  # still so: neither exits once it is up
        cls.supervisord_log = sup.log_text()
        sup.stop()
        cls.left_by_supervisord = leftovers(str(cls.tmp))

        run = lambda conf, tracer: e2elib.run_bootmortem(
            ["check", "-c", str(conf), "--format", "json", "--watch", WATCH, "--tracer", tracer],
            env=dict(e2elib.ROOT_SHELL_ENV), timeout=TIMEOUT)
        cls.runs = {}
        cls.left = {}
        for tracer in TRACERS:
            for name, conf in (("together", cls.together), ("collide", cls.collide)):
                cls.runs[(name, tracer)] = run(conf, tracer)
                cls.left[(name, tracer)] = leftovers(str(cls.tmp))

    def test_supervisord_runs_both_worker_after_a_backoff(self):
        log = self.supervisord_log
        for prog in ("broker", "worker"):
            self.assertIn("success: %s entered RUNNING" % prog, log)
            self.assertNotIn("gave up: %s " % prog, log)
        # worker is spawned before broker listens, exits, and is retried.
        self.assertIn("exited: worker (exit status 1; not expected)", log)
        self.assertGreaterEqual(log.count("spawned: 'worker'"), 2, log)
        self.assertEqual([], self.left_by_supervisord)

    def test_check_starts_both_as_supervisord_does(self):
        for tracer in TRACERS:
            with self.subTest(tracer=tracer):
                r = self.runs[("together", tracer)]
                self.assertEqual(0, r.rc, r.describe())
                by_name = {p["program"]: p for p in r.json()["programs"]}
                self.assertEqual({"broker": "starts", "worker": "starts"},
                                 {n: p["verdict"] for n, p in by_name.items()}, r.describe())
                self.assertEqual("RUNNING", by_name["worker"]["outcome"]["state"], r.describe())
                # The programs ran side by side: the whole check takes about one
                # program's watch (1 s startsecs + 2 s) plus worker's BACKOFF,
                # not the sum of two watches and the retry.
                self.assertLess(r.seconds, 2 * (1 + float(WATCH)) + 4, r.describe())
                # A line per program; worker's says on which attempt it started
                # when it took more than one (the usual case: the broker needs
                # 0.4 s), which either way is a start.
                lines = progress_lines(r)
                self.assertEqual(2, len(lines), r.describe())
                worker_line = [l for l in lines if ": worker " in l][0]
                self.assertIn(" starts after ", worker_line)
                note("%s: %s" % (tracer, worker_line))
                if "on attempt" in worker_line:
                    self.assertIn("check: start ", by_name["worker"]["trace"]["note"])

    def test_check_names_the_sibling_that_holds_the_port(self):
        for tracer in TRACERS:
            with self.subTest(tracer=tracer):
                r = self.runs[("collide", tracer)]
                self.assertEqual(1, r.rc, r.describe())
                by_name = {p["program"]: p for p in r.json()["programs"]}
                verdicts = {n: p["verdict"] for n, p in by_name.items()}
                # Which one binds first is a race, under supervisord too.
                self.assertEqual(["fails", "starts"], sorted(verdicts.values()), r.describe())
                loser = [n for n, v in verdicts.items() if v == "fails"][0]
                winner = "web_b" if loser == "web_a" else "web_a"
                top = by_name[loser]["findings"][0]
                self.assertEqual("port-held-by-sibling", top["rule"], r.describe())
                self.assertIn("Programs %s and %s of this config both bind 127.0.0.1:%d" % (loser, winner, self.port),
                              top["cause"])
                self.assertNotIn("port-in-use", [f["rule"] for f in by_name[loser]["findings"]])
                self.assertIn("EADDRINUSE", " ".join(top["evidence"]))
                # Not retried: the sibling keeps the port while it runs.
                self.assertNotIn("on attempt", "\n".join(progress_lines(r)), r.describe())

    def test_nothing_is_left_running(self):
        for key, left in self.left.items():
            with self.subTest(run=key):
                self.assertEqual([], left, self.runs[key].describe())


if __name__ == "__main__":
    e2elib.main(prereqs=e2elib.BASE_PREREQS)
