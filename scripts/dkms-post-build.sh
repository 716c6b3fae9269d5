#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scripts/dkms-post-build.sh DEST
#
# DKMS's POST_BUILD step (dkms.conf), run in DKMS's build directory after
# contig.ko is built for a kernel: keep, next to that contig.ko in DEST
# (DKMS's $dkms_tree/contig/VERSION/KERNEL/ARCH, reached after install as
# $dkms_tree/contig/kernel-KERNEL-ARCH), what a driver built on contig
# needs for that same kernel:
#
#   DEST/Module.symvers           contig's exports with their CRCs and the
#                                 CONTIG namespace, for the driver's
#                                 KBUILD_EXTRA_SYMBOLS (modpost)
#   DEST/include/contig.h         the in-kernel API
#   DEST/include/uapi/contig.h    the structures it shares with user space
#
# DKMS deletes DEST with the build (dkms remove, dkms uninstall of that
# kernel), so nothing is left behind.  README.md, "Building a driver on
# contig", and samples/edu/ show a consumer's Makefile and dkms.conf.
set -eu

dest=${1:?usage: $0 DEST}
[ -f Module.symvers ] || { echo "$0: no Module.symvers in $(pwd)" >&2; exit 1; }
mkdir -p "$dest/include/uapi"
cp Module.symvers "$dest/Module.symvers"
cp include/contig.h "$dest/include/contig.h"
cp include/uapi/contig.h "$dest/include/uapi/contig.h"
echo "contig: Module.symvers and headers for drivers kept in $dest"
