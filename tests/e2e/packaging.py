# packaging.py: what a new user meets first. The README's install command
# works as root without sudo (a fresh Debian has none) and installs the
# same packages as .ci/run; `make install DESTDIR=...` installs the programs,
# the manual pages naming the configured paths, the unit and a sample
# configuration that zoned accepts, and never overwrites an existing
# zoned.conf; after the build and the tests, git sees no build product
# that .gitignore misses.
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

CI_EXTRAS = {'git', 'ca-certificates', 'valgrind', 'clang', 'libclang-rt-14-dev'}


def readme_install_command():
    """The README's first shell block (the install, build and serve line)."""
    text = open(os.path.join(TOP_SRCDIR, 'README.md')).read()
    block = re.search(r'```sh\n(.*?)\n```', text, re.S).group(1)
    return block.strip()


def apt_packages(text):
    """The package names after the first 'apt-get install' (options dropped)."""
    words = text.split('apt-get install', 1)[1].replace('\\\n', ' ').split()
    packages = []
    for word in words:
        if word.startswith('-'):
            continue
        name = word.rstrip(';')
        if not re.fullmatch(r'[a-z0-9][a-z0-9.+-]*', name):
            break   # '&&' or the like: the end of the list
        packages.append(name)
        if word.endswith(';'):
            break
    return packages


def test_readme_runs_as_root_without_sudo(workdir):
    command = readme_install_command()
    assert command.startswith('$(command -v sudo) sh -c '), command[:80]
    assert not re.search(r'(^|[;&|]\s*)sudo\s', command), 'a bare sudo: ' + command
    # What $(command -v sudo) becomes without sudo: nothing, and sh runs the rest.
    env = dict(os.environ, PATH='/nonexistent')
    out = subprocess.run(['/bin/sh', '-c', '$(command -v sudo) /bin/echo as-is'], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == 'as-is\n', out
    readme = open(os.path.join(TOP_SRCDIR, 'README.md')).read()
    assert 'as root on a fresh' in readme and 'no `sudo`' in readme


def test_install_lists_agree(workdir):
    readme = apt_packages(readme_install_command())
    ci = apt_packages(open(os.path.join(TOP_SRCDIR, '.ci', 'run')).read())
    assert len(readme) == len(set(readme)), readme
    assert set(ci) - CI_EXTRAS == set(readme), (sorted(set(ci) - CI_EXTRAS - set(readme)),
                                               sorted(set(readme) - set(ci)))
    # What the tests and the README run comes from these packages (knot-dnssecutils:
    # kzonecheck, the peer of tests/checkzone/dnssec.sh).
    for package in ('iproute2', 'procps', 'man-db', 'curl', 'knot-dnsutils', 'dnsutils',
                    'python3-dnspython', 'python3-prometheus-client', 'bind9', 'nsd',
                    'knot', 'knot-dnssecutils', 'unbound'):
        assert package in readme, package


def make(*args):
    env = {k: v for k, v in os.environ.items()
           if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES')}
    proc = subprocess.run(['make', '-C', TOP_BUILDDIR] + list(args), env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def installed(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, files in os.walk(root) for f in files)


def makefile_value(name):
    for line in open(os.path.join(TOP_BUILDDIR, 'Makefile')):
        if line.startswith(name + ' = '):
            return line.split(' = ', 1)[1].strip()
    raise AssertionError(name + ' not in the Makefile')


def test_make_install(workdir):
    root = os.path.join(workdir, 'root')
    make('install', 'DESTDIR=' + root)
    prefix = makefile_value('prefix')
    etc = makefile_value('sysconfdir').replace('${prefix}', prefix)
    files = installed(root)
    p = prefix.lstrip('/')
    for path in ('%s/sbin/zoned' % p, '%s/bin/zoned-checkzone' % p, '%s/bin/zoned-query' % p,
                 '%s/share/man/man8/zoned.8' % p, '%s/share/man/man5/zoned.conf.5' % p,
                 '%s/zoned/zoned.conf.sample' % etc.lstrip('/'),
                 '%s/zoned/zoned.conf' % etc.lstrip('/')):
        assert path in files, (path, files)
    conf = root + etc + '/zoned/zoned.conf'
    # The sample is a configuration zoned accepts (no zones yet: a warning).
    status, out = run_zoned(['-C', '-c', conf], workdir)
    assert status == 0 and 'configuration and 0 zones OK' in out, out
    # The pages and the sample name where the configuration really is.
    for page in ('share/man/man8/zoned.8', 'share/man/man5/zoned.conf.5'):
        text = open(os.path.join(root + prefix, page)).read()
        assert etc + '/zoned/zoned.conf' in text, page
        if etc != '/etc':
            assert ' /etc/zoned/' not in text and 'I /etc/zoned/' not in text, page
    assert etc + '/zoned/zoned.conf' in open(conf).read()
    unit = [f for f in files if f.endswith('zoned.service')]
    if unit:
        assert ('ExecStart=%s/sbin/zoned -c %s/zoned/zoned.conf' % (prefix, etc)
                in open(os.path.join(root, unit[0])).read())
    # An operator's zoned.conf survives install and uninstall.
    with open(conf, 'w') as f:
        f.write('// mine\n')
    assert 'zoned.conf exists: left as it is' in make('install', 'DESTDIR=' + root)
    assert open(conf).read() == '// mine\n'
    make('uninstall', 'DESTDIR=' + root)
    assert installed(root) == [os.path.relpath(conf, root)], installed(root)
    # Unchanged, it goes with the rest.
    os.unlink(conf)
    make('install', 'DESTDIR=' + root)
    make('uninstall', 'DESTDIR=' + root)
    assert installed(root) == [], installed(root)


def test_gitignore_covers_build_products(workdir):
    if not os.path.isdir(os.path.join(TOP_SRCDIR, '.git')) and not os.path.isfile(
            os.path.join(TOP_SRCDIR, '.git')):
        return skip('the source tree is not a git checkout (a release tarball)')
    out = subprocess.run(['git', '-C', TOP_SRCDIR, 'status', '--porcelain',
                          '--untracked-files=all'], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    untracked = [line[3:] for line in out.stdout.splitlines() if line.startswith('??')]
    assert untracked == [], 'build products .gitignore misses: %s' % untracked


if __name__ == '__main__':
    sys.exit(main([
        test_readme_runs_as_root_without_sudo, test_install_lists_agree, test_make_install,
        test_gitignore_covers_build_products,
    ]))
