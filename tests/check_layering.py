"""Fails when a module includes a module after it in the pipeline, or when
platform headers appear outside trace/ and login/ (DESIGN.md, STYLE.md §3)."""
import pathlib
import re
import sys

ORDER = ["core", "config", "spawn", "trace", "login", "evidence", "rules", "report", "run", "cli"]
PLATFORM = re.compile(r"#include <(sys/ptrace\.h|linux/seccomp\.h|seccomp\.h|sys/prctl\.h|linux/filter\.h)>")
PLATFORM_OK = {"trace", "login"}
INCLUDE = re.compile(r'#include "([a-z_]+)/')

src = pathlib.Path(sys.argv[1])
problems = []
for path in sorted(src.rglob("*")):
    if path.suffix not in (".h", ".cpp") or path.parent == src:
        continue
    module = path.relative_to(src).parts[0]
    if module not in ORDER:
        problems.append(f"{path}: module '{module}' is not in the pipeline order")
        continue
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = INCLUDE.match(line)
        if m and m.group(1) in ORDER and ORDER.index(m.group(1)) > ORDER.index(module):
            problems.append(f"{path}:{n}: {module}/ includes {m.group(1)}/, which comes after it")
        if PLATFORM.match(line) and module not in PLATFORM_OK:
            problems.append(f"{path}:{n}: platform header outside trace/ and login/")

for p in problems:
    print(p)
checked = sum(1 for _ in src.rglob("*.[ch]*"))
print(f"layering: {checked} files checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
