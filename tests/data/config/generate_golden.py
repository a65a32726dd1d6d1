#!/usr/bin/python3
# Regenerates golden/*.expected by running Debian's supervisor 4.2.5 parser
# (ServerOptions.read_config) on golden/*.conf, named /etc/sv/<case>.conf.
# Run as: env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 /usr/bin/python3 generate_golden.py
# loader_test.cpp loads the same files with the same environment and prints
# the same dump; the two must agree line for line.
import glob, io, os, platform, socket, sys

platform.node = lambda: 'vm'
from supervisor.options import ServerOptions, make_namespec
from supervisor.datatypes import Automatic, RestartUnconditionally, RestartWhenExitUnexpected


def lf(v):
    return 'AUTO' if v is Automatic else 'NONE' if v is None else v


def restart(v):
    return {RestartUnconditionally: 'true', RestartWhenExitUnexpected: 'unexpected'}.get(v, 'false')


def env(d):
    return '{' + ', '.join('%r: %r' % kv for kv in d.items()) + '}'


def dump(name, text):
    o = ServerOptions()
    o.configfile = '/etc/sv/%s.conf' % name
    o.here = '/etc/sv'
    fp = io.StringIO(text)
    fp.name = o.configfile
    out = []
    try:
        s = o.read_config(fp)
        url = None
        for c in s.server_configs:
            if c['family'] is socket.AF_UNIX:
                url = 'unix://%s' % c['file']
                break
        if url is None:
            for c in s.server_configs:
                if c['family'] is socket.AF_INET:
                    url = 'http://%s:%s' % (c['host'] or 'localhost', c['port'])
                    break
        for g in s.process_group_configs:
            for p in g.process_configs:
                out.append('process %s' % make_namespec(g.name, p.name))
                out.append('  group=%s gprio=%d prio=%d' % (g.name, g.priority, p.priority))
                out.append('  command=%r' % p.command)
                out.append('  directory=%r uid=%r umask=%s' % (
                    p.directory, p.uid, oct(p.umask) if p.umask is not None else None))
                out.append('  env=%s' % env(p.environment))
                out.append('  stdout=%s stderr=%s' % (lf(p.stdout_logfile), lf(p.stderr_logfile)))
                out.append('  autostart=%s autorestart=%s startsecs=%d startretries=%d exitcodes=%r' % (
                    p.autostart, restart(p.autorestart), p.startsecs, p.startretries, p.exitcodes))
                out.append('  stopsignal=%d stopwaitsecs=%d stopasgroup=%s killasgroup=%s redirect_stderr=%s' % (
                    p.stopsignal, p.stopwaitsecs, p.stopasgroup, p.killasgroup, p.redirect_stderr))
                out.append('  serverurl=%r' % p.serverurl)
        out.append('supervisord env=%s umask=%s minfds=%d minprocs=%d identifier=%r nodaemon=%s' % (
            env(s.environment), oct(s.umask), s.minfds, s.minprocs, s.identifier, bool(s.nodaemon)))
        out.append('serverurl=%r' % url)
        out += ['warning: ' + w for w in o.parse_warnings]
    except ValueError as e:
        out.append('error: %s' % e)
    return '\n'.join(out) + '\n'


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'golden')
for conf in sorted(glob.glob(os.path.join(here, '*.conf'))):
    name = os.path.basename(conf)[:-5]
    with open(conf) as f:
        text = f.read()
    with open(conf[:-5] + '.expected', 'w') as f:
        f.write(dump(name, text))
