#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what a fresh Debian 12 machine lacks for building and testing
# contig.  Idempotent, and silent when everything is already there.
#   scripts/deps.sh            build + test-kernel packages (x86_64 and
#                              arm64: the cross compiler, QEMU, dtc)
#   scripts/deps.sh --stock    also the headers of Debian's stock 6.1 and
#                              6.12 kernels (DKMS builds and selftests on
#                              the distribution kernels)
#   scripts/deps.sh --bench    also what `make bench` needs: valgrind (the
#                              callgrind table) and gnuplot (the plots)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(build-essential linux-source-6.12 qemu-system-x86 busybox-static
      flex bison bc libelf-dev libssl-dev cpio dkms sparse python3 xz-utils
      kmod rsync pkg-config man-db
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
      device-tree-compiler)

want_stock=0
[ "${1:-}" = --stock ] && want_stock=1
[ "${1:-}" = --bench ] && pkgs+=(valgrind gnuplot-nox)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

updated=0
apt_update() {
	[ $updated = 1 ] && return
	quiet /tmp/contig-apt-update.log apt-get update -q
	updated=1
}

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# scripts/check-arm64.sh fetches Debian's busybox-static for arm64 with
# apt-get download (never installed): apt must list arm64 packages.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	msg "adding arm64 to apt's architectures (for apt-get download)"
	$SUDO dpkg --add-architecture arm64
	apt_update
fi

if [ ${#missing[@]} -gt 0 ]; then
	msg "installing: ${missing[*]}"
	apt_update
	quiet /tmp/contig-apt-install.log env DEBIAN_FRONTEND=noninteractive \
		$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ $want_stock = 1 ]; then
	# For each stock series (scripts/stock-kernel.sh --series) the headers
	# of the newest amd64 image Debian offers; its image is fetched later,
	# never installed.  Nothing to do when those headers are installed.
	for s in $("$ROOT/scripts/stock-kernel.sh" --series); do
		abi=$("$ROOT/scripts/stock-kernel.sh" --newest "$s")
		[ -n "$abi" ] || { apt_update; abi=$("$ROOT/scripts/stock-kernel.sh" --newest "$s"); }
		[ -n "$abi" ] || die "no linux-image-$s.*-amd64-unsigned package found"
		dpkg-query -W -f '${Status}' "linux-headers-$abi" 2>/dev/null |
			grep -q "ok installed" && continue
		apt_update
		msg "installing headers for the stock $abi kernel"
		quiet /tmp/contig-apt-install.log env DEBIAN_FRONTEND=noninteractive \
			$SUDO apt-get install -y -q --no-install-recommends "linux-headers-$abi"
	done
fi
exit 0
