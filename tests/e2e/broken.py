# broken.py: starting with broken zones, as BIND's named does: a zone that
# does not load (a syntax error, a missing file) no longer stops the start;
# the others are served, the broken ones answer SERVFAIL (a child zone's
# names too, not its parent's NXDOMAIN) until a reload loads them; zoned -C
# reports every failed zone and every configuration error and exits 1.
import os
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

CONF = '''options {
	directory "%(dir)s";
	listen-on port %(port)d { 127.0.0.1; };
	listen-on-v6 { none; };
};
zone "good.test" { type master; file "good.zone"; };
zone "sub.good.test" { type master; file "sub.zone"; };
zone "missing.test" { type master; file "missing.zone"; };
'''


def make_config(workdir, port):
    write(os.path.join(workdir, 'good.zone'), zone_text('good.test', 1))
    # Line 6: an address with three octets.
    write(os.path.join(workdir, 'sub.zone'), zone_text('sub.good.test', 5, 'www2 IN A 1.2.3\n'))
    conf = os.path.join(workdir, 'named.conf')
    write(conf, CONF % {'dir': workdir, 'port': port})
    return conf


def dig_status(port, name):
    """dig's status word for name A (NOERROR, SERVFAIL...)."""
    out = dig(port, name, 'A').stdout
    for line in out.splitlines():
        if 'status:' in line:
            return line.split('status:')[1].split(',')[0].strip()
    raise AssertionError('no status in dig output:\n' + out)


def test_check_lists_every_failed_zone(workdir):
    conf = make_config(workdir, free_port())
    status, out = run_zoned(['-C', '-c', conf], workdir)
    assert status == 1, out
    assert 'sub.zone:6:' in out and 'zone sub.good.test: not loaded' in out, out
    assert 'zone missing.test: not loaded: file not found' in out, out
    assert 'zone good.test: loaded serial 1' in out, out
    assert '2 of 3 zones not loaded' in out, out


def test_check_lists_every_config_error(workdir):
    # As named-checkconf: a failed statement does not hide the ones after it.
    conf = os.path.join(workdir, 'bad.conf')
    write(conf, 'options {\n\tbogus-option yes;\n\tversion "v";\n};\n'
          'zone "a.test" { type master; file "a.zone"; frob 1; };\n'
          'unknown-statement { x; };\n'
          'zone "b.test" { type master; file "b.zone"; };\n')
    status, out = run_zoned(['-C', '-c', conf], workdir)
    assert status == 1, out
    for line in ("bad.conf:2: unknown option 'bogus-option'",
                 "bad.conf:5: unknown zone option 'frob'",
                 "bad.conf:6: unknown statement 'unknown-statement'"):
        assert line in out, line + ' not in ' + out
    assert out.count('error:') == 4, out   # the three, then "configuration not loaded"


def test_start_serves_the_good_zone_and_servfail_for_broken_ones(workdir):
    port = free_port()
    conf = make_config(workdir, port)
    z = Zoned(['-c', conf], workdir, clean_exit=True)
    assert soa_serial(port, 'good.test') == 1
    assert dig_status(port, 'www.good.test') == 'NOERROR'
    # The child's names are not the parent's: SERVFAIL, not NXDOMAIN.
    for name in ('www.sub.good.test', 'sub.good.test', 'missing.test', 'x.missing.test'):
        assert dig_status(port, name) == 'SERVFAIL', name
    r = query('missing.test', 'SOA', port, tcp=True)
    assert r.rcode() == dns.rcode.SERVFAIL and not (r.flags & dns.flags.AA), r.to_text()
    assert dig_status(port, 'other.test') == 'REFUSED'
    log = z.log()
    assert 'sub.zone:6:' in log and 'zone missing.test: not loaded' in log, log
    # Fixed, then SIGHUP: served; the one still missing stays SERVFAIL.
    write(os.path.join(workdir, 'sub.zone'), zone_text('sub.good.test', 6))
    z.reload()
    assert soa_serial(port, 'sub.good.test') == 6
    assert dig_status(port, 'www.sub.good.test') == 'NOERROR'
    assert dig_status(port, 'missing.test') == 'SERVFAIL'
    assert dig_status(port, 'www.good.test') == 'NOERROR'
    write(os.path.join(workdir, 'missing.zone'), zone_text('missing.test', 3))
    z.reload()
    assert soa_serial(port, 'missing.test') == 3
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([
        test_check_lists_every_failed_zone,
        test_check_lists_every_config_error,
        test_start_serves_the_good_zone_and_servfail_for_broken_ones,
    ]))
