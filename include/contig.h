/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contig.h - the in-kernel API of contig.ko, for drivers.
 *
 * contig.ko manages one or more boot-reserved regions of RAM (region=, the
 * first the default).  Drivers get from them:
 *
 *  - buffers (struct contig_buffer): one physically contiguous block, a
 *    scatter-gather list of large blocks, or movable memory; reference
 *    counted, shared with user space as dma-bufs through /dev/contig;
 *  - device mappings of those buffers (contig_map), through the IOMMU
 *    when the device sits behind one;
 *  - object caches (struct contig_cache) and kmalloc-like size classes for
 *    small DMA-able objects carved from the region.
 *
 * Every function returning a pointer returns ERR_PTR(-errno) on failure,
 * never NULL.  Every failure also leaves one line in the kernel log saying
 * why, and changes nothing else.
 *
 * The functions are exported in the symbol namespace CONTIG: a module that
 * calls them says CONTIG_IMPORT_NS() once, at file scope (modpost refuses
 * it otherwise).  samples/edu/ is a whole driver, README.md "Building a
 * driver on contig" how to build one against an installed contig, and
 * Documentation/api.rst the reference of every exported function.
 */
#ifndef _CONTIG_H
#define _CONTIG_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/dma-direction.h>
#include <linux/gfp.h>

#include <uapi/contig.h>

/*
 * CONTIG_IMPORT_NS() - import contig's symbol namespace.
 *
 * What MODULE_IMPORT_NS(CONTIG) records on kernels before 6.13 and
 * MODULE_IMPORT_NS("CONTIG") from 6.13 on, when namespaces became string
 * literals: the same .modinfo entry, so one spelling builds on both.
 */
#define CONTIG_NAMESPACE	"CONTIG"
#define CONTIG_IMPORT_NS()	MODULE_INFO(import_ns, CONTIG_NAMESPACE)

struct device;
struct sg_table;
struct contig_buffer;
struct contig_cache;
struct contig_movable;

/* ---- buffers (module/buffer.c) ---------------------------------------- */

/**
 * contig_alloc() - allocate a buffer from the region.
 * @size:  bytes, rounded up to whole pages.
 * @align: byte alignment of a CONTIGUOUS buffer's physical address, a power
 *         of two, 0 for page alignment; for SG, the minimum chunk alignment;
 *         for MOVABLE, 0 or PAGE_SIZE only (its pages move one at a time:
 *         a larger alignment is refused with -EINVAL).
 * @kind:  CONTIG_KIND_CONTIGUOUS, CONTIG_KIND_SG or CONTIG_KIND_MOVABLE.
 * @flags: CONTIG_FLAG_* from <uapi/contig.h>.
 *
 * The caller holds one reference; drop it with contig_put().
 *
 * Context: process context, may sleep.
 * Return: the buffer or ERR_PTR(-EINVAL/-ENOMEM/-EBUSY).
 */
struct contig_buffer *contig_alloc(size_t size, size_t align,
				   unsigned int kind, unsigned int flags);
/*
 * contig_alloc_from() is contig_alloc() from the region of region= named
 * @region (SIZE@BASE:NAME; unnamed ones are "region<index>"), NULL for the
 * default region, the first: ERR_PTR(-ENODEV) when there is no such
 * region.  Only the default region lends to the kernel and holds MOVABLE
 * memory; the others serve CONTIGUOUS and SG buffers from what is free in
 * them.  Full kernel-doc in module/buffer.c.
 */
struct contig_buffer *contig_alloc_from(const char *region, size_t size,
					size_t align, unsigned int kind,
					unsigned int flags);
/*
 * contig_alloc_dev() is contig_alloc() from the region @dev's device-tree
 * "memory-region" names (its first entry that is one of contig's regions;
 * the default region when @dev has none): ERR_PTR(-ENODEV) when its
 * entries name none of contig's.  Full kernel-doc in module/buffer.c.
 */
struct contig_buffer *contig_alloc_dev(struct device *dev, size_t size,
				       size_t align, unsigned int kind,
				       unsigned int flags);
struct contig_buffer *contig_get(struct contig_buffer *buf);
void contig_put(struct contig_buffer *buf);

size_t contig_buffer_size(const struct contig_buffer *buf);
unsigned int contig_buffer_kind(const struct contig_buffer *buf);
/* Kernel virtual address of the whole buffer (vmap for SG), or ERR_PTR. */
void *contig_buffer_vaddr(struct contig_buffer *buf);
/* Physical address of a CONTIGUOUS buffer; -EINVAL for other kinds. */
int contig_buffer_phys(const struct contig_buffer *buf, phys_addr_t *phys);
/* The buffer's pages as an sg_table (CPU view, not DMA mapped). */
struct sg_table *contig_buffer_sgt(struct contig_buffer *buf);
/* Number of physically contiguous chunks: 1 for CONTIGUOUS. */
unsigned long contig_buffer_nr_chunks(const struct contig_buffer *buf);

/*
 * contig_alloc_ex() is contig_alloc() that also says, in @report (may be
 * NULL), what a CONTIGUOUS request found: the windows it could not empty
 * and why, the largest free block, the bytes of movable memory moved.
 * contig_alloc_query() is its dry run: would a CONTIGUOUS request of
 * @size at @align succeed now, and how many bytes would move?  It returns
 * 0, -EBUSY (only pinned memory is in the way) or -ENOMEM, allocates and
 * moves nothing.  Full kernel-doc in module/buffer.c.
 */
struct contig_buffer *contig_alloc_ex(size_t size, size_t align,
				      unsigned int kind, unsigned int flags,
				      struct contig_alloc_report *report);
int contig_alloc_query(size_t size, size_t align,
		       struct contig_alloc_report *report);

/* ---- movable memory (module/movable.c) -------------------------------- */

/*
 * Region memory lent out, with no fixed address: when a CONTIGUOUS
 * request needs its frames, its pages are moved elsewhere in the region
 * or to system memory.  Reach it only between contig_movable_map(), which
 * pins it and returns a kernel address of the whole allocation, and
 * contig_movable_unmap() (zsmalloc's zs_map_object() pattern); keep such
 * windows short, a pinned page makes contiguous requests fail with
 * -EBUSY.  Full kernel-doc in module/movable.c.
 */
struct contig_movable *contig_movable_alloc(size_t size, unsigned int flags);
void contig_movable_free(struct contig_movable *mov);
void *contig_movable_map(struct contig_movable *mov);
void contig_movable_unmap(struct contig_movable *mov);
size_t contig_movable_size(const struct contig_movable *mov);

/* ---- device mappings (module/dma.c) ----------------------------------- */

/*
 * contig_map() maps a buffer of any kind so that @dev sees it as ONE
 * contiguous DMA range: through the device's IOMMU when it has one (an SG
 * buffer then gets a single IOVA range below the DMA mask), 1:1 otherwise,
 * where a buffer that is not physically contiguous is refused with
 * -EINVAL, one beyond the device's DMA mask or bus limit with -ERANGE,
 * and a device whose DMA would be bounced through swiotlb with -EIO:
 * nothing is ever bounced.  The returned table walks that range
 * (for_each_sgtable_dma_sg) in segments no longer than
 * dma_get_max_seg_size(@dev).  The mapping holds a reference on @buf
 * until contig_unmap(); a MOVABLE buffer is pinned where it is from then
 * on, and a refused or failed mapping leaves it movable.
 *
 * The one-range promise is for drivers.  A device that imports the
 * buffer's dma-buf (dma_buf_map_attachment()) gets a scatter-gather table
 * instead when it has no IOMMU: one segment per physically contiguous
 * piece, within its max segment size and segment boundary; the same
 * -ERANGE and -EIO refusals apply.  Full kernel-doc in module/dma.c.
 */
struct sg_table *contig_map(struct device *dev, struct contig_buffer *buf,
			    enum dma_data_direction dir);
int contig_unmap(struct device *dev, struct contig_buffer *buf,
		 struct sg_table *sgt, enum dma_data_direction dir);
int contig_sync_for_device(struct device *dev, struct sg_table *sgt,
			   enum dma_data_direction dir);
int contig_sync_for_cpu(struct device *dev, struct sg_table *sgt,
			enum dma_data_direction dir);

/* ---- object caches (module/slab.c) ------------------------------------ */

/*
 * Small DMA-able objects from the region, as kmem_cache and dma_pool give
 * them from system memory: every object is physically contiguous, lies in
 * the region's write-back mapping and has a physical address (the @phys
 * argument).  A cache's objects have one size and alignment and cross no
 * multiple of its boundary.  contig_kmalloc() serves any size from size
 * classes (to PAGE_SIZE) or whole frames (beyond).  Wrong frees (another
 * cache's object, a pointer into an object, a double free) are reported in
 * the kernel log and ignored.  Full kernel-doc in module/slab.c.
 */

/* Cache flags. */
#define CONTIG_CACHE_DEBUG	BIT(0)	/* red zones, poison on free */
#define CONTIG_CACHE_VALID_FLAGS	CONTIG_CACHE_DEBUG

struct contig_cache *contig_cache_create(const char *name, size_t size,
					 size_t align, size_t boundary,
					 unsigned int flags,
					 void (*ctor)(void *obj));
int contig_cache_destroy(struct contig_cache *cache);
void *contig_cache_alloc(struct contig_cache *cache, gfp_t gfp,
			 phys_addr_t *phys);
void contig_cache_free(struct contig_cache *cache, void *obj);
int contig_cache_shrink(struct contig_cache *cache);
void contig_cache_set_keep_empty(struct contig_cache *cache, unsigned int nr);

void *contig_kmalloc(size_t size, gfp_t gfp, phys_addr_t *phys);
void contig_kfree(const void *obj);
size_t contig_ksize(const void *obj);

#endif /* _CONTIG_H */
