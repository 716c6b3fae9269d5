// SPDX-License-Identifier: GPL-2.0
/*
 * quota.c - limits on what one opener of /dev/contig may hold.
 *
 * A quota (struct contig_quota) belongs to one open file of /dev/contig:
 * at most max_bytes_per_open bytes in at most max_buffers_per_open
 * buffers (module parameters, changeable at run time, 0 meaning no
 * limit).  A buffer is charged when it is allocated and uncharged when its
 * memory is back in the region, not merely when its fd is closed, so
 * memory held in quarantine (buffer.c) still counts.  The quota therefore
 * outlives its file while charged buffers exist: it is reference counted,
 * one reference for the file and one per charge.
 *
 * This file is a leaf: it calls nothing else of contig.ko, and nothing
 * below chardev.c knows who asked for a buffer.  chardev.c charges before
 * allocating and hands contig_quota_uncharge() to the buffer as its
 * release callback (struct contig_buffer_release, buffer.h).
 *
 * Locking: quota->lock, at its place in the lock order of
 * contig_internal.h; a leaf.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/lockdep.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "quota.h"

static unsigned long long contig_max_bytes_per_open;
module_param_named(max_bytes_per_open, contig_max_bytes_per_open, ullong, 0644);
MODULE_PARM_DESC(max_bytes_per_open,
		 "Bytes one open file of /dev/contig may hold in buffers (0: no limit but the region)");

static unsigned int contig_max_buffers_per_open = 1024;
module_param_named(max_buffers_per_open, contig_max_buffers_per_open, uint, 0644);
MODULE_PARM_DESC(max_buffers_per_open,
		 "Buffers one open file of /dev/contig may hold (0: no limit)");

/* Requests refused with -EDQUOT since load, for STATS. */
static atomic64_t contig_quota_refused = ATOMIC64_INIT(0);

/**
 * struct contig_quota - what one open file of /dev/contig holds.
 * @ref:	one for the open file, one per charge.
 * @lock:	protects @bytes and @buffers.
 * @bytes:	bytes charged.
 * @buffers:	buffers charged.
 */
struct contig_quota {
	refcount_t ref;
	spinlock_t lock;	/* see @lock above */
	u64 bytes;
	unsigned int buffers;
};

/**
 * contig_quota_new() - a quota for a new open file, holding nothing.
 *
 * Context: process context, may sleep.
 * Return: the quota with one reference, or NULL.
 */
struct contig_quota *contig_quota_new(void)
{
	struct contig_quota *q = kzalloc(sizeof(*q), GFP_KERNEL);

	if (!q)
		return NULL;
	refcount_set(&q->ref, 1);
	spin_lock_init(&q->lock);
	return q;
}

/**
 * contig_quota_put() - drop a reference; the last one frees the quota.
 * @q: the quota.
 *
 * Context: any.
 */
void contig_quota_put(struct contig_quota *q)
{
	if (refcount_dec_and_test(&q->ref))
		kfree(q);
}

/**
 * contig_quota_charge() - charge one buffer of @bytes, or refuse.
 * @q:     the quota.
 * @bytes: the buffer's size.
 *
 * A charge holds a reference on @q; contig_quota_uncharge() returns both.
 * A refusal logs one rate-limited line naming the limit.
 *
 * Context: process context.
 * Return: 0, or -EDQUOT.
 */
int contig_quota_charge(struct contig_quota *q, u64 bytes)
{
	u64 max_bytes = READ_ONCE(contig_max_bytes_per_open);
	unsigned int max_buffers = READ_ONCE(contig_max_buffers_per_open);
	u64 total;
	int ret = 0;

	spin_lock(&q->lock);
	if (max_buffers && q->buffers >= max_buffers) {
		pr_info_ratelimited("alloc refused: this open file already holds %u buffers (max_buffers_per_open=%u)\n",
				    q->buffers, max_buffers);
		ret = -EDQUOT;
	} else if (max_bytes && (check_add_overflow(q->bytes, bytes, &total) ||
				 total > max_bytes)) {
		pr_info_ratelimited("alloc refused: %llu more bytes would exceed max_bytes_per_open=%llu (%llu held)\n",
				    bytes, max_bytes, q->bytes);
		ret = -EDQUOT;
	} else {
		q->bytes += bytes;
		q->buffers++;
		refcount_inc(&q->ref);
	}
	spin_unlock(&q->lock);
	if (ret)
		atomic64_inc(&contig_quota_refused);
	return ret;
}

/**
 * contig_quota_uncharge() - return a charge taken by contig_quota_charge().
 * @q:     the quota (a void pointer: it is a buffer's release callback).
 * @bytes: the bytes charged.
 *
 * Drops the charge's reference, which may free @q.
 *
 * Context: process context.
 */
void contig_quota_uncharge(void *q, size_t bytes)
{
	struct contig_quota *quota = q;

	spin_lock(&quota->lock);
	quota->bytes -= bytes;
	quota->buffers--;
	spin_unlock(&quota->lock);
	contig_quota_put(quota);
}

/**
 * contig_quota_refusals() - requests refused with -EDQUOT since load.
 *
 * Context: any.
 * Return: the count.
 */
u64 contig_quota_refusals(void)
{
	return atomic64_read(&contig_quota_refused);
}
