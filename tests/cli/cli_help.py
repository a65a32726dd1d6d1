"""The command line as the binary's --help tells it: every command path
("", "diagnose", "rules list"), its options (long and short) and the words
each choice option takes. The man page and shell completion tests hold
their text against this, so an option added to the code and not to them
fails a test."""
import re
import subprocess

# "  -c,--configuration TEXT     ..." / "  --format text|json   ..." /
# "  --startsecs FLOAT:POSITIVE Excludes: --timeout": names, then the value.
# CLI11 pads the names to column 30 but leaves one space when they reach
# 29, so the word after them is a value only when it looks like one: a
# type (TEXT, FLOAT:POSITIVE) or choices (text|json); descriptions here
# start in lower case.
OPTION_LINE = re.compile(r"^  (-[^\s]+)(?: ([^\s]+))?")
VALUE = re.compile(r"^[A-Z][A-Z0-9_:]*$")
SUBCOMMAND_LINE = re.compile(r"^  ([a-z][a-z0-9-]*)\s")
CHOICE = re.compile(r"^[a-z0-9-]+(\|[a-z0-9-]+)+$")


class Command:
    def __init__(self, path):
        self.path = path                 # ("rules", "list")
        self.options = []                # ["-h", "--help", "--format", ...] in --help's order
        self.choices = {}                # {"--format": ["text", "json"]}
        self.takes_value = set()         # options followed by a value
        self.subcommands = []            # ["list", "patterns", ...]

    @property
    def name(self):
        return " ".join(self.path)


def sections(text):
    """{"Options": [lines], "Subcommands": [lines], ...} of one --help."""
    out, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Za-z ]*):$", line)
        if m:
            current = out.setdefault(m.group(1), [])
        elif current is not None and line.strip():
            current.append(line)
        elif not line.strip():
            current = None
    return out


def parse_help(path, text):
    cmd = Command(path)
    parts = sections(text)
    for line in parts.get("Options", []):
        m = OPTION_LINE.match(line)
        if not m:
            continue
        names = m.group(1).split(",")
        cmd.options.extend(names)
        value = m.group(2)
        if value and (VALUE.match(value) or CHOICE.match(value)):
            for n in names:
                cmd.takes_value.add(n)
            if CHOICE.match(value):
                for n in names:
                    cmd.choices[n] = value.split("|")
    for line in parts.get("Subcommands", []):
        m = SUBCOMMAND_LINE.match(line)
        if m:
            cmd.subcommands.append(m.group(1))
    return cmd


def help_text(binary, path):
    r = subprocess.run([binary, *path, "--help"], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit("%s %s --help: exit status %d\n%s" % (binary, " ".join(path), r.returncode, r.stderr))
    return r.stdout


def commands(binary):
    """Every command path, breadth first, from the top level down."""
    out, todo = [], [()]
    while todo:
        path = todo.pop(0)
        cmd = parse_help(path, help_text(binary, path))
        if not cmd.options:
            raise SystemExit("%s %s --help lists no options: has its format changed?" % (binary, " ".join(path)))
        out.append(cmd)
        todo.extend(path + (s,) for s in cmd.subcommands)
    return out
