# hostile_udp.py: every class of broken UDP query (RFC 1035 4.1, RFC 6891 6)
# gets FORMERR or silence, never data, never a crash; a message with QR set
# is never answered; a valid query right after each is still answered.
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from zoned_e2e import (check_valid_answer, example_zone_text, main, RCODE_FORMERR, serve_example,
                       udp_exchange)

QNAME = b'\x03www\x07example\x00'
QUESTION = QNAME + struct.pack('!HH', 1, 1)
LONG_LABEL = b'\x3f' + b'a' * 63


def header(qid, qd=1, an=0, ns=0, ar=0, flags=0):
    return struct.pack('!HHHHHH', qid, flags, qd, an, ns, ar)


def opt(rdata=b'', owner=b'\x00', size=1232, rdlength=None, ttl=0):
    if rdlength is None:
        rdlength = len(rdata)
    return owner + struct.pack('!HHIH', 41, size, ttl, rdlength) + rdata


def cases():
    """(description, datagram, 'silence' or 'formerr'); 'formerr' allows silence too."""
    q = lambda qid, **kw: header(qid, **kw)  # noqa: E731
    yield 'empty datagram', b'', 'silence'
    yield 'one octet', b'\x12', 'silence'
    yield 'truncated header (11 octets)', header(0x1001)[:11], 'silence'
    yield 'header only, QDCOUNT 0', q(0x1002, qd=0), 'formerr'
    yield 'QDCOUNT 0 with a question', q(0x1003, qd=0) + QUESTION, 'formerr'
    yield 'QDCOUNT 2', q(0x1004, qd=2) + QUESTION + b'\x07example\x00\x00\x06\x00\x01', 'formerr'
    yield 'QDCOUNT 2 with one question', q(0x1005, qd=2) + QUESTION, 'formerr'
    yield 'QDCOUNT 1 without a question', q(0x1006), 'formerr'
    yield 'question cut inside the name', q(0x1007) + QNAME[:7], 'formerr'
    yield 'question without type and class', q(0x1008) + QNAME, 'formerr'
    yield 'question without class', q(0x1009) + QNAME + b'\x00\x01', 'formerr'
    yield 'pointer to itself', q(0x100a) + b'\xc0\x0c\x00\x01\x00\x01', 'formerr'
    yield 'two-step pointer loop', q(0x100b) + b'\x03www\xc0\x0c\x00\x01\x00\x01', 'formerr'
    yield 'forward pointer', (q(0x100c) + b'\xc0\x12\x00\x01\x00\x01' + QNAME), 'formerr'
    yield 'pointer past the end', q(0x100d) + b'\xc0\xff\x00\x01\x00\x01', 'formerr'
    yield 'pointer into the header', q(0x100e) + b'\x03www\xc0\x02\x00\x01\x00\x01', 'formerr'
    yield 'pointer cut in half', q(0x100f) + b'\x03www\xc0', 'formerr'
    yield 'label type 01 (0x40)', q(0x1010) + b'\x41' + b'a' * 1 + b'\x00\x00\x01\x00\x01', 'formerr'
    yield 'label type 10 (0x80)', q(0x1011) + b'\x80\x00\x00\x01\x00\x01', 'formerr'
    yield 'label runs past the end', q(0x1012) + b'\x3fabc', 'formerr'
    yield 'name over 255 octets', q(0x1013) + LONG_LABEL * 5 + b'\x00\x00\x01\x00\x01', 'formerr'
    yield 'name of 256 octets', (q(0x1014) + LONG_LABEL * 3 + b'\x3e' + b'b' * 62 + b'\x00'
                                 + b'\x00\x01\x00\x01'), 'formerr'
    yield 'name without its root label', q(0x1015) + b'\x03www', 'formerr'
    yield 'OPT rdlength past the end', q(0x1016, ar=1) + QUESTION + opt(rdlength=10), 'formerr'
    yield 'OPT option length past rdata', (q(0x1017, ar=1) + QUESTION
                                           + opt(struct.pack('!HH', 3, 100))), 'formerr'
    yield 'OPT option header cut', q(0x1018, ar=1) + QUESTION + opt(b'\x00\x03\x00'), 'formerr'
    yield 'two OPTs', q(0x1019, ar=2) + QUESTION + opt() + opt(), 'formerr'
    yield 'OPT not at the root', q(0x101a, ar=1) + QUESTION + opt(owner=QNAME), 'formerr'
    yield 'OPT in the answer section', q(0x101b, an=1) + QUESTION + opt(), 'formerr'
    yield 'OPT RR header cut', q(0x101c, ar=1) + QUESTION + opt()[:6], 'formerr'
    yield 'ARCOUNT 1 without a record', q(0x101d, ar=1) + QUESTION, 'formerr'
    yield 'every count 65535', q(0x101e, qd=1, an=65535, ns=65535, ar=65535) + QUESTION, 'formerr'
    yield 'ANCOUNT 1 with garbage', q(0x101f, an=1) + QUESTION + b'\xff' * 7, 'formerr'
    yield 'trailing garbage', q(0x1020) + QUESTION + b'\xde\xad\xbe\xef', 'formerr'
    yield 'trailing garbage after OPT', q(0x1021, ar=1) + QUESTION + opt() + b'\x00', 'formerr'
    yield '64 KiB datagram', q(0x1022) + QUESTION + b'\x00' * (65507 - 12 - len(QUESTION)), 'formerr'
    yield '64 KiB of pointers', q(0x1023) + b'\xc0\x0c' * ((65507 - 12) // 2), 'formerr'
    yield '64 KiB of labels', q(0x1024) + (b'\x01a' * ((65507 - 12) // 2)), 'formerr'
    # QR set: a response (or a reflection attempt) is never answered (RFC 1035 4.1.1).
    yield 'QR set on a valid query', header(0x1025, flags=0x8000) + QUESTION, 'silence'
    yield 'QR set on a broken query', header(0x1026, flags=0x8000, qd=2) + b'\xc0\x0c', 'silence'
    yield 'QR set with FORMERR rcode', header(0x1027, flags=0x8001) + QUESTION, 'silence'


def check_case(server, description, datagram, expect):
    data = udp_exchange(server.port, datagram, timeout=0.3, match_id=False)
    server.assert_alive(description)
    if data is not None:
        if expect == 'silence':
            raise AssertionError('%s: answered (%d octets: %s)' % (description, len(data),
                                                                   data[:32].hex()))
        if len(data) < 12:
            raise AssertionError('%s: response shorter than a header' % description)
        qid, flags, qd, an, ns, ar = struct.unpack('!HHHHHH', data[:12])
        if datagram[:2] != data[:2]:
            raise AssertionError('%s: response ID %04x' % (description, qid))
        if not flags & 0x8000:
            raise AssertionError('%s: response without QR' % description)
        if flags & 0xf != RCODE_FORMERR:
            raise AssertionError('%s: rcode %d, not FORMERR' % (description, flags & 0xf))
        if an or ns:
            raise AssertionError('%s: FORMERR with %d answer and %d authority records'
                                 % (description, an, ns))
    check_valid_answer(server.port)
    return 'silence' if data is None else 'FORMERR'


def test_malformed_udp(workdir):
    server = serve_example(workdir, example_zone_text(1))
    try:
        failures = []
        for description, datagram, expect in cases():
            try:
                outcome = check_case(server, description, datagram, expect)
                print('  %-34s -> %s' % (description, outcome))
            except AssertionError as e:
                if not server.alive():
                    raise
                failures.append(str(e))
                print('  %-34s -> WRONG: %s' % (description, e))
        server.assert_alive('the malformed queries')
        if failures:
            raise AssertionError('%d classes mishandled:\n  %s'
                                 % (len(failures), '\n  '.join(failures)))
    finally:
        server.stop()


if __name__ == '__main__':
    sys.exit(main([('malformed UDP queries', test_malformed_udp)]))
