# verbosity.py: -v really changes what is logged: -v 3 adds debugging
# detail (the configuration read, why each zone is loaded or kept at a
# reload, the sockets bound, each TCP connection's events, each message of
# a zone transfer), -v 2 (the default) has none of it, -v 1 only warnings
# and errors, -v 0 only errors.
import os
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

CONFIG = '''options {
	directory ".";
	listen-on port %(port)d { 127.0.0.1; };
	server-id "ns-v";
	allow-transfer { 127.0.0.1; };
	recursion no;
};
zone "a.test" { type primary; file "a.test.zone"; notify no; };
%(extra)s'''

B_ZONE = 'zone "b.test" { type primary; file "b.test.zone"; notify no; };\n'


def configure(workdir, port, extra=''):
    write(os.path.join(workdir, 'zoned.conf'), CONFIG % {'port': port, 'extra': extra})


def run_session(workdir, level):
    """Starts zoned -v level, does a reload with one zone unchanged, one
    rewritten and one new, a TCP query and an AXFR; returns its log."""
    port = free_port()
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 1))
    write(os.path.join(workdir, 'b.test.zone'), zone_text('b.test', 1))
    configure(workdir, port)
    z = Zoned(['-c', 'zoned.conf', '-t', '2', '-v', str(level)], workdir, clean_exit=True)
    assert soa_serial(port, 'a.test', tcp=True) == 1
    z.reload()   # a.test unchanged
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 2))
    configure(workdir, port, B_ZONE)
    z.reload()   # a.test rewritten, b.test new
    axfr = dig(port, 'AXFR', 'a.test')
    assert 'XFR size: 5 records' in axfr.stdout, axfr.stdout
    assert z.stop() == 0
    return z.log()


DEBUG_LINES = [
    'config %s/zoned.conf: 1 zones, 1 listen addresses',
    'config: listen on 127.0.0.1 port',
    'config: version "zoned ',
    ', server-id "ns-v", hostname "',
    'config: edns-udp-size 1232, tcp-clients 1024, tcp-idle-timeout 10.0 s',
    'allow-transfer set',
    'config: zone a.test from %s/a.test.zone (%s/zoned.conf:8)',
    'zone a.test: loading %s/a.test.zone',
    'a UDP and a TCP socket for each of 2 workers (SO_REUSEPORT)',
    'SIGHUP received',
    'zone a.test: %s/a.test.zone and its 0 included files unchanged, keeping serial 1',
    'zone a.test: %s/a.test.zone changed (device, inode, size or times), loading',
    'zone b.test: new in the configuration, loading %s/b.test.zone',
    ': accepted (worker ',
    ': client closed its side: closing once the answers are sent',
    'AXFR message queued, serial 2, 1 messages, 5 records',
]


def test_debug(workdir):
    log = run_session(workdir, 3)
    real = os.path.realpath(workdir)
    for line in DEBUG_LINES:
        line = line.replace('%s', real) if '%s' in line else line
        assert line in log, '%r not in:\n%s' % (line, log)
    assert 'warning' in log and 'recursion no' in log


def test_default_has_no_debug(workdir):
    for level in (2, 1, 0):
        log = run_session(workdir, level)
        real = os.path.realpath(workdir)
        for line in DEBUG_LINES:
            line = line.replace('%s', real) if '%s' in line else line
            assert line not in log, '-v %d: %r in:\n%s' % (level, line, log)
        info = 'zone a.test: loaded serial 1'
        warning = "option 'recursion no'"
        assert (info in log) == (level >= 2), (level, log)
        assert (warning in log) == (level >= 1), (level, log)
        for name in os.listdir(workdir):
            os.unlink(os.path.join(workdir, name))


if __name__ == '__main__':
    sys.exit(main([test_debug, test_default_has_no_debug]))
