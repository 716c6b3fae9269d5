/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rng.h - the one seeded generator of the user-space buddy tools:
 * splitmix64 over rng_state, so a printed seed replays a run exactly.
 * Each program that includes it has its own rng_state (0 unless seeded).
 */
#ifndef _CONTIG_RNG_H
#define _CONTIG_RNG_H

#include "kshim.h"

static u64 rng_state;

static inline u64 rng(void)
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif /* _CONTIG_RNG_H */
