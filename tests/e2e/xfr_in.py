# xfr_in.py: zoned as a secondary (type secondary), end to end, with stock
# BIND 9.18, NSD 4.6 and Knot 3.2 as primaries on loopback (each with its
# own config, directory and random port; a missing one fails the test):
# the first transfer gives exactly the primary's records (full AXFR output
# compared); a change at the primary and its NOTIFY put zoned at the new
# serial within 5 s (by IXFR where the primary offers one: zoned's log
# says so); a change is picked up by the refresh timer alone (short SOA
# timers, min-refresh-time 1); TSIG-signed SOA queries and transfers;
# primary stopped -> SERVFAIL after the SOA expire; a restart with the
# primary down serves the saved copy, and one after the expire time does
# not; chains BIND -> zoned -> NSD and BIND -> zoned -> Knot carry two
# changes end to end, each by IXFR out of zoned's journal (also across a
# restart of zoned). Hostile:
# a primary (a small dnspython server here) that cuts a transfer halfway,
# answers garbage, sends an out-of-zone record or a CNAME beside other
# data: the old version keeps serving and the reason is logged; NOTIFY in
# from a stranger is REFUSED, from allow-notify accepted, for a name that is
# no zone of ours NOTAUTH.
import os
import signal
import socketserver
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403
from peers import (PEERS, start_knot, start_knot_with, start_named, start_nsd,  # noqa: E402
                   start_nsd_with, stop_peers)

import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.opcode  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rrset  # noqa: E402
import dns.tsigkeyring  # noqa: E402
import dns.zone  # noqa: E402

ORIGIN = 'example.'
KEY_NAME = 'xfr-key'
KEY_SECRET = 'c2VjcmV0LWZvci10aGUtc2Vjb25kYXJ5LXRlc3RzLTAxMjM0NTY3ODk='


def primary_zone(serial, www='192.0.2.2', refresh=3600, retry=600, expire=86400, hosts=200):
    """The primary's zone: a few types, a delegation with glue and hosts
    enough for several messages."""
    lines = ['$ORIGIN example.', '$TTL 300',
             '@ IN SOA ns1 hostmaster %d %d %d %d 300' % (serial, refresh, retry, expire),
             '@ IN NS ns1', '@ IN MX 10 mail', '@ IN TXT "apex text"',
             'ns1 IN A 192.0.2.1', 'mail IN A 192.0.2.25', 'www IN A %s' % www,
             '_sip._udp IN SRV 0 5 5060 mail', 'alias IN CNAME www',
             'sub IN NS ns.sub', 'ns.sub IN A 192.0.2.4', 'CaseKept IN AAAA 2001:db8::5']
    lines += ['h%d IN TXT "host %d %s"' % (i, i, 'x' * 60) for i in range(hosts)]
    return '\n'.join(lines) + '\n'


def zoned_conf(primary_port, key=False, notify_to=None, zone_extra='', top_extra=''):
    conf = top_extra
    if key:
        conf += 'key "%s" { algorithm hmac-sha256; secret "%s"; };\n' % (KEY_NAME, KEY_SECRET)
    conf += '''options {
	directory ".";
	min-refresh-time 1;
	min-retry-time 1;
	allow-transfer { 127.0.0.1; };
	%s
};
zone "example" {
	type secondary;
	primaries { 127.0.0.1 port %d%s; };
	file "secondary-example.db";
	%s
};
''' % ('notify explicit; also-notify { 127.0.0.1 port %d; };' % notify_to if notify_to
       else 'notify no;', primary_port, ' key "%s"' % KEY_NAME if key else '', zone_extra)
    return conf


def start_secondary(workdir, primary_port, key=False, notify_to=None, port=None, zone_extra='',
                    top_extra=''):
    write(os.path.join(workdir, 'zoned.conf'), zoned_conf(primary_port, key, notify_to,
                                                          zone_extra, top_extra))
    if port is None:
        return start_zoned(workdir, ['-c', 'zoned.conf', '-t', '2'], clean_exit=True)
    z = Zoned(['-a', '127.0.0.1', '-p', str(port), '-c', 'zoned.conf', '-t', '2'], workdir,
              clean_exit=True)
    z.port = port
    return z


def serial_of(port, origin=ORIGIN):
    """The SOA serial port answers for origin, or the rcode's name when not NOERROR."""
    try:
        r = query(origin, 'SOA', port)
    except (dns.exception.Timeout, OSError):
        return None
    if r.rcode() != dns.rcode.NOERROR:
        return dns.rcode.to_text(r.rcode())
    return r.answer[0][0].serial if r.answer else None


def wait_serial(port, serial, timeout, what='', origin=ORIGIN):
    deadline = time.monotonic() + timeout * TIME_SCALE
    while True:
        now = serial_of(port, origin)
        if now == serial:
            return time.monotonic()
        assert time.monotonic() < deadline, 'serial %s, not %s, after %s s %s' % (
            now, serial, timeout, what)
        time.sleep(0.05)


def wait_log(z, text, timeout):
    deadline = time.monotonic() + timeout * TIME_SCALE
    while text not in z.log():
        assert time.monotonic() < deadline, 'no "%s" in the log:\n%s' % (text, z.log())
        time.sleep(0.05)


def axfr_set(port, keyring=None):
    """Every record of a full AXFR, as comparable text (names lowercased)."""
    records = set()
    kwargs = {'keyring': keyring, 'keyname': KEY_NAME} if keyring else {}
    for message in dns.query.xfr('127.0.0.1', ORIGIN, port=port, timeout=5, lifetime=20,
                                 relativize=False, **kwargs):
        for rrset in message.answer:
            for rdata in rrset:
                records.add('%s %d %s %s' % (rrset.name.to_text().lower(), rrset.ttl,
                                             dns.rdatatype.to_text(rrset.rdtype),
                                             rdata.to_text().lower()))
    return records


def assert_same_zone(primary_port, zoned_port, keyring=None):
    theirs = axfr_set(primary_port, keyring)
    ours = axfr_set(zoned_port)
    assert theirs == ours, 'only the primary: %s\nonly zoned: %s' % (
        sorted(theirs - ours)[:5], sorted(ours - theirs)[:5])
    assert len(ours) > 200


def www_address(port):
    r = query('www.example.', 'A', port)
    return r.answer[0][0].address if r.answer else dns.rcode.to_text(r.rcode())


def set_zone(path, text):
    """Rewrites a primary's zone file; its mtime moves on a whole second
    (BIND and NSD compare seconds)."""
    write(path, text)
    later = time.time() + 2
    os.utime(path, (later, later))


# ---- stock primaries ----

def start_bind_primary(workdir, port, notify_to=None, key=False, zone=None, extra=''):
    write(os.path.join(workdir, 'primary.db'), zone or primary_zone(1))
    key_text = ('key "%s" { algorithm hmac-sha256; secret "%s"; };\n' % (KEY_NAME, KEY_SECRET)
                if key else '')
    options = '''%(notify)s
	notify-delay 0;
	allow-transfer { %(allow)s; };
	%(extra)s''' % {
        'extra': extra,
        'allow': 'key %s' % KEY_NAME if key else '127.0.0.1',
        'notify': 'notify explicit; also-notify { 127.0.0.1 port %d; };' % notify_to
        if notify_to else 'notify no;'}
    peer = start_named(workdir, port, options, '''zone "example" {
	type primary;
	file "%s/primary.db";
	ixfr-from-differences yes;
};
''' % workdir, before=key_text)
    wait_serial(port, dns.zone.from_text(zone or primary_zone(1), ORIGIN).get_soa().serial,
                15, 'at BIND')
    return peer


def start_nsd_primary(workdir, port, notify_to):
    write(os.path.join(workdir, 'primary.db'), primary_zone(1))
    peer = start_nsd_with(workdir, port, '''	zonefile: "%(dir)s/primary.db"
	notify: 127.0.0.1@%(notify)d NOKEY
	provide-xfr: 127.0.0.1 NOKEY
''' % {'dir': workdir, 'notify': notify_to})
    wait_serial(port, 1, 15, 'at NSD')
    return peer


def start_knot_primary(workdir, port, notify_to):
    write(os.path.join(workdir, 'primary.db'), primary_zone(1))
    # zonefile-load difference: a changed file becomes a journal entry, served by IXFR.
    peer = start_knot_with(workdir, port, '''remote:
  - id: zoned
    address: 127.0.0.1@%(notify)d
acl:
  - id: to_zoned
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "%(dir)s"
    zonefile-sync: -1
    zonefile-load: difference
    journal-content: changes
    semantic-checks: off
zone:
  - domain: example.
    file: "%(dir)s/primary.db"
    notify: zoned
    acl: to_zoned
''' % {'dir': workdir, 'notify': notify_to})
    wait_serial(port, 1, 15, 'at Knot')
    return peer


def check_primary(workdir, start, ixfr):
    """First transfer identical; a change and its NOTIFY: zoned at the new serial within 5 s."""
    zoned_port = free_port()
    primary_port = free_port()
    try:
        peer = start(workdir, primary_port, zoned_port)
        z = start_secondary(workdir, primary_port, port=zoned_port)
        wait_serial(z.port, 1, 10, 'after the first transfer:\n' + z.log())
        assert_same_zone(primary_port, z.port)
        wait_log(z, 'transferred serial 1 from 127.0.0.1#%d by AXFR' % primary_port, 1)
        set_zone(os.path.join(workdir, 'primary.db'), primary_zone(2, www='192.0.2.99'))
        os.kill(peer.proc.pid, signal.SIGHUP)
        wait_serial(primary_port, 2, 10, 'at the primary')
        started = time.monotonic()
        wait_serial(z.port, 2, 5, 'after the NOTIFY:\n' + z.log() + peer.log())
        print('%s: serial 2 at zoned %.2f s after the primary had it' % (
            peer.name, time.monotonic() - started))
        # Every one of them sends the SOA in its NOTIFY (RFC 1996 3.7).
        wait_log(z, 'NOTIFY received, refreshing (serial 2)', 1)
        wait_log(z, 'transferred serial 2 from 127.0.0.1#%d by %s' % (
            primary_port, 'IXFR:' if ixfr else 'IXFR (in AXFR form)'), 1)
        assert www_address(z.port) == '192.0.2.99'
        assert_same_zone(primary_port, z.port)
        assert 'error' not in z.log().lower(), z.log()
        assert z.stop() == 0
    finally:
        stop_peers()


def test_bind_primary(workdir):
    check_primary(workdir, lambda w, p, n: start_bind_primary(w, p, notify_to=n), ixfr=True)


def test_bind_primary_one_answer(workdir):
    # One record per message: the IXFR's first message holds its new SOA alone.
    check_primary(workdir, lambda w, p, n: start_bind_primary(
        w, p, notify_to=n, extra='transfer-format one-answer;'), ixfr=True)


def test_nsd_primary(workdir):
    # NSD 4.6 serves no IXFR: it answers one with the whole zone.
    check_primary(workdir, start_nsd_primary, ixfr=False)


def test_knot_primary(workdir):
    check_primary(workdir, start_knot_primary, ixfr=True)


def test_tsig_and_refresh_timer(workdir):
    """A keyed primary (allow-transfer only with the key), no NOTIFY: the
    refresh timer (SOA refresh 1) alone picks the change up."""
    primary_port = free_port()
    try:
        start_bind_primary(workdir, primary_port, key=True,
                           zone=primary_zone(1, refresh=1, retry=1))
        z = start_secondary(workdir, primary_port, key=True)
        wait_serial(z.port, 1, 10, z.log())
        keyring = dns.tsigkeyring.from_text({KEY_NAME: ('hmac-sha256', KEY_SECRET)})
        assert_same_zone(primary_port, z.port, keyring)
        set_zone(os.path.join(workdir, 'primary.db'),
                 primary_zone(2, www='192.0.2.77', refresh=1, retry=1))
        os.kill(PEERS[0].proc.pid, signal.SIGHUP)
        wait_serial(primary_port, 2, 10, 'at the primary')
        wait_serial(z.port, 2, 5, 'by refresh alone:\n' + z.log())
        assert www_address(z.port) == '192.0.2.77'
        assert 'NOTIFY received' not in z.log()
        bind_log = PEERS[0].log()
        assert 'TSIG %s' % KEY_NAME in bind_log, bind_log
        assert z.stop() == 0
    finally:
        stop_peers()


def test_expire_and_saved_copy(workdir):
    """Primary gone: the saved copy serves a restart; after the SOA expire
    (4 s) the zone answers SERVFAIL, also after a restart."""
    primary_port = free_port()
    try:
        start_bind_primary(workdir, primary_port,
                           zone=primary_zone(5, refresh=1, retry=1, expire=4))
        z = start_secondary(workdir, primary_port)
        wait_serial(z.port, 5, 10, z.log())
        # The saved copy is written on its own thread after the version is published.
        wait_log(z, 'saved copy %s written: serial 5,'
                 % os.path.join(workdir, 'secondary-example.db'), 5)
        assert os.path.exists(os.path.join(workdir, 'secondary-example.db'))
        assert not [f for f in os.listdir(workdir) if '.xfr-' in f]
        stop_peers()
        stopped = time.monotonic()
        # Restart with the primary down: the saved copy, at once.
        assert z.stop() == 0
        z = start_secondary(workdir, primary_port)
        assert serial_of(z.port) == 5, z.log()
        assert www_address(z.port) == '192.0.2.2'
        # Expire counts from the last successful refresh, not from the restart.
        wait_serial(z.port, 'SERVFAIL', 8, z.log())
        assert time.monotonic() - stopped < 7 * TIME_SCALE
        wait_log(z, 'expired: no successful refresh for 4 s', 1)
        assert z.stop() == 0
        z = start_secondary(workdir, primary_port)
        wait_serial(z.port, 'SERVFAIL', 2, 'a restart after the expire:\n' + z.log())
        assert z.stop() == 0
    finally:
        stop_peers()


def check_chain(workdir, start_downstream, restart=False):
    """BIND -> zoned -> a downstream secondary: each change at BIND reaches
    the downstream (zoned NOTIFYs it), which takes it from zoned by IXFR out
    of the journal zoned keeps of the versions it transferred in; the
    downstream's copy equals BIND's. restart: zoned is restarted between
    the two changes (it serves its saved copy, its journal goes on)."""
    zoned_port = free_port()
    down_port = free_port()
    primary_port = free_port()
    try:
        start_bind_primary(workdir, primary_port, notify_to=zoned_port)
        z = start_secondary(workdir, primary_port, notify_to=down_port, port=zoned_port)
        wait_serial(z.port, 1, 10, z.log())
        down = start_downstream(workdir, down_port, zoned_port)
        wait_serial(down_port, 1, 20, 'at %s:\n%s' % (down.name, down.log()))
        assert_same_zone(primary_port, down_port)
        for serial, www in ((2, '192.0.2.42'), (3, '192.0.2.43')):
            set_zone(os.path.join(workdir, 'primary.db'), primary_zone(serial, www=www))
            os.kill(PEERS[0].proc.pid, signal.SIGHUP)
            wait_serial(z.port, serial, 5, z.log())
            wait_serial(down_port, serial, 5, 'at %s:\n%s%s' % (down.name, down.log(), z.log()))
            assert www_address(down_port) == www
            wait_log(z, 'sending NOTIFY serial %d' % serial, 1)
            # zoned's line for the transfer out: an IXFR of the difference
            # (SOA new, SOA old, www old, SOA new, www new, SOA new), not the zone.
            wait_log(z, ': IXFR queued in full, serial %d to %d, 1 messages, 6 records'
                     % (serial - 1, serial), 2)
            assert_same_zone(primary_port, down_port)
            if restart and serial == 2:
                assert z.stop() == 0
                z = start_secondary(workdir, primary_port, notify_to=down_port,
                                    port=zoned_port)
                wait_serial(z.port, 2, 5, z.log())
        log = z.log()
        assert 'AXFR queued in full, serial 2' not in log and 'IXFR (AXFR form)' not in log, log
        assert 'error' not in log.lower().replace('(noerror)', ''), log
        assert z.stop() == 0
        return down.log()
    finally:
        stop_peers()


def test_chain_bind_zoned_nsd(workdir):
    check_chain(workdir, start_nsd, restart=True)


def test_chain_bind_zoned_knot(workdir):
    log = check_chain(workdir, start_knot)
    # Knot says how it took each change: by IXFR from zoned.
    assert log.count('IXFR, incoming, remote 127.0.0.1@') >= 2, log


# ---- a hostile primary ----

CUT_LATE = 20000   # more records in the 'cut_late' transfer (about 700 KB)


class HostilePrimary:
    """Answers SOA queries with self.serial over UDP, and transfers (AXFR,
    or IXFR in AXFR form) over TCP as self.mode says, for any zone asked
    about (example. by default), self.delay seconds between messages;
    self.spans: (request received, last message about to be sent) of each
    transfer, monotonic times; self.asked: the type of each query (SOA over
    UDP, AXFR or IXFR over TCP) in order. An IXFR from the current serial
    gets the SOA alone (RFC 1995 4), as from a real primary."""

    def __init__(self, address='127.0.0.1'):
        self.address = address
        self.serial = 1
        self.mode = 'good'
        self.delay = 0
        self.spans = []
        self.asked = []
        owner = self

        class Udp(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                q = dns.message.from_wire(data)
                owner.asked.append(dns.rdatatype.to_text(q.question[0].rdtype))
                r = dns.message.make_response(q)
                r.flags |= dns.flags.AA
                origin = q.question[0].name.to_text()
                r.answer.append(dns.rrset.from_text(
                    origin, 300, 'IN', 'SOA', owner.soa_text(owner.serial, origin)))
                sock.sendto(r.to_wire(), self.client_address)

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                length = struct.unpack('!H', recv_exact(self.request, 2))[0]
                q = dns.message.from_wire(recv_exact(self.request, length))
                owner.asked.append(dns.rdatatype.to_text(q.question[0].rdtype))
                started = time.monotonic()
                messages = owner.transfer(q)
                for i, wire in enumerate(messages):
                    if i:
                        time.sleep(owner.delay)
                    if i == len(messages) - 1:
                        # Before it is sent: the client cannot be done before this.
                        owner.spans.append((started, time.monotonic()))
                    try:
                        self.request.sendall(struct.pack('!H', len(wire)) + wire)
                    except (BrokenPipeError, ConnectionResetError):
                        return   # zoned gave up on this transfer (a limit, a failure)

        # The same port for both: one free for UDP and TCP (others run beside us).
        for attempt in range(20):
            self.port = free_port()
            try:
                self.udp = socketserver.ThreadingUDPServer((address, self.port), Udp)
            except OSError:
                continue
            try:
                self.tcp = socketserver.ThreadingTCPServer((address, self.port), Tcp)
                break
            except OSError:
                self.udp.server_close()
        else:
            raise AssertionError('no port free for UDP and TCP')
        for server in (self.udp, self.tcp):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @staticmethod
    def soa_text(serial, origin=ORIGIN):
        return 'ns1.%s hostmaster.%s %d 3600 600 86400 300' % (origin, origin, serial)

    def records(self, origin=ORIGIN):
        rrs = [(origin, 'SOA', self.soa_text(self.serial, origin)),
               (origin, 'NS', 'ns1.' + origin), ('ns1.' + origin, 'A', '192.0.2.1'),
               ('www.' + origin, 'A', '192.0.2.%d' % (10 + self.serial))]
        rrs += [('h%d.%s' % (i, origin), 'TXT', '"host %d"' % i) for i in range(100)]
        if self.mode == 'out_of_zone':
            rrs.append(('www.example.net.', 'A', '192.0.2.66'))
        if self.mode == 'cname':
            rrs.append(('www.example.', 'CNAME', 'ns1.example.'))
        if self.mode == 'cut_late':
            # Enough for zoned's build thread to have had batches when the cut comes.
            rrs += [('b%d.%s' % (i, origin), 'TXT', '"filler %d"' % i) for i in range(CUT_LATE)]
        return rrs + [rrs[0]]

    def transfer(self, q):
        if self.mode == 'garbage':
            return [os.urandom(200)]
        messages = []
        rrs = self.records(q.question[0].name.to_text())
        if (q.question[0].rdtype == dns.rdatatype.IXFR and q.authority
                and q.authority[0][0].serial == self.serial):
            r = dns.message.make_response(q)
            r.flags |= dns.flags.AA
            r.answer.append(dns.rrset.from_text(rrs[0][0], 300, 'IN', 'SOA', rrs[0][2]))
            return [r.to_wire()]
        for start in range(0, len(rrs), 20):
            r = dns.message.make_response(q)
            r.flags |= dns.flags.AA
            for name, rdtype, text in rrs[start:start + 20]:
                r.answer.append(dns.rrset.from_text(name, 300, 'IN', rdtype, text))
            messages.append(r.to_wire())
        if self.mode == 'cut':
            return messages[:len(messages) // 2]
        if self.mode == 'cut_late':
            return messages[:len(messages) * 3 // 4]
        return messages

    def close(self):
        for server in (self.udp, self.tcp):
            server.shutdown()
            server.server_close()


def notify(port, source='127.0.0.1', name=ORIGIN, serial=None):
    """A NOTIFY for name, with the zone's SOA of serial in its answer section if given."""
    m = dns.message.make_query(name, 'SOA')
    m.flags = dns.flags.AA
    m.set_opcode(dns.opcode.NOTIFY)
    if serial is not None:
        m.answer.append(dns.rrset.from_text(name, 300, 'IN', 'SOA',
                                            HostilePrimary.soa_text(serial, name)))
    return dns.query.udp(m, '127.0.0.1', port=port, timeout=3, source=source)


def wait_asked(primary, expected, timeout=5):
    """Waits until the queries primary was asked are expected (in order)."""
    deadline = time.monotonic() + timeout * TIME_SCALE
    while primary.asked != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    assert primary.asked == expected, primary.asked


def test_notify_serial(workdir):
    # A NOTIFY whose SOA is newer than ours: the IXFR is asked at once, no SOA
    # query first (as NSD); not newer, or no SOA at all: the SOA query first.
    primary = HostilePrimary()
    try:
        z = start_secondary(workdir, primary.port)
        wait_serial(z.port, 1, 10, z.log())
        assert primary.asked == ['SOA', 'AXFR'], primary.asked
        primary.serial = 2
        del primary.asked[:]
        r = notify(z.port, serial=2)
        assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA, r
        wait_serial(z.port, 2, 5, z.log())
        wait_log(z, 'NOTIFY received, refreshing (serial 2)', 1)
        assert primary.asked == ['IXFR'], primary.asked
        # Not newer than ours: up to date, nothing asked (as BIND).
        del primary.asked[:]
        notify(z.port, serial=2)
        wait_log(z, 'zone example: NOTIFY received (serial 2): zone is up to date', 5)
        time.sleep(0.2)
        assert primary.asked == [], primary.asked
        # A NOTIFY newer than the primary really is: the IXFR answers with its
        # SOA alone, and the version served stays.
        del primary.asked[:]
        notify(z.port, serial=7)
        wait_asked(primary, ['IXFR'])
        time.sleep(0.2)
        assert serial_of(z.port) == 2 and 'error' not in z.log().lower(), z.log()
        # No SOA in the NOTIFY: the SOA query first, then the transfer.
        primary.serial = 3
        del primary.asked[:]
        notify(z.port)
        wait_serial(z.port, 3, 5, z.log())
        assert primary.asked == ['SOA', 'IXFR'], primary.asked
        assert z.stop() == 0
    finally:
        primary.close()


def test_notify_from_second_primary(workdir):
    # Two primaries, the first lagging: a NOTIFY from the second makes it the
    # one asked first (as BIND), with or without a serial in the NOTIFY.
    first, second = HostilePrimary('127.0.0.1'), HostilePrimary('127.0.0.2')
    try:
        write(os.path.join(workdir, 'zoned.conf'), zoned_conf(first.port).replace(
            'primaries { 127.0.0.1 port %d; };' % first.port,
            'primaries { 127.0.0.1 port %d; 127.0.0.2 port %d; };' % (first.port, second.port)))
        z = start_zoned(workdir, ['-c', 'zoned.conf', '-t', '2'], clean_exit=True)
        wait_serial(z.port, 1, 10, z.log())
        assert first.asked == ['SOA', 'AXFR'] and second.asked == [], (first.asked, second.asked)
        second.serial = 2
        notify(z.port, source='127.0.0.2', serial=2)
        wait_serial(z.port, 2, 5, z.log())
        assert first.asked == ['SOA', 'AXFR'] and second.asked == ['IXFR'], second.asked
        second.serial = 3
        notify(z.port, source='127.0.0.2')
        wait_serial(z.port, 3, 5, z.log())
        assert first.asked == ['SOA', 'AXFR'], first.asked
        assert second.asked == ['IXFR', 'SOA', 'IXFR'], second.asked
        assert z.stop() == 0
    finally:
        first.close()
        second.close()


def test_hostile_primary(workdir):
    primary = HostilePrimary()
    try:
        socket_path = os.path.join(workdir, 'z.ctl')
        z = start_secondary(workdir, primary.port, zone_extra='allow-notify { 127.0.0.3; };',
                            top_extra='controls { unix "%s" perm 0600 owner 0 group 0; };\n'
                            % socket_path)
        wait_serial(z.port, 1, 10, z.log())
        assert www_address(z.port) == '192.0.2.11'
        # NOTIFY from anyone but the primary and allow-notify: REFUSED, nothing happens.
        r = notify(z.port, source='127.0.0.2')
        assert r.rcode() == dns.rcode.REFUSED, r
        assert 'NOTIFY received' not in z.log()
        # allow-notify: accepted. With our serial in it, up to date: no refresh,
        # none left in flight to take the first case's serial before its NOTIFY
        # (a refresh's SOA query answered after the change below did once).
        r = notify(z.port, source='127.0.0.3', serial=1)
        assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA, r
        wait_log(z, 'NOTIFY received (serial 1): zone is up to date', 5)
        assert primary.asked == ['SOA', 'AXFR'], primary.asked
        # A name that is no zone of ours: NOTAUTH (as BIND).
        assert notify(z.port, name='example.net.').rcode() == dns.rcode.NOTAUTH
        # Cut off 3/4 in: the build fed so far (xfr_build.h) is dropped with the transfer.
        late = (CUT_LATE + 105 + 19) // 20 * 3 // 4
        cases = [('cut', 'connection closed after 3 messages (cut off)'),
                 ('cut_late', 'connection closed after %d messages (cut off)' % late),
                 ('garbage', '127.0.0.1#%d failed: message 1 ' % primary.port),
                 ('out_of_zone', 'record www.example.net is outside the zone'),
                 ('cname', 'CNAME and other data')]
        for serial, (mode, reason) in enumerate(cases, start=2):
            primary.mode = mode
            primary.serial = serial
            r = notify(z.port)
            assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA, r
            wait_log(z, reason, 5)
            assert serial_of(z.port) == 1, (mode, z.log())
            assert www_address(z.port) == '192.0.2.11', mode
        assert z.log().count('the version served is unchanged') >= 4, z.log()
        # A good transfer afterwards goes through (IXFR answered in AXFR form).
        primary.mode = 'good'
        primary.serial = 9
        notify(z.port)
        wait_serial(z.port, 9, 5, z.log())
        assert www_address(z.port) == '192.0.2.19'
        # zoned-control: retransfer (AXFR whatever the serials) and refresh.
        control = os.path.join(TOP_BUILDDIR, 'src', 'zoned-control')
        out = subprocess.run([control, '-s', socket_path, 'retransfer', 'example'],
                             capture_output=True, text=True, timeout=30)
        assert (out.returncode, out.stdout) == (0, 'zone example: retransfer (AXFR) started\n'), out
        wait_log(z, 'transferred serial 9 from 127.0.0.1#%d by AXFR' % primary.port, 5)
        out = subprocess.run([control, '-s', socket_path, 'refresh', 'example'],
                             capture_output=True, text=True, timeout=30)
        assert (out.returncode, out.stdout) == (0, 'zone example: refresh started\n'), out
        wait_log(z, 'zone example: refresh requested by zoned-control', 5)
        out = subprocess.run([control, '-s', socket_path, 'zonestatus', 'example'],
                             capture_output=True, text=True, timeout=30)
        assert 'type: secondary\nstate: loaded\nserial: 9\n' in out.stdout, out
        assert z.stop() == 0
    finally:
        primary.close()


if __name__ == '__main__':
    sys.exit(main([test_bind_primary, test_bind_primary_one_answer, test_nsd_primary, test_knot_primary,
                   test_tsig_and_refresh_timer, test_expire_and_saved_copy,
                   test_chain_bind_zoned_nsd, test_chain_bind_zoned_knot, test_notify_serial,
                   test_notify_from_second_primary, test_hostile_primary]))
