/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arena.h - one user's own block of the region (arena.c).
 */
#ifndef _CONTIG_ARENA_H
#define _CONTIG_ARENA_H

#include "contig_internal.h"

/**
 * struct contig_arena - a naturally aligned block of region frames with a
 * buddy allocator of its own.
 * @region:	the region the block is taken from.
 * @base:	region frame of the arena's frame 0 (a multiple of
 *		@nr_frames); const.
 * @nr_frames:	frames, a power of two; const.
 * @buddy:	allocator over the arena's frames 0..@nr_frames-1 (its own
 *		lock, a buddy lock of the order in contig_internal.h).
 *
 * Region frame f of the arena is the arena buddy's frame f - @base.
 */
struct contig_arena {
	struct contig_region *region;
	unsigned long base;
	unsigned long nr_frames;
	struct contig_buddy buddy;
};

struct contig_arena *contig_arena_new(struct contig_region *r,
				      unsigned long nr_frames);
void contig_arena_destroy(struct contig_arena *a);

#endif /* _CONTIG_ARENA_H */
