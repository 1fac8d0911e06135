# hostile_rrl.py: response rate limiting under hostile traffic. A random-
# subdomain (NXDOMAIN) flood from one /24 is cut to its rate while a client
# in another /24 is answered in full; thousands of source prefixes churn a
# small table without growing memory or starving a real client; TCP is
# never limited.
import os
import random
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import dns.message  # noqa: E402
import dns.rcode  # noqa: E402

from zoned_e2e import (check_valid_answer, example_zone_text, main, make_query, serve_example,  # noqa: E402
                       tcp_query)

RATE = 5
CONFIG = ('options {\n  rate-limit {\n    responses-per-second %d;\n    nxdomains-per-second %d;\n'
          '    errors-per-second %d;\n    slip 2;\n    window 2;\n    max-table-size %%d;\n  };\n};\n'
          % (RATE, RATE, RATE))


def source_socket(address):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, 0))
    s.setblocking(False)
    return s


def drain(sock, wait):
    """Responses arriving within wait seconds of the last one: (full, truncated)."""
    full = truncated = 0
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65535)
        except BlockingIOError:
            time.sleep(0.005)
            continue
        deadline = time.monotonic() + wait
        if len(data) >= 4 and data[2] & 0x02:
            truncated += 1
        else:
            full += 1
    return full, truncated


def test_water_torture(workdir):
    server = serve_example(workdir, example_zone_text(1), extra_args=['-c', 'zoned.conf'], config=CONFIG % 1000)
    try:
        rng = random.Random(7)
        flood = source_socket('127.0.9.1')
        count = 600
        start = time.monotonic()
        for i in range(count):
            name = '%08x.example.' % rng.getrandbits(32)
            flood.sendto(make_query(name, 'A', qid=i).to_wire(), ('127.0.0.1', server.port))
            if i % 50 == 49:   # paced below what the socket buffer holds: RRL drops, not the kernel
                time.sleep(0.005)
            if i % 100 == 0:   # a client in another /24 meanwhile: not limited by the flood
                check_valid_answer(server.port, source='127.1.%d.1' % (i // 100))
        elapsed = time.monotonic() - start
        full, truncated = drain(flood, 0.5)
        flood.close()
        print('  %d random NXDOMAIN names in %.2f s from 127.0.9.1: %d answered, %d truncated, '
              '%d dropped' % (count, elapsed, full, truncated, count - full - truncated))
        limit = RATE * (int(elapsed) + 3)   # the first second, the window's slack
        if full > limit:
            raise AssertionError('%d full NXDOMAIN answers, rate %d/s' % (full, RATE))
        if truncated == 0:
            raise AssertionError('slip 2 but no truncated answer')
        r = tcp_query(server.port, name='nothere.example.')
        if r.rcode() != dns.rcode.NXDOMAIN:
            raise AssertionError('TCP NXDOMAIN query got\n%s' % r)
    finally:
        server.stop()


def test_table_churn(workdir):
    server = serve_example(workdir, example_zone_text(1), extra_args=['-c', 'zoned.conf'], config=CONFIG % 2048)
    try:
        rss_before = server.status_kib('VmRSS')
        prefixes = 0
        query = make_query('www.example.', 'A', qid=0x4242).to_wire()
        for a in range(20, 36):
            for b in range(0, 250):
                s = source_socket('127.%d.%d.1' % (a, b))
                for _ in range(3):
                    s.sendto(query, ('127.0.0.1', server.port))
                s.close()
                prefixes += 1
                if prefixes % 50 == 0:   # paced: RRL drops, not the kernel's socket buffer
                    time.sleep(0.005)
            server.assert_alive('%d prefixes' % prefixes)
            # A new client (its own /24) each time: the churn must not starve it.
            check_valid_answer(server.port, source='127.2.%d.1' % a)
        rss_after = server.status_kib('VmRSS')
        print('  %d source /24s, 3 queries each, table of 2048: VmRSS %d -> %d KiB'
              % (prefixes, rss_before, rss_after))
        if rss_after - rss_before > 16 * 1024 and not server.sanitized:
            raise AssertionError('VmRSS grew by %d KiB' % (rss_after - rss_before))
        latencies = [check_valid_answer(server.port, qid=0x1000 + i, source='127.3.0.1')
                     for i in range(RATE)]
        print('  a fresh client after the churn: %d queries answered, slowest %.1f ms'
              % (RATE, 1000 * max(latencies)))
    finally:
        server.stop()


if __name__ == '__main__':
    sys.exit(main([
        ('random-subdomain flood against rate limiting', test_water_torture),
        ('table churn from 4000 source prefixes', test_table_churn),
    ]))
