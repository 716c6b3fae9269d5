#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boot a build of the test kernel WITHOUT the debug options
# (KASAN and lockdep distort every figure), run every benchmark module in
# bench/ and every user-space benchmark listed in tools/bench.list, and
# print one table: our figure, the kernel allocator's figure measured in
# the same boot, and their ratio.  Also the callgrind instruction counts
# of the user-space allocator builds, and SVG plots of the figures in
# build/bench/plots/ (scripts/bench-plots.py; the README shows a run's).
# Benchmarks never judge a test run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$BUILD"
exec 9>"$BUILD/.lock"
flock 9

"$ROOT/scripts/deps.sh" --bench
KDIR=$("$ROOT/scripts/build-kernel.sh" bench)
OUT=$BUILD/bench
rm -rf "$OUT"
mkdir -p "$OUT/tools"
build_modules "$KDIR" "$OUT/mod" CONTIG_BENCH=1
quiet "$OUT/tools.log" make -C "$ROOT/tools" OUT="$OUT/tools" selftests
# Every benchmark gets a freshly loaded contig.ko: what one leaves behind
# (a slab cache's pages, movable memory) must not distort the next.
{
	echo "region $REGION_SIZE@$REGION_BASE"
	for ko in "$OUT"/mod/contig_*_bench.ko; do
		[ -e "$ko" ] && printf 'load\nbench %s\nunload\n' "$(basename "$ko")"
	done
	if [ -f "$ROOT/tools/bench.list" ]; then
		while read -r prog; do
			printf 'load\nbenchprog %s\nunload\n' "$prog"
		done < "$ROOT/tools/bench.list"
	fi
	# Lending against the kernel's CMA, areas of one size (cma=128M).
	printf 'region %s\nload lend=1\nbenchprog lend_bench\nunload\n' \
		"$SECTION_REGION"
} > "$OUT/plan"
VM_APPEND="kmemleak=off cma=${SECTION_REGION%@*}" vm_run bench "$KDIR/arch/x86/boot/bzImage" "$OUT/mod" "$OUT/plan" > /dev/null || true

echo
echo "contig benchmarks, $(date -u +%F), QEMU TCG, non-debug 6.12 kernel"
printf '%-10s | %-34s | %14s | %14s | %8s\n' area case ours kernel ratio
printf -- '-----------+------------------------------------+----------------+----------------+---------\n'
grep -a '^contig-bench:' "$OUT/bench/results.ktap" | sed 's/^contig-bench: //' |
	awk -F' *[|] *' '{ printf "%-10s | %-34s | %14s | %14s | %8s\n", $1, $2, $3, $4, $5 }'
if [ -f "$ROOT/tools/buddy/Makefile" ] && command -v valgrind > /dev/null; then
	echo
	make -s -C "$ROOT/tools/buddy" callgrind 2>/dev/null || true
fi
# The plots (scripts/bench-plots.py): SVG, next to the results.
echo
make -s -C "$ROOT/tools/buddy" contig-trace 2>/dev/null || true
python3 "$ROOT/scripts/bench-plots.py" "$OUT/bench/results.ktap" "$OUT/plots" \
	"$ROOT/tools/buddy/contig-trace" "$ROOT/tools/buddy/traces/mixed.trace" ||
	msg "no plots: $OUT/plots"
grep -q -a '^contig-bench:' "$OUT/bench/results.ktap" || die "no benchmark printed a figure; see $OUT/bench/console.log"
