# process.py: process hygiene end to end: SIGUSR1 does not kill the daemon
# (nothing to reopen: zoned logs to stderr or syslog), a second zoned on the
# same address and port is refused at start instead of sharing the socket
# through SO_REUSEPORT, a second zoned with the same pid file is refused
# (also when the first one detached with -d), and the systemd unit does not
# load every zone twice at start (no ExecStartPre=zoned -C).
import os
import signal
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403


def answers_all(port, count=50):
    """Sends count queries; True when every one got the right answer."""
    for i in range(count):
        check_valid_answer(port, qid=i + 1, timeout=1, name='www.a.test')
    return True


def serve_a(workdir, serial=1, args=()):
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', serial))
    return start_zoned(workdir, ['-t', '2', '-z', 'a.test:a.test.zone'] + list(args),
                       clean_exit=True)


def test_sigusr1_survives(workdir):
    z = serve_a(workdir)
    for _ in range(3):
        os.kill(z.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 5
    while 'SIGUSR1 received: ignored' not in z.log() and time.monotonic() < deadline:
        time.sleep(0.02)
    z.assert_alive('SIGUSR1')
    assert 'SIGUSR1 received: ignored' in z.log(), z.log()
    assert answers_all(z.port, 10)
    assert soa_serial(z.port, 'a.test', tcp=True) == 1
    # A reload still works after it.
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 2))
    z.reload()
    assert soa_serial(z.port, 'a.test') == 2
    assert z.stop() == 0


def test_second_instance_same_port(workdir):
    first = serve_a(workdir)
    for extra in ([], ['-t', '1']):
        status, out = run_zoned(['-z', 'a.test:a.test.zone', '-a', '127.0.0.1',
                                 '-p', str(first.port)] + extra, workdir)
        assert status == 1, out
        assert ('cannot listen on 127.0.0.1 port %d (UDP): Address already in use: another '
                'process (another zoned?) is serving it' % first.port) in out, out
    # The first one is untouched and answers every query (none goes to a
    # second process sharing the port).
    first.assert_alive('a second instance')
    assert answers_all(first.port)
    assert soa_serial(first.port, 'a.test', tcp=True) == 1
    # A TCP listener alone (without SO_REUSEPORT) is noticed too.
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    port = free_port()
    holder.bind(('127.0.0.1', port))
    holder.listen(1)
    try:
        status, out = run_zoned(['-z', 'a.test:a.test.zone', '-a', '127.0.0.1',
                                 '-p', str(port)], workdir)
    finally:
        holder.close()
    assert status == 1 and 'port %d (TCP): Address already in use' % port in out, out
    assert first.stop() == 0
    # Once the first has stopped, the port is free again (TIME_WAIT
    # leftovers of its TCP connections do not count).
    second = start_zoned(workdir, ['-z', 'a.test:a.test.zone'], clean_exit=True)
    assert soa_serial(second.port, 'a.test', tcp=True) == 1
    assert second.stop() == 0


def test_second_instance_same_pid_file(workdir):
    pid_file = os.path.join(workdir, 'zoned.pid')
    first = serve_a(workdir, args=['-P', pid_file])
    assert open(pid_file).read() == '%d\n' % first.pid
    # Another port, the same pid file: refused before any zone is loaded.
    status, out = run_zoned(['-P', pid_file, '-z', 'a.test:a.test.zone', '-a', '127.0.0.1',
                             '-p', str(free_port())], workdir)
    assert status == 1, out
    assert ('pid file %s is locked: another zoned (pid %d) is running with it'
            % (pid_file, first.pid)) in out, out
    assert 'zone a.test: loaded' not in out, out
    assert open(pid_file).read() == '%d\n' % first.pid, 'the first one keeps its pid file'
    assert answers_all(first.port, 10)
    assert first.stop() == 0
    assert not os.path.exists(pid_file), 'removed at exit'
    # A pid file left behind by a crash (not locked) does not stop a start.
    write(pid_file, '999999\n')
    again = serve_a(workdir, args=['-P', pid_file])
    assert open(pid_file).read() == '%d\n' % again.pid
    assert again.stop() == 0


def test_pid_file_lock_survives_detach(workdir):
    # -d: the lock is taken before the fork and kept by the child.
    write(os.path.join(workdir, 'a.test.zone'), zone_text('a.test', 3))
    pid_file = os.path.join(workdir, 'zoned.pid')
    port = free_port()
    status, out = run_zoned(['-d', '-P', 'zoned.pid', '-z', 'a.test:a.test.zone',
                             '-a', '127.0.0.1', '-p', str(port)], workdir)
    assert status == 0, out
    pid = None
    try:
        pid = wait_detached(pid_file, port, 'a.test', 3)
        assert pid is not None and soa_serial(port, 'a.test') == 3
        status, out = run_zoned(['-P', 'zoned.pid', '-z', 'a.test:a.test.zone',
                                 '-a', '127.0.0.1', '-p', str(free_port())], workdir)
        assert status == 1 and 'another zoned (pid %d) is running' % pid in out, out
        assert soa_serial(port, 'a.test') == 3
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(pid_file):
        time.sleep(0.02)
    assert not os.path.exists(pid_file), 'the relative pid file is removed at exit after -d'


def test_unit_loads_zones_once(workdir):
    # The unit built from src/zoned.service.in: zoned -C would load every
    # zone once more before the start, and refuse to start on one broken
    # zone that zoned itself would serve around.
    unit = os.path.join(TOP_BUILDDIR, 'src', 'zoned.service')
    if not os.path.exists(unit):
        subprocess.run(['make', '-C', TOP_BUILDDIR, 'src/zoned.service'], check=True,
                       capture_output=True)
    lines = [line.strip() for line in open(unit)]
    execs = [line for line in lines if line.startswith('Exec')]
    assert not any(line.startswith('ExecStartPre') for line in execs), execs
    start = [line for line in execs if line.startswith('ExecStart=')]
    assert len(start) == 1 and ' -C' not in start[0], start
    assert [line for line in execs if line.startswith('ExecReload=')] == \
        ['ExecReload=/bin/kill -HUP $MAINPID'], execs
    assert 'Type=notify' in lines


if __name__ == '__main__':
    sys.exit(main([
        test_sigusr1_survives, test_second_instance_same_port,
        test_second_instance_same_pid_file, test_pid_file_lock_survives_detach,
        test_unit_loads_zones_once,
    ]))
