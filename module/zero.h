/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zero.h - clearing a buffer's memory, on several CPUs when it is large
 * (zero.c).
 */
#ifndef _CONTIG_ZERO_H
#define _CONTIG_ZERO_H

#include <linux/types.h>

void contig_zero(void *va, size_t len, bool may_sleep);

#endif /* _CONTIG_ZERO_H */
