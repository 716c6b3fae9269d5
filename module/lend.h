/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lend.h - lending the region's whole memory blocks to the kernel, and
 * taking frames back for contig's own allocations (lend.c).
 */
#ifndef _CONTIG_LEND_H
#define _CONTIG_LEND_H

#include <linux/types.h>

#include "buddy_core.h"

struct contig_alloc_report;
struct contig_region;
struct seq_file;

u64 contig_lend_block_size(void);
int contig_lend_init(struct contig_region *r);
void contig_lend_exit(struct contig_region *r);
long contig_lend_take(struct contig_region *r, unsigned long nr,
		      unsigned long align, unsigned long *start,
		      struct contig_alloc_report *lr);
long contig_lend_take_clear(struct contig_region *r, unsigned long nr,
			    unsigned long align, enum contig_owner owner,
			    unsigned long *start, bool *claimed,
			    struct contig_alloc_report *lr);
long contig_lend_take_zeroed(struct contig_region *r, unsigned long nr,
			     unsigned long align, enum contig_owner owner,
			     unsigned long *zeroed);
int contig_lend_judge(struct contig_region *r, unsigned long nr,
		      unsigned long align, struct contig_alloc_report *lr);
void contig_lend_freed(void);
char contig_lend_map_char(struct contig_region *r, unsigned long frame,
			  unsigned long nr,
			  const unsigned long *counts);
void contig_lend_get_usage(u64 *lent, u64 *taken, u64 *kept);
int contig_lend_show(struct seq_file *m, void *unused);

#endif /* _CONTIG_LEND_H */
