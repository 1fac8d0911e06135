# hostile_mutate.py: tens of thousands of randomly mutated queries (seeded,
# bounded), interleaved with valid ones: every valid query is answered
# within 0.5 s, no mutant with QR set or a broken question gets data, every
# response is a message dnspython can parse, and the server survives.
import os
import random
import socket
import struct
import sys
import time

import dns.edns
import dns.exception
import dns.message

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from zoned_e2e import (big_txt, check_valid_answer, example_zone_text, main, make_query,
                       serve_example)

SEED = int(os.environ.get('HOSTILE_SEED', '20240101'))
MUTANTS = int(os.environ.get('HOSTILE_MUTANTS', '30000'))
BATCH = 50
VALID_TIMEOUT = float(os.environ.get('HOSTILE_VALID_TIMEOUT', '0.5'))


def base_queries():
    names = ['www.example.', 'example.', 'x.wild.example.', 'cname.example.',
             'a.sub.example.', 'nx.example.', 'big.example.', 'WWW.EXAMPLE.', 'other.test.']
    types = ['A', 'AAAA', 'SOA', 'NS', 'TXT', 'ANY', 'AXFR', 'CNAME', 'MX']
    out = []
    for name in names:
        for rdtype in types:
            out.append(make_query(name, rdtype).to_wire())
            out.append(make_query(name, rdtype, use_edns=0, payload=4096, want_dnssec=True,
                                  options=[dns.edns.GenericOption(3, b'')]).to_wire())
    return out


def mutate(rng, wire, pool):
    data = bytearray(wire)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(9)
        if choice == 0 and data:                       # flip a bit
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif choice == 1 and data:                     # set a byte to an interesting value
            data[rng.randrange(len(data))] = rng.choice([0, 1, 0x3f, 0x40, 0x80, 0xc0, 0xff,
                                                         rng.randrange(256)])
        elif choice == 2:                              # insert bytes
            i = rng.randrange(len(data) + 1)
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif choice == 3 and data:                     # delete bytes
            i = rng.randrange(len(data))
            del data[i:i + rng.randint(1, 8)]
        elif choice == 4 and len(data) > 1:            # truncate
            del data[rng.randrange(1, len(data)):]
        elif choice == 5 and len(data) >= 12:          # make a count lie
            i = rng.choice([4, 6, 8, 10])
            data[i:i + 2] = struct.pack('!H', rng.choice([0, 1, 2, 255, 65535]))
        elif choice == 6 and len(data) > 14:           # plant a compression pointer
            i = rng.randrange(12, len(data) - 1)
            data[i:i + 2] = struct.pack('!H', 0xc000 | rng.randrange(len(data) + 16))
        elif choice == 7:                              # splice another query in
            other = rng.choice(pool)
            i = rng.randrange(len(data) + 1)
            data[i:] = other[rng.randrange(len(other)):]
        elif choice == 8 and len(data) >= 4:           # header flags: opcode, QR, TC, Z
            data[2] = rng.randrange(256)
            data[3] = rng.randrange(256)
    return bytes(data)


def strict_question_ok(wire):
    """True when the header says one question and it is a plain, complete name."""
    if len(wire) < 12 or struct.unpack('!H', wire[4:6])[0] != 1:
        return False
    i, total = 12, 1
    while True:
        if i >= len(wire):
            return False
        length = wire[i]
        if length == 0:
            return i + 5 <= len(wire)
        if length > 63:
            return False
        total += length + 1
        if total > 255:
            return False
        i += length + 1


def test_mutated_queries(workdir):
    rng = random.Random(SEED)
    pool = base_queries()
    server = serve_example(workdir, example_zone_text(1, big_txt()))
    mutants = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    mutants.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    mutants.setblocking(False)
    address = ('127.0.0.1', server.port)
    latencies = []
    problems = []
    answered = parse_failures = 0
    sent = 0
    try:
        while sent < MUTANTS:
            batch = {}
            for _ in range(min(BATCH, MUTANTS - sent)):
                wire = mutate(rng, rng.choice(pool), pool)
                if len(wire) >= 2:   # a unique ID, to match the response
                    qid = sent & 0xffff
                    wire = struct.pack('!H', qid) + wire[2:]
                    batch[qid] = wire
                try:
                    mutants.sendto(wire, address)
                except OSError:
                    pass   # EMSGSIZE and the like: the kernel refused, not the server
                sent += 1
            try:
                latencies.append(check_valid_answer(server.port, qid=0xfeed, timeout=VALID_TIMEOUT))
            except AssertionError as e:
                server.assert_alive('%d mutants' % sent)
                raise AssertionError('after %d mutants (seed %d): %s' % (sent, SEED, e))
            while True:
                try:
                    data = mutants.recv(65535)
                except BlockingIOError:
                    break
                answered += 1
                qid = struct.unpack('!H', data[:2])[0] if len(data) >= 2 else None
                query = batch.get(qid)
                if query is None:
                    continue   # answer to an earlier batch, after the valid query
                if len(query) < 12 or query[2] & 0x80:
                    problems.append('answered a query that must be dropped: %s -> %s'
                                    % (query.hex(), data[:48].hex()))
                elif len(data) >= 12 and struct.unpack('!H', data[6:8])[0] > 0 \
                        and not strict_question_ok(query):
                    problems.append('data for a broken question: %s -> %s'
                                    % (query.hex(), data[:48].hex()))
                if len(data) >= 4 and (data[2] >> 3) & 0xf not in (0, 1, 2, 4, 5):
                    continue   # dnspython cannot parse unassigned opcodes (NOTIMP echoes them)
                try:
                    dns.message.from_wire(data)
                except dns.exception.DNSException as e:
                    parse_failures += 1
                    if parse_failures <= 5:
                        problems.append('unparseable response (%s): %s -> %s'
                                        % (e.__class__.__name__, query.hex(), data.hex()))
        server.assert_alive('%d mutants' % sent)
    finally:
        mutants.close()
        status = server.stop()
    latencies.sort()
    print('  %d mutants (seed %d), %d answered; valid queries: %d, median %.2f ms, '
          'p99 %.2f ms, max %.2f ms' % (sent, SEED, answered, len(latencies),
                                        1000 * latencies[len(latencies) // 2],
                                        1000 * latencies[int(len(latencies) * 0.99)],
                                        1000 * latencies[-1]))
    if status != 0:
        problems.append('zoned exited with %d on SIGTERM' % status)
    if problems:
        raise AssertionError('\n'.join(problems[:20]))


if __name__ == '__main__':
    sys.exit(main([('mutated queries with valid ones interleaved', test_mutated_queries)]))
