/* SPDX-License-Identifier: GPL-2.0 */
/*
 * buddy_core.h - the page-frame allocator of a contig region.
 *
 * The buddy hands out runs of frames (page-sized units numbered from 0)
 * of a region of any size up to CONTIG_BUDDY_MAX_FRAMES.  Orders go from
 * one frame up to the largest power of two that fits the region; there is
 * no MAX_ORDER cap, and a region that is not a power of two is covered by
 * several top blocks (13 frames: 8 + 4 + 1).  A request takes exactly the
 * frames it asks for: the enclosing block is split and the tail goes back
 * as free buddies.  See buddy_core.c for the design.
 *
 * This file is shared by contig.ko and by the user-space build in
 * tools/buddy/ (fuzzer, trace replay, benchmark).  It depends on the
 * kernel only through what tools/buddy/kshim.h provides outside it.
 *
 * Locking: every function below takes @lock itself (irqsave) unless its
 * kernel-doc says otherwise; none sleeps and none allocates memory after
 * contig_buddy_init(), so all but init and fini may be called from any
 * context, hard interrupts included.
 */
#ifndef _CONTIG_BUDDY_CORE_H
#define _CONTIG_BUDDY_CORE_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#else
#include "kshim.h"
#endif

/* Largest region: 2^30 frames (4 TiB of 4 KiB pages); orders 0..30. */
#define CONTIG_BUDDY_MAX_ORDER		30
#define CONTIG_BUDDY_NR_ORDERS		(CONTIG_BUDDY_MAX_ORDER + 1)
#define CONTIG_BUDDY_MAX_FRAMES		BIT(CONTIG_BUDDY_MAX_ORDER)
/* Levels of a free bitmap: 64^5 = 2^30 bits. */
#define CONTIG_BUDDY_LEVELS		5
/*
 * Frames contig_buddy_get_owners() copies per hold of the lock: its
 * longest section with interrupts off, whatever the size of the window.
 */
#define CONTIG_BUDDY_SNAPSHOT_BATCH	1024

/**
 * enum contig_owner - who holds a frame; kept per frame in the buddy.
 * @CONTIG_OWNER_FREE:		in a free block.
 * @CONTIG_OWNER_UNMOVABLE:	contiguous or kernel memory; never moves.
 * @CONTIG_OWNER_MOVABLE:	may be migrated elsewhere to make room.
 * @CONTIG_OWNER_PINNED:	was movable, pinned for now (DMA in flight).
 * @CONTIG_OWNER_SLAB:		carved into small objects.
 * @CONTIG_OWNER_LENT:		lent to the kernel's page allocator (lend.c);
 *				contig's only once taken back.
 * @CONTIG_NR_OWNERS:		number of the above.
 */
enum contig_owner {
	CONTIG_OWNER_FREE,
	CONTIG_OWNER_UNMOVABLE,
	CONTIG_OWNER_MOVABLE,
	CONTIG_OWNER_PINNED,
	CONTIG_OWNER_SLAB,
	CONTIG_OWNER_LENT,
	CONTIG_NR_OWNERS,
};

/**
 * enum contig_policy - which free block a request is carved from.
 * @CONTIG_POLICY_FIRST_FIT:	the lowest-addressed block that fits.
 * @CONTIG_POLICY_BEST_FIT:	the smallest block that fits, lowest first.
 * @CONTIG_POLICY_WORST_FIT:	the largest block, lowest first.
 * @CONTIG_POLICY_NEXT_FIT:	first fit from where the previous next-fit
 *				allocation ended, wrapping around.
 * @CONTIG_POLICY_DEFAULT:	the buddy's configured default policy.
 *
 * With top-down placement "lowest" reads "highest" throughout.
 */
enum contig_policy {
	CONTIG_POLICY_FIRST_FIT,
	CONTIG_POLICY_BEST_FIT,
	CONTIG_POLICY_WORST_FIT,
	CONTIG_POLICY_NEXT_FIT,
	CONTIG_POLICY_DEFAULT,
};

#define CONTIG_NR_POLICIES	CONTIG_POLICY_DEFAULT

/*
 * The stash (buddy_core.c): blocks of 1 << 0 .. 1 << (STASH_ORDERS - 1)
 * frames freed by contig_buddy_free_cached(), kept unmerged, up to
 * STASH_DEPTH per order, for CONTIG_BUDDY_CACHED requests of their size.
 */
#define CONTIG_BUDDY_STASH_ORDERS	5
#define CONTIG_BUDDY_STASH_DEPTH	8

/*
 * Flags of contig_buddy_alloc().
 *
 * CONTIG_BUDDY_ATOMIC: the caller may be in atomic context.  The buddy
 * never sleeps nor allocates, so this changes nothing here; it is
 * accepted so that callers can pass their context down unchanged.
 *
 * CONTIG_BUDDY_TOPDOWN: place from the high end of the region, and at the
 * high end of the chosen block.  Movable allocations are placed top-down
 * by default and everything else bottom-up, so the two kinds group at
 * opposite ends (grouping by mobility) and emptying a window for a large
 * unmovable request means moving movable frames only.
 *
 * CONTIG_BUDDY_BOTTOMUP: place from the low end even when movable.
 *
 * CONTIG_BUDDY_CACHED: a request for a power of two of frames up to
 * 1 << (CONTIG_BUDDY_STASH_ORDERS - 1), aligned to no more than its size
 * and placed bottom-up, takes the block last stashed at its size if
 * there is one, whatever the policy: no split, no search.
 */
#define CONTIG_BUDDY_ATOMIC	0x1U
#define CONTIG_BUDDY_TOPDOWN	0x2U
#define CONTIG_BUDDY_BOTTOMUP	0x4U
#define CONTIG_BUDDY_CACHED	0x8U
#define CONTIG_BUDDY_FLAGS	(CONTIG_BUDDY_ATOMIC | CONTIG_BUDDY_TOPDOWN | \
				 CONTIG_BUDDY_BOTTOMUP | CONTIG_BUDDY_CACHED)

/**
 * struct contig_buddy_bitmap - the free blocks of one order.
 * @lvl:	@lvl[0] has bit i set when the block starting at frame
 *		i << order is free at this order; bit i of @lvl[l + 1] is set
 *		when word i of @lvl[l] is non-zero.  Each level ends with a
 *		zero pad word so a search may read one word past its end.
 * @nbits:	bits of @lvl[0]: the blocks of this order that fit.
 * @nlevels:	levels in use; the last one is a single word (plus pad).
 */
struct contig_buddy_bitmap {
	u64 *lvl[CONTIG_BUDDY_LEVELS];
	unsigned long nbits;
	unsigned int nlevels;
};

/**
 * struct contig_buddy - the allocator state of one region.
 * @lock:	protects everything below but the fields marked const.
 * @nr_frames:	frames managed, 0..@nr_frames-1 (const after init).
 * @max_order:	largest order with a block that fits (const after init).
 * @quiet:	count bad calls but do not report them (tests set this
 *		after contig_buddy_init(); read without the lock).
 * @warned:	the kernel wrapper's WARN has fired for this instance.
 * @policy:	placement policy of CONTIG_POLICY_DEFAULT requests.
 * @meta:	one byte per frame: owner, allocation head, size digits.
 * @words:	backing store of every bitmap in @free.
 * @nr_words:	number of u64 in @words.
 * @free:	free blocks, per order.
 * @nr_free:	free blocks, per order.
 * @free_frames: sum of @nr_free[o] << o.
 * @owner_frames: frames per owner (the CONTIG_OWNER_FREE entry equals
 *		@free_frames).
 * @rover:	next-fit position, bottom-up [0] and top-down [1].
 * @nr_allocs:	successful allocations (ranges included).
 * @nr_frees:	successful frees.
 * @alloc_failures: contig_buddy_alloc() calls that found no block (-ENOMEM).
 * @range_busy:	contig_buddy_alloc_range() calls refused with -EBUSY.
 * @bad_calls:	calls refused with -EINVAL (or -EUCLEAN).
 * @clean:	one bit per frame: set when the frame is allocated or is free
 *		and known to hold only zero bytes; clear for a free frame
 *		whose contents are unknown ("dirty").  See buddy_core.c.
 * @zeroed_frames: free frames whose @clean bit is set.
 * @stash:	per order, the first frames of the stashed blocks; the last
 *		is the next one handed out.
 * @nr_stash:	per order, blocks in @stash.
 * @stash_frames: frames in the stash; part of @free_frames.
 * @stash_hits:	CONTIG_BUDDY_CACHED allocations served from the stash.
 * @stash_drains: times the stash was merged back (contig_buddy_drain(),
 *		a request no free block served, a range claim, stats).
 * @zeroing:	the free frame contig_buddy_zero_next() is clearing outside
 *		the lock and will mark zeroed, or ~0UL.
 * @zeroing_busy: @zeroing is being cleared: set under the lock, cleared
 *		with a release store once the clear is done, without it; an
 *		allocation that takes @zeroing waits for that store.
 * @zeroing_lost: an allocation took @zeroing meanwhile: it is not marked.
 */
struct contig_buddy {
	spinlock_t lock;		/* protects what follows */
	unsigned long nr_frames;
	unsigned int max_order;
	bool quiet;
	unsigned int warned;
	enum contig_policy policy;
	u8 *meta;
	u64 *words;
	unsigned long nr_words;
	struct contig_buddy_bitmap free[CONTIG_BUDDY_NR_ORDERS];
	unsigned long nr_free[CONTIG_BUDDY_NR_ORDERS];
	unsigned long free_frames;
	unsigned long owner_frames[CONTIG_NR_OWNERS];
	unsigned long rover[2];
	unsigned long nr_allocs;
	unsigned long nr_frees;
	unsigned long alloc_failures;
	unsigned long range_busy;
	unsigned long bad_calls;
	u64 *clean;
	unsigned long zeroed_frames;
	unsigned long stash[CONTIG_BUDDY_STASH_ORDERS][CONTIG_BUDDY_STASH_DEPTH];
	unsigned int nr_stash[CONTIG_BUDDY_STASH_ORDERS];
	unsigned long stash_frames;
	unsigned long stash_hits;
	unsigned long stash_drains;
	unsigned long zeroing;
	bool zeroing_busy;
	bool zeroing_lost;
};

/**
 * struct contig_buddy_stats - a consistent snapshot of the counters.
 * @nr_frames:	frames in the region.
 * @max_order:	largest order a block of the region can have.
 * @policy:	the default placement policy.
 * @free_frames: free frames.
 * @largest_free: frames in the largest free block (0 when none is free);
 *		the largest request that can succeed right now.
 * @nr_free:	free blocks per order, 0..@max_order.
 * @owner_frames: frames per owner.
 * @nr_allocs:	successful allocations (ranges included).
 * @nr_frees:	successful frees.
 * @alloc_failures: allocations refused for lack of a free block.
 * @range_busy:	range claims refused because a frame was in use.
 * @bad_calls:	calls refused as invalid.
 * @zeroed_frames: free frames known to hold only zero bytes.
 * @stash_hits:	CONTIG_BUDDY_CACHED allocations served from the stash.
 * @stash_drains: times the stash was merged back.
 */
struct contig_buddy_stats {
	unsigned long nr_frames;
	unsigned int max_order;
	enum contig_policy policy;
	unsigned long free_frames;
	unsigned long largest_free;
	unsigned long nr_free[CONTIG_BUDDY_NR_ORDERS];
	unsigned long owner_frames[CONTIG_NR_OWNERS];
	unsigned long nr_allocs;
	unsigned long nr_frees;
	unsigned long alloc_failures;
	unsigned long range_busy;
	unsigned long bad_calls;
	unsigned long zeroed_frames;
	unsigned long stash_hits;
	unsigned long stash_drains;
};

int contig_buddy_init(struct contig_buddy *b, unsigned long nr_frames,
		      enum contig_policy default_policy);
void contig_buddy_fini(struct contig_buddy *b);
long contig_buddy_alloc(struct contig_buddy *b, unsigned long nr_frames,
			unsigned long align_frames, enum contig_owner owner,
			enum contig_policy policy, unsigned int flags);
long contig_buddy_alloc_zeroed(struct contig_buddy *b, unsigned long nr_frames,
			       unsigned long align_frames,
			       enum contig_owner owner,
			       enum contig_policy policy, unsigned int flags,
			       unsigned long *zeroed);
long contig_buddy_zero_next(struct contig_buddy *b, unsigned long from,
			    unsigned long to,
			    void (*clear)(void *arg, unsigned long frame),
			    void *arg);
long contig_buddy_alloc_range(struct contig_buddy *b, unsigned long start,
			      unsigned long nr_frames, enum contig_owner owner);
long contig_buddy_convert_range(struct contig_buddy *b, unsigned long start,
				unsigned long nr_frames, enum contig_owner from,
				enum contig_owner to);
int contig_buddy_free(struct contig_buddy *b, unsigned long frame);
int contig_buddy_free_cached(struct contig_buddy *b, unsigned long frame);
void contig_buddy_drain(struct contig_buddy *b);
long contig_buddy_alloc_size(struct contig_buddy *b, unsigned long frame);
enum contig_owner contig_buddy_owner(struct contig_buddy *b,
				     unsigned long frame);
int contig_buddy_set_owner(struct contig_buddy *b, unsigned long frame,
			   enum contig_owner owner);
void contig_buddy_count_owners(struct contig_buddy *b, unsigned long start,
			       unsigned long nr_frames,
			       unsigned long counts[CONTIG_NR_OWNERS]);
void contig_buddy_get_owners(struct contig_buddy *b, unsigned long start,
			     unsigned long nr_frames, u8 *owners);
void contig_buddy_get_stats(struct contig_buddy *b,
			    struct contig_buddy_stats *st);
int contig_buddy_unusable_index(const struct contig_buddy_stats *st,
				unsigned int order);
int contig_buddy_fragmentation_index(const struct contig_buddy_stats *st,
				     unsigned int order);
int contig_buddy_check(struct contig_buddy *b, char *why, size_t len);

/* Policy and owner names: "first", "best", "worst", "next". */
int contig_policy_from_name(const char *name);
const char *contig_policy_name(int policy);
void contig_buddy_set_policy(struct contig_buddy *b, int policy);
const char *contig_owner_name(enum contig_owner owner);

/*
 * Provided by the build, not by buddy_core.c: the kernel wrapper
 * (buddy.c) warns or logs, the user-space shim counts.  @bug is true for
 * programming errors (double free, bad owner, corrupt metadata), false
 * for arguments a user could have passed (size, alignment).
 */
void contig_buddy_report(struct contig_buddy *b, bool bug, const char *what,
			 unsigned long val);
/* Fault injection (fault.c): true makes contig_buddy_alloc() find no block. */
bool contig_buddy_should_fail(struct contig_buddy *b);

#endif /* _CONTIG_BUDDY_CORE_H */
