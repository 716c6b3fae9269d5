#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# contig's whole test suite: `make check`.
#
#  1. install missing Debian packages (scripts/deps.sh);
#  2. host checks: contig.ko built with W=1 and sparse (C=1) without a
#     warning, the call graph between its files acyclic
#     (scripts/module-graph.py), no test hook in contig.ko, checkpatch
#     --strict clean, user-space allocator tests;
#  3. build (or reuse) the debug test kernel, build our modules and
#     selftests against it, boot it in QEMU and run every KUnit module and
#     selftest, judging KTAP, the console (splats) and kmemleak;
#  4. arm64 (scripts/check-arm64.sh): the arm64 debug test kernel, contig.ko
#     cross-built W=1 and sparse clean, booted under qemu-system-aarch64
#     with two contig,region nodes in the device tree: the KUnit modules,
#     regions_test and the loaded selftests;
#  5. Debian's stock kernels (scripts/check-kernels.sh): amd64 6.1 and
#     6.12, and arm64 6.12 (cross-built, booted with the arm64 device
#     tree): DKMS install, W=1 + sparse against their headers, boot and
#     run the user-space selftests.
#
# Every VM boots with two reservations (scripts/run-vm.sh): REGION, which
# shares a memory section with boot RAM, and PARTIAL_REGION, whose first
# 128 MiB, SECTION_REGION, is a whole section that contig.ko gives struct
# pages with memremap_pages() (or lends), the rest a part of the next.
#
# Ends with "N passed, N failed"; exits non-zero on any failure.
#   scripts/check.sh            everything
#   scripts/check.sh --broken   the harness self-test: deliberately broken
#                               tests must make the run fail
#   SKIP_ARM64=1                skip step 4
#   SKIP_STOCK=1                skip step 5
set -euo pipefail
. "$(dirname "$0")/lib.sh"

broken=0
[ "${1:-}" = --broken ] && broken=1

mkdir -p "$BUILD"
exec 9>"$BUILD/.lock"
flock 9

T0=$SECONDS
OUT=$BUILD/check
export OUT
rm -rf "$OUT"
mkdir -p "$OUT"
total_pass=0
total_fail=0
summary=()

# record LABEL LINE: add a judge's "label: N passed, N failed" line.
record() {
	local line=$2 p f
	p=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' <<<"$line")
	f=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' <<<"$line")
	[ -n "$p" ] || { p=0; f=1; line="$1: no verdict"; }
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$line")
}

# judge_record LABEL RESULTS CONSOLE: judge a run, show failures, record.
judge_record() {
	local out
	out=$(judge "$@")
	grep '^  FAIL' <<<"$out" || true
	record "$1" "$(tail -n1 <<<"$out")"
}

"$ROOT/scripts/deps.sh" $([ "${SKIP_STOCK:-0}" = 1 ] || echo --stock)

# ---- host checks -----------------------------------------------------------
msg "building the test kernel (cached)"
KDIR=$("$ROOT/scripts/build-kernel.sh" check)

msg "host checks: W=1, sparse, checkpatch, user-space tests"
host=$OUT/host.ktap
: > "$host"
hostcase() { # hostcase NAME COMMAND...: one KTAP line per host check
	local name=$1; shift
	if "$@" > "$OUT/$name.log" 2>&1; then
		echo "ok $((++hostn)) $name" >> "$host"
	else
		sed 's/^/# /' "$OUT/$name.log" | tail -n 40 >> "$host"
		echo "not ok $((++hostn)) $name" >> "$host"
	fi
}
no_warnings() { ! grep -E 'warning:|error:' "$1"; }
hostn=0
hostcase build_w1_sparse build_modules "$KDIR" "$OUT/mod-check" W=1 C=1 \
	CONTIG_TEST_MODULES=1
hostcase no_compiler_or_sparse_warnings no_warnings "$OUT/mod-check/build.log"
# The benchmark modules (make bench) still build against this kernel, in
# the same tree (only their objects compile): a broken include or call
# shows here, not first in make bench.  Their warnings are not judged:
# KASAN inflates the benchmarks' stack frames past W=1's limit.
bench_builds() {
	make -C "$KDIR" M="$OUT/mod-check/src" W=1 C=1 CONTIG_TEST_MODULES=1 \
		CONTIG_BENCH=1 modules > "$OUT/mod-check/bench-build.log" 2>&1 ||
		{ tail -n 30 "$OUT/mod-check/bench-build.log"; return 1; }
	ls "$OUT"/mod-check/src/contig_*_bench.ko
}
hostcase bench_modules_build bench_builds
# The installed module carries no test hook; the grep is proved on the
# hook module, which must match.
no_test_hook() {
	strings "$1/contig_test_hook.ko" | grep -q buffer_test &&
		! strings "$1/contig.ko" | grep -q buffer_test
}
# The sample driver (samples/edu/), built outside our tree the way the
# README tells driver authors: its own Makefile, against the Module.symvers
# and headers DKMS would keep for this kernel (scripts/dkms-post-build.sh
# run on this build), W=1 and sparse clean.  The plan loads it.
sample_builds() {
	local dev=$OUT/contig-dev dir=$OUT/sample-edu
	rm -rf "$dev" "$dir"
	(cd "$OUT/mod-check/src" && "$ROOT/scripts/dkms-post-build.sh" "$dev") &&
		cp -r "$ROOT/samples/edu" "$dir" &&
		make -C "$dir" KDIR="$KDIR" CONTIG="$dev" W=1 C=1 > "$dir/build.log" 2>&1
	local ret=$?
	cat "$dir/build.log"
	[ $ret = 0 ] && ! grep -E 'warning:|error:' "$dir/build.log" &&
		modinfo -F import_ns "$dir/contig_sample_edu.ko" | grep -qx CONTIG &&
		cp "$dir/contig_sample_edu.ko" "$OUT/mod-check/"
}
hostcase sample_driver_builds_against_installed_contig sample_builds
hostcase module_graph_acyclic "$ROOT/scripts/module-graph.py" "$OUT/mod-check/src/module"
hostcase contig_ko_has_no_test_hook no_test_hook "$OUT/mod-check"
hostcase checkpatch_strict "$ROOT/scripts/lint.sh"
# Documentation/api.rst is the kernel-doc of every export, current.
hostcase api_reference_current "$ROOT/scripts/api-doc.sh" --check
hostcase selftests_build make -s -C "$ROOT/tools" OUT="$OUT/tools" selftests
# `make install` puts contigctl where contig.ko's default lend_helper
# looks first (PREFIX=/usr: /usr/sbin/contigctl), and it runs; libcontig
# (static, shared with its soname links, headers, pkg-config file) and
# both man pages, which man formats without a warning; and the example
# program (samples/share/) builds against that install through
# pkg-config, linked to the shared library.  (make -C tools selftests
# builds it statically the same way for the guests, which run it.)
installs() {
	local d=$OUT/destdir lib ma f pcenv
	ma=$(gcc -print-multiarch)
	lib=$d/usr/lib/$ma
	rm -rf "$d" "$OUT/share-dyn"
	make -s -C "$ROOT" install DESTDIR="$d" PREFIX=/usr || return 1
	{ "$d/usr/sbin/contigctl" 2>&1 || true; } | grep -q usage || return 1
	for f in usr/sbin/contigctl usr/include/contig/libcontig.h \
		usr/include/contig/uapi/contig.h "usr/lib/$ma/libcontig.a" \
		"usr/lib/$ma/libcontig.so.0.1.0" "usr/lib/$ma/libcontig.so.0" \
		"usr/lib/$ma/libcontig.so" "usr/lib/$ma/pkgconfig/libcontig.pc" \
		usr/share/man/man1/contigctl.1 usr/share/man/man3/libcontig.3; do
		[ -e "$d/$f" ] || { echo "not installed: $f"; return 1; }
		echo "installed: $f"
	done
	for f in "$d"/usr/share/man/man*/*; do
		man --warnings -l -Tutf8 "$f" 2>&1 >/dev/null | grep . && return 1
	done
	# pkg-config, and make through it, see only the DESTDIR install.
	pcenv=(env PKG_CONFIG_SYSROOT_DIR="$d" PKG_CONFIG_LIBDIR="$lib/pkgconfig")
	echo "pkg-config: $("${pcenv[@]}" pkg-config --modversion libcontig)" \
		"$("${pcenv[@]}" pkg-config --cflags --libs libcontig)"
	readelf -d "$lib/libcontig.so.0.1.0" | grep -q 'SONAME.*libcontig.so.0' || return 1
	mkdir -p "$OUT/share-dyn"
	"${pcenv[@]}" make -s -C "$ROOT/samples/share" OUT="$OUT/share-dyn" ||
		return 1
	readelf -d "$OUT/share-dyn/contig_share" | grep 'NEEDED.*libcontig.so.0'
}
hostcase make_install installs
if [ -f "$ROOT/tools/buddy/Makefile" ]; then
	hostcase buddy_userspace_fuzz_and_trace make -s -C "$ROOT/tools/buddy" test
fi
{ echo "KTAP version 1"; echo "1..$hostn"; cat "$host"; echo "# contig-run: complete"; } > "$host.full"
: > "$OUT/host.console"
judge_record host "$host.full" "$OUT/host.console"

# ---- the debug test kernel --------------------------------------------------
plan=$OUT/plan
check_plan "$OUT/mod-check" > "$plan"

if [ $broken = 1 ]; then
	build_modules "$KDIR" "$OUT/mod-broken" CONTIG_BROKEN_TESTS=1 \
		CONTIG_TEST_MODULES=1
	echo "kunit contig_broken_kunit.ko" >> "$plan"
	out=$(vm_run broken "$KDIR/arch/x86/boot/bzImage" "$OUT/mod-broken" "$plan")
	echo "$out"
	ok=0
	grep -q 'FAIL contig_broken: broken_fails' <<<"$out" &&
		grep -q 'FAIL console: WARNING' <<<"$out" && ok=1
	if [ $ok = 1 ]; then
		echo "harness self-test: the broken case and the WARN were both caught"
	else
		echo "harness self-test: FAILED to catch the broken tests"
	fi
	echo "$ok passed, $((1 - ok)) failed"
	[ $ok = 1 ]
	exit
fi

out=$(vm_run test-kernel "$KDIR/arch/x86/boot/bzImage" "$OUT/mod-check" "$plan")
grep '^  FAIL' <<<"$out" || true
record test-kernel "$(tail -n1 <<<"$out")"

# ---- arm64: regions from the device tree ----------------------------------------
# Two verdicts, the cross build's and the guest's; a script that stopped
# before giving both fails here.
if [ "${SKIP_ARM64:-0}" != 1 ]; then
	n=0
	while IFS= read -r line; do
		case $line in
		'  FAIL'*) echo "$line" ;;
		*': '*' passed, '*' failed'*) record arm64 "$line"; n=$((n + 1)) ;;
		esac
	done < <(OUT="$OUT/arm64" "$ROOT/scripts/check-arm64.sh" || true)
	if [ $n != 2 ]; then
		echo "  FAIL arm64: the run stopped after $n of 2 verdicts (see $OUT/arm64)"
		record arm64 "arm64: stopped"
	fi
fi

# ---- Debian's stock kernels ---------------------------------------------------
# Three verdicts a kernel (DKMS, W=1 + sparse, the boot): each amd64
# series and the arm64 kernel; a script that stopped early fails here.
if [ "${SKIP_STOCK:-0}" != 1 ]; then
	grep -v '^kunit' "$plan" > "$OUT/plan-stock"
	read -ra series <<<"${STOCK_SERIES:-$("$ROOT/scripts/stock-kernel.sh" --series | paste -sd' ')}"
	want=$((3 * (${#series[@]} + 1)))
	n=0
	while IFS= read -r line; do
		case $line in
		'  FAIL'*) echo "$line" ;;
		*': '*' passed, '*' failed'*) record stock "$line"; n=$((n + 1)) ;;
		esac
	done < <(STOCK_ARM64=1 "$ROOT/scripts/check-kernels.sh" "$OUT/plan-stock" || true)
	if [ $n != "$want" ]; then
		echo "  FAIL stock: the run stopped after $n of $want verdicts (see $OUT)"
		record stock "stock: stopped"
	fi
fi

echo
echo "==================== contig make check ===================="
printf '  %s\n' "${summary[@]}"
echo "  time: $((SECONDS - T0))s"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
