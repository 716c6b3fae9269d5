// SPDX-License-Identifier: GPL-2.0
/*
 * fault.c - contig.ko's own fault injection points.
 *
 * Every error path of contig.ko must lose nothing: a failed request leaves
 * every buffer, mapping and counter as it was.  The kernel's failslab and
 * fail_page_alloc reach the kernel allocations we make; the sites of
 * enum contig_fault_site (fault.h) reach the failures of our own: the
 * buddy finding no block, a cache getting no slab, a window that cannot
 * be emptied, the DMA API, the dma-buf core, the fd table and user copies.
 * Each site is one line at the real failure: "contig_should_fail(SITE) ?
 * ERRNO : real_call()", so an injected failure takes the path a real one
 * takes, with its errno.
 *
 * Each site has a struct fault_attr of its own (Documentation/
 * fault-injection/fault-injection.rst), driven by should_fail():
 *
 *   - /sys/kernel/debug/contig/fail/<site>/: probability, interval, times,
 *     space, verbose, task-filter (with /proc/<pid>/make-it-fail), as for
 *     failslab;
 *   - /proc/thread-self/fail-nth: should_fail() counts our sites with the
 *     kernel's, so writing N there makes the N-th fault point the task
 *     passes fail, whichever it is (tools/selftests/failnth_test.c walks
 *     every N of every ioctl this way).
 *
 * The attrs print one line per injected failure (verbose=1), not the
 * stack trace of the kernel's default, which the test harness would take
 * for a splat; write 2 to verbose for the trace.
 *
 * On kernels with KUnit, contig_fault_test_arm(N) makes the N-th of our
 * sites the calling task passes fail, and no other task's, whatever the
 * kernel's fault injection (kunit/fault_kunit.c walks the exported API
 * this way, on kernels without fault injection too).  Without
 * CONFIG_FAULT_INJECTION and KUnit, contig_should_fail() is constant false
 * and every site compiles away (fault.h).
 *
 * Locking: none.  The attrs are the kernel's (atomics, and plain fields
 * only their debugfs files write); the test counter is written only by
 * the task it is armed for.  A leaf: calls nothing of contig.ko.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/kernel.h>
#include <linux/sched.h>

#include "contig_internal.h"
#include "fault.h"

#if IS_ENABLED(CONFIG_FAULT_INJECTION) || IS_ENABLED(CONFIG_KUNIT)
static DECLARE_FAULT_ATTR(contig_fail_buddy);
static DECLARE_FAULT_ATTR(contig_fail_slab);
static DECLARE_FAULT_ATTR(contig_fail_take);
static DECLARE_FAULT_ATTR(contig_fail_dma_map);
static DECLARE_FAULT_ATTR(contig_fail_export);
static DECLARE_FAULT_ATTR(contig_fail_fd);
static DECLARE_FAULT_ATTR(contig_fail_user_copy);

static const struct {
	const char *name;
	struct fault_attr *attr;
} contig_faults[CONTIG_NR_FAULTS] = {
	[CONTIG_FAULT_BUDDY]	 = { "buddy", &contig_fail_buddy },
	[CONTIG_FAULT_SLAB]	 = { "slab", &contig_fail_slab },
	[CONTIG_FAULT_TAKE]	 = { "take", &contig_fail_take },
	[CONTIG_FAULT_DMA_MAP]	 = { "dma_map", &contig_fail_dma_map },
	[CONTIG_FAULT_EXPORT]	 = { "export", &contig_fail_export },
	[CONTIG_FAULT_FD]	 = { "fd", &contig_fail_fd },
	[CONTIG_FAULT_USER_COPY] = { "user_copy", &contig_fail_user_copy },
};

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * struct contig_fault_test - the KUnit counter.
 * @task:	the task it is armed for, or NULL.
 * @nth:	fault points left to pass before the one that fails.
 * @site:	the site that failed, or -1.
 *
 * Written by @task only (and read by every caller of contig_should_fail(),
 * which compares @task with itself first).
 */
struct contig_fault_test {
	struct task_struct *task;
	unsigned int nth;
	int site;
};

static struct contig_fault_test contig_fault_test = { .site = -1 };

static bool __contig_fault_test_fail(enum contig_fault_site site)
{
	struct contig_fault_test *t = &contig_fault_test;

	if (likely(READ_ONCE(t->task) != current) || !in_task() || !t->nth)
		return false;
	if (--t->nth)
		return false;
	t->site = site;
	pr_info("fault injected at %s (KUnit)\n", contig_faults[site].name);
	return true;
}

/**
 * contig_fault_test_arm() - make the @nth site the current task passes fail.
 * @nth: 1 for the next one.
 *
 * For KUnit: only the calling task is affected; disarm with
 * contig_fault_test_disarm() before the case ends.
 *
 * Context: process context.
 */
void contig_fault_test_arm(unsigned int nth)
{
	struct contig_fault_test *t = &contig_fault_test;

	WARN_ON_ONCE(READ_ONCE(t->task));
	t->nth = nth;
	t->site = -1;
	WRITE_ONCE(t->task, current);
}

CONTIG_EXPORT_FOR_TESTS(contig_fault_test_arm);

/**
 * contig_fault_test_disarm() - end what contig_fault_test_arm() began.
 *
 * Context: process context, the task that armed it.
 * Return: the site that failed (enum contig_fault_site), or -1 when the
 * counter did not run out: the call passed fewer sites than armed for.
 */
int contig_fault_test_disarm(void)
{
	struct contig_fault_test *t = &contig_fault_test;

	WARN_ON_ONCE(READ_ONCE(t->task) != current);
	WRITE_ONCE(t->task, NULL);
	t->nth = 0;
	return t->site;
}

CONTIG_EXPORT_FOR_TESTS(contig_fault_test_disarm);

/**
 * contig_fault_site_name() - the debugfs name of a site.
 * @site: an enum contig_fault_site, or -1.
 *
 * Context: any.
 * Return: the name, or "none".
 */
const char *contig_fault_site_name(int site)
{
	return site >= 0 && site < CONTIG_NR_FAULTS ?
		contig_faults[site].name : "none";
}

CONTIG_EXPORT_FOR_TESTS(contig_fault_site_name);
#else
static inline bool __contig_fault_test_fail(enum contig_fault_site site)
{
	return false;
}
#endif

/**
 * contig_should_fail() - should this site fail now?
 * @site: the site.
 *
 * Honours the site's fault_attr (probability, interval, times, space,
 * task filter) and the calling task's /proc/thread-self/fail-nth, as
 * should_fail() does for every fault_attr, and the KUnit counter.
 *
 * Context: any.
 * Return: true when the caller must fail as the real failure would.
 */
bool contig_should_fail(enum contig_fault_site site)
{
	if (WARN_ON_ONCE(site >= CONTIG_NR_FAULTS))
		return false;
	if (__contig_fault_test_fail(site))
		return true;
	return should_fail(contig_faults[site].attr, 1);
}
#endif /* CONFIG_FAULT_INJECTION || CONFIG_KUNIT */

/**
 * contig_fault_debugfs_init() - set up the sites, and fail/ under @parent.
 * @parent: /sys/kernel/debug/contig/, or NULL or an ERR_PTR without
 *	    debugfs.
 *
 * Creates one directory per site under fail/ (fault_create_debugfs_attr());
 * kernels without CONFIG_FAULT_INJECTION_DEBUG_FS get none.  debugfs
 * failures are not errors.
 *
 * Context: process context, module load.
 */
void contig_fault_debugfs_init(struct dentry *parent)
{
#ifdef CONFIG_FAULT_INJECTION
	struct dentry *dir;
	unsigned int i;

	for (i = 0; i < CONTIG_NR_FAULTS; i++)
		contig_faults[i].attr->verbose = 1;
	if (!IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS) ||
	    IS_ERR_OR_NULL(parent))
		return;
	dir = debugfs_create_dir("fail", parent);
	for (i = 0; i < CONTIG_NR_FAULTS; i++)
		fault_create_debugfs_attr(contig_faults[i].name, dir,
					  contig_faults[i].attr);
#endif
}
