# daemon.py: the process end to end: a named.conf-style config, -C, startup
# failures (config, socket) with their messages and exit status, a broken zone,
# sd_notify readiness, -u privilege drop, -d with a pid file, -V, and the
# README's quick-start command on the bundled zones.
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

NAMED_CONF = '''// named.conf written for BIND, served by zoned
options {
	directory "zones";      # relative to this file
	listen-on port %(port)d { 127.0.0.1; };
	listen-on-v6 { none; };
	version "test-version";
	server-id "ns-test";
	recursion no;           /* what zoned does: accepted with a warning */
	dnssec-validation auto;
	allow-query { any; };
	notify no;
};
include "zones.conf";
'''

ZONES_CONF = '''zone "a.test" IN {
	type master;
	file "a.test.zone";
	allow-query { any; };
	notify no;
};
'''


def make_named_conf(workdir, port):
    os.mkdir(os.path.join(workdir, 'zones'))
    write(os.path.join(workdir, 'zones', 'a.test.zone'), zone_text('a.test', 42))
    write(os.path.join(workdir, 'zones.conf'), ZONES_CONF)
    conf = os.path.join(workdir, 'named.conf')
    write(conf, NAMED_CONF % {'port': port})
    return conf


def test_named_conf(workdir):
    port = free_port()
    conf = make_named_conf(workdir, port)
    z = Zoned(['-c', conf], workdir)
    assert soa_serial(port, 'a.test') == 42
    r = query('version.bind', 'TXT', port, rdclass='CH')
    assert r.answer[0][0].strings == (b'test-version',), r.to_text()
    r = query('id.server', 'TXT', port, rdclass='CH')
    assert r.answer[0][0].strings == (b'ns-test',), r.to_text()
    log = z.log()
    for line in ('named.conf:8: option \'recursion no\'', 'named.conf:9: option '
                 '\'dnssec-validation\' concerns recursion or caching'):
        assert line in log, line + ' not in ' + log
    # allow-query is enforced and notify no is what zoned does: no warning.
    for line in ('named.conf:10:', 'named.conf:11:', 'zones.conf:'):
        assert line not in log, line + ' in ' + log
    assert z.stop() == 0


def test_check_mode(workdir):
    conf = make_named_conf(workdir, free_port())
    status, out = run_zoned(['-C', '-c', conf], workdir)
    assert status == 0, out
    assert 'zone a.test: loaded serial 42' in out, out
    write(os.path.join(workdir, 'zones', 'a.test.zone'), zone_text('a.test', 43, 'x IN MX\n'))
    status, out = run_zoned(['-C', '-c', conf], workdir)
    assert status == 1, out
    assert 'a.test.zone:6:' in out, out
    status, out = run_zoned(['-C', '-c', os.path.join(ZONES, 'zoned.conf')], workdir)
    assert status == 0, out
    assert 'warning' not in out, 'the bundled zones load without a warning: ' + out
    # A statement zoned would not honour stops the load, at its file:line.
    write(os.path.join(workdir, 'zones.conf'),
          ZONES_CONF.replace('notify no;', 'allow-update { none; };'))
    write(os.path.join(workdir, 'zones', 'a.test.zone'), zone_text('a.test', 44))
    status, out = run_zoned(['-C', '-c', conf], workdir)
    assert status == 1, out
    assert "zones.conf:5: zone option 'allow-update' is not implemented" in out, out


def test_broken_zone_at_startup(workdir):
    # As BIND: a zone that does not load no longer stops the start; it
    # answers SERVFAIL (broken.py has the rest), and -C fails on it.
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 1, 'www2 IN A 1.2.3\n'))
    z = start_zoned(workdir, ['-z', 'a.test:a.test.zone'], clean_exit=True)
    assert query('www.a.test', 'A', z.port).rcode() == dns.rcode.SERVFAIL
    assert 'a.test.zone:6:' in z.log() and 'zone a.test: not loaded' in z.log(), z.log()
    assert z.stop() == 0
    status, out = run_zoned(['-C', '-z', 'a.test:missing.zone'], workdir)
    assert status == 1 and 'missing.zone' in out, out


def test_bad_config_at_startup(workdir):
    conf = os.path.join(workdir, 'bad.conf')
    write(conf, 'options {\n\tlisten-on { 127.0.0.1; };\n\tfrobnicate yes;\n};\n')
    status, out = run_zoned(['-c', conf], workdir)
    assert status == 1, out
    assert "bad.conf:3: unknown option 'frobnicate'" in out, out
    status, out = run_zoned(['-c', os.path.join(workdir, 'none.conf')], workdir)
    assert status == 1 and 'none.conf: cannot read' in out, out
    status, out = run_zoned(['-p', 'notaport', '-z', 'a:b'], workdir)
    assert status == 1 and '-p notaport: invalid value' in out, out


def test_socket_cannot_be_bound(workdir):
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 1))
    port = free_port()
    # A socket without SO_REUSEPORT holds the port.
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(('127.0.0.1', port))
    try:
        status, out = run_zoned(['-z', 'a.test:a.test.zone', '-a', '127.0.0.1',
                                 '-p', str(port)], workdir)
    finally:
        holder.close()
    assert status == 1, out
    assert 'cannot listen on 127.0.0.1 port %d (UDP): Address already in use' % port in out, out
    # An explicitly requested address that is not on this machine is an error.
    status, out = run_zoned(['-z', 'a.test:a.test.zone', '-a', '192.0.2.1',
                             '-p', str(port)], workdir)
    assert status == 1 and 'Cannot assign requested address' in out, out


def test_default_addresses(workdir):
    # Without -a: 127.0.0.1 and ::1 (skipped quietly when the machine has no ::1).
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 9))
    port = free_port()
    z = Zoned(['-z', 'a.test:a.test.zone', '-p', str(port)], workdir)
    assert soa_serial(port, 'a.test') == 9
    if have_ipv6_loopback():
        assert query('a.test', 'SOA', port, address='::1').answer[0][0].serial == 9
    assert z.stop() == 0


NO_IPV6_SCRIPT = r'''
ip link set lo up && sysctl -q -w net.ipv6.conf.lo.disable_ipv6=1 || exit 77
"$ZONED" -z a.test:a.test.zone -a ::1 -p 5300 > explicit.log 2>&1
echo "exit $?" >> explicit.log
"$ZONED" -z a.test:a.test.zone -p 5300 > default.log 2>&1 &
pid=$!
for i in $(seq 50); do
	dig +short +tries=1 +time=1 @127.0.0.1 -p 5300 a.test SOA > answer
	# dig prints ";; communications error" on stdout while zoned is starting.
	grep -q '^[^;]' answer && break
	sleep 0.1
done
kill $pid
wait $pid
echo "exit $?" >> default.log
'''


def test_default_ipv6_missing(workdir):
    # In a network namespace of our own whose loopback has no ::1: the
    # default ::1 is skipped, an explicit -a ::1 is an error.
    if os.geteuid() != 0 or not shutil.which('unshare'):
        return skip('needs root and unshare (util-linux) for a network namespace')
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 8))
    env = dict(os.environ, ZONED=ZONED)
    proc = subprocess.run(['unshare', '-n', 'sh', '-c', NO_IPV6_SCRIPT], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=30)
    if proc.returncode == 77 or 'Operation not permitted' in proc.stderr:
        return skip('no network namespace here (ip from iproute2 and sysctl from procps '
                    'are needed in it): %s' % proc.stderr.strip())
    explicit = open(os.path.join(workdir, 'explicit.log')).read()
    assert 'cannot listen on ::1 port 5300 (UDP): Cannot assign requested address' in explicit
    assert explicit.endswith('exit 1\n'), explicit
    default = open(os.path.join(workdir, 'default.log')).read()
    assert 'not listening on ::1: Cannot assign requested address' in default, default
    assert default.endswith('exit 0\n'), default
    answer = open(os.path.join(workdir, 'answer')).read()
    assert answer.split()[2:3] == ['8'], answer


def test_ready_only_when_serving(workdir):
    # READY=1 arrives after every zone is loaded and every socket bound:
    # the very first query after it is answered.
    write(os.path.join(workdir, 'big.test.zone'),
          zone_text('big.test', 3, ''.join('h%d IN A 192.0.2.1\n' % i for i in range(20000))))
    z = start_zoned(workdir, ['-z', 'big.test:big.test.zone'])
    port = z.port
    assert soa_serial(port, 'big.test') == 3
    assert soa_serial(port, 'big.test', tcp=True) == 3
    os.kill(z.pid, signal.SIGTERM)
    z.wait_state('STOPPING=1')
    assert z.stop() == 0


def test_privilege_drop(workdir):
    if os.geteuid() != 0:
        return skip('-u needs root')
    nobody = pwd.getpwnam('nobody')
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 1))
    z = start_zoned(workdir, ['-z', 'a.test:a.test.zone', '-u', 'nobody'])
    port = z.port
    uids = z.status_field('Uid')
    gids = z.status_field('Gid')
    assert uids == [str(nobody.pw_uid)] * 4, uids
    assert gids == [str(nobody.pw_gid)] * 4, gids
    assert z.status_field('Groups') in ([str(nobody.pw_gid)], []), z.status_field('Groups')
    assert soa_serial(port, 'a.test') == 1
    # Reloads still work as nobody (the file is world-readable).
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 2))
    z.reload()
    assert soa_serial(port, 'a.test') == 2
    assert z.stop() == 0
    status, out = run_zoned(['-z', 'a.test:a.test.zone', '-a', '127.0.0.1', '-p', str(port),
                             '-u', 'no-such-user-zoned'], workdir)
    assert status == 1 and 'no-such-user-zoned: no such user' in out, out


def process_running(pid):
    """True while pid exists and is not a zombie waiting for its reaper."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def test_daemonize_with_pid_file(workdir):
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 4))
    pid_file = os.path.join(workdir, 'zoned.pid')
    port = free_port()
    status, out = run_zoned(['-d', '-P', pid_file, '-z', 'a.test:a.test.zone',
                             '-a', '127.0.0.1', '-p', str(port)], workdir)
    assert status == 0, out
    pid = None
    try:
        pid = wait_detached(pid_file, port, 'a.test', 4)
        assert pid is not None, 'no pid file'
        assert soa_serial(port, 'a.test') == 4
        # The relative -z path still works on reload after the daemon left the cwd.
        write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 5))
        os.kill(pid, signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and soa_serial(port, 'a.test') != 5:
            time.sleep(0.02)
        assert soa_serial(port, 'a.test') == 5
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process_running(pid):
        time.sleep(0.02)
    assert not process_running(pid), 'still running'
    assert not os.path.exists(pid_file), 'pid file removed at exit'


def test_version_and_usage(workdir):
    status, out = run_zoned(['-V'], workdir)
    assert status == 0 and out.startswith('zoned '), out
    status, out = run_zoned([], workdir)
    assert status == 1 and 'nothing to serve' in out, out


def test_readme_quick_start(workdir):
    # From the top of the source tree, exactly as the README says (with a free port).
    port = free_port()
    z = Zoned(['-c', 'zones/zoned.conf', '-a', '127.0.0.1', '-p', str(port)], workdir,
              cwd=TOP_SRCDIR)
    r = query('www.example.com', 'A', port)
    assert r.answer[0][0].address == '192.0.2.80'
    # NOTIFYs would go out now, to example secondaries that do not exist (a
    # warning when they are given up): the example configuration sends none.
    time.sleep(1 * TIME_SCALE)
    assert 'NOTIFY' not in z.log() and 'notified' not in z.log(), z.log()
    assert 'warning' not in z.log(), z.log()
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([
        test_named_conf, test_check_mode, test_broken_zone_at_startup,
        test_bad_config_at_startup, test_socket_cannot_be_bound, test_default_addresses,
        test_default_ipv6_missing, test_ready_only_when_serving, test_privilege_drop, test_daemonize_with_pid_file,
        test_version_and_usage, test_readme_quick_start,
    ]))
