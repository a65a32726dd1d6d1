#!/usr/bin/python3
"""e2e: bootmortem's own memory stays bounded whatever the traced command
does, and what it reports is still right (DESIGN.md, Safety).

`bootmortem trace --format json -- CMD` on commands that flood it, each
checked for bootmortem's own peak resident set (`peak_rss_kib`: VmHWM of its
own image, taken once the report is built; not getrusage's ru_maxrss, which
Linux carries over from the pre-exec image of whoever forked it, here this
Python) <= 64 MiB and for the evidence:

1. 1 GiB on stdout and 1 GiB on stderr: every byte counted, head and tail
   kept, the last line there.
2. 1 000 000 failing stat() calls of one missing path: one record, count
   1 000 000 exactly.
3. 1 000 000 failing stat() calls of distinct missing paths: the record
   limit (4096) reached, every failure counted (recorded + dropped).
4. 100 000 failing stat() calls of distinct 4 KB paths: records stop at
   their byte budget, every failure still counted.
5. 10 000 short-lived processes (a shell loop of /bin/true): all counted,
   execs and exits past their limits counted as dropped, the one failed call
   they all make is one record with 10 000 pids.
6. peak_rss_kib is bootmortem's own, not the command's: a command that
   touches 256 MiB leaves it small, while /usr/bin/time (whose figure
   includes the descendants bootmortem waited for) sees the 256 MiB; and it
   is not the launcher's: it stays below this Python's own ru_maxrss when
   that is large.

No timing is asserted; the durations are printed (ctest -V). They need no
root and never skip. Every case runs once per tracer in TRACERS
(BOOTMORTEM_E2E_TRACERS=ptrace,ebpf overrides it).

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_bounded.py
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import PY, note  # noqa: E402

# The backends every case runs under.
# eBPF needs root; CI runs as root, so there both backends run every case.
DEFAULT_TRACERS = "ptrace,ebpf" if os.geteuid() == 0 else "ptrace"
TRACERS = [t for t in os.environ.get("BOOTMORTEM_E2E_TRACERS", DEFAULT_TRACERS).split(",") if t]

LIMIT_KIB = 64 * 1024
GIB = 1 << 30
MILLION = 1_000_000
MAX_FAILED = 4096      # TraceOptions::max_failed
CAPTURE = 64 * 1024    # TraceOptions::capture_bytes, for the head and for the tail
MAX_EVENTS = 1024      # TraceOptions::max_execs, max_exits

FLOOD = r'''
import os
line = b"0123456789abcdef" * 4 + b"\n"
block = line * (1 << 14)
for fd, name in ((1, b"stdout"), (2, b"stderr")):
    left = 1 << 30
    while left > 0:
        left -= os.write(fd, block if left >= len(block) else block[:left])
    os.write(fd, b"\nlast line of " + name + b"\n")
'''

STATS = r'''
import os, sys
st, distinct = os.stat, sys.argv[1] == "distinct"
for i in range(1000000):
    try:
        st("/nonexistent-bootmortem/%d" % i if distinct else "/nonexistent-bootmortem/x")
    except OSError:
        pass
'''

LONG_PATHS = r'''
import os
d = "/nonexistent-bootmortem/" + "d" * 4000 + "/"
for i in range(100000):
    try:
        os.stat(d + str(i))
    except OSError:
        pass
'''

FORKS = 'i=0; while [ $i -lt 10000 ]; do /bin/true; i=$((i+1)); done'

BIG = 'b = bytearray(256 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\n'


class BoundedCases:
    tracer = None

    def trace(self, argv):
        res = e2elib.run_bootmortem(["trace", "--tracer", self.tracer, "--format", "json", "--"] + argv,
                                    timeout=300)
        j = res.json()
        note("%s [%s]: %.1f s, peak RSS %d KiB (%.1f MiB), %d processes, %d failed calls"
             % (self.id().rsplit(".", 1)[-1], self.tracer, res.seconds, j["peak_rss_kib"],
                j["peak_rss_kib"] / 1024.0, j["processes"], j["failed_total"]))
        self.assertEqual(j["backend"].split("+")[0], self.tracer, res.describe())
        return res, j

    def assert_bounded(self, res, j):
        self.assertGreater(j["peak_rss_kib"], 0, res.describe())
        self.assertLessEqual(j["peak_rss_kib"], LIMIT_KIB, res.describe())
        self.assertEqual(j["lost_events"], 0, "events lost: the counts below would be lower bounds")

    def test_output_flood(self):
        res, j = self.trace([PY, "-c", FLOOD])
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(j["exit"]["code"], 0)
        for name in ("stdout", "stderr"):
            s = j[name]
            marker = "last line of " + name
            self.assertEqual(s["bytes"], GIB + len("\n" + marker + "\n"), name)
            self.assertEqual(s["dropped"], s["bytes"] - 2 * CAPTURE, name)
            self.assertTrue(s["tail"].endswith(marker), s["tail"][-200:])
        self.assert_bounded(res, j)

    def test_million_failures_one_path(self):
        res, j = self.trace([PY, "-c", STATS, "same"])
        self.assertEqual(res.rc, 0, res.describe())
        mine = [f for f in j["failed"] if f["path"] == "/nonexistent-bootmortem/x"]
        self.assertEqual(len(mine), 1, mine)
        self.assertEqual(mine[0]["count"], MILLION)
        self.assertEqual(mine[0]["errno"], "ENOENT")
        self.assertEqual(mine[0]["pids"], 1)
        self.assertGreaterEqual(j["failed_total"], MILLION)
        self.assertEqual(j["failed_dropped"], 0)
        self.assert_bounded(res, j)

    def test_million_failures_distinct_paths(self):
        res, j = self.trace([PY, "-c", STATS, "distinct"])
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(j["failed_distinct"], MAX_FAILED)
        self.assertEqual(len(j["failed"]), MAX_FAILED)
        self.assertGreaterEqual(j["failed_total"], MILLION)
        # every failure is accounted for: in a record's count, or as dropped
        self.assertEqual(j["failed_total"], sum(f["count"] for f in j["failed"]) + j["failed_dropped"])
        mine = [f for f in j["failed"] if f["path"].startswith("/nonexistent-bootmortem/")]
        self.assertGreater(len(mine), MAX_FAILED // 2)
        self.assertTrue(all(f["count"] == 1 for f in mine))
        self.assertEqual(len(mine) + j["failed_dropped"], MILLION)
        self.assert_bounded(res, j)

    def test_long_distinct_paths(self):
        # records stop at their byte budget before the 4096 of them fit
        res, j = self.trace([PY, "-c", LONG_PATHS])
        self.assertEqual(res.rc, 0, res.describe())
        self.assertGreaterEqual(j["failed_total"], 100000)
        self.assertEqual(j["failed_total"], sum(f["count"] for f in j["failed"]) + j["failed_dropped"])
        self.assertGreater(j["failed_dropped"], 0)
        self.assert_bounded(res, j)

    def test_ten_thousand_processes(self):
        res, j = self.trace(["/bin/sh", "-c", FORKS])
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(j["processes"], 10001)
        self.assertEqual(len(j["execs"]), MAX_EVENTS)
        self.assertEqual(len(j["execs"]) + j["execs_dropped"], 10001)
        self.assertEqual(len(j["exits"]) + j["exits_dropped"], 10001)
        self.assertLessEqual(len(j["exits"]), MAX_EVENTS + 16)
        if not os.path.exists("/etc/ld.so.preload"):
            # ld.so looks for it in each of them: one record, not 10 000
            preload = [f for f in j["failed"] if f["path"] == "/etc/ld.so.preload"]
            self.assertEqual(len(preload), 1, preload)
            self.assertEqual(preload[0]["count"], 10001)
            self.assertEqual(preload[0]["pids"], 10001)
        self.assert_bounded(res, j)

    def test_peak_rss_is_bootmortems_own(self):
        # This Python holds 128 MiB when it starts bootmortem, whose
        # ru_maxrss would then start at 128 MiB; the command touches 256 MiB.
        ballast = bytearray(128 << 20)
        for i in range(0, len(ballast), 4096):
            ballast[i] = 1
        res, j = self.trace([PY, "-c", BIG])
        del ballast
        self.assertEqual(res.rc, 0, res.describe())
        self.assertLess(j["peak_rss_kib"], LIMIT_KIB)
        if not os.access("/usr/bin/time", os.X_OK):
            return
        with tempfile.NamedTemporaryFile("r") as out:
            subprocess.run(["/usr/bin/time", "-o", out.name, "-f", "%M", e2elib.bootmortem_path(), "trace",
                            "--tracer", self.tracer, "--format", "json", "--", PY, "-c", BIG],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)
            with_children = int(out.read().split()[-1])
        self.assertGreaterEqual(with_children, 256 * 1024)
        note("peak RSS [%s]: %d KiB reported by bootmortem, %d KiB by /usr/bin/time (with the command)"
             % (self.tracer, j["peak_rss_kib"], with_children))


for _tracer in TRACERS:
    _name = "Bounded_" + _tracer
    globals()[_name] = type(_name, (BoundedCases, unittest.TestCase), {"tracer": _tracer})


if __name__ == "__main__":
    e2elib.main([(e2elib.have_file(PY), PY + " (python3)")], need_root=False)
