/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contig_internal.h - state shared between the files of contig.ko.
 *
 * Nothing here is ABI.  Drivers use include/contig.h, programs use
 * include/uapi/contig.h.  KUnit modules reach the few internals they test
 * through symbols exported in the CONTIG_INTERNAL namespace, and only on
 * kernels built with CONFIG_KUNIT.
 *
 * Lock order (outermost first): contig_region_mutex, region->buddy.lock.
 * Movable memory and migration (migrate.c): mmap_lock or
 * contig_movable_mutex, then a handle's lock, then the mapping's
 * i_mmap_rwsem and page table locks, then region->buddy.lock.
 */
#ifndef _CONTIG_INTERNAL_H
#define _CONTIG_INTERNAL_H

#include <linux/types.h>
#include <linux/dma-direction.h>
#include <linux/mutex.h>
#include <linux/module.h>

#include "buddy_core.h"

#define CONTIG_NAME "contig"

#if IS_ENABLED(CONFIG_KUNIT)
#define CONTIG_EXPORT_FOR_TESTS(sym) EXPORT_SYMBOL_NS_GPL(sym, CONTIG_INTERNAL)
#else
/* Nothing to export; the assertion only swallows the semicolon. */
#define CONTIG_EXPORT_FOR_TESTS(sym) static_assert(1, #sym)
#endif

struct dentry;
struct dev_pagemap;
struct resource;

/**
 * struct contig_region - the boot-reserved range contig.ko owns.
 * @base:	physical base address (page aligned).
 * @size:	size in bytes (page aligned, non-zero).
 * @base_pfn:	PFN of @base.
 * @nr_pages:	@size in pages; the buddy manages frames 0..@nr_pages-1.
 * @vaddr:	write-back kernel mapping of the whole range (memremap).
 * @res:	our entry in the iomem resource tree.
 * @claim:	human description of how the range was claimed.
 * @pgmap:	ZONE_DEVICE pagemap giving struct pages to the frames that
 *		had none at boot (NULL when all had); see region.c.
 * @added_pages: number of frames @pgmap covers.
 * @buddy:	page-frame allocator over the range; has its own lock.
 * @debugfs:	our debugfs directory (NULL or ERR_PTR when debugfs is off).
 *
 * All fields but @buddy are written once at load and read-only afterwards.
 */
struct contig_region {
	phys_addr_t base;
	u64 size;
	unsigned long base_pfn;
	unsigned long nr_pages;
	void *vaddr;
	struct resource *res;
	const char *claim;
	struct dev_pagemap *pgmap;
	unsigned long added_pages;
	struct contig_buddy buddy;
	struct dentry *debugfs;
};

/* region.c */
int contig_region_parse(const char *str, u64 *size, u64 *base);
int contig_region_check(u64 size, u64 base, const char **why);
int contig_region_claim(struct contig_region *r, u64 size, u64 base);
void contig_region_release(struct contig_region *r);

static inline phys_addr_t contig_frame_to_phys(const struct contig_region *r,
					       unsigned long frame)
{
	return r->base + ((phys_addr_t)frame << PAGE_SHIFT);
}

static inline void *contig_frame_to_virt(const struct contig_region *r,
					 unsigned long frame)
{
	return r->vaddr + ((size_t)frame << PAGE_SHIFT);
}

/* main.c: the one region of this module instance, NULL until loaded. */
extern struct contig_region *contig_default_region;

/* buddy.c: kernel wrapper of the buddy core */
int contig_policy_from_name(const char *name);
const char *contig_policy_name(int policy);
void contig_buddy_set_policy(struct contig_buddy *b, int policy);
void contig_buddy_debugfs_init(struct contig_region *r, struct dentry *dir);

/* debugfs.c */
void contig_debugfs_init(struct contig_region *r);
void contig_debugfs_fini(struct contig_region *r);

/* dma.c: the engine of contig_map(), for tests and benchmarks */
struct device;
struct sg_table;
struct contig_buffer;
bool contig_dev_is_translated(struct device *dev);
struct sg_table *contig_map_table(struct device *dev,
				  struct contig_buffer *buf,
				  struct sg_table *cpu,
				  enum dma_data_direction dir,
				  unsigned long attrs);

/* buffer.c: buffers and their dma-buf (issue 6) */
struct dma_buf;
struct contig_buffer;
struct contig_chunk;
struct contig_client;
struct contig_stats_data;
const char *contig_kind_name(unsigned int kind);
int contig_alloc_check(size_t size, size_t align, unsigned int kind,
		       unsigned int flags);
unsigned int contig_buffer_flags(const struct contig_buffer *buf);
u64 contig_buffer_id(const struct contig_buffer *buf);
unsigned long contig_buffer_nr_chunks(const struct contig_buffer *buf);
unsigned long contig_buffer_get_chunks(struct contig_buffer *buf,
				       struct contig_chunk *out,
				       unsigned long n);
struct dma_buf *contig_buffer_export(struct contig_buffer *buf,
				     struct contig_client *client,
				     u32 fd_flags);
struct contig_buffer *contig_buffer_from_dmabuf(struct dma_buf *dmabuf);
int contig_buffer_sync_check(u64 off, u64 len, unsigned int flags);
int contig_buffer_sync_range(struct contig_buffer *buf, u64 off, u64 len,
			     unsigned int flags);
void contig_buffer_get_stats(struct contig_stats_data *st);
void contig_buffer_count_quota_refusal(void);
void contig_buffer_debugfs_init(struct contig_region *r, struct dentry *dir);
void contig_buffers_init(struct contig_region *r);
void contig_buffers_exit(void);

/* chardev.c: /dev/contig; quotas are main.c's module parameters */
extern unsigned long long contig_max_bytes_per_open;
extern unsigned int contig_max_buffers_per_open;
int contig_chardev_init(void);
void contig_chardev_exit(void);
void contig_client_uncharge(struct contig_client *c, u64 bytes);

/*
 * slab.c: object caches and contig_kmalloc() (issue 4).  Lock order:
 * contig_caches_mutex, cache->lock, region->buddy.lock (see slab.c).
 */
struct contig_cache;

/**
 * struct contig_cache_info - a cache's layout and counters, for tests.
 * @size:		object bytes.
 * @align:		object alignment.
 * @boundary:		boundary, 0 for none.
 * @order:		a slab is 1 << @order frames.
 * @objs_per_slab:	objects per slab.
 * @waste_per_slab:	slab bytes not holding an object.
 * @redzone:		red zone bytes on each side of an object (debug).
 * @poison:		free objects are poisoned (debug, no constructor).
 * @keep_empty:		empty slabs kept after frees.
 * @nr_slabs:		slabs held.
 * @nr_empty:		of which empty.
 * @active_objs:	objects in use.
 * @nr_corrupt:		damaged red zones or poison reported.
 */
struct contig_cache_info {
	unsigned int size;
	unsigned int align;
	unsigned int boundary;
	unsigned int order;
	unsigned int objs_per_slab;
	size_t waste_per_slab;
	unsigned int redzone;
	bool poison;
	unsigned int keep_empty;
	unsigned long nr_slabs;
	unsigned long nr_empty;
	unsigned long active_objs;
	unsigned long nr_corrupt;
};

int contig_slab_init(struct contig_region *r, bool debug);
void contig_slab_exit(void);
void contig_slab_debugfs_init(struct contig_region *r, struct dentry *dir);
int contig_cache_free_checked(struct contig_cache *cache, const void *obj);
int contig_kfree_checked(const void *obj);
struct contig_cache *contig_kmalloc_cache(size_t size);
int contig_kmalloc_shrink(void);
int contig_cache_check(struct contig_cache *cache, char *why, size_t len);
int contig_slab_check(char *why, size_t len);
void contig_cache_get_info(struct contig_cache *cache,
			   struct contig_cache_info *info);
unsigned long contig_slab_wrong_frees_count(void);
struct seq_file;
int contig_slabinfo_show(struct seq_file *m, void *unused);

/* migrate.c: movable memory and migration (issue 5) */
struct contig_movable;
struct contig_alloc_report;
struct vm_fault;
struct address_space;
struct page;

/**
 * struct contig_migrate_stats - migration counters, for tests.
 * @movable_pages:	live movable pages.
 * @out_pages:		of which in system memory.
 * @migrated:		pages moved within the region.
 * @pushed_out:		pages moved to system memory.
 * @brought_back:	pages moved back into the region.
 * @bytes_copied:	bytes copied by all of the above.
 * @make_room:		contiguous requests that needed migration.
 * @make_room_ok:	of which served.
 * @fail_busy:		of which refused for pinned pages.
 * @fail_nomem:		of which refused for unmovable memory.
 */
struct contig_migrate_stats {
	u64 movable_pages;
	u64 out_pages;
	u64 migrated;
	u64 pushed_out;
	u64 brought_back;
	u64 bytes_copied;
	u64 make_room;
	u64 make_room_ok;
	u64 fail_busy;
	u64 fail_nomem;
};

int contig_migrate_init(struct contig_region *r);
void contig_migrate_exit(void);
void contig_migrate_debugfs_init(struct contig_region *r, struct dentry *dir);
long contig_migrate_alloc(struct contig_region *r, unsigned long nr,
			  unsigned long align, enum contig_owner owner,
			  struct contig_alloc_report *rep, bool dry_run);
void contig_migrate_report_log(const struct contig_alloc_report *rep,
			       unsigned long nr, unsigned long align);
void contig_migrate_freed(unsigned long nr);
unsigned long contig_migrate_bring_back(void);
void contig_migrate_get_stats(struct contig_migrate_stats *st);
unsigned long contig_movable_page_pfn(struct contig_movable *mov,
				      unsigned long idx);
void contig_movable_set_mapping(struct contig_movable *mov,
				struct address_space *mapping);
vm_fault_t contig_movable_fault(struct contig_movable *mov,
				struct vm_fault *vmf);
void contig_movable_get_pages(struct contig_movable *mov, struct page **pages);
unsigned long contig_movable_get_chunks(struct contig_movable *mov,
					struct contig_chunk *out,
					unsigned long n);

#endif /* _CONTIG_INTERNAL_H */
