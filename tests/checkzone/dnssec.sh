#!/bin/sh
# dnssec.sh: zoned-checkzone --dnssec on the signed fixtures of
# tests/fixtures/dnssec/verify (made once by make.sh there): exit code and
# the finding each broken copy must produce. dnssec-verify (bind9-utils) and
# kzonecheck (knot) must give the same verdicts on the same files (a missing
# one fails; man/zoned-checkzone.8 lists where the messages differ).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
checkzone="$top_builddir/src/zoned-checkzone"
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top_srcdir/tests/fixtures/dnssec/verify" || exit 1

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# check EXIT-CODE TEXT ARGUMENTS...: exit code, and TEXT (if any) in the output.
check() {
	want_rc=$1
	want_text=$2
	shift 2
	"$checkzone" "$@" > "$tmp/out" 2>&1
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		fail "$*: exit $rc, want $want_rc"
		sed 's/^/    /' "$tmp/out"
	elif [ -n "$want_text" ] && ! grep -qF -- "$want_text" "$tmp/out"; then
		fail "$*: no '$want_text' in"
		sed 's/^/    /' "$tmp/out"
	fi
}

# file, exit code, a line the output must contain (at the current time).
cases='nsec.zone	0	zone example/IN: DNSSEC: NSEC chain (11 records, 11 names), 25 RRsets, 26 signatures verified
nsec3.zone	0	zone example/IN: DNSSEC: NSEC3 chain (13 records, 13 names), 28 RRsets, 29 signatures verified
nsec3-optout.zone	0	zone example/IN: DNSSEC: NSEC3 chain (12 records, 13 names), 27 RRsets, 28 signatures verified
nsec-missing.zone	1	nsec-missing.zone:52: www.example: no NSEC record: the chain skips this name
nsec-bitmap.zone	1	nsec-bitmap.zone:56: www.example/NSEC: type bitmap lists A RRSIG NSEC, but the name has A AAAA RRSIG NSEC
nsec-order.zone	1	nsec-order.zone:32: ns1.example/NSEC: next name is mail.example, expected ns2.example (chain broken or out of order)
nsec-tampered.zone	1	nsec-tampered.zone:53: www.example/A: no valid RRSIG: Bogus DNSSEC signature (key tag
nsec-foreign-key.zone	1	nsec-foreign-key.zone:53: www.example/A: no valid RRSIG: No keys with the keytag and algorithm from the RRSIG found
nsec-expired.zone	1	nsec-expired.zone:2: example/SOA: no valid RRSIG: DNSSEC signature has expired
nsec3-hash.zone	1	nsec3-hash.zone:20: mail.example: no NSEC3 record (hash 0rp9a46191it4flsvh7fovubsi8np951)
nsec3-missing.zone	1	nsec3-missing.zone:24: ns2.example: no NSEC3 record (hash 5k4fimuj6tinjpofr46a4kmilqskqe80)'
total=0
agree_verify=0
agree_knot=0
have_verify=false
have_knot=false
# Peers are required (the README's install line has them): a missing one
# fails here instead of silently comparing with nobody.
command -v dnssec-verify > /dev/null 2>&1 && have_verify=true \
	|| fail "dnssec-verify (bind9-utils) is not installed: nothing to compare with"
command -v kzonecheck > /dev/null 2>&1 && have_knot=true \
	|| fail "kzonecheck (knot) is not installed: nothing to compare with"
printf '%s\n' "$cases" > "$tmp/cases"
while IFS='	' read -r file want_rc want_text; do
	total=$((total + 1))
	check "$want_rc" "$want_text" --dnssec example "$file"
	[ "$want_rc" = 0 ] && { grep -qx OK "$tmp/out" || fail "$file: no OK line"; }
	[ "$want_rc" = 1 ] && { grep -q '^zone example/IN: DNSSEC verification failed: [0-9]* problems*$' \
		"$tmp/out" || fail "$file: no failure line"; }
	if $have_verify; then
		dnssec-verify -q -o example "$file" > /dev/null 2>&1
		rc=$?
		if [ "$rc" = "$want_rc" ]; then
			agree_verify=$((agree_verify + 1))
		else
			fail "$file: dnssec-verify exits $rc, zoned-checkzone $want_rc"
		fi
	fi
	if $have_knot; then
		kzonecheck -o example. --dnssec on "$file" > /dev/null 2>&1
		rc=$?
		if [ "$rc" = "$want_rc" ]; then
			agree_knot=$((agree_knot + 1))
		else
			fail "$file: kzonecheck exits $rc, zoned-checkzone $want_rc"
		fi
	fi
done < "$tmp/cases"
$have_verify && echo "dnssec-verify agrees on $agree_verify/$total"
$have_knot && echo "kzonecheck --dnssec on agrees on $agree_knot/$total"

# --time: the window moves with it (YYYYMMDDHHMMSS in UTC, or seconds).
check 0 OK --dnssec --time 20200601000000 example nsec-expired.zone
check 0 OK --dnssec --time 1590969600 example nsec-expired.zone
check 1 'example/SOA: no valid RRSIG: DNSSEC signature has expired' \
	--dnssec --time 20600101000000 example nsec.zone
check 1 'example/SOA: no valid RRSIG: DNSSEC signature not incepted yet' \
	--dnssec --time 20191231235959 example nsec3.zone
check 1 '' --dnssec --time 2020-06-01 example nsec.zone
grep -q 'invalid argument to --time: 2020-06-01' "$tmp/out" || fail "--time 2020-06-01 message"
check 1 '' --dnsec example nsec.zone
grep -q 'invalid argument --dnsec' "$tmp/out" || fail "--dnsec message"
# -q: nothing printed, the exit code still says it.
check 1 '' -q --dnssec example nsec-missing.zone
[ -s "$tmp/out" ] && fail "-q printed something"
check 0 '' -q --dnssec example nsec3.zone
# Without --dnssec: the loader's chain check warns (with file:line) and
# the zone loads, as named-checkzone loads it; signatures are not checked.
check 0 'nsec-missing.zone:52: www.example: no NSEC record: the chain skips this name' example nsec-missing.zone
check 0 '' example nsec-tampered.zone
grep -q 'RRSIG' "$tmp/out" && fail "the loader checked signatures"
# An unsigned zone does not verify.
check 1 'example: no DNSKEY at the apex: the zone is not signed' --dnssec example example.zone
# A zone that does not load is not verified: the load's verdict and lines stand.
printf 'bogus\n' > "$tmp/bad.zone"
check 1 'not loaded due to errors' --dnssec example "$tmp/bad.zone"
grep -q DNSSEC "$tmp/out" && fail "verified a zone that did not load"

[ "$failures" -eq 0 ] && echo "PASS" && exit 0
echo "$failures failure(s)"
exit 1
