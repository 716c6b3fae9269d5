/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slab.h - object caches (slab.c) and contig_kmalloc() (kmalloc.c).
 */
#ifndef _CONTIG_SLAB_H
#define _CONTIG_SLAB_H

#include "contig_internal.h"

/*
 * slab.c: object caches and contig_kmalloc().
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

#endif /* _CONTIG_SLAB_H */
