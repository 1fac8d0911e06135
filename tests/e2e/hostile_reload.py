# hostile_reload.py: a zone file replaced by something broken (cut short,
# binary garbage, one very long line, empty, gone) is rejected on SIGHUP
# with a clear error while the previous zone keeps serving; 100 SIGHUP
# reloads under query load lose no query and keep VmRSS flat.
import os
import shutil
import signal
import sys
import threading
import time

import dns.message
import dns.rcode

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from zoned_e2e import (example_zone_text, main, make_query, serve_example, udp_exchange, write)

LONG_LINE_MIB = int(os.environ.get('HOSTILE_LONG_LINE_MIB', '64'))
RELOADS = 100
FILLER_RECORDS = 2000
RSS_FLAT_KIB = 4 * 1024


def serial(server):
    data = udp_exchange(server.port, make_query('example.', 'SOA', qid=0x5ea1).to_wire(), 1)
    if data is None:
        raise AssertionError('SOA query unanswered')
    r = dns.message.from_wire(data)
    if r.rcode() != dns.rcode.NOERROR or not r.answer:
        raise AssertionError('SOA query got\n%s' % r)
    return r.answer[0][0].serial


def broken_zones(good):
    """(description, writer) pairs; each writer breaks the file at path."""
    def in_place(data):
        def write(path):
            with open(path, 'wb') as f:   # O_TRUNC and a partial write: a writer mid-way
                f.write(data)
        return write

    def long_line(path):
        with open(path, 'wb') as f:
            f.write(good[:200])
            f.write(b'\nlong TXT "')
            chunk = b'y' * (1 << 20)
            for _ in range(LONG_LINE_MIB):
                f.write(chunk)
            f.write(b'"\n')

    yield 'cut inside a record', in_place(good[:good.index(b'hostmaster') + 4])
    yield 'cut inside a parenthesis', in_place(good + b'extra TXT ( "a"\n')
    yield 'binary garbage', in_place(bytes((i * 7 + 13) % 256 for i in range(65536)))
    yield 'NUL bytes', in_place(good[:120] + b'\x00' * 4096)
    yield 'empty file', in_place(b'')
    yield 'no SOA', in_place(good[good.index(b'@ IN NS'):])
    yield 'a %d MiB line' % LONG_LINE_MIB, long_line
    yield 'file removed', os.unlink


def test_broken_replacements(workdir):
    good = example_zone_text(1).encode()
    server = serve_example(workdir, good.decode())
    try:
        if shutil.disk_usage(server.workdir).free < (LONG_LINE_MIB + 512) << 20:
            raise AssertionError('not enough disk for the long-line case')
        if serial(server) != 1:
            raise AssertionError('serial 1 not served at start')
        for description, breaker in broken_zones(good):
            log_before = len(server.log())
            breaker(server.zone_path)
            start = time.monotonic()
            server.reload(timeout=60)
            took = time.monotonic() - start
            server.assert_alive(description)
            new_log = server.log()[log_before:]
            if serial(server) != 1:
                raise AssertionError('%s: the previous zone is no longer served' % description)
            if 'example' not in new_log or 'fail' not in new_log.lower():
                raise AssertionError('%s: no clear error in the log:\n%s' % (description, new_log))
            first_error = [line for line in new_log.splitlines() if line.strip()][:3]
            print('  %-26s rejected in %.2f s: %s' % (description, took, ' | '.join(first_error)[:200]))
        write(server.zone_path, example_zone_text(2))
        server.reload()
        if serial(server) != 2:
            raise AssertionError('a good zone after the broken ones was not loaded')
    finally:
        server.stop()


class QueryLoad(threading.Thread):
    """Queries www.example. A over UDP back to back; records every failure."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop_event = threading.Event()
        self.count = 0
        self.failures = []

    def run(self):
        qid = 0
        while not self.stop_event.is_set():
            qid = (qid + 1) & 0xffff
            wire = make_query('www.example.', 'A', qid=qid).to_wire()
            data = udp_exchange(self.port, wire, 1.0)
            self.count += 1
            if data is None:
                self.failures.append('query %d unanswered within 1 s' % self.count)
                continue
            r = dns.message.from_wire(data)
            if r.rcode() != dns.rcode.NOERROR or not r.answer or \
                    r.answer[0][0].address != '192.0.2.2':
                self.failures.append('query %d: %s' % (self.count, r))


def filler(count):
    return ''.join('host%d IN A 198.51.100.%d\n' % (i, i % 250 + 1) for i in range(count))


def test_reloads_under_load(workdir):
    server = serve_example(workdir, example_zone_text(1, filler(FILLER_RECORDS)))
    load = QueryLoad(server.port)
    load.start()
    samples = []
    try:
        for n in range(1, RELOADS + 1):
            write(server.zone_path, example_zone_text(n + 1, filler(FILLER_RECORDS)))
            server.reload()
            if n in (10, 50, RELOADS):
                samples.append((n, server.status_kib('VmRSS')))
        got = serial(server)
        if got != RELOADS + 1:
            raise AssertionError('serial %d after %d reloads' % (got, RELOADS))
    finally:
        load.stop_event.set()
        load.join(5)
        status = server.stop()
    print('  %d reloads, %d queries during them, VmRSS after reload %s'
          % (RELOADS, load.count, ', '.join('%d: %d KiB' % s for s in samples)))
    if load.failures:
        raise AssertionError('%d failed queries:\n%s' % (len(load.failures),
                                                       '\n'.join(load.failures[:10])))
    if status != 0:
        raise AssertionError('zoned exited with %d' % status)
    if server.sanitized:
        print('  (ASan build: VmRSS not checked, LeakSanitizer checked the exit)')
    elif samples[-1][1] - samples[0][1] > RSS_FLAT_KIB:
        raise AssertionError('VmRSS grew from %d to %d KiB' % (samples[0][1], samples[-1][1]))


def test_reload_while_rewriting(workdir):
    """SIGHUPs land while the file is being rewritten in place, piece by piece:
    each reload sees some prefix of the new file, loads it or rejects it,
    and queries never fail; once the file is complete the new zone loads."""
    server = serve_example(workdir, example_zone_text(1, filler(FILLER_RECORDS)))
    load = QueryLoad(server.port)
    load.start()
    outcomes = {'loaded': 0, 'rejected': 0}
    try:
        for round_number in range(2, 12):
            text = example_zone_text(round_number, filler(FILLER_RECORDS)).encode()
            with open(server.zone_path, 'wb') as f:    # truncated first, as `>` does
                for at in range(0, len(text), len(text) // 7 + 1):
                    f.write(text[at:at + len(text) // 7 + 1])
                    f.flush()
                    log_before = len(server.log())
                    server.reload()
                    new_log = server.log()[log_before:]
                    outcomes['rejected' if 'reload failed' in new_log else 'loaded'] += 1
            server.reload()
            got = serial(server)
            if got != round_number:
                raise AssertionError('serial %d served after the complete file %d' % (got, round_number))
        server.assert_alive('reloads during rewrites')
    finally:
        load.stop_event.set()
        load.join(5)
        server.stop()
    print('  %d reloads of partly written files: %d loaded, %d rejected; %d queries'
          % (sum(outcomes.values()), outcomes['loaded'], outcomes['rejected'], load.count))
    if load.failures:
        raise AssertionError('%d failed queries:\n%s' % (len(load.failures),
                                                       '\n'.join(load.failures[:10])))


if __name__ == '__main__':
    sys.exit(main([
        ('broken zone files on SIGHUP', test_broken_replacements),
        ('%d SIGHUP reloads under query load' % RELOADS, test_reloads_under_load),
        ('SIGHUP while the zone file is being rewritten', test_reload_while_rewriting),
    ]))
