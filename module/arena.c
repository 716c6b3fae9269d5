// SPDX-License-Identifier: GPL-2.0
/*
 * arena.c - a user's own block of the region.
 *
 * An unprivileged user of /dev/contig must not be able to cut the region
 * into pieces too small for anybody else, however cleverly it allocates
 * and frees within its quota (the Robson-style sequences: one page at
 * every large alignment, every other page, growing orders after frees).
 * So its CONTIGUOUS and SG buffers do not come from the region's buddy
 * but from an arena: one naturally aligned block of the region, of
 * roundup_pow_of_two(its byte limit) frames, with a buddy allocator
 * (buddy_core.c) of its own nested in it.  The user can fragment its
 * arena and nothing else; to the region, the arena is one unmovable
 * allocation.  user.c decides who gets an arena and when: the user's
 * first such buffer makes it, and it goes back to the region with the
 * last one.
 *
 * Placement.  An arena of A frames goes in the highest A-aligned slot of
 * the region that holds only free or movable frames, the movable ones
 * moved out first (contig_migrate_alloc_at()): at the top, whatever is
 * there, unless another arena or unmovable memory is.  Unmovable memory
 * is placed bottom-up and movable memory top-down (buddy_core.h), so the
 * arena sits at the end of the region and what lies below it is one run
 * of free or movable frames, which migration can empty for a CONTIGUOUS
 * request.  Two simpler placements fail this: a plain top-down buddy
 * allocation lands below movable memory already at the top (the user's
 * own, say), cutting the free space in two; a bottom-up one lands above
 * any unmovable page at the bottom, doing the same.  So, in a region of
 * R frames otherwise free or movable, the arena is frames
 * [R - (R mod A) - A, R - (R mod A)) and a page-aligned CONTIGUOUS
 * request of up to R - A - (R mod A) frames succeeds: the property
 * README.md's "Security model" states.
 *
 * This file uses the region's buddy, the nested one, and migration
 * (migrate.c).  Buffers carved from an arena (buffer.c) read @buddy and
 * @base.
 *
 * Locking: none of its own.  The arena buddy's lock is a buddy lock (the
 * innermost of the order in contig_internal.h), never held together with
 * the region's.  Creation and destruction are serialized by the caller
 * (user.c's contig_users_mutex), and creation takes contig_movable_mutex
 * to move memory out of the slot.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "arena.h"
#include "lend.h"
#include "migrate.h"

/**
 * contig_arena_new() - take an arena from the region.
 * @r:         the region.
 * @nr_frames: its size in frames, a power of two no larger than the
 *             region's largest block.
 *
 * Context: process context, may sleep.
 * Return: the arena, ERR_PTR(-ENOMEM) when no free block of that order is
 * left (or no memory for the metadata), ERR_PTR(-EINVAL) for a bad size.
 */
struct contig_arena *contig_arena_new(struct contig_region *r,
				      unsigned long nr_frames)
{
	struct contig_arena *a;
	unsigned long slot, start;
	int ret, tries;
	long frame;

	if (!is_power_of_2(nr_frames) || nr_frames > (1UL << r->buddy.max_order))
		return ERR_PTR(-EINVAL);
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return ERR_PTR(-ENOMEM);
	ret = contig_buddy_init(&a->buddy, nr_frames, CONTIG_POLICY_FIRST_FIT);
	if (ret)
		goto free_arena;
	/*
	 * From the highest slot down; a slot with unmovable frames is
	 * -EAGAIN.  None: take a block back from the kernel if the region
	 * lends (lend.c), and look once more.
	 */
	for (tries = 0; tries < 2; tries++) {
		frame = -ENOMEM;
		for (slot = r->nr_pages / nr_frames; slot-- > 0;) {
			frame = contig_migrate_alloc_at(r, slot * nr_frames,
							nr_frames,
							CONTIG_OWNER_UNMOVABLE);
			if (frame >= 0 || frame != -EAGAIN)
				break;
			cond_resched();
		}
		if (frame >= 0 || tries ||
		    contig_lend_take(r, nr_frames, nr_frames, &start,
				     NULL) <= 0)
			break;
	}
	if (frame < 0) {
		ret = frame == -EAGAIN ? -ENOMEM : frame;
		pr_info_ratelimited("arena: no free block of %lu KiB left in the region for a user's arena\n",
				    nr_frames << (PAGE_SHIFT - 10));
		goto fini_buddy;
	}
	a->region = r;
	a->base = frame;
	a->nr_frames = nr_frames;
	return a;

fini_buddy:
	contig_buddy_fini(&a->buddy);
free_arena:
	kfree(a);
	return ERR_PTR(ret);
}

CONTIG_EXPORT_FOR_TESTS(contig_arena_new);

/**
 * contig_arena_destroy() - give an arena back to the region.
 * @a: an arena none of whose frames is allocated any more.
 *
 * Context: process context, may sleep.
 */
void contig_arena_destroy(struct contig_arena *a)
{
	struct contig_buddy_stats st;

	contig_buddy_get_stats(&a->buddy, &st);
	/* Frames still in use: leak the block rather than share it. */
	if (WARN_ON_ONCE(st.free_frames != a->nr_frames))
		pr_err("arena at frame %lu destroyed with %lu frames still allocated: its %lu KiB are leaked\n",
		       a->base, a->nr_frames - st.free_frames,
		       a->nr_frames << (PAGE_SHIFT - 10));
	else
		contig_buddy_free(&a->region->buddy, a->base);
	contig_lend_freed();
	contig_buddy_fini(&a->buddy);
	kfree(a);
}

CONTIG_EXPORT_FOR_TESTS(contig_arena_destroy);
