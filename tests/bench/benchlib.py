# tests/bench/benchlib.py: what tests/bench/run drives: zones, queries, servers, dnsperf, /proc.
"""Helpers of tests/bench/run (see its header): deterministic zone and query
generation, the per-server configuration, starting and stopping by pid,
/proc accounting (CPU ticks, PSS, affinity), the readiness probe, and
running and parsing dnsperf."""

import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

# The peers' config writers are the interop tests' (tests/e2e/peers.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from peers import knot_conf, named_conf, nsd_conf  # noqa: E402

ORIGIN = "bench.example."
SEED = 20240501
QUERY_LINES = 100000
FIXED_QPS = 20000
DNSPERF_CLIENTS = 8       # source ports, so SO_REUSEPORT spreads over 2 workers
DNSPERF_OUTSTANDING = 100  # dnsperf's default -q
START_TIMEOUT = 180.0      # seconds to wait for a first answer (BIND, 1M records)
CLK_TCK = os.sysconf("SC_CLK_TCK")
ALL_SERVERS = ["zoned", "nsd", "knot", "bind", "echo"]


# ----------------------------------------------------------------- zones

def delegation_count(names):
    return max(1, names // 100)


def host_count(names):
    """Hosts h<i> such that apex, ns1, ns2, the hosts, every 10th host's
    CNAME c<i> and the delegations (d<j>, ns1.d<j>, ns2.d<j>) make names."""
    return (names - 3 - 3 * delegation_count(names)) * 10 // 11


def write_zone(path, names, serial=1, changed=False):
    """Writes the zone: h<i> A (all), AAAA (even i), MX and TXT (i % 4 == 0),
    c<i> CNAME h<i> (i % 10 == 0), d<j> NS ns1/ns2.d<j> with glue. With
    changed, h1's address differs (one record changed, for the reload part).
    Writes a temporary file and renames it into place, as a deploy tool does.
    Returns (hosts, delegations, records)."""
    hosts = host_count(names)
    delegations = delegation_count(names)
    records = 0
    with open(path + ".tmp", "w") as out:
        out.write("$ORIGIN %s\n$TTL 3600\n" % ORIGIN)
        out.write("@ SOA ns1 hostmaster %d 7200 3600 1209600 300\n" % serial)
        out.write("@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n")
        records += 5
        chunk = []
        for i in range(hosts):
            octet = 254 if changed and i == 1 else i & 255
            chunk.append("h%d A 10.%d.%d.%d\n" % (i, (i >> 16) & 255, (i >> 8) & 255, octet))
            records += 1
            if i % 2 == 0:
                chunk.append("h%d AAAA 2001:db8::%x:%x\n" % (i, i >> 16, i & 0xFFFF))
                records += 1
            if i % 4 == 0:
                chunk.append("h%d MX 10 h%d\nh%d TXT \"v=bench host %d\"\n"
                             % (i, (i + 1) % hosts, i, i))
                records += 2
            if i % 10 == 0:
                chunk.append("c%d CNAME h%d\n" % (i, i))
                records += 1
            if len(chunk) > 4096:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))
        for j in range(delegations):
            out.write("d%d NS ns1.d%d\nd%d NS ns2.d%d\n" % (j, j, j, j))
            out.write("ns1.d%d A 198.51.%d.1\nns2.d%d A 198.51.%d.2\n"
                      % (j, j & 255, j, j & 255))
            records += 4
    os.rename(path + ".tmp", path)
    return hosts, delegations, records


def names_for_records(records):
    """Names giving about this many records (2.1 records per host)."""
    return int(records / 2.1 * 1.1)


def write_queries(path, names, lines):
    """The dnsperf input, shuffled with a fixed seed; see the header."""
    hosts = host_count(names)
    delegations = delegation_count(names)
    rng = random.Random(SEED)
    mix = [("a", 55), ("cname", 5), ("aaaa", 10), ("mx", 5), ("nxdomain", 15),
           ("nodata", 5), ("referral", 5)]
    kinds = []
    for kind, percent in mix:
        kinds += [kind] * (lines * percent // 100)
    rng.shuffle(kinds)
    with open(path, "w") as out:
        for kind in kinds:
            if kind == "a":
                out.write("h%d.%s A\n" % (rng.randrange(hosts), ORIGIN))
            elif kind == "cname":
                out.write("c%d.%s A\n" % (rng.randrange(0, hosts, 10), ORIGIN))
            elif kind == "aaaa":
                out.write("h%d.%s AAAA\n" % (rng.randrange(0, hosts, 2), ORIGIN))
            elif kind == "mx":
                out.write("h%d.%s MX\n" % (rng.randrange(0, hosts, 4), ORIGIN))
            elif kind == "nxdomain":
                out.write("nx%d.%s A\n" % (rng.randrange(10 ** 9), ORIGIN))
            elif kind == "nodata":
                out.write("h%d.%s TXT\n" % (min(hosts - 1, rng.randrange(0, hosts, 4) + 1 + rng.randrange(3)), ORIGIN))
            else:
                out.write("www.d%d.%s A\n" % (rng.randrange(delegations), ORIGIN))
    return len(kinds)


# ----------------------------------------------------------------- signing

NSEC3_SALT = "b3c4a11d"
NSEC3_ITERATIONS = 5
SIG_INCEPTION = "20240101000000"   # fixed validity: the same signatures every run,
SIG_EXPIRATION = "20500101000000"  # valid long after any run (within RRSIG's 68 years)


def sign_zone(zone, workdir):
    """Signs zone once (NSEC3 with NSEC3_SALT and NSEC3_ITERATIONS, an ECDSA P-256
    KSK and ZSK made in workdir, fixed inception and expiration) with
    dnssec-signzone (bind9-utils), else ldns-signzone (ldnsutils). Returns
    (signed file, how it was signed); exits when neither signer is installed."""
    keydir = os.path.join(workdir, "keys")
    os.makedirs(keydir, exist_ok=True)
    signed = zone + ".signed"

    def run(cmd):
        proc = subprocess.run(cmd, cwd=keydir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=600, check=False)
        if proc.returncode != 0:
            raise SystemExit("run: %s failed: %s" % (cmd[0], proc.stderr.decode(
                errors="replace").strip()[-300:]))
        return proc.stdout.decode().strip()

    if shutil.which("dnssec-signzone") and shutil.which("dnssec-keygen"):
        keys = [run(["dnssec-keygen", "-q", "-K", keydir, "-a", "ECDSAP256SHA256", "-n", "ZONE"]
                    + flags + [ORIGIN]) for flags in (["-f", "KSK"], [])]
        # dnssec-signzone wants the DNSKEYs in its input: a copy with them appended.
        unsigned = os.path.join(keydir, "unsigned.zone")
        shutil.copyfile(zone, unsigned)
        with open(unsigned, "a") as out:
            for key in keys:
                with open(os.path.join(keydir, key + ".key")) as f:
                    out.write(f.read())
        run(["dnssec-signzone", "-q", "-n", "1", "-K", keydir, "-d", keydir, "-o", ORIGIN,
             "-3", NSEC3_SALT, "-H", str(NSEC3_ITERATIONS), "-s", SIG_INCEPTION,
             "-e", SIG_EXPIRATION, "-j", "0", "-N", "keep", "-O", "full", "-f", signed, unsigned]
            + [os.path.join(keydir, k) for k in keys])
        signer = "dnssec-signzone"
    elif shutil.which("ldns-signzone") and shutil.which("ldns-keygen"):
        keys = [run(["ldns-keygen", "-a", "ECDSAP256SHA256"] + flags + [ORIGIN])
                for flags in (["-k"], [])]
        run(["ldns-signzone", "-n", "-s", NSEC3_SALT, "-t", str(NSEC3_ITERATIONS),
             "-i", SIG_INCEPTION, "-e", SIG_EXPIRATION, "-o", ORIGIN, "-f", signed, zone]
            + [os.path.join(keydir, k) for k in keys])
        signer = "ldns-signzone"
    else:
        raise SystemExit("run: --signed needs dnssec-signzone (Debian package bind9-utils) "
                         "or ldns-signzone (ldnsutils)")
    return signed, ("%s, NSEC3 salt %s, %d iterations, ECDSAP256SHA256 KSK+ZSK, RRSIGs valid "
                    "%s-%s" % (signer, NSEC3_SALT, NSEC3_ITERATIONS, SIG_INCEPTION[:8],
                               SIG_EXPIRATION[:8]))


def dnssec_answers_look_right(port):
    """One dig +dnssec for an existing name and one for a nonexistent one: the
    A answer must carry its RRSIG, the NXDOMAIN its NSEC3s and their RRSIGs."""
    dig = shutil.which("dig")
    if dig is None:
        return "no dig"
    problems = []
    for qname, rcode, want in (("h1." + ORIGIN, "NOERROR", ("ANSWER", ("A", "RRSIG"))),
                               ("nx-check." + ORIGIN, "NXDOMAIN",
                                ("AUTHORITY", ("SOA", "NSEC3", "RRSIG")))):
        proc = subprocess.run([dig, "+dnssec", "+norec", "+bufsize=4096", "+time=2",
                               "+tries=2", "-p", str(port), "@127.0.0.1", qname, "A"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=30, check=False)
        text = proc.stdout.decode(errors="replace")
        section, types = want
        found = set()
        current = None
        for line in text.splitlines():
            match = re.match(r";; (\w+) SECTION:", line)
            if match:
                current = match.group(1)
            elif line and not line.startswith(";") and current == section:
                fields = line.split()
                if len(fields) >= 4:
                    found.add(fields[3])
        if "status: " + rcode not in text:
            problems.append("%s not %s" % (qname.split(".")[0], rcode))
        missing = [t for t in types if t not in found]
        if missing:
            problems.append("%s lacks %s" % (qname.split(".")[0], "+".join(missing)))
    return "DO ok" if not problems else "DO WRONG " + ",".join(problems)


# ----------------------------------------------------------------- processes

def read_stat(pid):
    """(ppid, utime+stime ticks) of one process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])


def process_tree(root):
    """root and all its descendants (NSD forks xfrd and its servers)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = read_stat(int(entry))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        stat = read_stat(pid)
        if stat is not None:
            total += stat[1]
    return total


def cpu_busy_ticks(cpu):
    """Non-idle ticks of one CPU so far (/proc/stat: user..steal minus idle, iowait)."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu%d " % cpu):
                fields = [int(x) for x in line.split()[1:9]]
                return sum(fields) - fields[3] - fields[4]
    return 0


def wait_until_quiet(cpu, limit, busy_share=0.10):
    """Waits, at most limit seconds, for a half second in which the CPU is
    less than busy_share busy (other users' jobs). Returns the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        before = cpu_busy_ticks(cpu)
        time.sleep(0.5)
        if (cpu_busy_ticks(cpu) - before) / CLK_TCK / 0.5 < busy_share:
            break
    return time.monotonic() - start


def memory_of(pids):
    """(PSS summed over pids, largest VmHWM) in KiB."""
    pss, hwm = 0, 0
    for pid in pids:
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm = max(hwm, int(line.split()[1]))
        except OSError:
            pass
    return pss, hwm


def threads_of(pids):
    """Every thread id of every process in pids."""
    tids = []
    for pid in pids:
        try:
            tids += [int(t) for t in os.listdir("/proc/%d/task" % pid)]
        except OSError:
            pass
    return tids


def pin_threads(pids, cpu):
    """Puts every thread of pids on cpu; returns the CPU lists they had
    before. Knot sets its UDP workers' affinity itself (worker i on CPU i),
    overriding taskset; re-pinning after start brings them back."""
    seen = set()
    for tid in threads_of(pids):
        try:
            with open("/proc/%d/status" % tid) as f:
                for line in f:
                    if line.startswith("Cpus_allowed_list:"):
                        seen.add(line.split()[1])
            os.sched_setaffinity(tid, {cpu})
        except OSError:
            pass
    return seen


def stop_process(proc, grace=10.0):
    """SIGTERM the server and, if needed, SIGKILL it and what it forked."""
    if proc is None or proc.poll() is not None:
        return
    tree = process_tree(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace)
    deadline = time.monotonic() + grace
    for pid in tree[1:]:
        while read_stat(pid) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        if read_stat(pid) is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


# ----------------------------------------------------------------- DNS probe

def soa_query(qid):
    name = b"".join(bytes([len(label)]) + label.encode()
                    for label in ORIGIN.rstrip(".").split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + name + struct.pack("!HH", 6, 1)


def wait_first_answer(proc, port, timeout, authoritative=True):
    """Seconds from now until an authoritative SOA answer (any response
    when not authoritative: the echo), or None."""
    start = time.monotonic()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    qid = 0
    next_send = start
    try:
        while time.monotonic() - start < timeout:
            if proc.poll() is not None:
                return None
            # One probe per 10 ms at most, so probing costs the loading server nothing.
            delay = next_send - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_send = time.monotonic() + 0.01
            qid = (qid + 1) & 0xFFFF
            try:
                sock.sendto(soa_query(qid), ("127.0.0.1", port))
            except OSError:
                time.sleep(0.005)
                continue
            ready, _, _ = select.select([sock], [], [], 0.01)
            while ready:
                try:
                    data = sock.recv(4096)
                except OSError:
                    break
                if len(data) >= 12:
                    rid, flags, _, ancount = struct.unpack("!HHHH", data[:8])
                    if rid == qid and flags & 0x8000 and (not authoritative or (
                            flags & 0x0400 and flags & 0xF == 0 and ancount >= 1)):
                        return time.monotonic() - start
                ready, _, _ = select.select([sock], [], [], 0)
        return None
    finally:
        sock.close()


def skip_name(data, at):
    """The offset after the (possibly compressed) domain name at data[at]."""
    while data[at] != 0:
        if data[at] & 0xC0 == 0xC0:
            return at + 2
        at += data[at] + 1
    return at + 1


def soa_serial(port, timeout=0.05):
    """The SOA serial the server at port answers for ORIGIN over UDP, or None."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.settimeout(timeout)
        qid = random.randrange(65536)
        sock.sendto(soa_query(qid), ("127.0.0.1", port))
        while True:
            data = sock.recv(4096)
            if len(data) < 12 or struct.unpack("!H", data[:2])[0] != qid:
                continue
            if struct.unpack("!H", data[6:8])[0] < 1:
                return None
            # Question, then the first answer record: the SOA (RFC 1035 3.3.13,
            # serial after MNAME and RNAME).
            at = skip_name(data, 12) + 4
            at = skip_name(data, at) + 10
            at = skip_name(data, skip_name(data, at))
            return struct.unpack("!I", data[at:at + 4])[0]
    except (OSError, struct.error, IndexError):
        return None
    finally:
        sock.close()


def axfr_query():
    name = b"".join(bytes([len(label)]) + label.encode()
                    for label in ORIGIN.rstrip(".").split(".")) + b"\0"
    message = struct.pack("!HHHHHH", 4242, 0, 1, 0, 0, 0) + name + struct.pack("!HH", 252, 1)
    return struct.pack("!H", len(message)) + message


def axfr_transfer(port, expected_records, timeout=120.0):
    """One AXFR of ORIGIN over TCP, read by a byte counter: only each
    message's header is looked at (RCODE, ANCOUNT), the records are not
    parsed, so the client costs little next to the server. The transfer is
    complete when the answer counts reach expected_records + 1 (the closing
    SOA). Returns a dict: seconds (connect to last byte), bytes, messages,
    records, client CPU seconds, error (None when complete)."""
    result = {"bytes": 0, "messages": 0, "records": 0, "error": None}
    cpu_before = time.process_time()
    start = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        sock.settimeout(max(1.0, timeout - (time.monotonic() - start)))
        sock.sendall(axfr_query())
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        have = 0   # unconsumed bytes at buf[0:have]
        while result["records"] < expected_records + 1:
            if time.monotonic() - start > timeout:
                result["error"] = "timed out"
                break
            if have == len(buf):
                buf.extend(bytes(len(buf)))
                view = memoryview(buf)
            n = sock.recv_into(view[have:])
            if n == 0:
                result["error"] = "closed after %d records" % result["records"]
                break
            result["bytes"] += n
            have += n
            used = 0
            while have - used >= 14:
                length = struct.unpack_from("!H", buf, used)[0]
                if have - used < 2 + length:
                    break
                flags, _, ancount = struct.unpack_from("!HHH", buf, used + 4)
                if flags & 0xF:
                    result["error"] = "rcode %d" % (flags & 0xF)
                    break
                result["messages"] += 1
                result["records"] += ancount
                used += 2 + length
            if result["error"]:
                break
            buf[0:have - used] = buf[used:have]
            have -= used
        if result["error"] is None and result["records"] != expected_records + 1:
            result["error"] = "%d records, expected %d" % (result["records"],
                                                           expected_records + 1)
    except OSError as e:
        result["error"] = str(e)
    finally:
        sock.close()
    result["seconds"] = time.monotonic() - start
    result["client_cpu"] = time.process_time() - cpu_before
    return result


def reset_peak_rss(pids):
    """Resets VmHWM to the current RSS (/proc/PID/clear_refs "5")."""
    for pid in pids:
        try:
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("5")
        except OSError:
            pass


def free_port():
    """A port in 40000-60000 that is free for UDP and TCP on 127.0.0.1."""
    rng = random.Random()
    for _ in range(100):
        port = rng.randrange(40000, 60000)
        try:
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(socket.AF_INET, kind)
                s.bind(("127.0.0.1", port))
                s.close()
            return port
        except OSError:
            continue
    raise SystemExit("run: no free port in 40000-60000")


# ----------------------------------------------------------------- servers

class Server:
    """One server under test: how to configure and start it. With big (the
    big-zone parts), the configuration also allows AXFR from 127.0.0.1 and
    opens the control channel reload() uses (control_port: a free TCP port
    for the servers whose channel is TCP)."""

    def __init__(self, name, binary):
        self.name = name
        self.binary = binary

    def command(self, workdir, zone, port, threads, big=False, control_port=None):
        raise NotImplementedError

    def reload_command(self, workdir):
        """The command that makes the running server reload its zone, or None
        when reload() signals the process instead."""
        return None


class Zoned(Server):
    def command(self, workdir, zone, port, threads, big=False, control_port=None):
        cmd = [self.binary, "-a", "127.0.0.1", "-p", str(port), "-t", str(threads), "-v", "0"]
        if not big:
            return cmd + ["-z", "%s:%s" % (ORIGIN, zone)]
        conf = os.path.join(workdir, "zoned.conf")
        with open(conf, "w") as f:
            f.write("""options { allow-transfer { 127.0.0.1; }; };
zone "%s" { type primary; file "%s"; };
""" % (ORIGIN, zone))
        return cmd + ["-c", conf]


class Echo(Server):
    def command(self, workdir, zone, port, threads, big=False, control_port=None):
        return [self.binary, "-a", "127.0.0.1", "-p", str(port), "-t", str(threads)]


class Nsd(Server):
    # What the benchmark sets beyond the interop tests' NSD: one socket per
    # server process, a log file, no rate limiting, as many TCP slots as
    # dnsperf opens connections and more.
    TUNING = """	reuseport: yes
	logfile: "%s/nsd.log"
	hide-version: yes
	tcp-count: 16
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
"""

    def command(self, workdir, zone, port, threads, big=False, control_port=None):
        conf = os.path.join(workdir, "nsd.conf")
        # The control channel on a unix socket (NSD >= 4.3.0): no TLS keys.
        control = ('control-enable: yes\n\tcontrol-interface: "%s/nsd.sock"' % workdir
                   if big else "control-enable: no")
        xfr = "\tprovide-xfr: 127.0.0.1 NOKEY\n" if big else ""
        with open(conf, "w") as f:
            f.write(nsd_conf(workdir, port, '\tzonefile: "%s"\n' % zone + xfr, name=ORIGIN,
                             server=self.TUNING % workdir, control=control,
                             threads=threads, verbosity=0))
        return [self.binary, "-d", "-c", conf]

    def reload_command(self, workdir):
        return ["nsd-control", "-c", os.path.join(workdir, "nsd.conf"), "reload", ORIGIN]


class Knot(Server):
    def command(self, workdir, zone, port, threads, big=False, control_port=None):
        conf = os.path.join(workdir, "knot.conf")
        control = ('control:\n    listen: "%s/knot.sock"\nacl:\n  - id: xfr\n'
                   '    address: 127.0.0.1\n    action: transfer\n' % workdir) if big else ""
        # The zone as written (no journal, no signing, no checks), the
        # workers as many as the other servers' threads.
        body = control + """template:
  - id: default
    storage: "%(dir)s"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
    dnssec-signing: off
zone:
  - domain: %(origin)s
    file: "%(zone)s"
%(acl)s""" % {"dir": workdir, "origin": ORIGIN, "zone": zone,
              "acl": "    acl: xfr\n" if big else ""}
        server = ("    udp-workers: %d\n    tcp-workers: 1\n    background-workers: 1\n"
                  % threads)
        with open(conf, "w") as f:
            f.write(knot_conf(workdir, port, body, server=server, log_level="error"))
        return [self.binary, "-c", conf]

    def reload_command(self, workdir):
        return ["knotc", "-c", os.path.join(workdir, "knot.conf"), "zone-reload", ORIGIN]


# rndc's key for the benchmark's BIND: loopback only, made up for this file.
RNDC_SECRET = "YmVuY2htYXJrLW9ubHktcm5kYy1zZWNyZXQtMzJiIQ=="


class Bind(Server):
    def command(self, workdir, zone, port, threads, big=False, control_port=None):
        conf = os.path.join(workdir, "named.conf")
        key = 'key "rndc-key" { algorithm hmac-sha256; secret "%s"; };\n' % RNDC_SECRET
        controls = "controls { };"
        if big:
            controls = (key + 'controls { inet 127.0.0.1 port %d allow { 127.0.0.1; } '
                        'keys { "rndc-key"; }; };' % control_port)
            with open(os.path.join(workdir, "rndc.conf"), "w") as f:
                f.write(key + 'options { default-key "rndc-key"; default-server 127.0.0.1; '
                        'default-port %d; };\n' % control_port)
        options = "notify no;\n\tallow-query { any; };\n\t" + (
            "allow-transfer { 127.0.0.1; };" if big else "")
        with open(conf, "w") as f:
            f.write(named_conf(workdir, port, options,
                               'zone "%s" { type primary; file "%s"; };\n' % (ORIGIN, zone),
                               controls=controls))
        return [self.binary, "-g", "-c", conf, "-n", str(threads)]

    def reload_command(self, workdir):
        return ["rndc", "-c", os.path.join(workdir, "rndc.conf"), "reload", ORIGIN]


def find_servers(wanted, builddir):
    """The servers asked for that are installed or built; prints the others."""
    found, missing = [], []
    local = {"zoned": os.path.join(builddir, "src", "zoned"),
             "echo": os.path.join(builddir, "tests", "bench", "udp-echo")}
    system = {"nsd": (Nsd, "nsd"), "knot": (Knot, "knotd"), "bind": (Bind, "named")}
    for name in wanted:
        if name in local:
            path = local[name]
            if os.access(path, os.X_OK):
                found.append((Zoned if name == "zoned" else Echo)(name, path))
            else:
                missing.append("%s (%s not built: run make bench)" % (name, path))
        else:
            cls, program = system[name]
            path = shutil.which(program, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
            if path:
                found.append(cls(name, path))
            else:
                missing.append("%s (%s not installed)" % (name, program))
    return found, missing


class Running:
    """A started server; stop() is safe to call twice."""

    def __init__(self, server, workroot, zone, port, threads, cpu, big=False):
        self.server = server
        self.workdir = tempfile.mkdtemp(prefix=server.name + "-", dir=workroot)
        self.log = open(os.path.join(self.workdir, "stderr.log"), "w+")
        self.control_port = free_port() if big else None
        cmd = ["taskset", "-c", str(cpu)] + server.command(
            self.workdir, zone, port, threads, big, self.control_port)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=self.workdir)
        ACTIVE.append(self)

    def log_tail(self):
        """The last lines the server wrote to stderr or to a log file (NSD)."""
        self.log.flush()
        lines = []
        for entry in sorted(os.listdir(self.workdir)):
            if entry.endswith(".log"):
                with open(os.path.join(self.workdir, entry), errors="replace") as f:
                    lines += f.read().strip().splitlines()
        return " | ".join(lines[-3:]) if lines else "no output"

    def stop(self):
        stop_process(self.proc)
        if self in ACTIVE:
            ACTIVE.remove(self)
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


ACTIVE = []


class Spinner:
    """A SCHED_IDLE busy loop on the server CPU. In a VM an idle vCPU halts and
    takes milliseconds to wake, which swamps the latency of a server at a
    modest fixed rate; a SCHED_IDLE task keeps the CPU awake yet yields at
    once to any normal task, so the server's own work is not slowed."""

    def __init__(self, cpu):
        def become_idle():
            os.sched_setaffinity(0, {cpu})
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        self.proc = subprocess.Popen(["/bin/sh", "-c", "while :; do :; done"],
                                     preexec_fn=become_idle, stdin=subprocess.DEVNULL)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


# ----------------------------------------------------------------- dnsperf

def run_dnsperf(args, port, queries, seconds, qps, query_count, out_path, mode="udp"):
    """Runs dnsperf on the client CPU; returns its figures and latencies.
    With args.signed every query has the DO bit (dnsperf -D, EDNS 4096).
    mode "tcp": dnsperf -m tcp, one connection per client (-c), the -q
    outstanding queries spread over them (pipelined), connections kept for
    the whole run (dnsperf's default num-queries-per-conn: unlimited)."""
    runs = max(2, int(seconds * 500000 / query_count) + 1)
    cmd = ["taskset", "-c", str(args.client_cpu), "dnsperf", "-s", "127.0.0.1",
           "-p", str(port), "-d", queries, "-l", str(seconds), "-n", str(runs),
           "-c", str(DNSPERF_CLIENTS), "-q", str(DNSPERF_OUTSTANDING), "-t", "2", "-v"]
    if qps:
        cmd += ["-Q", str(qps)]
    if mode != "udp":
        cmd += ["-m", mode]
    if getattr(args, "signed", False):
        cmd += ["-D"]
    with open(out_path, "w") as out:
        subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       timeout=seconds + 30, check=False)
    return parse_dnsperf(out_path)


def parse_dnsperf(path):
    """Summary figures plus p50/p99 from the per-query '> RCODE name type s' lines."""
    result = {"rcodes": {}}
    latencies = []
    with open(path) as f:
        for line in f:
            if line.startswith("> "):
                try:
                    latencies.append(float(line.rsplit(None, 1)[1]))
                except ValueError:
                    pass
                continue
            match = re.match(r"\s+Queries (completed|lost|sent):\s+(\d+)", line)
            if match:
                result[match.group(1)] = int(match.group(2))
            match = re.match(r"\s+Queries per second:\s+([\d.]+)", line)
            if match:
                result["qps"] = float(match.group(1))
            match = re.match(r"\s+Average Latency \(s\):\s+([\d.]+)", line)
            if match:
                result["avg"] = float(match.group(1))
            match = re.match(r"\s+Response codes:\s+(.*)", line)
            if match:
                for code, count in re.findall(r"(\w+) (\d+) \(", match.group(1)):
                    result["rcodes"][code] = int(count)
    os.unlink(path)
    if latencies:
        latencies.sort()
        result["p50"] = latencies[len(latencies) // 2]
        result["p99"] = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return result


def answers_look_right(name, rcodes):
    """The mix gives about 85% NOERROR and 15% NXDOMAIN; anything else is wrong."""
    total = sum(rcodes.values())
    if total == 0:
        return "none"
    if name == "echo":
        return "ok"
    nxdomain = rcodes.get("NXDOMAIN", 0) / total
    other = 1 - nxdomain - rcodes.get("NOERROR", 0) / total
    if abs(nxdomain - 0.15) > 0.02 or other > 0.001:
        return "WRONG " + ",".join("%s:%d" % kv for kv in sorted(rcodes.items()))
    return "ok"
