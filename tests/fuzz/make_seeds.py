#!/usr/bin/python3
"""make_seeds.py: writes the fuzz fixture (fuzz_fixture_zones.h, zones/) and the
seed corpora under corpus/. Run it from anywhere after changing the
fixture; its output is committed, so builds never run it."""
import base64
import hashlib
import os
import sys
from unittest import mock

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.name
import dns.tsigkeyring

HERE = os.path.dirname(os.path.abspath(__file__))

BIG_TXT = "\n".join('big TXT "record %02d %s"' % (i, "x" * 90) for i in range(48))
MANY_A = "\n".join("many A 192.0.2.%d" % (i + 10) for i in range(120))

EXAMPLE = r'''$ORIGIN example.
$TTL 300
@ IN SOA ns1 hostmaster 2024010101 3600 900 604800 300
@ NS ns1
@ NS ns2.example.net.
@ MX 10 mail
@ TXT "v=spf1 -all"
ns1 A 192.0.2.1
ns1 AAAA 2001:db8::1
mail A 192.0.2.2
mail AAAA 2001:db8::2
www A 192.0.2.3
www AAAA 2001:db8::3
*.wild A 192.0.2.4
*.wild MX 10 mail
*.wild TXT "wildcard"
exists.wild A 192.0.2.40
cname CNAME www
chain1 CNAME chain2
chain2 CNAME chain3
chain3 CNAME chain4
chain4 CNAME www
loop1 CNAME loop2
loop2 CNAME loop1
self CNAME self
ext CNAME www.example.net.
tochild CNAME www.child
wcname CNAME x.wild
*.wc CNAME www
*.wcloop CNAME a.wcloop
dn DNAME example.net.
dnchain DNAME dn
mx MX 10 mail
mx MX 20 ext
mx MX 30 ns.sub
srv._tcp SRV 0 5 53 www
ptr PTR www
a.b.c.ent A 192.0.2.6
sub NS ns.sub
sub NS ns.example.net.
ns.sub A 192.0.2.5
ns.sub AAAA 2001:db8::5
deleg NS ns.example.net.
child NS ns1.child
ns1.child A 192.0.2.7
UPPER.Case A 192.0.2.8
escaped\.dot TXT "a\"b" "c;d"
type65534 TYPE65534 \# 3 abcdef
''' + BIG_TXT + "\n" + MANY_A + "\n"

CHILD = r'''$ORIGIN child.example.
$TTL 600
@ SOA ns1 hostmaster.example. 7 3600 900 604800 60
@ NS ns1
ns1 A 192.0.2.7
www A 192.0.2.9
* TXT "child wildcard"
back CNAME www.example.
'''

NET = r'''$ORIGIN example.net.
$TTL 300
@ SOA ns2 hostmaster 1 3600 900 604800 120
@ NS ns2
ns2 A 192.0.2.20
www A 192.0.2.21
back DNAME example.
loop CNAME loop.example.
'''

ZONES = [("example.", "example.zone", EXAMPLE),
         ("child.example.", "child.example.zone", CHILD),
         ("example.net.", "example.net.zone", NET)]

FIXTURE_H = """/* fuzz_fixture_zones.h: the fixture zones' text (written by make_seeds.py). */
/* A parent with wildcards, CNAME and DNAME chains and loops, delegations
 * with glue, ENTs and RRsets too large for UDP; a child zone served too
 * (longest match); a second zone that DNAMEs back. Same text as zones/. */
static const struct fuzz_fixture_zone fuzz_fixture_zones[] = {
@ZONES@
};
"""


def c_string(text):
    lines = []
    for line in text.splitlines():
        escaped = line.replace("\\", "\\\\").replace('"', '\\"')
        lines.append('\t"%s\\n"' % escaped)
    return "\n".join(lines)


def write_fixture():
    parts = []
    for origin, _, text in ZONES:
        parts.append('\t{"%s",\n%s},' % (origin, c_string(text)))
    with open(os.path.join(HERE, "fuzz_fixture_zones.h"), "w") as out:
        out.write(FIXTURE_H.replace("@ZONES@", "\n".join(parts)))
    os.makedirs(os.path.join(HERE, "zones"), exist_ok=True)
    for _, name, text in ZONES:
        with open(os.path.join(HERE, "zones", name), "w") as out:
            out.write(text)


def write_seed(target, data):
    if isinstance(data, str):
        data = data.encode()
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data)


QUERY_NAMES = [
    ("example.", "SOA"), ("example.", "NS"), ("example.", "ANY"), ("example.", "MX"),
    ("www.example.", "A"), ("WwW.ExAmPlE.", "AAAA"), ("www.example.", "TXT"),
    ("nx.example.", "A"), ("a.b.c.ent.example.", "A"), ("c.ent.example.", "A"),
    ("x.wild.example.", "A"), ("x.y.wild.example.", "MX"), ("exists.wild.example.", "TXT"),
    ("*.wild.example.", "A"), ("cname.example.", "A"), ("chain1.example.", "A"),
    ("loop1.example.", "A"), ("self.example.", "CNAME"), ("ext.example.", "A"),
    ("tochild.example.", "A"), ("wcname.example.", "A"), ("q.wc.example.", "AAAA"),
    ("a.wcloop.example.", "A"), ("x.dn.example.", "A"), ("www.dn.example.", "A"),
    ("dn.example.", "DNAME"), ("a.b.dnchain.example.", "A"), ("mx.example.", "MX"),
    ("srv._tcp.example.", "SRV"), ("ptr.example.", "PTR"), ("sub.example.", "A"),
    ("x.sub.example.", "A"), ("ns.sub.example.", "A"), ("deleg.example.", "NS"),
    ("www.child.example.", "A"), ("nope.child.example.", "TXT"), ("child.example.", "SOA"),
    ("big.example.", "TXT"), ("many.example.", "A"), ("upper.case.example.", "A"),
    ("type65534.example.", "TYPE65534"), ("www.example.net.", "A"),
    ("x.back.example.net.", "A"), ("loop.example.net.", "A"), ("www.example.org.", "A"),
    (".", "NS"), ("example.", "AXFR"), ("example.", "IXFR"), ("example.", "RRSIG"),
    ("example.", "DS"), ("sub.example.", "DS"), ("escaped\\.dot.example.", "TXT"),
]


def fixed_id(query, qid=0x5a5a):
    """Wire form with a fixed ID, so that rerunning this script changes nothing."""
    query.id = qid
    return query.to_wire()


def write_answer_seeds():
    for name, rdtype in QUERY_NAMES:
        query = dns.message.make_query(name, rdtype, use_edns=False)
        query.id = 0x1234
        write_seed("answer", query.to_wire())
        query = dns.message.make_query(name, rdtype, use_edns=0, payload=4096, want_dnssec=True)
        query.id = 0x4321
        write_seed("answer", query.to_wire())
    query = dns.message.make_query("example.", "SOA", use_edns=0, payload=1232,
                                   options=[dns.edns.GenericOption(3, b"")])
    write_seed("answer", fixed_id(query))
    query = dns.message.make_query("www.example.", "A", use_edns=1)
    write_seed("answer", fixed_id(query))
    for name in ("version.bind.", "hostname.bind.", "id.server.", "version.server."):
        query = dns.message.make_query(name, "TXT", rdclass="CH")
        write_seed("answer", fixed_id(query))
    query = dns.message.make_query("example.", "SOA")
    query.set_opcode(dns.opcode.NOTIFY)
    write_seed("answer", fixed_id(query))
    query = dns.message.make_query("example.", "SOA")
    query.set_opcode(dns.opcode.UPDATE)
    write_seed("answer", fixed_id(query))
    # Hand-made oddities: compression pointer in the question, QDCOUNT 0 and 2.
    header = bytes.fromhex("abcd0100")
    write_seed("answer", header + bytes.fromhex("00010000 00000000").replace(b" ", b"")
               + b"\x03www\x07example\x00\x00\x01\x00\x01")
    write_seed("answer", header + bytes(8))
    write_seed("answer", header + bytes.fromhex("0002000000000000")
               + b"\x07example\x00\x00\x06\x00\x01\x03www\xc0\x0c\x00\x01\x00\x01")
    write_seed("answer", header + bytes.fromhex("0001000000000000") + b"\xc0\x0c\x00\x01\x00\x01")
    write_tsig_seeds()


# fuzz_answer.c's key and clock.
TSIG_SECRET = base64.b64encode(b"fuzz tsig secret").decode()
TSIG_NOW = 1700000000


def signed(query, key="fuzz-key.", secret=TSIG_SECRET, time_signed=TSIG_NOW):
    query.id = 0x7a7a
    query.use_tsig(dns.tsigkeyring.from_text({key: ("hmac-sha256", secret)}), key)
    with mock.patch("time.time", return_value=float(time_signed)):
        return query.to_wire()


def write_tsig_seeds():
    """Signed queries: good, unknown key, wrong secret, outside the fudge, with EDNS."""
    write_seed("answer", signed(dns.message.make_query("www.example.", "A")))
    write_seed("answer", signed(dns.message.make_query("example.", "SOA", use_edns=0)))
    write_seed("answer", signed(dns.message.make_query("www.example.", "A"), key="nokey."))
    write_seed("answer", signed(dns.message.make_query("www.example.", "A"),
                                secret=base64.b64encode(b"wrong").decode()))
    write_seed("answer", signed(dns.message.make_query("www.example.", "A"),
                                time_signed=TSIG_NOW + 1000))


# DNS Cookies (RFC 7873): the client cookie 01..08; VALID_COOKIE is the
# server cookie fuzz_answer.c accepts (secret 00..0f, client 192.0.2.1, time
# 1764720000), as cookie_make() makes it.
CLIENT_COOKIE = bytes(range(1, 9))
VALID_COOKIE = CLIENT_COOKIE + bytes.fromhex("01000000692f7d80b663b289b53bb4a9")


def cookie_query(options, name="www.example.", rdtype="A", version=0, question=True):
    query = dns.message.make_query(name, rdtype)
    query.use_edns(version, payload=1232,
                   options=[dns.edns.GenericOption(10, o) for o in options])
    wire = bytearray(fixed_id(query, 0xc00c))
    if not question:
        skip = len(query.question[0].name.to_wire()) + 4
        wire = wire[:12] + wire[12 + skip:]
        wire[4:6] = b"\0\0"
    return bytes(wire)


def write_cookie_seeds():
    bad = VALID_COOKIE[:-1] + bytes([VALID_COOKIE[-1] ^ 1])
    for options in ([CLIENT_COOKIE], [VALID_COOKIE], [bad], [CLIENT_COOKIE + bytes(8)],
                    [CLIENT_COOKIE + bytes(32)], [b""], [CLIENT_COOKIE[:7]],
                    [CLIENT_COOKIE + b"\1"], [CLIENT_COOKIE + bytes(33)],
                    [VALID_COOKIE, CLIENT_COOKIE[:7]], [CLIENT_COOKIE, VALID_COOKIE]):
        write_seed("answer", cookie_query(options))
    write_seed("answer", cookie_query([CLIENT_COOKIE], question=False))
    write_seed("answer", cookie_query([VALID_COOKIE], question=False))
    write_seed("answer", cookie_query([CLIENT_COOKIE], version=1))
    write_seed("answer", cookie_query([VALID_COOKIE], "big.example.", "TXT"))
    write_seed("answer", cookie_query([VALID_COOKIE], "version.bind.", "TXT"))
    query = dns.message.make_query("example.", "SOA", use_edns=0, payload=1232, options=[
        dns.edns.GenericOption(3, b""), dns.edns.GenericOption(10, VALID_COOKIE)])
    write_seed("answer", fixed_id(query))


ZONE_SEEDS = [
    "$TTL 3600\n@ SOA ns hostmaster ( 1 2 3 4 5 ) ; comment\n  NS ns\nns A 192.0.2.1\n",
    "$ORIGIN example.\n$TTL 1h\n@ IN SOA ns h 1 2 3 4 5\n@ IN 300 NS ns\nsub 60 IN A 192.0.2.1\n"
    "$ORIGIN sub\nx TXT \"quoted ; not a comment\" ( \"multi\"\n \"line\" )\n",
    "@ 300 IN SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n$INCLUDE inc.zone\n",
    "@ 300 IN SOA ns h 1 2 3 4 5\n@ NS ns\n$INCLUDE inc.zone sub\nns A 192.0.2.1\n",
    "@ 300 IN SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nwww CNAME www\nwww A 192.0.2.2\n",
    "@ 300 IN SOA ns h 1 2 3 4 5\n@ NS ns\n@ NS ns\nns A 192.0.2.1\nns 400 A 192.0.2.1\n"
    "@ MX 10 mail\n@ SRV 1 2 3 t\n@ CAA 0 issue \"x\"\n@ TYPE999 \\# 2 abcd\n@ CH TXT x\n",
    "@ 300 IN SOA ns h 4294967296 2 3 4 5\n$TTL abc\n$ttl 5\n$origin x.\n$FOO bar\n( \n\"",
    "\\065\\.b\\\\c 300 IN SOA ns h 1 2 3 4 5\n*.w A 1.2.3.4\nd DNAME x.\nz.d A 1.2.3.4\n"
    "s NS n.s\nn.s A 1.2.3.4\no.s A 1.2.3.4\n",
]


def write_zone_seeds():
    for _, _, text in ZONES:
        write_seed("zone_load", text)
    for text in ZONE_SEEDS:
        write_seed("zone_load", text)
    os.makedirs(os.path.join(HERE, "include"), exist_ok=True)
    with open(os.path.join(HERE, "include", "inc.zone"), "w") as out:
        out.write("inc A 192.0.2.99\n$INCLUDE inc.zone\n")


CONFIG_SEEDS = [
    'options { directory "/tmp"; listen-on port 5353 { 127.0.0.1; }; version "x"; };\n'
    'zone "example." { type primary; file "example.zone"; };\n',
    'options { listen-on-v6 { ::1; }; server-id "ns1"; pid-file "zoned.pid";'
    ' edns-udp-size 1232; recursion no; };\n// comment\n# comment\n/* block */\n'
    'zone "example.net" IN { type master; file "/x/y.zone"; allow-transfer { none; }; };\n',
    'include "other.conf";\nlogging { channel x { file "log"; }; };\nacl a { 127.0.0.1; };\n',
    'zone "example." { file "a"; };\nzone "EXAMPLE" { file "b"; };\n',
    'options { listen-on { any; }; };\nzone "." { type hint; file "root"; };\n'
    'key "k" { algorithm hmac-sha256; secret "aGVsbG8="; };\n',
    'options { edns-udp-size 70000; listen-on port 99999 { 1.2.3.4.5; }; };\nzone { };\n',
    'zone "a..b" { file "x"; }; options { directory "unterminated',
    'options { rate-limit { responses-per-second 5; slip 2; window 15; }; };\n',
]


def write_config_seeds():
    for text in CONFIG_SEEDS:
        write_seed("config", text)


def frame(wire):
    return len(wire).to_bytes(2, "big") + wire


def write_tcp_seeds():
    queries = []
    for name, rdtype in QUERY_NAMES[:12]:
        queries.append(fixed_id(dns.message.make_query(name, rdtype)))
    write_seed("tcp_stream", frame(queries[0]))
    write_seed("tcp_stream", b"".join(frame(q) for q in queries))
    write_seed("tcp_stream", b"\x00\x00" * 3 + frame(queries[1]))
    write_seed("tcp_stream", frame(queries[2]) + frame(queries[3])[:7])
    write_seed("tcp_stream", b"\x00\x05abcde" + frame(queries[4]))
    big = fixed_id(dns.message.make_query("big.example.", "TXT"))
    write_seed("tcp_stream", frame(big) * 20)
    write_seed("tcp_stream", b"\xff\xff" + bytes(300))


def write_rrl_seeds():
    names = [("www.example.", "A"), ("nx%d.example.", "A"), ("x.sub.example.", "A"),
             ("www.example.", "TYPE65000"), ("a.wild.example.", "TXT"), ("example.org.", "A")]
    records = b""
    for i in range(40):
        name, rdtype = names[i % len(names)]
        if "%d" in name:
            name = name % i
        wire = fixed_id(dns.message.make_query(name, rdtype), 0x100 + i)
        client = bytes([192, 0, 2 + (i % 3), i % 7])
        records += client + bytes([i % 4]) + len(wire).to_bytes(2, "big") + wire
    write_seed("rrl", records)
    burst = b""
    wire = fixed_id(dns.message.make_query("www.example.", "A"))
    for i in range(30):
        burst += bytes([198, 51, 100, 1, 0]) + len(wire).to_bytes(2, "big") + wire
    write_seed("rrl", burst)


NOTIFY_ID = 0x4e4f     # fuzz_notify.c's NOTIFY_FUZZ_ID
NOTIFY_QUESTION = b"\x07example\x00" + (6).to_bytes(2, "big") + (1).to_bytes(2, "big")


def notify_response(qid=NOTIFY_ID, flags=0xa400, qdcount=1, question=NOTIFY_QUESTION,
                    rest=b""):
    """A response to fuzz_notify.c's NOTIFY for example. (opcode 4, QR, AA)."""
    return (qid.to_bytes(2, "big") + flags.to_bytes(2, "big") + qdcount.to_bytes(2, "big")
            + bytes(6) + question + rest)


def write_notify_seeds():
    """Responses to the NOTIFY for example.: matching ones and near misses."""
    soa = (b"\xc0\x0c" + (6).to_bytes(2, "big") + (1).to_bytes(2, "big")
           + (3600).to_bytes(4, "big") + (2).to_bytes(2, "big") + b"\xc0\x0c")
    good = notify_response()
    for data in [
        good,                                                   # the plain reply
        notify_response(flags=0xa405),                          # REFUSED: still an answer
        notify_response(question=b"\x07ExAmPlE\x00" + NOTIFY_QUESTION[9:]),  # any case
        good[:6] + b"\x00\x01" + good[8:] + soa,               # with an answer record
        notify_response(qid=NOTIFY_ID ^ 1),                     # wrong id
        notify_response(flags=0x2400),                          # QR clear
        notify_response(flags=0x8400),                          # opcode QUERY
        notify_response(flags=0xac00),                          # opcode UPDATE
        notify_response(qdcount=0),                             # no question
        notify_response(qdcount=2, rest=NOTIFY_QUESTION),       # two questions
        good[:20],                                              # cut in the name
        good[:23],                                              # cut in the class
        good[:11],                                              # cut in the header
        notify_response(question=b"\xc0\x0c" + NOTIFY_QUESTION[9:]),  # compressed name
        notify_response(question=b"\x07example\x03net\x00" + NOTIFY_QUESTION[9:]),
        notify_response(question=NOTIFY_QUESTION[:9] + b"\x00\x01\x00\x01"),  # type A
        notify_response(question=NOTIFY_QUESTION[:9] + b"\x00\x06\x00\x03"),  # class CH
        notify_response(question=b"\x07examplf\x00" + NOTIFY_QUESTION[9:]),
        notify_response(question=b"\x48example\x00" + NOTIFY_QUESTION[9:]),  # bad label
    ]:
        write_seed("notify", data)


CONTROL_REQUESTS = [
    "status", "reload", "reload example", "reload EXAMPLE.", "reload failed.test",
    "reload nope.test", "reconfig", "zonestatus example", "zonestatus failed.test",
    "zonestatus nope.test", "stats", "notify example", "notify failed.test",
    "refresh example", "retransfer example", "trace", "trace 3", "trace 0", "notrace",
    "stop", "", "  status\t", "bogus", "status now", "zonestatus", "reload a..b",
    "trace 4", "status\r", "stat\0us", "reload caf\xc3\xa9", "reload " + "a" * 64,
    "zonestatus " + ".".join(["a" * 63] * 4), "x" * 1023, "x" * 1024,
]


def write_control_seeds():
    for line in CONTROL_REQUESTS:
        write_seed("control", line.encode("latin-1"))
def xfr_request(rdtype, name="example.", serial=None, soa_name=None, use_edns=None):
    query = dns.message.make_query(name, rdtype, use_edns=use_edns)
    if serial is not None:
        query.authority.append(dns.rrset.from_text(soa_name or name, 0, "IN", "SOA",
                                                   ". . %d 0 0 0 0" % serial))
    return query


def write_xfr_request_seeds():
    """AXFR and IXFR (serials older, equal, newer, across the wrap; the SOA
    missing, of another name, a second one), of apexes, a non-apex, another
    class, with EDNS, signed with fuzz-key (and a wrong secret, an unknown
    key); the fixture's example. is at serial 2024010101."""
    current = 2024010101
    queries = [xfr_request("AXFR"), xfr_request("AXFR", "child.example."),
               xfr_request("AXFR", "www.example."), xfr_request("AXFR", "example.net."),
               xfr_request("AXFR", use_edns=0), xfr_request("IXFR"),
               xfr_request("IXFR", serial=current, soa_name="other.")]
    for serial in (current - 1, current, current + 1, (current + 2**31) % 2**32, 0xfffffff0):
        queries.append(xfr_request("IXFR", serial=serial))
    two = xfr_request("IXFR", serial=1)
    two.authority.append(dns.rrset.from_text("example.", 0, "IN", "SOA", ". . 2 0 0 0 0"))
    queries.append(two)
    for query in queries:
        write_seed("xfr_request", fixed_id(query))
    chaos = dns.message.make_query("example.", "AXFR", rdclass="CH")
    write_seed("xfr_request", fixed_id(chaos))
    write_seed("xfr_request", signed(xfr_request("AXFR")))
    write_seed("xfr_request", signed(xfr_request("IXFR", serial=current - 1)))
    write_seed("xfr_request", signed(xfr_request("IXFR", serial=current)))
    write_seed("xfr_request", signed(xfr_request("AXFR", use_edns=0)))
    write_seed("xfr_request", signed(xfr_request("AXFR"), key="nokey."))
    write_seed("xfr_request", signed(xfr_request("AXFR"),
                                     secret=base64.b64encode(b"wrong").decode()))
    write_seed("xfr_request", signed(xfr_request("AXFR"), time_signed=TSIG_NOW + 1000))


XFR_ID = 0x5846      # fuzz_xfr_in.c's XFR_FUZZ_ID
XFR_SOA = "example. 300 IN SOA ns1.example. hostmaster.example. %d 3600 900 604800 300"
XFR_BASE = ["example. 300 IN NS ns1.example.", "ns1.example. 300 IN A 192.0.2.1",
            "www.example. 300 IN A 192.0.2.2", "mail.example. 300 IN MX 10 www.example."]


def xfr_message(records, qtype="AXFR", question=True, flags=0x8400, qid=XFR_ID):
    """One message of a transfer from the primary, framed for TCP."""
    message = dns.message.Message(id=qid)
    message.flags = flags
    if question:
        message.question.append(dns.rrset.RRset(dns.name.from_text("example."),
                                                dns.rdataclass.IN,
                                                dns.rdatatype.from_text(qtype)))
    for text in records:
        message.answer.append(dns.rrset.from_text(*text.split(None, 4)))
    return frame(message.to_wire())


def write_xfr_in_seeds():
    axfr = [XFR_SOA % 2] + XFR_BASE + ["txt.example. 300 IN TXT \"hello\"", XFR_SOA % 2]
    whole = xfr_message(axfr)
    for data in [
        b"\0" + whole,                                                  # AXFR in one message
        b"\0" + xfr_message(axfr[:3]) + xfr_message(axfr[3:], question=False),  # in two
        b"\0" + whole[:len(whole) // 2],                                # cut off
        b"\0" + xfr_message([XFR_SOA % 2, "www.example.net. 300 IN A 192.0.2.9",
                             XFR_SOA % 2]),                             # out of the zone
        b"\0" + xfr_message([XFR_SOA % 2] + XFR_BASE
                             + ["www.example. 300 IN CNAME ns1.example.", XFR_SOA % 2]),
        b"\0" + xfr_message(axfr, flags=0x8409),                        # NOTAUTH
        b"\0" + xfr_message(axfr, qid=XFR_ID ^ 1),                      # another id
        b"\0\0\x0c" + bytes(12),                                        # garbage
        b"\1" + xfr_message([XFR_SOA % 1], qtype="IXFR"),               # current
        b"\1" + xfr_message(axfr, qtype="IXFR"),                         # AXFR form
        b"\1" + xfr_message([XFR_SOA % 3, XFR_SOA % 1, "www.example. 300 IN A 192.0.2.2",
                             XFR_SOA % 2, "www.example. 300 IN A 192.0.2.3",
                             XFR_SOA % 2, "www.example. 300 IN A 192.0.2.3", XFR_SOA % 3,
                             "new.example. 300 IN A 192.0.2.4", XFR_SOA % 3], qtype="IXFR"),
        b"\1" + xfr_message([XFR_SOA % 2, XFR_SOA % 1, "nothere.example. 300 IN A 192.0.2.2",
                             XFR_SOA % 2, XFR_SOA % 2], qtype="IXFR"),   # does not apply
        # One record per message (BIND's transfer-format one-answer): a lone new SOA first.
        b"\1" + b"".join(xfr_message([record], qtype="IXFR", question=i == 0) for i, record in
                          enumerate([XFR_SOA % 2, XFR_SOA % 1, "www.example. 300 IN A 192.0.2.2",
                                     XFR_SOA % 2, "www.example. 300 IN A 192.0.2.3",
                                     XFR_SOA % 2])),
    ]:
        write_seed("xfr_in", data)


WRITERS = {
    "fixture": write_fixture, "answer": write_answer_seeds, "cookie": write_cookie_seeds,
    "zone_load": write_zone_seeds, "config": write_config_seeds, "tcp_stream": write_tcp_seeds,
    "rrl": write_rrl_seeds, "notify": write_notify_seeds, "xfr_in": write_xfr_in_seeds,
    "control": write_control_seeds,
    "xfr_request": write_xfr_request_seeds,
}


if __name__ == "__main__":
    # make_seeds.py [WHAT...]: only these (e.g. notify), else everything.
    for what in sys.argv[1:] or WRITERS:
        WRITERS[what]()
