// SPDX-License-Identifier: GPL-2.0
/*
 * importer_kunit.c - KUnit suite contig_importer: dma-buf importers that
 * have no IOMMU (module/dmabuf.c's map_dma_buf, module/dma.c).
 *
 * The test VM boots with an Intel IOMMU, so PCI devices sit behind it; a
 * platform device does not, and gets dma-direct: DMA addresses are
 * physical addresses (x86 has no DMA offset).  Each case registers one
 * (kunit_platform_device_alloc/add), exports a buffer of each kind
 * through contig_buffer_export() and imports it the way a driver does,
 * dma_buf_attach() + dma_buf_map_attachment().
 *
 * The region is fragmented first, so that SG and MOVABLE buffers really
 * are several chunks (each case asserts it): the region is filled with
 * CONTIGUOUS buffers, one 2 MiB filler is freed and refilled with 32
 * single pages and larger blocks, and of those one 128 KiB block and every
 * other single page are freed.  An SG buffer then takes the 128 KiB block
 * and lone pages, a MOVABLE buffer pages from the top down: lone pages and
 * part of the block.
 *
 * What is checked, for every kind:
 *  - a device with a 64-bit mask gets a table whose DMA segments cover
 *    the buffer exactly, in order, each at the physical address of the
 *    bytes it covers, none longer than dma_get_max_seg_size() nor crossing
 *    dma_get_seg_boundary(), and no more of them than the buffer's
 *    physically contiguous runs cut at those limits;
 *  - the same with a 12 KiB max segment and a 16 KiB boundary;
 *  - a device whose DMA mask (28 bits) does not reach the region is
 *    refused with -ERANGE and nothing changes: a MOVABLE buffer stays
 *    movable (the buddy's owner counts as before, not frozen), and a
 *    CONTIGUOUS request over its frames moves it away;
 *  - a device whose DMA swiotlb would bounce (its io_tlb_mem says
 *    force_bounce, as under memory encryption or swiotlb=force) is
 *    refused with -EIO, and nothing changes either;
 *  - the in-kernel contig_map() keeps its one-range promise (a scattered
 *    buffer is refused with -EINVAL), and its refusal unpins a MOVABLE
 *    buffer too.
 *
 * Everything a case takes is given back by kunit actions registered as
 * soon as it is held.
 */
#include <kunit/platform_device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/swiotlb.h>

#include <contig.h>

#include "contig_internal.h"
#include "buffer.h"
#include "dma.h"
#include "dmabuf.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();
MODULE_IMPORT_NS(CONTIG_NS(DMA_BUF));

#define HOLE_PAGES	32	/* the 128 KiB block freed in the 2 MiB hole */
#define SINGLES		16	/* lone free pages */
#define HOLE_FILL	(SZ_2M / PAGE_SIZE)	/* room for the block's fillers */

/* ---- the fragmented region ------------------------------------------------ */

/**
 * struct frag - the region filled, with holes in one 2 MiB block.
 * @hole:	physical address of that block.
 * @in_hole:	the fillers of the block; NULL where freed.
 * @nr:		fillers in @buf.
 * @max:	room in @buf.
 * @buf:	the other fillers.
 */
struct frag {
	phys_addr_t hole;
	struct contig_buffer *in_hole[HOLE_FILL];
	unsigned int nr;
	unsigned int max;
	struct contig_buffer *buf[];
};

/* Free the fillers left in the 2 MiB block. */
static void frag_empty_hole(struct frag *f)
{
	unsigned int i;

	for (i = 0; i < HOLE_FILL; i++) {
		if (f->in_hole[i])
			contig_put(f->in_hole[i]);
		f->in_hole[i] = NULL;
	}
}

static void frag_free(void *p)
{
	struct frag *f = p;

	frag_empty_hole(f);
	while (f->nr)
		contig_put(f->buf[--f->nr]);
	kvfree(f);
}

static phys_addr_t buf_phys(struct contig_buffer *buf)
{
	phys_addr_t phys = 0;

	contig_buffer_phys(buf, &phys);
	return phys;
}

static int cmp_phys(const void *a, const void *b)
{
	phys_addr_t pa = buf_phys(*(struct contig_buffer * const *)a);
	phys_addr_t pb = buf_phys(*(struct contig_buffer * const *)b);

	return pa < pb ? -1 : pa > pb;
}

static unsigned long largest_free(void)
{
	struct contig_region *r = contig_default_region();
	struct contig_buddy_stats st;

	contig_buddy_get_stats(&r->buddy, &st);
	return st.largest_free;
}

/*
 * CONTIGUOUS buffers of @size into @out while a free block can take one
 * (asking the buddy first: a refused request scans every window, slowly).
 */
static unsigned int fill(struct contig_buffer **out, unsigned int room,
			 size_t size)
{
	struct contig_buffer *buf;
	unsigned int n = 0;

	while (n < room && largest_free() >= size >> PAGE_SHIFT) {
		buf = contig_alloc(size, 0, CONTIG_KIND_CONTIGUOUS, 0);
		if (IS_ERR(buf))
			break;
		out[n++] = buf;
	}
	return n;
}

/*
 * Fill the region, then free one 2 MiB filler and fill it again with
 * 2 * SINGLES single pages and blocks of decreasing size; free the one
 * 128 KiB block among them and every other single page, by address.
 */
static struct frag *frag_build(struct kunit *test)
{
	static const size_t sizes[] = { SZ_2M, SZ_64K, PAGE_SIZE };
	struct contig_region *r = contig_default_region();
	struct contig_buffer *hole = NULL, **h;
	unsigned int i, n, nh;
	bool freed_block = false;
	struct frag *f;
	size_t size;

	KUNIT_ASSERT_NOT_NULL(test, r);
	f = kvzalloc(struct_size(f, buf, r->nr_pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->max = r->nr_pages;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, frag_free, f), 0);

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		f->nr += fill(&f->buf[f->nr], f->max - f->nr, sizes[i]);
	KUNIT_ASSERT_EQ(test, largest_free(), 0UL);
	for (i = 0; i < f->nr && !hole; i++)
		if (contig_buffer_size(f->buf[i]) == SZ_2M)
			hole = f->buf[i];
	if (!hole)
		kunit_skip(test, "no 2 MiB block in the region (%u buffers)", f->nr);
	f->buf[i - 1] = f->buf[--f->nr];
	f->hole = buf_phys(hole);
	contig_put(hole);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(f->hole, SZ_2M));

	/* The region is full but for the block: what follows lands in it. */
	h = f->in_hole;
	n = fill(h, 2 * SINGLES, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, n, 2 * SINGLES);
	nh = n;
	for (size = SZ_1M; size >= PAGE_SIZE; size >>= 1)
		nh += fill(&h[nh], HOLE_FILL - nh, size);
	KUNIT_ASSERT_EQ(test, largest_free(), 0UL);
	for (i = 0; i < nh; i++)
		KUNIT_ASSERT_TRUE(test, buf_phys(h[i]) >= f->hole &&
				  buf_phys(h[i]) < f->hole + SZ_2M);
	for (i = 2 * SINGLES; i < nh && !freed_block; i++) {
		if (contig_buffer_size(h[i]) != HOLE_PAGES * PAGE_SIZE)
			continue;
		contig_put(h[i]);
		h[i] = NULL;
		freed_block = true;
	}
	KUNIT_ASSERT_TRUE(test, freed_block);
	sort(h, 2 * SINGLES, sizeof(h[0]), cmp_phys, NULL);
	for (i = 1; i < 2 * SINGLES; i += 2) {
		contig_put(h[i]);
		h[i] = NULL;
	}
	/* The precondition: a 128 KiB block and SINGLES lone pages are free. */
	KUNIT_ASSERT_EQ(test, largest_free(), (unsigned long)HOLE_PAGES);
	return f;
}

/* ---- buffers and their chunks ------------------------------------------- */

static void put_action(void *buf)
{
	contig_put(buf);
}

/*
 * The buffer of @kind each case imports, on the fragmented region: SG
 * takes the 128 KiB block and lone pages (largest first), MOVABLE pages
 * from the top down, which makes it lone pages and, wherever the block
 * lies, part of the block.
 */
static struct contig_buffer *kind_alloc(struct kunit *test, unsigned int kind)
{
	size_t size = kind == CONTIG_KIND_CONTIGUOUS ? SZ_128K :
		      (HOLE_PAGES + 6) * PAGE_SIZE;
	struct contig_buffer *buf;
	unsigned long chunks;

	buf = contig_alloc(size, 0, kind, CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_action, buf), 0);
	chunks = contig_buffer_nr_chunks(buf);
	if (kind == CONTIG_KIND_CONTIGUOUS)
		KUNIT_ASSERT_EQ(test, chunks, 1UL);
	else
		KUNIT_ASSERT_GT_MSG(test, chunks, 1UL,
				    "the precondition: a %s buffer of several chunks",
				    contig_kind_name(kind));
	return buf;
}

/**
 * struct chunks - where a buffer lies.
 * @n:	entries in @c.
 * @c:	the chunks, in buffer order.
 */
struct chunks {
	unsigned long n;
	struct contig_chunk c[64];
};

static struct chunks *get_chunks(struct kunit *test, struct contig_buffer *buf)
{
	struct chunks *ch = kunit_kzalloc(test, sizeof(*ch), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ch);
	KUNIT_ASSERT_LE(test, contig_buffer_nr_chunks(buf), ARRAY_SIZE(ch->c));
	ch->n = contig_buffer_get_chunks(buf, ch->c, ARRAY_SIZE(ch->c));
	return ch;
}

/* Physical address of byte @off of the buffer; 0 past its end. */
static u64 phys_at(const struct chunks *ch, size_t off, u64 *left)
{
	unsigned long i;

	for (i = 0; i < ch->n; i++) {
		if (off < ch->c[i].size) {
			*left = ch->c[i].size - off;
			return ch->c[i].phys + off;
		}
		off -= ch->c[i].size;
	}
	*left = 0;
	return 0;
}

/* Bytes from @a to the next multiple of @boundary + 1, or U64_MAX. */
static u64 to_boundary(u64 a, unsigned long boundary)
{
	if (boundary == ULONG_MAX)
		return U64_MAX;
	return (u64)boundary - (a & boundary) + 1;
}

/*
 * The fewest segments a device with these limits can take the buffer in:
 * its physically contiguous runs, cut at the max segment size and at
 * boundaries.
 */
static unsigned int min_segments(const struct chunks *ch, unsigned int seg_max,
				 unsigned long boundary)
{
	unsigned int n = 0;
	unsigned long i;
	u64 p = 0, len = 0;

	for (i = 0; i <= ch->n; i++) {
		if (i < ch->n && len && ch->c[i].phys == p + len) {
			len += ch->c[i].size;
			continue;
		}
		while (len) {
			u64 piece = min3((u64)seg_max, to_boundary(p, boundary), len);

			n++;
			p += piece;
			len -= piece;
		}
		if (i < ch->n) {
			p = ch->c[i].phys;
			len = ch->c[i].size;
		}
	}
	return n;
}

/*
 * The DMA segments of @sgt, mapped for @dev without an IOMMU, cover the
 * buffer described by @ch exactly and in order, each at the physical
 * address of its bytes and within the device's limits, in the fewest
 * segments those limits allow.
 */
static void expect_direct_table(struct kunit *test, struct device *dev,
				struct sg_table *sgt, const struct chunks *ch,
				size_t size)
{
	unsigned int seg_max = dma_get_max_seg_size(dev);
	unsigned long boundary = dma_get_seg_boundary(dev);
	struct scatterlist *s;
	size_t off = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, s, i) {
		u64 a = sg_dma_address(s), len = sg_dma_len(s), left;
		u64 want = phys_at(ch, off, &left);

		KUNIT_EXPECT_GT_MSG(test, len, 0ULL, "segment %u", i);
		KUNIT_EXPECT_EQ_MSG(test, a, want,
				    "segment %u at byte %zu is not the memory's own address",
				    i, off);
		KUNIT_EXPECT_LE_MSG(test, len, left,
				    "segment %u runs past a physically contiguous chunk", i);
		KUNIT_EXPECT_LE_MSG(test, len, (u64)seg_max,
				    "segment %u is longer than the max segment size", i);
		KUNIT_EXPECT_LE_MSG(test, len, to_boundary(a, boundary),
				    "segment %u crosses a segment boundary", i);
		off += len;
		if (off > size)
			break;
	}
	KUNIT_EXPECT_EQ_MSG(test, off, size, "the segments cover %zu of %zu bytes",
			    off, size);
	KUNIT_EXPECT_EQ(test, sgt->nents, min_segments(ch, seg_max, boundary));
}

/* ---- the importer ----------------------------------------------------------- */

/*
 * Drop a dma-buf reference and, if it was the last, release it now: in
 * a kernel thread fput() only queues the release (see buffer_kunit.c).
 */
static void dmabuf_put_action(void *dmabuf)
{
	dma_buf_put(dmabuf);
	flush_delayed_fput();
}

static void detach_action(void *att)
{
	struct dma_buf_attachment *a = att;

	dma_buf_detach(a->dmabuf, a);
}

/* An attachment's mapping, undone by unmap_action(). */
struct att_map {
	struct dma_buf_attachment *att;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

static void unmap_action(void *data)
{
	struct att_map *m = data;

	dma_buf_unmap_attachment_unlocked(m->att, m->sgt, m->dir);
}

/* Export @buf and attach @dev to it; both undone by actions. */
static struct dma_buf_attachment *import(struct kunit *test,
					 struct contig_buffer *buf,
					 struct device *dev)
{
	struct dma_buf_attachment *att;
	struct dma_buf *dmabuf;

	dmabuf = contig_buffer_export(buf, NULL, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dmabuf_put_action,
							dmabuf), 0);
	att = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, att);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, detach_action, att), 0);
	return att;
}

/* Map @att; the mapping is undone by an action.  The table or ERR_PTR. */
static struct sg_table *import_map(struct kunit *test,
				   struct dma_buf_attachment *att,
				   enum dma_data_direction dir)
{
	struct att_map *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct sg_table *sgt;

	KUNIT_ASSERT_NOT_NULL(test, m);
	sgt = dma_buf_map_attachment_unlocked(att, dir);
	if (IS_ERR(sgt))
		return sgt;
	m->att = att;
	m->sgt = sgt;
	m->dir = dir;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unmap_action, m), 0);
	return sgt;
}

/**
 * enum dev_limits - the importing devices of the cases.
 * @DEV_PLAIN:	64-bit mask, the default limits (64 KiB segments).
 * @DEV_SMALL_SEG: 64-bit mask, 12 KiB segments, 16 KiB boundary.
 * @DEV_MASK28:	28-bit mask: the region (at 512 MiB and up) is out of reach.
 */
enum dev_limits {
	DEV_PLAIN,
	DEV_SMALL_SEG,
	DEV_MASK28,
};

/* A platform device: no IOMMU, dma-direct. */
static struct device *platform_dev(struct kunit *test, enum dev_limits limits)
{
	struct platform_device *pdev;
	struct device *dev;

	pdev = kunit_platform_device_alloc(test, "contig-importer",
					   PLATFORM_DEVID_AUTO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, kunit_platform_device_add(test, pdev), 0);
	dev = &pdev->dev;
	/* The precondition: no IOMMU, so DMA addresses are physical. */
	KUNIT_ASSERT_FALSE(test, device_iommu_mapped(dev));
	KUNIT_ASSERT_FALSE(test, contig_dev_is_translated(dev));
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	switch (limits) {
	case DEV_PLAIN:
		break;
	case DEV_SMALL_SEG:
		dma_set_max_seg_size(dev, 3 * PAGE_SIZE);
		dma_set_seg_boundary(dev, 4 * PAGE_SIZE - 1);
		KUNIT_ASSERT_EQ(test, dma_get_max_seg_size(dev), 3 * PAGE_SIZE);
		KUNIT_ASSERT_EQ(test, dma_get_seg_boundary(dev), 4 * PAGE_SIZE - 1);
		break;
	case DEV_MASK28:
		/*
		 * Set directly: dma_set_mask() refuses a mask below ZONE_DMA,
		 * which this kernel does not have.
		 */
		*dev->dma_mask = DMA_BIT_MASK(28);
		dev->coherent_dma_mask = DMA_BIT_MASK(28);
		break;
	}
	return dev;
}

struct import_case {
	const char *name;
	unsigned int kind;
	enum dev_limits limits;
};

static const struct import_case map_cases[] = {
	{ "contiguous, 64-bit", CONTIG_KIND_CONTIGUOUS, DEV_PLAIN },
	{ "sg, 64-bit", CONTIG_KIND_SG, DEV_PLAIN },
	{ "movable, 64-bit", CONTIG_KIND_MOVABLE, DEV_PLAIN },
	{ "contiguous, 12K segments", CONTIG_KIND_CONTIGUOUS, DEV_SMALL_SEG },
	{ "sg, 12K segments", CONTIG_KIND_SG, DEV_SMALL_SEG },
	{ "movable, 12K segments", CONTIG_KIND_MOVABLE, DEV_SMALL_SEG },
};

static const struct import_case refused_cases[] = {
	{ "contiguous, 28-bit", CONTIG_KIND_CONTIGUOUS, DEV_MASK28 },
	{ "sg, 28-bit", CONTIG_KIND_SG, DEV_MASK28 },
	{ "movable, 28-bit", CONTIG_KIND_MOVABLE, DEV_MASK28 },
};

static const struct import_case bounce_cases[] = {
	{ "contiguous, forced bounce", CONTIG_KIND_CONTIGUOUS, DEV_PLAIN },
	{ "sg, forced bounce", CONTIG_KIND_SG, DEV_PLAIN },
	{ "movable, forced bounce", CONTIG_KIND_MOVABLE, DEV_PLAIN },
};

static void case_desc(const struct import_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(map, map_cases, case_desc);
KUNIT_ARRAY_PARAM(refused, refused_cases, case_desc);
KUNIT_ARRAY_PARAM(bounce, bounce_cases, case_desc);

/* ---- the cases ---------------------------------------------------------------- */

/*
 * A device without an IOMMU imports every kind: one DMA segment per
 * physically contiguous piece, cut at its limits, at the memory's own
 * addresses.
 */
static void importer_map_test(struct kunit *test)
{
	const struct import_case *c = test->param_value;
	struct dma_buf_attachment *att;
	struct contig_buffer *buf;
	struct device *dev;
	struct sg_table *sgt;
	struct chunks *ch;

	frag_build(test);
	buf = kind_alloc(test, c->kind);
	dev = platform_dev(test, c->limits);
	att = import(test, buf, dev);
	sgt = import_map(test, att, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, sgt, "%s buffer of %lu chunks",
					 contig_kind_name(c->kind),
					 contig_buffer_nr_chunks(buf));
	/* Where it lies now (a MOVABLE buffer is pinned while mapped). */
	ch = get_chunks(test, buf);
	expect_direct_table(test, dev, sgt, ch, contig_buffer_size(buf));
	if (c->kind == CONTIG_KIND_CONTIGUOUS)
		KUNIT_EXPECT_EQ(test, ch->c[0].phys, (u64)buf_phys(buf));
	else
		KUNIT_EXPECT_GT(test, sgt->nents, 1U);
	/* CPU access brackets sync every segment. */
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(att->dmabuf,
						       DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(att->dmabuf,
						     DMA_BIDIRECTIONAL), 0);
}

static void owner_counts(unsigned long counts[CONTIG_NR_OWNERS])
{
	struct contig_region *r = contig_default_region();
	struct contig_buddy_stats st;

	contig_buddy_get_stats(&r->buddy, &st);
	memcpy(counts, st.owner_frames, sizeof(st.owner_frames));
}

/*
 * Every frame of @ch is owned @owner; a MOVABLE buffer's chunks are region
 * frames while it is in the region, which the fragmented region keeps.
 */
static void expect_owner(struct kunit *test, const struct chunks *ch,
			 enum contig_owner owner)
{
	struct contig_region *r = contig_default_region();
	unsigned long i, f;

	for (i = 0; i < ch->n; i++) {
		KUNIT_ASSERT_GE(test, ch->c[i].phys, (u64)r->base);
		KUNIT_ASSERT_LE(test, ch->c[i].phys + ch->c[i].size,
				(u64)r->base + r->size);
		for (f = 0; f < ch->c[i].size >> PAGE_SHIFT; f++) {
			unsigned long frame = ((ch->c[i].phys - r->base) >> PAGE_SHIFT) + f;

			KUNIT_EXPECT_EQ_MSG(test, contig_buddy_owner(&r->buddy, frame),
					    owner, "frame %lu (%s)", frame,
					    contig_owner_name(contig_buddy_owner(&r->buddy,
										 frame)));
		}
	}
}

/*
 * A refused mapping of a MOVABLE buffer left it movable: a 2 MiB
 * CONTIGUOUS request over the block holding its pages (the only block the
 * request can use once the rest of it is free) moves them away.
 */
static void expect_still_movable(struct kunit *test, struct frag *f,
				 struct contig_buffer *buf,
				 const struct chunks *before)
{
	struct contig_buffer *big;
	struct chunks *after;
	unsigned long i;

	KUNIT_EXPECT_FALSE(test, buf->frozen);
	expect_owner(test, before, CONTIG_OWNER_MOVABLE);
	for (i = 0; i < before->n; i++)
		KUNIT_ASSERT_TRUE_MSG(test, before->c[i].phys >= f->hole &&
				      before->c[i].phys < f->hole + SZ_2M,
				      "the precondition: the movable pages are in the hole");
	frag_empty_hole(f);
	big = contig_alloc(SZ_2M, SZ_2M, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, big,
					 "a CONTIGUOUS request over the movable pages");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_action, big), 0);
	KUNIT_EXPECT_EQ(test, (u64)buf_phys(big), (u64)f->hole);
	after = get_chunks(test, buf);
	for (i = 0; i < after->n; i++)
		KUNIT_EXPECT_FALSE_MSG(test, after->c[i].phys >= f->hole &&
				       after->c[i].phys < f->hole + SZ_2M,
				       "a movable page stayed under the new buffer");
}

/*
 * A device whose DMA mask does not reach the buffer is refused with
 * -ERANGE, and the refusal changes nothing: the buffer lies where it lay,
 * the buddy's owner counts are as they were, and a MOVABLE buffer is not
 * left pinned.  The attachment still works once the mask is widened.
 */
static void importer_refused_test(struct kunit *test)
{
	const struct import_case *c = test->param_value;
	unsigned long owners[CONTIG_NR_OWNERS], owners_after[CONTIG_NR_OWNERS];
	struct dma_buf_attachment *att;
	struct chunks *before, *after;
	struct contig_buffer *buf;
	struct device *dev;
	struct sg_table *sgt;
	struct frag *f;
	unsigned long i;

	f = frag_build(test);
	buf = kind_alloc(test, c->kind);
	dev = platform_dev(test, c->limits);
	att = import(test, buf, dev);
	before = get_chunks(test, buf);
	/* The precondition: the buffer is out of the device's reach. */
	KUNIT_ASSERT_GT(test, before->c[0].phys, (u64)DMA_BIT_MASK(28));
	owner_counts(owners);

	sgt = import_map(test, att, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(sgt), -ERANGE);
	KUNIT_ASSERT_TRUE(test, IS_ERR(sgt));

	owner_counts(owners_after);
	for (i = 0; i < CONTIG_NR_OWNERS; i++)
		KUNIT_EXPECT_EQ_MSG(test, owners_after[i], owners[i], "%s frames",
				    contig_owner_name(i));
	after = get_chunks(test, buf);
	KUNIT_EXPECT_EQ(test, after->n, before->n);
	KUNIT_EXPECT_EQ(test, memcmp(after->c, before->c,
				     before->n * sizeof(before->c[0])), 0);
	if (c->kind == CONTIG_KIND_MOVABLE)
		expect_still_movable(test, f, buf, before);

	/* Widened, the same attachment maps (wherever the buffer is now). */
	*dev->dma_mask = DMA_BIT_MASK(64);
	dev->coherent_dma_mask = DMA_BIT_MASK(64);
	sgt = import_map(test, att, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	expect_direct_table(test, dev, sgt, get_chunks(test, buf),
			    contig_buffer_size(buf));
}

/* A device's swiotlb pool, replaced by a test and put back by an action. */
struct tlb_swap {
	struct device *dev;
	struct io_tlb_mem *saved;
};

static void restore_tlb_mem(void *data)
{
	struct tlb_swap *t = data;

	t->dev->dma_io_tlb_mem = t->saved;
}

/*
 * A device whose DMA would go through swiotlb bounce buffers is refused
 * with -EIO before anything is mapped, and the refusal changes nothing;
 * the same attachment maps once the device is back to its own pool.  The
 * device is made one by an io_tlb_mem that says force_bounce and has no
 * slots: were it ever used, the map would fail otherwise (or KASAN would
 * say so).
 */
static void importer_bounce_refused_test(struct kunit *test)
{
	unsigned long owners[CONTIG_NR_OWNERS], owners_after[CONTIG_NR_OWNERS];
	const struct import_case *c = test->param_value;
	struct dma_buf_attachment *att;
	struct contig_buffer *buf;
	struct chunks *before;
	struct tlb_swap *t;
	struct device *dev;
	struct sg_table *sgt;
	unsigned long i;

	frag_build(test);
	buf = kind_alloc(test, c->kind);
	dev = platform_dev(test, DEV_PLAIN);
	att = import(test, buf, dev);

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dev = dev;
	t->saved = dev->dma_io_tlb_mem;
	KUNIT_ASSERT_FALSE(test, is_swiotlb_force_bounce(dev));
	dev->dma_io_tlb_mem = kunit_kzalloc(test, sizeof(*dev->dma_io_tlb_mem),
					    GFP_KERNEL);
	if (!dev->dma_io_tlb_mem)
		dev->dma_io_tlb_mem = t->saved;
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_io_tlb_mem);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, restore_tlb_mem, t), 0);
	dev->dma_io_tlb_mem->force_bounce = true;
	KUNIT_ASSERT_TRUE(test, is_swiotlb_force_bounce(dev));

	before = get_chunks(test, buf);
	owner_counts(owners);
	sgt = import_map(test, att, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(sgt), -EIO);
	KUNIT_ASSERT_TRUE(test, IS_ERR(sgt));
	owner_counts(owners_after);
	for (i = 0; i < CONTIG_NR_OWNERS; i++)
		KUNIT_EXPECT_EQ_MSG(test, owners_after[i], owners[i], "%s frames",
				    contig_owner_name(i));
	if (c->kind == CONTIG_KIND_MOVABLE) {
		KUNIT_EXPECT_FALSE(test, buf->frozen);
		expect_owner(test, before, CONTIG_OWNER_MOVABLE);
	}

	kunit_release_action(test, restore_tlb_mem, t);
	sgt = import_map(test, att, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	expect_direct_table(test, dev, sgt, get_chunks(test, buf),
			    contig_buffer_size(buf));
}

/*
 * The in-kernel contig_map() keeps its promise of ONE DMA range: on a
 * device without an IOMMU a scattered SG buffer is refused with -EINVAL,
 * a CONTIGUOUS one maps as one range at its physical address.
 */
static void importer_contig_map_one_range_test(struct kunit *test)
{
	struct contig_buffer *c, *sg;
	struct sg_table *sgt;
	struct device *dev;

	frag_build(test);
	sg = kind_alloc(test, CONTIG_KIND_SG);
	c = contig_alloc(PAGE_SIZE, 0, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_action, c), 0);
	dev = platform_dev(test, DEV_PLAIN);

	sgt = contig_map(dev, sg, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(sgt), -EINVAL);
	if (!IS_ERR(sgt))
		contig_unmap(dev, sg, sgt, DMA_TO_DEVICE);

	sgt = contig_map(dev, c, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, sgt->nents, 1U);
	KUNIT_EXPECT_EQ(test, (u64)sg_dma_address(sgt->sgl), (u64)buf_phys(c));
	KUNIT_EXPECT_EQ(test, contig_unmap(dev, c, sgt, DMA_TO_DEVICE), 0);
}

/*
 * contig_map() refusing a scattered MOVABLE buffer (not one range) leaves
 * it movable, exactly as it was.
 */
static void importer_contig_map_unpins_test(struct kunit *test)
{
	unsigned long owners[CONTIG_NR_OWNERS], owners_after[CONTIG_NR_OWNERS];
	struct contig_buffer *mov;
	struct chunks *before;
	struct sg_table *sgt;
	struct device *dev;
	struct frag *f;
	unsigned long i;

	f = frag_build(test);
	mov = kind_alloc(test, CONTIG_KIND_MOVABLE);
	dev = platform_dev(test, DEV_PLAIN);
	before = get_chunks(test, mov);
	owner_counts(owners);

	sgt = contig_map(dev, mov, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(sgt), -EINVAL);
	if (!IS_ERR(sgt))
		contig_unmap(dev, mov, sgt, DMA_TO_DEVICE);
	owner_counts(owners_after);
	for (i = 0; i < CONTIG_NR_OWNERS; i++)
		KUNIT_EXPECT_EQ_MSG(test, owners_after[i], owners[i], "%s frames",
				    contig_owner_name(i));
	expect_still_movable(test, f, mov, before);
}

/* Every case fills and fragments the whole region: all are slow. */
static struct kunit_case importer_cases[] = {
	KUNIT_CASE_PARAM_ATTR(importer_map_test, map_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(importer_refused_test, refused_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(importer_bounce_refused_test, bounce_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(importer_contig_map_one_range_test),
	KUNIT_CASE_SLOW(importer_contig_map_unpins_test),
	{}
};

static struct kunit_suite importer_suite = {
	.name = "contig_importer",
	.test_cases = importer_cases,
};

kunit_test_suite(importer_suite);

MODULE_DESCRIPTION("KUnit tests of contig's dma-buf importers without an IOMMU");
MODULE_LICENSE("GPL");
