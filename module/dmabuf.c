// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf.c - a buffer's dma-buf: the exporter.
 *
 * Every buffer that leaves the kernel does so as a dma-buf exported here
 * (contig_buffer_export()), and everything done to it through that dma-buf
 * is this file's:
 *
 *  - importers: attach, and map through contig_map_segments() (dma.c):
 *    behind an IOMMU the whole buffer as one DMA range, without one a
 *    scatter-gather table of its physically contiguous pieces within the
 *    device's segment limits; memory beyond the device's reach (-ERANGE)
 *    or that would be bounced (-EIO) is refused with a log line naming the
 *    device, and a refused map leaves a MOVABLE buffer movable; each
 *    attachment (struct contig_attachment) remembers its mapping for the
 *    CPU-access syncs below;
 *  - user mappings (mmap of the fd): struct pages inserted up front when
 *    the region is in the linear map, else a PFN map filled one page per
 *    fault (buffer.c's essay says why); a MOVABLE buffer's faults are
 *    movable.c's, which follows its pages as they move.  Both kinds of
 *    mapping have a fault handler that puts the buffer's own page back,
 *    so whatever empties page table entries (MADV_DONTNEED, MADV_PAGEOUT,
 *    a zap by the core) costs a fault, never the data;
 *  - kernel mappings for importers (vmap/vunmap): the buffer's own
 *    contig_buffer_vaddr(), kept until the buffer is freed;
 *  - CPU access (begin/end_cpu_access, DMA_BUF_IOCTL_SYNC, and the ranged
 *    CONTIG_IOCTL_SYNC): the DMA API's sync for every device mapping, in
 *    the direction it was mapped with (bouncing or cache operations as the
 *    device needs), flush/invalidate of the kernel vmap alias where the
 *    architecture needs one, and for WC a write barrier that drains the
 *    write-combining buffers before a device looks.
 *
 * A fault of a CONTIGUOUS or SG buffer reads only what never changes
 * after allocation (the chunk array), so it takes no lock and never waits
 * behind a sync.
 *
 * Locking: buf->lock (protects the attachment list and each attachment's
 * mapping state), at its place in the lock order of contig_internal.h.
 * The fault handler of a MOVABLE buffer takes only movable.c's mov->lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <contig.h>

#include "buffer.h"
#include "dma.h"
#include "dmabuf.h"
#include "fault.h"
#include "movable.h"

MODULE_IMPORT_NS(CONTIG_NS(DMA_BUF));

/**
 * struct contig_attachment - one importing device.
 * @dev:	the device.
 * @sgt:	the buffer mapped for @dev by contig_map_segments() (dma.c), while
 *		@mapped.
 * @dir:	direction it was mapped with.
 * @mapped:	between map_dma_buf and unmap_dma_buf.
 * @node:	in buf->attachments, under buf->lock.
 */
struct contig_attachment {
	struct device *dev;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	bool mapped;
	struct list_head node;
};

static const struct dma_buf_ops contig_dmabuf_ops;

/* ---- CPU access ----------------------------------------------------------- */

/*
 * Sync [@off, @off + @len) of every device mapping, in the direction that
 * mapping was made with (the only one the DMA API allows), walking its DMA
 * segments in buffer order.
 */
static void __contig_sync_attachment(struct contig_attachment *a, u64 off,
				     u64 len, bool for_cpu)
{
	struct scatterlist *sg;
	u64 pos = 0, end = off + len;
	unsigned int i;

	for_each_sgtable_dma_sg(a->sgt, sg, i) {
		u64 s = pos, e = pos + sg_dma_len(sg);
		u64 from = max(s, off), to = min(e, end);

		pos = e;
		if (from >= to)
			continue;
		if (for_cpu)
			dma_sync_single_range_for_cpu(a->dev, sg_dma_address(sg),
						      from - s, to - from,
						      a->dir);
		else
			dma_sync_single_range_for_device(a->dev,
							 sg_dma_address(sg),
							 from - s, to - from,
							 a->dir);
		if (e >= end)
			break;
	}
}

static void __contig_sync(struct contig_buffer *buf, u64 off, u64 len,
			  bool for_cpu)
{
	struct contig_attachment *a;

	mutex_lock(&buf->lock);
	if (buf->vmapped) {
		if (for_cpu)
			invalidate_kernel_vmap_range(buf->vaddr + off, len);
		else
			flush_kernel_vmap_range(buf->vaddr + off, len);
	}
	list_for_each_entry(a, &buf->attachments, node) {
		if (!a->mapped)
			continue;
		if (!off && len == buf->size) {
			if (for_cpu)
				dma_sync_sgtable_for_cpu(a->dev, a->sgt, a->dir);
			else
				dma_sync_sgtable_for_device(a->dev, a->sgt,
							    a->dir);
		} else {
			__contig_sync_attachment(a, off, len, for_cpu);
		}
	}
	mutex_unlock(&buf->lock);
	/*
	 * Drain the write-combining buffers, so that CPU stores through a WC
	 * mapping are in memory before a device is told to look.
	 */
	if (!for_cpu && (buf->flags & CONTIG_FLAG_WC))
		wmb();	/* orders WC stores before the device is told */
}

/**
 * contig_buffer_sync_check() - validate a ranged sync before the lookup.
 * @off:   first byte.
 * @len:   bytes.
 * @flags: CONTIG_SYNC_* (uapi).
 *
 * Context: any.
 * Return: 0, -EINVAL for bad flags or a zero length, -EOVERFLOW when
 * @off + @len wraps.
 */
int contig_buffer_sync_check(u64 off, u64 len, unsigned int flags)
{
	unsigned int where = flags & (CONTIG_SYNC_FOR_CPU | CONTIG_SYNC_FOR_DEVICE);
	u64 end;

	if (flags & ~CONTIG_SYNC_VALID_FLAGS) {
		pr_info_ratelimited("sync: unknown flags %#x\n",
				    flags & ~CONTIG_SYNC_VALID_FLAGS);
		return -EINVAL;
	}
	if (where != CONTIG_SYNC_FOR_CPU && where != CONTIG_SYNC_FOR_DEVICE) {
		pr_info_ratelimited("sync: give exactly one of FOR_CPU and FOR_DEVICE\n");
		return -EINVAL;
	}
	if (!(flags & (CONTIG_SYNC_READ | CONTIG_SYNC_WRITE))) {
		pr_info_ratelimited("sync: give READ, WRITE or both\n");
		return -EINVAL;
	}
	if (!len) {
		pr_info_ratelimited("sync: zero length\n");
		return -EINVAL;
	}
	if (check_add_overflow(off, len, &end)) {
		pr_info_ratelimited("sync: offset %llu + length %llu overflows\n",
				    off, len);
		return -EOVERFLOW;
	}
	return 0;
}

/**
 * contig_buffer_sync_range() - cache maintenance for part of a buffer.
 * @buf:   the buffer.
 * @off:   first byte.
 * @len:   bytes.
 * @flags: CONTIG_SYNC_* (uapi): FOR_CPU does what begin_cpu_access does,
 *         FOR_DEVICE what end_cpu_access does, for this range only.
 *
 * Context: process context, may sleep.
 * Return: 0, or as contig_buffer_sync_check(), or -EINVAL for a range
 * reaching past the end of @buf.
 */
int contig_buffer_sync_range(struct contig_buffer *buf, u64 off, u64 len,
			     unsigned int flags)
{
	int ret = contig_buffer_sync_check(off, len, flags);

	if (ret)
		return ret;
	if (off + len > buf->size) {
		pr_info_ratelimited("sync: range %llu+%llu is past the end of buffer %llu (%zu bytes)\n",
				    off, len, buf->id, buf->size);
		return -EINVAL;
	}
	__contig_sync(buf, off, len, flags & CONTIG_SYNC_FOR_CPU);
	return 0;
}

CONTIG_EXPORT_FOR_TESTS(contig_buffer_sync_range);

/* ---- the dma-buf --------------------------------------------------------- */

static int __contig_dmabuf_attach(struct dma_buf *dmabuf,
				  struct dma_buf_attachment *attachment)
{
	struct contig_buffer *buf = dmabuf->priv;
	struct contig_attachment *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->dev = attachment->dev;
	attachment->priv = a;
	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	return 0;
}

static void __contig_dmabuf_detach(struct dma_buf *dmabuf,
				   struct dma_buf_attachment *attachment)
{
	struct contig_buffer *buf = dmabuf->priv;
	struct contig_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	mutex_unlock(&buf->lock);
	kfree(a);
}

static struct sg_table *
__contig_dmabuf_map(struct dma_buf_attachment *attachment,
		    enum dma_data_direction dir)
{
	struct contig_buffer *buf = attachment->dmabuf->priv;
	struct contig_attachment *a = attachment->priv;
	struct sg_table *sgt;

	/*
	 * A scatter-gather table, as importers expect; a MOVABLE buffer is
	 * pinned where it is (frozen) once this succeeds, and stays movable
	 * when it fails.
	 */
	sgt = contig_map_segments(attachment->dev, buf, dir);
	if (IS_ERR(sgt))
		return sgt;
	mutex_lock(&buf->lock);
	a->sgt = sgt;
	a->dir = dir;
	a->mapped = true;
	mutex_unlock(&buf->lock);
	return sgt;
}

static void __contig_dmabuf_unmap(struct dma_buf_attachment *attachment,
				  struct sg_table *sgt,
				  enum dma_data_direction dir)
{
	struct contig_buffer *buf = attachment->dmabuf->priv;
	struct contig_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	a->mapped = false;
	a->sgt = NULL;
	mutex_unlock(&buf->lock);
	/* The core hands back what we returned: a refusal is a bug. */
	WARN_ON_ONCE(contig_unmap(attachment->dev, buf, sgt, dir));
}

static int __contig_dmabuf_begin_cpu(struct dma_buf *dmabuf,
				     enum dma_data_direction dir)
{
	struct contig_buffer *buf = dmabuf->priv;

	__contig_sync(buf, 0, buf->size, true);
	return 0;
}

static int __contig_dmabuf_end_cpu(struct dma_buf *dmabuf,
				   enum dma_data_direction dir)
{
	struct contig_buffer *buf = dmabuf->priv;

	__contig_sync(buf, 0, buf->size, false);
	return 0;
}

/*
 * PFN mappings (MOVABLE, and every kind when the region is not in the
 * linear map): one PFN per fault.  MOVABLE pages are looked up and
 * inserted by migrate.c under the lock a migration takes to zap them.
 */
static vm_fault_t __contig_pfn_fault(struct vm_fault *vmf)
{
	struct contig_buffer *buf = vmf->vma->vm_private_data;

	if (vmf->pgoff >= buf->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	if (buf->mov)
		return contig_movable_fault(buf->mov, vmf);
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      page_to_pfn(contig_buffer_page(buf, vmf->pgoff)));
}

static const struct vm_operations_struct contig_pfn_vm_ops = {
	.fault = __contig_pfn_fault,
};

/*
 * Struct-page mappings (CONTIGUOUS and SG, region linearly mapped): every
 * page is inserted at mmap time, but anything may empty an entry later
 * (MADV_DONTNEED or MADV_PAGEOUT from user space, a zap by the core): put
 * the same page back, refcounted as at mmap time, so the data stays and
 * get_user_pages() keeps working on it.  VM_MIXEDMAP is set, so
 * vm_insert_page() needs no write lock of the mm here.
 */
static vm_fault_t __contig_page_fault(struct vm_fault *vmf)
{
	struct contig_buffer *buf = vmf->vma->vm_private_data;
	int ret;

	if (vmf->pgoff >= buf->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	ret = vm_insert_page(vmf->vma, vmf->address,
			     contig_buffer_page(buf, vmf->pgoff));
	/* -EBUSY: a racing fault put it back first. */
	if (ret && ret != -EBUSY)
		return vmf_error(ret);
	return VM_FAULT_NOPAGE;
}

static const struct vm_operations_struct contig_page_vm_ops = {
	.fault = __contig_page_fault,
};

/* CONTIGUOUS and SG, region linearly mapped: insert the struct pages. */
static int __contig_mmap_pages(struct contig_buffer *buf,
			       struct vm_area_struct *vma)
{
	unsigned long pgoff = vma->vm_pgoff, left = vma_pages(vma);
	unsigned long addr = vma->vm_start;
	struct page *batch[32];
	int ret;

	while (left) {
		unsigned long n = 0, cnt;

		while (n < ARRAY_SIZE(batch) && left) {
			batch[n++] = contig_buffer_page(buf, pgoff++);
			left--;
		}
		cnt = n;
		ret = vm_insert_pages(vma, addr, batch, &cnt);
		if (ret)
			return ret;
		addr += n << PAGE_SHIFT;
	}
	return 0;
}

static int __contig_dmabuf_mmap(struct dma_buf *dmabuf,
				struct vm_area_struct *vma)
{
	struct contig_buffer *buf = dmabuf->priv;
	int ret;

	/*
	 * The core checked vm_pgoff + pages against the size.  A shared
	 * mapping of a read-only fd has VM_MAYSHARE but not VM_SHARED.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE)) {
		pr_info_ratelimited("mmap of buffer %llu refused: use MAP_SHARED\n",
				    buf->id);
		return -EINVAL;
	}
	if (buf->flags & CONTIG_FLAG_WC)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	if (contig_buffer_is_pfn_mapped(buf)) {
		vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
			     VM_DONTDUMP);
		vma->vm_ops = &contig_pfn_vm_ops;
		vma->vm_private_data = buf;
		return 0;
	}
	vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &contig_page_vm_ops;
	vma->vm_private_data = buf;
	ret = __contig_mmap_pages(buf, vma);
	if (ret)
		pr_warn_ratelimited("mmap of buffer %llu: inserting pages failed (%d)\n",
				    buf->id, ret);
	return ret;
}

static int __contig_dmabuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct contig_buffer *buf = dmabuf->priv;
	void *va = contig_buffer_vaddr(buf);

	if (IS_ERR(va))
		return PTR_ERR(va);
	mutex_lock(&buf->lock);
	buf->vmap_users++;
	mutex_unlock(&buf->lock);
	iosys_map_set_vaddr(map, va);
	return 0;
}

static void __contig_dmabuf_vunmap(struct dma_buf *dmabuf,
				   struct iosys_map *map)
{
	struct contig_buffer *buf = dmabuf->priv;

	/* The mapping itself lives until the buffer is freed. */
	mutex_lock(&buf->lock);
	buf->vmap_users--;
	mutex_unlock(&buf->lock);
	iosys_map_clear(map);
}

static void __contig_dmabuf_release(struct dma_buf *dmabuf)
{
	struct contig_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	if (buf->dmabuf == dmabuf) {
		buf->dmabuf = NULL;
		if (buf->mov)
			contig_movable_set_mapping(buf->mov, NULL);
	}
	mutex_unlock(&buf->lock);
	contig_put(buf);
}

static const struct dma_buf_ops contig_dmabuf_ops = {
	.attach = __contig_dmabuf_attach,
	.detach = __contig_dmabuf_detach,
	.map_dma_buf = __contig_dmabuf_map,
	.unmap_dma_buf = __contig_dmabuf_unmap,
	.begin_cpu_access = __contig_dmabuf_begin_cpu,
	.end_cpu_access = __contig_dmabuf_end_cpu,
	.mmap = __contig_dmabuf_mmap,
	.vmap = __contig_dmabuf_vmap,
	.vunmap = __contig_dmabuf_vunmap,
	.release = __contig_dmabuf_release,
};

/**
 * contig_buffer_export() - wrap a buffer in a new dma-buf.
 * @buf:      the buffer; the dma-buf takes its own reference.
 * @on_release: NULL, or what to call once the buffer's memory is back in
 *            the region (see struct contig_buffer_release); set only when
 *            the export succeeds, so a failed export leaves it to the
 *            caller.
 * @fd_flags: O_RDWR or O_RDONLY, optionally O_CLOEXEC, for the file.
 *
 * The dma-buf holds a reference on this module until it is released.
 *
 * Context: process context, may sleep.
 * Return: the dma-buf, or ERR_PTR(-errno).
 */
struct dma_buf *contig_buffer_export(struct contig_buffer *buf,
				     const struct contig_buffer_release *on_release,
				     u32 fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;

	exp_info.exp_name = CONTIG_NAME;
	exp_info.ops = &contig_dmabuf_ops;
	exp_info.size = buf->size;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;
	contig_get(buf);
	dmabuf = contig_should_fail(CONTIG_FAULT_EXPORT) ? ERR_PTR(-ENOMEM) :
		 dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		pr_warn_ratelimited("buffer %llu: dma_buf_export failed (%ld)\n",
				    buf->id, PTR_ERR(dmabuf));
		contig_put(buf);
		return dmabuf;
	}
	mutex_lock(&buf->lock);
	/*
	 * Every user mapping of the dma-buf hangs off its file's mapping, where
	 * a migration zaps it.  movable.c knows one mapping: a MOVABLE buffer
	 * exported a second time stops moving.
	 */
	if (buf->mov && buf->dmabuf && contig_buffer_freeze(buf))
		pr_warn_ratelimited("buffer %llu: exported again but cannot be pinned\n",
				    buf->id);
	else if (buf->mov && !buf->dmabuf)
		contig_movable_set_mapping(buf->mov, dmabuf->file->f_mapping);
	buf->dmabuf = dmabuf;
	if (on_release) {
		WARN_ON_ONCE(buf->on_release.fn);
		buf->on_release = *on_release;
	}
	mutex_unlock(&buf->lock);
	return dmabuf;
}

CONTIG_EXPORT_FOR_TESTS(contig_buffer_export);

/**
 * contig_buffer_from_dmabuf() - our buffer behind a dma-buf.
 * @dmabuf: any dma-buf.
 *
 * Context: any.
 * Return: the buffer (no new reference: valid while @dmabuf is held), or
 * NULL when someone else exported @dmabuf.
 */
struct contig_buffer *contig_buffer_from_dmabuf(struct dma_buf *dmabuf)
{
	return dmabuf->ops == &contig_dmabuf_ops ? dmabuf->priv : NULL;
}

CONTIG_EXPORT_FOR_TESTS(contig_buffer_from_dmabuf);
