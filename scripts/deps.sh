#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what a fresh Debian 12 machine lacks for building and testing
# contig.  Idempotent, and silent when everything is already there.
#   scripts/deps.sh            build + test-kernel packages
#   scripts/deps.sh --stock    also Debian's stock 6.12 headers (selftests
#                              on the distribution kernel)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(build-essential linux-source-6.12 qemu-system-x86 busybox-static
      flex bison bc libelf-dev libssl-dev cpio dkms sparse python3 xz-utils
      kmod rsync)

want_stock=0
[ "${1:-}" = --stock ] && want_stock=1

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

if [ ${#missing[@]} -gt 0 ]; then
	msg "installing: ${missing[*]}"
	apt_update
	quiet /tmp/contig-apt-install.log env DEBIAN_FRONTEND=noninteractive \
		$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ $want_stock = 1 ]; then
	# The newest 6.12 image Debian offers, with its exact headers.
	if ! ls /usr/src/linux-headers-6.12.*-amd64 >/dev/null 2>&1; then
		apt_update
		abi=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
		      awk '{print $1}' | sed 's/linux-image-//; s/-unsigned//' | sort -V | tail -n1)
		[ -n "$abi" ] || die "no linux-image-6.12.*-amd64-unsigned package found"
		msg "installing headers for the stock $abi kernel"
		quiet /tmp/contig-apt-install.log env DEBIAN_FRONTEND=noninteractive \
			$SUDO apt-get install -y -q --no-install-recommends "linux-headers-$abi"
	fi
fi
exit 0
