# hostile_xfr.py: zone transfer out under abuse, against the real src/zoned.
# What xfr_out.py already covers (a stalled reader cut after tcp-idle-timeout,
# SIGTERM ending a transfer, one version through 20 reloads) is not repeated:
# here 20 concurrent AXFRs of a 100k-record zone while UDP queries are all
# answered; more transfers than transfers-out (the rest answered SERVFAIL, as
# BIND 9.18, counted in /metrics, the place freed when one ends, SIGTERM
# ending the stalled ones at once); the idle
# limit (max-transfer-idle-out) and the total limit (max-transfer-time-out)
# ending a transfer and releasing its descriptor; IXFR with serials from the
# future and around the RFC 1982 wrap.
import os
import socket
import struct
import sys
import threading
import time
import urllib.request

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403
from xfr_out import (FIXED_RECORDS, ORIGIN, axfr_messages, serve_conf,  # noqa: E402
                     transfer_zone_text, wait_fds)

import dns.message  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402

BIG_HOSTS = 50000                              # A + TXT each: 100k records
BIG_TRANSFER = 2 * BIG_HOSTS + FIXED_RECORDS + 1   # records, the SOA twice


def start_axfr(port, rcvbuf=None, timeout=30):
    """A connection that has asked for the AXFR of example. (rcvbuf: a small
    receive window, so that a reader that does not read stalls the server)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout * TIME_SCALE)
    sock.connect(('127.0.0.1', port))
    q = make_query(ORIGIN, 'AXFR')
    sock.sendall(tcp_frame(q.to_wire()))
    return sock, q


def count_transfer(sock, q, expected, pause=0):
    """Reads one transfer of expected records, checking only headers (id,
    rcode) on the way: parsing 100k records 20 times over in Python would
    take longer than the test. The first and last messages are parsed: the
    SOA opens and closes it. pause: seconds to sleep after each message.
    Returns (messages, records)."""
    messages = records = 0
    first = last = None
    for _ in range(100000):
        wire = tcp_read(sock)
        assert wire is not None, 'closed after %d records of %d' % (records, expected)
        qid, flags, _, ancount = struct.unpack('!HHHH', wire[:8])
        assert qid == q.id and flags & 0xf == 0, (qid, flags)
        messages += 1
        records += ancount
        first = first or wire
        last = wire
        if records >= expected:
            break
        time.sleep(pause)
    assert records == expected, (records, expected)
    for wire, index in ((first, 0), (last, -1)):
        answer = dns.message.from_wire(wire).answer
        assert answer[index].rdtype == dns.rdatatype.SOA, answer[index]
    return messages, records


def metric(port, name):
    with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port, timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + ' '):
                return int(float(line.split()[1]))
    raise AssertionError('no metric ' + name)


def test_twenty_axfrs_while_udp_answered(workdir):
    """20 AXFRs of a 100k-record zone at once (transfers-out 20) all
    complete, while UDP queries sent one after another meanwhile (until the
    transfers end, 5000 at most) are every one answered within a second.
    The readers take a few ms per message, so the transfers overlap."""
    z = serve_conf(workdir, transfer_zone_text(3, hosts=BIG_HOSTS),
                   allow_transfer='allow-transfer { 127.0.0.1; }; transfers-out 20;')
    results, errors = [], []
    started = threading.Barrier(21, timeout=30 * TIME_SCALE)

    def transfer():
        try:
            sock, q = start_axfr(z.port)
            try:
                started.wait()
                results.append(count_transfer(sock, q, BIG_TRANSFER, pause=0.003))
            finally:
                sock.close()
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(repr(e))
            started.abort()

    threads = [threading.Thread(target=transfer) for _ in range(20)]
    for t in threads:
        t.start()
    started.wait()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.settimeout(1 * TIME_SCALE)
    lost, during = [], 0
    for i in range(5000):
        if len(results) + len(errors) == 20:
            break
        q = make_query('h%d.example.' % (i * 37 % BIG_HOSTS), 'A', qid=i)
        udp.sendto(q.to_wire(), ('127.0.0.1', z.port))
        try:
            r = dns.message.from_wire(udp.recvfrom(65535)[0])
            assert r.id == i and r.rcode() == dns.rcode.NOERROR and r.answer, r
        except socket.timeout:
            lost.append(i)
        during += len(results) < 20
    udp.close()
    for t in threads:
        t.join(60 * TIME_SCALE)
    assert not errors, errors
    assert len(results) == 20 and all(r[1] == BIG_TRANSFER for r in results), results
    assert not lost, '%d UDP queries unanswered: %s' % (len(lost), lost[:10])
    print('%d UDP queries answered while transfers were running; %d messages each'
          % (during, results[0][0]))
    assert during >= 100, 'the transfers were over before the queries'
    assert z.log().count('AXFR queued in full, serial 3, ') == 20


def serve_big_with_metrics(workdir, options):
    """The 4-serial big zone served to 127.0.0.1 with options added, and
    the port of its statistics channel."""
    metrics_port = free_port()
    z = serve_conf(workdir, transfer_zone_text(4, hosts=BIG_HOSTS, pad=40),
                   allow_transfer='allow-transfer { 127.0.0.1; }; ' + options,
                   preamble='statistics-channels { inet 127.0.0.1 port %d allow '
                   '{ 127.0.0.1; }; };\n' % metrics_port)
    return z, metrics_port


def test_transfers_out_unlimited(workdir):
    """transfers-out 0 is no limit, as in BIND 9.18 (whose quota of 0 lets
    every AXFR start): 12 stalled transfers all stream, none is refused,
    and the gauge counts them."""
    z, metrics_port = serve_big_with_metrics(workdir, 'transfers-out 0;')
    stalled = []
    for _ in range(12):
        sock, q = start_axfr(z.port, rcvbuf=4096)
        m = dns.message.from_wire(tcp_read(sock), one_rr_per_rrset=True)
        assert m.id == q.id and m.rcode() == dns.rcode.NOERROR and m.answer, m
        stalled.append(sock)
    assert metric(metrics_port, 'zoned_transfers_out') == 12
    assert metric(metrics_port, 'zoned_transfers_out_refused_total') == 0
    assert 'denied' not in z.log(), z.log()[-2000:]
    for sock in stalled:
        sock.close()
    deadline = time.monotonic() + 5 * TIME_SCALE
    while metric(metrics_port, 'zoned_transfers_out') != 0:
        assert time.monotonic() < deadline, 'closed transfers still count'
        time.sleep(0.05)
    assert z.stop() == 0, z.log()[-2000:]

def test_transfers_out_limit(workdir):
    """transfers-out (default 10) transfers stream at once; the next ones
    are answered SERVFAIL (BIND 9.18 does so, logging "quota reached") on a
    connection that stays usable, are counted, and an IXFR of a current
    client (the single SOA, no transfer) is not limited. When one ends, its
    place is free again. SIGTERM ends the stalled ones and exits 0 at once."""
    z, metrics_port = serve_big_with_metrics(workdir, '')
    stalled = []
    for _ in range(10):
        sock, _ = start_axfr(z.port, rcvbuf=4096)
        assert tcp_read(sock) is not None   # the first message: it is streaming
        stalled.append(sock)
    for n in range(5):
        sock, q = start_axfr(z.port)
        m = dns.message.from_wire(tcp_read(sock))
        assert m.id == q.id and m.rcode() == dns.rcode.SERVFAIL and not m.answer, m
        # The connection stays open for other queries (as BIND's).
        sock.sendall(tcp_frame(make_query('ns1.example.', 'A', qid=77)))
        a = dns.message.from_wire(tcp_read(sock))
        assert a.id == 77 and a.answer[0][0].address == '192.0.2.1'
        sock.close()
    m = axfr_messages(z.port, rdtype='IXFR', serial=4)
    assert len(m) == 1 and m[0].rcode() == dns.rcode.NOERROR and len(m[0].answer) == 1
    assert metric(metrics_port, 'zoned_transfers_out') == 10
    assert metric(metrics_port, 'zoned_transfers_out_refused_total') == 5
    assert z.log().count('AXFR denied: transfers-out (10) reached') == 5, z.log()[-2000:]
    # One reader goes: a new transfer gets its place and completes.
    stalled.pop().close()
    deadline = time.monotonic() + 5 * TIME_SCALE
    while metric(metrics_port, 'zoned_transfers_out') != 9:
        assert time.monotonic() < deadline, 'the closed transfer still counts'
        time.sleep(0.05)
    sock, q = start_axfr(z.port)
    count_transfer(sock, q, BIG_TRANSFER)
    sock.close()
    # SIGTERM with 9 stalled transfers: each ended, a clean exit at once.
    started = time.monotonic()
    assert z.stop() == 0, z.log()[-2000:]
    assert time.monotonic() - started < 5 * TIME_SCALE, 'SIGTERM waited for the transfers'
    assert z.log().count('AXFR ended by shutdown, serial 4') == 9, z.log()[-3000:]
    for sock in stalled:
        sock.close()


def test_idle_limit(workdir):
    """max-transfer-idle-out (here 2 s; tcp-idle-timeout is 120 s) ends a
    transfer whose reader stops reading: descriptor and zone released, a
    line logged; a reader that keeps reading slowly is not cut."""
    z = serve_conf(workdir, transfer_zone_text(5, hosts=BIG_HOSTS, pad=40),
                   allow_transfer='allow-transfer { 127.0.0.1; }; tcp-idle-timeout 1200; '
                   'max-transfer-idle-out 2s;')
    idle_fds = z.open_fds()
    stalled, _ = start_axfr(z.port, rcvbuf=4096)
    slow, q = start_axfr(z.port, rcvbuf=4096)
    assert tcp_read(stalled) is not None
    started = time.monotonic()
    got = 0
    while time.monotonic() - started < 4 * TIME_SCALE:
        assert tcp_read(slow) is not None, 'the slow reader was cut'
        got += 1
        time.sleep(0.05)
    # The stalled one went (its fd with it); the slow one is still open.
    assert z.open_fds() == idle_fds + 1, (z.open_fds(), idle_fds)
    slow.close()
    wait_fds(z, idle_fds, 'closed slow reader')
    stalled.settimeout(2)
    data = b''
    try:
        for _ in range(10000):
            chunk = stalled.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    stalled.close()
    log = z.log()
    assert log.count('AXFR stalled: nothing read within the idle limit') == 1, log[-2000:]
    assert 'ended by max-transfer-time-out' not in log


def test_time_limit(workdir):
    """max-transfer-time-out (here 2 s) ends a transfer that reads steadily
    but too slowly: the connection is closed, the zone and descriptor
    released, and the line says why."""
    z = serve_conf(workdir, transfer_zone_text(6, hosts=BIG_HOSTS, pad=40),
                   allow_transfer='allow-transfer { 127.0.0.1; }; max-transfer-time-out 2s;')
    idle_fds = z.open_fds()
    slow, q = start_axfr(z.port, rcvbuf=4096)
    started = time.monotonic()
    ended_after = None
    # What the kernel holds already still arrives after the close: watch
    # the server's side (its log, its descriptors), reading on meanwhile.
    while time.monotonic() - started < 8 * TIME_SCALE:
        if 'AXFR ended by max-transfer-time-out' in z.log():
            ended_after = time.monotonic() - started
            break
        assert tcp_read(slow) is not None, 'closed before the line was logged'
        time.sleep(0.05)
    assert ended_after is not None and 1.8 < ended_after < 4 * TIME_SCALE, ended_after
    wait_fds(z, idle_fds, 'the transfer ended by its time limit')
    slow.close()
    log = z.log()
    assert 'AXFR ended by max-transfer-time-out, serial 6, ' in log, log[-2000:]
    # A transfer that fits in the time is not affected.
    sock, q = start_axfr(z.port)
    count_transfer(sock, q, BIG_TRANSFER)
    sock.close()


def test_ixfr_serials_from_the_future(workdir):
    """RFC 1995 2 / RFC 1982: a client whose serial is not older than ours
    (equal, newer, up to 2^31 - 1 ahead, across the wrap) gets the single
    SOA, over TCP and UDP; one that is older across the wrap gets a transfer
    ending with our SOA. Nothing of this breaks the server."""
    z = serve_conf(workdir, transfer_zone_text(10))
    newer = (10, 11, 10 + 2**31 - 1, 0x7fffffff, 10 + 0x10000)
    for serial in newer:
        m = axfr_messages(z.port, rdtype='IXFR', serial=serial)
        assert len(m) == 1 and len(m[0].answer) == 1, (serial, m)
        assert m[0].answer[0][0].serial == 10, serial
        q = make_query(ORIGIN, 'IXFR')
        q.authority.append(dns.rrset.from_text(ORIGIN, 0, 'IN', 'SOA', '. . %d 0 0 0 0'
                                               % serial))
        r = dns.query.udp(q, '127.0.0.1', port=z.port, timeout=3)
        assert len(r.answer) == 1 and r.answer[0][0].serial == 10, (serial, r)
    # Older, in serial number arithmetic, though numerically larger (the wrap).
    for serial in (0xfffffff0, 10 + 2**31 + 1, 9):
        m = axfr_messages(z.port, rdtype='IXFR', serial=serial)
        records = [rr for message in m for rr in message.answer]
        assert m[0].rcode() == dns.rcode.NOERROR and len(records) > 1, serial
        assert records[-1].rdtype == dns.rdatatype.SOA and records[-1][0].serial == 10
    # Undefined (exactly 2^31 apart, RFC 1982 3.2): any answer, but an answer.
    m = axfr_messages(z.port, rdtype='IXFR', serial=10 + 2**31)
    assert m[0].rcode() == dns.rcode.NOERROR
    assert soa_serial(z.port, ORIGIN) == 10


if __name__ == '__main__':
    sys.exit(main([test_twenty_axfrs_while_udp_answered, test_transfers_out_limit,
                   test_transfers_out_unlimited,
                   test_idle_limit, test_time_limit, test_ixfr_serials_from_the_future]))
