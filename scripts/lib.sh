# SPDX-License-Identifier: GPL-2.0
# Shared helpers for contig's scripts.  Source it; do not run it.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${CONTIG_BUILD:-$ROOT/build}
JOBS=${JOBS:-$(( $(nproc) + 1 ))}
KSRC_TARBALL=/usr/src/linux-source-6.12.tar.xz

# The reserved region every VM boots with, and the CMA area beside it.
REGION_SIZE=${REGION_SIZE:-64M}
REGION_BASE=${REGION_BASE:-0x30000000}
# A second reservation covering a whole 128 MiB memory section: no struct
# pages at boot, so contig.ko must add them (memremap_pages) to claim it.
SECTION_REGION=128M@0x20000000
# Its reservation is 64 MiB longer: PARTIAL_REGION, all of it, is a whole
# memory block (lent, lend.c) and a part of the next (kept private).
PARTIAL_REGION=192M@0x20000000
# A third reservation, for loads with two regions: region=REGION,REGION2.
# Named, as region= lets a region be; it shares its section with boot RAM.
REGION2=16M@0x38000000
REGION2_NAME=second

msg() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a slow command quietly, keeping its output in a log that is shown
# (tail) only when it fails.
quiet() {
	local log=$1; shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "'$*' failed, full log in $log"
	fi
}

ksrc_version() {
	dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null
}

# Pristine, extracted kernel source shared by every O= build.
ksrc_dir() {
	local v
	v=$(ksrc_version) || die "linux-source-6.12 is not installed (run scripts/deps.sh)"
	echo "$BUILD/src/linux-source-6.12-$v"
}

# Bump when scripts/build-kernel.sh changes what it produces.
KERNEL_RECIPE=3

# The kernel flavours: check (x86_64, debug), bench (x86_64, no debug) and
# arm64 (arm64, debug).
# kernel_arch FLAVOUR: the kernel's architecture, x86 (the host's) or
# arm64 (cross-built).
kernel_arch() {
	case $1 in arm64) echo arm64 ;; *) echo x86 ;; esac
}

# kernel_frags FLAVOUR: the fragments added to tinyconfig, in order.
kernel_frags() {
	local k=$ROOT/scripts/kconfig
	echo "$k/base.config"
	case $1 in arm64) echo "$k/arm64.config" ;; *) echo "$k/x86.config" ;; esac
	[ "$1" = bench ] || echo "$k/debug.config"
}

# The kernel build directory for a flavour, keyed by every input that
# changes the image: source version, fragments, the recipe.
kernel_dir() {
	local flavour=$1 key
	# shellcheck disable=SC2046 # one path a line, no spaces
	key=$( { ksrc_version; cat $(kernel_frags "$flavour");
		 echo "recipe $KERNEL_RECIPE $(kernel_arch "$flavour")"; } |
		sha256sum | cut -c1-12)
	echo "$BUILD/kernel/$flavour-$key"
}

# The arm64 guest's regions, as scripts/arm64-regions.dtso declares them.
ARM64_REGION=128M@0x60000000:main
ARM64_REGION2=16M@0x70000000:second
# Above the RAM the guest's kernel is given (ARM64_MEM, run-vm.sh's mem=):
# one whole 128 MiB memory block that lend=1 hot-adds.
ARM64_LEND_REGION=128M@0xb8000000
ARM64_MEM=1920M

# plan_kunit [MODDIR]: a plan's "kunit" line for every KUnit module of
# MODDIR (none without it).
plan_kunit() {
	local ko

	[ -n "${1:-}" ] || return 0
	for ko in "$1"/contig_*_kunit.ko; do
		[ -e "$ko" ] && echo "kunit $(basename "$ko")"
	done
	return 0
}

# plan_loaded_selftests: a plan's "selftest" line for each selftest of
# tools/selftests/loaded.list, run with the module loaded.
plan_loaded_selftests() {
	[ -f "$ROOT/tools/selftests/loaded.list" ] || return 0
	sed 's/^/selftest /' "$ROOT/tools/selftests/loaded.list"
}

# plan_lend: the plan's lending steps on the region set before: the
# whole block lent, onlined by hand (no helper), and taken away from the
# kernel again at unload; then the defaults: lent, and onlined at load by
# /usr/sbin/contigctl.
plan_lend() {
	echo "load lend=1 lend_helper="
	echo "selftest lend_test"
	echo "unload"
	echo "selftest lend_test --after"
	echo "load"
	echo "selftest lend_test --auto"
	echo "unload"
}

# arm64_plan [MODDIR]: the guest plan of scripts/check-arm64.sh.  contig.ko
# is loaded with region= empty: its regions come from the device tree.
arm64_plan() {
	echo "region"
	echo "load"
	plan_kunit "${1:-}"
	echo "selftest regions_test $ARM64_REGION $ARM64_REGION2"
	plan_loaded_selftests
	# The sample driver where the build made it (DKMS, stock kernels):
	# edu's DMA through the SMMUv3 into region 0.
	[ -z "${1:-}" ] || [ ! -e "$1/contig_sample_edu.ko" ] ||
		echo "sample contig_sample_edu"
	echo "unload"
	# Lending on arm64: a region outside the RAM the kernel is given
	# (mem=), hot-added: onlined by hand (lend_test), taken away at
	# unload (--after), and with the defaults onlined into ZONE_MOVABLE
	# by /usr/sbin/contigctl at load (--auto).
	echo "region $ARM64_LEND_REGION"
	plan_lend
}

# check_plan [MODDIR]: the guest plan of `make check` (scripts/guest-init.sh
# explains the verbs): the load selftest on both reservations, then on
# REGION every KUnit module of MODDIR (none without it), the loaded
# selftests, the sample driver (samples/edu/) and the example program
# (samples/share/), then the loaded
# selftests again on SECTION_REGION with
# lend=0, then SECTION_REGION lent to the kernel (lend_test onlining it
# by hand, lend_test --auto with the defaults, lend_test --private with
# no helper found, then fuzz_test on it lent), and REGION with the
# defaults (no whole block: nothing lent).
check_plan() {
	echo "region $REGION_SIZE@$REGION_BASE"
	echo "selftest load_test /lib/contig.ko $REGION_SIZE@$REGION_BASE 100 $SECTION_REGION"
	echo "load"
	plan_kunit "${1:-}"
	plan_loaded_selftests
	# The sample driver, built against contig as a driver author would,
	# and the example program, built against libcontig as installed.
	echo "sample contig_sample_edu"
	echo "example contig_share"
	echo "example contig_share 2 contiguous"
	echo "example contig_share 8 movable"
	echo "unload"
	# Two regions: the second by id from user space, by name from
	# drivers (KUnit), its own books, debugfs and refusals.
	echo "region $REGION_SIZE@$REGION_BASE,$REGION2:$REGION2_NAME"
	echo "load"
	[ -z "${1:-}" ] || [ ! -e "$1/contig_region_kunit.ko" ] ||
		echo "kunit contig_region_kunit.ko"
	echo "selftest regions_test $REGION_SIZE@$REGION_BASE $REGION2:$REGION2_NAME"
	echo "unload"
	# Struct pages from memremap_pages(), in the linear map, so
	# struct-page user mappings.
	echo "region $SECTION_REGION"
	echo "load lend=0"
	plan_loaded_selftests
	echo "unload"
	# The same whole block lent to the kernel (lend.c).
	plan_lend
	# No helper found: nothing lent, the region contig's alone.
	echo "load lend_helper=/nonexistent/contigctl"
	echo "selftest lend_test --private"
	echo "unload"
	# A whole block lent and a part of the next kept private.
	echo "region $PARTIAL_REGION"
	echo "load"
	echo "selftest lend_test --partial"
	echo "unload"
	echo "region $SECTION_REGION"
	# The fuzzer on it lent (it runs contigctl lend): requests take
	# memory back from under the fuzzer's own processes' pages.
	echo "load lend=1"
	echo "selftest fuzz_test --seconds 20 --threads 3 --lent"
	echo "unload"
	# lend=1 (the default) on a region of no whole block: nothing to lend.
	echo "region $REGION_SIZE@$REGION_BASE"
	echo "load"
	echo "selftest lend_test --none"
	echo "unload"
}

# judge LABEL RESULTS CONSOLE: the KTAP judge's verdict; last line is
# "LABEL: N passed, N failed, N skipped".
judge() {
	"$ROOT/scripts/ktap_judge.py" --label "$1" "$2" "$3" || true
}

# build_modules KDIR OUTDIR [make args]: contig.ko + test modules, built
# in a copy of the source so several kernels can be built side by side.
build_modules() {
	local kdir=$1 dir=$2; shift 2
	mkdir -p "$dir"
	rsync -a --delete --exclude build --exclude .git --exclude tools \
		"$ROOT/" "$dir/src/"
	make -C "$kdir" M="$dir/src" "$@" modules > "$dir/build.log" 2>&1 || {
		tail -n 30 "$dir/build.log" >&2; return 1; }
	cp "$dir"/src/*.ko "$dir/"
}

# arm64_busybox: the path of Debian's busybox-static for arm64, fetched
# (apt-get download) and unpacked under $BUILD/arm64/ once, never installed
# (installing it would replace the host's busybox).
arm64_busybox() {
	local bbdir=$BUILD/arm64/busybox
	if [ ! -x "$bbdir/bin/busybox" ]; then
		msg "fetching busybox-static:arm64"
		rm -rf "$bbdir"
		mkdir -p "$bbdir/deb"
		(cd "$bbdir/deb" && quiet "$bbdir/download.log" apt-get download busybox-static:arm64)
		dpkg-deb -x "$bbdir"/deb/busybox-static_*.deb "$bbdir"
		rm -rf "$bbdir/deb"
		[ -x "$bbdir/bin/busybox" ] || die "busybox-static:arm64 has no bin/busybox"
	fi
	echo "$bbdir/bin/busybox"
}

# arm64_dtb DIR: QEMU's device tree of the virt machine as run-vm.sh boots
# it (-machine dumpdtb=), with scripts/arm64-regions.dtso applied by
# fdtoverlay; prints the path of the result, in DIR.
arm64_dtb() {
	local dir=$1
	mkdir -p "$dir"
	qemu-system-aarch64 -machine virt,gic-version=3,iommu=smmuv3 \
		-machine dumpdtb="$dir/virt.dtb" -cpu max -smp 2 -m "${VM_MEM:-2G}" \
		-display none > "$dir/dumpdtb.log" 2>&1 ||
		{ cat "$dir/dumpdtb.log" >&2; die "qemu could not dump the virt device tree"; }
	dtc -q -@ -I dts -O dtb -o "$dir/regions.dtbo" "$ROOT/scripts/arm64-regions.dtso"
	fdtoverlay -i "$dir/virt.dtb" -o "$dir/virt-contig.dtb" "$dir/regions.dtbo"
	echo "$dir/virt-contig.dtb"
}

# arm64_selftests DIR: the selftests and contigctl cross-built for arm64,
# static, into DIR.
arm64_selftests() {
	msg "cross-building the selftests for arm64"
	rm -rf "$1"
	make -s -C "$ROOT/tools" OUT="$1" CC=aarch64-linux-gnu-gcc \
		AR=aarch64-linux-gnu-ar selftests > "$1.log" 2>&1 ||
		{ tail -n 30 "$1.log" >&2; die "arm64 selftests did not build"; }
}

# vm_run LABEL KERNEL MODDIR PLAN: pack an initramfs with MODDIR's modules,
# the selftests of VM_TOOLS (default $OUT/tools) and PLAN, boot KERNEL,
# print the judge's verdict.
vm_run() {
	local label=$1 kernel=$2 moddir=$3 plan=$4 dir=$OUT/$1 t=$SECONDS
	mkdir -p "$dir"
	"$ROOT/scripts/build-initramfs.sh" "$dir/initramfs.cpio.gz" "$moddir" \
		"$plan" "${VM_TOOLS:-$OUT/tools}"
	msg "booting $label"
	"$ROOT/scripts/run-vm.sh" "$kernel" "$dir/initramfs.cpio.gz" "$dir" \
		"${VM_TIMEOUT:-1200}" || msg "$label: VM exited with status $? (timeout or crash)"
	msg "$label done in $((SECONDS - t))s, logs in $dir"
	judge "$label" "$dir/results.ktap" "$dir/console.log"
}
