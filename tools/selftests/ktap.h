/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktap.h - minimal KTAP output for contig's user-space selftests, in the
 * shape of the kernel's tools/testing/selftests/kselftest.h.
 *
 * A program is a table of groups, each a function and the number of
 * results it reports whatever happens (on an early exit too: see
 * ktap_skip_rest() and ktap_fail_rest()).  ktap_plan() prints the plan,
 * their sum, before any result, as KTAP wants it straight after the
 * version line; nobody counts the results of the whole program by hand.
 * A program that dies half way leaves fewer results than planned, which
 * the judge (scripts/ktap_judge.py) reports as a truncated document, on
 * top of the exit status.  ktap_run() runs the groups and holds each to
 * its count: results a group did not report are reported as failures
 * named after it, and a group that reports too many fails the program
 * (and the plan).
 */
#ifndef _CONTIG_KTAP_H
#define _CONTIG_KTAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned int ktap_num, ktap_pass, ktap_fail, ktap_skip;

static inline void ktap_header(unsigned int plan)
{
	printf("KTAP version 1\n1..%u\n", plan);
	fflush(stdout);
}

static inline void ktap_print(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void __ktap_result(const char *status, const char *dir,
				 const char *fmt, va_list ap)
{
	printf("%s %u ", status, ++ktap_num);
	vprintf(fmt, ap);
	if (dir)
		printf(" # %s", dir);
	printf("\n");
	fflush(stdout);
}

/* Report one case: ok when cond is true. Returns cond. */
static inline int ktap_check(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	__ktap_result(cond ? "ok" : "not ok", NULL, fmt, ap);
	va_end(ap);
	if (cond)
		ktap_pass++;
	else
		ktap_fail++;
	return cond;
}

static inline void ktap_skip_case(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	__ktap_result("ok", "SKIP", fmt, ap);
	va_end(ap);
	ktap_skip++;
}

static inline int ktap_finish(void)
{
	printf("# Totals: pass:%u fail:%u skip:%u\n", ktap_pass, ktap_fail,
	       ktap_skip);
	fflush(stdout);
	return ktap_fail ? 1 : 0;
}

/* ---- groups -------------------------------------------------------------- */

struct ktap_group {
	const char *name;
	unsigned int results;		/* reported by run(), always */
	void (*run)(const void *arg);
	const void *arg;
};

/* The running group and the result number after its last one. */
static const struct ktap_group *ktap_group;
static unsigned int ktap_group_end;

/* Print the plan of @n groups: the sum of their results. */
static inline void ktap_plan(const struct ktap_group *g, unsigned int n)
{
	unsigned int plan = 0, i;

	for (i = 0; i < n; i++)
		plan += g[i].results;
	ktap_header(plan);
}

/* Results the running group still owes. */
static inline unsigned int ktap_rest(void)
{
	return ktap_num < ktap_group_end ? ktap_group_end - ktap_num : 0;
}

/* Report the rest of the running group as skipped, each with @why. */
static inline void ktap_skip_rest(const char *why)
{
	while (ktap_rest())
		ktap_skip_case("%s: %s", ktap_group->name, why);
}

/* Report the rest of the running group as failed, each with @why. */
static inline void ktap_fail_rest(const char *why)
{
	while (ktap_rest())
		ktap_check(0, "%s: %s", ktap_group->name, why);
}

/* Run @n groups in order, each held to its count of results. */
static inline void ktap_run(const struct ktap_group *g, unsigned int n)
{
	unsigned int i, first;

	for (i = 0; i < n; i++) {
		ktap_group = &g[i];
		first = ktap_num;
		ktap_group_end = first + g[i].results;
		g[i].run(g[i].arg);
		if (ktap_num > ktap_group_end) {
			ktap_print("group \"%s\" reported %u results, declared %u",
				   g[i].name, ktap_num - first, g[i].results);
			ktap_fail++;
		}
		ktap_fail_rest("result never reported (the group ended early)");
	}
	ktap_group = NULL;
}

#endif /* _CONTIG_KTAP_H */
