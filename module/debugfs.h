/* SPDX-License-Identifier: GPL-2.0 */
/*
 * debugfs.h - /sys/kernel/debug/contig/ (debugfs.c).
 */
#ifndef _CONTIG_DEBUGFS_H
#define _CONTIG_DEBUGFS_H

#include "contig_internal.h"

void contig_debugfs_init(struct contig_region *r);
void contig_debugfs_fini(struct contig_region *r);
void contig_debugfs_add_region(struct contig_region *r);
void contig_debugfs_remove_region(struct contig_region *r);

#endif /* _CONTIG_DEBUGFS_H */
