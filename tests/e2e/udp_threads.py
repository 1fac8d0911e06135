# udp_threads.py: each worker's UDP thread (net_udp.c) sleeps in recvmmsg
# (one address) or poll (several) outside the event loop: reloads do not
# wait for a sleeping thread and every thread serves the new zone after one,
# with queries flowing on every address no query is lost across reloads,
# SIGTERM wakes the sleeping threads, and -t N runs 2N query threads.
import os
import signal
import socket
import sys
import threading
import time

import dns.message
import dns.rcode

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import (TIME_SCALE, Zoned, free_port, have_ipv6_loopback, main,  # noqa: E402
                       make_query, skip, write, zone_text)

RELOADS = 20


def address_of(server, address, qid):
    """The A record of www.example. asked over UDP at address; None if unanswered."""
    family = socket.AF_INET6 if ':' in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(1 * TIME_SCALE)
        s.sendto(make_query('www.example.', 'A', qid=qid).to_wire(),
                 (address, server.port))
        try:
            data, _ = s.recvfrom(65535)
        except socket.timeout:
            return None
    r = dns.message.from_wire(data)
    assert r.rcode() == dns.rcode.NOERROR, r
    return r.answer[0][0].address


def serve(workdir, addresses, threads):
    """zoned -t threads on every address of addresses, serving example. (www at 192.0.2.2)."""
    zone_path = os.path.join(workdir, 'example.zone')
    write(zone_path, zone_text('example', 1))
    port = free_port()
    args = ['-p', str(port), '-t', str(threads), '-z', 'example.:' + zone_path]
    for address in addresses:
        args = ['-a', address] + args
    z = Zoned(args, workdir, clean_exit=True)
    z.port = port
    z.zone_path = zone_path
    return z


def thread_counts(server):
    """(threads, UDP threads: those net_udp.c names zoned-udp) of server,
    not counting ThreadSanitizer's background thread."""
    names = []
    for task in os.listdir('/proc/%d/task' % server.pid):
        with open('/proc/%d/task/%s/comm' % (server.pid, task)) as f:
            names.append(f.read().strip())
    with open('/proc/%d/maps' % server.pid) as f:
        tsan = 'libtsan' in f.read()
    return len(names) - (1 if tsan else 0), names.count('zoned-udp')


def test_idle_threads_do_not_hold_reloads_or_stop(workdir):
    """One address: the UDP threads sleep in recvmmsg; reloads still finish
    at once and each serves the new zone; SIGTERM ends them promptly."""
    z = serve(workdir, ['127.0.0.1'], threads=3)
    # main + 3 workers, each an event thread and a UDP thread.
    assert thread_counts(z) == (7, 3), thread_counts(z)
    assert address_of(z, '127.0.0.1', 1) == '192.0.2.2'
    time.sleep(0.3)  # every UDP thread asleep in recvmmsg
    for serial in range(2, 7):
        write(z.zone_path, zone_text('example', serial).replace('192.0.2.2', '192.0.2.%d' % serial))
        start = time.monotonic()
        z.reload(timeout=5)
        took = time.monotonic() - start
        assert took < 2 * TIME_SCALE, 'reload took %.2f s' % took
        # Many source ports: SO_REUSEPORT spreads them over all three workers.
        for qid in range(12):
            got = address_of(z, '127.0.0.1', qid)
            assert got == '192.0.2.%d' % serial, (serial, qid, got)
    start = time.monotonic()
    assert z.stop() == 0
    took = time.monotonic() - start
    assert took < 3 * TIME_SCALE, 'stop took %.2f s' % took


def test_several_addresses_under_load_across_reloads(workdir):
    """127.0.0.1 and ::1: each UDP thread polls two sockets; with queries
    flowing on both during RELOADS reloads every query is answered, and
    the answers move to the new zone on both addresses."""
    if not have_ipv6_loopback():
        return skip('no ::1')
    z = serve(workdir, ['127.0.0.1', '::1'], threads=2)
    assert thread_counts(z) == (5, 2), thread_counts(z)
    stop = threading.Event()
    lost = []
    answered = [0]

    def load(address):
        qid = 0
        while not stop.is_set():
            qid = (qid + 1) & 0xffff
            if address_of(z, address, qid) is None:
                lost.append((address, qid))
            else:
                answered[0] += 1

    loaders = [threading.Thread(target=load, args=(a,)) for a in ('127.0.0.1', '::1')]
    for t in loaders:
        t.start()
    try:
        for serial in range(2, 2 + RELOADS):
            write(z.zone_path, zone_text('example', serial))
            z.reload(timeout=5)
    finally:
        stop.set()
        for t in loaders:
            t.join(10)
    assert not lost, 'unanswered: %s' % lost[:5]
    assert answered[0] > RELOADS, answered[0]
    write(z.zone_path, zone_text('example', 99).replace('192.0.2.2', '192.0.2.99'))
    z.reload(timeout=5)
    for address in ('127.0.0.1', '::1'):
        for qid in range(8):
            assert address_of(z, address, qid) == '192.0.2.99', address
    start = time.monotonic()
    assert z.stop(signal.SIGTERM) == 0
    took = time.monotonic() - start
    assert took < 3 * TIME_SCALE, 'stop took %.2f s' % took


if __name__ == '__main__':
    sys.exit(main([test_idle_threads_do_not_hold_reloads_or_stop,
                   test_several_addresses_under_load_across_reloads]))
