# xfr_in_limits.py: what limits zoned's secondary side, end to end, with a
# small dnspython primary (xfr_in.py's HostilePrimary, here sending each
# transfer slowly) on loopback: notify primary-only announces a primary
# zone's new serial to also-notify and a secondary zone's to nobody;
# transfers-in 1 makes the second of two zones notified at once wait until
# the first transfer is over (the primary never sends two at once) and both
# reach the new serial, while the default (10) lets them run side by side,
# and a reload that raises the limit starts the one queued; the gauges
# zoned_transfers_in and zoned_transfers_in_queued count them meanwhile;
# max-transfer-time-in and max-transfer-idle-in end a transfer that
# trickles or stalls, and its place under transfers-in is free again.
import os
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403
from notify import Listener  # noqa: E402
from metrics import scrape, value  # noqa: E402
from xfr_in import HostilePrimary, notify, serial_of, wait_log, wait_serial, zoned_conf  # noqa: E402,E501

import dns.rcode  # noqa: E402


def test_notify_primary_only(workdir):
    """notify primary-only (options): the primary zone's new versions are
    announced to also-notify, the secondary zone's are not (BIND's meaning)."""
    primary = HostilePrimary()
    listener = Listener()
    try:
        write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 7))
        write(os.path.join(workdir, 'zoned.conf'), zoned_conf(primary.port).replace(
            'notify no;', 'notify primary-only; also-notify { 127.0.0.1 port %d; };'
            % listener.port) + 'zone "a.test" { type primary; file "a.test.zone"; };\n')
        z = start_zoned(workdir, ['-c', 'zoned.conf', '-t', '2'], clean_exit=True)
        wait_serial(z.port, 1, 10, z.log())
        primary.serial = 2
        notify(z.port)
        wait_serial(z.port, 2, 5, z.log())
        got = listener.collect(2)
        for _, message, sender in got:
            listener.answer(message, sender)
        names = sorted(set(m.question[0].name.to_text() for _, m, _ in got))
        assert names == ['a.test.'], names
        assert 'zone example: sending NOTIFY' not in z.log(), z.log()
        assert z.stop() == 0
    finally:
        primary.close()
        listener.close()


def two_secondaries_conf(workdir, primary, limit, metrics_port=None, extra=''):
    """zoned.conf: a.test. and b.test., both secondary zones of primary;
    the counters on metrics_port; extra in the options."""
    zones = ''.join('zone "%s" { type secondary; primaries { 127.0.0.1 port %d; }; '
                    'file "%s.db"; };\n' % (name, primary.port, name)
                    for name in ('a.test', 'b.test'))
    options = 'options { directory "."; notify no; %s %s };\n' % (
        'transfers-in %d;' % limit if limit else '', extra)
    channel = ('statistics-channels { inet 127.0.0.1 port %d allow { 127.0.0.1; }; };\n'
               % metrics_port if metrics_port else '')
    write(os.path.join(workdir, 'zoned.conf'), options + zones + channel)


def start_two_secondaries(workdir, primary, limit, metrics_port=None, extra=''):
    two_secondaries_conf(workdir, primary, limit, metrics_port, extra)
    return start_zoned(workdir, ['-c', 'zoned.conf', '-t', '2'], clean_exit=True)


def notify_both_and_wait(z, primary, serial):
    """Both zones notified at once: both at the new serial. Returns the log lines since."""
    before = len(z.log().splitlines())
    primary.serial = serial
    del primary.spans[:]
    for name in ('a.test.', 'b.test.'):
        assert notify(z.port, name=name).rcode() == dns.rcode.NOERROR
    for name in ('a.test.', 'b.test.'):
        wait_serial(z.port, serial, 10, z.log(), origin=name)
        # Logged once the saved copy is written, just after the version is served.
        wait_log(z, 'zone %s: transferred serial %d ' % (name.rstrip('.'), serial), 2)
    return z.log().splitlines()[before:]


def transfer_gauges(port):
    """zoned_transfers_in and zoned_transfers_in_queued of one scrape."""
    samples, types = scrape(port)
    assert types['zoned_transfers_in'] == types['zoned_transfers_in_queued'] == 'gauge'
    return value(samples, 'zoned_transfers_in'), value(samples, 'zoned_transfers_in_queued')


def test_transfers_in(workdir):
    """transfers-in 1: of two zones notified at once, the second transfer
    waits in the queue and starts when the first is over (the primary never
    sends two at once); both reach the new serial. Without the statement
    (BIND's default, 10) the two run side by side."""
    primary = HostilePrimary()
    primary.delay = 0.2   # 6 messages: a transfer takes over a second

    def overlapping():
        (start1, end1), (start2, end2) = sorted(primary.spans)
        return start2 < end1
    try:
        z = start_two_secondaries(workdir, primary, 1)
        for name in ('a.test.', 'b.test.'):
            wait_serial(z.port, 1, 10, z.log(), origin=name)
        assert not overlapping(), primary.spans
        lines = notify_both_and_wait(z, primary, 2)
        assert not overlapping(), primary.spans
        queued = [line for line in lines if 'queued: transfers-in (1) reached' in line]
        assert len(queued) == 1, lines
        second = 'a.test' if 'zone a.test:' in queued[0] else 'b.test'
        first = 'b.test' if second == 'a.test' else 'a.test'

        def at(text):
            found = [i for i, line in enumerate(lines) if text in line]
            assert len(found) == 1, (text, lines)
            return found[0]
        started = 'zone %s: transfer from 127.0.0.1#%d starting after' % (second, primary.port)
        assert (at('zone %s: transferred serial 2 ' % first) < at(started)
                < at('zone %s: transferred serial 2 ' % second)), lines
        assert z.stop() == 0
        z = start_two_secondaries(workdir, primary, None)
        for name in ('a.test.', 'b.test.'):
            wait_serial(z.port, 2, 10, z.log(), origin=name)
        lines = notify_both_and_wait(z, primary, 3)
        assert overlapping(), primary.spans
        assert not [line for line in lines if 'queued' in line], lines
        assert z.stop() == 0
        # A reload that raises the limit starts the transfer queued at once.
        metrics_port = free_port()
        z = start_two_secondaries(workdir, primary, 1, metrics_port)
        for name in ('a.test.', 'b.test.'):
            wait_serial(z.port, 3, 10, z.log(), origin=name)
        primary.serial = 4
        primary.delay = 0.5   # the first transfer runs for 2.5 s: the reload comes within
        del primary.spans[:]
        for name in ('a.test.', 'b.test.'):
            notify(z.port, name=name)
        wait_log(z, 'queued: transfers-in (1) reached', 5)
        # The counters say so meanwhile.
        assert transfer_gauges(metrics_port) == (1, 1)
        two_secondaries_conf(workdir, primary, 2, metrics_port)
        z.reload()
        for name in ('a.test.', 'b.test.'):
            wait_serial(z.port, 4, 10, z.log(), origin=name)
            wait_log(z, 'zone %s: transferred serial 4 ' % name.rstrip('.'), 2)
        assert overlapping(), primary.spans
        assert transfer_gauges(metrics_port) == (0, 0)
        assert z.stop() == 0
    finally:
        primary.close()


def test_transfer_time_limits(workdir):
    """max-transfer-time-in 2s: a primary sending its 6 messages 0.6 s apart
    (each gap within the idle limit) is cut off after 2 s; max-transfer-idle-in
    1s: one pausing 1.5 s between messages after 1 s. Each time the version
    served stays, and with transfers-in 1 the other zone's transfer, notified
    next, is not kept waiting: the place was given back."""
    primary = HostilePrimary()
    try:
        z = start_two_secondaries(workdir, primary, 1, extra='max-transfer-time-in 2s; '
                                  'max-transfer-idle-in 1s;')
        for name in ('a.test.', 'b.test.'):
            wait_serial(z.port, 1, 10, z.log(), origin=name)
        cases = [(0.6, 'not over after 2 s (max-transfer-time-in), '),
                 (1.5, 'nothing received for 1 s (max-transfer-idle-in)')]
        for serial, (delay, reason) in enumerate(cases, start=2):
            primary.serial = serial
            primary.delay = delay
            started = time.monotonic()
            assert notify(z.port, name='a.test.').rcode() == dns.rcode.NOERROR
            wait_log(z, 'zone a.test: IXFR from 127.0.0.1#%d failed: %s' % (primary.port, reason),
                     5)
            took = time.monotonic() - started
            print([line for line in z.log().splitlines() if reason in line][0])
            assert took < 2 + 1 * TIME_SCALE, took
            assert serial_of(z.port, 'a.test.') == serial - 1, z.log()
            primary.delay = 0
            assert notify(z.port, name='b.test.').rcode() == dns.rcode.NOERROR
            wait_serial(z.port, serial, 5, z.log(), origin='b.test.')
            assert notify(z.port, name='a.test.').rcode() == dns.rcode.NOERROR
            wait_serial(z.port, serial, 5, z.log(), origin='a.test.')
        assert z.stop() == 0
    finally:
        primary.close()


if __name__ == '__main__':
    sys.exit(main([test_notify_primary_only, test_transfers_in, test_transfer_time_limits]))
