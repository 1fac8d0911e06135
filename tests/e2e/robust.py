# robust.py: faults from issue 15: endless inputs ($INCLUDE /dev/zero, a
# FIFO, a directory) on the checker and on reload, signals during the first
# load and during a reload, a zone file rewritten in place during a reload,
# clear messages (missing, unreadable, empty), and a lowered max-records on
# reload.
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

CHECKZONE = os.path.join(TOP_BUILDDIR, 'src', 'zoned-checkzone')
BIG_RECORDS = 500000     # about a second to load: signals land inside the load
PROMPT_SECONDS = 5       # "promptly": a bound far above the real time


def big_zone_text(origin, serial, records=BIG_RECORDS):
    lines = [zone_text(origin, serial)]
    lines += ['h%d IN A 192.0.2.%d\n' % (i, i % 250) for i in range(records)]
    return ''.join(lines)


def endless_targets(workdir):
    """(label, path) of inputs that never end or are not files at all."""
    fifo = os.path.join(workdir, 'fifo')
    os.mkfifo(fifo)
    directory = os.path.join(workdir, 'dir')
    os.mkdir(directory)
    return [('/dev/zero', '/dev/zero'), ('/dev/urandom', '/dev/urandom'),
            ('a FIFO', fifo), ('a directory', directory)]


def run_bounded(argv, workdir):
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, cwd=workdir, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=PROMPT_SECONDS * 2)
    except subprocess.TimeoutExpired:
        raise AssertionError('%s did not return within %d s' % (argv, PROMPT_SECONDS * 2))
    return proc.returncode, proc.stdout.decode(errors='replace'), time.monotonic() - start


def test_checker_refuses_endless_include(workdir):
    for label, target in endless_targets(workdir):
        path = os.path.join(workdir, 'inc.zone')
        write(path, zone_text('a.test', 1, '$INCLUDE %s\n' % target))
        for argv in ([CHECKZONE, 'a.test', 'inc.zone'], [ZONED, '-C', '-z', 'a.test:inc.zone']):
            rc, out, took = run_bounded(argv, workdir)
            assert rc == 1, '%s, %s: exit %d\n%s' % (label, argv[0], rc, out)
            assert took < PROMPT_SECONDS, '%s took %.1f s' % (label, took)
            assert 'inc.zone:6: %s: not a regular file' % target in out, out
        # As the zone file itself, too.
        rc, out, took = run_bounded([CHECKZONE, 'a.test', target], workdir)
        assert rc == 1 and 'failed: not a regular file' in out, out


def test_checkers_obey_sigterm(workdir):
    # Neither checker installs a handler: SIGTERM ends them at once, on an
    # endless standard input (zoned-checkzone reads it as it comes) or in
    # the middle of a big load (zoned -C).
    write(os.path.join(workdir, 'big.zone'), big_zone_text('big.test', 1))
    for argv in ([CHECKZONE, 'a.test', '-'], [ZONED, '-C', '-z', 'big.test:big.zone']):
        proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.stdin.write(zone_text('a.test', 1).encode())
            proc.stdin.flush()
            time.sleep(0.15)
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(PROMPT_SECONDS)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdin.close()
        assert rc == -signal.SIGTERM, '%s: %d' % (argv, rc)


def serve(workdir, origin, text, extra_args=(), wait=True):
    path = os.path.join(workdir, origin + '.zone')
    write(path, text)
    z = start_zoned(workdir, ['-z', '%s:%s' % (origin, path), '-t', '2'] + list(extra_args),
                    wait=wait)
    return z, z.port, path


def test_reload_refuses_endless_include(workdir):
    z, port, path = serve(workdir, 'a.test', zone_text('a.test', 1))
    for label, target in endless_targets(workdir):
        write(path, zone_text('a.test', 2, '$INCLUDE %s\n' % target))
        z.reload(timeout=PROMPT_SECONDS)
        assert soa_serial(port, 'a.test') == 1, label
        assert '%s: not a regular file' % target in z.log(), z.log()
        assert 'still serving serial 1' in z.log(), z.log()
    start = time.monotonic()
    assert z.stop(timeout=PROMPT_SECONDS) == 0
    assert time.monotonic() - start < PROMPT_SECONDS


def wait_log(z, text, timeout=PROMPT_SECONDS * 3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in z.log():
            return
        if z.proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError('no %r in the log:\n%s' % (text, z.log()))


def wait_handlers(z, timeout=15):
    """Waits until zoned catches SIGHUP and SIGTERM (its handlers are in
    place, just before the first load): a signal sent earlier would meet
    the default action, as for any process still starting."""
    wanted = (1 << (signal.SIGHUP - 1)) | (1 << (signal.SIGTERM - 1))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        caught = z.status_field('SigCgt')
        if caught and int(caught[0], 16) & wanted == wanted:
            return
        time.sleep(0.005)
    raise AssertionError('zoned never installed its signal handlers:\n' + z.log())


def test_sigterm_during_first_load(workdir):
    z, port, path = serve(workdir, 'big.test', big_zone_text('big.test', 1), wait=False)
    wait_handlers(z)
    start = time.monotonic()
    assert z.stop(signal.SIGTERM, timeout=PROMPT_SECONDS) == 0, z.log()
    took = time.monotonic() - start
    log = z.log()
    assert 'zone big.test: load abandoned' in log, 'the signal came after the load:\n' + log
    assert 'SIGTERM received while loading zones, stopping' in log, log
    assert took < PROMPT_SECONDS, took


def test_sighup_during_first_load(workdir):
    z, port, path = serve(workdir, 'big.test', big_zone_text('big.test', 1), wait=False)
    wait_handlers(z)
    os.kill(z.pid, signal.SIGHUP)
    z.wait_state('READY=1', 30)
    wait_log(z, 'reload done')
    log = z.log()
    assert log.count('reloading') == 1, log
    # The SIGHUP came before serving started: applied once serving.
    assert log.index('serving 1 zones') < log.index('reloading'), log
    assert soa_serial(port, 'big.test') == 1
    assert z.stop() == 0


def test_sigterm_during_reload(workdir):
    z, port, path = serve(workdir, 'big.test', zone_text('big.test', 1))
    write(path, big_zone_text('big.test', 2))
    os.kill(z.pid, signal.SIGHUP)
    z.wait_state('RELOADING=1', PROMPT_SECONDS)
    time.sleep(0.1)
    start = time.monotonic()
    assert z.stop(signal.SIGTERM, timeout=PROMPT_SECONDS) == 0, z.log()
    assert time.monotonic() - start < PROMPT_SECONDS
    log = z.log()
    assert 'reload abandoned' in log, 'the signal came after the reload:\n' + log
    assert 'SIGTERM received, stopping' in log, log


def as_nobody():
    """A prefix that runs a command as nobody (tests run as root, which reads
    any file), or None when that is not possible here."""
    setpriv = shutil.which('setpriv')
    if os.geteuid() != 0 or setpriv is None:
        return None
    return [setpriv, '--reuid=nobody', '--regid=nogroup', '--clear-groups']


def test_messages_missing_unreadable(workdir):
    # Missing: the checker as BIND says it, the daemon no longer "input/output error".
    rc, out, _ = run_bounded([ZONED, '-C', '-z', 'a.test:missing.zone'], workdir)
    assert rc == 1 and 'failed: file not found' in out, out
    assert 'zone a.test: not loaded: file not found' in out, out
    assert 'input/output error' not in out, out
    write(os.path.join(workdir, 'inc.zone'), zone_text('a.test', 1, '$INCLUDE gone.inc\n'))
    rc, out, _ = run_bounded([ZONED, '-C', '-z', 'a.test:inc.zone'], workdir)
    assert rc == 1 and 'inc.zone:6: gone.inc: file not found' in out, out
    assert 'input/output error' not in out, out
    prefix = as_nobody()
    if prefix is None:
        return skip('reading as nobody needs root and setpriv (util-linux)')
    path = os.path.join(workdir, 'secret.zone')
    write(path, zone_text('a.test', 1))
    os.chmod(path, 0o000)
    rc, out, _ = run_bounded(prefix + [CHECKZONE, 'a.test', path], workdir)
    assert rc == 1, out
    assert out == ('zone a.test/IN: loading from master file %s failed: permission denied\n'
                   'zone a.test/IN: not loaded due to errors.\n' % path), out
    rc, out, _ = run_bounded(prefix + [ZONED, '-C', '-z', 'a.test:' + path], workdir)
    assert rc == 1 and 'zone a.test: not loaded: permission denied' in out, out


def test_messages_empty_file(workdir):
    path = os.path.join(workdir, 'empty.zone')
    write(path, '')
    # The checker prints what named-checkzone 9.18 prints for an empty file.
    rc, out, _ = run_bounded([CHECKZONE, 'a.test', path], workdir)
    assert rc == 1 and out == ('zone a.test/IN: has 0 SOA records\n'
                               'zone a.test/IN: has no NS records\n'
                               'zone a.test/IN: not loaded due to errors.\n'), out
    # The daemon names the file and says it is empty, at start and on reload.
    rc, out, _ = run_bounded([ZONED, '-C', '-z', 'a.test:' + path], workdir)
    assert rc == 1 and 'zone a.test: not loaded: %s: zone file is empty' % path in out, out
    z, port, zpath = serve(workdir, 'b.test', zone_text('b.test', 1))
    write(zpath, '')
    z.reload()
    assert 'zone b.test: reload failed (%s: zone file is empty), still serving serial 1' % zpath \
        in z.log(), z.log()
    assert z.stop() == 0


TOKEN_MIB = int(os.environ.get('ROBUST_TOKEN_MIB', '300'))


def test_messages_long_rdata_and_token(workdir):
    path = os.path.join(workdir, 'long.zone')
    strings = ' '.join(['"%s"' % ('a' * 250)] * 300)   # 75,300 octets of TXT rdata
    write(path, zone_text('a.test', 1, 't TXT %s\n' % strings))
    # named-checkzone 9.18 prints no line for it, only its reason: ours names the line too.
    rc, out, _ = run_bounded([CHECKZONE, 'a.test', path], workdir)
    assert rc == 1 and out == ('dns_master_load: %s:6: rdata text too long (65535 octets or '
                               'more)\n'
                               'zone a.test/IN: loading from master file %s failed: '
                               'ran out of space\n'
                               'zone a.test/IN: not loaded due to errors.\n' % (path, path)), out
    rc, out, _ = run_bounded([ZONED, '-C', '-z', 'a.test:' + path], workdir)
    assert 'long.zone:6: rdata text too long (65535 octets or more)' in out, out
    mib = TOKEN_MIB
    if shutil.disk_usage(workdir).free < (mib + 256) << 20:
        mib = 16
    with open(path, 'w') as f:
        f.write(zone_text('a.test', 1, 't TXT '))
        chunk = 'x' * (1 << 20)
        for _ in range(mib):
            f.write(chunk)
        f.write('\nafter A 1.2.3\n')
    rc, out, took = run_bounded([CHECKZONE, 'a.test', path], workdir)
    assert rc == 1, out
    assert 'long.zone:6: record too long (over 1048576 octets of text)' in out, out
    assert 'long.zone:7: near \'1.2.3\': bad dotted quad' in out, out   # reading went on
    assert 'ran out of space' not in out, out


def read_position(pid, path):
    """The offset of the daemon's read()s in path (its first such descriptor
    with one past 0), or None. The reload's scan uses pread() and leaves its
    offset at 0; the load's lexer read()s 64 KiB at a time."""
    target = os.path.realpath(path)
    fds = '/proc/%d/fd' % pid
    try:
        names = os.listdir(fds)
    except OSError:
        return None
    for fd in names:
        try:
            if os.readlink(os.path.join(fds, fd)) != target:
                continue
            with open('/proc/%d/fdinfo/%s' % (pid, fd)) as f:
                pos = int(f.readline().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if pos > 0:
            return pos
    return None


def write_halves_around_reload(z, path, text, watch, past):
    """Rewrites path in place (O_TRUNC, then a writer mid-way): the first
    half, SIGHUP, and the rest as soon as the load has read more than past
    bytes of watch (path itself or the file that includes it), so the rest
    lands inside the load however slow the machine; waits for the end."""
    half = text[:text.index('\n', len(text) // 2) + 1]
    with open(path, 'w') as f:
        f.write(half)
        f.flush()
        os.kill(z.pid, signal.SIGHUP)
        z.wait_state('RELOADING=1', PROMPT_SECONDS)
        deadline = time.monotonic() + PROMPT_SECONDS * TIME_SCALE
        while True:
            pos = read_position(z.pid, watch)
            if pos is not None and pos > past:
                break
            assert time.monotonic() < deadline, 'the reload never read %s:\n%s' % (watch, z.log())
            time.sleep(0.0005)
        f.write(text[len(half):])
    z.wait_state('READY=1', 60)


def test_in_place_rewrite_during_reload(workdir):
    z, port, path = serve(workdir, 'big.test', zone_text('big.test', 1))
    full = big_zone_text('big.test', 2, 400000) + 'last IN A 192.0.2.99\n'
    full_records = full.count(' IN ')
    write_halves_around_reload(z, path, full, path, 0)
    log = z.log()
    loaded = [line for line in log.splitlines() if 'zone big.test: loaded serial 2' in line]
    # The half version was never loaded, let alone served.
    for line in loaded:
        assert ', %d records,' % full_records in line, 'half a file loaded: ' + line
    assert 'changed while being read' in log, 'the half file loaded before the write:\n' + log
    serial = soa_serial(port, 'big.test')
    if serial == 2:
        assert query('last.big.test', 'A', port).rcode() == dns.rcode.NOERROR
    else:
        assert serial == 1 and 'still serving serial 1' in log, log
    # Rewritten by rename, the next reload takes it at once.
    write(path + '.tmp', full.replace(' 2 3600 600', ' 3 3600 600', 1))
    os.rename(path + '.tmp', path)
    z.reload(timeout=60)
    assert soa_serial(port, 'big.test') == 3
    assert 'loading again' not in z.log()[len(log):], z.log()
    assert z.stop() == 0


def test_in_place_include_rewrite_during_reload(workdir):
    # The include is read first and rewritten in place while the big rest of
    # the zone loads: only the check after the whole load can see it.
    inc = os.path.join(workdir, 'part.inc')
    write(inc, 'p0 IN A 192.0.2.50\n')
    body = ''.join('h%d IN A 192.0.2.%d\n' % (i, i % 250) for i in range(BIG_RECORDS))
    z, port, path = serve(workdir, 'big.test',
                          zone_text('big.test', 1, '$INCLUDE %s\n' % inc) + body)
    write(path, zone_text('big.test', 2, '$INCLUDE %s\n' % inc) + body)
    part = ''.join('p%d IN A 192.0.2.50\n' % i for i in range(200))
    # Two 64 KiB reads of the including file are past its $INCLUDE line.
    write_halves_around_reload(z, inc, part, path, 2 * 65536)
    log = z.log()
    assert 'zone big.test: loaded serial 2' in log, log
    # p199 is in the second half: a half include would have no answer for it.
    assert query('p199.big.test', 'A', port).rcode() == dns.rcode.NOERROR, log
    assert '%s: changed while being read' % inc in log, log
    assert z.stop() == 0


def test_max_records_lowered_on_reload(workdir):
    # zoned.conf(5): max-records applies to every zone, also to one whose
    # file did not change; over the limit its reload fails, it keeps serving.
    big = os.path.join(workdir, 'big.test.zone')
    small = os.path.join(workdir, 'small.test.zone')
    write(big, big_zone_text('big.test', 1, 60))
    write(small, zone_text('small.test', 1))
    conf = os.path.join(workdir, 'zoned.conf')

    def configure(limit):
        write(conf + '.tmp', 'options { max-records %d; };\n'
                             'zone "big.test" { type primary; file "%s"; };\n'
                             'zone "small.test" { type primary; file "%s"; };\n'
              % (limit, big, small))
        os.rename(conf + '.tmp', conf)

    configure(100)
    z = start_zoned(workdir, ['-c', conf])
    port = z.port
    assert soa_serial(port, 'big.test') == 1
    configure(50)
    before = len(z.log())
    z.reload()
    log = z.log()[before:]
    assert 'zone big.test: reload failed (64 records, over max-records 50), ' \
        'still serving serial 1' in log, log
    assert 'reload done: 2 zones, 1 failed' in log, log
    assert 'small.test' not in log, log      # under the limit: untouched
    assert soa_serial(port, 'big.test') == 1
    assert query('h59.big.test', 'A', port).rcode() == dns.rcode.NOERROR
    # The same limit again: failed again; a zone at the limit is fine.
    z.reload()
    assert z.log().count('over max-records 50') == 2, z.log()
    configure(64)
    before = len(z.log())
    z.reload()
    assert 'reload done: 2 zones, 0 failed' in z.log()[before:], z.log()
    assert z.stop() == 0


TESTS = [
    test_checker_refuses_endless_include, test_checkers_obey_sigterm,
    test_reload_refuses_endless_include,
    test_sigterm_during_first_load, test_sighup_during_first_load,
    test_sigterm_during_reload, test_messages_missing_unreadable, test_messages_empty_file,
    test_messages_long_rdata_and_token, test_in_place_rewrite_during_reload,
    test_in_place_include_rewrite_during_reload, test_max_records_lowered_on_reload,
]

if __name__ == '__main__':
    sys.exit(main(TESTS))
