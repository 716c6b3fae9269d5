// SPDX-License-Identifier: GPL-2.0
/*
 * contig-trace - replay an allocation trace under each placement policy.
 *
 *   contig-trace [--check] [--policy NAME] [--series N] TRACE
 *   contig-trace --generate [--seed N] [--ops N] [--frames N] > TRACE
 *
 * Replays TRACE against the buddy core once per policy (or only NAME) and
 * prints one row per policy: failures, the largest free block at the
 * moment of peak use, its minimum over the run and its size at the end,
 * and the final unusable free space and external fragmentation indices
 * (as mm/vmstat.c computes them) at order 9 and at the order of the
 * largest request in the trace.
 *
 * --series N prints, instead of the table, one tab-separated line every N
 * operations (and after the last) per policy, for plots
 * (scripts/bench-plots.sh): policy, operations done, frames in use,
 * largest free block, frames refused so far.
 *
 * --check runs contig_buddy_check() after every operation and compares
 * the buddy with the brute-force model (model.c) every 256 operations and
 * at the end; any difference is printed and the exit status is 1.
 *
 * Trace format, one operation per line; '#' starts a comment:
 *
 *   region FRAMES                 first line: the region size in frames
 *   a ID FRAMES [ALIGN [OWNER]]   allocate FRAMES frames aligned to ALIGN
 *                                 frames (default 1) for OWNER: u(nmovable,
 *                                 the default), m(ovable), p(inned), s(lab)
 *   f ID                          free what allocation ID got
 *
 * IDs are small non-negative integers, reusable after their free.  A free
 * of an ID whose allocation failed is skipped (and counted as such).
 *
 * --generate writes a synthetic trace: a region of FRAMES (default 65536,
 * 256 MiB of 4 KiB pages); small requests (1-16 frames) that live for a
 * few operations, medium ones (17-512) that live longer, and large ones
 * (1024-8192 frames, some 2 MiB aligned) that live for most of the trace,
 * a third of the small and medium ones movable; frees keep the demand
 * under 90% of the region, so failures come from fragmentation, not
 * from lack of memory.  traces/mixed.trace is `--generate --seed 1`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kshim.h"
#include "rng.h"
#include "buddy_core.h"
#include "model.h"

struct op {
	char kind;		/* 'a' or 'f' */
	unsigned long id;
	unsigned long nr;
	unsigned long align;
	enum contig_owner owner;
};

struct trace {
	unsigned long frames;
	struct op *ops;
	unsigned long nr_ops, cap;
	unsigned long max_id;
	unsigned long max_nr;
};

struct result {
	unsigned long allocs, failed, failed_frames, frees, skipped;
	unsigned long peak_used, largest_at_peak, min_largest;
	struct contig_buddy_stats end;
};

/*
 * Indices are printed at order 9 (2 MiB of 4 KiB pages) and at the order
 * of the largest request of the trace.
 */
#define SMALL_ORDER 9

static unsigned long uniform(unsigned long lo, unsigned long hi)
{
	return lo + rng() % (hi - lo + 1);
}

static void die(const char *fmt, const char *arg, unsigned long line)
{
	fprintf(stderr, "contig-trace: ");
	fprintf(stderr, fmt, arg, line);
	fputc('\n', stderr);
	exit(2);
}

static enum contig_owner owner_of(char c)
{
	switch (c) {
	case 'm':
		return CONTIG_OWNER_MOVABLE;
	case 'p':
		return CONTIG_OWNER_PINNED;
	case 's':
		return CONTIG_OWNER_SLAB;
	default:
		return CONTIG_OWNER_UNMOVABLE;
	}
}

static void load(struct trace *t, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	unsigned long lineno = 0;

	if (!f)
		die("%s: cannot open (line %lu)", path, 0);
	memset(t, 0, sizeof(*t));
	while (fgets(line, sizeof(line), f)) {
		struct op op = { .align = 1, .owner = CONTIG_OWNER_UNMOVABLE };
		char owner = 'u';
		char *p = strchr(line, '#');
		int n;

		lineno++;
		if (p)
			*p = '\0';
		if (sscanf(line, " region %lu", &t->frames) == 1)
			continue;
		n = sscanf(line, " %c %lu %lu %lu %c", &op.kind, &op.id, &op.nr,
			   &op.align, &owner);
		if (n <= 0)
			continue;
		if (!t->frames)
			die("%s:%lu: the region line must come first", path,
			    lineno);
		if (!((op.kind == 'a' && n >= 3) || (op.kind == 'f' && n == 2)))
			die("%s:%lu: expected 'a ID FRAMES [ALIGN [OWNER]]' or 'f ID'",
			    path, lineno);
		op.owner = owner_of(owner);
		if (op.id > 10000000)
			die("%s:%lu: ID too large", path, lineno);
		if (t->nr_ops == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 4096;
			t->ops = realloc(t->ops, t->cap * sizeof(*t->ops));
			if (!t->ops)
				die("%s: out of memory (line %lu)", path, lineno);
		}
		t->ops[t->nr_ops++] = op;
		if (op.id > t->max_id)
			t->max_id = op.id;
		if (op.kind == 'a' && op.nr > t->max_nr)
			t->max_nr = op.nr;
	}
	fclose(f);
	if (!t->frames)
		die("%s: no region line (line %lu)", path, lineno);
}

static unsigned int order_of(unsigned long nr)
{
	unsigned int o = 0;

	while ((1UL << o) < nr)
		o++;
	return o;
}

/* --series: a line every this many operations, or 0. */
static unsigned long series_every;

static int replay(const struct trace *t, enum contig_policy policy,
		  bool check, struct result *r)
{
	struct contig_buddy b;
	struct model m;
	long *frame;
	unsigned long i, used = 0;
	char why[200];
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->min_largest = ~0UL;
	frame = malloc((t->max_id + 1) * sizeof(*frame));
	if (!frame || contig_buddy_init(&b, t->frames, policy) ||
	    (check && model_init(&m, t->frames, policy))) {
		fprintf(stderr, "contig-trace: out of memory\n");
		exit(2);
	}
	b.quiet = true;
	for (i = 0; i <= t->max_id; i++)
		frame[i] = -1;

	for (i = 0; i < t->nr_ops; i++) {
		const struct op *op = &t->ops[i];
		struct contig_buddy_stats st;

		if (op->kind == 'a') {
			long f = contig_buddy_alloc(&b, op->nr, op->align,
						    op->owner,
						    CONTIG_POLICY_DEFAULT, 0);

			if (frame[op->id] >= 0) {
				fprintf(stderr, "contig-trace: op %lu: ID %lu allocated twice\n",
					i, op->id);
				ret = 1;
				break;
			}
			frame[op->id] = f;
			if (f < 0) {
				r->failed++;
				r->failed_frames += op->nr;
			} else {
				r->allocs++;
				used += op->nr;
				if (check)
					model_mark(&m, f, op->nr, op->owner);
			}
			contig_buddy_get_stats(&b, &st);
			if (st.largest_free < r->min_largest)
				r->min_largest = st.largest_free;
			if (used > r->peak_used) {
				r->peak_used = used;
				r->largest_at_peak = st.largest_free;
			}
		} else if (frame[op->id] < 0) {
			r->skipped++;
		} else {
			if (contig_buddy_free(&b, frame[op->id])) {
				fprintf(stderr, "contig-trace: op %lu: free of ID %lu refused\n",
					i, op->id);
				ret = 1;
				break;
			}
			if (check)
				model_unmark(&m, frame[op->id]);
			r->frees++;
			frame[op->id] = -1;
		}
		if (check && contig_buddy_check(&b, why, sizeof(why))) {
			fprintf(stderr, "contig-trace: %s fit, op %lu: %s\n",
				contig_policy_name(policy), i, why);
			ret = 1;
			break;
		}
		if (check && (i % 256 == 255 || i + 1 == t->nr_ops)) {
			model_update(&m);
			if (model_compare(&m, &b, why, sizeof(why))) {
				fprintf(stderr, "contig-trace: %s fit, op %lu: %s\n",
					contig_policy_name(policy), i, why);
				ret = 1;
				break;
			}
		}
		/* The trace's frees do not carry sizes: recompute use. */
		if (op->kind == 'f') {
			contig_buddy_get_stats(&b, &st);
			used = st.nr_frames - st.free_frames;
		}
		if (series_every &&
		    ((i + 1) % series_every == 0 || i + 1 == t->nr_ops)) {
			contig_buddy_get_stats(&b, &st);
			printf("%s\t%lu\t%lu\t%lu\t%lu\n",
			       contig_policy_name(policy), i + 1, used,
			       st.largest_free,
			       r->failed_frames);
		}
	}
	contig_buddy_get_stats(&b, &r->end);
	if (check)
		model_fini(&m);
	b.quiet = true;
	contig_buddy_fini(&b);
	free(frame);
	return ret;
}

static const char *thousandths(int v, char *buf)
{
	sprintf(buf, "%s%d.%03d", v < 0 ? "-" : "", abs(v) / 1000,
		abs(v) % 1000);
	return buf;
}

static int run(const char *path, int only, bool check)
{
	struct trace t;
	struct result r;
	unsigned long allocs = 0, i;
	unsigned int k;
	int p, ret = 0;
	char b[4][16];

	load(&t, path);
	for (i = 0; i < t.nr_ops; i++)
		allocs += t.ops[i].kind == 'a';
	k = order_of(t.max_nr);
	if (series_every) {
		printf("# %s: policy, operations, frames used, largest free block, frames refused\n",
		       path);
		for (p = 0; p < CONTIG_NR_POLICIES; p++)
			if (only < 0 || p == only)
				ret |= replay(&t, p, check, &r);
		free(t.ops);
		return ret;
	}
	printf("# %s: %lu frames, %lu operations (%lu allocations), largest request %lu frames (order %u)\n",
	       path, t.frames, t.nr_ops, allocs, t.max_nr, k);
	printf("# failed: allocations refused (and their frames); largest free block at the peak of use,\n");
	printf("# and its minimum over the run; final unusable free space index (unus) and external\n");
	printf("# fragmentation index (frag, -1.000: would succeed) at orders %u and %u\n",
	       SMALL_ORDER, k);
	printf("%-6s | %6s | %14s | %9s | %15s | %11s | %10s | %13s | %7s | %7s | %7s | %7s\n",
	       "policy", "ops", "failed (frames)", "peak used",
	       "largest at peak", "min largest", "final free", "final largest",
	       "unus@9", "frag@9", "unus@K", "frag@K");
	printf("-------+--------+-----------------+-----------+-----------------+-------------+------------+---------------+---------+---------+---------+--------\n");
	for (p = 0; p < CONTIG_NR_POLICIES; p++) {
		if (only >= 0 && p != only)
			continue;
		ret |= replay(&t, p, check, &r);
		printf("%-6s | %6lu | %5lu (%7lu) | %9lu | %15lu | %11lu | %10lu | %13lu | %7s | %7s | %7s | %7s\n",
		       contig_policy_name(p), t.nr_ops, r.failed,
		       r.failed_frames, r.peak_used, r.largest_at_peak,
		       r.min_largest, r.end.free_frames, r.end.largest_free,
		       thousandths(contig_buddy_unusable_index(&r.end, SMALL_ORDER), b[0]),
		       thousandths(contig_buddy_fragmentation_index(&r.end, SMALL_ORDER), b[1]),
		       thousandths(contig_buddy_unusable_index(&r.end, k), b[2]),
		       thousandths(contig_buddy_fragmentation_index(&r.end, k), b[3]));
	}
	if (check)
		printf("# invariant checks after every operation: %s\n",
		       ret ? "FAILED" : "ok");
	free(t.ops);
	return ret;
}

struct gen_live {
	unsigned long id, nr, death;
};

static void generate(u64 seed, unsigned long nr_ops, unsigned long frames)
{
	struct gen_live *live = calloc(nr_ops + 1, sizeof(*live));
	unsigned long *free_ids = calloc(nr_ops + 1, sizeof(*free_ids));
	unsigned long nlive = 0, nfree_ids = 0, next_id = 0, used = 0;
	unsigned long step, ops = 0, i;

	if (!live || !free_ids) {
		fprintf(stderr, "contig-trace: out of memory\n");
		exit(2);
	}
	rng_state = seed;
	printf("# contig-trace synthetic trace: --generate --seed %llu --ops %lu --frames %lu\n",
	       seed, nr_ops, frames);
	printf("# small short-lived, medium, and large long-lived requests; see contig-trace.c\n");
	printf("region %lu\n", frames);
	for (step = 0; ops < nr_ops; step++) {
		unsigned long nr, align = 1, life, id, cls = rng() % 100;
		char owner = 'u';

		/* Free what has died. */
		for (i = 0; i < nlive && ops < nr_ops;) {
			if (live[i].death > step) {
				i++;
				continue;
			}
			printf("f %lu\n", live[i].id);
			ops++;
			used -= live[i].nr;
			free_ids[nfree_ids++] = live[i].id;
			live[i] = live[--nlive];
		}
		if (ops >= nr_ops)
			break;
		if (cls < 70) {
			nr = rng() % 3 ? 1UL << uniform(0, 4) : uniform(1, 16);
			life = uniform(1, 64);
		} else if (cls < 96) {
			nr = uniform(17, 512);
			life = uniform(50, 2000);
		} else {
			nr = uniform(1024, 8192);
			life = uniform(nr_ops / 8, nr_ops);
			if (rng() % 2)
				align = 512;	/* 2 MiB */
		}
		if (cls < 96 && rng() % 3 == 0)
			owner = 'm';
		if (nr > frames / 2)
			nr = frames / 2 ? frames / 2 : 1;
		/* Keep demand under 90% of the region: free the oldest. */
		if (used + nr > frames / 10 * 9) {
			unsigned long oldest = 0;

			for (i = 1; i < nlive; i++)
				if (live[i].death < live[oldest].death)
					oldest = i;
			if (nlive)
				live[oldest].death = step;
			continue;
		}
		id = nfree_ids ? free_ids[--nfree_ids] : next_id++;
		printf(align > 1 || owner != 'u' ? "a %lu %lu %lu %c\n" :
		       "a %lu %lu\n", id, nr, align, owner);
		ops++;
		used += nr;
		live[nlive].id = id;
		live[nlive].nr = nr;
		live[nlive++].death = step + life;
	}
	free(live);
	free(free_ids);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: contig-trace [--check] [--policy first|best|worst|next] [--series N] TRACE\n"
		"       contig-trace --generate [--seed N] [--ops N] [--frames N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long nr_ops = 20000, frames = 65536;
	bool gen = false, check = false;
	u64 seed = 1;
	int only = -1, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--generate"))
			gen = true;
		else if (!strcmp(argv[i], "--check"))
			check = true;
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			nr_ops = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--frames") && i + 1 < argc)
			frames = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--series") && i + 1 < argc)
			series_every = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--policy") && i + 1 < argc &&
			 (only = contig_policy_from_name(argv[++i])) >= 0)
			continue;
		else
			usage();
	}
	if (gen) {
		if (i != argc || !frames || frames > CONTIG_BUDDY_MAX_FRAMES)
			usage();
		generate(seed, nr_ops, frames);
		return 0;
	}
	if (i + 1 != argc)
		usage();
	return run(argv[i], only, check);
}
