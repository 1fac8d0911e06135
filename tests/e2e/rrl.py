# rrl.py: end to end, response rate limiting in the real src/zoned: a burst of
# identical UDP queries is cut to the rate with every slip-th response
# truncated; TCP, other names, other classes and exempt clients are not
# limited; log-only limits nothing; no rate-limit answers everything; a
# reload can turn it on.
import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

BURST = 100


def config_text(rate_limit):
    block = ''
    if rate_limit is not None:
        block = '    rate-limit {\n%s    };\n' % ''.join('        %s;\n' % s for s in rate_limit)
    return ('options {\n    directory ".";\n%s};\n'
            'zone "example.test" { type primary; file "example.test.zone"; };\n' % block)


def start(workdir, rate_limit, threads=2):
    write(os.path.join(workdir, 'example.test.zone'), zone_text('example.test', 1))
    write(os.path.join(workdir, 'zoned.conf'), config_text(rate_limit))
    z = start_zoned(workdir, ['-c', os.path.join(workdir, 'zoned.conf'), '-t', str(threads)])
    return z, z.port


LIMITED = ['responses-per-second 5', 'slip 2', 'exempt-clients { 127.0.0.2; }']


def burst(port, name, rdtype='A', count=BURST, source='127.0.0.1'):
    """Sends count identical queries from one socket as fast as possible and
    collects the responses until 1 s of silence: (full, truncated) lists."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    queries = {}
    try:
        for i in range(count):
            q = dns.message.make_query(name, rdtype)
            q.flags &= ~dns.flags.RD
            q.id = i
            queries[i] = q
            s.sendto(q.to_wire(), ('127.0.0.1', port))
        full, truncated = [], []
        s.settimeout(1.0)
        while True:
            try:
                data = s.recv(65535)
            except socket.timeout:
                break
            r = dns.message.from_wire(data)
            assert r.id in queries, r.id
            assert r.question == queries[r.id].question, r
            (truncated if r.flags & dns.flags.TC else full).append(r)
        return full, truncated
    finally:
        s.close()


def assert_slipped(r):
    """A slip: TC, the question echoed, nothing else (not even an OPT)."""
    assert r.flags & dns.flags.TC and r.flags & dns.flags.QR
    assert not r.answer and not r.authority and not r.additional, r
    assert r.edns < 0, r


def test_burst_is_limited_with_slip(workdir):
    z, port = start(workdir, LIMITED)
    full, truncated = burst(port, 'www.example.test')
    # 5 per second: a burst well inside one or two seconds gets 5 to 10.
    assert 5 <= len(full) < 15, (len(full), len(truncated))
    for r in full:
        assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA
        assert [rr.to_text() for rr in r.answer[0]] == ['192.0.2.2']
    # slip 2: every other limited response is truncated, the rest dropped.
    limited = BURST - len(full)
    assert abs(len(truncated) - limited / 2) <= 2, (len(full), len(truncated))
    for r in truncated:
        assert_slipped(r)
    # A truncated answer sends a real client to TCP, which is never limited.
    for _ in range(20):
        r = query('www.example.test', 'A', port, tcp=True)
        assert r.rcode() == dns.rcode.NOERROR and not r.flags & dns.flags.TC
        assert [rr.to_text() for rr in r.answer[0]] == ['192.0.2.2']
    # Another name, another type, NXDOMAIN: other accounts, answered.
    assert query('ns1.example.test', 'A', port).answer
    r = query('www.example.test', 'TXT', port)
    assert r.rcode() == dns.rcode.NOERROR and not r.flags & dns.flags.TC
    r = query('nosuch.example.test', 'A', port)
    assert r.rcode() == dns.rcode.NXDOMAIN and not r.flags & dns.flags.TC
    assert r.authority
    assert z.stop() == 0
    assert 'rate-limit: limit responses to 127.0.0.0/24 for www.example.test.' in z.log(), z.log()


def test_nxdomain_limited_by_zone(workdir):
    z, port = start(workdir, ['responses-per-second 5', 'nxdomains-per-second 3', 'slip 0'])
    # Random names under one zone share one account: the zone's.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 0))
    for i in range(40):
        q = dns.message.make_query('random%d.example.test' % i, 'A')
        s.sendto(q.to_wire(), ('127.0.0.1', port))
    s.settimeout(1.0)
    answers = []
    try:
        while True:
            answers.append(dns.message.from_wire(s.recv(65535)))
    except socket.timeout:
        pass
    s.close()
    assert 3 <= len(answers) <= 9, len(answers)   # slip 0: no truncated ones
    assert all(r.rcode() == dns.rcode.NXDOMAIN and not r.flags & dns.flags.TC for r in answers)
    assert query('www.example.test', 'A', port).answer
    assert z.stop() == 0


def test_exempt_client_unaffected(workdir):
    z, port = start(workdir, LIMITED)
    try:
        full, truncated = burst(port, 'www.example.test', source='127.0.0.2')
    except OSError as e:
        return skip('127.0.0.2 not usable here: %s' % e)
    # Same /24 as 127.0.0.1, but exempt: everything answered.
    assert len(full) == BURST and not truncated, (len(full), len(truncated))
    # 127.0.0.1 in the same prefix is still limited.
    full, truncated = burst(port, 'www.example.test')
    assert len(full) < 15 and truncated
    assert z.stop() == 0


def test_no_rate_limit_answers_everything(workdir):
    z, port = start(workdir, None)
    full, truncated = burst(port, 'www.example.test')
    assert len(full) == BURST and not truncated, (len(full), len(truncated))
    assert z.stop() == 0


def test_log_only_limits_nothing(workdir):
    z, port = start(workdir, LIMITED[:2] + ['log-only yes'])
    full, truncated = burst(port, 'www.example.test')
    assert len(full) == BURST and not truncated, (len(full), len(truncated))
    assert z.stop() == 0
    assert 'rate-limit: would limit responses to 127.0.0.0/24 for www.example.test.' in z.log()


def test_reload_turns_it_on(workdir):
    z, port = start(workdir, None, threads=1)
    full, _ = burst(port, 'www.example.test', count=30)
    assert len(full) == 30
    write(os.path.join(workdir, 'zoned.conf'), config_text(LIMITED))
    z.reload()
    full, truncated = burst(port, 'www.example.test', count=30)
    assert len(full) < 15 and truncated, (len(full), len(truncated))
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([
        test_burst_is_limited_with_slip,
        test_nxdomain_limited_by_zone,
        test_exempt_client_unaffected,
        test_no_rate_limit_answers_everything,
        test_log_only_limits_nothing,
        test_reload_turns_it_on,
    ]))
