#!/bin/sh
# valgrind.sh: runs each test program given under valgrind (memcheck, full
# leak check) with CK_FORK=no so Check runs the tests in this process;
# fails when valgrind reports any error or definite/indirect/possible leak.
# Used by `make check-valgrind`.
set -u
status=0
log_dir=${VALGRIND_LOG_DIR:-valgrind-logs}
mkdir -p "$log_dir" || exit 1
CK_FORK=no
# Tests with long case tables run a few of each kind here (see check_zone_reload.c).
ZONED_TEST_SUBSET=1
export ZONED_TEST_SUBSET
CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60}
export CK_FORK CK_DEFAULT_TIMEOUT
for program in "$@"; do
	name=$(basename "$program")
	log="$log_dir/$name.log"
	if valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 \
		--track-origins=yes --log-file="$log" "./$program" >"$log_dir/$name.out" 2>&1; then
		echo "PASS: $program"
	else
		echo "FAIL: $program (see $log)"
		cat "$log"
		tail -n 20 "$log_dir/$name.out"
		status=1
	fi
done
exit $status
