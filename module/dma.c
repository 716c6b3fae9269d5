// SPDX-License-Identifier: GPL-2.0
/*
 * dma.c - device mappings of contig buffers.
 *
 * A buffer (buffer.c) describes its memory as a CPU sg_table: one entry
 * for a CONTIGUOUS buffer, one per block for an SG buffer.  This file turns
 * that into what a device may use, and promises one thing about the
 * result: the device sees the whole buffer as ONE contiguous DMA range.
 *
 *  - Behind a DMA-translating IOMMU (the device's domain is a DMA-API
 *    domain), iommu-dma allocates a single IOVA range for the whole list
 *    below the device's DMA mask and maps every block into it, so an SG
 *    buffer in any number of blocks comes back contiguous.
 *  - Without one (no IOMMU, or a passthrough domain), DMA addresses are
 *    physical addresses.  A CONTIGUOUS buffer maps 1:1; an SG buffer whose
 *    blocks are not physically adjacent cannot be one range and is refused
 *    with -EINVAL.  So is any memory beyond the device's DMA mask, and any
 *    device whose DMA is forced through swiotlb: we check before mapping
 *    and compare after, instead of letting the DMA layer bounce 64 MiB
 *    through a 64 MiB pool behind the caller's back.
 *
 * The returned table is split into DMA segments no longer than the
 * device's max segment size (dma_parms, 64 KiB by default), and in the
 * direct case none crosses its segment boundary; they tile the range in
 * order.  To get that, each mapping gets a private sg_table rebuilt from
 * the buffer's: physically adjacent blocks are joined, then cut at every
 * multiple of the max segment size counted from the start of the buffer
 * (and at boundary crossings in the direct case).  iommu-dma joins the
 * pieces of one segment again and the IOVA range is aligned to its size,
 * so the buffer maps to exactly DIV_ROUND_UP(size, max_seg) segments; a
 * boundary smaller than the buffer is the one case where iommu-dma pads
 * the range, which the post-map check allows.  DMA-API debugging
 * (CONFIG_DMA_API_DEBUG_SG) checks the same limits on the CPU entries.
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
 * across DMA-API calls.
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
};

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
 * with @out NULL to count the entries, once to fill them.
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

static void __contig_cut_extent(struct __contig_cutter *c, phys_addr_t phys,
				size_t len)
{
	while (len) {
		size_t piece = c->seg_max - c->off % c->seg_max;

		if (c->direct && c->boundary != ULONG_MAX) {
			dma_addr_t dma = phys_to_dma(c->dev, phys);
			u64 left = (u64)c->boundary - (dma & c->boundary) + 1;

			piece = min_t(u64, piece, left);
		}
		piece = min(piece, len);
		if (c->out) {
			sg_set_page(c->out, pfn_to_page(PHYS_PFN(phys)), piece,
				    offset_in_page(phys));
			c->out = sg_next(c->out);
		}
		c->count++;
		c->off += piece;
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
 * Without an IOMMU: refuse what the device cannot take as one range, before
 * the DMA layer gets a chance to bounce it through swiotlb.
 */
static int __contig_check_direct(struct device *dev, struct sg_table *cpu,
				 size_t size)
{
	struct scatterlist *s;
	unsigned int i;
	phys_addr_t end = 0;

	if (is_swiotlb_force_bounce(dev)) {
		dev_err(dev, "contig: DMA of this device is forced through swiotlb bounce buffers: refusing to map\n");
		return -EINVAL;
	}
	for_each_sgtable_sg(cpu, s, i) {
		phys_addr_t p = sg_phys(s);

		if (i && p != end) {
			dev_err(dev, "contig: %zu-byte buffer is not physically contiguous (%pa follows %pa) and the device has no IOMMU: refusing to map it as one segment\n",
				size, &p, &end);
			return -EINVAL;
		}
		if (!contig_dma_capable(dev, phys_to_dma(dev, p), s->length, true)) {
			dev_err(dev, "contig: buffer at %pa+%#x is beyond the device's DMA limit %#llx and the device has no IOMMU: refusing to map (no bounce buffering)\n",
				&p, s->length, __contig_dma_limit(dev));
			return -EINVAL;
		}
		end = p + s->length;
	}
	return 0;
}

/*
 * After mapping: the DMA segments must tile one range below the device's
 * limit, none longer than its max segment size, and in the direct case
 * every segment must be the memory itself, not a bounce buffer.
 */
static int __contig_check_mapped(struct device *dev, struct sg_table *sgt,
				 size_t size, bool direct)
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

		if (i && a != next && !padded) {
			dev_err(dev, "contig: DMA segment %u at %pad does not follow %pad: mapping is not one range\n",
				i, &a, &next);
			return -EINVAL;
		}
		if (len > seg_max || a + len - 1 > limit) {
			dev_err(dev, "contig: DMA segment %u %pad+%#x breaks the device's limits (max segment %#x, DMA limit %#llx)\n",
				i, &a, len, seg_max, limit);
			return -EINVAL;
		}
		next = a + len;
		total += len;
	}
	if (total != size) {
		dev_err(dev, "contig: mapped %zu of %zu bytes\n", total, size);
		return -EINVAL;
	}
	if (!direct || sgt->nents != sgt->orig_nents)
		return 0;
	for_each_sgtable_sg(sgt, s, i) {
		dma_addr_t want = phys_to_dma(dev, sg_phys(s));

		if (sg_dma_address(s) != want) {
			dma_addr_t got = sg_dma_address(s);

			dev_err(dev, "contig: DMA address %pad is not the memory's own %pad (bounced?): refusing the mapping\n",
				&got, &want);
			return -EINVAL;
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
 * of a chosen block size.  Unmap with contig_unmap(dev, @buf, sgt, @dir).
 *
 * Context: process context, may sleep.
 * Return: the DMA table, or ERR_PTR(-EINVAL/-ENOMEM/-EIO).
 */
struct sg_table *contig_map_table(struct device *dev,
				  struct contig_buffer *buf,
				  struct sg_table *cpu,
				  enum dma_data_direction dir,
				  unsigned long attrs)
{
	struct __contig_cutter c = { .dev = dev };
	struct contig_mapping *m;
	unsigned int max, extents;
	struct scatterlist *s;
	unsigned long flags;
	size_t size = 0;
	unsigned int i;
	int ret;

	if (!dev) {
		pr_err("map without a device\n");
		return ERR_PTR(-EINVAL);
	}
	if (!__contig_dir_valid(dir)) {
		dev_err(dev, "contig: map direction %d is not to-device, from-device or bidirectional\n",
			dir);
		return ERR_PTR(-EINVAL);
	}
	if (!dev->dma_mask || !*dev->dma_mask) {
		dev_err(dev, "contig: device has no DMA mask (not DMA capable): refusing to map\n");
		return ERR_PTR(-EINVAL);
	}
	if (!cpu || !cpu->orig_nents) {
		dev_err(dev, "contig: nothing to map\n");
		return ERR_PTR(-EINVAL);
	}
	for_each_sgtable_sg(cpu, s, i)
		size += s->length;
	if (!size) {
		dev_err(dev, "contig: nothing to map\n");
		return ERR_PTR(-EINVAL);
	}

	c.direct = !contig_dev_is_translated(dev);
	c.boundary = dma_get_seg_boundary(dev);
	max = dma_get_max_seg_size(dev);
	c.seg_max = round_down(max, PAGE_SIZE);
	if (!c.seg_max) {
		dev_err(dev, "contig: device's max DMA segment size %#x is below a page\n",
			max);
		return ERR_PTR(-EINVAL);
	}
	if (c.direct) {
		ret = __contig_check_direct(dev, cpu, size);
		if (ret)
			return ERR_PTR(ret);
	}

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	extents = __contig_cut_table(&c, cpu);
	ret = sg_alloc_table(&m->sgt, c.count, GFP_KERNEL);
	if (ret)
		goto free_mapping;
	c.off = 0;
	c.count = 0;
	c.out = m->sgt.sgl;
	__contig_cut_table(&c, cpu);

	ret = contig_should_fail(CONTIG_FAULT_DMA_MAP) ? -ENOMEM :
	      dma_map_sgtable(dev, &m->sgt, dir, attrs);
	if (ret) {
		dev_err(dev, "contig: mapping %zu bytes in %u blocks failed (%d)\n",
			size, extents, ret);
		goto free_table;
	}
	ret = __contig_check_mapped(dev, &m->sgt, size, c.direct);
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
	sg_free_table(&m->sgt);
free_mapping:
	kfree(m);
	return ERR_PTR(ret);
}

CONTIG_EXPORT_FOR_TESTS(contig_map_table);

/**
 * contig_map() - map a buffer for a device's DMA.
 * @dev: the device, bound to a driver, with its DMA mask set.
 * @buf: any kind of buffer.
 * @dir: DMA_TO_DEVICE, DMA_FROM_DEVICE or DMA_BIDIRECTIONAL.
 *
 * Maps the whole buffer so that @dev sees it as one contiguous DMA range:
 * through the device's IOMMU when it has one (an SG buffer of any number
 * of blocks then gets one IOVA range below the DMA mask), else 1:1, which
 * only a physically contiguous buffer below the DMA mask can be.  Memory is
 * never bounced.  The range is split into segments of at most the device's
 * max segment size (dma_get_max_seg_size()), in order; walk them with
 * for_each_sgtable_dma_sg().  The mapping holds a reference on @buf.
 *
 * CPU caches are synced for the device as dma_map_sgtable() does; use
 * contig_sync_for_cpu() and contig_sync_for_device() to hand the memory
 * back and forth while mapped.
 *
 * Context: process context, may sleep.
 * Return: the DMA-mapped sg_table, to be passed to contig_unmap(); or
 * ERR_PTR(-EINVAL) for a bad argument or a buffer the device cannot reach
 * as one range without bouncing (the log says which), ERR_PTR(-ENOMEM),
 * or the error of dma_map_sgtable() (e.g. -ENOMEM when IOVA space is out).
 */
struct sg_table *contig_map(struct device *dev, struct contig_buffer *buf,
			    enum dma_data_direction dir)
{
	struct sg_table *cpu;

	if (IS_ERR_OR_NULL(buf)) {
		pr_err("%s: no buffer\n", __func__);
		return ERR_PTR(-EINVAL);
	}
	/*
	 * The device holds addresses until contig_unmap(): the CPU table of a
	 * MOVABLE buffer pins it where it is (contig_buffer_sgt()).
	 */
	cpu = contig_buffer_sgt(buf);
	if (IS_ERR(cpu))
		return cpu;
	return contig_map_table(dev, buf, cpu, dir, 0);
}
EXPORT_SYMBOL_GPL(contig_map);

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
	sg_free_table(&m->sgt);
	if (m->buf)
		contig_put(m->buf);
	kfree(m);
	return ret;
}
EXPORT_SYMBOL_GPL(contig_unmap);

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
EXPORT_SYMBOL_GPL(contig_sync_for_device);

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
EXPORT_SYMBOL_GPL(contig_sync_for_cpu);
