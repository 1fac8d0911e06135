# zoned_e2e.py: the one harness of the end-to-end tests: start the real
# src/zoned on a free loopback port, wait for its sd_notify readiness, write
# its config and zones, query it (dnspython, raw UDP, TCP framing, dig,
# kdig), read /proc about it, stop it by pid. Not a test by itself.
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
SKIP = 'skip'   # returned by a test that cannot run here; prefer skip(reason)
RUNNING = []   # every Zoned started, stopped after each test
STOP_FAILURES = []   # (pid, status, log tail) of a clean_exit Zoned that exited badly
RCODE_FORMERR = 1
# Run the daemon under a tool (HOSTILE_WRAPPER='valgrind --error-exitcode=99
# --leak-check=full') and stretch every timeout (HOSTILE_TIME_SCALE=20).
WRAPPER = os.environ.get('HOSTILE_WRAPPER', '').split()
TIME_SCALE = float(os.environ.get('HOSTILE_TIME_SCALE', '1'))


class Skipped(str):
    """What a test returns when it cannot run here: the reason."""


def skip(reason):
    """Returned by a test that cannot run on this machine: main() prints
    the reason and the file exits 77, which automake counts as SKIP."""
    return Skipped(reason)


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
    """One src/zoned process with its own notify socket and log file.

    nofile: RLIMIT_NOFILE (soft and hard: the daemon cannot raise it).
    clean_exit: a stop() whose exit status is not 0 fails the test (main()).
    """

    def __init__(self, args, workdir, wait=True, env=None, cwd=None, nofile=None,
                 clean_exit=False):
        self.workdir = workdir
        self.port = None   # set by the helpers that pick it
        self.clean_exit = clean_exit
        self.notify_path = os.path.join(workdir, 'notify-%d.sock' % random.randint(0, 1 << 30))
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.log_path = os.path.join(workdir, 'zoned-%d.log' % random.randint(0, 1 << 30))
        self.log_file = open(self.log_path, 'w')
        environment = dict(os.environ)
        environment['NOTIFY_SOCKET'] = self.notify_path
        if env:
            environment.update(env)
        limit = None
        if nofile is not None:
            limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))  # noqa: E731
        self.proc = subprocess.Popen(WRAPPER + [ZONED] + list(args), stdout=self.log_file,
                                     stderr=subprocess.STDOUT, cwd=cwd or workdir,
                                     env=environment, preexec_fn=limit)
        self.pid = self.proc.pid
        self.returncode = None
        self._sanitized = None
        RUNNING.append(self)
        if wait:
            self.wait_state('READY=1', 15)
            self.sanitized  # read while the process is there

    @property
    def sanitized(self):
        """True under ASan or a wrapper: their quarantine and shadow memory
        make VmRSS meaningless (the leak checker's exit status covers leaks)."""
        if self._sanitized is None:
            with open('/proc/%d/maps' % self.pid) as f:
                self._sanitized = 'libasan' in f.read() or bool(WRAPPER)
        return self._sanitized

    def wait_state(self, state, timeout=15):
        """Waits for a notify datagram containing state (READY=1, RELOADING=1...)."""
        timeout *= TIME_SCALE
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Datagrams sent before an exit are still read.
            self.notify.settimeout(0.1)
            try:
                data = self.notify.recv(4096).decode(errors='replace')
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

    def status_field(self, name):
        """The words after 'name:' in /proc/PID/status, or None."""
        with open('/proc/%d/status' % self.pid) as f:
            for line in f:
                if line.startswith(name + ':'):
                    return line.split()[1:]
        return None

    def status_kib(self, field='VmRSS'):
        value = self.status_field(field)
        if value is None:
            raise AssertionError('no ' + field)
        return int(value[0])

    def cpu_seconds(self):
        with open('/proc/%d/stat' % self.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def open_fds(self):
        return len(os.listdir('/proc/%d/fd' % self.pid))

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends sig and returns the exit status (kills it after timeout)."""
        if self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            os.kill(self.pid, sig)
        try:
            self.returncode = self.proc.wait(timeout * TIME_SCALE)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait()
            self.returncode = -signal.SIGKILL
        if self.clean_exit and sig == signal.SIGTERM and self.returncode != 0:
            STOP_FAILURES.append((self.pid, self.returncode, self.log()[-3000:]))
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


def start_zoned(workdir, args, address='127.0.0.1', **kwargs):
    """Starts zoned with args listening on address (-a) at a free port (-p,
    in the result's port); kwargs go to Zoned."""
    port = free_port()
    z = Zoned(['-a', address, '-p', str(port)] + list(args), workdir, **kwargs)
    z.port = port
    return z


def serve_example(workdir, zone, threads=2, extra_args=(), nofile=None, config=None):
    """Serves example. from zone (text) in workdir/example.zone with -z on a
    free port of 127.0.0.1 (and workdir/zoned.conf from config when given);
    a non-zero exit at stop() fails the test. The Zoned has port and zone_path."""
    if config is not None:
        write(os.path.join(workdir, 'zoned.conf'), config)
    zone_path = os.path.join(workdir, 'example.zone')
    write(zone_path, zone)
    z = start_zoned(workdir, ['-t', str(threads), '-z', 'example.:' + zone_path] + list(extra_args),
                    nofile=nofile, clean_exit=True)
    z.zone_path = zone_path
    return z


def wait_detached(pid_file, port, zone, serial, timeout=10):
    """After zoned -d -P pid_file: waits until the pid file names the
    detached process and it answers zone's SOA with serial; returns the pid
    (None when the pid file never showed up)."""
    pid = None
    deadline = time.monotonic() + timeout * TIME_SCALE
    while time.monotonic() < deadline:
        text = open(pid_file).read() if os.path.exists(pid_file) else ''
        if text.endswith('\n'):
            pid = int(text)
            try:
                if soa_serial(port, zone) == serial:
                    break
            except Exception:
                pass
        time.sleep(0.05)
    return pid


def make_query(name, rdtype, qid=None, rdclass='IN', **kwargs):
    """A dnspython query without RD (an authoritative server is asked)."""
    q = dns.message.make_query(name, rdtype, rdclass, **kwargs)
    q.flags &= ~dns.flags.RD
    if qid is not None:
        q.id = qid
    return q


def query(name, rdtype, port, tcp=False, address='127.0.0.1', rdclass='IN', **kwargs):
    q = make_query(name, rdtype, rdclass=rdclass, **kwargs)
    if tcp:
        return dns.query.tcp(q, address, port=port, timeout=3)
    return dns.query.udp(q, address, port=port, timeout=3)


def soa_serial(port, zone, tcp=False):
    r = query(zone, 'SOA', port, tcp=tcp)
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    return r.answer[0][0].serial


def write(path, data):
    """Writes data (str or bytes) to a temporary file and renames it into
    place, as editors and deploy tools do: a reload never sees half of it."""
    mode = 'wb' if isinstance(data, bytes) else 'w'
    with open(path + '.tmp', mode) as f:
        f.write(data)
    os.rename(path + '.tmp', path)


def zone_text(origin, serial, extra=''):
    return ('$TTL 300\n'
            '@ IN SOA ns1.%s. hostmaster.%s. %d 3600 600 86400 300\n'
            '@ IN NS ns1.%s.\n'
            'ns1 IN A 192.0.2.1\n'
            'www IN A 192.0.2.2\n' % (origin, origin, serial, origin)) + extra


def example_zone_text(serial, extra=''):
    """example. with a wildcard, a CNAME and a delegation (the hostile tests
    cut and break this text at fixed offsets: keep its layout)."""
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
    return socket.create_connection(('127.0.0.1', port), timeout=timeout)


def tcp_frame(wire):
    """RFC 1035 4.2.2: the two-octet length, then the message (bytes or a dns.message)."""
    if not isinstance(wire, (bytes, bytearray)):
        wire = wire.to_wire()
    return struct.pack('!H', len(wire)) + wire


def recv_exact(sock, count):
    """count octets, or fewer when the peer closed first (b'' at once)."""
    data = b''
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            break
        data += chunk
    return data


def tcp_read(sock):
    """One length-prefixed message (raw bytes), or None when the server
    closed the connection before all of it."""
    header = recv_exact(sock, 2)
    if len(header) < 2:
        return None
    (length,) = struct.unpack('!H', header)
    body = recv_exact(sock, length)
    return body if len(body) == length else None


def tcp_read_message(sock):
    """One length-prefixed message, parsed; None when the server closed
    before it; AssertionError when it closed inside it."""
    header = recv_exact(sock, 2)
    if not header:
        return None
    if len(header) < 2:
        raise AssertionError('connection closed inside a length prefix')
    (length,) = struct.unpack('!H', header)
    body = recv_exact(sock, length)
    if len(body) < length:
        raise AssertionError('connection closed inside a message')
    return dns.message.from_wire(body)


def tcp_query(port, name='www.example.', rdtype='A', timeout=3):
    """One query over a new TCP connection; returns the parsed response."""
    s = tcp_connect(port, timeout)
    try:
        s.sendall(tcp_frame(make_query(name, rdtype)))
        data = tcp_read(s)
        if data is None:
            raise AssertionError('TCP connection closed without an answer')
        return dns.message.from_wire(data)
    finally:
        s.close()


def dig(port, *args, address='127.0.0.1', source=None, timeout=10, program='dig'):
    """Runs dig @address -p port +norec [-b source] args...; returns the
    subprocess.CompletedProcess (text stdout and stderr)."""
    command = [program, '@' + address, '-p', str(port), '+norec']
    if source is not None:
        command += ['-b', source]
    return subprocess.run(command + list(args), capture_output=True, text=True, timeout=timeout)


def kdig(port, *args, **kwargs):
    """As dig(), with Knot's kdig; None when it is not installed."""
    if shutil.which('kdig') is None:
        return None
    return dig(port, *args, program='kdig', **kwargs)


def main(tests):
    """Runs test functions (each gets a fresh temporary directory; an item may
    also be a (description, function) pair); prints a closing 'N passed,
    N failed, N skipped' line. Returns 1 if any failed, else 77 if any
    skipped (automake then counts the file as SKIP in the summary, so a
    test that could not run here is not taken for a pass), else 0."""
    if not os.access(ZONED, os.X_OK):
        print('%s not built' % ZONED)
        return 1
    passed = failed = skipped = 0
    for item in tests:
        description, test = item if isinstance(item, tuple) else (item.__name__, item)
        workdir = tempfile.mkdtemp(prefix='zoned-e2e-')
        os.chmod(workdir, 0o755)
        start = time.monotonic()
        try:
            result = test(workdir)
            if STOP_FAILURES:
                pid, status, log = STOP_FAILURES.pop()
                raise AssertionError('zoned %d exited with %d on SIGTERM:\n%s' % (pid, status, log))
            if isinstance(result, Skipped) or result == SKIP:
                skipped += 1
                reason = result if isinstance(result, Skipped) else 'no reason given'
                print('SKIP %s: %s' % (description, reason))
            else:
                passed += 1
                print('ok   %s (%.2f s)' % (description, time.monotonic() - start))
        except Exception:
            failed += 1
            print('FAIL %s (%.2f s)' % (description, time.monotonic() - start))
            traceback.print_exc(file=sys.stdout)
        finally:
            while RUNNING:
                RUNNING.pop().stop(signal.SIGKILL)
            del STOP_FAILURES[:]
            shutil.rmtree(workdir, ignore_errors=True)
        sys.stdout.flush()
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    if failed:
        return 1
    if skipped:
        print('SKIP: %d of %d tests could not run here (reasons above): exit 77' %
              (skipped, passed + skipped))
        return 77
    return 0
