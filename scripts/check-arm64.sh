#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# contig on arm64: the regions come from the device tree.
#
#   scripts/check-arm64.sh PLAN     PLAN as scripts/guest-init.sh reads it
#   scripts/check-arm64.sh          arm64_plan (scripts/lib.sh)
#
# Builds (or reuses) the arm64 debug test kernel (scripts/build-kernel.sh
# arm64, cross-built with aarch64-linux-gnu-gcc), cross-builds contig.ko
# and its KUnit modules against it with W=1 and sparse (C=1), and the
# selftests statically; fetches Debian's busybox-static for arm64 (apt-get
# download, unpacked under build/arm64/, never installed); takes QEMU's
# device tree of the virt machine (-machine dumpdtb=) and adds to it, with
# fdtoverlay, the /reserved-memory nodes of scripts/arm64-regions.dtso:
# two no-map regions compatible with "contig,region", a reservation above
# the guest's mem= for lending, and platform devices naming regions in
# memory-region; then boots the kernel under qemu-system-aarch64 (TCG,
# GICv3, SMMUv3, edu) and runs PLAN: contig.ko loaded with region= empty,
# so that it takes its regions from the device tree, then on the range
# above mem=, lent to the kernel.
#
# Prints the judge's lines, ending in "LABEL: N passed, N failed, N
# skipped" for two labels: arm64-w1-sparse (the cross build) and arm64
# (the guest).  OUT defaults to build/check-arm64.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=${OUT:-$BUILD/check-arm64}
export OUT
mkdir -p "$OUT"
plan=
[ $# = 1 ] && plan=$(realpath "$1")
CROSS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)

KDIR=$("$ROOT/scripts/build-kernel.sh" arm64)

# contig.ko and its KUnit modules, W=1 and sparse clean for arm64 too.
msg "cross-building contig.ko for arm64"
host=$OUT/arm64-w1-sparse.ktap
{
	echo "KTAP version 1"
	echo "1..3"
	if build_modules "$KDIR" "$OUT/mod" "${CROSS[@]}" W=1 C=1 \
		CONTIG_TEST_MODULES=1 2>/dev/null; then
		echo "ok 1 arm64_modules_build"
	else
		sed 's/^/# /' "$OUT/mod/build.log" | tail -n 40
		echo "not ok 1 arm64_modules_build"
	fi
	if [ -f "$OUT/mod/contig.ko" ] &&
	   ! grep -E 'warning:|error:' "$OUT/mod/build.log"; then
		echo "ok 2 arm64_no_compiler_or_sparse_warnings"
	else
		echo "not ok 2 arm64_no_compiler_or_sparse_warnings"
	fi
	# The guest's plan runs every KUnit module built: there must be some.
	nk=$(find "$OUT/mod" -maxdepth 1 -name 'contig_*_kunit.ko' | wc -l)
	if [ "$nk" -gt 0 ]; then
		echo "ok 3 arm64_kunit_modules_built # $nk"
	else
		echo "not ok 3 arm64_kunit_modules_built"
	fi
	echo "# contig-run: complete"
} > "$host"
: > "$OUT/arm64-w1-sparse.console"
judge arm64-w1-sparse "$host" "$OUT/arm64-w1-sparse.console"
[ -f "$OUT/mod/contig.ko" ] || exit 0
# After the build: the plan names the KUnit modules it made.
if [ -z "$plan" ]; then
	plan=$OUT/plan-arm64
	arm64_plan "$OUT/mod" > "$plan"
fi

arm64_selftests "$OUT/tools"
bb=$(arm64_busybox)
dtb=$(arm64_dtb "$OUT/dtb")
VM_ARCH=arm64 BUSYBOX=$bb VM_DTB=$dtb vm_run arm64 "$KDIR/arch/arm64/boot/Image" "$OUT/mod" "$plan"
