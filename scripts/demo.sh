#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: install what is missing, build the test kernel (cached),
# contig.ko and an initramfs, boot QEMU with a memmap= reservation, load
# contig.ko on it and show /proc/iomem and /sys/kernel/debug/contig/;
# then load it with lend=1 on the whole-block reservation and show page
# cache filling it and a 64 MiB request taking it back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$BUILD"
exec 9>"$BUILD/.lock"
flock 9

"$ROOT/scripts/deps.sh"
KDIR=$("$ROOT/scripts/build-kernel.sh" check)
OUT=$BUILD/demo
rm -rf "$OUT"
mkdir -p "$OUT/mod" "$OUT/tools"
rsync -a --delete --exclude build --exclude .git --exclude tools "$ROOT/" "$OUT/mod/src/"
quiet "$OUT/mod/build.log" make -C "$KDIR" M="$OUT/mod/src" modules
cp "$OUT"/mod/src/contig.ko "$OUT/mod/"
quiet "$OUT/tools.log" make -C "$ROOT/tools" OUT="$OUT/tools" selftests
cat > "$OUT/plan" <<PLAN
region $REGION_SIZE@$REGION_BASE
load
demo
unload
region $SECTION_REGION
load lend=1
lenddemo
unload
PLAN
"$ROOT/scripts/build-initramfs.sh" "$OUT/initramfs.cpio.gz" "$OUT/mod" "$OUT/plan" "$OUT/tools"
msg "booting: memmap=$REGION_SIZE\$$REGION_BASE, then insmod contig.ko region=$REGION_SIZE@$REGION_BASE"
"$ROOT/scripts/run-vm.sh" "$KDIR/arch/x86/boot/bzImage" "$OUT/initramfs.cpio.gz" "$OUT" 600 || true
echo
grep -a -E 'contig' "$OUT/console.log" | grep -a -v 'contig-test' | head -n 5
sed -n '/---- \/proc\/iomem/,/contig-test: run complete/p' "$OUT/console.log" |
	grep -a -v 'contig-test: run complete'
grep -q -a 'contig: managing' "$OUT/console.log" || die "the demo did not load contig.ko; see $OUT/console.log"
msg "full console log: $OUT/console.log"
