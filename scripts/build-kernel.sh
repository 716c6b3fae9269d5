#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel from Debian's linux-source-6.12.
#   scripts/build-kernel.sh check   x86_64: tinyconfig + base, x86, debug
#   scripts/build-kernel.sh bench   x86_64: tinyconfig + base, x86
#   scripts/build-kernel.sh arm64   arm64 (cross-built with
#                                   aarch64-linux-gnu-gcc): tinyconfig +
#                                   base, arm64, debug
# Prints the build directory.  A finished build is cached under
# build/kernel/<flavour>-<key>, key = hash of source version, fragments and
# KERNEL_RECIPE (scripts/lib.sh); a second run with the same inputs does
# nothing.  `modules` is built too: it writes the Module.symvers that
# out-of-tree modules link against.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-check}
case $flavour in check|bench|arm64) ;; *) die "flavour must be check, bench or arm64";; esac
arch=$(kernel_arch "$flavour")
kmake=(make -C "$(ksrc_dir)")
image=bzImage
CROSS_ARCH=
if [ "$arch" = arm64 ]; then
	CROSS_ARCH=arm64
	kmake+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	image=Image
fi

src=$(ksrc_dir)
out=$(kernel_dir "$flavour")

if [ -f "$out/.contig-done" ]; then
	echo "$out"
	exit 0
fi

if [ ! -f "$src/Makefile" ]; then
	msg "extracting $KSRC_TARBALL"
	mkdir -p "$BUILD/src"
	tmp=$(mktemp -d "$BUILD/src/.extract.XXXXXX")
	tar -xf "$KSRC_TARBALL" -C "$tmp"
	rm -rf "$src"
	mv "$tmp/linux-source-6.12" "$src"
	rmdir "$tmp"
fi

mapfile -t frags < <(kernel_frags "$flavour")

msg "building $flavour kernel in $out (9 to 12 minutes on 2 cores)"
start=$SECONDS
rm -rf "$out"
mkdir -p "$out"
quiet "$out/config.log" "${kmake[@]}" O="$out" tinyconfig
quiet "$out/config.log" env ${CROSS_ARCH:+ARCH=$CROSS_ARCH} \
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
	"${frags[@]}"
quiet "$out/config.log" "${kmake[@]}" O="$out" olddefconfig

# merge_config.sh only warns about options Kconfig dropped; we refuse them.
missing=0
for f in "${frags[@]}"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n) opt=${line%=n}
			grep -q "^$opt=" "$out/.config" && { echo "  $opt still set" >&2; missing=1; } ;;
		CONFIG_*=*) grep -qx "$line" "$out/.config" || { echo "  $line not set" >&2; missing=1; } ;;
		esac
	done < "$f"
done
[ $missing = 0 ] || die "kernel config lost options above (missing dependency?)"

quiet "$out/build.log" "${kmake[@]}" O="$out" -j"$JOBS" "$image" modules
touch "$out/.contig-done"
msg "$flavour kernel built in $(( SECONDS - start ))s"
echo "$out"
