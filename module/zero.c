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
 * A queue of ranges to clear (struct contig_zero_queue) lets a caller
 * that is busy with something else meanwhile have them cleared as they
 * become known: lend.c takes a window back from the kernel run by run,
 * and the runs already taken (the free ones first, which take no time)
 * are cleared by a helper on the unbound workqueue while the caller waits
 * for the kernel to migrate its pages out of the next.  The caller then
 * joins in until every range is cleared.  The same number of CPUs as
 * contig_zero() at most, and the same CPU time, in less wall time.
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
#include <linux/slab.h>
#include <linux/wait.h>
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

/*
 * Claim the next range added and not yet claimed: its index in *@i.
 * The release in contig_zero_queue_add() publishes the range itself.
 */
static bool __zq_claim(struct contig_zero_queue *q, unsigned int *i)
{
	int n = atomic_read(&q->next);

	do {
		if (READ_ONCE(q->aborted) || n >= atomic_read_acquire(&q->ready))
			return false;
	} while (!atomic_try_cmpxchg(&q->next, &n, n + 1));
	*i = n;
	return true;
}

/* Clear every range that can be claimed now. */
static void __zq_drain(struct contig_zero_queue *q)
{
	unsigned int i;

	while (__zq_claim(q, &i))
		__zero_pages(q->ranges[i].va, q->ranges[i].len, true);
}

static bool __zq_more(struct contig_zero_queue *q)
{
	return READ_ONCE(q->closed) ||
	       atomic_read(&q->next) < atomic_read_acquire(&q->ready);
}

static void __zq_helper(struct work_struct *work)
{
	struct contig_zero_queue *q = container_of(work,
						   struct contig_zero_queue,
						   helper);

	for (;;) {
		__zq_drain(q);
		if (READ_ONCE(q->closed))
			break;
		wait_event(q->wait, __zq_more(q));
	}
}

/**
 * contig_zero_queue_helped() - will a queue get a helper?
 *
 * Context: any.
 * Return: whether zero_cpus= and the CPUs online allow a helper besides
 * the caller, for a caller that would arrange its work around one.
 */
bool contig_zero_queue_helped(void)
{
	return __zero_parts(CONTIG_ZERO_SPLIT) > 1;
}

CONTIG_EXPORT_FOR_TESTS(contig_zero_queue_helped);

/**
 * contig_zero_queue_init() - an empty queue of ranges to clear.
 * @q:		the queue, the caller's (on its stack, say).
 * @max:	the most ranges that will be added.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM (then the caller clears by itself).
 */
int contig_zero_queue_init(struct contig_zero_queue *q, unsigned int max)
{
	*q = (struct contig_zero_queue){ };
	q->ranges = kvmalloc_array(max, sizeof(*q->ranges), CONTIG_GFP_REQUEST);
	if (!q->ranges)
		return -ENOMEM;
	q->max = max;
	init_waitqueue_head(&q->wait);
	INIT_WORK_ONSTACK(&q->helper, __zq_helper);
	return 0;
}

CONTIG_EXPORT_FOR_TESTS(contig_zero_queue_init);

/**
 * contig_zero_queue_add() - a range to clear, from now on.
 * @q:		the queue, neither finished nor aborted.
 * @va:		the first byte, page aligned, in the kernel's direct map or
 *		contig's region mapping; the caller's memory alone.
 * @len:	bytes, a multiple of PAGE_SIZE.
 *
 * The first range added starts one helper on the unbound workqueue when
 * zero_cpus= allows more than the caller's CPU (with 2 CPUs: the other
 * one); it clears ranges as they come, until the queue is finished.
 * Only the caller adds.
 *
 * Context: process context, may sleep.
 */
void contig_zero_queue_add(struct contig_zero_queue *q, void *va, size_t len)
{
	unsigned int n = atomic_read(&q->ready);

	if (WARN_ON_ONCE(n >= q->max || q->closed))
		return;
	q->ranges[n].va = va;
	q->ranges[n].len = len;
	atomic_set_release(&q->ready, n + 1);
	if (!q->started && contig_zero_queue_helped()) {
		q->started = true;
		queue_work(system_unbound_wq, &q->helper);
	}
	wake_up(&q->wait);
}

CONTIG_EXPORT_FOR_TESTS(contig_zero_queue_add);

/* No more ranges: stop the helper once it has cleared what it claimed. */
static void __zq_close(struct contig_zero_queue *q)
{
	WRITE_ONCE(q->closed, true);
	wake_up(&q->wait);
	if (q->started)
		flush_work(&q->helper);
	destroy_work_on_stack(&q->helper);
	kvfree(q->ranges);
	q->ranges = NULL;
}

/**
 * contig_zero_queue_finish() - clear every range added, then end.
 * @q:		the queue.
 *
 * The caller clears what the helper has not claimed yet, and waits for
 * the helper.  Returns when every byte of every range added is zero.
 *
 * Context: process context, may sleep.
 */
void contig_zero_queue_finish(struct contig_zero_queue *q)
{
	__zq_drain(q);
	__zq_close(q);
}

CONTIG_EXPORT_FOR_TESTS(contig_zero_queue_finish);

/**
 * contig_zero_queue_abort() - end, leaving the ranges not yet cleared.
 * @q:		the queue.
 *
 * For a caller that will not hand the memory out after all: returns once
 * the helper no longer touches any range, some of which may be cleared
 * and some not.
 *
 * Context: process context, may sleep.
 */
void contig_zero_queue_abort(struct contig_zero_queue *q)
{
	WRITE_ONCE(q->aborted, true);
	__zq_close(q);
}

CONTIG_EXPORT_FOR_TESTS(contig_zero_queue_abort);
