#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# contig under DKMS (dkms.conf at the top of the tree).
#
#   scripts/dkms.sh install [KVER]  make dkms-install: remove any registered
#                                   contig, copy the source to
#                                   /usr/src/contig-VERSION, then dkms add,
#                                   build and install for KVER (default: the
#                                   running kernel); later kernels get it
#                                   through DKMS's AUTOINSTALL
#   scripts/dkms.sh remove          make dkms-remove: dkms remove every
#                                   registered contig version from every
#                                   kernel, delete /usr/src/contig-*
#   scripts/dkms.sh stage DIR       copy what DKMS builds from (no build
#                                   products, no tools, no git) into DIR
#   scripts/dkms.sh version         PACKAGE_VERSION of dkms.conf
#
# install and remove change the host (they are what a user runs); the
# checks use `stage` with throw-away DKMS trees (scripts/check-kernels.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

NAME=contig

version() {
	sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ROOT/dkms.conf"
}

stage() {
	local dir=$1
	mkdir -p "$dir"
	rsync -a --delete \
		--exclude '*.o' --exclude '*.ko' --exclude '*.mod' \
		--exclude '*.mod.c' --exclude '.*.cmd' --exclude '*.a' \
		--exclude '*.d' --exclude 'contig_compat.h*' \
		--include /dkms.conf --include /Kbuild --include /Makefile \
		--include '/module/***' --include '/include/***' \
		--include '/kunit/***' --include '/bench/***' \
		--include /scripts/ --include /scripts/conftest.sh \
		--include /scripts/dkms-post-build.sh \
		--include /samples/ --include /samples/edu/ \
		--include /samples/edu/edu.h \
		--exclude '*' \
		"$ROOT/" "$dir/"
}

# The versions of contig DKMS knows about, one a line.
registered() {
	dkms status -m "$NAME" 2>/dev/null |
		sed -n "s|^$NAME/\\([^,:]*\\).*|\\1|p" | sort -u
}

remove_all() {
	local v
	for v in $(registered); do
		msg "dkms remove $NAME/$v from every kernel"
		dkms remove -m "$NAME" -v "$v" --all
	done
	for v in /usr/src/"$NAME"-*; do
		[ -f "$v/dkms.conf" ] && grep -q "^PACKAGE_NAME=\"$NAME\"" "$v/dkms.conf" &&
			rm -rf "$v"
	done
	return 0
}

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 changes /usr/src and /lib/modules: run it as root"
	command -v dkms >/dev/null || die "dkms is not installed (apt-get install dkms)"
}

case ${1:-} in
version)
	version ;;
stage)
	stage "${2:?usage: $0 stage DIR}" ;;
install)
	need_root "dkms install"
	ver=$(version)
	kver=${2:-$(uname -r)}
	remove_all
	stage "/usr/src/$NAME-$ver"
	dkms add -m "$NAME" -v "$ver"
	dkms build -m "$NAME" -v "$ver" -k "$kver"
	dkms install -m "$NAME" -v "$ver" -k "$kver"
	msg "installed; load it with: modprobe $NAME region=SIZE@BASE (see README)" ;;
remove)
	need_root "dkms remove"
	remove_all ;;
*)
	die "usage: $0 install [KVER] | remove | stage DIR | version" ;;
esac
