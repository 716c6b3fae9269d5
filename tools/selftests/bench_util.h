/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_util.h - what the user-space benchmarks (tools/bench.list and
 * lend_bench) all need: a clock, /proc/meminfo and sysfs numbers, a
 * memcpy() to hold the kernel's migration rates against, and the median
 * (min-max) line every figure is printed as:
 *
 *   contig-bench: AREA | CASE | 74.4 ms (69.6-133.9, n=5) | 90.7 ms (...) | 0.82
 *
 * with the ratio of the medians.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds, monotonic. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Bytes of /proc/meminfo's @key (without the colon), or -1. */
static inline long meminfo(const char *key)
{
	char l[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(l, sizeof(l), f))
		if (!strncmp(l, key, strlen(key)) && l[strlen(key)] == ':') {
			v = strtol(l + strlen(key) + 1, NULL, 10) << 10;
			break;
		}
	fclose(f);
	return v;
}

/* The number in file @path, or 0. */
static inline unsigned long read_ul(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* @reps timings, in seconds, of a memcpy() of @size bytes; -1 if no memory. */
static inline int memcpy_secs(size_t size, int reps, double *secs)
{
	char *a = malloc(size), *b = malloc(size);
	int r;
	double t;

	if (!a || !b) {
		free(a);
		free(b);
		return -1;
	}
	memset(a, 1, size);
	memset(b, 2, size);
	for (r = 0; r < reps; r++) {
		t = now();
		memcpy(b, a, size);
		secs[r] = now() - t;
	}
	free(a);
	free(b);
	return 0;
}

static inline int bench_cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, min and max of @n figures (sorted in place); -1 if none. */
static inline double bench_median(double *v, int n, double *lo, double *hi)
{
	if (n <= 0) {
		*lo = *hi = -1;
		return -1;
	}
	qsort(v, n, sizeof(*v), bench_cmp_d);
	*lo = v[0];
	*hi = v[n - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One line of @area: both sides' figures and the ratio of their medians. */
static inline void bench_line(const char *area, const char *what,
			      double *ours, int no, double *kern, int nk,
			      const char *unit)
{
	double ol, oh, kl, kh, om = bench_median(ours, no, &ol, &oh);
	double km = bench_median(kern, nk, &kl, &kh);
	double ratio = om > 0 && km > 0 ? om / km : 0.0;

	/* Four decimals under 0.01, so that a ratio never reads 0.00. */
	printf("contig-bench: %s | %s | %.1f %s (%.1f-%.1f, n=%d) | %.1f %s (%.1f-%.1f, n=%d) | %.*f\n",
	       area, what, om, unit, ol, oh, no, km, unit, kl, kh, nk,
	       ratio > 0 && ratio < 0.01 ? 4 : 2, ratio);
	fflush(stdout);
}

#endif /* BENCH_UTIL_H */
