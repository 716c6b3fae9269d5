// SPDX-License-Identifier: GPL-2.0
/*
 * buddy.c - the buddy allocator's kernel side: reports, fault injection.
 *
 * buddy_core.c is the allocator and builds in user space too; this file
 * is what only the kernel has.
 *
 * Locking contract.  The core's exported functions take region->buddy.lock
 * themselves, with spin_lock_irqsave(), and never sleep or allocate after
 * contig_buddy_init(): callers hold no buddy lock and may call them from
 * any context, hard interrupts included (CONTIG_BUDDY_ATOMIC only
 * documents the caller's context).  The lock is innermost: nothing is
 * called with it held but the core's own helpers.  contig_buddy_report()
 * below is called after the core has dropped it.
 *
 * Reports.  A refused call is counted by the core (bad_calls) and
 * reported here, unless the instance is quiet (tests):
 *   - programming errors (double free, a frame that starts no allocation,
 *     an invalid owner, policy or flag): one WARN per buddy instance, then
 *     ratelimited pr_err lines, so a test's private buddy cannot use up
 *     the warning of the region's;
 *   - requests a user could have passed down (size 0, larger than the
 *     region, a bad alignment): ratelimited pr_warn.
 *
 * The buddy's debugfs files (buddyinfo, fragmentation, map, policy) are
 * debugfs.c's; they read the state through the core's own functions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/printk.h>

#include "contig_internal.h"
#include "fault.h"

/**
 * contig_buddy_report() - report a call the buddy refused.
 * @b:		the buddy that refused it.
 * @bug:	a programming error rather than a bad user request.
 * @what:	what was wrong.
 * @val:	the offending value (frame, size, alignment, owner...).
 *
 * Context: any; called by buddy_core.c without b->lock.
 */
void contig_buddy_report(struct contig_buddy *b, bool bug, const char *what,
			 unsigned long val)
{
	if (READ_ONCE(b->quiet))
		return;
	if (!bug)
		pr_warn_ratelimited("buddy: %s: %lu\n", what, val);
	else if (!xchg(&b->warned, 1))
		WARN(1, "contig: buddy: %s: %lu\n", what, val);
	else
		pr_err_ratelimited("buddy: %s: %lu\n", what, val);
}

/**
 * contig_buddy_should_fail() - make this allocation find no free block?
 * @b: the buddy allocating.
 *
 * The buddy site of fault.c: contig_buddy_alloc() then fails as when no
 * block is large enough (-ENOMEM, counted in alloc_failures).
 *
 * Context: any; called by buddy_core.c without b->lock.
 */
bool contig_buddy_should_fail(struct contig_buddy *b)
{
	return contig_should_fail(CONTIG_FAULT_BUDDY);
}
