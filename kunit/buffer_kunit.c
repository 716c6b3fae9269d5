// SPDX-License-Identifier: GPL-2.0
/*
 * buffer_kunit.c - KUnit suite contig_buffer: the buffer API of buffer.c.
 *
 * Runs against the live region of the loaded contig.ko (the test VM always
 * has one; without it every case skips).  Each case checks the region's
 * books before and after (__check_books(): free memory, per-kind usage,
 * quarantine), so a leak or a double free in any case fails that case.
 * Every buffer, page reference, mapping and attachment a case holds is
 * dropped by a kunit action registered as soon as it is held (the case
 * drops it earlier with kunit_release_action()), so a case that stops at a
 * failed assertion leaves nothing behind to upset the next one's books.
 *
 *  - argument checking: a table of bad calls, each with its errno, none of
 *    which may change anything;
 *  - lifetimes: references, the last put frees, STATS follow;
 *  - quarantine: a page reference held past the last put (as a pipe or a
 *    pin would) keeps the memory out of the allocator until it is dropped;
 *  - ZERO: all free memory is first filled with a pattern, so a ZERO
 *    buffer that were not zeroed would show it, and a buffer without ZERO
 *    must show it (proving the pattern was there to see); the background
 *    clearing (prezero.c) is paused meanwhile;
 *  - SG under fragmentation: the whole region is taken a frame at a time
 *    through the buddy, then holes of 16, 4, 4, 1 and 1 frames are made;
 *    an SG request for exactly that much must get those blocks, largest
 *    first, where CONTIGUOUS gets -ENOMEM;
 *  - physical address, alignment and sg_table of each kind;
 *  - the dma-buf: vmap, attach and map for a device, CPU access brackets,
 *    and the buffer freed by the last dma_buf_put() (which, in the kernel
 *    thread a case runs in, releases through the delayed_fput work: see
 *    __dmabuf_put()).
 */
#include <kunit/test.h>
#include <kunit/device.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <contig.h>

#include "contig_internal.h"
#include "buffer.h"
#include "dmabuf.h"
#include "prezero.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();
MODULE_IMPORT_NS(CONTIG_NS(DMA_BUF));

KUNIT_DEFINE_ACTION_WRAPPER(__put_action, contig_put, struct contig_buffer *);

/*
 * contig_alloc() whose buffer, if there is one, is put by a kunit action:
 * it goes when the case ends, however it ends, unless the case drops it
 * first with kunit_release_action(test, __put_action, buf).
 */
static struct contig_buffer *__alloc(struct kunit *test, size_t size,
				     size_t align, unsigned int kind,
				     unsigned int flags)
{
	struct contig_buffer *buf = contig_alloc(size, align, kind, flags);

	if (!IS_ERR(buf))
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __put_action,
								buf), 0);
	return buf;
}

/* A reference of the case's own: contig_get(), put by an action. */
static struct contig_buffer *__get(struct kunit *test, struct contig_buffer *buf)
{
	struct contig_buffer *ret = contig_get(buf);

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __put_action, buf), 0);
	return ret;
}

static struct contig_region *__region(struct kunit *test)
{
	struct contig_region *r = contig_default_region();

	if (!r)
		kunit_skip(test, "contig.ko is not loaded on a region");
	return r;
}

static void __stats(struct contig_stats_data *st)
{
	memset(st, 0, sizeof(*st));
	contig_buffer_get_stats(st);
}

/* The books a case must leave as it found them. */
static void __check_books(struct kunit *test, const struct contig_stats_data *a,
			  const struct contig_stats_data *b)
{
	KUNIT_EXPECT_EQ(test, a->free, b->free);
	KUNIT_EXPECT_EQ(test, a->largest_free, b->largest_free);
	KUNIT_EXPECT_EQ(test, a->quarantined, b->quarantined);
	KUNIT_EXPECT_EQ(test, a->allocs - a->frees, b->allocs - b->frees);
	KUNIT_EXPECT_EQ(test, 0, memcmp(a->kinds, b->kinds, sizeof(a->kinds)));
}

struct bad_alloc {
	const char *name;
	size_t size;
	size_t align;
	unsigned int kind;
	unsigned int flags;
	int err;
};

static const struct bad_alloc bad_allocs[] = {
	{ "size 0", 0, 0, CONTIG_KIND_CONTIGUOUS, 0, -EINVAL },
	{ "size 0 sg", 0, 0, CONTIG_KIND_SG, 0, -EINVAL },
	{ "kind 3", SZ_4K, 0, 3, 0, -EINVAL },
	{ "kind ~0", SZ_4K, 0, ~0U, 0, -EINVAL },
	{ "flag 1<<3", SZ_4K, 0, CONTIG_KIND_SG, 1U << 3, -EINVAL },
	{ "flag 1<<31", SZ_4K, 0, CONTIG_KIND_SG, 1U << 31, -EINVAL },
	{ "align 3", SZ_4K, 3, CONTIG_KIND_CONTIGUOUS, 0, -EINVAL },
	{ "align 3M", SZ_4K, 3 * SZ_1M, CONTIG_KIND_CONTIGUOUS, 0, -EINVAL },
	{ "align 1T", SZ_4K, 1ULL << 40, CONTIG_KIND_CONTIGUOUS, 0, -EINVAL },
	{ "WC movable", SZ_4K, 0, CONTIG_KIND_MOVABLE, CONTIG_FLAG_WC, -EOPNOTSUPP },
	/* Movable pages move one at a time: no alignment above a page. */
	{ "align 8K movable", SZ_8K, SZ_8K, CONTIG_KIND_MOVABLE, 0, -EINVAL },
	{ "align 2M movable", SZ_64K, SZ_2M, CONTIG_KIND_MOVABLE, 0, -EINVAL },
	{ "size SIZE_MAX", SIZE_MAX, 0, CONTIG_KIND_CONTIGUOUS, 0, -ENOMEM },
	{ "size 1T sg", 1ULL << 40, 0, CONTIG_KIND_SG, 0, -ENOMEM },
};

static void bad_alloc_desc(const struct bad_alloc *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_alloc, bad_allocs, bad_alloc_desc);

static void buffer_bad_args_test(struct kunit *test)
{
	const struct bad_alloc *c = test->param_value;
	struct contig_stats_data before, after;
	struct contig_buffer *buf;

	__region(test);
	__stats(&before);
	buf = __alloc(test, c->size, c->align, c->kind, c->flags);
	KUNIT_ASSERT_TRUE(test, IS_ERR(buf));
	KUNIT_EXPECT_EQ(test, PTR_ERR(buf), (long)c->err);
	__stats(&after);
	__check_books(test, &before, &after);
	KUNIT_EXPECT_EQ(test, after.allocs, before.allocs);
	/* Argument errors (more than the region included) count nowhere. */
	KUNIT_EXPECT_EQ(test, after.failed_nomem, before.failed_nomem);
}

static void buffer_lifetime_test(struct kunit *test)
{
	struct contig_stats_data before, held, after;
	struct contig_buffer *buf;

	__region(test);
	__stats(&before);
	buf = __alloc(test, SZ_1M + 1, 0, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	KUNIT_EXPECT_EQ(test, contig_buffer_size(buf), (size_t)SZ_1M + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, contig_buffer_kind(buf), CONTIG_KIND_CONTIGUOUS);

	__stats(&held);
	KUNIT_EXPECT_EQ(test, before.free - held.free, (u64)SZ_1M + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, held.kinds[CONTIG_KIND_CONTIGUOUS].buffers,
			before.kinds[CONTIG_KIND_CONTIGUOUS].buffers + 1);
	KUNIT_EXPECT_EQ(test, held.kinds[CONTIG_KIND_CONTIGUOUS].bytes,
			before.kinds[CONTIG_KIND_CONTIGUOUS].bytes + SZ_1M + PAGE_SIZE);

	/* A second reference keeps it alive past the first put. */
	KUNIT_EXPECT_PTR_EQ(test, __get(test, buf), buf);
	kunit_release_action(test, __put_action, buf);
	__stats(&after);
	KUNIT_EXPECT_EQ(test, after.free, held.free);
	KUNIT_EXPECT_EQ(test, after.frees, held.frees);

	kunit_release_action(test, __put_action, buf);
	__stats(&after);
	__check_books(test, &before, &after);
	KUNIT_EXPECT_EQ(test, after.frees, before.frees + 1);
	KUNIT_EXPECT_EQ(test, after.allocs, before.allocs + 1);

	/* NULL and error pointers are ignored. */
	contig_put(NULL);
	contig_put(ERR_PTR(-ENOMEM));
}

static void __put_page_action(void *page)
{
	put_page(page);
}

static void buffer_quarantine_test(struct kunit *test)
{
	struct contig_stats_data before, q, after;
	struct contig_buffer *buf;
	struct page *page;
	int i;

	__region(test);
	__stats(&before);
	buf = __alloc(test, 2 * PAGE_SIZE, 0, CONTIG_KIND_SG, CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	page = sg_page(contig_buffer_sgt(buf)->sgl);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	KUNIT_EXPECT_TRUE(test, PageReserved(page));

	get_page(page);		/* what a pipe or a pin holds */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __put_page_action,
							page), 0);
	kunit_release_action(test, __put_action, buf);
	__stats(&q);
	KUNIT_EXPECT_EQ(test, q.quarantined, (u64)2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, before.free - q.free, (u64)2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, q.frees, before.frees + 1);
	msleep(200);
	__stats(&q);
	KUNIT_EXPECT_EQ(test, q.quarantined, (u64)2 * PAGE_SIZE);

	kunit_release_action(test, __put_page_action, page);
	for (i = 0; i < 100; i++) {
		__stats(&after);
		if (!after.quarantined)
			break;
		msleep(20);
	}
	__check_books(test, &before, &after);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	KUNIT_EXPECT_TRUE(test, PageReserved(page));
}

static void __fill_all_free(struct kunit *test, u8 pattern)
{
	struct contig_stats_data st;
	struct contig_buffer *buf;
	void *va;

	__stats(&st);
	KUNIT_ASSERT_GT(test, st.free, 0ULL);
	buf = __alloc(test, st.free, 0, CONTIG_KIND_SG, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	va = contig_buffer_vaddr(buf);
	KUNIT_ASSERT_FALSE(test, IS_ERR(va));
	memset(va, pattern, contig_buffer_size(buf));
	kunit_release_action(test, __put_action, buf);
}

static void __prezero_resume(void *unused)
{
	contig_prezero_pause(false);
}

/*
 * ZERO clears every byte, whatever the region held: 256 KiB of each kind,
 * cleared by the caller, and 18 MiB and 3 pages of the two kinds that
 * zero.c splits from 8 MiB (parts of unequal length on the CPUs there are).
 */
static void buffer_zero_test(struct kunit *test)
{
	static const struct {
		unsigned int kind;
		size_t size;
	} cases[] = {
		{ CONTIG_KIND_CONTIGUOUS, SZ_256K },
		{ CONTIG_KIND_SG, SZ_256K },
		{ CONTIG_KIND_MOVABLE, SZ_256K },
		{ CONTIG_KIND_CONTIGUOUS, SZ_16M + SZ_2M + 3 * PAGE_SIZE },
		{ CONTIG_KIND_SG, SZ_16M + SZ_2M + 3 * PAGE_SIZE },
	};
	struct contig_stats_data before, after;
	struct contig_buffer *buf;
	unsigned int k;
	size_t size;
	u8 *va;

	__region(test);
	/* The pattern must stay in free memory until the request takes it. */
	contig_prezero_pause(true);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __prezero_resume,
							NULL), 0);
	__stats(&before);
	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		size = cases[k].size;
		__fill_all_free(test, 0xa5);
		buf = __alloc(test, size, 0, cases[k].kind, CONTIG_FLAG_ZERO);
		KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
		va = contig_buffer_vaddr(buf);
		KUNIT_ASSERT_FALSE(test, IS_ERR(va));
		KUNIT_EXPECT_PTR_EQ_MSG(test, memchr_inv(va, 0, size), NULL,
					"%zu-byte %s buffer with ZERO is not zeroed",
					size, contig_kind_name(cases[k].kind));
		kunit_release_action(test, __put_action, buf);

		/* Without ZERO the pattern shows: the check above could fail. */
		__fill_all_free(test, 0xa5);
		buf = __alloc(test, size, 0, cases[k].kind, 0);
		KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
		va = contig_buffer_vaddr(buf);
		KUNIT_ASSERT_FALSE(test, IS_ERR(va));
		KUNIT_EXPECT_PTR_EQ(test, memchr_inv(va, 0xa5, size), NULL);
		kunit_release_action(test, __put_action, buf);
	}
	__stats(&after);
	__check_books(test, &before, &after);
}

static void buffer_kinds_test(struct kunit *test)
{
	struct contig_region *r = __region(test);
	struct contig_stats_data before, after;
	struct contig_buffer *buf;
	struct scatterlist *sg;
	phys_addr_t phys = 0;
	struct sg_table *sgt;
	size_t total = 0;
	unsigned int i;

	__stats(&before);
	buf = __alloc(test, 3 * PAGE_SIZE, SZ_2M, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	KUNIT_EXPECT_EQ(test, contig_buffer_phys(buf, &phys), 0);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(phys, SZ_2M));
	KUNIT_EXPECT_GE(test, phys, r->base);
	KUNIT_EXPECT_LE(test, phys + 3 * PAGE_SIZE, r->base + r->size);
	sgt = contig_buffer_sgt(buf);
	KUNIT_EXPECT_EQ(test, sgt->orig_nents, 1U);
	KUNIT_EXPECT_EQ(test, page_to_phys(sg_page(sgt->sgl)), phys);
	KUNIT_EXPECT_EQ(test, sgt->sgl->length, 3U * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, contig_buffer_nr_chunks(buf), 1UL);
	/* The kernel address is the region's own mapping of those frames. */
	KUNIT_EXPECT_PTR_EQ(test, contig_buffer_vaddr(buf),
			    r->vaddr + (phys - r->base));
	kunit_release_action(test, __put_action, buf);

	buf = __alloc(test, SZ_1M + 5 * PAGE_SIZE, SZ_64K, CONTIG_KIND_SG, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	phys = 1;
	KUNIT_EXPECT_EQ(test, contig_buffer_phys(buf, &phys), -EINVAL);
	KUNIT_EXPECT_EQ(test, phys, (phys_addr_t)1);
	sgt = contig_buffer_sgt(buf);
	for_each_sgtable_sg(sgt, sg, i) {
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED(page_to_phys(sg_page(sg)), SZ_64K));
		total += sg->length;
	}
	KUNIT_EXPECT_EQ(test, total, (size_t)SZ_1M + 5 * PAGE_SIZE);
	kunit_release_action(test, __put_action, buf);

	__stats(&after);
	__check_books(test, &before, &after);
}

/* ---- SG under fragmentation --------------------------------------------- */

struct frag_ctx {
	struct contig_region *r;
	long *frames;		/* frame allocated at index i, or -1 */
	unsigned long n;
};

static void __frag_release(void *data)
{
	struct frag_ctx *f = data;
	unsigned long i;

	for (i = 0; i < f->n; i++)
		if (f->frames[i] >= 0)
			contig_buddy_free(&f->r->buddy, f->frames[i]);
	f->n = 0;
}

/* Free the single frame @frame that the context holds. */
static void __frag_free(struct frag_ctx *f, unsigned long frame)
{
	unsigned long i;

	for (i = 0; i < f->n; i++) {
		if (f->frames[i] == frame) {
			contig_buddy_free(&f->r->buddy, frame);
			f->frames[i] = -1;
			return;
		}
	}
}

static void buffer_sg_fragmented_test(struct kunit *test)
{
	static const unsigned long holes[][2] = {	/* first frame, frames */
		{ 0, 16 }, { 32, 4 }, { 64, 4 }, { 96, 1 }, { 128, 1 },
	};
	static const unsigned long want[] = { 16, 4, 4, 1, 1 };
	struct contig_region *r = __region(test);
	struct contig_stats_data before, st;
	struct contig_chunk chunks[8];
	struct contig_buffer *buf;
	struct frag_ctx *f;
	unsigned long i, j, n;

	__stats(&before);
	if (before.free != r->size)
		kunit_skip(test, "the region is in use (%llu of %llu bytes free)",
			   before.free, r->size);

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->r = r;
	f->frames = kunit_kmalloc_array(test, r->nr_pages, sizeof(long),
					GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->frames);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __frag_release, f), 0);

	/* Take every frame, one at a time. */
	for (i = 0; i < r->nr_pages; i++) {
		long frame = contig_buddy_alloc(&r->buddy, 1, 1,
						CONTIG_OWNER_UNMOVABLE,
						CONTIG_POLICY_DEFAULT, 0);

		KUNIT_ASSERT_GE(test, frame, 0L);
		f->frames[f->n++] = frame;
	}
	__stats(&st);
	KUNIT_ASSERT_EQ(test, st.free, 0ULL);

	/* Punch the holes: they merge into blocks of 16, 4, 4, 1 and 1. */
	for (i = 0; i < ARRAY_SIZE(holes); i++)
		for (j = 0; j < holes[i][1]; j++)
			__frag_free(f, holes[i][0] + j);
	__stats(&st);
	KUNIT_ASSERT_EQ(test, st.free, 26ULL * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, st.largest_free, 16ULL * PAGE_SIZE);

	/* No block of 17 frames: CONTIGUOUS fails, and changes nothing. */
	buf = __alloc(test, 17 * PAGE_SIZE, 0, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buf), -ENOMEM);
	/* One frame more than is free: SG fails, and gives back what it took. */
	buf = __alloc(test, 27 * PAGE_SIZE, 0, CONTIG_KIND_SG, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buf), -ENOMEM);
	__stats(&st);
	KUNIT_EXPECT_EQ(test, st.free, 26ULL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.largest_free, 16ULL * PAGE_SIZE);

	/* Exactly what is free: SG takes every hole, largest first. */
	buf = __alloc(test, 26 * PAGE_SIZE, 0, CONTIG_KIND_SG, CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	KUNIT_EXPECT_EQ(test, contig_buffer_nr_chunks(buf), ARRAY_SIZE(want));
	n = contig_buffer_get_chunks(buf, chunks, ARRAY_SIZE(chunks));
	KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(want));
	for (i = 0; i < min(n, ARRAY_SIZE(want)); i++)
		KUNIT_EXPECT_EQ_MSG(test, chunks[i].size, (u64)want[i] * PAGE_SIZE,
				    "chunk %lu", i);
	KUNIT_EXPECT_EQ(test, chunks[0].phys, r->base);
	__stats(&st);
	KUNIT_EXPECT_EQ(test, st.free, 0ULL);
	kunit_release_action(test, __put_action, buf);

	__stats(&st);
	KUNIT_EXPECT_EQ(test, st.free, 26ULL * PAGE_SIZE);
	kunit_release_action(test, __frag_release, f);
	__stats(&st);
	__check_books(test, &before, &st);
}

/* ---- the dma-buf --------------------------------------------------------- */

/*
 * Drop a dma-buf reference and, if it was the last, release it now.
 * KUnit runs each case in a kernel thread, where fput() does not release a
 * file but queues it for the delayed_fput work (fs/file_table.c), one jiffy
 * later: without the flush the buffer would still be live when the case
 * checks its books, or be freed in the middle of the next case.
 */
static void __dmabuf_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
	flush_delayed_fput();
}

/*
 * Wait until @frees buffers have been freed since @before, for at most a
 * second.  flush_delayed_fput() releases our file unless the work item had
 * already taken it off the list, in which case the release is running on a
 * worker right now and ends within this bound; a buffer that is never freed
 * leaves the wait at the bound, and the books show the leak.
 */
static void __wait_frees(struct kunit *test,
			 const struct contig_stats_data *before, u64 frees,
			 struct contig_stats_data *after)
{
	int i;

	for (i = 0; i < 50; i++) {
		__stats(after);
		if (after->frees - before->frees >= frees)
			return;
		msleep(20);
	}
	KUNIT_FAIL(test, "%llu of %llu buffers freed a second after the last reference was dropped",
		   after->frees - before->frees, frees);
}

/* A kernel mapping of a dma-buf, undone by __vunmap_action(). */
struct vmap {
	struct dma_buf *dmabuf;
	struct iosys_map map;
};

static void __vunmap_action(void *data)
{
	struct vmap *v = data;

	dma_buf_vunmap_unlocked(v->dmabuf, &v->map);
}

static void __detach_action(void *att)
{
	struct dma_buf_attachment *a = att;

	dma_buf_detach(a->dmabuf, a);
}

/* A device mapping of an attachment, undone by __unmap_att_action(). */
struct att_map {
	struct dma_buf_attachment *att;
	struct sg_table *sgt;
};

static void __unmap_att_action(void *data)
{
	struct att_map *m = data;

	dma_buf_unmap_attachment_unlocked(m->att, m->sgt, DMA_BIDIRECTIONAL);
}

static void buffer_dmabuf_test(struct kunit *test)
{
	struct contig_stats_data before, after;
	struct dma_buf_attachment *att;
	struct contig_buffer *buf;
	struct dma_buf *dmabuf;
	struct att_map *am;
	struct sg_table *sgt;
	struct scatterlist *sg;
	struct device *dev;
	struct vmap *v;
	phys_addr_t phys;
	size_t total = 0;
	unsigned int i;
	u8 *va;

	__region(test);
	__stats(&before);
	v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	am = kunit_kzalloc(test, sizeof(*am), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, am);
	buf = __alloc(test, SZ_256K, 0, CONTIG_KIND_CONTIGUOUS, CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	KUNIT_ASSERT_EQ(test, contig_buffer_phys(buf, &phys), 0);
	dmabuf = contig_buffer_export(buf, NULL, O_RDWR);
	/* The dma-buf holds the buffer now. */
	kunit_release_action(test, __put_action, buf);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __dmabuf_put, dmabuf), 0);
	KUNIT_EXPECT_PTR_EQ(test, contig_buffer_from_dmabuf(dmabuf), buf);
	KUNIT_EXPECT_EQ(test, dmabuf->size, (size_t)SZ_256K);

	/* vmap through the dma-buf is the buffer's kernel address. */
	v->dmabuf = dmabuf;
	KUNIT_ASSERT_EQ(test, dma_buf_vmap_unlocked(dmabuf, &v->map), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __vunmap_action, v), 0);
	va = v->map.vaddr;
	KUNIT_EXPECT_PTR_EQ(test, (void *)va, contig_buffer_vaddr(buf));
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);
	memset(va, 0x3c, SZ_256K);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);

	/* An importing device: dma-direct, so DMA addresses are physical. */
	dev = kunit_device_register(test, "contig-buffer-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	dev->dma_mask = &dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	/* Our one 256 KiB entry must be one segment (the default is 64 KiB). */
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	dma_set_max_seg_size(dev, SZ_1G);
	att = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(att));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __detach_action, att), 0);
	sgt = dma_buf_map_attachment_unlocked(att, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(sgt));
	if (!IS_ERR(sgt)) {
		am->att = att;
		am->sgt = sgt;
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __unmap_att_action,
								am), 0);
		for_each_sgtable_dma_sg(sgt, sg, i)
			total += sg_dma_len(sg);
		KUNIT_EXPECT_EQ(test, total, (size_t)SZ_256K);
		KUNIT_EXPECT_EQ(test, (u64)sg_dma_address(sgt->sgl), (u64)phys);
		/* CPU access brackets sync the device mapping too. */
		KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
		KUNIT_EXPECT_EQ(test, va[SZ_256K - 1], 0x3c);
		KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE), 0);
		KUNIT_EXPECT_EQ(test, contig_buffer_sync_range(buf, PAGE_SIZE, 100,
							       CONTIG_SYNC_FOR_CPU |
							       CONTIG_SYNC_READ), 0);
		kunit_release_action(test, __unmap_att_action, am);
	}
	kunit_release_action(test, __detach_action, att);
	kunit_release_action(test, __vunmap_action, v);

	/* Ranged sync bounds, on the live buffer. */
	KUNIT_EXPECT_EQ(test, contig_buffer_sync_range(buf, 0, SZ_256K,
						       CONTIG_SYNC_FOR_DEVICE |
						       CONTIG_SYNC_WRITE), 0);
	KUNIT_EXPECT_EQ(test, contig_buffer_sync_range(buf, 1, SZ_256K,
						       CONTIG_SYNC_FOR_DEVICE |
						       CONTIG_SYNC_WRITE), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_buffer_sync_range(buf, 0, 0,
						       CONTIG_SYNC_FOR_CPU |
						       CONTIG_SYNC_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_buffer_sync_range(buf, U64_MAX, 2,
						       CONTIG_SYNC_FOR_CPU |
						       CONTIG_SYNC_READ), -EOVERFLOW);

	/* The last dma-buf reference frees the buffer. */
	kunit_release_action(test, __dmabuf_put, dmabuf);
	__wait_frees(test, &before, 1, &after);
	__check_books(test, &before, &after);
	KUNIT_EXPECT_EQ(test, after.frees, before.frees + 1);
}

/*
 * The positive side of the MOVABLE alignment refusals above: the same
 * request with no alignment, or a page's, is served, so the refusal is
 * the alignment's and nothing else's.
 */
static void buffer_movable_align_test(struct kunit *test)
{
	static const size_t aligns[] = { 0, PAGE_SIZE };
	struct contig_buffer *buf;
	unsigned int i;

	__region(test);
	for (i = 0; i < ARRAY_SIZE(aligns); i++) {
		buf = contig_alloc(SZ_64K, aligns[i], CONTIG_KIND_MOVABLE, 0);
		KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(buf), "align %zu: %d",
				       aligns[i], PTR_ERR_OR_ZERO(buf));
		contig_put(buf);
	}
}

/* State shared with the lock holder of buffer_pfn_fault_unlocked_test(). */
struct fault_race {
	struct contig_buffer *buf;
	struct completion locked, faulted, done;
	bool faulted_while_locked;
};

static int fault_race_holder(void *data)
{
	struct fault_race *f = data;

	mutex_lock(&f->buf->lock);
	complete(&f->locked);
	f->faulted_while_locked =
		wait_for_completion_timeout(&f->faulted, 2 * HZ) != 0;
	mutex_unlock(&f->buf->lock);
	complete(&f->done);
	return 0;
}

/* Let the holder go and join it: an action, so an aborted case joins too. */
static void fault_race_join(void *data)
{
	struct fault_race *f = data;

	complete(&f->faulted);
	wait_for_completion(&f->done);
}

/*
 * Give back the mm kunit_vm_mmap() attached to this kthread.  KUnit (6.12)
 * attaches it with kthread_use_mm() and lets the thread's exit put it,
 * which drops its users but not the reference kthread_use_mm() took: the
 * mm_struct leaks (kmemleak reports it on arm64; on x86 a CPU's lazy TLB
 * pointer to it hides it).  Unmap, unuse and put it here, in the thread
 * that uses it; the resource's own cleanup then only frees its record.
 */
static void __drop_vm_mmap(unsigned long addr, size_t len)
{
	struct mm_struct *mm = current->mm;

	vm_munmap(addr, len);
	kthread_unuse_mm(mm);
	mmput(mm);
}

/*
 * A page fault on a PFN-mapped buffer reads only what never changes (its
 * chunks), so it must not wait for buf->lock, which whole-buffer syncs and
 * vmaps hold.  A thread holds the lock for up to two seconds while this
 * one touches a page of the buffer's user mapping for the first time; the
 * fault must complete while the lock is still held.
 */
static void buffer_pfn_fault_unlocked_test(struct kunit *test)
{
	struct contig_buffer *buf;
	struct dma_buf *dmabuf;
	struct fault_race *f;
	struct task_struct *t;
	unsigned long addr;
	u8 byte = 0xff;

	__region(test);
	buf = contig_alloc(SZ_64K, 0, CONTIG_KIND_SG, CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	dmabuf = contig_buffer_export(buf, NULL, O_RDWR);
	contig_put(buf);	/* the dma-buf holds it now */
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, __dmabuf_put, dmabuf), 0);
	if (!contig_buffer_is_pfn_mapped(buf))
		kunit_skip(test, "the region is in the linear map: no PFN faults");
	addr = kunit_vm_mmap(test, dmabuf->file, 0, SZ_64K,
			     PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->buf = buf;
	init_completion(&f->locked);
	init_completion(&f->faulted);
	init_completion(&f->done);
	t = kthread_run(fault_race_holder, f, "contig-fault-race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fault_race_join, f), 0);
	wait_for_completion(&f->locked);
	/* The first touch of this page faults; zeroed memory reads 0. */
	KUNIT_EXPECT_EQ(test, copy_from_user(&byte, (void __user *)addr + PAGE_SIZE,
					     1), 0UL);
	kunit_release_action(test, fault_race_join, f);
	KUNIT_EXPECT_EQ(test, byte, 0);
	KUNIT_EXPECT_TRUE_MSG(test, f->faulted_while_locked,
			      "the fault waited for buf->lock");
	__drop_vm_mmap(addr, SZ_64K);
}

static struct kunit_case contig_buffer_cases[] = {
	KUNIT_CASE_PARAM(buffer_bad_args_test, bad_alloc_gen_params),
	KUNIT_CASE(buffer_lifetime_test),
	KUNIT_CASE(buffer_quarantine_test),
	KUNIT_CASE(buffer_zero_test),
	KUNIT_CASE(buffer_kinds_test),
	KUNIT_CASE(buffer_sg_fragmented_test),
	KUNIT_CASE(buffer_dmabuf_test),
	KUNIT_CASE(buffer_movable_align_test),
	KUNIT_CASE(buffer_pfn_fault_unlocked_test),
	{}
};

static struct kunit_suite contig_buffer_suite = {
	.name = "contig_buffer",
	.test_cases = contig_buffer_cases,
};

kunit_test_suite(contig_buffer_suite);

MODULE_DESCRIPTION("KUnit tests for contig's buffers");
MODULE_LICENSE("GPL");
