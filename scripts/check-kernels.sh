#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check-kernels.sh PLAN
# Run the user-space selftests of PLAN on Debian's stock kernels: build
# contig.ko against each kernel's own headers, boot the kernel in QEMU
# with a memmap= reservation, judge.  Prints one verdict line per kernel.
# Called by scripts/check.sh (OUT is its output directory).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

plan=$1
OUT=${OUT:-$BUILD/check}
export OUT

read -r vmlinuz hdr < <("$ROOT/scripts/stock-kernel.sh")
label=stock-$(basename "$hdr" | sed 's/linux-headers-//')
msg "stock kernel: $(basename "$vmlinuz")"
build_modules "$hdr" "$OUT/mod-$label"
VM_MEM=1G vm_run "$label" "$vmlinuz" "$OUT/mod-$label" "$plan"
