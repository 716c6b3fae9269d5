// SPDX-License-Identifier: GPL-2.0
/*
 * bench_snapshot - how long contig_buddy_get_owners() holds b->lock.
 *
 *   bench_snapshot [FRAMES [REPEATS]]
 *   bench_snapshot -c [FRAMES]
 *
 * Sets up a region of FRAMES frames (default 262144: 1 GiB of 4 KiB
 * pages), fills about two thirds of it with a fixed-seed mix of
 * allocations of every owner, then takes REPEATS (default 101) snapshots
 * of the whole region, as migration's window search does.  The shim's
 * lock hook (kshim.h, KSHIM_LOCK_HOOKS) timestamps every hold of the
 * lock; in the kernel each hold is a section with interrupts off.
 * Prints the medians over the repeats of the longest hold, of the whole
 * call (timed again without the hook), and the holds per call, and the
 * median hold of contig_buddy_owner() (one frame: the cost of the timing
 * itself).
 *
 * With -c, no hook and no timing: one whole-region snapshot in
 * bench_whole() and one of CONTIG_BUDDY_SNAPSHOT_BATCH frames in
 * bench_batch(), for callgrind to count instructions in each:
 *
 *   valgrind --tool=callgrind --toggle-collect=bench_whole ./bench_snapshot -c
 *
 * Built like the kernel as far as user space allows: -O2 without
 * vectorisation (the kernel has no SIMD), so the copy loop is the
 * byte loop contig.ko runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kshim.h"
#include "rng.h"
#include "buddy_core.h"

static void fill(struct contig_buddy *b)
{
	static const enum contig_owner owners[] = {
		CONTIG_OWNER_UNMOVABLE, CONTIG_OWNER_MOVABLE,
		CONTIG_OWNER_SLAB,
	};
	unsigned long n = b->nr_frames, tries;

	for (tries = 0; b->free_frames > n / 3 && tries < 4 * n; tries++) {
		long f = contig_buddy_alloc(b, 1 + rng() % (rng() % 4 ? 8 : 600),
					    1, owners[rng() % 3],
					    CONTIG_POLICY_FIRST_FIT, 0);

		if (f >= 0 && rng() % 8 == 0 &&
		    contig_buddy_owner(b, f) == CONTIG_OWNER_MOVABLE)
			contig_buddy_set_owner(b, f, CONTIG_OWNER_PINNED);
	}
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static double hold_start, longest_hold;
static unsigned long holds;

static void hook(spinlock_t *l, bool locked)
{
	double t = now_ns();

	if (locked) {
		hold_start = t;
		holds++;
	} else if (t - hold_start > longest_hold) {
		longest_hold = t - hold_start;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned long n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

__attribute__((noinline))
void bench_whole(struct contig_buddy *b, u8 *buf);

__attribute__((noinline))
void bench_whole(struct contig_buddy *b, u8 *buf)
{
	contig_buddy_get_owners(b, 0, b->nr_frames, buf);
}

__attribute__((noinline))
void bench_batch(struct contig_buddy *b, u8 *buf);

__attribute__((noinline))
void bench_batch(struct contig_buddy *b, u8 *buf)
{
	contig_buddy_get_owners(b, 0, CONTIG_BUDDY_SNAPSHOT_BATCH, buf);
}

int main(int argc, char **argv)
{
	bool cg = argc > 1 && !strcmp(argv[1], "-c");
	unsigned long n = argc > 1 + cg ? strtoul(argv[1 + cg], NULL, 0) : 262144;
	unsigned long reps = argc > 2 && !cg ? strtoul(argv[2], NULL, 0) : 101;
	double *longest, *call, *bare, *nholds, *one;
	struct contig_buddy b;
	unsigned long r;
	u8 *buf;

	rng_state = 1;	/* the seed these figures were always taken with */
	if (!reps || contig_buddy_init(&b, n, CONTIG_POLICY_FIRST_FIT)) {
		fprintf(stderr, "usage: bench_snapshot [FRAMES [REPEATS]] | -c [FRAMES]\n");
		return 2;
	}
	b.quiet = true;
	fill(&b);
	buf = malloc(n);
	longest = calloc(reps, sizeof(double));
	call = calloc(reps, sizeof(double));
	bare = calloc(reps, sizeof(double));
	nholds = calloc(reps, sizeof(double));
	one = calloc(reps, sizeof(double));
	if (!buf || !longest || !call || !bare || !nholds || !one)
		return 1;
	if (cg) {
		bench_whole(&b, buf);
		bench_batch(&b, buf);
		return 0;
	}

	bench_whole(&b, buf);	/* warm the caches */
	for (r = 0; r < reps; r++) {
		double t0;

		kshim_lock_hook = NULL;
		t0 = now_ns();
		bench_whole(&b, buf);
		bare[r] = now_ns() - t0;

		kshim_lock_hook = hook;
		longest_hold = 0;
		contig_buddy_owner(&b, r % n);
		one[r] = longest_hold;

		longest_hold = 0;
		holds = 0;
		t0 = now_ns();
		bench_whole(&b, buf);
		call[r] = now_ns() - t0;
		longest[r] = longest_hold;
		nholds[r] = holds;
	}
	kshim_lock_hook = NULL;
	printf("bench_snapshot: %lu frames (%lu MiB of 4 KiB pages), %lu used, batch %lu, median of %lu\n",
	       n, n >> 8, n - b.free_frames,
	       (unsigned long)CONTIG_BUDDY_SNAPSHOT_BATCH, reps);
	printf("bench_snapshot: longest hold %.0f ns, whole call %.0f ns (%.0f ns timing each hold), %.0f holds; a one-frame hold %.0f ns\n",
	       median(longest, reps), median(bare, reps), median(call, reps),
	       median(nholds, reps), median(one, reps));
	free(one);
	free(nholds);
	free(bare);
	free(call);
	free(longest);
	free(buf);
	return 0;
}
