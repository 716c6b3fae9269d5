/* SPDX-License-Identifier: GPL-2.0 */
/*
 * user.h - what each user of /dev/contig may hold (user.c).
 */
#ifndef _CONTIG_USER_H
#define _CONTIG_USER_H

#include <linux/types.h>

struct contig_arena;
struct contig_buffer_release;
struct contig_region;

int contig_user_charge(u64 bytes, unsigned int kind, u64 align, bool limited,
		       struct contig_buffer_release *release,
		       struct contig_arena **arena);
void contig_user_get_usage(u64 *bytes, u64 *buffers);
u64 contig_user_refusals(void);
void contig_user_init(struct contig_region *r);
void contig_user_exit(void);

#endif /* _CONTIG_USER_H */
