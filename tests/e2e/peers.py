# peers.py: the stock servers the interoperability tests run beside zoned
# (BIND 9.18, NSD 4.6, Knot 3.2): their config writers (each on 127.0.0.1
# and a port of its own, everything in the test's directory, no control
# channel unless asked, nothing of a system instance touched; the
# benchmark, tests/bench/benchlib.py, writes its peers' configs with them
# too), the three as secondaries of zoned, and Peer, a process stopped by
# pid after the test. A missing server fails the test that needs it. Not a
# test by itself.
import os
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import write  # noqa: E402

PEERS = []   # every Peer started, stopped by stop_peers()


class Peer:
    """A peer server process, its output in workdir/NAME.log."""

    def __init__(self, name, command, workdir, port):
        self.name = name
        self.port = port
        self.log_path = os.path.join(workdir, name + '.log')
        self.log_file = open(self.log_path, 'w')
        self.proc = subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     cwd=workdir)
        PEERS.append(self)

    def log(self):
        self.log_file.flush()
        with open(self.log_path, errors='replace') as f:
            return f.read()[-4000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def stop_peers():
    for p in PEERS:
        p.stop()
    del PEERS[:]


def require(binary):
    path = shutil.which(binary) or (os.path.exists('/usr/sbin/' + binary)
                                    and '/usr/sbin/' + binary)
    assert path, '%s is not installed (.ci/run installs it): this test needs it' % binary
    return path


def named_conf(workdir, port, options, zone, before='', controls='controls { };'):
    """BIND's named.conf: before (key statements), the options every run
    needs and options (more statements, each ending in ';'), controls
    (default: no rndc channel), then zone (the zone statements)."""
    return before + '''options {
	directory "%(dir)s";
	pid-file "%(dir)s/named.pid";
	session-keyfile "%(dir)s/session.key";
	managed-keys-directory "%(dir)s";
	listen-on port %(port)d { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	%(options)s
};
%(controls)s
''' % {'dir': workdir, 'port': port, 'options': options, 'controls': controls} + zone


def start_named(workdir, port, options, zone, before=''):
    """BIND (-g: in the foreground, logging to stderr) with named_conf()."""
    named = require('named')
    conf = os.path.join(workdir, 'named.conf')
    write(conf, named_conf(workdir, port, options, zone, before))
    return Peer('named', [named, '-g', '-n', '1', '-c', conf], workdir, port)


def nsd_conf(workdir, port, zone, name='example', server='', control='control-enable: no',
             threads=1, verbosity=2):
    """NSD's nsd.conf serving name with zone's statements (tab-indented lines
    after its name); server: more tab-indented server lines, control: the
    remote-control lines, threads: server-count. database "": no nsd.db;
    xfrd state, zone list and pid file in workdir."""
    return '''server:
	ip-address: 127.0.0.1@%(port)d
	port: %(port)d
	server-count: %(threads)d
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "%(dir)s"
	database: ""
	zonelistfile: "%(dir)s/zone.list"
	xfrdfile: "%(dir)s/xfrd.state"
	xfrdir: "%(dir)s"
	pidfile: "%(dir)s/nsd.pid"
	verbosity: %(verbosity)d
%(server)sremote-control:
	%(control)s
zone:
	name: "%(name)s"
''' % {'dir': workdir, 'port': port, 'threads': threads, 'verbosity': verbosity,
       'server': server, 'control': control, 'name': name} + zone


def start_nsd_with(workdir, port, zone):
    """NSD (-d: in the foreground) serving example. with nsd_conf()."""
    nsd = require('nsd')
    conf = os.path.join(workdir, 'nsd.conf')
    write(conf, nsd_conf(workdir, port, zone))
    return Peer('nsd', [nsd, '-d', '-c', conf], workdir, port)


def knot_conf(workdir, port, body, server='', log_level='info'):
    """Knot's knot.conf: body (its control, remote, acl, template and zone
    sections) after the server (server: more indented server lines),
    database and log sections; journal and timers live in workdir
    (storage), never in /var/lib/knot."""
    return '''server:
    rundir: "%(dir)s"
    pidfile: "%(dir)s/knot.pid"
    listen: 127.0.0.1@%(port)d
%(server)sdatabase:
    storage: "%(dir)s"
log:
  - target: stderr
    any: %(log)s
''' % {'dir': workdir, 'port': port, 'server': server, 'log': log_level} + body


def start_knot_with(workdir, port, body):
    """Knot with knot_conf(workdir, port, body)."""
    knotd = require('knotd')
    conf = os.path.join(workdir, 'knot.conf')
    write(conf, knot_conf(workdir, port, body))
    return Peer('knotd', [knotd, '-c', conf], workdir, port)


# ---- the three as secondaries of zoned (primary_port) for example. ----

def start_bind(workdir, port, primary_port):
    # notify no: zoned sends none to it, and it has no one to tell.
    options = 'notify no;\n\tallow-transfer { 127.0.0.1; };'
    return start_named(workdir, port, options, '''zone "example" {
	type secondary;
	primaries { 127.0.0.1 port %(primary)d; };
	file "%(dir)s/bind-example.db";
	masterfile-format text;
};
''' % {'dir': workdir, 'primary': primary_port})


def start_nsd(workdir, port, primary_port):
    # request-xfr without AXFR: NSD asks IXFR first and takes an AXFR-form answer.
    return start_nsd_with(workdir, port, '''	zonefile: "%(dir)s/nsd-example.zone"
	request-xfr: 127.0.0.1@%(primary)d NOKEY
	allow-notify: 127.0.0.1 NOKEY
	provide-xfr: 127.0.0.1 NOKEY
''' % {'dir': workdir, 'primary': primary_port})


def start_knot(workdir, port, primary_port):
    # Knot 3.2 spells the primary "master".
    return start_knot_with(workdir, port, '''remote:
  - id: zoned
    address: 127.0.0.1@%(primary)d
acl:
  - id: from_zoned
    address: 127.0.0.1
    action: [notify, transfer]
template:
  - id: default
    storage: "%(dir)s"
    zonefile-sync: -1
    semantic-checks: off
zone:
  - domain: example.
    file: "%(dir)s/knot-example.zone"
    master: zoned
    acl: from_zoned
''' % {'dir': workdir, 'primary': primary_port})
