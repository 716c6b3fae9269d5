#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Instructions per contig_buddy_alloc() + contig_buddy_free() pair, counted
# by callgrind inside bench_run() only (set-up and fragmentation excluded),
# for requests of 1, 16 and 512 frames under each placement policy, and
# through the stash (CONTIG_BUDDY_CACHED, contig_buddy_free_cached(); up
# to 16 frames), on an empty region, one half full and one 90% full
# (bench_buddy's FILL).
set -eu
cd "$(dirname "$0")"
command -v valgrind > /dev/null || { echo "callgrind: valgrind not installed" >&2; exit 1; }
ITERS=${ITERS:-20000}
out=$(mktemp -d "${TMPDIR:-/tmp}/contig-callgrind.XXXXXX")
trap 'rm -rf "$out"' EXIT
echo "buddy core: instructions per alloc+free (callgrind, $ITERS pairs, 65536-frame region: empty, half full, 90% full)"
printf '%-8s | %-5s' frames fill
for p in first best worst next stash; do printf ' | %6s' "$p"; done
echo
for n in 1 16 512; do
	for fill in empty half 90; do
		printf '%-8s | %-5s' "$n" "$fill"
		for p in first best worst next stash; do
			if [ "$p" = stash ] && [ "$n" -gt 16 ]; then
				printf ' | %6s' n/a
				continue
			fi
			# Refused (no free block that large, at 90%): "-".
			if ! valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
				--toggle-collect=bench_run ./bench_buddy "$n" "$ITERS" "$p" "$fill" \
				> /dev/null 2>&1; then
				printf ' | %6s' -
				continue
			fi
			ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg")
			[ -n "$ir" ] || ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg")
			printf ' | %6d' $((ir / ITERS))
		done
		echo
	done
done
