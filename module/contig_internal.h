/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contig_internal.h - state shared between the files of contig.ko.
 *
 * Nothing here is ABI.  Drivers use include/contig.h, programs use
 * include/uapi/contig.h.  KUnit modules reach the few internals they test
 * through symbols exported in the CONTIG_INTERNAL namespace, and only on
 * kernels built with CONFIG_KUNIT.
 *
 * Lock order (outermost first): contig_region_mutex, region->buddy.lock.
 */
#ifndef _CONTIG_INTERNAL_H
#define _CONTIG_INTERNAL_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/module.h>

#include "buddy_core.h"

#define CONTIG_NAME "contig"

#if IS_ENABLED(CONFIG_KUNIT)
#define CONTIG_EXPORT_FOR_TESTS(sym) EXPORT_SYMBOL_NS_GPL(sym, CONTIG_INTERNAL)
#else
#define CONTIG_EXPORT_FOR_TESTS(sym)
#endif

struct dentry;
struct resource;

/**
 * struct contig_region - the boot-reserved range contig.ko owns.
 * @base:	physical base address (page aligned).
 * @size:	size in bytes (page aligned, non-zero).
 * @base_pfn:	PFN of @base.
 * @nr_pages:	@size in pages; the buddy manages frames 0..@nr_pages-1.
 * @vaddr:	write-back kernel mapping of the whole range (memremap).
 * @res:	our entry in the iomem resource tree.
 * @claim:	human description of how the range was claimed.
 * @buddy:	page-frame allocator over the range; has its own lock.
 * @debugfs:	our debugfs directory (NULL or ERR_PTR when debugfs is off).
 *
 * All fields but @buddy are written once at load and read-only afterwards.
 */
struct contig_region {
	phys_addr_t base;
	u64 size;
	unsigned long base_pfn;
	unsigned long nr_pages;
	void *vaddr;
	struct resource *res;
	const char *claim;
	struct contig_buddy buddy;
	struct dentry *debugfs;
};

/* region.c */
int contig_region_parse(const char *str, u64 *size, u64 *base);
int contig_region_check(u64 size, u64 base, const char **why);
int contig_region_claim(struct contig_region *r, u64 size, u64 base);
void contig_region_release(struct contig_region *r);

static inline phys_addr_t contig_frame_to_phys(const struct contig_region *r,
					       unsigned long frame)
{
	return r->base + ((phys_addr_t)frame << PAGE_SHIFT);
}

static inline void *contig_frame_to_virt(const struct contig_region *r,
					 unsigned long frame)
{
	return r->vaddr + ((size_t)frame << PAGE_SHIFT);
}

/* main.c: the one region of this module instance, NULL until loaded. */
extern struct contig_region *contig_default_region;

/* buddy.c: kernel wrapper of the buddy core */
int contig_policy_from_name(const char *name);
const char *contig_policy_name(int policy);
void contig_buddy_set_policy(struct contig_buddy *b, int policy);
void contig_buddy_debugfs_init(struct contig_region *r, struct dentry *dir);

/* debugfs.c */
void contig_debugfs_init(struct contig_region *r);
void contig_debugfs_fini(struct contig_region *r);

#endif /* _CONTIG_INTERNAL_H */
