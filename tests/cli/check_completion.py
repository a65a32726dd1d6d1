"""The bash and zsh completions against the binary: each command's options
and subcommands, and each choice option's words, are what its --help lists;
program names come from the config given with -c (through `bootmortem
show`, or its [program:x] sections when show cannot read it); `trace --`
completes the command. bash is driven as readline drives it (COMP_WORDS,
COMP_CWORD, COMP_LINE, COMP_POINT and the function `complete -F` names);
zsh is typed into on a pseudo-terminal with a Tab (zsh_complete.zsh).

usage: check_completion.py BOOTMORTEM COMPLETION_DIR"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_help  # noqa: E402

HERE = Path(__file__).resolve().parent
BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")
BINARY = None
COMPLETIONS = None
COMMANDS = None  # cli_help.commands(BINARY)

# readline's default COMP_WORDBREAKS, less the blanks.
WORDBREAKS = "\"'><=;|&(:"

CONFIG = """\
[supervisord]
logfile=%(here)s/supervisord.log
[program:web]
command=/bin/true
[program:worker]
command=/bin/true
numprocs=2
process_name=%%(program_name)s_%%(process_num)02d
"""
# show refuses it ([program:beta] has no command=); its sections still name
# the programs.
BROKEN_CONFIG = """\
[supervisord]
[program:alpha]
command=/bin/true
[program:beta]
"""

BASH_DRIVER = r"""
source "$1"
source "$2"
COMP_LINE=$3
COMP_POINT=${#COMP_LINE}
shift 3
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
spec=$(complete -p bootmortem) || exit 3
fn=${spec#*-F }
fn=${fn%% *}
"$fn" bootmortem "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def comp_words(line):
    """COMP_WORDS as readline splits LINE: at blanks, and around runs of
    COMP_WORDBREAKS characters, which are words of their own; a line that
    ends in a blank is completing a new, empty word."""
    words = re.findall(r"[^\s%s]+|[%s]+" % (re.escape(WORDBREAKS), re.escape(WORDBREAKS)), line)
    if not line or line[-1].isspace():
        words.append("")
    return words


class Fixture:
    """A PATH with bootmortem on it, a HOME, and two configs."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="bootmortem-completion-"))
        (self.dir / "bin").mkdir()
        (self.dir / "bin" / "bootmortem").symlink_to(os.path.abspath(BINARY))
        self.config = self.dir / "supervisord.conf"
        self.config.write_text(CONFIG % {"here": self.dir})
        self.broken = self.dir / "broken.conf"
        self.broken.write_text(BROKEN_CONFIG)
        self.env = dict(os.environ, PATH="%s:%s" % (self.dir / "bin", os.environ.get("PATH", "/usr/bin:/bin")),
                        HOME=str(self.dir), LC_ALL="C.UTF-8")
        self.env.pop("BOOTMORTEM_RULES", None)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


FIXTURE = None


def setUpModule():
    global FIXTURE
    FIXTURE = Fixture()


def tearDownModule():
    FIXTURE.remove()


def bash_complete(line):
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", BASH_DRIVER, "bash", str(BASH_COMPLETION),
                        str(COMPLETIONS / "bootmortem.bash"), line, *comp_words(line)],
                       capture_output=True, text=True, env=FIXTURE.env, cwd=FIXTURE.dir, timeout=60)
    if r.returncode != 0:
        raise AssertionError("bash completing %r: exit status %d\n%s" % (line, r.returncode, r.stderr))
    return [w for w in r.stdout.split("\n") if w]


def zsh_complete(lines):
    """The matches a Tab offers after each line, in one zsh session."""
    logs = Path(tempfile.mkdtemp(prefix="zsh-", dir=FIXTURE.dir))
    fpath = logs / "fpath"
    fpath.mkdir()
    shutil.copy(COMPLETIONS / "_bootmortem", fpath / "_bootmortem")
    r = subprocess.run(["zsh", "-f", str(HERE / "zsh_complete.zsh"), str(fpath), str(logs), *lines],
                       capture_output=True, text=True, env=FIXTURE.env, cwd=FIXTURE.dir, timeout=120)
    if r.returncode != 0:
        raise AssertionError("zsh_complete.zsh: exit status %d\n%s" % (r.returncode, r.stderr))
    return {line: [w for w in (logs / str(i)).read_text().split("\n") if w] for i, line in enumerate(lines, 1)}


def typed(cmd, *rest):
    return " ".join(("bootmortem",) + cmd.path + rest)


class Bash(unittest.TestCase):
    def test_a_subcommand_from_its_start(self):
        self.assertEqual(["diagnose"], bash_complete("bootmortem dia"))
        self.assertEqual(["test"], bash_complete("bootmortem rules te"))

    def test_every_command_offers_the_options_and_subcommands_its_help_lists(self):
        for cmd in COMMANDS:
            with self.subTest(command=cmd.name):
                offered = bash_complete(typed(cmd, "-"))
                extra = ["--"] if cmd.name == "trace" else []
                self.assertEqual(sorted(cmd.options + extra), sorted(offered))
                if cmd.subcommands:
                    self.assertEqual(cmd.subcommands, bash_complete(typed(cmd, "")))

    def test_every_choice_option_offers_its_words(self):
        self.assertIn("json", bash_complete("bootmortem diagnose --format j"))
        self.assertIn("json", bash_complete("bootmortem diagnose --format=j"))
        self.assertEqual(["ptrace"], bash_complete("bootmortem trace --tracer p"))
        for cmd in COMMANDS:
            for opt, words in cmd.choices.items():
                with self.subTest(command=cmd.name, option=opt):
                    self.assertEqual(words, bash_complete(typed(cmd, opt, "")))

    def test_the_options_that_take_a_value_are_the_ones_help_shows_a_value_for(self):
        # A value option the script does not know would be taken for the
        # command's first word, and the rest of the line misread.
        options = sorted({o for c in COMMANDS for o in c.options})
        takes = {o for c in COMMANDS for o in c.takes_value}
        script = 'source "$1"; source "$2"; shift 2; for o; do if _bootmortem_takes_value "$o"; then echo "$o"; fi; done'
        r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash", str(BASH_COMPLETION),
                            str(COMPLETIONS / "bootmortem.bash"), *options],
                           capture_output=True, text=True, env=FIXTURE.env, timeout=60)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual(sorted(takes), sorted(r.stdout.split()))

    def test_program_names_come_from_the_config(self):
        c = str(FIXTURE.config)
        self.assertEqual(["web", "worker:worker_00", "worker:worker_01"],
                         bash_complete("bootmortem diagnose -c %s " % c))
        self.assertEqual(["worker:worker_00", "worker:worker_01"],
                         bash_complete("bootmortem check --configuration=%s wor" % c))
        # readline took "worker:" for a word of its own: only the rest is replaced.
        self.assertEqual(["worker_00", "worker_01"], bash_complete("bootmortem show -c %s worker:worker_0" % c))
        # diagnose, env and explain take one program.
        self.assertEqual([], bash_complete("bootmortem diagnose -c %s web " % c))
        # check and show take any number.
        self.assertIn("worker:worker_01", bash_complete("bootmortem show -c %s web w" % c))

    def test_a_config_show_refuses_still_names_its_programs(self):
        self.assertEqual(["alpha", "beta"], bash_complete("bootmortem env -c %s " % FIXTURE.broken))

    def test_files_for_the_config_and_systemd_for_base_env(self):
        self.assertEqual([str(FIXTURE.config)], bash_complete("bootmortem show -c %s/superv" % FIXTURE.dir))
        self.assertEqual(["systemd"], bash_complete("bootmortem check --base-env syst"))

    def test_trace_completes_the_command_after_the_double_dash(self):
        self.assertEqual(["--"], bash_complete("bootmortem trace "))
        self.assertIn("bootmortem", bash_complete("bootmortem trace --all -- bootmo"))


class Zsh(unittest.TestCase):
    def test_it_loads_from_fpath_and_when_sourced_without_a_word(self):
        fpath = Path(tempfile.mkdtemp(prefix="fpath-", dir=FIXTURE.dir))
        shutil.copy(COMPLETIONS / "_bootmortem", fpath / "_bootmortem")
        for how, setup in (("fpath", "fpath=(%s $fpath); autoload -U compinit; compinit -u -D" % fpath),
                           ("source", "autoload -U compinit; compinit -u -D; source %s" % (fpath / "_bootmortem"))):
            with self.subTest(how=how):
                r = subprocess.run(["zsh", "-f", "-c", setup + "; print -r -- $_comps[bootmortem]"],
                                   capture_output=True, text=True, env=FIXTURE.env, cwd=FIXTURE.dir, timeout=60)
                self.assertEqual(0, r.returncode, r.stderr)
                self.assertEqual("", r.stderr)
                self.assertEqual("_bootmortem\n", r.stdout)

    def test_completions(self):
        c = str(FIXTURE.config)
        expect = {
            "bootmortem dia": ["diagnose"],
            "bootmortem diagnose --format j": ["json", "junit"],
            "bootmortem diagnose --format=j": ["json", "junit"],
            "bootmortem diagnose -c %s " % c: ["web", "worker:worker_00", "worker:worker_01"],
            "bootmortem check --configuration=%s worker:w" % c: ["worker:worker_00", "worker:worker_01"],
            "bootmortem env -c %s " % FIXTURE.broken: ["alpha", "beta"],
            "bootmortem check --base-env syst": ["systemd"],
            "bootmortem trace ": ["--"],
            "bootmortem trace --all -- bootmo": ["bootmortem"],
        }
        # Every command's options and subcommands, every choice's words.
        options, subcommands, choices = {}, {}, {}
        for cmd in COMMANDS:
            options[typed(cmd, "-")] = cmd.options
            if cmd.subcommands:
                subcommands[typed(cmd, "")] = cmd.subcommands
            for opt, words in cmd.choices.items():
                choices[typed(cmd, opt, "")] = words
        got = zsh_complete(list(expect) + list(options) + list(subcommands) + list(choices))
        for line, want in expect.items():
            with self.subTest(line=line):
                self.assertEqual(sorted(want), sorted(got[line]))
        for line, want in options.items():
            with self.subTest(line=line):
                self.assertEqual(sorted(want), sorted(set(got[line]) - {"--"}))
        for line, want in list(subcommands.items()) + list(choices.items()):
            with self.subTest(line=line):
                self.assertEqual(sorted(want), sorted(got[line]))


def main():
    global BINARY, COMPLETIONS, COMMANDS
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    BINARY, COMPLETIONS = os.path.abspath(sys.argv[1]), Path(sys.argv[2]).resolve()
    del sys.argv[1:3]
    missing = [what for what, ok in (("bash-completion (%s)" % BASH_COMPLETION, BASH_COMPLETION.exists()),
                                     ("zsh", shutil.which("zsh"))) if not ok]
    if missing:
        raise SystemExit("check_completion.py: needs %s (scripts/bootstrap installs it)" % " and ".join(missing))
    COMMANDS = cli_help.commands(BINARY)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
