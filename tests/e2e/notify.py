# notify.py: NOTIFY out (RFC 1996) end to end: a dnspython UDP listener on
# loopback is zoned's also-notify target. At startup and after a reload with
# a new serial it receives a NOTIFY for the zone carrying the new SOA; left
# unanswered it receives the same message again at growing intervals, five
# times in all, and then nothing; an answer stops the retries; notify no
# sends nothing, nor does a reload that leaves the serial alone. The NS hosts
# of the zone (but the SOA MNAME) are notified on port 53 with notify yes.
# Interoperability: real Knot, BIND and NSD secondaries on loopback accept
# zoned's NOTIFY (their logs say so; Knot's and BIND's refresh comes back to
# zoned); they cannot transfer the zone until zoned answers AXFR, so only
# the NOTIFY exchange is asserted.
import os
import shutil
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

import dns.message  # noqa: E402
import dns.opcode  # noqa: E402
import dns.query  # noqa: E402
import dns.rdatatype  # noqa: E402

CONF = '''options {
	directory ".";
	notify %(notify)s;
	also-notify { 127.0.0.1 port %(port)d; };
};
zone "a.test" { type primary; file "a.test.zone"; };
'''

# ns1 is the MNAME (not notified), ns2 is; ns.elsewhere. is outside the zone.
NS_ZONE = ('$TTL 300\n'
           '@ IN SOA ns1 hostmaster %d 3600 600 86400 300\n'
           '@ IN NS ns1\n@ IN NS ns2\n@ IN NS ns.elsewhere.\n'
           'ns1 IN A 127.0.0.98\nns2 IN A 127.0.0.97\n')


class Listener:
    """A UDP socket on 127.0.0.1 (or address:port) that collects NOTIFYs."""

    def __init__(self, address='127.0.0.1', port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))
        self.port = self.sock.getsockname()[1]

    def receive(self, timeout):
        """The next (arrival time, message, sender), or None after timeout s."""
        self.sock.settimeout(timeout * TIME_SCALE)
        try:
            wire, sender = self.sock.recvfrom(65535)
        except socket.timeout:
            return None
        return time.monotonic(), dns.message.from_wire(wire), sender

    def collect(self, seconds):
        """Every message that arrives within seconds."""
        deadline = time.monotonic() + seconds * TIME_SCALE
        got = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return got
            item = self.receive(left / TIME_SCALE)
            if item is not None:
                got.append(item)

    def answer(self, message, sender, wrong_id=False):
        response = dns.message.make_response(message)
        if wrong_id:
            response.id ^= 1
        self.sock.sendto(response.to_wire(), sender)

    def close(self):
        self.sock.close()


def check_notify(message, zone, serial):
    assert message.opcode() == dns.opcode.NOTIFY, message
    assert message.flags & dns.flags.AA and not message.flags & dns.flags.QR, message
    q = message.question[0]
    assert q.name == dns.name.from_text(zone) and q.rdtype == dns.rdatatype.SOA, message
    assert len(message.answer) == 1 and message.answer[0].rdtype == dns.rdatatype.SOA, message
    assert message.answer[0][0].serial == serial, message


def serve(workdir, listener, notify='explicit', serial=1, zone=None):
    write(os.path.join(workdir, 'zoned.conf'),
          CONF % {'notify': notify, 'port': listener.port})
    write(os.path.join(workdir, 'a.test.zone'), zone or zone_text('a.test', serial))
    return start_zoned(workdir, ['-c', 'zoned.conf', '-t', '1'], clean_exit=True)


def first_notify(listener, zone, serial, answer=True):
    item = listener.receive(5)
    assert item is not None, 'no NOTIFY for %s serial %d' % (zone, serial)
    check_notify(item[1], zone, serial)
    if answer:
        listener.answer(item[1], item[2])
    return item


def wait_log(z, text, timeout):
    deadline = time.monotonic() + timeout * TIME_SCALE
    while time.monotonic() < deadline:
        if text in z.log():
            return
        time.sleep(0.1)
    raise AssertionError('no "%s" in the log:\n%s' % (text, z.log()))


def test_reload_with_new_serial_notifies(workdir):
    listener = Listener()
    z = serve(workdir, listener)
    first_notify(listener, 'a.test', 1)   # at startup: the zone was loaded
    wait_log(z, 'NOTIFY serial 1 to 127.0.0.1#%d answered' % listener.port, 5)
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 2))
    z.reload()
    first_notify(listener, 'a.test', 2)
    wait_log(z, 'NOTIFY serial 2 to 127.0.0.1#%d answered' % listener.port, 5)
    assert listener.collect(2) == [], 'an answered NOTIFY is not repeated'
    assert z.stop() == 0


def test_unanswered_retries_back_off_then_stop(workdir):
    listener = Listener()
    z = serve(workdir, listener)
    # Tries at 0, 1, 3, 7 and 15 s; given up at 31 s.
    got = listener.collect(19)
    assert len(got) == 5, [t for t, _, _ in got]
    ids = set(m.id for _, m, _ in got)
    assert len(ids) == 1, 'a retry repeats the message: %s' % ids
    for _, m, _ in got:
        check_notify(m, 'a.test', 1)
    times = [t for t, _, _ in got]
    gaps = [b - a for a, b in zip(times, times[1:])]
    for shorter, longer in zip(gaps, gaps[1:]):
        assert longer > shorter * 1.5, 'intervals grow: %s' % gaps
    wait_log(z, 'no answer after 5 tries, giving up', 15)
    assert listener.collect(1) == [], 'nothing after giving up'
    z.assert_alive('giving up')
    assert z.stop() == 0


def test_answer_stops_retries(workdir):
    listener = Listener()
    z = serve(workdir, listener)
    first_notify(listener, 'a.test', 1, answer=False)
    item = listener.receive(3)   # the first retry
    assert item is not None, 'a retry after 1 s'
    listener.answer(item[1], item[2], wrong_id=True)   # not an answer: retries go on
    item = listener.receive(4)
    assert item is not None, 'an answer with another id does not stop the retries'
    listener.answer(item[1], item[2])
    assert listener.collect(5) == [], 'no retry after the answer (the next was due 4 s later)'
    wait_log(z, 'answered with rcode 0', 2)
    assert z.stop() == 0


def test_notify_no_sends_nothing(workdir):
    listener = Listener()
    z = serve(workdir, listener, notify='no')
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 2))
    z.reload()
    assert soa_serial(z.port, 'a.test') == 2
    assert listener.collect(2) == [], 'notify no'
    assert 'NOTIFY' not in z.log(), z.log()
    assert z.stop() == 0


def test_reload_without_serial_change_sends_nothing(workdir):
    listener = Listener()
    z = serve(workdir, listener)
    first_notify(listener, 'a.test', 1)
    z.reload()   # nothing changed
    # The file changed but the serial did not (an operator's mistake): the
    # zone is reloaded, the secondaries are not told (RFC 1996 3.5).
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 1, 'new IN A 192.0.2.9\n'))
    z.reload()
    assert query('new.a.test', 'A', z.port).answer, 'reloaded'
    assert listener.collect(2) == [], 'same serial: no NOTIFY'
    assert z.stop() == 0


def test_ns_hosts_but_mname(workdir):
    try:
        ns2 = Listener('127.0.0.97', 53)
        mname = Listener('127.0.0.98', 53)
    except OSError as e:
        return skip('binding port 53 on 127.0.0.97/98 needs root: %s' % e)
    also = Listener()
    z = serve(workdir, also, notify='yes', serial=7, zone=NS_ZONE % 7)
    first_notify(ns2, 'a.test', 7)
    first_notify(also, 'a.test', 7)
    assert mname.collect(2) == [], 'the SOA MNAME is not notified'
    wait_log(z, 'NS ns.elsewhere is outside the zone: not notified', 1)
    wait_log(z, 'sending NOTIFY serial 7 to 2 servers', 1)
    assert z.stop() == 0


NAMED_CONF = '''options {
	directory "%(dir)s";
	pid-file "%(dir)s/named.pid";
	listen-on port %(port)d { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
};
controls { };
zone "a.test" {
	type secondary;
	primaries { 127.0.0.1 port %(zoned_port)d; };
	file "%(dir)s/a.test.bk";
	masterfile-format text;
};
'''


def run_secondary(workdir, name, command, conf_name, conf, notified, contacted, seed=None):
    """Starts a real secondary (command with %s for its config) on a free
    port of 127.0.0.1, then zoned as its primary with also-notify pointing
    at it, and waits until the secondary's log shows notified (a pattern
    with serial 3) and, after it, contacted (the secondary coming back to
    zoned's address: its refresh). seed: (file name, text) of a copy of the
    zone the secondary starts with."""
    program = command[0]
    if shutil.which(program) is None:
        raise AssertionError('%s is not installed (the interop test needs it)' % program)
    peer_dir = os.path.join(workdir, name)
    os.mkdir(peer_dir)
    port, zoned_port = free_port(), free_port()
    while zoned_port == port:
        zoned_port = free_port()
    if seed is not None:
        write(os.path.join(peer_dir, seed[0]), seed[1])
    conf_path = os.path.join(peer_dir, conf_name)
    write(conf_path, conf % {'port': port, 'zoned_port': zoned_port, 'dir': peer_dir})
    log_path = os.path.join(peer_dir, name + '.log')
    log = open(log_path, 'w')
    peer = subprocess.Popen([arg.replace('%s', conf_path) for arg in command],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):   # up when it answers anything (it has no zone yet)
            try:
                dns.query.udp(make_query('a.test', 'SOA'), '127.0.0.1', port=port,
                              timeout=0.3)
                break
            except Exception:
                assert peer.poll() is None, open(log_path).read()
                time.sleep(0.1)
        write(os.path.join(workdir, 'zoned.conf'),
              'options { notify explicit; also-notify { 127.0.0.1 port %d; }; };\n'
              'zone "a.test" { type primary; file "a.test.zone"; };\n' % port)
        write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 3))
        z = Zoned(['-c', 'zoned.conf', '-a', '127.0.0.1', '-p', str(zoned_port), '-t', '1'],
                  workdir)
        z.port = zoned_port
        wait_log(z, 'NOTIFY serial 3 to 127.0.0.1#%d answered with rcode 0' % port, 10)
        contacted = contacted % zoned_port if contacted else ''
        deadline = time.monotonic() + 5 * TIME_SCALE
        while True:
            text = open(log_path).read()
            after = text.split(notified, 1)
            accepted = len(after) == 2 and 'serial 3' in after[1].split('\n', 1)[0]
            if (accepted and contacted in after[1]) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert accepted, '%s logged no NOTIFY for serial 3:\n%s' % (name, text)
        assert contacted in after[1], '%s came back to zoned:\n%s' % (name, text)
        assert z.stop() == 0
    finally:
        peer.terminate()
        peer.wait(10)
        log.close()


KNOT_CONF = '''server:
    listen: 127.0.0.1@%(port)d
    rundir: %(dir)s
database:
    storage: %(dir)s
remote:
  - id: primary
    address: 127.0.0.1@%(zoned_port)d
acl:
  - id: notify_from_primary
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: %(dir)s
    journal-content: none
zone:
  - domain: a.test
    master: primary
    acl: notify_from_primary
    file: %(dir)s/a.test.zone
log:
  - target: stderr
    any: info
'''


NSD_CONF = '''server:
    ip-address: 127.0.0.1@%(port)d
    port: %(port)d
    zonesdir: "%(dir)s"
    pidfile: "%(dir)s/nsd.pid"
    xfrdfile: "%(dir)s/xfrd.state"
    xfrdir: "%(dir)s"
    zonelistfile: "%(dir)s/zone.list"
    database: ""
    username: ""
    chroot: ""
    verbosity: 2
remote-control:
    control-enable: no
zone:
    name: a.test
    zonefile: "a.test.zone"
    allow-notify: 127.0.0.1 NOKEY
    request-xfr: 127.0.0.1@%(zoned_port)d NOKEY
'''


def test_knot_secondary_accepts_notify(workdir):
    # Knot 3.2: "[a.test.] notify, incoming, remote 127.0.0.1@P, serial 3",
    # then its refresh names zoned's address (its AXFR is refused until
    # zoned answers AXFR: only that it came back is asserted).
    run_secondary(workdir, 'knot', ['knotd', '-c', '%s'], 'knot.conf', KNOT_CONF,
                  'notify, incoming, remote 127.0.0.1@', '127.0.0.1@%d')


def test_bind_secondary_accepts_notify(workdir):
    # BIND 9.18 (-g: log to stderr; controls { }: no rndc channel):
    # "zone a.test/IN: notify from 127.0.0.1#P: serial 3", then its
    # transfer attempt from zoned's address. BIND reads the SOA in a NOTIFY
    # only for a zone it has loaded ("no serial" before): it starts with
    # serial 2.
    run_secondary(workdir, 'named', ['named', '-g', '-n', '1', '-c', '%s'], 'named.conf',
                  NAMED_CONF, 'notify from 127.0.0.1#', '127.0.0.1#%d',
                  seed=('a.test.bk', zone_text('a.test', 2)))


def test_nsd_secondary_accepts_notify(workdir):
    # NSD 4.6 (-d: foreground; verbosity 2 logs NOTIFYs):
    # "notify for a.test. from 127.0.0.1 serial 3". Its xfrd may still be
    # backing off from the connect that failed before zoned ran, so when it
    # comes back to zoned is not asserted.
    run_secondary(workdir, 'nsd', ['nsd', '-d', '-c', '%s'], 'nsd.conf', NSD_CONF,
                  'notify for a.test. from 127.0.0.1', None)


if __name__ == '__main__':
    sys.exit(main([
        test_reload_with_new_serial_notifies,
        test_unanswered_retries_back_off_then_stop,
        test_answer_stops_retries,
        test_notify_no_sends_nothing,
        test_reload_without_serial_change_sends_nothing,
        test_ns_hosts_but_mname,
        test_knot_secondary_accepts_notify,
        test_bind_secondary_accepts_notify,
        test_nsd_secondary_accepts_notify,
    ]))
