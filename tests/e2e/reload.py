# reload.py: SIGHUP end to end: a changed serial is picked up, a broken file
# keeps the old version serving (and a fixed one is picked up next time),
# unchanged zones are not reloaded, $INCLUDEd files count, config changes add
# and drop zones, queries keep being answered during reloads, and 100 reloads
# leave the RSS flat.
import os
import sys
import threading
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403


def serve(workdir, zones, threads='2', env=None):
    """zones: {origin: text}; serves them from files with -z."""
    args = []
    for origin, text in zones.items():
        write(os.path.join(workdir, origin + '.zone'), text)
        args += ['-z', '%s:%s.zone' % (origin, origin)]
    z = start_zoned(workdir, args + ['-t', threads], env=env)
    return z, z.port


# Under --enable-sanitizers, ASan keeps freed memory in quarantine, which
# would read as growth; without quarantine a leak per reload still shows
# (and LeakSanitizer checks the exit). Ignored by a normal build.
NO_QUARANTINE = {'ASAN_OPTIONS': ':'.join(filter(None, [os.environ.get('ASAN_OPTIONS'),
                                                         'quarantine_size_mb=0']))}


def test_changed_serial(workdir):
    z, port = serve(workdir, {'a.test': zone_text('a.test', 1)})
    assert soa_serial(port, 'a.test') == 1
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 2))
    z.reload()
    assert soa_serial(port, 'a.test') == 2
    assert soa_serial(port, 'a.test', tcp=True) == 2
    assert 'zone a.test: loaded serial 2' in z.log(), z.log()
    assert z.stop() == 0


def test_broken_file_keeps_old_serial(workdir):
    z, port = serve(workdir, {'a.test': zone_text('a.test', 5)})
    path = os.path.join(workdir, 'a.test.zone')
    write(path, zone_text('a.test', 6, 'bad IN A 300.1.2.3\n'))
    z.reload()
    assert soa_serial(port, 'a.test') == 5, 'the old version keeps serving'
    log = z.log()
    assert 'a.test.zone:6:' in log, log   # file:line of the bad record
    assert 'reload failed' in log and 'still serving serial 5' in log, log
    # The same broken file on the next SIGHUP: still the old one, no crash.
    z.reload()
    assert soa_serial(port, 'a.test') == 5
    write(path, zone_text('a.test', 7))
    z.reload()
    assert soa_serial(port, 'a.test') == 7, 'a fixed file is picked up'
    assert z.stop() == 0


def test_unchanged_zone_not_reloaded(workdir):
    z, port = serve(workdir, {'a.test': zone_text('a.test', 1),
                              'b.test': zone_text('b.test', 1)})
    write(os.path.join(workdir, 'b.test.zone'), zone_text('b.test', 2))
    before = z.log()
    z.reload()
    after = z.log()[len(before):]
    assert 'zone b.test: loaded serial 2' in after, after
    assert 'zone a.test' not in after, 'a.test did not change: ' + after
    assert soa_serial(port, 'a.test') == 1 and soa_serial(port, 'b.test') == 2


def test_included_file_change(workdir):
    write(os.path.join(workdir, 'hosts.inc'), 'host IN A 192.0.2.10\n')
    z, port = serve(workdir, {'a.test': zone_text('a.test', 1, '$INCLUDE hosts.inc\n')})
    r = query('host.a.test', 'A', port)
    assert r.answer[0][0].address == '192.0.2.10'
    time.sleep(0.01)
    write(os.path.join(workdir, 'hosts.inc'), 'host IN A 192.0.2.11\n')
    z.reload()
    r = query('host.a.test', 'A', port)
    assert r.answer[0][0].address == '192.0.2.11', 'the $INCLUDEd file counts'


def test_config_adds_and_drops_zones(workdir):
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 1))
    write(os.path.join(workdir, 'b.test.zone'), zone_text('b.test', 1))
    conf = os.path.join(workdir, 'zoned.conf')
    write(conf, 'zone "a.test" { type primary; file "a.test.zone"; };\n')
    z = start_zoned(workdir, ['-c', conf])
    port = z.port
    assert query('www.b.test', 'A', port).rcode() == dns.rcode.REFUSED
    write(conf, 'zone "a.test" { type primary; file "a.test.zone"; };\n'
                'zone "b.test" { type primary; file "b.test.zone"; };\n')
    z.reload()
    assert query('www.b.test', 'A', port).rcode() == dns.rcode.NOERROR
    # A broken config is not used at all.
    write(conf, 'zone "a.test" { type primary; file "a.test.zone"; }\n')
    z.reload()
    assert "zoned.conf:2: expected ';', found 'end of file'" in z.log(), z.log()
    assert query('www.b.test', 'A', port).rcode() == dns.rcode.NOERROR
    write(conf, 'zone "b.test" { type primary; file "b.test.zone"; };\n')
    z.reload()
    assert query('www.a.test', 'A', port).rcode() == dns.rcode.REFUSED
    assert query('www.b.test', 'A', port).rcode() == dns.rcode.NOERROR
    assert z.stop() == 0


def big_zone(origin, serial, count):
    hosts = ''.join('host%d IN A 192.0.2.%d\nhost%d IN TXT "record number %d"\n'
                    % (i, i % 250 + 1, i, i) for i in range(count))
    return zone_text(origin, serial, hosts)


def test_max_records_on_reload(workdir):
    # options { max-records }: a zone grown past the limit is refused, the old one serves.
    path = os.path.join(workdir, 'big.test.zone')
    write(path, big_zone('big.test', 1, 10))
    conf = os.path.join(workdir, 'zoned.conf')
    write(conf, 'options { max-records 100; };\n'
                'zone "big.test" { type primary; file "big.test.zone"; };\n')
    z = start_zoned(workdir, ['-c', conf])
    port = z.port
    assert soa_serial(port, 'big.test') == 1
    write(path, big_zone('big.test', 2, 60))
    z.reload()
    assert 'too many records (limit 100)' in z.log(), z.log()
    assert soa_serial(port, 'big.test') == 1
    assert query('host59.big.test', 'A', port).rcode() == dns.rcode.NXDOMAIN
    assert z.stop() == 0


def test_hundred_reloads_flat_rss_no_failed_query(workdir):
    z, port = serve(workdir, {'big.test': big_zone('big.test', 1, 2000),
                              'small.test': zone_text('small.test', 1)}, env=NO_QUARANTINE)
    path = os.path.join(workdir, 'big.test.zone')
    failures = []
    stop = threading.Event()
    answered = [0]

    def ask():
        # Queries during the reloads: every one answered, never a half zone.
        while not stop.is_set():
            try:
                r = query('host77.big.test', 'A', port)
                if r.rcode() != dns.rcode.NOERROR or r.answer[0][0].address != '192.0.2.78':
                    failures.append(r.to_text())
                answered[0] += 1
            except Exception as e:  # a timeout is a hiccup
                failures.append(repr(e))

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        serial = 1
        # Warm up: allocator caches and thread arenas settle first.
        for _ in range(10):
            serial += 1
            write(path, big_zone('big.test', serial, 2000))
            z.reload()
        before = z.status_kib()
        for _ in range(100):
            serial += 1
            write(path, big_zone('big.test', serial, 2000))
            z.reload()
        after = z.status_kib()
    finally:
        stop.set()
        asker.join()
    assert soa_serial(port, 'big.test') == serial
    assert not failures, failures[:3]
    assert answered[0] > 100, answered[0]
    # One copy of the zone is about 1 MiB: a leak per reload would show 100x.
    growth = after - before
    print('RSS %d KiB -> %d KiB (%+d KiB) over 100 reloads, %d queries answered meanwhile'
          % (before, after, growth, answered[0]))
    assert growth < 2048, 'RSS grew by %d KiB' % growth
    assert z.stop() == 0


def test_incremental_reload(workdir):
    # A zone of 80000 records is cut into chunks (zone_chunks.h): a SIGHUP
    # after a one-record change reads only the changed chunks and serves the
    # change; a new owner, a deleted one, and a broken edit (the old
    # version serves on, the error at its file:line) take the same path.
    count = 40000
    path = os.path.join(workdir, 'big.test.zone')
    write(path, big_zone('big.test', 1, count))
    z = start_zoned(workdir, ['-z', 'big.test:big.test.zone', '-v', '3'])
    port = z.port
    assert soa_serial(port, 'big.test') == 1

    current = {'text': big_zone('big.test', 1, count), 'serial': 1}

    def reload_with(serial, old, new):
        """Edits the file served (old -> new, and the serial), reloads, returns the new log."""
        text = current['text']
        assert old in text
        text = text.replace(old, new, 1).replace(
            'hostmaster.big.test. %d ' % current['serial'], 'hostmaster.big.test. %d ' % serial)
        write(path, text)
        current['text'], current['serial'] = text, serial
        before = len(z.log())
        z.reload()
        return z.log()[before:]

    log = reload_with(2, 'host20000 IN A 192.0.2.', 'host20000 IN A 198.51.100.')
    assert 'zone big.test: read only the changed parts of the file' in log, log
    assert 'zone big.test: loaded serial 2' in log, log
    assert soa_serial(port, 'big.test') == 2
    assert query('host20000.big.test', 'A', port).answer[0][0].address == '198.51.100.1'
    assert query('host20001.big.test', 'A', port).answer[0][0].address == '192.0.2.2'
    log = reload_with(3, 'host30000 IN A', 'added IN A 192.0.2.99\nhost30000 IN A')
    assert 'read only the changed parts' in log, log
    log = reload_with(4, 'host10000 IN TXT "record number 10000"\n', '')
    assert 'read only the changed parts' in log, log
    assert 'loaded serial 4' in log, log
    r = query('added.big.test', 'A', port)
    assert r.answer[0][0].address == '192.0.2.99', r
    r = query('host10000.big.test', 'TXT', port)
    assert r.rcode() == dns.rcode.NOERROR and not r.answer, r
    assert query('host10000.big.test', 'A', port).answer, 'its A record stays'
    # host25000's A record: 5 head lines, 2 per host, one line deleted above.
    log = reload_with(5, 'host25000 IN A 192.0.2.', 'host25000 IN A 300.0.2.')
    assert 'big.test.zone:50005:' in log, log
    assert 'reload failed' in log and 'still serving serial 4' in log, log
    assert soa_serial(port, 'big.test') == 4
    assert query('host25000.big.test', 'A', port).answer[0][0].address == '192.0.2.1'
    log = reload_with(6, 'host25000 IN A 300.0.2.', 'host25000 IN A 203.0.113.')
    assert 'read only the changed parts' in log, log
    assert soa_serial(port, 'big.test') == 6
    assert query('host25000.big.test', 'A', port).answer[0][0].address == '203.0.113.1'
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([
        test_changed_serial, test_broken_file_keeps_old_serial,
        test_unchanged_zone_not_reloaded, test_included_file_change,
        test_config_adds_and_drops_zones, test_max_records_on_reload,
        test_hundred_reloads_flat_rss_no_failed_query, test_incremental_reload,
    ]))
