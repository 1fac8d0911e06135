# identity.py: hostname and server-id as BIND has them, end to end: CH TXT
# hostname.bind / id.server / version.bind with dig, NSID (RFC 5001) with
# dig +nsid and kdig +nsid, the defaults (hostname.bind is the machine's
# name, no server-id: no NSID), "none", and a reload that changes them.
import os
import socket
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

CONFIG = '''options {
	directory ".";
	listen-on port %(port)d { 127.0.0.1; };
	%(options)s
};
zone "a.test" { type primary; file "a.test.zone"; };
'''


def configure(workdir, port, options):
    write(os.path.join(workdir, 'zoned.conf'), CONFIG % {'port': port, 'options': options})


def start(workdir, options):
    port = free_port()
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 1))
    configure(workdir, port, options)
    z = Zoned(['-c', 'zoned.conf', '-t', '2'], workdir, clean_exit=True)
    z.port = port
    return z


def chaos_txt(port, name):
    """dig CH TXT name: (status, the TXT text or None)."""
    out = dig(port, 'CH', 'TXT', name).stdout
    assert 'status: ' in out, out
    status = out.split('status: ', 1)[1].split(',', 1)[0]
    answers = [line for line in out.splitlines()
               if line and not line.startswith(';') and '\tTXT\t' in line]
    return status, answers[0].split('\tTXT\t', 1)[1] if answers else None


def dig_nsid(port, *args):
    """The text dig +nsid shows in its NSID line ('' when there is none)."""
    out = dig(port, '+nsid', *args).stdout
    lines = [line for line in out.splitlines() if line.startswith('; NSID:')]
    assert 'status: ' in out, out
    return lines[0] if lines else ''


def test_configured(workdir):
    z = start(workdir, 'hostname "anycast-7"; server-id "ns-test"; version "v-test";')
    assert chaos_txt(z.port, 'hostname.bind') == ('NOERROR', '"anycast-7"')
    assert chaos_txt(z.port, 'id.server') == ('NOERROR', '"ns-test"')
    assert chaos_txt(z.port, 'version.bind') == ('NOERROR', '"v-test"')
    assert chaos_txt(z.port, 'authors.bind') == ('REFUSED', None)
    # RFC 5001: the server-id's octets, whatever the query, UDP or TCP.
    expected = '; NSID: 6e 73 2d 74 65 73 74 ("ns-test")'
    assert dig_nsid(z.port, 'www.a.test', 'A') == expected
    assert dig_nsid(z.port, '+tcp', 'www.a.test', 'A') == expected
    assert dig_nsid(z.port, 'nonexistent.example', 'A') == expected  # REFUSED too
    assert dig_nsid(z.port, '+nonsid', 'www.a.test', 'A') == '', 'not asked: not sent'
    k = kdig(z.port, '+nsid', 'www.a.test', 'A')
    assert k is not None, 'kdig (knot-dnsutils) is needed'
    assert 'NSID: 6E732D74657374 "ns-test"' in k.stdout, k.stdout
    # A reload takes new values.
    configure(workdir, z.port, 'hostname none; server-id "ns-other"; version none;')
    z.reload()
    assert chaos_txt(z.port, 'hostname.bind') == ('REFUSED', None)
    assert chaos_txt(z.port, 'id.server') == ('NOERROR', '"ns-other"')
    assert chaos_txt(z.port, 'version.bind') == ('REFUSED', None)
    assert dig_nsid(z.port, 'www.a.test', 'A').endswith('("ns-other")')
    assert z.stop() == 0


def test_defaults(workdir):
    # As BIND: hostname.bind is gethostname(), no server-id: id.server and
    # NSID are not answered.
    z = start(workdir, '')
    assert chaos_txt(z.port, 'hostname.bind') == ('NOERROR', '"%s"' % socket.gethostname())
    assert chaos_txt(z.port, 'id.server') == ('REFUSED', None)
    assert dig_nsid(z.port, 'www.a.test', 'A') == ''
    assert z.stop() == 0


def test_server_id_hostname(workdir):
    z = start(workdir, 'server-id hostname; hostname none;')
    host = socket.gethostname()
    assert chaos_txt(z.port, 'id.server') == ('NOERROR', '"%s"' % host)
    assert chaos_txt(z.port, 'hostname.bind') == ('REFUSED', None)
    assert dig_nsid(z.port, 'www.a.test', 'A').endswith('("%s")' % host)
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([test_configured, test_defaults, test_server_id_hostname]))
