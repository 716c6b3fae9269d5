// SPDX-License-Identifier: GPL-2.0
/*
 * dma_kunit.c - KUnit suites contig_edu and contig_dma: device mappings
 * (module/dma.c) proved by a real DMA engine.
 *
 * The module is also a PCI driver for QEMU's edu device (see edu.h).  The
 * test VM boots with an Intel IOMMU in strict mode, so edu DMAs through
 * IOVAs; its engine only reaches 28 bits of bus address, and the region is
 * at 768 MiB, so every byte that arrives proves a translation.
 *
 * contig_edu needs edu behind a DMA-translating IOMMU and is skipped, with
 * the reason in KTAP, when there is none.  It allocates CONTIGUOUS and SG
 * buffers through the exported API, maps them with contig_map(), has edu
 * copy them up to 4 KiB at a time (4095 bytes: see edu.h), per DMA
 * segment, from one buffer into the device and back out into another, and
 * compares every byte.  An SG buffer whose blocks are truly scattered is
 * made by fragmenting the region first: fill it, free one large block,
 * fill that hole with single pages, free every other page.  It checks that
 * one mapping is one IOVA range under the DMA mask, cut at the device's
 * max segment size, that a single transfer may straddle two blocks far
 * apart in RAM, and that after contig_unmap() the device reaches nothing:
 * writes through the stale IOVA do not land and reads do not return the
 * buffer (the IOMMU logs a DMAR fault on the console for each, which is
 * expected).
 *
 * contig_dma runs anywhere: a KUnit device with no IOMMU gets the direct
 * mapping (1:1; contig_map() refuses scattered memory with -EINVAL and
 * out-of-mask memory with -ERANGE instead of bouncing it), and every
 * caller error gets its errno.  dma-buf importers without an IOMMU, which
 * get scatter-gather tables, are importer_kunit.c's.
 *
 * The engine takes 100 ms per transfer, so buffers that are copied whole
 * are small (tens of KiB); big mappings are checked by their layout and a
 * few transfers at their edges.
 *
 * Every buffer, mapping and device setting a case takes is given back by a
 * kunit action registered as soon as it is held, so a failed assertion
 * leaves nothing mapped or allocated behind it.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <contig.h>

#include "contig_internal.h"
#include "dma.h"
#include "../samples/edu/edu.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();

/**
 * struct edu - the bound edu device.
 * @pdev:	the PCI device.
 * @mmio:	BAR0.
 * @dma_err:	result of setting the 28-bit DMA mask; tests skip unless 0.
 */
struct edu {
	struct pci_dev *pdev;
	void __iomem *mmio;
	int dma_err;
};

/* Set by probe, cleared by remove; the suites run in between. */
static struct edu *the_edu;

/* ---- helpers -------------------------------------------------------------- */

static struct edu *edu_get(struct kunit *test)
{
	if (!the_edu)
		kunit_skip(test, "no edu PCI device %04x:%04x (QEMU -device edu)",
			   EDU_VENDOR, EDU_DEVICE);
	if (the_edu->dma_err)
		kunit_skip(test, "edu's %d-bit DMA mask was refused (%d)",
			   EDU_DMA_BITS, the_edu->dma_err);
	return the_edu;
}

static struct edu *edu_get_iommu(struct kunit *test)
{
	struct edu *e = edu_get(test);

	if (!contig_dev_is_translated(&e->pdev->dev))
		kunit_skip(test, "edu is not behind a translating IOMMU (intel_iommu=on)");
	return e;
}

static void put_action(void *buf)
{
	contig_put(buf);
}

static struct contig_buffer *buf_alloc(struct kunit *test, size_t size,
				       unsigned int kind)
{
	struct contig_buffer *buf;

	buf = contig_alloc(size, 0, kind, CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_action, buf), 0);
	return buf;
}

static u8 *buf_vaddr(struct kunit *test, struct contig_buffer *buf)
{
	u8 *p = contig_buffer_vaddr(buf);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p);
	return p;
}

/* Byte @i of pattern @seed: differs between neighbouring pages and bytes. */
static u8 pattern(size_t i, u8 seed)
{
	return seed + i * 7 + (i >> PAGE_SHIFT) * 31;
}

static void fill(u8 *p, size_t off, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(off + i, seed);
}

/* Expect @p[0..len) to hold pattern @seed from offset @off; name the first wrong byte. */
static void expect_pattern(struct kunit *test, const u8 *p, size_t off,
			   size_t len, u8 seed, const char *what)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != pattern(off + i, seed)) {
			KUNIT_FAIL(test, "%s: byte %zu is %#x, expected %#x",
				   what, i, p[i], pattern(off + i, seed));
			return;
		}
	}
}

static void expect_bytes(struct kunit *test, const u8 *p, size_t len, u8 v,
			 const char *what)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != v) {
			KUNIT_FAIL(test, "%s: byte %zu is %#x, expected %#x",
				   what, i, p[i], v);
			return;
		}
	}
}

/* Blocks of a buffer's CPU table; count the ones not adjacent to the previous. */
static unsigned int cpu_extents(struct contig_buffer *buf)
{
	struct sg_table *cpu = contig_buffer_sgt(buf);
	phys_addr_t end = 0;
	unsigned int n = 0;
	struct scatterlist *s;
	unsigned int i;

	for_each_sgtable_sg(cpu, s, i) {
		if (!i || sg_phys(s) != end)
			n++;
		end = sg_phys(s) + s->length;
	}
	return n;
}

/**
 * struct map - a live contig_map() of a test, unmapped at the end.
 * @dev: device.
 * @buf: buffer.
 * @sgt: the DMA table, NULL once unmapped.
 * @dir: direction.
 * @size: bytes.
 */
struct map {
	struct device *dev;
	struct contig_buffer *buf;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	size_t size;
};

static void unmap_action(void *p)
{
	struct map *m = p;

	if (m->sgt)
		contig_unmap(m->dev, m->buf, m->sgt, m->dir);
	m->sgt = NULL;
}

/* Unmap @m before the case ends; its action is dropped. */
static void unmap_now(struct kunit *test, struct map *m)
{
	KUNIT_EXPECT_EQ(test, contig_unmap(m->dev, m->buf, m->sgt, m->dir), 0);
	m->sgt = NULL;
	kunit_remove_action(test, unmap_action, m);
}

/* A struct map for @sgt, unmapped by an action; NULL @buf for a bare table. */
static struct map *track_map(struct kunit *test, struct device *dev,
			     struct contig_buffer *buf, struct sg_table *sgt,
			     enum dma_data_direction dir, size_t size)
{
	struct map *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	if (!m)
		contig_unmap(dev, buf, sgt, dir);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->dev = dev;
	m->buf = buf;
	m->sgt = sgt;
	m->dir = dir;
	m->size = size;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unmap_action, m), 0);
	return m;
}

/*
 * contig_map() that the case expects refused: its errno, 0 if it mapped
 * after all (then unmapped at once, so the wrong answer costs only this
 * case's expectation).
 */
static int map_refused(struct device *dev, struct contig_buffer *buf,
		       enum dma_data_direction dir)
{
	struct sg_table *sgt = contig_map(dev, buf, dir);

	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	contig_unmap(dev, buf, sgt, dir);
	return 0;
}

/*
 * The DMA segments of @m tile one range from their first address, each no
 * longer than the device allows, all below its DMA mask.  Returns the
 * number of segments.
 */
static unsigned int expect_one_range(struct kunit *test, struct map *m)
{
	unsigned int seg_max = dma_get_max_seg_size(m->dev);
	u64 mask = dma_get_mask(m->dev);
	dma_addr_t next = sg_dma_address(m->sgt->sgl);
	struct scatterlist *s;
	size_t total = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(m->sgt, s, i) {
		KUNIT_EXPECT_EQ_MSG(test, sg_dma_address(s), next,
				    "segment %u does not follow segment %u", i, i - 1);
		KUNIT_EXPECT_LE_MSG(test, sg_dma_len(s), seg_max, "segment %u", i);
		KUNIT_EXPECT_LE_MSG(test, (u64)sg_dma_address(s) + sg_dma_len(s) - 1,
				    mask, "segment %u beyond the DMA mask", i);
		next = sg_dma_address(s) + sg_dma_len(s);
		total += sg_dma_len(s);
	}
	KUNIT_EXPECT_EQ(test, total, m->size);
	return m->sgt->nents;
}

static struct map *map_buf(struct kunit *test, struct device *dev,
			   struct contig_buffer *buf,
			   enum dma_data_direction dir)
{
	struct sg_table *sgt = contig_map(dev, buf, dir);
	struct map *m;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	m = track_map(test, dev, buf, sgt, dir, contig_buffer_size(buf));
	expect_one_range(test, m);
	return m;
}

/* Bus address of byte @off of a mapping, and bytes left in its segment. */
static dma_addr_t bus_at(struct sg_table *sgt, size_t off, size_t *left)
{
	struct scatterlist *s;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, s, i) {
		if (off < sg_dma_len(s)) {
			*left = sg_dma_len(s) - off;
			return sg_dma_address(s) + off;
		}
		off -= sg_dma_len(s);
	}
	*left = 0;
	return DMA_MAPPING_ERROR;
}

/*
 * Have edu copy @len bytes from @src at @soff into its buffer and from
 * there to @dst at @doff, at most EDU_XFER_MAX (4 KiB - 1) at a time and
 * never across a DMA segment of either mapping.
 */
static void edu_copy(struct kunit *test, struct edu *e, struct map *src,
		     size_t soff, struct map *dst, size_t doff, size_t len)
{
	KUNIT_ASSERT_EQ(test, contig_sync_for_device(src->dev, src->sgt, src->dir), 0);
	KUNIT_ASSERT_EQ(test, contig_sync_for_device(dst->dev, dst->sgt, dst->dir), 0);
	while (len) {
		size_t sleft, dleft, n;
		dma_addr_t sbus = bus_at(src->sgt, soff, &sleft);
		dma_addr_t dbus = bus_at(dst->sgt, doff, &dleft);

		KUNIT_ASSERT_GT(test, sleft, 0);
		KUNIT_ASSERT_GT(test, dleft, 0);
		n = min3(len, sleft, dleft);
		n = min_t(size_t, n, EDU_XFER_MAX);
		KUNIT_ASSERT_EQ_MSG(test, edu_dma(e->mmio, sbus, 0, n, false), 0,
				    "RAM %pad -> edu, %zu bytes", &sbus, n);
		KUNIT_ASSERT_EQ_MSG(test, edu_dma(e->mmio, dbus, 0, n, true), 0,
				    "edu -> RAM %pad, %zu bytes", &dbus, n);
		soff += n;
		doff += n;
		len -= n;
	}
	KUNIT_ASSERT_EQ(test, contig_sync_for_cpu(dst->dev, dst->sgt, dst->dir), 0);
}

/* A set of buffers filling the region, freed together. */
struct filler {
	unsigned int nr;
	unsigned int max;
	struct contig_buffer *buf[];
};

static void filler_free(void *p)
{
	struct filler *f = p;

	while (f->nr)
		if (f->buf[--f->nr])
			contig_put(f->buf[f->nr]);
	kvfree(f);
}

/* Allocate CONTIGUOUS buffers of @size until the region says no. */
static void fill_region(struct filler *f, size_t size)
{
	struct contig_buffer *buf;

	while (f->nr < f->max) {
		buf = contig_alloc(size, 0, CONTIG_KIND_CONTIGUOUS, 0);
		if (IS_ERR(buf))
			return;
		f->buf[f->nr++] = buf;
	}
}

static int cmp_phys(const void *a, const void *b)
{
	phys_addr_t pa, pb;

	contig_buffer_phys(*(struct contig_buffer * const *)a, &pa);
	contig_buffer_phys(*(struct contig_buffer * const *)b, &pb);
	return pa < pb ? -1 : pa > pb;
}

/*
 * An SG buffer of @nr single pages no two of which are adjacent in RAM.
 * Fill the region, free one block of 2 MiB (or 64 KiB), fill that hole with
 * single pages, free every other one: the only free memory left is @nr or
 * more isolated pages, which the SG allocation must take.
 */
static struct contig_buffer *alloc_scattered(struct kunit *test,
					     unsigned int nr)
{
	static const size_t sizes[] = { SZ_2M, SZ_64K, PAGE_SIZE };
	struct contig_region *r = contig_default_region();
	struct contig_buffer *hole = NULL, *sg;
	unsigned int i, first_page;
	struct filler *f;

	KUNIT_ASSERT_NOT_NULL(test, r);
	f = kvzalloc(struct_size(f, buf, r->nr_pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->max = r->nr_pages;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, filler_free, f), 0);

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		fill_region(f, sizes[i]);
	for (i = 0; i < f->nr && !hole; i++)
		if (contig_buffer_size(f->buf[i]) >= 2 * nr * PAGE_SIZE)
			hole = f->buf[i];
	if (!hole)
		kunit_skip(test, "region too full to fragment (%u buffers)", f->nr);
	f->buf[i - 1] = f->buf[--f->nr];
	contig_put(hole);

	first_page = f->nr;
	fill_region(f, PAGE_SIZE);
	KUNIT_ASSERT_GE(test, f->nr - first_page, 2 * nr);
	sort(&f->buf[first_page], f->nr - first_page, sizeof(f->buf[0]),
	     cmp_phys, NULL);
	for (i = first_page; i < f->nr; i += 2) {
		contig_put(f->buf[i]);
		f->buf[i] = NULL;
	}
	sg = contig_alloc(nr * PAGE_SIZE, 0, CONTIG_KIND_SG, CONTIG_FLAG_ZERO);
	/* Compact the filler (NULLs where pages were freed), then free it. */
	for (i = first_page; i < f->nr; i++)
		if (!f->buf[i])
			f->buf[i--] = f->buf[--f->nr];
	kunit_release_action(test, filler_free, f);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sg);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_action, sg), 0);
	KUNIT_ASSERT_EQ_MSG(test, cpu_extents(sg), nr,
			    "SG buffer of %u scattered pages", nr);
	return sg;
}

/* ---- contig_edu: the DMA engine through the IOMMU -------------------------- */

static void edu_identity_test(struct kunit *test)
{
	struct edu *e = edu_get(test);

	KUNIT_EXPECT_TRUE(test, edu_is_edu(e->mmio));
	KUNIT_EXPECT_EQ(test, dma_get_mask(&e->pdev->dev), DMA_BIT_MASK(EDU_DMA_BITS));
}

/* A CONTIGUOUS buffer is one segment in IOVA space, under the 28-bit mask. */
static void edu_map_contiguous_test(struct kunit *test)
{
	struct edu *e = edu_get_iommu(test);
	struct device *dev = &e->pdev->dev;
	struct contig_buffer *a = buf_alloc(test, SZ_1M, CONTIG_KIND_CONTIGUOUS);
	struct contig_buffer *b = buf_alloc(test, SZ_8K, CONTIG_KIND_CONTIGUOUS);
	u8 *pa = buf_vaddr(test, a), *pb = buf_vaddr(test, b);
	struct map *ma, *mb;
	phys_addr_t phys;

	KUNIT_ASSERT_EQ(test, contig_buffer_phys(a, &phys), 0);
	fill(pa, 0, SZ_1M, 0x11);
	ma = map_buf(test, dev, a, DMA_TO_DEVICE);
	mb = map_buf(test, dev, b, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, ma->sgt->nents, 1);
	KUNIT_EXPECT_EQ(test, sg_dma_len(ma->sgt->sgl), SZ_1M);
	/* The region is above 256 MiB: only a translation reaches it. */
	KUNIT_EXPECT_GT(test, (u64)phys, DMA_BIT_MASK(EDU_DMA_BITS));

	/* The first and the last page of the buffer, through the device. */
	edu_copy(test, e, ma, 0, mb, 0, PAGE_SIZE);
	edu_copy(test, e, ma, SZ_1M - PAGE_SIZE, mb, PAGE_SIZE, PAGE_SIZE);
	expect_pattern(test, pb, 0, PAGE_SIZE, 0x11, "first page");
	expect_pattern(test, pb + PAGE_SIZE, SZ_1M - PAGE_SIZE, PAGE_SIZE, 0x11,
		       "last page");
}

struct roundtrip_case {
	const char *name;
	unsigned int src_kind;
	unsigned int dst_kind;
};

static const struct roundtrip_case roundtrip_cases[] = {
	{ "contiguous to contiguous", CONTIG_KIND_CONTIGUOUS, CONTIG_KIND_CONTIGUOUS },
	{ "sg to contiguous", CONTIG_KIND_SG, CONTIG_KIND_CONTIGUOUS },
	{ "contiguous to sg", CONTIG_KIND_CONTIGUOUS, CONTIG_KIND_SG },
	{ "sg to sg", CONTIG_KIND_SG, CONTIG_KIND_SG },
};

static void roundtrip_desc(const struct roundtrip_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(roundtrip, roundtrip_cases, roundtrip_desc);

#define RT_PAGES	8
#define RT_SIZE		(RT_PAGES * PAGE_SIZE)

static struct contig_buffer *rt_alloc(struct kunit *test, unsigned int kind)
{
	if (kind == CONTIG_KIND_SG)
		return alloc_scattered(test, RT_PAGES);
	return buf_alloc(test, RT_SIZE, kind);
}

/*
 * Every byte of a buffer goes RAM -> edu -> RAM into another buffer, for
 * each pairing of kinds; the SG buffers are RT_PAGES pages scattered over
 * the region, yet each maps as one segment.
 */
static void edu_roundtrip_test(struct kunit *test)
{
	const struct roundtrip_case *c = test->param_value;
	struct edu *e = edu_get_iommu(test);
	struct device *dev = &e->pdev->dev;
	struct contig_buffer *a = rt_alloc(test, c->src_kind);
	struct contig_buffer *b = rt_alloc(test, c->dst_kind);
	u8 *pa = buf_vaddr(test, a), *pb = buf_vaddr(test, b);
	struct map *ma, *mb;

	fill(pa, 0, RT_SIZE, 0x5c);
	memset(pb, 0xee, RT_SIZE);
	ma = map_buf(test, dev, a, DMA_TO_DEVICE);
	mb = map_buf(test, dev, b, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, ma->sgt->nents, 1);
	KUNIT_EXPECT_EQ(test, mb->sgt->nents, 1);

	edu_copy(test, e, ma, 0, mb, 0, RT_SIZE);
	expect_pattern(test, pb, 0, RT_SIZE, 0x5c, c->name);

	/*
	 * One 4 KiB transfer from the middle of page 2 to the middle of page
	 * 3: for a scattered buffer, two places far apart in RAM.
	 */
	memset(pb, 0xee, RT_SIZE);
	edu_copy(test, e, ma, 2 * PAGE_SIZE + PAGE_SIZE / 2, mb, PAGE_SIZE / 2,
		 PAGE_SIZE);
	expect_bytes(test, pb, PAGE_SIZE / 2, 0xee, "before the straddling copy");
	expect_pattern(test, pb + PAGE_SIZE / 2, 2 * PAGE_SIZE + PAGE_SIZE / 2,
		       PAGE_SIZE, 0x5c, "straddling copy");
	expect_bytes(test, pb + PAGE_SIZE + PAGE_SIZE / 2,
		     RT_SIZE - PAGE_SIZE - PAGE_SIZE / 2, 0xee,
		     "after the straddling copy");
}

static void restore_seg_size(void *dev)
{
	dma_set_max_seg_size(dev, UINT_MAX);
}

/* The DMA table honours the device's max segment size, in one range. */
static void edu_max_seg_size_test(struct kunit *test)
{
	struct edu *e = edu_get_iommu(test);
	struct device *dev = &e->pdev->dev;
	struct contig_buffer *sg = alloc_scattered(test, 16);
	struct contig_buffer *c = buf_alloc(test, SZ_1M, CONTIG_KIND_CONTIGUOUS);
	struct contig_buffer *b = buf_alloc(test, SZ_4K, CONTIG_KIND_CONTIGUOUS);
	u8 *psg = buf_vaddr(test, sg), *pb = buf_vaddr(test, b);
	struct scatterlist *s;
	struct map *msg, *mc, *mb;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, restore_seg_size, dev), 0);
	dma_set_max_seg_size(dev, SZ_16K);
	fill(psg, 0, 16 * PAGE_SIZE, 0x3a);
	msg = map_buf(test, dev, sg, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, msg->sgt->nents, 4);
	for_each_sgtable_dma_sg(msg->sgt, s, i)
		KUNIT_EXPECT_EQ(test, sg_dma_len(s), SZ_16K);

	dma_set_max_seg_size(dev, SZ_64K);
	mc = map_buf(test, dev, c, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, mc->sgt->nents, SZ_1M / SZ_64K);

	/* A transfer across the first segment boundary, in one command. */
	mb = map_buf(test, dev, b, DMA_FROM_DEVICE);
	KUNIT_ASSERT_EQ(test, contig_sync_for_device(dev, msg->sgt, DMA_TO_DEVICE), 0);
	KUNIT_ASSERT_EQ(test, edu_dma(e->mmio, sg_dma_address(msg->sgt->sgl) +
				      SZ_16K - 100, 0, 200, false), 0);
	KUNIT_ASSERT_EQ(test, edu_dma(e->mmio, sg_dma_address(mb->sgt->sgl),
				      0, 200, true), 0);
	KUNIT_ASSERT_EQ(test, contig_sync_for_cpu(dev, mb->sgt, DMA_FROM_DEVICE), 0);
	expect_pattern(test, pb, SZ_16K - 100, 200, 0x3a, "across segments");
}

static void restore_mask(void *dev)
{
	dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
}

/* A narrower DMA mask gives IOVAs under it. */
static void edu_dma_mask_test(struct kunit *test)
{
	struct edu *e = edu_get_iommu(test);
	struct device *dev = &e->pdev->dev;
	struct contig_buffer *a = buf_alloc(test, SZ_2M, CONTIG_KIND_CONTIGUOUS);
	struct map *m;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, restore_mask, dev), 0);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(24)), 0);
	m = map_buf(test, dev, a, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_LE(test, (u64)sg_dma_address(m->sgt->sgl) + SZ_2M - 1,
			DMA_BIT_MASK(24));
}

#define HALF	(PAGE_SIZE / 2)

/*
 * After contig_unmap() the device reaches nothing through the old IOVA:
 * a write does not land, a read does not return the buffer.
 */
static void edu_unmap_revokes_test(struct kunit *test)
{
	struct edu *e = edu_get_iommu(test);
	struct device *dev = &e->pdev->dev;
	struct contig_buffer *a = buf_alloc(test, SZ_4K, CONTIG_KIND_CONTIGUOUS);
	struct contig_buffer *b = buf_alloc(test, SZ_4K, CONTIG_KIND_CONTIGUOUS);
	struct contig_buffer *c = buf_alloc(test, SZ_4K, CONTIG_KIND_CONTIGUOUS);
	u8 *pa = buf_vaddr(test, a), *pb = buf_vaddr(test, b);
	u8 *pc = buf_vaddr(test, c);
	dma_addr_t stale_a, stale_b;
	struct map *ma, *mb, *mc;

	fill(pa, 0, SZ_4K, 0x71);
	ma = map_buf(test, dev, a, DMA_TO_DEVICE);
	mb = map_buf(test, dev, b, DMA_FROM_DEVICE);
	edu_copy(test, e, ma, 0, mb, 0, SZ_4K);
	expect_pattern(test, pb, 0, SZ_4K, 0x71, "mapped copy");

	/* edu's buffer now holds bytes of pattern 0x71. */
	stale_b = sg_dma_address(mb->sgt->sgl);
	unmap_now(test, mb);
	memset(pb, 0xa5, SZ_4K);
	kunit_info(test, "expect DMAR write faults at %pad", &stale_b);
	KUNIT_ASSERT_EQ(test, edu_dma(e->mmio, stale_b, 0, HALF, true), 0);
	KUNIT_ASSERT_EQ(test, edu_dma(e->mmio, stale_b + HALF, 0, HALF, true), 0);
	expect_bytes(test, pb, SZ_4K, 0xa5, "write through a stale IOVA");

	/* Read through a stale IOVA: edu must not get the buffer's new bytes. */
	stale_a = sg_dma_address(ma->sgt->sgl);
	unmap_now(test, ma);
	fill(pa, 0, SZ_4K, 0x99);
	kunit_info(test, "expect a DMAR read fault at %pad", &stale_a);
	KUNIT_ASSERT_EQ(test, edu_dma(e->mmio, stale_a, 0, HALF, false), 0);
	mc = map_buf(test, dev, c, DMA_FROM_DEVICE);
	KUNIT_ASSERT_EQ(test, edu_dma(e->mmio, sg_dma_address(mc->sgt->sgl), 0,
				      HALF, true), 0);
	KUNIT_ASSERT_EQ(test, contig_sync_for_cpu(dev, mc->sgt, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_NE_MSG(test, memcmp(pc, pa, HALF), 0,
			    "edu read the buffer through a stale IOVA");
}

static int edu_suite_init(struct kunit_suite *suite)
{
	if (the_edu)
		dma_set_max_seg_size(&the_edu->pdev->dev, UINT_MAX);
	return 0;
}

static struct kunit_case edu_cases[] = {
	KUNIT_CASE(edu_identity_test),
	/* Each edu transfer takes 100 ms: the DMA cases are slow. */
	KUNIT_CASE_SLOW(edu_map_contiguous_test),
	KUNIT_CASE_PARAM_ATTR(edu_roundtrip_test, roundtrip_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(edu_max_seg_size_test),
	KUNIT_CASE(edu_dma_mask_test),
	KUNIT_CASE_SLOW(edu_unmap_revokes_test),
	{}
};

static struct kunit_suite edu_suite = {
	.name = "contig_edu",
	.suite_init = edu_suite_init,
	.test_cases = edu_cases,
};

/* ---- contig_dma: the direct path and caller errors ------------------------- */

/* A device on the KUnit bus: no IOMMU, DMA addresses are physical. */
static struct device *plain_device(struct kunit *test, const char *name,
				   u64 mask)
{
	struct device *dev = kunit_device_register(test, name);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_mask);
	KUNIT_ASSERT_FALSE(test, contig_dev_is_translated(dev));
	/* Set directly: a 28-bit mask is below ZONE_DMA32 on this kernel. */
	*dev->dma_mask = mask;
	dev->coherent_dma_mask = mask;
	return dev;
}

/* A CONTIGUOUS buffer maps 1:1, cut at 64 KiB (no dma_parms). */
static void dma_direct_contiguous_test(struct kunit *test)
{
	struct device *dev = plain_device(test, "contig-dma-direct", DMA_BIT_MASK(64));
	struct contig_buffer *a = buf_alloc(test, SZ_1M, CONTIG_KIND_CONTIGUOUS);
	struct scatterlist *s;
	phys_addr_t phys;
	struct map *m;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, contig_buffer_phys(a, &phys), 0);
	m = map_buf(test, dev, a, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, m->sgt->nents, SZ_1M / SZ_64K);
	KUNIT_EXPECT_EQ(test, (u64)sg_dma_address(m->sgt->sgl), (u64)phys);
	for_each_sgtable_dma_sg(m->sgt, s, i)
		KUNIT_EXPECT_EQ(test, (u64)sg_dma_address(s),
				(u64)phys + (u64)i * SZ_64K);
	KUNIT_EXPECT_EQ(test, contig_sync_for_cpu(dev, m->sgt, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, contig_sync_for_device(dev, m->sgt, DMA_TO_DEVICE), 0);
}

/*
 * Without an IOMMU, segments are also cut at the device's boundary.  The
 * table starts 32 KiB into a block so that the cuts fall inside it.
 */
static void dma_direct_boundary_test(struct kunit *test)
{
	struct device *dev = plain_device(test, "contig-dma-boundary", DMA_BIT_MASK(64));
	struct device_dma_parameters *parms;
	struct contig_buffer *a;
	struct sg_table cpu, *sgt;
	struct map *m;
	struct scatterlist *s;
	phys_addr_t phys;
	unsigned int i;

	parms = kunit_kzalloc(test, sizeof(*parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, parms);
	parms->max_segment_size = SZ_1M;
	parms->segment_boundary_mask = SZ_64K - 1;
	dev->dma_parms = parms;

	a = contig_alloc(SZ_512K, SZ_64K, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_action, a), 0);
	KUNIT_ASSERT_EQ(test, contig_buffer_phys(a, &phys), 0);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(phys, SZ_64K));
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&cpu, 1, GFP_KERNEL), 0);
	sg_set_page(cpu.sgl, pfn_to_page(PHYS_PFN(phys + SZ_32K)), SZ_256K, 0);
	sgt = contig_map_table(dev, NULL, &cpu, DMA_TO_DEVICE, 0);
	sg_free_table(&cpu);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	m = track_map(test, dev, NULL, sgt, DMA_TO_DEVICE, SZ_256K);
	/* 32 KiB up to the first boundary, three whole 64 KiB, 32 KiB. */
	KUNIT_EXPECT_EQ(test, sgt->nents, 5);
	for_each_sgtable_dma_sg(sgt, s, i) {
		u64 start = sg_dma_address(s), end = start + sg_dma_len(s) - 1;

		KUNIT_EXPECT_EQ_MSG(test, start >> 16, end >> 16,
				    "segment %u crosses a 64 KiB boundary", i);
		KUNIT_EXPECT_EQ(test, start, (u64)phys + SZ_32K +
				(i ? SZ_32K + (i - 1) * SZ_64K : 0));
	}
	unmap_now(test, m);
}

/* Scattered memory cannot be one range without an IOMMU: refused. */
static void dma_direct_sg_refused_test(struct kunit *test)
{
	struct device *dev = plain_device(test, "contig-dma-sg", DMA_BIT_MASK(64));
	struct contig_buffer *sg = alloc_scattered(test, 4);

	KUNIT_EXPECT_EQ(test, map_refused(dev, sg, DMA_TO_DEVICE), -EINVAL);
}

/* Beyond the DMA mask: refused (-ERANGE), not bounced; within it, mapped. */
static void dma_direct_mask_test(struct kunit *test)
{
	struct device *dev = plain_device(test, "contig-dma-mask", DMA_BIT_MASK(28));
	struct contig_buffer *a = buf_alloc(test, SZ_64K, CONTIG_KIND_CONTIGUOUS);
	phys_addr_t phys;

	KUNIT_ASSERT_EQ(test, contig_buffer_phys(a, &phys), 0);
	if (phys + SZ_64K - 1 <= DMA_BIT_MASK(28))
		kunit_skip(test, "the region is below 256 MiB");
	KUNIT_EXPECT_EQ(test, map_refused(dev, a, DMA_FROM_DEVICE), -ERANGE);

	if (phys + SZ_64K - 1 > DMA_BIT_MASK(32))
		return;
	*dev->dma_mask = DMA_BIT_MASK(32);
	map_buf(test, dev, a, DMA_FROM_DEVICE);
}

/* Caller errors: an errno and a log line, never a WARN or a crash. */
static void dma_caller_errors_test(struct kunit *test)
{
	struct device *dev = plain_device(test, "contig-dma-err", DMA_BIT_MASK(64));
	struct device *other = plain_device(test, "contig-dma-other", DMA_BIT_MASK(64));
	struct device *nomask = plain_device(test, "contig-dma-nomask", DMA_BIT_MASK(64));
	struct contig_buffer *a = buf_alloc(test, SZ_8K, CONTIG_KIND_CONTIGUOUS);
	struct sg_table *sgt, foreign = {};
	struct map *m;

	KUNIT_EXPECT_EQ(test, map_refused(NULL, a, DMA_TO_DEVICE), -EINVAL);
	KUNIT_EXPECT_EQ(test, map_refused(dev, NULL, DMA_TO_DEVICE), -EINVAL);
	KUNIT_EXPECT_EQ(test, map_refused(dev, ERR_PTR(-ENOMEM), DMA_TO_DEVICE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, map_refused(dev, a, DMA_NONE), -EINVAL);
	KUNIT_EXPECT_EQ(test, map_refused(dev, a, 42), -EINVAL);
	nomask->dma_mask = NULL;
	KUNIT_EXPECT_EQ(test, map_refused(nomask, a, DMA_TO_DEVICE), -EINVAL);

	KUNIT_EXPECT_EQ(test, contig_unmap(dev, a, &foreign, DMA_TO_DEVICE), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_unmap(dev, a, NULL, DMA_TO_DEVICE), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_sync_for_cpu(dev, &foreign, DMA_TO_DEVICE), -EINVAL);

	m = map_buf(test, dev, a, DMA_TO_DEVICE);
	sgt = m->sgt;
	/* Wrong direction or device for a sync: refused, nothing synced. */
	KUNIT_EXPECT_EQ(test, contig_sync_for_cpu(dev, sgt, DMA_FROM_DEVICE), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_sync_for_device(dev, sgt, DMA_NONE), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_sync_for_device(other, sgt, DMA_TO_DEVICE), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_sync_for_device(dev, sgt, DMA_TO_DEVICE), 0);
	/* Wrong direction for the unmap: reported, but unmapped as mapped. */
	KUNIT_EXPECT_EQ(test, contig_unmap(dev, a, sgt, DMA_FROM_DEVICE), -EINVAL);
	/* A second unmap finds nothing. */
	KUNIT_EXPECT_EQ(test, contig_unmap(dev, a, sgt, DMA_TO_DEVICE), -EINVAL);
	m->sgt = NULL;
	kunit_remove_action(test, unmap_action, m);
}

/* State shared with the syncing thread of dma_sync_unmap_race_test(). */
struct sync_race {
	struct device *dev;
	struct sg_table *sgt;		/* the table to sync, or NULL */
	bool stop;
	unsigned long ok, refused, other;
	struct completion done;
};

static int sync_race_thread(void *data)
{
	struct sync_race *r = data;

	while (!READ_ONCE(r->stop)) {
		struct sg_table *sgt = READ_ONCE(r->sgt);
		int ret;

		if (!sgt) {
			cpu_relax();
			continue;
		}
		ret = contig_sync_for_cpu(r->dev, sgt, DMA_FROM_DEVICE);
		if (!ret)
			r->ok++;
		else if (ret == -EINVAL)
			r->refused++;
		else
			r->other++;
	}
	complete(&r->done);
	return 0;
}

/* Stop and join the thread: an action, so an aborted case joins it too. */
static void sync_race_stop(void *data)
{
	struct sync_race *r = data;

	WRITE_ONCE(r->stop, true);
	wait_for_completion(&r->done);
}

/*
 * A sync racing with the unmap of the same table either completes on the
 * whole mapping or is refused; it never touches a freed one (KASAN would
 * report it on the console, which fails the run).  A thread syncs
 * whatever table is published, as fast as it can, while this one maps,
 * publishes, withdraws and unmaps, so that most unmaps land while a sync
 * of their table is in flight.
 */
static void dma_sync_unmap_race_test(struct kunit *test)
{
	struct device *dev = plain_device(test, "contig-dma-race", DMA_BIT_MASK(64));
	struct contig_buffer *a = buf_alloc(test, SZ_64K, CONTIG_KIND_CONTIGUOUS);
	struct task_struct *t;
	struct sync_race *r;
	struct sg_table *sgt;
	unsigned int i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->dev = dev;
	init_completion(&r->done);
	t = kthread_run(sync_race_thread, r, "contig-sync-race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sync_race_stop, r), 0);

	for (i = 0; i < 300; i++) {
		sgt = contig_map(dev, a, DMA_BIDIRECTIONAL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
		WRITE_ONCE(r->sgt, sgt);
		usleep_range(20, 40);
		WRITE_ONCE(r->sgt, NULL);
		KUNIT_EXPECT_EQ(test, contig_unmap(dev, a, sgt, DMA_BIDIRECTIONAL), 0);
	}
	kunit_release_action(test, sync_race_stop, r);
	kunit_info(test, "syncs: %lu done, %lu refused (came after the unmap)",
		   r->ok, r->refused);
	/* The precondition: syncs really ran alongside the maps and unmaps. */
	KUNIT_EXPECT_GT(test, r->ok, 0UL);
	KUNIT_EXPECT_EQ(test, r->other, 0UL);
}

static struct kunit_case dma_cases[] = {
	KUNIT_CASE(dma_direct_contiguous_test),
	KUNIT_CASE(dma_direct_boundary_test),
	KUNIT_CASE(dma_direct_sg_refused_test),
	KUNIT_CASE(dma_direct_mask_test),
	KUNIT_CASE(dma_caller_errors_test),
	KUNIT_CASE_SLOW(dma_sync_unmap_race_test),
	{}
};

static struct kunit_suite dma_suite = {
	.name = "contig_dma",
	.test_cases = dma_cases,
};

kunit_test_suites(&edu_suite, &dma_suite);

/* ---- the edu PCI driver ------------------------------------------------------ */

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct edu *e;
	int ret;

	if (the_edu)
		return -EBUSY;
	e = devm_kzalloc(dev, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->pdev = pdev;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		return ret;
	e->mmio = pcim_iomap_table(pdev)[0];
	if (!edu_is_edu(e->mmio)) {
		dev_err(dev, "does not answer like an edu device\n");
		return -ENODEV;
	}
	pci_set_master(pdev);
	/* edu truncates bus addresses to 28 bits. */
	e->dma_err = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (e->dma_err)
		dev_info(dev, "no %d-bit DMA on this system (%d): DMA cases will skip\n",
			 EDU_DMA_BITS, e->dma_err);
	/* The tests move < 4 KiB at a time; a segment may be any length. */
	dma_set_max_seg_size(dev, UINT_MAX);
	pci_set_drvdata(pdev, e);
	the_edu = e;
	dev_info(dev, "edu bound for contig's DMA tests (%s)\n",
		 contig_dev_is_translated(dev) ? "behind an IOMMU" : "no IOMMU");
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
	the_edu = NULL;
	pci_clear_master(pdev);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{}
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "contig_dma_kunit",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};
module_pci_driver(edu_driver);

MODULE_DESCRIPTION("KUnit tests of contig's device mappings, on QEMU's edu DMA engine");
MODULE_LICENSE("GPL");
