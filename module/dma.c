// SPDX-License-Identifier: GPL-2.0
/*
 * dma.c - device mappings of contig buffers.
 *
 * A buffer (buffer.c) describes its memory as a CPU sg_table: one entry
 * for a CONTIGUOUS buffer, one per block for an SG buffer, one per page
 * for a MOVABLE one.  This file turns that into what a device may use, in
 * one of two shapes:
 *
 *  - ONE RANGE, for drivers (contig_map(), contig_map_table()): the device
 *    sees the whole buffer as one contiguous DMA range.
 *  - SEGMENTS, for dma-buf importers (contig_map_segments(), dmabuf.c):
 *    a scatter-gather table, what dma_buf_map_attachment() promises and
 *    scatter-gather devices take; one range where the device has one to
 *    give, else one segment per physically contiguous piece.
 *
 * How each comes about:
 *
 *  - Behind a DMA-translating IOMMU (the device's domain is a DMA-API
 *    domain), iommu-dma allocates a single IOVA range for the whole list
 *    below the device's DMA mask and maps every block into it, so an SG
 *    buffer in any number of blocks comes back contiguous: one range in
 *    both shapes.
 *  - Without one (no IOMMU, or a passthrough domain), DMA addresses are
 *    physical addresses (dma-direct).  A CONTIGUOUS buffer maps 1:1.  A
 *    buffer whose blocks are not physically adjacent cannot be one range:
 *    ONE RANGE refuses it with -EINVAL, SEGMENTS maps each block where it
 *    is.  Both refuse memory beyond the device's reach (DMA mask and bus
 *    limit) with -ERANGE, and a device whose DMA is forced through swiotlb
 *    with -EIO: we check before mapping and compare after (a segment that
 *    came back at another address than the memory's own was bounced:
 *    -EIO), instead of letting the DMA layer bounce 64 MiB through a
 *    64 MiB pool behind the caller's back, or WARN.  dma-direct's other
 *    reason to bounce, kmalloc memory of a non-coherent device
 *    (dma_kmalloc_needs_bounce()), never applies: our segments are whole
 *    pages.
 *
 * The returned table is split into DMA segments no longer than the
 * device's max segment size (dma_parms, 64 KiB by default), and in the
 * direct case none crosses its segment boundary; in order, they tile the
 * buffer.  To get that, each mapping gets a private sg_table rebuilt from
 * the buffer's: physically adjacent blocks are joined into extents, then
 * cut.  Behind an IOMMU the cuts fall at every multiple of the max
 * segment size counted from the start of the buffer: iommu-dma joins the
 * pieces of one segment again and the IOVA range is aligned to its size,
 * so the buffer maps to exactly DIV_ROUND_UP(size, max_seg) segments; a
 * boundary smaller than the buffer is the one case where iommu-dma pads
 * the range, which the post-map check allows.  In the direct case each
 * extent is cut on its own, at the max segment size counted from its
 * start and at every boundary crossing, so the table has the fewest
 * segments the device's limits allow.  DMA-API debugging
 * (CONFIG_DMA_API_DEBUG_SG) checks the same limits on the CPU entries.
 *
 * Mapping a MOVABLE buffer pins it where it is (buffer.c's "frozen"), for
 * good once the mapping is made; a refused or failed mapping unpins what
 * it pinned (contig_buffer_sgt_use()), leaving the buffer movable.
 *
 * A mapping holds a reference on its buffer until contig_unmap().  Live
 * mappings are kept in a hash keyed by their sg_table, so unmap and sync
 * can reject a table they did not hand out, a second unmap, or a device,
 * buffer or direction that does not match, with an error instead of a
 * use-after-free or a DMA-API splat.
 *
 * A sync finds its mapping under contig_maps_lock and counts itself in
 * the mapping's @syncs before dropping the lock; contig_unmap() takes the
 * mapping out of the hash first (no new sync can find it) and then waits
 * for @syncs to drain before it unmaps and frees.  So a sync racing with
 * an unmap of the same table either fails cleanly (-EINVAL, it came too
 * late) or completes on a mapping that is still whole, never on freed
 * memory.  Syncs may run in any context; only unmap waits.
 *
 * Locking: contig_maps_lock, at its place in the lock order of
 * contig_internal.h: an irq-safe spinlock (sync may be called from
 * interrupt handlers) protecting the hash and nothing else, never held
 * across DMA-API calls.  A MOVABLE buffer is mapped under its buf->lock
 * (lock 4, taken by contig_buffer_sgt_use()), so that nothing sees it
 * pinned before its mapping is made or given up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/hashtable.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/swiotlb.h>
#include <linux/wait_bit.h>

#include <contig.h>

#include "buffer.h"
#include "contig_internal.h"
#include "dma.h"
#include "fault.h"

/**
 * struct contig_mapping - one buffer mapped for one device.
 * @sgt:	the DMA view handed to the caller (CPU entries are private).
 * @node:	entry in contig_maps, keyed by &@sgt; under contig_maps_lock.
 * @dev:	the device it is mapped for.
 * @buf:	the buffer, referenced until unmap; NULL for a bare table.
 * @size:	bytes mapped.
 * @dir:	direction given at map time.
 * @attrs:	DMA_ATTR_* given at map time.
 * @syncs:	syncs in flight on this mapping; contig_unmap() waits for 0.
 * @one:	the table's entry when it has one (a contiguous buffer within
 *		the device's max segment size): no allocation of its own.
 *
 * All fields but @node and @syncs are written before the mapping is
 * published and read-only afterwards.
 */
struct contig_mapping {
	struct sg_table sgt;
	struct hlist_node node;
	struct device *dev;
	struct contig_buffer *buf;
	size_t size;
	enum dma_data_direction dir;
	unsigned long attrs;
	atomic_t syncs;
	struct scatterlist one;
};

/* A table of @nents for @m: its own entry when one will do. */
static int __contig_mapping_table(struct contig_mapping *m, unsigned int nents)
{
	if (nents > 1)
		return sg_alloc_table(&m->sgt, nents, GFP_KERNEL);
	sg_init_table(&m->one, 1);
	m->sgt.sgl = &m->one;
	m->sgt.orig_nents = 1;
	m->sgt.nents = 1;
	return 0;
}

static void __contig_mapping_table_free(struct contig_mapping *m)
{
	if (m->sgt.sgl != &m->one)
		sg_free_table(&m->sgt);
}

/*
 * One freed mapping record kept per slot, a slot per CPU (modulo), so
 * that a map after an unmap on the same CPU allocates nothing: the record
 * is taken and put back with one atomic exchange each, from whichever
 * slot the CPU of the moment picks (any slot is correct, the exchange is
 * the only access).  Module data, so kmemleak sees the records.
 */
#define CONTIG_SPARE_SLOTS	64
static struct contig_mapping *contig_spare_mappings[CONTIG_SPARE_SLOTS];

static struct contig_mapping **__contig_spare_slot(void)
{
	return &contig_spare_mappings[raw_smp_processor_id() %
				      CONTIG_SPARE_SLOTS];
}

/* A zeroed mapping record: this CPU's spare, else a new one. */
static struct contig_mapping *__contig_mapping_alloc(void)
{
	struct contig_mapping *m = xchg(__contig_spare_slot(), NULL);

	if (!m)
		return kzalloc(sizeof(*m), GFP_KERNEL);
	memset(m, 0, sizeof(*m));
	return m;
}

/* Keep @m as this CPU's spare, or free it when the slot is taken. */
static void __contig_mapping_free(struct contig_mapping *m)
{
	if (cmpxchg(__contig_spare_slot(), NULL, m))
		kfree(m);
}

/**
 * contig_dma_exit() - free the spare mapping records, at unload.
 *
 * Context: process context, once no mapping can be made or unmade.
 */
void contig_dma_exit(void)
{
	unsigned int i;

	for (i = 0; i < CONTIG_SPARE_SLOTS; i++)
		kfree(xchg(&contig_spare_mappings[i], NULL));
}

static DEFINE_SPINLOCK(contig_maps_lock);
static DEFINE_HASHTABLE(contig_maps, 8);

static const char *const __contig_dir_name[] = {
	[DMA_BIDIRECTIONAL] = "bidirectional",
	[DMA_TO_DEVICE] = "to-device",
	[DMA_FROM_DEVICE] = "from-device",
	[DMA_NONE] = "none",
};

static bool __contig_dir_valid(enum dma_data_direction dir)
{
	return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE ||
	       dir == DMA_FROM_DEVICE;
}

/**
 * contig_dev_is_translated() - is @dev's DMA translated by an IOMMU?
 * @dev: the device.
 *
 * True when the device's IOMMU domain is one the DMA API allocates IOVAs
 * in; false without an IOMMU and for identity (passthrough) domains, where
 * DMA addresses are physical addresses.
 *
 * Context: any; the device must be bound to a driver.
 * Return: true if translated.
 */
bool contig_dev_is_translated(struct device *dev)
{
	struct iommu_domain *domain;

	if (!device_iommu_mapped(dev))
		return false;
	domain = iommu_get_domain_for_dev(dev);
	return domain && iommu_is_dma_domain(domain);
}

CONTIG_EXPORT_FOR_TESTS(contig_dev_is_translated);

/* Highest DMA address @dev can reach, from its mask and its bus limit. */
static u64 __contig_dma_limit(struct device *dev)
{
	return min_not_zero(*dev->dma_mask, dev->bus_dma_limit);
}

/*
 * Cutting a CPU table into the private table of a mapping.  Run twice: once
 * with @out NULL to count the entries, once to fill them.  Behind an IOMMU
 * the max segment size is counted from the start of the buffer, in the
 * direct case from the start of each extent (see the essay).
 */
struct __contig_cutter {
	struct device *dev;
	unsigned int seg_max;		/* a multiple of PAGE_SIZE */
	unsigned long boundary;		/* dma_get_seg_boundary() */
	bool direct;			/* DMA address == physical address */
	size_t off;			/* bytes cut so far */
	unsigned int count;		/* entries cut so far */
	struct scatterlist *out;	/* next entry to fill, or NULL */
};

/* Bytes from @phys to the end of its DMA segment boundary window. */
static u64 __contig_boundary_left(const struct __contig_cutter *c,
				  phys_addr_t phys)
{
	dma_addr_t dma = phys_to_dma(c->dev, phys);

	return (u64)c->boundary - (dma & c->boundary) + 1;
}

static void __contig_cut_extent(struct __contig_cutter *c, phys_addr_t phys,
				size_t len)
{
	size_t done = 0;

	while (len) {
		size_t at = c->direct ? done : c->off;
		size_t piece = c->seg_max - at % c->seg_max;

		if (c->direct && c->boundary != ULONG_MAX)
			piece = min_t(u64, piece,
				      __contig_boundary_left(c, phys));
		piece = min(piece, len);
		if (c->out) {
			sg_set_page(c->out, pfn_to_page(PHYS_PFN(phys)), piece,
				    offset_in_page(phys));
			c->out = sg_next(c->out);
		}
		c->count++;
		c->off += piece;
		done += piece;
		phys += piece;
		len -= piece;
	}
}

/* Feed @cpu to @c as maximal physically contiguous extents; count them. */
static unsigned int __contig_cut_table(struct __contig_cutter *c,
				       struct sg_table *cpu)
{
	phys_addr_t start = 0;
	size_t len = 0;
	unsigned int extents = 0;
	struct scatterlist *s;
	unsigned int i;

	for_each_sgtable_sg(cpu, s, i) {
		phys_addr_t p = sg_phys(s);

		if (len && start + len == p) {
			len += s->length;
			continue;
		}
		if (len)
			__contig_cut_extent(c, start, len);
		start = p;
		len = s->length;
		extents++;
	}
	if (len)
		__contig_cut_extent(c, start, len);
	return extents;
}

/*
 * One pass over @cpu: its size in *@size, and whether cutting it would
 * leave every entry whole and alone (none physically adjacent to the one
 * before, none longer than the max segment size or, behind an IOMMU,
 * across a multiple of it from the start of the buffer, none across a
 * segment boundary in the direct case).  Then the private table is a
 * plain copy, and the counting pass of the cut is saved.
 */
static bool __contig_cut_is_copy(const struct __contig_cutter *c,
				 struct sg_table *cpu, size_t *size)
{
	phys_addr_t end = 0;
	struct scatterlist *s;
	bool copy = true;
	size_t at = 0;
	unsigned int i;

	*size = 0;
	for_each_sgtable_sg(cpu, s, i) {
		size_t len = s->length;
		phys_addr_t p;

		*size += len;
		if (!copy)
			continue;
		p = sg_phys(s);
		if ((i && p == end) || at + len > c->seg_max) {
			copy = false;
			continue;
		}
		if (c->direct && c->boundary != ULONG_MAX &&
		    len > __contig_boundary_left(c, p))
			copy = false;
		end = p + len;
		/* Behind an IOMMU the cuts count from the buffer's start. */
		if (!c->direct)
			at = at + len == c->seg_max ? 0 : at + len;
	}
	return copy;
}

/* The private table as a copy of @cpu (__contig_cut_is_copy()). */
static void __contig_copy_table(struct sg_table *to, struct sg_table *cpu)
{
	struct scatterlist *s, *d = to->sgl;
	unsigned int i;

	for_each_sgtable_sg(cpu, s, i) {
		sg_set_page(d, sg_page(s), s->length, s->offset);
		d = sg_next(d);
	}
}

/*
 * Without an IOMMU: refuse what the device cannot reach, or could only
 * through swiotlb, before the DMA layer gets a chance to bounce it; and in
 * the ONE RANGE shape what is not physically contiguous.
 */
static int __contig_check_direct(struct device *dev, struct sg_table *cpu,
				 size_t size, bool one_range)
{
	struct scatterlist *s;
	phys_addr_t end = 0;
	size_t off = 0;
	unsigned int i;

	if (is_swiotlb_force_bounce(dev)) {
		dev_err_ratelimited(dev, "contig: DMA of this device is forced through swiotlb bounce buffers: refusing to map %zu bytes (-EIO)\n",
				    size);
		return -EIO;
	}
	for_each_sgtable_sg(cpu, s, i) {
		if (!contig_dma_capable(dev, phys_to_dma(dev, sg_phys(s)),
					s->length, true)) {
			dev_err_ratelimited(dev, "contig: bytes %zu-%zu of a %zu-byte buffer are beyond the device's DMA limit %#llx and it has no IOMMU: refusing to map them (-ERANGE, no bounce buffering)\n",
					    off, off + s->length - 1, size,
					    __contig_dma_limit(dev));
			return -ERANGE;
		}
		off += s->length;
	}
	if (!one_range)
		return 0;
	off = 0;
	for_each_sgtable_sg(cpu, s, i) {
		if (i && sg_phys(s) != end) {
			dev_err_ratelimited(dev, "contig: %zu-byte buffer is not physically contiguous (a gap at byte %zu) and the device has no IOMMU: refusing to map it as one range (-EINVAL)\n",
					    size, off);
			return -EINVAL;
		}
		end = sg_phys(s) + s->length;
		off += s->length;
	}
	return 0;
}

/*
 * After mapping: the DMA segments must lie below the device's limit, none
 * longer than its max segment size, in the ONE RANGE shape tile one range,
 * and in the direct case none may cross a segment boundary and every
 * segment must be the memory itself, not a bounce buffer.
 */
static int __contig_check_mapped(struct device *dev, struct sg_table *sgt,
				 size_t size, bool direct, bool one_range)
{
	unsigned long boundary = dma_get_seg_boundary(dev);
	unsigned int seg_max = dma_get_max_seg_size(dev);
	u64 limit = __contig_dma_limit(dev);
	dma_addr_t next = 0;
	struct scatterlist *s;
	size_t total = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, s, i) {
		dma_addr_t a = sg_dma_address(s);
		unsigned int len = sg_dma_len(s);
		/* iommu-dma pads the IOVA range up to a segment boundary. */
		bool padded = !direct && a > next && !(a & boundary);

		if (one_range && i && a != next && !padded) {
			dev_err_ratelimited(dev, "contig: DMA segment %u (byte %zu of the buffer) does not follow the one before: mapping is not one range\n",
					    i, total);
			return -EINVAL;
		}
		if (len > seg_max || a + len - 1 > limit ||
		    (direct && ((a ^ (a + len - 1)) & ~(u64)boundary))) {
			dev_err_ratelimited(dev, "contig: DMA segment %u (bytes %zu+%#x of the buffer) breaks the device's limits (max segment %#x, boundary %#lx, DMA limit %#llx)\n",
					    i, total, len, seg_max, boundary, limit);
			return -EINVAL;
		}
		next = a + len;
		total += len;
	}
	if (total != size) {
		dev_err_ratelimited(dev, "contig: mapped %zu of %zu bytes\n",
				    total, size);
		return -EINVAL;
	}
	if (!direct || sgt->nents != sgt->orig_nents)
		return 0;
	for_each_sgtable_sg(sgt, s, i) {
		dma_addr_t want = phys_to_dma(dev, sg_phys(s));

		if (sg_dma_address(s) != want) {
			dev_err_ratelimited(dev, "contig: DMA segment %u is not at the memory's own address (bounced): refusing the mapping (-EIO)\n",
					    i);
			return -EIO;
		}
	}
	return 0;
}

static struct contig_mapping *__contig_lookup(struct sg_table *sgt)
{
	struct contig_mapping *m;

	lockdep_assert_held(&contig_maps_lock);
	hash_for_each_possible(contig_maps, m, node, (unsigned long)sgt)
		if (&m->sgt == sgt)
			return m;
	return NULL;
}

/*
 * The engine of every mapping: check, cut, map, check again, publish.
 * @one_range picks the shape (see the essay).
 */
static struct sg_table *__contig_map_table(struct device *dev,
					   struct contig_buffer *buf,
					   struct sg_table *cpu,
					   enum dma_data_direction dir,
					   unsigned long attrs, bool one_range)
{
	struct __contig_cutter c = { .dev = dev };
	struct contig_mapping *m;
	unsigned int max, extents;
	unsigned long flags;
	size_t size;
	bool copy;
	int ret;

	if (!dev) {
		pr_err_ratelimited("map without a device\n");
		return ERR_PTR(-EINVAL);
	}
	if (!__contig_dir_valid(dir)) {
		dev_err_ratelimited(dev, "contig: map direction %d is not to-device, from-device or bidirectional\n",
				    dir);
		return ERR_PTR(-EINVAL);
	}
	if (!dev->dma_mask || !*dev->dma_mask) {
		dev_err_ratelimited(dev, "contig: device has no DMA mask (not DMA capable): refusing to map\n");
		return ERR_PTR(-EINVAL);
	}
	if (!cpu || !cpu->orig_nents) {
		dev_err_ratelimited(dev, "contig: nothing to map\n");
		return ERR_PTR(-EINVAL);
	}

	c.direct = !contig_dev_is_translated(dev);
	c.boundary = dma_get_seg_boundary(dev);
	max = dma_get_max_seg_size(dev);
	c.seg_max = round_down(max, PAGE_SIZE);
	if (!c.seg_max || c.boundary < PAGE_SIZE - 1) {
		dev_err_ratelimited(dev, "contig: device's max DMA segment size %#x or segment boundary %#lx is below a page: refusing to map\n",
				    max, c.boundary);
		return ERR_PTR(-EINVAL);
	}
	copy = __contig_cut_is_copy(&c, cpu, &size);
	if (!size) {
		dev_err_ratelimited(dev, "contig: nothing to map\n");
		return ERR_PTR(-EINVAL);
	}
	if (c.direct) {
		ret = __contig_check_direct(dev, cpu, size, one_range);
		if (ret)
			return ERR_PTR(ret);
	}

	m = __contig_mapping_alloc();
	if (!m)
		return ERR_PTR(-ENOMEM);
	if (copy) {
		extents = cpu->orig_nents;
		c.count = extents;
	} else {
		extents = __contig_cut_table(&c, cpu);
	}
	ret = __contig_mapping_table(m, c.count);
	if (ret)
		goto free_mapping;
	if (copy) {
		__contig_copy_table(&m->sgt, cpu);
	} else {
		c.off = 0;
		c.count = 0;
		c.out = m->sgt.sgl;
		__contig_cut_table(&c, cpu);
	}

	ret = contig_should_fail(CONTIG_FAULT_DMA_MAP) ? -ENOMEM :
	      dma_map_sgtable(dev, &m->sgt, dir, attrs);
	if (ret) {
		dev_err_ratelimited(dev, "contig: mapping %zu bytes in %u blocks failed (%d)\n",
				    size, extents, ret);
		goto free_table;
	}
	ret = __contig_check_mapped(dev, &m->sgt, size, c.direct, one_range);
	if (ret)
		goto unmap;

	m->dev = dev;
	m->buf = buf ? contig_get(buf) : NULL;
	m->size = size;
	m->dir = dir;
	m->attrs = attrs;
	atomic_set(&m->syncs, 0);
	spin_lock_irqsave(&contig_maps_lock, flags);
	hash_add(contig_maps, &m->node, (unsigned long)&m->sgt);
	spin_unlock_irqrestore(&contig_maps_lock, flags);
	dev_dbg(dev, "contig: mapped %zu bytes in %u blocks as %u DMA segments at %pad (%s)\n",
		size, extents, m->sgt.nents, &sg_dma_address(m->sgt.sgl),
		c.direct ? "direct" : "IOMMU");
	return &m->sgt;

unmap:
	dma_unmap_sgtable(dev, &m->sgt, dir, attrs);
free_table:
	__contig_mapping_table_free(m);
free_mapping:
	__contig_mapping_free(m);
	return ERR_PTR(ret);
}

/**
 * contig_map_table() - map the memory a CPU sg_table describes for @dev.
 * @dev:   the device.
 * @buf:   the buffer @cpu belongs to, referenced while mapped; or NULL.
 * @cpu:   the memory, page-aligned entries; not modified.
 * @dir:   DMA direction.
 * @attrs: DMA_ATTR_* flags passed to dma_map_sgtable().
 *
 * contig_map() for a table that is not (yet) a buffer: the engine behind
 * contig_map(), exported for the tests and benchmarks that build tables
 * of a chosen block size.  ONE RANGE, as contig_map().  Unmap with
 * contig_unmap(dev, @buf, sgt, @dir).
 *
 * Context: process context, may sleep.
 * Return: the DMA table, or ERR_PTR(): as contig_map().
 */
struct sg_table *contig_map_table(struct device *dev,
				  struct contig_buffer *buf,
				  struct sg_table *cpu,
				  enum dma_data_direction dir,
				  unsigned long attrs)
{
	return __contig_map_table(dev, buf, cpu, dir, attrs, true);
}

CONTIG_EXPORT_FOR_TESTS(contig_map_table);

/* A mapping of a buffer's table, made under contig_buffer_sgt_use(). */
struct __contig_map_req {
	struct device *dev;
	struct contig_buffer *buf;
	enum dma_data_direction dir;
	bool one_range;
	struct sg_table *sgt;
};

static int __contig_map_use(struct sg_table *cpu, void *arg)
{
	struct __contig_map_req *req = arg;

	req->sgt = __contig_map_table(req->dev, req->buf, cpu, req->dir, 0,
				      req->one_range);
	return PTR_ERR_OR_ZERO(req->sgt);
}

static struct sg_table *__contig_map_buffer(struct device *dev,
					    struct contig_buffer *buf,
					    enum dma_data_direction dir,
					    bool one_range)
{
	struct __contig_map_req req = {
		.dev = dev, .buf = buf, .dir = dir, .one_range = one_range,
	};
	int ret;

	if (IS_ERR_OR_NULL(buf)) {
		pr_err_ratelimited("map: no buffer\n");
		return ERR_PTR(-EINVAL);
	}
	/*
	 * The device holds addresses until contig_unmap(): a MOVABLE buffer
	 * is pinned where it is for the mapping, and unpinned again if the
	 * mapping is not made.
	 */
	ret = contig_buffer_sgt_use(buf, __contig_map_use, &req);
	if (ret && !req.sgt && dev)
		dev_err_ratelimited(dev, "contig: pinning a %zu-byte movable buffer for DMA failed (%d)\n",
				    contig_buffer_size(buf), ret);
	return ret ? ERR_PTR(ret) : req.sgt;
}

/**
 * contig_map() - map a buffer for a device's DMA, as ONE range.
 * @dev: the device, bound to a driver, with its DMA mask set.
 * @buf: any kind of buffer.
 * @dir: DMA_TO_DEVICE, DMA_FROM_DEVICE or DMA_BIDIRECTIONAL.
 *
 * Maps the whole buffer so that @dev sees it as one contiguous DMA range:
 * through the device's IOMMU when it has one (an SG buffer of any number
 * of blocks then gets one IOVA range below the DMA mask), else 1:1, which
 * only a physically contiguous buffer within the device's reach can be.
 * Memory is never bounced.  The range is split into segments of at most
 * the device's max segment size (dma_get_max_seg_size()), in order; walk
 * them with for_each_sgtable_dma_sg().  The mapping holds a reference on
 * @buf.  A MOVABLE buffer is pinned where it is from then on (frozen, see
 * buffer.c); a refused or failed mapping leaves it movable.  dma-buf
 * importers get the SEGMENTS shape instead (contig_map_segments()).
 *
 * CPU caches are synced for the device as dma_map_sgtable() does; use
 * contig_sync_for_cpu() and contig_sync_for_device() to hand the memory
 * back and forth while mapped.
 *
 * Context: process context, may sleep.
 * Return: the DMA-mapped sg_table, to be passed to contig_unmap(); or an
 * ERR_PTR(), each with one rate-limited log line naming the device and
 * the reason: -EINVAL for a bad argument, or for a buffer that is not
 * physically contiguous when the device has no IOMMU; -ERANGE when the
 * device has no IOMMU and part of the buffer is beyond its DMA mask or
 * bus limit; -EIO when its DMA would be bounced through swiotlb; -ENOMEM;
 * or the error of dma_map_sgtable() (e.g. -ENOMEM when IOVA space is out).
 */
struct sg_table *contig_map(struct device *dev, struct contig_buffer *buf,
			    enum dma_data_direction dir)
{
	return __contig_map_buffer(dev, buf, dir, true);
}
EXPORT_SYMBOL_NS_GPL(contig_map, CONTIG);

/**
 * contig_map_segments() - map a buffer for a scatter-gather device.
 * @dev: the device, with its DMA mask set.
 * @buf: any kind of buffer.
 * @dir: DMA_TO_DEVICE, DMA_FROM_DEVICE or DMA_BIDIRECTIONAL.
 *
 * contig_map() in the SEGMENTS shape, for dma-buf importers (dmabuf.c's
 * map_dma_buf): behind an IOMMU the same one range; without one, one DMA
 * segment per physically contiguous piece of the buffer, at its physical
 * address, each no longer than dma_get_max_seg_size(@dev) and crossing
 * no dma_get_seg_boundary(@dev), in buffer order, as few as those limits
 * allow.  Unmap with contig_unmap().
 *
 * Context: process context, may sleep.
 * Return: the DMA-mapped sg_table, or an ERR_PTR() as contig_map()'s
 * except that a scattered buffer is not refused: -ERANGE when part of it
 * is beyond the device's reach, -EIO when it would be bounced.
 */
struct sg_table *contig_map_segments(struct device *dev,
				     struct contig_buffer *buf,
				     enum dma_data_direction dir)
{
	return __contig_map_buffer(dev, buf, dir, false);
}

/**
 * contig_unmap() - undo contig_map().
 * @dev: the device given to contig_map().
 * @buf: the buffer given to contig_map().
 * @sgt: the table contig_map() returned.
 * @dir: the direction given to contig_map().
 *
 * Tears down the device's access (with iommu.strict, the IOTLB is flushed
 * before this returns) and drops the mapping's reference on @buf.  A table
 * that is not a live mapping, or arguments that do not match it, are
 * refused; mismatching arguments still unmap with the recorded ones.
 *
 * Context: process context, may sleep.
 * Return: 0, or -EINVAL for a caller error (logged).
 */
int contig_unmap(struct device *dev, struct contig_buffer *buf,
		 struct sg_table *sgt, enum dma_data_direction dir)
{
	struct contig_mapping *m;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&contig_maps_lock, flags);
	m = __contig_lookup(sgt);
	if (m)
		hash_del(&m->node);
	spin_unlock_irqrestore(&contig_maps_lock, flags);
	if (!m) {
		if (dev)
			dev_err(dev, "contig: unmap of %p, which is not a live mapping (unmapped twice?)\n",
				sgt);
		else
			pr_err("%s: %p is not a live mapping (unmapped twice?)\n",
			       __func__, sgt);
		return -EINVAL;
	}
	if (dev != m->dev || buf != m->buf || dir != m->dir) {
		dev_err(m->dev, "contig: unmap with other arguments than the map (device %s, direction %d): unmapping as mapped\n",
			dev ? dev_name(dev) : "(none)", dir);
		ret = -EINVAL;
	}
	/* Unpublished: no new sync can find it; let those in flight finish. */
	wait_var_event(&m->syncs, !atomic_read(&m->syncs));
	dma_unmap_sgtable(m->dev, &m->sgt, m->dir, m->attrs);
	__contig_mapping_table_free(m);
	if (m->buf)
		contig_put(m->buf);
	__contig_mapping_free(m);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(contig_unmap, CONTIG);

/*
 * Find the live mapping of @sgt, check a sync of it in direction @dir and
 * count the sync in; __contig_sync_done() counts it out.
 */
static struct contig_mapping *__contig_sync_begin(struct device *dev,
						  struct sg_table *sgt,
						  enum dma_data_direction dir,
						  bool for_cpu)
{
	enum dma_data_direction mdir = DMA_NONE;
	struct contig_mapping *m;
	unsigned long flags;
	bool ok = false;

	spin_lock_irqsave(&contig_maps_lock, flags);
	m = __contig_lookup(sgt);
	if (m && m->dev == dev) {
		mdir = m->dir;
		ok = __contig_dir_valid(dir) &&
		     (mdir == DMA_BIDIRECTIONAL || dir == mdir);
		if (ok)
			atomic_inc(&m->syncs);
	}
	spin_unlock_irqrestore(&contig_maps_lock, flags);
	if (ok)
		return m;
	if (mdir == DMA_NONE) {
		if (dev)
			dev_err(dev, "contig: sync of %p, which is not a live mapping for this device\n",
				sgt);
		else
			pr_err("sync of %p without a device\n", sgt);
	} else {
		dev_err(dev, "contig: sync for %s in direction %d of a %s mapping\n",
			for_cpu ? "cpu" : "device", dir, __contig_dir_name[mdir]);
	}
	return NULL;
}

static void __contig_sync_done(struct contig_mapping *m)
{
	if (atomic_dec_and_test(&m->syncs))
		wake_up_var(&m->syncs);
}

/**
 * contig_sync_for_device() - give a mapped buffer back to the device.
 * @dev: the device it is mapped for.
 * @sgt: the table contig_map() returned.
 * @dir: the mapping's direction (any, if it was mapped bidirectional).
 *
 * Writes back CPU caches as the architecture needs before the device
 * reads; a no-op on cache-coherent machines.
 *
 * Context: any context.
 * Return: 0, or -EINVAL if @sgt is not a live mapping for @dev or @dir
 * does not match it (logged).
 */
int contig_sync_for_device(struct device *dev, struct sg_table *sgt,
			   enum dma_data_direction dir)
{
	struct contig_mapping *m = __contig_sync_begin(dev, sgt, dir, false);

	if (!m)
		return -EINVAL;
	dma_sync_sgtable_for_device(dev, &m->sgt, dir);
	__contig_sync_done(m);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(contig_sync_for_device, CONTIG);

/**
 * contig_sync_for_cpu() - take a mapped buffer back from the device.
 * @dev: the device it is mapped for.
 * @sgt: the table contig_map() returned.
 * @dir: the mapping's direction (any, if it was mapped bidirectional).
 *
 * Call after the device's DMA is complete and before the CPU reads what
 * it wrote.
 *
 * Context: any context.
 * Return: 0, or -EINVAL if @sgt is not a live mapping for @dev or @dir
 * does not match it (logged).
 */
int contig_sync_for_cpu(struct device *dev, struct sg_table *sgt,
			enum dma_data_direction dir)
{
	struct contig_mapping *m = __contig_sync_begin(dev, sgt, dir, true);

	if (!m)
		return -EINVAL;
	dma_sync_sgtable_for_cpu(dev, &m->sgt, dir);
	__contig_sync_done(m);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(contig_sync_for_cpu, CONTIG);
