// SPDX-License-Identifier: GPL-2.0
/*
 * zero.c - clearing a buffer's memory, on several CPUs when it is large.
 *
 * Every buffer a program gets is zeroed, and for a large one the clearing
 * is most of the request's latency: 64 MiB on an empty region took 82-88
 * ms on one CPU under QEMU TCG (migrate_bench), nearly all of it clearing.
 * The kernel's CMA heap clears on the calling CPU.
 * We split a range of at least CONTIG_ZERO_SPLIT into one part per CPU,
 * up to zero_cpus= (a module parameter, 1 clears on the caller only): the
 * caller clears the first part itself and the others run on the unbound
 * workqueue, wherever the scheduler finds a CPU, as the kernel's padata
 * splits its boot-time page initialisation.  The request waits for every
 * part, so what it returns is zero in every byte either way; it spends
 * the same CPU time, in less wall time when other CPUs are idle.
 *
 * clear_page(), not memset(): the compiler may inline memset() of an
 * unknown length as a byte-wise "rep stosb", which is ten times slower
 * under QEMU TCG (measured: 800 ms against 85 ms for 64 MiB) and on CPUs
 * without fast string ops.
 *
 * Locking: none; the memory is the caller's alone.  A leaf: calls nothing
 * of contig.ko.
 */
#include <linux/cpumask.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/workqueue.h>

#include "contig_internal.h"
#include "zero.h"

/* A range smaller than this is cleared by the caller alone. */
#define CONTIG_ZERO_SPLIT	SZ_8M
/*
 * No more parts than this, whatever zero_cpus= says: a few CPUs clearing
 * at once already fill the memory bus, and the parts live on the stack.
 */
#define CONTIG_ZERO_MAX_PARTS	4

static unsigned int zero_cpus = 4;
module_param(zero_cpus, uint, 0644);
MODULE_PARM_DESC(zero_cpus,
		 "clear a buffer of 8 MiB or more on up to this many CPUs at once (1: on the caller's only; at most 4)");

/**
 * struct contig_zero_part - one part of a range, cleared by a worker.
 * @work:	on the unbound workqueue; on the caller's stack.
 * @va:		the first byte, page aligned.
 * @len:	bytes, a multiple of PAGE_SIZE.
 */
struct contig_zero_part {
	struct work_struct work;
	void *va;
	size_t len;
};

static void __zero_pages(void *va, size_t len, bool may_sleep)
{
	size_t off;

	for (off = 0; off < len; off += PAGE_SIZE) {
		clear_page(va + off);
		if (may_sleep && !(off & (SZ_2M - 1)))
			cond_resched();
	}
}

static void __zero_part(struct work_struct *work)
{
	struct contig_zero_part *p = container_of(work, struct contig_zero_part,
						  work);

	__zero_pages(p->va, p->len, true);
}

/*
 * How many parts to clear @len bytes in: 1 to CONTIG_ZERO_MAX_PARTS, each
 * at least CONTIG_ZERO_SPLIT / CONTIG_ZERO_MAX_PARTS long.
 */
static unsigned int __zero_parts(size_t len)
{
	if (len < CONTIG_ZERO_SPLIT)
		return 1;
	return max(1U, min3(READ_ONCE(zero_cpus), num_online_cpus(),
			    (unsigned int)CONTIG_ZERO_MAX_PARTS));
}

/**
 * contig_zero() - clear memory, in parallel when it is large.
 * @va:		the first byte, page aligned, in the kernel's direct map or
 *		contig's region mapping.
 * @len:	bytes, a multiple of PAGE_SIZE.
 * @may_sleep:	false for a caller that cannot sleep: then the caller
 *		clears it all, with no rescheduling.
 *
 * Returns when every byte is zero.
 *
 * Context: any context when @may_sleep is false; process context, may
 * sleep, otherwise.
 */
void contig_zero(void *va, size_t len, bool may_sleep)
{
	struct contig_zero_part parts[CONTIG_ZERO_MAX_PARTS];
	unsigned int n = may_sleep ? __zero_parts(len) : 1, i;
	size_t step, off;

	if (n == 1) {
		__zero_pages(va, len, may_sleep);
		return;
	}
	/* n * step >= len > (n - 1) * step: every part holds something. */
	step = round_up(DIV_ROUND_UP(len, n), PAGE_SIZE);
	/* Part 0 is the caller's; the rest go to the workqueue first. */
	for (i = 1, off = step; i < n; i++, off += step) {
		parts[i].va = va + off;
		parts[i].len = min(step, len - off);
		INIT_WORK_ONSTACK(&parts[i].work, __zero_part);
		queue_work(system_unbound_wq, &parts[i].work);
	}
	__zero_pages(va, step, true);
	for (i = 1; i < n; i++) {
		flush_work(&parts[i].work);
		destroy_work_on_stack(&parts[i].work);
	}
}
