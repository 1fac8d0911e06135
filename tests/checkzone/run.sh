#!/bin/sh
# run.sh: zoned-checkzone against the corpus. Exit codes must equal what
# named-checkzone 9.18 gave (expected.tsv, recorded by record.sh) in the
# default mode and in the strict mode; a few outputs are checked line for
# line; the share of outputs identical to BIND's is reported, not enforced.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
checkzone="$top_builddir/src/zoned-checkzone"
here="$top_srcdir/tests/checkzone"
strict="-k fail -n fail -m fail -M fail -S fail -r fail"
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# The whole output of one run must equal the expected text.
expect_output() {
	label=$1
	expected=$2
	shift 2
	"$@" > "$tmp/out" 2> "$tmp/err"
	if [ -n "$expected" ]; then printf '%s\n' "$expected"; fi > "$tmp/want"
	if ! cmp -s "$tmp/out" "$tmp/want"; then
		fail "$label: output differs"
		diff "$tmp/want" "$tmp/out" | sed 's/^/    /'
	fi
}

# BIND's output for one file and mode, from bind-output.txt.
bind_output() {
	awk -v key="### $1 $2" '
		/^### / { on = ($0 == key); next }
		on { print }' "$here/bind-output.txt"
}

cd "$here/zones" || exit 1
total=0
agree_default=0
agree_strict=0
same_default=0
same_strict=0
while IFS='	' read -r file zone default_rc strict_rc; do
	case $file in '#'*) continue ;; esac
	total=$((total + 1))
	"$checkzone" "$zone" "$file" > "$tmp/default.out" 2>&1
	rc=$?
	if [ "$rc" = "$default_rc" ]; then
		agree_default=$((agree_default + 1))
	else
		fail "$file: exit $rc, named-checkzone $default_rc (default mode)"
		sed 's/^/    /' "$tmp/default.out"
	fi
	# shellcheck disable=SC2086
	"$checkzone" $strict "$zone" "$file" > "$tmp/strict.out" 2>&1
	rc=$?
	if [ "$rc" = "$strict_rc" ]; then
		agree_strict=$((agree_strict + 1))
	else
		fail "$file: exit $rc, named-checkzone $strict_rc (strict mode)"
		sed 's/^/    /' "$tmp/strict.out"
	fi
	bind_output "$file" default | cmp -s - "$tmp/default.out" && same_default=$((same_default + 1))
	bind_output "$file" strict | cmp -s - "$tmp/strict.out" && same_strict=$((same_strict + 1))
done < "$here/expected.tsv"
echo "exit codes: default $agree_default/$total, strict $agree_strict/$total agree with named-checkzone"
echo "identical output: default $same_default/$total, strict $same_strict/$total (informational)"
[ "$total" -ge 60 ] || fail "corpus has only $total zones"

# Success: warnings first, then the serial line and OK.
expect_output "success shape" "zone example.com/IN: loaded serial 2024010101
OK" "$checkzone" example.com good-basic.zone
expect_output "trailing dot and case kept" "zone Example.COM/IN: loaded serial 2024010101
OK" "$checkzone" Example.COM. good-basic.zone
# Failure: file:line of the offending token, the first error's reason, the last line.
expect_output "rdata error" "dns_rdata_fromtext: bad-dotted-quad.zone:11: near '192.0.2.256': bad dotted quad
zone example.com/IN: loading from master file bad-dotted-quad.zone failed: bad dotted quad
zone example.com/IN: not loaded due to errors." "$checkzone" example.com bad-dotted-quad.zone
expect_output "error inside an \$INCLUDE" "dns_rdata_fromtext: inc/broken.inc:2: near '192.0.2.999': bad dotted quad
zone example.com/IN: loading from master file bad-include-error.zone failed: bad dotted quad
zone example.com/IN: not loaded due to errors." "$checkzone" example.com bad-include-error.zone
expect_output "whole-zone error" "zone example.com/IN: NS 'ns3.example.com' has no address records (A or AAAA)
zone example.com/IN: not loaded due to errors." "$checkzone" example.com bad-ns-no-address.zone
expect_output "check-names warning" "warn-check-names-owner.zone:11: under_score.example.com: bad owner name (check-names)
zone example.com/IN: loaded serial 2024010101
OK" "$checkzone" example.com warn-check-names-owner.zone
expect_output "check-names fail" "warn-check-names-owner.zone:11: under_score.example.com: bad owner name (check-names)
zone example.com/IN: loading from master file warn-check-names-owner.zone failed: bad owner name (check-names)
zone example.com/IN: not loaded due to errors." "$checkzone" -k fail example.com warn-check-names-owner.zone
expect_output "missing file" "zone example.com/IN: loading from master file no-such-file.zone failed: file not found
zone example.com/IN: not loaded due to errors." "$checkzone" example.com no-such-file.zone
expect_output "quiet" "" "$checkzone" -q example.com bad-dotted-quad.zone

# Standard input, with and without "-".
"$checkzone" example.com < good-basic.zone > "$tmp/out" 2>&1 || fail "stdin without -"
"$checkzone" example.com - < good-basic.zone > "$tmp/out" 2>&1 || fail "stdin with -"

# Streams: messages on stdout, or stderr when the zone is dumped to stdout.
"$checkzone" -D example.com good-basic.zone > "$tmp/dump" 2> "$tmp/err" || fail "-D exit"
grep -q '^OK$' "$tmp/err" || fail "-D: OK not on stderr"
grep -q '^www.example.com.	' "$tmp/dump" || fail "-D: no www record on stdout"
# Round trip: the dump of every zone that loads loads back and dumps to the
# same text, in both styles.
round_trips=0
while IFS='	' read -r file zone default_rc strict_rc; do
	case $file in '#'*) continue ;; esac
	[ "$default_rc" = 0 ] || continue
	for style in full relative; do
		"$checkzone" -q -s $style -o "$tmp/a.zone" "$zone" "$file" || fail "dump $file $style"
		"$checkzone" -q -s $style -o "$tmp/b.zone" "$zone" "$tmp/a.zone" || fail "reload $file $style"
		cmp -s "$tmp/a.zone" "$tmp/b.zone" || fail "round trip of $file ($style) changed the zone"
		round_trips=$((round_trips + 1))
	done
done < "$here/expected.tsv"
echo "dump round trips: $round_trips"

# Usage errors: message on stderr, exit 1; -v exits 0; -h exits 1.
"$checkzone" > "$tmp/out" 2> "$tmp/err"; rc=$?
[ "$rc" = 1 ] && [ ! -s "$tmp/out" ] && grep -q '^usage: ' "$tmp/err" || fail "no arguments: rc $rc"
"$checkzone" -k bogus example.com good-basic.zone 2> "$tmp/err"; rc=$?
[ "$rc" = 1 ] && grep -qx 'invalid argument to -k: bogus' "$tmp/err" || fail "-k bogus: rc $rc"
"$checkzone" -Q example.com good-basic.zone 2> "$tmp/err"; rc=$?
[ "$rc" = 1 ] && grep -q 'invalid argument -Q' "$tmp/err" || fail "-Q: rc $rc"
"$checkzone" -v > "$tmp/out" || fail "-v exit"
"$checkzone" -h 2> /dev/null && fail "-h exit 0"

[ "$failures" -eq 0 ] && echo "PASS" && exit 0
echo "$failures failure(s)"
exit 1
