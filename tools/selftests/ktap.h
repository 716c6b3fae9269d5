/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktap.h - minimal KTAP output for contig's user-space selftests, in the
 * shape of the kernel's tools/testing/selftests/kselftest.h.
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

#endif /* _CONTIG_KTAP_H */
