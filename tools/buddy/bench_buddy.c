// SPDX-License-Identifier: GPL-2.0
/*
 * bench_buddy - cost of one contig_buddy_alloc() + contig_buddy_free().
 *
 *   bench_buddy [FRAMES [ITERATIONS [POLICY [FILL]]]]
 *
 * Sets up a 65536-frame region (256 MiB of 4 KiB pages) and, with FILL
 * "half" (the default), fragments it with a fixed-seed mix of allocations
 * and frees until about half of it is in use in blocks of every order;
 * with "90", the same mix until 90% is; with "empty", nothing.  Then it
 * runs bench_run(): ITERATIONS
 * (default 100000) times an allocation of FRAMES (default 1) frames
 * followed by its free, under POLICY (default first).  Prints the time
 * per pair.  callgrind.sh runs it under callgrind, collecting only inside
 * bench_run(), to count instructions per pair.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kshim.h"
#include "rng.h"
#include "buddy_core.h"

#define REGION	65536UL

static void fragment(struct contig_buddy *b, unsigned long keep_free)
{
	static long held[REGION];
	unsigned long n = 0, i;

	while (b->free_frames > keep_free) {
		long f = contig_buddy_alloc(b, 1 + rng() % (rng() % 4 ? 8 : 600),
					    1, CONTIG_OWNER_UNMOVABLE,
					    CONTIG_POLICY_FIRST_FIT, 0);

		if (f >= 0)
			held[n++] = f;
		if (n && rng() % 3 == 0) {
			i = rng() % n;
			contig_buddy_free(b, held[i]);
			held[i] = held[--n];
		}
	}
}

__attribute__((noinline))
void bench_run(struct contig_buddy *b, unsigned long nr, unsigned long iters,
	       enum contig_policy policy, bool stash);

/* With @stash: CONTIG_BUDDY_CACHED and contig_buddy_free_cached(). */
__attribute__((noinline))
void bench_run(struct contig_buddy *b, unsigned long nr, unsigned long iters,
	       enum contig_policy policy, bool stash)
{
	unsigned long i;

	for (i = 0; i < iters; i++) {
		long f = contig_buddy_alloc(b, nr, 1, CONTIG_OWNER_UNMOVABLE,
					    policy,
					    stash ? CONTIG_BUDDY_CACHED : 0);

		if (f < 0 || (stash ? contig_buddy_free_cached(b, f) :
				      contig_buddy_free(b, f))) {
			fprintf(stderr, "bench_buddy: alloc/free failed\n");
			exit(1);
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long nr = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	unsigned long iters = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;
	bool stash = argc > 3 && !strcmp(argv[3], "stash");
	int policy = argc > 3 && !stash ? contig_policy_from_name(argv[3]) : 0;
	const char *fill = argc > 4 ? argv[4] : "half";
	struct contig_buddy b;
	struct timespec t0, t1;
	char why[160];
	double ns;

	rng_state = 1;	/* the seed these figures were always taken with */
	if (policy < 0 || !iters || (strcmp(fill, "half") &&
	    strcmp(fill, "90") && strcmp(fill, "empty")) ||
	    contig_buddy_init(&b, REGION, 0)) {
		fprintf(stderr, "usage: bench_buddy [FRAMES [ITERATIONS [POLICY|stash [half|90|empty]]]]\n");
		return 2;
	}
	b.quiet = true;
	if (strcmp(fill, "empty"))
		fragment(&b, !strcmp(fill, "90") ? REGION / 10 : REGION / 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bench_run(&b, nr, iters, policy, stash);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (contig_buddy_check(&b, why, sizeof(why))) {
		fprintf(stderr, "bench_buddy: %s\n", why);
		return 1;
	}
	ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("bench_buddy: %lu frames, %s%s, region %s: %.1f ns per alloc+free\n",
	       nr, stash ? "stash" : contig_policy_name(policy),
	       stash ? "" : " fit", fill, ns / iters);
	contig_buddy_fini(&b);
	return 0;
}
