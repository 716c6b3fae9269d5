/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_util.h - what the user-space benchmarks (tools/bench.list and
 * lend_bench) all need: a clock, /proc/meminfo and sysfs numbers, and a
 * memcpy() to hold the kernel's migration rates against.
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

#endif /* BENCH_UTIL_H */
