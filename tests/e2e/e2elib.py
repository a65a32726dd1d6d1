"""Shared helpers for bootmortem's end-to-end tests (not a test case itself).

Every e2e test runs real software: a real supervisord (Debian 4.2.5), real
gunicorn, real users. Most need root (`bootmortem trace` cases do not). Run
one file at a time:

    BOOTMORTEM=/path/to/bootmortem /usr/bin/python3 tests/e2e/test_<case>.py

Exit status: 0 pass, 1 fail, 77 skipped (not root) unless
BOOTMORTEM_REQUIRE_ROOT=1 is set, in which case "not root" is a failure.
BOOTMORTEM defaults to <repo>/build/bootmortem. BOOTMORTEM_E2E_TMP picks the
parent of the temporary directories (default /tmp; it must be searchable by
unprivileged users); BOOTMORTEM_E2E_KEEP=1 keeps them for inspection.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PY = "/usr/bin/python3"
SUPERVISORD = "/usr/bin/supervisord"
SKIP = 77

# The environment of the operator's root shell that started supervisord in the
# incident (`sudo -i` / root login): HOME and USER are root's.
ROOT_SHELL_ENV = {
    "HOME": "/root",
    "USER": "root",
    "LOGNAME": "root",
    "SHELL": "/bin/bash",
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}

LOG_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),(\d{3}) (CRIT|ERRO|WARN|INFO|DEBG|TRAC|BLAT) (.*)$")


def note(msg):
    """Progress/timing notes: on stderr, visible in ctest --output-on-failure / -V."""
    print("[e2e] " + msg, file=sys.stderr, flush=True)


def start_hogs(timeout_s=900):
    """stress-ng with a CPU hog per core, in a session of its own (ended by its
    pid's group, at the latest after timeout_s); returns its stop."""
    hogs = subprocess.Popen([shutil.which("stress-ng"), "--cpu", str(os.cpu_count() or 2), "--cpu-method",
                             "matrixprod", "--timeout", str(timeout_s)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def stop():
        try:
            os.killpg(hogs.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        hogs.wait(timeout=30)
    time.sleep(1.0)
    with open("/proc/loadavg") as f:
        note("stress-ng pid %d running; loadavg %s" % (hogs.pid, f.read().strip()))
    return stop


def bootmortem_path():
    return os.environ.get("BOOTMORTEM") or str(REPO / "build" / "bootmortem")


def main(prereqs=(), need_root=True):
    """Entry point of each test file: root check, prerequisites, unittest.

    need_root=False for cases that run as whoever runs them (bootmortem
    trace): they never skip."""
    if need_root and os.geteuid() != 0:
        reason = "e2e tests need root (they create users and run supervisord as root)"
        if os.environ.get("BOOTMORTEM_REQUIRE_ROOT") == "1":
            print("FAIL: " + reason + "; BOOTMORTEM_REQUIRE_ROOT=1 is set", file=sys.stderr)
            sys.exit(1)
        print("SKIP: " + reason, file=sys.stderr)
        sys.exit(SKIP)
    missing = [what for check, what in prereqs if not check()]
    if missing:
        print("FAIL: missing prerequisites (the project's bootstrap script installs them):",
              file=sys.stderr)
        for what in missing:
            print("  - " + what, file=sys.stderr)
        sys.exit(1)
    unittest.main(verbosity=2)


def have_module(name):
    return lambda: subprocess.run([PY, "-c", "import " + name], capture_output=True).returncode == 0


def have_file(path):
    return lambda: os.access(path, os.X_OK)


BASE_PREREQS = [
    (have_file(PY), PY + " (python3)"),
    (have_file(SUPERVISORD), SUPERVISORD + " (supervisor)"),
    (lambda: shutil.which("useradd") is not None, "useradd (passwd)"),
]
# examples/egg-cache: gunicorn with gevent workers, and its zipped egg built
EGG_CACHE_PREREQS = BASE_PREREQS + [
    (have_file("/usr/bin/gunicorn"), "/usr/bin/gunicorn (gunicorn)"),
    (have_module("gevent"), "python3-gevent"),
    (have_module("pkg_resources"), "python3-setuptools"),
    (lambda: shutil.which("cc") is not None, "cc (build-essential)"),
]


def install_egg_cache(dest, port, silent_port):
    """examples/egg-cache/install into dest (the app, user cissoid, the zipped
    egg) on the two ports; returns the path of its supervisord.conf."""
    env = dict(ROOT_SHELL_ENV, EGGCACHE_PORT=str(port), EGGCACHE_SILENT_PORT=str(silent_port))
    inst = subprocess.run([str(REPO / "examples" / "egg-cache" / "install"), str(dest)], env=env,
                          capture_output=True, text=True, timeout=300)
    if inst.returncode != 0:
        raise AssertionError("examples/egg-cache/install failed (exit %d):\n%s"
                             % (inst.returncode, inst.stderr))
    return inst.stdout.strip().splitlines()[-1]


def set_in_section(text, section, line):
    """Add `line` right after the [section] header."""
    header = "[%s]\n" % section
    assert header in text, section
    return text.replace(header, header + line + "\n", 1)


def make_tmpdir(tag):
    """A temp dir that unprivileged users can traverse (mkdtemp makes it 0700)."""
    base = os.environ.get("BOOTMORTEM_E2E_TMP", "/tmp")
    d = tempfile.mkdtemp(prefix="bootmortem-e2e-%s-" % tag, dir=base)
    os.chmod(d, 0o755)
    return Path(d)


def remove_tmpdir(path):
    if os.environ.get("BOOTMORTEM_E2E_KEEP") == "1":
        note("keeping %s (BOOTMORTEM_E2E_KEEP=1)" % path)
        return
    shutil.rmtree(path, ignore_errors=True)


def free_ports(n):
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def pid_alive(pid):
    """True while /proc/<pid> exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def ppid_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def descendants(root):
    children = {}
    for pid in all_pids():
        children.setdefault(ppid_of(pid), []).append(pid)
    out, todo = set(), [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def kill_and_wait(pid, timeout=15.0):
    """SIGTERM, wait until gone, then SIGKILL. Only for pids we started."""
    if not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if pid_alive(pid):
        note("pid %d ignored SIGTERM for %.0f s; SIGKILL" % (pid, timeout))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        while pid_alive(pid):
            time.sleep(0.05)


def parse_log_time(line):
    m = LOG_LINE.match(line)
    if not m:
        return None
    return time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) + int(m.group(2)) / 1000.0


class Supervisord:
    """A real, daemonized supervisord started the way a root shell would."""

    def __init__(self, conf, pidfile, logfile, env=None):
        self.conf = str(conf)
        self.pidfile = Path(pidfile)
        self.logfile = Path(logfile)
        self.env = dict(env or ROOT_SHELL_ENV)
        self.pid = None
        self.started_at = None

    def start(self, timeout=15.0):
        launch_log = self.logfile.parent / "supervisord.launch.out"
        self.started_at = time.monotonic()
        with open(launch_log, "wb") as out:
            # the launcher returns once supervisord has daemonized; never give it
            # our pipes (the daemon would hold them open)
            rc = subprocess.run([SUPERVISORD, "-c", self.conf], env=self.env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                timeout=timeout).returncode
        if rc != 0:
            raise AssertionError("supervisord -c %s exited %d: %s"
                                 % (self.conf, rc, launch_log.read_text(errors="replace")))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                text = self.pidfile.read_text().strip()
                if text.isdigit() and pid_alive(int(text)):
                    self.pid = int(text)
                    note("supervisord pid %d on %s" % (self.pid, self.conf))
                    return self.pid
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("supervisord wrote no pidfile %s within %.0f s" % (self.pidfile, timeout))

    def stop(self):
        pid = self.pid
        if pid is None:  # started but pidfile not seen: find it by its exact command line
            want = "%s %s -c %s " % (PY, SUPERVISORD, self.conf)
            for p in all_pids():
                if cmdline(p) == want:
                    pid = p
        if pid is not None and SUPERVISORD in cmdline(pid):
            kill_and_wait(pid)
            note("supervisord pid %d stopped" % pid)
        self.pid = None

    def log_text(self):
        try:
            return self.logfile.read_text(errors="replace")
        except OSError:
            return ""

    def wait_for(self, needle, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log_text():
                return time.monotonic() - self.started_at
            time.sleep(0.1)
        raise AssertionError("%r not in %s after %.0f s; log:\n%s"
                             % (needle, self.logfile, timeout, self.log_text()))

    def failure_seen(self, program):
        """supervisord's own account of a failing program so far, from its log:
        'FATAL' (gave up), 'CRASH_LOOP' (entered RUNNING, then exited not
        expected: autorestart starts it again), 'EXITED' (entered RUNNING, then
        an expected exit), or None. Which of them a failure near startsecs
        shows depends on the machine's load (supervisor-semantics.md §9: a
        loaded supervisord reaps late and logs success first); all are the
        same failure, and a test that asserts one of them only is load-bound."""
        lines = self.lines_for(program)
        if any(("gave up: %s " % program) in l for l in lines):
            return "FATAL"
        # supervisor's finish() calls an exit before startsecs "not expected"
        # whatever its status (BACKOFF); an "expected" one came after
        # startsecs, and a loaded supervisord that had not yet logged
        # success moves it STARTING -> RUNNING -> EXITED without that line.
        if any(("exited: %s (" % program) in l and "; expected)" in l for l in lines):
            return "EXITED"
        for i, l in enumerate(lines):
            if ("success: %s " % program) in l:
                for later in lines[i + 1:]:
                    if ("exited: %s (" % program) in later:
                        return "EXITED" if "; expected)" in later else "CRASH_LOOP"
        return None

    def wait_for_failure(self, program, timeout):
        """Until failure_seen gives an answer; returns (kind, seconds since start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kind = self.failure_seen(program)
            if kind:
                return kind, time.monotonic() - self.started_at
            time.sleep(0.1)
        raise AssertionError("%s neither FATAL nor crash-looping in %s after %.0f s; log:\n%s"
                             % (program, self.logfile, timeout, self.log_text()))

    def lines_for(self, program):
        pat = re.compile(r"(spawned: '%s' |exited: %s \(|gave up: %s |success: %s )"
                         % ((re.escape(program),) * 4))
        return [l for l in self.log_text().splitlines() if pat.search(l)]


class BootmortemResult:
    def __init__(self, argv, proc, seconds):
        self.argv = argv
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds
        self._json = None

    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.stdout)
            except ValueError as e:
                raise AssertionError("bootmortem --format json printed invalid JSON (%s); "
                                     "exit %d; stdout:\n%s\nstderr:\n%s"
                                     % (e, self.rc, self.stdout[:4000], self.stderr[:4000]))
        return self._json

    def describe(self):
        return "%s -> exit %d in %.2f s\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.argv), self.rc, self.seconds, self.stdout[-6000:], self.stderr[-4000:])


def failure_under_supervisord(cls, conf, tmp, program, timeout):
    """A real supervisord on conf (its pidfile and log in tmp) until program
    fails (FATAL, a crash loop, EXITED); returns (that, supervisord's log).
    Stopped by its pid, also when the class's setup fails."""
    sup = Supervisord(conf, tmp / "supervisord.pid", tmp / "supervisord.log")
    cls.addClassCleanup(sup.stop)
    sup.start()
    state, _ = sup.wait_for_failure(program, timeout)
    log = sup.log_text()
    sup.stop()
    return state, log


def run_bootmortem(args, env=None, timeout=180.0, cwd=None, preexec_fn=None):
    bm = os.path.abspath(bootmortem_path())
    if not os.access(bm, os.X_OK):
        raise AssertionError("bootmortem binary not found or not executable: %s "
                             "(set BOOTMORTEM=<path>, or build it into %s/build)" % (bm, REPO))
    argv = [bm] + list(args)
    t0 = time.monotonic()
    try:
        proc = subprocess.run(argv, env=env if env is not None else os.environ.copy(),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", timeout=timeout, cwd=cwd, preexec_fn=preexec_fn)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("%s did not finish within %.0f s (partial stdout: %r)"
                             % (" ".join(argv), timeout, (e.stdout or b"")[-2000:]))
    res = BootmortemResult(argv, proc, time.monotonic() - t0)
    note("%s -> exit %d in %.2f s" % (" ".join(args), res.rc, res.seconds))
    return res


def status_fields(text, names):
    """{name: value} for the named lines of a /proc/<pid>/status dump (first occurrence)."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key in names and key not in out:
            out[key] = " ".join(value.split())
    return out


def egg_cache_under_supervisord(cls, name, settings=(), ports=2):
    """For a test class: examples/egg-cache installed into a fresh tmpdir on
    free ports (cls.ports; the first two are the example's), each (section,
    line) of settings added to its supervisord.conf, its supervisord started
    (cls.tmp, cls.dest, cls.conf, cls.sup); all undone at class cleanup, also
    when setUpClass fails later."""
    cls.tmp = make_tmpdir(name)
    cls.addClassCleanup(remove_tmpdir, cls.tmp)
    cls.dest = cls.tmp / "egg-cache"
    cls.ports = free_ports(ports)
    cls.conf = install_egg_cache(cls.dest, cls.ports[0], cls.ports[1])
    assert cls.conf == str(cls.dest / "supervisord.conf"), cls.conf
    conf = cls.dest / "supervisord.conf"
    text = conf.read_text()
    for section, line in settings:
        text = set_in_section(text, section, line)
    conf.write_text(text)
    cls.sup = Supervisord(cls.conf, cls.dest / "run" / "supervisord.pid", cls.dest / "log" / "supervisord.log")
    cls.addClassCleanup(cls.sup.stop)
    cls.sup.start()


# The deploy repo of tests/data/deploy-repo, staged into a Debian 12 root
# filesystem as the app's image build would: debootstrap (minbase) with
# python3, gunicorn and supervisor, then the repo's stage-rootfs. The
# debootstrap tree is kept in a cache beside the binary (BOOTMORTEM_E2E_CACHE
# overrides) and copied for each test class, which may then check that
# bootmortem left the copy as it was.
DEPLOY_REPO = REPO / "tests" / "data" / "deploy-repo"
ROOTFS_PACKAGES = ("python3", "gunicorn", "supervisor")


def rootfs_cache():
    base = os.environ.get("BOOTMORTEM_E2E_CACHE") or os.path.join(
        os.path.dirname(os.path.abspath(bootmortem_path())), "e2e-cache")
    return Path(base) / ("bookworm-" + "-".join(ROOTFS_PACKAGES))


def debootstrap_rootfs():
    """The cached Debian 12 tree, made once (a few minutes, from deb.debian.org)."""
    tree = rootfs_cache()
    if (tree / ".complete").exists():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    tree.parent.mkdir(parents=True, exist_ok=True)
    note("debootstrap bookworm into %s (once; cached)" % tree)
    t0 = time.monotonic()
    r = subprocess.run(["debootstrap", "--variant=minbase", "--include=" + ",".join(ROOTFS_PACKAGES),
                        "bookworm", str(tree), "http://deb.debian.org/debian"],
                       capture_output=True, text=True, timeout=1500)
    if r.returncode != 0:
        raise AssertionError("debootstrap failed (exit %d):\n%s" % (r.returncode, r.stdout[-3000:] + r.stderr[-3000:]))
    (tree / ".complete").write_text("")
    note("debootstrap took %.0f s" % (time.monotonic() - t0))
    return tree


def staged_deploy_root(tag):
    """A fresh copy of the cached tree with the deploy repo staged into it;
    returns (tmpdir to remove, root)."""
    tree = debootstrap_rootfs()
    tmp = make_tmpdir(tag)
    root = tmp / "rootfs"
    subprocess.run(["cp", "-a", str(tree), str(root)], check=True)
    (root / ".complete").unlink()
    r = subprocess.run([str(DEPLOY_REPO / "stage-rootfs"), str(root)], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("stage-rootfs failed: " + r.stderr)
    return tmp, root


def tree_manifest(root):
    """What a tree holds: every path with its type, mode, owner, size, mtime
    and, for a symlink, its target."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            target = os.readlink(p) if os.path.islink(p) else ""
            out[os.path.relpath(p, root)] = (st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime_ns, target)
    return out


# SARIF logs are validated by Microsoft's SARIF Multitool, from npm (Debian's
# npm), installed once into <build>/sarif-multitool (BOOTMORTEM_SARIF_MULTITOOL
# overrides).
MULTITOOL_PACKAGE = "@microsoft/sarif-multitool@5.7.0"


def multitool_dir():
    given = os.environ.get("BOOTMORTEM_SARIF_MULTITOOL")
    if given:
        return Path(given)
    return Path(bootmortem_path()).resolve().parent / "sarif-multitool"


def sarif_multitool():
    """The Sarif.Multitool executable, installed into the build tree when
    missing; (None, why) when that cannot be done."""
    d = multitool_dir()
    exe = d / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    if not exe.exists():
        npm = shutil.which("npm")
        if not npm:
            return None, "npm is not installed (Debian: nodejs npm)"
        d.mkdir(parents=True, exist_ok=True)
        note("installing %s into %s" % (MULTITOOL_PACKAGE, d))
        r = subprocess.run([npm, "install", "--prefix", str(d), "--no-audit", "--no-fund", "--loglevel=error",
                            MULTITOOL_PACKAGE], capture_output=True, text=True, timeout=600)
        if r.returncode != 0 or not exe.exists():
            return None, "npm install %s failed (exit %d): %s" % (MULTITOOL_PACKAGE, r.returncode,
                                                                  (r.stderr or r.stdout)[-2000:])
    # npm does not run the package's postinstall, which makes it executable.
    exe.chmod(exe.stat().st_mode | 0o100)
    return exe, None


def sarif_errors(report):
    """The messages of the Multitool's results of level error: a result's own
    level, else its rule's default, else SARIF's default (warning)."""
    errors = []
    for run in report.get("runs", []):
        rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        for r in run.get("results", []):
            rule = rules[r["ruleIndex"]] if 0 <= r.get("ruleIndex", -1) < len(rules) else {}
            level = r.get("level") or rule.get("defaultConfiguration", {}).get("level") or "warning"
            if level != "error":
                continue
            msg = r.get("message", {})
            text = msg.get("text")
            if text is None:
                template = rule.get("messageStrings", {}).get(msg.get("id"), {}).get("text", msg.get("id", ""))
                text = re.sub(r"\{(\d+)\}", lambda m: str(msg.get("arguments", [])[int(m.group(1))]), template)
            errors.append("%s: %s" % (r.get("ruleId"), text))
    return errors


def sarif_validation_errors(exe, path):
    """The Multitool's errors on the SARIF log at path (it exits 0 with them)."""
    out = Path(path).with_suffix(".validation.sarif")
    # .NET without ICU (a minimal image) refuses to start unless told it may.
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1")
    r = subprocess.run([str(exe), "validate", str(path), "-o", str(out), "--log", "ForceOverwrite"],
                       capture_output=True, text=True, timeout=300, env=env)
    if r.returncode != 0:
        raise AssertionError("sarif-multitool validate exited %d:\n%s\n%s"
                             % (r.returncode, r.stdout[-4000:], r.stderr[-4000:]))
    report = json.loads(out.read_text(encoding="utf-8-sig"))
    note("multitool on %s: %d results" % (Path(path).name, sum(len(run.get("results", [])) for run in report["runs"])))
    return sarif_errors(report)
