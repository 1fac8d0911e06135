# ixfr.py: end to end, IXFR out of the real src/zoned from its journal
# (RFC 1995): after two reloads `dig IXFR=1` gets both steps and dnspython
# applying them to the first zone file gets exactly the third; a restart
# keeps answering from the journal (and drops one left from another zone
# file); max-journal-size drops the oldest steps; a reload that changes
# records without raising the serial is logged as an error and IXFR from
# that serial falls back to AXFR; a difference larger than the zone is sent
# as the zone (as BIND); a damaged journal is logged and ignored;
# a TSIG-signed IXFR verifies message by message. The BIND, NSD and Knot
# secondaries' IXFR is in xfr_out.py.
import os
import re
import signal
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403
from xfr_out import (ORIGIN, TSIG_KEY, TSIG_SECRET, assert_complete, axfr_messages,  # noqa: E402
                     message_records, parse_presentation, record_key, zone_file_records)

import dns.query  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.tsigkeyring  # noqa: E402
import dns.versioned  # noqa: E402
import dns.xfr  # noqa: E402
import dns.zone  # noqa: E402


def version_text(serial, hosts=200, changed=(), removed=(), ttl=300, extra=''):
    """example. at serial: hosts A records (those in changed with another
    address, those in removed left out), a multi-record MX RRset whose
    second record follows the serial, an RRset whose TTL is ttl."""
    lines = ['$ORIGIN example.', '$TTL 300',
             '@ IN SOA ns1 hostmaster %d 3600 600 86400 300' % serial,
             '@ IN NS ns1', 'ns1 IN A 192.0.2.1',
             '@ IN MX 10 mx1', '@ IN MX %d mx2' % (20 + serial), '@ IN MX 30 mx3',
             'ttl %d IN TXT "a"' % ttl, 'ttl %d IN TXT "b"' % ttl]
    for i in range(hosts):
        if i in removed:
            continue
        lines.append('h%d IN A 10.0.%d.%d' % (i, i >> 8, (i & 255) if i not in changed
                                                 else (i + serial) & 255))
    return '\n'.join(lines) + '\n' + extra


def serve(workdir, text, zone_extra='', options=''):
    path = os.path.join(workdir, 'example.zone')
    write(path, text)
    conf = os.path.join(workdir, 'zoned.conf')
    write(conf, '''key "%s" { algorithm hmac-sha256; secret "%s"; };
options {
	directory "%s";
	allow-transfer { 127.0.0.1; key "%s"; };
	%s
};
zone "example" { type primary; file "example.zone"; %s };
''' % (TSIG_KEY, TSIG_SECRET, workdir, TSIG_KEY, options, zone_extra))
    z = start_zoned(workdir, ['-c', conf, '-t', '2'], clean_exit=True)
    z.zone_path = path
    z.conf = conf
    return z


def reload_to(z, text, serial):
    write(z.zone_path, text)
    z.reload()
    assert soa_serial(z.port, ORIGIN) == serial


def apply_ixfr(records, start):
    """Applies an IXFR's records (SOA, then per step: old SOA, deletions,
    new SOA, additions; SOA) to the set start; returns (set, steps)."""
    current = set(start)
    soa = dns.rdatatype.SOA
    assert records[0][2] == soa and records[-1] == records[0], records[:2]
    i, steps = 1, 0
    while i < len(records) - 1:
        old_soa = records[i]
        assert old_soa[2] == soa and old_soa in current, 'step %d: old SOA' % steps
        current.discard(old_soa)
        i += 1
        while records[i][2] != soa:
            assert records[i] in current, 'deleting what is not there: %s' % (records[i],)
            current.discard(records[i])
            i += 1
        current.add(records[i])   # the step's new SOA
        i += 1
        while i < len(records) - 1 and records[i][2] != soa:
            assert records[i] not in current, 'adding what is there: %s' % (records[i],)
            current.add(records[i])
            i += 1
        steps += 1
    return current, steps


def ixfr(port, serial):
    return message_records(axfr_messages(port, rdtype='IXFR', serial=serial))


def three_versions(workdir):
    """Serves version 1, reloads to 2 (address changed, name removed, MX
    record changed, TTL changed) and 3 (more of each, a name added); returns
    zoned and the three zone texts."""
    texts = [version_text(1),
             version_text(2, changed={5, 6}, removed={7}, ttl=600),
             version_text(3, changed={5, 6, 8}, removed={7, 9}, ttl=600,
                          extra='new IN AAAA 2001:db8::3\n')]
    z = serve(workdir, texts[0])
    for serial in (2, 3):
        reload_to(z, texts[serial - 1], serial)
    return z, texts


def file_records(workdir, text, name):
    path = os.path.join(workdir, name)
    write(path, text)
    return zone_file_records(path)


def test_dig_ixfr_is_the_difference(workdir):
    z, texts = three_versions(workdir)
    v1, v2, v3 = (file_records(workdir, t, 'v%d.zone' % (i + 1)) for i, t in enumerate(texts))
    # dig IXFR=1: both steps, condensed; applied to version 1 they give version 3.
    d = dig(z.port, ORIGIN, 'IXFR=1', '+nocomments')
    assert d.returncode == 0, d.stderr
    records = parse_presentation(d.stdout)
    assert len(records) < len(v3) / 4, len(records)
    result, steps = apply_ixfr(records, v1)
    assert steps == 2 and result == v3, (steps, sorted(result ^ v3)[:6])
    # IXFR=2: one step, from version 2.
    records = ixfr(z.port, 2)
    result, steps = apply_ixfr(records, v2)
    assert steps == 1 and result == v3
    # dnspython's own IXFR client applies it to a zone of version 1.
    zone = dns.versioned.Zone(ORIGIN, relativize=False)
    with zone.writer() as txn:
        for name, ttl, rdata in dns.zone.from_text(texts[0], ORIGIN, relativize=False,
                                                   check_origin=False).iterate_rdatas():
            txn.add(name, ttl, rdata)
    query, _ = dns.xfr.make_query(zone)
    assert query.question[0].rdtype == dns.rdatatype.IXFR
    dns.query.inbound_xfr('127.0.0.1', zone, query=query, port=z.port, timeout=10)
    got = {record_key(name, ttl, rdata) for name, ttl, rdata in zone.iterate_rdatas()}
    assert got == v3, sorted(got ^ v3)[:6]
    # zoned's log: IXFR, serials, and the records sent (SOA, per step SOA
    # deletions SOA additions, SOA).
    log = z.log()
    assert 'IXFR queued in full, serial 1 to 3, 1 messages, %d records' \
        % len(parse_presentation(d.stdout)) in log, log
    assert re.search(r'journal .*example.zone.jnl: serial 2 to 3 recorded '
                     r'\(5 records deleted, 5 added\)', log), log
    # Current or from the future: the single SOA; too old: the whole zone.
    for serial in (3, 4):
        assert len(ixfr(z.port, serial)) == 1
    assert_complete(ixfr(z.port, 0), z.zone_path, 'IXFR from 0')
    assert 'IXFR (AXFR form) started, serial 0 to 3 (no journal back to that serial)' in z.log()
    # Over UDP: the single SOA, as BIND 9.18 answers (ask again over TCP).
    d = dig(z.port, ORIGIN, 'IXFR=1', '+notcp', '+nocomments')
    assert len(parse_presentation(d.stdout)) == 1, d.stdout


def test_signed_ixfr(workdir):
    z, texts = three_versions(workdir)
    keyring = dns.tsigkeyring.from_text({TSIG_KEY: ('hmac-sha256', TSIG_SECRET)})
    messages = list(dns.query.xfr('127.0.0.1', ORIGIN, rdtype=dns.rdatatype.IXFR, serial=1,
                                  port=z.port, keyring=keyring, keyalgorithm='hmac-sha256',
                                  relativize=False, timeout=10, lifetime=20))
    assert all(m.had_tsig for m in messages)
    v1 = file_records(workdir, texts[0], 'v1.zone')
    result, steps = apply_ixfr(message_records(messages), v1)
    assert steps == 2 and result == zone_file_records(z.zone_path)


def test_restart_keeps_the_journal(workdir):
    z, texts = three_versions(workdir)
    conf = z.conf
    before = ixfr(z.port, 1)
    assert z.stop() == 0
    z = start_zoned(workdir, ['-c', conf, '-t', '2'], clean_exit=True)
    assert ixfr(z.port, 1) == before
    assert 'IXFR queued in full, serial 1 to 3' in z.log(), z.log()
    # Edited while stopped: the journal leads elsewhere; removed, as BIND.
    assert z.stop() == 0
    path = os.path.join(workdir, 'example.zone')
    write(path, version_text(9))
    # zoned -C checks and changes nothing.
    status, output = run_zoned(['-C', '-c', conf], workdir)
    assert status == 0 and os.path.exists(path + '.jnl'), output
    z = start_zoned(workdir, ['-c', conf, '-t', '2'], clean_exit=True)
    z.zone_path = path
    assert 'journal %s.jnl ends at serial 3 but the zone has serial 9' % path in z.log(), \
        z.log()
    assert not os.path.exists(path + '.jnl')
    assert_complete(ixfr(z.port, 3), path, 'IXFR from 3 without a journal')


def test_max_journal_size_drops_the_oldest(workdir):
    """Each step changes 40 addresses (about 2 KB); max-journal-size 6k
    keeps the newest two or so. The journal is where the journal statement
    says (relative to directory)."""
    os.mkdir(os.path.join(workdir, 'journals'))
    z = serve(workdir, version_text(1),
              zone_extra='max-journal-size 6k; journal "journals/example.journal";')
    every = set(range(40))
    for serial in range(2, 7):
        reload_to(z, version_text(serial, changed=every if serial % 2 else set()), serial)
    assert not os.path.exists(z.zone_path + '.jnl')
    size = os.path.getsize(os.path.join(workdir, 'journals', 'example.journal'))
    assert size <= 6 * 1024, size
    assert 'over max-journal-size (6144 octets): dropped' in z.log(), z.log()
    assert_complete(ixfr(z.port, 1), z.zone_path, 'IXFR from a dropped serial')
    assert 'serial 1 to 6 (no journal back to that serial)' in z.log()
    v5 = file_records(workdir, version_text(5, changed=every), 'v5.zone')
    result, steps = apply_ixfr(ixfr(z.port, 5), v5)
    assert steps == 1 and result == zone_file_records(z.zone_path)


def test_serial_not_increased(workdir):
    z = serve(workdir, version_text(1))
    reload_to(z, version_text(2), 2)
    # Records changed, serial still 2: an error in the log; the new records
    # are served (as zoned did before, and BIND without ixfr-from-differences).
    write(z.zone_path, version_text(2, extra='sneaky IN A 192.0.2.99\n'))
    z.reload()
    log = z.log()
    assert re.search(r'zone example: records changed but serial 2 not increased; IXFR '
                     r'journal not updated \(.*example.zone.jnl restarted', log), log
    assert query('sneaky.example.', 'A', z.port).answer
    # A secondary at 1 (or at the old 2) cannot be brought to this by IXFR.
    assert_complete(ixfr(z.port, 1), z.zone_path, 'IXFR from 1 after the reset')
    # The serial goes up: IXFR from 2 stays AXFR (copies at 2 may lack
    # sneaky), IXFR from 3 is a difference again.
    reload_to(z, version_text(3, extra='sneaky IN A 192.0.2.99\n'), 3)
    reload_to(z, version_text(4, changed={1}, extra='sneaky IN A 192.0.2.99\n'), 4)
    assert_complete(ixfr(z.port, 2), z.zone_path, 'IXFR from the reused serial')
    v3 = file_records(workdir, version_text(3, extra='sneaky IN A 192.0.2.99\n'), 'v3.zone')
    result, steps = apply_ixfr(ixfr(z.port, 3), v3)
    assert steps == 1 and result == zone_file_records(z.zone_path)
    # A reload that changes nothing at all says nothing about the journal.
    before = z.log().count('journal')
    write(z.zone_path, version_text(4, changed={1}, extra='sneaky IN A 192.0.2.99\n'))
    z.reload()
    assert z.log().count('journal') == before, z.log()


def test_difference_larger_than_the_zone(workdir):
    """Every record's TTL changed: the step deletes and adds the whole zone,
    twice its size; the zone goes instead, as BIND does (max-ixfr-ratio
    100%). A small step after it is a difference again."""
    z = serve(workdir, version_text(1))
    reload_to(z, version_text(2).replace('$TTL 300', '$TTL 900'), 2)
    assert_complete(ixfr(z.port, 1), z.zone_path, 'IXFR of a step larger than the zone')
    assert 'IXFR (AXFR form) started, serial 1 to 2 (the difference is larger than the zone)' \
        in z.log(), z.log()
    v2 = zone_file_records(z.zone_path)
    reload_to(z, version_text(3, changed={1}).replace('$TTL 300', '$TTL 900'), 3)
    result, steps = apply_ixfr(ixfr(z.port, 2), v2)
    assert steps == 1 and result == zone_file_records(z.zone_path)
    assert 'IXFR queued in full, serial 2 to 3' in z.log()


def test_damaged_journal(workdir):
    z, texts = three_versions(workdir)
    assert z.stop() == 0
    journal = z.zone_path + '.jnl'
    with open(journal, 'r+b') as f:
        f.seek(os.path.getsize(journal) - 20)
        f.write(b'\xff' * 8)
    z = start_zoned(workdir, ['-c', z.conf, '-t', '2'], clean_exit=True)
    z.zone_path = os.path.join(workdir, 'example.zone')
    assert 'is damaged after 1 steps' in z.log(), z.log()
    # The step before the damage is kept; the one after it cannot be used
    # and the journal does not end at the zone's serial: removed.
    assert 'ends at serial 2 but the zone has serial 3' in z.log(), z.log()
    assert_complete(ixfr(z.port, 1), z.zone_path, 'IXFR after a damaged journal')
    # Garbage instead of a journal: logged, ignored, replaced at the next step.
    write(journal, b'not a journal at all')
    z.reload()
    assert_complete(ixfr(z.port, 2), z.zone_path, 'IXFR with a garbage journal')
    reload_to(z, version_text(4, changed={5}), 4)
    assert 'is not a journal of this zone (zoned\'s): replacing it' in z.log(), z.log()
    result, steps = apply_ixfr(ixfr(z.port, 3), zone_file_records_of(workdir, texts[2]))
    assert steps == 1 and result == zone_file_records(z.zone_path)
    assert z.alive()


def zone_file_records_of(workdir, text):
    return file_records(workdir, text, 'copy.zone')


if __name__ == '__main__':
    sys.exit(main([test_dig_ixfr_is_the_difference, test_signed_ixfr,
                   test_restart_keeps_the_journal, test_max_journal_size_drops_the_oldest,
                   test_serial_not_increased, test_difference_larger_than_the_zone,
                   test_damaged_journal]))
