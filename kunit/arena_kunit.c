// SPDX-License-Identifier: GPL-2.0
/*
 * arena_kunit.c - KUnit suite contig_arena: users' arenas (arena.c) and
 * what they promise the rest of the region, against the live region of
 * the loaded contig.ko (which must be otherwise empty: each case skips
 * when it is not).
 *
 *  - top slot: with movable memory already at the top of the region, a
 *    new arena still takes the highest slot (the movable pages are moved
 *    out of it, and keep their data) and the rest of the region stays one
 *    run: a CONTIGUOUS request of region - arena succeeds (dry run);
 *  - buffers: CONTIGUOUS and SG buffers carved from an arena lie inside
 *    it; a request the arena cannot serve fails with -ENOMEM and leaves
 *    the arena's and the region's books exactly as they were;
 *  - pin out: a MOVABLE buffer marked pin_out (an unprivileged user's, set
 *    by chardev.c) that is pinned for a kernel mapping and an sg_table
 *    first leaves the region for system memory, data intact: the region
 *    is all free while the buffer stays pinned;
 *  - property: seeded random CONTIGUOUS and SG allocations and frees in an
 *    arena of a quarter of the region (Robson-style growing orders
 *    included), and after every step a dry run of region - arena must
 *    succeed and the arena's buddy must pass its own check (seed printed;
 *    module parameter seed= repeats a run).
 *
 * Every buffer, movable allocation and arena is released by a kunit
 * action, so an assertion that ends a case early leaks nothing.
 */
#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>

#include <contig.h>

#include "contig_internal.h"
#include "arena.h"
#include "buffer.h"
#include "migrate.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();

static unsigned long long seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "Seed of the property case (0: a random one, printed)");

KUNIT_DEFINE_ACTION_WRAPPER(__put_action, contig_put, struct contig_buffer *);
KUNIT_DEFINE_ACTION_WRAPPER(__destroy_action, contig_arena_destroy,
			    struct contig_arena *);
KUNIT_DEFINE_ACTION_WRAPPER(__movable_free_action, contig_movable_free,
			    struct contig_movable *);

/* The loaded region, which the case needs otherwise empty. */
static struct contig_region *__empty_region(struct kunit *test)
{
	struct contig_region *r = contig_default_region();
	struct contig_stats_data st = { };

	KUNIT_ASSERT_NOT_NULL(test, r);
	contig_buffer_get_stats(&st);
	if (st.free != r->size)
		kunit_skip(test, "the region is not empty (%llu of %llu bytes free)",
			   st.free, r->size);
	return r;
}

static struct contig_arena *__arena(struct kunit *test, struct contig_region *r,
				    unsigned long nr)
{
	struct contig_arena *a = contig_arena_new(r, nr);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __destroy_action, a), 0);
	return a;
}

static void arena_top_slot_test(struct kunit *test)
{
	struct contig_region *r = __empty_region(test);
	unsigned long nr = 1UL << (r->buddy.max_order - 3);	/* 1/8 */
	struct contig_alloc_report rep;
	struct contig_movable *mov;
	struct contig_arena *a;
	u8 *va;

	mov = contig_movable_alloc(nr << (PAGE_SHIFT - 1), CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mov);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __movable_free_action, mov), 0);
	va = contig_movable_map(mov);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, va);
	memset(va, 0x5a, nr << (PAGE_SHIFT - 1));
	contig_movable_unmap(mov);
	/* Movable memory is placed top-down: the top slot is not free. */
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(&r->buddy, r->nr_pages - 1),
			CONTIG_OWNER_MOVABLE);

	a = __arena(test, r, nr);
	KUNIT_EXPECT_EQ(test, a->base, r->nr_pages / nr * nr - nr);
	KUNIT_EXPECT_EQ(test, contig_alloc_query((r->nr_pages / nr * nr - nr)
						 << PAGE_SHIFT, 0, &rep), 0);
	va = contig_movable_map(mov);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, va);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va, 0x5a, nr << (PAGE_SHIFT - 1)));
	contig_movable_unmap(mov);
}

static void arena_buffers_test(struct kunit *test)
{
	struct contig_region *r = __empty_region(test);
	unsigned long nr = 64, i;
	struct contig_buddy_stats *before, *after;
	struct contig_stats_data *rb, *ra;
	struct contig_buffer *c, *sg, *big;
	struct contig_arena *a = __arena(test, r, nr);

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	rb = kunit_kzalloc(test, sizeof(*rb), GFP_KERNEL);
	ra = kunit_kzalloc(test, sizeof(*ra), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, before && after && rb && ra);

	c = contig_alloc_in(a, 8 * PAGE_SIZE, 8 * PAGE_SIZE,
			    CONTIG_KIND_CONTIGUOUS, CONTIG_FLAG_ZERO, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __put_action, c), 0);
	sg = contig_alloc_in(a, 36 * PAGE_SIZE, 0, CONTIG_KIND_SG,
			     CONTIG_FLAG_ZERO, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sg);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __put_action, sg), 0);
	KUNIT_EXPECT_EQ(test, c->nr_chunks, 1UL);
	KUNIT_EXPECT_TRUE(test, c->chunks[0].frame >= a->base &&
			  c->chunks[0].frame + 8 <= a->base + nr &&
			  !(c->chunks[0].frame % 8));
	for (i = 0; i < sg->nr_chunks; i++)
		KUNIT_EXPECT_TRUE(test, sg->chunks[i].frame >= a->base &&
				  sg->chunks[i].frame + sg->chunks[i].nr <=
				  a->base + nr);

	/* 20 frames are left, in pieces of 4 and 16: 20 in one cannot be had. */
	contig_buddy_get_stats(&a->buddy, before);
	contig_buffer_get_stats(rb);
	KUNIT_EXPECT_EQ(test, before->free_frames, 20UL);
	big = contig_alloc_in(a, 20 * PAGE_SIZE, 0, CONTIG_KIND_CONTIGUOUS,
			      CONTIG_FLAG_ZERO, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(big), -ENOMEM);
	if (!IS_ERR(big))
		contig_put(big);
	contig_buddy_get_stats(&a->buddy, after);
	contig_buffer_get_stats(ra);
	KUNIT_EXPECT_EQ(test, before->free_frames, after->free_frames);
	KUNIT_EXPECT_EQ(test, before->largest_free, after->largest_free);
	KUNIT_EXPECT_TRUE(test, !memcmp(before->nr_free, after->nr_free,
					sizeof(before->nr_free)));
	KUNIT_EXPECT_EQ(test, rb->free, ra->free);
	KUNIT_EXPECT_EQ(test, contig_buddy_check(&a->buddy, NULL, 0), 0);
}

static void arena_pin_out_test(struct kunit *test)
{
	struct contig_region *r = __empty_region(test);
	struct contig_migrate_stats ms;
	struct contig_buddy_stats st;
	struct contig_buffer *buf;
	struct sg_table *sgt;
	u8 *va, *w;
	size_t i, size = 4 * PAGE_SIZE;

	buf = contig_alloc(size, 0, CONTIG_KIND_MOVABLE, CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __put_action, buf), 0);
	buf->pin_out = true;	/* as chardev.c does, before sharing it */
	w = contig_movable_map(buf->mov);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, w);
	for (i = 0; i < size; i++)
		w[i] = i * 7 + 3;
	contig_movable_unmap(buf->mov);
	/* Precondition: its pages are in the region. */
	contig_buddy_get_stats(&r->buddy, &st);
	KUNIT_ASSERT_EQ(test, st.owner_frames[CONTIG_OWNER_MOVABLE],
			size >> PAGE_SHIFT);

	va = contig_buffer_vaddr(buf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, va);
	sgt = contig_buffer_sgt(buf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_TRUE(test, buf->frozen);
	/* Pinned, and not in the region: the whole region is free. */
	contig_buddy_get_stats(&r->buddy, &st);
	KUNIT_EXPECT_EQ(test, st.owner_frames[CONTIG_OWNER_MOVABLE], 0UL);
	KUNIT_EXPECT_EQ(test, st.owner_frames[CONTIG_OWNER_PINNED], 0UL);
	KUNIT_EXPECT_EQ(test, st.free_frames, r->nr_pages);
	contig_migrate_get_stats(&ms);
	KUNIT_EXPECT_EQ(test, ms.out_pages, (u64)(size >> PAGE_SHIFT));
	for (i = 0; i < size; i++)
		if (va[i] != (u8)(i * 7 + 3))
			break;
	KUNIT_EXPECT_EQ(test, i, size);
}

static void arena_property_test(struct kunit *test)
{
	struct contig_region *r = __empty_region(test);
	unsigned long nr = 1UL << (r->buddy.max_order - 2);	/* 1/4 */
	unsigned long target = r->nr_pages - (r->nr_pages % nr) - nr;
	struct contig_buffer **held;
	struct contig_alloc_report rep;
	struct rnd_state rnd;
	unsigned int n = 0, step, bad = 0, served = 0;
	struct contig_arena *a;
	char why[96];

	a = __arena(test, r, nr);
	held = kunit_kcalloc(test, nr, sizeof(*held), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, held);
	prandom_seed_state(&rnd, seed);
	kunit_info(test, "seed %llu, arena %lu frames at %lu, target %lu frames\n",
		   seed, nr, a->base, target);
	for (step = 0; step < 600; step++) {
		u32 v = prandom_u32_state(&rnd);
		unsigned int order = (step / 100) + (v % 3);	/* growing */
		struct contig_buffer *b;

		if (n && (v >> 8) % 5 < 2) {
			unsigned int i = (v >> 16) % n;

			contig_put(held[i]);
			held[i] = held[--n];
		} else if (n < nr) {
			b = contig_alloc_in(a, PAGE_SIZE << order,
					    (v >> 12) & 1 ? PAGE_SIZE << order : 0,
					    (v >> 13) & 1 ? CONTIG_KIND_SG :
					    CONTIG_KIND_CONTIGUOUS,
					    CONTIG_FLAG_ZERO, NULL);
			if (!IS_ERR(b)) {
				held[n++] = b;
				served++;
			}
		}
		if (contig_alloc_query(target << PAGE_SHIFT, 0, &rep) && !bad++)
			kunit_err(test, "step %u: %lu frames refused\n", step,
				  target);
		if (contig_buddy_check(&a->buddy, why, sizeof(why)) && !bad++)
			kunit_err(test, "step %u: arena buddy: %s\n", step, why);
	}
	while (n)
		contig_put(held[--n]);
	kunit_info(test, "%u allocations served\n", served);
	KUNIT_EXPECT_GT(test, served, 0U);
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

static int arena_suite_init(struct kunit_suite *suite)
{
	if (!seed)
		seed = get_random_u64() ?: 1;
	pr_info("contig_arena: seed %llu\n", seed);
	return 0;
}

static struct kunit_case arena_cases[] = {
	KUNIT_CASE(arena_top_slot_test),
	KUNIT_CASE(arena_buffers_test),
	KUNIT_CASE(arena_pin_out_test),
	KUNIT_CASE_SLOW(arena_property_test),
	{}
};

static struct kunit_suite arena_suite = {
	.name = "contig_arena",
	.suite_init = arena_suite_init,
	.test_cases = arena_cases,
};

kunit_test_suite(arena_suite);

MODULE_DESCRIPTION("KUnit tests of contig's per-user arenas");
MODULE_LICENSE("GPL");
