// SPDX-License-Identifier: GPL-2.0
/*
 * buddy_bench.c - contig_buddy_bench.ko: the cost of contig's buddy
 * allocator against the kernel's page allocator, measured in the same boot.
 *
 * Ours is contig_buddy_alloc()/contig_buddy_free() on the buddy of the
 * region the loaded contig.ko claimed (contig_default_region()), frames held
 * as CONTIG_OWNER_UNMOVABLE and placed bottom-up, once per placement
 * policy: first, best, worst and next fit.  Each request is for exactly
 * the frames it names.  The kernel's figure is alloc_pages(GFP_KERNEL) and
 * __free_pages() of the order that covers the same size: order 0 for one
 * page, 4 for 16, 9 for 512.  Nothing is written to the memory either way.
 *
 *   N pg      one allocation of N pages freed at once, over and over, for
 *             N = 1, 16 and 512; for 1 and 16 also "stash": the request
 *             CONTIG_BUDDY_CACHED and the free contig_buddy_free_cached(),
 *             the path of slab pages, served from the buddy's stash;
 *   8M        2048 pages (order 11), beyond MAX_PAGE_ORDER: the kernel's
 *             figure is alloc_contig_pages() - which is not exported, so
 *             this file repeats its search (the first 2048-aligned run
 *             of valid, unreserved pages of one zone, ZONE_NORMAL down,
 *             that alloc_contig_range() accepts) - and free_contig_range();
 *             "n/a" on kernels without CONFIG_CONTIG_ALLOC or when no run
 *             can be had.  The PFN it last took and how many runs it
 *             was refused are logged (not a table line);
 *   churn     CHURN_LIVE blocks of random sizes, 1..CHURN_MAX pages, are
 *             kept live; each step frees a random one and allocates a new
 *             random size in its place.  The figure is per step (one free
 *             plus one allocation); the kernel side allocates the order
 *             covering each size.  The sizes and slots come from a fixed
 *             seed, so every allocator replays the same sequence.
 *
 * The region is as contig.ko and the benchmarks before this one left it
 * (its free frames and largest free block are logged), normally almost
 * empty: a small request then splits a large free block and its free
 * merges the pieces back, the slow path of any buddy, while alloc_pages()
 * of order 0..3 is served by the per-CPU lists.
 *
 * Every figure is the median (min-max) of BENCH_ROUNDS timed rounds
 * (ktime_get_ns() around a loop of many pairs), after one untimed warm-up
 * round (bench_stats.h).  For the
 * fixed sizes the rounds interleave the five allocators, so that a slow
 * spell of the host hits them all alike; each churn run is on its own, as
 * it holds its live set across rounds.  Everything allocated is freed
 * before the module's init returns, and the region's free frames are
 * checked to be back where they were.  Only the next-fit rover of the
 * region's buddy is left moved.
 *
 * Lines: "contig-bench: buddy | CASE | ours ns (min-max) | kernel ns
 * (min-max) | ours/kernel", below 1 when ours is faster (six decimals when
 * under 0.01).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "contig_internal.h"
#include "bench_stats.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);

#define BENCH_ROUNDS	9	/* timed rounds; the median is printed */
#define BENCH_PAIRS	20000	/* pairs per round, 1/16/512 pages */
#define LARGE_FRAMES	2048	/* 8 MiB of 4 KiB pages, order 11 */
#define LARGE_PAIRS	2000	/* pairs per round, 8 MiB, ours */
#define LARGE_KPAIRS	4	/* pairs per round, 8 MiB, kernel */
#define CHURN_LIVE	256	/* live blocks of the churn case */
#define CHURN_MAX	64	/* their largest size, pages */
#define CHURN_STEPS	20000	/* steps per round */
#define CHURN_SEED	0xc0471603ULL

#define BENCH_FAILED	U64_MAX

static const enum contig_policy policies[] = {
	CONTIG_POLICY_FIRST_FIT,
	CONTIG_POLICY_BEST_FIT,
	CONTIG_POLICY_WORST_FIT,
	CONTIG_POLICY_NEXT_FIT,
};

#define NR_POL	ARRAY_SIZE(policies)

/*
 * ns per contig_buddy_alloc() + contig_buddy_free() of @nr frames; with
 * @cached, CONTIG_BUDDY_CACHED and contig_buddy_free_cached(), the path
 * of slab pages through the stash (any policy: the stash has none).
 */
static u64 ours_pairs(struct contig_buddy *b, unsigned long nr,
		      enum contig_policy policy, bool cached,
		      unsigned int pairs)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;
	long f;

	for (i = 0; i < pairs; i++) {
		f = contig_buddy_alloc(b, nr, 1, CONTIG_OWNER_UNMOVABLE,
				       policy, cached ? CONTIG_BUDDY_CACHED : 0);
		if (f < 0)
			return BENCH_FAILED;
		if (cached)
			contig_buddy_free_cached(b, f);
		else
			contig_buddy_free(b, f);
	}
	return div_u64(ktime_get_ns() - t0, pairs);
}

/* ns per alloc_pages() + __free_pages() of the order covering @nr. */
static u64 pages_pairs(unsigned long nr, unsigned int pairs)
{
	unsigned int order = order_base_2(nr), i;
	u64 t0 = ktime_get_ns();
	struct page *page;

	for (i = 0; i < pairs; i++) {
		page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
		if (!page)
			return BENCH_FAILED;
		__free_pages(page, order);
	}
	return div_u64(ktime_get_ns() - t0, pairs);
}

#ifdef CONFIG_CONTIG_ALLOC
/* mm/page_alloc.c's pfn_range_valid_contig(). */
static bool range_valid(struct zone *zone, unsigned long pfn,
			unsigned long nr)
{
	unsigned long end = pfn + nr;
	struct page *page;

	for (; pfn < end; pfn++) {
		if (!pfn_valid(pfn))
			return false;
		page = pfn_to_page(pfn);
		if (page_zone(page) != zone || PageReserved(page) ||
		    PageHuge(page))
			return false;
	}
	return true;
}

/*
 * alloc_contig_pages(@nr, GFP_KERNEL, this node, NULL) as mm/page_alloc.c
 * has it (it is not exported): @nr-aligned runs, zone by zone from
 * ZONE_NORMAL down, until alloc_contig_range() takes one.  First PFN, or
 * 0 when none could be had.
 */
static unsigned long contig_busy_runs, contig_last_pfn;

static unsigned long kernel_contig_alloc(unsigned long nr)
{
	pg_data_t *pgdat = NODE_DATA(numa_node_id());
	struct zone *zone;
	unsigned long pfn;
	int z;

	for (z = ZONE_NORMAL; z >= 0; z--) {
		zone = &pgdat->node_zones[z];
		if (!populated_zone(zone))
			continue;
		for (pfn = ALIGN(zone->zone_start_pfn, nr);
		     zone_spans_pfn(zone, pfn + nr - 1); pfn += nr) {
			if (!range_valid(zone, pfn, nr))
				continue;
			if (!alloc_contig_range(pfn, pfn + nr, MIGRATE_MOVABLE,
						GFP_KERNEL | __GFP_NOWARN)) {
				contig_last_pfn = pfn;
				return pfn;
			}
			contig_busy_runs++;
			cond_resched();
		}
	}
	return 0;
}

/* ns per kernel_contig_alloc() + free_contig_range() of @nr pages. */
static u64 range_pairs(unsigned long nr, unsigned int pairs)
{
	u64 t0 = ktime_get_ns();
	unsigned long pfn;
	unsigned int i;

	for (i = 0; i < pairs; i++) {
		pfn = kernel_contig_alloc(nr);
		if (!pfn)
			return BENCH_FAILED;
		free_contig_range(pfn, nr);
	}
	return div_u64(ktime_get_ns() - t0, pairs);
}

static void range_report(void)
{
	pr_info("8M: alloc_contig_range() last took PFN %#lx; %lu runs refused on the way\n",
		contig_last_pfn, contig_busy_runs);
}
#else
static u64 range_pairs(unsigned long nr, unsigned int pairs)
{
	return BENCH_FAILED;
}

static void range_report(void)
{
}
#endif

/*
 * One fixed-size case: the four policies and the kernel, round by round.
 * @kernel is pages_pairs() or range_pairs(), with @kpairs pairs a round.
 */
static void bench_fixed(struct contig_buddy *b, const char *name,
			const char *kname, unsigned long nr, unsigned int pairs,
			u64 (*kernel)(unsigned long nr, unsigned int pairs),
			unsigned int kpairs)
{
	struct bench_stat ours[NR_POL + 1] = {}, kern = {};
	bool stash = nr < 1UL << CONTIG_BUDDY_STASH_ORDERS;
	unsigned int p, r;
	char what[64];
	u64 k;

	/* [NR_POL]: through the stash, for the sizes it takes. */
	for (r = 0; r <= BENCH_ROUNDS; r++) {	/* round 0 warms up */
		for (p = 0; p < NR_POL + stash; p++) {
			u64 ns = ours_pairs(b, nr, policies[p % NR_POL],
					    p == NR_POL, pairs);

			if (r)
				bench_record(&ours[p], ns != BENCH_FAILED, ns);
		}
		k = kernel(nr, kpairs);
		if (r)
			bench_record(&kern, k != BENCH_FAILED, k);
		cond_resched();
	}
	for (p = 0; p < NR_POL; p++) {
		snprintf(what, sizeof(what), "%s %s fit vs %s", name,
			 contig_policy_name(policies[p]), kname);
		bench_print("buddy", what, &ours[p], &kern, "ns");
	}
	if (stash) {
		snprintf(what, sizeof(what), "%s stash vs %s", name, kname);
		bench_print("buddy", what, &ours[NR_POL], &kern, "ns");
	}
	/* Leave nothing stashed for the next case to find. */
	contig_buddy_drain(b);
}

/* The churn sequence: initial sizes, then per step a slot and a size. */
struct churn_plan {
	u8 init[CHURN_LIVE];
	u16 slot[CHURN_STEPS];
	u8 size[CHURN_STEPS];
};

static void churn_plan_init(struct churn_plan *c)
{
	struct rnd_state rnd;
	unsigned int i;

	prandom_seed_state(&rnd, CHURN_SEED);
	for (i = 0; i < CHURN_LIVE; i++)
		c->init[i] = 1 + prandom_u32_state(&rnd) % CHURN_MAX;
	for (i = 0; i < CHURN_STEPS; i++) {
		c->slot[i] = prandom_u32_state(&rnd) % CHURN_LIVE;
		c->size[i] = 1 + prandom_u32_state(&rnd) % CHURN_MAX;
	}
}

/* ns per churn step of our buddy under @policy, round by round, in @st. */
static void churn_ours(struct contig_buddy *b, const struct churn_plan *c,
		       enum contig_policy policy, struct bench_stat *st)
{
	unsigned int i, r, s;
	bool failed = false;
	long *live;
	u64 t0;

	live = kcalloc(CHURN_LIVE, sizeof(*live), GFP_KERNEL);
	if (!live) {
		bench_fail(st);
		return;
	}
	for (i = 0; i < CHURN_LIVE; i++) {
		live[i] = contig_buddy_alloc(b, c->init[i], 1,
					     CONTIG_OWNER_UNMOVABLE, policy, 0);
		if (live[i] < 0)
			failed = true;
	}
	for (r = 0; r <= BENCH_ROUNDS && !failed; r++) {
		t0 = ktime_get_ns();
		for (s = 0; s < CHURN_STEPS; s++) {
			long *f = &live[c->slot[s]];

			contig_buddy_free(b, *f);
			*f = contig_buddy_alloc(b, c->size[s], 1,
						CONTIG_OWNER_UNMOVABLE,
						policy, 0);
			if (*f < 0) {
				failed = true;
				break;
			}
		}
		if (r && !failed)
			bench_add(st, div_u64(ktime_get_ns() - t0, CHURN_STEPS));
		cond_resched();
	}
	for (i = 0; i < CHURN_LIVE; i++)
		if (live[i] >= 0)
			contig_buddy_free(b, live[i]);
	kfree(live);
	if (failed)
		bench_fail(st);
}

/* ns per churn step of alloc_pages()/__free_pages(), in @st. */
static void churn_pages(const struct churn_plan *c, struct bench_stat *st)
{
	struct page **live;
	u8 order[CHURN_LIVE];
	unsigned int i, r, s;
	bool failed = false;
	u64 t0;

	live = kcalloc(CHURN_LIVE, sizeof(*live), GFP_KERNEL);
	if (!live) {
		bench_fail(st);
		return;
	}
	for (i = 0; i < CHURN_LIVE; i++) {
		order[i] = order_base_2(c->init[i]);
		live[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order[i]);
		if (!live[i])
			failed = true;
	}
	for (r = 0; r <= BENCH_ROUNDS && !failed; r++) {
		t0 = ktime_get_ns();
		for (s = 0; s < CHURN_STEPS; s++) {
			i = c->slot[s];
			__free_pages(live[i], order[i]);
			order[i] = order_base_2(c->size[s]);
			live[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN,
					      order[i]);
			if (!live[i]) {
				failed = true;
				break;
			}
		}
		if (r && !failed)
			bench_add(st, div_u64(ktime_get_ns() - t0, CHURN_STEPS));
		cond_resched();
	}
	for (i = 0; i < CHURN_LIVE; i++)
		if (live[i])
			__free_pages(live[i], order[i]);
	kfree(live);
	if (failed)
		bench_fail(st);
}

static int bench_churn(struct contig_buddy *b)
{
	/* On the heap: the figures would take the frame past its limit. */
	struct {
		struct churn_plan plan;
		struct bench_stat ours[NR_POL], kern;
	} *c;
	unsigned int p;
	char what[64];

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	churn_plan_init(&c->plan);
	for (p = 0; p < NR_POL; p++)
		churn_ours(b, &c->plan, policies[p], &c->ours[p]);
	churn_pages(&c->plan, &c->kern);
	for (p = 0; p < NR_POL; p++) {
		snprintf(what, sizeof(what), "churn %u live 1-%u pg %s fit",
			 CHURN_LIVE, CHURN_MAX, contig_policy_name(policies[p]));
		bench_print("buddy", what, &c->ours[p], &c->kern, "ns");
	}
	kfree(c);
	return 0;
}

static int __init buddy_bench_init(void)
{
	struct contig_region *r = contig_default_region();
	unsigned long free_frames, in_use;
	struct contig_buddy_stats st;
	struct contig_buddy *b;
	int ret;

	if (!r) {
		pr_info("contig-bench: buddy | skipped: contig.ko has no region | - | - | -\n");
		return 0;
	}
	b = &r->buddy;
	contig_buddy_get_stats(b, &st);
	free_frames = st.free_frames;
	in_use = st.nr_allocs - st.nr_frees;
	pr_info("region: %lu of %lu frames free, largest free block %lu\n",
		st.free_frames, st.nr_frames, st.largest_free);

	bench_fixed(b, "1 pg", "order 0", 1, BENCH_PAIRS, pages_pairs,
		    BENCH_PAIRS);
	bench_fixed(b, "16 pg", "order 4", 16, BENCH_PAIRS, pages_pairs,
		    BENCH_PAIRS);
	bench_fixed(b, "512 pg", "order 9", 512, BENCH_PAIRS, pages_pairs,
		    BENCH_PAIRS);
	bench_fixed(b, "8M", "contig_range", LARGE_FRAMES, LARGE_PAIRS,
		    range_pairs, LARGE_KPAIRS);
	range_report();
	ret = bench_churn(b);

	contig_buddy_get_stats(b, &st);
	if (st.free_frames != free_frames ||
	    st.nr_allocs - st.nr_frees != in_use) {
		pr_err("region not left as found: %lu free frames, %lu before\n",
		       st.free_frames, free_frames);
		return -EUCLEAN;
	}
	return ret;
}

static void __exit buddy_bench_exit(void)
{
}

module_init(buddy_bench_init);
module_exit(buddy_bench_exit);

MODULE_DESCRIPTION("contig benchmark: the buddy allocator against alloc_pages and alloc_contig_range");
MODULE_LICENSE("GPL");
