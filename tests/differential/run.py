#!/usr/bin/python3
"""Differential test: every config in tests/config-corpus is loaded by
supervisor's own code (Debian's 4.2.5, ServerOptions.realize as supervisord
runs it) and by `bootmortem show --format json -c CONF`; both must give the
same program table, or both must reject the file with the same message.

Usage: run.py --bootmortem BIN [--corpus DIR] [-v] [CASE...]
       (BIN may also come from $BOOTMORTEM)

Documented differences, applied to supervisor's side before comparing:
  * supervisor's messages from configparser span lines; bootmortem prints one
    line, each line break and the indent after it becoming one space.
  * supervisor keeps only the uid of user=; bootmortem's `user` (as written)
    is resolved with supervisor's own name_to_uid and must give that uid.
  * `source` has no counterpart in supervisor: the line it names must be the
    header of the process's section in that file.
"""
import argparse
import json
import os
import re
import subprocess
import sys

from supervisor.datatypes import name_to_uid
from supervisor_table import Rejected, supervisor_table, CONTROLLED_ENV

HERE = os.path.dirname(os.path.abspath(__file__))


def one_line(msg):
    return re.sub(r'\n[ \t]*', ' ', msg)


def run_bootmortem(binary, conf, cwd):
    p = subprocess.run([binary, 'show', '--format', 'json', '--no-redact', '-c', conf], cwd=cwd, env=CONTROLLED_ENV,
                       capture_output=True, text=True, errors='replace', timeout=60)
    return p.returncode, p.stdout, p.stderr


def header_at(path, line):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = f.read().split('\n')
    except OSError:
        return None
    if not 1 <= line <= len(lines):
        return None
    m = re.match(r'\[(.+)\]', lines[line - 1].strip())
    return m.group(1) if m else None


def check_user(exp, act):
    """user= as written must resolve, with supervisor's name_to_uid, to the
    uid supervisor stored; bootmortem's own uid must be that one too."""
    user = act.get('user')
    try:
        resolved = None if user is None else name_to_uid(user)
    except ValueError as e:
        resolved = 'error: %s' % e
    if resolved != exp['_uid'] or act.get('uid') != exp['_uid']:
        return ['%s: user %r resolves to %r and bootmortem says uid %r; supervisor has uid %r' % (
            exp['name'], user, resolved, act.get('uid'), exp['_uid'])]
    return []


def check_accepted(expected, code, out, err):
    if code != 0:
        return ['supervisor accepts it; bootmortem exits %d: %s' % (code, err.strip())]
    try:
        actual = json.loads(out)
    except ValueError as e:
        return ['bootmortem printed no JSON (%s)' % e]
    if len(actual) != len(expected):
        return ['%d processes, supervisor has %d: %s vs %s' % (
            len(actual), len(expected), [a.get('name') for a in actual], [e['name'] for e in expected])]
    problems = []
    for exp, act in zip(expected, actual):
        for key, want in exp.items():
            if key.startswith('_'):
                continue
            got = act.get(key, '<missing>')
            # Canonical JSON: True must not equal 1, order of environment= counts.
            if json.dumps(got) != json.dumps(want):
                problems.append('%s.%s: bootmortem %s, supervisor %s' % (
                    exp['name'], key, json.dumps(got), json.dumps(want)))
        problems += check_user(exp, act)
        src = act.get('source') or {}
        header = header_at(src.get('file', ''), src.get('line', 0))
        if header is None or header != act.get('section'):
            problems.append('%s: source %s:%s is not the header of [%s] (found %r)' % (
                exp['name'], src.get('file'), src.get('line'), act.get('section'), header))
    return problems


def check_rejected(message, conf, code, out, err):
    if code != 2:
        return ['supervisor rejects it (%s); bootmortem exits %d' % (one_line(message), code)]
    lines = err.split('\n')
    if len(lines) != 2 or lines[1] != '':
        return ['stderr is not exactly one line: %r' % err]
    m = re.match(r'bootmortem: (/[^:]+?)(?::(\d+))?: (.*)$', lines[0])
    if not m:
        return ['stderr is not "bootmortem: file:line: message": %r' % lines[0]]
    path, line, text = m.group(1), int(m.group(2) or 0), m.group(3)
    problems = []
    if not os.path.isfile(path):
        problems.append('error names %s, which is no file' % path)
    elif line:
        with open(path, encoding='utf-8', errors='replace') as f:
            if line > len(f.read().split('\n')):
                problems.append('error names line %d, past the end of %s' % (line, path))
    if text != one_line(message):
        problems.append('message differs:\n      bootmortem: %s\n      supervisor: %s' % (text, one_line(message)))
    return problems


def check_redaction(binary, corpus):
    """show masks secrets by default (the table goes into tickets) and shows
    them with --no-redact, which the comparison above relies on."""
    conf = os.path.join(corpus, 'env_secrets.conf')
    secrets = ['hunter2', 'pw123']
    base = [binary, 'show', '--format', 'json', '-c', conf]
    masked = subprocess.run(base, capture_output=True, text=True)
    shown = subprocess.run(base + ['--no-redact'], capture_output=True, text=True)
    problems = []
    if masked.returncode != 0 or shown.returncode != 0:
        problems.append('show exited %d / %d: %s' % (masked.returncode, shown.returncode, masked.stderr))
    problems += ['secret %r printed without --no-redact' % x for x in secrets if x in masked.stdout]
    problems += ['secret %r missing with --no-redact' % x for x in secrets if x not in shown.stdout]
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bootmortem', default=os.environ.get('BOOTMORTEM'))
    ap.add_argument('--corpus', default=os.path.join(HERE, '..', 'config-corpus'))
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('cases', nargs='*')
    a = ap.parse_args()
    if not a.bootmortem:
        ap.error('--bootmortem or $BOOTMORTEM is required')
    corpus = os.path.realpath(a.corpus)
    binary = os.path.realpath(a.bootmortem)
    confs = sorted(f for f in os.listdir(corpus) if f.endswith('.conf'))
    if a.cases:
        confs = [c for c in confs if c[:-5] in a.cases or c in a.cases]
    # Both sides run in the corpus with the same small environment, so that
    # relative commands, ENV_* names and a bare %s see the same world.
    os.chdir(corpus)
    os.environ.clear()
    os.environ.update(CONTROLLED_ENV)

    accepted = rejected = 0
    failures = []
    for name in confs:
        conf = os.path.join(corpus, name)
        try:
            expected = supervisor_table(conf)
        except Rejected as r:
            expected = None
            message = r.message
        code, out, err = run_bootmortem(binary, conf, corpus)
        if expected is None:
            rejected += 1
            problems = check_rejected(message, conf, code, out, err)
        else:
            accepted += 1
            problems = check_accepted(expected, code, out, err)
        status = 'FAIL' if problems else 'ok'
        if problems or a.verbose:
            kind = 'rejected' if expected is None else '%d processes' % len(expected)
            print('%-4s %s (%s)' % (status, name, kind))
            for p in problems:
                print('     ' + p)
        if problems:
            failures.append(name)
    if not a.cases:
        for p in check_redaction(binary, corpus):
            print('FAIL redaction: ' + p)
            failures.append('redaction')
    total = len(confs)
    print('differential: %d configs (%d accepted, %d rejected by supervisor): %d agree, %d differ' % (
        total, accepted, rejected, total - len(failures), len(failures)))
    if total < 60 and not a.cases:
        print('differential: the corpus must hold at least 60 configs')
        return 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
