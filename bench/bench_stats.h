/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_stats.h - the figures of contig's benchmark modules: the median of
 * repeats, with their min and max, so that the noise shows.
 *
 * A benchmark runs ours and the kernel's case in turns (ours, kernel,
 * ours, kernel...), adding each repeat's time to a struct bench_stat of
 * its side, and prints both with bench_print():
 *
 *   contig-bench: AREA | CASE | 3657 ns (3502-4120) | 2215 ns (2190-2391) | 1.65
 *
 * The ratio is of the medians, with six decimals when under 0.01.  A side
 * with a failed repeat (bench_fail()) prints "failed", one with none "-",
 * and the ratio is then "-".  At most BENCH_STAT_MAX repeats are kept.
 */
#ifndef _CONTIG_BENCH_STATS_H
#define _CONTIG_BENCH_STATS_H

#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/sort.h>
#include <linux/types.h>

#define BENCH_STAT_MAX	16

struct bench_stat {
	u64 v[BENCH_STAT_MAX];
	unsigned int n;
	bool failed;
};

static inline void bench_add(struct bench_stat *s, u64 v)
{
	if (s->n < BENCH_STAT_MAX)
		s->v[s->n++] = v;
}

/* A repeat that could not be measured: the side's figure is void. */
static inline void bench_fail(struct bench_stat *s)
{
	s->failed = true;
}

/* A repeat's figure @v if it was measured (@ok), else its failure. */
static inline void bench_record(struct bench_stat *s, bool ok, u64 v)
{
	if (ok)
		bench_add(s, v);
	else
		bench_fail(s);
}

static inline int __bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @s; the median (of an even count, the lower middle one). */
static inline u64 bench_median(struct bench_stat *s)
{
	if (!s->n)
		return 0;
	sort(s->v, s->n, sizeof(s->v[0]), __bench_cmp_u64, NULL);
	return s->v[(s->n - 1) / 2];
}

/* "MEDIAN UNIT (MIN-MAX)" of @s, once bench_median() has sorted it. */
static inline const char *bench_fmt(const struct bench_stat *s, u64 med,
				    const char *unit, char *buf, size_t len)
{
	if (s->failed)
		return "failed";
	if (!s->n)
		return "-";
	snprintf(buf, len, "%llu %s (%llu-%llu)", med, unit, s->v[0],
		 s->v[s->n - 1]);
	return buf;
}

/* One line: the two sides' figures and the ratio of their medians. */
static inline void bench_print(const char *area, const char *what,
			       struct bench_stat *ours,
			       struct bench_stat *kernel, const char *unit)
{
	char a[64], b[64], ratio[24] = "-";
	u64 o = bench_median(ours), k = bench_median(kernel), r;

	if (ours->n && kernel->n && !ours->failed && !kernel->failed && k) {
		r = div64_u64(o * 100, k);
		if (r)
			snprintf(ratio, sizeof(ratio), "%llu.%02llu", r / 100,
				 r % 100);
		else	/* under 0.01: six decimals rather than 0.00 */
			snprintf(ratio, sizeof(ratio), "0.%06llu",
				 div64_u64(o * 1000000, k));
	}
	pr_info("contig-bench: %s | %s | %s | %s | %s\n", area, what,
		bench_fmt(ours, o, unit, a, sizeof(a)),
		bench_fmt(kernel, k, unit, b, sizeof(b)), ratio);
}

#endif /* _CONTIG_BENCH_STATS_H */
