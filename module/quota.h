/* SPDX-License-Identifier: GPL-2.0 */
/*
 * quota.h - limits on what one opener of /dev/contig may hold (quota.c).
 */
#ifndef _CONTIG_QUOTA_H
#define _CONTIG_QUOTA_H

#include <linux/types.h>

struct contig_quota;

struct contig_quota *contig_quota_new(void);
void contig_quota_put(struct contig_quota *q);
int contig_quota_charge(struct contig_quota *q, u64 bytes);
void contig_quota_uncharge(void *q, size_t bytes);
u64 contig_quota_refusals(void);

#endif /* _CONTIG_QUOTA_H */
