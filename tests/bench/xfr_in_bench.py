#!/usr/bin/python3
# tests/bench/xfr_in_bench.py: zoned as a secondary beside BIND, Knot and NSD.
"""
tests/bench/xfr_in_bench.py [--records N] [--servers zoned,bind,knot,nsd] [--builddir DIR]
                            [--ixfrs N] [--logdir DIR] [--zoned-args ARGS]

One BIND 9.18 primary (ixfr-from-differences: it offers IXFR) serves the
benchmark zone (tests/bench/benchlib.py's ~1M-record zone, or --records);
each secondary in turn, alone, on loopback:
 1. starts without a copy of the zone: the time until it answers the SOA of
    serial 1 (AXFR, saving its copy included as each does by default) and
    its peak RSS (VmHWM, largest process);
 2. --ixfrs times (default 3): its peak is reset (/proc/PID/clear_refs 5)
    and its steady RSS read, one record of the primary's zone changes
    (serial + 1, SIGHUP, the primary makes the difference), the secondary
    gets a NOTIFY (with the new SOA, as a primary sends it) and the time
    from sending it until the secondary answers the new serial is taken
    (IXFR), with its peak RSS during it. The first
    (right after the AXFR: no earlier update) and the median are printed,
    the steady RSS before the first and the largest peak.
The serial is polled every POLL_S over one UDP socket, the same for every
server. Everything is stopped by pid, the temporary directory removed
(each server's log copied to --logdir first, if given).
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import ORIGIN  # noqa: E402

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.opcode  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rrset  # noqa: E402

TIMEOUT = 300.0
POLL_S = 0.002


class SerialPoller:
    """Asks port for the zone's SOA over one UDP socket, as fast as POLL_S allows."""

    def __init__(self, port):
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(('127.0.0.1', port))
        self.sock.settimeout(0.05)

    def close(self):
        self.sock.close()

    def serial(self):
        q = dns.message.make_query(ORIGIN, 'SOA')
        q.flags = 0
        try:
            self.sock.send(q.to_wire())
            while True:
                r = dns.message.from_wire(self.sock.recv(65535))
                if r.id == q.id:
                    break
        except Exception:
            return None
        if r.rcode() != dns.rcode.NOERROR or not r.answer:
            return None
        return r.answer[0][0].serial


def wait_serial(proc, port, serial, timeout=TIMEOUT, start=None):
    """Seconds from start (now) until port answers serial."""
    start = time.monotonic() if start is None else start
    poller = SerialPoller(port)
    try:
        while time.monotonic() - start < timeout:
            if proc.poll() is not None:
                raise SystemExit('exited while waiting for serial %d' % serial)
            if poller.serial() == serial:
                return time.monotonic() - start
            time.sleep(POLL_S)
    finally:
        poller.close()
    raise SystemExit('no serial %d at port %d after %d s' % (serial, port, timeout))


def notify(port, serial):
    """A NOTIFY as BIND, NSD and Knot send it: with the zone's new SOA in its
    answer section (RFC 1996 3.7), the same for every secondary."""
    m = dns.message.make_query(ORIGIN, 'SOA')
    m.flags = dns.flags.AA
    m.set_opcode(dns.opcode.NOTIFY)
    m.answer.append(dns.rrset.from_text(
        ORIGIN, 300, 'IN', 'SOA', 'ns1.%s hostmaster.%s %d 7200 3600 1209600 300'
        % (ORIGIN, ORIGIN, serial)))
    try:
        dns.query.udp(m, '127.0.0.1', port=port, timeout=2)
    except Exception:
        pass


def rss_of(pids):
    rss = 0
    for pid in pids:
        try:
            with open('/proc/%d/status' % pid) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        rss = max(rss, int(line.split()[1]))
        except OSError:
            pass
    return rss


def reset_peak(pids):
    for pid in pids:
        try:
            with open('/proc/%d/clear_refs' % pid, 'w') as f:
                f.write('5')
        except OSError:
            pass


def bind_primary(workdir, port):
    write(os.path.join(workdir, 'named.conf'), '''options {
	directory "%(d)s"; pid-file "%(d)s/named.pid"; session-keyfile "%(d)s/s.key";
	listen-on port %(p)d { 127.0.0.1; }; listen-on-v6 { none; };
	recursion no; dnssec-validation no; notify no; allow-transfer { any; };
	max-records-per-type 0; max-types-per-name 0;
};
controls { };
zone "%(o)s" { type primary; file "%(d)s/primary.db"; ixfr-from-differences yes; };
''' % {'d': workdir, 'p': port, 'o': ORIGIN})
    return ['named', '-g', '-n', '2', '-c', os.path.join(workdir, 'named.conf')]


ZONED_ARGS = []


def zoned_secondary(workdir, port, primary, builddir):
    write(os.path.join(workdir, 'zoned.conf'), '''options { directory "%s"; };
# notify no: as the BIND secondary; the zone's NS addresses are not loopback.
zone "%s" { type secondary; primaries { 127.0.0.1 port %d; }; file "secondary.db";
	notify no; };
''' % (workdir, ORIGIN, primary))
    return [os.path.join(builddir, 'src', 'zoned'), '-a', '127.0.0.1', '-p', str(port),
            '-c', os.path.join(workdir, 'zoned.conf'), '-t', '2'] + ZONED_ARGS


def bind_secondary(workdir, port, primary, builddir):
    write(os.path.join(workdir, 'named.conf'), '''options {
	directory "%(d)s"; pid-file "%(d)s/named.pid"; session-keyfile "%(d)s/s.key";
	listen-on port %(p)d { 127.0.0.1; }; listen-on-v6 { none; };
	recursion no; dnssec-validation no; notify no;
	max-records-per-type 0; max-types-per-name 0;
};
controls { };
zone "%(o)s" { type secondary; primaries { 127.0.0.1 port %(m)d; }; file "%(d)s/secondary.db"; };
''' % {'d': workdir, 'p': port, 'm': primary, 'o': ORIGIN})
    return ['named', '-g', '-n', '2', '-c', os.path.join(workdir, 'named.conf')]


def knot_secondary(workdir, port, primary, builddir):
    write(os.path.join(workdir, 'knot.conf'), '''server:
    rundir: "%(d)s"
    pidfile: "%(d)s/knot.pid"
    listen: 127.0.0.1@%(p)d
    udp-workers: 2
    tcp-workers: 2
    background-workers: 2
database:
    storage: "%(d)s"
remote:
  - id: primary
    address: 127.0.0.1@%(m)d
acl:
  - id: notify_from_primary
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: "%(d)s"
    semantic-checks: off
zone:
  - domain: %(o)s
    file: "%(d)s/secondary.db"
    master: primary
    acl: notify_from_primary
''' % {'d': workdir, 'p': port, 'm': primary, 'o': ORIGIN})
    return ['knotd', '-c', os.path.join(workdir, 'knot.conf')]


def nsd_secondary(workdir, port, primary, builddir):
    write(os.path.join(workdir, 'nsd.conf'), '''server:
	ip-address: 127.0.0.1@%(p)d
	port: %(p)d
	server-count: 2
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "%(d)s"
	database: ""
	zonelistfile: "%(d)s/zone.list"
	xfrdfile: "%(d)s/xfrd.state"
	xfrdir: "%(d)s"
	pidfile: "%(d)s/nsd.pid"
remote-control:
	control-enable: no
zone:
	name: "%(o)s"
	zonefile: "%(d)s/secondary.db"
	request-xfr: 127.0.0.1@%(m)d NOKEY
	allow-notify: 127.0.0.1 NOKEY
''' % {'d': workdir, 'p': port, 'm': primary, 'o': ORIGIN})
    return ['nsd', '-d', '-c', os.path.join(workdir, 'nsd.conf')]


SECONDARIES = {'zoned': zoned_secondary, 'bind': bind_secondary, 'knot': knot_secondary,
               'nsd': nsd_secondary}


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def change_primary(workdir, proc, port, serial):
    """One record changed, serial raised; waits until the primary serves it."""
    path = os.path.join(workdir, 'primary.db')
    with open(path) as f:
        text = f.read()
    text = text.replace('hostmaster %d ' % (serial - 1), 'hostmaster %d ' % serial, 1)
    text = re.sub(r'\nh1 A [0-9.]+\n', '\nh1 A 10.255.%d.1\n' % (serial & 255), text, count=1)
    write(path, text)
    later = time.time() + 2
    os.utime(path, (later, later))
    proc.send_signal(signal.SIGHUP)
    return wait_serial(proc, port, serial)


def ixfr_once(proc, port, primary_dir, primary, primary_port, serial):
    """(seconds, steady KiB, peak KiB) of one 1-record IXFR to serial."""
    change_primary(primary_dir, primary, primary_port, serial)
    pids = benchlib.process_tree(proc.pid)
    reset_peak(pids)
    steady = rss_of(pids)
    started = time.monotonic()
    notify(port, serial)
    seconds = wait_serial(proc, port, serial, start=started)
    peak = benchlib.memory_of(benchlib.process_tree(proc.pid))[1]
    return seconds, steady, peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--records', type=int, default=1000000)
    parser.add_argument('--servers', default='zoned,bind,knot,nsd')
    parser.add_argument('--builddir', default=os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    parser.add_argument('--ixfrs', type=int, default=3)
    parser.add_argument('--logdir', help='copy each server\'s log here')
    parser.add_argument('--zoned-args', default='', help='more arguments for zoned (e.g. "-v 3")')
    args = parser.parse_args()
    ZONED_ARGS.extend(args.zoned_args.split())
    top = tempfile.mkdtemp(prefix='xfr-in-bench-')
    procs = []
    try:
        primary_dir = os.path.join(top, 'primary')
        os.makedirs(primary_dir)
        _, _, records = benchlib.write_zone(os.path.join(primary_dir, 'primary.db'),
                                            benchlib.names_for_records(args.records))
        primary_port = benchlib.free_port()
        primary = subprocess.Popen(bind_primary(primary_dir, primary_port),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(primary)
        load = wait_serial(primary, primary_port, 1)
        print('zone: %d records; BIND primary loaded it in %.1f s; %d IXFRs each, serial '
              'polled every %.0f ms' % (records, load, args.ixfrs, POLL_S * 1000))
        print('%-6s %7s %9s %9s %9s %9s %9s' % ('server', 'AXFR s', 'AXFR peak', 'IXFR 1st',
                                                 'IXFR med', 'steady', 'IXFR peak'))
        print('%-6s %7s %9s %9s %9s %9s %9s' % ('', '', 'MB', 's', 's', 'MB', 'MB'))
        serial = 1
        for name in args.servers.split(','):
            workdir = os.path.join(top, name)
            os.makedirs(workdir)
            port = benchlib.free_port()
            proc = subprocess.Popen(SECONDARIES[name](workdir, port, primary_port, args.builddir),
                                    stdout=open(os.path.join(workdir, 'log'), 'w'),
                                    stderr=subprocess.STDOUT, cwd=workdir)
            procs.append(proc)
            axfr = wait_serial(proc, port, serial)
            pids = benchlib.process_tree(proc.pid)
            axfr_peak = benchlib.memory_of(pids)[1]
            time.sleep(2)   # let a background zone file write finish
            runs = []
            for _ in range(args.ixfrs):
                serial += 1
                runs.append(ixfr_once(proc, port, primary_dir, primary, primary_port, serial))
            times = sorted(run[0] for run in runs)
            print('%-6s %7.2f %9.0f %9.3f %9.3f %9.0f %9.0f' % (
                name, axfr, axfr_peak / 1024, runs[0][0], times[len(times) // 2],
                runs[0][1] / 1024, max(run[2] for run in runs) / 1024))
            sys.stdout.flush()
            benchlib.stop_process(proc)
            procs.remove(proc)
            if args.logdir:
                os.makedirs(args.logdir, exist_ok=True)
                shutil.copy(os.path.join(workdir, 'log'), os.path.join(args.logdir, name + '.log'))
    finally:
        for proc in procs:
            benchlib.stop_process(proc)
        shutil.rmtree(top, ignore_errors=True)


if __name__ == '__main__':
    main()
