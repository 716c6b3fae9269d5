/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz_buddy.h - counters of what fuzz_buddy.c exercised. */
#ifndef _CONTIG_FUZZ_BUDDY_H
#define _CONTIG_FUZZ_BUDDY_H

enum {
	FUZZ_INPUTS,
	FUZZ_OPS,
	FUZZ_ALLOC_OK,
	FUZZ_ALLOC_NOMEM,
	FUZZ_FREE_OK,
	FUZZ_RANGE_OK,
	FUZZ_RANGE_BUSY,
	FUZZ_EINVAL,
	FUZZ_ZEROED,
	FUZZ_ZEROED_USED,
	FUZZ_STASHED,
	FUZZ_STASH_HITS,
	FUZZ_NR_STATS,
};

extern unsigned long fuzz_stats[FUZZ_NR_STATS];

#endif /* _CONTIG_FUZZ_BUDDY_H */
