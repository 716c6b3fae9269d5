/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmalloc.h - contig_kmalloc()'s size classes over the object caches
 * (kmalloc.c), and the load, unload and slabinfo of both, which need the
 * two files and so live in the upper one.
 */
#ifndef _CONTIG_KMALLOC_H
#define _CONTIG_KMALLOC_H

#include <linux/types.h>

#include "contig_internal.h"

struct contig_cache;
struct seq_file;

int contig_slab_init(struct contig_region *r, bool debug);
void contig_slab_exit(void);
int contig_slabinfo_show(struct seq_file *m, void *unused);
int contig_kfree_checked(const void *obj);
struct contig_cache *contig_kmalloc_cache(size_t size);
int contig_kmalloc_shrink(void);

/* For tests. */
int contig_kmalloc_set_debug(bool force);
unsigned long contig_kmalloc_large_corrupt_count(void);

#endif /* _CONTIG_KMALLOC_H */
