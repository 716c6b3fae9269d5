#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's stock 6.12 kernel image matching the installed
# linux-headers-6.12.*-amd64 (scripts/deps.sh --stock installs them) and
# print "VMLINUZ KDIR".  The image is unpacked under build/stock/, never
# installed on the host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hdr=$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -n1)
[ -n "$hdr" ] || die "no linux-headers-6.12.*-amd64 (run scripts/deps.sh --stock)"
abi=${hdr#/usr/src/linux-headers-}
dir=$BUILD/stock/$abi
vmlinuz=$dir/root/boot/vmlinuz-$abi
if [ ! -f "$vmlinuz" ]; then
	msg "fetching linux-image-$abi-unsigned"
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && quiet "$dir/download.log" apt-get download "linux-image-$abi-unsigned")
	dpkg-deb -x "$dir"/linux-image-*.deb "$dir/root"
	rm -f "$dir"/linux-image-*.deb
fi
echo "$vmlinuz $hdr"
