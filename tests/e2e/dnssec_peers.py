# dnssec_peers.py: differential check, run by hand (not in make check: CI
# does not install the peers): Knot, NSD and BIND serve the signed zones of
# tests/fixtures/dnssec beside zoned on loopback, and every query of
# tests/e2e/dnssec.py's lists (and a few more), with DO, must get the same
# rcode, AA, TC, answer and authority sections (as sets of records, TTLs
# included; the additional section excepted) from zoned as from each peer,
# apart from the differences listed in KNOWN with their reason. A peer that is
# not installed fails the run (apt-get install knot nsd bind9).
#   top_srcdir=$PWD top_builddir=$PWD /usr/bin/python3 tests/e2e/dnssec_peers.py
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403
import dnssec  # noqa: E402

QUERIES = ([(name, rdtype) for name, rdtype, _, _ in dnssec.SECURE]
           + [(name, rdtype) for name, rdtype, _ in dnssec.INSECURE]
           + [('www.insecure', 'DS'), ('*.wild', 'A'), ('x.ent', 'A'), ('foo.wild', 'ANY'),
              ('www.secure', 'A'), ('nx', 'NSEC3'), ('nx', 'RRSIG')])

# (relative name, type, zone or None for all, peer): why the answers differ.
KNOWN = {
    ('foo.wild', 'ANY', None, 'bind'):
        'RFC 8482: zoned answers ANY over UDP with one RRset, BIND with all of them',
    ('nx.e2', 'A', 'optout.test', 'nsd'):
        'NSD takes the empty non-terminal e2, which has no NSEC3 (opt-out), as the closest '
        'encloser; zoned, Knot and BIND prove from the closest provable encloser, the apex',
}


def wait_soa(port, zone, what, proc):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError('%s exited with %d' % (what, proc.returncode))
        try:
            r = query(zone, 'SOA', port)
            if r.rcode() == dns.rcode.NOERROR and r.answer:
                return
        except dns.exception.Timeout:
            continue
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError('%s did not answer %s SOA within 20 s' % (what, zone))


def peer_configs(workdir, port):
    """Configuration text per peer, serving workdir/<zone>.zone on 127.0.0.1@port."""
    zones = dnssec.ZONES
    knot = ('server:\n    listen: 127.0.0.1@%d\n    rundir: %s/knot\n'
            'database:\n    storage: %s/knot\n'
            'template:\n  - id: default\n    storage: %s\n    semantic-checks: off\n'
            '    journal-content: none\n    zonefile-sync: -1\n    zonefile-load: whole\n'
            'zone:\n' % (port['knot'], workdir, workdir, workdir)
            + ''.join('  - domain: %s\n    file: %s.zone\n' % (z, z) for z in zones))
    nsd = ('server:\n    ip-address: 127.0.0.1@%d\n    do-ip6: no\n    username: ""\n'
           '    chroot: ""\n    zonesdir: "%s"\n    pidfile: "%s/nsd/nsd.pid"\n'
           '    database: ""\n    zonelistfile: "%s/nsd/zone.list"\n'
           '    xfrdfile: "%s/nsd/xfrd.state"\n    xfrdir: "%s/nsd"\n    server-count: 1\n'
           'remote-control:\n    control-enable: no\n'
           % (port['nsd'], workdir, workdir, workdir, workdir, workdir)
           + ''.join('zone:\n    name: %s\n    zonefile: %s.zone\n' % (z, z) for z in zones))
    named = ('options {\n    directory "%s/named";\n    listen-on port %d { 127.0.0.1; };\n'
             '    listen-on-v6 { none; };\n    recursion no;\n    pid-file none;\n};\n'
             % (workdir, port['bind'])
             + ''.join('zone "%s" { type primary; file "%s/%s.zone"; };\n' % (z, workdir, z)
                       for z in zones))
    return {'knot': knot, 'nsd': nsd, 'bind': named}


def start_peers(workdir):
    """Starts Knot, NSD and BIND; returns {peer: (process, port)}."""
    binaries = {'knot': 'knotd', 'nsd': 'nsd', 'bind': 'named'}
    for peer, name in binaries.items():
        if not shutil.which(name) and not os.access('/usr/sbin/' + name, os.X_OK):
            raise AssertionError('%s (%s) is not installed: apt-get install knot nsd bind9'
                                 % (name, peer))
    for zone in dnssec.ZONES:
        shutil.copy(os.path.join(dnssec.FIXTURES, zone + '.zone'), workdir)
    for sub in ('knot', 'nsd', 'named'):
        os.makedirs(os.path.join(workdir, sub), exist_ok=True)
    port = {peer: free_port() for peer in binaries}
    configs = peer_configs(workdir, port)
    commands = {
        'knot': ['knotd', '-c', os.path.join(workdir, 'knot.conf')],
        'nsd': ['nsd', '-d', '-c', os.path.join(workdir, 'nsd.conf')],
        'bind': ['named', '-g', '-u', 'root', '-c', os.path.join(workdir, 'named.conf')],
    }
    peers = {}
    for peer in binaries:
        conf_name = {'knot': 'knot.conf', 'nsd': 'nsd.conf', 'bind': 'named.conf'}[peer]
        write(os.path.join(workdir, conf_name), configs[peer])
        log = open(os.path.join(workdir, peer + '.log'), 'w')
        peers[peer] = (subprocess.Popen(commands[peer], stdout=log, stderr=subprocess.STDOUT),
                       port[peer])
    try:
        for peer, (proc, p) in peers.items():
            for zone in dnssec.ZONES:
                wait_soa(p, zone, peer, proc)
    except BaseException:
        stop_peers(peers)
        raise
    return peers


def stop_peers(peers):
    for proc, _ in peers.values():
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
    for proc, _ in peers.values():
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def records(section):
    return {('%s %d %s %s' % (rrset.name, rrset.ttl, dns.rdatatype.to_text(rrset.rdtype),
                              rr.to_text())).lower()
            for rrset in section for rr in rrset}


def response_facts(port, name, rdtype, zone):
    q = dns.message.make_query(name, rdtype, want_dnssec=True, payload=1232)
    q.flags &= ~dns.flags.RD
    r = dns.query.udp(q, '127.0.0.1', port=port, timeout=3)
    authority = records(r.authority)
    if r.answer:
        # NSD and BIND add the apex NS RRset to positive answers (no minimal
        # responses); it proves nothing and zoned, like Knot, leaves it out.
        authority = {x for x in authority
                     if not (x.startswith(zone + '. ') and (' ns ' in x or ' rrsig ns ' in x))}
    return (dns.rcode.to_text(r.rcode()), bool(r.flags & dns.flags.AA),
            bool(r.flags & dns.flags.TC), records(r.answer), authority)


def describe(name, rdtype, peer, ours, theirs):
    lines = ['%s %s: zoned and %s differ' % (name, rdtype, peer)]
    for i, what in enumerate(('rcode', 'AA', 'TC')):
        if ours[i] != theirs[i]:
            lines.append('  %s: zoned %s, %s %s' % (what, ours[i], peer, theirs[i]))
    for i, what in ((3, 'answer'), (4, 'authority')):
        lines += ['  %s only zoned: %s' % (what, x) for x in sorted(ours[i] - theirs[i])]
        lines += ['  %s only %s: %s' % (what, peer, x) for x in sorted(theirs[i] - ours[i])]
    return '\n'.join(lines)


def test_same_as_peers(workdir):
    z, zoned_port = dnssec.serve_signed(workdir, children=False)
    peers = start_peers(workdir)
    failures, known = [], 0
    try:
        for zone in dnssec.ZONES:
            for relative, rdtype in QUERIES:
                name = dnssec.absolute(relative, zone)
                ours = response_facts(zoned_port, name, rdtype, zone)
                for peer, (_, port) in peers.items():
                    theirs = response_facts(port, name, rdtype, zone)
                    if ours == theirs:
                        continue
                    if ((relative, rdtype, None, peer) in KNOWN
                            or (relative, rdtype, zone, peer) in KNOWN):
                        known += 1
                        continue
                    failures.append(describe(name, rdtype, peer, ours, theirs))
    finally:
        stop_peers(peers)
    print('%d queries x %d peers compared, %d known differences'
          % (len(dnssec.ZONES) * len(QUERIES), len(peers), known))
    assert not failures, '\n'.join(failures)
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([test_same_as_peers]))
