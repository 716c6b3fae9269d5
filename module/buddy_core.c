// SPDX-License-Identifier: GPL-2.0
/*
 * buddy_core.c - the buddy allocator of a contig region.
 *
 * This file owns the allocation state of a region: which frames are free,
 * in which blocks, and who holds the others.  It knows nothing of physical
 * addresses, struct page or the rest of contig.ko, and builds unchanged in
 * user space (tools/buddy/) where it is fuzzed, traced and benchmarked.
 *
 * Blocks.  A block of order o is 2^o frames starting at a multiple of 2^o;
 * its buddy is the block at start ^ 2^o.  Orders run from 0 to the largest
 * that fits the region, with no other cap.  The region is initially cut
 * into the largest aligned blocks that fit (13 frames: 8 + 4 + 1), so the
 * buddy of a top block may lie partly outside the region: such a buddy
 * simply has no slot in the bitmaps below and is never free.
 *
 * Free blocks are kept per order in a bitmap with one bit per possible
 * block (bit i of order o: the block at frame i << o), and above it a
 * summary tree of fan-out 64 in which a bit says "this word below is not
 * zero".  Five levels cover 2^30 blocks.  Every operation on it - set,
 * clear, first set bit at or after i, last set bit at or before i - walks
 * up and down at most five words, so it is O(log n) with a very small
 * constant, needs no memory allocation, and behaves identically in both
 * builds.  The bitmaps of all orders take about n/4 bytes for n frames.
 *
 * Placement.  A request for N frames aligned to A is carved from a free
 * block of order k = max(ceil(log2 N), log2 A): the policy picks that
 * block among the free blocks of order >= k (first fit: the lowest start
 * over all orders; best fit: the lowest block of the smallest order;
 * worst fit: of the largest; next fit: the lowest block starting at or
 * after the end of the previous next-fit allocation, wrapping; top-down,
 * the highest ending at or before its start), which costs one bitmap
 * search per order.  The request takes the first N frames of the block
 * (bottom-up) or the last N frames rounded down to A (top-down), and the
 * rest of the block goes back as the largest aligned free blocks that fit
 * around it.  Like drm_buddy's min_block_size, an alignment above the
 * request's own block size is met by taking a block of the alignment's
 * order: a smaller free block that happens to sit at an aligned address
 * is not used.
 *
 * Freeing gives the allocation's frames back the same way, and each piece
 * merges with its buddy for as long as the buddy is free at the same
 * order.  Both paths are O(log n) block operations; they also write the
 * per-frame byte of each frame of the allocation (a memset of N bytes).
 *
 * Per-frame metadata (@meta, one byte per frame):
 *
 *   bits 0-2  owner (enum contig_owner); CONTIG_OWNER_FREE in free blocks
 *   bit  3    head: the first frame of an allocation
 *   bits 4-6  one base-8 digit of the allocation's size in frames
 *   bit  7    more digits follow in the next frame
 *
 * An allocation of N frames stores N, least significant digit first, in
 * its own first ceil(log8(N + 1)) frames, which always exist.  A free frame
 * is all zero.  Freeing needs only the first frame: a frame without the
 * head bit is refused, which catches double frees and frees of a frame in
 * the middle of an allocation.  Migration (migrate.c) scans the owner bits
 * to find windows worth emptying.
 *
 * Known-zero frames (@clean, one bit per frame).  A free frame is either
 * "zeroed", known to hold only zero bytes, or "dirty"; the bit is set for
 * zeroed free frames and for every allocated frame, so the first clear bit
 * from any frame is the next dirty free frame.  Freeing makes frames dirty
 * (whoever held them wrote to them); contig_buddy_zero_next() lets a
 * background worker clear one dirty free frame at a time, with the lock
 * dropped, and mark it zeroed, without taking it off its block, so no
 * request ever finds it missing (one that takes that very frame waits in
 * __mark_alloc() for the clear to end); an allocation reports how many of its frames, from
 * its first on, were zeroed (contig_buddy_alloc_zeroed()), and they need
 * no clearing.  The truth is per frame, so splitting and merging blocks
 * cannot lose it.
 *
 * The stash.  A buddy's small path is its slow one on an empty region: one
 * frame splits the top block down through every order and its free
 * merges it all back.  Callers that churn small blocks (slab pages,
 * contig_kmalloc()'s whole frames) free them with
 * contig_buddy_free_cached(): a block of 1 to 16 frames (a power of two,
 * aligned to its size) held unmovable or as slab goes on a short stack of
 * its order, free but unmerged and off the bitmaps, and the next
 * CONTIG_BUDDY_CACHED request of that size takes it back: no search, no
 * split, no merge (the "lazy buddy" of Barkley and Lee).  Movable frames
 * are never stashed, so grouping by mobility holds.  Stashed frames count
 * as free everywhere: @free_frames, the owners, the known-zero bits (the
 * background clearing clears them in place), contig_buddy_owner().  A
 * free of a stashed frame is refused as a double free, as any free
 * frame's.  The stash is merged back, under the same hold of the lock,
 * before a request fails for want of a block, before a range is claimed
 * or converted, and when stats are taken, so no request ever fails and no
 * figure is smaller because of it.  It holds at most 8 blocks per order,
 * 248 frames.
 *
 * Invariants, checked by contig_buddy_check():
 *   - walking the frames from 0, every frame lies in exactly one free
 *     block or exactly one allocation, and every free block of the
 *     bitmaps is met on that walk (no overlap, nothing outside);
 *   - no free block has its buddy free at the same order;
 *   - the summary levels match the level below, bits past the end are 0;
 *   - @nr_free, @free_frames, @owner_frames, @nr_allocs - @nr_frees agree
 *     with what the walk found;
 *   - an allocation's frames all carry its owner, only its first frame is
 *     a head, and its size digits are well formed;
 *   - every allocated frame has its @clean bit set, @zeroed_frames counts
 *     the free frames that have it, and bits past the region are clear;
 *   - every stashed block is free, aligned, in no bitmap, met once on the
 *     walk, and @stash_frames counts their frames.
 *
 * Locking.  Each exported function takes b->lock with irqsave around its
 * work.  The __ helpers that read or write the buddy's state expect it
 * held, say so in a Context: line and assert it with lockdep_assert_held()
 * (nothing without lockdep; an assert() in the user-space build, so the
 * fuzzer checks it).  The exceptions run before the lock is taken:
 * __alloc_refusal() and __range_in_region() read only fields that are
 * const after init, and __bad_call() takes the lock itself.  The __bm_
 * helpers see one bitmap, not the buddy, so they cannot assert; every
 * caller does.  __floor_log2() and the other arithmetic helpers,
 * __owner_is_valid(), __frag_info() (over a stats snapshot) and __fail()
 * touch no buddy state and need no lock.  Nothing here sleeps or
 * allocates after contig_buddy_init(), so the buddy may be used from any
 * context.  contig_buddy_zero_next() calls its @clear of a single frame
 * with the lock dropped and interrupts off.  Bad calls are reported
 * through contig_buddy_report() after the lock is dropped.
 * contig_buddy_check() and contig_buddy_count_owners() are O(n) in the
 * frames they look at, with interrupts off: tests, and debugfs (the map
 * counts one character's worth of frames per call).  contig_buddy_get_owners(), which migration
 * runs over the whole region, copies CONTIG_BUDDY_SNAPSHOT_BATCH frames
 * per hold of the lock and drops it in between, so its sections with
 * interrupts off are bounded whatever the size of the region.
 */
#ifdef __KERNEL__
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "contig_internal.h"
#else
#include "kshim.h"
#include "buddy_core.h"
#endif

#define NO_SLOT		(~0UL)

#define META_OWNER	0x07
#define META_HEAD	0x08
#define META_DIGIT_SHIFT 4
#define META_DIGIT_BITS	3
#define META_DIGIT	0x70
#define META_MORE	0x80

static const char * const contig_policy_names[CONTIG_NR_POLICIES] = {
	[CONTIG_POLICY_FIRST_FIT] = "first",
	[CONTIG_POLICY_BEST_FIT] = "best",
	[CONTIG_POLICY_WORST_FIT] = "worst",
	[CONTIG_POLICY_NEXT_FIT] = "next",
};

static const char * const contig_owner_names[CONTIG_NR_OWNERS] = {
	[CONTIG_OWNER_FREE] = "free",
	[CONTIG_OWNER_UNMOVABLE] = "unmovable",
	[CONTIG_OWNER_MOVABLE] = "movable",
	[CONTIG_OWNER_PINNED] = "pinned",
	[CONTIG_OWNER_SLAB] = "slab",
	[CONTIG_OWNER_LENT] = "lent",
};

/* Arithmetic: no buddy state, no lock. */

static unsigned int __floor_log2(unsigned long x)
{
	return fls64(x) - 1;
}

static unsigned int __ceil_log2(unsigned long x)
{
	return x <= 1 ? 0 : fls64(x - 1);
}

static bool __is_pow2(unsigned long x)
{
	return x && !(x & (x - 1));
}

static unsigned long __words(unsigned long bits)
{
	return (bits + 63) / 64;
}

/* ---- free bitmaps -------------------------------------------------------- */

/*
 * The __bm_ helpers below work on one order's bitmap of a buddy whose
 * b->lock is held; they are not given the buddy, so their callers assert
 * the lock for them.
 */

static bool __bm_test(const struct contig_buddy_bitmap *bm, unsigned long i)
{
	return bm->lvl[0][i / 64] & (1ULL << (i % 64));
}

static void __bm_set(struct contig_buddy_bitmap *bm, unsigned long i)
{
	unsigned int l;

	for (l = 0; l < bm->nlevels; l++, i /= 64) {
		u64 *w = &bm->lvl[l][i / 64];
		u64 old = *w;

		*w = old | 1ULL << (i % 64);
		if (old)
			break;
	}
}

static void __bm_clear(struct contig_buddy_bitmap *bm, unsigned long i)
{
	unsigned int l;

	for (l = 0; l < bm->nlevels; l++, i /= 64) {
		u64 *w = &bm->lvl[l][i / 64];

		*w &= ~(1ULL << (i % 64));
		if (*w)
			break;
	}
}

/* The first set bit at or after @i, or NO_SLOT. */
static unsigned long __bm_next(const struct contig_buddy_bitmap *bm,
			       unsigned long i)
{
	unsigned int l = 0;
	u64 w;

	if (i >= bm->nbits)
		return NO_SLOT;
	for (;;) {
		w = bm->lvl[l][i / 64] & (~0ULL << (i % 64));
		if (w)
			break;
		/* Go up: the next word of this level is the next bit above. */
		i = i / 64 + 1;
		if (++l == bm->nlevels)
			return NO_SLOT;
	}
	i = (i & ~63UL) + __ffs64(w);
	while (l--)
		i = i * 64 + __ffs64(bm->lvl[l][i]);
	return i;
}

/* The last set bit at or before @i, or NO_SLOT. */
static unsigned long __bm_prev(const struct contig_buddy_bitmap *bm,
			       unsigned long i)
{
	unsigned int l = 0;
	u64 w;

	if (i >= bm->nbits)
		i = bm->nbits - 1;
	for (;;) {
		w = bm->lvl[l][i / 64] & (~0ULL >> (63 - i % 64));
		if (w)
			break;
		if (i < 64 || ++l == bm->nlevels)
			return NO_SLOT;
		i = i / 64 - 1;
	}
	i = (i & ~63UL) + fls64(w) - 1;
	while (l--)
		i = i * 64 + fls64(bm->lvl[l][i]) - 1;
	return i;
}

/* ---- blocks --------------------------------------------------------------- */

/* Is (@start, @order) a free block?  Context: b->lock held. */
static bool __block_is_free(const struct contig_buddy *b, unsigned long start,
			    unsigned int order)
{
	unsigned long slot = start >> order;

	lockdep_assert_held(&b->lock);
	return slot < b->free[order].nbits && __bm_test(&b->free[order], slot);
}

/*
 * Take the free block (@start, @order) off the free bitmaps.
 * Context: b->lock held.
 */
static void __take_block(struct contig_buddy *b, unsigned long start,
			 unsigned int order)
{
	lockdep_assert_held(&b->lock);
	__bm_clear(&b->free[order], start >> order);
	b->nr_free[order]--;
}

/*
 * Put a block on the free bitmaps, merging it with free buddies.
 * Context: b->lock held.
 */
static void __put_block(struct contig_buddy *b, unsigned long start,
			unsigned int order)
{
	lockdep_assert_held(&b->lock);
	while (order < b->max_order) {
		unsigned long buddy = start ^ (1UL << order);

		if (!__block_is_free(b, buddy, order))
			break;
		__take_block(b, buddy, order);
		start &= ~(1UL << order);
		order++;
	}
	__bm_set(&b->free[order], start >> order);
	b->nr_free[order]++;
}

/*
 * Give the frames [@start, @end) back as the largest aligned blocks that
 * fit, each merged with its buddies.  Counters are the caller's business.
 * Context: b->lock held.
 */
static void __give_back(struct contig_buddy *b, unsigned long start,
			unsigned long end)
{
	lockdep_assert_held(&b->lock);
	while (start < end) {
		unsigned int order = __floor_log2(end - start);

		if (start && __ffs64(start) < order)
			order = __ffs64(start);
		__put_block(b, start, order);
		start += 1UL << order;
	}
}

/* ---- known-zero frames --------------------------------------------------- */

/* Bits [@i % 64, @i % 64 + @n) of a word, for 1 <= @n <= 64 - @i % 64. */
static u64 __word_mask(unsigned long i, unsigned long n)
{
	return (n == 64 ? ~0ULL : (1ULL << n) - 1) << (i % 64);
}

/* Frames of [@i, @end) in the word of @i. */
static unsigned long __word_span(unsigned long i, unsigned long end)
{
	unsigned long n = 64 - i % 64;

	return end - i < n ? end - i : n;
}

/*
 * Frames [@start, @start + @nr), free until now, become allocated: set
 * their clean bits, and the zeroed ones among them leave @zeroed_frames.
 * Return: how many of them, from @start on, were zeroed.
 * Context: b->lock held.
 */
static unsigned long __clean_take(struct contig_buddy *b, unsigned long start,
				  unsigned long nr)
{
	unsigned long i, n, end = start + nr, lead = 0;
	bool leading = true;

	lockdep_assert_held(&b->lock);
	for (i = start; i < end; i += n) {
		u64 *w = &b->clean[i / 64];
		u64 mask, have;

		n = __word_span(i, end);
		mask = __word_mask(i, n);
		have = *w & mask;
		b->zeroed_frames -= hweight64(have);
		if (leading && have == mask) {
			lead += n;
		} else if (leading) {
			lead += __ffs64(~have & mask) - i % 64;
			leading = false;
		}
		*w |= mask;
	}
	return lead;
}

/*
 * Allocated frames [@start, @start + @nr) become free and dirty.
 * Context: b->lock held.
 */
static void __clean_drop(struct contig_buddy *b, unsigned long start,
			 unsigned long nr)
{
	unsigned long i, n, end = start + nr;

	lockdep_assert_held(&b->lock);
	for (i = start; i < end; i += n) {
		n = __word_span(i, end);
		b->clean[i / 64] &= ~__word_mask(i, n);
	}
}

/* Set clean bits in [@start, @start + @nr).  Context: b->lock held. */
static unsigned long __clean_count(const struct contig_buddy *b,
				   unsigned long start, unsigned long nr)
{
	unsigned long i, n, end = start + nr, count = 0;

	lockdep_assert_held(&b->lock);
	for (i = start; i < end; i += n) {
		n = __word_span(i, end);
		count += hweight64(b->clean[i / 64] & __word_mask(i, n));
	}
	return count;
}

/*
 * The first dirty free frame in [@from, @to), or NO_SLOT.
 * Context: b->lock held.
 */
static unsigned long __next_dirty(const struct contig_buddy *b,
				  unsigned long from, unsigned long to)
{
	unsigned long i = from;

	lockdep_assert_held(&b->lock);
	while (i < to) {
		u64 w = ~b->clean[i / 64] >> (i % 64);

		if (w) {
			i += __ffs64(w);
			return i < to ? i : NO_SLOT;
		}
		i = (i | 63) + 1;
	}
	return NO_SLOT;
}

/* ---- per-frame metadata -------------------------------------------------- */

/*
 * Write the metadata of an allocation of [@start, @start + @nr) to @owner.
 * Return: how many of its frames, from @start on, were zeroed.
 * Context: b->lock held.
 */
static unsigned long __mark_alloc(struct contig_buddy *b, unsigned long start,
				  unsigned long nr, enum contig_owner owner)
{
	unsigned long lead;
	u8 *m = b->meta + start;

	lockdep_assert_held(&b->lock);
	/*
	 * A frame of the allocation is being cleared outside the lock
	 * (contig_buddy_zero_next()): it will not be marked zeroed, and the
	 * clear must end before the new owner's first store, so wait for it
	 * here, lock held; the clearing CPU has interrupts off and needs no
	 * lock to finish.
	 */
	if (b->zeroing - start < nr) {
		b->zeroing_lost = true;
		/* Pairs with the release in contig_buddy_zero_next(). */
		while (smp_load_acquire(&b->zeroing_busy))
			cpu_relax();
	}
	lead = __clean_take(b, start, nr);
	memset(m, owner, nr);
	*m |= META_HEAD;
	do {
		*m |= (nr & 7) << META_DIGIT_SHIFT;
		nr >>= META_DIGIT_BITS;
		if (nr)
			*m |= META_MORE;
		m++;
	} while (nr);
	return lead;
}

/*
 * Free frames [@start, @start + @nr) of an allocation: metadata and clean
 * bits.  Counters are the caller's business.  Context: b->lock held.
 */
static void __mark_free(struct contig_buddy *b, unsigned long start,
			unsigned long nr)
{
	lockdep_assert_held(&b->lock);
	memset(b->meta + start, 0, nr);
	__clean_drop(b, start, nr);
}

/*
 * The size of the allocation whose head is @start, and in @ndigits the
 * frames holding its digits; 0 when the digits are corrupt.
 * Context: b->lock held.
 */
static unsigned long __alloc_frames(const struct contig_buddy *b,
				    unsigned long start, unsigned long *ndigits)
{
	unsigned long nr = 0, i = 0;
	unsigned int shift = 0;
	u8 m;

	lockdep_assert_held(&b->lock);
	do {
		if (start + i >= b->nr_frames ||
		    shift >= 8 * sizeof(unsigned long))
			return 0;
		m = b->meta[start + i++];
		nr |= (unsigned long)((m & META_DIGIT) >> META_DIGIT_SHIFT)
		      << shift;
		shift += META_DIGIT_BITS;
	} while (m & META_MORE);
	if (ndigits)
		*ndigits = i;
	if (!nr || nr > b->nr_frames - start || i > nr)
		return 0;
	return nr;
}

/* ---- placement ------------------------------------------------------------ */

/*
 * Lowest (@down: highest) free block of order >= @order; with @rover other
 * than NO_SLOT, only blocks starting at or after frame @rover (@down:
 * ending at or before it).  Context: b->lock held.
 */
static bool __pick_first(struct contig_buddy *b, unsigned int order, bool down,
			 unsigned long rover, unsigned long *start,
			 unsigned int *border)
{
	bool found = false;
	unsigned int o;

	lockdep_assert_held(&b->lock);
	for (o = order; o <= b->max_order; o++) {
		const struct contig_buddy_bitmap *bm = &b->free[o];
		unsigned long slot, p;

		if (!b->nr_free[o])
			continue;
		if (rover == NO_SLOT)
			slot = down ? __bm_prev(bm, NO_SLOT) : __bm_next(bm, 0);
		else if (!down)
			slot = __bm_next(bm, (rover + (1UL << o) - 1) >> o);
		else if (rover >> o)
			slot = __bm_prev(bm, (rover >> o) - 1);
		else
			continue;
		if (slot == NO_SLOT)
			continue;
		p = slot << o;
		if (!found || (down ? p > *start : p < *start)) {
			*start = p;
			*border = o;
			found = true;
		}
	}
	return found;
}

/*
 * Lowest (@down: highest) block of the smallest (@largest: largest) order.
 * Context: b->lock held.
 */
static bool __pick_order(struct contig_buddy *b, unsigned int order, bool down,
			 bool largest, unsigned long *start,
			 unsigned int *border)
{
	unsigned int n, o;

	lockdep_assert_held(&b->lock);
	for (n = 0; order + n <= b->max_order; n++) {
		o = largest ? b->max_order - n : order + n;
		if (!b->nr_free[o])
			continue;
		*start = (down ? __bm_prev(&b->free[o], NO_SLOT) :
			  __bm_next(&b->free[o], 0)) << o;
		*border = o;
		return true;
	}
	return false;
}

/*
 * The free block a request of @order is carved from under @policy, in
 * *@start and *@border; false when there is none.  Context: b->lock held.
 */
static bool __pick(struct contig_buddy *b, unsigned int order,
		   enum contig_policy policy, bool down, unsigned long *start,
		   unsigned int *border)
{
	unsigned long rover = b->rover[down];

	lockdep_assert_held(&b->lock);
	switch (policy) {
	case CONTIG_POLICY_BEST_FIT:
		return __pick_order(b, order, down, false, start, border);
	case CONTIG_POLICY_WORST_FIT:
		return __pick_order(b, order, down, true, start, border);
	case CONTIG_POLICY_NEXT_FIT:
		/*
		 * The rover is where the previous next-fit allocation ended
		 * (top-down: began); search on from there, then wrap.
		 */
		if (__pick_first(b, order, down, rover, start, border))
			return true;
		fallthrough;
	default:
		return __pick_first(b, order, down, NO_SLOT, start, border);
	}
}

/* ---- the stash ------------------------------------------------------------ */

/*
 * The stash order a free of @nr frames at @frame by @owner may use, or -1.
 * Arithmetic on the arguments only.
 */
static int __stash_order(unsigned long frame, unsigned long nr,
			 enum contig_owner owner)
{
	unsigned int o;

	if (owner != CONTIG_OWNER_UNMOVABLE && owner != CONTIG_OWNER_SLAB)
		return -1;
	if (!__is_pow2(nr) || (frame & (nr - 1)))
		return -1;
	o = __floor_log2(nr);
	return o < CONTIG_BUDDY_STASH_ORDERS ? (int)o : -1;
}

/*
 * Merge every stashed block back into the bitmaps.
 * Context: b->lock held.
 */
static void __stash_drain(struct contig_buddy *b)
{
	unsigned int o;

	lockdep_assert_held(&b->lock);
	if (!b->stash_frames)
		return;
	for (o = 0; o < CONTIG_BUDDY_STASH_ORDERS; o++) {
		while (b->nr_stash[o]) {
			unsigned long f = b->stash[o][--b->nr_stash[o]];

			__give_back(b, f, f + (1UL << o));
		}
	}
	b->stash_frames = 0;
	b->stash_drains++;
}

/*
 * The order of the stashed block starting at @frame, or -1.
 * Context: b->lock held.
 */
static int __stashed_at(const struct contig_buddy *b, unsigned long frame)
{
	unsigned int o, i;

	lockdep_assert_held(&b->lock);
	for (o = 0; o < CONTIG_BUDDY_STASH_ORDERS; o++)
		for (i = 0; i < b->nr_stash[o]; i++)
			if (b->stash[o][i] == frame)
				return o;
	return -1;
}

/* ---- reporting ------------------------------------------------------------ */

/* Count a refused call and report it; the lock must not be held. */
static void __bad_call(struct contig_buddy *b, bool bug, const char *what,
		       unsigned long val)
{
	unsigned long irqflags;

	spin_lock_irqsave(&b->lock, irqflags);
	b->bad_calls++;
	spin_unlock_irqrestore(&b->lock, irqflags);
	contig_buddy_report(b, bug, what, val);
}

static bool __owner_is_valid(enum contig_owner owner)
{
	return owner > CONTIG_OWNER_FREE && owner < CONTIG_NR_OWNERS;
}

/* ---- the API -------------------------------------------------------------- */

/**
 * contig_buddy_init() - set up the allocator for a region.
 * @b:			the buddy; overwritten entirely.
 * @nr_frames:		frames of the region, 1..CONTIG_BUDDY_MAX_FRAMES.
 * @default_policy:	policy of CONTIG_POLICY_DEFAULT requests.
 *
 * All frames start free, in the largest aligned blocks that fit.  Metadata
 * takes about 1.25 bytes per frame.
 *
 * Context: process context, may sleep (allocates).
 * Return: 0, -EINVAL for a bad size or policy, -ENOMEM.
 */
int contig_buddy_init(struct contig_buddy *b, unsigned long nr_frames,
		      enum contig_policy default_policy)
{
	unsigned long irqflags, nr_words = 0;
	unsigned int o, l;
	u64 *w;

	memset(b, 0, sizeof(*b));
	spin_lock_init(&b->lock);
	if (!nr_frames || nr_frames > CONTIG_BUDDY_MAX_FRAMES ||
	    (unsigned int)default_policy >= CONTIG_NR_POLICIES)
		return -EINVAL;
	b->nr_frames = nr_frames;
	b->max_order = __floor_log2(nr_frames);
	b->policy = default_policy;
	b->zeroing = NO_SLOT;

	for (o = 0; o <= b->max_order; o++) {
		unsigned long bits = nr_frames >> o;

		l = 0;
		do {
			bits = __words(bits);
			nr_words += bits + 1;	/* + the pad word */
			l++;
		} while (bits > 1);
		if (l > CONTIG_BUDDY_LEVELS)
			return -EINVAL;
		b->free[o].nlevels = l;
		b->free[o].nbits = nr_frames >> o;
	}
	b->meta = kvcalloc(nr_frames, sizeof(*b->meta), GFP_KERNEL);
	b->words = kvcalloc(nr_words, sizeof(*b->words), GFP_KERNEL);
	b->clean = kvcalloc(__words(nr_frames), sizeof(*b->clean), GFP_KERNEL);
	if (!b->meta || !b->words || !b->clean) {
		kvfree(b->clean);
		kvfree(b->words);
		kvfree(b->meta);
		b->clean = NULL;
		b->words = NULL;
		b->meta = NULL;
		return -ENOMEM;
	}
	b->nr_words = nr_words;

	w = b->words;
	for (o = 0; o <= b->max_order; o++) {
		unsigned long bits = b->free[o].nbits;

		for (l = 0; l < b->free[o].nlevels; l++) {
			b->free[o].lvl[l] = w;
			bits = __words(bits);
			w += bits + 1;
		}
	}
	/* Nobody else sees @b yet; the lock is for the helpers' assertions. */
	spin_lock_irqsave(&b->lock, irqflags);
	__give_back(b, 0, nr_frames);
	b->free_frames = nr_frames;
	b->owner_frames[CONTIG_OWNER_FREE] = nr_frames;
	spin_unlock_irqrestore(&b->lock, irqflags);
	return 0;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_init);

/**
 * contig_buddy_fini() - release the allocator's metadata.
 * @b: a buddy set up by contig_buddy_init(), or zeroed.
 *
 * Frames still allocated are reported (not a bug of the buddy, but a leak
 * of whoever holds them) and forgotten.
 *
 * Context: process context, may sleep.
 */
void contig_buddy_fini(struct contig_buddy *b)
{
	if (b->meta && b->free_frames != b->nr_frames)
		contig_buddy_report(b, false, "frames still allocated at fini",
				    b->nr_frames - b->free_frames);
	kvfree(b->clean);
	kvfree(b->words);
	kvfree(b->meta);
	b->clean = NULL;
	b->words = NULL;
	b->meta = NULL;
	b->nr_frames = 0;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_fini);

/*
 * Why an allocation request can never succeed, or NULL.  Called before
 * b->lock is taken: reads only fields that are const after init.
 */
static const char *__alloc_refusal(const struct contig_buddy *b,
				   unsigned long nr, unsigned long align,
				   enum contig_owner owner,
				   enum contig_policy policy, unsigned int flags,
				   bool *bug, unsigned long *val)
{
	*bug = true;
	*val = flags;
	if (flags & ~CONTIG_BUDDY_FLAGS)
		return "alloc with unknown flags";
	if ((flags & CONTIG_BUDDY_TOPDOWN) && (flags & CONTIG_BUDDY_BOTTOMUP))
		return "alloc both top-down and bottom-up";
	*val = owner;
	if (!__owner_is_valid(owner))
		return "alloc for an invalid owner";
	*val = policy;
	if ((unsigned int)policy > CONTIG_POLICY_DEFAULT)
		return "alloc with an invalid policy";
	*bug = false;
	*val = nr;
	if (!nr)
		return "alloc of 0 frames";
	if (nr > b->nr_frames)
		return "alloc larger than the region (frames)";
	*val = align;
	if (!__is_pow2(align))
		return "alloc alignment not a power of two (frames)";
	if (align > (1UL << b->max_order))
		return "alloc alignment larger than any block (frames)";
	*val = nr;
	if (__ceil_log2(nr) > b->max_order)
		return "alloc larger than any block of the region (frames)";
	return NULL;
}

/**
 * contig_buddy_alloc_zeroed() - allocate a run of frames, saying how many
 *	are known to hold only zero bytes.
 * @b:		the buddy.
 * @nr_frames:	frames wanted, exactly; 1..the largest block.
 * @align_frames: alignment of the first frame, a power of two up to the
 *		largest block.
 * @owner:	who will hold the frames; not CONTIG_OWNER_FREE.
 * @policy:	placement policy, or CONTIG_POLICY_DEFAULT.
 * @flags:	CONTIG_BUDDY_ATOMIC, CONTIG_BUDDY_TOPDOWN, CONTIG_BUDDY_BOTTOMUP.
 * @zeroed:	if not NULL, set on success to the number of frames of the
 *		run, from its first on, that were zeroed while free
 *		(contig_buddy_zero_next()): the caller need not clear them.
 *
 * The frames come from a free block of order max(ceil(log2 @nr_frames),
 * log2 @align_frames) chosen by @policy; what the request does not use
 * goes back to the free lists.  Movable owners are placed top-down unless
 * @flags says CONTIG_BUDDY_BOTTOMUP.
 *
 * Context: any; takes and releases b->lock.
 * Return: the first frame, or -ENOMEM when no free block is large enough,
 * or -EINVAL for a request that can never succeed (reported; nothing
 * changes).
 */
long contig_buddy_alloc_zeroed(struct contig_buddy *b, unsigned long nr_frames,
			       unsigned long align_frames,
			       enum contig_owner owner,
			       enum contig_policy policy, unsigned int flags,
			       unsigned long *zeroed)
{
	unsigned long irqflags, start, end, pos, val, lead;
	unsigned int order, border;
	const char *why;
	bool bug, down, fail, cached;

	why = __alloc_refusal(b, nr_frames, align_frames, owner, policy, flags,
			      &bug, &val);
	if (why) {
		__bad_call(b, bug, why, val);
		return -EINVAL;
	}
	order = __ceil_log2(nr_frames);
	if (align_frames > 1UL << order)
		order = __floor_log2(align_frames);
	down = (flags & CONTIG_BUDDY_TOPDOWN) ||
	       (owner == CONTIG_OWNER_MOVABLE &&
		!(flags & CONTIG_BUDDY_BOTTOMUP));
	fail = contig_buddy_should_fail(b);
	cached = (flags & CONTIG_BUDDY_CACHED) && !down &&
		 __is_pow2(nr_frames) && align_frames <= nr_frames &&
		 order < CONTIG_BUDDY_STASH_ORDERS;

	spin_lock_irqsave(&b->lock, irqflags);
	if (policy == CONTIG_POLICY_DEFAULT)
		policy = b->policy;
	if (!fail && cached && b->nr_stash[order]) {
		pos = b->stash[order][--b->nr_stash[order]];
		b->stash_frames -= nr_frames;
		b->stash_hits++;
		goto mark;
	}
	if (!fail) {
		fail = !__pick(b, order, policy, down, &start, &border);
		/* The stash merged back before a request fails. */
		if (fail && b->stash_frames) {
			__stash_drain(b);
			fail = !__pick(b, order, policy, down, &start, &border);
		}
	}
	if (fail) {
		b->alloc_failures++;
		spin_unlock_irqrestore(&b->lock, irqflags);
		return -ENOMEM;
	}
	__take_block(b, start, border);
	end = start + (1UL << border);
	pos = down ? (end - nr_frames) & ~(align_frames - 1) : start;
	__give_back(b, start, pos);
	__give_back(b, pos + nr_frames, end);
	if (policy == CONTIG_POLICY_NEXT_FIT)
		b->rover[down] = down ? pos : pos + nr_frames;
mark:
	lead = __mark_alloc(b, pos, nr_frames, owner);
	b->free_frames -= nr_frames;
	b->owner_frames[CONTIG_OWNER_FREE] -= nr_frames;
	b->owner_frames[owner] += nr_frames;
	b->nr_allocs++;
	spin_unlock_irqrestore(&b->lock, irqflags);
	if (zeroed)
		*zeroed = lead;
	return pos;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_alloc_zeroed);

/**
 * contig_buddy_alloc() - allocate a run of frames.
 * @b:		the buddy.
 * @nr_frames:	frames wanted, exactly; 1..the largest block.
 * @align_frames: alignment of the first frame, a power of two up to the
 *		largest block.
 * @owner:	who will hold the frames; not CONTIG_OWNER_FREE.
 * @policy:	placement policy, or CONTIG_POLICY_DEFAULT.
 * @flags:	CONTIG_BUDDY_ATOMIC, CONTIG_BUDDY_TOPDOWN, CONTIG_BUDDY_BOTTOMUP.
 *
 * contig_buddy_alloc_zeroed() for a caller that clears what it needs
 * cleared itself, or nothing.
 *
 * Context: any; takes and releases b->lock.
 * Return: as contig_buddy_alloc_zeroed().
 */
long contig_buddy_alloc(struct contig_buddy *b, unsigned long nr_frames,
			unsigned long align_frames, enum contig_owner owner,
			enum contig_policy policy, unsigned int flags)
{
	return contig_buddy_alloc_zeroed(b, nr_frames, align_frames, owner,
					 policy, flags, NULL);
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_alloc);

/**
 * contig_buddy_zero_next() - clear the next dirty free frame of a range.
 * @b:		the buddy.
 * @from:	first frame to look at.
 * @to:		frame after the last to look at; at most the region's end.
 * @clear:	clears the memory of one frame; called without b->lock but
 *		with interrupts off, so it must not sleep nor call the buddy.
 * @arg:	passed to @clear.
 *
 * For a background worker that keeps free memory zeroed: the lowest free
 * frame of [@from, @to) not known to be zero is cleared by @clear and
 * marked zeroed.  It stays free and in its block throughout, so no
 * request finds it missing, and the lock is not held while it is cleared:
 * only a request that takes that very frame waits, for one frame's
 * clearing.  A frame taken meanwhile is not marked; once allocated a
 * frame is no longer marked, and when freed it is dirty.  One caller at a
 * time per buddy: another gets -EBUSY.
 *
 * Context: any; takes and releases b->lock, twice.
 * Return: the frame cleared and marked, -EAGAIN when a request took it
 * while it was being cleared, -ENOENT when every free frame of the range
 * is zeroed, -EBUSY when another caller is clearing a frame (nothing
 * done), -EINVAL for a range outside the region.
 */
long contig_buddy_zero_next(struct contig_buddy *b, unsigned long from,
			    unsigned long to,
			    void (*clear)(void *arg, unsigned long frame),
			    void *arg)
{
	unsigned long irqflags, frame;
	bool lost, busy;

	if (from > to || to > b->nr_frames) {
		__bad_call(b, true, "zero_next outside the region (frame)", to);
		return -EINVAL;
	}
	local_irq_save(irqflags);
	spin_lock(&b->lock);
	busy = b->zeroing != NO_SLOT;
	frame = busy ? NO_SLOT : __next_dirty(b, from, to);
	if (frame == NO_SLOT) {
		spin_unlock(&b->lock);
		local_irq_restore(irqflags);
		return busy ? -EBUSY : -ENOENT;
	}
	b->zeroing = frame;
	b->zeroing_lost = false;
	WRITE_ONCE(b->zeroing_busy, true);
	spin_unlock(&b->lock);
	clear(arg, frame);
	/* Done: a request that took the frame meanwhile may go on. */
	smp_store_release(&b->zeroing_busy, false);
	spin_lock(&b->lock);
	lost = b->zeroing_lost;
	if (!lost) {
		b->clean[frame / 64] |= 1ULL << (frame % 64);
		b->zeroed_frames++;
	}
	b->zeroing = NO_SLOT;
	spin_unlock(&b->lock);
	local_irq_restore(irqflags);
	return lost ? -EAGAIN : frame;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_zero_next);

/*
 * The free block containing @frame, in *@start and *@order; false when
 * @frame is not free.  O(log n).  Context: b->lock held.
 */
static bool __free_block_of(const struct contig_buddy *b, unsigned long frame,
			    unsigned long *start, unsigned int *order)
{
	unsigned int o;

	lockdep_assert_held(&b->lock);
	for (o = 0; o <= b->max_order; o++) {
		unsigned long s = frame & ~((1UL << o) - 1);

		if (__block_is_free(b, s, o)) {
			*start = s;
			*order = o;
			return true;
		}
	}
	return false;
}

/*
 * Is [start, start + nr_frames) a non-empty range of the region?  Reports
 * if not.  Context: b->lock not held (reads only b->nr_frames, const
 * after init; __bad_call() takes the lock).
 */
static bool __range_in_region(struct contig_buddy *b, unsigned long start,
			      unsigned long nr_frames, const char *what)
{
	if (nr_frames && start < b->nr_frames &&
	    nr_frames <= b->nr_frames - start)
		return true;
	__bad_call(b, false, what, start);
	return false;
}

/*
 * Allocate [start, end), every frame of which is free, to @owner: take
 * each free block overlapping it, give back the parts outside it.
 * Context: b->lock held.
 */
static void __claim_free_range(struct contig_buddy *b, unsigned long start,
			       unsigned long end, enum contig_owner owner)
{
	unsigned long pos, bstart = start, bend;
	unsigned int border = 0;

	lockdep_assert_held(&b->lock);
	for (pos = start; pos < end; pos = bend) {
		__free_block_of(b, pos, &bstart, &border);
		bend = bstart + (1UL << border);
		__take_block(b, bstart, border);
		if (bstart < start)
			__give_back(b, bstart, start);
		if (bend > end)
			__give_back(b, end, bend);
	}
	__mark_alloc(b, start, end - start, owner);
	b->free_frames -= end - start;
	b->owner_frames[CONTIG_OWNER_FREE] -= end - start;
	b->owner_frames[owner] += end - start;
	b->nr_allocs++;
}

/**
 * contig_buddy_alloc_range() - claim an exact range of free frames.
 * @b:		the buddy.
 * @start:	first frame.
 * @nr_frames:	frames, at least 1; the range must lie in the region.
 * @owner:	who will hold the frames; not CONTIG_OWNER_FREE.
 *
 * For migration: once a window has been emptied, claim it whole.  The
 * free blocks overlapping the range are split around it.
 *
 * Context: any; takes and releases b->lock.
 * Return: @start, -EBUSY if any frame of the range is not free (nothing
 * changes), -EINVAL for a range outside the region or a bad owner.
 */
long contig_buddy_alloc_range(struct contig_buddy *b, unsigned long start,
			      unsigned long nr_frames, enum contig_owner owner)
{
	unsigned long irqflags, end = start + nr_frames, pos, bstart;
	unsigned int border;

	if (!__owner_is_valid(owner)) {
		__bad_call(b, true, "alloc_range for an invalid owner", owner);
		return -EINVAL;
	}
	if (!__range_in_region(b, start, nr_frames,
			       "alloc_range outside the region (frame)"))
		return -EINVAL;

	spin_lock_irqsave(&b->lock, irqflags);
	__stash_drain(b);
	for (pos = start; pos < end; pos = bstart + (1UL << border)) {
		if (!__free_block_of(b, pos, &bstart, &border)) {
			b->range_busy++;
			spin_unlock_irqrestore(&b->lock, irqflags);
			return -EBUSY;
		}
	}
	__claim_free_range(b, start, end, owner);
	spin_unlock_irqrestore(&b->lock, irqflags);
	return start;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_alloc_range);

/*
 * Why @frame cannot be the head of an allocation, or NULL; with the size
 * of the allocation in *@nr.  Context: b->lock held.
 */
static const char *__head_refusal(struct contig_buddy *b, unsigned long frame,
				  unsigned long *nr, unsigned long *ndigits)
{
	u8 m;

	lockdep_assert_held(&b->lock);
	m = b->meta[frame];
	if (!(m & META_HEAD))
		return (m & META_OWNER) ?
			"frame is inside an allocation, not its first frame" :
			"frame is not allocated (double free?)";
	*nr = __alloc_frames(b, frame, ndigits);
	if (!*nr)
		return "corrupt allocation size at frame";
	return NULL;
}

/* contig_buddy_free() and contig_buddy_free_cached(). */
static int __free_alloc(struct contig_buddy *b, unsigned long frame,
			bool cached)
{
	unsigned long irqflags, nr = 0;
	enum contig_owner owner;
	const char *why;
	int o;

	if (frame >= b->nr_frames) {
		__bad_call(b, true, "free of a frame outside the region", frame);
		return -EINVAL;
	}
	spin_lock_irqsave(&b->lock, irqflags);
	why = __head_refusal(b, frame, &nr, NULL);
	if (why) {
		b->bad_calls++;
		spin_unlock_irqrestore(&b->lock, irqflags);
		contig_buddy_report(b, true, why, frame);
		return -EINVAL;
	}
	owner = b->meta[frame] & META_OWNER;
	__mark_free(b, frame, nr);
	o = cached ? __stash_order(frame, nr, owner) : -1;
	if (o >= 0 && b->nr_stash[o] < CONTIG_BUDDY_STASH_DEPTH) {
		b->stash[o][b->nr_stash[o]++] = frame;
		b->stash_frames += nr;
	} else {
		__give_back(b, frame, frame + nr);
	}
	b->free_frames += nr;
	b->owner_frames[owner] -= nr;
	b->owner_frames[CONTIG_OWNER_FREE] += nr;
	b->nr_frees++;
	spin_unlock_irqrestore(&b->lock, irqflags);
	return 0;
}

/**
 * contig_buddy_free() - free an allocation.
 * @b:		the buddy.
 * @frame:	the first frame of the allocation, as returned by
 *		contig_buddy_alloc() or contig_buddy_alloc_range().
 *
 * All the frames of the allocation go back; the buddy remembers its size.
 *
 * Context: any; takes and releases b->lock.
 * Return: 0, or -EINVAL when @frame does not start an allocation (double
 * free, a frame never handed out, the middle of an allocation), reported
 * as a bug; nothing changes then.
 */
int contig_buddy_free(struct contig_buddy *b, unsigned long frame)
{
	return __free_alloc(b, frame, false);
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_free);

/**
 * contig_buddy_free_cached() - free an allocation, into the stash if it
 *	fits there.
 * @b:		the buddy.
 * @frame:	the first frame of the allocation.
 *
 * As contig_buddy_free(), but an allocation of 1 to 16 frames, a power of
 * two aligned to its size, held unmovable or as slab, goes unmerged to
 * the stash of its size, for the next CONTIG_BUDDY_CACHED request of that
 * size, while the stash has room (see the file comment).
 *
 * Context: any; takes and releases b->lock.
 * Return: as contig_buddy_free().
 */
int contig_buddy_free_cached(struct contig_buddy *b, unsigned long frame)
{
	return __free_alloc(b, frame, true);
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_free_cached);

/**
 * contig_buddy_drain() - merge the stash back into the free blocks.
 * @b:	the buddy.
 *
 * Nobody needs to call this for a request to succeed: the buddy drains
 * the stash itself before a request fails.  For tests, and for a caller
 * that wants the free blocks as large as they can be.
 *
 * Context: any; takes and releases b->lock.
 */
void contig_buddy_drain(struct contig_buddy *b)
{
	unsigned long irqflags;

	spin_lock_irqsave(&b->lock, irqflags);
	__stash_drain(b);
	spin_unlock_irqrestore(&b->lock, irqflags);
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_drain);

/**
 * contig_buddy_convert_range() - claim a range held by placeholders.
 * @b:		the buddy.
 * @start:	first frame.
 * @nr_frames:	frames, at least 1; the range must lie in the region.
 * @from:	owner of the placeholder allocations.
 * @to:		owner of the one allocation the range becomes.
 *
 * For migration: a window being emptied is held by placeholder
 * allocations (its free runs, then each frame moved out of it) so that
 * nothing else can be placed in it meanwhile; this turns them, and any
 * frame of the range still free, into a single allocation atomically.
 * Every frame of the range must be free or belong to an allocation of
 * owner @from lying wholly inside the range.
 *
 * Context: any; takes and releases b->lock.
 * Return: @start, -EBUSY if some frame is held otherwise (nothing
 * changes), -EINVAL for a range outside the region or a bad owner.
 */
long contig_buddy_convert_range(struct contig_buddy *b, unsigned long start,
				unsigned long nr_frames, enum contig_owner from,
				enum contig_owner to)
{
	unsigned long irqflags, end = start + nr_frames, pos, bstart, nr;
	unsigned int border;
	u8 m;

	if (!__owner_is_valid(from) || !__owner_is_valid(to)) {
		__bad_call(b, true, "convert_range for an invalid owner", to);
		return -EINVAL;
	}
	if (!__range_in_region(b, start, nr_frames,
			       "convert_range outside the region (frame)"))
		return -EINVAL;

	spin_lock_irqsave(&b->lock, irqflags);
	__stash_drain(b);
	for (pos = start; pos < end; pos += nr) {
		m = b->meta[pos];
		if (!m) {
			if (!__free_block_of(b, pos, &bstart, &border))
				goto busy;
			nr = bstart + (1UL << border) - pos;
			continue;
		}
		if (!(m & META_HEAD) || (m & META_OWNER) != from)
			goto busy;
		nr = __alloc_frames(b, pos, NULL);
		if (!nr || nr > end - pos)
			goto busy;
	}
	/* Free the placeholders; the range is then wholly free. */
	for (pos = start; pos < end; pos += nr) {
		m = b->meta[pos];
		if (!m) {
			__free_block_of(b, pos, &bstart, &border);
			nr = bstart + (1UL << border) - pos;
			continue;
		}
		nr = __alloc_frames(b, pos, NULL);
		__mark_free(b, pos, nr);
		__give_back(b, pos, pos + nr);
		b->free_frames += nr;
		b->owner_frames[from] -= nr;
		b->owner_frames[CONTIG_OWNER_FREE] += nr;
		b->nr_frees++;
	}
	__claim_free_range(b, start, end, to);
	spin_unlock_irqrestore(&b->lock, irqflags);
	return start;

busy:
	b->range_busy++;
	spin_unlock_irqrestore(&b->lock, irqflags);
	return -EBUSY;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_convert_range);

/**
 * contig_buddy_alloc_size() - frames of the allocation starting at @frame.
 * @b:		the buddy.
 * @frame:	the first frame of an allocation.
 *
 * Context: any; takes and releases b->lock.
 * Return: the size in frames, or -EINVAL if @frame starts no allocation
 * (not reported: this is a query).
 */
long contig_buddy_alloc_size(struct contig_buddy *b, unsigned long frame)
{
	unsigned long irqflags, nr = 0;
	const char *why;

	if (frame >= b->nr_frames)
		return -EINVAL;
	spin_lock_irqsave(&b->lock, irqflags);
	why = __head_refusal(b, frame, &nr, NULL);
	spin_unlock_irqrestore(&b->lock, irqflags);
	return why ? -EINVAL : (long)nr;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_alloc_size);

/**
 * contig_buddy_owner() - who holds a frame.
 * @b:		the buddy.
 * @frame:	any frame of the region.
 *
 * Context: any; takes and releases b->lock.
 * Return: the owner of @frame (of the allocation it is in), or
 * CONTIG_OWNER_FREE for a free frame or one outside the region.
 */
enum contig_owner contig_buddy_owner(struct contig_buddy *b,
				     unsigned long frame)
{
	unsigned long irqflags;
	enum contig_owner owner;

	if (frame >= b->nr_frames)
		return CONTIG_OWNER_FREE;
	spin_lock_irqsave(&b->lock, irqflags);
	owner = b->meta[frame] & META_OWNER;
	spin_unlock_irqrestore(&b->lock, irqflags);
	return owner;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_owner);

/**
 * contig_buddy_set_owner() - change the owner of an allocation.
 * @b:		the buddy.
 * @frame:	the first frame of the allocation.
 * @owner:	the new owner, not CONTIG_OWNER_FREE (free it instead).
 *
 * E.g. movable -> pinned while DMA is in flight, and back.  The placement
 * of the frames does not change.
 *
 * Context: any; takes and releases b->lock.
 * Return: 0, or -EINVAL for a bad owner or a frame that starts no
 * allocation (reported as a bug; nothing changes).
 */
int contig_buddy_set_owner(struct contig_buddy *b, unsigned long frame,
			   enum contig_owner owner)
{
	unsigned long irqflags, nr = 0, ndigits = 0, i;
	enum contig_owner old;
	const char *why;

	if (!__owner_is_valid(owner)) {
		__bad_call(b, true, "set_owner to an invalid owner", owner);
		return -EINVAL;
	}
	if (frame >= b->nr_frames) {
		__bad_call(b, true, "set_owner of a frame outside the region",
			   frame);
		return -EINVAL;
	}
	spin_lock_irqsave(&b->lock, irqflags);
	why = __head_refusal(b, frame, &nr, &ndigits);
	if (why) {
		b->bad_calls++;
		spin_unlock_irqrestore(&b->lock, irqflags);
		contig_buddy_report(b, true, why, frame);
		return -EINVAL;
	}
	old = b->meta[frame] & META_OWNER;
	for (i = 0; i < ndigits; i++)
		b->meta[frame + i] = (b->meta[frame + i] & ~META_OWNER) | owner;
	memset(b->meta + frame + ndigits, owner, nr - ndigits);
	b->owner_frames[old] -= nr;
	b->owner_frames[owner] += nr;
	spin_unlock_irqrestore(&b->lock, irqflags);
	return 0;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_set_owner);

/**
 * contig_buddy_count_owners() - frames per owner in a window.
 * @b:		the buddy.
 * @start:	first frame of the window.
 * @nr_frames:	frames in the window; clipped to the region.
 * @counts:	set to the number of frames of each owner in the window.
 *
 * For the debugfs map (one call per character, about a 4096th of the
 * region) and for tests.  Unlike contig_buddy_get_owners() it holds the lock for
 * the whole window, so the counts are of one instant.
 *
 * Context: any; takes b->lock for O(@nr_frames) with interrupts off:
 * keep windows short.
 */
void contig_buddy_count_owners(struct contig_buddy *b, unsigned long start,
			       unsigned long nr_frames,
			       unsigned long counts[CONTIG_NR_OWNERS])
{
	unsigned long irqflags, i, end;

	memset(counts, 0, CONTIG_NR_OWNERS * sizeof(counts[0]));
	if (start >= b->nr_frames)
		return;
	end = nr_frames > b->nr_frames - start ? b->nr_frames :
	      start + nr_frames;
	spin_lock_irqsave(&b->lock, irqflags);
	for (i = start; i < end; i++)
		counts[b->meta[i] & META_OWNER]++;
	spin_unlock_irqrestore(&b->lock, irqflags);
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_count_owners);

/*
 * Set @owners[0..] to the owners of frames [@from, @to).
 * Context: b->lock held.
 */
static void __copy_owners(const struct contig_buddy *b, unsigned long from,
			  unsigned long to, u8 *owners)
{
	const u8 *meta = b->meta;
	unsigned long i;

	lockdep_assert_held(&b->lock);
	for (i = from; i < to; i++)
		*owners++ = meta[i] & META_OWNER;
}

/**
 * contig_buddy_get_owners() - the owner of each frame of a window.
 * @b:		the buddy.
 * @start:	first frame.
 * @nr_frames:	frames; clipped to the region.
 * @owners:	room for @nr_frames bytes: set to each frame's owner.
 *
 * A snapshot for migration's window search, which takes it of the whole
 * region.  It is copied CONTIG_BUDDY_SNAPSHOT_BATCH frames at a time,
 * and b->lock is dropped, interrupts restored, between batches: the
 * longest section with interrupts off (during which hard-interrupt
 * allocations on this buddy spin) is one batch, not the window.
 *
 * Each batch is a consistent view of its frames as they were while it was
 * copied, and every byte is an owner its frame had during the call; the
 * whole is not a view of one instant.  An allocation, free or owner change
 * that lands between two batches shows in the later batches only, so an
 * allocation straddling a batch boundary may show half before and half
 * after.  That is all a caller could rely on anyway: a snapshot taken in
 * one hold is just as stale once the lock is dropped.  Callers treat it as
 * a hint and re-check whatever they act on, as migration does: it claims
 * a window's free runs and converts the window under the lock, which
 * refuses frames that changed, and abandons the window then.
 *
 * Context: any; takes b->lock once per batch, for
 * O(CONTIG_BUDDY_SNAPSHOT_BATCH) with interrupts off each time.
 */
void contig_buddy_get_owners(struct contig_buddy *b, unsigned long start,
			     unsigned long nr_frames, u8 *owners)
{
	unsigned long irqflags, pos, end, next;

	if (start >= b->nr_frames)
		return;
	end = nr_frames > b->nr_frames - start ? b->nr_frames :
	      start + nr_frames;
	for (pos = start; pos < end; pos = next) {
		next = end - pos > CONTIG_BUDDY_SNAPSHOT_BATCH ?
		       pos + CONTIG_BUDDY_SNAPSHOT_BATCH : end;
		spin_lock_irqsave(&b->lock, irqflags);
		__copy_owners(b, pos, next, owners + (pos - start));
		spin_unlock_irqrestore(&b->lock, irqflags);
	}
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_get_owners);

/**
 * contig_buddy_get_stats() - snapshot the counters.
 * @b:	the buddy.
 * @st:	filled in; every field is consistent with every other.
 *
 * The stash is merged back first, so the free blocks are those any
 * request can have.
 *
 * Context: any; takes and releases b->lock.
 */
void contig_buddy_get_stats(struct contig_buddy *b,
			    struct contig_buddy_stats *st)
{
	unsigned long irqflags;
	int o;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&b->lock, irqflags);
	/* Figures of the merged state: what any request can have. */
	__stash_drain(b);
	st->nr_frames = b->nr_frames;
	st->max_order = b->max_order;
	st->policy = b->policy;
	st->free_frames = b->free_frames;
	memcpy(st->nr_free, b->nr_free, sizeof(st->nr_free));
	memcpy(st->owner_frames, b->owner_frames, sizeof(st->owner_frames));
	st->nr_allocs = b->nr_allocs;
	st->nr_frees = b->nr_frees;
	st->alloc_failures = b->alloc_failures;
	st->range_busy = b->range_busy;
	st->bad_calls = b->bad_calls;
	st->zeroed_frames = b->zeroed_frames;
	st->stash_hits = b->stash_hits;
	st->stash_drains = b->stash_drains;
	spin_unlock_irqrestore(&b->lock, irqflags);
	for (o = st->max_order; o >= 0; o--) {
		if (st->nr_free[o]) {
			st->largest_free = 1UL << o;
			break;
		}
	}
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_get_stats);

/* mm/vmstat.c's fill_contig_page_info(), over a snapshot. */
static void __frag_info(const struct contig_buddy_stats *st,
			unsigned int order, u64 *free_pages, u64 *blocks,
			u64 *suitable)
{
	unsigned int o;

	*free_pages = 0;
	*blocks = 0;
	*suitable = 0;
	for (o = 0; o <= st->max_order && o < CONTIG_BUDDY_NR_ORDERS; o++) {
		*blocks += st->nr_free[o];
		*free_pages += (u64)st->nr_free[o] << o;
		if (o >= order)
			*suitable += (u64)st->nr_free[o] << (o - order);
	}
}

/**
 * contig_buddy_unusable_index() - the unusable free space index.
 * @st:		a snapshot from contig_buddy_get_stats().
 * @order:	order of the request, 0..CONTIG_BUDDY_MAX_ORDER.
 *
 * As mm/vmstat.c's unusable_free_index(): the share of free memory that
 * sits in blocks too small for a request of @order, in thousandths (1000
 * when nothing is free).
 *
 * Context: any.
 * Return: 0..1000.
 */
int contig_buddy_unusable_index(const struct contig_buddy_stats *st,
				unsigned int order)
{
	u64 free_pages, blocks, suitable;

	if (order > CONTIG_BUDDY_MAX_ORDER)
		return 1000;
	__frag_info(st, order, &free_pages, &blocks, &suitable);
	if (!free_pages)
		return 1000;
	return div64_u64((free_pages - (suitable << order)) * 1000ULL,
			 free_pages);
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_unusable_index);

/**
 * contig_buddy_fragmentation_index() - the external fragmentation index.
 * @st:		a snapshot from contig_buddy_get_stats().
 * @order:	order of the request, 0..CONTIG_BUDDY_MAX_ORDER.
 *
 * As mm/vmstat.c's __fragmentation_index(), in thousandths: -1000 when a
 * request of @order would succeed; otherwise towards 0 when it fails for
 * lack of memory and towards 1000 when it fails for fragmentation.  0 when
 * nothing is free.
 *
 * Context: any.
 * Return: -1000..1000.
 */
int contig_buddy_fragmentation_index(const struct contig_buddy_stats *st,
				     unsigned int order)
{
	u64 free_pages, blocks, suitable;

	if (order > CONTIG_BUDDY_MAX_ORDER)
		return 0;
	__frag_info(st, order, &free_pages, &blocks, &suitable);
	if (!blocks)
		return 0;
	if (suitable)
		return -1000;
	return 1000 - (int)div64_u64(1000 + div64_u64(free_pages * 1000ULL,
						      1ULL << order),
				     blocks);
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_fragmentation_index);

/* ---- the invariant checker ------------------------------------------------ */

struct __check {
	char *why;
	size_t len;
};

static __printf(2, 3) int __fail(struct __check *c, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(c->why, c->len, fmt, args);
	va_end(args);
	return -EUCLEAN;
}

/*
 * Summary levels, stray bits and counts of one order's bitmap.
 * Context: b->lock held.
 */
static int __check_bitmap(const struct contig_buddy *b, unsigned int o,
			  struct __check *c)
{
	const struct contig_buddy_bitmap *bm = &b->free[o];
	unsigned long bits = bm->nbits, words, i, count = 0;
	unsigned int l, j;

	lockdep_assert_held(&b->lock);
	for (l = 0; l < bm->nlevels; l++, bits = words) {
		const u64 *lvl = bm->lvl[l];

		words = __words(bits);
		if (lvl[words])
			return __fail(c, "order %u level %u: pad word set", o, l);
		if (bits % 64 && lvl[words - 1] >> (bits % 64))
			return __fail(c, "order %u level %u: bits past the end",
				      o, l);
		for (i = 0; i < words; i++) {
			u64 want = 0;

			if (!l) {
				count += hweight64(lvl[i]);
				continue;
			}
			for (j = 0; j < 64 && i * 64 + j < bits; j++)
				if (bm->lvl[l - 1][i * 64 + j])
					want |= 1ULL << j;
			if (lvl[i] != want)
				return __fail(c, "order %u level %u word %lu: %#llx, want %#llx",
					      o, l, i,
					      (unsigned long long)lvl[i],
					      (unsigned long long)want);
		}
	}
	if (count != b->nr_free[o])
		return __fail(c, "order %u: %lu blocks in the bitmap, nr_free %lu",
			      o, count, b->nr_free[o]);
	return 0;
}

/*
 * The allocation whose head is @pos; its size in *@nr.
 * Context: b->lock held.
 */
static int __check_alloc(const struct contig_buddy *b, unsigned long pos,
			 unsigned long *nr, struct __check *c)
{
	unsigned long ndigits = 0, i;
	u8 owner;

	lockdep_assert_held(&b->lock);
	owner = b->meta[pos] & META_OWNER;
	*nr = __alloc_frames(b, pos, &ndigits);
	if (!*nr)
		return __fail(c, "frame %lu: size digits corrupt", pos);
	if (!__owner_is_valid(owner))
		return __fail(c, "frame %lu: allocated to owner %u", pos, owner);
	for (i = pos + 1; i < pos + *nr; i++) {
		u8 m = b->meta[i];

		if ((m & META_OWNER) != owner)
			return __fail(c, "frame %lu: owner %u in the allocation at %lu of owner %u",
				      i, m & META_OWNER, pos, owner);
		if (m & META_HEAD)
			return __fail(c, "frame %lu: a head inside the allocation at %lu",
				      i, pos);
		if (i - pos >= ndigits && (m & (META_DIGIT | META_MORE)))
			return __fail(c, "frame %lu: stray size digits in the allocation at %lu",
				      i, pos);
	}
	if (__clean_count(b, pos, *nr) != *nr)
		return __fail(c, "allocation at %lu: %lu of its %lu frames not marked clean",
			      pos, *nr - __clean_count(b, pos, *nr), *nr);
	return 0;
}

/*
 * The free block starting at @pos; its order in *@order.
 * Context: b->lock held.
 */
static int __check_free(const struct contig_buddy *b, unsigned long pos,
			unsigned int *order, struct __check *c)
{
	unsigned long i, buddy;
	bool found = false;
	unsigned int o;

	lockdep_assert_held(&b->lock);
	for (o = 0; o <= b->max_order; o++) {
		if (pos & ((1UL << o) - 1) || (pos >> o) >= b->free[o].nbits)
			break;
		if (!__bm_test(&b->free[o], pos >> o))
			continue;
		if (found)
			return __fail(c, "frame %lu: starts free blocks of orders %u and %u",
				      pos, *order, o);
		found = true;
		*order = o;
	}
	if (!found)
		return __fail(c, "frame %lu: free but in no free block", pos);
	for (i = pos; i < pos + (1UL << *order); i++)
		if (b->meta[i])
			return __fail(c, "frame %lu: metadata %#x in the free block %lu/%u",
				      i, b->meta[i], pos, *order);
	buddy = pos ^ (1UL << *order);
	if (*order < b->max_order && __block_is_free(b, buddy, *order))
		return __fail(c, "free block %lu/%u and its buddy %lu unmerged",
			      pos, *order, buddy);
	return 0;
}

/*
 * The stashed block of @nr frames at @pos: aligned, in the region, free,
 * in no bitmap.  Context: b->lock held.
 */
static int __check_stashed(const struct contig_buddy *b, unsigned long pos,
			   unsigned long nr, struct __check *c)
{
	unsigned long i;
	unsigned int o;

	lockdep_assert_held(&b->lock);
	if (pos & (nr - 1) || nr > b->nr_frames - pos)
		return __fail(c, "stashed block %lu+%lu misaligned or outside",
			      pos, nr);
	for (i = pos; i < pos + nr; i++)
		if (b->meta[i])
			return __fail(c, "frame %lu: metadata %#x in the stashed block %lu+%lu",
				      i, b->meta[i], pos, nr);
	/* The free block of each order that would contain @pos. */
	for (o = 0; o <= b->max_order; o++) {
		unsigned long s = pos & ~((1UL << o) - 1);

		if (__block_is_free(b, s, o))
			return __fail(c, "stashed block %lu+%lu inside the free block %lu/%u",
				      pos, nr, s, o);
	}
	return 0;
}

/* Every invariant of the file comment.  Context: b->lock held. */
static int __check(const struct contig_buddy *b, struct __check *c)
{
	unsigned long owners[CONTIG_NR_OWNERS] = { 0 };
	unsigned long pos, nr, bits = 0, blocks = 0, allocs = 0, free = 0;
	unsigned long zeroed = 0, stashed = 0, in_stash = 0;
	unsigned int o;
	int ret, so;

	lockdep_assert_held(&b->lock);
	if (!b->meta)
		return __fail(c, "not initialised");
	for (o = 0; o < CONTIG_BUDDY_STASH_ORDERS; o++) {
		if (b->nr_stash[o] > CONTIG_BUDDY_STASH_DEPTH)
			return __fail(c, "order %u: %u blocks stashed", o,
				      b->nr_stash[o]);
		in_stash += (unsigned long)b->nr_stash[o] << o;
	}
	if (in_stash != b->stash_frames)
		return __fail(c, "%lu frames stashed, stash_frames says %lu",
			      in_stash, b->stash_frames);
	if (b->nr_frames % 64 &&
	    b->clean[b->nr_frames / 64] >> (b->nr_frames % 64))
		return __fail(c, "clean bits past the end of the region");
	for (o = 0; o <= b->max_order; o++) {
		ret = __check_bitmap(b, o, c);
		if (ret)
			return ret;
		bits += b->nr_free[o];
		free += b->nr_free[o] << o;
	}
	if (free + b->stash_frames != b->free_frames)
		return __fail(c, "free blocks hold %lu frames and the stash %lu, free_frames %lu",
			      free, b->stash_frames, b->free_frames);

	for (pos = 0; pos < b->nr_frames; pos += nr) {
		u8 m = b->meta[pos];

		so = m ? -1 : __stashed_at(b, pos);
		if (m & META_HEAD) {
			ret = __check_alloc(b, pos, &nr, c);
			if (ret)
				return ret;
			owners[m & META_OWNER] += nr;
			allocs++;
		} else if (so >= 0) {
			nr = 1UL << so;
			ret = __check_stashed(b, pos, nr, c);
			if (ret)
				return ret;
			owners[CONTIG_OWNER_FREE] += nr;
			zeroed += __clean_count(b, pos, nr);
			stashed += nr;
		} else if (!m) {
			ret = __check_free(b, pos, &o, c);
			if (ret)
				return ret;
			nr = 1UL << o;
			owners[CONTIG_OWNER_FREE] += nr;
			zeroed += __clean_count(b, pos, nr);
			blocks++;
		} else {
			return __fail(c, "frame %lu: metadata %#x outside any allocation",
				      pos, m);
		}
	}
	if (blocks != bits)
		return __fail(c, "%lu free blocks in the bitmaps, %lu on the frames (overlap)",
			      bits, blocks);
	for (o = 0; o < CONTIG_NR_OWNERS; o++)
		if (owners[o] != b->owner_frames[o])
			return __fail(c, "%lu %s frames, owner_frames says %lu",
				      owners[o], contig_owner_names[o],
				      b->owner_frames[o]);
	if (stashed != b->stash_frames)
		return __fail(c, "%lu stashed frames met on the walk, stash_frames %lu (overlap)",
			      stashed, b->stash_frames);
	if (zeroed != b->zeroed_frames)
		return __fail(c, "%lu free frames zeroed, zeroed_frames says %lu",
			      zeroed, b->zeroed_frames);
	if (allocs != b->nr_allocs - b->nr_frees)
		return __fail(c, "%lu allocations, counters say %lu - %lu",
			      allocs, b->nr_allocs, b->nr_frees);
	if (b->rover[0] > b->nr_frames || b->rover[1] > b->nr_frames)
		return __fail(c, "next-fit rover %lu/%lu beyond the region",
			      b->rover[0], b->rover[1]);
	return 0;
}

/**
 * contig_buddy_check() - check every invariant of the buddy.
 * @b:		the buddy.
 * @why:	set to the first problem found (may be NULL if @len is 0).
 * @len:	size of @why.
 *
 * See the file comment for the invariants.  O(frames + bitmap words).
 *
 * Context: any, but holds b->lock with interrupts off throughout: for
 * tests and debugging.
 * Return: 0, or -EUCLEAN with the reason in @why.
 */
int contig_buddy_check(struct contig_buddy *b, char *why, size_t len)
{
	struct __check c = { why, len };
	unsigned long irqflags;
	int ret;

	if (len)
		why[0] = '\0';
	spin_lock_irqsave(&b->lock, irqflags);
	ret = __check(b, &c);
	spin_unlock_irqrestore(&b->lock, irqflags);
	return ret;
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_check);

/* ---- names ---------------------------------------------------------------- */

/**
 * contig_policy_from_name() - parse a policy name.
 * @name: "first", "best", "worst" or "next", optionally followed by "-fit"
 *	  or "_fit", and by one newline.
 *
 * Context: any.
 * Return: the enum contig_policy value, or -EINVAL.
 */
int contig_policy_from_name(const char *name)
{
	int p;

	if (!name)
		return -EINVAL;
	for (p = 0; p < CONTIG_NR_POLICIES; p++) {
		size_t n = strlen(contig_policy_names[p]);
		const char *rest = name + n;

		if (strncmp(name, contig_policy_names[p], n))
			continue;
		if (!strncmp(rest, "-fit", 4) || !strncmp(rest, "_fit", 4))
			rest += 4;
		if (*rest == '\n')
			rest++;
		if (!*rest)
			return p;
	}
	return -EINVAL;
}

CONTIG_EXPORT_FOR_TESTS(contig_policy_from_name);

/**
 * contig_policy_name() - the name of a policy.
 * @policy: an enum contig_policy value.
 *
 * Context: any.
 * Return: "first", "best", "worst", "next", "default" or "invalid".
 */
const char *contig_policy_name(int policy)
{
	if (policy >= 0 && policy < CONTIG_NR_POLICIES)
		return contig_policy_names[policy];
	return policy == CONTIG_POLICY_DEFAULT ? "default" : "invalid";
}

CONTIG_EXPORT_FOR_TESTS(contig_policy_name);

/**
 * contig_owner_name() - the name of an owner.
 * @owner: an enum contig_owner value.
 *
 * Context: any.
 * Return: "free", "unmovable", "movable", "pinned", "slab" or "invalid".
 */
const char *contig_owner_name(enum contig_owner owner)
{
	if ((unsigned int)owner < CONTIG_NR_OWNERS)
		return contig_owner_names[owner];
	return "invalid";
}

CONTIG_EXPORT_FOR_TESTS(contig_owner_name);

/**
 * contig_buddy_set_policy() - change the default placement policy.
 * @b:		the buddy.
 * @policy:	a policy other than CONTIG_POLICY_DEFAULT.
 *
 * An invalid @policy is reported as a bug and ignored.
 *
 * Context: any; takes and releases b->lock.
 */
void contig_buddy_set_policy(struct contig_buddy *b, int policy)
{
	unsigned long irqflags;

	if (policy < 0 || policy >= CONTIG_NR_POLICIES) {
		__bad_call(b, true, "set_policy to an invalid policy", policy);
		return;
	}
	spin_lock_irqsave(&b->lock, irqflags);
	b->policy = policy;
	spin_unlock_irqrestore(&b->lock, irqflags);
}

CONTIG_EXPORT_FOR_TESTS(contig_buddy_set_policy);
