#!/bin/sh
# zoned_query.sh: zoned-query loads zones with the real loader and prints the engine's response.
set -u
fixtures="${top_srcdir:-.}/tests/fixtures/answer"
query="${top_builddir:-.}/src/zoned-query"
zones="-z example.com:$fixtures/example.com.zone -z child.example.com:$fixtures/child.example.com.zone"
failures=0

# expect DESCRIPTION PATTERN ARGS...: the output of zoned-query ARGS has a line matching PATTERN.
expect() {
	description=$1 pattern=$2
	shift 2
	output=$("$query" "$@" 2>&1)
	status=$?
	if [ $status -ne 0 ] || ! printf '%s\n' "$output" | grep -Eq "$pattern"; then
		echo "FAIL: $description (exit $status)"
		printf '%s\n' "$output" | sed 's/^/    /'
		failures=$((failures + 1))
	else
		echo "ok: $description"
	fi
}

# expect_exit DESCRIPTION CODE ARGS...
expect_exit() {
	description=$1 code=$2
	shift 2
	"$query" "$@" >/dev/null 2>&1
	status=$?
	if [ $status -ne "$code" ]; then
		echo "FAIL: $description: exit $status, want $code"
		failures=$((failures + 1))
	else
		echo "ok: $description"
	fi
}

# shellcheck disable=SC2086
{
expect "positive answer" '^www\.example\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.80$' $zones www.example.com
expect "AA on an answer" 'flags: qr aa ' $zones www.example.com A
expect "NXDOMAIN" 'rcode: NXDOMAIN' $zones nope.example.com
expect "referral without AA" 'flags: qr ;' $zones www.sub.example.com
expect "child zone answers" '192\.0\.2\.56' $zones www.child.example.com A IN
expect "TC without EDNS" 'flags: qr aa tc ' $zones big.example.com TXT
expect "TCP has room" 'ANSWER: 20,' -t $zones big.example.com TXT
expect "DO brings RRSIG in a signed zone" 'IN[[:space:]]+RRSIG[[:space:]]+NS ' -D \
	-z signed.test:$fixtures/signed.test.zone signed.test NS
expect "no RRSIG from a zone without DNSKEY" 'ANSWER: 1,' -D $zones sig.example.com
expect "RFC 3597 type" 'rcode: NOERROR' $zones www.example.com TYPE65280
expect "CH not configured" 'rcode: REFUSED' $zones version.bind TXT CH
expect_exit "no zone" 1 www.example.com
expect_exit "bad -z" 1 -z example.com www.example.com
expect_exit "missing zone file" 1 -z example.com:$fixtures/none.zone www.example.com
expect_exit "unknown type" 1 $zones www.example.com NOTATYPE
}
[ $failures -eq 0 ]
