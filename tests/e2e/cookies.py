# cookies.py: end to end, DNS Cookies (RFC 7873, RFC 9018) in the real
# src/zoned, and the same requests against BIND 9.18's named started here on
# loopback: dig +cookie gets a cookie back and a second query with it is
# accepted; raw queries (client cookie only, valid, invalid, foreign, 40
# octets, malformed lengths, two options, no question, NOTIMP, BADVERS...)
# over UDP and TCP get the same rcode and the same option shape from both,
# with answer-cookie and require-server-cookie in every combination; servers
# sharing a cookie-secret accept each other's cookies; under rate limiting a
# valid cookie is never limited and a cookie client's slip is BADCOOKIE.
# named is required: a missing named fails the test.
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

import dns.edns  # noqa: E402

SECRET = '000102030405060708090a0b0c0d0e0f'
CLIENT = bytes.fromhex('0102030405060708')
COOKIE = 10
NAME = 'www.example.com'
BADCOOKIE = 23


def named_binary():
    path = shutil.which('named', path=os.environ.get('PATH', '') + ':/usr/sbin:/sbin')
    if path is None:
        raise AssertionError('named (BIND 9.18, Debian package bind9) is not installed: '
                             'the cookie behaviour cannot be compared with BIND')
    return path


class Named:
    """BIND's named in the foreground on 127.0.0.1:port with options, stopped by pid."""

    def __init__(self, workdir, port, options):
        self.port = port
        self.dir = os.path.join(workdir, 'named-%d' % port)
        os.mkdir(self.dir)
        shutil.copy(os.path.join(ZONES, 'example.com.zone'), self.dir)
        conf = os.path.join(self.dir, 'named.conf')
        write(conf, 'options {\n\tdirectory "%(d)s";\n\tpid-file "%(d)s/named.pid";\n'
              '\tsession-keyfile "%(d)s/session.key";\n\tmanaged-keys-directory "%(d)s";\n'
              '\tlisten-on port %(port)d { 127.0.0.1; };\n\tlisten-on-v6 { none; };\n'
              '\trecursion no;\n\tnotify no;\n\tdnssec-validation no;\n%(options)s};\n'
              'controls { };\n'
              'zone "example.com" { type primary; file "%(d)s/example.com.zone"; };\n'
              % {'d': self.dir, 'port': port, 'options': options})
        self.log_path = os.path.join(self.dir, 'named.log')
        self.log_file = open(self.log_path, 'w')
        args = [named_binary(), '-g', '-c', conf, '-n', '1']
        if os.geteuid() == 0:
            args += ['-u', 'root']
        self.proc = subprocess.Popen(args, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        # 'running' alone on a line: every zone loaded, serving.
        while not re.search(r' running$', self.log(), re.M):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError('named did not start:\n' + self.log())
            time.sleep(0.1)

    def log(self):
        self.log_file.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log_file.close()


def start_pair(workdir, options):
    """zoned and named with the same options text; returns (zoned, named),
    each with its port."""
    shutil.copy(os.path.join(ZONES, 'example.com.zone'), workdir)
    conf = os.path.join(workdir, 'zoned-%d.conf' % len(RUNNING))
    write(conf, 'options {\n    directory "%s";\n%s};\n'
          'zone "example.com" { type primary; file "example.com.zone"; };\n'
          % (workdir, options))
    zoned = start_zoned(workdir, ['-c', conf, '-t', '1'])
    zoned.conf = conf
    return zoned, Named(workdir, free_port(), options)


# ---- raw queries and what their responses look like ----

def make(cookies, question=True, opcode=0, version=0, name=NAME, rdtype='A', rdclass='IN'):
    q = dns.message.make_query(name, rdtype, rdclass)
    q.flags &= ~dns.flags.RD
    q.use_edns(version, options=[dns.edns.GenericOption(COOKIE, c) for c in cookies])
    q.set_opcode(opcode)
    wire = bytearray(q.to_wire())
    if not question:
        skip = len(q.question[0].name.to_wire()) + 4
        wire = wire[:12] + wire[12 + skip:]
        wire[4:6] = b'\0\0'
    return bytes(wire)


def send(port, wire, tcp=False, source=None):
    """The raw response to wire over UDP (from source) or TCP."""
    if tcp:
        s = tcp_connect(port)
        try:
            s.sendall(tcp_frame(wire))
            data = tcp_read(s)
        finally:
            s.close()
    else:
        data = udp_exchange(port, wire, timeout=3, source=source)
    assert data is not None, 'no response over %s' % ('TCP' if tcp else 'UDP')
    return data


def skip_name(data, at):
    for _ in range(128):
        label = data[at]
        if label >= 0xc0:
            return at + 2
        at += 1 + label
        if label == 0:
            return at
    raise AssertionError('name too long')


def parse(data):
    """The facts compared between servers, read from the wire (any opcode):
    rcode with the extended bits, QDCOUNT, whether there was an answer, AA,
    whether there was an OPT, and its COOKIE options' data."""
    qd, an, ns, ar = struct.unpack('!4H', data[4:12])
    at = 12
    for _ in range(qd):
        at = skip_name(data, at) + 4
    opt, cookies, rcode = False, [], data[3] & 0x0f
    for i in range(an + ns + ar):
        at = skip_name(data, at)
        rtype, _, ttl, rdlength = struct.unpack('!HHIH', data[at:at + 10])
        at += 10
        if rtype == 41 and i >= an + ns:
            opt = True
            rcode |= (ttl >> 24) << 4
            o = at
            while o + 4 <= at + rdlength:
                code, length = struct.unpack('!HH', data[o:o + 4])
                if code == COOKIE:
                    cookies.append(data[o + 4:o + 4 + length])
                o += 4 + length
        at += rdlength
    return {'rcode': rcode, 'qd': qd, 'answered': an > 0, 'aa': bool(data[2] & 0x04),
            'opt': opt, 'cookies': cookies}


def shape(data):
    """What must be the same from both servers: the cookies by length and by
    whether they echo our client cookie."""
    facts = parse(data)
    facts['cookies'] = [(len(c), c[:8] == CLIENT) for c in facts['cookies']]
    return facts


def server_cookie(port, tcp=False):
    facts = parse(send(port, make([CLIENT]), tcp))
    assert len(facts['cookies']) == 1, facts
    return facts['cookies'][0]


def requests(port):
    """The same requests for either server; the valid and invalid cookies are
    that server's own, just received (a made-up one when cookies are off)."""
    facts = parse(send(port, make([CLIENT])))
    good = facts['cookies'][0] if facts['cookies'] else CLIENT + bytes(range(1, 17))
    bad = good[:-1] + bytes([good[-1] ^ 1])
    return [
        ('no COOKIE', make([])), ('client cookie only', make([CLIENT])),
        ('8-octet foreign server cookie', make([CLIENT + b'\xaa' * 8])),
        ('its valid cookie', make([good])), ('its cookie, one bit flipped', make([bad])),
        ('32-octet server cookie', make([CLIENT + b'\xbb' * 32])),
        ('length 0', make([b''])), ('length 7', make([CLIENT[:7]])),
        ('length 9', make([CLIENT + b'\1'])), ('length 15', make([CLIENT + b'\1' * 7])),
        ('length 41', make([CLIENT + b'\1' * 33])),
        ('client then valid', make([CLIENT, good])), ('valid then length 7', make([good, CLIENT[:7]])),
        ('no question, client cookie', make([CLIENT], question=False)),
        ('no question, valid cookie', make([good], question=False)),
        ('no question, bad cookie', make([bad], question=False)),
        ('no question, no cookie', make([], question=False)),
        ('opcode STATUS: NOTIMP', make([CLIENT], opcode=2)),
        ('EDNS version 1: BADVERS', make([CLIENT], version=1)),
        ('EDNS version 1, length 7', make([CLIENT[:7]], version=1)),
        ('not our zone: REFUSED', make([CLIENT], name='www.example.org')),
        ('NXDOMAIN', make([CLIENT], name='nope.example.com')),
        ('version.bind CH TXT', make([CLIENT], name='version.bind', rdtype='TXT', rdclass='CH')),
    ]


def compare(workdir, options):
    zoned, named = start_pair(workdir, options)
    zport, nport = zoned.port, named.port
    try:
        differences = []
        for tcp in (False, True):
            ours, theirs = requests(zport), requests(nport)
            for (what, zwire), (_, nwire) in zip(ours, theirs):
                z = shape(send(zport, zwire, tcp))
                n = shape(send(nport, nwire, tcp))
                if z != n:
                    differences.append('%s over %s:\n  zoned %s\n  named %s'
                                       % (what, 'TCP' if tcp else 'UDP', z, n))
        assert not differences, '\n'.join(differences)
    finally:
        named.stop()


def test_same_as_bind_by_default(workdir):
    compare(workdir, '\tcookie-secret "%s";\n' % SECRET)


def test_same_as_bind_require_server_cookie(workdir):
    compare(workdir, '\tcookie-secret "%s";\n\trequire-server-cookie yes;\n' % SECRET)


def test_same_as_bind_answer_cookie_no(workdir):
    compare(workdir, '\tanswer-cookie no;\n')


def test_same_as_bind_random_secret(workdir):
    compare(workdir, '')


# ---- dig ----

def dig_cookie(port, *args):
    """dig's status, the COOKIE it printed, whether dig called it good, its output."""
    out = dig(port, '+time=3', '+tries=1', *args, timeout=20).stdout
    status = re.search(r'status: (\w+)', out)
    cookie = re.search(r'; COOKIE: ([0-9a-f]+)( \(good\))?', out)
    return (status.group(1) if status else None, cookie.group(1) if cookie else None,
            bool(cookie and cookie.group(2)), out)


def test_dig_cookie_round_trip(workdir):
    zoned, named = start_pair(workdir, '')
    zport, nport = zoned.port, named.port
    try:
        for port, who in ((zport, 'zoned'), (nport, 'named')):
            for transport in ('+notcp', '+tcp'):
                status, cookie, good, out = dig_cookie(port, '+cookie', transport, NAME, 'A')
                assert status == 'NOERROR' and cookie and good, (who, out)
                assert len(cookie) == 48 and cookie[16:18] == '01', (who, cookie)
                # The second query sends the whole cookie back: accepted, the
                # client cookie echoed, a fresh server cookie.
                status, again, good, out = dig_cookie(port, '+cookie=' + cookie, transport, NAME, 'A')
                assert status == 'NOERROR' and again and good, (who, out)
                assert again[:16] == cookie[:16] and len(again) == 48, (who, cookie, again)
                assert 'ANSWER: 1' in out, (who, out)
    finally:
        named.stop()


def test_dig_require_server_cookie(workdir):
    zoned, named = start_pair(workdir, '\trequire-server-cookie yes;\n')
    zport, nport = zoned.port, named.port
    try:
        for port, who in ((zport, 'zoned'), (nport, 'named')):
            # dig retries BADCOOKIE with the cookie it got (+badcookie), so
            # ask without retrying: BADCOOKIE with a cookie, then accepted.
            status, cookie, good, out = dig_cookie(port, '+cookie', '+nobadcookie', NAME, 'A')
            assert status == 'BADCOOKIE' and cookie and good, (who, out)
            assert 'ANSWER: 0' in out and ' aa' not in out.split('flags:')[1].split(';')[0], out
            status, _, _, out = dig_cookie(port, '+cookie=' + cookie, NAME, 'A')
            assert status == 'NOERROR' and 'ANSWER: 1' in out, (who, out)
            status, _, _, out = dig_cookie(port, '+cookie', '+tcp', NAME, 'A')
            assert status == 'NOERROR', (who, out)
            status, _, _, out = dig_cookie(port, '+nocookie', NAME, 'A')
            assert status == 'NOERROR', (who, out)
    finally:
        named.stop()


def test_shared_secret_across_servers(workdir):
    """RFC 9018's point: zoned and named with one cookie-secret accept each
    other's cookies (the same client address, 127.0.0.1)."""
    options = '\tcookie-secret "%s";\n\trequire-server-cookie yes;\n' % SECRET
    zoned, named = start_pair(workdir, options)
    zport, nport = zoned.port, named.port
    try:
        from_named, from_zoned = server_cookie(nport), server_cookie(zport)
        assert from_named[8:16] == from_zoned[8:16], 'version/timestamp differ (clock?)'
        z = parse(send(zport, make([from_named])))
        n = parse(send(nport, make([from_zoned])))
        assert z['rcode'] == 0 and z['answered'], z
        assert n['rcode'] == 0 and n['answered'], n
        # Made in the same second with the same secret: the same cookie.
        if from_named[12:16] == from_zoned[12:16]:
            assert from_named == from_zoned, (from_named.hex(), from_zoned.hex())
    finally:
        named.stop()


def test_cookie_bound_to_address(workdir):
    """A server cookie is valid only from the address it was given to."""
    zoned, named = start_pair(workdir, '\trequire-server-cookie yes;\n')
    zport, nport = zoned.port, named.port
    try:
        for port, who in ((zport, 'zoned'), (nport, 'named')):
            cookie = server_cookie(port)
            r = parse(send(port, make([cookie])))
            assert r['rcode'] == 0 and r['answered'], (who, r)
            r = parse(send(port, make([cookie]), source='127.0.0.2'))
            assert r['rcode'] == BADCOOKIE and not r['answered'], (who, r)
            assert len(r['cookies']) == 1 and r['cookies'][0] != cookie, (who, r)
    finally:
        named.stop()


def test_rotated_secret_still_accepted(workdir):
    """cookie-secret given twice: the first makes cookies, both are accepted."""
    old = 'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'
    zoned, named = start_pair(workdir, '\tcookie-secret "%s";\n'
                              '\trequire-server-cookie yes;\n' % old)
    named.stop()
    zport = zoned.port
    cookie = server_cookie(zport)
    conf = zoned.conf
    with open(conf) as f:
        text = f.read()
    write(conf, text.replace('\tcookie-secret "%s";\n' % old,
                             '\tcookie-secret "%s";\n\tcookie-secret "%s";\n' % (SECRET, old)))
    zoned.reload()
    r = parse(send(zport, make([cookie])))
    assert r['rcode'] == 0 and r['answered'], r
    new = server_cookie(zport)
    assert new != cookie
    write(conf, text.replace(old, SECRET))
    zoned.reload()
    r = parse(send(zport, make([cookie])))
    assert r['rcode'] == BADCOOKIE, r   # the old secret is gone
    r = parse(send(zport, make([new])))
    assert r['rcode'] == 0, r


# ---- rate limiting ----

def burst(port, cookie, count=30):
    """count identical UDP queries with cookie; the parsed responses."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    try:
        for i in range(count):
            wire = bytearray(make([cookie] if cookie else []))
            wire[0:2] = struct.pack('!H', i)
            s.sendto(bytes(wire), ('127.0.0.1', port))
        out = []
        s.settimeout(1.0)
        for _ in range(count):
            try:
                out.append(parse(s.recv(65535)))
            except socket.timeout:
                break
        return out
    finally:
        s.close()


def test_rate_limit_and_cookies(workdir):
    options = ('\tcookie-secret "%s";\n\trate-limit { responses-per-second 2; slip 1; };\n'
               % SECRET)
    zoned, named = start_pair(workdir, options)
    zport, nport = zoned.port, named.port
    try:
        for port, who in ((zport, 'zoned'), (nport, 'named')):
            good = server_cookie(port)
            # A valid cookie: never limited.
            answers = burst(port, good)
            assert len(answers) == 30, (who, len(answers))
            assert all(a['rcode'] == 0 and a['answered'] for a in answers), (who, answers)
            # A client cookie only: limited, and every slip is BADCOOKIE with a
            # cookie (slip 1 slips them all), never TC.
            answers = burst(port, CLIENT)
            limited = [a for a in answers if not a['answered']]
            assert limited, (who, answers)
            assert all(a['rcode'] == BADCOOKIE and len(a['cookies']) == 1
                       and len(a['cookies'][0]) == 24 and not a['aa'] for a in limited), \
                (who, limited)
    finally:
        named.stop()


if __name__ == '__main__':
    sys.exit(main([
        test_same_as_bind_by_default, test_same_as_bind_require_server_cookie,
        test_same_as_bind_answer_cookie_no, test_same_as_bind_random_secret,
        test_dig_cookie_round_trip, test_dig_require_server_cookie,
        test_shared_secret_across_servers, test_cookie_bound_to_address,
        test_rotated_secret_still_accepted,
        test_rate_limit_and_cookies,
    ]))
