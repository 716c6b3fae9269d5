#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Instructions per contig_buddy_alloc() + contig_buddy_free() pair, counted
# by callgrind inside bench_run() only (set-up and fragmentation excluded),
# for requests of 1, 16 and 512 frames under each placement policy.
set -eu
cd "$(dirname "$0")"
command -v valgrind > /dev/null || { echo "callgrind: valgrind not installed" >&2; exit 1; }
ITERS=${ITERS:-20000}
out=$(mktemp -d "${TMPDIR:-/tmp}/contig-callgrind.XXXXXX")
trap 'rm -rf "$out"' EXIT
echo "buddy core: instructions per alloc+free (callgrind, $ITERS pairs, 65536-frame region half full)"
printf '%-8s' frames
for p in first best worst next; do printf ' | %6s' "$p"; done
echo
for n in 1 16 512; do
	printf '%-8s' "$n"
	for p in first best worst next; do
		valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
			--toggle-collect=bench_run ./bench_buddy "$n" "$ITERS" "$p" \
			> /dev/null 2>&1
		ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg")
		[ -n "$ir" ] || ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg")
		printf ' | %6d' $((ir / ITERS))
	done
	echo
done
