# signed_load.py: the daemon's loader on pre-signed zones: a broken NSEC or
# NSEC3 chain is logged as a warning naming the owner (the daemon keeps no
# lines) and the zone is still served; a good signed zone loads without a
# word; -C reports the same and exits 0.
import os
import shutil
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

FIXTURES = os.path.join(TOP_SRCDIR, 'tests', 'fixtures', 'dnssec', 'verify')


def serve_fixture(workdir, name):
    path = os.path.join(workdir, name)
    shutil.copy(os.path.join(FIXTURES, name), path)
    z = start_zoned(workdir, ['-t', '1', '-z', 'example.:' + path], clean_exit=True)
    return z


def test_broken_chain_warns_and_serves(workdir):
    z = serve_fixture(workdir, 'nsec-missing.zone')
    answer = query('example.', 'SOA', z.port)
    assert answer.rcode() == 0 and answer.answer, answer
    log = z.log()
    assert 'www.example: no NSEC record: the chain skips this name' in log, log
    z.stop()


def test_broken_nsec3_chain_warns(workdir):
    z = serve_fixture(workdir, 'nsec3-missing.zone')
    log = z.log()
    assert 'ns2.example: no NSEC3 record (hash 5k4fimuj6tinjpofr46a4kmilqskqe80)' in log, log
    z.stop()


def test_good_signed_zones_are_quiet(workdir):
    for name in ('nsec.zone', 'nsec3.zone', 'nsec3-optout.zone'):
        z = serve_fixture(workdir, name)
        assert query('www.example.', 'A', z.port).answer
        log = z.log()
        assert 'NSEC' not in log and 'RRSIG' not in log, '%s: %s' % (name, log)
        z.stop()


def test_check_only(workdir):
    path = os.path.join(workdir, 'nsec-bitmap.zone')
    shutil.copy(os.path.join(FIXTURES, 'nsec-bitmap.zone'), path)
    status, output = run_zoned(['-C', '-z', 'example.:' + path], workdir)
    assert status == 0, output
    assert 'www.example/NSEC: type bitmap lists A RRSIG NSEC, but the name has A AAAA RRSIG NSEC' \
        in output, output


if __name__ == '__main__':
    sys.exit(main([test_broken_chain_warns_and_serves, test_broken_nsec3_chain_warns,
                   test_good_signed_zones_are_quiet, test_check_only]))
