"""The program table of `bootmortem show --format json`, built from what
supervisor's own code (Debian's supervisor 4.2.5, /usr/lib/python3) makes of
a config file. run.py compares the two."""
import os
import shlex
import signal

from supervisor.datatypes import Automatic, RestartUnconditionally, RestartWhenExitUnexpected
from supervisor.options import EventListenerPoolConfig, FastCGIGroupConfig, ServerOptions

# What both sides run with (run.py sets it for itself and for bootmortem).
# BM_* names feed the corpus's %(ENV_BM_*)s expansions.
CONTROLLED_ENV = {
    'PATH': '/usr/local/bin:/usr/bin:/bin',
    'HOME': '/root',
    'LANG': 'C.UTF-8',
    'BM_TEST_VAR': 'hello world',
    'BM_NUM': '42',
    'BM_USER': 'nobody',
}


class Rejected(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def logfile(v):
    return 'AUTO' if v is Automatic else 'NONE' if v is None else v


def autorestart(v):
    return {RestartUnconditionally: 'true', RestartWhenExitUnexpected: 'unexpected'}.get(v, 'false')


def stopsignal(n):
    try:
        return signal.Signals(n).name[3:]
    except ValueError:
        return str(n)


def kind(group):
    if isinstance(group, FastCGIGroupConfig):
        return 'fcgi-program'
    if isinstance(group, EventListenerPoolConfig):
        return 'eventlistener'
    return 'program'


def execv_lookup(p):
    """Subprocess.get_execv_args up to check_execv_args: (argv, filename),
    argv None when shlex cannot split, filename None when nothing stat()s."""
    try:
        argv = shlex.split(p.command)
    except ValueError:
        return None, None
    if not argv:
        return argv, None
    program = argv[0]
    candidates = [program] if '/' in program else [os.path.join(d, program) for d in p.get_path()]
    for found in candidates:
        try:
            os.stat(found)
        except OSError:
            continue
        return argv, found
    return argv, None


def process_row(group, p):
    argv, executable = execv_lookup(p)
    return {
        'name': p.name,
        'group': group.name,
        'kind': kind(group),
        'command': p.command,
        'argv': argv,
        'executable': executable,
        'environment': p.environment,
        'directory': p.directory,
        'umask': None if p.umask is None else '%03o' % p.umask,
        'priority': p.priority,
        'autostart': p.autostart,
        'autorestart': autorestart(p.autorestart),
        'startsecs': p.startsecs,
        'startretries': p.startretries,
        'exitcodes': list(p.exitcodes),
        'stopsignal': stopsignal(p.stopsignal),
        'stopwaitsecs': p.stopwaitsecs,
        'stopasgroup': p.stopasgroup,
        'killasgroup': p.killasgroup,
        'redirect_stderr': p.redirect_stderr,
        'stdout_logfile': logfile(p.stdout_logfile),
        'stderr_logfile': logfile(p.stderr_logfile),
        'serverurl': p.serverurl,
        # Only the uid survives parsing; run.py resolves bootmortem's `user`.
        '_uid': p.uid,
    }


def supervisor_table(conf):
    """realize() as supervisord runs it with -c CONF, in this process's cwd
    and os.environ. Raises Rejected(message) where supervisord would print
    'Error: <message>' and exit 2."""
    o = ServerOptions()

    def usage(msg):
        raise Rejected(str(msg))

    o.usage = usage
    o.realize(['-c', conf])
    return [process_row(g, p) for g in o.process_group_configs for p in g.process_configs]
