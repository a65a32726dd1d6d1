#!/usr/bin/python3
"""e2e: the CI examples of examples/ci run, so they cannot rot.

- The Dockerfile's stages are applied to a Debian 12 tree (debootstrap, in
  place of debian:bookworm-slim): COPY copies from the build context (a copy
  of tests/data/deploy-repo, with the release .deb beside it), RUN runs in a
  chroot with its own /proc, as root with Docker's default capability set
  (no CAP_SYS_ADMIN, no CAP_BPF). The test stage's `bootmortem check` must
  fail the build (exit 1) with the three broken programs in its JUnit, and
  say it traced with ptrace because the capabilities are missing.
- The GitHub Actions workflow's and the GitLab jobs' shell steps run as
  scripts (bash -eo pipefail, as Actions runs them) in a copy of the deploy
  repo. Three kinds of step are replaced, and the test asserts these are
  the only ones: installing the .deb (the binary under test is put on PATH);
  installing the job image's packages (apt-get, apk: the job's container,
  never this host); and `docker build`/`docker export` (the Dockerfile's app
  stage applied to a Debian 12 tree is the exported rootfs/).

Needs the release .deb: ctest runs the `release` test first (a fixture);
alone, set BOOTMORTEM_DEB or run scripts/release.

    BOOTMORTEM=build/bootmortem /usr/bin/python3 tests/e2e/test_ci_examples.py
"""
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

try:
    import yaml
except ImportError:  # reported by main()'s prerequisites
    yaml = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import note  # noqa: E402

EXAMPLES = e2elib.REPO / "examples" / "ci"
# Docker's default capabilities (moby's oci/caps/defaults.go).
DOCKER_CAPS = ("chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid", "setfcap",
               "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write")
BROKEN = {"api", "mailer", "scheduler"}


def release_deb():
    given = os.environ.get("BOOTMORTEM_DEB")
    if given:
        return given
    debs = sorted(glob.glob(str(e2elib.REPO / "build-release" / "out" / "bootmortem_*_amd64.deb")))
    if not debs:
        raise AssertionError("no release .deb: run scripts/release (ctest runs the release test first)")
    return debs[-1]


def dockerfile_stages(path):
    """[(name, from, [(instruction, argument)])] of a Dockerfile; continuation
    lines joined, comments dropped."""
    stages, logical, pending = [], [], ""
    for line in path.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    for line in logical:
        word, _, arg = line.strip().partition(" ")
        word = word.upper()
        if word == "FROM":
            parts = arg.split()
            stages.append((parts[2] if len(parts) > 2 else "", parts[0], []))
        else:
            stages[-1][2].append((word, arg.strip()))
    return stages


def run_in_root(root, command, caps=DOCKER_CAPS, timeout=900):
    """command through /bin/sh -c in a chroot of root with its own /proc and
    the host's /dev, as root with only caps in its bounding set."""
    bounding = "-all," + ",".join("+" + c for c in caps)
    script = ('mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" && mount --rbind /sys "$R/sys" && '
              'exec setpriv --bounding-set %s chroot "$R" /bin/sh -c "$CMD"' % bounding)
    env = dict(e2elib.ROOT_SHELL_ENV, R=str(root), CMD=command, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c", script],
                          env=env, capture_output=True, text=True, timeout=timeout)


def copy_into(root, context, arg):
    """Docker's COPY SRC... DEST, SRC globbed in the build context."""
    *sources, dest = shlex.split(arg)
    target = root / dest.lstrip("/")
    for src in sources:
        matches = sorted(glob.glob(str(context / src)))
        assert matches, "COPY %s: nothing in the context matches" % src
        for m in matches:
            if os.path.isdir(m):
                shutil.copytree(m, target, symlinks=True, dirs_exist_ok=True)
            else:
                if dest.endswith("/"):
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(m, target / os.path.basename(m))
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(m, target)


def build_stage(root, context, stage):
    """Applies one stage's COPY and RUN; returns the RUN results in order."""
    name, _, instructions = stage
    runs = []
    for word, arg in instructions:
        if word == "COPY":
            copy_into(root, context, arg)
        elif word == "RUN":
            r = run_in_root(root, arg)
            note("stage %s: RUN %s -> exit %d" % (name, arg[:60], r.returncode))
            runs.append(r)
        elif word not in ("CMD", "ENTRYPOINT", "ENV", "WORKDIR", "USER", "LABEL"):
            raise AssertionError("the test does not apply %s (stage %s)" % (word, name))
    return runs


def deploy_checkout(tmp):
    """The deploy repo as a CI job checks it out, the Dockerfile at deploy/."""
    checkout = tmp / "checkout"
    shutil.copytree(e2elib.DEPLOY_REPO, checkout, symlinks=True)
    shutil.copy2(EXAMPLES / "Dockerfile", checkout / "deploy" / "Dockerfile")
    return checkout


def app_image_rootfs(tmp, checkout):
    """What `docker build --target app` and `docker export` give: the
    Dockerfile's app stage applied to a Debian 12 tree."""
    stages = dockerfile_stages(checkout / "deploy" / "Dockerfile")
    app = [s for s in stages if s[0] == "app"][0]
    assert app[1] == "debian:bookworm-slim", app[1]
    root = tmp / "app-rootfs"
    subprocess.run(["cp", "-a", str(e2elib.debootstrap_rootfs()), str(root)], check=True)
    (root / ".complete").unlink()
    for r in build_stage(root, checkout, app):
        assert r.returncode == 0, "app stage RUN failed: %s" % (r.stdout[-2000:] + r.stderr[-2000:])
    return root


def app_conf_line(needle):
    lines = (e2elib.DEPLOY_REPO / "deploy" / "conf.d" / "app.conf").read_text().splitlines()
    return [i + 1 for i, line in enumerate(lines) if needle in line][0]


def junit_counts(text):
    suite = ET.fromstring(text)
    suites = [suite] if suite.tag == "testsuite" else suite.findall("testsuite")
    cases = [c for s in suites for c in s.findall("testcase")]
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    return len(cases), failed


class Steps:
    """A job's shell steps, run one by one as CI runs them."""

    def __init__(self, tmp, checkout):
        self.checkout = checkout
        self.shims = tmp / "shims"
        self.shims.mkdir(exist_ok=True)
        os.symlink(os.path.abspath(e2elib.bootmortem_path()), self.shims / "bootmortem")
        if shutil.which("sudo") is None:  # root already; CI images may lack sudo
            (self.shims / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
            os.chmod(self.shims / "sudo", 0o755)
        self.env = dict(e2elib.ROOT_SHELL_ENV, PATH="%s:%s" % (self.shims, e2elib.ROOT_SHELL_ENV["PATH"]),
                        RUNNER_TEMP=str(tmp), BOOTMORTEM_DEB_URL="file:///nonexistent")

    def run(self, script):
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=self.checkout,
                           env=self.env, capture_output=True, text=True, timeout=900)
        note("step %r -> exit %d" % (script.strip().splitlines()[-1][:70], r.returncode))
        return r


def substituted(script):
    """Why a step is not run as written: it installs the .deb, installs the
    job image's packages, or needs Docker."""
    if "BOOTMORTEM_DEB_URL" in script or "bootmortem.deb" in script:
        return "install"
    if re.search(r"\b(?:apt-get|apt|apk|dnf|yum)\b", script):
        return "packages"
    if re.search(r"\bdocker\s", script):
        return "docker"
    return None


class Dockerfile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = e2elib.make_tmpdir("ci-docker")
        context = deploy_checkout(cls.tmp)
        shutil.copy2(release_deb(), context)
        cls.stages = dockerfile_stages(context / "deploy" / "Dockerfile")
        root = app_image_rootfs(cls.tmp, context)
        test = [s for s in cls.stages if s[0] == "test"][0]
        cls.runs = build_stage(root, context, test)

    @classmethod
    def tearDownClass(cls):
        e2elib.remove_tmpdir(cls.tmp)

    def test_stages(self):
        self.assertEqual([(s[0], s[1]) for s in self.stages], [("app", "debian:bookworm-slim"), ("test", "app")])

    def test_the_test_stage_fails_the_build_on_the_broken_programs(self):
        install, check = self.runs
        self.assertEqual(install.returncode, 0, install.stdout[-2000:] + install.stderr[-2000:])
        self.assertEqual(check.returncode, 1, check.stdout[-3000:] + check.stderr[-3000:])
        tests, failed = junit_counts(check.stdout)
        self.assertEqual((tests, failed), (5, BROKEN), check.stdout[-3000:])

    def test_it_says_how_it_traced_without_the_capabilities(self):
        check = self.runs[-1]
        self.assertIn("ptrace", check.stdout)
        self.assertIn("CAP_SYS_ADMIN", check.stdout + check.stderr)


class Workflows(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = e2elib.make_tmpdir("ci-workflows")
        cls.results = {}
        cls.skipped = {}
        rootfs = None
        github = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
        gitlab = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())
        jobs = [("github:" + name, [s["run"] for s in job["steps"] if "run" in s])
                for name, job in github["jobs"].items()]
        jobs += [("gitlab:" + name, job.get("before_script", []) + job["script"])
                 for name, job in gitlab.items() if isinstance(job, dict) and "script" in job]
        for name, scripts in jobs:
            job_tmp = cls.tmp / name.replace(":", "-")
            job_tmp.mkdir()
            checkout = deploy_checkout(job_tmp)
            steps = Steps(job_tmp, checkout)
            cls.results[name], cls.skipped[name] = [], []
            for script in scripts:
                why = substituted(script)
                if why:
                    cls.skipped[name].append(why)
                    if why == "docker" and "docker export" in script:
                        rootfs = rootfs or app_image_rootfs(cls.tmp, checkout)
                        subprocess.run(["cp", "-a", str(rootfs), str(checkout / "rootfs")], check=True)
                    continue
                r = steps.run(script)
                cls.results[name].append((script, r, checkout))
                if r.returncode != 0:
                    break

    @classmethod
    def tearDownClass(cls):
        e2elib.remove_tmpdir(cls.tmp)

    def test_only_install_and_docker_steps_are_replaced(self):
        self.assertEqual(self.skipped["github:static"], ["install"])
        self.assertEqual(self.skipped["github:image"], ["install", "docker", "docker"])
        self.assertEqual(self.skipped["gitlab:supervisor:static"], ["packages", "install"])
        self.assertEqual(self.skipped["gitlab:supervisor:image"], ["packages", "install", "docker", "docker"])

    def test_github_static_uploads_sarif_at_the_configs_lines(self):
        results = self.results["github:static"]
        script, r, checkout = results[-1]
        self.assertIn("--static", script)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("exit 1", r.stdout)
        sarif = json.loads((checkout / "bootmortem.sarif").read_text())
        located = set()
        for res in sarif["runs"][0]["results"]:
            loc = res["locations"][0]["physicalLocation"]
            located.add((loc["artifactLocation"]["uri"], loc["region"]["startLine"]))
        self.assertIn(("deploy/conf.d/app.conf", app_conf_line("enviroment=")), located, sarif)

    def test_github_image_fails_with_the_junit_of_the_three(self):
        script, r, checkout = self.results["github:image"][-1]
        self.assertIn("--root rootfs", script)
        self.assertEqual(r.returncode, 1, r.stderr[-3000:])
        tests, failed = junit_counts((checkout / "bootmortem.xml").read_text())
        self.assertEqual((tests, failed), (5, BROKEN))

    def test_gitlab_jobs(self):
        script, r, checkout = self.results["gitlab:supervisor:static"][-1]
        self.assertEqual(r.returncode, 1, r.stderr[-3000:])
        tests, failed = junit_counts((checkout / "bootmortem-static.xml").read_text())
        self.assertEqual(tests, 5)
        self.assertIn("mailer", failed)
        script, r, checkout = self.results["gitlab:supervisor:image"][-1]
        self.assertEqual(r.returncode, 1, r.stderr[-3000:])
        tests, failed = junit_counts((checkout / "bootmortem.xml").read_text())
        self.assertEqual((tests, failed), (5, BROKEN))


if __name__ == "__main__":
    e2elib.main(e2elib.BASE_PREREQS + [
        (lambda: shutil.which("debootstrap") is not None, "debootstrap"),
        (lambda: shutil.which("setpriv") is not None, "setpriv (util-linux)"),
        (e2elib.have_module("yaml"), "python3-yaml"),
    ])
