# hostile_lib.py: what the hostile_*.py tests share: start the real
# src/zoned on a free loopback port (ready when it sends READY=1 on its
# NOTIFY_SOCKET), raw UDP/TCP exchanges, /proc readings, stop by pid.
# Not a test by itself.
import os
import random
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

import dns.message
import dns.rcode

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRCDIR = os.environ.get('top_srcdir') or os.path.dirname(os.path.dirname(HERE))
TOP_BUILDDIR = os.environ.get('top_builddir') or TOP_SRCDIR
ZONED = os.path.join(TOP_BUILDDIR, 'src', 'zoned')

RCODE_FORMERR = 1
# Run the daemon under a tool (HOSTILE_WRAPPER='valgrind --error-exitcode=99
# --leak-check=full') and stretch every timeout (HOSTILE_TIME_SCALE=20).
WRAPPER = os.environ.get('HOSTILE_WRAPPER', '').split()
TIME_SCALE = float(os.environ.get('HOSTILE_TIME_SCALE', '1'))
STOP_FAILURES = []   # (pid, status, log tail) of every zoned that exited badly


from zoned_e2e import free_port  # noqa: E402,F401  (one port picker for every e2e test)


def zone_text(serial, extra=''):
    """A small example. zone; extra is appended."""
    return ('$ORIGIN example.\n$TTL 300\n'
            '@ IN SOA ns1 hostmaster %d 3600 600 86400 300\n'
            '@ IN NS ns1\n'
            'ns1 IN A 192.0.2.1\n'
            'www IN A 192.0.2.2\n'
            '*.wild IN A 192.0.2.3\n'
            'cname IN CNAME www\n'
            'sub IN NS ns.sub\n'
            'ns.sub IN A 192.0.2.4\n' % serial) + extra


def big_txt(count=40):
    """An RRset of about 4 KB: big answers for TCP and truncation."""
    return ''.join('big IN TXT "%02d %s"\n' % (i, 'x' * 90) for i in range(count))


class Zoned:
    """One src/zoned process serving example. from a file in its own directory."""

    def __init__(self, zone, threads=2, extra_args=(), nofile=None, config=None):
        self.dir = tempfile.mkdtemp(prefix='hostile-')
        if config is not None:
            write_file(os.path.join(self.dir, 'zoned.conf'), config)
        self.zone_path = os.path.join(self.dir, 'example.zone')
        write_file(self.zone_path, zone)
        self.port = free_port()
        self.notify_path = os.path.join(self.dir, 'notify.sock')
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.log_path = os.path.join(self.dir, 'zoned.log')
        self.log_file = open(self.log_path, 'w')
        env = dict(os.environ, NOTIFY_SOCKET=self.notify_path)
        args = WRAPPER + [ZONED, '-a', '127.0.0.1', '-p', str(self.port), '-t', str(threads),
                '-z', 'example.:' + self.zone_path] + list(extra_args)
        limit = None
        if nofile is not None:   # soft and hard: the daemon cannot raise it
            limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))  # noqa: E731
        self.proc = subprocess.Popen(args, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     cwd=self.dir, env=env, preexec_fn=limit)
        self.pid = self.proc.pid
        self.wait_state('READY=1')
        with open('/proc/%d/maps' % self.pid) as f:
            # ASan's quarantine and shadow memory (or valgrind's) make VmRSS
            # meaningless; the leak checker's exit status covers leaks there.
            self.sanitized = 'libasan' in f.read() or bool(WRAPPER)

    def wait_state(self, state, timeout=15):
        timeout *= TIME_SCALE
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError('zoned exited with %d:\n%s' % (self.proc.returncode, self.log()))
            self.notify.settimeout(0.1)
            try:
                data = self.notify.recv(4096).decode(errors='replace')
            except socket.timeout:
                continue
            if state in data.split('\n'):
                return
        raise AssertionError('no %s from zoned within %s s:\n%s' % (state, timeout, self.log()))

    def drain_notify(self):
        self.notify.setblocking(False)
        try:
            while True:
                self.notify.recv(4096)
        except (BlockingIOError, socket.timeout):
            pass

    def reload(self, timeout=15):
        """SIGHUP and wait until the reload finished (READY=1 again)."""
        self.drain_notify()
        os.kill(self.pid, signal.SIGHUP)
        self.wait_state('READY=1', timeout)

    def alive(self):
        return self.proc.poll() is None

    def assert_alive(self, what):
        if not self.alive():
            raise AssertionError('zoned died (status %s) after %s:\n%s'
                                 % (self.proc.returncode, what, self.log()[-3000:]))

    def log(self):
        if not self.log_file.closed:
            self.log_file.flush()
        with open(self.log_path, errors='replace') as f:
            return f.read()

    def status_kib(self, field='VmRSS'):
        with open('/proc/%d/status' % self.pid) as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
        raise AssertionError('no ' + field)

    def cpu_seconds(self):
        with open('/proc/%d/stat' % self.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def open_fds(self):
        return len(os.listdir('/proc/%d/fd' % self.pid))

    def stop(self):
        """SIGTERM (SIGKILL after 10 s); returns the exit status."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
        try:
            status = self.proc.wait(10 * TIME_SCALE)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            status = self.proc.wait()
        self.notify.close()
        if status != 0:
            STOP_FAILURES.append((self.pid, status, self.log()[-3000:]))
        self.log_file.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return status


def write_file(path, data):
    """Writes data (str or bytes) and renames it into place."""
    mode = 'wb' if isinstance(data, bytes) else 'w'
    with open(path + '.tmp', mode) as f:
        f.write(data)
    os.rename(path + '.tmp', path)


def make_query(name, rdtype, qid=None, **kwargs):
    q = dns.message.make_query(name, rdtype, **kwargs)
    q.flags = 0
    if qid is not None:
        q.id = qid
    return q


def udp_exchange(port, wire, timeout=0.5, sock=None, match_id=True, source=None):
    """Sends raw bytes (from source, a 127/8 address, when given); returns
    the raw response (with the same ID unless match_id is false) or None
    after timeout."""
    timeout *= TIME_SCALE
    own = sock is None
    if own:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if source is not None:
            sock.bind((source, 0))
    try:
        sock.settimeout(timeout)
        sock.sendto(wire, ('127.0.0.1', port))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            sock.settimeout(remaining)
            try:
                data, _ = sock.recvfrom(65535)
            except socket.timeout:
                return None
            if not match_id or (len(data) >= 2 and data[:2] == wire[:2]):
                return data
    finally:
        if own:
            sock.close()


def check_valid_answer(port, qid=0x5151, timeout=0.5, name='www.example.', address='192.0.2.2',
                       source=None):
    """A valid A query is answered with the right address. Returns the latency."""
    q = make_query(name, 'A', qid=qid)
    start = time.monotonic()
    data = udp_exchange(port, q.to_wire(), timeout, source=source)
    latency = time.monotonic() - start
    if data is None:
        raise AssertionError('valid query for %s unanswered within %.1f s' % (name, timeout))
    r = dns.message.from_wire(data)
    if r.rcode() != dns.rcode.NOERROR or not r.answer or r.answer[0][0].address != address:
        raise AssertionError('wrong answer to a valid query:\n%s' % r)
    return latency


def tcp_connect(port, timeout=3):
    s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    return s


def tcp_frame(wire):
    return struct.pack('!H', len(wire)) + wire


def recv_exact(sock, count):
    data = b''
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def tcp_read(sock):
    """One length-prefixed message (raw bytes), or None when closed."""
    header = recv_exact(sock, 2)
    if header is None:
        return None
    (length,) = struct.unpack('!H', header)
    return recv_exact(sock, length)


def tcp_query(port, name='www.example.', rdtype='A', timeout=3):
    """One query over a new TCP connection; returns the parsed response."""
    s = tcp_connect(port, timeout)
    try:
        q = make_query(name, rdtype)
        s.sendall(tcp_frame(q.to_wire()))
        data = tcp_read(s)
        if data is None:
            raise AssertionError('TCP connection closed without an answer')
        return dns.message.from_wire(data)
    finally:
        s.close()


def run_tests(tests):
    """Runs each (name, function) in order; exit status for automake (77: skip)."""
    if not os.access(ZONED, os.X_OK):
        print('SKIP: %s not built' % ZONED)
        return 77
    failed = 0
    for name, function in tests:
        start = time.monotonic()
        try:
            function()
            if STOP_FAILURES:
                pid, status, log = STOP_FAILURES.pop()
                raise AssertionError('zoned %d exited with %d on SIGTERM:\n%s' % (pid, status, log))
            print('PASS: %s (%.1f s)' % (name, time.monotonic() - start))
        except Exception:
            del STOP_FAILURES[:]
            failed += 1
            print('FAIL: %s (%.1f s)' % (name, time.monotonic() - start))
            traceback.print_exc(file=sys.stdout)
        sys.stdout.flush()
    return 1 if failed else 0
