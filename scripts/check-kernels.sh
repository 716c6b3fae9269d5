#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check-kernels.sh [PLAN]
#
# contig on Debian's stock kernels, each series scripts/stock-kernel.sh
# names (6.1 and 6.12), built against that kernel's own headers package
# the way a user gets it.  Three parts per kernel, LABEL = stock-ABI
# (e.g. stock-6.1.0-56-amd64):
#
#   LABEL-dkms       dkms add, build, install and remove in a throw-away
#                    DKMS tree (nothing on the host changes, the signing key
#                    is throw-away too); only contig.ko is installed; its
#                    modinfo is complete: description, author, license,
#                    version equal to dkms.conf's, a description for every
#                    parameter, and a vermagic naming this kernel; the
#                    build kept Module.symvers and the headers for drivers
#                    (scripts/dkms-post-build.sh), and the sample driver
#                    (samples/edu/) builds through DKMS against them as its
#                    dkms.conf says, importing CONTIG;
#   LABEL-w1-sparse  contig.ko, whatever test modules the kernel's config
#                    enables and the compat layer's test module
#                    (scripts/compat_check.c) build with W=1 and sparse
#                    (C=1) without a warning; symbol namespaces come out
#                    right; the feature probes' answers are listed;
#   LABEL            the stock kernel boots in QEMU with a memmap=
#                    reservation (scripts/run-vm.sh), loads the contig.ko
#                    DKMS built and runs PLAN (user-space selftests and the
#                    sample driver DKMS built).
#
# Each part ends in one verdict line, "LABEL: N passed, N failed, N
# skipped", after its "  FAIL ..." lines; the host parts are KTAP judged by
# scripts/ktap_judge.py like the VM runs.  Timings go to stderr.  Exit
# status is non-zero when anything failed.
#
# scripts/check.sh calls it with its plan and OUT, its output directory.
# Alone (make check-kernels) OUT defaults to build/check-kernels and PLAN
# to: the load selftest, load, the selftests of tools/selftests/loaded.list,
# unload.  The static selftests are (re)built into $OUT/tools.
# STOCK_SERIES="6.12" limits the run to some of the series.  Then Debian's
# arm64 kernel of the newest series, the same three parts, cross-built and
# booted under qemu-system-aarch64 (STOCK_ARM64=0 skips it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -le 1 ] || die "usage: $0 [PLAN]"
OUT=${OUT:-$BUILD/check-kernels}
export OUT
mkdir -p "$OUT"
if [ $# = 1 ]; then
	plan=$(realpath "$1")
else
	plan=$OUT/plan-stock
	check_plan > "$plan"
fi

NAME=contig
SAMPLE_PKG=contig-sample-edu
SAMPLE_KO=contig_sample_edu
VERSION=$("$ROOT/scripts/dkms.sh" version)
[ -n "$VERSION" ] || die "no PACKAGE_VERSION in dkms.conf"
status=0
times=()

# ---- host parts as KTAP -----------------------------------------------------

# ktap_begin LABEL: start a document, $OUT/LABEL/results.ktap; each case
# keeps its output in $OUT/LABEL/CASE.log.
ktap_begin() {
	ktap_label=$1
	ktap_dir=$OUT/$1
	ktap_file=$ktap_dir/results.ktap
	ktap_n=0
	mkdir -p "$ktap_dir"
	: > "$ktap_file.cases"
}

# ktap_case NAME CMD...: one result line, the command's output as
# diagnostics when it fails.  Returns the command's status.
ktap_case() {
	local name=$1 log=$ktap_dir/$1.log
	shift
	ktap_n=$((ktap_n + 1))
	if "$@" > "$log" 2>&1; then
		echo "ok $ktap_n $name" >> "$ktap_file.cases"
		return 0
	fi
	tail -n 30 "$log" | sed 's/^/# /' >> "$ktap_file.cases"
	echo "not ok $ktap_n $name" >> "$ktap_file.cases"
	return 1
}

# ktap_skip NAME REASON
ktap_skip() {
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1 # SKIP $2" >> "$ktap_file.cases"
}

# ktap_diag TEXT: diagnostics shown in the document, one per line of TEXT.
ktap_diag() {
	sed 's/^/# /' <<<"$1" >> "$ktap_file.cases"
}

# ktap_end: close the document, judge it, print FAIL lines and the verdict.
ktap_end() {
	local out
	{
		echo "KTAP version 1"
		echo "# Subtest: $ktap_label"
		echo "1..$ktap_n"
		cat "$ktap_file.cases"
		echo "# contig-run: complete"
	} > "$ktap_file"
	rm -f "$ktap_file.cases"
	: > "$ktap_dir/console.log"
	out=$(judge "$ktap_label" "$ktap_file" "$ktap_dir/console.log")
	verdict "$out"
}

# verdict JUDGE-OUTPUT: pass on the FAIL and verdict lines; returns 1 and
# notes the failure unless the verdict says 0 failed.
verdict() {
	grep -E '^  FAIL|: [0-9]+ passed, [0-9]+ failed' <<<"$1" || true
	grep -qE ': [0-9]+ passed, 0 failed' <<<"$1" && return 0
	status=1
	return 1
}

# fail_part LABEL WHY: a part that could not run at all.
fail_part() {
	echo "  FAIL $1: $2"
	echo "$1: 0 passed, 1 failed, 0 skipped"
	status=1
}

# ---- DKMS -------------------------------------------------------------------

# decompress_ko FILE DST: a module as DKMS installed it, decompressed:
# DKMS compresses like the modules already installed for that kernel on
# this host, if any.
decompress_ko() {
	case $1 in
	*.ko)		cp "$1" "$2" ;;
	*.ko.xz)	xz -dc "$1" > "$2" ;;
	*.ko.zst)	zstd -qdc "$1" > "$2" ;;
	*.ko.gz)	gzip -dc "$1" > "$2" ;;
	*) echo "unexpected file installed: $1"; return 1 ;;
	esac
}

# The one module DKMS installed for contig, contig.ko, decompressed.
unpack_installed() {
	local lib=$1 dst=$2 files
	mapfile -t files < <(find "$lib" -type f -o -type l)
	if [ ${#files[@]} != 1 ]; then
		echo "expected exactly one installed file, $NAME.ko, found:"
		printf '  %s\n' "${files[@]}"
		return 1
	fi
	mkdir -p "$(dirname "$dst")"
	case ${files[0]} in
	*/updates/dkms/$NAME.ko | */updates/dkms/$NAME.ko.*)
		decompress_ko "${files[0]}" "$dst" ;;
	*) echo "unexpected file installed: ${files[0]}"; return 1 ;;
	esac
}

# modinfo_has KO FIELD: the field is present and not empty.
modinfo_has() {
	local v
	v=$(modinfo -F "$2" "$1")
	echo "$2: $v"
	[ -n "$v" ]
}

# modinfo_is KO FIELD VALUE
modinfo_is() {
	local v
	v=$(modinfo -F "$2" "$1")
	echo "$2: '$v', expected '$3'"
	[ "$v" = "$3" ]
}

# Every parameter (a parmtype entry, one per module_param) has a
# description: modinfo prints "NAME:DESCRIPTION (TYPE)", or "NAME: (TYPE)"
# without MODULE_PARM_DESC.
modinfo_params_described() {
	local ko=$1 name type line desc bad=0 n=0
	while IFS=: read -r name type; do
		n=$((n + 1))
		line=$(modinfo -F parm "$ko" | grep -m1 "^$name:" || true)
		desc=${line#"$name:"}
		desc=${desc%"($type)"}
		desc=${desc//[[:space:]]/}
		if [ -n "$desc" ]; then
			echo "$line"
		else
			echo "$name: no description (MODULE_PARM_DESC)"
			bad=1
		fi
	done < <(modinfo -F parmtype "$ko")
	echo "$n parameters"
	[ "$n" -gt 0 ] && [ "$bad" = 0 ]
}

# vermagic names exactly this kernel release.
modinfo_vermagic() {
	local v
	v=$(modinfo -F vermagic "$1")
	echo "vermagic: $v"
	[ "${v%% *}" = "$2" ]
}

# dkms_status_empty DKMS-OPTS...: dkms knows nothing of contig.
dkms_status_empty() {
	local s
	s=$(dkms status -m "$NAME" "$@")
	echo "dkms status: ${s:-(empty)}"
	[ -z "$s" ]
}

dir_empty() {
	local left
	left=$(find "$1" -type f -o -type l)
	echo "left behind: ${left:-nothing}"
	[ -z "$left" ]
}

# dkms_build TREE PACKAGE VERSION ABI KDIR DKMS-OPTS...: dkms build for a
# kernel that is not running, from its headers; on failure show the end of
# make.log.
dkms_build() {
	local d=$1 pkg=$2 ver=$3 abi=$4 kdir=$5
	shift 5
	dkms build -m "$pkg" -v "$ver" -k "$abi" --kernelsourcedir "$kdir" "$@" && return
	tail -n 25 "$d/dkms/$pkg/$ver/build/make.log"
	return 1
}

# What scripts/dkms-post-build.sh keeps for drivers built on contig, in
# DKMS's tree for this kernel: Module.symvers with the API in CONTIG, and
# the headers.
kept_for_drivers() {
	local dir=$1 ns
	ls -lR "$dir"
	ns=$(awk '$2 == "contig_alloc" { print $5 }' "$dir/Module.symvers")
	echo "contig_alloc's namespace in the kept Module.symvers: '$ns'"
	[ "$ns" = CONTIG ] && [ -f "$dir/include/contig.h" ] &&
		[ -f "$dir/include/uapi/contig.h" ]
}

# The sample driver's module as DKMS installed it, decompressed.
unpack_sample() {
	local f
	f=$(find "$1" -name "$SAMPLE_KO.ko*" | head -n 1)
	echo "installed: ${f:-nothing}"
	decompress_ko "$f" "$2" || return 1
	modinfo -F import_ns "$2" | grep -qx CONTIG && echo "import_ns: CONTIG" &&
		modinfo -F depends "$2" | grep -qx "$NAME" && echo "depends: $NAME"
}

# sample_dkms TREE ABI KDIR MODDIR ARCH DKMS-OPTS...: samples/edu/ through
# DKMS, as a driver author's package: its own dkms.conf and Makefile, built
# after contig against what contig's build kept.  Its module joins
# contig.ko in MODDIR for the boot (plan step "sample").
sample_dkms() {
	local d=$1 abi=$2 kdir=$3 moddir=$4 arch=$5 ver mv
	shift 5
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ROOT/samples/edu/dkms.conf")
	mv=(-m "$SAMPLE_PKG" -v "$ver")
	cp -r "$ROOT/samples/edu" "$d/src/$SAMPLE_PKG-$ver"
	if ! ktap_case sample_dkms_add dkms add "${mv[@]}" "$@"; then
		ktap_skip sample_dkms_build "not added"
		return
	fi
	if ktap_case sample_dkms_build dkms_build "$d" "$SAMPLE_PKG" "$ver" "$abi" "$kdir" \
		-a "$arch" "$@" &&
	   ktap_case sample_dkms_install dkms install "${mv[@]}" -k "$abi" \
		--kernelsourcedir "$kdir" --no-depmod -a "$arch" "$@"; then
		ktap_case sample_imports_contig unpack_sample "$d/modules/$abi" \
			"$moddir/$SAMPLE_KO.ko" || true
	fi
	ktap_case sample_dkms_remove dkms remove "${mv[@]}" --all --no-depmod "$@" || true
}

# dkms_part LABEL ABI KDIR [ARCH]: the LABEL-dkms part, in
# $OUT/LABEL-dkms/; on success its mod/ holds the contig.ko DKMS built and
# installed.  ARCH (dkms -a, e.g. aarch64) for another architecture's
# kernel, whose headers' Makefile cross-compiles.
dkms_part() {
	local label=$1 abi=$2 kdir=$3 arch=${4:-$(uname -m)} t0
	local d=$OUT/$label-dkms/tree ko=$OUT/$label-dkms/mod/$NAME.ko
	local opts=(--dkmstree "$d/dkms" --sourcetree "$d/src" --installtree "$d/modules")
	local mv=(-m "$NAME" -v "$VERSION") aopts=(-a "$arch")

	rm -rf "$OUT/$label-dkms"
	ktap_begin "$label-dkms"
	mkdir -p "$d/dkms" "$d/src" "$d/modules/$abi"
	"$ROOT/scripts/dkms.sh" stage "$d/src/$NAME-$VERSION"
	# dkms signs with this key, generated on first use, when it finds the
	# kernel's sign-file; without these it would create /var/lib/dkms/mok.*.
	export mok_signing_key=$d/mok.key mok_certificate=$d/mok.pub

	if ! ktap_case dkms_add dkms add "${mv[@]}" "${opts[@]}"; then
		ktap_skip dkms_build "not added"
	else
		t0=$SECONDS
		if ktap_case dkms_build dkms_build "$d" "$NAME" "$VERSION" "$abi" "$kdir" \
			"${opts[@]}" "${aopts[@]}"; then
			times+=("$label dkms build: $((SECONDS - t0))s")
		fi
	fi
	if [ -d "$d/dkms/$NAME/$VERSION/$abi" ]; then
		# --no-depmod: depmod would run on the host's /lib/modules/ABI.
		ktap_case dkms_install dkms install "${mv[@]}" -k "$abi" \
			--kernelsourcedir "$kdir" --no-depmod "${opts[@]}" "${aopts[@]}" || true
		ktap_case installs_only_contig_ko unpack_installed "$d/modules/$abi" "$ko" || true
	else
		ktap_skip dkms_install "not built"
		ktap_skip installs_only_contig_ko "not built"
	fi
	if [ -f "$ko" ]; then
		ktap_case modinfo_description modinfo_has "$ko" description || true
		ktap_case modinfo_author modinfo_has "$ko" author || true
		ktap_case modinfo_license_gpl modinfo_is "$ko" license GPL || true
		ktap_case modinfo_version_is_dkms_version modinfo_is "$ko" version "$VERSION" || true
		ktap_case modinfo_every_parameter_described modinfo_params_described "$ko" || true
		ktap_case modinfo_vermagic_is_kernel modinfo_vermagic "$ko" "$abi" || true
	else
		ktap_skip modinfo "no module installed"
	fi
	if [ -f "$ko" ]; then
		ktap_case dkms_keeps_symvers_and_headers kept_for_drivers \
			"$d/dkms/$NAME/kernel-$abi-$arch" || true
		sample_dkms "$d" "$abi" "$kdir" "$(dirname "$ko")" "$arch" "${opts[@]}"
	else
		ktap_skip sample_dkms "contig not installed"
	fi
	if [ -d "$d/dkms/$NAME" ]; then
		ktap_case dkms_remove dkms remove "${mv[@]}" --all --no-depmod "${opts[@]}" || true
	else
		ktap_skip dkms_remove "not added"
	fi
	ktap_case dkms_remove_leaves_nothing_registered dkms_status_empty "${opts[@]}" || true
	ktap_case dkms_remove_leaves_nothing_installed dir_empty "$d/modules" || true
	unset mok_signing_key mok_certificate
	# Keep the tree when something failed, for its logs.
	if ktap_end; then
		rm -rf "$d"
	fi
}

# ---- W=1 and sparse -----------------------------------------------------------

no_warnings() {
	! grep -E 'warning:|error:' "$1"
}

# The compat layer's own test module (scripts/compat_check.c) imports
# CONTIG, CONTIG_INTERNAL and DMA_BUF and exports into CONTIG and
# CONTIG_INTERNAL: the names must come out bare, however this kernel wants
# them spelled.  And every function contig.ko exports is in CONTIG (the
# public API) or CONTIG_INTERNAL (for the test modules).
namespaces_bare() {
	local d=$1 imports ns api other
	imports=$(modinfo -F import_ns "$d/contig_compat_check.ko" | sort | paste -sd' ')
	ns=$(awk '$2 ~ /^contig_compat_check_/ { print $5 }' "$d/src/Module.symvers" |
		sort | paste -sd' ')
	api=$(awk '$3 ~ /\/contig$/ && $5 == "CONTIG"' "$d/src/Module.symvers" | wc -l)
	other=$(awk '$3 ~ /\/contig$/ && $5 != "CONTIG" && $5 != "CONTIG_INTERNAL"' \
		"$d/src/Module.symvers")
	echo "import_ns: '$imports', expected 'CONTIG CONTIG_INTERNAL DMA_BUF'"
	echo "export namespaces: '$ns', expected 'CONTIG CONTIG_INTERNAL'"
	echo "contig.ko: $api exports in CONTIG; outside CONTIG and CONTIG_INTERNAL: ${other:-none}"
	[ "$imports" = "CONTIG CONTIG_INTERNAL DMA_BUF" ] &&
		[ "$ns" = "CONTIG CONTIG_INTERNAL" ] && [ "$api" -gt 0 ] && [ -z "$other" ]
}

# w1_part LABEL KDIR: contig.ko, the test modules the kernel's config
# enables, the selftests' hook module and the compat layer's test module,
# with W=1 and sparse.
w1_part() {
	local label=$1 kdir=$2 d=$OUT/$1-w1-sparse/build t0=$SECONDS
	rm -rf "$OUT/$label-w1-sparse"
	ktap_begin "$label-w1-sparse"
	if ktap_case build_w1_sparse build_modules "$kdir" "$d" W=1 C=1 \
		CONTIG_COMPAT_CHECK=1 CONTIG_TEST_MODULES=1; then
		times+=("$label W=1 C=1 build: $((SECONDS - t0))s")
		ktap_case no_compiler_or_sparse_warnings no_warnings "$d/build.log" || true
		ktap_case compat_layer_namespaces_bare namespaces_bare "$d" || true
		ktap_diag "feature probes (contig_compat.h):"
		ktap_diag "$(sed -n 's|^#define \(CONTIG_HAVE_[A-Z0-9_]*\) 1$|\1 yes|p; s|^/\* \(CONTIG_HAVE_[A-Z0-9_]*\) is not set \*/$|\1 no|p' \
			"$d/src/contig_compat.h")"
	else
		ktap_skip no_compiler_or_sparse_warnings "build failed"
		ktap_skip compat_layer_namespaces_bare "build failed"
	fi
	ktap_end || true
}

# ---- the kernels --------------------------------------------------------------

if ! make -s -C "$ROOT/tools" OUT="$OUT/tools" selftests > "$OUT/tools.log" 2>&1; then
	tail -n 20 "$OUT/tools.log" >&2
	msg "the selftests do not build (log: $OUT/tools.log); the boots will fail"
fi

for series in ${STOCK_SERIES:-$("$ROOT/scripts/stock-kernel.sh" --series)}; do
	if ! k=$("$ROOT/scripts/stock-kernel.sh" "$series"); then
		fail_part "stock-$series" "no stock $series kernel (headers or image missing)"
		continue
	fi
	read -r abi vmlinuz hdr <<<"$k"
	label=stock-$abi
	msg "stock kernel $abi: DKMS, W=1 + sparse, boot"

	dkms_part "$label" "$abi" "$hdr"
	w1_part "$label" "$hdr"

	if [ -f "$OUT/$label-dkms/mod/$NAME.ko" ]; then
		# The selftests' hook module, built against the same headers
		# (never installed by DKMS).
		hook=$OUT/$label-w1-sparse/build/contig_test_hook.ko
		[ -f "$hook" ] && cp "$hook" "$OUT/$label-dkms/mod/"
		t0=$SECONDS
		out=$(VM_MEM=1G vm_run "$label" "$vmlinuz" "$OUT/$label-dkms/mod" "$plan")
		times+=("$label boot + plan: $((SECONDS - t0))s")
		verdict "$out" || true
	else
		fail_part "$label" "DKMS built no contig.ko to boot with"
	fi
done

# Debian's arm64 kernel of the newest series (STOCK_ARM64=0 skips it):
# the same three parts, cross-built against its headers (which
# cross-compile by themselves), booted under qemu-system-aarch64 with the
# device tree of scripts/check-arm64.sh, running the arm64 plan (regions
# from the device tree; no KUnit in Debian's kernels).
if [ "${STOCK_ARM64:-1}" = 1 ]; then
	series=$("$ROOT/scripts/stock-kernel.sh" --series | tail -n1)
	if k=$("$ROOT/scripts/stock-kernel.sh" --arm64 "$series"); then
		read -r abi vmlinuz hdr <<<"$k"
		label=stock-$abi
		msg "stock kernel $abi: DKMS, W=1 + sparse, boot (arm64)"
		dkms_part "$label" "$abi" "$hdr" aarch64
		w1_part "$label" "$hdr"
		mod=$OUT/$label-dkms/mod
		if [ -f "$mod/$NAME.ko" ]; then
			hook=$OUT/$label-w1-sparse/build/contig_test_hook.ko
			[ -f "$hook" ] && cp "$hook" "$mod/"
			arm64_selftests "$OUT/tools-arm64"
			arm64_plan "$mod" > "$OUT/plan-$label"
			bb=$(arm64_busybox)
			dtb=$(arm64_dtb "$OUT/$label-dtb")
			t0=$SECONDS
			out=$(VM_ARCH=arm64 BUSYBOX=$bb VM_DTB=$dtb \
			      VM_TOOLS=$OUT/tools-arm64 \
			      vm_run "$label" "$vmlinuz" "$mod" "$OUT/plan-$label")
			times+=("$label boot + plan: $((SECONDS - t0))s")
			verdict "$out" || true
		else
			fail_part "$label" "DKMS built no contig.ko to boot with"
		fi
	else
		fail_part "stock-$series-arm64-dkms" "no stock $series arm64 kernel (image or headers could not be fetched)"
		fail_part "stock-$series-arm64-w1-sparse" "no kernel"
		fail_part "stock-$series-arm64" "no kernel"
	fi
fi

for t in "${times[@]}"; do
	msg "time: $t"
done
exit $status
