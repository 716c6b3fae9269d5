// SPDX-License-Identifier: GPL-2.0
/*
 * buddy_kunit.c - KUnit suite contig_buddy: the buddy allocator core.
 *
 * Every case builds its own private buddies (kunit_kzalloc'd, finalised by
 * a kunit action even when an assertion aborts the case); none touches the
 * region of the loaded contig.ko.  The threads and the timer of the
 * concurrency case are joined and cancelled by actions as well, before the
 * buddy they use goes.  Private buddies are quiet: refused
 * calls are counted, not reported, except in the one case that checks the
 * report itself.  contig_buddy_check() runs after every step of the
 * scenario cases and every 64 operations of the stress cases, which also
 * compare every frame's owner with their model every 1024.
 *
 *  - init: top blocks of regions of many sizes, refused sizes;
 *  - scenarios after drm_buddy_test: one block of each order until one
 *    frame is left, freed in four different orders back to one top block;
 *    a region of one top block per order, taken whole; a region filled
 *    with mixed sizes; every other frame free (50% fragmentation, with the
 *    exact fragmentation indices);
 *  - exact sizes: every size of a 64-frame region, bottom-up and
 *    top-down, leaves exactly the free blocks that cover the rest;
 *  - every alignment, both directions, and where each request must land;
 *  - each policy on a hand-built layout: the block each must pick;
 *  - ranges, owners, names, atomic context;
 *  - the stash: what goes in (and what does not), LIFO reuse, a double
 *    free of a stashed block refused, the accounting, and every way it is
 *    merged back (a request no block serves, a range claim, stats);
 *  - concurrency: threads on every CPU and a hard-irq timer at once;
 *  - every bad call, each leaving the buddy bit-for-bit unchanged;
 *  - the report of a bad call (one WARN, between expect-warn markers);
 *  - seeded random stress against a shadow model, one case per policy:
 *    stress_ops operations (module parameter, default 100000) with the
 *    seed printed (module parameter seed= repeats a run);
 *  - owner snapshots, copied in batches, against the owner of each frame.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/irqflags.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "contig_internal.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);

static unsigned long long seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "Seed of the stress cases (0: a random one, printed)");

static unsigned int stress_ops = 100000;
module_param(stress_ops, uint, 0444);
MODULE_PARM_DESC(stress_ops, "Operations per stress case");

/* ---- helpers -------------------------------------------------------------- */

static void __fini_action(void *b)
{
	contig_buddy_fini(b);
}

static struct contig_buddy *__new_buddy(struct kunit *test,
					unsigned long frames,
					enum contig_policy policy)
{
	struct contig_buddy *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, contig_buddy_init(b, frames, policy), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __fini_action, b),
			0);
	b->quiet = true;
	return b;
}

static void __check(struct kunit *test, struct contig_buddy *b, int line)
{
	char why[128];

	KUNIT_ASSERT_EQ_MSG(test, contig_buddy_check(b, why, sizeof(why)), 0,
			    "invariant broken (line %d): %s", line, why);
}

#define check(test, b)	__check(test, b, __LINE__)

static long __alloc(struct contig_buddy *b, unsigned long nr,
		    unsigned long align, unsigned int flags)
{
	return contig_buddy_alloc(b, nr, align, CONTIG_OWNER_UNMOVABLE,
				  CONTIG_POLICY_DEFAULT, flags);
}

static unsigned long __free_frames(struct contig_buddy *b)
{
	struct contig_buddy_stats st;

	contig_buddy_get_stats(b, &st);
	return st.free_frames;
}

/*
 * The free blocks per order that cover [@start, @end) greedily, added to
 * @nr_free: what the buddy must hold when exactly that range is free.
 */
static void __cover(unsigned long start, unsigned long end,
		    unsigned long nr_free[CONTIG_BUDDY_NR_ORDERS])
{
	while (start < end) {
		unsigned int o = 0;

		while (!(start & ((2UL << o) - 1)) &&
		       start + (2UL << o) <= end)
			o++;
		nr_free[o]++;
		start += 1UL << o;
	}
}

static void __expect_free_blocks(struct kunit *test, struct contig_buddy *b,
				 const unsigned long want[CONTIG_BUDDY_NR_ORDERS])
{
	struct contig_buddy_stats st;
	unsigned int o;

	contig_buddy_get_stats(b, &st);
	for (o = 0; o < CONTIG_BUDDY_NR_ORDERS; o++)
		KUNIT_EXPECT_EQ_MSG(test, st.nr_free[o], want[o], "order %u", o);
}

/* The region is entirely free again, as after init. */
static void __expect_whole(struct kunit *test, struct contig_buddy *b)
{
	unsigned long want[CONTIG_BUDDY_NR_ORDERS] = { 0 };

	check(test, b);
	__cover(0, b->nr_frames, want);
	__expect_free_blocks(test, b, want);
	KUNIT_EXPECT_EQ(test, __free_frames(b), b->nr_frames);
}

/* ---- init ----------------------------------------------------------------- */

static void buddy_init_test(struct kunit *test)
{
	static const unsigned long sizes[] = {
		1, 2, 3, 13, 64, 100, 1000, 4095, 4096, 65535, 262144,
	};
	struct contig_buddy *b;
	struct contig_buddy_stats st;
	unsigned int i, o;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		b = __new_buddy(test, sizes[i], CONTIG_POLICY_FIRST_FIT);
		check(test, b);
		contig_buddy_get_stats(b, &st);
		KUNIT_EXPECT_EQ(test, st.nr_frames, sizes[i]);
		KUNIT_EXPECT_EQ(test, st.free_frames, sizes[i]);
		KUNIT_EXPECT_EQ(test, st.max_order, (unsigned int)ilog2(sizes[i]));
		KUNIT_EXPECT_EQ(test, st.largest_free,
				rounddown_pow_of_two(sizes[i]));
		/* Top blocks: one per bit of the size, largest first. */
		for (o = 0; o < CONTIG_BUDDY_NR_ORDERS; o++)
			KUNIT_EXPECT_EQ_MSG(test, st.nr_free[o],
					    (sizes[i] >> o) & 1,
					    "%lu frames, order %u", sizes[i], o);
		/* No MAX_ORDER cap: the largest block is allocatable. */
		KUNIT_EXPECT_EQ(test, __alloc(b, st.largest_free, 1, 0), 0L);
		check(test, b);
	}
}

/*
 * contig_buddy_init() of @b, expected to be refused.  A buddy it built
 * all the same is finalised at once, before the next init overwrites it.
 */
static int __init_refused(struct contig_buddy *b, unsigned long frames,
			  enum contig_policy policy)
{
	int ret = contig_buddy_init(b, frames, policy);

	if (!ret)
		contig_buddy_fini(b);
	return ret;
}

static void buddy_init_refused_test(struct kunit *test)
{
	struct contig_buddy *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __fini_action, b),
			0);
	KUNIT_EXPECT_EQ(test, __init_refused(b, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, __init_refused(b, CONTIG_BUDDY_MAX_FRAMES + 1, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, __init_refused(b, 16, CONTIG_POLICY_DEFAULT),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, __init_refused(b, 16, 42), -EINVAL);
	/* Harmless after a failed init. */
	kunit_release_action(test, __fini_action, b);
}

/* ---- scenarios ------------------------------------------------------------ */

static const char * const free_orders[] = {
	"ascending", "descending", "outside-in", "random",
};

static void free_order_desc(const char * const *p, char *desc)
{
	strscpy(desc, *p, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(free_order, free_orders, free_order_desc);

/*
 * Allocate one block of each order, smallest first, in a 2^12 region:
 * exactly one frame must be left.  Then free them in the order the
 * parameter says; the region must come back as one top block.
 */
static void buddy_one_of_each_order_test(struct kunit *test)
{
	const char * const *how = test->param_value;
	const unsigned int top = 12;
	struct contig_buddy *b = __new_buddy(test, 1UL << top, 0);
	unsigned int o, i, n = 0, perm[13];
	struct rnd_state rnd;
	long frames[13], f;

	for (o = 0; o < top; o++) {
		f = __alloc(b, 1UL << o, 1, 0);
		KUNIT_ASSERT_GE_MSG(test, f, 0L, "order %u", o);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED(f, 1UL << o));
		frames[n++] = f;
		check(test, b);
	}
	KUNIT_EXPECT_EQ(test, __free_frames(b), 1UL);
	for (o = 1; o <= top; o++)
		KUNIT_EXPECT_EQ_MSG(test, __alloc(b, 1UL << o, 1, 0),
				    (long)-ENOMEM, "order %u", o);
	f = __alloc(b, 1, 1, 0);
	KUNIT_ASSERT_GE(test, f, 0L);
	frames[n++] = f;
	KUNIT_EXPECT_EQ(test, __alloc(b, 1, 1, 0), (long)-ENOMEM);
	KUNIT_EXPECT_EQ(test, __free_frames(b), 0UL);
	check(test, b);

	/* The order to free them in: a permutation of 0..n-1. */
	for (i = 0; i < n; i++) {
		if (!strcmp(*how, "descending"))
			perm[i] = n - 1 - i;
		else if (!strcmp(*how, "outside-in"))
			perm[i] = i % 2 ? n - 1 - i / 2 : i / 2;
		else
			perm[i] = i;
	}
	prandom_seed_state(&rnd, seed);
	for (i = 0; !strcmp(*how, "random") && i + 1 < n; i++) {
		unsigned int k = i + prandom_u32_state(&rnd) % (n - i);

		swap(perm[i], perm[k]);
	}

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, frames[perm[i]]), 0);
		check(test, b);
	}
	__expect_whole(test, b);
}

/*
 * A region of 2^(top+1) - 1 frames is one top block of each order: each
 * can be taken whole, largest first, and then nothing is left.
 */
static void buddy_one_block_per_order_test(struct kunit *test)
{
	const unsigned int top = 11;
	struct contig_buddy *b = __new_buddy(test, (2UL << top) - 1, 0);
	long frames[12];
	int o;

	for (o = top; o >= 0; o--) {
		frames[o] = __alloc(b, 1UL << o, 1, 0);
		KUNIT_ASSERT_GE_MSG(test, frames[o], 0L, "order %d", o);
		check(test, b);
	}
	KUNIT_EXPECT_EQ(test, __alloc(b, 1, 1, 0), (long)-ENOMEM);
	for (o = 0; o <= top; o++)
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, frames[o]), 0);
	__expect_whole(test, b);
}

/* Fill a 3000-frame region with mixed sizes until no frame is left. */
static void buddy_fill_test(struct kunit *test)
{
	const unsigned long n = 3000;
	struct contig_buddy *b = __new_buddy(test, n, 0);
	long *frames = kunit_kcalloc(test, n, sizeof(*frames), GFP_KERNEL);
	unsigned long nr_live = 0, used = 0, size = 37, i;
	struct rnd_state rnd;
	long f;

	KUNIT_ASSERT_NOT_NULL(test, frames);
	prandom_seed_state(&rnd, seed);
	while (size) {
		f = __alloc(b, size, 1, 0);
		if (f == -ENOMEM) {
			size /= 2;	/* take what is left in smaller pieces */
			continue;
		}
		KUNIT_ASSERT_GE(test, f, 0L);
		frames[nr_live++] = f;
		used += size;
		KUNIT_ASSERT_EQ(test, __free_frames(b), n - used);
		check(test, b);
	}
	KUNIT_EXPECT_EQ(test, used, n);
	KUNIT_EXPECT_EQ(test, __free_frames(b), 0UL);
	for (i = 0; i < nr_live; i++) {
		unsigned long k = i + prandom_u32_state(&rnd) % (nr_live - i);

		swap(frames[i], frames[k]);
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, frames[i]), 0);
		check(test, b);
	}
	__expect_whole(test, b);
}

/*
 * Every frame allocated on its own, then every other one freed: half the
 * region free and nothing larger than one frame.  The indices must be
 * exactly mm/vmstat.c's.
 */
static void buddy_half_fragmented_test(struct kunit *test)
{
	const unsigned long n = 4096;
	struct contig_buddy *b = __new_buddy(test, n, 0);
	struct contig_buddy_stats st;
	unsigned long i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, __alloc(b, 1, 1, 0), (long)i);
	check(test, b);
	contig_buddy_get_stats(b, &st);
	KUNIT_EXPECT_EQ(test, contig_buddy_unusable_index(&st, 0), 1000);
	KUNIT_EXPECT_EQ(test, contig_buddy_fragmentation_index(&st, 0), 0);

	for (i = 0; i < n; i += 2)
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, i), 0);
	check(test, b);
	contig_buddy_get_stats(b, &st);
	KUNIT_EXPECT_EQ(test, st.free_frames, n / 2);
	KUNIT_EXPECT_EQ(test, st.largest_free, 1UL);
	KUNIT_EXPECT_EQ(test, st.nr_free[0], n / 2);
	KUNIT_EXPECT_EQ(test, __alloc(b, 2, 1, 0), (long)-ENOMEM);
	/* unusable: (free - suitable << order) / free */
	KUNIT_EXPECT_EQ(test, contig_buddy_unusable_index(&st, 0), 0);
	KUNIT_EXPECT_EQ(test, contig_buddy_unusable_index(&st, 1), 1000);
	/*
	 * fragindex: 1 - (1 + free / 2^order) / blocks; -1 when it fits.
	 * Worked out by hand for 2048 free frames in 2048 blocks, in
	 * thousandths with mm/vmstat.c's integer divisions:
	 *   order 1:  1000 - (1000 + 2048000 / 2) / 2048    = 1000 - 500 = 500
	 *   order 2:  1000 - (1000 + 2048000 / 4) / 2048    = 1000 - 250 = 750
	 *   order 3:  1000 - (1000 + 2048000 / 8) / 2048    = 1000 - 125 = 875
	 *   order 12: 1000 - (1000 + 2048000 / 4096) / 2048 = 1000 - 0 = 1000
	 */
	KUNIT_EXPECT_EQ(test, contig_buddy_fragmentation_index(&st, 0), -1000);
	KUNIT_EXPECT_EQ(test, contig_buddy_fragmentation_index(&st, 1), 500);
	KUNIT_EXPECT_EQ(test, contig_buddy_fragmentation_index(&st, 2), 750);
	KUNIT_EXPECT_EQ(test, contig_buddy_fragmentation_index(&st, 3), 875);
	KUNIT_EXPECT_EQ(test, contig_buddy_fragmentation_index(&st, 12), 1000);

	for (i = 1; i < n; i += 2)
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, i), 0);
	__expect_whole(test, b);
	contig_buddy_get_stats(b, &st);
	KUNIT_EXPECT_EQ(test, contig_buddy_unusable_index(&st, 12), 0);
	KUNIT_EXPECT_EQ(test, contig_buddy_fragmentation_index(&st, 12), -1000);
}

/* ---- exact sizes and alignment ------------------------------------------- */

/* N frames of a 64-frame region leave exactly the blocks covering the rest. */
static void buddy_exact_size_test(struct kunit *test)
{
	const unsigned long n = 64;
	struct contig_buddy *b = __new_buddy(test, n, 0);
	unsigned long nr;

	for (nr = 1; nr <= n; nr++) {
		unsigned long want[CONTIG_BUDDY_NR_ORDERS] = { 0 };
		long f;

		f = __alloc(b, nr, 1, 0);
		KUNIT_ASSERT_EQ(test, f, 0L);
		check(test, b);
		__cover(nr, n, want);
		__expect_free_blocks(test, b, want);
		KUNIT_EXPECT_EQ(test, contig_buddy_alloc_size(b, 0), (long)nr);
		KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, nr - 1),
				CONTIG_OWNER_UNMOVABLE);
		KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, nr),
				CONTIG_OWNER_FREE);
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, 0), 0);
		__expect_whole(test, b);

		memset(want, 0, sizeof(want));
		f = __alloc(b, nr, 1, CONTIG_BUDDY_TOPDOWN);
		KUNIT_ASSERT_EQ(test, f, (long)(n - nr));
		check(test, b);
		__cover(0, n - nr, want);
		__expect_free_blocks(test, b, want);
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, f), 0);
		__expect_whole(test, b);
	}
}

static void buddy_alignment_test(struct kunit *test)
{
	const unsigned long n = 1024;
	struct contig_buddy *b = __new_buddy(test, n, 0);
	unsigned long align, nr;
	unsigned int a;
	long f, g;

	/* Top-down on an empty region: the highest aligned place. */
	for (a = 0; a <= 10; a++) {
		align = 1UL << a;
		for (nr = 1; nr <= n; nr = nr * 3 + 1) {
			f = __alloc(b, nr, align, CONTIG_BUDDY_TOPDOWN);
			KUNIT_ASSERT_EQ_MSG(test, f,
					    (long)ALIGN_DOWN(n - nr, align),
					    "nr %lu align %lu", nr, align);
			check(test, b);
			KUNIT_ASSERT_EQ(test, contig_buddy_free(b, f), 0);
		}
	}
	__expect_whole(test, b);

	/* Frame 0 taken: bottom-up, each alignment lands on itself. */
	g = __alloc(b, 1, 1, 0);
	KUNIT_ASSERT_EQ(test, g, 0L);
	for (a = 0; a < 10; a++) {
		align = 1UL << a;
		for (nr = 1; nr <= align; nr = nr * 2 + 1) {
			f = __alloc(b, nr, align, 0);
			KUNIT_ASSERT_EQ_MSG(test, f, (long)align,
					    "nr %lu align %lu", nr, align);
			check(test, b);
			KUNIT_ASSERT_EQ(test, contig_buddy_free(b, f), 0);
		}
	}
	/* The only 1024-aligned block is split: no room, though 1023 free. */
	KUNIT_EXPECT_EQ(test, __alloc(b, 1, 1024, 0), (long)-ENOMEM);
	KUNIT_EXPECT_EQ(test, __alloc(b, 1, 2048, 0), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, __alloc(b, 1, 3, 0), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, __alloc(b, 1, 0, 0), (long)-EINVAL);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, g), 0);
	__expect_whole(test, b);
}

/* ---- policies --------------------------------------------------------------- */

/*
 * A 64-frame region with these free blocks (frame/order) and everything
 * else allocated one frame at a time:
 *
 *   4/1  9/0  16/3  40/2  50/1  60/1
 */
static const unsigned long layout_free[][2] = {
	{ 4, 1 }, { 9, 0 }, { 16, 3 }, { 40, 2 }, { 50, 1 }, { 60, 1 },
};

static struct contig_buddy *__layout(struct kunit *test)
{
	struct contig_buddy *b = __new_buddy(test, 64, 0);
	unsigned long i, j;

	for (i = 0; i < 64; i++)
		KUNIT_ASSERT_EQ(test, contig_buddy_alloc_range(b, i, 1,
							       CONTIG_OWNER_UNMOVABLE),
				(long)i);
	for (i = 0; i < ARRAY_SIZE(layout_free); i++)
		for (j = 0; j < 1UL << layout_free[i][1]; j++)
			KUNIT_ASSERT_EQ(test,
					contig_buddy_free(b, layout_free[i][0] + j),
					0);
	check(test, b);
	return b;
}

struct policy_case {
	enum contig_policy policy;
	unsigned long nr;
	unsigned int flags;
	long want;
};

static const struct policy_case policy_cases[] = {
	{ CONTIG_POLICY_FIRST_FIT, 1, 0, 4 },
	{ CONTIG_POLICY_FIRST_FIT, 1, CONTIG_BUDDY_TOPDOWN, 61 },
	{ CONTIG_POLICY_FIRST_FIT, 3, 0, 16 },
	{ CONTIG_POLICY_FIRST_FIT, 3, CONTIG_BUDDY_TOPDOWN, 41 },
	{ CONTIG_POLICY_BEST_FIT, 1, 0, 9 },
	{ CONTIG_POLICY_BEST_FIT, 1, CONTIG_BUDDY_TOPDOWN, 9 },
	{ CONTIG_POLICY_BEST_FIT, 2, 0, 4 },
	{ CONTIG_POLICY_BEST_FIT, 2, CONTIG_BUDDY_TOPDOWN, 60 },
	{ CONTIG_POLICY_WORST_FIT, 1, 0, 16 },
	{ CONTIG_POLICY_WORST_FIT, 1, CONTIG_BUDDY_TOPDOWN, 23 },
	{ CONTIG_POLICY_WORST_FIT, 4, 0, 16 },
	{ CONTIG_POLICY_NEXT_FIT, 1, 0, 4 },
	{ CONTIG_POLICY_NEXT_FIT, 1, CONTIG_BUDDY_TOPDOWN, 61 },
	{ CONTIG_POLICY_FIRST_FIT, 5, 0, 16 },
	{ CONTIG_POLICY_BEST_FIT, 5, CONTIG_BUDDY_TOPDOWN, 19 },
	{ CONTIG_POLICY_WORST_FIT, 8, 0, 16 },
	{ CONTIG_POLICY_NEXT_FIT, 8, CONTIG_BUDDY_TOPDOWN, 16 },
	{ CONTIG_POLICY_FIRST_FIT, 9, 0, -ENOMEM },
	{ CONTIG_POLICY_BEST_FIT, 9, 0, -ENOMEM },
	{ CONTIG_POLICY_WORST_FIT, 16, 0, -ENOMEM },
	{ CONTIG_POLICY_NEXT_FIT, 9, CONTIG_BUDDY_TOPDOWN, -ENOMEM },
};

static void policy_case_desc(const struct policy_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s fit, %lu frames%s",
		 contig_policy_name(c->policy), c->nr,
		 c->flags & CONTIG_BUDDY_TOPDOWN ? ", top-down" : "");
}

KUNIT_ARRAY_PARAM(policy_case, policy_cases, policy_case_desc);

/* Each policy picks the block it should, directly and as the default. */
static void buddy_policy_test(struct kunit *test)
{
	const struct policy_case *c = test->param_value;
	struct contig_buddy *b = __layout(test);
	unsigned long before = __free_frames(b);
	long f;

	f = contig_buddy_alloc(b, c->nr, 1, CONTIG_OWNER_UNMOVABLE, c->policy,
			       c->flags);
	KUNIT_EXPECT_EQ(test, f, c->want);
	check(test, b);
	if (f >= 0)
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, f), 0);
	KUNIT_EXPECT_EQ(test, __free_frames(b), before);

	/* A fresh layout: next fit's rover has moved. */
	b = __layout(test);
	contig_buddy_set_policy(b, c->policy);
	f = contig_buddy_alloc(b, c->nr, 1, CONTIG_OWNER_UNMOVABLE,
			       CONTIG_POLICY_DEFAULT, c->flags);
	KUNIT_EXPECT_EQ(test, f, c->want);
	check(test, b);
}

/* Next fit roves: each search starts where the previous one ended. */
static void buddy_next_fit_roves_test(struct kunit *test)
{
	static const long up[] = { 4, 9, 16, 40, 50, 60, 4 };
	static const long down[] = { 61, 51, 43, 23, 9, 5, 61 };
	struct contig_buddy *b = __layout(test);
	unsigned int i;
	long f;

	for (i = 0; i < ARRAY_SIZE(up); i++) {
		f = contig_buddy_alloc(b, 1, 1, CONTIG_OWNER_UNMOVABLE,
				       CONTIG_POLICY_NEXT_FIT, 0);
		KUNIT_EXPECT_EQ_MSG(test, f, up[i], "step %u", i);
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, f), 0);
		check(test, b);
	}
	for (i = 0; i < ARRAY_SIZE(down); i++) {
		f = contig_buddy_alloc(b, 1, 1, CONTIG_OWNER_UNMOVABLE,
				       CONTIG_POLICY_NEXT_FIT,
				       CONTIG_BUDDY_TOPDOWN);
		KUNIT_EXPECT_EQ_MSG(test, f, down[i], "step %u", i);
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, f), 0);
		check(test, b);
	}
}

/* Movable goes top-down unless told otherwise: grouping by mobility. */
static void buddy_mobility_test(struct kunit *test)
{
	struct contig_buddy *b = __new_buddy(test, 1000, 0);
	long u, m, mb;

	u = contig_buddy_alloc(b, 10, 1, CONTIG_OWNER_UNMOVABLE,
			       CONTIG_POLICY_DEFAULT, 0);
	m = contig_buddy_alloc(b, 10, 1, CONTIG_OWNER_MOVABLE,
			       CONTIG_POLICY_DEFAULT, 0);
	mb = contig_buddy_alloc(b, 10, 1, CONTIG_OWNER_MOVABLE,
				CONTIG_POLICY_DEFAULT, CONTIG_BUDDY_BOTTOMUP);
	/*
	 * 1000 = 512 + 256 + 128 + 64 + 32 + 8: the highest block of 16
	 * frames or more is 960..991, the lowest after [0, 10) is 16..31.
	 */
	KUNIT_EXPECT_EQ(test, u, 0L);
	KUNIT_EXPECT_EQ(test, m, 982L);
	KUNIT_EXPECT_EQ(test, mb, 16L);
	check(test, b);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, 985), CONTIG_OWNER_MOVABLE);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, 995), CONTIG_OWNER_FREE);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, u), 0);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, m), 0);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, mb), 0);
	__expect_whole(test, b);
}

/* ---- ranges, owners, names, context --------------------------------------- */

static void buddy_range_test(struct kunit *test)
{
	struct contig_buddy *b = __new_buddy(test, 64, 0);
	unsigned long want[CONTIG_BUDDY_NR_ORDERS] = { 0 };
	unsigned long before;

	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_range(b, 5, 10,
						       CONTIG_OWNER_MOVABLE), 5L);
	check(test, b);
	__cover(0, 5, want);
	__cover(15, 64, want);
	__expect_free_blocks(test, b, want);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_size(b, 5), 10L);

	before = __free_frames(b);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_range(b, 0, 6,
						       CONTIG_OWNER_PINNED), -EBUSY);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_range(b, 14, 1,
						       CONTIG_OWNER_PINNED), -EBUSY);
	KUNIT_EXPECT_EQ(test, __free_frames(b), before);
	check(test, b);

	/* Spanning several free blocks, up to the last frame. */
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_range(b, 15, 49,
						       CONTIG_OWNER_PINNED), 15L);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_range(b, 0, 5,
						       CONTIG_OWNER_SLAB), 0L);
	KUNIT_EXPECT_EQ(test, __free_frames(b), 0UL);
	check(test, b);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, 5), 0);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, 15), 0);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, 0), 0);
	__expect_whole(test, b);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_range(b, 63, 1,
						       CONTIG_OWNER_SLAB), 63L);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, 63), 0);
	__expect_whole(test, b);
}

static void buddy_owner_test(struct kunit *test)
{
	struct contig_buddy *b = __new_buddy(test, 256, 0);
	unsigned long counts[CONTIG_NR_OWNERS];
	struct contig_buddy_stats st;
	long f;

	/* 100 frames: the size digits span three frames (base 8). */
	f = contig_buddy_alloc(b, 100, 1, CONTIG_OWNER_MOVABLE,
			       CONTIG_POLICY_FIRST_FIT, CONTIG_BUDDY_BOTTOMUP);
	KUNIT_ASSERT_EQ(test, f, 0L);
	KUNIT_EXPECT_EQ(test, contig_buddy_set_owner(b, 0, CONTIG_OWNER_PINNED),
			0);
	check(test, b);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, 0), CONTIG_OWNER_PINNED);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, 2), CONTIG_OWNER_PINNED);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, 99), CONTIG_OWNER_PINNED);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, 100), CONTIG_OWNER_FREE);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, 256), CONTIG_OWNER_FREE);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_size(b, 0), 100L);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_size(b, 1), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_size(b, 100), (long)-EINVAL);

	contig_buddy_count_owners(b, 90, 20, counts);
	KUNIT_EXPECT_EQ(test, counts[CONTIG_OWNER_PINNED], 10UL);
	KUNIT_EXPECT_EQ(test, counts[CONTIG_OWNER_FREE], 10UL);
	KUNIT_EXPECT_EQ(test, counts[CONTIG_OWNER_MOVABLE], 0UL);
	contig_buddy_count_owners(b, 250, 100, counts);	/* clipped */
	KUNIT_EXPECT_EQ(test, counts[CONTIG_OWNER_FREE], 6UL);

	contig_buddy_get_stats(b, &st);
	KUNIT_EXPECT_EQ(test, st.owner_frames[CONTIG_OWNER_PINNED], 100UL);
	KUNIT_EXPECT_EQ(test, st.owner_frames[CONTIG_OWNER_MOVABLE], 0UL);
	KUNIT_EXPECT_EQ(test, st.owner_frames[CONTIG_OWNER_FREE], 156UL);

	KUNIT_EXPECT_EQ(test, contig_buddy_set_owner(b, 0, CONTIG_OWNER_MOVABLE),
			0);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, 50), CONTIG_OWNER_MOVABLE);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, 0), 0);
	__expect_whole(test, b);
}

static void buddy_names_test(struct kunit *test)
{
	static const struct {
		const char *name;
		int policy;
	} cases[] = {
		{ "first", CONTIG_POLICY_FIRST_FIT },
		{ "best\n", CONTIG_POLICY_BEST_FIT },
		{ "worst-fit", CONTIG_POLICY_WORST_FIT },
		{ "next_fit\n", CONTIG_POLICY_NEXT_FIT },
		{ "", -EINVAL },
		{ "firstfit", -EINVAL },
		{ "fir", -EINVAL },
		{ "best\n\n", -EINVAL },
		{ "default", -EINVAL },
		{ "Best", -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, contig_policy_from_name(cases[i].name),
				    cases[i].policy, "\"%s\"", cases[i].name);
	KUNIT_EXPECT_EQ(test, contig_policy_from_name(NULL), -EINVAL);
	for (i = 0; i < CONTIG_NR_POLICIES; i++)
		KUNIT_EXPECT_EQ(test,
				contig_policy_from_name(contig_policy_name(i)),
				(int)i);
	KUNIT_EXPECT_STREQ(test, contig_policy_name(CONTIG_POLICY_DEFAULT),
			   "default");
	KUNIT_EXPECT_STREQ(test, contig_policy_name(-1), "invalid");
	KUNIT_EXPECT_STREQ(test, contig_owner_name(CONTIG_OWNER_PINNED),
			   "pinned");
	KUNIT_EXPECT_STREQ(test, contig_owner_name(CONTIG_NR_OWNERS), "invalid");
}

/* With interrupts off and a spinlock held, nothing may sleep. */
static void buddy_atomic_test(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	struct contig_buddy *b = __new_buddy(test, 512, 0);
	unsigned long flags;
	long f, g;
	int ret;

	spin_lock_irqsave(&lock, flags);
	f = __alloc(b, 100, 64, CONTIG_BUDDY_ATOMIC);
	g = contig_buddy_alloc_range(b, 300, 10, CONTIG_OWNER_SLAB);
	ret = contig_buddy_free(b, f);
	ret |= contig_buddy_free(b, g);
	spin_unlock_irqrestore(&lock, flags);
	KUNIT_EXPECT_EQ(test, f, 0L);
	KUNIT_EXPECT_EQ(test, g, 300L);
	KUNIT_EXPECT_EQ(test, ret, 0);
	__expect_whole(test, b);
}

/*
 * Concurrency: threads on every CPU (one with interrupts off) and a
 * hard-interrupt hrtimer allocate and free from one buddy at once.  Each
 * checks that what it got stays its own; lockdep checks the lock's use
 * in all three contexts; the invariants must hold at the end.
 */
struct conc_thread {
	struct contig_buddy *b;
	struct task_struct *task;
	struct completion done;
	u64 seed;
	unsigned int ops;
	bool irqs_off;
	unsigned long allocs, errors;
};

struct conc_irq {
	struct hrtimer timer;
	struct contig_buddy *b;
	atomic_t fired, allocs, errors;
	unsigned int target;
};

static bool __conc_owns(struct contig_buddy *b, long f, unsigned long nr,
			enum contig_owner owner)
{
	return contig_buddy_owner(b, f) == owner &&
	       contig_buddy_owner(b, f + nr - 1) == owner &&
	       contig_buddy_alloc_size(b, f) == (long)nr;
}

static int __conc_thread_fn(void *data)
{
	struct conc_thread *c = data;
	long held[16], f;
	unsigned long nr[16], irqflags = 0;
	enum contig_owner own[16];
	unsigned int nr_held = 0, i, k;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, c->seed);
	for (i = 0; i < c->ops && !kthread_should_stop(); i++) {
		u32 r = prandom_u32_state(&rnd);

		if (c->irqs_off)
			local_irq_save(irqflags);
		if (!nr_held || (nr_held < ARRAY_SIZE(held) && (r & 1))) {
			nr[nr_held] = 1 + (r >> 1) % 32;
			own[nr_held] = 1 + (r >> 8) % 4;
			f = contig_buddy_alloc(c->b, nr[nr_held], 1, own[nr_held],
					       CONTIG_POLICY_DEFAULT,
					       CONTIG_BUDDY_ATOMIC);
			if (f >= 0) {
				held[nr_held++] = f;
				c->allocs++;
			} else if (f != -ENOMEM) {
				c->errors++;
			}
		} else {
			k = (r >> 1) % nr_held;
			if (!__conc_owns(c->b, held[k], nr[k], own[k]) ||
			    contig_buddy_free(c->b, held[k]))
				c->errors++;
			nr_held--;
			held[k] = held[nr_held];
			nr[k] = nr[nr_held];
			own[k] = own[nr_held];
		}
		if (c->irqs_off)
			local_irq_restore(irqflags);
		else
			cond_resched();
	}
	while (nr_held--)
		if (contig_buddy_free(c->b, held[nr_held]))
			c->errors++;
	complete(&c->done);
	return 0;
}

/*
 * Join a thread: kthread_stop() waits for it to return, and cuts its work
 * short when the case ended before it was done.  Registered as soon as the
 * thread exists, so no thread outlives its case: the buddy and @c stay
 * until it has returned.
 */
static void __conc_join(void *data)
{
	struct conc_thread *c = data;

	kthread_stop(c->task);
	put_task_struct(c->task);
}

static enum hrtimer_restart __conc_irq_fn(struct hrtimer *t)
{
	struct conc_irq *c = container_of(t, struct conc_irq, timer);
	unsigned int n = atomic_inc_return(&c->fired);
	unsigned long nr = 1 + n % 8;
	long f;

	f = contig_buddy_alloc(c->b, nr, 1, CONTIG_OWNER_SLAB,
			       CONTIG_POLICY_DEFAULT, CONTIG_BUDDY_ATOMIC);
	if (f >= 0) {
		atomic_inc(&c->allocs);
		if (!__conc_owns(c->b, f, nr, CONTIG_OWNER_SLAB) ||
		    contig_buddy_free(c->b, f))
			atomic_inc(&c->errors);
	} else if (f != -ENOMEM) {
		atomic_inc(&c->errors);
	}
	if (n >= c->target)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void __conc_irq_cancel(void *data)
{
	struct conc_irq *c = data;

	hrtimer_cancel(&c->timer);
}

static void buddy_concurrency_test(struct kunit *test)
{
	struct contig_buddy *b = __new_buddy(test, 1000, 0);
	unsigned int nthreads = clamp(num_online_cpus(), 2U, 4U), i, waited;
	struct conc_thread *t;
	struct task_struct *task;
	struct conc_irq *irq;
	unsigned long allocs = 0, errors = 0;

	t = kunit_kcalloc(test, nthreads, sizeof(*t), GFP_KERNEL);
	irq = kunit_kzalloc(test, sizeof(*irq), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, irq);

	irq->b = b;
	irq->target = 200;
	hrtimer_init(&irq->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	irq->timer.function = __conc_irq_fn;
	hrtimer_start(&irq->timer, ns_to_ktime(50 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_HARD);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __conc_irq_cancel,
							irq), 0);

	for (i = 0; i < nthreads; i++) {
		t[i].b = b;
		t[i].seed = seed + i;
		t[i].ops = 10000;
		t[i].irqs_off = i == 1;
		init_completion(&t[i].done);
		task = kthread_create(__conc_thread_fn, &t[i], "buddy_conc/%u", i);
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(task), "thread %u: %ld", i,
				       PTR_ERR(task));
		t[i].task = get_task_struct(task);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __conc_join,
								&t[i]), 0);
		wake_up_process(task);
	}
	for (i = 0; i < nthreads; i++) {
		/* All its operations done; then joined. */
		wait_for_completion(&t[i].done);
		kunit_release_action(test, __conc_join, &t[i]);
		allocs += t[i].allocs;
		errors += t[i].errors;
	}
	for (waited = 0; atomic_read(&irq->fired) < irq->target &&
	     waited < 10000; waited += 20)
		msleep(20);
	kunit_release_action(test, __conc_irq_cancel, irq);

	kunit_info(test, "%u threads: %lu allocations; hard irq: %d of %d, %u ms after the threads",
		   nthreads, allocs, atomic_read(&irq->allocs),
		   atomic_read(&irq->fired), waited);
	KUNIT_EXPECT_EQ(test, errors, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&irq->errors), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&irq->allocs), 0);
	__expect_whole(test, b);
}

/* ---- bad calls ------------------------------------------------------------ */

enum bad_op { BAD_FREE, BAD_ALLOC, BAD_RANGE, BAD_SET_OWNER, BAD_SET_POLICY };

struct bad_case {
	const char *name;
	enum bad_op op;
	unsigned long a, b;	/* frame or size, alignment or size */
	int owner, policy;
	unsigned int flags;
	int ret;
};

/*
 * Against a 100-frame region (64 + 32 + 4) holding 10 frames at 0 and 4
 * at 12, with frame 10 freed again; see __bad_setup().
 */
static const struct bad_case bad_cases[] = {
	{ "double free", BAD_FREE, 10 },
	{ "free of a frame in a free block", BAD_FREE, 40 },
	{ "free of a frame never handed out", BAD_FREE, 99 },
	{ "free of the middle of an allocation", BAD_FREE, 5 },
	{ "free of the last frame of an allocation", BAD_FREE, 9 },
	{ "free beyond the region", BAD_FREE, 100 },
	{ "free of ULONG_MAX", BAD_FREE, ULONG_MAX },
	{ "alloc of 0 frames", BAD_ALLOC, 0, 1, CONTIG_OWNER_UNMOVABLE },
	{ "alloc larger than the region", BAD_ALLOC, 101, 1,
	  CONTIG_OWNER_UNMOVABLE },
	{ "alloc of ULONG_MAX frames", BAD_ALLOC, ULONG_MAX, 1,
	  CONTIG_OWNER_UNMOVABLE },
	{ "alloc larger than any block", BAD_ALLOC, 65, 1,
	  CONTIG_OWNER_UNMOVABLE },
	{ "alignment 0", BAD_ALLOC, 1, 0, CONTIG_OWNER_UNMOVABLE },
	{ "alignment 3", BAD_ALLOC, 1, 3, CONTIG_OWNER_UNMOVABLE },
	{ "alignment 48", BAD_ALLOC, 1, 48, CONTIG_OWNER_UNMOVABLE },
	{ "alignment larger than any block", BAD_ALLOC, 1, 128,
	  CONTIG_OWNER_UNMOVABLE },
	{ "alloc for owner free", BAD_ALLOC, 1, 1, CONTIG_OWNER_FREE },
	{ "alloc for owner 5", BAD_ALLOC, 1, 1, CONTIG_NR_OWNERS },
	{ "alloc for owner -1", BAD_ALLOC, 1, 1, -1 },
	{ "alloc with policy 5", BAD_ALLOC, 1, 1, CONTIG_OWNER_UNMOVABLE, 5 },
	{ "alloc with policy -1", BAD_ALLOC, 1, 1, CONTIG_OWNER_UNMOVABLE, -1 },
	{ "alloc with unknown flags", BAD_ALLOC, 1, 1, CONTIG_OWNER_UNMOVABLE,
	  0, 0x80 },
	{ "alloc top-down and bottom-up", BAD_ALLOC, 1, 1,
	  CONTIG_OWNER_UNMOVABLE, 0,
	  CONTIG_BUDDY_TOPDOWN | CONTIG_BUDDY_BOTTOMUP },
	{ "range of 0 frames", BAD_RANGE, 50, 0, CONTIG_OWNER_UNMOVABLE },
	{ "range past the end", BAD_RANGE, 90, 11, CONTIG_OWNER_UNMOVABLE },
	{ "range beyond the region", BAD_RANGE, 100, 1, CONTIG_OWNER_UNMOVABLE },
	{ "range that wraps", BAD_RANGE, 50, ULONG_MAX, CONTIG_OWNER_UNMOVABLE },
	{ "range for owner free", BAD_RANGE, 50, 1, CONTIG_OWNER_FREE },
	{ "set_owner of a middle frame", BAD_SET_OWNER, 3, 0,
	  CONTIG_OWNER_PINNED },
	{ "set_owner of a free frame", BAD_SET_OWNER, 50, 0,
	  CONTIG_OWNER_PINNED },
	{ "set_owner to free", BAD_SET_OWNER, 0, 0, CONTIG_OWNER_FREE },
	{ "set_owner to owner 5", BAD_SET_OWNER, 0, 0, CONTIG_NR_OWNERS },
	{ "set_owner beyond the region", BAD_SET_OWNER, 100, 0,
	  CONTIG_OWNER_PINNED },
	{ "set_policy to default", BAD_SET_POLICY, 0, 0, 0,
	  CONTIG_POLICY_DEFAULT },
	{ "set_policy to -1", BAD_SET_POLICY, 0, 0, 0, -1 },
};

static void bad_case_desc(const struct bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_case, bad_cases, bad_case_desc);

/* Everything a bad call must leave alone. */
struct bad_snapshot {
	u8 *meta;
	u64 *words;
	struct contig_buddy_stats st;
};

static void __snapshot(struct kunit *test, struct contig_buddy *b,
		       struct bad_snapshot *s)
{
	s->meta = kunit_kmalloc(test, b->nr_frames, GFP_KERNEL);
	s->words = kunit_kmalloc_array(test, b->nr_words, sizeof(u64),
				       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->meta);
	KUNIT_ASSERT_NOT_NULL(test, s->words);
	memcpy(s->meta, b->meta, b->nr_frames);
	memcpy(s->words, b->words, b->nr_words * sizeof(u64));
	contig_buddy_get_stats(b, &s->st);
}

static void __bad_setup(struct kunit *test, struct contig_buddy *b)
{
	KUNIT_ASSERT_EQ(test, __alloc(b, 10, 1, 0), 0L);
	KUNIT_ASSERT_EQ(test, __alloc(b, 4, 1, 0), 12L);
	KUNIT_ASSERT_EQ(test, __alloc(b, 1, 1, 0), 10L);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, 10), 0);
	check(test, b);
}

static int __bad_call(struct contig_buddy *b, const struct bad_case *c)
{
	switch (c->op) {
	case BAD_FREE:
		return contig_buddy_free(b, c->a);
	case BAD_ALLOC:
		return contig_buddy_alloc(b, c->a, c->b, c->owner, c->policy,
					  c->flags);
	case BAD_RANGE:
		return contig_buddy_alloc_range(b, c->a, c->b, c->owner);
	case BAD_SET_OWNER:
		return contig_buddy_set_owner(b, c->a, c->owner);
	case BAD_SET_POLICY:
		contig_buddy_set_policy(b, c->policy);
		return -EINVAL;
	}
	return 0;
}

/* A bad call returns -EINVAL, is counted, and changes nothing else. */
static void buddy_bad_call_test(struct kunit *test)
{
	const struct bad_case *c = test->param_value;
	struct contig_buddy *b = __new_buddy(test, 100, 0);
	struct bad_snapshot *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct contig_buddy_stats *st = kunit_kzalloc(test, sizeof(*st),
						      GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, st);
	__bad_setup(test, b);
	__snapshot(test, b, s);
	KUNIT_EXPECT_EQ(test, __bad_call(b, c), -EINVAL);
	check(test, b);
	KUNIT_EXPECT_EQ(test, memcmp(s->meta, b->meta, b->nr_frames), 0);
	KUNIT_EXPECT_EQ(test, memcmp(s->words, b->words,
				     b->nr_words * sizeof(u64)), 0);
	contig_buddy_get_stats(b, st);
	KUNIT_EXPECT_EQ(test, st->bad_calls, s->st.bad_calls + 1);
	st->bad_calls--;
	KUNIT_EXPECT_EQ(test, memcmp(st, &s->st, sizeof(*st)), 0);
}

/*
 * The checker itself: corrupt a private buddy in each way it must notice.
 * (Each corruption is undone before the next.)
 */
static void buddy_checker_catches_test(struct kunit *test)
{
	struct contig_buddy *b = __new_buddy(test, 100, 0);
	char why[128];
	u8 m;

	__bad_setup(test, b);

	m = b->meta[3];
	b->meta[3] = CONTIG_OWNER_MOVABLE;	/* owner differs in an allocation */
	KUNIT_EXPECT_EQ(test, contig_buddy_check(b, why, sizeof(why)), -EUCLEAN);
	kunit_info(test, "caught: %s", why);
	b->meta[3] = m;

	b->meta[50] = CONTIG_OWNER_SLAB;	/* a used frame in a free block */
	KUNIT_EXPECT_EQ(test, contig_buddy_check(b, why, sizeof(why)), -EUCLEAN);
	kunit_info(test, "caught: %s", why);
	b->meta[50] = 0;

	b->nr_free[0]++;			/* counts disagree */
	KUNIT_EXPECT_EQ(test, contig_buddy_check(b, why, sizeof(why)), -EUCLEAN);
	kunit_info(test, "caught: %s", why);
	b->nr_free[0]--;

	/* A free block 20/2 inside the free 16/4, all counts agreeing. */
	b->free[2].lvl[0][0] ^= 1ULL << 5;
	b->nr_free[2]++;
	b->free_frames += 4;
	b->owner_frames[CONTIG_OWNER_FREE] += 4;
	KUNIT_EXPECT_EQ(test, contig_buddy_check(b, why, sizeof(why)), -EUCLEAN);
	kunit_info(test, "caught: %s", why);
	b->free[2].lvl[0][0] ^= 1ULL << 5;
	b->nr_free[2]--;
	b->free_frames -= 4;
	b->owner_frames[CONTIG_OWNER_FREE] -= 4;

	b->owner_frames[CONTIG_OWNER_SLAB]++;
	KUNIT_EXPECT_EQ(test, contig_buddy_check(b, why, sizeof(why)), -EUCLEAN);
	kunit_info(test, "caught: %s", why);
	b->owner_frames[CONTIG_OWNER_SLAB]--;

	check(test, b);
}

/*
 * The report of a bad call on a buddy that is not quiet: one WARN for the
 * first programming error of the instance, plain lines afterwards.  The
 * markers tell the test harness the WARN is expected.
 */
static void buddy_report_test(struct kunit *test)
{
	struct contig_buddy *b = __new_buddy(test, 16, 0);

	b->quiet = false;
	pr_info("contig-test: expect-warn begin\n");
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, __alloc(b, 0, 1, 0), (long)-EINVAL);
	pr_info("contig-test: expect-warn end\n");
	b->quiet = true;
	KUNIT_EXPECT_EQ(test, b->warned, 1U);
	KUNIT_EXPECT_EQ(test, b->bad_calls, 3UL);
}

/* ---- seeded random stress against a shadow model ------------------------- */

static const enum contig_policy stress_policies[] = {
	CONTIG_POLICY_FIRST_FIT, CONTIG_POLICY_BEST_FIT,
	CONTIG_POLICY_WORST_FIT, CONTIG_POLICY_NEXT_FIT,
};

static void stress_desc(const enum contig_policy *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s fit", contig_policy_name(*p));
}

KUNIT_ARRAY_PARAM(stress, stress_policies, stress_desc);

struct shadow {
	unsigned long n;
	unsigned long *used;		/* bitmap of allocated frames */
	u8 *owner;			/* per frame */
	unsigned long owner_frames[CONTIG_NR_OWNERS];
	unsigned long *start, *nr;	/* live allocations */
	unsigned long nr_live;
};

static bool __shadow_free(const struct shadow *s, unsigned long start,
			  unsigned long nr)
{
	return find_next_bit(s->used, start + nr, start) >= start + nr;
}

/* Is there any free, aligned block of 2^order frames? */
static bool __shadow_has_block(const struct shadow *s, unsigned int order)
{
	unsigned long w, size = 1UL << order;

	for (w = 0; w + size <= s->n; w += size) {
		unsigned long used = find_next_bit(s->used, w + size, w);

		if (used >= w + size)
			return true;
	}
	return false;
}

static void __shadow_add(struct shadow *s, unsigned long start,
			 unsigned long nr, enum contig_owner owner)
{
	bitmap_set(s->used, start, nr);
	memset(s->owner + start, owner, nr);
	s->owner_frames[owner] += nr;
	s->owner_frames[CONTIG_OWNER_FREE] -= nr;
	s->start[s->nr_live] = start;
	s->nr[s->nr_live++] = nr;
}

static void __shadow_del(struct shadow *s, unsigned long i)
{
	unsigned long start = s->start[i], nr = s->nr[i];

	s->owner_frames[s->owner[start]] -= nr;
	s->owner_frames[CONTIG_OWNER_FREE] += nr;
	bitmap_clear(s->used, start, nr);
	memset(s->owner + start, CONTIG_OWNER_FREE, nr);
	s->nr_live--;
	s->start[i] = s->start[s->nr_live];
	s->nr[i] = s->nr[s->nr_live];
}

/*
 * Invariants and counters; with @frames also the owner of each frame,
 * which (with the invariants) pins down the whole state.
 */
static void __stress_compare(struct kunit *test, struct contig_buddy *b,
			     const struct shadow *s, unsigned long op,
			     bool frames)
{
	struct contig_buddy_stats st;
	unsigned long i;
	unsigned int o;

	__check(test, b, __LINE__);
	contig_buddy_get_stats(b, &st);
	for (o = 0; o < CONTIG_NR_OWNERS; o++)
		KUNIT_ASSERT_EQ_MSG(test, st.owner_frames[o], s->owner_frames[o],
				    "op %lu, %s frames", op,
				    contig_owner_name(o));
	KUNIT_ASSERT_EQ_MSG(test, st.nr_allocs - st.nr_frees, s->nr_live,
			    "op %lu", op);
	for (i = 0; frames && i < s->n; i++)
		KUNIT_ASSERT_EQ_MSG(test, contig_buddy_owner(b, i),
				    (enum contig_owner)s->owner[i],
				    "op %lu, frame %lu", op, i);
}

static void __stress_alloc(struct kunit *test, struct contig_buddy *b,
			   struct shadow *s, struct rnd_state *rnd,
			   enum contig_policy policy, unsigned long op)
{
	u32 r = prandom_u32_state(rnd);
	unsigned long nr, align = 1;
	unsigned int flags = 0, k;
	enum contig_owner owner = 1 + r % 4;
	long f;

	switch ((r >> 4) % 16) {
	case 0 ... 9:
		nr = 1 + (r >> 8) % 8;
		break;
	case 10 ... 13:
		nr = 1 + (r >> 8) % 64;
		break;
	case 14:
		nr = 1 + (r >> 8) % 512;
		break;
	default:
		nr = 1 + (r >> 8) % (s->n / 4);
		break;
	}
	if (r & BIT(30))
		align = 1UL << ((r >> 20) % 7);
	if (r & BIT(31))
		flags |= (r & BIT(29)) ? CONTIG_BUDDY_TOPDOWN :
			 CONTIG_BUDDY_BOTTOMUP;
	k = max_t(unsigned int, order_base_2(nr), ilog2(align));

	f = contig_buddy_alloc(b, nr, align, owner, policy, flags);
	if (f == -ENOMEM) {
		KUNIT_ASSERT_FALSE_MSG(test, __shadow_has_block(s, k),
				       "op %lu: -ENOMEM for %lu frames aligned %lu, but a free order-%u block exists",
				       op, nr, align, k);
		return;
	}
	KUNIT_ASSERT_GE_MSG(test, f, 0L, "op %lu: %lu frames aligned %lu",
			    op, nr, align);
	KUNIT_ASSERT_LE(test, f + nr, s->n);
	KUNIT_ASSERT_TRUE_MSG(test, IS_ALIGNED(f, align),
			      "op %lu: frame %ld not aligned to %lu", op, f,
			      align);
	KUNIT_ASSERT_TRUE_MSG(test, __shadow_free(s, f, nr),
			      "op %lu: %lu frames at %ld overlap an allocation",
			      op, nr, f);
	__shadow_add(s, f, nr, owner);
}

static void __stress_op(struct kunit *test, struct contig_buddy *b,
			struct shadow *s, struct rnd_state *rnd,
			enum contig_policy policy, unsigned long op)
{
	u32 r = prandom_u32_state(rnd);
	unsigned long i, start, nr;
	enum contig_owner owner;
	long f;

	switch (r % 16) {
	case 0 ... 6:
		__stress_alloc(test, b, s, rnd, policy, op);
		break;
	case 7 ... 12:
		if (!s->nr_live)
			break;
		i = (r >> 4) % s->nr_live;
		KUNIT_ASSERT_EQ_MSG(test, contig_buddy_alloc_size(b, s->start[i]),
				    (long)s->nr[i], "op %lu", op);
		KUNIT_ASSERT_EQ_MSG(test, contig_buddy_free(b, s->start[i]), 0,
				    "op %lu: free of %lu", op, s->start[i]);
		__shadow_del(s, i);
		break;
	case 13:	/* claim a range */
		start = (r >> 4) % s->n;
		nr = min_t(unsigned long, 1 + (r >> 20) % 32, s->n - start);
		owner = 1 + (r >> 28) % 4;
		f = contig_buddy_alloc_range(b, start, nr, owner);
		if (__shadow_free(s, start, nr)) {
			KUNIT_ASSERT_EQ_MSG(test, f, (long)start, "op %lu", op);
			__shadow_add(s, start, nr, owner);
		} else {
			KUNIT_ASSERT_EQ_MSG(test, f, (long)-EBUSY, "op %lu", op);
		}
		break;
	case 14:	/* change an owner */
		if (!s->nr_live)
			break;
		i = (r >> 4) % s->nr_live;
		owner = 1 + (r >> 28) % 4;
		start = s->start[i];
		KUNIT_ASSERT_EQ(test, contig_buddy_set_owner(b, start, owner), 0);
		s->owner_frames[s->owner[start]] -= s->nr[i];
		s->owner_frames[owner] += s->nr[i];
		memset(s->owner + start, owner, s->nr[i]);
		break;
	default:	/* a bad free, or an owner query */
		start = (r >> 4) % s->n;
		if (!test_bit(start, s->used) ||
		    contig_buddy_alloc_size(b, start) < 0)
			KUNIT_ASSERT_EQ_MSG(test, contig_buddy_free(b, start),
					    -EINVAL, "op %lu: frame %lu", op,
					    start);
		KUNIT_ASSERT_EQ_MSG(test, contig_buddy_owner(b, start),
				    (enum contig_owner)s->owner[start],
				    "op %lu: frame %lu", op, start);
		break;
	}
}

static void buddy_stress_test(struct kunit *test)
{
	const enum contig_policy *policy = test->param_value;
	const unsigned long n = 4000;	/* 2048+1024+512+256+128+32 */
	struct contig_buddy *b = __new_buddy(test, n, *policy);
	struct contig_buddy_stats st;
	struct rnd_state rnd;
	struct shadow s = { .n = n };
	unsigned long op;

	s.used = kunit_kcalloc(test, BITS_TO_LONGS(n), sizeof(long),
			       GFP_KERNEL);
	s.owner = kunit_kzalloc(test, n, GFP_KERNEL);
	s.start = kunit_kcalloc(test, n, sizeof(long), GFP_KERNEL);
	s.nr = kunit_kcalloc(test, n, sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s.used);
	KUNIT_ASSERT_NOT_NULL(test, s.owner);
	KUNIT_ASSERT_NOT_NULL(test, s.start);
	KUNIT_ASSERT_NOT_NULL(test, s.nr);
	s.owner_frames[CONTIG_OWNER_FREE] = n;

	kunit_info(test, "seed %llu, %u operations (module parameters seed= and stress_ops= to change)",
		   seed, stress_ops);
	prandom_seed_state(&rnd, seed ^ *policy);
	for (op = 0; op < stress_ops; op++) {
		__stress_op(test, b, &s, &rnd, *policy, op);
		if (op % 64 == 63)
			__stress_compare(test, b, &s, op, op % 1024 == 1023);
	}
	__stress_compare(test, b, &s, op, true);
	contig_buddy_get_stats(b, &st);
	kunit_info(test, "%lu allocations, %lu -ENOMEM, %lu frees, %lu -EBUSY ranges, %lu bad calls",
		   st.nr_allocs, st.alloc_failures, st.nr_frees, st.range_busy,
		   st.bad_calls);
	while (s.nr_live) {
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, s.start[0]), 0);
		__shadow_del(&s, 0);
	}
	__expect_whole(test, b);
}

/*
 * contig_buddy_get_owners() copies CONTIG_BUDDY_SNAPSHOT_BATCH frames per
 * hold of the lock.  On a seeded random layout of a region of several
 * batches, every window - whole, across batch boundaries, clipped at the
 * end, past it, empty, random - must equal the owners frame by frame, and
 * nothing outside the window clipped to the region may be written.  That
 * no hold copies more than a batch is checked in user space
 * (tools/buddy/test_snapshot.c), where the lock can be watched.
 */
#define SNAP_BATCH	CONTIG_BUDDY_SNAPSHOT_BATCH
#define SNAP_FRAMES	(3 * SNAP_BATCH + 17)
#define SNAP_GUARD	64
#define SNAP_POISON	0xee	/* no owner has this value */

static void __snapshot_check(struct kunit *test, struct contig_buddy *b,
			     u8 *buf, unsigned long start, unsigned long nr)
{
	unsigned long n = b->nr_frames, len, i;

	len = start >= n ? 0 : min(nr, n - start);
	memset(buf, SNAP_POISON, len + SNAP_GUARD);
	contig_buddy_get_owners(b, start, nr, buf);
	for (i = 0; i < len; i++)
		KUNIT_ASSERT_EQ_MSG(test, buf[i],
				    (u8)contig_buddy_owner(b, start + i),
				    "window %lu+%lu: frame %lu", start, nr,
				    start + i);
	for (i = len; i < len + SNAP_GUARD; i++)
		KUNIT_ASSERT_EQ_MSG(test, buf[i], (u8)SNAP_POISON,
				    "window %lu+%lu: byte %lu written", start,
				    nr, i);
}

/* Frames in @b's stash, read directly (the stats would merge it back). */
static unsigned long __stashed(struct contig_buddy *b)
{
	return READ_ONCE(b->stash_frames);
}

static long __alloc_cached(struct contig_buddy *b, unsigned long nr,
			   enum contig_owner owner)
{
	return contig_buddy_alloc(b, nr, 1, owner, CONTIG_POLICY_DEFAULT,
				  CONTIG_BUDDY_CACHED | CONTIG_BUDDY_BOTTOMUP);
}

static void buddy_stash_test(struct kunit *test)
{
	struct contig_buddy *b = __new_buddy(test, 64, CONTIG_POLICY_FIRST_FIT);
	struct contig_buddy_stats st;
	long f, g, held[CONTIG_BUDDY_STASH_DEPTH + 1];
	unsigned int i;

	/* The stash is empty: a cached request is an ordinary one. */
	f = __alloc_cached(b, 1, CONTIG_OWNER_UNMOVABLE);
	KUNIT_ASSERT_EQ(test, f, 0L);
	g = __alloc_cached(b, 16, CONTIG_OWNER_SLAB);
	KUNIT_ASSERT_EQ(test, g, 16L);
	KUNIT_EXPECT_EQ(test, b->stash_hits, 0UL);

	/* In: free, counted free, not merged, owned by nobody. */
	KUNIT_ASSERT_EQ(test, contig_buddy_free_cached(b, f), 0);
	KUNIT_ASSERT_EQ(test, contig_buddy_free_cached(b, g), 0);
	check(test, b);
	KUNIT_EXPECT_EQ(test, __stashed(b), 17UL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(b->free_frames), 64UL);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(b, 0), CONTIG_OWNER_FREE);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_size(b, 0), -EINVAL);
	/* A second free of a stashed block is a double free. */
	KUNIT_EXPECT_EQ(test, contig_buddy_free(b, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_buddy_free_cached(b, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, __stashed(b), 17UL);
	/* Not free for placement: an ordinary request goes elsewhere. */
	f = __alloc(b, 1, 1, 0);
	KUNIT_EXPECT_EQ(test, f, 1L);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, f), 0);

	/* Out: the same blocks, last in first out, any owner. */
	f = __alloc_cached(b, 16, CONTIG_OWNER_UNMOVABLE);
	KUNIT_EXPECT_EQ(test, f, 16L);
	g = __alloc_cached(b, 1, CONTIG_OWNER_SLAB);
	KUNIT_EXPECT_EQ(test, g, 0L);
	KUNIT_EXPECT_EQ(test, b->stash_hits, 2UL);
	KUNIT_EXPECT_EQ(test, __stashed(b), 0UL);
	check(test, b);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, f), 0);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, g), 0);

	/* Not in: movable, not a power of two, or the order is full. */
	f = contig_buddy_alloc(b, 1, 1, CONTIG_OWNER_MOVABLE,
			       CONTIG_POLICY_DEFAULT, CONTIG_BUDDY_BOTTOMUP);
	KUNIT_ASSERT_GE(test, f, 0L);
	KUNIT_ASSERT_EQ(test, contig_buddy_free_cached(b, f), 0);
	f = __alloc(b, 3, 1, 0);
	KUNIT_ASSERT_GE(test, f, 0L);
	KUNIT_ASSERT_EQ(test, contig_buddy_free_cached(b, f), 0);
	KUNIT_EXPECT_EQ(test, __stashed(b), 0UL);
	for (i = 0; i < ARRAY_SIZE(held); i++) {
		held[i] = __alloc(b, 1, 1, 0);
		KUNIT_ASSERT_GE(test, held[i], 0L);
	}
	for (i = 0; i < ARRAY_SIZE(held); i++)
		KUNIT_ASSERT_EQ(test, contig_buddy_free_cached(b, held[i]), 0);
	KUNIT_EXPECT_EQ(test, __stashed(b), (unsigned long)CONTIG_BUDDY_STASH_DEPTH);
	check(test, b);

	/* Merged back before a request fails: the whole region is had. */
	f = __alloc(b, 64, 1, 0);
	KUNIT_EXPECT_EQ(test, f, 0L);
	KUNIT_EXPECT_EQ(test, __stashed(b), 0UL);
	KUNIT_EXPECT_EQ(test, b->stash_drains, 1UL);
	check(test, b);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, f), 0);

	/* ... before a range claim, and when stats are taken. */
	f = __alloc_cached(b, 4, CONTIG_OWNER_UNMOVABLE);
	KUNIT_ASSERT_EQ(test, f, 0L);
	KUNIT_ASSERT_EQ(test, contig_buddy_free_cached(b, f), 0);
	KUNIT_EXPECT_EQ(test, contig_buddy_alloc_range(b, 2, 60,
						       CONTIG_OWNER_UNMOVABLE), 2L);
	KUNIT_EXPECT_EQ(test, __stashed(b), 0UL);
	KUNIT_ASSERT_EQ(test, contig_buddy_free_cached(b, 2), 0);
	f = __alloc_cached(b, 2, CONTIG_OWNER_UNMOVABLE);
	KUNIT_ASSERT_EQ(test, f, 0L);
	KUNIT_ASSERT_EQ(test, contig_buddy_free_cached(b, f), 0);
	KUNIT_EXPECT_EQ(test, __stashed(b), 2UL);
	contig_buddy_get_stats(b, &st);
	KUNIT_EXPECT_EQ(test, __stashed(b), 0UL);
	KUNIT_EXPECT_EQ(test, st.largest_free, 64UL);
	KUNIT_EXPECT_EQ(test, st.free_frames, 64UL);
	KUNIT_EXPECT_EQ(test, st.stash_hits, b->stash_hits);
	check(test, b);
	__expect_whole(test, b);
}

static void buddy_snapshot_test(struct kunit *test)
{
	static const struct {
		unsigned long start, nr;
	} windows[] = {
		{ 0, SNAP_FRAMES },
		{ 0, SNAP_FRAMES + 100 },
		{ SNAP_BATCH - 1, 2 },
		{ SNAP_BATCH - 5, SNAP_BATCH + 10 },
		{ 2 * SNAP_BATCH + 3, SNAP_BATCH },
		{ SNAP_FRAMES - 3, 100 },
		{ SNAP_FRAMES, 10 },
		{ SNAP_FRAMES + 5, 10 },
		{ 7, 0 },
	};
	struct contig_buddy *b = __new_buddy(test, SNAP_FRAMES, 0);
	unsigned long nr_held = 0, tries, i;
	struct rnd_state rnd;
	long *held, f;
	u8 *buf;

	held = kunit_kcalloc(test, SNAP_FRAMES, sizeof(*held), GFP_KERNEL);
	buf = kunit_kmalloc(test, SNAP_FRAMES + 100 + SNAP_GUARD, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, held);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* Two thirds in use, by allocations of every owner. */
	prandom_seed_state(&rnd, seed);
	for (tries = 0; __free_frames(b) > SNAP_FRAMES / 3 && tries < 100000;
	     tries++) {
		u32 r = prandom_u32_state(&rnd);

		f = contig_buddy_alloc(b, 1 + r % 40, 1, 1 + (r >> 8) % 4,
				       CONTIG_POLICY_DEFAULT, 0);
		if (f >= 0)
			held[nr_held++] = f;
		if (nr_held && (r >> 16) % 3 == 0) {
			i = (r >> 18) % nr_held;
			KUNIT_ASSERT_EQ(test, contig_buddy_free(b, held[i]), 0);
			held[i] = held[--nr_held];
		}
	}
	check(test, b);

	for (i = 0; i < ARRAY_SIZE(windows); i++)
		__snapshot_check(test, b, buf, windows[i].start,
				 windows[i].nr);
	for (i = 0; i < 32; i++) {
		u32 r = prandom_u32_state(&rnd);

		__snapshot_check(test, b, buf, r % SNAP_FRAMES,
				 1 + (r >> 12) % (SNAP_BATCH + 100));
	}

	while (nr_held)
		KUNIT_ASSERT_EQ(test, contig_buddy_free(b, held[--nr_held]), 0);
	__expect_whole(test, b);
}

static int buddy_suite_init(struct kunit_suite *suite)
{
	if (!seed)
		seed = get_random_u64() ?: 1;
	pr_info("contig_buddy: seed %llu\n", seed);
	return 0;
}

static struct kunit_case buddy_cases[] = {
	KUNIT_CASE(buddy_init_test),
	KUNIT_CASE(buddy_init_refused_test),
	KUNIT_CASE_PARAM(buddy_one_of_each_order_test, free_order_gen_params),
	KUNIT_CASE(buddy_one_block_per_order_test),
	KUNIT_CASE(buddy_fill_test),
	KUNIT_CASE(buddy_half_fragmented_test),
	KUNIT_CASE(buddy_exact_size_test),
	KUNIT_CASE(buddy_alignment_test),
	KUNIT_CASE_PARAM(buddy_policy_test, policy_case_gen_params),
	KUNIT_CASE(buddy_next_fit_roves_test),
	KUNIT_CASE(buddy_mobility_test),
	KUNIT_CASE(buddy_range_test),
	KUNIT_CASE(buddy_owner_test),
	KUNIT_CASE(buddy_names_test),
	KUNIT_CASE(buddy_atomic_test),
	KUNIT_CASE(buddy_stash_test),
	KUNIT_CASE(buddy_concurrency_test),
	KUNIT_CASE_PARAM(buddy_bad_call_test, bad_case_gen_params),
	KUNIT_CASE(buddy_checker_catches_test),
	KUNIT_CASE(buddy_report_test),
	KUNIT_CASE_PARAM_ATTR(buddy_stress_test, stress_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(buddy_snapshot_test),
	{}
};

static struct kunit_suite buddy_suite = {
	.name = "contig_buddy",
	.suite_init = buddy_suite_init,
	.test_cases = buddy_cases,
};

kunit_test_suite(buddy_suite);

MODULE_DESCRIPTION("KUnit tests of the contig buddy allocator");
MODULE_LICENSE("GPL");
