// SPDX-License-Identifier: GPL-2.0
/*
 * prezero.c - keeping the region's free memory zeroed in the background,
 * so that a request for zeroed memory need not clear it on the spot.
 *
 * Every buffer a program gets is zeroed, and for a large one clearing is
 * most of the request's time (64 MiB: 45 to 88 ms under QEMU TCG, see
 * zero.c).  The buddy knows, per free frame, whether it holds only zero
 * bytes (buddy_core.c, "Known-zero frames"): a frame is dirty once freed,
 * and zeroed once contig_buddy_zero_next() has cleared it.  A request
 * with CONTIG_FLAG_ZERO learns from contig_buddy_alloc_zeroed() how many
 * frames of each block it gets, from the block's first on, were zeroed,
 * and clears only the rest (buffer.c: every chunk of an SG buffer, the
 * one of a CONTIGUOUS buffer).
 *
 * The worker.  One kernel thread per loaded region, "contig_prezero", at
 * the lowest priority (nice 19).  It clears the lowest dirty free frame
 * after a rover, one at a time, without the buddy's lock
 * (contig_buddy_zero_next()): the frame stays free and in its block, so
 * an allocation never finds memory missing because of it, and only one
 * that takes that very frame waits, for one page's clearing.  It works in
 * batches of CONTIG_PREZERO_BATCH frames and after each sleeps long
 * enough that its time clearing stays under prezero_share= percent of one
 * CPU; with nothing dirty it sleeps CONTIG_PREZERO_IDLE_MS between looks.
 * prezero=0 stops it clearing (the thread stays, asleep).
 *
 * What is not cleared: frames of the lent span (lend.c).  contig holds
 * them free only between a take and the give-back to the kernel, which
 * does not want them zeroed; the reserve= there is kept zeroed by lend.c.
 * So with lending, the worker covers the part of the region outside whole
 * memory blocks, and without lending (lend=0, or a kernel or region where
 * it is impossible) the whole region.
 *
 * Counted (debugfs "prezero"): frames cleared, the time spent clearing
 * (wall time of the batches, nearly all of it clearing one frame at a
 * time with interrupts off, so CPU time), batches, and frames that
 * ZERO requests did not have to clear (found zeroed here, or taken from
 * lend.c's zeroed reserve).
 *
 * Locking: contig_prezero_mutex, at its place in the lock order of
 * contig_internal.h, makes batches one at a time (the worker's, and a
 * test's contig_prezero_run()): contig_buddy_zero_next() allows one
 * caller per buddy.  The worker looks at prezero= and the pause before
 * each frame, and contig_prezero_pause() takes the mutex once, so on its
 * return no clearing is under way.  The counters are atomic.  Calls only
 * the buddy: a leaf of the call graph.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "contig_internal.h"
#include "prezero.h"

/* Frames cleared between two looks at the time spent (1 MiB). */
#define CONTIG_PREZERO_BATCH	256
/* Sleep between looks when nothing is dirty. */
#define CONTIG_PREZERO_IDLE_MS	200

static bool prezero = true;
module_param(prezero, bool, 0644);
MODULE_PARM_DESC(prezero,
		 "clear the region's free memory in the background, so that zeroed requests find it cleared (default on)");

static unsigned int prezero_share = 10;
module_param(prezero_share, uint, 0644);
MODULE_PARM_DESC(prezero_share,
		 "most of one CPU's time the background clearing may use, in percent (1-100, default 10)");

/**
 * struct contig_prezero - the background clearing of one region.
 * @region:	the region.
 * @task:	the worker thread, or NULL when it could not be started.
 * @rover:	the next frame to look at (contig_prezero_mutex).
 * @cleared:	frames cleared.
 * @busy_ns:	time spent clearing them.
 * @batches:	batches that cleared at least one frame.
 * @skipped:	frames that ZERO requests found zeroed and did not clear.
 * @pause:	tests: the worker clears nothing while non-zero.
 */
struct contig_prezero {
	struct contig_region *region;
	struct task_struct *task;
	unsigned long rover;
	atomic64_t cleared;
	atomic64_t busy_ns;
	atomic64_t batches;
	atomic64_t skipped;
	atomic_t pause;
};

static struct contig_prezero contig_prezero_state;
static DEFINE_MUTEX(contig_prezero_mutex);

static void __prezero_clear(void *arg, unsigned long frame)
{
	clear_page(contig_frame_to_virt(arg, frame));
}

/*
 * The next span [*@from, *@to) of frames the worker covers at or after
 * @frame: the region less its lent span.  False past the last one.
 */
static bool __prezero_span(const struct contig_region *r, unsigned long frame,
			   unsigned long *from, unsigned long *to)
{
	unsigned long lend_end = r->lend_first + r->lend_nr;

	if (r->lend_nr && frame < r->lend_first) {
		*from = frame;
		*to = r->lend_first;
		return true;
	}
	if (r->lend_nr && frame < lend_end)
		frame = lend_end;
	if (frame >= r->nr_pages)
		return false;
	*from = frame;
	*to = r->nr_pages;
	return true;
}

/*
 * Clear the first dirty free frame of the worker's spans within
 * [@start, @end).  Return: as contig_buddy_zero_next(), -ENOENT when
 * none is dirty.
 */
static long __prezero_scan(struct contig_region *r, unsigned long start,
			   unsigned long end)
{
	unsigned long from, to;
	long ret;

	while (start < end && __prezero_span(r, start, &from, &to) &&
	       from < end) {
		ret = contig_buddy_zero_next(&r->buddy, from, min(to, end),
					     __prezero_clear, r);
		if (ret != -ENOENT)
			return ret;
		start = to;
	}
	return -ENOENT;
}

/*
 * Clear the next dirty free frame at or after @frame, wrapping around
 * once.  Return: the frame cleared, or -ENOENT when none is dirty.
 */
static long __prezero_one(struct contig_region *r, unsigned long frame)
{
	long ret = __prezero_scan(r, frame, r->nr_pages);

	return ret == -ENOENT ? __prezero_scan(r, 0, frame) : ret;
}

/*
 * A batch of up to @max frames; the worker's (@worker) stops early when
 * paused or turned off.  *@ns: how long it took, counted in busy_ns when
 * it cleared a frame.  Context: process context, takes
 * contig_prezero_mutex.
 */
static unsigned long __prezero_batch(unsigned long max, bool worker, u64 *ns)
{
	struct contig_prezero *p = &contig_prezero_state;
	struct contig_region *r = p->region;
	unsigned long n = 0;
	u64 t0 = ktime_get_ns();
	long frame;

	*ns = 0;
	if (!r)
		return 0;
	mutex_lock(&contig_prezero_mutex);
	while (n < max) {
		if (worker && (atomic_read(&p->pause) || !READ_ONCE(prezero)))
			break;
		frame = __prezero_one(r, p->rover);
		/* Taken by a request while being cleared: on to the next. */
		if (frame == -EAGAIN)
			continue;
		if (frame < 0)
			break;
		p->rover = frame + 1;
		n++;
		cond_resched();
	}
	mutex_unlock(&contig_prezero_mutex);
	*ns = ktime_get_ns() - t0;
	if (n) {
		atomic64_add(n, &p->cleared);
		atomic64_add(*ns, &p->busy_ns);
		atomic64_inc(&p->batches);
	}
	return n;
}

/**
 * contig_prezero_run() - clear up to @max dirty free frames now.
 * @max: frames.
 *
 * The worker's batch, for tests to reach a known state without waiting;
 * it runs whether the worker is paused or not.
 *
 * Context: process context; takes contig_prezero_mutex.
 * Return: frames cleared; fewer than @max when no dirty frame is left.
 */
unsigned long contig_prezero_run(unsigned long max)
{
	u64 ns;

	return __prezero_batch(max, false, &ns);
}

CONTIG_EXPORT_FOR_TESTS(contig_prezero_run);

/**
 * contig_prezero_pause() - stop the worker clearing, for a test.
 * @pause: true to stop (nests), false to let it go on.
 *
 * On return from a pause, no frame is being cleared by the worker and
 * none will be until the pause is lifted.
 *
 * Context: process context; takes contig_prezero_mutex.
 */
void contig_prezero_pause(bool pause)
{
	if (!pause) {
		atomic_dec(&contig_prezero_state.pause);
		return;
	}
	atomic_inc(&contig_prezero_state.pause);
	/* Wait for a batch under way: it stops at its next frame. */
	mutex_lock(&contig_prezero_mutex);
	mutex_unlock(&contig_prezero_mutex);
}

CONTIG_EXPORT_FOR_TESTS(contig_prezero_pause);

/**
 * contig_prezero_get_stats() - the counters of debugfs "prezero".
 * @st: filled in.
 *
 * Context: any.
 */
void contig_prezero_get_stats(struct contig_prezero_stats *st)
{
	struct contig_prezero *p = &contig_prezero_state;

	st->cleared = atomic64_read(&p->cleared);
	st->busy_ns = atomic64_read(&p->busy_ns);
	st->batches = atomic64_read(&p->batches);
	st->skipped = atomic64_read(&p->skipped);
}

CONTIG_EXPORT_FOR_TESTS(contig_prezero_get_stats);

/**
 * contig_prezero_note_skipped() - count frames a request did not clear.
 * @nr: frames found zeroed.
 *
 * Context: any.
 */
void contig_prezero_note_skipped(unsigned long nr)
{
	atomic64_add(nr, &contig_prezero_state.skipped);
}

static int contig_prezero_thread(void *arg)
{
	struct contig_prezero *p = arg;

	set_user_nice(current, MAX_NICE);
	while (!kthread_should_stop()) {
		unsigned int share = clamp(READ_ONCE(prezero_share), 1U, 100U);
		u64 busy;

		if (!READ_ONCE(prezero) || atomic_read(&p->pause)) {
			schedule_timeout_interruptible(msecs_to_jiffies(CONTIG_PREZERO_IDLE_MS));
			continue;
		}
		if (!__prezero_batch(CONTIG_PREZERO_BATCH, true, &busy)) {
			schedule_timeout_interruptible(msecs_to_jiffies(CONTIG_PREZERO_IDLE_MS));
			continue;
		}
		/* Sleep so that busy / (busy + sleep) <= share %. */
		busy = div_u64(busy * (100 - share), share * NSEC_PER_USEC);
		if (busy >= 20 * USEC_PER_MSEC)
			schedule_timeout_interruptible(usecs_to_jiffies(busy));
		else if (busy)
			usleep_range(busy, busy + busy / 4 + 1);
	}
	return 0;
}

/**
 * contig_prezero_start() - start clearing @r's free memory.
 * @r: the region, set up; lending (if any) decided.
 *
 * A thread that cannot be started is reported, not an error: requests
 * then clear what they need, as before.
 *
 * Context: process context, module load.
 */
void contig_prezero_start(struct contig_region *r)
{
	struct contig_prezero *p = &contig_prezero_state;
	struct task_struct *t;

	p->region = r;
	p->rover = 0;
	t = kthread_run(contig_prezero_thread, p, "contig_prezero");
	if (IS_ERR(t)) {
		pr_warn("no background zeroing (%pe): requests clear their memory themselves\n",
			t);
		return;
	}
	p->task = t;
}

/**
 * contig_prezero_stop() - stop clearing; the worker is gone on return.
 *
 * Context: process context, module unload or failed load.
 */
void contig_prezero_stop(void)
{
	struct contig_prezero *p = &contig_prezero_state;

	if (p->task)
		kthread_stop(p->task);
	p->task = NULL;
	p->region = NULL;
}

/**
 * contig_prezero_show() - debugfs "prezero": the state and the counters.
 * @m: the seq_file.
 * @v: unused.
 *
 * Context: process context.
 * Return: 0.
 */
int contig_prezero_show(struct seq_file *m, void *v)
{
	struct contig_prezero *p = &contig_prezero_state;
	struct contig_region *r = p->region;
	struct contig_prezero_stats ps;
	struct contig_buddy_stats st;

	contig_prezero_get_stats(&ps);
	seq_printf(m, "enabled: %s\n",
		   !p->task ? "no (no worker)" :
		   !READ_ONCE(prezero) ? "no (prezero=0)" :
		   atomic_read(&p->pause) ? "paused" : "yes");
	seq_printf(m, "share: %u%% of one CPU\n",
		   clamp(READ_ONCE(prezero_share), 1U, 100U));
	if (r) {
		contig_buddy_get_stats(&r->buddy, &st);
		seq_printf(m, "free_zeroed: %lu of %lu free frames\n",
			   st.zeroed_frames, st.free_frames);
		if (r->lend_nr)
			seq_printf(m, "not_covered: frames %lu-%lu (lent span)\n",
				   r->lend_first,
				   r->lend_first + r->lend_nr - 1);
	}
	seq_printf(m, "cleared: %llu frames\n", ps.cleared);
	seq_printf(m, "busy_ns: %llu\n", ps.busy_ns);
	seq_printf(m, "batches: %llu\n", ps.batches);
	seq_printf(m, "skipped: %llu frames ZERO requests found zeroed\n",
		   ps.skipped);
	return 0;
}
