// SPDX-License-Identifier: GPL-2.0
/*
 * buffer.c - buffers carved from the region: allocation by kind, lifetime,
 * kernel access.  Their dma-buf face (user mappings, importers, CPU-access
 * syncs) is dmabuf.c's; the struct is shared through buffer.h.
 *
 * A struct contig_buffer is a list of chunks, each a run of region frames
 * the buddy (buddy_core.c) handed out:
 *
 *  - CONTIGUOUS: one chunk, aligned as asked.
 *  - SG: the largest blocks available, largest first, as the dma-buf system
 *    heap picks orders: the next chunk is the largest power of two that is
 *    free now and no larger than what is left or than the previous chunk.
 *    So it succeeds whenever enough memory is free, however fragmented.
 *  - MOVABLE: a movable allocation of movable.c (@mov), pages anywhere in
 *    the region or pushed out to system memory, moved when a CONTIGUOUS
 *    request needs their frames (migrate.c).  It has no chunks: user
 *    mappings are PFN maps filled by movable.c's fault handler, which
 *    follows the pages as they move.  Its pages move one at a time, so an
 *    alignment above a page is refused (-EINVAL) rather than ignored.  The
 *    first in-kernel use of its memory - its kernel address, its
 *    sg_table, a device mapping of its dma-buf - pins it where it is for
 *    the rest of its life ("frozen"): its sg_table is built then, from the
 *    pages as they are.  A device mapping that fails unfreezes what it
 *    froze (contig_buffer_sgt_use()): only a mapping made pins.
 *
 * The chunks of a buffer come from the region's buddy, or from an arena
 * (arena.c: a block of the region with a buddy of its own, where user.c
 * confines an unprivileged user's buffers) when the caller of
 * contig_alloc_in() names one: @buddy and @buddy_base say which, and
 * chunks always hold region frames.  An arena has no movable memory, so a
 * CONTIGUOUS request in it is served from a free block or not at all.
 *
 * The chunk array and the CPU sg_table built from it are written once, at
 * allocation (for MOVABLE, the sg_table when frozen, under @lock), and read
 * without locks afterwards.
 *
 * Lifetime.  A buffer is reference counted (@ref): contig_alloc() returns
 * one reference, contig_get()/contig_put() add and drop, the dma-buf holds
 * one until its release (every fd and every mmap holds the dma-buf's file,
 * so the dma-buf lives while any of them does), and device mappings made
 * by dma.c hold one each, an importer's map_dma_buf included.  A dma-buf
 * also holds a reference on this module (dma_buf_export() takes
 * exp_info.owner), so rmmod is refused while any fd or mapping exists;
 * in-kernel users hold it through their symbol dependency.  Whoever hands
 * a buffer out may set @on_release to learn when its memory is back in
 * the region, quarantine included; this file does not know who that is,
 * nor who asked for the buffer.
 *
 * User mappings and struct pages.  The region is RAM that memmap= took
 * from the page allocator, so it has struct pages (pfn_valid) that the
 * kernel initialised as a hole: init_unavailable_range() ->
 * __init_single_page() gives each one refcount 1, mapcount -1, and then
 * PG_reserved.  We leave them exactly so.  vm_insert_pages() would accept
 * them: insert_page() takes any page with a non-zero refcount that is not
 * anon, slab or typed (mm/memory.c validate_page_before_insert(); it does
 * not look at PG_reserved), takes a page reference per PTE and adds a file
 * rmap; the PTEs are normal, not special, so in a VM_MIXEDMAP vma without
 * VM_IO/VM_PFNMAP vm_normal_page() returns the page and GUP, pin_user_pages()
 * included, works (mm/gup.c check_vma_flags() refuses only VM_IO|VM_PFNMAP;
 * FOLL_LONGTERM passes as our file has no writeback).
 *
 * But GUP hands the pages to kernel code that reaches their bytes through
 * the linear map (page_address(), kmap_local_page()): brd and loop for
 * O_DIRECT, pipe reads after vmsplice(), /proc/PID/mem, process_vm_readv(),
 * swiotlb bouncing.  On x86 the linear map covers only E820 RAM, and a
 * memmap= region is E820 "reserved": __va() of it is not mapped (measured:
 * copy_from_kernel_nofault() of __va(region base) gives -EFAULT in the test
 * VM), so each of those would oops the kernel.  Therefore, at load,
 * contig_buffers_init() probes every page of the region through the
 * linear map, and the answer decides how dmabuf.c maps buffers:
 *
 *  - mapped (a region whose struct pages come from memremap_pages(),
 *    which adds it to the linear map): CONTIGUOUS and SG buffers are
 *    mapped with vm_insert_pages(), struct-page backed, and O_DIRECT into
 *    them works;
 *  - not mapped (a memmap= region sharing a section with boot RAM): every
 *    buffer is mapped by a fault handler with vmf_insert_pfn() into a
 *    VM_PFNMAP vma, as the CMA heap does; GUP refuses the mapping with
 *    -EFAULT (so O_DIRECT into it fails cleanly instead of crashing).
 *
 * MOVABLE buffers are always PFN-mapped, so that migration can zap and
 * re-fault them and nothing outside movable.c can hold their pages.
 *
 * Page references can outlive a buffer (a pin, a pipe, an O_DIRECT request
 * still in flight, a driver's get_page() on its sg_table).  Handing such
 * frames back to the buddy would let the next buffer's owner and that old
 * holder share memory.  So a released buffer whose pages are not all back
 * to refcount 1 is quarantined: it stays off the free lists (STATS
 * "quarantined"), holds a module reference, and a delayed work item returns
 * it once the last stray reference is gone.  The work item moves the
 * quarantine to a list of its own under contig_buffers_lock (O(1)), reads
 * the page reference counts with interrupts on, rescheduling between
 * chunks, and puts back what is still busy; so no scan, however large the
 * quarantine, runs with interrupts off.  Once no PTE maps a page and no
 * pin holds it, nothing can find it to take a new reference (speculative
 * references from PFN walkers only delay us).  PG_reserved stays set, so a
 * reference dropped once too often makes the page allocator report a bad
 * page instead of quietly taking a region page.  Nothing of the struct
 * pages is changed by us, so nothing needs undoing at unload.
 *
 * Cache modes.  The region is mapped write-back once (region->vaddr).
 * CONTIG_FLAG_WC needs struct-page mappings: x86 PAT looks up the memory
 * type of a PFN mapping and would silently make it write-back to match
 * region->vaddr, so WC is refused (-EOPNOTSUPP) when the region is not in
 * the linear map.
 * A CONTIGUOUS write-back buffer's kernel address is simply its part of
 * that mapping; other buffers get a vmap() of their pages, write-combined
 * for CONTIG_FLAG_WC, made on first use and kept until the buffer is
 * freed.  A WC buffer is zeroed through the write-back alias and then
 * flushed from the caches (clflush), so no dirty line of that alias can
 * later land on top of write-combined stores.
 *
 * Locking: buf->lock and contig_buffers_lock, at their places in the lock
 * order of contig_internal.h.  contig_buffers_lock is an irq-safe spinlock
 * so that CONTIG_FLAG_ATOMIC allocations can take it.  No user copy
 * happens under either.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kref.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#ifdef CONFIG_X86
#include <asm/cacheflush.h>
#endif

#include <contig.h>

#include "arena.h"
#include "buffer.h"
#include "contig_trace.h"
#include "lend.h"
#include "migrate.h"
#include "movable.h"
#include "prezero.h"
#include "zero.h"

/* Largest sg entry we build: sg lengths are unsigned int. */
#define CONTIG_SG_MAX	SZ_1G
/* How often the quarantine is rescanned while not empty. */
#define CONTIG_QUARANTINE_DELAY	(HZ / 20)

static DEFINE_SPINLOCK(contig_buffers_lock);
static LIST_HEAD(contig_buffers);	/* live buffers */
static LIST_HEAD(contig_quarantine);	/* released, pages still referenced */
/* Quarantined buffers the scan is looking at; only the scan moves them. */
static LIST_HEAD(contig_quarantine_scanning);
static atomic64_t contig_next_id = ATOMIC64_INIT(0);
/* Counters per region id, under contig_buffers_lock. */
static struct contig_buffer_counters contig_counters[CONTIG_MAX_REGIONS];

static void __contig_quarantine_scan(struct work_struct *work);
static DECLARE_DELAYED_WORK(contig_quarantine_work, __contig_quarantine_scan);

static const char *const contig_kind_names[CONTIG_NR_KINDS] = {
	[CONTIG_KIND_CONTIGUOUS] = "contiguous",
	[CONTIG_KIND_SG] = "sg",
	[CONTIG_KIND_MOVABLE] = "movable",
};

/**
 * contig_kind_name() - the name of a buffer kind.
 * @kind: CONTIG_KIND_*.
 *
 * Context: any.
 * Return: "contiguous", "sg", "movable" or "?".
 */
const char *contig_kind_name(unsigned int kind)
{
	return kind < CONTIG_NR_KINDS ? contig_kind_names[kind] : "?";
}

CONTIG_EXPORT_FOR_TESTS(contig_kind_name);

static struct page *__contig_frame_page(const struct contig_region *r,
					unsigned long frame)
{
	return pfn_to_page(r->base_pfn + frame);
}

/* ---- allocation ---------------------------------------------------------- */

static int __contig_check_args(const struct contig_region *r, size_t size,
			       size_t align, unsigned int kind,
			       unsigned int flags)
{
	if (!size) {
		pr_info_ratelimited("alloc: size 0 refused\n");
		return -EINVAL;
	}
	if (kind > CONTIG_KIND_MAX) {
		pr_info_ratelimited("alloc: unknown kind %u\n", kind);
		return -EINVAL;
	}
	if (kind == CONTIG_KIND_MOVABLE && (flags & CONTIG_FLAG_ATOMIC)) {
		pr_info_ratelimited("alloc: MOVABLE memory cannot be allocated atomically\n");
		return -EINVAL;
	}
	if (flags & ~(CONTIG_FLAGS_USER | CONTIG_FLAG_ATOMIC)) {
		pr_info_ratelimited("alloc: unknown flags %#x\n",
				    flags & ~(CONTIG_FLAGS_USER | CONTIG_FLAG_ATOMIC));
		return -EINVAL;
	}
	if (align && (!is_power_of_2(align) || align > r->size)) {
		pr_info_ratelimited("alloc: alignment %#zx is not a power of two no larger than the region\n",
				    align);
		return -EINVAL;
	}
	if (kind == CONTIG_KIND_MOVABLE && align > PAGE_SIZE) {
		pr_info_ratelimited("alloc: MOVABLE memory moves a page at a time: alignment %#zx refused (0 or PAGE_SIZE only)\n",
				    align);
		return -EINVAL;
	}
	if (kind == CONTIG_KIND_MOVABLE && r->id) {
		pr_info_ratelimited("alloc: region %u (%s) has no movable memory: MOVABLE buffers come from region 0\n",
				    r->id, r->name);
		return -EINVAL;
	}
	if (size > r->size) {
		pr_info_ratelimited("alloc: %zu bytes is more than the whole region (%llu bytes)\n",
				    size, r->size);
		return -ENOMEM;
	}
	if ((flags & CONTIG_FLAG_WC) && !IS_ENABLED(CONFIG_X86)) {
		pr_info_ratelimited("alloc: write-combined buffers are only implemented on x86\n");
		return -EOPNOTSUPP;
	}
	if ((flags & CONTIG_FLAG_WC) &&
	    (kind == CONTIG_KIND_MOVABLE || !r->linear)) {
		/* x86 PAT would silently turn a WC PFN mapping into WB. */
		pr_info_ratelimited("alloc: write-combined user mappings need struct-page mappings: %s\n",
				    kind == CONTIG_KIND_MOVABLE ?
				    "MOVABLE buffers are PFN-mapped" :
				    "the region is not in the kernel's linear map");
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * contig_alloc_check() - would contig_alloc() accept these arguments?
 * @r:     the region asked for, or NULL (-ENODEV).
 * @size:  as contig_alloc().
 * @align: as contig_alloc().
 * @kind:  as contig_alloc().
 * @flags: as contig_alloc().
 *
 * Lets a caller refuse a bad request before doing anything else.
 *
 * Context: any.
 * Return: 0, or the error contig_alloc() would return for the arguments
 * alone (-EINVAL, -ENOMEM for more than the region, -EOPNOTSUPP, -ENODEV).
 */
int contig_alloc_check(struct contig_region *r, size_t size, size_t align,
		       unsigned int kind, unsigned int flags)
{
	if (!r)
		return -ENODEV;
	return __contig_check_args(r, size, align, kind, flags);
}

/* Append a chunk, growing the array by doubling. */
static int __contig_add_chunk(struct contig_buffer *buf, unsigned long *cap,
			      unsigned long frame, unsigned long nr,
			      unsigned long zeroed, gfp_t gfp)
{
	struct contig_buf_chunk *c;

	if (buf->nr_chunks == *cap) {
		unsigned long ncap = *cap ? *cap * 2 : 8;

		c = gfpflags_allow_blocking(gfp) ?
			kvmalloc_array(ncap, sizeof(*c), gfp) :
			kmalloc_array(ncap, sizeof(*c), gfp);
		if (!c)
			return -ENOMEM;
		if (buf->nr_chunks)
			memcpy(c, buf->chunks, buf->nr_chunks * sizeof(*c));
		kvfree(buf->chunks);
		buf->chunks = c;
		*cap = ncap;
	}
	c = &buf->chunks[buf->nr_chunks];
	c->frame = frame;
	c->nr = nr;
	c->pgoff = buf->nr_chunks ? c[-1].pgoff + c[-1].nr : 0;
	c->zeroed = (buf->flags & CONTIG_FLAG_ZERO) ? zeroed : 0;
	buf->nr_chunks++;
	if (c->zeroed)
		contig_prezero_note_skipped(c->zeroed);
	return 0;
}

static void __contig_free_chunks(struct contig_buffer *buf)
{
	unsigned long i;

	if (buf->mov) {
		if (buf->frozen)
			contig_movable_unmap(buf->mov);
		contig_movable_free(buf->mov);
		buf->mov = NULL;
		buf->frozen = false;
	}
	for (i = 0; i < buf->nr_chunks; i++)
		contig_buddy_free(buf->buddy,
				  buf->chunks[i].frame - buf->buddy_base);
	buf->nr_chunks = 0;
}

/* The order of the largest block free right now, or -1 if none. */
static int __contig_largest_free_order(struct contig_buddy *b)
{
	struct contig_buddy_stats st;

	contig_buddy_get_stats(b, &st);
	if (!st.largest_free)
		return -1;
	return ilog2(st.largest_free);
}

/*
 * SG and MOVABLE: the largest block available, largest first.  Asking the
 * buddy only for orders it reports free keeps its failure counters for
 * real failures; a racing allocation just makes us step down an order.
 */
static int __contig_alloc_sg(struct contig_buffer *buf, unsigned long nr,
			     unsigned long align_frames,
			     enum contig_owner owner, unsigned int bflags,
			     gfp_t gfp)
{
	struct contig_buddy *b = buf->buddy;
	int min_order = ilog2(align_frames);
	int max_order = INT_MAX;
	unsigned long cap = 0, zeroed = 0;
	long frame;
	int order, ret;

	while (nr) {
		if (!(bflags & CONTIG_BUDDY_ATOMIC)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
		order = min3(ilog2(nr), max_order,
			     __contig_largest_free_order(b));
		if (order < min_order) {
			/*
			 * Less than one aligned block is left (the tail), or
			 * nothing large enough is free: one last try at the
			 * tail with the chunk alignment.
			 */
			if (nr >= align_frames)
				return -ENOMEM;
			frame = contig_buddy_alloc_zeroed(b, nr, align_frames,
							  owner,
							  CONTIG_POLICY_DEFAULT,
							  bflags, &zeroed);
			if (frame < 0)
				return frame;
			ret = __contig_add_chunk(buf, &cap,
						 buf->buddy_base + frame, nr,
						 zeroed, gfp);
			if (ret) {
				contig_buddy_free(b, frame);
				return ret;
			}
			return 0;
		}
		frame = contig_buddy_alloc_zeroed(b, 1UL << order, 1UL << order,
						  owner, CONTIG_POLICY_DEFAULT,
						  bflags, &zeroed);
		if (frame < 0) {
			if (frame != -ENOMEM)
				return frame;
			max_order = order - 1;	/* raced: step down */
			continue;
		}
		ret = __contig_add_chunk(buf, &cap, buf->buddy_base + frame,
					 1UL << order, zeroed, gfp);
		if (ret) {
			contig_buddy_free(b, frame);
			return ret;
		}
		nr -= 1UL << order;
		max_order = order;
	}
	return 0;
}

/*
 * Fold what the lend path found (@lr) into @rep: its windows first, then
 * those of the region's own memory that are not merely lent (the lent
 * ones are @lr's, told better); its counts when the region's own windows
 * were not judged.
 */
static void __contig_merge_lend_report(struct contig_alloc_report *rep,
				       const struct contig_alloc_report *lr)
{
	struct contig_window_report own[CONTIG_REPORT_WINDOWS];
	unsigned int i, n_own = rep->nr_reported;

	if (!lr->nr_windows)
		return;
	memcpy(own, rep->windows, sizeof(own));
	memcpy(rep->windows, lr->windows, sizeof(rep->windows));
	rep->nr_reported = lr->nr_reported;
	for (i = 0; i < n_own && rep->nr_reported < CONTIG_REPORT_WINDOWS; i++)
		if (own[i].holder != CONTIG_HOLDER_LENT)
			rep->windows[rep->nr_reported++] = own[i];
	if (!rep->nr_windows) {
		rep->nr_windows = lr->nr_windows;
		rep->nr_blocked = lr->nr_blocked;
	}
}

/*
 * CONTIGUOUS: a free block, or else (when the caller may sleep, and in the
 * region, not in an arena) a window of lent memory taken back from the
 * kernel (lend.c), or a window emptied by moving movable memory out of it
 * (migrate.c).  A zeroing request looks first in lend.c's zeroed reserve,
 * whose frames need no clearing; a block of the buddy tells how many of
 * its first frames the background clearing got to (prezero.c), and those
 * need none either (the chunk's zeroed).
 */
static int __contig_alloc_contiguous(struct contig_buffer *buf,
				     unsigned long nr,
				     unsigned long align_frames,
				     unsigned int bflags, gfp_t gfp,
				     struct contig_alloc_report *rep)
{
	struct contig_buddy *b = buf->buddy;
	bool in_region = b == &buf->region->buddy;
	struct contig_alloc_report lr = { };
	unsigned long cap = 0, start, zeroed = 0;
	bool claimed = false;
	long frame, lent = 0;
	int ret;

	frame = -ENOMEM;
	if ((buf->flags & CONTIG_FLAG_ZERO) && in_region &&
	    !(bflags & CONTIG_BUDDY_ATOMIC))
		frame = contig_lend_take_zeroed(buf->region, nr, align_frames,
						CONTIG_OWNER_UNMOVABLE,
						&zeroed);
	if (frame < 0)
		frame = contig_buddy_alloc_zeroed(b, nr, align_frames,
						  CONTIG_OWNER_UNMOVABLE,
						  CONTIG_POLICY_DEFAULT, bflags,
						  &zeroed);
	/* Lent memory first (the kernel's pages move), then our own. */
	if (frame == -ENOMEM && in_region && !(bflags & CONTIG_BUDDY_ATOMIC)) {
		/* Zeroing: cleared as it is taken, not after (lend.c). */
		if (buf->flags & CONTIG_FLAG_ZERO)
			lent = contig_lend_take_clear(buf->region, nr,
						      align_frames,
						      CONTIG_OWNER_UNMOVABLE,
						      &start, &claimed, &lr);
		else
			lent = contig_lend_take(buf->region, nr, align_frames,
						&start, &lr);
		/*
		 * Else the window taken, free in contig's buddy now; should
		 * another allocation claim part of it first, any block.
		 */
		if (lent > 0 && claimed)
			frame = start;
		else if (lent > 0)
			frame = contig_buddy_alloc_range(b, start, nr,
							 CONTIG_OWNER_UNMOVABLE);
		if (lent > 0 && frame < 0)
			frame = contig_buddy_alloc(b, nr, align_frames,
						   CONTIG_OWNER_UNMOVABLE,
						   CONTIG_POLICY_DEFAULT,
						   bflags);
	}
	if (frame == -ENOMEM && in_region && !(bflags & CONTIG_BUDDY_ATOMIC)) {
		frame = contig_migrate_alloc(buf->region, nr, align_frames,
					     CONTIG_OWNER_UNMOVABLE, rep, false);
		/*
		 * Lent memory held by a page reference (a pin) is busy, as
		 * contig's own pinned memory is: the caller may retry.
		 */
		if (frame == -ENOMEM && lent == -EBUSY)
			frame = -EBUSY;
		if (rep && frame < 0 && !rep->move_bytes)
			rep->move_bytes = lr.move_bytes;
	} else if (rep) {
		struct contig_buddy_stats st;

		/*
		 * What the migration path reports too: the largest left (in
		 * an arena, the arena's), and the kernel's bytes moved.
		 */
		contig_buddy_get_stats(b, &st);
		rep->largest_free = (u64)st.largest_free << PAGE_SHIFT;
		rep->move_bytes = lr.move_bytes;
	}
	if (rep)
		__contig_merge_lend_report(rep, &lr);
	if (frame < 0)
		return frame;
	ret = __contig_add_chunk(buf, &cap, buf->buddy_base + frame, nr,
				 zeroed, gfp);
	if (ret)
		contig_buddy_free(b, frame);
	else if (claimed)
		buf->chunks[0].zeroed = nr;	/* on the spot: no prezero skip */
	return ret;
}

/* The frames of a buffer of any kind; nothing is held on failure but chunks. */
static int __contig_alloc_kind(struct contig_buffer *buf, unsigned long nr,
			       unsigned long align_frames, unsigned int bflags,
			       gfp_t gfp, struct contig_alloc_report *rep)
{
	int ret;

	switch (buf->kind) {
	case CONTIG_KIND_MOVABLE:
		buf->mov = contig_movable_alloc(buf->size,
						buf->flags & CONTIG_FLAG_ZERO);
		ret = IS_ERR(buf->mov) ? PTR_ERR(buf->mov) : 0;
		if (ret)
			buf->mov = NULL;
		return ret;
	case CONTIG_KIND_CONTIGUOUS:
		return __contig_alloc_contiguous(buf, nr, align_frames, bflags,
						 gfp, rep);
	default:
		return __contig_alloc_sg(buf, nr, align_frames,
					 CONTIG_OWNER_UNMOVABLE, bflags, gfp);
	}
}

static int __contig_build_sgt(struct contig_buffer *buf, gfp_t gfp)
{
	const struct contig_region *r = buf->region;
	struct scatterlist *sg;
	unsigned long i, ents = 0;
	int ret;

	for (i = 0; i < buf->nr_chunks; i++)
		ents += DIV_ROUND_UP(buf->chunks[i].nr << PAGE_SHIFT,
				     CONTIG_SG_MAX);
	if (ents > UINT_MAX)
		return -ENOMEM;
	ret = sg_alloc_table(&buf->sgt, ents, gfp);
	if (ret)
		return ret;
	sg = buf->sgt.sgl;
	for (i = 0; i < buf->nr_chunks; i++) {
		unsigned long frame = buf->chunks[i].frame;
		size_t left = (size_t)buf->chunks[i].nr << PAGE_SHIFT;

		while (left) {
			size_t len = min_t(size_t, left, CONTIG_SG_MAX);

			sg_set_page(sg, __contig_frame_page(r, frame), len, 0);
			frame += len >> PAGE_SHIFT;
			left -= len;
			sg = sg_next(sg);
		}
	}
	return 0;
}

/* Write back and invalidate a range of the write-back region mapping. */
static void __contig_clflush(void *addr, size_t len)
{
#ifdef CONFIG_X86
	while (len) {
		unsigned int n = min_t(size_t, len, SZ_1G);

		clflush_cache_range(addr, n);
		addr += n;
		len -= n;
	}
#endif
}

static void __contig_prepare_memory(struct contig_buffer *buf)
{
	const struct contig_region *r = buf->region;
	unsigned long i;

	for (i = 0; i < buf->nr_chunks; i++) {
		void *va = contig_frame_to_virt(r, buf->chunks[i].frame);
		size_t len = (size_t)buf->chunks[i].nr << PAGE_SHIFT;

		/* On several CPUs when large (zero.c). */
		if (buf->flags & CONTIG_FLAG_ZERO) {
			size_t off = (size_t)buf->chunks[i].zeroed << PAGE_SHIFT;

			if (off < len)
				contig_zero(va + off, len - off,
					    !(buf->flags & CONTIG_FLAG_ATOMIC));
		}
		if (buf->flags & CONTIG_FLAG_WC)
			__contig_clflush(va, len);
		if (!(buf->flags & CONTIG_FLAG_ATOMIC))
			cond_resched();
	}
}

/**
 * contig_alloc() - allocate a buffer from the region.
 * @size:  bytes, rounded up to whole pages.
 * @align: byte alignment of a CONTIGUOUS buffer's physical address, a power
 *         of two, 0 for page alignment; for SG, of every chunk; for
 *         MOVABLE, 0 or PAGE_SIZE only (its pages move one at a time).
 * @kind:  CONTIG_KIND_CONTIGUOUS, CONTIG_KIND_SG or CONTIG_KIND_MOVABLE.
 * @flags: CONTIG_FLAG_* from <uapi/contig.h>: ZERO to zero the memory, WC
 *         for write-combined user and kernel mappings, ATOMIC when the
 *         caller cannot sleep.
 *
 * The caller holds one reference; drop it with contig_put().  A failure
 * logs one line and changes nothing but the failure counter.
 *
 * Context: process context, may sleep; any context with CONTIG_FLAG_ATOMIC.
 * Return: the buffer, or ERR_PTR(-EINVAL) for a bad argument,
 * ERR_PTR(-ENOMEM) when the region cannot serve it now, ERR_PTR(-ENODEV)
 * when no region is loaded, ERR_PTR(-EOPNOTSUPP) for WC where it is not
 * implemented, ERR_PTR(-EINTR) when a fatal signal interrupted it.
 */
struct contig_buffer *contig_alloc(size_t size, size_t align,
				   unsigned int kind, unsigned int flags)
{
	return contig_alloc_ex(size, align, kind, flags, NULL);
}
EXPORT_SYMBOL_NS_GPL(contig_alloc, CONTIG);

/* contig_alloc_query_at() without its report->result. */
static int __contig_alloc_query(struct contig_region *r, size_t size,
				size_t align,
				struct contig_alloc_report *report)
{
	unsigned long nr, align_frames;
	int ret;

	if (!r)
		return -ENODEV;
	ret = __contig_check_args(r, size, align, CONTIG_KIND_CONTIGUOUS, 0);
	if (ret)
		return ret;
	nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	align_frames = max_t(size_t, align >> PAGE_SHIFT, 1);
	ret = contig_migrate_alloc(r, nr, align_frames, CONTIG_OWNER_UNMOVABLE,
				   report, true);
	if (ret == -ENOMEM || ret == -EBUSY) {
		struct contig_alloc_report lr = { };
		int lret = contig_lend_judge(r, nr, align_frames, &lr);

		if (!lr.nr_windows)
			return ret;
		/* As a request would: lent memory first, then our own. */
		__contig_merge_lend_report(report, &lr);
		if (!lret || !report->move_bytes)
			report->move_bytes = lr.move_bytes;
		if (!lret || lret == -EBUSY)
			ret = lret;
	}
	return ret;
}

/**
 * contig_alloc_query() - would a CONTIGUOUS request succeed now?
 * @size:   bytes, rounded up to whole pages.
 * @align:  byte alignment, a power of two, 0 for page alignment.
 * @report: filled in: the windows that could not be emptied and why, the
 *          largest free block, and in @report->move_bytes the bytes of
 *          movable memory that would move (with lend=1, of the kernel's
 *          pages in the lent window that would be taken).
 *
 * A dry run: nothing is allocated or moved, and the answer may be stale by
 * the time it is read.  Lent memory is judged as a request would take it:
 * from the kernel's page state (pinned and unmovable pages, and whether
 * the kernel has room elsewhere for the pages in use).
 *
 * Context: process context, may sleep.
 * Return: 0 if the request would succeed, -EBUSY when only pinned memory
 * is in the way, -ENOMEM otherwise (a size beyond the region included),
 * -EINVAL for a bad argument, -ENODEV without a region; @report->result
 * says the same.
 */
int contig_alloc_query(size_t size, size_t align,
		       struct contig_alloc_report *report)
{
	return contig_alloc_query_at(contig_default_region(), size, align,
				     report);
}
EXPORT_SYMBOL_NS_GPL(contig_alloc_query, CONTIG);

/**
 * contig_alloc_query_at() - contig_alloc_query() in a given region.
 * @r:      the region, or NULL (-ENODEV).
 * @size:   as contig_alloc_query().
 * @align:  as contig_alloc_query().
 * @report: as contig_alloc_query().
 *
 * Context: process context, may sleep.
 * Return: as contig_alloc_query().
 */
int contig_alloc_query_at(struct contig_region *r, size_t size, size_t align,
			  struct contig_alloc_report *report)
{
	memset(report, 0, sizeof(*report));
	/* Whatever refused it, early checks included, the report says so. */
	report->result = __contig_alloc_query(r, size, align, report);
	return report->result;
}

CONTIG_EXPORT_FOR_TESTS(contig_alloc_query_at);

/**
 * contig_alloc_ex() - contig_alloc(), with a report.
 * @size:   as contig_alloc().
 * @align:  as contig_alloc().
 * @kind:   as contig_alloc().
 * @flags:  as contig_alloc().
 * @report: NULL, or filled in for a CONTIGUOUS request that needed
 *          migration (served or not): the windows that could not be
 *          emptied and what blocked them, the largest free block, the
 *          bytes moved (or that would have needed moving); for one
 *          served from a free block, only the largest free block left;
 *          zeroed otherwise, with @report->result set.
 *
 * Context: process context, may sleep; any context with CONTIG_FLAG_ATOMIC
 * (which never migrates).
 * Return: as contig_alloc(), and ERR_PTR(-EBUSY) when the memory in the
 * way of a CONTIGUOUS request is pinned.
 */
struct contig_buffer *contig_alloc_ex(size_t size, size_t align,
				      unsigned int kind, unsigned int flags,
				      struct contig_alloc_report *report)
{
	return contig_alloc_in(NULL, size, align, kind, flags, report);
}
EXPORT_SYMBOL_NS_GPL(contig_alloc_ex, CONTIG);

/**
 * contig_alloc_from() - contig_alloc(), from a region named in region=.
 * @region: the region's name (SIZE@BASE:NAME in region=, else
 *          "region<index>"); NULL for the default region, the first.
 * @size:   as contig_alloc().
 * @align:  as contig_alloc().
 * @kind:   CONTIG_KIND_CONTIGUOUS or CONTIG_KIND_SG; also
 *          CONTIG_KIND_MOVABLE from the default region, which alone holds
 *          movable memory (-EINVAL elsewhere).
 * @flags:  as contig_alloc().
 *
 * For a driver whose device has a region of its own: its buffers come
 * from there and nowhere else.  A region other than the first is not lent
 * to the kernel, so what it serves is only what is free in it.
 *
 * Context: as contig_alloc().
 * Return: as contig_alloc(), and ERR_PTR(-ENODEV) when no region has that
 * name.
 */
struct contig_buffer *contig_alloc_from(const char *region, size_t size,
					size_t align, unsigned int kind,
					unsigned int flags)
{
	struct contig_region *r = contig_region_find(region);

	if (!r && region)
		pr_info_ratelimited("alloc: no region named \"%s\"\n", region);
	return contig_alloc_at(r, NULL, size, align, kind, flags, NULL);
}
EXPORT_SYMBOL_NS_GPL(contig_alloc_from, CONTIG);

/**
 * contig_alloc_dev() - contig_alloc(), from the region of a device.
 * @dev:    the device the buffer is for.
 * @size:   as contig_alloc().
 * @align:  as contig_alloc().
 * @kind:   as contig_alloc_from().
 * @flags:  as contig_alloc().
 *
 * From the region @dev's device-tree "memory-region" names (its first
 * entry that is one of contig's regions), or the default region when @dev
 * has no memory-region: a driver asks for its device's memory and the
 * device tree says where that is, as the kernel's own reserved-memory
 * devices do (of_reserved_mem_device_init()).  The buffer is not mapped
 * for @dev: contig_map() does that.
 *
 * Context: as contig_alloc().
 * Return: as contig_alloc_from(); ERR_PTR(-ENODEV) when @dev's
 * memory-region entries name no region of contig's, ERR_PTR(-EINVAL) when
 * @dev is NULL, each with a dmesg line.
 */
struct contig_buffer *contig_alloc_dev(struct device *dev, size_t size,
				       size_t align, unsigned int kind,
				       unsigned int flags)
{
	struct contig_region *r;
	int ret;

	if (!dev) {
		pr_info_ratelimited("alloc: %s() without a device\n", __func__);
		return ERR_PTR(-EINVAL);
	}
	ret = contig_region_of_dev(dev, &r);
	if (ret)
		return ERR_PTR(ret);
	return contig_alloc_at(r, NULL, size, align, kind, flags, NULL);
}
EXPORT_SYMBOL_NS_GPL(contig_alloc_dev, CONTIG);

/**
 * contig_alloc_in() - contig_alloc_ex(), from an arena of the default
 * region.
 * @arena:  as contig_alloc_at().
 * @size:   as contig_alloc().
 * @align:  as contig_alloc_at().
 * @kind:   as contig_alloc().
 * @flags:  as contig_alloc().
 * @report: as contig_alloc_at().
 *
 * Context: as contig_alloc_ex().
 * Return: as contig_alloc_at().
 */
struct contig_buffer *contig_alloc_in(struct contig_arena *arena, size_t size,
				      size_t align, unsigned int kind,
				      unsigned int flags,
				      struct contig_alloc_report *report)
{
	return contig_alloc_at(contig_default_region(), arena, size, align,
			       kind, flags, report);
}

CONTIG_EXPORT_FOR_TESTS(contig_alloc_in);

/**
 * contig_alloc_at() - contig_alloc_ex(), from a region or an arena.
 * @r:      the region, or NULL (-ENODEV).
 * @arena:  NULL for the region, or the arena (arena.c, in the default
 *          region @r) to carve a
 *          CONTIGUOUS or SG buffer from; the caller keeps it alive until
 *          the buffer's release callback has run.  MOVABLE memory always
 *          comes from the region.
 * @size:   as contig_alloc().
 * @align:  as contig_alloc(); at most the arena's size.
 * @kind:   as contig_alloc().
 * @flags:  as contig_alloc().
 * @report: as contig_alloc_ex(); from an arena, @report->largest_free is
 *          the arena's.
 *
 * Context: as contig_alloc_ex().
 * Return: as contig_alloc_ex(); from an arena, ERR_PTR(-ENOMEM) when no
 * free block of the arena serves a CONTIGUOUS request (nothing moves).
 */
struct contig_buffer *contig_alloc_at(struct contig_region *r,
				      struct contig_arena *arena, size_t size,
				      size_t align, unsigned int kind,
				      unsigned int flags,
				      struct contig_alloc_report *report)
{
	struct contig_alloc_report *rep = NULL;
	bool atomic = flags & CONTIG_FLAG_ATOMIC;
	gfp_t gfp = atomic ? GFP_ATOMIC : CONTIG_GFP_REQUEST;
	unsigned int bflags = atomic ? CONTIG_BUDDY_ATOMIC : 0;
	struct contig_buffer *buf;
	unsigned long nr, align_frames, irqflags;
	int ret;

	if (report)
		memset(report, 0, sizeof(*report));
	ret = r ? __contig_check_args(r, size, align, kind, flags) : -ENODEV;
	if (!ret && arena && r->id) {
		pr_info_ratelimited("alloc: arenas are carved from region 0 only\n");
		ret = -EINVAL;
	}
	if (ret) {
		if (report)
			report->result = ret;
		return ERR_PTR(ret);
	}
	nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	align_frames = max_t(size_t, align >> PAGE_SHIFT, 1);

	buf = kzalloc(sizeof(*buf), gfp);
	if (!buf) {
		ret = -ENOMEM;
		goto count_failure;
	}
	kref_init(&buf->ref);
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	INIT_LIST_HEAD(&buf->node);
	buf->region = r;
	buf->buddy = arena && kind != CONTIG_KIND_MOVABLE ? &arena->buddy :
							     &r->buddy;
	buf->buddy_base = buf->buddy == &r->buddy ? 0 : arena->base;
	buf->size = nr << PAGE_SHIFT;
	buf->kind = kind;
	buf->flags = flags;

	if (kind == CONTIG_KIND_CONTIGUOUS && !atomic) {
		rep = report ?: kzalloc(sizeof(*rep), CONTIG_GFP_REQUEST);
		if (!rep) {
			ret = -ENOMEM;
			goto free_chunks;
		}
	}
	ret = __contig_alloc_kind(buf, nr, align_frames, bflags, gfp, rep);
	if (ret == -ENOMEM && kind != CONTIG_KIND_CONTIGUOUS && !atomic &&
	    buf->buddy == &r->buddy &&
	    contig_lend_take(r, nr, align_frames, NULL, NULL) > 0) {
		/* Frames taken back from the kernel: once more, from scratch. */
		__contig_free_chunks(buf);
		ret = __contig_alloc_kind(buf, nr, align_frames, bflags, gfp,
					  rep);
	}
	if (ret)
		goto free_chunks;
	ret = kind == CONTIG_KIND_MOVABLE ? 0 : __contig_build_sgt(buf, gfp);
	if (ret)
		goto free_chunks;
	__contig_prepare_memory(buf);

	buf->flags &= ~CONTIG_FLAG_ATOMIC;
	buf->id = atomic64_inc_return(&contig_next_id);
	buf->pid = in_task() ? task_tgid_nr(current) : 0;
	get_task_comm(buf->comm, in_task() ? current : &init_task);
	spin_lock_irqsave(&contig_buffers_lock, irqflags);
	list_add_tail(&buf->node, &contig_buffers);
	contig_counters[r->id].kinds[kind].bytes += buf->size;
	contig_counters[r->id].kinds[kind].buffers++;
	contig_counters[r->id].allocs++;
	spin_unlock_irqrestore(&contig_buffers_lock, irqflags);
	if (rep != report)
		kfree(rep);
	trace_contig_buffer_alloc(buf->id, kind, buf->size,
				  buf->nr_chunks ? r->base_pfn +
				  buf->chunks[0].frame : 0, 0);
	return buf;

free_chunks:
	if (rep && rep->nr_windows) {
		rep->result = ret;
		contig_migrate_report_log(rep, nr, align_frames);
	} else if (ret == -ENOMEM) {
		struct contig_buddy_stats st;

		contig_buddy_get_stats(buf->buddy, &st);
		pr_info_ratelimited("alloc: %s %zu KiB (align %zu KiB) refused: %s (free %lu KiB, largest free block %lu KiB%s)\n",
				    contig_kind_name(kind), size >> 10,
				    (align_frames << PAGE_SHIFT) >> 10,
				    kind == CONTIG_KIND_CONTIGUOUS ?
				    "no free block large enough" :
				    "not enough free memory",
				    (unsigned long)st.free_frames << (PAGE_SHIFT - 10),
				    (unsigned long)st.largest_free << (PAGE_SHIFT - 10),
				    buf->buddy == &r->buddy ? "" :
				    " in the caller's arena");
	} else if (ret != -EINTR) {
		pr_info_ratelimited("alloc: %s %zu KiB failed (%d)\n",
				    contig_kind_name(kind), size >> 10, ret);
	}
	__contig_free_chunks(buf);
	kvfree(buf->chunks);
	kfree(buf);
	if (rep != report)
		kfree(rep);
count_failure:
	trace_contig_buffer_alloc(0, kind, size, 0, ret);
	if (report)
		report->result = ret;
	if (ret == -ENOMEM) {
		spin_lock_irqsave(&contig_buffers_lock, irqflags);
		contig_counters[r->id].failed_nomem++;
		spin_unlock_irqrestore(&contig_buffers_lock, irqflags);
	}
	return ERR_PTR(ret);
}

CONTIG_EXPORT_FOR_TESTS(contig_alloc_at);

/**
 * contig_get() - take a reference on a buffer.
 * @buf: a buffer the caller holds a reference on.
 *
 * Context: any.
 * Return: @buf.
 */
struct contig_buffer *contig_get(struct contig_buffer *buf)
{
	kref_get(&buf->ref);
	return buf;
}
EXPORT_SYMBOL_NS_GPL(contig_get, CONTIG);

/* ---- release and quarantine ---------------------------------------------- */

/*
 * Does anyone but us still hold a page of @buf (a pin, a pipe, a bio)?
 * Reads reference counts only, with no lock; reschedules between chunks.
 * Context: process context, no spinlock held.
 */
static bool __contig_buffer_pages_busy(const struct contig_buffer *buf)
{
	const struct contig_region *r = buf->region;
	unsigned long i, j;

	for (i = 0; i < buf->nr_chunks; i++) {
		unsigned long frame = buf->chunks[i].frame;

		for (j = 0; j < buf->chunks[i].nr; j++)
			if (page_ref_count(__contig_frame_page(r, frame + j)) != 1)
				return true;
		cond_resched();
	}
	return false;
}

/* Return the memory and the metadata.  Context: process context. */
static void __contig_buffer_free(struct contig_buffer *buf)
{
	unsigned long nr = buf->size >> PAGE_SHIFT;

	trace_contig_buffer_free(buf->id, buf->kind, buf->size);
	if (buf->flags & CONTIG_FLAG_WC) {
		unsigned long i;

		/* Lines the WB alias may have fetched must not outlive us. */
		for (i = 0; i < buf->nr_chunks; i++)
			__contig_clflush(contig_frame_to_virt(buf->region,
							      buf->chunks[i].frame),
					 buf->chunks[i].nr << PAGE_SHIFT);
	}
	__contig_free_chunks(buf);
	contig_migrate_freed(nr);
	contig_lend_freed();
	if (buf->on_release.fn)
		buf->on_release.fn(buf->on_release.data, buf->size);
	sg_free_table(&buf->sgt);
	kvfree(buf->chunks);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

static void __contig_buffer_release(struct kref *ref)
{
	struct contig_buffer *buf = container_of(ref, struct contig_buffer, ref);
	bool busy = __contig_buffer_pages_busy(buf);
	struct contig_buffer_counters *c;
	unsigned long irqflags;

	if (buf->vmapped)
		vunmap(buf->vaddr);
	buf->vaddr = NULL;

	spin_lock_irqsave(&contig_buffers_lock, irqflags);
	list_del(&buf->node);
	c = &contig_counters[buf->region->id];
	c->kinds[buf->kind].bytes -= buf->size;
	c->kinds[buf->kind].buffers--;
	c->frees++;
	if (busy) {
		list_add_tail(&buf->node, &contig_quarantine);
		c->quarantined += buf->size;
	}
	spin_unlock_irqrestore(&contig_buffers_lock, irqflags);

	if (!busy) {
		__contig_buffer_free(buf);
		return;
	}
	/* The work item runs module code until the quarantine is empty. */
	__module_get(THIS_MODULE);
	pr_info_ratelimited("buffer %llu (%zu KiB) released while its pages are still referenced (pinned or spliced): quarantined until they are let go\n",
			    buf->id, buf->size >> 10);
	mod_delayed_work(system_wq, &contig_quarantine_work,
			 CONTIG_QUARANTINE_DELAY);
}

static void __contig_quarantine_scan(struct work_struct *work)
{
	struct contig_buffer *buf, *tmp;
	unsigned long irqflags;
	LIST_HEAD(done);
	bool more;

	/* Take the quarantine aside: O(1) with interrupts off. */
	spin_lock_irqsave(&contig_buffers_lock, irqflags);
	list_splice_init(&contig_quarantine, &contig_quarantine_scanning);
	spin_unlock_irqrestore(&contig_buffers_lock, irqflags);

	/*
	 * Only this work item (never run twice at once) takes buffers off the
	 * scanning list, so it walks it unlocked; readers hold the lock.
	 */
	list_for_each_entry_safe(buf, tmp, &contig_quarantine_scanning, node) {
		if (__contig_buffer_pages_busy(buf))
			continue;
		spin_lock_irqsave(&contig_buffers_lock, irqflags);
		list_move_tail(&buf->node, &done);
		spin_unlock_irqrestore(&contig_buffers_lock, irqflags);
	}

	spin_lock_irqsave(&contig_buffers_lock, irqflags);
	list_splice_tail_init(&contig_quarantine_scanning, &contig_quarantine);
	more = !list_empty(&contig_quarantine);
	spin_unlock_irqrestore(&contig_buffers_lock, irqflags);

	if (more)
		schedule_delayed_work(&contig_quarantine_work,
				      CONTIG_QUARANTINE_DELAY);
	list_for_each_entry_safe(buf, tmp, &done, node) {
		unsigned int id = buf->region->id;
		size_t size = buf->size;

		list_del(&buf->node);
		__contig_buffer_free(buf);
		/*
		 * Out of quarantine once the memory is back: a reader that sees
		 * none quarantined sees it free.
		 */
		spin_lock_irqsave(&contig_buffers_lock, irqflags);
		contig_counters[id].quarantined -= size;
		spin_unlock_irqrestore(&contig_buffers_lock, irqflags);
		/* Not the last reference while contig_buffers_exit() waits. */
		module_put(THIS_MODULE);
	}
}

/**
 * contig_put() - drop a reference; the last one frees the buffer.
 * @buf: the buffer, or NULL or an ERR_PTR (ignored).
 *
 * The memory returns to the region at once, unless a page of it is still
 * referenced from outside (a pin, a pipe): then when that goes.
 *
 * Context: process context, may sleep.
 */
void contig_put(struct contig_buffer *buf)
{
	if (IS_ERR_OR_NULL(buf))
		return;
	kref_put(&buf->ref, __contig_buffer_release);
}
EXPORT_SYMBOL_NS_GPL(contig_put, CONTIG);

/* ---- accessors ----------------------------------------------------------- */

/**
 * contig_buffer_size() - a buffer's size.
 * @buf: the buffer.
 *
 * Context: any.
 * Return: bytes, a multiple of PAGE_SIZE.
 */
size_t contig_buffer_size(const struct contig_buffer *buf)
{
	return buf->size;
}
EXPORT_SYMBOL_NS_GPL(contig_buffer_size, CONTIG);

/**
 * contig_buffer_kind() - a buffer's kind.
 * @buf: the buffer.
 *
 * Context: any.
 * Return: CONTIG_KIND_*.
 */
unsigned int contig_buffer_kind(const struct contig_buffer *buf)
{
	return buf->kind;
}
EXPORT_SYMBOL_NS_GPL(contig_buffer_kind, CONTIG);

/**
 * contig_buffer_freeze() - pin a MOVABLE buffer where it is, for good.
 * @buf: a MOVABLE buffer.
 *
 * Gives it a kernel mapping and an sg_table of its pages as they are now;
 * a no-op once done.
 *
 * A buffer marked @pin_out (an unprivileged user's) first leaves the
 * region: its pages move to system memory and are pinned there
 * (contig_migrate_map_out()), so it never holds a frame that a CONTIGUOUS
 * request would need.
 *
 * Context: process context, @buf->lock held.
 * Return: 0, -ENOMEM, or -EBUSY (@pin_out: the memory stayed pinned by a
 * short kernel mapping of someone else).
 */
int contig_buffer_freeze(struct contig_buffer *buf)
{
	unsigned long npages = buf->size >> PAGE_SHIFT;
	struct page **pages;
	void *va;
	int ret;

	lockdep_assert_held(&buf->lock);
	if (buf->frozen)
		return 0;
	/* An unprivileged user's: pinned in system memory, not the region. */
	va = buf->pin_out ? contig_migrate_map_out(buf->mov) :
	     contig_movable_map(buf->mov);
	if (IS_ERR(va))
		return PTR_ERR(va);
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	ret = -ENOMEM;
	if (!pages)
		goto unmap;
	contig_movable_get_pages(buf->mov, pages);
	ret = sg_alloc_table_from_pages_segment(&buf->sgt, pages, npages, 0,
						buf->size, CONTIG_SG_MAX,
						GFP_KERNEL);
	kvfree(pages);
	if (ret)
		goto unmap;
	buf->vaddr = va;
	buf->vmapped = false;	/* movable.c's, undone at free */
	buf->frozen = true;
	return 0;
unmap:
	contig_movable_unmap(buf->mov);
	return ret;
}

static int __contig_freeze_locked(struct contig_buffer *buf)
{
	int ret;

	if (!buf->mov)
		return 0;
	mutex_lock(&buf->lock);
	ret = contig_buffer_freeze(buf);
	mutex_unlock(&buf->lock);
	return ret;
}

static void *__contig_vmap(struct contig_buffer *buf)
{
	const struct contig_region *r = buf->region;
	unsigned long npages = buf->size >> PAGE_SHIFT, n = 0, i, j;
	pgprot_t prot = PAGE_KERNEL;
	struct page **pages;
	void *va;

	if (buf->flags & CONTIG_FLAG_WC)
		prot = pgprot_writecombine(prot);
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	for (i = 0; i < buf->nr_chunks; i++)
		for (j = 0; j < buf->chunks[i].nr; j++)
			pages[n++] = __contig_frame_page(r,
							 buf->chunks[i].frame + j);
	va = vmap(pages, npages, VM_MAP, prot);
	kvfree(pages);
	return va;
}

/**
 * contig_buffer_vaddr() - kernel address of the whole buffer.
 * @buf: the buffer.
 *
 * A write-back CONTIGUOUS buffer is part of the region's own mapping; any
 * other is vmap()ed (write-combined for CONTIG_FLAG_WC) on the first call.
 * The address stays valid until the buffer is freed.  A MOVABLE buffer is
 * pinned where it is from then on (frozen: see the file comment).
 *
 * Context: process context, may sleep.
 * Return: the address, or ERR_PTR(-ENOMEM).
 */
void *contig_buffer_vaddr(struct contig_buffer *buf)
{
	void *va;

	mutex_lock(&buf->lock);
	if (buf->mov) {
		int ret = contig_buffer_freeze(buf);

		mutex_unlock(&buf->lock);
		if (ret)
			pr_warn_ratelimited("buffer %llu: pinning movable memory failed (%d)\n",
					    buf->id, ret);
		return ret ? ERR_PTR(ret) : buf->vaddr;
	}
	if (!buf->vaddr) {
		if (buf->kind == CONTIG_KIND_CONTIGUOUS &&
		    !(buf->flags & CONTIG_FLAG_WC)) {
			buf->vaddr = contig_frame_to_virt(buf->region,
							  buf->chunks[0].frame);
		} else {
			buf->vaddr = __contig_vmap(buf);
			buf->vmapped = buf->vaddr;
			if (!buf->vaddr)
				pr_warn_ratelimited("buffer %llu: vmap of %zu KiB failed\n",
						    buf->id, buf->size >> 10);
		}
	}
	va = buf->vaddr ?: ERR_PTR(-ENOMEM);
	mutex_unlock(&buf->lock);
	return va;
}
EXPORT_SYMBOL_NS_GPL(contig_buffer_vaddr, CONTIG);

/**
 * contig_buffer_phys() - physical address of a CONTIGUOUS buffer.
 * @buf:  the buffer.
 * @phys: the address, on success.
 *
 * Context: any.
 * Return: 0, or -EINVAL for a buffer of another kind (@phys untouched).
 */
int contig_buffer_phys(const struct contig_buffer *buf, phys_addr_t *phys)
{
	if (buf->kind != CONTIG_KIND_CONTIGUOUS)
		return -EINVAL;
	*phys = contig_frame_to_phys(buf->region, buf->chunks[0].frame);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(contig_buffer_phys, CONTIG);

/**
 * contig_buffer_sgt() - a buffer's pages as an sg_table.
 * @buf: the buffer.
 *
 * The CPU view, not DMA mapped, owned by the buffer: do not modify or
 * free it; map a copy (or use contig_map()).  One entry per chunk, chunks
 * longer than 1 GiB split.  A MOVABLE buffer is pinned where it is from
 * then on (frozen: see the file comment).
 *
 * Context: any for CONTIGUOUS and SG; process context for MOVABLE.
 * Return: the table, valid while the caller holds its reference, or
 * ERR_PTR(-ENOMEM) when a MOVABLE buffer could not be pinned.
 */
struct sg_table *contig_buffer_sgt(struct contig_buffer *buf)
{
	int ret = __contig_freeze_locked(buf);

	return ret ? ERR_PTR(ret) : &buf->sgt;
}
EXPORT_SYMBOL_NS_GPL(contig_buffer_sgt, CONTIG);

/* Undo a contig_buffer_freeze() nobody has seen yet; @buf->lock held. */
static void __contig_buffer_thaw(struct contig_buffer *buf)
{
	lockdep_assert_held(&buf->lock);
	sg_free_table(&buf->sgt);
	memset(&buf->sgt, 0, sizeof(buf->sgt));
	buf->vaddr = NULL;
	buf->frozen = false;
	contig_movable_unmap(buf->mov);
}

/**
 * contig_buffer_sgt_use() - lend the CPU table to a use that may fail.
 * @buf: the buffer.
 * @use: what to do with the table (a device mapping): 0 or -errno.
 * @arg: passed to @use.
 *
 * contig_buffer_sgt() for a device mapping: a MOVABLE buffer is frozen for
 * @use, under @buf->lock, so nothing else sees it frozen before @use has
 * returned.  If @use fails and this call is what froze it, it is thawed
 * again: its pages unpinned (their frames owned MOVABLE again), its table
 * and kernel address dropped, the buffer exactly as it was.  If @use
 * succeeds it stays frozen for good, as contig_buffer_sgt() leaves it.
 *
 * Context: process context, may sleep; @use runs under @buf->lock for a
 * MOVABLE buffer (lock 4 of the order in contig_internal.h), without it
 * for the other kinds.
 * Return: what @use returned, or -ENOMEM when a MOVABLE buffer could not
 * be pinned.
 */
int contig_buffer_sgt_use(struct contig_buffer *buf,
			  int (*use)(struct sg_table *cpu, void *arg), void *arg)
{
	bool was_frozen;
	int ret;

	if (!buf->mov)
		return use(&buf->sgt, arg);
	mutex_lock(&buf->lock);
	was_frozen = buf->frozen;
	ret = contig_buffer_freeze(buf);
	if (!ret) {
		ret = use(&buf->sgt, arg);
		if (ret && !was_frozen)
			__contig_buffer_thaw(buf);
	}
	mutex_unlock(&buf->lock);
	return ret;
}

/**
 * contig_buffer_nr_chunks() - number of physically contiguous chunks.
 * @buf: the buffer.
 *
 * For a MOVABLE buffer, where its pages are now: stale as soon as it
 * returns unless the buffer is frozen.
 *
 * Context: any for CONTIGUOUS and SG; process context for MOVABLE.
 * Return: 1 for CONTIGUOUS, >= 1 otherwise.
 */
unsigned long contig_buffer_nr_chunks(const struct contig_buffer *buf)
{
	if (buf->mov)
		return contig_movable_get_chunks(buf->mov, NULL, 0);
	return buf->nr_chunks;
}
EXPORT_SYMBOL_NS_GPL(contig_buffer_nr_chunks, CONTIG);

/**
 * contig_buffer_get_chunks() - copy out where the buffer lies.
 * @buf: the buffer.
 * @out: room for @n chunks.
 * @n:   entries at @out.
 *
 * A MOVABLE buffer's chunks change as its pages move: the count returned
 * and the entries written are of one moment, which contig_buffer_nr_chunks()
 * called before may not be.
 *
 * Context: process context.
 * Return: the number of chunks; min(@n, that) entries were written.
 */
unsigned long contig_buffer_get_chunks(struct contig_buffer *buf,
				       struct contig_chunk *out,
				       unsigned long n)
{
	unsigned long i;

	/* MOVABLE: where its pages are now, in physically contiguous runs. */
	if (buf->mov)
		return contig_movable_get_chunks(buf->mov, out, n);
	n = min(n, buf->nr_chunks);	/* chunks never change: no lock */
	for (i = 0; i < n; i++) {
		out[i].phys = contig_frame_to_phys(buf->region,
						   buf->chunks[i].frame);
		out[i].size = (u64)buf->chunks[i].nr << PAGE_SHIFT;
	}
	return buf->nr_chunks;
}

CONTIG_EXPORT_FOR_TESTS(contig_buffer_get_chunks);

/**
 * contig_buffer_flags() - the CONTIG_FLAG_* a buffer has.
 * @buf: the buffer.
 *
 * Context: any.
 * Return: the flags (never CONTIG_FLAG_ATOMIC).
 */
unsigned int contig_buffer_flags(const struct contig_buffer *buf)
{
	return buf->flags;
}

/**
 * contig_buffer_id() - a buffer's id.
 * @buf: the buffer.
 *
 * Context: any.
 * Return: the id, unique since load.
 */
u64 contig_buffer_id(const struct contig_buffer *buf)
{
	return buf->id;
}

CONTIG_EXPORT_FOR_TESTS(contig_buffer_id);

/**
 * contig_buffer_region_id() - the id of the region a buffer is in.
 * @buf: the buffer.
 *
 * Context: any.
 * Return: its region's place in region=, 0 for the default region.
 */
unsigned int contig_buffer_region_id(const struct contig_buffer *buf)
{
	return buf->region->id;
}

CONTIG_EXPORT_FOR_TESTS(contig_buffer_region_id);

/* ---- statistics ---------------------------------------------------------- */

/**
 * contig_buffer_get_stats() - contig_buffer_get_region_stats() of the
 * default region.
 * @st: as contig_buffer_get_region_stats().
 *
 * Context: process context.
 */
void contig_buffer_get_stats(struct contig_stats_data *st)
{
	contig_buffer_get_region_stats(contig_default_region(), st);
}

CONTIG_EXPORT_FOR_TESTS(contig_buffer_get_stats);

/**
 * contig_buffer_get_region_stats() - fill in what STATS reports of a region
 * and its buffers.
 * @r:  the region, or NULL (nothing is filled in).
 * @st: zeroed by the caller; every out field this file knows (the
 *      caller adds the refusals it made itself).
 *
 * Context: process context.
 */
void contig_buffer_get_region_stats(struct contig_region *r,
				    struct contig_stats_data *st)
{
	struct contig_buffer_counters c;
	struct contig_buddy_stats bst;
	unsigned long irqflags;

	if (!r)
		return;
	contig_buddy_get_stats(&r->buddy, &bst);
	spin_lock_irqsave(&contig_buffers_lock, irqflags);
	c = contig_counters[r->id];
	spin_unlock_irqrestore(&contig_buffers_lock, irqflags);
	st->region_size = r->size;
	st->free = (u64)bst.free_frames << PAGE_SHIFT;
	st->largest_free = (u64)bst.largest_free << PAGE_SHIFT;
	st->nr_kinds = CONTIG_NR_KINDS;
	memcpy(st->kinds, c.kinds, sizeof(st->kinds));
	st->quarantined = c.quarantined;
	st->allocs = c.allocs;
	st->frees = c.frees;
	st->failed_nomem = c.failed_nomem;
}

CONTIG_EXPORT_FOR_TESTS(contig_buffer_get_region_stats);

/* ---- views ---------------------------------------------------------------- */

static void __contig_show_buffer(struct seq_file *m, struct contig_buffer *buf,
				 const char *state)
{
	seq_printf(m, "%6llu %-10s %10zu %7lu %4u %-3s %-11s %7d %s\n",
		   buf->id, contig_kind_name(buf->kind), buf->size,
		   buf->nr_chunks, kref_read(&buf->ref),
		   buf->flags & CONTIG_FLAG_WC ? "wc" : "wb", state,
		   buf->pid, buf->comm);
}

/**
 * contig_buffers_show() - the "buffers" debugfs file: every live and
 * quarantined buffer.
 * @m:      the seq_file.
 * @unused: unused.
 *
 * Context: process context.
 * Return: 0.
 */
int contig_buffers_show(struct seq_file *m, void *unused)
{
	struct contig_buffer *buf;
	unsigned long irqflags;

	struct contig_region *r = contig_default_region();

	seq_printf(m, "# user mappings: %s\n",
		   r && r->linear ? "pages" : "pfn");
	seq_puts(m, "    id kind             bytes  chunks refs map state           pid comm\n");
	spin_lock_irqsave(&contig_buffers_lock, irqflags);
	list_for_each_entry(buf, &contig_buffers, node)
		__contig_show_buffer(m, buf, buf->dmabuf ? "dma-buf" : "kernel");
	list_for_each_entry(buf, &contig_quarantine, node)
		__contig_show_buffer(m, buf, "quarantined");
	list_for_each_entry(buf, &contig_quarantine_scanning, node)
		__contig_show_buffer(m, buf, "quarantined");
	spin_unlock_irqrestore(&contig_buffers_lock, irqflags);
	return 0;
}

/**
 * contig_buffer_is_pfn_mapped() - are user mappings of @buf PFN maps?
 * @buf: the buffer.
 *
 * MOVABLE buffers always are, others when the region is not in the linear
 * map (see the file comment).
 *
 * Context: any.
 * Return: true for a PFN map, false for a struct-page mapping.
 */
bool contig_buffer_is_pfn_mapped(const struct contig_buffer *buf)
{
	return buf->kind == CONTIG_KIND_MOVABLE || !buf->region->linear;
}

CONTIG_EXPORT_FOR_TESTS(contig_buffer_is_pfn_mapped);

/**
 * contig_buffer_page() - the page at a page offset of a chunked buffer.
 * @buf:   a CONTIGUOUS or SG buffer.
 * @pgoff: page offset, below the buffer's size.
 *
 * The chunks never change after allocation, so this takes no lock.
 *
 * Context: any.
 * Return: the page.
 */
struct page *contig_buffer_page(const struct contig_buffer *buf,
				unsigned long pgoff)
{
	unsigned long lo = 0, hi = buf->nr_chunks;
	const struct contig_buf_chunk *c;

	while (hi - lo > 1) {	/* the last chunk starting at or before pgoff */
		unsigned long mid = lo + (hi - lo) / 2;

		if (buf->chunks[mid].pgoff <= pgoff)
			lo = mid;
		else
			hi = mid;
	}
	c = &buf->chunks[lo];
	return __contig_frame_page(buf->region, c->frame + (pgoff - c->pgoff));
}

/**
 * contig_buffers_init() - decide how user mappings are made.
 * @r: the claimed region.
 *
 * Probes every page of @r through the linear map; see the file comment.
 *
 * Context: process context, module load.
 */
void contig_buffers_init(struct contig_region *r)
{
	unsigned long i;
	u8 byte;

	for (i = 0; i < r->nr_pages; i++)
		if (copy_from_kernel_nofault(&byte,
					     page_address(__contig_frame_page(r, i)),
					     1))
			break;
	r->linear = i == r->nr_pages;
	pr_info("user mappings of buffers in region %u: %s\n", r->id, r->linear ?
		"struct pages (O_DIRECT and pinning work)" :
		"PFN maps: the region is not in the kernel's linear map, so its pages cannot be handed to GUP");
}

/**
 * contig_buffers_exit() - module unload: nothing may be left.
 *
 * Every buffer holds the module (dma-buf owner, symbol users, quarantine
 * reference), so this only waits for a quarantine scan that is finishing.
 *
 * Context: process context, module unload.
 */
void contig_buffers_exit(void)
{
	cancel_delayed_work_sync(&contig_quarantine_work);
	if (!list_empty(&contig_buffers) || !list_empty(&contig_quarantine) ||
	    !list_empty(&contig_quarantine_scanning))
		pr_err("unloading with buffers still allocated: their memory is leaked\n");
}
