"""The man page against the binary: every option each command's --help
lists is a tag under that command's .SS heading (and every tag there is an
option of that command), -h/--help and --version under OPTIONS, every
choice option shows the same words in the same order, and
`man --warnings` has nothing to say about the markup.

usage: check_man_page.py BOOTMORTEM PAGE"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_help  # noqa: E402

HELP = {"-h", "--help"}
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][A-Za-z0-9-]*)")


def macro_args(rest):
    """A macro's arguments as roff splits them: on spaces, "quoted" kept whole."""
    return [a[1:-1] if a.startswith('"') else a for a in re.findall(r'"[^"]*"|[^\s"]+', rest)]


def plain(roff):
    """A line as the reader sees it: .B/.I join their arguments with spaces,
    the alternating font macros (.BR, .BI, .IR ...) without; no fonts, no
    escapes."""
    m = re.match(r"^\.([A-Z]+)\s*(.*)$", roff)
    if m:
        args = macro_args(m.group(2))
        s = (" " if m.group(1) in ("B", "I", "SH", "SS") else "").join(args)
    else:
        s = roff
    s = re.sub(r"\\f(\[[A-Z]*\]|[BIRP])", "", s)
    return s.replace("\\-", "-").replace("\\e", "\\")


def page_tags(text):
    """{"": [top-level tags], "diagnose": [...], "rules list": [...]}: the
    .TP tags under OPTIONS and under each "bootmortem ..." .SS of COMMANDS."""
    tags, section, current = {}, None, None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            section = plain(line).strip()
            current = "" if section == "OPTIONS" else None
            if current is not None:
                tags.setdefault(current, [])
        elif line.startswith(".SS") and section == "COMMANDS":
            m = re.match(r'\.SS "bootmortem ([a-z ]+)"', line)
            if not m:
                raise SystemExit("%d: a .SS under COMMANDS that names no command: %s" % (i + 1, line))
            current = m.group(1)
            if current in tags:
                raise SystemExit("%d: a second .SS for '%s'" % (i + 1, current))
            tags[current] = []
        elif line.startswith(".TP") and current is not None and i + 1 < len(lines):
            tags[current].append((i + 2, plain(lines[i + 1])))
    return tags


def check(binary, page):
    problems = []
    text = open(page, encoding="utf-8").read()
    tags = page_tags(text)
    cmds = cli_help.commands(binary)
    known = {c.name for c in cmds}
    for name in tags:
        if name not in known:
            problems.append("%s: documents 'bootmortem %s', which --help does not list" % (page, name))

    for cmd in cmds:
        if not HELP <= set(cmd.options):
            problems.append("bootmortem %s --help: no -h,--help, which the page says every command takes" % cmd.name)
        # A command with subcommands and only --help needs no section.
        own = [o for o in cmd.options if o not in HELP] if cmd.name else cmd.options
        if cmd.name not in tags:
            if own or not cmd.subcommands:
                problems.append("%s: no .SS \"bootmortem %s\" for its options %s" % (page, cmd.name, own))
            continue
        documented = {}  # option -> its tag's text
        for line, tag in tags[cmd.name]:
            found = OPTION.findall(tag)
            if not found:
                continue  # a tag that is not an option (exit statuses are elsewhere)
            for opt in found:
                documented[opt] = tag
                if opt not in cmd.options:
                    problems.append("%s:%d: '%s' documented for 'bootmortem %s', whose --help has no such option"
                                    % (page, line, opt, cmd.name))
        where = "OPTIONS" if not cmd.name else ".SS \"bootmortem %s\"" % cmd.name
        for opt in own:
            if opt not in documented:
                problems.append("%s: 'bootmortem %s %s' is not documented under %s" % (page, cmd.name, opt, where))
        for opt, words in cmd.choices.items():
            shown = "|".join(words)
            if opt in documented and not re.search(r"(^|\s)%s(\s|$)" % re.escape(shown), documented[opt]):
                problems.append("%s: 'bootmortem %s %s' takes %s; the page says '%s'"
                                % (page, cmd.name, opt, shown, documented[opt].strip()))
    return problems


def lint(page):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    r = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True, env=env, timeout=60)
    if r.returncode != 0 or r.stderr.strip():
        return ["man --warnings -l %s (exit status %d):\n%s" % (page, r.returncode, r.stderr)]
    return []


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    binary, page = sys.argv[1], sys.argv[2]
    problems = check(binary, page) + lint(page)
    for p in problems:
        print(p)
    print("man page: %d problems" % len(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
