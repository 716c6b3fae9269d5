/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model.h - a deliberately simple model of the buddy, for differential
 * testing (fuzz_buddy.c, contig-trace --check).
 *
 * The model keeps one owner byte and the allocation size per frame, and
 * nothing else.  Everything the buddy keeps in its clever structures is
 * recomputed from that by brute force, relying on one fact: with every
 * pair of free buddies merged, the free block holding a free frame is the
 * largest aligned window around it that is entirely free and has a slot
 * in the region.  So from the set of free frames alone the model knows
 * the exact free blocks, and from them which block each policy must pick
 * and where the request must land.
 *
 * The stash (contig_buddy_free_cached(), CONTIG_BUDDY_CACHED) is modelled
 * as the buddy keeps it: per order a stack of free frames that are not
 * free for placement until merged back, which happens when a request
 * would otherwise fail, before a range claim (model_drain()), and when
 * the stats are compared.
 */
#ifndef _CONTIG_BUDDY_MODEL_H
#define _CONTIG_BUDDY_MODEL_H

#include "buddy_core.h"

struct model {
	unsigned long n;
	unsigned int max_order;
	u8 *owner;			/* per frame */
	unsigned long *size;		/* per frame: size if head, else 0 */
	unsigned long *prefix;		/* free frames before frame i */
	unsigned long *blk_start;	/* free blocks, by address */
	unsigned int *blk_order;
	unsigned long nr_blocks;
	unsigned long nr_free[CONTIG_BUDDY_NR_ORDERS];
	unsigned long rover[2];
	enum contig_policy policy;
	u8 *stashed;			/* per frame: in the stash */
	unsigned long stash[CONTIG_BUDDY_STASH_ORDERS][CONTIG_BUDDY_STASH_DEPTH];
	unsigned int nr_stash[CONTIG_BUDDY_STASH_ORDERS];
};

int model_init(struct model *m, unsigned long n, enum contig_policy policy);
void model_fini(struct model *m);
/* Recompute prefix sums and free blocks: O(n log n) worst case. */
void model_update(struct model *m);
bool model_range_free(const struct model *m, unsigned long start,
		      unsigned long nr);
/*
 * Where contig_buddy_alloc() must put a valid request: the frame, or -1
 * for -ENOMEM.  Updates the model's rover like the buddy; call
 * model_update() first.
 */
long model_place(struct model *m, unsigned long nr, unsigned long align,
		 enum contig_owner owner, enum contig_policy policy,
		 unsigned int flags);
/* -EINVAL when contig_buddy_alloc() must refuse the request, else 0. */
int model_alloc_valid(const struct model *m, unsigned long nr,
		      unsigned long align, int owner, int policy,
		      unsigned int flags);
void model_mark(struct model *m, unsigned long start, unsigned long nr,
		enum contig_owner owner);
void model_unmark(struct model *m, unsigned long start);
/* contig_buddy_free_cached(): into the stash when it fits there. */
void model_unmark_cached(struct model *m, unsigned long start);
/* Blocks in the stash, all orders. */
unsigned int model_stashed(const struct model *m);
/* Merge the stash back; call model_update() after. */
void model_drain(struct model *m);
/*
 * Compare the buddy's stats and per-frame owners with the model; the
 * buddy's stats merge its stash back, so the model's is merged too.
 */
int model_compare(struct model *m, struct contig_buddy *b, char *why,
		  size_t len);
/* Per-frame owners and sizes only: no stats, nothing merged. */
int model_compare_frames(const struct model *m, struct contig_buddy *b,
			 char *why, size_t len);

#endif /* _CONTIG_BUDDY_MODEL_H */
