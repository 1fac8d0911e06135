# tsig_dnspython.py: our TSIG against dnspython's, for every algorithm (ldns,
# which check_tsig.c uses, has no hmac-sha224 or hmac-sha384): a query
# dnspython signs is verified by tests/tsig_stream, which answers it with a
# multi-message stream (RFC 8945 5.3.1) that dnspython verifies as it
# verifies an AXFR; a query we sign is verified by dnspython.
import os
import subprocess
import sys

import dns.message
import dns.name
import dns.tsig
import dns.tsigkeyring

TOP_BUILDDIR = os.environ.get('top_builddir') or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
HELPER = os.path.join(TOP_BUILDDIR, 'tests', 'tsig_stream')
SECRET = bytes(range(1, 33))
ALGORITHMS = {
    'hmac-md5': dns.tsig.HMAC_MD5, 'hmac-sha1': dns.tsig.HMAC_SHA1,
    'hmac-sha224': dns.tsig.HMAC_SHA224, 'hmac-sha256': dns.tsig.HMAC_SHA256,
    'hmac-sha384': dns.tsig.HMAC_SHA384, 'hmac-sha512': dns.tsig.HMAC_SHA512,
}
MESSAGES = 5


def helper(*args):
    out = subprocess.run([HELPER] + list(args), stdout=subprocess.PIPE, timeout=30, check=True)
    return [bytes.fromhex(line) for line in out.stdout.decode().split()]


def check(algorithm, name):
    key = dns.tsig.Key('k.', SECRET, name)
    keyring = {dns.name.from_text('k.'): key}
    # dnspython's query, our stream.
    q = dns.message.make_query('example.', 'AXFR')
    q.use_tsig(keyring, 'k.', algorithm=name)
    messages = helper('response', algorithm, SECRET.hex(), q.to_wire().hex(), str(MESSAGES))
    assert len(messages) == MESSAGES, messages
    context = None
    for i, wire in enumerate(messages):
        # As dns.query.xfr reads a transfer: raises unless every MAC verifies.
        r = dns.message.from_wire(wire, keyring=keyring, request_mac=q.mac, xfr=True,
                                  tsig_ctx=context, multi=True)
        assert r.had_tsig and r.tsig_error == 0
        context = r.tsig_ctx
    # A message changed in the middle of the stream fails.
    context = None
    try:
        for i, wire in enumerate(messages):
            if i == 2:
                wire = wire[:40] + bytes([wire[40] ^ 1]) + wire[41:]
            r = dns.message.from_wire(wire, keyring=keyring, request_mac=q.mac, xfr=True,
                                      tsig_ctx=context, multi=True)
            context = r.tsig_ctx
        raise AssertionError('%s: a changed message verified' % algorithm)
    except dns.tsig.BadSignature:
        pass
    # Our query, dnspython verifies it (as a server would).
    (query,) = helper('request', algorithm, SECRET.hex())
    m = dns.message.from_wire(query, keyring=keyring)
    assert m.had_tsig and m.keyname == dns.name.from_text('k.')


def main():
    if not os.access(HELPER, os.X_OK):
        print('%s not built' % HELPER)
        return 1
    for algorithm, name in ALGORITHMS.items():
        check(algorithm, name)
        print('ok   %s' % algorithm)
    return 0


if __name__ == '__main__':
    sys.exit(main())
