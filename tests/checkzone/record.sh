#!/bin/sh
# record.sh: re-record what named-checkzone 9.18 says about every corpus zone.
# Writes expected.tsv (file, zone, exit status by default, exit status in the
# strict mode) and bind-output.txt (its full output, for the message report
# in run.sh). Run by hand after adding a zone; needs bind9-utils. Never uses
# -i full, which resolves names over the network.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/zones"
strict="-k fail -n fail -m fail -M fail -S fail -r fail"
printf '# file\tzone\tdefault\tstrict\n' > ../expected.tsv
: > ../bind-output.txt
while IFS='	' read -r file zone; do
	set +e
	named-checkzone -i local "$zone" "$file" > /tmp/record.$$ 2>&1
	default=$?
	{ printf '### %s default\n' "$file"; cat /tmp/record.$$; } >> ../bind-output.txt
	# shellcheck disable=SC2086
	named-checkzone -i local $strict "$zone" "$file" > /tmp/record.$$ 2>&1
	strict_rc=$?
	{ printf '### %s strict\n' "$file"; cat /tmp/record.$$; } >> ../bind-output.txt
	set -e
	printf '%s\t%s\t%s\t%s\n' "$file" "$zone" "$default" "$strict_rc" >> ../expected.tsv
done < zones.list
rm -f /tmp/record.$$
echo "recorded $(grep -vc '^#' ../expected.tsv) zones with $(named-checkzone -v)"
