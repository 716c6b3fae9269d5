// SPDX-License-Identifier: GPL-2.0
/*
 * slab.c - object caches carved from the region, and the owner map.
 *
 * A struct contig_cache hands out objects of one size, alignment and
 * boundary (as a dma_pool does) from slabs: naturally aligned buddy blocks
 * of 1 << order frames, owned CONTIG_OWNER_SLAB.  contig_kmalloc()
 * (kmalloc.c) is built on top: its size classes are caches of this file,
 * made with __CONTIG_CACHE_INTERNAL.  This file calls nothing in
 * kmalloc.c; what it offers kmalloc.c is declared in slab.h.
 *
 * Region memory holds objects and nothing else.  Every piece of metadata
 * is ordinary kernel memory: a device that writes into a freed object
 * cannot corrupt the allocator, and the region's bytes stay the caller's.
 *
 *  - struct contig_slab (kmalloc'd per slab): its run of frames (struct
 *    contig_frames, slab.h), its list node, the number of objects in use
 *    and its free list, kept as an array of u16 links, one per object:
 *    next[i] is the next free index, or CONTIG_SLAB_END, or
 *    CONTIG_SLAB_INUSE while object i is handed out, or CONTIG_SLAB_CACHED
 *    while it waits in a per-CPU array (below).  So a double free is one
 *    array read, and allocation pops the head.
 *  - contig_slab_owner[] (kvcalloc'd, one pointer per region frame): the
 *    run of frames each frame belongs to, NULL when free or used by
 *    something else.  It finds the owner of any address in O(1); it is
 *    RCU protected (every run's record is freed with kfree_rcu(), caches
 *    too), so a free of a stale or foreign pointer can look without a
 *    global lock and then confirm under the owner's lock.  A run is a
 *    cache's slab, or a "block": whole frames that belong to no cache,
 *    entered and left by kmalloc.c for its large allocations
 *    (contig_frames_enter()).  This file treats a block as opaque: a free
 *    to a cache that lands in one is a wrong free, and the invariant
 *    check counts its frames; what a block holds, how it is freed and
 *    how large it is for contig_ksize() are kmalloc.c's business, which
 *    looks the address up here and dispatches itself.
 *
 * Layout.  A slab is cut in segments of min(boundary, slab size) bytes
 * (boundary 0: one segment), each holding @per_seg objects at @first +
 * j * @pitch, so no object crosses a boundary and object <-> index is
 * arithmetic (reciprocal division), not a search.  A slab is aligned to
 * its size, or to the object alignment when that is larger, in frames;
 * alignments and boundaries above a page therefore need a region base
 * aligned to them, which contig_cache_create() checks.  The order is
 * chosen as SLUB's calculate_order() does: the smallest order, from the
 * one that holds CONTIG_SLAB_MIN_OBJECTS objects, whose unused bytes are
 * at most 1/16 of the slab, else at most 1/8, up to CONTIG_SLAB_MAX_ORDER
 * (or the order of a single object when that is larger); failing both
 * (tiny objects with large alignments or red zones), the smallest order
 * within 1% of the least waste.  Waste is slab bytes minus objects times
 * object size, so alignment padding and red zones count as waste in
 * slabinfo.
 *
 * Lists.  A cache keeps its slabs on three lists: partial (some objects in
 * use), full, empty.  Allocation takes from the first partial slab, then
 * from an empty one, and only then asks the buddy for a new slab; the
 * constructor runs on each object of a new slab, once, never on
 * allocation.  A free that empties a slab puts it on the empty list, or,
 * beyond the cache's keep limit (5 to 10 slabs by object size, as SLUB's
 * min_partial; contig_cache_set_keep_empty() changes it), gives it back
 * to the buddy; contig_cache_shrink() gives back every empty slab.  Slabs
 * of up to 16 frames go back to, and come from, the buddy's stash
 * (contig_buddy_free_cached(), CONTIG_BUDDY_CACHED): a cache that grows
 * and shrinks does not split and merge a large block each time.
 *
 * Per-CPU arrays.  A cache of objects up to a page (debug caches
 * excepted) keeps, per CPU, a small stack of objects taken out of their
 * slabs: @cpu_limit of them (32 up to 1 KiB, 16 up to a page), as SLAB's
 * array caches.  An allocation pops the top of this
 * CPU's stack, under the stack's own lock and nothing else; a free pushes
 * onto it.  An empty stack is refilled with @cpu_batch (half the limit)
 * objects under one hold of the cache's lock, a full one gives its
 * @cpu_batch oldest back the same way, so the slab lists are touched once
 * per batch.  The stack is protected by a spinlock, not by disabled
 * interrupts alone, so that any CPU can drain any other's
 * (contig_cache_shrink(), destroy, a CPU going offline) without an
 * interrupt, from any context.  Cached objects stay out of their slab's
 * free list, marked CONTIG_SLAB_CACHED; a free marks INUSE -> CACHED with
 * cmpxchg() (so two frees of one object on two CPUs cannot both win), an
 * allocation CACHED -> INUSE.  slab->inuse and @active count cached
 * objects with those in use; contig_cache_get_info() and slabinfo report
 * the difference.  contig_cache_check() takes every stack's lock (under
 * @cpu_gate, lockdep's nest lock), so it can match the stacks against
 * the marks: every stacked object marked cached, as many marked as
 * stacked.
 *
 * Debug (CONTIG_CACHE_DEBUG, or slab_debug=1 for every cache): at least
 * CONTIG_SLAB_RZ bytes of red zone (CONTIG_SLAB_RED) before and after each
 * object, and freed objects filled with POISON_FREE unless the cache has a
 * constructor (as SLUB: a freed object must stay constructed).  Red zones
 * are checked at free; red zones and poison when an object is handed out
 * again, at contig_cache_shrink() (every object of the cache) and when a
 * slab goes back to the buddy.  A damaged byte is reported with the cache
 * name and its offset from the object's start, then repaired so it is
 * reported once.  The bytes a user may write are exactly the object size
 * (contig_slab_obj_size()): the red zone starts right after it.
 *
 * Caller bugs (a free of a pointer outside the region, of another cache's
 * object, into the middle of an object, twice) are reported with pr_err,
 * never WARN, counted (contig_slab_wrong_frees_count(), kmalloc.c's
 * included) and change nothing.
 *
 * Locking follows the lock order in contig_internal.h.  contig_caches_mutex
 * (process context) guards the list of caches.  cache->lock is a spinlock
 * taken irqsave, per cache, so two CPUs allocate from different caches at
 * once; no path holds it across a buddy call: new slabs are filled, and
 * released ones given back, outside it.  A per-CPU array's lock is taken
 * irqsave before cache->lock, never after; the CPU hotplug callback takes
 * contig_caches_mutex, then the dead CPU's array locks.  The owner map has
 * no lock: each entry is written only by the holder of its frames (the
 * allocating thread before the run is published, the owner's lock holder
 * when unpublishing it) and read under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/poison.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/reciprocal_div.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <contig.h>

#include "fault.h"
#include "slab.h"

#define CONTIG_SLAB_MIN_OBJECTS	4	/* per slab, where the order allows */
#define CONTIG_SLAB_MAX_ORDER	3	/* preferred largest slab */
#define CONTIG_SLAB_ORDER_LIMIT	10	/* largest slab ever */
#define CONTIG_CACHE_MAX_SIZE	SZ_1M
#define CONTIG_CACHE_MIN_ALIGN	8	/* when align is 0 */
#define CONTIG_CACHE_KEEP_MIN	5	/* default keep limit: SLUB's */
#define CONTIG_CACHE_KEEP_MAX	10	/* MIN_PARTIAL, MAX_PARTIAL */
#define CONTIG_CACHE_MAX_LEAKS	64	/* leak lines per report */

#define CONTIG_SLAB_INUSE	U16_MAX
#define CONTIG_SLAB_CACHED	(U16_MAX - 1)
#define CONTIG_SLAB_END		(U16_MAX - 2)
#define CONTIG_SLAB_MAX_OBJS	(U16_MAX - 2)

#define CONTIG_CACHE_CPU_MAX	32	/* objects per CPU, small objects */

#define CONTIG_SLAB_RZ		16

/**
 * struct contig_slab - a slab of a cache.
 * @frames:	its frames; @frames.cache is the owning cache, @frames.live
 *		is cleared under its lock when the slab leaves it.
 * @node:	on the cache's partial, full or empty list; under its lock.
 * @inuse:	objects not on @free_head's list (handed out, or cached in a
 *		per-CPU array); under the cache's lock.
 * @free_head:	first free object or CONTIG_SLAB_END; under the cache's lock.
 * @next:	per object: next free index, CONTIG_SLAB_END,
 *		CONTIG_SLAB_INUSE or CONTIG_SLAB_CACHED; links under the
 *		cache's lock, INUSE <-> CACHED under a per-CPU array's lock.
 */
struct contig_slab {
	struct contig_frames frames;
	struct list_head node;
	unsigned int inuse;
	unsigned int free_head;
	u16 next[];
};

/**
 * struct contig_cpu_obj - an object waiting in a per-CPU array.
 * @obj:	its address.
 * @slab:	its slab.
 * @idx:	its index there.
 */
struct contig_cpu_obj {
	void *obj;
	struct contig_slab *slab;
	unsigned int idx;
};

/**
 * struct contig_cache_cpu - one CPU's array of a cache's free objects.
 * @lock:	protects the fields below; taken with interrupts off.
 * @nr:		objects in @objs, the top at @nr - 1.
 * @objs:	the objects, each marked CONTIG_SLAB_CACHED in its slab.
 */
struct contig_cache_cpu {
	spinlock_t lock;	/* the fields below */
	unsigned int nr;
	struct contig_cpu_obj objs[CONTIG_CACHE_CPU_MAX];
};

/**
 * struct contig_cache - a cache of equal objects.
 * @name:	for reports and slabinfo.
 * @size:	object bytes, as asked.
 * @align:	object alignment (physical and virtual).
 * @boundary:	no object crosses a multiple of it; 0 for none.
 * @flags:	CONTIG_CACHE_* and __CONTIG_CACHE_INTERNAL.
 * @ctor:	run once per object when its slab is made, or NULL.
 * @region:	where the slabs come from.
 * @order:	a slab is 1 << @order frames.
 * @slab_align:	alignment of a slab in frames: its size, or @align's
 *		frames when larger (the buddy keeps the frames between).
 * @objs:	objects per slab.
 * @seg_shift:	log2 of the segment size (see the file comment).
 * @per_seg:	objects per segment.
 * @first:	offset of the first object in a segment.
 * @pitch:	distance between objects in a segment.
 * @rz:		red zone bytes checked on each side; 0 without red zones.
 * @poison:	free objects hold POISON_FREE.
 * @per_seg_rcp: reciprocal of @per_seg, for index arithmetic.
 * @pitch_rcp:	reciprocal of @pitch.
 * @cpu:	per-CPU arrays of free objects, or NULL (debug caches, objects
 *		above a page).
 * @cpu_limit:	objects an array holds, 0 without arrays.
 * @cpu_batch:	objects moved between an array and the slabs at a time.
 * @cpu_gate:	held by whoever holds every array's lock at once (the nest
 *		lock of contig_cache_check()).
 * @node:	on contig_caches; under contig_caches_mutex.
 * @rcu:	for call_rcu(), which frees @cpu and the cache.
 * @lock:	protects the fields below it.
 * @partial:	slabs with some objects in use.
 * @full:	slabs with all objects in use.
 * @empty:	slabs with no object in use.
 * @nr_slabs:	slabs on the three lists.
 * @nr_empty:	slabs on @empty.
 * @active:	objects out of their slabs' free lists: in use, or cached in
 *		a per-CPU array.
 * @keep_empty:	most slabs kept on @empty after a free.
 * @nr_corrupt:	debug reports of damaged red zones or poison (atomic: also
 *		counted outside @lock).
 *
 * Everything above @lock is written at creation and read-only afterwards.
 */
struct contig_cache {
	char name[32];
	unsigned int size;
	unsigned int align;
	unsigned int boundary;
	unsigned int flags;
	void (*ctor)(void *obj);
	struct contig_region *region;
	unsigned int order;
	unsigned int slab_align;
	unsigned int objs;
	unsigned int seg_shift;
	unsigned int per_seg;
	unsigned int first;
	unsigned int pitch;
	unsigned int rz;
	bool poison;
	struct reciprocal_value per_seg_rcp;
	struct reciprocal_value pitch_rcp;
	struct contig_cache_cpu __percpu *cpu;
	unsigned int cpu_limit;
	unsigned int cpu_batch;
	spinlock_t cpu_gate;	/* nest lock of the array locks */
	struct list_head node;
	struct rcu_head rcu;

	spinlock_t lock;		/* protects the fields below */
	struct list_head partial;
	struct list_head full;
	struct list_head empty;
	unsigned long nr_slabs;
	unsigned long nr_empty;
	unsigned long active;
	unsigned int keep_empty;
	atomic_long_t nr_corrupt;
};

static DEFINE_MUTEX(contig_caches_mutex);
static LIST_HEAD(contig_caches);		/* contig_caches_mutex */

static struct contig_frames __rcu **contig_slab_owner;
static struct contig_region *contig_slab_region;	/* of the owner map */
static bool contig_slab_debug;

/* Frames of blocks (runs with no cache) in the owner map. */
static atomic_long_t contig_block_frames = ATOMIC_LONG_INIT(0);

static atomic_long_t contig_slab_wrong_frees = ATOMIC_LONG_INIT(0);

static inline struct contig_slab *__contig_slab_of(const struct contig_frames *f)
{
	return container_of(f, struct contig_slab, frames);
}

/* ---- layout -------------------------------------------------------------- */

static inline size_t __contig_slab_bytes(const struct contig_cache *c)
{
	return PAGE_SIZE << c->order;
}

/* Offset of object @idx from the start of its slab. */
static __always_inline unsigned int
__contig_obj_offset(const struct contig_cache *c, unsigned int idx)
{
	unsigned int seg = reciprocal_divide(idx, c->per_seg_rcp);
	unsigned int j = idx - seg * c->per_seg;

	return (seg << c->seg_shift) + c->first + j * c->pitch;
}

static __always_inline void *__contig_obj(const struct contig_cache *c,
					  const struct contig_slab *slab,
					  unsigned int idx)
{
	return slab->frames.vaddr + __contig_obj_offset(c, idx);
}

/* Index of the object starting at @off in a slab, or -1 if none does. */
static __always_inline int __contig_obj_index(const struct contig_cache *c, size_t off)
{
	unsigned int seg = off >> c->seg_shift;
	unsigned int in = off & ((1U << c->seg_shift) - 1);
	unsigned int j;

	if (off >= __contig_slab_bytes(c) || in < c->first)
		return -1;
	in -= c->first;
	j = reciprocal_divide(in, c->pitch_rcp);
	if (j >= c->per_seg || j * c->pitch != in)
		return -1;
	return seg * c->per_seg + j;
}

/* Objects a slab of @order holds with the cache's first/pitch/rz. */
static unsigned int __contig_layout_objs(const struct contig_cache *c,
					 unsigned int order,
					 unsigned int *seg_shift,
					 unsigned int *per_seg)
{
	size_t slab = PAGE_SIZE << order;
	size_t seg = c->boundary && c->boundary < slab ? c->boundary : slab;
	size_t need = (size_t)c->first + c->size + c->rz;
	size_t n;

	if (need > seg)
		return 0;
	*per_seg = (seg - need) / c->pitch + 1;
	*seg_shift = ilog2(seg);
	n = (size_t)*per_seg * (slab / seg);
	return n > CONTIG_SLAB_MAX_OBJS ? 0 : n;
}

/*
 * Pick the slab order as SLUB's calculate_order(): the smallest order from
 * the one holding CONTIG_SLAB_MIN_OBJECTS whose waste is within 1/16, then
 * 1/8 of the slab; else the least wasteful.  Returns false if no order up
 * to CONTIG_SLAB_ORDER_LIMIT holds an object.
 */
static bool __contig_cache_pick_order(struct contig_cache *c)
{
	unsigned int min_order, max_order, order, best = 0, objs;
	unsigned int seg_shift, per_seg;
	size_t best_waste = SIZE_MAX;
	static const unsigned int fractions[] = { 16, 8 };
	unsigned int f;

	c->first = c->rz ? ALIGN(c->rz, c->align) : 0;
	c->pitch = ALIGN(c->size + c->rz, c->align);
	min_order = get_order((size_t)c->first + c->size + c->rz);
	max_order = max_t(unsigned int, min_order, CONTIG_SLAB_MAX_ORDER);
	if (max_order > CONTIG_SLAB_ORDER_LIMIT)
		return false;
	min_order = max_t(unsigned int, min_order,
			  get_order((size_t)CONTIG_SLAB_MIN_OBJECTS * c->pitch));
	min_order = min(min_order, max_order);

	for (f = 0; f < ARRAY_SIZE(fractions); f++) {
		for (order = min_order; order <= max_order; order++) {
			size_t slab = PAGE_SIZE << order;

			objs = __contig_layout_objs(c, order, &seg_shift,
						    &per_seg);
			if (objs && slab - (size_t)objs * c->size <=
			    slab / fractions[f]) {
				best = order;
				goto found;
			}
		}
	}
	for (order = 0; order <= max_order; order++) {
		size_t slab = PAGE_SIZE << order, waste;

		objs = __contig_layout_objs(c, order, &seg_shift, &per_seg);
		if (!objs)
			continue;
		/*
		 * Waste as a fraction of the slab, in 1/1024: a larger order
		 * must do better by 1% to be worth its size.
		 */
		waste = ((slab - (size_t)objs * c->size) << 10) / slab;
		if (best_waste == SIZE_MAX || waste + 10 < best_waste) {
			best_waste = waste;
			best = order;
		}
	}
	if (best_waste == SIZE_MAX)
		return false;
found:
	c->order = best;
	c->slab_align = max(1UL << best, (unsigned long)c->align >> PAGE_SHIFT);
	c->objs = __contig_layout_objs(c, best, &c->seg_shift, &c->per_seg);
	c->per_seg_rcp = reciprocal_value(c->per_seg);
	c->pitch_rcp = reciprocal_value(c->pitch);
	return true;
}

/* ---- debug: red zones and poison ---------------------------------------- */

/*
 * Check that @len bytes at @area, around or in @obj, all hold @byte;
 * report the first that does not and repair them.  Returns true if intact.
 */
static bool __contig_area_verify(struct contig_cache *c, void *obj,
				 void *area, size_t len, u8 byte,
				 const char *when, const char *what)
{
	phys_addr_t phys;
	u8 *bad;

	bad = memchr_inv(area, byte, len);
	if (!bad)
		return true;
	atomic_long_inc(&c->nr_corrupt);
	phys = contig_slab_virt_to_phys(c->region, obj);
	pr_err("slab: cache %s: %s: object %p (phys %pa, size %u): %s at offset %ld\n",
	       c->name, when, obj, &phys, c->size, what,
	       (long)(bad - (u8 *)obj));
	print_hex_dump(KERN_ERR, "contig: ", DUMP_PREFIX_OFFSET, 16, 1, bad,
		       min_t(size_t, 16, (u8 *)area + len - bad), true);
	memset(area, byte, len);
	return false;
}

/*
 * Check (and repair) the red zones of @obj and, if @is_free, its poison.
 * Returns true if all were intact.
 */
static bool __contig_obj_verify(struct contig_cache *c, void *obj,
				bool is_free, const char *when)
{
	bool ok = true;

	if (c->rz) {
		ok &= __contig_area_verify(c, obj, obj - c->rz, c->rz,
					   CONTIG_SLAB_RED, when,
					   "red zone before the object overwritten");
		ok &= __contig_area_verify(c, obj, obj + c->size, c->rz,
					   CONTIG_SLAB_RED, when,
					   "red zone after the object overwritten (write past the end)");
	}
	if (is_free && c->poison)
		ok &= __contig_area_verify(c, obj, obj, c->size, POISON_FREE,
					   when, "freed object written (use after free)");
	return ok;
}

/* Verify every object of @slab: red zones, and poison of free ones. */
static void __contig_slab_verify(struct contig_cache *c,
				 struct contig_slab *slab, const char *when)
{
	unsigned int i;

	if (!c->rz && !c->poison)
		return;
	for (i = 0; i < c->objs; i++)
		__contig_obj_verify(c, __contig_obj(c, slab, i),
				    slab->next[i] != CONTIG_SLAB_INUSE, when);
}

/* ---- the owner map ------------------------------------------------------- */

/**
 * contig_frames_enter() - enter a run of frames in the owner map.
 * @f: the run, its fields set and @f->live true.
 *
 * Until contig_frames_leave(), contig_frames_lookup() finds @f for every
 * address in its frames.  A run with no cache is a block: it counts in
 * contig_slab_check()'s sum, and frees to a cache that land in it are
 * refused.
 *
 * Context: any; the caller holds the frames (from the buddy) and, for a
 * block, its owner's lock.
 */
void contig_frames_enter(struct contig_frames *f)
{
	unsigned long i;

	for (i = f->frame; i < f->frame + f->nr_frames; i++)
		rcu_assign_pointer(contig_slab_owner[i], f);
	if (!f->cache)
		atomic_long_add(f->nr_frames, &contig_block_frames);
}

/**
 * contig_frames_leave() - take a run of frames out of the owner map.
 * @f: a run entered with contig_frames_enter(), @f->live cleared.
 *
 * Lookups under RCU may still find @f until a grace period has passed:
 * free its record with kfree_rcu().
 *
 * Context: any; under the lock of @f's owner.
 */
void contig_frames_leave(struct contig_frames *f)
{
	unsigned long i;

	for (i = f->frame; i < f->frame + f->nr_frames; i++)
		RCU_INIT_POINTER(contig_slab_owner[i], NULL);
	if (!f->cache)
		atomic_long_sub(f->nr_frames, &contig_block_frames);
}

/* The owner map's region, if @obj lies in it, else NULL. */
static __always_inline struct contig_region *__contig_slab_region_of(const void *obj)
{
	struct contig_region *r = READ_ONCE(contig_slab_region);

	if (!r || obj < r->vaddr || obj >= r->vaddr + r->size)
		return NULL;
	return r;
}

static __always_inline struct contig_frames *__contig_frames_lookup(const void *obj)
{
	struct contig_region *r = __contig_slab_region_of(obj);

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "owner map looked up outside RCU");
	if (!r)
		return NULL;
	return rcu_dereference(contig_slab_owner[(obj - r->vaddr) >> PAGE_SHIFT]);
}

/**
 * contig_frames_lookup() - the run of frames an address lies in.
 * @obj: any address.
 *
 * Context: under rcu_read_lock(); the run stays readable until it is
 * dropped, but only its owner's lock says whether it is still live.
 * Return: the run, or NULL if @obj is outside the region or in a frame
 * that is in no slab or block.
 */
struct contig_frames *contig_frames_lookup(const void *obj)
{
	return __contig_frames_lookup(obj);
}

/**
 * contig_slab_wrong_free() - report and count a wrong free.
 * @obj: the pointer given to a free function.
 * @fmt: why it is wrong, printf style.
 *
 * Context: any.
 */
void contig_slab_wrong_free(const void *obj, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	atomic_long_inc(&contig_slab_wrong_frees);
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("slab: wrong free of %p ignored: %pV\n", obj, &vaf);
	va_end(args);
}

static __always_inline struct contig_frames *
__contig_frames_lookup_free(const void *obj)
{
	struct contig_frames *f;

	if (!__contig_slab_region_of(obj)) {
		contig_slab_wrong_free(obj, "not in the region");
		return NULL;
	}
	f = __contig_frames_lookup(obj);
	if (!f)
		contig_slab_wrong_free(obj, "not in any slab or contig_kmalloc() block");
	return f;
}

/**
 * contig_frames_lookup_free() - contig_frames_lookup() for a free.
 * @obj: the pointer to free, not NULL.
 *
 * Context: under rcu_read_lock().
 * Return: the run @obj lies in; NULL, after reporting a wrong free, if
 * there is none.
 */
struct contig_frames *contig_frames_lookup_free(const void *obj)
{
	return __contig_frames_lookup_free(obj);
}

/* ---- slabs --------------------------------------------------------------- */

/*
 * A new slab for @c: metadata, frames, every object constructed (or
 * poisoned), published in the owner map.  Not yet on any list.
 *
 * Context: as @gfp allows; takes the buddy lock.  Not under @c->lock.
 */
static struct contig_slab *__contig_slab_new(struct contig_cache *c, gfp_t gfp)
{
	struct contig_region *r = c->region;
	struct contig_slab *slab;
	unsigned int i;
	long frame;

	slab = contig_should_fail(CONTIG_FAULT_SLAB) ? NULL :
	       kmalloc(struct_size(slab, next, c->objs),
		       contig_slab_meta_gfp(gfp));
	if (!slab)
		return ERR_PTR(-ENOMEM);
	/* Through the buddy's stash: slabs come and go (buddy_core.c). */
	frame = contig_buddy_alloc(&r->buddy, 1UL << c->order, c->slab_align,
				   CONTIG_OWNER_SLAB, CONTIG_POLICY_DEFAULT,
				   contig_slab_buddy_flags(gfp) |
				   CONTIG_BUDDY_CACHED);
	if (frame < 0) {
		kfree(slab);
		return ERR_PTR(frame);
	}
	INIT_LIST_HEAD(&slab->node);
	slab->frames.cache = c;
	slab->frames.frame = frame;
	slab->frames.nr_frames = 1UL << c->order;
	slab->frames.vaddr = contig_frame_to_virt(r, frame);
	slab->inuse = 0;
	slab->free_head = 0;
	for (i = 0; i < c->objs; i++)
		slab->next[i] = i + 1;
	slab->next[c->objs - 1] = CONTIG_SLAB_END;

	if (c->rz)
		memset(slab->frames.vaddr, CONTIG_SLAB_RED,
		       __contig_slab_bytes(c));
	for (i = 0; i < c->objs; i++) {
		void *obj = __contig_obj(c, slab, i);

		if (c->poison)
			memset(obj, POISON_FREE, c->size);
		if (c->ctor)
			c->ctor(obj);
	}
	slab->frames.live = true;
	contig_frames_enter(&slab->frames);
	return slab;
}

/*
 * Give a slab unpublished by __contig_slab_unlink() back to the buddy and
 * free its metadata after a grace period.  @verify: check its objects
 * first (debug caches).
 *
 * Context: any; takes the buddy lock.  Not under @c->lock.
 */
static void __contig_slab_release(struct contig_cache *c,
				  struct contig_slab *slab, bool verify)
{
	int ret;

	if (verify)
		__contig_slab_verify(c, slab, "slab released");
	ret = contig_buddy_free_cached(&c->region->buddy, slab->frames.frame);
	WARN_ON_ONCE(ret);
	kfree_rcu(slab, frames.rcu);
}

/* Take @slab off @c for release. */
static void __contig_slab_unlink(struct contig_cache *c,
				 struct contig_slab *slab)
{
	lockdep_assert_held(&c->lock);
	list_del_init(&slab->node);
	c->nr_slabs--;
	if (!slab->inuse)
		c->nr_empty--;
	slab->frames.live = false;
	contig_frames_leave(&slab->frames);
}

/*
 * Take the first free object of @slab, mark it @mark (CONTIG_SLAB_INUSE
 * or CONTIG_SLAB_CACHED) and refile the slab; returns its index.
 */
static inline unsigned int __contig_slab_pop_idx(struct contig_cache *c,
						 struct contig_slab *slab,
						 u16 mark)
{
	unsigned int idx = slab->free_head;

	lockdep_assert_held(&c->lock);
	if (!slab->inuse)
		c->nr_empty--;
	slab->free_head = slab->next[idx];
	WRITE_ONCE(slab->next[idx], mark);
	slab->inuse++;
	c->active++;
	if (slab->inuse == c->objs)
		list_move(&slab->node, &c->full);
	else if (slab->inuse == 1)
		list_move(&slab->node, &c->partial);
	return idx;
}

/* Take one object from @slab, in use, and refile it. */
static void *__contig_slab_pop(struct contig_cache *c, struct contig_slab *slab)
{
	return __contig_obj(c, slab,
			    __contig_slab_pop_idx(c, slab, CONTIG_SLAB_INUSE));
}

/* The slab to allocate from: the first partial one, else an empty one. */
static struct contig_slab *__contig_cache_next_slab(struct contig_cache *c)
{
	struct contig_slab *slab;

	lockdep_assert_held(&c->lock);
	slab = list_first_entry_or_null(&c->partial, struct contig_slab, node);
	if (!slab)
		slab = list_first_entry_or_null(&c->empty, struct contig_slab,
						node);
	return slab;
}

/* An object from the first partial slab, else an empty one, else NULL. */
static void *__contig_cache_take(struct contig_cache *c)
{
	struct contig_slab *slab = __contig_cache_next_slab(c);

	return slab ? __contig_slab_pop(c, slab) : NULL;
}

/*
 * Put object @idx (in use or cached) back on @slab's free list and refile
 * the slab; a slab that empties beyond the keep limit is unlinked onto
 * @doomed, for __contig_slab_release_list() once the locks are dropped.
 */
static inline void __contig_slab_push(struct contig_cache *c,
				      struct contig_slab *slab, unsigned int idx,
				      struct list_head *doomed)
{
	lockdep_assert_held(&c->lock);
	WRITE_ONCE(slab->next[idx], slab->free_head);
	slab->free_head = idx;
	c->active--;
	if (slab->inuse-- == c->objs)
		list_move(&slab->node, &c->partial);
	if (!slab->inuse) {
		list_move(&slab->node, &c->empty);
		if (++c->nr_empty > c->keep_empty) {
			__contig_slab_unlink(c, slab);
			list_add(&slab->node, doomed);
		}
	}
}

/* Release the slabs unlinked onto @doomed.  Not under @c->lock. */
static void __contig_slab_release_list(struct contig_cache *c,
				       struct list_head *doomed)
{
	struct contig_slab *slab, *tmp;

	list_for_each_entry_safe(slab, tmp, doomed, node) {
		list_del(&slab->node);
		__contig_slab_release(c, slab, c->rz || c->poison);
	}
}

/* ---- per-CPU arrays (see "Per-CPU arrays" above) -------------------------- */

/* Fill @pc with up to @c->cpu_batch objects from the slabs, if it can. */
static void __contig_cpu_refill(struct contig_cache *c,
				struct contig_cache_cpu *pc)
{
	struct contig_slab *slab;
	unsigned int idx;

	lockdep_assert_held(&pc->lock);
	spin_lock(&c->lock);
	while (pc->nr < c->cpu_batch &&
	       (slab = __contig_cache_next_slab(c))) {
		idx = __contig_slab_pop_idx(c, slab, CONTIG_SLAB_CACHED);
		pc->objs[pc->nr++] = (struct contig_cpu_obj){
			.obj = __contig_obj(c, slab, idx),
			.slab = slab,
			.idx = idx,
		};
	}
	spin_unlock(&c->lock);
}

/* Give the @n oldest objects of @pc back to their slabs. */
static void __contig_cpu_flush(struct contig_cache *c,
			       struct contig_cache_cpu *pc, unsigned int n,
			       struct list_head *doomed)
{
	unsigned int i;

	lockdep_assert_held(&pc->lock);
	n = min(n, pc->nr);
	if (!n)
		return;
	spin_lock(&c->lock);
	for (i = 0; i < n; i++)
		__contig_slab_push(c, pc->objs[i].slab, pc->objs[i].idx, doomed);
	spin_unlock(&c->lock);
	pc->nr -= n;
	memmove(pc->objs, pc->objs + n, pc->nr * sizeof(*pc->objs));
}

/* An object from this CPU's array, refilled if empty; NULL if none. */
static void *__contig_cpu_alloc(struct contig_cache *c)
{
	struct contig_cache_cpu *pc = raw_cpu_ptr(c->cpu);
	struct contig_cpu_obj *o;
	unsigned long flags;
	void *obj = NULL;

	/* Another CPU's array, after a migration, is as good: it is locked. */
	spin_lock_irqsave(&pc->lock, flags);
	if (!pc->nr)
		__contig_cpu_refill(c, pc);
	if (pc->nr) {
		o = &pc->objs[--pc->nr];
		WRITE_ONCE(o->slab->next[o->idx], CONTIG_SLAB_INUSE);
		obj = o->obj;
	}
	spin_unlock_irqrestore(&pc->lock, flags);
	return obj;
}

/* Free @obj of @slab to this CPU's array, or report a wrong free. */
static int __contig_cpu_free(struct contig_cache *c, struct contig_slab *slab,
			     const void *obj)
{
	struct contig_cache_cpu *pc = raw_cpu_ptr(c->cpu);
	u16 inuse = CONTIG_SLAB_INUSE, cached = CONTIG_SLAB_CACHED;
	unsigned long flags;
	LIST_HEAD(doomed);
	bool live;
	int idx;

	idx = __contig_obj_index(c, obj - slab->frames.vaddr);
	if (idx < 0) {
		contig_slab_wrong_free(obj, "not the start of an object of cache %s",
				       c->name);
		return -EINVAL;
	}
	/*
	 * Opaque to sparse: arm64's cmpxchg() inlines a case for every size,
	 * and sparse, folding these constants into the 1-byte case, warns
	 * that 0xffff does not fit a u8.  Compiles to nothing.
	 */
	OPTIMIZER_HIDE_VAR(inuse);
	OPTIMIZER_HIDE_VAR(cached);
	spin_lock_irqsave(&pc->lock, flags);
	/* A released slab has no object in use: the cmpxchg fails there. */
	live = READ_ONCE(slab->frames.live);
	if (!live || cmpxchg(&slab->next[idx], inuse, cached) != inuse) {
		spin_unlock_irqrestore(&pc->lock, flags);
		if (live)
			contig_slab_wrong_free(obj, "double free in cache %s",
					       c->name);
		else
			contig_slab_wrong_free(obj, "not allocated (its slab was just released)");
		return -EINVAL;
	}
	if (pc->nr == c->cpu_limit)
		__contig_cpu_flush(c, pc, c->cpu_batch, &doomed);
	pc->objs[pc->nr++] = (struct contig_cpu_obj){
		.obj = (void *)obj,
		.slab = slab,
		.idx = idx,
	};
	spin_unlock_irqrestore(&pc->lock, flags);
	__contig_slab_release_list(c, &doomed);
	return 0;
}

/*
 * Give every object of @cpu's array back to the slabs; slabs that empty
 * beyond the keep limit go onto @doomed.
 */
static void __contig_cpu_drain(struct contig_cache *c, unsigned int cpu,
			       struct list_head *doomed)
{
	struct contig_cache_cpu *pc = per_cpu_ptr(c->cpu, cpu);
	unsigned long flags;

	spin_lock_irqsave(&pc->lock, flags);
	__contig_cpu_flush(c, pc, pc->nr, doomed);
	spin_unlock_irqrestore(&pc->lock, flags);
}

/*
 * Every CPU's array of @c emptied into the slabs (no-op for a cache
 * without arrays); slabs given back beyond the keep limit go onto
 * @doomed, for the caller to release.
 */
static void __contig_cache_drain(struct contig_cache *c,
				 struct list_head *doomed)
{
	unsigned int cpu;

	if (!c->cpu)
		return;
	for_each_possible_cpu(cpu)
		__contig_cpu_drain(c, cpu, doomed);
}

/**
 * contig_cache_drain_cpus() - empty every CPU's array of a cache.
 * @cache: the cache.
 *
 * The objects go back to their slabs, and slabs that empty beyond the
 * keep limit to the buddy, as if each had been freed with no array: what
 * contig_cache_shrink() does first, without giving empty slabs back.
 *
 * Context: any.  Takes each array's lock, @cache's lock, the buddy's.
 */
void contig_cache_drain_cpus(struct contig_cache *cache)
{
	LIST_HEAD(doomed);

	__contig_cache_drain(cache, &doomed);
	__contig_slab_release_list(cache, &doomed);
}

CONTIG_EXPORT_FOR_TESTS(contig_cache_drain_cpus);

/* Objects waiting in @c's per-CPU arrays (a sum of snapshots). */
static unsigned long __contig_cache_cached(struct contig_cache *c)
{
	unsigned long n = 0;
	unsigned int cpu;

	if (!c->cpu)
		return 0;
	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(c->cpu, cpu)->nr);
	return n;
}

/* ---- caches -------------------------------------------------------------- */

static struct contig_cache *__contig_cache_create(struct contig_region *r,
						  const char *name,
						  size_t size, size_t align,
						  size_t boundary,
						  unsigned int flags,
						  void (*ctor)(void *obj))
{
	const char *why = NULL;
	struct contig_cache *c;
	size_t need_phys;

	if (!name || !*name)
		why = "no name";
	else if (!size || size > CONTIG_CACHE_MAX_SIZE)
		why = "size must be 1 byte to 1 MiB";
	else if (align && (!is_power_of_2(align) ||
			   align > (PAGE_SIZE << CONTIG_SLAB_MAX_ORDER)))
		why = "align must be 0 or a power of two up to 32 KiB";
	else if (boundary && (!is_power_of_2(boundary) || boundary < size))
		why = "boundary must be 0 or a power of two no smaller than size";
	if (why) {
		pr_err("slab: cache \"%s\" (size %zu, align %zu, boundary %zu) refused: %s\n",
		       name ?: "(null)", size, align, boundary, why);
		return ERR_PTR(-EINVAL);
	}
	/* Slabs are aligned in frames; beyond a page that must be physical. */
	need_phys = max(align, boundary);
	if (need_phys > PAGE_SIZE &&
	    !IS_ALIGNED(r->base, min_t(size_t, need_phys,
				       PAGE_SIZE << CONTIG_SLAB_ORDER_LIMIT))) {
		pr_err("slab: cache \"%s\" refused: align/boundary %zu needs a region base aligned to it (base %pa)\n",
		       name, need_phys, &r->base);
		return ERR_PTR(-EINVAL);
	}

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	strscpy(c->name, name, sizeof(c->name));
	c->size = size;
	c->align = align ?: CONTIG_CACHE_MIN_ALIGN;
	c->boundary = boundary;
	c->flags = flags;
	if (contig_slab_debug)
		c->flags |= CONTIG_CACHE_DEBUG;
	c->ctor = ctor;
	c->region = r;
	c->keep_empty = clamp_t(unsigned int, ilog2(size) / 2,
				CONTIG_CACHE_KEEP_MIN, CONTIG_CACHE_KEEP_MAX);
	c->rz = c->flags & CONTIG_CACHE_DEBUG ? CONTIG_SLAB_RZ : 0;
	c->poison = (c->flags & CONTIG_CACHE_DEBUG) && !ctor;
	if (!__contig_cache_pick_order(c) && c->rz) {
		/* A tight boundary leaves no room for red zones. */
		c->rz = 0;
		if (__contig_cache_pick_order(c))
			pr_info("slab: cache %s: boundary %zu leaves no room for red zones; debug poisons only\n",
				c->name, boundary);
	}
	if (!c->objs) {
		pr_err("slab: cache \"%s\" refused: %zu-byte objects aligned to %u do not fit a slab\n",
		       name, size, c->align);
		kfree(c);
		return ERR_PTR(-EINVAL);
	}
	if (!c->rz && !c->poison && size <= PAGE_SIZE) {
		unsigned int cpu;

		c->cpu_limit = size <= 1024 ? CONTIG_CACHE_CPU_MAX :
					      CONTIG_CACHE_CPU_MAX / 2;
		c->cpu_batch = c->cpu_limit / 2;
		c->cpu = alloc_percpu(struct contig_cache_cpu);
		if (!c->cpu) {
			kfree(c);
			return ERR_PTR(-ENOMEM);
		}
		for_each_possible_cpu(cpu)
			spin_lock_init(&per_cpu_ptr(c->cpu, cpu)->lock);
	}
	spin_lock_init(&c->cpu_gate);
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->full);
	INIT_LIST_HEAD(&c->empty);
	atomic_long_set(&c->nr_corrupt, 0);

	mutex_lock(&contig_caches_mutex);
	list_add_tail(&c->node, &contig_caches);
	mutex_unlock(&contig_caches_mutex);
	return c;
}

/**
 * contig_cache_create() - create a cache of equal objects in the region.
 * @name:     for reports and /sys/kernel/debug/contig/slabinfo; copied,
 *            at most 31 characters kept.
 * @size:     object bytes, 1 to 1 MiB.
 * @align:    alignment of each object's physical (and virtual) address: 0
 *            for 8 bytes, or a power of two up to 32 KiB.  Above a page
 *            the region's base must be aligned to it.
 * @boundary: 0, or a power of two >= @size: no object crosses a multiple
 *            of it in physical memory (as dma_pool_create()).
 * @flags:    0 or CONTIG_CACHE_DEBUG (red zones and poison).
 * @ctor:     called once on each object when its slab is made, or NULL.
 *            Objects must be given back in their constructed state.
 *
 * Context: process context, may sleep.
 * Return: the cache, or ERR_PTR(-EINVAL) for a bad argument, -ENOMEM, or
 * -ENODEV when contig.ko has no region.
 */
struct contig_cache *contig_cache_create(const char *name, size_t size,
					 size_t align, size_t boundary,
					 unsigned int flags,
					 void (*ctor)(void *obj))
{
	struct contig_region *r = contig_default_region();

	might_sleep();
	if (!r)
		return ERR_PTR(-ENODEV);
	if (flags & ~CONTIG_CACHE_VALID_FLAGS) {
		pr_err("slab: cache \"%s\" refused: unknown flags %#x\n",
		       name ?: "(null)",
		       (unsigned int)(flags & ~CONTIG_CACHE_VALID_FLAGS));
		return ERR_PTR(-EINVAL);
	}
	return __contig_cache_create(r, name, size, align, boundary, flags,
				     ctor);
}
EXPORT_SYMBOL_NS_GPL(contig_cache_create, CONTIG);

/**
 * contig_cache_create_internal() - a cache of contig.ko's own.
 * @name:  as for contig_cache_create().
 * @size:  as for contig_cache_create().
 * @align: as for contig_cache_create().
 * @flags: 0 or CONTIG_CACHE_DEBUG.
 *
 * As contig_cache_create(), no boundary or constructor, and the cache is
 * marked __CONTIG_CACHE_INTERNAL: drivers cannot destroy it, it lives
 * until unload.  kmalloc.c makes its size classes with it.
 *
 * Context: process context, may sleep.
 * Return: the cache or ERR_PTR(-errno), as contig_cache_create().
 */
struct contig_cache *contig_cache_create_internal(const char *name,
						  size_t size, size_t align,
						  unsigned int flags)
{
	struct contig_region *r = contig_default_region();

	might_sleep();
	if (!r)
		return ERR_PTR(-ENODEV);
	if (WARN_ON_ONCE(flags & ~CONTIG_CACHE_VALID_FLAGS))
		return ERR_PTR(-EINVAL);
	return __contig_cache_create(r, name, size, align, 0,
				     flags | __CONTIG_CACHE_INTERNAL, NULL);
}

/**
 * contig_cache_name() - a cache's name, for reports.
 * @cache: the cache.
 *
 * Context: any.
 * Return: the name; valid as long as the cache.
 */
const char *contig_cache_name(const struct contig_cache *cache)
{
	return cache->name;
}

/**
 * contig_cache_size() - the object size a cache was created with.
 * @cache: the cache.
 *
 * Context: any.
 * Return: the size in bytes.
 */
unsigned int contig_cache_size(const struct contig_cache *cache)
{
	return cache->size;
}

/* Report up to CONTIG_CACHE_MAX_LEAKS objects still in use. */
static void __contig_cache_report_leaks(struct contig_cache *c)
{
	struct list_head *lists[] = { &c->partial, &c->full };
	struct contig_slab *slab;
	unsigned long n = 0;
	unsigned int i, l;

	lockdep_assert_held(&c->lock);
	pr_err("slab: cache %s: %lu objects still in use:\n", c->name,
	       c->active);
	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		list_for_each_entry(slab, lists[l], node) {
			for (i = 0; i < c->objs; i++) {
				void *obj = __contig_obj(c, slab, i);
				phys_addr_t phys;

				if (slab->next[i] != CONTIG_SLAB_INUSE)
					continue;
				if (n++ >= CONTIG_CACHE_MAX_LEAKS)
					continue;
				phys = contig_slab_virt_to_phys(c->region, obj);
				pr_err("slab: cache %s: leaked object %p at phys %pa\n",
				       c->name, obj, &phys);
			}
		}
	}
	if (n > CONTIG_CACHE_MAX_LEAKS)
		pr_err("slab: cache %s: ... and %lu more\n", c->name,
		       n - CONTIG_CACHE_MAX_LEAKS);
}

static void __contig_cache_free_rcu(struct rcu_head *rcu)
{
	struct contig_cache *c = container_of(rcu, struct contig_cache, rcu);

	free_percpu(c->cpu);
	kfree(c);
}

/*
 * Release every slab of @c (all empty unless objects leaked) and free it.
 * Its per-CPU arrays have been drained.
 */
static void __contig_cache_teardown(struct contig_cache *c)
{
	struct list_head *lists[] = { &c->partial, &c->full, &c->empty };
	struct contig_slab *slab, *tmp;
	unsigned long flags;
	LIST_HEAD(doomed);
	unsigned int l;

	lockdep_assert_held(&contig_caches_mutex);
	spin_lock_irqsave(&c->lock, flags);
	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		list_for_each_entry_safe(slab, tmp, lists[l], node) {
			__contig_slab_unlink(c, slab);
			list_add(&slab->node, &doomed);
		}
	}
	c->active = 0;
	spin_unlock_irqrestore(&c->lock, flags);
	list_del(&c->node);

	list_for_each_entry_safe(slab, tmp, &doomed, node) {
		list_del(&slab->node);
		__contig_slab_release(c, slab, true);
	}
	/* A free under RCU may still look at @c and its arrays. */
	call_rcu(&c->rcu, __contig_cache_free_rcu);
}

/**
 * contig_cache_destroy() - destroy a cache with no object in use.
 * @cache: from contig_cache_create(); NULL does nothing.
 *
 * A cache with objects still in use is not destroyed: each one is
 * reported (address and cache name; the first 64), the cache stays as it
 * was and usable, and -EBUSY is returned.
 *
 * Context: process context, may sleep.
 * Return: 0, -EBUSY, or -EINVAL for a cache of contig.ko's own (a
 * contig_kmalloc() size class).
 */
int contig_cache_destroy(struct contig_cache *cache)
{
	unsigned long flags;

	might_sleep();
	if (!cache)
		return 0;
	if (cache->flags & __CONTIG_CACHE_INTERNAL) {
		pr_err("slab: cache %s belongs to contig.ko and cannot be destroyed\n",
		       cache->name);
		return -EINVAL;
	}
	mutex_lock(&contig_caches_mutex);
	contig_cache_drain_cpus(cache);
	spin_lock_irqsave(&cache->lock, flags);
	if (cache->active) {
		pr_err("slab: cache %s not destroyed: objects in use\n",
		       cache->name);
		__contig_cache_report_leaks(cache);
		spin_unlock_irqrestore(&cache->lock, flags);
		mutex_unlock(&contig_caches_mutex);
		return -EBUSY;
	}
	spin_unlock_irqrestore(&cache->lock, flags);
	__contig_cache_teardown(cache);
	mutex_unlock(&contig_caches_mutex);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(contig_cache_destroy, CONTIG);

static void *__contig_cache_alloc(struct contig_cache *c, gfp_t gfp)
{
	struct contig_slab *slab;
	unsigned long flags;
	void *obj;

	if (c->cpu) {
		obj = __contig_cpu_alloc(c);
		if (obj)
			return obj;
	} else {
		spin_lock_irqsave(&c->lock, flags);
		obj = __contig_cache_take(c);
		spin_unlock_irqrestore(&c->lock, flags);
		if (obj)
			goto got;
	}

	slab = __contig_slab_new(c, gfp);
	if (IS_ERR(slab))
		return slab;
	spin_lock_irqsave(&c->lock, flags);
	c->nr_slabs++;
	c->nr_empty++;
	list_add(&slab->node, &c->empty);
	obj = __contig_slab_pop(c, slab);
	spin_unlock_irqrestore(&c->lock, flags);
got:
	if (c->rz || c->poison)
		__contig_obj_verify(c, obj, true, "allocation");
	return obj;
}

/**
 * contig_cache_alloc() - allocate an object.
 * @cache: the cache.
 * @gfp:   GFP_KERNEL, GFP_ATOMIC, ...: without __GFP_DIRECT_RECLAIM the
 *         call does not sleep.  __GFP_ZERO zeroes the object (refused for
 *         a cache with a constructor).
 * @phys:  if not NULL, set to the object's physical address.
 *
 * The object is physically contiguous, aligned and within the boundary
 * the cache was created with, and lies in the region's write-back mapping.
 *
 * Context: any context @gfp allows.  Takes @cache's lock and, to grow the
 * cache, the buddy's.
 * Return: the object, or ERR_PTR(-ENOMEM) (the region or kernel memory is
 * exhausted) or ERR_PTR(-EINVAL).
 */
void *contig_cache_alloc(struct contig_cache *cache, gfp_t gfp,
			 phys_addr_t *phys)
{
	void *obj;

	might_alloc(gfp);
	if (!cache || ((gfp & __GFP_ZERO) && cache->ctor)) {
		pr_err("slab: %s(%s) refused: %s\n", __func__,
		       cache ? cache->name : "NULL",
		       cache ? "__GFP_ZERO with a constructor" : "no cache");
		return ERR_PTR(-EINVAL);
	}
	obj = __contig_cache_alloc(cache, gfp);
	if (IS_ERR(obj)) {
		if (!(gfp & __GFP_NOWARN))
			pr_err_ratelimited("slab: cache %s: no memory for a new %zu-byte slab (%ld)\n",
					   cache->name,
					   __contig_slab_bytes(cache),
					   PTR_ERR(obj));
		return obj;
	}
	if (gfp & __GFP_ZERO)
		memset(obj, 0, cache->size);
	if (phys)
		*phys = contig_slab_virt_to_phys(cache->region, obj);
	return obj;
}
EXPORT_SYMBOL_NS_GPL(contig_cache_alloc, CONTIG);

/* Free @obj of @c found in @slab under RCU. */
static int __contig_slab_free(struct contig_cache *c, struct contig_slab *slab,
			      const void *obj)
{
	unsigned long flags;
	LIST_HEAD(doomed);
	int idx;

	if (c->cpu)
		return __contig_cpu_free(c, slab, obj);
	spin_lock_irqsave(&c->lock, flags);
	if (!slab->frames.live) {
		spin_unlock_irqrestore(&c->lock, flags);
		contig_slab_wrong_free(obj, "not allocated (its slab was just released)");
		return -EINVAL;
	}
	idx = __contig_obj_index(c, obj - slab->frames.vaddr);
	if (idx < 0) {
		spin_unlock_irqrestore(&c->lock, flags);
		contig_slab_wrong_free(obj, "not the start of an object of cache %s",
				       c->name);
		return -EINVAL;
	}
	if (slab->next[idx] != CONTIG_SLAB_INUSE) {
		spin_unlock_irqrestore(&c->lock, flags);
		contig_slab_wrong_free(obj, "double free in cache %s", c->name);
		return -EINVAL;
	}
	/* The object is ours again: check its red zones, poison it. */
	if (c->rz)
		__contig_obj_verify(c, (void *)obj, false, "free");
	if (c->poison)
		memset((void *)obj, POISON_FREE, c->size);
	__contig_slab_push(c, slab, idx, &doomed);
	spin_unlock_irqrestore(&c->lock, flags);
	__contig_slab_release_list(c, &doomed);
	return 0;
}

/**
 * contig_slab_free_obj() - free the object at @obj of the slab @f.
 * @f:   a slab (@f->cache not NULL) found for @obj with
 *       contig_frames_lookup() or contig_frames_lookup_free().
 * @obj: the object.
 *
 * The caller has decided that @obj may be freed to @f->cache; this checks
 * the rest (the slab still live, @obj the start of an object in use).
 *
 * Context: under the rcu_read_lock() of the lookup.  Takes the cache's
 * lock and, when a slab goes back, the buddy's.
 * Return: 0, or -EINVAL for a wrong free (reported, nothing changed).
 */
int contig_slab_free_obj(struct contig_frames *f, const void *obj)
{
	return __contig_slab_free(f->cache, __contig_slab_of(f), obj);
}

/**
 * contig_slab_obj_size() - the bytes of an object its user may write.
 * @f:   a slab (@f->cache not NULL) found for @obj with
 *       contig_frames_lookup().
 * @obj: an address in it.
 *
 * The object size the cache was created with.  In a debug cache the red
 * zone starts right after it, so not one byte more may be written; in
 * others the pitch may leave alignment padding after an object, which is
 * not promised either (the contig_kmalloc() classes have none).
 *
 * Context: under the rcu_read_lock() of the lookup.
 * Return: that size, or 0 if no object starts at @obj.
 */
size_t contig_slab_obj_size(const struct contig_frames *f, const void *obj)
{
	const struct contig_cache *c = f->cache;

	if (__contig_obj_index(c, obj - f->vaddr) < 0)
		return 0;
	return c->size;
}

static __always_inline int
__contig_cache_free_checked(struct contig_cache *cache, const void *obj)
{
	struct contig_frames *f;
	int ret = -EINVAL;

	if (!cache) {
		contig_slab_wrong_free(obj, "no cache given");
		return -EINVAL;
	}
	if (!obj)
		return 0;
	rcu_read_lock();
	f = __contig_frames_lookup_free(obj);
	if (!f)
		goto unlock;
	if (!f->cache)
		contig_slab_wrong_free(obj, "a contig_kmalloc() block, not in cache %s",
				       cache->name);
	else if (f->cache != cache)
		contig_slab_wrong_free(obj, "an object of cache %s, not of %s",
				       f->cache->name, cache->name);
	else
		ret = __contig_slab_free(cache, __contig_slab_of(f), obj);
unlock:
	rcu_read_unlock();
	return ret;
}

/**
 * contig_cache_free_checked() - contig_cache_free() that says what it did.
 * @cache: the cache @obj came from.
 * @obj:   the object, or NULL.
 *
 * Context: any.
 * Return: 0, or -EINVAL for a wrong free (reported, nothing changed).
 */
int contig_cache_free_checked(struct contig_cache *cache, const void *obj)
{
	return __contig_cache_free_checked(cache, obj);
}

CONTIG_EXPORT_FOR_TESTS(contig_cache_free_checked);

/**
 * contig_cache_free() - give an object back to its cache.
 * @cache: the cache @obj came from.
 * @obj:   the object, or NULL.
 *
 * A wrong free (a pointer from another cache or not from us, into the
 * middle of an object, or already freed) is reported in the kernel log
 * and ignored.
 *
 * Context: any.  Takes @cache's lock and, when a slab goes back, the
 * buddy's.
 */
void contig_cache_free(struct contig_cache *cache, void *obj)
{
	__contig_cache_free_checked(cache, obj);
}
EXPORT_SYMBOL_NS_GPL(contig_cache_free, CONTIG);

/**
 * contig_cache_shrink() - give every empty slab back to the buddy.
 * @cache: the cache.
 *
 * First empties every CPU's array of free objects into the slabs.  On a
 * debug cache, then checks the red zones of every object and the poison
 * of every free one, reporting damage.
 *
 * Context: any.  Takes each per-CPU array's lock, @cache's lock, then the
 * buddy's.
 * Return: the number of slabs given back (0 or more).
 */
int contig_cache_shrink(struct contig_cache *cache)
{
	struct list_head *lists[] = { &cache->partial, &cache->full };
	struct contig_slab *slab, *tmp;
	unsigned long flags;
	LIST_HEAD(doomed);
	unsigned int l;
	int n = 0;

	__contig_cache_drain(cache, &doomed);
	spin_lock_irqsave(&cache->lock, flags);
	for (l = 0; l < ARRAY_SIZE(lists); l++)
		list_for_each_entry(slab, lists[l], node)
			__contig_slab_verify(cache, slab, "shrink");
	list_for_each_entry_safe(slab, tmp, &cache->empty, node) {
		__contig_slab_unlink(cache, slab);
		list_add(&slab->node, &doomed);
	}
	spin_unlock_irqrestore(&cache->lock, flags);

	list_for_each_entry_safe(slab, tmp, &doomed, node) {
		list_del(&slab->node);
		__contig_slab_release(cache, slab,
				      cache->rz || cache->poison);
		n++;
	}
	return n;
}
EXPORT_SYMBOL_NS_GPL(contig_cache_shrink, CONTIG);

/**
 * contig_cache_set_keep_empty() - how many empty slabs a cache keeps.
 * @cache: the cache.
 * @nr:    empty slabs kept for the next allocations after frees; those
 *         beyond go back to the buddy, now and on later frees.  The
 *         default, as SLUB's min_partial, is log2(object size) / 2 within
 *         5..10.
 *
 * Context: any.  Takes @cache's lock, then the buddy's.
 */
void contig_cache_set_keep_empty(struct contig_cache *cache, unsigned int nr)
{
	struct contig_slab *slab;
	unsigned long flags;
	LIST_HEAD(doomed);

	spin_lock_irqsave(&cache->lock, flags);
	cache->keep_empty = nr;
	while (cache->nr_empty > nr) {
		slab = list_last_entry(&cache->empty, struct contig_slab, node);
		__contig_slab_unlink(cache, slab);
		list_add(&slab->node, &doomed);
	}
	spin_unlock_irqrestore(&cache->lock, flags);
	__contig_slab_release_list(cache, &doomed);
}
EXPORT_SYMBOL_NS_GPL(contig_cache_set_keep_empty, CONTIG);

/* ---- checks and statistics (debugfs, KUnit) ------------------------------- */

static __printf(3, 4) int __contig_fail(char *why, size_t len,
					const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vscnprintf(why, len, fmt, args);
	va_end(args);
	return -EUCLEAN;
}

static int __contig_slab_check(struct contig_cache *c, struct contig_slab *slab,
			       struct list_head *list, unsigned long *active,
			       unsigned long *cached, char *why, size_t len)
{
	const struct contig_frames *fr = &slab->frames;
	unsigned int i, inuse = 0, steps = 0, idx, nr_cached = 0;
	bool on_full, on_empty, is_full;
	unsigned long f;

	if (!fr->live || fr->cache != c || !fr->nr_frames ||
	    fr->nr_frames != 1UL << c->order ||
	    !IS_ALIGNED(fr->frame, c->slab_align) ||
	    fr->vaddr != contig_frame_to_virt(c->region, fr->frame))
		return __contig_fail(why, len, "%s: slab %lu: bad header",
				     c->name, fr->frame);
	for (f = fr->frame; f < fr->frame + fr->nr_frames; f++)
		if (rcu_access_pointer(contig_slab_owner[f]) != fr)
			return __contig_fail(why, len, "%s: frame %lu not owned by its slab",
					     c->name, f);
	for (i = 0; i < c->objs; i++) {
		inuse += slab->next[i] == CONTIG_SLAB_INUSE;
		nr_cached += slab->next[i] == CONTIG_SLAB_CACHED;
	}
	if (nr_cached && !c->cpu)
		return __contig_fail(why, len, "%s: slab %lu: %u marked cached, no per-CPU arrays",
				     c->name, fr->frame, nr_cached);
	inuse += nr_cached;
	if (inuse != slab->inuse)
		return __contig_fail(why, len, "%s: slab %lu: %u marked in use or cached, count %u",
				     c->name, fr->frame, inuse, slab->inuse);
	for (idx = slab->free_head; idx != CONTIG_SLAB_END; idx = slab->next[idx]) {
		if (idx >= c->objs || slab->next[idx] == CONTIG_SLAB_INUSE ||
		    slab->next[idx] == CONTIG_SLAB_CACHED ||
		    ++steps > c->objs - inuse)
			return __contig_fail(why, len, "%s: slab %lu: free list broken at %u",
					     c->name, fr->frame, idx);
	}
	if (steps != c->objs - inuse)
		return __contig_fail(why, len, "%s: slab %lu: %u listed free, %u free",
				     c->name, fr->frame, steps, c->objs - inuse);
	on_full = list == &c->full;
	on_empty = list == &c->empty;
	is_full = inuse == c->objs;
	if (on_full != is_full || on_empty != !inuse)
		return __contig_fail(why, len, "%s: slab %lu, %u of %u in use, on the wrong list",
				     c->name, fr->frame, inuse, c->objs);
	*active += inuse;
	*cached += nr_cached;
	return 0;
}

/*
 * Every object of every per-CPU array: in a live slab of @c, at its
 * index, marked cached.  Adds them up in @nr.  Under every array's lock
 * and @c->lock.
 */
static int __contig_cpu_check(struct contig_cache *c, unsigned long *nr,
			      char *why, size_t len)
{
	const struct contig_cpu_obj *o;
	struct contig_cache_cpu *pc;
	unsigned int cpu, i;

	lockdep_assert_held(&c->lock);
	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(c->cpu, cpu);
		lockdep_assert_held(&pc->lock);
		if (pc->nr > c->cpu_limit)
			return __contig_fail(why, len, "%s: cpu %u: %u cached, limit %u",
					     c->name, cpu, pc->nr, c->cpu_limit);
		for (i = 0; i < pc->nr; i++) {
			o = &pc->objs[i];
			if (!o->slab->frames.live || o->slab->frames.cache != c ||
			    o->idx >= c->objs ||
			    o->obj != __contig_obj(c, o->slab, o->idx) ||
			    o->slab->next[o->idx] != CONTIG_SLAB_CACHED)
				return __contig_fail(why, len, "%s: cpu %u: entry %u bad",
						     c->name, cpu, i);
		}
		*nr += pc->nr;
	}
	return 0;
}

/*
 * Take @c->cpu_gate and every per-CPU array lock of @c, interrupts off.
 * The __release()/__acquire() pairs only tell sparse that the loops
 * balance: the array locks are held between the two calls.
 */
static void __contig_cpu_lock_all(struct contig_cache *c)
	__acquires(&c->cpu_gate)
{
	spinlock_t *l;		/* an array's lock */
	unsigned int cpu;

	lockdep_assert_irqs_disabled();
	spin_lock(&c->cpu_gate);
	if (!c->cpu)
		return;
	for_each_possible_cpu(cpu) {
		l = &per_cpu_ptr(c->cpu, cpu)->lock;
		spin_lock_nest_lock(l, &c->cpu_gate);
		__release(l);
	}
}

static void __contig_cpu_unlock_all(struct contig_cache *c)
	__releases(&c->cpu_gate)
{
	spinlock_t *l;		/* an array's lock */
	unsigned int cpu;

	if (c->cpu) {
		for_each_possible_cpu(cpu) {
			l = &per_cpu_ptr(c->cpu, cpu)->lock;
			__acquire(l);
			spin_unlock(l);
		}
	}
	spin_unlock(&c->cpu_gate);
}

/**
 * contig_cache_check() - check a cache's invariants.
 * @cache: the cache.
 * @why:   on failure, a description of the first broken invariant.
 * @len:   size of @why.
 *
 * Every slab: live, owned in the owner map on all its frames, its free
 * list acyclic and exactly its free objects, on the list its fill says;
 * the cache's counters equal the sums.  Every per-CPU array holds
 * objects of live slabs of the cache marked cached, and the arrays hold
 * as many objects as the slabs have marked cached.
 *
 * Context: any.  Takes @cache's per-CPU array locks, then its lock.
 * Return: 0 or -EUCLEAN.
 */
int contig_cache_check(struct contig_cache *cache, char *why, size_t len)
{
	struct list_head *lists[] = { &cache->partial, &cache->full,
				      &cache->empty };
	unsigned long flags, slabs = 0, empty = 0, active = 0;
	unsigned long cached = 0, in_arrays = 0;
	struct contig_slab *slab;
	unsigned int l;
	int ret = 0;

	local_irq_save(flags);
	__contig_cpu_lock_all(cache);
	spin_lock(&cache->lock);
	if (cache->cpu)
		ret = __contig_cpu_check(cache, &in_arrays, why, len);
	for (l = 0; l < ARRAY_SIZE(lists) && !ret; l++) {
		list_for_each_entry(slab, lists[l], node) {
			ret = __contig_slab_check(cache, slab, lists[l],
						  &active, &cached, why, len);
			if (ret)
				break;
			slabs++;
			empty += !slab->inuse;
		}
	}
	if (!ret && (slabs != cache->nr_slabs || empty != cache->nr_empty ||
		     active != cache->active)) {
		scnprintf(why, len, "%s: slabs/empty/active %lu/%lu/%lu, lists %lu/%lu/%lu",
			  cache->name, cache->nr_slabs, cache->nr_empty,
			  cache->active, slabs, empty, active);
		ret = -EUCLEAN;
	}
	if (!ret && cached != in_arrays)
		ret = __contig_fail(why, len, "%s: %lu marked cached, %lu in arrays",
				    cache->name, cached, in_arrays);
	spin_unlock(&cache->lock);
	__contig_cpu_unlock_all(cache);
	local_irq_restore(flags);
	return ret;
}

CONTIG_EXPORT_FOR_TESTS(contig_cache_check);

/**
 * contig_slab_check() - check every cache and the owner map.
 * @why: on failure, a description of the first broken invariant.
 * @len: size of @why.
 *
 * Runs contig_cache_check() on every cache, then checks that every owned
 * frame lies in its owner's frames and that owned frames add up to the
 * caches' slabs plus the blocks entered (kmalloc.c's large blocks).
 * Exact only while no one allocates.
 *
 * Context: process context, may sleep.
 * Return: 0 or -EUCLEAN.
 */
int contig_slab_check(char *why, size_t len)
{
	struct contig_region *r = contig_default_region();
	unsigned long f, owned = 0, expect = 0, flags;
	struct contig_frames *fr;
	struct contig_cache *c;
	int ret = 0;

	if (!r)
		return 0;
	mutex_lock(&contig_caches_mutex);
	list_for_each_entry(c, &contig_caches, node) {
		ret = contig_cache_check(c, why, len);
		if (ret)
			goto unlock;
		spin_lock_irqsave(&c->lock, flags);
		expect += c->nr_slabs << c->order;
		spin_unlock_irqrestore(&c->lock, flags);
	}
	expect += atomic_long_read(&contig_block_frames);

	rcu_read_lock();
	for (f = 0; f < r->nr_pages; f++) {
		fr = rcu_dereference(contig_slab_owner[f]);
		if (!fr)
			continue;
		owned++;
		if (f < fr->frame || f >= fr->frame + fr->nr_frames) {
			scnprintf(why, len, "frame %lu owned by the run at %lu+%lu",
				  f, fr->frame, fr->nr_frames);
			ret = -EUCLEAN;
			break;
		}
	}
	rcu_read_unlock();
	if (!ret && owned != expect) {
		scnprintf(why, len, "%lu frames owned, caches and blocks hold %lu",
			  owned, expect);
		ret = -EUCLEAN;
	}
unlock:
	mutex_unlock(&contig_caches_mutex);
	return ret;
}

CONTIG_EXPORT_FOR_TESTS(contig_slab_check);

/**
 * contig_cache_get_info() - a snapshot of a cache's layout and counters.
 * @cache: the cache.
 * @info:  filled in.
 *
 * Context: any.  Takes @cache's lock.
 */
void contig_cache_get_info(struct contig_cache *cache,
			   struct contig_cache_info *info)
{
	unsigned long flags, cached = __contig_cache_cached(cache);

	spin_lock_irqsave(&cache->lock, flags);
	info->size = cache->size;
	info->align = cache->align;
	info->boundary = cache->boundary;
	info->order = cache->order;
	info->objs_per_slab = cache->objs;
	info->waste_per_slab = __contig_slab_bytes(cache) -
			       (size_t)cache->objs * cache->size;
	info->redzone = cache->rz;
	info->poison = cache->poison;
	info->keep_empty = cache->keep_empty;
	info->nr_slabs = cache->nr_slabs;
	info->nr_empty = cache->nr_empty;
	info->active_objs = cache->active - min(cached, cache->active);
	info->cpu_limit = cache->cpu_limit;
	info->cpu_cached = cached;
	info->nr_corrupt = atomic_long_read(&cache->nr_corrupt);
	spin_unlock_irqrestore(&cache->lock, flags);
}

CONTIG_EXPORT_FOR_TESTS(contig_cache_get_info);

/**
 * contig_cache_cpu_cached() - objects waiting in one CPU's array.
 * @cache: the cache.
 * @cpu:   a possible CPU.
 *
 * Context: any.
 * Return: the count, 0 for a cache without arrays.
 */
unsigned int contig_cache_cpu_cached(struct contig_cache *cache,
				     unsigned int cpu)
{
	return cache->cpu ? READ_ONCE(per_cpu_ptr(cache->cpu, cpu)->nr) : 0;
}

CONTIG_EXPORT_FOR_TESTS(contig_cache_cpu_cached);

/**
 * contig_slab_wrong_frees_count() - wrong frees reported since load.
 *
 * Context: any.
 * Return: the count.
 */
unsigned long contig_slab_wrong_frees_count(void)
{
	return atomic_long_read(&contig_slab_wrong_frees);
}

CONTIG_EXPORT_FOR_TESTS(contig_slab_wrong_frees_count);

/**
 * contig_caches_slabinfo() - the caches' part of slabinfo.
 * @m: the seq_file.
 *
 * The header of /proc/slabinfo 2.1, plus ": waste <bytes>", and one line
 * per cache: waste is the bytes of the cache's slabs that hold no object
 * (layout waste, not free objects), objsize the size asked for,
 * active_objs the objects in use (not those cached in per-CPU arrays),
 * limit and batchcount those of the per-CPU arrays (0 without),
 * active_slabs the slabs not empty.  contig_slabinfo_show() (kmalloc.c)
 * appends the line of the large contig_kmalloc() blocks.
 *
 * Context: process context; takes contig_caches_mutex and each cache lock.
 */
void contig_caches_slabinfo(struct seq_file *m)
{
	struct contig_cache *c;
	unsigned long flags;

	seq_puts(m, "slabinfo - version: 2.1\n");
	seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail> : waste <bytes>\n");
	mutex_lock(&contig_caches_mutex);
	list_for_each_entry(c, &contig_caches, node) {
		unsigned long slabs, empty, active;
		unsigned long cached = __contig_cache_cached(c);

		spin_lock_irqsave(&c->lock, flags);
		slabs = c->nr_slabs;
		empty = c->nr_empty;
		active = c->active - min(cached, c->active);
		spin_unlock_irqrestore(&c->lock, flags);
		seq_printf(m, "%-17s %6lu %6lu %6u %4u %4lu : tunables %4u %4u %4u : slabdata %6lu %6lu %6u : waste %8zu\n",
			   c->name, active, slabs * c->objs, c->size, c->objs,
			   1UL << c->order, c->cpu_limit, c->cpu_batch, 0,
			   slabs - empty, slabs, 0,
			   slabs * (__contig_slab_bytes(c) -
				    (size_t)c->objs * c->size));
	}
	mutex_unlock(&contig_caches_mutex);
}

/* ---- load and unload ----------------------------------------------------- */

static enum cpuhp_state contig_slab_cpuhp;

/* A CPU went offline: its arrays go back to the slabs. */
static int contig_slab_cpu_dead(unsigned int cpu)
{
	struct contig_cache *c;
	LIST_HEAD(doomed);

	mutex_lock(&contig_caches_mutex);
	list_for_each_entry(c, &contig_caches, node) {
		if (!c->cpu)
			continue;
		__contig_cpu_drain(c, cpu, &doomed);
		__contig_slab_release_list(c, &doomed);
	}
	mutex_unlock(&contig_caches_mutex);
	return 0;
}

/**
 * contig_caches_init() - set up the owner map; caches can be made after.
 * @r:     the claimed region.
 * @debug: red zones and poison in every cache (module parameter slab_debug).
 *
 * Context: process context (module load).
 * Return: 0 or -ENOMEM.
 */
int contig_caches_init(struct contig_region *r, bool debug)
{
	int ret;

	contig_slab_owner = kvcalloc(r->nr_pages, sizeof(*contig_slab_owner),
				     GFP_KERNEL);
	if (!contig_slab_owner)
		return -ENOMEM;
	/* Prepare-section teardown: runs on a live CPU once @cpu is dead. */
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "contig/slab:dead",
					NULL, contig_slab_cpu_dead);
	if (ret < 0) {
		pr_err("slab: no CPU hotplug state for the per-CPU arrays (%d)\n",
		       ret);
		kvfree(contig_slab_owner);
		contig_slab_owner = NULL;
		return ret;
	}
	contig_slab_cpuhp = ret;
	WRITE_ONCE(contig_slab_region, r);
	atomic_long_set(&contig_block_frames, 0);
	contig_slab_debug = debug;
	if (debug)
		pr_info("slab: debug on: red zones and poison in every cache\n");
	return 0;
}

/**
 * contig_caches_exit() - destroy every cache, then the owner map.
 *
 * Objects still in use are reported and their slabs given back; so are
 * caches drivers never destroyed.  Every block must have left the map
 * already (kmalloc.c frees its large blocks first).
 *
 * Context: process context (module unload or failed load).
 */
void contig_caches_exit(void)
{
	struct contig_cache *c, *tmp;
	unsigned long flags;

	if (!contig_slab_owner)
		return;
	cpuhp_remove_state_nocalls(contig_slab_cpuhp);
	mutex_lock(&contig_caches_mutex);
	list_for_each_entry_safe(c, tmp, &contig_caches, node) {
		contig_cache_drain_cpus(c);
		spin_lock_irqsave(&c->lock, flags);
		if (c->active)
			__contig_cache_report_leaks(c);
		spin_unlock_irqrestore(&c->lock, flags);
		if (!(c->flags & __CONTIG_CACHE_INTERNAL))
			pr_err("slab: cache %s was never destroyed\n", c->name);
		__contig_cache_teardown(c);
	}
	mutex_unlock(&contig_caches_mutex);
	WARN_ON_ONCE(atomic_long_read(&contig_block_frames));
	WRITE_ONCE(contig_slab_region, NULL);

	/*
	 * Lookups under RCU may still read the map until a grace period, and
	 * the caches' RCU callbacks are this module's code.
	 */
	rcu_barrier();
	kvfree(contig_slab_owner);
	contig_slab_owner = NULL;
}
