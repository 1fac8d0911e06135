# tsig.py: end to end, TSIG (RFC 8945) in the real src/zoned: queries signed by
# dig -y, kdig -y and dnspython (every algorithm, UDP and TCP) are answered
# signed and the clients verify the answers; a wrong secret gets BADSIG and
# an unknown key BADKEY (both unsigned), a skewed clock BADTIME (signed, the
# server's time in Other Data); allow-query { key "k"; } refuses unsigned
# queries and answers signed ones.
import base64
import os
import re
import socket
import subprocess
import sys
import time
from unittest import mock

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdata  # noqa: E402
import dns.tsig  # noqa: E402
import dns.tsigkeyring  # noqa: E402

SECRET = base64.b64encode(b'the e2e tsig secret, 32 octets!!').decode()
OTHER_SECRET = base64.b64encode(b'not the secret').decode()
ALGORITHMS = ('hmac-md5', 'hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384',
              'hmac-sha512')

NAMED_CONF = '''// one key per algorithm; locked.test only answers key k-sha256
%(keys)s
options { directory "."; };
zone "open.test" { type primary; file "open.test.zone"; };
zone "locked.test" {
	type primary;
	file "locked.test.zone";
	allow-query { key "k-sha256"; };
};
'''


def key_name(algorithm):
    return 'k-' + algorithm[len('hmac-'):]


def start(workdir):
    keys = '\n'.join('key "%s" { algorithm %s; secret "%s"; };' % (key_name(a), a, SECRET)
                     for a in ALGORITHMS)
    for zone in ('open.test', 'locked.test'):
        write(os.path.join(workdir, zone + '.zone'), zone_text(zone, 7))
    conf = os.path.join(workdir, 'named.conf')
    write(conf, NAMED_CONF % {'keys': keys})
    port = free_port()
    z = Zoned(['-c', conf, '-a', '127.0.0.1', '-p', str(port), '-t', '2'], workdir)
    return z, port


def run(args):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=15).stdout.decode(errors='replace')


def lookup(tool, port, name, key=None, tcp=False):
    """The output of dig or kdig asking 127.0.0.1 for name SOA (signed with -y key)."""
    retry = '+tries=1' if tool == 'dig' else '+retry=0'
    args = [tool, '-p', str(port), '@127.0.0.1', '+norecurse', '+time=2', retry, name, 'SOA']
    if key:
        args[1:1] = ['-y', key]
    if tcp:
        args.append('+tcp')
    return run(args)


def dig(port, name, key=None, tcp=False):
    return lookup('dig', port, name, key, tcp)


def kdig(port, name, key=None, tcp=False):
    return lookup('kdig', port, name, key, tcp)


def status_of(out):
    match = re.search(r'status: (\w+)', out)
    assert match, out
    return match.group(1)


def tsig_line(out):
    """The TSIG pseudo-record dig or kdig printed (None without)."""
    lines = out.split('\n')
    for i, line in enumerate(lines):
        if 'TSIG PSEUDOSECTION' in line:
            return lines[i + 1]
    return None


def test_dig_and_kdig(workdir):
    z, port = start(workdir)
    good = 'hmac-sha256:k-sha256:' + SECRET
    for tcp in (False, True):
        for name in ('open.test', 'locked.test'):
            out = dig(port, name, good, tcp)
            assert status_of(out) == 'NOERROR', out
            assert 'ANSWER: 1' in out, out
            # dig verifies the answer's TSIG and says so when it cannot.
            assert 'tsig verify failure' not in out and "Couldn't verify" not in out \
                and 'could not be validated' not in out, out
            assert ' NOERROR ' in tsig_line(out), out
            out = kdig(port, name, good, tcp)
            assert status_of(out).rstrip(';') == 'NOERROR', out
            assert 'failed to verify' not in out and 'WARNING' not in out, out
            assert tsig_line(out) is not None and 'hmac-sha256.' in tsig_line(out), out
        # Wrong secret: NOTAUTH with an unsigned BADSIG (MAC size 0).
        out = dig(port, 'open.test', 'hmac-sha256:k-sha256:' + OTHER_SECRET, tcp)
        assert status_of(out) == 'NOTAUTH', out
        assert re.search(r' 0 \d+ BADSIG 0', tsig_line(out)), out
        out = kdig(port, 'open.test', 'hmac-sha256:k-sha256:' + OTHER_SECRET, tcp)
        assert status_of(out).rstrip(';') == 'BADSIG', out
        # Unknown key, and a known key with another algorithm: BADKEY.
        for key in ('hmac-sha256:nokey:' + SECRET, 'hmac-sha1:k-sha256:' + SECRET):
            out = dig(port, 'open.test', key, tcp)
            assert status_of(out) == 'NOTAUTH', out
            assert ' BADKEY ' in tsig_line(out), out
        # allow-query { key "k-sha256"; }: unsigned and other keys are refused.
        assert status_of(dig(port, 'locked.test', None, tcp)) == 'REFUSED'
        out = dig(port, 'locked.test', 'hmac-sha1:k-sha1:' + SECRET, tcp)
        assert status_of(out) == 'REFUSED', out
        assert 'could not be validated' not in out, out   # the refusal is signed
        assert status_of(dig(port, 'open.test', None, tcp)) == 'NOERROR'
    assert z.stop() == 0


def test_dnspython_every_algorithm(workdir):
    z, port = start(workdir)
    for algorithm in ALGORITHMS:
        # dnspython spells MD5 by its RFC 8945 name.
        name = dns.tsig.HMAC_MD5 if algorithm == 'hmac-md5' else algorithm
        keyring = dns.tsigkeyring.from_text({key_name(algorithm): (name, SECRET)})
        for tcp in (False, True):
            q = dns.message.make_query('open.test', 'SOA')
            q.use_tsig(keyring, key_name(algorithm), algorithm=name)
            send = dns.query.tcp if tcp else dns.query.udp
            # dnspython verifies the response's TSIG against q's MAC, or raises.
            r = send(q, '127.0.0.1', port=port, timeout=3)
            assert r.rcode() == dns.rcode.NOERROR, (algorithm, r)
            assert r.had_tsig and r.tsig_error == 0, (algorithm, r)
            assert len(r.answer) == 1, r
    # The key of locked.test, in dnspython as well.
    keyring = dns.tsigkeyring.from_text({'k-sha256': ('hmac-sha256', SECRET)})
    q = dns.message.make_query('locked.test', 'SOA')
    q.use_tsig(keyring, 'k-sha256')
    r = dns.query.udp(q, '127.0.0.1', port=port, timeout=3)
    assert r.rcode() == dns.rcode.NOERROR and r.had_tsig, r
    assert z.stop() == 0


def exchange(wire, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(3)
        s.sendto(wire, ('127.0.0.1', port))
        return s.recv(65535)
    finally:
        s.close()


def tsig_rdata(wire, owner):
    """The TSIG rdata at the end of wire (owner: its uncompressed owner name)."""
    at = wire.rindex(owner + b'\x00\xfa\x00\xff') + len(owner) + 8
    rdlen = int.from_bytes(wire[at:at + 2], 'big')
    assert at + 2 + rdlen == len(wire)
    return dns.rdata.from_wire('ANY', 'TSIG', wire, at + 2, rdlen)


def test_badtime(workdir):
    z, port = start(workdir)
    keyring = dns.tsigkeyring.from_text({'k-sha256': ('hmac-sha256', SECRET)})
    # 302, not 301: Time Signed is whole seconds of the client's clock; a
    # second boundary passing before the server reads its clock (a loaded
    # machine) takes 301 back inside the 300 s fudge and the test flaked.
    for skew in (-1000, 1000, 302):
        q = dns.message.make_query('open.test', 'SOA')
        q.use_tsig(keyring, 'k-sha256')
        signed_at = int(time.time()) + skew
        with mock.patch('time.time', return_value=float(signed_at)):
            wire = q.to_wire()
        response = exchange(wire, port)
        # dnspython reports the server's BADTIME (check_tsig.c has ldns check its MAC).
        try:
            dns.message.from_wire(response, keyring=keyring, request_mac=q.mac)
            raise AssertionError('no BADTIME for a skew of %d' % skew)
        except dns.tsig.PeerBadTime:
            pass
        # Time Signed is the request's; Other Data the server's clock.
        assert response[3] & 0x0f == dns.rcode.NOTAUTH, response
        rdata = tsig_rdata(response, b'\x08k-sha256\x00')
        assert rdata.error == dns.rcode.BADTIME, rdata
        assert rdata.time_signed == signed_at, (rdata.time_signed, signed_at)
        server_time = int.from_bytes(rdata.other, 'big')
        assert abs(server_time - time.time()) < 5, server_time
        assert len(rdata.mac) == 32
    # Within the fudge it is answered.
    q = dns.message.make_query('open.test', 'SOA')
    q.use_tsig(keyring, 'k-sha256')
    with mock.patch('time.time', return_value=float(int(time.time()) - 250)):
        wire = q.to_wire()
    r = dns.message.from_wire(exchange(wire, port), keyring=keyring, request_mac=q.mac)
    assert r.rcode() == dns.rcode.NOERROR, r
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([
        test_dig_and_kdig,
        test_dnspython_every_algorithm,
        test_badtime,
    ]))
