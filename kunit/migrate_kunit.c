// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_kunit.c - KUnit suite contig_migrate: movable memory and
 * migration (migrate.c), against the live region of the loaded contig.ko.
 *
 *  - fill: the region is filled with movable pages holding known patterns;
 *    a contiguous block of three quarters of the region is allocated (all
 *    of it pushed out to system memory, nothing being free); every page
 *    still holds its pattern; freeing the block brings the pages back;
 *  - within the region: every other movable allocation is freed, and a
 *    contiguous request moves pages into the holes, none out;
 *  - pinned everywhere: a page pinned in every candidate window makes the
 *    request fail with -EBUSY and moves nothing; the dry run and the
 *    report say which pfn blocked and that it was pinned;
 *  - pinned in one window: the other window is chosen;
 *  - concurrency: a thread on another CPU maps and checks the movable
 *    memory, allocates and frees its own, while contiguous requests move
 *    it around;
 *  - seeded random stress: movable alloc, free, map and rewrite,
 *    contiguous alloc and free, with pins held across requests, checking
 *    the buddy's invariants and a sample of every live page after each
 *    step (seed printed; module parameter seed= repeats a run).
 *
 * Each case leaves the region's books as it found them.  Its movable
 * handles, buffers, pins and thread are released by kunit actions, the
 * last of which (registered first, by __fix()) frees every handle left and
 * expects the books as the case found them, also when an assertion ended
 * the case early.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <contig.h>

#include "contig_internal.h"
#include "buffer.h"
#include "migrate.h"
#include "movable.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();

static unsigned long long seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "Seed of the stress case (0: a random one, printed)");

static unsigned int stress_ops = 300;
module_param(stress_ops, uint, 0444);
MODULE_PARM_DESC(stress_ops, "Operations of the stress case");

struct mhandle {
	struct contig_movable *mov;
	unsigned long nr;
	u32 salt;
};

/*
 * The fixture of a case: the movable handles it holds, all freed, and the
 * region's books compared with @before, by __fix_release() when the case
 * ends, however it ends.
 */
struct mfix {
	struct kunit *test;
	struct contig_region *r;
	struct contig_stats_data before;
	struct mhandle *h;
	unsigned long n, cap;
	u32 next_salt;
};

KUNIT_DEFINE_ACTION_WRAPPER(__put_action, contig_put, struct contig_buffer *);
KUNIT_DEFINE_ACTION_WRAPPER(__unmap_action, contig_movable_unmap,
			    struct contig_movable *);
KUNIT_DEFINE_ACTION_WRAPPER(__free_action, contig_movable_free,
			    struct contig_movable *);

static u64 __word(const struct mhandle *h, unsigned long page, unsigned int j)
{
	return ((u64)h->salt << 40) ^ ((u64)page << 16) ^ j ^
	       0x5a5a000000000000ULL;
}

/* Write the pattern of @h over all of it. */
static int __write(struct mhandle *h)
{
	unsigned int words = PAGE_SIZE / sizeof(u64), j;
	unsigned long p;
	u64 *va;

	va = contig_movable_map(h->mov);
	if (IS_ERR(va))
		return PTR_ERR(va);
	for (p = 0; p < h->nr; p++)
		for (j = 0; j < words; j++)
			va[p * words + j] = __word(h, p, j);
	contig_movable_unmap(h->mov);
	return 0;
}

/*
 * Check @h's pattern, every word (@full) or three per page; returns the
 * first bad page + 1, 0 when intact.
 */
static unsigned long __check(struct mhandle *h, bool full)
{
	unsigned int words = PAGE_SIZE / sizeof(u64), j;
	unsigned long p, bad = 0;
	u64 *va;

	va = contig_movable_map(h->mov);
	if (IS_ERR(va))
		return ULONG_MAX;
	for (p = 0; p < h->nr && !bad; p++) {
		for (j = 0; j < words && !bad;
		     j = full ? j + 1 : j + words / 2 - 1)
			if (va[p * words + j] != __word(h, p, j))
				bad = p + 1;
	}
	contig_movable_unmap(h->mov);
	return bad;
}

static void __stats(struct contig_stats_data *st)
{
	memset(st, 0, sizeof(*st));
	contig_buffer_get_stats(st);
}

static void __buddy_ok(struct kunit *test, struct contig_region *r)
{
	char why[128];

	KUNIT_ASSERT_EQ_MSG(test, contig_buddy_check(&r->buddy, why, sizeof(why)),
			    0, "buddy: %s", why);
}

/* Allocate and pattern @nr pages; false when the region is full. */
static bool __add(struct kunit *test, struct mfix *f, unsigned long nr)
{
	struct mhandle *h;
	struct contig_movable *mov;

	if (f->n == f->cap)
		return false;
	mov = contig_movable_alloc(nr << PAGE_SHIFT, 0);
	if (IS_ERR(mov)) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(mov), -ENOMEM);
		return false;
	}
	h = &f->h[f->n++];
	h->mov = mov;
	h->nr = nr;
	h->salt = ++f->next_salt;
	KUNIT_EXPECT_EQ(test, __write(h), 0);
	return true;
}

static void __del(struct mfix *f, unsigned long i)
{
	contig_movable_free(f->h[i].mov);
	f->h[i] = f->h[--f->n];
}

/*
 * The end of every case, registered first so that it runs last, after the
 * actions that drop the case's buffers and pins: free every handle, bring
 * back what was pushed out, and expect the books as they were.  An action
 * must not abort, hence EXPECT, not __buddy_ok()'s ASSERT.
 */
static void __fix_release(void *data)
{
	struct mfix *f = data;
	struct kunit *test = f->test;
	struct contig_stats_data after;
	char why[128];

	while (f->n)
		__del(f, f->n - 1);
	contig_migrate_bring_back();
	KUNIT_EXPECT_EQ_MSG(test, contig_buddy_check(&f->r->buddy, why, sizeof(why)),
			    0, "buddy: %s", why);
	__stats(&after);
	KUNIT_EXPECT_EQ(test, after.free, f->before.free);
	KUNIT_EXPECT_EQ(test, after.largest_free, f->before.largest_free);
	KUNIT_EXPECT_EQ(test, after.allocs - after.frees,
			f->before.allocs - f->before.frees);
}

static struct mfix *__fix(struct kunit *test)
{
	struct contig_region *r = contig_default_region();
	struct mfix *f;

	if (!r)
		kunit_skip(test, "contig.ko is not loaded on a region");
	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->test = test;
	f->r = r;
	f->cap = r->nr_pages;
	f->h = kunit_kcalloc(test, f->cap, sizeof(*f->h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->h);
	/* Pages left out by an earlier case come back first. */
	contig_migrate_bring_back();
	__stats(&f->before);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __fix_release, f), 0);
	return f;
}

/*
 * A buffer from contig_alloc*(), or its error: a buffer is put by an
 * action, unless the case puts it first with __put().
 */
static struct contig_buffer *__track(struct kunit *test,
				     struct contig_buffer *buf)
{
	if (!IS_ERR(buf))
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __put_action,
								buf), 0);
	return buf;
}

static void __put(struct kunit *test, struct contig_buffer *buf)
{
	kunit_release_action(test, __put_action, buf);
}

/* Pin @mov (contig_movable_map()); the pin is dropped by an action. */
static void *__pin(struct kunit *test, struct contig_movable *mov)
{
	void *va = contig_movable_map(mov);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(va), "map: %ld", PTR_ERR(va));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __unmap_action, mov),
			0);
	return va;
}

static void __unpin(struct kunit *test, struct contig_movable *mov)
{
	kunit_release_action(test, __unmap_action, mov);
}

/*
 * contig_movable_alloc() the case expects refused: its errno, or 0 when it
 * allocated after all (freed at once; the expectation reports it).
 */
static long __alloc_refused(size_t size, unsigned int flags)
{
	struct contig_movable *mov = contig_movable_alloc(size, flags);

	if (IS_ERR(mov))
		return PTR_ERR(mov);
	contig_movable_free(mov);
	return 0;
}

/* Fill every free frame with movable pages, @chunk at a time. */
static void __fill(struct kunit *test, struct mfix *f, unsigned long chunk)
{
	while (__add(test, f, chunk))
		;
	while (__add(test, f, 1))
		;
}

static void __check_all(struct kunit *test, struct mfix *f, bool full)
{
	unsigned long i, bad;

	for (i = 0; i < f->n; i++) {
		bad = __check(&f->h[i], full);
		KUNIT_ASSERT_EQ_MSG(test, bad, 0UL,
				    "movable %lu (%lu pages): page %lu lost its pattern",
				    i, f->h[i].nr, bad - 1);
	}
}

/* Index of the handle holding region frame @frame, or -1. */
static long __holder(struct mfix *f, unsigned long frame, unsigned long *page)
{
	unsigned long pfn = f->r->base_pfn + frame, i, p;

	for (i = 0; i < f->n; i++)
		for (p = 0; p < f->h[i].nr; p++)
			if (contig_movable_page_pfn(f->h[i].mov, p) == pfn) {
				if (page)
					*page = p;
				return i;
			}
	return -1;
}

/* Every pfn of every handle, in order, to see whether anything moved. */
static unsigned long *__where(struct kunit *test, struct mfix *f)
{
	unsigned long *w, i, p, k = 0;

	w = kunit_kcalloc(test, f->r->nr_pages + 1, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < f->n; i++)
		for (p = 0; p < f->h[i].nr && k < f->r->nr_pages; p++)
			w[k++] = contig_movable_page_pfn(f->h[i].mov, p);
	return w;
}

static void migrate_api_test(struct kunit *test)
{
	struct mfix *f = __fix(test);
	struct contig_movable *mov;
	u8 *a, *b;

	KUNIT_EXPECT_EQ(test, __alloc_refused(0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, __alloc_refused(SZ_4K, 1U << 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, __alloc_refused(f->r->size + 1, 0), -ENOMEM);
	mov = contig_movable_alloc(3 * PAGE_SIZE + 1, CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mov));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __free_action, mov),
			0);
	KUNIT_EXPECT_EQ(test, contig_movable_size(mov), 4 * PAGE_SIZE);
	/* Placed from the top of the region. */
	KUNIT_EXPECT_GE(test, contig_movable_page_pfn(mov, 0),
			f->r->base_pfn + f->r->nr_pages / 2);
	a = __pin(test, mov);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(a, 0, 4 * PAGE_SIZE), NULL);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(&f->r->buddy,
						 contig_movable_page_pfn(mov, 0) -
						 f->r->base_pfn),
			CONTIG_OWNER_PINNED);
	b = __pin(test, mov);	/* nests */
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	__unpin(test, mov);
	__unpin(test, mov);
	KUNIT_EXPECT_EQ(test, contig_buddy_owner(&f->r->buddy,
						 contig_movable_page_pfn(mov, 0) -
						 f->r->base_pfn),
			CONTIG_OWNER_MOVABLE);
	kunit_release_action(test, __free_action, mov);
	contig_movable_free(NULL);
}

static void migrate_fill_test(struct kunit *test)
{
	struct mfix *f = __fix(test);
	struct contig_migrate_stats m0, m1, m2;
	struct contig_alloc_report rep;
	struct contig_buffer *buf;
	size_t want = f->r->size / 4 * 3;
	phys_addr_t phys;

	__fill(test, f, 16);
	KUNIT_ASSERT_GT(test, f->n, 0UL);
	__buddy_ok(test, f->r);
	contig_migrate_get_stats(&m0);

	buf = __track(test, contig_alloc_ex(want, 0, CONTIG_KIND_CONTIGUOUS, 0,
					    &rep));
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(buf), "3/4 of a full region: %ld",
			       PTR_ERR(buf));
	KUNIT_EXPECT_EQ(test, rep.result, 0);
	KUNIT_EXPECT_GT(test, rep.move_bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, contig_buffer_phys(buf, &phys), 0);
	__buddy_ok(test, f->r);
	contig_migrate_get_stats(&m1);
	KUNIT_EXPECT_EQ(test, m1.make_room_ok, m0.make_room_ok + 1);
	/* Nothing was free: all of it went to system memory. */
	KUNIT_EXPECT_EQ(test, m1.pushed_out - m0.pushed_out,
			(u64)rep.move_bytes >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, m1.out_pages, m1.pushed_out - m0.pushed_out);
	kunit_info(test, "moved %llu KiB for %zu KiB, %llu pages pushed out",
		   rep.move_bytes >> 10, want >> 10, m1.out_pages);
	__check_all(test, f, true);

	/* The block is the caller's: write all of it. */
	memset(contig_buffer_vaddr(buf), 0xc3, want);
	__check_all(test, f, false);
	__put(test, buf);
	contig_migrate_bring_back();
	contig_migrate_get_stats(&m2);
	KUNIT_EXPECT_EQ(test, m2.out_pages, 0ULL);
	KUNIT_EXPECT_EQ(test, m2.brought_back - m1.brought_back, m1.out_pages);
	__buddy_ok(test, f->r);
	__check_all(test, f, true);
}

static void migrate_within_region_test(struct kunit *test)
{
	struct mfix *f = __fix(test);
	struct contig_migrate_stats m0, m1;
	struct contig_alloc_report rep;
	struct contig_buffer *buf;
	unsigned long i;

	__fill(test, f, 4);
	/* Free every other allocation: half the region, in 4-page holes. */
	for (i = 0; i < f->n; i++)
		if (f->h[i].nr == 4 && i % 2)
			__del(f, i);
	__buddy_ok(test, f->r);
	contig_migrate_get_stats(&m0);
	buf = __track(test, contig_alloc_ex(f->r->size / 4, 0,
					    CONTIG_KIND_CONTIGUOUS, 0, &rep));
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(buf), "1/4 of a half-full region: %ld",
			       PTR_ERR(buf));
	contig_migrate_get_stats(&m1);
	KUNIT_EXPECT_GT(test, m1.migrated, m0.migrated);
	KUNIT_EXPECT_EQ(test, m1.pushed_out, m0.pushed_out);
	KUNIT_EXPECT_EQ(test, m1.migrated - m0.migrated,
			(u64)rep.move_bytes >> PAGE_SHIFT);
	__buddy_ok(test, f->r);
	__check_all(test, f, true);
	__put(test, buf);
}

/*
 * Full region; a request of 3/4 of it aligned to 1/4 has two windows,
 * [0, 3/4) and [1/4, 1).  Pin the holder of @frame.
 */
static void __pin_case(struct kunit *test, unsigned long frame, long want_ret,
		       unsigned long want_start)
{
	struct mfix *f = __fix(test);
	struct contig_migrate_stats m0, m1;
	struct contig_alloc_report rep;
	size_t quarter = f->r->size / 4;
	struct contig_buffer *buf;
	unsigned long *w0, *w1;
	long k, ret;
	phys_addr_t phys;

	/* The windows are judged by position: only an empty region will do. */
	if (f->before.free != f->r->size)
		kunit_skip(test, "the region is not empty (%llu of %llu bytes free)",
			   f->before.free, f->r->size);
	__fill(test, f, 16);
	k = __holder(f, frame, NULL);
	KUNIT_ASSERT_GE(test, k, 0L);
	__pin(test, f->h[k].mov);
	w0 = __where(test, f);
	contig_migrate_get_stats(&m0);

	ret = contig_alloc_query(3 * quarter, quarter, &rep);
	KUNIT_EXPECT_EQ(test, ret, want_ret < 0 ? want_ret : 0L);
	KUNIT_EXPECT_EQ(test, rep.nr_windows, 2U);
	KUNIT_EXPECT_EQ(test, rep.nr_blocked, want_ret < 0 ? 2U : 1U);
	KUNIT_EXPECT_GE(test, rep.nr_reported, 1U);
	KUNIT_EXPECT_EQ(test, rep.windows[0].holder, CONTIG_HOLDER_PINNED);
	KUNIT_EXPECT_EQ(test, rep.windows[0].blocker_pfn >= f->r->base_pfn &&
			rep.windows[0].blocker_pfn < f->r->base_pfn +
			f->r->nr_pages, true);
	w1 = __where(test, f);
	KUNIT_EXPECT_EQ(test, memcmp(w0, w1, f->r->nr_pages * sizeof(*w0)), 0);

	buf = __track(test, contig_alloc_ex(3 * quarter, quarter,
					    CONTIG_KIND_CONTIGUOUS, 0, &rep));
	contig_migrate_get_stats(&m1);
	if (want_ret < 0) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(buf), want_ret);
		KUNIT_EXPECT_EQ(test, rep.result, (int)want_ret);
		KUNIT_EXPECT_EQ(test, rep.nr_blocked, 2U);
		/* Nothing moved. */
		w1 = __where(test, f);
		KUNIT_EXPECT_EQ(test, memcmp(w0, w1,
					     f->r->nr_pages * sizeof(*w0)), 0);
		KUNIT_EXPECT_EQ(test, m1.bytes_copied, m0.bytes_copied);
		KUNIT_EXPECT_EQ(test, m1.fail_busy, m0.fail_busy + 1);
	} else {
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(buf), "%ld", PTR_ERR(buf));
		KUNIT_EXPECT_EQ(test, contig_buffer_phys(buf, &phys), 0);
		KUNIT_EXPECT_EQ(test, phys, contig_frame_to_phys(f->r, want_start));
	}
	__unpin(test, f->h[k].mov);
	__buddy_ok(test, f->r);
	__check_all(test, f, want_ret >= 0);
	if (!IS_ERR(buf))
		__put(test, buf);
}

static void migrate_pinned_everywhere_test(struct kunit *test)
{
	struct contig_region *r = contig_default_region();

	if (!r)
		kunit_skip(test, "contig.ko is not loaded on a region");
	/* The middle half is in both windows. */
	__pin_case(test, r->nr_pages / 2, -EBUSY, 0);
}

static void migrate_pinned_one_window_test(struct kunit *test)
{
	struct contig_region *r = contig_default_region();

	if (!r)
		kunit_skip(test, "contig.ko is not loaded on a region");
	/* The top quarter is only in [1/4, 1): [0, 3/4) is chosen. */
	__pin_case(test, r->nr_pages - 1, 0, 0);
}

static void migrate_pinned_low_window_test(struct kunit *test)
{
	struct contig_region *r = contig_default_region();

	if (!r)
		kunit_skip(test, "contig.ko is not loaded on a region");
	/* Near the bottom: only [1/4, 1) can be emptied. */
	__pin_case(test, r->nr_pages / 8, 0, r->nr_pages / 4);
}

#define STRESS_BUFS	4

static void migrate_stress_test(struct kunit *test)
{
	struct mfix *f = __fix(test);
	struct contig_buffer *bufs[STRESS_BUFS] = { };
	unsigned long nbufs = 0, i, step, ok = 0, busy = 0, nomem = 0;
	struct contig_migrate_stats m0, m1;
	struct rnd_state rnd;
	long pinned = -1;

	kunit_info(test, "seed %llu, %u operations (module parameters seed= and stress_ops= to change)",
		   seed, stress_ops);
	prandom_seed_state(&rnd, seed);
	contig_migrate_get_stats(&m0);
	for (step = 0; step < stress_ops; step++) {
		u32 op = prandom_u32_state(&rnd) % 100;
		u32 x = prandom_u32_state(&rnd);

		if (op < 40) {
			__add(test, f, 1 + x % 256);
		} else if (op < 55 && f->n) {
			i = x % f->n;
			if ((long)i == pinned) {
				__unpin(test, f->h[i].mov);
				pinned = -1;
			}
			if (pinned == (long)f->n - 1)
				pinned = i;
			__del(f, i);
		} else if (op < 65 && f->n) {
			i = x % f->n;
			if ((long)i != pinned) {
				f->h[i].salt = ++f->next_salt;
				KUNIT_ASSERT_EQ(test, __write(&f->h[i]), 0);
			}
		} else if (op < 70 && f->n) {
			/* Hold a pin across the next requests, or drop it. */
			if (pinned >= 0) {
				__unpin(test, f->h[pinned].mov);
				pinned = -1;
			} else {
				pinned = x % f->n;
				__pin(test, f->h[pinned].mov);
			}
		} else if (op < 88 && nbufs < STRESS_BUFS) {
			size_t size = (1 + x % (f->r->nr_pages / 2)) << PAGE_SHIFT;
			size_t align = PAGE_SIZE << (prandom_u32_state(&rnd) % 8);
			struct contig_buffer *b;

			b = __track(test, contig_alloc(size, align,
						       CONTIG_KIND_CONTIGUOUS, 0));
			if (!IS_ERR(b)) {
				bufs[nbufs++] = b;
				memset(contig_buffer_vaddr(b), 0x77, size);
				ok++;
			} else if (PTR_ERR(b) == -EBUSY) {
				busy++;
			} else {
				KUNIT_ASSERT_EQ(test, PTR_ERR(b), -ENOMEM);
				nomem++;
			}
		} else if (op >= 88 && nbufs) {
			i = x % nbufs;
			__put(test, bufs[i]);
			bufs[i] = bufs[--nbufs];
			if (x & 1)
				contig_migrate_bring_back();
		}
		__buddy_ok(test, f->r);
		__check_all(test, f, false);
	}
	contig_migrate_get_stats(&m1);
	kunit_info(test, "%lu contiguous served, %lu busy, %lu no memory; %llu pages migrated, %llu pushed out, %llu brought back",
		   ok, busy, nomem, m1.migrated - m0.migrated,
		   m1.pushed_out - m0.pushed_out,
		   m1.brought_back - m0.brought_back);
	if (pinned >= 0)
		__unpin(test, f->h[pinned].mov);
	while (nbufs)
		__put(test, bufs[--nbufs]);
	__check_all(test, f, true);
}

/*
 * The other thread of the concurrency case.  Its state is kunit memory,
 * not the case's stack, and __conc_join() is registered as soon as the
 * thread exists: the thread is stopped and joined before the case's
 * fixture and this state go, whether the case ran to its end or an
 * assertion ended it early.
 */
struct conc {
	struct mfix *f;
	struct task_struct *task;
	unsigned long checks, bad, allocs;
};

/* Another CPU: check patterns under map, allocate and free, until stopped. */
static int __conc_thread(void *data)
{
	struct conc *c = data;
	struct mfix *f = c->f;
	struct mhandle own = { };
	u32 x = 1;

	while (!kthread_should_stop()) {
		x = x * 1103515245 + 12345;
		if (__check(&f->h[(x >> 8) % f->n], false))
			c->bad++;
		c->checks++;
		own.mov = contig_movable_alloc(8 * PAGE_SIZE, 0);
		if (!IS_ERR(own.mov)) {
			own.nr = 8;
			own.salt = x;
			if (__write(&own) || __check(&own, true))
				c->bad++;
			contig_movable_free(own.mov);
			c->allocs++;
		}
		cond_resched();
	}
	return 0;
}

/* Stop the thread and wait for it to return (kthread_stop() does both). */
static void __conc_join(void *data)
{
	struct conc *c = data;

	kthread_stop(c->task);
	put_task_struct(c->task);
}

static void migrate_concurrency_test(struct kunit *test)
{
	struct mfix *f = __fix(test);
	unsigned int i, served = 0, busy = 0;
	struct contig_buffer *buf;
	struct task_struct *t;
	struct conc *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->f = f;
	__fill(test, f, 16);
	/* Room for the other thread's allocations. */
	for (i = 0; i < 8 && f->n; i++)
		__del(f, f->n - 1);
	KUNIT_ASSERT_GT(test, f->n, 0UL);
	t = kthread_create(__conc_thread, c, "contig-migrate-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	c->task = get_task_struct(t);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __conc_join, c), 0);
	wake_up_process(t);
	for (i = 0; i < 6; i++) {
		buf = __track(test, contig_alloc(f->r->size / 2, 0,
						 CONTIG_KIND_CONTIGUOUS, 0));
		if (IS_ERR(buf)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(buf), -EBUSY);
			busy++;
		} else {
			memset(contig_buffer_vaddr(buf), 0x11, f->r->size / 2);
			__put(test, buf);
			served++;
		}
		contig_migrate_bring_back();
		__buddy_ok(test, f->r);
	}
	/* Joined before anything is judged. */
	kunit_release_action(test, __conc_join, c);
	kunit_info(test, "%u served, %u busy; the other thread made %lu checks and %lu allocations",
		   served, busy, c->checks, c->allocs);
	KUNIT_EXPECT_GT(test, served, 0U);
	KUNIT_EXPECT_EQ(test, c->bad, 0UL);
	__check_all(test, f, true);
}

static int migrate_suite_init(struct kunit_suite *suite)
{
	if (!seed)
		seed = get_random_u64() ?: 1;
	pr_info("contig_migrate: seed %llu\n", seed);
	return 0;
}

static struct kunit_case migrate_cases[] = {
	KUNIT_CASE(migrate_api_test),
	KUNIT_CASE_SLOW(migrate_fill_test),
	KUNIT_CASE_SLOW(migrate_within_region_test),
	KUNIT_CASE(migrate_pinned_everywhere_test),
	KUNIT_CASE(migrate_pinned_one_window_test),
	KUNIT_CASE(migrate_pinned_low_window_test),
	KUNIT_CASE_SLOW(migrate_concurrency_test),
	KUNIT_CASE_SLOW(migrate_stress_test),
	{}
};

static struct kunit_suite migrate_suite = {
	.name = "contig_migrate",
	.suite_init = migrate_suite_init,
	.test_cases = migrate_cases,
};

kunit_test_suite(migrate_suite);

MODULE_DESCRIPTION("KUnit tests of contig's movable memory and migration");
MODULE_LICENSE("GPL");
