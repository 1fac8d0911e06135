# acl.py: end to end, access control in the real src/zoned with a named.conf
# using acl statements, allow-query at the options and zone levels (with
# negation, overriding both ways) and blackhole, queried with dig from
# several loopback source addresses (Linux answers on all of 127/8) over UDP
# and TCP: allowed clients get the answer, refused ones REFUSED, blackholed
# ones nothing at all. A reload changes a zone's list while the zone itself
# is shared with the previous set.
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

NAMED_CONF = '''// access control as BIND reads it
acl "trusted" { 127.0.0.2; 127.0.0.3; };
acl "attackers" { 127.0.0.66; 127.0.0.67; };
options {
	directory ".";
	// negation first: 127.0.0.4 is refused even though 127/8 would match later
	allow-query { !127.0.0.4; trusted; 127.0.0.10/31; "later"; };
	blackhole { attackers; };
};
acl later { 127.0.0.20; };
zone "default.test" { type primary; file "default.test.zone"; };
zone "open.test" {
	type primary;
	file "open.test.zone";
	allow-query { any; };                      // looser than the options
};
zone "closed.test" {
	type primary;
	file "closed.test.zone";
	allow-query { !%(closed_negated)s; 127.0.0.0/24; };  // tighter for 127.0.0.3
};
'''

NOERROR, REFUSED, SILENT = 'NOERROR', 'REFUSED', None

# client -> expected status for default.test, open.test, closed.test
EXPECTED = {
    '127.0.0.2': (NOERROR, NOERROR, NOERROR),   # trusted
    '127.0.0.3': (NOERROR, NOERROR, REFUSED),   # trusted, negated in closed.test
    '127.0.0.4': (REFUSED, NOERROR, NOERROR),   # negated in the options
    '127.0.0.5': (REFUSED, NOERROR, NOERROR),   # matches nothing in the options
    '127.0.0.11': (NOERROR, NOERROR, NOERROR),  # 127.0.0.10/31
    '127.0.0.20': (NOERROR, NOERROR, NOERROR),  # acl defined after its use
    '127.0.0.66': (SILENT, SILENT, SILENT),     # blackhole wins over any
}
ZONES = ('default.test', 'open.test', 'closed.test')


def dig(port, source, name, tcp):
    """(status or None when no response, answer count) of one dig query."""
    args = ['dig', '-p', str(port), '-b', source, '@127.0.0.1', '+norecurse', '+time=1',
            '+tries=1', '+retry=0', name, 'SOA']
    if tcp:
        args.append('+tcp')
    out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=10).stdout.decode(errors='replace')
    header = re.search(r'status: (\w+)', out)
    if header is None:
        return None, 0, out
    answers = re.search(r'ANSWER: (\d+)', out)
    return header.group(1), int(answers.group(1)), out


def start(workdir, closed_negated='127.0.0.3'):
    for zone in ZONES:
        write(os.path.join(workdir, zone + '.zone'), zone_text(zone, 7))
    conf = os.path.join(workdir, 'named.conf')
    write(conf, NAMED_CONF % {'closed_negated': closed_negated})
    port = free_port()
    z = Zoned(['-c', conf, '-a', '127.0.0.1', '-p', str(port), '-t', '2'], workdir)
    return z, port, conf


def check(port, client, zone, expected, tcp):
    status, answers, out = dig(port, client, zone, tcp)
    what = '%s from %s over %s' % (zone, client, 'TCP' if tcp else 'UDP')
    assert status == expected, '%s: %s, expected %s\n%s' % (what, status, expected, out)
    if status == NOERROR:
        assert answers == 1, what + '\n' + out
    if status == REFUSED:
        assert answers == 0 and ' aa' not in out.split('flags:')[1].split(';')[0], \
            what + '\n' + out


def test_allow_query_and_blackhole(workdir):
    z, port, _ = start(workdir)
    for tcp in (False, True):
        for client, statuses in EXPECTED.items():
            for zone, expected in zip(ZONES, statuses):
                if expected is SILENT and zone != 'open.test':
                    continue  # each silent query costs a timeout: one zone is enough
                check(port, client, zone, expected, tcp)
        # A name in no zone stays REFUSED for an allowed client.
        check(port, '127.0.0.2', 'elsewhere.example', REFUSED, tcp)
    # Another blackholed address, and the server still answers afterwards.
    check(port, '127.0.0.67', 'default.test', SILENT, False)
    check(port, '127.0.0.2', 'default.test', NOERROR, False)
    assert z.stop() == 0


def test_reload_changes_zone_list(workdir):
    """closed.test keeps its zone (file unchanged) but takes the new list."""
    z, port, conf = start(workdir)
    check(port, '127.0.0.3', 'closed.test', REFUSED, False)
    check(port, '127.0.0.5', 'closed.test', NOERROR, False)
    write(conf, NAMED_CONF % {'closed_negated': '127.0.0.5'})
    z.reload()
    for tcp in (False, True):
        check(port, '127.0.0.3', 'closed.test', NOERROR, tcp)
        check(port, '127.0.0.5', 'closed.test', REFUSED, tcp)
    assert 'closed.test' in z.log()
    assert z.stop() == 0


def test_unimplemented_statement_fails_load(workdir):
    for zone in ZONES:
        write(os.path.join(workdir, zone + '.zone'), zone_text(zone, 7))
    conf = os.path.join(workdir, 'named.conf')
    write(conf, (NAMED_CONF % {'closed_negated': '127.0.0.3'}).replace(
        'allow-query { any; };', 'allow-update { none; };'))
    status, out = run_zoned(['-C', '-c', conf], workdir)
    assert status == 1, out
    assert "named.conf:15: zone option 'allow-update' is not implemented" in out, out


if __name__ == '__main__':
    sys.exit(main([
        test_allow_query_and_blackhole,
        test_reload_changes_zone_list,
        test_unimplemented_statement_fails_load,
    ]))
