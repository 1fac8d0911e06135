# hostile_tcp.py: TCP abuse (RFC 7766): short messages behind a long length
# prefix, zero-length messages, slow-drip writers, hundreds of idle
# connections and a client that never reads: UDP keeps answering, a new
# TCP client is still served, memory and descriptors stay bounded. A
# message is due within tcp-idle-timeout (a client dripping octets is
# closed then), a client pausing between complete messages is not.
import resource
import select
import socket
import struct
import sys
import time

import dns.message
import dns.rcode

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from zoned_e2e import (TIME_SCALE, big_txt, check_valid_answer, example_zone_text, main, make_query,
                       serve_example, tcp_connect, tcp_frame, tcp_query, tcp_read)

IDLE_CONNECTIONS = 400
RSS_GROWTH_LIMIT_KIB = 48 * 1024


def assert_still_serving(server, what):
    server.assert_alive(what)
    check_valid_answer(server.port)
    r = tcp_query(server.port)
    if r.rcode() != dns.rcode.NOERROR or not r.answer:
        raise AssertionError('%s: a new TCP client got\n%s' % (what, r))


def wait_closed_or_answer(sock, timeout):
    """'closed', 'answered' or 'open' (nothing within timeout)."""
    sock.settimeout(timeout)
    try:
        data = tcp_read(sock)
    except socket.timeout:
        return 'open'
    except ConnectionResetError:
        return 'closed'
    return 'closed' if data is None else 'answered'


def test_short_message_behind_long_prefix(workdir):
    server = serve_example(workdir, example_zone_text(1))
    try:
        held = []
        for promised in (512, 65535, 13):
            s = tcp_connect(server.port)
            s.sendall(struct.pack('!H', promised) + b'\x12\x34' + b'\x00' * 10)
            held.append(s)
        assert_still_serving(server, 'length prefixes promising more than was sent')
        for s in held:
            s.close()
        assert_still_serving(server, 'closing the half-sent connections')
    finally:
        server.stop()


def test_zero_length_messages(workdir):
    server = serve_example(workdir, example_zone_text(1))
    try:
        s = tcp_connect(server.port)
        s.sendall(b'\x00\x00' * 3 + tcp_frame(make_query('www.example.', 'A').to_wire()))
        outcome = wait_closed_or_answer(s, 2)
        print('  zero-length messages then a query: %s' % outcome)
        s.close()
        if outcome == 'open':
            raise AssertionError('neither answered nor closed after zero-length messages')
        garbage = tcp_connect(server.port)
        garbage.sendall(b'\xff\xff' + bytes(range(256)) * 256)
        outcome = wait_closed_or_answer(garbage, 2)
        print('  65535 octets of garbage: %s' % outcome)
        garbage.close()
        assert_still_serving(server, 'zero-length and garbage messages')
    finally:
        server.stop()


def test_slow_drip_writer(workdir):
    server = serve_example(workdir, example_zone_text(1))
    try:
        wire = tcp_frame(make_query('www.example.', 'A', qid=0x7777).to_wire())
        s = tcp_connect(server.port)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.monotonic()
        for i, octet in enumerate(wire):
            s.send(bytes([octet]))
            if i % 8 == 0:   # meanwhile everybody else is served
                check_valid_answer(server.port)
            time.sleep(0.02)
        s.settimeout(3)
        data = tcp_read(s)
        s.close()
        if data is None:
            raise AssertionError('slow-drip query not answered')
        r = dns.message.from_wire(data)
        if r.id != 0x7777 or not r.answer:
            raise AssertionError('slow-drip query got\n%s' % r)
        print('  %d octets one by one over %.1f s: answered' % (len(wire), time.monotonic() - start))
    finally:
        server.stop()


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, needed), hard))


def test_idle_connections(workdir):
    raise_fd_limit(IDLE_CONNECTIONS + 100)
    server = serve_example(workdir, example_zone_text(1))
    try:
        assert_still_serving(server, 'start')
        rss_before = server.status_kib('VmRSS')
        fds_before = server.open_fds()
        idle = []
        for i in range(IDLE_CONNECTIONS):
            s = tcp_connect(server.port)
            if i % 3 == 1:
                s.sendall(b'\x00')              # half a length prefix
            elif i % 3 == 2:
                s.sendall(b'\x00\x40' + b'\x00' * 20)  # part of a message
            idle.append(s)
        time.sleep(0.3)
        assert_still_serving(server, '%d idle connections' % IDLE_CONNECTIONS)
        rss_during = server.status_kib('VmRSS')
        fds_during = server.open_fds()
        for s in idle:
            s.close()
        deadline = time.monotonic() + 3
        while server.open_fds() > fds_before + 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        fds_after = server.open_fds()
        assert_still_serving(server, 'closing the idle connections')
        print('  %d idle: VmRSS %d -> %d KiB, descriptors %d -> %d -> %d'
              % (IDLE_CONNECTIONS, rss_before, rss_during, fds_before, fds_during, fds_after))
        if rss_during - rss_before > RSS_GROWTH_LIMIT_KIB and not server.sanitized:
            raise AssertionError('VmRSS grew by %d KiB' % (rss_during - rss_before))
        if fds_after > fds_before + 5:
            raise AssertionError('%d descriptors left after the clients closed' % fds_after)
    finally:
        server.stop()


def test_client_that_never_reads(workdir):
    server = serve_example(workdir, example_zone_text(1, big_txt()))
    try:
        rss_before = server.status_kib('VmRSS')
        s = tcp_connect(server.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        query = tcp_frame(make_query('big.example.', 'TXT').to_wire())
        pending = query * 4000      # about 16 MiB of answers nobody reads
        sent = 0
        deadline = time.monotonic() + 3
        while sent < len(pending) and time.monotonic() < deadline:
            try:
                sent += s.send(pending[sent:sent + 65536])
            except BlockingIOError:
                time.sleep(0.01)
        time.sleep(0.3)
        rss_during = server.status_kib('VmRSS')
        assert_still_serving(server, 'a client that never reads')
        print('  %d of %d query octets accepted; VmRSS %d -> %d KiB'
              % (sent, len(pending), rss_before, rss_during))
        s.close()
        if rss_during - rss_before > RSS_GROWTH_LIMIT_KIB and not server.sanitized:
            raise AssertionError('VmRSS grew by %d KiB for one non-reading client'
                                 % (rss_during - rss_before))
        assert_still_serving(server, 'closing the non-reading client')
    finally:
        server.stop()


def test_out_of_descriptors(workdir):
    """RLIMIT_NOFILE 48 and 80 clients: accepting pauses instead of spinning
    (libevent's listener retries EMFILE at once otherwise), UDP is answered,
    and TCP is served again once the clients leave."""
    server = serve_example(workdir, example_zone_text(1), nofile=48)
    clients = []
    try:
        for _ in range(80):
            try:
                clients.append(tcp_connect(server.port, timeout=1))
            except OSError:
                break
        time.sleep(0.2)
        cpu_before = server.cpu_seconds()
        time.sleep(2)
        cpu_used = server.cpu_seconds() - cpu_before
        server.assert_alive('running out of descriptors')
        check_valid_answer(server.port)
        print('  %d clients, %d descriptors in use, %.2f s CPU in 2 s'
              % (len(clients), server.open_fds(), cpu_used))
        if cpu_used > 0.5:
            raise AssertionError('spinning while out of descriptors: %.2f s CPU in 2 s' % cpu_used)
        for s in clients:
            s.close()
        clients = []
        deadline = time.monotonic() + 5
        while True:
            try:
                r = tcp_query(server.port, timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError('TCP not served again after the clients left')
        if not r.answer:
            raise AssertionError('TCP after the clients left got\n%s' % r)
    finally:
        for s in clients:
            s.close()
        server.stop()


def closed_by_server(sock):
    sock.setblocking(False)
    try:
        return sock.recv(1) == b''
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def test_idle_timeout_and_cap(workdir):
    """tcp-idle-timeout 10 (1 s) closes idle and half-sent connections;
    tcp-clients 20 makes room for new clients by closing the oldest."""
    config = 'options { tcp-idle-timeout 10; tcp-clients 20; };\n'
    server = serve_example(workdir, example_zone_text(1), extra_args=['-c', 'zoned.conf'], config=config)
    held = []
    try:
        idle = tcp_connect(server.port)
        half = tcp_connect(server.port)
        half.sendall(b'\x01\x00' + b'\x00' * 30)
        time.sleep(2.5)
        if not closed_by_server(idle) or not closed_by_server(half):
            raise AssertionError('idle or half-sent connection still open after 2.5 s '
                                 'with a 1 s idle timeout')
        idle.close()
        half.close()
        for _ in range(40):
            held.append(tcp_connect(server.port))
        time.sleep(0.3)
        r = tcp_query(server.port)
        if not r.answer:
            raise AssertionError('new client at the cap got\n%s' % r)
        closed = sum(1 for s in held if closed_by_server(s))
        print('  idle and half-sent closed within 2.5 s; 40 clients at cap 20: %d closed, '
              'new client served' % closed)
        if closed < 20:
            raise AssertionError('only %d of 40 connections closed with tcp-clients 20' % closed)
    finally:
        for s in held:
            s.close()
        server.stop()


# The message deadline in the tests below: 2 s (stretched with the time scale).
DEADLINE_TENTHS = min(1200, int(20 * TIME_SCALE))
DEADLINE = DEADLINE_TENTHS / 10


def serve_with_deadline(workdir):
    config = 'options { tcp-idle-timeout %d; };\n' % DEADLINE_TENTHS
    return serve_example(workdir, example_zone_text(1), extra_args=['-c', 'zoned.conf'],
                         config=config)


def drip_until_closed(sock, wire, interval):
    """Sends wire one octet per interval; returns the seconds from the first
    octet until the server closed, or None if all of it was sent and answered."""
    start = time.monotonic()
    for octet in wire[:-1]:
        try:
            sock.send(bytes([octet]))
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - start
        readable, _, _ = select.select([sock], [], [], interval)
        if readable:
            try:
                data = sock.recv(65535)
            except ConnectionResetError:
                data = b''
            if data == b'':
                return time.monotonic() - start
            raise AssertionError('answer to an incomplete message: %r' % data)
    try:
        sock.send(wire[-1:])
    except (BrokenPipeError, ConnectionResetError):
        return time.monotonic() - start
    sock.settimeout(3 * TIME_SCALE)
    if tcp_read(sock) is None:
        return time.monotonic() - start
    return None


def assert_closed_by_deadline(elapsed, what):
    if elapsed is None:
        raise AssertionError('%s: not closed, the dripped query was answered' % what)
    # Roughly the deadline: not an idle timeout restarted by each octet (held
    # until the whole query is in, 3x the deadline or more), nor much earlier.
    if not 0.7 * DEADLINE <= elapsed <= 1.6 * DEADLINE:
        raise AssertionError('%s: closed after %.1f s with a %.1f s deadline'
                             % (what, elapsed, DEADLINE))


def test_dripping_client_closed(workdir):
    """One octet per 0.3 s of a valid query (about 9 s for all of it) is
    closed after the deadline: as the first message, and after an answered one."""
    server = serve_with_deadline(workdir)
    try:
        wire = tcp_frame(make_query('www.example.', 'A', qid=0x7777).to_wire())
        first = tcp_connect(server.port)
        first.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        elapsed_first = drip_until_closed(first, wire, 0.3 * TIME_SCALE)
        first.close()
        assert_closed_by_deadline(elapsed_first, 'dripping the first message')
        later = tcp_connect(server.port)
        later.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        later.sendall(wire)
        if tcp_read(later) is None:
            raise AssertionError('complete query before the drip not answered')
        elapsed_later = drip_until_closed(later, wire, 0.3 * TIME_SCALE)
        later.close()
        assert_closed_by_deadline(elapsed_later, 'dripping the second message')
        assert_still_serving(server, 'dripping clients')
        print('  %d octets at 0.3 s each, deadline %.1f s: closed after %.1f s (first '
              'message) and %.1f s (after an answer)'
              % (len(wire), DEADLINE, elapsed_first, elapsed_later))
    finally:
        server.stop()


def read_answers(sock, qids, what):
    for qid in qids:
        data = tcp_read(sock)
        if data is None:
            raise AssertionError('%s: closed before the answer to %#x' % (what, qid))
        r = dns.message.from_wire(data)
        if r.id != qid or not r.answer:
            raise AssertionError('%s: for %#x got\n%s' % (what, qid, r))


def test_pauses_between_messages(workdir):
    """Pipelined pairs of complete queries with pauses of 0.7x the deadline
    between them: one connection answered for 3.5x the deadline."""
    server = serve_with_deadline(workdir)
    try:
        s = tcp_connect(server.port)
        start = time.monotonic()
        pairs = 0
        while time.monotonic() - start < 3.5 * DEADLINE:
            qids = (0x1000 + 2 * pairs, 0x1001 + 2 * pairs)
            s.sendall(b''.join(tcp_frame(make_query('www.example.', 'A', qid=q).to_wire())
                               for q in qids))
            read_answers(s, qids, 'after %.1f s' % (time.monotonic() - start))
            pairs += 1
            time.sleep(0.7 * DEADLINE)
        s.close()
        print('  %d pipelined pairs over %.1f s with %.1f s pauses: all answered'
              % (pairs, time.monotonic() - start, 0.7 * DEADLINE))
    finally:
        server.stop()


def test_slow_messages_within_deadline(workdir):
    """Three queries, each dripped over about half the deadline after a short
    pause: every one answered, though together they take longer than it."""
    server = serve_with_deadline(workdir)
    try:
        s = tcp_connect(server.port)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.monotonic()
        for i in range(3):
            time.sleep(0.1 * DEADLINE)
            wire = tcp_frame(make_query('www.example.', 'A', qid=0x2000 + i).to_wire())
            interval = 0.5 * DEADLINE / len(wire)
            for octet in wire:
                s.send(bytes([octet]))
                time.sleep(interval)
            read_answers(s, (0x2000 + i,), 'slow query %d' % i)
        s.close()
        print('  3 queries dripped over %.1f s each, %.1f s in all: answered'
              % (0.5 * DEADLINE, time.monotonic() - start))
    finally:
        server.stop()


if __name__ == '__main__':
    sys.exit(main([
        ('length prefix promising more than is sent', test_short_message_behind_long_prefix),
        ('zero-length and garbage messages', test_zero_length_messages),
        ('slow-drip writer', test_slow_drip_writer),
        ('%d idle connections' % IDLE_CONNECTIONS, test_idle_connections),
        ('client that never reads its answers', test_client_that_never_reads),
        ('out of descriptors (RLIMIT_NOFILE 48)', test_out_of_descriptors),
        ('idle timeout and connection cap', test_idle_timeout_and_cap),
        ('dripping client closed at the message deadline', test_dripping_client_closed),
        ('pauses between complete messages', test_pauses_between_messages),
        ('slow messages within the deadline', test_slow_messages_within_deadline),
    ]))
