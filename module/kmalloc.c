// SPDX-License-Identifier: GPL-2.0
/*
 * kmalloc.c - contig_kmalloc(): any size, from size classes over the
 * object caches of slab.c, or from whole buddy frames.
 *
 * Sizes up to a page come from eighteen caches, the size classes: powers
 * of two from 8 and the halves between (8, 16, 24, 32, 48, ... 3072,
 * 4096), each object aligned to the largest power of two dividing its
 * class size.  They are ordinary caches of slab.c made with
 * contig_cache_create_internal(), so drivers cannot destroy them, and
 * they carry red zones and poison when slab_debug=1 as every cache does.
 * contig_kmalloc_cache() maps a size to its class.  A second set of
 * classes, with red zones and poison, serves instead while a test has
 * called contig_kmalloc_set_debug(true) (the VM tests load contig.ko
 * without slab_debug): the same caches under slab_debug=1, else made by
 * that first call.  contig_kfree() takes the objects of both sets.
 *
 * Larger sizes are "large" blocks: a run of whole frames from the buddy,
 * owned CONTIG_OWNER_SLAB, described by a struct contig_large (kmalloc'd:
 * as in slab.c, region memory holds the caller's bytes and nothing else).
 * A block allocated while debugging (slab_debug=1 or the test switch)
 * remembers it: the bytes from the size asked for to the end of its last
 * frame are a red zone, checked when the block is freed; damage is
 * reported and counted (contig_kmalloc_large_corrupt_count()).
 *
 * This file sits on top of slab.c and calls down only (slab.h); slab.c
 * calls nothing here.  A large block is entered in slab.c's owner map as
 * a block (struct contig_frames with no cache), so one lookup finds the
 * owner of any address: contig_kfree() and contig_ksize() look it up and
 * dispatch themselves, to a large block of this file or to an object of a
 * class (contig_slab_free_obj(), contig_slab_obj_size()); anything else
 * is a wrong free, reported and counted by slab.c.  slab.c sees blocks
 * only as frames to count and to refuse to cache frees.
 *
 * This file also holds the entry points of the whole slab layer, since
 * they need both files and only this one may call the other:
 * contig_slab_init() and contig_slab_exit() set up and tear down slab.c,
 * then the classes and large blocks; contig_slabinfo_show() is slab.c's
 * lines plus the large blocks'.
 *
 * Invariants: the class pointers are set at load (the debug set's may
 * also be set once, by contig_kmalloc_set_debug()) and cleared at
 * unload, never changed between; every large block is on
 * contig_large_blocks and in the owner map exactly while live, and the
 * contig_large_* counters are the sums over that list.
 *
 * Locking follows the lock order in contig_internal.h.  contig_large_lock
 * is a spinlock taken irqsave; it guards the list of large blocks, their
 * counters and their @frames.live, and nothing is called under it but
 * slab.c's owner map updates, which take no lock.  The buddy is called
 * outside it.  contig_kmalloc_mutex (process context) serialises
 * contig_kmalloc_set_debug(), which makes caches under it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <contig.h>

#include "kmalloc.h"
#include "slab.h"

/* kmalloc classes: 8, 16, then 3 << (k - 2) and 1 << k for k >= 5. */
#define CONTIG_KMALLOC_NR	(2 * (PAGE_SHIFT - 5) + 4)

/**
 * struct contig_large - a large contig_kmalloc() block.
 * @frames:	its run in the owner map; @frames.cache is NULL,
 *		@frames.live is under contig_large_lock.
 * @node:	on contig_large_blocks; under contig_large_lock.
 * @size:	the size asked for.  Immutable.
 * @debug:	the bytes from @size to the end of the last frame are a red
 *		zone (CONTIG_SLAB_RED), checked at free.  Immutable.
 */
struct contig_large {
	struct contig_frames frames;
	struct list_head node;
	size_t size;
	bool debug;
};

/*
 * The size classes, set by contig_slab_init(), cleared by
 * contig_slab_exit().  [0]: served normally, debugged when slab_debug=1.
 * [1]: with red zones and poison, served while contig_kmalloc_forced:
 * [0] again when slab_debug=1, else filled by contig_kmalloc_set_debug()
 * under contig_kmalloc_mutex.
 */
static struct contig_cache *contig_kmalloc_caches[2][CONTIG_KMALLOC_NR];
static bool contig_kmalloc_debug;		/* slab_debug, set at load */
static bool contig_kmalloc_forced;		/* contig_kmalloc_set_debug() */
/* Between contig_slab_init() and contig_slab_exit(); load and unload only. */
static bool contig_kmalloc_ready;
static DEFINE_MUTEX(contig_kmalloc_mutex);

static atomic_long_t contig_large_corrupt = ATOMIC_LONG_INIT(0);

static DEFINE_SPINLOCK(contig_large_lock);
static LIST_HEAD(contig_large_blocks);		/* contig_large_lock */
static unsigned long contig_large_nr;		/* contig_large_lock */
static unsigned long contig_large_frames;	/* contig_large_lock */
static unsigned long contig_large_bytes;	/* contig_large_lock */

/* ---- size classes -------------------------------------------------------- */

static unsigned int __contig_kmalloc_index(size_t size)
{
	unsigned int k;

	if (size <= 8)
		return 0;
	if (size <= 16)
		return 1;
	k = fls(size - 1);		/* 1 << (k - 1) < size <= 1 << k */
	return 2 * (k - 5) + 2 + (size > (3U << (k - 2)));
}

static size_t __contig_kmalloc_size(unsigned int idx)
{
	unsigned int k;

	if (idx < 2)
		return 8U << idx;
	k = (idx - 2) / 2 + 5;
	return idx & 1 ? 1U << k : 3U << (k - 2);
}

/**
 * contig_kmalloc_cache() - the size class serving @size bytes.
 * @size: 1 to PAGE_SIZE.
 *
 * Context: any.
 * Return: the class's cache, or NULL if @size has none.
 */
struct contig_cache *contig_kmalloc_cache(size_t size)
{
	bool debug_set;

	if (!size || size > PAGE_SIZE)
		return NULL;
	/* Pairs with contig_kmalloc_set_debug(): the set is complete. */
	debug_set = smp_load_acquire(&contig_kmalloc_forced);
	return READ_ONCE(contig_kmalloc_caches[debug_set][__contig_kmalloc_index(size)]);
}

CONTIG_EXPORT_FOR_TESTS(contig_kmalloc_cache);

/* Is @c one of the size classes, of either set? */
static bool __contig_kmalloc_is_class(const struct contig_cache *c)
{
	size_t size = contig_cache_size(c);
	unsigned int i;

	if (size > PAGE_SIZE)
		return false;
	i = __contig_kmalloc_index(size);
	return c == READ_ONCE(contig_kmalloc_caches[0][i]) ||
	       c == READ_ONCE(contig_kmalloc_caches[1][i]);
}

/* Does contig_kmalloc() debug what it allocates now? */
static bool __contig_kmalloc_debugging(void)
{
	return contig_kmalloc_debug || READ_ONCE(contig_kmalloc_forced);
}

/* Make the classes @set still lacks, named @prefix and the class size. */
static int __contig_kmalloc_make_classes(struct contig_cache **set,
					 const char *prefix,
					 unsigned int flags)
{
	struct contig_cache *c;
	char name[32];
	unsigned int i;

	for (i = 0; i < CONTIG_KMALLOC_NR; i++) {
		size_t size = __contig_kmalloc_size(i);

		if (set[i])
			continue;
		snprintf(name, sizeof(name), "%s%zu", prefix, size);
		c = contig_cache_create_internal(name, size, size & -size,
						 flags);
		if (IS_ERR(c))
			return PTR_ERR(c);
		WRITE_ONCE(set[i], c);
	}
	return 0;
}

/**
 * contig_kmalloc_set_debug() - debug every later contig_kmalloc().
 * @force: true: serve later contig_kmalloc() calls as with slab_debug=1,
 *         from size classes with red zones and poison, and with a red
 *         zone after large blocks; false: as slab_debug says again.
 *
 * For tests, which run on a contig.ko loaded without slab_debug.  Memory
 * already allocated keeps the checks it was allocated with and is freed
 * with contig_kfree() as before.  The debug classes, made by the first
 * call, stay until unload.
 *
 * Context: process context, may sleep.  Takes contig_kmalloc_mutex, then
 * contig_caches_mutex.
 * Return: 0, -ENODEV when contig.ko has no region, or -ENOMEM.
 */
int contig_kmalloc_set_debug(bool force)
{
	int ret = 0;

	might_sleep();
	mutex_lock(&contig_kmalloc_mutex);
	if (!contig_kmalloc_ready)
		ret = -ENODEV;
	else if (force)
		ret = __contig_kmalloc_make_classes(contig_kmalloc_caches[1],
						    "contig-kmalloc-debug-",
						    CONTIG_CACHE_DEBUG);
	if (!ret) {
		/* Pairs with contig_kmalloc_cache(): the classes are made. */
		smp_store_release(&contig_kmalloc_forced, force);
	}
	mutex_unlock(&contig_kmalloc_mutex);
	return ret;
}

CONTIG_EXPORT_FOR_TESTS(contig_kmalloc_set_debug);

/**
 * contig_kmalloc_shrink() - contig_cache_shrink() on every size class.
 *
 * Both sets: the classes served normally and the debug ones.
 *
 * Context: any.
 * Return: slabs given back.
 */
int contig_kmalloc_shrink(void)
{
	struct contig_cache *c, *dc;
	int i, n = 0;

	for (i = 0; i < CONTIG_KMALLOC_NR; i++) {
		c = READ_ONCE(contig_kmalloc_caches[0][i]);
		dc = READ_ONCE(contig_kmalloc_caches[1][i]);
		if (c)
			n += contig_cache_shrink(c);
		if (dc && dc != c)
			n += contig_cache_shrink(dc);
	}
	return n;
}

CONTIG_EXPORT_FOR_TESTS(contig_kmalloc_shrink);

/* ---- large blocks -------------------------------------------------------- */

static void *__contig_kmalloc_large(struct contig_region *r, size_t size,
				    gfp_t gfp, phys_addr_t *phys)
{
	struct contig_large *blk;
	unsigned long flags;
	long frame;
	size_t nr;

	if (size > r->size) {
		if (!(gfp & __GFP_NOWARN))
			pr_err_ratelimited("slab: contig_kmalloc(%zu) refused: larger than the region\n",
					   size);
		return ERR_PTR(-ENOMEM);
	}
	nr = DIV_ROUND_UP(size, PAGE_SIZE);
	blk = kzalloc(sizeof(*blk), contig_slab_meta_gfp(gfp));
	if (!blk)
		return ERR_PTR(-ENOMEM);
	frame = contig_buddy_alloc(&r->buddy, nr, 1, CONTIG_OWNER_SLAB,
				   CONTIG_POLICY_DEFAULT,
				   contig_slab_buddy_flags(gfp) |
				   CONTIG_BUDDY_CACHED);
	if (frame < 0) {
		kfree(blk);
		if (!(gfp & __GFP_NOWARN))
			pr_err_ratelimited("slab: contig_kmalloc(%zu): the buddy has no %zu free frames (%ld)\n",
					   size, nr, frame);
		return ERR_PTR(frame);
	}
	blk->frames.frame = frame;
	blk->frames.nr_frames = nr;
	blk->frames.vaddr = contig_frame_to_virt(r, frame);
	blk->size = size;
	blk->debug = __contig_kmalloc_debugging();
	if (gfp & __GFP_ZERO)
		memset(blk->frames.vaddr, 0, size);
	if (blk->debug)
		memset(blk->frames.vaddr + size, CONTIG_SLAB_RED,
		       (nr << PAGE_SHIFT) - size);
	blk->frames.live = true;

	spin_lock_irqsave(&contig_large_lock, flags);
	contig_frames_enter(&blk->frames);
	list_add(&blk->node, &contig_large_blocks);
	contig_large_nr++;
	contig_large_frames += nr;
	contig_large_bytes += size;
	spin_unlock_irqrestore(&contig_large_lock, flags);
	if (phys)
		*phys = contig_slab_virt_to_phys(r, blk->frames.vaddr);
	return blk->frames.vaddr;
}

/* Take @blk off the list and out of the owner map. */
static void __contig_large_unlink(struct contig_large *blk)
{
	lockdep_assert_held(&contig_large_lock);
	blk->frames.live = false;
	contig_frames_leave(&blk->frames);
	list_del_init(&blk->node);
	contig_large_nr--;
	contig_large_frames -= blk->frames.nr_frames;
	contig_large_bytes -= blk->size;
}

/* Give an unlinked block back to the buddy, its record after a grace period. */
static void __contig_large_release(struct contig_large *blk)
{
	int ret;

	ret = contig_buddy_free_cached(&contig_default_region()->buddy,
				       blk->frames.frame);
	WARN_ON_ONCE(ret);
	kfree_rcu(blk, frames.rcu);
}

/* Check the red zone after a debug block's bytes; report, count damage. */
static void __contig_large_verify(struct contig_large *blk)
{
	u8 *end = blk->frames.vaddr + blk->size;
	size_t len = (blk->frames.nr_frames << PAGE_SHIFT) - blk->size;
	u8 *bad;

	if (!blk->debug)
		return;
	bad = memchr_inv(end, CONTIG_SLAB_RED, len);
	if (!bad)
		return;
	atomic_long_inc(&contig_large_corrupt);
	pr_err("slab: contig_kmalloc(%zu) block %p: written past the end at offset %ld\n",
	       blk->size, blk->frames.vaddr,
	       (long)(bad - (u8 *)blk->frames.vaddr));
	print_hex_dump(KERN_ERR, "contig: ", DUMP_PREFIX_OFFSET, 16, 1, bad,
		       min_t(size_t, 16, end + len - bad), true);
}

/* Free @obj, found in the large block @blk under RCU. */
static int __contig_large_free(struct contig_large *blk, const void *obj)
{
	unsigned long flags;

	spin_lock_irqsave(&contig_large_lock, flags);
	if (!blk->frames.live || obj != blk->frames.vaddr) {
		spin_unlock_irqrestore(&contig_large_lock, flags);
		contig_slab_wrong_free(obj, "%s", blk->frames.live ?
				       "inside a contig_kmalloc() block, not its start" :
				       "not allocated (its block was just freed)");
		return -EINVAL;
	}
	__contig_large_unlink(blk);
	spin_unlock_irqrestore(&contig_large_lock, flags);

	__contig_large_verify(blk);
	__contig_large_release(blk);
	return 0;
}

static inline struct contig_large *__contig_large_of(struct contig_frames *f)
{
	return container_of(f, struct contig_large, frames);
}

/* The bytes of @blk its user may write: all its frames but a red zone. */
static size_t __contig_large_usable(const struct contig_large *blk)
{
	return blk->debug ? blk->size : blk->frames.nr_frames << PAGE_SHIFT;
}

/**
 * contig_kmalloc_large_corrupt_count() - damaged red zones of large blocks.
 *
 * Large blocks allocated while debugging and found written past their
 * size when freed, since load.  Damage in the size classes is counted per
 * cache (struct contig_cache_info.nr_corrupt).
 *
 * Context: any.
 * Return: the count.
 */
unsigned long contig_kmalloc_large_corrupt_count(void)
{
	return atomic_long_read(&contig_large_corrupt);
}

CONTIG_EXPORT_FOR_TESTS(contig_kmalloc_large_corrupt_count);

/* ---- the API ------------------------------------------------------------- */

/**
 * contig_kmalloc() - allocate @size bytes of physically contiguous memory.
 * @size: bytes, 1 or more.  Up to PAGE_SIZE they come from size classes
 *        (powers of two and the halves between, 8 to PAGE_SIZE), aligned
 *        to the largest power of two dividing the class size; beyond, from
 *        whole frames of the buddy, page aligned.
 * @gfp:  as for contig_cache_alloc(); __GFP_ZERO zeroes @size bytes.
 * @phys: if not NULL, set to the physical address.
 *
 * Free with contig_kfree().
 *
 * Context: any context @gfp allows.
 * Return: the memory, or ERR_PTR(-EINVAL) for @size 0, ERR_PTR(-ENOMEM),
 * or ERR_PTR(-ENODEV) when contig.ko has no region.
 */
void *contig_kmalloc(size_t size, gfp_t gfp, phys_addr_t *phys)
{
	struct contig_region *r = contig_default_region();

	might_alloc(gfp);
	if (!r)
		return ERR_PTR(-ENODEV);
	if (!size) {
		pr_err("slab: %s(0) refused\n", __func__);
		return ERR_PTR(-EINVAL);
	}
	if (size > PAGE_SIZE)
		return __contig_kmalloc_large(r, size, gfp, phys);
	return contig_cache_alloc(contig_kmalloc_cache(size), gfp, phys);
}
EXPORT_SYMBOL_NS_GPL(contig_kmalloc, CONTIG);

/**
 * contig_kfree_checked() - contig_kfree() that says what it did.
 * @obj: from contig_kmalloc(), or NULL.
 *
 * Context: any.
 * Return: 0, or -EINVAL for a wrong free (reported, nothing changed).
 */
int contig_kfree_checked(const void *obj)
{
	struct contig_frames *f;
	int ret = -EINVAL;

	if (!obj)
		return 0;
	rcu_read_lock();
	f = contig_frames_lookup_free(obj);
	if (!f)
		goto unlock;
	/* Blocks in the owner map are ours: large blocks. */
	if (!f->cache)
		ret = __contig_large_free(__contig_large_of(f), obj);
	else if (!__contig_kmalloc_is_class(f->cache))
		contig_slab_wrong_free(obj, "an object of cache %s, not of contig_kmalloc()",
				       contig_cache_name(f->cache));
	else
		ret = contig_slab_free_obj(f, obj);
unlock:
	rcu_read_unlock();
	return ret;
}

CONTIG_EXPORT_FOR_TESTS(contig_kfree_checked);

/**
 * contig_kfree() - free memory from contig_kmalloc().
 * @obj: the memory, or NULL.
 *
 * Wrong frees are reported and ignored, as for contig_cache_free().
 *
 * Context: any.
 */
void contig_kfree(const void *obj)
{
	contig_kfree_checked(obj);
}
EXPORT_SYMBOL_NS_GPL(contig_kfree, CONTIG);

/**
 * contig_ksize() - the bytes of a contig_kmalloc() allocation one may use.
 * @obj: from contig_kmalloc().
 *
 * Every byte reported may be written, beyond the size asked for, without
 * a red zone report; with debugging that is exactly the bytes the checks
 * leave to the caller, as SLUB's ksize() returns the object size under
 * slub_debug:
 *
 *  - from a size class: the class size, with or without debugging (in a
 *    debug class the red zone starts right after it);
 *  - a large block: its whole frames, but for a block allocated while
 *    debugging (slab_debug=1), whose red zone runs from the size asked
 *    for to the end of its last frame: then exactly the size asked for.
 *
 * Context: any.
 * Return: that size; 0 if @obj is not the start of a live contig_kmalloc()
 * allocation.
 */
size_t contig_ksize(const void *obj)
{
	struct contig_frames *f;
	size_t size = 0;

	rcu_read_lock();
	f = contig_frames_lookup(obj);
	if (!f)
		goto unlock;
	if (!f->cache) {
		if (obj == f->vaddr)
			size = __contig_large_usable(__contig_large_of(f));
	} else if (__contig_kmalloc_is_class(f->cache)) {
		size = contig_slab_obj_size(f, obj);
	}
unlock:
	rcu_read_unlock();
	return size;
}
EXPORT_SYMBOL_NS_GPL(contig_ksize, CONTIG);

/* ---- slabinfo, load and unload ------------------------------------------- */

/**
 * contig_slabinfo_show() - /sys/kernel/debug/contig/slabinfo.
 * @m:      the seq_file.
 * @unused: unused.
 *
 * As /proc/slabinfo 2.1, plus ": waste <bytes>": bytes of the cache's
 * slabs that hold no object (layout waste, not free objects).  objsize
 * is the size asked for; active_slabs are the slabs not empty.  Large
 * contig_kmalloc() blocks are one line, "contig-kmalloc-large".
 *
 * Context: process context; takes contig_caches_mutex and each cache lock.
 * Return: 0.
 */
int contig_slabinfo_show(struct seq_file *m, void *unused)
{
	unsigned long flags;

	contig_caches_slabinfo(m);
	spin_lock_irqsave(&contig_large_lock, flags);
	seq_printf(m, "%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu %6u : waste %8lu\n",
		   "contig-kmalloc-large", contig_large_nr, contig_large_nr, 0,
		   1, 0, 0, 0, 0, contig_large_nr, contig_large_nr, 0,
		   (contig_large_frames << PAGE_SHIFT) - contig_large_bytes);
	spin_unlock_irqrestore(&contig_large_lock, flags);
	return 0;
}

CONTIG_EXPORT_FOR_TESTS(contig_slabinfo_show);

/* Unload: report the large blocks drivers left behind, give them back. */
static void __contig_large_reclaim_all(void)
{
	struct contig_large *blk, *tmp;
	unsigned long flags;
	LIST_HEAD(left);

	spin_lock_irqsave(&contig_large_lock, flags);
	list_for_each_entry_safe(blk, tmp, &contig_large_blocks, node) {
		__contig_large_unlink(blk);
		list_add_tail(&blk->node, &left);
	}
	spin_unlock_irqrestore(&contig_large_lock, flags);

	list_for_each_entry_safe(blk, tmp, &left, node) {
		list_del(&blk->node);
		pr_err("slab: contig_kmalloc(%zu) block %p never freed\n",
		       blk->size, blk->frames.vaddr);
		__contig_large_release(blk);
	}
}

/**
 * contig_slab_init() - set up the slab layer: slab.c, then the classes.
 * @r:     the claimed region.
 * @debug: red zones and poison in every cache and after every large
 *         block (module parameter slab_debug).
 *
 * Context: process context (module load).
 * Return: 0 or -ENOMEM.
 */
int contig_slab_init(struct contig_region *r, bool debug)
{
	int ret;

	ret = contig_caches_init(r, debug);
	if (ret)
		return ret;
	contig_kmalloc_ready = true;
	contig_kmalloc_debug = debug;
	ret = __contig_kmalloc_make_classes(contig_kmalloc_caches[0],
					    "contig-kmalloc-", 0);
	if (ret) {
		contig_slab_exit();
		return ret;
	}
	/* slab_debug: the classes served normally are debug classes. */
	if (debug)
		memcpy(contig_kmalloc_caches[1], contig_kmalloc_caches[0],
		       sizeof(contig_kmalloc_caches[0]));
	return 0;
}

/**
 * contig_slab_exit() - undo contig_slab_init(); report and reclaim leaks.
 *
 * Context: process context (module unload or failed load).
 */
void contig_slab_exit(void)
{
	if (!contig_kmalloc_ready)
		return;
	contig_kmalloc_ready = false;
	__contig_large_reclaim_all();
	WRITE_ONCE(contig_kmalloc_forced, false);
	memset(contig_kmalloc_caches, 0, sizeof(contig_kmalloc_caches));
	contig_caches_exit();
}
