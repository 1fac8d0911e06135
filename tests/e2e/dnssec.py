# dnssec.py: end to end, the signed zones of tests/fixtures/dnssec (NSEC,
# NSEC3, NSEC3 with opt-out, NSEC3 with salt and iterations) served by the
# real src/zoned and resolved by a real validating resolver, Unbound, on
# loopback: the zones' DNSKEYs are its
# trust anchors and stub zones send it to zoned's port. Every secure name in
# the list must come back with AD and the expected rcode, the names behind
# insecure delegations and opt-out spans without AD, and none with SERVFAIL
# (a missing or wrong denial proof is bogus, so SERVFAIL). Then BIND's delv
# validates the same names itself. Unbound and delv are required: without
# them this test fails (apt-get install unbound bind9-dnsutils).
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

FIXTURES = os.path.join(TOP_SRCDIR, 'tests', 'fixtures', 'dnssec')
# iter.test: NSEC3 with a salt and 12 iterations (hashed per query for names that do not exist).
ZONES = ('nsec.test', 'nsec3.test', 'optout.test', 'iter.test')
# Unsigned child zones behind the insecure delegations, served by zoned too.
CHILDREN = ('insecure', 'sub.e2')

NOERROR, NXDOMAIN = 'NOERROR', 'NXDOMAIN'

# (name relative to the zone, type, rcode, cover): validated, so with AD.
# cover: the proof needs an NSEC3 covering a name that does not exist (a
# next closer name); in optout.test every NSEC3 has the opt-out flag, and
# RFC 5155 9.2 has such answers validated but insecure: no AD there.
SECURE = [
    ('@', 'SOA', NOERROR, False),
    ('@', 'DNSKEY', NOERROR, False),
    ('www', 'A', NOERROR, False),
    ('nx', 'A', NXDOMAIN, True),                # NXDOMAIN
    ('a.b.nx', 'A', NXDOMAIN, True),
    ('www', 'AAAA', NOERROR, False),            # NODATA
    ('ent', 'A', NOERROR, False),               # NODATA at an empty non-terminal
    ('host.ent', 'A', NOERROR, False),
    ('foo.wild', 'A', NOERROR, True),           # wildcard answer
    ('x.y.wild', 'TXT', NOERROR, True),
    ('foo.wild', 'AAAA', NOERROR, True),        # wildcard NODATA
    ('secure', 'DS', NOERROR, False),           # DS at a secure cut
    ('insecure', 'DS', NOERROR, True),          # no DS: NODATA from the parent
    ('cname', 'A', NOERROR, False),
    ('dangling', 'A', NXDOMAIN, True),          # CNAME to a missing name
    ('wcname', 'A', NOERROR, True),             # CNAME to a wildcard
    ('www.dn', 'A', NOERROR, False),            # DNAME
    ('nx.dn', 'A', NXDOMAIN, True),             # DNAME to a missing name
    ('dn', 'DNAME', NOERROR, False),
    # An empty non-terminal above only an insecure delegation: in optout.test
    # it has no NSEC3 (RFC 5155 7.1), the proof uses its closest provable
    # encloser, the apex, and the opt-out NSEC3 covering it.
    ('e2', 'A', NOERROR, True),
    ('nx.e2', 'A', NXDOMAIN, True),
    ('sub.e2', 'DS', NOERROR, True),
]
# Behind insecure delegations (proved to have no DS): answered, never AD.
INSECURE = [
    ('www.insecure', 'A', NOERROR),
    ('www.sub.e2', 'A', NOERROR),
    ('nx.insecure', 'A', NXDOMAIN),
]


def absolute(name, zone):
    return zone + '.' if name == '@' else '%s.%s.' % (name, zone)


def child_zone_text(origin):
    return ('$TTL 300\n'
            '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300\n'
            '@ IN NS ns.%s.\n'
            'ns IN A 192.0.2.6\n'
            'www IN A 192.0.2.60\n' % (origin, origin, origin))


def serve_signed(workdir, children=True):
    """zoned serving the signed zones (and their unsigned children); (Zoned, port)."""
    lines = ['options { directory "%s"; };' % workdir]
    for zone in ZONES:
        shutil.copy(os.path.join(FIXTURES, zone + '.zone'), os.path.join(workdir, zone + '.zone'))
        lines.append('zone "%s" { type primary; file "%s.zone"; };' % (zone, zone))
        for child in CHILDREN if children else ():
            origin = '%s.%s' % (child, zone)
            write(os.path.join(workdir, origin + '.zone'), child_zone_text(origin))
            lines.append('zone "%s" { type primary; file "%s.zone"; };' % (origin, origin))
    write(os.path.join(workdir, 'zoned.conf'), '\n'.join(lines) + '\n')
    z = start_zoned(workdir, ['-c', os.path.join(workdir, 'zoned.conf'), '-t', '1'])
    return z, z.port


def trust_anchors(path):
    """The DNSKEY records of the signed zones, in zone file form (Unbound's trust-anchor-file)."""
    with open(path, 'w') as out:
        for zone in ZONES:
            with open(os.path.join(FIXTURES, zone + '.zone')) as f:
                keys = [line for line in f if line.split()[3:4] == ['DNSKEY']]
            assert keys, 'no DNSKEY in %s' % zone
            out.writelines(keys)


def unbound_config(workdir, port, zoned_port):
    stubs = []
    for zone in ZONES:
        for origin in [zone] + ['%s.%s' % (child, zone) for child in CHILDREN]:
            stubs.append('stub-zone:\n    name: "%s"\n    stub-addr: 127.0.0.1@%d\n'
                         % (origin, zoned_port))
    return ('server:\n'
            '    interface: 127.0.0.1\n'
            '    port: %d\n'
            '    do-ip6: no\n'
            '    do-daemonize: no\n'
            '    username: ""\n'
            '    chroot: ""\n'
            '    directory: "%s"\n'
            '    pidfile: ""\n'
            '    use-syslog: no\n'
            '    logfile: "%s/unbound.log"\n'
            '    verbosity: 1\n'
            '    val-log-level: 2\n'
            '    num-threads: 1\n'
            '    so-reuseport: no\n'
            '    do-not-query-localhost: no\n'
            '    qname-minimisation: no\n'
            '    module-config: "validator iterator"\n'
            '    trust-anchor-file: "%s/anchors"\n'
            '    harden-dnssec-stripped: yes\n'
            '    access-control: 127.0.0.0/8 allow\n'
            # RFC 6761 makes test. a locally served (NXDOMAIN) zone in Unbound's defaults.
            '    local-zone: "test." nodefault\n'
            'remote-control:\n'
            '    control-enable: no\n'
            % (port, workdir, workdir, workdir)) + ''.join(stubs)


class Unbound:
    def __init__(self, workdir, zoned_port):
        binary = shutil.which('unbound') or '/usr/sbin/unbound'
        if not os.access(binary, os.X_OK):
            raise AssertionError('unbound is not installed (apt-get install unbound): '
                                 'this test needs a real validating resolver')
        self.workdir = workdir
        self.port = free_port()
        trust_anchors(os.path.join(workdir, 'anchors'))
        conf = os.path.join(workdir, 'unbound.conf')
        write(conf, unbound_config(workdir, self.port, zoned_port))
        self.log_file = open(os.path.join(workdir, 'unbound.out'), 'w')
        self.proc = subprocess.Popen([binary, '-d', '-c', conf], stdout=self.log_file,
                                     stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError('unbound exited with %d:\n%s'
                                     % (self.proc.returncode, self.log()))
            try:
                self.resolve('nsec.test.', 'SOA')
                return
            except dns.exception.Timeout:
                continue
            except OSError:
                time.sleep(0.1)
        raise AssertionError('unbound did not answer within 15 s:\n' + self.log())

    def resolve(self, name, rdtype):
        q = dns.message.make_query(name, rdtype, want_dnssec=True)
        q.flags |= dns.flags.RD | dns.flags.AD
        return dns.query.udp(q, '127.0.0.1', port=self.port, timeout=5)

    def log(self):
        text = ''
        for name in ('unbound.out', 'unbound.log'):
            path = os.path.join(self.workdir, name)
            if os.path.exists(path):
                with open(path) as f:
                    text += f.read()
        return text[-6000:]

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log_file.close()


def check(unbound, name, rdtype, rcode, secure, failures):
    r = unbound.resolve(name, rdtype)
    got = dns.rcode.to_text(r.rcode())
    ad = bool(r.flags & dns.flags.AD)
    if got != rcode or ad != secure:
        failures.append('%s %s: %s%s, want %s%s' % (name, rdtype, got, ' ad' if ad else '',
                                                    rcode, ' ad' if secure else ''))


def test_validating_resolver(workdir):
    z, zoned_port = serve_signed(workdir)
    unbound = Unbound(workdir, zoned_port)
    failures = []
    try:
        for zone in ZONES:
            for name, rdtype, rcode, cover in SECURE:
                secure = not (cover and zone == 'optout.test')
                check(unbound, absolute(name, zone), rdtype, rcode, secure, failures)
            for name, rdtype, rcode in INSECURE:
                check(unbound, absolute(name, zone), rdtype, rcode, False, failures)
        assert not failures, '\n'.join(failures) + '\n' + unbound.log()
    finally:
        unbound.stop()
    assert z.stop() == 0


def delv_anchors(path):
    """The zones' DNSKEYs as delv -a wants them (named.conf trust-anchors)."""
    lines = ['trust-anchors {']
    for zone in ZONES:
        with open(os.path.join(FIXTURES, zone + '.zone')) as f:
            for line in f:
                fields = line.split()
                if fields[3:4] == ['DNSKEY']:
                    lines.append('    "%s" static-key %s %s %s "%s";'
                                 % (fields[0], fields[4], fields[5], fields[6], ''.join(fields[7:])))
    lines.append('};')
    write(path, '\n'.join(lines) + '\n')


def test_delv(workdir):
    """BIND's validator too: delv checks what Unbound fetched (with CD) for every secure name."""
    delv = shutil.which('delv')
    assert delv, 'delv is not installed (bind9-dnsutils): this test needs it'
    z, zoned_port = serve_signed(workdir)
    unbound = Unbound(workdir, zoned_port)
    anchors = os.path.join(workdir, 'delv.anchors')
    delv_anchors(anchors)
    cases = [(zone, name, rdtype, cover) for zone in ZONES for name, rdtype, _, cover in SECURE]
    failures = []
    try:
        # A few at a time: each delv mostly waits.
        for start in range(0, len(cases), 16):
            running = []
            for zone, name, rdtype, cover in cases[start:start + 16]:
                proc = subprocess.Popen([delv, '@127.0.0.1', '-p', str(unbound.port), '-a',
                                         anchors, '+root=' + zone, absolute(name, zone), rdtype],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
                running.append((proc, zone, name, rdtype, cover))
            for proc, zone, name, rdtype, cover in running:
                text = proc.communicate(timeout=30)[0]
                # An opt-out span makes a wildcard expansion unsigned (insecure) for BIND.
                ok = 'fully validated' in text or (
                    cover and zone == 'optout.test' and 'unsigned answer' in text)
                if not ok:
                    failures.append('%s %s: %s' % (absolute(name, zone), rdtype, text.strip()))
        assert not failures, '\n'.join(failures)
    finally:
        unbound.stop()
    assert z.stop() == 0


def test_proofs_direct(workdir):
    """zoned itself: NXDOMAIN with DO carries NSEC/NSEC3 and their RRSIGs; without DO none."""
    z, port = serve_signed(workdir)
    for zone, proof in (('nsec.test', 'NSEC'), ('nsec3.test', 'NSEC3'), ('optout.test', 'NSEC3'),
                        ('iter.test', 'NSEC3')):
        r = query('nx.' + zone, 'A', port, want_dnssec=True)
        assert r.rcode() == dns.rcode.NXDOMAIN
        types = sorted(dns.rdatatype.to_text(rrset.rdtype) for rrset in r.authority)
        assert proof in types and 'RRSIG' in types, types
        r = query('nx.' + zone, 'A', port, use_edns=0)
        assert [dns.rdatatype.to_text(rrset.rdtype) for rrset in r.authority] == ['SOA']
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([test_proofs_direct, test_validating_resolver, test_delv]))
