#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/run-vm.sh KERNEL INITRAMFS OUTDIR [TIMEOUT]
# Boot KERNEL under qemu-system-x86_64 (TCG) on a q35 machine with the
# Intel IOMMU and QEMU's edu DMA device; with VM_ARCH=arm64, under
# qemu-system-aarch64 on a virt machine with the SMMUv3, edu, and the
# device tree VM_DTB.  The guest's console goes to
# OUTDIR/console.log, its KTAP results (debug console at port 0xe9, or
# ttyS1 when the guest cannot reach the port) to OUTDIR/results.ktap.
# Returns 0 when the guest powered off by itself, 124 on timeout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2 outdir=$3 limit=${4:-900}
mkdir -p "$outdir"
: > "$outdir/console.log"
: > "$outdir/results.ktap"
: > "$outdir/results.tty"

append="console=ttyS0 memmap=${REGION_SIZE}\$${REGION_BASE} memmap=${PARTIAL_REGION%@*}\$${PARTIAL_REGION#*@}"
append+=" memmap=${REGION2%@*}\$${REGION2#*@} cma=64M"
append+=" intel_iommu=on iommu.strict=1 panic=-1 oops=panic"
append+=" kmemleak=on loglevel=7 ${VM_APPEND:-}"

if [ "${VM_ARCH:-x86}" = arm64 ]; then
	# The device tree with contig's /reserved-memory nodes (VM_DTB, from
	# scripts/check-arm64.sh); results on a virtio console.
	timeout --foreground "$limit" qemu-system-aarch64 \
		-machine virt,gic-version=3,iommu=smmuv3 -accel tcg \
		-cpu max,pauth-impdef=on -smp 2 -m "${VM_MEM:-2G}" \
		-device edu \
		-display none -monitor none -no-reboot \
		-serial "file:$outdir/console.log" \
		-chardev "file,id=ktap,path=$outdir/results.ktap" \
		-device virtio-serial-pci -device virtconsole,chardev=ktap \
		-kernel "$kernel" -initrd "$initrd" -dtb "$VM_DTB" \
		-append "console=ttyAMA0 mem=$ARM64_MEM panic=-1 oops=panic kmemleak=on loglevel=7 ${VM_APPEND:-}" \
		</dev/null >"$outdir/qemu.log" 2>&1 || rc=$?
	exit "${rc:-0}"
fi

timeout --foreground "$limit" qemu-system-x86_64 \
	-machine q35,kernel-irqchip=split -accel tcg \
	-device intel-iommu,intremap=on \
	-device edu \
	-cpu max -smp 2 -m "${VM_MEM:-2G}" \
	-display none -monitor none -no-reboot \
	-serial "file:$outdir/console.log" \
	-serial "file:$outdir/results.tty" \
	-chardev "file,id=ktap,path=$outdir/results.ktap" \
	-device isa-debugcon,iobase=0xe9,chardev=ktap \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	</dev/null >"$outdir/qemu.log" 2>&1 || rc=$?
cat "$outdir/results.tty" >> "$outdir/results.ktap"
exit "${rc:-0}"
