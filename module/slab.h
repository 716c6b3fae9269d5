/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slab.h - what slab.c (object caches and the owner map) offers
 * kmalloc.c (contig_kmalloc() over them), and what tests reach beyond
 * contig_internal.h.
 *
 * kmalloc.c calls down into slab.c and never the reverse: slab.c knows
 * that the owner map may hold runs of whole frames that belong to no
 * cache ("blocks"), not what they are.  What kmalloc.c offers the rest
 * of contig.ko (load, unload, slabinfo) is in kmalloc.h.
 */
#ifndef _CONTIG_SLAB_H
#define _CONTIG_SLAB_H

#include <linux/compiler_attributes.h>
#include <linux/gfp.h>
#include <linux/poison.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "contig_internal.h"

struct contig_cache;
struct seq_file;

/* The byte red zones hold, in caches and after large contig_kmalloc() blocks. */
#define CONTIG_SLAB_RED		SLUB_RED_ACTIVE

/*
 * Internal cache flag, above the public CONTIG_CACHE_* ones: a cache of
 * contig.ko itself (the contig_kmalloc() classes).  contig_cache_destroy()
 * refuses it and unload does not report it as never destroyed.
 */
#define __CONTIG_CACHE_INTERNAL	BIT(31)

/**
 * struct contig_frames - a run of region frames entered in the owner map.
 * @cache:	the cache whose slab the frames are; NULL for a block, a run
 *		of whole frames entered by kmalloc.c.  Immutable.
 * @vaddr:	first byte, in the region's mapping.  Immutable.
 * @frame:	first frame.  Immutable.
 * @nr_frames:	frames.  Immutable.
 * @live:	set before the run is entered in the map; cleared as it leaves
 *		it, under the lock of its owner (@cache->lock for a slab,
 *		kmalloc.c's contig_large_lock for a block).  A free that found
 *		the run under RCU must see it set under that lock.
 * @rcu:	the record embedding this one is freed with kfree_rcu() after
 *		the run left the map.
 */
struct contig_frames {
	struct contig_cache *cache;
	void *vaddr;
	unsigned long frame;
	unsigned long nr_frames;
	bool live;
	struct rcu_head rcu;
};

static inline phys_addr_t contig_slab_virt_to_phys(const struct contig_region *r,
						   const void *p)
{
	return r->base + (phys_addr_t)(p - r->vaddr);
}

/* The gfp bits that matter for our metadata's kmalloc. */
static inline gfp_t contig_slab_meta_gfp(gfp_t gfp)
{
	return gfp & (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH |
		      __GFP_NOWARN | __GFP_NORETRY | __GFP_RETRY_MAYFAIL |
		      __GFP_NOMEMALLOC);
}

/* The buddy flags for memory allocated with @gfp. */
static inline unsigned int contig_slab_buddy_flags(gfp_t gfp)
{
	return gfpflags_allow_blocking(gfp) ? 0 : CONTIG_BUDDY_ATOMIC;
}

/* slab.c: caches and the owner map */
int contig_caches_init(struct contig_region *r, bool debug);
void contig_caches_exit(void);
struct contig_cache *contig_cache_create_internal(const char *name,
						  size_t size, size_t align,
						  unsigned int flags);
const char *contig_cache_name(const struct contig_cache *cache);
unsigned int contig_cache_size(const struct contig_cache *cache);
void contig_frames_enter(struct contig_frames *f);
void contig_frames_leave(struct contig_frames *f);
struct contig_frames *contig_frames_lookup(const void *obj);
struct contig_frames *contig_frames_lookup_free(const void *obj);
__printf(2, 3) void contig_slab_wrong_free(const void *obj,
					   const char *fmt, ...);
int contig_slab_free_obj(struct contig_frames *f, const void *obj);
size_t contig_slab_obj_size(const struct contig_frames *f, const void *obj);
void contig_caches_slabinfo(struct seq_file *m);

/**
 * struct contig_cache_info - a cache's layout and counters, for tests.
 * @size:		object bytes.
 * @align:		object alignment.
 * @boundary:		boundary, 0 for none.
 * @order:		a slab is 1 << @order frames.
 * @objs_per_slab:	objects per slab.
 * @waste_per_slab:	slab bytes not holding an object.
 * @redzone:		red zone bytes on each side of an object (debug).
 * @poison:		free objects are poisoned (debug, no constructor).
 * @keep_empty:		empty slabs kept after frees.
 * @nr_slabs:		slabs held.
 * @nr_empty:		of which empty.
 * @active_objs:	objects in use (not counting those in per-CPU arrays).
 * @cpu_limit:		objects a per-CPU array holds; 0 without arrays.
 * @cpu_cached:		objects waiting in the per-CPU arrays.
 * @nr_corrupt:		damaged red zones or poison reported.
 */
struct contig_cache_info {
	unsigned int size;
	unsigned int align;
	unsigned int boundary;
	unsigned int order;
	unsigned int objs_per_slab;
	size_t waste_per_slab;
	unsigned int redzone;
	bool poison;
	unsigned int keep_empty;
	unsigned long nr_slabs;
	unsigned long nr_empty;
	unsigned long active_objs;
	unsigned int cpu_limit;
	unsigned long cpu_cached;
	unsigned long nr_corrupt;
};

/* slab.c: checks and counters, for debugfs and tests */
int contig_cache_free_checked(struct contig_cache *cache, const void *obj);
int contig_cache_check(struct contig_cache *cache, char *why, size_t len);
int contig_slab_check(char *why, size_t len);
void contig_cache_get_info(struct contig_cache *cache,
			   struct contig_cache_info *info);
unsigned long contig_slab_wrong_frees_count(void);
void contig_cache_drain_cpus(struct contig_cache *cache);
unsigned int contig_cache_cpu_cached(struct contig_cache *cache,
				     unsigned int cpu);

#endif /* _CONTIG_SLAB_H */
