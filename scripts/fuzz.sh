#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make fuzz SECONDS=N`: the fuzzer (tools/selftests/fuzz_test.c) alone, for
# longer than `make check` gives it.  Builds (or reuses) the debug test
# kernel, contig.ko and the selftests as `make check` does, and boots one
# guest whose plan runs only fuzz_test, SECONDS on each region: the one
# sharing a section with boot RAM (PFN-mapped buffers) and the whole-section
# one (struct-page mappings).  The judge fails the run on any failed
# invariant, splat, WARN or kmemleak report, as in `make check`.
#
#   SECONDS   per region (default 600)
#   SEED      replay a printed seed (default: a new one per region)
#   THREADS   fuzzing threads (default 4)
#
# Ends with "fuzz: N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

secs=${SECONDS_PER_REGION:-600}
threads=${THREADS:-4}
seed_arg=${SEED:+--seed $SEED}

mkdir -p "$BUILD"
exec 9>"$BUILD/.lock"
flock 9

OUT=$BUILD/fuzz
export OUT
rm -rf "$OUT"
mkdir -p "$OUT"

"$ROOT/scripts/deps.sh"
msg "building the test kernel (cached)"
KDIR=$("$ROOT/scripts/build-kernel.sh" check)
msg "building contig.ko and the selftests"
build_modules "$KDIR" "$OUT/mods" W=1 CONTIG_TEST_MODULES=1
make -s -C "$ROOT/tools" OUT="$OUT/tools" selftests

plan=$OUT/plan
{
	for region in "$REGION_SIZE@$REGION_BASE" "$SECTION_REGION"; do
		echo "region $region"
		echo "load lend=0"
		echo "selftest fuzz_test --seconds $secs --threads $threads $seed_arg"
		echo "unload"
	done
} > "$plan"
msg "fuzzing ${secs}s on each region"
VM_TIMEOUT=$((2 * secs + 900)) vm_run fuzz "$KDIR/arch/x86/boot/bzImage" \
	"$OUT/mods" "$plan" | tee "$OUT/verdict"
grep -h '^# FAIL\|seed\|fuzz_test --seed' "$OUT/fuzz/results.ktap" 2>/dev/null | head -n 40 || true
tail -n1 "$OUT/verdict" | grep -q ' 0 failed'
