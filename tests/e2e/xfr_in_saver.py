# xfr_in_saver.py: a secondary's saved copy is written off the main
# thread. A zoned primary serves a zone of 400,000 records and a small one
# to a zoned secondary; after a 1-record change (IXFR) of the big zone, the
# secondary writes the whole zone as its saved copy (which takes a good
# fraction of a second), while zoned-control commands about the small
# zone, answered by the main thread, keep coming back within a fraction of
# that time. The log says "transferred serial" first, "saved copy ...
# written" once the copy is on disk; zoned stopped while a copy is being
# written finishes it first, and a restart with the primary down serves it.
import os
import re
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403
from xfr_in import notify, serial_of, wait_log, wait_serial  # noqa: E402

import dns.exception  # noqa: E402

RECORDS = 400000
PADDING = 'p' * 40   # bytes to write: the copy takes long enough to see a stall
CONTROL = os.path.join(TOP_BUILDDIR, 'src', 'zoned-control')


def big_zone(serial, changed):
    """big.test: RECORDS TXT records; `changed` names the one that differs per serial."""
    lines = ['$ORIGIN big.test.', '$TTL 300',
             '@ SOA ns1 hostmaster %d 3600 600 86400 300' % serial, '@ NS ns1',
             'ns1 A 192.0.2.1', 'changed TXT "%s"' % changed]
    lines += ['h%d TXT "host %d %s"' % (i, i, PADDING) for i in range(RECORDS)]
    return '\n'.join(lines) + '\n'


def primary_conf(secondary_port):
    return '''options { directory "."; allow-transfer { 127.0.0.1; };
	notify explicit; also-notify { 127.0.0.1 port %d; }; };
zone "big.test" { type primary; file "big.zone"; };
zone "small.test" { type primary; file "small.zone"; };
''' % secondary_port


def secondary_conf(primary_port, socket_path):
    zones = ''.join('''zone "%s" { type secondary; primaries { 127.0.0.1 port %d; };
	file "copy-%s.db"; };
''' % (name, primary_port, name) for name in ('big.test', 'small.test'))
    return '''options { directory "."; min-refresh-time 1; min-retry-time 1; notify no; };
controls { unix "%s" perm 0600 owner 0 group 0; };
''' % socket_path + zones


class Poller(threading.Thread):
    """zoned-control zonestatus small.test, one after another: each command's latency."""

    def __init__(self, socket_path):
        super().__init__(daemon=True)
        self.socket_path = socket_path
        self.latencies = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set() and len(self.latencies) < 10000:
            started = time.monotonic()
            out = subprocess.run([CONTROL, '-s', self.socket_path, 'zonestatus', 'small.test'],
                                 capture_output=True, text=True, timeout=30)
            assert 'type: secondary' in out.stdout, out
            self.latencies.append(time.monotonic() - started)

    def stop(self):
        self.stopping.set()
        self.join(60)


def start_pair(workdir):
    """A zoned primary of big.test and small.test, and a zoned secondary of
    both (with a control socket) that has taken serial 1 and saved it.
    Returns (primary, secondary, primary_dir, socket_path, big_copy)."""
    primary_dir = os.path.join(workdir, 'primary')
    os.makedirs(primary_dir)
    secondary_port = free_port()
    write(os.path.join(primary_dir, 'big.zone'), big_zone(1, 'one'))
    write(os.path.join(primary_dir, 'small.zone'), zone_text('small.test', 1))
    write(os.path.join(primary_dir, 'zoned.conf'), primary_conf(secondary_port))
    primary = start_zoned(primary_dir, ['-c', 'zoned.conf', '-t', '1'], clean_exit=True)
    socket_path = os.path.join(workdir, 'z.ctl')
    write(os.path.join(workdir, 'zoned.conf'), secondary_conf(primary.port, socket_path))
    z = start_secondary(workdir, secondary_port)
    big_copy = os.path.join(workdir, 'copy-big.test.db')
    wait_serial(z.port, 1, 30, z.log(), origin='big.test.')
    wait_serial(z.port, 1, 10, z.log(), origin='small.test.')
    wait_log(z, 'saved copy %s written: serial 1, %d records' % (big_copy, RECORDS + 4), 30)
    return primary, z, primary_dir, socket_path, big_copy


def start_secondary(workdir, port):
    z = Zoned(['-a', '127.0.0.1', '-p', str(port), '-c', 'zoned.conf', '-t', '1'], workdir,
              clean_exit=True)
    z.port = port
    return z


def test_saved_copy_off_main_thread(workdir):
    primary, z, primary_dir, socket_path, big_copy = start_pair(workdir)
    poller = Poller(socket_path)
    poller.start()
    time.sleep(0.5)   # a few commands answered before the change: the baseline
    before = len(poller.latencies)
    # One changed record at the primary: NOTIFY, IXFR, then the whole zone saved again.
    write(os.path.join(primary_dir, 'big.zone'), big_zone(2, 'two'))
    primary.reload()
    wait_log(z, 'saved copy %s written: serial 2,' % big_copy, 30)
    time.sleep(0.3)
    poller.stop()
    log = z.log()
    transferred = log.index('zone big.test: transferred serial 2 from')
    assert 'by IXFR: 1 difference sequences' in log[transferred:], log
    saved = re.search(r'saved copy %s written: serial 2, \d+ records, ([0-9.]+) s'
                      % re.escape(big_copy), log)
    save_seconds = float(saved.group(1))
    during = poller.latencies[before:]
    print('saved copy written in %.2f s; zoned-control answered %d times meanwhile, '
          'slowest %.3f s (before the change: %d times, slowest %.3f s)'
          % (save_seconds, len(during), max(during), before, max(poller.latencies[:before])))
    # Meaningful only if the copy takes long enough to see a stall.
    assert save_seconds >= 0.3, 'the copy took only %.2f s' % save_seconds
    # On the main thread the copy would hold one command for about its whole time.
    assert max(during) < save_seconds / 2, (save_seconds, during)
    # Served first, saved then.
    assert transferred < saved.start(), log
    assert not [f for f in os.listdir(workdir) if '.xfr-' in f]
    # Stopped while the next copy is being written: it is finished first.
    write(os.path.join(primary_dir, 'big.zone'), big_zone(3, 'three'))
    primary.reload()
    wait_log(z, 'zone big.test: transferred serial 3 from', 30)
    assert z.stop() == 0
    log = z.log()
    assert 'saved copy %s written: serial 3,' % big_copy in log, log
    assert 'finishing the saved copies of secondary zones before stopping' in log, log
    assert log.index('written: serial 3,') < log.index('stopped'), log
    assert not [f for f in os.listdir(workdir) if '.xfr-' in f]
    # The newest copy serves a restart with the primary down.
    assert primary.stop() == 0
    z = start_secondary(workdir, z.port)
    wait_serial(z.port, 3, 10, z.log(), origin='big.test.')
    r = query('changed.big.test.', 'TXT', z.port)
    assert r.answer and r.answer[0][0].strings == (b'three',), r
    assert z.stop() == 0


class Notifier(threading.Thread):
    """NOTIFY for big.test from the primary's address every 50 ms: refreshes asked for."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(0.05):
            try:
                notify(self.port, name='big.test.')
            except (dns.exception.Timeout, OSError):
                pass

    def stop(self):
        self.stopping.set()
        self.join(10)


def test_axfr_built_off_main_thread(workdir):
    """A retransfer of the big zone: its version is built on a thread of its
    own while the main thread answers zoned-control; the NOTIFYs that come
    meanwhile start no second transfer (one refresh follows this one)."""
    primary, z, primary_dir, socket_path, big_copy = start_pair(workdir)
    poller = Poller(socket_path)
    poller.start()
    time.sleep(0.5)
    before = len(poller.latencies)
    notifier = Notifier(z.port)
    notifier.start()
    out = subprocess.run([CONTROL, '-s', socket_path, 'retransfer', 'big.test'],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout == 'zone big.test: retransfer (AXFR) started\n', out
    pattern = r'zone big.test: transferred serial 1 from [^ ]+ by AXFR: %d records in \d+ ' \
              r'messages, ([0-9.]+) s' % (RECORDS + 4)
    deadline = time.monotonic() + 30 * TIME_SCALE
    while len(re.findall(pattern, z.log())) < 2:
        assert time.monotonic() < deadline, z.log()
        time.sleep(0.05)
    notifier.stop()
    wait_log(z, 'saved copy %s written: serial 1,' % big_copy, 30)
    time.sleep(0.5)   # the refresh asked for meanwhile: a SOA query, nothing newer
    poller.stop()
    log = z.log()
    transfer_seconds = float(re.findall(pattern, log)[1])
    during = poller.latencies[before:]
    print('AXFR received and built in %.2f s; zoned-control answered %d times meanwhile, '
          'slowest %.3f s' % (transfer_seconds, len(during), max(during)))
    assert 'zone big.test: NOTIFY received, refreshing' in log, log
    assert len(re.findall(r'zone big.test: transferred serial', log)) == 2, log
    assert 'failed' not in log, log
    # Built on the main thread, one command would wait for the whole build.
    assert max(during) < transfer_seconds / 3, (transfer_seconds, during)
    assert serial_of(z.port, 'big.test.') == 1
    # Stopped while a build runs (fed as the transfer comes in, which the stop cuts off):
    # zoned cancels it, frees what it was given and exits cleanly.
    subprocess.run([CONTROL, '-s', socket_path, 'trace'], capture_output=True, timeout=30)
    subprocess.run([CONTROL, '-s', socket_path, 'retransfer', 'big.test'], capture_output=True,
                   timeout=30)
    wait_log(z, 'zone big.test: AXFR from 127.0.0.1#%d: building the zone on a thread of '
             'its own as it comes in' % primary.port, 30)
    assert z.stop() == 0
    assert len(re.findall(r'zone big.test: transferred serial', z.log())) == 2, z.log()
    assert primary.stop() == 0


if __name__ == '__main__':
    sys.exit(main([test_saved_copy_off_main_thread, test_axfr_built_off_main_thread]))
