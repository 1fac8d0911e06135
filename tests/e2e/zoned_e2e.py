# zoned_e2e.py: shared helpers for the end-to-end tests: start the real
# src/zoned on a free loopback port, wait for its sd_notify readiness, query
# it with dnspython, stop it by pid. Not a test by itself.
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRCDIR = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(HERE))
TOP_BUILDDIR = os.environ.get('top_builddir') or TOP_SRCDIR
ZONED = os.path.join(TOP_BUILDDIR, 'src', 'zoned')
ZONES = os.path.join(TOP_SRCDIR, 'zones')
SKIP = 'skip'
RUNNING = []   # every Zoned started, stopped after each test


def free_port():
    """A port in 20000-32000 (below the ephemeral range) free for UDP and TCP on 127.0.0.1."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        try:
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(socket.AF_INET, kind)
                try:
                    s.bind(('127.0.0.1', port))
                finally:
                    s.close()
            return port
        except OSError:
            continue
    raise RuntimeError('no free port')


def have_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(('::1', 0))
        s.close()
        return True
    except OSError:
        return False


class Zoned:
    """One src/zoned process with its own notify socket and log file."""

    def __init__(self, args, workdir, wait=True, env=None, cwd=None):
        self.workdir = workdir
        self.notify_path = os.path.join(workdir, 'notify-%d.sock' % random.randint(0, 1 << 30))
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.log_path = os.path.join(workdir, 'zoned-%d.log' % random.randint(0, 1 << 30))
        self.log_file = open(self.log_path, 'w')
        environment = dict(os.environ)
        environment['NOTIFY_SOCKET'] = self.notify_path
        if env:
            environment.update(env)
        self.proc = subprocess.Popen([ZONED] + list(args), stdout=self.log_file,
                                     stderr=subprocess.STDOUT, cwd=cwd or workdir, env=environment)
        self.pid = self.proc.pid
        self.returncode = None
        RUNNING.append(self)
        if wait:
            self.wait_state('READY=1', 15)

    def wait_state(self, state, timeout=15):
        """Waits for a notify datagram containing state (READY=1, RELOADING=1...)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Datagrams sent before an exit are still read.
            self.notify.settimeout(0.1)
            try:
                data = self.notify.recv(4096).decode()
            except socket.timeout:
                if self.proc.poll() is not None:
                    raise AssertionError('zoned exited with %d before %s:\n%s'
                                         % (self.proc.returncode, state, self.log()))
                continue
            if state in data.split('\n'):
                return
        raise AssertionError('no %s from zoned within %s s:\n%s' % (state, timeout, self.log()))

    def reload(self, timeout=15):
        """SIGHUP, then waits until the reload is finished (READY=1 again)."""
        os.kill(self.pid, signal.SIGHUP)
        self.wait_state('RELOADING=1', timeout)
        self.wait_state('READY=1', timeout)

    def log(self):
        if not self.log_file.closed:
            self.log_file.flush()
        with open(self.log_path) as f:
            return f.read()

    def rss_kib(self):
        with open('/proc/%d/status' % self.pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
        raise AssertionError('no VmRSS')

    def status_field(self, name):
        with open('/proc/%d/status' % self.pid) as f:
            for line in f:
                if line.startswith(name + ':'):
                    return line.split()[1:]
        return None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends sig and returns the exit status (kills it after timeout)."""
        if self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            os.kill(self.pid, sig)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait()
            self.returncode = -signal.SIGKILL
        self.close()
        return self.returncode

    def close(self):
        self.notify.close()
        self.log_file.close()
        if self in RUNNING:
            RUNNING.remove(self)
        if os.path.exists(self.notify_path):
            os.unlink(self.notify_path)


def run_zoned(args, workdir, timeout=15):
    """Runs zoned to completion (-C, failing starts); returns (status, output)."""
    proc = subprocess.run([ZONED] + list(args), cwd=workdir, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout)
    return proc.returncode, proc.stdout.decode(errors='replace')


def query(name, rdtype, port, tcp=False, address='127.0.0.1', rdclass='IN', **kwargs):
    q = dns.message.make_query(name, rdtype, rdclass, **kwargs)
    q.flags &= ~dns.flags.RD
    if tcp:
        return dns.query.tcp(q, address, port=port, timeout=3)
    return dns.query.udp(q, address, port=port, timeout=3)


def soa_serial(port, zone, tcp=False):
    r = query(zone, 'SOA', port, tcp=tcp)
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    return r.answer[0][0].serial


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def zone_text(origin, serial, extra=''):
    return ('$TTL 300\n'
            '@ IN SOA ns1.%s. hostmaster.%s. %d 3600 600 86400 300\n'
            '@ IN NS ns1.%s.\n'
            'ns1 IN A 192.0.2.1\n'
            'www IN A 192.0.2.2\n' % (origin, origin, serial, origin)) + extra


def tcp_frame(message):
    wire = message.to_wire()
    return struct.pack('!H', len(wire)) + wire


def tcp_read_message(sock):
    """Reads one length-prefixed message; None when the server closed."""
    header = recv_exact(sock, 2)
    if header is None:
        return None
    (length,) = struct.unpack('!H', header)
    body = recv_exact(sock, length)
    if body is None:
        raise AssertionError('connection closed inside a message')
    return dns.message.from_wire(body)


def recv_exact(sock, count):
    data = b''
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None if not data else data
        data += chunk
    return data


def main(tests):
    """Runs test functions (each gets a fresh temporary directory); prints a
    closing 'N passed, N failed, N skipped' line; exit 0 only if none failed."""
    if not os.access(ZONED, os.X_OK):
        print('%s not built' % ZONED)
        return 1
    passed = failed = skipped = 0
    for test in tests:
        workdir = tempfile.mkdtemp(prefix='zoned-e2e-')
        os.chmod(workdir, 0o755)
        start = time.monotonic()
        try:
            result = test(workdir)
            if result == SKIP:
                skipped += 1
                print('SKIP %s' % test.__name__)
            else:
                passed += 1
                print('ok   %s (%.2f s)' % (test.__name__, time.monotonic() - start))
        except Exception:
            failed += 1
            print('FAIL %s' % test.__name__)
            traceback.print_exc(file=sys.stdout)
        finally:
            while RUNNING:
                RUNNING.pop().stop(signal.SIGKILL)
            shutil.rmtree(workdir, ignore_errors=True)
        sys.stdout.flush()
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 0 if failed == 0 else 1
