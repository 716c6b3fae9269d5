#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's stock kernels that contig is checked against.
#
#   scripts/stock-kernel.sh --series       the kernel series we claim, one a
#                                          line: 6.1 (bookworm) and 6.12
#                                          (bookworm's newer kernel)
#   scripts/stock-kernel.sh --newest S     the ABI of the newest amd64 kernel
#                                          of series S in apt's package lists
#                                          (scripts/deps.sh --stock installs
#                                          its headers)
#   scripts/stock-kernel.sh S              print "ABI VMLINUZ KDIR" for the
#                                          newest installed headers of S,
#                                          fetching the matching image
#   scripts/stock-kernel.sh --arm64 S      the same for Debian's arm64
#                                          kernel of that version: image and
#                                          headers fetched (:arm64), for
#                                          cross builds and qemu-system-aarch64
#
# The image (linux-image-ABI-unsigned) is fetched with `apt-get download`
# and unpacked under build/stock/ABI/, never installed on the host; later
# runs reuse it.  An ABI names the flavour exactly, e.g. 6.1.0-56-amd64 or
# 6.12.117+deb12-amd64; cloud and rt flavours are never picked.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SERIES=(6.1 6.12)

# abi_re SERIES: an ERE for the generic amd64 ABIs of SERIES.
abi_re() {
	printf '%s' "${1//./\\.}"
	printf '%s' '\.[0-9]+(-[0-9]+|\+deb[0-9]+)-amd64'
}

# fetch DIR PACKAGE...: apt-get download the packages into a new DIR and
# unpack each under DIR/root, never installing them.
fetch() {
	local dir=$1 deb
	shift
	msg "fetching $*"
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && quiet "$dir/download.log" apt-get download "$@")
	for deb in "$dir"/*.deb; do
		dpkg-deb -x "$deb" "$dir/root"
	done
	rm -f "$dir"/*.deb
}

arm64=0
if [ "${1:-}" = --arm64 ]; then
	arm64=1
	shift
fi

case ${1:-} in
--series)
	printf '%s\n' "${SERIES[@]}"
	exit 0 ;;
--newest)
	s=${2:?usage: $0 --newest SERIES}
	apt-cache search --names-only "^linux-image-$(abi_re "$s")-unsigned\$" |
		awk '{print $1}' | sed 's/^linux-image-//; s/-unsigned$//' |
		sort -V | tail -n1
	exit 0 ;;
''|-*)
	die "usage: $0 --series | --newest SERIES | SERIES" ;;
esac

s=$1
hdr=$(find /usr/src -maxdepth 1 -name "linux-headers-$s.*" 2>/dev/null |
      grep -E "/linux-headers-$(abi_re "$s")\$" | sort -V | tail -n1 || true)
[ -n "$hdr" ] || die "no linux-headers for Debian's $s amd64 kernel (run scripts/deps.sh --stock)"
abi=${hdr#/usr/src/linux-headers-}
if [ "$arm64" = 1 ]; then
	# The arm64 flavour of the same version.  Its headers package is
	# unpacked, not installed (it is another architecture's); its scripts
	# and tools links point at the host's linux-kbuild of that version,
	# which the amd64 headers brought (as they brought the -common
	# headers both flavours include), and its Makefile cross-compiles
	# (ARCH=arm64, CROSS_COMPILE=aarch64-linux-gnu-) by itself.
	ver=${abi%-amd64}
	abi=$ver-arm64
	dir=$BUILD/stock/$abi
	vmlinuz=$dir/root/boot/vmlinuz-$abi
	hdr=$dir/root/usr/src/linux-headers-$abi
	kbuild=/usr/lib/linux-kbuild-$ver
	[ -d "$kbuild/scripts" ] || die "no $kbuild (the amd64 headers of $ver bring it)"
	if [ ! -f "$vmlinuz" ] || [ ! -f "$hdr/Makefile" ]; then
		fetch "$dir" "linux-image-$abi-unsigned:arm64" "linux-headers-$abi:arm64"
		[ -f "$vmlinuz" ] || die "linux-image-$abi-unsigned has no boot/vmlinuz-$abi"
		[ -f "$hdr/Makefile" ] || die "linux-headers-$abi has no Makefile"
		ln -sfn "$kbuild/scripts" "$hdr/scripts"
		ln -sfn "$kbuild/tools" "$hdr/tools"
	fi
	echo "$abi $vmlinuz $hdr"
	exit 0
fi
dir=$BUILD/stock/$abi
vmlinuz=$dir/root/boot/vmlinuz-$abi
if [ ! -f "$vmlinuz" ]; then
	fetch "$dir" "linux-image-$abi-unsigned"
	[ -f "$vmlinuz" ] || die "linux-image-$abi-unsigned has no boot/vmlinuz-$abi"
fi
echo "$abi $vmlinuz $hdr"
