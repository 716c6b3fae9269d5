// SPDX-License-Identifier: GPL-2.0
/*
 * fault_kunit.c - KUnit suite contig_fault: every failure of the exported
 * kernel API, injected one at a time, loses nothing.
 *
 * Runs against the live region of the loaded contig.ko (without it every
 * case skips).  Each case walks n = 1, 2, ... over one call: it arms
 * contig_fault_test_arm(n), which makes the n-th of contig.ko's own fault
 * sites (fault.h) that this task passes fail, makes the call and disarms.
 * When a site failed, the call must either fail with its documented errno
 * and leave the region's books exactly as before (__books(): STATS of
 * buffer.c but for the failure counter, and the buddy's free frames,
 * largest block and frames per owner), or succeed all the same (an SG
 * request steps down an order when a block is refused); what it got is
 * then freed and the books must be as before too.  The walk ends at the
 * first n the call passes fewer than n sites: that run is the unhurt
 * call, which must succeed.  Each case prints how many n it walked.
 *
 * The counter reaches only contig.ko's own sites and only the case's
 * task, whatever the kernel's failslab and fail_page_alloc are set to;
 * tools/selftests/failnth_test.c does the same through
 * /proc/thread-self/fail-nth, with the kernel's allocations too.
 *
 * Calls walked: contig_alloc() and contig_alloc_ex() of every kind, with
 * and without WC, with a report; a CONTIGUOUS request that must empty a
 * window of movable memory (the region filled with it first);
 * contig_map() of every kind for a device without an IOMMU;
 * contig_cache_alloc(); contig_kmalloc() of a size class and of whole
 * frames; contig_movable_alloc().
 */
#include <kunit/test.h>
#include <kunit/device.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <contig.h>

#include "contig_internal.h"
#include "buffer.h"
#include "fault.h"
#include "kmalloc.h"
#include "migrate.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();

/* No call of the API passes this many sites; a walk that does is a bug. */
#define FAULT_MAX_N	512

static struct contig_region *__region(struct kunit *test)
{
	struct contig_region *r = contig_default_region();

	if (!r)
		kunit_skip(test, "contig.ko is not loaded on a region");
	return r;
}

/* What a failed call must leave as it found it. */
struct books {
	struct contig_stats_data st;
	struct contig_buddy_stats b;
};

static void __books(struct books *bk)
{
	memset(bk, 0, sizeof(*bk));
	contig_buffer_get_stats(&bk->st);
	contig_buddy_get_stats(&contig_default_region()->buddy, &bk->b);
}

/*
 * @a and @b are the same books but for the failure counters (failed_nomem
 * and the buddy's alloc_failures count failures, injected ones too) and,
 * when @freed, allocs and frees (a buffer was had and put).
 */
static void __expect_books(struct kunit *test, const struct books *a,
			   const struct books *b, bool freed, unsigned int n,
			   const char *what)
{
	struct contig_stats_data sa = a->st, sb = b->st;
	unsigned int o;

	sb.failed_nomem = sa.failed_nomem;
	if (freed) {
		KUNIT_EXPECT_EQ(test, sa.allocs - sa.frees, sb.allocs - sb.frees);
		sb.allocs = sa.allocs;
		sb.frees = sa.frees;
	}
	KUNIT_EXPECT_TRUE_MSG(test, !memcmp(&sa, &sb, sizeof(sa)),
			      "%s, n=%u: STATS changed (free %llu -> %llu, largest %llu -> %llu, quarantined %llu -> %llu)",
			      what, n, sa.free, sb.free, sa.largest_free,
			      sb.largest_free, sa.quarantined, sb.quarantined);
	KUNIT_EXPECT_EQ_MSG(test, a->b.free_frames, b->b.free_frames,
			    "%s, n=%u", what, n);
	KUNIT_EXPECT_EQ_MSG(test, a->b.largest_free, b->b.largest_free,
			    "%s, n=%u", what, n);
	for (o = 0; o < CONTIG_NR_OWNERS; o++)
		KUNIT_EXPECT_EQ_MSG(test, a->b.owner_frames[o],
				    b->b.owner_frames[o], "%s, n=%u: frames of %s",
				    what, n, contig_owner_name(o));
}

/**
 * struct walk - one sweep over one call.
 * @what:	the call, for messages.
 * @call:	makes the call once; returns 0, or the call's -errno.  On
 *		success it keeps what it got in @ctx.
 * @undo:	frees what a successful @call got.
 * @errs:	the errnos a failed call may return, 0-terminated.
 * @ctx:	the case's context.
 */
struct walk {
	const char *what;
	int (*call)(void *ctx);
	void (*undo)(void *ctx);
	const int *errs;
	void *ctx;
};

static bool __err_ok(const int *errs, int err)
{
	for (; *errs; errs++)
		if (*errs == err)
			return true;
	return false;
}

/* Walk n = 1, 2, ...; returns the number of injected failures. */
static unsigned int __walk(struct kunit *test, const struct walk *w)
{
	unsigned int n, failed = 0, survived = 0;
	struct books *before, *after;
	int site, ret;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	for (n = 1; n <= FAULT_MAX_N; n++) {
		__books(before);
		/* Nothing between arm and disarm may stop the case. */
		contig_fault_test_arm(n);
		ret = w->call(w->ctx);
		site = contig_fault_test_disarm();
		if (!ret)
			w->undo(w->ctx);
		__books(after);
		__expect_books(test, before, after, !ret, n, w->what);
		if (site < 0) {
			/* Fewer than n sites: the unhurt call. */
			KUNIT_EXPECT_EQ_MSG(test, ret, 0,
					    "%s: fails without injection", w->what);
			kunit_info(test, "%s: %u sites, %u injected failures refused, %u survived",
				   w->what, n - 1, failed, survived);
			return n - 1;
		}
		if (ret) {
			failed++;
			KUNIT_EXPECT_TRUE_MSG(test, __err_ok(w->errs, ret),
					      "%s, n=%u (%s): errno %d",
					      w->what, n,
					      contig_fault_site_name(site), ret);
		} else {
			survived++;
		}
	}
	KUNIT_FAIL(test, "%s: still hitting sites at n=%u", w->what, n);
	return n;
}

static const int nomem[] = { -ENOMEM, 0 };

/* ---- contig_alloc(), contig_alloc_ex() ------------------------------------ */

struct alloc_case {
	const char *name;
	unsigned int kind;
	unsigned int flags;
	bool ex;
};

static const struct alloc_case alloc_cases[] = {
	{ "contiguous", CONTIG_KIND_CONTIGUOUS, 0, false },
	{ "contiguous zero", CONTIG_KIND_CONTIGUOUS, CONTIG_FLAG_ZERO, false },
	{ "contiguous wc", CONTIG_KIND_CONTIGUOUS, CONTIG_FLAG_WC, false },
	{ "contiguous report", CONTIG_KIND_CONTIGUOUS, 0, true },
	{ "sg", CONTIG_KIND_SG, 0, false },
	{ "sg wc", CONTIG_KIND_SG, CONTIG_FLAG_WC, false },
	{ "sg report", CONTIG_KIND_SG, 0, true },
	{ "movable", CONTIG_KIND_MOVABLE, CONTIG_FLAG_ZERO, false },
	{ "movable report", CONTIG_KIND_MOVABLE, 0, true },
};

static void alloc_case_desc(const struct alloc_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(alloc_case, alloc_cases, alloc_case_desc);

struct alloc_ctx {
	const struct alloc_case *c;
	size_t size;
	struct contig_alloc_report rep;
	struct contig_buffer *buf;
};

static int alloc_call(void *p)
{
	struct alloc_ctx *a = p;

	a->buf = a->c->ex ?
		contig_alloc_ex(a->size, 0, a->c->kind, a->c->flags, &a->rep) :
		contig_alloc(a->size, 0, a->c->kind, a->c->flags);
	return PTR_ERR_OR_ZERO(a->buf);
}

static void alloc_undo(void *p)
{
	struct alloc_ctx *a = p;

	contig_put(a->buf);
}

/*
 * 196 KiB: an SG or MOVABLE buffer of it takes three blocks (128, 64 and
 * 4 KiB), so the walk fails each of them in turn.
 */
static void fault_alloc_test(struct kunit *test)
{
	const struct alloc_case *c = test->param_value;
	struct alloc_ctx a = { .c = c, .size = SZ_128K + SZ_64K + SZ_4K };
	struct walk w = {
		.what = c->name, .call = alloc_call, .undo = alloc_undo,
		.errs = nomem, .ctx = &a,
	};
	int ret;

	__region(test);
	/* Prove the call can succeed here, or say why it cannot. */
	ret = alloc_call(&a);
	if (ret == -EOPNOTSUPP)
		kunit_skip(test, "%s: not on this region (-EOPNOTSUPP)", c->name);
	KUNIT_ASSERT_EQ(test, ret, 0);
	alloc_undo(&a);
	KUNIT_EXPECT_GT(test, __walk(test, &w), 0U);
}

/* ---- a CONTIGUOUS request that must empty a window ------------------------ */

struct fill {
	struct contig_movable **mov;
	unsigned long n, cap;
};

static void __fill_release(void *p)
{
	struct fill *f = p;

	while (f->n)
		contig_movable_free(f->mov[--f->n]);
	kvfree(f->mov);
}

/* Every free frame of the region taken by movable pages. */
static void __fill(struct kunit *test, struct fill *f)
{
	unsigned long chunk = 16;
	struct contig_movable *mov;

	f->cap = contig_default_region()->nr_pages;
	f->mov = kvcalloc(f->cap, sizeof(*f->mov), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mov);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __fill_release, f), 0);
	while (chunk && f->n < f->cap) {
		mov = contig_movable_alloc(chunk << PAGE_SHIFT, 0);
		if (IS_ERR(mov)) {
			KUNIT_ASSERT_EQ(test, PTR_ERR(mov), -ENOMEM);
			chunk >>= 4;
			continue;
		}
		f->mov[f->n++] = mov;
	}
}

static int migrate_call(void *p)
{
	struct alloc_ctx *a = p;

	a->buf = contig_alloc_ex(a->size, 0, CONTIG_KIND_CONTIGUOUS, 0, &a->rep);
	return PTR_ERR_OR_ZERO(a->buf);
}

/* Free the block, and bring the pages it pushed out back into it. */
static void migrate_undo(void *p)
{
	struct alloc_ctx *a = p;

	contig_put(a->buf);
	contig_migrate_bring_back();
}

static void fault_migrate_test(struct kunit *test)
{
	static const int errs[] = { -ENOMEM, -EBUSY, 0 };
	struct alloc_ctx *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct walk w = {
		.what = "contiguous over movable", .call = migrate_call,
		.undo = migrate_undo, .errs = errs, .ctx = a,
	};
	struct contig_migrate_stats m0, m1;
	struct fill *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct books *bk = kunit_kzalloc(test, sizeof(*bk), GFP_KERNEL);

	__region(test);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_NOT_NULL(test, bk);
	a->size = SZ_64K;
	__fill(test, f);
	__books(bk);
	KUNIT_ASSERT_EQ_MSG(test, bk->b.free_frames, 0UL,
			    "the region must be full for the request to move pages");
	contig_migrate_get_stats(&m0);
	KUNIT_EXPECT_GT(test, __walk(test, &w), 0U);
	contig_migrate_get_stats(&m1);
	/* The walk did empty windows: every run but the failed ones. */
	KUNIT_EXPECT_GT(test, m1.make_room_ok, m0.make_room_ok);
	KUNIT_EXPECT_GT(test, m1.pushed_out, m0.pushed_out);
}

/* ---- contig_map() --------------------------------------------------------- */

struct map_ctx {
	struct device *dev;
	struct contig_buffer *buf;
	struct sg_table *sgt;
};

static int map_call(void *p)
{
	struct map_ctx *m = p;

	m->sgt = contig_map(m->dev, m->buf, DMA_BIDIRECTIONAL);
	return PTR_ERR_OR_ZERO(m->sgt);
}

static void map_undo(void *p)
{
	struct map_ctx *m = p;

	contig_unmap(m->dev, m->buf, m->sgt, DMA_BIDIRECTIONAL);
}

KUNIT_DEFINE_ACTION_WRAPPER(__put_action, contig_put, struct contig_buffer *);

static const unsigned int map_kinds[] = {
	CONTIG_KIND_CONTIGUOUS, CONTIG_KIND_SG, CONTIG_KIND_MOVABLE,
};

static void map_kind_desc(const unsigned int *kind, char *desc)
{
	strscpy(desc, contig_kind_name(*kind), KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(map_kind, map_kinds, map_kind_desc);

/*
 * A one-block buffer: the device has no IOMMU, so it can map only what is
 * physically contiguous.
 */
static void fault_map_test(struct kunit *test)
{
	unsigned int kind = *(const unsigned int *)test->param_value;
	struct map_ctx m = { };
	struct walk w = {
		.what = "contig_map", .call = map_call, .undo = map_undo,
		.errs = nomem, .ctx = &m,
	};
	int ret;

	__region(test);
	m.dev = kunit_device_register(test, "contig-fault-map");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m.dev);
	KUNIT_ASSERT_NOT_NULL(test, m.dev->dma_mask);
	*m.dev->dma_mask = DMA_BIT_MASK(64);
	m.dev->coherent_dma_mask = DMA_BIT_MASK(64);
	m.buf = contig_alloc(SZ_4K, 0, kind, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m.buf));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __put_action, m.buf), 0);
	ret = map_call(&m);
	KUNIT_ASSERT_EQ(test, ret, 0);
	map_undo(&m);
	KUNIT_EXPECT_GT(test, __walk(test, &w), 0U);
}

/* ---- contig_cache_alloc(), contig_kmalloc() ------------------------------- */

struct obj_ctx {
	struct contig_cache *cache;
	size_t size;
	void *obj;
};

static int cache_call(void *p)
{
	struct obj_ctx *o = p;
	phys_addr_t phys;

	/* No empty slab kept: each call must make one. */
	contig_cache_shrink(o->cache);
	o->obj = contig_cache_alloc(o->cache, GFP_KERNEL, &phys);
	return PTR_ERR_OR_ZERO(o->obj);
}

static void cache_undo(void *p)
{
	struct obj_ctx *o = p;

	contig_cache_free(o->cache, o->obj);
	contig_cache_shrink(o->cache);
}

static void __cache_destroy(void *cache)
{
	contig_cache_destroy(cache);
}

static void fault_cache_test(struct kunit *test)
{
	struct obj_ctx o = { };
	struct walk w = {
		.what = "contig_cache_alloc", .call = cache_call,
		.undo = cache_undo, .errs = nomem, .ctx = &o,
	};

	__region(test);
	o.cache = contig_cache_create("contig-fault-kunit", 200, 64, 0, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(o.cache));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __cache_destroy,
							o.cache), 0);
	KUNIT_ASSERT_EQ(test, cache_call(&o), 0);
	cache_undo(&o);
	KUNIT_EXPECT_GT(test, __walk(test, &w), 0U);
}

static int kmalloc_call(void *p)
{
	struct obj_ctx *o = p;
	phys_addr_t phys;

	contig_kmalloc_shrink();
	o->obj = contig_kmalloc(o->size, GFP_KERNEL, &phys);
	return PTR_ERR_OR_ZERO(o->obj);
}

static void kmalloc_undo(void *p)
{
	struct obj_ctx *o = p;

	contig_kfree(o->obj);
	contig_kmalloc_shrink();
}

static const size_t kmalloc_sizes[] = { 96, 3 * PAGE_SIZE };

static void kmalloc_size_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu bytes", *size);
}

KUNIT_ARRAY_PARAM(kmalloc_size, kmalloc_sizes, kmalloc_size_desc);

static void fault_kmalloc_test(struct kunit *test)
{
	struct obj_ctx o = { .size = *(const size_t *)test->param_value };
	struct walk w = {
		.what = "contig_kmalloc", .call = kmalloc_call,
		.undo = kmalloc_undo, .errs = nomem, .ctx = &o,
	};

	__region(test);
	KUNIT_ASSERT_EQ(test, kmalloc_call(&o), 0);
	kmalloc_undo(&o);
	KUNIT_EXPECT_GT(test, __walk(test, &w), 0U);
}

/* ---- contig_movable_alloc() ----------------------------------------------- */

struct movable_ctx {
	struct contig_movable *mov;
};

static int movable_call(void *p)
{
	struct movable_ctx *m = p;

	m->mov = contig_movable_alloc(SZ_64K, CONTIG_FLAG_ZERO);
	return PTR_ERR_OR_ZERO(m->mov);
}

static void movable_undo(void *p)
{
	struct movable_ctx *m = p;

	contig_movable_free(m->mov);
}

static void fault_movable_test(struct kunit *test)
{
	struct movable_ctx m = { };
	struct walk w = {
		.what = "contig_movable_alloc", .call = movable_call,
		.undo = movable_undo, .errs = nomem, .ctx = &m,
	};

	__region(test);
	KUNIT_ASSERT_EQ(test, movable_call(&m), 0);
	movable_undo(&m);
	KUNIT_EXPECT_GT(test, __walk(test, &w), 0U);
}

static struct kunit_case fault_cases[] = {
	KUNIT_CASE_PARAM_ATTR(fault_alloc_test, alloc_case_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(fault_migrate_test),
	KUNIT_CASE_PARAM(fault_map_test, map_kind_gen_params),
	KUNIT_CASE(fault_cache_test),
	KUNIT_CASE_PARAM(fault_kmalloc_test, kmalloc_size_gen_params),
	KUNIT_CASE(fault_movable_test),
	{}
};

static struct kunit_suite fault_suite = {
	.name = "contig_fault",
	.test_cases = fault_cases,
};

kunit_test_suite(fault_suite);

MODULE_DESCRIPTION("contig: KUnit tests of injected failures of the kernel API");
MODULE_LICENSE("GPL");
