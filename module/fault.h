/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fault.h - contig.ko's own fault injection points (fault.c).
 */
#ifndef _CONTIG_FAULT_H
#define _CONTIG_FAULT_H

#include <linux/types.h>

struct dentry;

/**
 * enum contig_fault_site - where contig.ko can be made to fail.
 * @CONTIG_FAULT_BUDDY:	 a buddy allocation finds no free block (-ENOMEM).
 * @CONTIG_FAULT_SLAB:	 an object cache gets no memory for a new slab
 *			 (-ENOMEM).
 * @CONTIG_FAULT_TAKE:	 a window of movable memory cannot be emptied for
 *			 a contiguous request (-ENOMEM).
 * @CONTIG_FAULT_DMA_MAP: dma_map_sgtable() fails (-ENOMEM).
 * @CONTIG_FAULT_EXPORT: dma_buf_export() fails (-ENOMEM).
 * @CONTIG_FAULT_FD:	 no file descriptor is free for a new dma-buf
 *			 (-EMFILE).
 * @CONTIG_FAULT_USER_COPY: an ioctl's copy to or from user memory faults
 *			 (-EFAULT).
 * @CONTIG_NR_FAULTS:	 the number of sites.
 *
 * Each site fails exactly as the real failure would, with its errno, and
 * takes the real error path.
 */
enum contig_fault_site {
	CONTIG_FAULT_BUDDY,
	CONTIG_FAULT_SLAB,
	CONTIG_FAULT_TAKE,
	CONTIG_FAULT_DMA_MAP,
	CONTIG_FAULT_EXPORT,
	CONTIG_FAULT_FD,
	CONTIG_FAULT_USER_COPY,
	CONTIG_NR_FAULTS
};

#if IS_ENABLED(CONFIG_FAULT_INJECTION) || IS_ENABLED(CONFIG_KUNIT)
bool contig_should_fail(enum contig_fault_site site);
#else
/* No fault injection in this kernel: every site compiles away. */
static inline bool contig_should_fail(enum contig_fault_site site)
{
	return false;
}
#endif

void contig_fault_debugfs_init(struct dentry *parent);

#if IS_ENABLED(CONFIG_KUNIT)
void contig_fault_test_arm(unsigned int nth);
int contig_fault_test_disarm(void);
const char *contig_fault_site_name(int site);
#endif

#endif /* _CONTIG_FAULT_H */
