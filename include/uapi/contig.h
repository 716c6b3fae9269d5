/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * contig.h - user-space ABI of /dev/contig.
 *
 * Only fixed-size __u32/__u64 fields with explicit padding; pointers are
 * __u64.  Unknown flags and non-zero reserved fields are rejected with
 * -EINVAL, unknown commands with -ENOTTY.
 */
#ifndef _UAPI_CONTIG_H
#define _UAPI_CONTIG_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Buffer kinds. */
#define CONTIG_KIND_CONTIGUOUS	0	/* one physically contiguous block */
#define CONTIG_KIND_SG		1	/* largest blocks available, largest first */
#define CONTIG_KIND_MOVABLE	2	/* lent region memory, migrated on demand */
#define CONTIG_KIND_MAX		CONTIG_KIND_MOVABLE

/* Buffer flags. */
#define CONTIG_FLAG_ZERO	(1U << 0)	/* zero the memory (always on from user space) */
#define CONTIG_FLAG_WC		(1U << 1)	/* user mappings write-combined, not cached */
#define CONTIG_FLAG_ATOMIC	(1U << 2)	/* in-kernel only: caller cannot sleep */
#define CONTIG_FLAGS_USER	(CONTIG_FLAG_ZERO | CONTIG_FLAG_WC)

#endif /* _UAPI_CONTIG_H */
