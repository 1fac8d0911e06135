# xfr_out.py: end to end, zone transfer out of the real src/zoned (RFC 5936
# AXFR, RFC 1995 IXFR answered in AXFR form): refused without allow-transfer,
# complete with it (dig, kdig, dnspython: the record set equals the zone
# file's, SOA first and last), NOTAUTH/FORMERR/single-SOA cases, a query
# pipelined behind a transfer, a 50k-record zone transferred to a slow reader
# while it is reloaded 20 times (one version from start to end, RSS bounded),
# a stalled reader cut off, a reader gone mid-transfer, SIGTERM mid-transfer,
# a TSIG-signed AXFR signed in every message (dig -y, kdig -y and dnspython
# verify it), and interoperability: stock BIND 9.18, NSD 4.6 and Knot 3.2 as
# secondaries on loopback (each with its own config, directory and random
# port; a missing one fails the test) transfer the zone from zoned and serve
# the same records; then the zone file is edited and zoned reloaded: its
# NOTIFY brings each secondary to the new serial within 5 s, by an IXFR of
# the difference from zoned's journal (zoned's per-transfer log line says
# IXFR, serial 2026 to 2027, and a handful of records).
import base64
import functools
import os
import re
import socket
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403
from peers import start_bind, start_knot, start_nsd, stop_peers  # noqa: E402

import dns.name  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.tsigkeyring  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rrset  # noqa: E402
import dns.zone  # noqa: E402

ORIGIN = 'example.'
BIG_RECORDS = 90
FIXED_RECORDS = 15 + BIG_RECORDS   # besides the hosts
PEER_TIMEOUT = 30 * TIME_SCALE   # seconds for a secondary to have the zone


def transfer_zone_text(serial, hosts=300, marker='v', pad=0):
    """A zone with most record types, a delegation with glue, a wildcard,
    an RRset over several messages, and hosts A+TXT pairs (the TXT holds
    marker and the serial: a mixed-version transfer shows in it; pad
    octets more each)."""
    lines = ['$ORIGIN example.', '$TTL 300',
             '@ IN SOA ns1 hostmaster %d 3600 600 86400 300' % serial,
             '@ IN NS ns1', '@ IN NS ns2.example.net.',
             '@ IN MX 10 mail', '@ 60 IN TXT "apex text"',
             'ns1 IN A 192.0.2.1', 'ns1 IN AAAA 2001:db8::1',
             'mail IN A 192.0.2.25', 'www IN CNAME @',
             '_sip._udp IN SRV 0 5 5060 sip', 'sip IN A 192.0.2.26',
             '*.wild IN A 192.0.2.3',
             'sub IN NS ns.sub', 'ns.sub IN A 192.0.2.4',
             'CaseKept IN A 192.0.2.5']
    # 18 KB: more than one message; under BIND 9.18's max-records-per-type (100).
    lines += ['big IN TXT "%s-%d"' % ('x' * 200, i) for i in range(BIG_RECORDS)]
    assert len(lines) - 2 == FIXED_RECORDS
    for i in range(hosts):
        lines.append('h%d IN A 10.%d.%d.%d' % (i, (i >> 16) & 255, (i >> 8) & 255, i & 255))
        lines.append('h%d IN TXT "%s %d %d%s"' % (i, marker, serial, i, 'p' * pad))
    return '\n'.join(lines) + '\n'


def record_key(name, ttl, rdata):
    """One record, comparable whatever the case or the text form."""
    return (name.canonicalize().to_text(), ttl, rdata.rdtype, rdata.to_digestable())


def zone_file_records(path):
    return _zone_file_records(path, os.stat(path).st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _zone_file_records(path, mtime):
    zone = dns.zone.from_file(path, ORIGIN, relativize=False, check_origin=False)
    return {record_key(name, ttl, rdata) for name, ttl, rdata in zone.iterate_rdatas()}


def parse_presentation(text):
    """The records of dig/kdig output, in order (comments and blank lines skipped)."""
    records = []
    for line in text.splitlines():
        if not line.strip() or line.startswith(';'):
            continue
        name, ttl, rdclass, rdtype, rdata = line.split(None, 4)
        rrset = dns.rrset.from_text(name, int(ttl), rdclass, rdtype, rdata)
        records.append(record_key(rrset.name, rrset.ttl, rrset[0]))
    return records


def message_records(messages):
    records = []
    for message in messages:
        for rrset in message.answer:
            records += [record_key(rrset.name, rrset.ttl, rdata) for rdata in rrset]
    return records


def assert_complete(records, path, what):
    """SOA first and last (RFC 5936 2.2), every other record once, the zone file's set."""
    assert len(records) >= 2, '%s: %d records' % (what, len(records))
    assert records[0][2] == dns.rdatatype.SOA and records[-1] == records[0], what
    body = records[1:-1]
    assert len(body) == len(set(body)), '%s: a record repeated' % what
    expected = zone_file_records(path)
    got = set(records)
    assert got == expected, '%s: missing %s, extra %s' % (
        what, sorted(expected - got)[:5], sorted(got - expected)[:5])


def axfr_messages(port, name=ORIGIN, rdtype='AXFR', source=None, serial=None, timeout=10):
    """Every message of one transfer over its own TCP connection, read until
    the closing SOA (or an error rcode)."""
    q = make_query(name, rdtype)
    if serial is not None:
        q.authority.append(dns.rrset.from_text(name, 0, 'IN', 'SOA',
                                               '. . %d 0 0 0 0' % serial))
    sock = socket.create_connection(('127.0.0.1', port), timeout=timeout,
                                    source_address=(source, 0) if source else None)
    try:
        sock.sendall(tcp_frame(q.to_wire()))
        return read_transfer(sock, q)
    finally:
        sock.close()


def read_transfer(sock, q, per_message=None):
    messages, soa_seen = [], 0
    for _ in range(100000):
        message = dns.message.from_wire(tcp_read(sock), one_rr_per_rrset=True)
        assert message.id == q.id
        messages.append(message)
        if message.rcode() != dns.rcode.NOERROR:
            return messages
        for rrset in message.answer:
            if rrset.rdtype == dns.rdatatype.SOA:
                soa_seen += 1
        if per_message is not None:
            per_message(len(messages))
        # An IXFR answered with the single SOA ends there; else SOA ... SOA.
        if soa_seen >= 2 or (soa_seen == 1 and len(messages) == 1
                             and len(message.answer) == 1 and q.question[0].rdtype
                             == dns.rdatatype.IXFR):
            return messages
    raise AssertionError('no closing SOA')


def serve_conf(workdir, zone_text, allow_transfer='allow-transfer { 127.0.0.1; };',
               zone_extra='', preamble=''):
    write(os.path.join(workdir, 'example.zone'), zone_text)
    write(os.path.join(workdir, 'zoned.conf'), preamble + '''options {
	directory "%s";
	%s
};
zone "example" { type primary; file "example.zone"; %s };
''' % (workdir, allow_transfer, zone_extra))
    z = start_zoned(workdir, ['-c', os.path.join(workdir, 'zoned.conf'), '-t', '2'],
                    clean_exit=True)
    z.zone_path = os.path.join(workdir, 'example.zone')
    return z


def test_refused_without_allow_transfer(workdir):
    z = serve_conf(workdir, transfer_zone_text(1), allow_transfer='')
    messages = axfr_messages(z.port)
    assert len(messages) == 1 and messages[0].rcode() == dns.rcode.REFUSED, messages
    assert not messages[0].answer
    out = dig(z.port, ORIGIN, 'AXFR').stdout
    assert 'Transfer failed' in out and 'IN\tSOA' not in out, out
    k = kdig(z.port, ORIGIN, 'AXFR')
    assert k is not None, 'kdig is not installed'
    assert 'REFUSED' in k.stdout + k.stderr, k.stdout + k.stderr
    # Ordinary queries are not affected.
    assert soa_serial(z.port, ORIGIN) == 1


def test_axfr_complete(workdir):
    z = serve_conf(workdir, transfer_zone_text(7, hosts=3000))
    messages = axfr_messages(z.port)
    assert len(messages) > 3, 'one message per 16 KB: %d' % len(messages)
    for m in messages:
        assert m.flags & dns.flags.AA and m.rcode() == dns.rcode.NOERROR
    assert_complete(message_records(messages), z.zone_path, 'dnspython')
    d = dig(z.port, ORIGIN, 'AXFR')
    assert d.returncode == 0, d.stderr
    assert_complete(parse_presentation(d.stdout), z.zone_path, 'dig')
    k = kdig(z.port, ORIGIN, 'AXFR', '+nocomments')
    assert k is not None, 'kdig is not installed'
    assert k.returncode == 0, k.stderr
    assert_complete(parse_presentation(k.stdout), z.zone_path, 'kdig')
    # One line as each starts and one as it is queued in full, with the counts.
    log = z.log()
    assert log.count('transfer of example to 127.0.0.1#') == 6, log
    assert log.count('AXFR queued in full, serial 7, %d messages, %d records'
                     % (len(messages), 2 * 3000 + FIXED_RECORDS + 1)) == 3, log


TSIG_KEY = 'xfr-key'
TSIG_SECRET = base64.b64encode(b'the transfer key: 32 octets long').decode()


def test_signed_axfr(workdir):
    """A transfer asked for with TSIG (allow-transfer { key ...; }) is signed
    in every message (RFC 8945 5.3.1), which dig, kdig and dnspython verify;
    unsigned or signed with another secret, it is refused."""
    z = serve_conf(workdir, transfer_zone_text(9, hosts=3000),
                   allow_transfer='allow-transfer { key "%s"; };' % TSIG_KEY,
                   preamble='key "%s" { algorithm hmac-sha256; secret "%s"; };\n'
                   % (TSIG_KEY, TSIG_SECRET))
    key = 'hmac-sha256:%s:%s' % (TSIG_KEY, TSIG_SECRET)
    d = dig(z.port, '-y', key, ORIGIN, 'AXFR', timeout=30)
    out = d.stdout + d.stderr
    assert d.returncode == 0, out[-2000:]
    # dig exits 0 even when it cannot verify: it says so in one of these.
    for failure in ('tsig verify failure', 'Transfer failed', "Couldn't verify",
                    'could not be validated', 'expected a TSIG'):
        assert failure not in out, out[-2000:]
    records = parse_presentation('\n'.join(line for line in d.stdout.splitlines()
                                           if '\tTSIG\t' not in line))
    assert_complete(records, z.zone_path, 'dig -y')
    k = kdig(z.port, '-y', key, ORIGIN, 'AXFR', '+nocomments', timeout=30)
    assert k is not None, 'kdig is not installed'
    out = k.stdout + k.stderr
    assert k.returncode == 0 and 'failed' not in out.lower(), out[-2000:]
    records = parse_presentation('\n'.join(line for line in k.stdout.splitlines()
                                           if '\tTSIG\t' not in line))
    assert_complete(records, z.zone_path, 'kdig -y')
    # dnspython verifies each message's MAC, chained from the request's.
    keyring = dns.tsigkeyring.from_text({TSIG_KEY: ('hmac-sha256', TSIG_SECRET)})
    messages = list(dns.query.xfr('127.0.0.1', ORIGIN, port=z.port, keyring=keyring,
                                  keyalgorithm='hmac-sha256', relativize=False,
                                  timeout=30, lifetime=60))
    assert len(messages) > 3, 'one message per 16 KB: %d' % len(messages)
    for m in messages:
        assert m.had_tsig and m.rcode() == dns.rcode.NOERROR
    assert_complete(message_records(messages), z.zone_path, 'dnspython')
    # Unsigned, or signed with the wrong secret: no transfer.
    assert axfr_messages(z.port)[0].rcode() == dns.rcode.REFUSED
    wrong = 'hmac-sha256:%s:%s' % (TSIG_KEY, base64.b64encode(b'wrong').decode())
    d = dig(z.port, '-y', wrong, ORIGIN, 'AXFR')
    assert 'IN\tSOA' not in d.stdout, d.stdout
    log = z.log()
    assert log.count('AXFR queued in full, serial 9, ') == 3, log


def test_transfer_refusals_and_ixfr(workdir):
    z = serve_conf(workdir, transfer_zone_text(10), zone_extra='allow-query { any; };')
    # allow-transfer { 127.0.0.1; }: another loopback source is refused.
    m = axfr_messages(z.port, source='127.0.0.2')
    assert m[0].rcode() == dns.rcode.REFUSED and len(m) == 1
    # Not a served apex: NOTAUTH, as BIND, NSD and Knot.
    for name in ('www.example.', 'example.net.'):
        m = axfr_messages(z.port, name=name)
        assert m[0].rcode() == dns.rcode.NOTAUTH, (name, dns.rcode.to_text(m[0].rcode()))
    # AXFR over UDP: FORMERR (RFC 5936 4.2).
    r = dns.query.udp(make_query(ORIGIN, 'AXFR'), '127.0.0.1', port=z.port, timeout=3)
    assert r.rcode() == dns.rcode.FORMERR
    # IXFR at the current serial, or from the future: the single SOA.
    for serial in (10, 11):
        m = axfr_messages(z.port, rdtype='IXFR', serial=serial)
        assert len(m) == 1 and len(m[0].answer) == 1, m
        assert m[0].answer[0][0].serial == 10
    # IXFR from an older serial: the whole zone, in AXFR form (RFC 1995 4).
    m = axfr_messages(z.port, rdtype='IXFR', serial=9)
    assert m[0].question[0].rdtype == dns.rdatatype.IXFR
    assert_complete(message_records(m), z.zone_path, 'IXFR in AXFR form')
    # IXFR over UDP from an older serial: the SOA, "ask over TCP" (RFC 1995 2).
    q = make_query(ORIGIN, 'IXFR')
    q.authority.append(dns.rrset.from_text(ORIGIN, 0, 'IN', 'SOA', '. . 9 0 0 0 0'))
    r = dns.query.udp(q, '127.0.0.1', port=z.port, timeout=3)
    assert r.rcode() == dns.rcode.NOERROR and len(r.answer) == 1
    assert r.answer[0].rdtype == dns.rdatatype.SOA
    # dig's IXFR=serial says the same.
    d = dig(z.port, ORIGIN, 'IXFR=9')
    assert 'XFR size' in d.stdout, d.stdout


def test_query_pipelined_behind_transfer(workdir):
    """A query sent right after an AXFR on the same connection is answered
    after the transfer's last message (RFC 7766 6.2.1.1: in order here)."""
    z = serve_conf(workdir, transfer_zone_text(3, hosts=2000))
    xfr = make_query(ORIGIN, 'AXFR', qid=0x1111)
    after = make_query('ns1.example.', 'A', qid=0x2222)
    with tcp_connect(z.port, timeout=10) as sock:
        sock.sendall(tcp_frame(xfr.to_wire()) + tcp_frame(after.to_wire()))
        messages = read_transfer(sock, xfr)
        assert_complete(message_records(messages), z.zone_path, 'pipelined')
        answer = dns.message.from_wire(tcp_read(sock))
        assert answer.id == 0x2222 and answer.answer[0][0].address == '192.0.2.1'


def test_transfer_consistent_during_reloads(workdir):
    """50k records to a reader that takes its time, while the zone is
    reloaded 20 times with a new serial and new TXT texts: the transfer is
    one version, start to end; the daemon's memory stays bounded."""
    hosts = 25000   # A + TXT each: 50k records
    z = serve_conf(workdir, transfer_zone_text(100, hosts=hosts, marker='first'))
    baseline = z.status_kib()
    q = make_query(ORIGIN, 'AXFR')
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small receive window: the server cannot push the zone into the kernel
    # at once, so the transfer really spans the reloads.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    sock.settimeout(30 * TIME_SCALE)
    sock.connect(('127.0.0.1', z.port))
    sock.sendall(tcp_frame(q.to_wire()))
    reloads = []
    peak = [baseline]

    def per_message(count):
        if count % 3 == 0 and len(reloads) < 20:
            serial = 101 + len(reloads)
            write(z.zone_path, transfer_zone_text(serial, hosts=hosts, marker='later'))
            z.reload()
            reloads.append(serial)
            assert soa_serial(z.port, ORIGIN) == serial   # UDP sees each new version
            peak[0] = max(peak[0], z.status_kib())

    messages = read_transfer(sock, q, per_message)
    sock.close()
    assert len(reloads) == 20, 'the transfer ended after %d reloads' % len(reloads)
    records = message_records(messages)
    assert len(records) == 2 * hosts + FIXED_RECORDS + 1, len(records)
    texts = {r[3] for r in records if r[2] == dns.rdatatype.TXT and b'first' in r[3]}
    later = [r for r in records if r[2] == dns.rdatatype.TXT and b'later' in r[3]]
    assert len(texts) == hosts and not later, 'records of a later version were sent'
    soas = [messages[0].answer[0][0].serial, messages[-1].answer[-1][0].serial]
    assert soas == [100, 100], soas
    assert soa_serial(z.port, ORIGIN) == 120
    print('RSS %d KiB before, %d KiB at most during the transfer' % (baseline, peak[0]))
    if not z.sanitized:
        # The held version, the current one, one being loaded; never 20.
        growth = peak[0] - baseline
        assert growth < 60 * 1024, 'RSS grew by %d KiB during the transfer' % growth
    # After the transfer the old version is freed: a new transfer is the current one.
    again = message_records(axfr_messages(z.port))
    assert again[0] != records[0] and len(again) == len(records)
    assert not [r for r in again if r[2] == dns.rdatatype.TXT and b'first' in r[3]]


def slow_transfer_socket(port, rcvbuf=8192):
    """A connection with a small receive window that has asked for the AXFR."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(10 * TIME_SCALE)
    sock.connect(('127.0.0.1', port))
    q = make_query(ORIGIN, 'AXFR')
    sock.sendall(tcp_frame(q.to_wire()))
    return sock, q


def wait_fds(z, count, what, timeout=8):
    deadline = time.monotonic() + timeout * TIME_SCALE
    while z.open_fds() != count:
        assert time.monotonic() < deadline, '%s: %d descriptors, want %d' % (
            what, z.open_fds(), count)
        time.sleep(0.1)


def test_stalled_gone_and_shutdown(workdir):
    """A reader that stops reading is cut off after tcp-idle-timeout, one
    that goes away mid-transfer costs nothing more, other clients are served
    meanwhile, and SIGTERM ends a transfer in progress: zoned exits at once,
    cleanly, and the client sees the stream end without its closing SOA."""
    # 6 MB: more than the kernel's loopback send buffer (tcp_wmem: 4 MB at
    # most) takes, so a reader that stops really stalls the stream.
    hosts = 25000
    z = serve_conf(workdir, transfer_zone_text(5, hosts=hosts, pad=200),
                   allow_transfer='allow-transfer { 127.0.0.1; }; tcp-idle-timeout 10;')
    idle_fds = z.open_fds()
    stalled, _ = slow_transfer_socket(z.port)
    gone, _ = slow_transfer_socket(z.port)
    assert tcp_read(gone) is not None
    gone.close()
    assert soa_serial(z.port, ORIGIN) == 5
    assert soa_serial(z.port, ORIGIN, tcp=True) == 5
    # The stalled reader's connection (and its hold on the zone) goes in
    # about a second (tcp-idle-timeout 10: BIND's unit, 100 ms).
    wait_fds(z, idle_fds, 'stalled and gone readers')
    stalled.close()
    assert z.log().count('AXFR cut short (client gone, stalled or failed), serial 5') == 2, \
        z.log()
    reader, q = slow_transfer_socket(z.port)
    first = dns.message.from_wire(tcp_read(reader))
    assert first.answer[0].rdtype == dns.rdatatype.SOA
    started = time.monotonic()
    assert z.stop() == 0, z.log()
    assert time.monotonic() - started < 5 * TIME_SCALE, 'SIGTERM waited for the transfer'
    records = 0
    for _ in range(100000):
        wire = tcp_read(reader)
        if wire is None:
            break
        message = dns.message.from_wire(wire)
        records += sum(len(rrset) for rrset in message.answer)
        assert not [r for r in message.answer if r.rdtype == dns.rdatatype.SOA], \
            'the transfer was completed after SIGTERM'
    reader.close()
    assert records < 2 * hosts, records
    assert 'AXFR ended by shutdown, serial 5' in z.log(), z.log()


# ---- stock secondaries on loopback ----

def peer_serial(peer):
    try:
        r = dns.query.udp(make_query(ORIGIN, 'SOA'), '127.0.0.1', port=peer.port, timeout=1)
    except (dns.exception.Timeout, OSError):
        return None
    if r.rcode() != dns.rcode.NOERROR or not r.answer:
        return None
    return r.answer[0][0].serial


def answer_keys(message):
    return sorted(record_key(rrset.name, rrset.ttl, rdata)
                  for rrset in message.answer for rdata in rrset)


def edited_zone_text(serial):
    """transfer_zone_text(2026, hosts=1500) moved on to serial by a small
    edit: an address changed, a name removed, a name added."""
    text = transfer_zone_text(2026, hosts=1500)
    text = text.replace('hostmaster 2026 ', 'hostmaster %d ' % serial, 1)
    text = text.replace('mail IN A 192.0.2.25\n', 'mail IN A 192.0.2.125\n')
    text = text.replace('CaseKept IN A 192.0.2.5\n', '')
    return text + 'added IN A 192.0.2.%d\n' % (serial % 250)


def check_secondary(workdir, start):
    peer_port = free_port()
    # notify explicit: the zone's NS hosts are not on loopback; the secondary is.
    z = serve_conf(workdir, transfer_zone_text(2026, hosts=1500),
                   zone_extra='notify explicit; also-notify { 127.0.0.1 port %d; };'
                   % peer_port)
    peer = start(workdir, peer_port, z.port)
    try:
        deadline = time.monotonic() + PEER_TIMEOUT
        while peer_serial(peer) != 2026:
            assert peer.proc.poll() is None, '%s exited:\n%s' % (peer.name, peer.log())
            assert time.monotonic() < deadline, '%s has not the zone after %d s:\n%s\n%s' % (
                peer.name, PEER_TIMEOUT, peer.log(), z.log())
            time.sleep(0.2)
        # It serves what zoned has: a sample by query ...
        for name, rdtype in (('ns1.example.', 'AAAA'), ('h1234.example.', 'TXT'),
                             ('casekept.example.', 'A'), ('x.wild.example.', 'A'),
                             ('_sip._udp.example.', 'SRV'), ('big.example.', 'TXT')):
            theirs = dns.query.tcp(make_query(name, rdtype), '127.0.0.1', port=peer.port,
                                   timeout=3)
            ours = query(name, rdtype, z.port, tcp=True)
            assert theirs.rcode() == dns.rcode.NOERROR, (peer.name, name)
            assert answer_keys(theirs) == answer_keys(ours), (peer.name, name)
        # ... and the whole zone, transferred out of it again.
        records = message_records(axfr_messages(peer.port))
        assert_complete(records, z.zone_path, peer.name + "'s copy")
        # Edited and reloaded: zoned's NOTIFY (RFC 1996) brings the secondary
        # to the new serial within 5 s, by IXFR from zoned's journal.
        write(z.zone_path, edited_zone_text(2027))
        z.reload()
        started = time.monotonic()
        while peer_serial(peer) != 2027:
            assert peer.proc.poll() is None, '%s exited:\n%s' % (peer.name, peer.log())
            assert time.monotonic() - started < 5 * TIME_SCALE, \
                '%s not at serial 2027 within 5 s:\n%s\n%s' % (peer.name, peer.log(), z.log())
            time.sleep(0.05)
        print('%s at serial 2027 %.2f s after the reload' % (peer.name,
                                                             time.monotonic() - started))
        records = message_records(axfr_messages(peer.port))
        assert_complete(records, z.zone_path, peer.name + "'s copy after the IXFR")
        # The second transfer was the difference, not the zone: SOA 2027,
        # SOA 2026, 2 deleted, SOA 2027, 2 added, SOA 2027 (zoned's log line).
        found = re.findall(r'IXFR queued in full, serial 2026 to 2027, \d+ messages, '
                           r'(\d+) records', z.log())
        assert found == ['8'], z.log()
        assert 'AXFR queued in full, serial 2027' not in z.log(), z.log()
        # zoned logged nothing alarming (NOTIFY answered with NOERROR is fine).
        assert 'error' not in z.log().lower().replace('(noerror)', ''), z.log()
        # What the secondary says about the transfer, for the test log.
        said = [line for line in peer.log().splitlines()
                if 'xfr' in line.lower() or 'transfer' in line.lower()]
        print('%s: %s' % (peer.name, '\n    '.join(said[-4:])))
    finally:
        stop_peers()


def test_bind_secondary(workdir):
    check_secondary(workdir, start_bind)


def test_nsd_secondary(workdir):
    check_secondary(workdir, start_nsd)


def test_knot_secondary(workdir):
    check_secondary(workdir, start_knot)


if __name__ == '__main__':
    sys.exit(main([test_refused_without_allow_transfer, test_axfr_complete,
                   test_signed_axfr,
                   test_transfer_refusals_and_ixfr, test_query_pipelined_behind_transfer,
                   test_transfer_consistent_during_reloads, test_stalled_gone_and_shutdown,
                   test_bind_secondary,
                   test_nsd_secondary, test_knot_secondary]))
