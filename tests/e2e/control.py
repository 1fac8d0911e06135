# control.py: zoned-control against the real daemon over its unix socket
# (controls statement): status, zonestatus (the serial the SOA query
# gives), reload ZONE (two files edited, one zone reloaded: only its serial
# changes, proved with dig), reload (all), reconfig (a new zone served, a
# changed file of an old zone not read), stats (the counters rise by exactly
# the queries sent; the same numbers as GET /metrics), trace/notrace (the
# log's lines follow), notify ZONE (a UDP listener receives the NOTIFY),
# stop (the daemon exits 0 and removes its socket), the socket's mode, a
# stale socket replaced and a live one not taken, and exit 1 with a message
# for an unknown zone or command and a daemon that is not running; a 17th
# connection is closed at once, a request cut short after 10 s.
import http.client
import os
import socket
import stat
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

import dns.message  # noqa: E402
import dns.opcode  # noqa: E402

ZONED_CONTROL = os.path.join(TOP_BUILDDIR, 'src', 'zoned-control')

CONF = '''options { directory "."; %(options)s };
controls { unix "%(socket)s" perm %(perm)s owner 0 group 0; };
%(extra)s
zone "a.test" { type primary; file "a.test.zone"; };
zone "b.test" { type primary; file "b.test.zone"; };
'''


def ctl(*args):
    """Runs zoned-control; returns (exit status, stdout, stderr)."""
    proc = subprocess.run([ZONED_CONTROL] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=30)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def ok(socket_path, *args):
    """zoned-control -s socket_path args, which must succeed; its stdout."""
    status, out, err = ctl('-s', socket_path, *args)
    assert status == 0 and err == '', (args, status, out, err)
    return out


def fields(text):
    """'name: value' lines as a dict."""
    return dict(line.split(': ', 1) for line in text.splitlines() if ': ' in line)


def serve(workdir, options='', perm='0600', extra='', conf_name='zoned.conf', socket_name='z.ctl'):
    """Writes a.test (serial 1), b.test (serial 1) and the config; starts zoned
    with -c. The Zoned has socket and conf."""
    socket_path = os.path.join(workdir, socket_name)
    for origin in ('a.test', 'b.test'):
        path = os.path.join(workdir, origin + '.zone')
        if not os.path.exists(path):
            write(path, zone_text(origin, 1))
    conf = os.path.join(workdir, conf_name)
    write(conf, CONF % {'options': options, 'socket': socket_path, 'perm': perm, 'extra': extra})
    z = start_zoned(workdir, ['-t', '2', '-c', conf], clean_exit=True)
    z.socket = socket_path
    z.conf = conf
    return z


def dig_serial(port, zone):
    """The SOA serial dig gets (+short's third field)."""
    out = dig(port, zone, 'SOA', '+short', '+norecurse')
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[2])


def test_status_zonestatus_and_mode(workdir):
    z = serve(workdir, perm='0640')
    mode = os.stat(z.socket).st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o640, oct(mode)
    status = fields(ok(z.socket, 'status'))
    assert status['version'].startswith('zoned '), status
    assert status['zones'] == '2' and status['failed zones'] == '0', status
    assert status['workers'] == '2' and status['queries served'] == '0', status
    assert status['verbosity'] == '2 (info)', status
    # -c reads the socket's path from the controls statement.
    status, out, err = ctl('-c', z.conf, 'zonestatus', 'A.TEST')
    assert status == 0, (out, err)
    zone = fields(out)
    assert zone['name'] == 'a.test' and zone['type'] == 'primary', zone
    assert zone['state'] == 'loaded' and zone['last error'] == 'none', zone
    assert zone['file'] == os.path.join(workdir, 'a.test.zone'), zone
    assert int(zone['serial']) == dig_serial(z.port, 'a.test') == 1, zone
    assert zone['loaded'].endswith(' UTC'), zone
    # Errors: exit 1 and the message on stderr.
    status, out, err = ctl('-s', z.socket, 'zonestatus', 'nope.test')
    assert (status, out, err) == (1, '', 'zoned-control: unknown zone nope.test: not served\n'), \
        (status, out, err)
    status, out, err = ctl('-s', z.socket, 'reload', 'nope.test')
    assert status == 1 and 'unknown zone nope.test' in err, (status, err)
    status, out, err = ctl('-s', z.socket, 'frobnicate')
    assert (status, err) == (1, "zoned-control: unknown command 'frobnicate'\n"), (status, err)
    status, out, err = ctl('-s', z.socket, 'refresh', 'a.test')
    assert (status, err) == (1, 'zoned-control: zone a.test is not a secondary zone\n'), err
    assert 'control: status' in z.log(), z.log()
    assert z.stop() == 0


def test_reload_one_zone_then_all(workdir):
    z = serve(workdir)
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 2))
    write(os.path.join(workdir, 'b.test.zone'), zone_text('b.test', 2))
    assert ok(z.socket, 'reload', 'a.test') == 'zone a.test: reloaded, serial 2\n'
    assert dig_serial(z.port, 'a.test') == 2
    assert dig_serial(z.port, 'b.test') == 1, 'b.test changed on disk but was not asked for'
    assert fields(ok(z.socket, 'zonestatus', 'b.test'))['serial'] == '1'
    out = ok(z.socket, 'reload', 'a.test')
    assert out == 'zone a.test: up to date (its files did not change), serial 2\n', out
    assert ok(z.socket, 'reload') == 'reload done: 2 zones served, 0 failed to load\n'
    assert dig_serial(z.port, 'b.test') == 2
    # A broken file: exit 1 with file:line, the old version served on.
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 3) + 'bad A 192.0.2.300\n')
    status, out, err = ctl('-s', z.socket, 'reload', 'a.test')
    assert status == 1 and 'zone a.test: reload failed: ' in err, (status, out, err)
    assert 'a.test.zone:' in err and 'still serving serial 2' in err, err
    assert dig_serial(z.port, 'a.test') == 2
    assert 'a.test.zone:' in fields(ok(z.socket, 'zonestatus', 'a.test'))['last error']
    status, out, err = ctl('-s', z.socket, 'reload')
    assert status == 1 and '1 failed to load' in err, (status, out, err)
    assert z.stop() == 0


def test_reconfig_loads_new_zones_only(workdir):
    z = serve(workdir)
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 5))
    write(os.path.join(workdir, 'c.test.zone'), zone_text('c.test', 9))
    with open(z.conf, 'a') as f:
        f.write('zone "c.test" { type primary; file "c.test.zone"; };\n')
    assert ok(z.socket, 'reconfig') == 'reconfig done: 3 zones served, 0 failed to load\n'
    assert dig_serial(z.port, 'c.test') == 9, 'the new zone is served'
    assert dig_serial(z.port, 'a.test') == 1, 'a changed file of an old zone is not read'
    assert fields(ok(z.socket, 'status'))['zones'] == '3'
    assert ok(z.socket, 'reload') == 'reload done: 3 zones served, 0 failed to load\n'
    assert dig_serial(z.port, 'a.test') == 5
    assert z.stop() == 0


def test_failed_zone_and_removed_zone(workdir):
    write(os.path.join(workdir, 'b.test.zone'), 'b.test. 300 IN SOA broken\n')
    z = serve(workdir)
    status = fields(ok(z.socket, 'status'))
    assert status['failed zones'] == '1' and status['failed zone'] == 'b.test', status
    zone = fields(ok(z.socket, 'zonestatus', 'b.test'))
    assert zone['state'].startswith('failed') and zone['serial'] == 'none', zone
    assert zone['loaded'] == 'never' and 'b.test.zone:1: ' in zone['last error'], zone
    status, out, err = ctl('-s', z.socket, 'notify', 'b.test')
    assert status == 1 and 'is not loaded' in err, err
    # Fixed and loaded by reload ZONE; then reconfig drops a zone taken out of the config.
    write(os.path.join(workdir, 'b.test.zone'), zone_text('b.test', 4))
    assert ok(z.socket, 'reload', 'b.test') == 'zone b.test: reloaded, serial 4\n'
    assert fields(ok(z.socket, 'zonestatus', 'b.test'))['last error'] == 'none'
    with open(z.conf) as f:
        text = f.read()
    write(z.conf, text.replace('zone "b.test" { type primary; file "b.test.zone"; };', ''))
    assert ok(z.socket, 'reconfig') == 'reconfig done: 1 zones served, 0 failed to load\n'
    assert dig(z.port, 'b.test', 'SOA', '+norecurse').stdout.count('REFUSED') == 1
    assert z.stop() == 0


def samples(text):
    """{'name{labels}': value} of Prometheus text lines."""
    result = {}
    for line in text.splitlines():
        if line and not line.startswith('#'):
            key, value = line.rsplit(' ', 1)
            result[key] = float(value)
    return result


def test_stats_count_the_queries_sent(workdir):
    metrics_port = free_port()
    z = serve(workdir, extra='statistics-channels { inet 127.0.0.1 port %d; };' % metrics_port)
    before = samples(ok(z.socket, 'stats'))
    udp, tcp = 7, 3
    for _ in range(udp):
        query('www.a.test.', 'A', z.port)
    for _ in range(tcp):
        query('a.test.', 'SOA', z.port, tcp=True)
    time.sleep(0.1)
    text = ok(z.socket, 'stats')
    after = samples(text)

    def delta(key):
        return after[key] - before[key]
    assert delta('zoned_queries_total{transport="udp"}') == udp
    assert delta('zoned_queries_total{transport="tcp"}') == tcp
    assert delta('zoned_queries_by_type_total{type="A"}') == udp
    assert delta('zoned_queries_by_type_total{type="SOA"}') == tcp
    assert delta('zoned_zone_queries_total{zone="a.test"}') == udp + tcp
    assert fields(ok(z.socket, 'status'))['queries served'] == str(udp + tcp)
    # Nothing asked in between: the same numbers as GET /metrics.
    connection = http.client.HTTPConnection('127.0.0.1', metrics_port, timeout=5)
    connection.request('GET', '/metrics')
    metrics = connection.getresponse().read().decode()
    assert samples(metrics) == after
    assert z.stop() == 0


def test_trace_and_notrace(workdir):
    z = serve(workdir)
    assert ok(z.socket, 'trace') == 'verbosity: 3 (debug)\n'
    assert fields(ok(z.socket, 'status'))['verbosity'] == '3 (debug)'
    assert ok(z.socket, 'trace', '0') == 'verbosity: 0 (errors)\n'
    mark = len(z.log())
    ok(z.socket, 'reload')
    assert 'reloading' not in z.log()[mark:], 'at 0 only errors are logged: ' + z.log()[mark:]
    assert ok(z.socket, 'notrace') == 'verbosity: 2 (info)\n'
    ok(z.socket, 'reload')
    assert 'reloading' in z.log()[mark:], z.log()[mark:]
    status, out, err = ctl('-s', z.socket, 'trace', '7')
    assert status == 1 and 'LEVEL is 0' in err, err
    assert z.stop() == 0


def test_notify_zone(workdir):
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(('127.0.0.1', 0))
    listener.settimeout(5 * TIME_SCALE)
    port = listener.getsockname()[1]
    z = serve(workdir, options='notify explicit; also-notify { 127.0.0.1 port %d; };' % port)
    seen = set()
    for _ in range(2):   # the startup NOTIFYs of both zones: answered, no retries
        wire, sender = listener.recvfrom(65535)
        message = dns.message.from_wire(wire)
        seen.add(message.question[0].name.to_text())
        listener.sendto(dns.message.make_response(message).to_wire(), sender)
    assert seen == {'a.test.', 'b.test.'}, seen
    out = ok(z.socket, 'notify', 'b.test')
    assert out == 'zone b.test: NOTIFY serial 1 sent to 1 servers\n', out
    wire, sender = listener.recvfrom(65535)
    message = dns.message.from_wire(wire)
    assert message.opcode() == dns.opcode.NOTIFY
    assert message.question[0].name.to_text() == 'b.test.'
    assert message.answer[0][0].serial == 1
    listener.sendto(dns.message.make_response(message).to_wire(), sender)
    listener.close()
    assert z.stop() == 0


def test_stop_and_not_running(workdir):
    z = serve(workdir)
    assert ok(z.socket, 'stop') == 'stopping\n'
    assert z.proc.wait(10 * TIME_SCALE) == 0
    assert 'stop requested by zoned-control' in z.log(), z.log()
    assert not os.path.exists(z.socket), 'the socket is removed at exit'
    status, out, err = ctl('-s', z.socket, 'status')
    assert status == 1 and out == '', (status, out)
    assert err == ('zoned-control: cannot connect to %s: No such file or directory '
                   '(is zoned running?)\n' % z.socket), err
    # Without -s (or a controls statement behind -c): the default path.
    if not os.path.exists('/run/zoned/zoned.ctl'):
        conf = os.path.join(workdir, 'plain.conf')
        write(conf, 'zone "a.test" { type primary; file "a.test.zone"; };\n')
        status, out, err = ctl('-c', conf, 'status')
        assert status == 1 and 'cannot connect to /run/zoned/zoned.ctl: ' in err, err
        status, out, err = ctl('status')
        assert status == 1 and 'cannot connect to /run/zoned/zoned.ctl: ' in err, err
    write(os.path.join(workdir, 'off.conf'), 'controls { };\n')
    status, out, err = ctl('-c', os.path.join(workdir, 'off.conf'), 'status')
    assert status == 1 and 'no control channel' in err, err


def test_connection_limits(workdir):
    z = serve(workdir)
    idle = []
    for _ in range(16):   # CONTROL_CONNECTIONS_MAX, none sending anything
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(z.socket)
        idle.append(s)
    time.sleep(0.2)
    extra = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    extra.settimeout(5)
    extra.connect(z.socket)
    try:
        extra.sendall(b'status\n')
        reply = extra.recv(100)
    except (BrokenPipeError, ConnectionResetError):   # closed before or after we sent
        reply = b''
    assert reply == b'', 'the 17th connection is closed unanswered'
    extra.close()
    # A request cut before its newline is closed after the 10 s timeout.
    start = time.monotonic()
    idle[0].settimeout(20)
    idle[0].sendall(b'sta')
    assert idle[0].recv(100) == b''
    assert 9 <= time.monotonic() - start <= 15, time.monotonic() - start
    for s in idle:
        s.close()
    time.sleep(0.2)
    assert fields(ok(z.socket, 'status'))['zones'] == '2'
    assert 'connections open, closing a new one' in z.log()
    assert 'control: connection timed out' in z.log()
    assert z.stop() == 0


def test_stale_socket_replaced_live_one_kept(workdir):
    z = serve(workdir)
    # A second daemon with the same socket (another port) does not take it.
    status, out = run_zoned(['-t', '1', '-p', str(free_port()), '-a', '127.0.0.1', '-c', z.conf],
                            workdir)
    assert status == 1 and 'another process answers on it' in out, (status, out)
    assert fields(ok(z.socket, 'status'))['zones'] == '2', 'the first one still answers'
    # A daemon killed leaves its socket: the next one replaces it.
    z.stop(signal.SIGKILL)
    assert stat.S_ISSOCK(os.stat(z.socket).st_mode)
    z2 = serve(workdir)
    assert 'left by a process that is gone, replacing it' in z2.log(), z2.log()
    assert fields(ok(z2.socket, 'status'))['zones'] == '2'
    assert z2.stop() == 0
    assert not os.path.exists(z2.socket)


def test_reload_zone_reads_only_changes(workdir):
    # zoned-control reload ZONE takes the incremental path too (zone_reload.h):
    # a big a.test with one record changed reads only the changed chunks.
    hosts = ''.join('host%d IN A 192.0.2.%d\nhost%d IN TXT "record %d"\n'
                    % (i, i % 250 + 1, i, i) for i in range(40000))
    path = os.path.join(workdir, 'a.test.zone')
    write(path, zone_text('a.test', 1, hosts))
    write(os.path.join(workdir, 'b.test.zone'), zone_text('b.test', 1))
    socket_path = os.path.join(workdir, 'z.ctl')
    conf = os.path.join(workdir, 'zoned.conf')
    write(conf, CONF % {'options': '', 'socket': socket_path, 'perm': '0600', 'extra': ''})
    z = start_zoned(workdir, ['-t', '2', '-c', conf, '-v', '3'], clean_exit=True)
    changed = zone_text('a.test', 2, hosts.replace('host30000 IN A 192.0.2.', 'host30000 IN A 198.51.100.'))
    write(path, changed)
    before = len(z.log())
    assert ok(socket_path, 'reload', 'a.test') == 'zone a.test: reloaded, serial 2\n'
    log = z.log()[before:]
    assert 'zone a.test: read only the changed parts of the file' in log, log
    assert dig_serial(z.port, 'a.test') == 2
    r = query('host30000.a.test', 'A', z.port)
    assert r.answer[0][0].address == '198.51.100.1', r
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([
        test_status_zonestatus_and_mode,
        test_reload_one_zone_then_all,
        test_reconfig_loads_new_zones_only,
        test_failed_zone_and_removed_zone,
        test_stats_count_the_queries_sent,
        test_trace_and_notrace,
        test_notify_zone,
        test_stop_and_not_running,
        test_stale_socket_replaced_live_one_kept,
        test_connection_limits,
        test_reload_zone_reads_only_changes,
    ]))
