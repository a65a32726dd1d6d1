"""Terminal manners of the binary, run as whoever runs the tests: the usage
when nothing is asked, option help that shows plain choices, a one-line
error naming them, and an installed binary that finds its installed rule
pack whatever prefix it was installed under."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

SUBCOMMANDS = ("check", "diagnose", "env", "explain", "rules", "show", "summarize", "trace")


class Cli(unittest.TestCase):
    def test_no_arguments_prints_the_usage_and_the_subcommands(self):
        r = e2elib.run_bootmortem([])
        self.assertEqual(2, r.rc, r.describe())
        self.assertIn("Usage: bootmortem [OPTIONS] SUBCOMMAND", r.stdout)
        for sub in SUBCOMMANDS:
            self.assertRegex(r.stdout, r"(?m)^  %s +\S" % sub, r.describe())

    def test_option_help_shows_plain_choices(self):
        for sub in ("diagnose", "check", "explain"):
            with self.subTest(subcommand=sub):
                r = e2elib.run_bootmortem([sub, "--help"])
                self.assertEqual(0, r.rc, r.describe())
                self.assertIn("--format text|markdown|json|junit|sarif", r.stdout)
                self.assertNotIn("ENUM", r.stdout)
        r = e2elib.run_bootmortem(["trace", "--help"])
        self.assertIn("--tracer auto|ebpf|ptrace", r.stdout)
        self.assertIn("--format text|json", r.stdout)

    def test_a_word_that_is_not_a_choice_is_one_line_naming_them(self):
        r = e2elib.run_bootmortem(["diagnose", "web", "--format", "xml"])
        self.assertEqual(2, r.rc, r.describe())
        self.assertEqual("bootmortem: --format: 'xml' is not one of text|markdown|json|junit|sarif\n", r.stderr)
        self.assertEqual("", r.stdout)

    def test_an_installed_binary_finds_its_installed_rule_pack(self):
        prefix = Path(tempfile.mkdtemp(prefix="bootmortem-prefix-"))
        self.addCleanup(shutil.rmtree, prefix, ignore_errors=True)
        (prefix / "bin").mkdir()
        shutil.copy2(e2elib.bootmortem_path(), prefix / "bin" / "bootmortem")
        shutil.copytree(e2elib.REPO / "rules", prefix / "share" / "bootmortem" / "rules")
        env = {k: v for k, v in os.environ.items() if k != "BOOTMORTEM_RULES"}
        r = subprocess.run([str(prefix / "bin" / "bootmortem"), "rules", "list"], env=env, cwd="/",
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("rules in %s/share/bootmortem/rules" % prefix, r.stdout, r.stdout[-500:])


if __name__ == "__main__":
    e2elib.main(need_root=False)
