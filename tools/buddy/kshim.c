// SPDX-License-Identifier: GPL-2.0
/*
 * kshim.c - the user-space side of kshim.h: lock bugs abort, reports of
 * bad calls are counted (and printed with BUDDY_VERBOSE=1).
 */
#include "kshim.h"
#include "buddy_core.h"

unsigned long kshim_reports[2];

#ifdef KSHIM_LOCK_HOOKS
void (*kshim_lock_hook)(spinlock_t *l, bool locked);
#endif

void kshim_lock_bug(const char *what)
{
	fprintf(stderr, "kshim: %s\n", what);
	abort();
}

bool contig_buddy_should_fail(struct contig_buddy *b)
{
	return false;	/* no fault injection in user space */
}

void contig_buddy_report(struct contig_buddy *b, bool bug, const char *what,
			 unsigned long val)
{
	static int verbose = -1;

	kshim_reports[bug]++;
	if (verbose < 0)
		verbose = getenv("BUDDY_VERBOSE") != NULL;
	if (verbose && !b->quiet)
		fprintf(stderr, "buddy: %s%s: %lu\n", bug ? "BUG: " : "",
			what, val);
}
