/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zero.h - clearing a buffer's memory, on several CPUs when it is large
 * (zero.c).
 */
#ifndef _CONTIG_ZERO_H
#define _CONTIG_ZERO_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

void contig_zero(void *va, size_t len, bool may_sleep);

/**
 * struct contig_zero_queue - ranges to clear, added while the caller
 * does something else; zero.c.
 * @ranges:	what was added, @max of them at most (kvmalloc'ed).
 * @max:	capacity of @ranges.
 * @ready:	ranges added: [0, @ready) may be claimed.
 * @next:	the next range to claim.
 * @started:	the helper was queued.
 * @closed:	no more ranges will be added.
 * @aborted:	claim nothing more.
 * @wait:	where the helper waits for a range or the end.
 * @helper:	the helper clearing alongside the caller.
 */
struct contig_zero_queue {
	struct contig_zero_range {
		void *va;
		size_t len;
	} *ranges;
	unsigned int max;
	atomic_t ready;
	atomic_t next;
	bool started;
	bool closed;
	bool aborted;
	wait_queue_head_t wait;
	struct work_struct helper;
};

bool contig_zero_queue_helped(void);
int contig_zero_queue_init(struct contig_zero_queue *q, unsigned int max);
void contig_zero_queue_add(struct contig_zero_queue *q, void *va, size_t len);
void contig_zero_queue_finish(struct contig_zero_queue *q);
void contig_zero_queue_abort(struct contig_zero_queue *q);

#endif /* _CONTIG_ZERO_H */
