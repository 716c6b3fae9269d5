/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contig_internal.h - the region, and the rules every file of contig.ko
 * follows.
 *
 * REGIONS.  region= names up to CONTIG_MAX_REGIONS boot reservations, each
 * a struct contig_region with its own id (its place in the list), name,
 * buddy, placement policy, debugfs directory and STATS.  Region 0, the
 * default, is the one every request goes to unless it names another, and
 * the only one that lends to the kernel (lend.c), holds movable memory
 * (movable.c, migrate.c), object caches and contig_kmalloc() (slab.c,
 * kmalloc.c), the users' arenas (user.c) and is cleared in the
 * background (prezero.c).  The others serve CONTIGUOUS and SG buffers
 * from their own buddy and are private to contig: what is not allocated
 * there sits unused.  A request for a buffer knows its region
 * (buf->region); the services of region 0 find theirs with
 * contig_default_region().
 *
 * Nothing here is ABI.  Drivers use include/contig.h, programs use
 * include/uapi/contig.h.  Each concept of the module has its own file and
 * a private header named for it (module/<concept>.[ch]); this header holds
 * only what all of them share: the region, the accessor of the loaded
 * region, the export macro for tests, and the lock order.  KUnit modules
 * reach the few internals they test through symbols exported in the
 * CONTIG_INTERNAL namespace, and only on kernels built with CONFIG_KUNIT.
 *
 * Who calls whom, from the top (main.c, which sets everything up) down;
 * the graph has no cycle, and make check proves it from the object files
 * (scripts/module-graph.py).  Every file may also use the region
 * (region.c), the buddy (buddy_core.c), the tracepoints (trace.c) and
 * the fault injection sites (fault.c, a leaf):
 *
 *   chardev.c   ioctls         calls dmabuf, buffer, user, lend
 *   debugfs.c   debugfs files  calls buffer, migrate, kmalloc, lend, prezero
 *   dmabuf.c    the exporter   calls dma, buffer, movable
 *   dma.c       device maps    calls buffer
 *   kmalloc.c   size classes   calls slab
 *   buffer.c    buffers        calls migrate, movable, lend, zero, prezero
 *   user.c      per-user charges calls arena
 *   arena.c     users' blocks  calls migrate, lend
 *   migrate.c   the engine     calls movable
 *   main.c also calls lend (lending at load, taking back at unload),
 *   prezero (the background clearing of free memory) and dma (its spare
 *   mapping records, freed at unload)
 *   lend.c      lending        calls zero
 *   movable.c, slab.c, zero.c, prezero.c: leaves
 *
 * LOCK ORDER.  The one list for the whole module, outermost first; no
 * file takes two of these in another order, and each file's essay points
 * here instead of restating it.  "any" means any context, hard interrupts
 * included (those locks are taken with spin_lock_irqsave()).
 *
 *   1. mmap_lock, or a vma lock (the kernel's, held around our mmap and
 *      fault handlers)
 *   2. the dma_resv lock of a dma-buf (the dma-buf core's, held around some
 *      exporter ops)
 *   3. query->lock: a debugfs "query" file's result (mutex; process)
 *   4. buf->lock: a buffer's kernel mapping, attachments and the freezing
 *      of a MOVABLE buffer (mutex; process; buffer.h)
 *   5. contig_users_mutex: the users' charges and the making and
 *      unmaking of their arenas (mutex; process; user.c)
 *   6. contig_lend_mutex: taking lent memory back from the kernel and
 *      giving it back (mutex; process; lend.c)
 *   7. contig_movable_mutex: movable allocation and free, migration,
 *      bring-back, the frame -> slot map (mutex; process; movable.c)
 *   8. mov->lock: one movable allocation's slots, pins and user mapping
 *      (mutex; process; movable.c)
 *   9. the i_mmap_rwsem and page table locks of a dma-buf file's mapping
 *      (the kernel's: unmap_mapping_range(), vmf_insert_pfn())
 *  10. contig_kmalloc_mutex: making and switching contig_kmalloc()'s
 *      size classes (mutex; process; kmalloc.c)
 *  11. contig_caches_mutex: the list of object caches (mutex; process;
 *      slab.c)
 *  12. contig_prezero_mutex: one batch of background clearing at a time
 *      (mutex; process; prezero.c); only the buddy is called under it
 *  13. cache->cpu_gate: held around taking every per-CPU array lock of
 *      one cache at once, lockdep's nest lock for them (spinlock; any;
 *      slab.c, only its invariant check)
 *  14. a per-CPU array's lock of one object cache, any CPU's (spinlock;
 *      any; slab.c)
 *  15. cache->lock: one object cache (spinlock; any; slab.c)
 *  16. contig_large_lock: contig_kmalloc()'s whole-frame blocks (spinlock;
 *      any; kmalloc.c)
 *  17. contig_buffers_lock: the lists of live and quarantined buffers and
 *      the buffer counters (spinlock; any; buffer.c)
 *  18. contig_maps_lock: the hash of live device mappings (spinlock; any;
 *      dma.c)
 *  19. region->buddy.lock, and an arena's buddy.lock (arena.c): a buddy
 *      allocator (spinlock; any; buddy_core.c).  Innermost: nothing is
 *      called with it held but the buddy's own helpers (prezero.c's
 *      clear_page() of a free frame runs with it dropped), so no two
 *      buddy locks are ever held together.
 *
 * The spinlocks, 13 to 19, are leaves: no path holds one of them while it
 * takes another lock of this list or calls the buddy, with one exception:
 * slab.c holds a per-CPU array's lock (14; all of them under 13) while it
 * takes its cache's lock (15) to move a batch of objects.  None is held
 * across a call that may sleep, a user copy or a DMA-API call.  Functions
 * whose kernel-doc says "Context: ... held" check it with
 * lockdep_assert_held().
 */
#ifndef _CONTIG_INTERNAL_H
#define _CONTIG_INTERNAL_H

#include <linux/gfp.h>
#include <linux/types.h>
#include <linux/module.h>

#include "buddy_core.h"

#define CONTIG_NAME "contig"

#if IS_ENABLED(CONFIG_KUNIT)
#define CONTIG_EXPORT_FOR_TESTS(sym) EXPORT_SYMBOL_NS_GPL(sym, CONTIG_INTERNAL)
#else
/* Nothing to export; the assertion only swallows the semicolon. */
#define CONTIG_EXPORT_FOR_TESTS(sym) static_assert(1, #sym)
#endif

/*
 * Memory for a request's own work (judging windows, pages to move movable
 * memory to): when the system has none, the request fails with -ENOMEM;
 * it never calls the OOM killer, whoever asked.
 */
#define CONTIG_GFP_REQUEST	(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* region= names at most this many regions; a name is at most 15 bytes. */
#define CONTIG_MAX_REGIONS	8
#define CONTIG_REGION_NAME_LEN	16

struct dentry;
struct dev_pagemap;
struct device;
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
 * @pgmap:	ZONE_DEVICE pagemap giving struct pages to the frames that
 *		had none at boot (NULL when all had); see region.c.
 * @added_pages: number of frames @pgmap covers.
 * @lend_block:	set by the caller before contig_region_claim(): the memory
 *		block size when whole blocks of the region are to be lent to
 *		the kernel (lend.c), else 0.
 * @lend_first:	first frame of the lent span (whole memory blocks).
 * @lend_nr:	frames in the lent span; 0 when nothing is lent.  Those
 *		frames get struct pages from memory hotplug, not @pgmap, and
 *		no "contig" iomem entry: "System RAM (contig)" is theirs.
 * @res_tail:	our iomem entry for the frames after the lent span.
 * @buddy:	page-frame allocator over the range; has its own lock.
 * @debugfs:	our debugfs directory (NULL or ERR_PTR when debugfs is off).
 * @id:		place in region=, 0 for the default region.
 * @name:	name from region= (SIZE@BASE:NAME), else "region<id>".
 * @linear:	every frame is in the kernel's linear map, so user mappings
 *		of its buffers use struct pages (buffer.c).
 *
 * All fields but @buddy are written once at load and read-only afterwards.
 * @res covers the frames before the lent span (the whole region when
 * nothing is lent), and is NULL when there are none.
 */
struct contig_region {
	phys_addr_t base;
	u64 size;
	unsigned long base_pfn;
	unsigned long nr_pages;
	void *vaddr;
	struct resource *res;
	const char *claim;
	struct dev_pagemap *pgmap;
	unsigned long added_pages;
	u64 lend_block;
	unsigned long lend_first;
	unsigned long lend_nr;
	struct resource *res_tail;
	struct contig_buddy buddy;
	struct dentry *debugfs;
	unsigned int id;
	char name[CONTIG_REGION_NAME_LEN];
	bool linear;
};

/**
 * struct contig_region_spec - one item of region=, parsed.
 * @size: bytes.
 * @base: physical base.
 * @name: the name given, or "region<index>".
 */
struct contig_region_spec {
	u64 size;
	u64 base;
	char name[CONTIG_REGION_NAME_LEN];
};

/* region.c */
int contig_region_parse(const char *str, u64 *size, u64 *base);
int contig_regions_parse(const char *str, struct contig_region_spec *specs,
			 const char **why);
int contig_region_dt_name(const char *node, char *name, const char **why);
int contig_regions_from_dt(struct contig_region_spec *specs, const char **why);
int contig_region_check(u64 size, u64 base, const char **why);
int contig_region_claim(struct contig_region *r, u64 size, u64 base);
void contig_region_release(struct contig_region *r);
void contig_region_publish(struct contig_region *r);
void contig_region_unpublish(struct contig_region *r);
struct contig_region *contig_default_region(void);
struct contig_region *contig_region_get(unsigned int id);
struct contig_region *contig_region_find(const char *name);
int contig_region_of_dev(const struct device *dev, struct contig_region **rp);
unsigned int contig_nr_regions(void);

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

#endif /* _CONTIG_INTERNAL_H */
