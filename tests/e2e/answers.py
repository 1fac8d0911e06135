# answers.py: end to end over UDP and TCP against the real src/zoned serving
# the bundled zones: answer kinds (AA, NXDOMAIN+SOA, NODATA, REFUSED,
# referral, class ANY, meta types over UDP), dig, TCP framing, pipelining,
# idle timeout, connection cap, truncation, SIGTERM.
import os
import signal
import socket
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403


def start_bundled(workdir, *extra):
    z = start_zoned(workdir, ['-c', os.path.join(ZONES, 'zoned.conf'), '-t', '2'] + list(extra))
    return z, z.port


def rrset_texts(section, rdtype):
    return sorted(rr.to_text() for rrset in section if rrset.rdtype == rdtype for rr in rrset)


def test_udp_answer(workdir):
    z, port = start_bundled(workdir)
    r = query('www.example.com', 'A', port)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert rrset_texts(r.answer, dns.rdatatype.A) == ['192.0.2.80']
    assert str(r.answer[0].name) == 'www.example.com.'
    assert 'warning' not in z.log(), z.log()
    assert z.stop() == 0


def test_tcp_answer(workdir):
    z, port = start_bundled(workdir)
    r = query('www.example.com', 'AAAA', port, tcp=True)
    assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA
    assert rrset_texts(r.answer, dns.rdatatype.AAAA) == ['2001:db8::80']
    assert z.stop() == 0


def test_nxdomain_with_soa(workdir):
    z, port = start_bundled(workdir)
    r = query('nosuch.example.com', 'A', port)
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert r.flags & dns.flags.AA
    assert not r.answer
    assert [str(rrset.name) for rrset in r.authority] == ['example.com.']
    assert r.authority[0].rdtype == dns.rdatatype.SOA
    assert r.authority[0][0].serial == 2024010101


def test_nodata(workdir):
    z, port = start_bundled(workdir)
    r = query('www.example.com', 'MX', port)
    assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA
    assert not r.answer
    assert r.authority[0].rdtype == dns.rdatatype.SOA


def test_refused(workdir):
    z, port = start_bundled(workdir)
    r = query('www.example.org', 'A', port)
    assert r.rcode() == dns.rcode.REFUSED
    assert not r.flags & dns.flags.AA
    assert not r.answer


def test_referral_with_glue(workdir):
    z, port = start_bundled(workdir)
    r = query('host.sub.example.com', 'A', port)
    assert r.rcode() == dns.rcode.NOERROR
    assert not r.flags & dns.flags.AA, 'a referral is not authoritative'
    assert not r.answer
    assert rrset_texts(r.authority, dns.rdatatype.NS) == ['ns1.sub.example.com.',
                                                          'ns2.sub.example.com.']
    assert rrset_texts(r.additional, dns.rdatatype.A) == ['192.0.2.200', '192.0.2.201']


def test_wildcard_and_cname(workdir):
    z, port = start_bundled(workdir)
    r = query('anything.apps.example.com', 'A', port)
    assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA
    assert str(r.answer[0].name) == 'anything.apps.example.com.'
    assert rrset_texts(r.answer, dns.rdatatype.A) == ['192.0.2.100']
    r = query('ftp.example.com', 'A', port)
    assert rrset_texts(r.answer, dns.rdatatype.CNAME) == ['www.example.com.']
    assert rrset_texts(r.answer, dns.rdatatype.A) == ['192.0.2.80']


def test_class_any_answered_without_aa(workdir):
    """QCLASS * gets the class IN data without AA (RFC 1035 6.2) and no SOA
    to deny with, as NSD answers; it used to be REFUSED (no server does that)."""
    z, port = start_bundled(workdir)
    r = query('www.example.com', 'A', port, rdclass='ANY')
    assert r.rcode() == dns.rcode.NOERROR and not r.flags & dns.flags.AA
    assert rrset_texts(r.answer, dns.rdatatype.A) == ['192.0.2.80']
    assert r.answer[0].rdclass == dns.rdataclass.IN
    r = query('nosuch.example.com', 'A', port, rdclass='ANY')
    assert r.rcode() == dns.rcode.NXDOMAIN and not r.flags & dns.flags.AA
    assert not r.answer and not r.authority
    r = query('host.sub.example.com', 'A', port, rdclass='ANY')
    assert not r.flags & dns.flags.AA and rrset_texts(r.authority, dns.rdatatype.NS)
    assert query('www.example.org', 'A', port, rdclass='ANY').rcode() == dns.rcode.REFUSED


def test_meta_queries_over_udp(workdir):
    """AXFR over UDP: FORMERR for a served apex, NOTAUTH below it (BIND looks
    for the zone first); TKEY without its TKEY record: FORMERR (BIND)."""
    z, port = start_bundled(workdir)
    assert query('example.com', 'AXFR', port).rcode() == dns.rcode.FORMERR
    assert query('www.example.com', 'AXFR', port).rcode() == dns.rcode.NOTAUTH
    assert query('www.example.org', 'AXFR', port).rcode() == dns.rcode.NOTAUTH
    assert query('example.com', 'TKEY', port).rcode() == dns.rcode.FORMERR


def test_additional_from_wildcard(workdir):
    """MX and SRV targets that a wildcard synthesizes get its addresses in
    additional (NSD, Knot and BIND), each under its own name."""
    records = ('*.wild IN A 192.0.2.3\n*.wild IN AAAA 2001:db8::3\n'
               '@ IN MX 10 mail.wild\n@ IN MX 20 smtp.wild\n'
               '_sip._tcp IN SRV 0 0 5060 sip.wild\n')
    write(os.path.join(workdir, 'wild.test.zone'), zone_text('wild.test', 1, records))
    z = start_zoned(workdir, ['-z', 'wild.test:wild.test.zone'])
    r = query('wild.test', 'MX', z.port)
    assert sorted((str(rrset.name), rrset.rdtype) for rrset in r.additional) == [
        ('mail.wild.wild.test.', dns.rdatatype.A), ('mail.wild.wild.test.', dns.rdatatype.AAAA),
        ('smtp.wild.wild.test.', dns.rdatatype.A), ('smtp.wild.wild.test.', dns.rdatatype.AAAA)]
    r = query('_sip._tcp.wild.test', 'SRV', z.port)
    assert rrset_texts(r.additional, dns.rdatatype.A) == ['192.0.2.3']
    assert str(r.additional[0].name) == 'sip.wild.wild.test.'


def test_dig_reverse_and_tcp(workdir):
    z, port = start_bundled(workdir)
    out = dig(port, '+short', '-x', '192.0.2.25')
    assert out.stdout.strip() == 'mail.example.com.', out.stdout + out.stderr
    out = dig(port, '+tcp', 'example.com', 'MX')
    assert 'status: NOERROR' in out.stdout and ' aa' in out.stdout, out.stdout
    assert '10 mail.example.com.' in out.stdout, out.stdout


def test_tcp_pipelining_one_write(workdir):
    z, port = start_bundled(workdir)
    first = dns.message.make_query('www.example.com', 'A')
    second = dns.message.make_query('mail.example.com', 'A')
    first.id, second.id = 1111, 2222
    with tcp_connect(port) as s:
        s.sendall(tcp_frame(first) + tcp_frame(second))  # two queries, one write
        a = tcp_read_message(s)
        b = tcp_read_message(s)
    assert (a.id, b.id) == (1111, 2222), 'answered in order'
    assert rrset_texts(a.answer, dns.rdatatype.A) == ['192.0.2.80']
    assert rrset_texts(b.answer, dns.rdatatype.A) == ['192.0.2.25']


def test_tcp_message_in_pieces(workdir):
    z, port = start_bundled(workdir)
    wire = tcp_frame(dns.message.make_query('ns1.example.com', 'A'))
    with tcp_connect(port) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(wire[:1])
        time.sleep(0.1)
        s.sendall(wire[1:7])
        time.sleep(0.1)
        s.sendall(wire[7:])
        r = tcp_read_message(s)
    assert rrset_texts(r.answer, dns.rdatatype.A) == ['192.0.2.53']


def write_config(workdir, options, zones=(('example.com', None),)):
    lines = ['options {', '\tdirectory "%s";' % ZONES] + ['\t' + o for o in options] + ['};']
    for name, path in zones:
        lines.append('zone "%s" { type primary; file "%s"; };' % (name, path or name + '.zone'))
    path = os.path.join(workdir, 'zoned.conf')
    write(path, '\n'.join(lines) + '\n')
    return path


def test_tcp_idle_timeout(workdir):
    conf = write_config(workdir, ['tcp-idle-timeout 5;'])  # 0.5 s
    z = start_zoned(workdir, ['-c', conf, '-t', '1'])
    port = z.port
    with tcp_connect(port, timeout=5) as s:
        time.sleep(0.25)
        s.sendall(tcp_frame(dns.message.make_query('www.example.com', 'A')))
        assert tcp_read_message(s) is not None, 'open before the timeout'
        start = time.monotonic()
        assert s.recv(1) == b'', 'closed by the server'
        waited = time.monotonic() - start
    assert 0.3 < waited < 2.5, waited
    assert z.stop() == 0


def test_tcp_connection_cap(workdir):
    conf = write_config(workdir, ['tcp-clients 2;'])
    z = start_zoned(workdir, ['-c', conf, '-t', '1'])
    port = z.port
    q = dns.message.make_query('www.example.com', 'A')
    conns = []
    for _ in range(2):
        s = tcp_connect(port)
        s.sendall(tcp_frame(q))
        assert tcp_read_message(s) is not None
        conns.append(s)
    third = tcp_connect(port)
    third.sendall(tcp_frame(q))
    assert tcp_read_message(third) is not None, 'the new connection is served'
    assert conns[0].recv(1) == b'', 'the least recently active one was closed'
    conns[1].sendall(tcp_frame(q))
    assert tcp_read_message(conns[1]) is not None, 'the other one still works'
    # UDP is never starved by TCP connections.
    assert query('www.example.com', 'A', port).rcode() == dns.rcode.NOERROR
    for s in conns + [third]:
        s.close()


def test_large_answer_truncated_over_udp(workdir):
    records = ''.join('big IN TXT "%s"\n' % (('%03d' % i) * 60) for i in range(100))
    write(os.path.join(workdir, 'big.test.zone'), zone_text('big.test', 1, records))
    z = start_zoned(workdir, ['-z', 'big.test:big.test.zone'])
    port = z.port
    r = query('big.big.test', 'TXT', port)
    assert r.flags & dns.flags.TC, 'over 512 octets: TC over UDP'
    r = query('big.big.test', 'TXT', port, tcp=True)
    assert not r.flags & dns.flags.TC
    assert len(r.answer[0]) == 100
    assert len(r.to_wire()) > 18000


def test_ipv6(workdir):
    if not have_ipv6_loopback():
        return skip('no ::1 on this machine')
    z = start_zoned(workdir, ['-c', os.path.join(ZONES, 'zoned.conf')], address='::1')
    port = z.port
    r = query('example.com', 'AAAA', port, address='::1')
    assert rrset_texts(r.answer, dns.rdatatype.AAAA) == ['2001:db8::1']
    r = query('example.com', 'AAAA', port, address='::1', tcp=True)
    assert rrset_texts(r.answer, dns.rdatatype.AAAA) == ['2001:db8::1']


def test_wildcard_address_replies_from_queried_address(workdir):
    z = start_zoned(workdir, ['-c', os.path.join(ZONES, 'zoned.conf')], address='0.0.0.0')
    port = z.port
    # 127.0.0.2 is loopback too: the reply must come from it, not 127.0.0.1.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(dns.message.make_query('www.example.com', 'A').to_wire(), ('127.0.0.2', port))
    data, source = s.recvfrom(4096)
    s.close()
    assert source == ('127.0.0.2', port), source
    assert dns.message.from_wire(data).rcode() == dns.rcode.NOERROR


def test_sigterm_exits_zero(workdir):
    z, port = start_bundled(workdir)
    assert query('www.example.com', 'A', port).rcode() == dns.rcode.NOERROR
    assert z.stop(signal.SIGTERM) == 0
    log = z.log()
    assert 'SIGTERM received, stopping' in log and 'stopped' in log, log
    z2, port = start_bundled(workdir)
    assert z2.stop(signal.SIGINT) == 0


if __name__ == '__main__':
    sys.exit(main([
        test_udp_answer, test_tcp_answer, test_nxdomain_with_soa, test_nodata,
        test_refused, test_referral_with_glue, test_wildcard_and_cname,
        test_class_any_answered_without_aa, test_meta_queries_over_udp,
        test_additional_from_wildcard,
        test_dig_reverse_and_tcp, test_tcp_pipelining_one_write, test_tcp_message_in_pieces,
        test_tcp_idle_timeout, test_tcp_connection_cap, test_large_answer_truncated_over_udp,
        test_ipv6, test_wildcard_address_replies_from_queried_address,
        test_sigterm_exits_zero,
    ]))
