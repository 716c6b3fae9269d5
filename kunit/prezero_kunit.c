// SPDX-License-Identifier: GPL-2.0
/*
 * prezero_kunit.c - KUnit suite contig_prezero: the background clearing of
 * free memory (prezero.c) and the buddy's per-frame truth behind it
 * (buddy_core.c, "Known-zero frames").
 *
 *  - split and merge, on a private buddy over pages of the test's own:
 *    a block half cleared and half dirty, merged by frees, must report
 *    exactly its cleared half as zeroed, and the memory must agree;
 *  - a frame taken by a request while the worker clears it (outside the
 *    buddy's lock): the request waits for the clear to end, the frame is
 *    not marked zeroed, and zero_next() says -EAGAIN (two CPUs);
 *  - the region: memory written and freed is not cleared by the free (the
 *    pattern is still there, so the check after could fail), and is zero
 *    once contig_prezero_run() has been through it;
 *  - the worker thread clears freed memory by itself, and counts its time;
 *  - property (seeded, seed printed, seed= repeats it): random CONTIGUOUS,
 *    SG and MOVABLE buffers with and without ZERO, every one written over with a
 *    pattern, random frees, random amounts of clearing, and the real
 *    worker let loose in between; every ZERO buffer must read zero in
 *    every byte, the buddy must pass its check after every step, and some
 *    requests must have been served pre-zeroed frames (else the case
 *    proved nothing);
 *  - the queue of ranges to clear (zero.c) that a take of lent memory
 *    feeds while the kernel migrates: on two CPUs its helper clears a
 *    range added while the caller does nothing, finishing clears every
 *    range added and no byte between them, and aborting leaves each range
 *    wholly cleared or wholly as it was.
 *
 * The cases pause the worker (an action resumes it) so that they decide
 * when memory is cleared, except where they let it run on purpose.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <contig.h>

#include "contig_internal.h"
#include "buffer.h"
#include "prezero.h"
#include "zero.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();

static unsigned long long seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "Seed of the property case (0: a random one, printed)");

KUNIT_DEFINE_ACTION_WRAPPER(__put_action, contig_put, struct contig_buffer *);
KUNIT_DEFINE_ACTION_WRAPPER(__vfree_action, vfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(__buddy_fini_action, contig_buddy_fini,
			    struct contig_buddy *);

static void __resume_action(void *unused)
{
	contig_prezero_pause(false);
}

/* Pause the worker until the case ends. */
static void __pause(struct kunit *test)
{
	contig_prezero_pause(true);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __resume_action,
							NULL), 0);
}

static struct contig_region *__region(struct kunit *test)
{
	struct contig_region *r = contig_default_region();

	if (!r)
		kunit_skip(test, "contig.ko is not loaded on a region");
	if (r->lend_nr == r->nr_pages)
		kunit_skip(test, "the whole region is lent: nothing to clear");
	return r;
}

static void __check(struct kunit *test, struct contig_buddy *b)
{
	char why[128];

	KUNIT_ASSERT_EQ_MSG(test, contig_buddy_check(b, why, sizeof(why)), 0,
			    "%s", why);
}

/* The private buddy's memory: one page per frame. */
struct pages {
	u8 *mem;
};

static void __clear_private(void *arg, unsigned long frame)
{
	struct pages *p = arg;

	memset(p->mem + (frame << PAGE_SHIFT), 0, PAGE_SIZE);
}

static u8 *__frame(struct pages *p, unsigned long frame)
{
	return p->mem + (frame << PAGE_SHIFT);
}

/* A second caller while a frame is being cleared: refused, -EBUSY. */
struct nested {
	struct contig_buddy *b;
	struct pages *p;
	long inner;
};

static void __clear_nested(void *arg, unsigned long frame)
{
	struct nested *n = arg;

	n->inner = contig_buddy_zero_next(n->b, 0, n->b->nr_frames,
					  __clear_private, n->p);
	__clear_private(n->p, frame);
}

/*
 * 32 frames written and freed; the first 16 cleared; 16 more written at
 * 16 and freed, so the free block 0..31 is half zeroed: a request for it
 * must be told 16, and its memory must show why.
 */
static void prezero_split_merge_test(struct kunit *test)
{
	struct contig_buddy *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct pages p;
	unsigned long zeroed = ~0UL, i;
	long f, g;

	KUNIT_ASSERT_NOT_NULL(test, b);
	p.mem = vzalloc(64 << PAGE_SHIFT);
	KUNIT_ASSERT_NOT_NULL(test, p.mem);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __vfree_action,
							p.mem), 0);
	KUNIT_ASSERT_EQ(test, contig_buddy_init(b, 64, CONTIG_POLICY_FIRST_FIT), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __buddy_fini_action, b), 0);

	/* Everything is dirty at first: nothing reported zeroed. */
	f = contig_buddy_alloc_zeroed(b, 32, 1, CONTIG_OWNER_UNMOVABLE,
				      CONTIG_POLICY_DEFAULT, 0, &zeroed);
	KUNIT_ASSERT_EQ(test, f, 0L);
	KUNIT_EXPECT_EQ(test, zeroed, 0UL);
	memset(__frame(&p, 0), 0xa5, 32 << PAGE_SHIFT);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, 0), 0);

	for (i = 0; i < 16; i++)
		KUNIT_ASSERT_EQ(test, contig_buddy_zero_next(b, 0, 16,
							     __clear_private, &p),
				(long)i);
	KUNIT_EXPECT_EQ(test, contig_buddy_zero_next(b, 0, 16, __clear_private, &p),
			-ENOENT);
	__check(test, b);

	/* Split: 16 at 16 taken, written, freed; the block merges back. */
	g = contig_buddy_alloc_range(b, 16, 16, CONTIG_OWNER_UNMOVABLE);
	KUNIT_ASSERT_EQ(test, g, 16L);
	memset(__frame(&p, 16), 0x5a, 16 << PAGE_SHIFT);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, 16), 0);
	__check(test, b);

	f = contig_buddy_alloc_zeroed(b, 32, 32, CONTIG_OWNER_UNMOVABLE,
				      CONTIG_POLICY_DEFAULT, 0, &zeroed);
	KUNIT_ASSERT_EQ(test, f, 0L);
	KUNIT_EXPECT_EQ(test, zeroed, 16UL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(__frame(&p, 0), 0, 16 << PAGE_SHIFT),
			    NULL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(__frame(&p, 16), 0x5a,
					     16 << PAGE_SHIFT), NULL);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, 0), 0);

	/* One caller at a time: a second one while a frame is cleared. */
	{
		struct nested n = { .b = b, .p = &p, .inner = 0 };

		KUNIT_EXPECT_EQ(test, contig_buddy_zero_next(b, 0, 64,
							     __clear_nested, &n),
				0L);
		KUNIT_EXPECT_EQ(test, n.inner, (long)-EBUSY);
		__check(test, b);
	}

	/* All cleared, a whole-region block is zeroed throughout. */
	while (contig_buddy_zero_next(b, 0, 64, __clear_private, &p) >= 0)
		;
	f = contig_buddy_alloc_zeroed(b, 64, 1, CONTIG_OWNER_UNMOVABLE,
				      CONTIG_POLICY_DEFAULT, 0, &zeroed);
	KUNIT_ASSERT_EQ(test, f, 0L);
	KUNIT_EXPECT_EQ(test, zeroed, 64UL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(p.mem, 0, 64 << PAGE_SHIFT), NULL);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(b, 0), 0);
	__check(test, b);
}

/* The race of a request with the clearing of the frame it takes. */
struct race {
	struct contig_buddy *b;
	struct pages p;
	atomic_t started;
	long got;
	bool timed_out;
	struct completion done;
};

/* @clear: announce the clear, hold it until the request is waiting. */
static void __clear_slowly(void *arg, unsigned long frame)
{
	struct race *rc = arg;
	u64 t0 = ktime_get_ns();

	atomic_set(&rc->started, 1);
	while (!READ_ONCE(rc->b->zeroing_lost)) {
		if (ktime_get_ns() - t0 > 2 * NSEC_PER_SEC) {
			rc->timed_out = true;
			break;
		}
		cpu_relax();
	}
	memset(__frame(&rc->p, frame), 0, PAGE_SIZE);
}

static int __race_taker(void *arg)
{
	struct race *rc = arg;
	u64 t0 = ktime_get_ns();

	while (!atomic_read(&rc->started) &&
	       ktime_get_ns() - t0 < 2 * NSEC_PER_SEC)
		cpu_relax();
	rc->got = contig_buddy_alloc(rc->b, 1, 1, CONTIG_OWNER_UNMOVABLE,
				     CONTIG_POLICY_DEFAULT, 0);
	/* The new owner's first store: after the clear, never under it. */
	if (rc->got >= 0)
		memset(__frame(&rc->p, rc->got), 0xaa, PAGE_SIZE);
	complete(&rc->done);
	return 0;
}

static void prezero_race_test(struct kunit *test)
{
	struct race *rc = kunit_kzalloc(test, sizeof(*rc), GFP_KERNEL);
	struct task_struct *t;
	unsigned int cpu;
	long ret;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_NOT_NULL(test, rc);
	rc->b = kunit_kzalloc(test, sizeof(*rc->b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rc->b);
	rc->p.mem = vzalloc(4 << PAGE_SHIFT);
	KUNIT_ASSERT_NOT_NULL(test, rc->p.mem);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __vfree_action,
							rc->p.mem), 0);
	KUNIT_ASSERT_EQ(test, contig_buddy_init(rc->b, 4, CONTIG_POLICY_FIRST_FIT), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __buddy_fini_action,
							rc->b), 0);
	/* Frames 0-2 held: frame 3 is the only free one, and dirty. */
	KUNIT_ASSERT_EQ(test, contig_buddy_alloc(rc->b, 3, 1, CONTIG_OWNER_UNMOVABLE,
						 CONTIG_POLICY_DEFAULT, 0), 0L);
	init_completion(&rc->done);
	t = kthread_create(__race_taker, rc, "contig_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	/* The taker on another CPU than ours, which spins irqs off. */
	migrate_disable();
	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	kthread_bind(t, cpu);
	wake_up_process(t);
	ret = contig_buddy_zero_next(rc->b, 0, 4, __clear_slowly, rc);
	migrate_enable();
	wait_for_completion(&rc->done);

	KUNIT_EXPECT_FALSE_MSG(test, rc->timed_out,
			       "the request never waited for the clear");
	KUNIT_EXPECT_EQ(test, rc->got, 3L);
	KUNIT_EXPECT_EQ(test, ret, (long)-EAGAIN);
	KUNIT_EXPECT_EQ(test, rc->b->zeroed_frames, 0UL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(__frame(&rc->p, 3), 0xaa, PAGE_SIZE),
			    NULL);
	__check(test, rc->b);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(rc->b, 3), 0);
	KUNIT_ASSERT_EQ(test, contig_buddy_free(rc->b, 0), 0);
	/* Uncontended, the same frame is cleared and marked. */
	KUNIT_EXPECT_EQ(test, contig_buddy_zero_next(rc->b, 3, 4, __clear_private,
						     &rc->p), 3L);
	KUNIT_EXPECT_EQ(test, rc->b->zeroed_frames, 1UL);
	__check(test, rc->b);
}

/* Clear everything dirty in the region now. */
static void __run_all(void)
{
	while (contig_prezero_run(4096) == 4096)
		;
}

static void prezero_region_test(struct kunit *test)
{
	struct contig_region *r = __region(test);
	struct contig_buddy_stats st;
	struct contig_buffer *buf;
	unsigned long nr = SZ_1M >> PAGE_SHIFT, frame;
	phys_addr_t phys;
	void *va;

	__pause(test);
	__run_all();
	buf = contig_alloc(SZ_1M, 0, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __put_action, buf), 0);
	KUNIT_ASSERT_EQ(test, contig_buffer_phys(buf, &phys), 0);
	frame = (phys - r->base) >> PAGE_SHIFT;
	if (r->lend_nr && frame >= r->lend_first &&
	    frame < r->lend_first + r->lend_nr)
		kunit_skip(test, "the buffer landed in the lent span");
	memset(contig_buffer_vaddr(buf), 0xa5, SZ_1M);
	kunit_release_action(test, __put_action, buf);

	/* Freed, dirty: the pattern is there, nothing marked zeroed. */
	KUNIT_ASSERT_EQ(test, contig_buddy_owner(&r->buddy, frame),
			CONTIG_OWNER_FREE);
	va = contig_frame_to_virt(r, frame);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(va, 0xa5, SZ_1M), NULL);
	contig_buddy_get_stats(&r->buddy, &st);
	KUNIT_EXPECT_EQ(test, st.free_frames - st.zeroed_frames, nr);

	__run_all();
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(va, 0, SZ_1M), NULL);
	contig_buddy_get_stats(&r->buddy, &st);
	KUNIT_EXPECT_EQ(test, st.free_frames, st.zeroed_frames);
	__check(test, &r->buddy);
}

static void prezero_worker_test(struct kunit *test)
{
	struct contig_region *r = __region(test);
	struct contig_prezero_stats before, after;
	struct contig_buddy_stats st;
	struct contig_buffer *buf;
	int ms;

	/* Dirty 4 MiB with the worker paused, then let it go. */
	__pause(test);
	buf = contig_alloc(SZ_4M, 0, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	memset(contig_buffer_vaddr(buf), 0x5a, SZ_4M);
	contig_put(buf);
	contig_buddy_get_stats(&r->buddy, &st);
	KUNIT_ASSERT_GE(test, st.free_frames - st.zeroed_frames,
			(unsigned long)SZ_4M >> PAGE_SHIFT);
	contig_prezero_get_stats(&before);
	contig_prezero_pause(false);
	for (ms = 0; ms < 20000; ms += 50) {
		contig_buddy_get_stats(&r->buddy, &st);
		if (st.free_frames == st.zeroed_frames)
			break;
		msleep(50);
	}
	contig_prezero_pause(true);
	contig_prezero_get_stats(&after);
	KUNIT_EXPECT_EQ_MSG(test, st.free_frames, st.zeroed_frames,
			    "the worker left %lu free frames dirty in %d ms",
			    st.free_frames - st.zeroed_frames, ms);
	KUNIT_EXPECT_GE(test, after.cleared - before.cleared,
			(u64)SZ_4M >> PAGE_SHIFT);
	KUNIT_EXPECT_GT(test, after.busy_ns, before.busy_ns);
	kunit_info(test, "worker: %llu frames in %llu us of clearing, %d ms\n",
		   after.cleared - before.cleared,
		   (after.busy_ns - before.busy_ns) / 1000, ms);
}

#define PROP_HELD	16
#define PROP_STEPS	300

static void prezero_property_test(struct kunit *test)
{
	struct contig_region *r = __region(test);
	struct contig_prezero_stats before, after;
	struct contig_buffer *held[PROP_HELD];
	unsigned int n = 0, i, step, zero_allocs = 0;
	struct rnd_state rnd;

	__pause(test);
	prandom_seed_state(&rnd, seed);
	kunit_info(test, "seed %llu\n", seed);
	contig_prezero_get_stats(&before);
	for (step = 0; step < PROP_STEPS; step++) {
		u32 v = prandom_u32_state(&rnd);
		size_t size = PAGE_SIZE << (v % 9);	/* 4 KiB .. 1 MiB */
		unsigned int kind = (v >> 4) % 4 == 1 ? CONTIG_KIND_SG :
				    (v >> 4) % 4 == 2 ? CONTIG_KIND_MOVABLE :
				    CONTIG_KIND_CONTIGUOUS;
		unsigned int flags = (v >> 28) & 1 ? CONTIG_FLAG_ZERO : 0;
		struct contig_buffer *buf;
		u8 *va;

		switch ((v >> 8) % 8) {
		case 0 ... 3:
			if (n == PROP_HELD)
				break;
			if ((v >> 12) % 4 == 0)
				size += PAGE_SIZE * ((v >> 14) % 7);
			buf = contig_alloc(size, 0, kind, flags);
			if (IS_ERR(buf))
				break;
			held[n++] = buf;
			va = contig_buffer_vaddr(buf);
			KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(va));
			if (flags) {
				zero_allocs++;
				KUNIT_ASSERT_PTR_EQ_MSG(test,
							memchr_inv(va, 0, size),
							NULL,
							"step %u: %zu-byte %s ZERO buffer not zero",
							step, size,
							contig_kind_name(kind));
			}
			memset(va, 1 + (v >> 20) % 255, size);
			break;
		case 4 ... 5:
			if (!n)
				break;
			i = (v >> 12) % n;
			buf = held[i];
			held[i] = held[--n];
			contig_put(buf);
			break;
		case 6:
			contig_prezero_run((v >> 12) % 512);
			break;
		default:
			/* The real worker, racing with the next requests. */
			contig_prezero_pause(false);
			usleep_range(1000, 3000);
			contig_prezero_pause(true);
			break;
		}
		__check(test, &r->buddy);
	}
	while (n)
		contig_put(held[--n]);
	contig_prezero_get_stats(&after);
	kunit_info(test, "%u ZERO buffers, %llu frames served pre-zeroed, %llu cleared\n",
		   zero_allocs, after.skipped - before.skipped,
		   after.cleared - before.cleared);
	KUNIT_EXPECT_GT(test, zero_allocs, 0U);
	KUNIT_EXPECT_GT_MSG(test, after.skipped, before.skipped,
			    "no request was served pre-zeroed frames: the case proved nothing");
}

#define ZQ_RANGES	16
#define ZQ_PAGES	4	/* per range, and a guard page after each */
#define ZQ_BYTE		0xa5

/* Range @i of the test's memory: ZQ_PAGES pages, then a guard page. */
static u8 *__zq_range(u8 *mem, unsigned int i)
{
	return mem + (size_t)i * (ZQ_PAGES + 1) * PAGE_SIZE;
}

/* Every guard page still ZQ_BYTE; and range @i zero (1), ZQ_BYTE (0), or neither (-1). */
static int __zq_state(struct kunit *test, u8 *mem, unsigned int i)
{
	u8 *p = __zq_range(mem, i);
	size_t len = ZQ_PAGES * PAGE_SIZE;

	KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(p + len, ZQ_BYTE, PAGE_SIZE),
				NULL, "the guard page after range %u was written",
				i);
	if (!memchr_inv(p, 0, len))
		return 1;
	return memchr_inv(p, ZQ_BYTE, len) ? -1 : 0;
}

static void prezero_queue_test(struct kunit *test)
{
	size_t size = (size_t)ZQ_RANGES * (ZQ_PAGES + 1) * PAGE_SIZE;
	struct contig_zero_queue q;
	unsigned long deadline;
	unsigned int i, zero;
	u8 *mem;

	mem = vmalloc(size);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __vfree_action,
							mem), 0);

	/* Finish: half the ranges added first, the rest later. */
	memset(mem, ZQ_BYTE, size);
	KUNIT_ASSERT_EQ(test, contig_zero_queue_init(&q, ZQ_RANGES), 0);
	for (i = 0; i < ZQ_RANGES / 2; i++)
		contig_zero_queue_add(&q, __zq_range(mem, i),
				      ZQ_PAGES * PAGE_SIZE);
	if (contig_zero_queue_helped()) {
		/* The helper works while the caller does not. */
		deadline = jiffies + 5 * HZ;
		while (__zq_state(test, mem, ZQ_RANGES / 2 - 1) != 1 &&
		       time_before(jiffies, deadline))
			usleep_range(5000, 10000);
		KUNIT_EXPECT_EQ_MSG(test, __zq_state(test, mem, ZQ_RANGES / 2 - 1), 1,
				    "the helper cleared nothing in 5 s");
	}
	for (; i < ZQ_RANGES; i++)
		contig_zero_queue_add(&q, __zq_range(mem, i),
				      ZQ_PAGES * PAGE_SIZE);
	contig_zero_queue_finish(&q);
	for (i = 0; i < ZQ_RANGES; i++)
		KUNIT_EXPECT_EQ_MSG(test, __zq_state(test, mem, i), 1,
				    "range %u not cleared by finish", i);

	/* Abort: each range wholly cleared or wholly untouched. */
	memset(mem, ZQ_BYTE, size);
	KUNIT_ASSERT_EQ(test, contig_zero_queue_init(&q, ZQ_RANGES), 0);
	for (i = 0; i < ZQ_RANGES; i++)
		contig_zero_queue_add(&q, __zq_range(mem, i),
				      ZQ_PAGES * PAGE_SIZE);
	contig_zero_queue_abort(&q);
	for (i = 0, zero = 0; i < ZQ_RANGES; i++) {
		int st = __zq_state(test, mem, i);

		KUNIT_EXPECT_GE_MSG(test, st, 0, "range %u half cleared", i);
		zero += st == 1;
	}
	/* After the abort returned, nothing is cleared any more. */
	memset(mem, ZQ_BYTE, size);
	msleep(20);
	for (i = 0; i < ZQ_RANGES; i++)
		KUNIT_EXPECT_EQ_MSG(test, __zq_state(test, mem, i), 0,
				    "range %u written after the abort", i);
	kunit_info(test, "abort: %u of %u ranges had been cleared\n", zero,
		   ZQ_RANGES);
}

static int prezero_suite_init(struct kunit_suite *suite)
{
	if (!seed)
		seed = get_random_u64() ?: 1;
	pr_info("contig_prezero: seed %llu\n", seed);
	return 0;
}

static struct kunit_case prezero_cases[] = {
	KUNIT_CASE(prezero_split_merge_test),
	KUNIT_CASE(prezero_race_test),
	KUNIT_CASE(prezero_region_test),
	KUNIT_CASE(prezero_worker_test),
	KUNIT_CASE_SLOW(prezero_property_test),
	KUNIT_CASE(prezero_queue_test),
	{}
};

static struct kunit_suite prezero_suite = {
	.name = "contig_prezero",
	.suite_init = prezero_suite_init,
	.test_cases = prezero_cases,
};

kunit_test_suite(prezero_suite);

MODULE_DESCRIPTION("KUnit tests of contig's background clearing of free memory");
MODULE_LICENSE("GPL");
