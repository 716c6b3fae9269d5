#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/conftest.sh OUT CC KERNEL-CFLAGS...
#
# Kernel feature probes for contig: compile a small snippet per feature
# against the kernel being built, with that kernel's compiler and flags,
# and write the answers to the header OUT (contig_compat.h in the build
# directory; Kbuild force-includes it into every object).  We detect the
# actual signature rather than the version: distribution and stable
# kernels backport API changes independently of LINUX_VERSION_CODE, so no
# version numbers and no distribution names appear here.
#
# Kbuild runs this through if_changed (see Kbuild), so the probes run again
# only when the compiler, the kernel's flags (the kernel itself) or this
# script change.  The probes run in parallel: a few seconds on two cores.
#
# The generated header has two parts:
#
#  1. one line per probe: "#define CONTIG_HAVE_<FEATURE> 1", or a comment
#     saying the feature is absent;
#  2. the compat layer built on those answers.  Code is written against the
#     newest kernel API where the change is a rename or an addition
#     (vm_flags_set(), MAX_PAGE_ORDER, dma_buf_vmap_unlocked()): the header
#     supplies it on older kernels.  Where a signature changed, code calls
#     a contig_ wrapper (contig_class_create(), contig_pin_user_pages(),
#     contig_dma_capable()).
#     Everything there is a macro, so the header includes nothing and costs
#     nothing in files that do not use it.
#
# Adding a probe: one `probe` call with a snippet that compiles only when
# the feature is there, then its macros in the compat section.  Probes use
# -fsyntax-only, so a snippet need not link; -Werror for implicit
# declarations, pointer and integer mismatches makes a wrong signature
# fail as surely as a missing one.  The compiler's complaints for every
# probe are kept in OUT.log.  Use each new macro once in
# scripts/compat_check.c: scripts/check-kernels.sh builds it against every
# kernel we claim, which is what tests the branches module code does not
# take yet.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 OUT CC [KERNEL-CFLAGS...]" >&2; exit 2; }
out=$1 cc=$2
shift 2
cflags=("$@" -DKBUILD_MODNAME='"contig_conftest"'
	-DKBUILD_BASENAME='"contig_conftest"' -Wno-error
	-Wno-missing-prototypes -Wno-missing-declarations
	-Werror=implicit-function-declaration -Werror=implicit-int
	-Werror=incompatible-pointer-types -Werror=int-conversion
	-Werror=return-type -fsyntax-only)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/contig-conftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

names=()
descs=()
pids=()

# probe NAME DESCRIPTION <<EOF ... EOF: CONTIG_HAVE_NAME when the snippet
# compiles.  Runs in the background; results are collected in order below.
probe() {
	local name=$1 desc=$2
	cat > "$tmp/$name.c"
	names+=("$name")
	descs+=("$desc")
	# $cc is deliberately split: kbuild's CC may be "ccache gcc".
	# shellcheck disable=SC2086
	$cc "${cflags[@]}" "$tmp/$name.c" > "$tmp/$name.log" 2>&1 &
	pids+=($!)
}

# The compiler and flags work at all: without this, every probe below
# would quietly report its feature missing.
probe CONFTEST_WORKS "the probe compiler accepts the kernel's flags" <<'EOF'
#include <linux/module.h>
#include <linux/mm.h>
EOF

probe NS_IDENTIFIER "EXPORT_SYMBOL_NS*() and MODULE_IMPORT_NS() take a bare identifier (a string literal since 6.13)" <<'EOF'
#include <linux/export.h>
#include <linux/module.h>
int contig_conftest_sym;
EXPORT_SYMBOL_NS_GPL(contig_conftest_sym, CONTIG_CONFTEST_NS);
MODULE_IMPORT_NS(CONTIG_CONFTEST_NS);
EOF

probe NS_STRING "EXPORT_SYMBOL_NS*() and MODULE_IMPORT_NS() accept a string literal" <<'EOF'
#include <linux/export.h>
#include <linux/module.h>
int contig_conftest_sym;
EXPORT_SYMBOL_NS_GPL(contig_conftest_sym, "CONTIG_CONFTEST_NS");
MODULE_IMPORT_NS("CONTIG_CONFTEST_NS");
EOF

probe VM_FLAGS_SET "vm_flags_set()/vm_flags_clear(): vma->vm_flags is read-only (6.3)" <<'EOF'
#include <linux/mm.h>
void contig_conftest(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND);
	vm_flags_clear(vma, VM_MAYWRITE);
}
EOF

probe DMA_BUF_VMAP_IOSYS_MAP "dma_buf_vmap() fills a struct iosys_map (5.18)" <<'EOF'
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>
int contig_conftest(struct dma_buf *dmabuf, struct iosys_map *map)
{
	return dma_buf_vmap(dmabuf, map);
}
EOF

probe DMA_BUF_VMAP_UNLOCKED "dma_buf_vmap_unlocked(); dma_buf_vmap() wants the reservation lock held (6.2)" <<'EOF'
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>
int contig_conftest(struct dma_buf *dmabuf, struct iosys_map *map)
{
	int ret = dma_buf_vmap_unlocked(dmabuf, map);

	dma_buf_vunmap_unlocked(dmabuf, map);
	return ret;
}
EOF

probe CLASS_CREATE_NAME_ONLY "class_create(name) without the owner module (6.4)" <<'EOF'
#include <linux/device.h>
struct class *contig_conftest(void)
{
	return class_create("contig_conftest");
}
EOF

probe MAX_PAGE_ORDER "MAX_PAGE_ORDER and NR_PAGE_ORDERS, the largest order inclusive (6.8)" <<'EOF'
#include <linux/mmzone.h>
int contig_conftest[] = { MAX_PAGE_ORDER, NR_PAGE_ORDERS };
EOF

# 6.4 redefined MAX_ORDER as the largest order (inclusive) and 6.8
# renamed it; before 6.4 it was one past the largest.  The pages per
# largest block tell the two meanings apart.
probe MAX_ORDER_INCLUSIVE "MAX_ORDER is the largest order, not one past it (6.4)" <<'EOF'
#include <linux/mmzone.h>
_Static_assert(MAX_ORDER_NR_PAGES == 1 << MAX_ORDER, "MAX_ORDER is exclusive");
EOF

probe GUP_NO_VMAS "get_user_pages()/pin_user_pages() without the vmas argument (6.5)" <<'EOF'
#include <linux/mm.h>
long contig_conftest(unsigned long start, unsigned long nr, struct page **pages)
{
	return get_user_pages(start, nr, FOLL_WRITE, pages) +
	       pin_user_pages(start, nr, FOLL_WRITE | FOLL_LONGTERM, pages);
}
EOF

probe GUP_REMOTE_NO_VMAS "pin_user_pages_remote() without the vmas argument (6.5)" <<'EOF'
#include <linux/mm.h>
long contig_conftest(struct mm_struct *mm, unsigned long start,
		     unsigned long nr, struct page **pages, int *locked)
{
	return pin_user_pages_remote(mm, start, nr, FOLL_WRITE, pages, locked);
}
EOF

probe DMA_CAPABLE_ATTRS "dma_capable() takes the mapping's DMA attrs (after 6.12)" <<'EOF'
#include <linux/dma-direct.h>
bool contig_conftest(struct device *dev, dma_addr_t addr, size_t size)
{
	return dma_capable(dev, addr, size, true, 0);
}
EOF

# Collect the answers.
declare -A have
for i in "${!names[@]}"; do
	have[${names[$i]}]=0
	if wait "${pids[$i]}"; then
		have[${names[$i]}]=1
	fi
done

for n in "${names[@]}"; do
	echo "=== $n: $([ "${have[$n]}" = 1 ] && echo yes || echo no)"
	cat "$tmp/$n.log"
done > "$out.log"

if [ "${have[CONFTEST_WORKS]}" != 1 ]; then
	echo "conftest.sh: the compiler rejects even an empty probe:" >&2
	sed 's/^/  /' "$tmp/CONFTEST_WORKS.log" >&2
	exit 1
fi
# Namespaces must work one way or the other.
if [ "${have[NS_IDENTIFIER]}" != 1 ] && [ "${have[NS_STRING]}" != 1 ]; then
	echo "conftest.sh: EXPORT_SYMBOL_NS_GPL() takes neither an identifier nor a string:" >&2
	sed 's/^/  /' "$tmp/NS_STRING.log" >&2
	exit 1
fi

{
	cat <<'EOF'
/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contig_compat.h - generated by scripts/conftest.sh for the kernel being
 * built; do not edit, do not commit.  Compiler output of the probes is in
 * contig_compat.h.log beside this file.
 */
#ifndef _CONTIG_COMPAT_H
#define _CONTIG_COMPAT_H

/* ---- probe results ---------------------------------------------------- */

EOF
	for i in "${!names[@]}"; do
		[ "${names[$i]}" = CONFTEST_WORKS ] && continue
		echo "/* ${descs[$i]} */"
		if [ "${have[${names[$i]}]}" = 1 ]; then
			echo "#define CONTIG_HAVE_${names[$i]} 1"
		else
			echo "/* CONTIG_HAVE_${names[$i]} is not set */"
		fi
	done
	cat <<'EOF'

/* ---- compat layer (scripts/conftest.sh) ------------------------------- */

/*
 * Symbol namespaces.  Write EXPORT_SYMBOL_NS_GPL(sym, CONTIG) (the public
 * API, include/contig.h) or EXPORT_SYMBOL_NS_GPL(sym, CONTIG_INTERNAL) and
 * MODULE_IMPORT_NS(CONTIG_INTERNAL): on kernels that want a string the
 * names become strings here.  Modules import CONTIG with
 * CONTIG_IMPORT_NS() from <contig.h>, as drivers outside the tree do.  For
 * the kernel's own namespaces use CONTIG_NS():
 * MODULE_IMPORT_NS(CONTIG_NS(DMA_BUF)).  (Never CONTIG_NS(CONTIG_INTERNAL):
 * that would quote it twice.)
 */
#ifdef CONTIG_HAVE_NS_IDENTIFIER
#define CONTIG_NS(ns)			ns
#else
#define __CONTIG_NS_STR(ns)		#ns
#define CONTIG_NS(ns)			__CONTIG_NS_STR(ns)
#define CONTIG_INTERNAL			"CONTIG_INTERNAL"
#define CONTIG				"CONTIG"
#endif

/* VMA flags: write vm_flags_set()/vm_flags_clear() as on current kernels. */
#ifndef CONTIG_HAVE_VM_FLAGS_SET
#define vm_flags_set(vma, flags)	((void)((vma)->vm_flags |= (flags)))
#define vm_flags_clear(vma, flags)	((void)((vma)->vm_flags &= ~(flags)))
#endif

/*
 * Importers map a dma-buf with dma_buf_vmap_unlocked(); before it existed
 * dma_buf_vmap() took the buffer's lock itself.  Kernels whose
 * dma_buf_vmap() still takes a struct dma_buf_map (before 5.18) are not
 * supported: CONTIG_HAVE_DMA_BUF_VMAP_IOSYS_MAP is unset there.
 */
#ifndef CONTIG_HAVE_DMA_BUF_VMAP_UNLOCKED
#define dma_buf_vmap_unlocked(dmabuf, map)	dma_buf_vmap(dmabuf, map)
#define dma_buf_vunmap_unlocked(dmabuf, map)	dma_buf_vunmap(dmabuf, map)
#endif

/* Device classes: contig_class_create(name). */
#ifdef CONTIG_HAVE_CLASS_CREATE_NAME_ONLY
#define contig_class_create(name)	class_create(name)
#else
#define contig_class_create(name)	class_create(THIS_MODULE, name)
#endif

/*
 * Page orders: MAX_PAGE_ORDER is the largest order the page allocator
 * hands out (inclusive), NR_PAGE_ORDERS the number of orders.
 */
#ifndef CONTIG_HAVE_MAX_PAGE_ORDER
#ifdef CONTIG_HAVE_MAX_ORDER_INCLUSIVE
#define MAX_PAGE_ORDER			MAX_ORDER
#else
#define MAX_PAGE_ORDER			(MAX_ORDER - 1)
#endif
#define NR_PAGE_ORDERS			(MAX_PAGE_ORDER + 1)
#endif

/* Pinning user memory: the current signatures, without vmas. */
#ifdef CONTIG_HAVE_GUP_NO_VMAS
#define contig_get_user_pages(start, nr, gup_flags, pages) \
	get_user_pages(start, nr, gup_flags, pages)
#define contig_pin_user_pages(start, nr, gup_flags, pages) \
	pin_user_pages(start, nr, gup_flags, pages)
#else
#define contig_get_user_pages(start, nr, gup_flags, pages) \
	get_user_pages(start, nr, gup_flags, pages, NULL)
#define contig_pin_user_pages(start, nr, gup_flags, pages) \
	pin_user_pages(start, nr, gup_flags, pages, NULL)
#endif
#ifdef CONTIG_HAVE_GUP_REMOTE_NO_VMAS
#define contig_pin_user_pages_remote(mm, start, nr, gup_flags, pages, locked) \
	pin_user_pages_remote(mm, start, nr, gup_flags, pages, locked)
#else
#define contig_pin_user_pages_remote(mm, start, nr, gup_flags, pages, locked) \
	pin_user_pages_remote(mm, start, nr, gup_flags, pages, NULL, locked)
#endif

/* Direct-mapping reach: contig_dma_capable(dev, addr, size, is_ram). */
#ifdef CONTIG_HAVE_DMA_CAPABLE_ATTRS
#define contig_dma_capable(dev, addr, size, is_ram) \
	dma_capable(dev, addr, size, is_ram, 0)
#else
#define contig_dma_capable(dev, addr, size, is_ram) \
	dma_capable(dev, addr, size, is_ram)
#endif

#endif /* _CONTIG_COMPAT_H */
EOF
} > "$out.tmp"
mv "$out.tmp" "$out"
