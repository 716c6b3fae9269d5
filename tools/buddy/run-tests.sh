#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh SECONDS HAVE_LIBFUZZER: `make test` of tools/buddy.
# Prints KTAP; exits non-zero when any case fails.
#
#  1. the standalone fuzz driver (gcc, ASan + UBSan): SECONDS, or 2 s as a
#     smoke test when libFuzzer does the real fuzzing;
#  2. libFuzzer (clang, ASan + UBSan) for SECONDS, when available;
#  3. traces/mixed.trace is what `contig-trace --generate --seed 1` writes;
#  4. the trace replayed under every policy with contig_buddy_check() after
#     every operation and the model compared every 256;
#  5. test_snapshot: owner snapshots are right, and copy at most
#     CONTIG_BUDDY_SNAPSHOT_BATCH frames per hold of the lock.
set -u
cd "$(dirname "$0")"
secs=${1:-20}
libfuzzer=${2:-}
n=0
failed=0
log=$(mktemp -d "${TMPDIR:-/tmp}/contig-buddy-test.XXXXXX")
trap 'rm -rf "$log"' EXIT

# case NAME COMMAND...: one KTAP result line, the output as diagnostics.
case_() {
	name=$1
	shift
	n=$((n + 1))
	if "$@" > "$log/out" 2>&1; then
		sed 's/^/# /' "$log/out" | tail -n 12
		echo "ok $n $name"
	else
		sed 's/^/# /' "$log/out" | tail -n 30
		echo "not ok $n $name"
		failed=$((failed + 1))
	fi
}

trace_is_generated() {
	./contig-trace --generate --seed 1 | cmp - traces/mixed.trace
}

echo "KTAP version 1"
if [ "$libfuzzer" = y ]; then
	echo "1..5"
	case_ fuzz_standalone_smoke ./fuzz_buddy_standalone -s 2
	mkdir -p corpus
	case_ fuzz_libfuzzer ./fuzz_buddy -max_total_time="$secs" \
		-print_final_stats=1 corpus
else
	echo "1..4"
	echo "# libFuzzer not available: standalone driver only"
	case_ fuzz_standalone ./fuzz_buddy_standalone -s "$secs"
fi
case_ trace_is_generated trace_is_generated
case_ trace_replay_checked ./contig-trace --check traces/mixed.trace
case_ snapshot_batched ./test_snapshot
echo "# buddy user-space tests: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
