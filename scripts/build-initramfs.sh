#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/build-initramfs.sh OUT.cpio.gz MODDIR PLAN [TOOLSDIR]
# (VM_ARCH=arm64 with BUSYBOX=an arm64 busybox for an arm64 guest)
# Pack busybox-static, guest-init.sh as /init, the results channel
# (scripts/ktap-port.c), contig.ko, the selftests' hook module, the sample
# drivers and the test modules from MODDIR, the
# user-space tests from TOOLSDIR and the PLAN.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1 moddir=$2 plan=$3 toolsdir=${4:-}
root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib,tests,etc/contig}
cp "${BUSYBOX:-/bin/busybox}" "$root/bin/busybox"
install -m 0755 "$ROOT/scripts/guest-init.sh" "$root/init"
# The debug-port channel is x86's; an arm64 guest writes to /dev/hvc0.
[ "${VM_ARCH:-x86}" = arm64 ] ||
	gcc -O2 -Wall -Wextra -static -o "$root/bin/ktap-port" "$ROOT/scripts/ktap-port.c"
cp "$moddir/contig.ko" "$root/lib/"
# The selftests' hook module, where the build made one (never installed).
[ -e "$moddir/contig_test_hook.ko" ] && cp "$moddir/contig_test_hook.ko" "$root/lib/"
# The sample drivers (samples/), built against contig as installed.
for ko in "$moddir"/contig_sample_*.ko; do
	[ -e "$ko" ] && cp "$ko" "$root/lib/"
done
for ko in "$moddir"/contig_*_kunit.ko "$moddir"/contig_*_bench.ko; do
	[ -e "$ko" ] && cp "$ko" "$root/tests/"
done
if [ -n "$toolsdir" ]; then
	for t in "$toolsdir"/*; do
		[ -x "$t" ] && [ -f "$t" ] && cp "$t" "$root/tests/"
	done
	# contigctl where `make install PREFIX=/usr` puts it: contig.ko's
	# default lend_helper runs it from there to online lent blocks.
	[ -x "$toolsdir/contigctl" ] &&
		install -D -m 0755 "$toolsdir/contigctl" "$root/usr/sbin/contigctl"
fi
cp "$plan" "$root/etc/contig/plan"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
