// SPDX-License-Identifier: GPL-2.0
/*
 * lend.c - lending the region's idle memory to the whole system, and
 * taking it back when contig needs it: what CMA does, on kernels built
 * without CMA.
 *
 * With lend=1 (the default) the whole memory blocks of the region (128 MiB on x86_64;
 * the "lent span", r->lend_first and r->lend_nr) are hot-added as
 * driver-managed System RAM, "System RAM (contig)" inside the boot
 * reservation in /proc/iomem.  The rest of the region, if any, stays
 * contig's alone as before.
 *
 * Onlining.  Lent memory may only ever be onlined into ZONE_MOVABLE: the
 * kernel's unmovable allocations must never land where contig will want
 * its frames back.  A memory notifier refuses every other zone
 * (MEM_GOING_ONLINE sees the zone the pages were just moved to), so the
 * "online" that Debian's 6.12 tries by itself at hot-add, or an admin's
 * online_kernel, fails and leaves the block offline.  The kernel gives a
 * module no call to online a block into a zone of its choosing, so user
 * space does it: `contigctl lend` writes online_movable to the state of
 * each offline block of "System RAM (contig)".  At load, contig runs it
 * itself as a user-mode helper (lend_helper=, a list of paths tried in
 * turn; drbd calls drbdadm the same way) and waits for it.  If no block
 * is online after that, lending is undone at once: the blocks are
 * removed and contig_lend_init() returns -EAGAIN, for main.c to claim
 * the region again for contig alone, as with lend=0.  With lend_helper=
 * empty, the administrator onlines the blocks; until then they are
 * neither the kernel's nor contig's, and debugfs "lend" and dmesg say so.
 * Offlining is refused too, except by contig's own unload.
 *
 * Two owners.  contig's buddy holds every lent frame as owner
 * CONTIG_OWNER_LENT, in take units of one pageblock, so nothing of
 * contig's lands there and the map shows them.  When an allocation finds
 * no free frames (buffer.c), contig_lend_take() takes units back: it
 * judges candidate windows of lent units in online blocks by the pages
 * the kernel is using in them (a free page costs nothing, an in-use page
 * must be migrated), tries the cheapest with alloc_contig_range() (which
 * migrates the kernel's pages elsewhere and never calls the OOM killer
 * with __GFP_RETRY_MAYFAIL), up to CONTIG_LEND_TRIES windows, and frees
 * the units into contig's buddy.  The caller then allocates as usual.
 *
 * Clearing as it takes.  A contiguous request that wants zeroed memory
 * (every program's does) uses contig_lend_take_clear() instead: the take
 * holds each unit of the window as it becomes contig's and queues it for
 * clearing at once (zero.c's queue: a helper on another CPU), taking the
 * units the kernel has nothing in first, then the ones it must migrate
 * pages out of; the helper clears the first while the kernel migrates,
 * and the window goes to the request as one allocation, all zero.  The
 * clearing, most of a request's time otherwise (64 MiB: 40-80 ms under
 * QEMU TCG), overlaps the migration instead of following it.
 *
 * Giving back.  A taken unit that is wholly free again is given back to
 * the kernel (free_contig_range()) by a work item, no sooner than
 * CONTIG_LEND_KEEP_MS after it was taken (so that a request does not lose
 * the frames it took to a give-back before it allocates them), except for
 * reserve= bytes of taken units kept ready for requests to come.
 *
 * The reserve is kept zeroed.  The work item holds a kept unit as one
 * allocation of owner CONTIG_OWNER_LENT in contig's buddy, as it holds a
 * lent one, so that nothing else of contig's can be placed there; it
 * clears the unit's pages outside the mutex (state ZEROING), then marks it
 * ZEROED.  A zeroing request (CONTIG_FLAG_ZERO, contiguous, at least a
 * unit) is served from a run of ZEROED units by
 * contig_lend_take_zeroed(), which turns their allocations into the
 * request's in one buddy call: no other allocation can have touched a
 * ZEROED unit, so the caller need not clear it again.  Any other request
 * that finds no free frames takes ZEROED units as it takes lent ones, at
 * no cost: they go to contig's buddy as free, no longer marked.
 *
 * Unload gives every unit back and offlines and removes every block
 * (offline_and_remove_memory(), which migrates what the kernel has there
 * to other memory).  A block that cannot be removed stays System RAM, the
 * kernel's, until reboot, with a dmesg line saying so: nothing is lost.
 *
 * Locking: contig_lend_mutex, at its place in the lock order of
 * contig_internal.h, serialises take, give-back and unload, and guards
 * the per-unit state and the counters.  alloc_contig_range(), the buddy
 * (innermost) and zero.c's clearing queue (a leaf; its helper takes no
 * lock of contig's) are called under it; nothing else of contig's is.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/page-flags.h>
#include <linux/page_ref.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/umh.h>
#include <linux/workqueue.h>

#include <contig.h>

#include "contig_internal.h"
#include "lend.h"
#include "zero.h"

#define CONTIG_LEND_RES_NAME	"System RAM (" CONTIG_NAME ")"
/* Windows of lent frames tried per take before giving up. */
#define CONTIG_LEND_TRIES	8
/* A taken unit is not given back sooner than this after its take. */
#define CONTIG_LEND_KEEP_MS	2000
#define CONTIG_LEND_HIST	24

static bool lend = true;
module_param(lend, bool, 0444);
MODULE_PARM_DESC(lend,
		 "Lend the region's whole memory blocks to the kernel (ZONE_MOVABLE, onlined by lend_helper) and take frames back on demand (default on)");

static char lend_helper[256] = "/usr/sbin/contigctl:/usr/local/sbin/contigctl";
module_param_string(lend_helper, lend_helper, sizeof(lend_helper), 0444);
MODULE_PARM_DESC(lend_helper,
		 "With lend=1: `contigctl` paths, ':'-separated, the first found run as `contigctl lend` at load to online the lent blocks; empty: online them yourself (default /usr/sbin/contigctl:/usr/local/sbin/contigctl)");

static unsigned long reserve;

/* A new reserve= is acted on at once: zeroed for a larger one, given back. */
static int __reserve_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_ulong(val, kp);

	if (!ret)
		contig_lend_freed();
	return ret;
}

static const struct kernel_param_ops contig_reserve_ops = {
	.set = __reserve_set,
	.get = param_get_ulong,
};

module_param_cb(reserve, &contig_reserve_ops, &reserve, 0644);
MODULE_PARM_DESC(reserve,
		 "With lend=1: bytes of taken memory kept by contig, zeroed, not given back, for requests to come (default 0)");

#if IS_ENABLED(CONFIG_MEMORY_HOTREMOVE) && IS_ENABLED(CONFIG_CONTIG_ALLOC)

struct contig_lend {
	struct contig_region *r;
	unsigned long unit;		/* frames per take unit */
	unsigned long nr_units;
	unsigned long block;		/* frames per memory block */
	unsigned long *taken_at;	/* per unit: jiffies of its take, 0 if lent */
	unsigned char *zstate;		/* per taken unit: CONTIG_LEND_ZEROING... */
	bool added;
	bool unloading;
	int helper_ret;			/* lend_helper's exit status, or -errno */
	const char *off_why;		/* with lend=1, why nothing is lent */
	char helper[64];		/* the lend_helper run, or "" */
	struct notifier_block nb;
	struct delayed_work give_back;
	/* Counters, under contig_lend_mutex. */
	u64 takes;			/* successful alloc_contig_range() calls */
	u64 take_requests;
	u64 take_failures;		/* requests that got nothing */
	u64 fail_busy, fail_nomem, fail_intr, fail_offline, fail_nowindow;
	u64 blocked[CONTIG_HOLDER_KERNEL_NOMEM + 1];	/* windows, by cause */
	u64 judged;			/* dry runs */
	u64 zeroed_hits;		/* requests served from the reserve */
	u64 cleared;			/* windows handed over cleared as taken */
	u64 units_zeroed;
	u64 pages_in_use;		/* kernel pages in windows taken */
	u64 units_taken, units_given;
	u64 time_ns, max_ns;
	u64 hist[CONTIG_LEND_HIST];	/* windows by log2 of microseconds */
};

/*
 * zstate of a taken unit: held out of contig's free frames as a
 * CONTIG_OWNER_LENT allocation for reserve=, being cleared (by the
 * give-back work, outside the mutex) or cleared; or held so by a take
 * that clears it for its request (never seen outside the mutex).  0: in
 * contig's buddy.
 */
enum {
	CONTIG_LEND_ZEROING = 1,
	CONTIG_LEND_ZEROED,
	CONTIG_LEND_HELD,
};

static struct contig_lend contig_lend_state;
static DEFINE_MUTEX(contig_lend_mutex);

static unsigned long __unit_frame(const struct contig_lend *l, unsigned long u)
{
	return l->r->lend_first + u * l->unit;
}

static unsigned long __unit_pfn(const struct contig_lend *l, unsigned long u)
{
	return l->r->base_pfn + __unit_frame(l, u);
}

/* The memory block number of @pfn, as in /sys/devices/system/memory. */
static unsigned long __block_nr(const struct contig_lend *l, unsigned long pfn)
{
	return pfn / l->block;
}

static bool __unit_online(const struct contig_lend *l, unsigned long u)
{
	return pfn_to_online_page(__unit_pfn(l, u));
}

/*
 * The frames of the kernel's free block at @pfn (at most 2^@max), or 0
 * when that page is not in its free lists.  A racy look.
 */
static unsigned long __free_run(unsigned long pfn, unsigned int max)
{
	struct page *page = pfn_to_page(pfn);

	if (!PageBuddy(page))
		return 0;
	return 1UL << min_t(unsigned long, READ_ONCE(page->private), max);
}

/*
 * Pages the kernel uses in [@pfn, @pfn + @nr): all but those in its free
 * lists.  A racy look, for choosing windows only.
 */
static unsigned long __in_use(unsigned long pfn, unsigned long nr)
{
	unsigned long end = pfn + nr, used = 0, run;
	unsigned int max = ilog2(nr);

	while (pfn < end) {
		run = __free_run(pfn, max);
		if (run) {
			pfn += run;
			continue;
		}
		used++;
		pfn++;
	}
	return used;
}

/*
 * What keeps the kernel's page at @pfn, in use, from moving, as far as
 * can be seen from outside: a CONTIG_HOLDER_KERNEL_*, or 0.  A racy look,
 * for reports and dry runs only: a folio may be freed or split meanwhile.
 *
 * A page off the LRU lists (and not of a movable_ops kind) is in transit:
 * just allocated, in a per-cpu batch on its way to an LRU list (which
 * holds a reference), or isolated.  Judging (@failed false), that is no
 * obstacle; after alloc_contig_range() failed, it is what did not move
 * (@failed true), unless someone holds a reference besides.
 */
static unsigned int __page_blocker(unsigned long pfn, bool failed)
{
	struct folio *folio = page_folio(pfn_to_page(pfn));
	bool lru;
	int extra;

	if (folio_maybe_dma_pinned(folio))
		return CONTIG_HOLDER_KERNEL_PINNED;
	if (folio_test_hugetlb(folio) || folio_test_large(folio))
		return 0;
	lru = folio_test_lru(folio) || __folio_test_movable(folio);
	/*
	 * A small folio has a reference per mapping, one of the page cache
	 * (or swap cache), one of private data and, off the LRU, at most
	 * one of a batch or an isolation: any more is someone holding it
	 * (vmsplice(), O_DIRECT in flight, get_user_pages()).
	 */
	extra = folio_ref_count(folio) - atomic_read(&folio->page._mapcount) -
		1 - !!folio_mapping(folio) - folio_test_private(folio) - !lru;
	if (extra > 0)
		return CONTIG_HOLDER_KERNEL_PINNED;
	return !lru && failed ? CONTIG_HOLDER_KERNEL_UNMOVABLE : 0;
}

/* What blocks a range, and where: the worst found first. */
struct contig_lend_blocker {
	unsigned long pinned, unmovable, used;	/* first such pfn, or 0 */
};

static void __range_blocker(unsigned long pfn, unsigned long nr, bool failed,
			    struct contig_lend_blocker *bl)
{
	unsigned long end = pfn + nr, run;
	unsigned int max = ilog2(nr);

	while (pfn < end) {
		run = __free_run(pfn, max);
		if (run) {
			pfn += run;
			continue;
		}
		/* Free in a per-cpu list, or on its way: nothing to move. */
		if (page_ref_count(pfn_to_page(pfn)) > 0) {
			switch (__page_blocker(pfn, failed)) {
			case CONTIG_HOLDER_KERNEL_PINNED:
				bl->pinned = bl->pinned ?: pfn;
				break;
			case CONTIG_HOLDER_KERNEL_UNMOVABLE:
				bl->unmovable = bl->unmovable ?: pfn;
				break;
			}
			bl->used = bl->used ?: pfn;
		}
		pfn++;
	}
}

/*
 * Has the kernel room elsewhere for what it keeps in @nr lent frames?
 * Else alloc_contig_range() would move pages until none is free and then
 * fail, and whoever allocates next meets the OOM killer.  (The free pages
 * of the range count in MemAvailable, so it must hold the whole range,
 * and 1/32 of RAM besides.)
 */
static bool __kernel_has_room(unsigned long nr)
{
	return si_mem_available() >= (long)(nr + totalram_pages() / 32);
}

struct contig_lend_cand {
	unsigned long first, last;	/* units [first, last) */
	unsigned long start;		/* the frame a contiguous run starts at */
	unsigned long cost;		/* pages the kernel uses there */
};

/*
 * What blocks the lent units of @c (@failed: a take of them just failed):
 * a CONTIG_HOLDER_KERNEL_*, pinned before unmovable, with its first frame
 * in *@at; or 0, with the first frame in use (or the window's first) in
 * *@at.
 */
static unsigned int __cand_blocker(const struct contig_lend *l,
				   const struct contig_lend_cand *c,
				   bool failed, unsigned long *at)
{
	struct contig_lend_blocker bl = { };
	unsigned long u;

	for (u = c->first; u < c->last; u++)
		if (!l->taken_at[u])
			__range_blocker(__unit_pfn(l, u), l->unit, failed, &bl);
	if (bl.pinned) {
		*at = bl.pinned;
		return CONTIG_HOLDER_KERNEL_PINNED;
	}
	if (bl.unmovable) {
		*at = bl.unmovable;
		return CONTIG_HOLDER_KERNEL_UNMOVABLE;
	}
	*at = bl.used ?: __unit_pfn(l, c->first);
	return 0;
}

/* A lent window that could not (or, judged, would not) be taken. */
static void __report_window(struct contig_lend *l,
			    struct contig_alloc_report *lr,
			    const struct contig_lend_cand *c,
			    unsigned int holder, unsigned long at)
{
	struct contig_window_report *w;

	if (!lr)
		return;
	lr->nr_blocked++;
	if (lr->nr_reported == CONTIG_REPORT_WINDOWS)
		return;
	w = &lr->windows[lr->nr_reported++];
	w->start_pfn = __unit_pfn(l, c->first);
	w->blocker_pfn = at;
	w->holder = holder;
}

static int __cand_cmp(const void *a, const void *b)
{
	const struct contig_lend_cand *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Does @c hold one of the @nb pfns @pfns? */
static bool __cand_holds(const struct contig_lend *l,
			 const struct contig_lend_cand *c,
			 const unsigned long *pfns, unsigned long nb)
{
	unsigned long j;

	for (j = 0; j < nb; j++)
		if (pfns[j] >= __unit_pfn(l, c->first) &&
		    pfns[j] < __unit_pfn(l, c->last))
			return true;
	return false;
}

/* Is unit @u taken and wholly free in contig's buddy? */
static bool __unit_taken_free(struct contig_lend *l, unsigned long u)
{
	unsigned long counts[CONTIG_NR_OWNERS];

	if (!l->taken_at[u])
		return false;
	contig_buddy_count_owners(&l->r->buddy, __unit_frame(l, u), l->unit,
				  counts);
	return counts[CONTIG_OWNER_FREE] == l->unit;
}

/*
 * Take lent units [@u, @end) from the kernel with one alloc_contig_range(),
 * adding the kernel's pages in use there to *@moved, and mark them taken.
 * They stay CONTIG_OWNER_LENT allocations in contig's buddy: the caller
 * frees or holds them.  *@pfn is set to the first pfn tried.
 * Context: contig_lend_mutex held.
 */
static int __take_run(struct contig_lend *l, unsigned long u,
		      unsigned long end, unsigned long *moved,
		      unsigned long *pfn)
{
	unsigned long nr = (end - u) * l->unit, in_use, i;
	int ret;

	lockdep_assert_held(&contig_lend_mutex);
	*pfn = __unit_pfn(l, u);
	if (!__kernel_has_room(nr))
		return -ENOMEM;
	in_use = __in_use(*pfn, nr);
	ret = alloc_contig_range(*pfn, *pfn + nr, MIGRATE_MOVABLE,
				 CONTIG_GFP_REQUEST);
	if (ret)
		return ret;
	l->pages_in_use += in_use;
	*moved += in_use;
	l->takes++;
	for (i = u; i < end; i++)
		l->taken_at[i] = jiffies ?: 1;
	l->units_taken += end - u;
	return 0;
}

/*
 * The accounting of a take of window @c that started at @t0 and ended
 * with @ret; on failure, @c goes in @lr (may be NULL) with what blocked
 * it, and *@blocker is set to the pfn of a pinned or unmovable page found
 * there, if any; @pfn is the first pfn of the run that failed.
 * Context: contig_lend_mutex held.
 */
static int __take_done(struct contig_lend *l, const struct contig_lend_cand *c,
		       int ret, u64 t0, unsigned long pfn,
		       struct contig_alloc_report *lr, unsigned long *blocker)
{
	u64 dt = ktime_get_ns() - t0;
	unsigned int holder;
	unsigned long at;

	lockdep_assert_held(&contig_lend_mutex);
	l->time_ns += dt;
	l->max_ns = max(l->max_ns, dt);
	l->hist[min_t(unsigned int, ilog2(dt / NSEC_PER_USEC + 1),
		      CONTIG_LEND_HIST - 1)]++;
	if (ret == -EBUSY)
		l->fail_busy++;
	else if (ret == -EINTR)
		l->fail_intr++;
	else if (ret)
		l->fail_nomem++;
	if (!ret || ret == -EINTR)
		return ret;
	if (ret == -EBUSY) {
		/* What alloc_contig_range() could not isolate or migrate. */
		holder = __cand_blocker(l, c, true, &at);
		if (holder)
			*blocker = at;
		else
			holder = CONTIG_HOLDER_KERNEL_MIGRATION;
	} else {
		holder = CONTIG_HOLDER_KERNEL_NOMEM;
		at = pfn ?: __unit_pfn(l, c->first);
	}
	l->blocked[holder]++;
	__report_window(l, lr, c, holder, at);
	return ret;
}

/*
 * Take the lent units of [@c->first, @c->last) from the kernel, one
 * alloc_contig_range() per run of them, adding the kernel's pages in use
 * there to *@moved, and free them into contig's buddy.  On failure, the
 * runs this call did take stay taken and free in contig's buddy, for the
 * give-back, and __take_done() reports the window.
 * Context: contig_lend_mutex held.
 */
static int __take_window(struct contig_lend *l,
			 const struct contig_lend_cand *c,
			 struct contig_alloc_report *lr, unsigned long *moved,
			 unsigned long *blocker)
{
	unsigned long u, run, i, pfn = 0;
	u64 t0 = ktime_get_ns();
	int ret = 0;

	lockdep_assert_held(&contig_lend_mutex);
	/* The reserve's zeroed units: to contig's buddy, at no cost. */
	for (u = c->first; u < c->last; u++) {
		if (l->zstate[u] != CONTIG_LEND_ZEROED)
			continue;
		l->zstate[u] = 0;
		l->taken_at[u] = jiffies ?: 1;
		WARN_ON_ONCE(contig_buddy_free(&l->r->buddy, __unit_frame(l, u)));
	}
	for (u = c->first; u < c->last && !ret; u = run) {
		for (run = u; run < c->last && !l->taken_at[run]; run++)
			;
		if (run == u) {
			run++;		/* already taken, and free */
			continue;
		}
		ret = __take_run(l, u, run, moved, &pfn);
		if (ret)
			break;
		for (i = u; i < run; i++)
			WARN_ON_ONCE(contig_buddy_free(&l->r->buddy,
						       __unit_frame(l, i)));
	}
	return __take_done(l, c, ret, t0, pfn, lr, blocker);
}

/*
 * Hold taken unit @u for a clearing take (CONTIG_LEND_HELD) and queue for
 * clearing its frames that lie in the window of @nr frames at @start:
 * all of them but at the window's ends.
 */
static void __hold_unit(struct contig_lend *l, struct contig_zero_queue *q,
			unsigned long u, unsigned long start, unsigned long nr)
{
	unsigned long from = max(__unit_frame(l, u), start);
	unsigned long to = min(__unit_frame(l, u) + l->unit, start + nr);

	l->zstate[u] = CONTIG_LEND_HELD;
	contig_zero_queue_add(q, contig_frame_to_virt(l->r, from),
			      (to - from) << PAGE_SHIFT);
}

/*
 * The longest run of lent units of @c, short of all of them, the kernel
 * uses no page of: its first unit in *@fu and its length in *@fn (0 if
 * there is none).
 */
static void __longest_empty(struct contig_lend *l,
			    const struct contig_lend_cand *c, unsigned long *fu,
			    unsigned long *fn)
{
	unsigned long u, run, lent = 0;

	*fn = 0;
	/* Unit @run ends a run: taken, or in use; the next starts after. */
	for (u = c->first; u < c->last; u = run + 1) {
		for (run = u; run < c->last && !l->taken_at[run] &&
		     !__in_use(__unit_pfn(l, run), l->unit); run++)
			;
		if (run - u > *fn) {
			*fu = u;
			*fn = run - u;
		}
	}
	for (u = c->first; u < c->last; u++)
		lent += !l->taken_at[u];
	if (*fn == lent)
		*fn = 0;	/* one call takes it all */
}

/*
 * Take window @c as __take_window() does, but for a request of @nr
 * frames at @c->start that wants them zeroed, and hand them to it: every
 * unit of the window is held as a CONTIG_OWNER_LENT allocation
 * (CONTIG_LEND_HELD) as it becomes contig's, and queued for clearing at
 * once, so that a helper clears what is taken while the kernel migrates
 * its pages out of the rest.  Units taken and free in contig's buddy come
 * first, then the longest run of lent units the kernel has nothing in,
 * then the rest.  The reserve's zeroed units need no clearing.
 * Then the window becomes one allocation of @owner
 * (contig_buddy_convert_range()), every frame of it zero.
 *
 * On failure, the held units are freed into contig's buddy, taken, for
 * the give-back, as __take_window() leaves them; *@claimed false with 0
 * returned means the window was taken but another allocation got in
 * before it was claimed (the caller may still find its frames free).
 * Context: contig_lend_mutex held.
 */
static int __take_window_clear(struct contig_lend *l,
			       const struct contig_lend_cand *c,
			       unsigned long nr, enum contig_owner owner,
			       struct contig_alloc_report *lr,
			       unsigned long *moved, unsigned long *blocker,
			       bool *claimed)
{
	unsigned long u, run, pfn = 0, end = c->start + nr, fu = 0, fn = 0;
	struct contig_buddy *b = &l->r->buddy;
	struct contig_zero_queue q;
	u64 t0 = ktime_get_ns();
	int ret = 0;

	lockdep_assert_held(&contig_lend_mutex);
	*claimed = false;
	if (contig_zero_queue_init(&q, c->last - c->first))
		return __take_window(l, c, lr, moved, blocker);
	for (u = c->first; u < c->last && !ret; u++) {
		if (l->zstate[u] == CONTIG_LEND_ZEROED) {
			l->zstate[u] = CONTIG_LEND_HELD;
			l->taken_at[u] = jiffies ?: 1;
		} else if (l->taken_at[u]) {
			if (contig_buddy_alloc_range(b, __unit_frame(l, u),
						     l->unit,
						     CONTIG_OWNER_LENT) < 0) {
				/* Claimed by contig since judged. */
				ret = -EBUSY;
				break;
			}
			__hold_unit(l, &q, u, c->start, nr);
		}
	}
	/*
	 * First the longest run of lent units the kernel has nothing in
	 * (no migration: quick), cleared by the helper while the rest is
	 * taken; then the rest, a run of lent units at a time: at most two
	 * calls more.  Each alloc_contig_range() costs milliseconds of its
	 * own (draining the per-CPU lists of every CPU), so not one per run
	 * of empty units; without a helper, no split at all.
	 */
	if (!ret && contig_zero_queue_helped())
		__longest_empty(l, c, &fu, &fn);
	if (!ret && fn) {
		ret = __take_run(l, fu, fu + fn, moved, &pfn);
		for (u = fu; !ret && u < fu + fn; u++)
			__hold_unit(l, &q, u, c->start, nr);
	}
	for (u = c->first; u < c->last && !ret; u = run) {
		for (run = u; run < c->last && !l->taken_at[run]; run++)
			;
		if (run == u) {
			run++;
			continue;
		}
		ret = __take_run(l, u, run, moved, &pfn);
		for (; !ret && u < run; u++)
			__hold_unit(l, &q, u, c->start, nr);
	}
	if (ret) {
		contig_zero_queue_abort(&q);
	} else {
		contig_zero_queue_finish(&q);
		/*
		 * A unit the window covers only part of goes to contig's
		 * buddy as free first: its other frames are not the
		 * request's.  Another allocation may claim some of them
		 * before the conversion, which then fails.
		 */
		for (u = c->first; u < c->last; u++) {
			unsigned long f = __unit_frame(l, u);

			if (f >= c->start && f + l->unit <= end)
				continue;
			l->zstate[u] = 0;
			WARN_ON_ONCE(contig_buddy_free(b, f));
		}
		*claimed = contig_buddy_convert_range(b, c->start, nr,
						      CONTIG_OWNER_LENT,
						      owner) >= 0;
		l->cleared += *claimed;
	}
	/* Held units to contig's buddy (failed) or now the request's. */
	for (u = c->first; u < c->last; u++) {
		if (l->zstate[u] != CONTIG_LEND_HELD)
			continue;
		l->zstate[u] = 0;
		if (!*claimed)
			WARN_ON_ONCE(contig_buddy_free(b, __unit_frame(l, u)));
	}
	return __take_done(l, c, ret, t0, pfn, lr, blocker);
}

/* A unit no contiguous window may cover: contig's own frames are there. */
#define CONTIG_LEND_BLOCKED	ULONG_MAX

/*
 * What covering unit @u costs a contiguous window: the pages the kernel
 * uses there if it is lent in an online block, 0 if it is in the zeroed
 * reserve or taken and wholly free, or CONTIG_LEND_BLOCKED.
 */
static unsigned long __unit_cost(struct contig_lend *l, unsigned long u)
{
	if (!l->taken_at[u])
		return __unit_online(l, u) ?
		       __in_use(__unit_pfn(l, u), l->unit) :
		       CONTIG_LEND_BLOCKED;
	if (l->zstate[u] == CONTIG_LEND_ZEROED)
		return 0;
	return __unit_taken_free(l, u) ? 0 : CONTIG_LEND_BLOCKED;
}

/*
 * Candidate windows, cheapest first, in *@cands (kvmalloc'ed).
 *
 * Contiguous (@nr > 0): every run of @nr frames in the lent span whose
 * first frame is a multiple of @align (frame numbers, as contig's buddy
 * aligns them) and starts a take unit, or else is the first such frame
 * in it, with the units covering it each lent in an online block, zeroed
 * in the reserve, or taken and free.  c->start is the run's first frame:
 * the caller claims exactly that run (contig_buddy_alloc_range()), so a
 * window need not be a block of contig's buddy, and CMA-like first frames
 * at every unit find the cheapest place, where blocks aligned to the
 * request's size would leave two choices in a block for half its size.
 *
 * @nr 0: each lent unit of an online block, or zeroed unit, alone.
 */
static unsigned long __windows(struct contig_lend *l, unsigned long nr,
			       unsigned long align,
			       struct contig_lend_cand **cands)
{
	unsigned long first = l->r->lend_first, end = first + l->r->lend_nr;
	unsigned long s, u, k, nc = 0, prev = ULONG_MAX, *cost;
	struct contig_lend_cand *c;

	*cands = NULL;
	c = kvmalloc_array(l->nr_units, sizeof(*c), CONTIG_GFP_REQUEST);
	if (!c)
		return 0;
	if (!nr) {
		for (u = 0; u < l->nr_units; u++) {
			if (l->zstate[u] == CONTIG_LEND_ZEROED)
				c[nc].cost = 0;
			else if (l->taken_at[u] || !__unit_online(l, u))
				continue;
			else
				c[nc].cost = __in_use(__unit_pfn(l, u),
						      l->unit);
			c[nc].first = u;
			c[nc].last = u + 1;
			c[nc].start = __unit_frame(l, u);
			nc++;
		}
		goto sort;
	}
	cost = kvmalloc_array(l->nr_units, sizeof(*cost), CONTIG_GFP_REQUEST);
	if (!cost) {
		kvfree(c);
		return 0;
	}
	/* Each unit judged once: windows overlap. */
	for (u = 0; u < l->nr_units; u++)
		cost[u] = __unit_cost(l, u);
	for (k = 0; k < l->nr_units; k++) {
		s = round_up(__unit_frame(l, k), align);
		if (s == prev || s + nr > end)
			continue;
		prev = s;
		c[nc].first = (s - first) / l->unit;
		c[nc].last = DIV_ROUND_UP(s + nr - first, l->unit);
		c[nc].start = s;
		c[nc].cost = 0;
		for (u = c[nc].first; u < c[nc].last; u++) {
			if (cost[u] == CONTIG_LEND_BLOCKED)
				break;
			c[nc].cost += cost[u];
		}
		/*
		 * Units all taken and free are a window too, at no cost: the
		 * frames are contig's already, but not a block of its buddy.
		 */
		if (u == c[nc].last)
			nc++;
	}
	kvfree(cost);
sort:
	sort(c, nc, sizeof(*c), __cand_cmp, NULL);
	*cands = c;
	return nc;
}

static unsigned long __online_blocks(const struct contig_lend *l)
{
	unsigned long u, n = 0, per = l->block / l->unit;

	for (u = 0; u < l->nr_units; u += per)
		n += __unit_online(l, u);
	return n;
}

/*
 * contig_lend_take(), and with @clear, contig_lend_take_clear() for
 * @owner, setting *@claimed.
 */
static long __take(struct contig_region *r, unsigned long nr,
		   unsigned long align, unsigned long *start, bool clear,
		   enum contig_owner owner, bool *claimed,
		   struct contig_alloc_report *lr)
{
	struct contig_lend *l = &contig_lend_state;
	unsigned long nc, i, got = 0, tries = 0, moved = 0, max_tries;
	unsigned long blockers[CONTIG_LEND_TRIES], nb = 0, bpfn;
	bool contiguous = start, online = true;
	struct contig_lend_cand *c;
	long ret = -ENOMEM;
	const char *why;

	if (!l->added || r != l->r)
		return 0;
	max_tries = CONTIG_LEND_TRIES + (contiguous ? 0 : nr / l->unit);
	mutex_lock(&contig_lend_mutex);
	l->take_requests++;
	nc = __windows(l, contiguous ? nr : 0, align, &c);
	if (!nc) {
		online = __online_blocks(l);
		if (online)
			l->fail_nowindow++;
		else
			l->fail_offline++;
	}
	for (i = 0; i < nc && tries < max_tries; i++) {
		if (__cand_holds(l, &c[i], blockers, nb))
			continue;	/* a page there did not move */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		tries++;
		bpfn = 0;
		if (clear)
			ret = __take_window_clear(l, &c[i], nr, owner, lr,
						  &moved, &bpfn, claimed);
		else
			ret = __take_window(l, &c[i], lr, &moved, &bpfn);
		if (bpfn && nb < ARRAY_SIZE(blockers))
			blockers[nb++] = bpfn;
		if (ret)
			continue;
		got += (c[i].last - c[i].first) * l->unit;
		if (contiguous) {
			*start = c[i].start;
			break;
		}
		if (got >= nr)
			break;
	}
	if (!got)
		l->take_failures++;
	if (lr) {
		lr->nr_windows = nc;
		lr->move_bytes = (u64)(got ? moved : nc ? c[0].cost : 0) <<
				 PAGE_SHIFT;
		lr->result = got ? 0 : ret;
	}
	mutex_unlock(&contig_lend_mutex);
	kvfree(c);
	if (got) {
		schedule_delayed_work(&l->give_back,
				      msecs_to_jiffies(CONTIG_LEND_KEEP_MS));
		return got;
	}
	if (!online)
		why = "no lent block is online (run `contigctl lend`)";
	else if (!nc)
		why = "no window of the size asked is lent and free of contig's own frames";
	else if (ret == -EBUSY)
		why = "pages there could not be isolated or migrated (pinned?)";
	else if (ret == -EINTR)
		why = "interrupted";
	else
		why = "the kernel had nowhere to move its pages";
	pr_info_ratelimited("lend: could not take %lu KiB back from the kernel: %s (%lu windows judged, %lu tried)\n",
			    nr << (PAGE_SHIFT - 10), why, nc, tries);
	return ret;
}

/**
 * contig_lend_take() - take lent frames back for an allocation.
 * @r:		the region.
 * @nr:		frames the allocation needs.
 * @align:	their alignment in frames (a power of two).
 * @start:	NULL, or for frames that must be one run, set to the
 *		first frame of the window taken.
 * @lr:		NULL, or zeroed and filled in: the lent windows judged
 *		(@nr_windows), those tried and blocked with what blocked
 *		them (CONTIG_HOLDER_KERNEL_*), and @move_bytes, the bytes of
 *		the kernel's pages moved (or on failure, in use in the
 *		cheapest window).
 *
 * For a contiguous request (@start not NULL) the window is a run of @nr
 * frames starting at a multiple of @align, the cheapest of those at each
 * take unit (its units may include taken, free ones), and *@start is set
 * to its first frame, for the caller to claim with
 * contig_buddy_alloc_range(); otherwise lent units are taken one by one,
 * cheapest first, until @nr frames are.  Frames taken but not used go
 * back to the kernel later.  A window that fails on a pinned or
 * unmovable page rules out the windows after it that hold that page.
 *
 * Context: process context, may sleep; no contig lock held but
 * contig_users_mutex (an arena being made), which comes before
 * contig_lend_mutex in the lock order.
 * Return: frames taken (> 0; for a contiguous request, the frames of
 * the units under the window, some of which may have been taken
 * already), 0 when nothing is lent, or -errno of the last window tried
 * (-EBUSY, -ENOMEM, -EINTR), with a dmesg line.
 */
long contig_lend_take(struct contig_region *r, unsigned long nr,
		      unsigned long align, unsigned long *start,
		      struct contig_alloc_report *lr)
{
	return __take(r, nr, align, start, false, CONTIG_OWNER_FREE, NULL, lr);
}

/**
 * contig_lend_take_clear() - take a contiguous window back, cleared, for
 * a request.
 * @r:		the region.
 * @nr:		frames the request needs.
 * @align:	their alignment in frames (a power of two).
 * @owner:	the owner the frames are allocated to in contig's buddy.
 * @start:	set to the first frame of the window taken.
 * @claimed:	set when [*@start, *@start + @nr) is allocated to @owner
 *		and zero in every byte; else the caller claims the window
 *		as after contig_lend_take().
 * @lr:		as for contig_lend_take().
 *
 * contig_lend_take() for a contiguous request that wants zeroed memory:
 * what is taken is cleared while the kernel migrates its pages out of the
 * rest of the window (__take_window_clear()), not after.
 *
 * Context: as contig_lend_take().
 * Return: as contig_lend_take().
 */
long contig_lend_take_clear(struct contig_region *r, unsigned long nr,
			    unsigned long align, enum contig_owner owner,
			    unsigned long *start, bool *claimed,
			    struct contig_alloc_report *lr)
{
	*claimed = false;
	return __take(r, nr, align, start, true, owner, claimed, lr);
}

/**
 * contig_lend_take_zeroed() - a zeroing contiguous request, from reserve=.
 * @r:		the region.
 * @nr:		frames the request needs, at least a take unit.
 * @align:	their alignment in frames (a power of two).
 * @owner:	the owner the frames are allocated to in contig's buddy.
 * @zeroed:	set to the frames from the first that are known to be zero:
 *		the whole units; the caller clears the rest.
 *
 * Serves the request from the first run of zeroed reserve units that
 * starts aligned and covers @nr frames.  When @nr ends inside a unit,
 * that unit goes to contig's buddy as free first, and its frames past
 * @nr stay there.
 *
 * Context: process context, may sleep; no contig lock held.
 * Return: the first frame, allocated to @owner; -ENOMEM when the reserve
 * holds no such run (nothing changes); -EBUSY when another allocation
 * took part of the last, partly used unit meanwhile (only that unit has
 * left the reserve).
 */
long contig_lend_take_zeroed(struct contig_region *r, unsigned long nr,
			     unsigned long align, enum contig_owner owner,
			     unsigned long *zeroed)
{
	struct contig_lend *l = &contig_lend_state;
	unsigned long u, i, span, whole;
	long frame = -ENOMEM;

	*zeroed = 0;
	if (!l->added || r != l->r || nr < l->unit)
		return -ENOMEM;
	whole = nr / l->unit;
	span = DIV_ROUND_UP(nr, l->unit);
	mutex_lock(&contig_lend_mutex);
	for (u = 0; u + span <= l->nr_units; u++) {
		if (align && __unit_frame(l, u) & (align - 1))
			continue;
		for (i = u; i < u + span; i++)
			if (l->zstate[i] != CONTIG_LEND_ZEROED)
				break;
		if (i == u + span)
			break;
	}
	if (u + span > l->nr_units)
		goto out;
	if (span > whole) {
		l->zstate[u + whole] = 0;
		l->taken_at[u + whole] = jiffies ?: 1;
		WARN_ON_ONCE(contig_buddy_free(&r->buddy,
					       __unit_frame(l, u + whole)));
	}
	/* One call: no allocation sees the units between lent and @owner. */
	frame = contig_buddy_convert_range(&r->buddy, __unit_frame(l, u), nr,
					   CONTIG_OWNER_LENT, owner);
	if (frame < 0)
		goto out;
	for (i = u; i < u + whole; i++) {
		l->zstate[i] = 0;
		l->taken_at[i] = jiffies ?: 1;
	}
	l->zeroed_hits++;
	*zeroed = whole * l->unit;
out:
	mutex_unlock(&contig_lend_mutex);
	return frame;
}

/**
 * contig_lend_judge() - would lent memory serve a contiguous request now?
 * @r:		the region.
 * @nr:		frames the request needs.
 * @align:	their alignment in frames (a power of two).
 * @lr:		zeroed; filled in as by contig_lend_take(), for the windows
 *		a take would try, judged from the kernel's page state.
 *
 * A dry run: nothing is taken or moved, and the answer may be stale by
 * the time it is read.
 *
 * Context: process context, may sleep; no contig lock held.
 * Return: 0 if a lent window would be taken, -EBUSY if every one tried
 * holds a pinned page (or one that failed to move: a retry may work),
 * -ENOMEM otherwise; with @lr->nr_windows 0 when nothing is lent.
 */
int contig_lend_judge(struct contig_region *r, unsigned long nr,
		      unsigned long align, struct contig_alloc_report *lr)
{
	struct contig_lend *l = &contig_lend_state;
	unsigned long blockers[CONTIG_LEND_TRIES], nb = 0, nc, i, at;
	struct contig_lend_cand *c;
	unsigned int holder;
	bool busy = false;
	int ret = -ENOMEM;

	if (!l->added || r != l->r)
		return -ENOMEM;
	mutex_lock(&contig_lend_mutex);
	l->judged++;
	nc = __windows(l, nr, align, &c);
	lr->nr_windows = nc;
	if (nc && !__kernel_has_room(round_up(nr, l->unit))) {
		__report_window(l, lr, &c[0], CONTIG_HOLDER_KERNEL_NOMEM,
				__unit_pfn(l, c[0].first));
		nc = 0;
	}
	/* As contig_lend_take() would try them. */
	for (i = 0; i < nc && nb < CONTIG_LEND_TRIES; i++) {
		if (__cand_holds(l, &c[i], blockers, nb))
			continue;
		holder = __cand_blocker(l, &c[i], false, &at);
		if (!holder) {
			ret = 0;
			break;
		}
		__report_window(l, lr, &c[i], holder, at);
		blockers[nb++] = at;
		busy |= holder == CONTIG_HOLDER_KERNEL_PINNED;
	}
	if (ret && busy)
		ret = -EBUSY;
	if (lr->nr_windows)
		lr->move_bytes = (u64)c[ret ? 0 : i].cost << PAGE_SHIFT;
	lr->result = ret;
	mutex_unlock(&contig_lend_mutex);
	kvfree(c);
	return ret;
}

/* Give taken unit @u, a CONTIG_OWNER_LENT allocation again, back. */
static void __give_unit(struct contig_lend *l, unsigned long u)
{
	lockdep_assert_held(&contig_lend_mutex);
	free_contig_range(__unit_pfn(l, u), l->unit);
	l->taken_at[u] = 0;
	l->zstate[u] = 0;
	l->units_given++;
}

/*
 * Give every wholly free taken unit back but reserve=, which is kept as
 * CONTIG_OWNER_LENT allocations marked for zeroing; zeroed units beyond
 * reserve= (it may shrink) go back too.  Under the mutex.
 * Return: whether to look again later (units too recently taken); *@zero
 * is set when units were marked CONTIG_LEND_ZEROING.
 */
static bool __give_back(struct contig_lend *l, bool all, bool *zero)
{
	unsigned long keep = all ? 0 : READ_ONCE(reserve) >> PAGE_SHIFT;
	unsigned long u, kept = 0, delay = msecs_to_jiffies(CONTIG_LEND_KEEP_MS);
	bool again = false;
	long ret;

	lockdep_assert_held(&contig_lend_mutex);
	*zero = false;
	/* The reserve already held counts first. */
	for (u = 0; u < l->nr_units; u++) {
		if (!l->zstate[u])
			continue;
		if (kept + l->unit <= keep || l->zstate[u] == CONTIG_LEND_ZEROING) {
			kept += l->unit;
			continue;
		}
		__give_unit(l, u);
	}
	for (u = 0; u < l->nr_units; u++) {
		if (!l->taken_at[u] || l->zstate[u])
			continue;
		if (!all && time_before(jiffies, l->taken_at[u] + delay)) {
			again = true;
			continue;
		}
		ret = contig_buddy_alloc_range(&l->r->buddy, __unit_frame(l, u),
					       l->unit, CONTIG_OWNER_LENT);
		if (ret < 0)
			continue;	/* contig uses some of it */
		if (kept + l->unit <= keep) {
			kept += l->unit;
			l->zstate[u] = CONTIG_LEND_ZEROING;
			*zero = true;
			continue;
		}
		__give_unit(l, u);
	}
	return again;
}

/* Clear the units marked CONTIG_LEND_ZEROING; the mutex not held. */
static void __zero_units(struct contig_lend *l)
{
	unsigned long u, n = 0;

	for (u = 0; u < l->nr_units; u++) {
		/* Only this work item sets or clears ZEROING. */
		if (READ_ONCE(l->zstate[u]) != CONTIG_LEND_ZEROING)
			continue;
		/* A unit is below zero.c's split: on this worker's CPU. */
		contig_zero(contig_frame_to_virt(l->r, __unit_frame(l, u)),
			    l->unit << PAGE_SHIFT, true);
		n++;
	}
	mutex_lock(&contig_lend_mutex);
	for (u = 0; u < l->nr_units; u++)
		if (l->zstate[u] == CONTIG_LEND_ZEROING)
			l->zstate[u] = CONTIG_LEND_ZEROED;
	l->units_zeroed += n;
	mutex_unlock(&contig_lend_mutex);
}

static void __contig_lend_give_back_work(struct work_struct *work)
{
	struct contig_lend *l = &contig_lend_state;
	bool again, zero;

	mutex_lock(&contig_lend_mutex);
	again = __give_back(l, false, &zero);
	mutex_unlock(&contig_lend_mutex);
	if (zero)
		__zero_units(l);
	if (again)
		schedule_delayed_work(&l->give_back,
				      msecs_to_jiffies(CONTIG_LEND_KEEP_MS));
}

/**
 * contig_lend_freed() - contig freed frames: give back what is idle.
 *
 * Context: process context.
 */
void contig_lend_freed(void)
{
	struct contig_lend *l = &contig_lend_state;

	if (l->added && !READ_ONCE(l->unloading))
		schedule_delayed_work(&l->give_back,
				      msecs_to_jiffies(CONTIG_LEND_KEEP_MS));
}

static int __contig_lend_notify(struct notifier_block *nb,
				unsigned long action, void *data)
{
	struct contig_lend *l = container_of(nb, struct contig_lend, nb);
	unsigned long first = l->r->base_pfn + l->r->lend_first;
	struct memory_notify *arg = data;
	struct zone *zone;

	if (arg->start_pfn >= first + l->r->lend_nr ||
	    arg->start_pfn + arg->nr_pages <= first)
		return NOTIFY_OK;
	switch (action) {
	case MEM_GOING_ONLINE:
		zone = page_zone(pfn_to_page(arg->start_pfn));
		if (zone_idx(zone) == ZONE_MOVABLE)
			return NOTIFY_OK;
		pr_info("lend: onlining memory%lu into zone %s refused: contig lends it to ZONE_MOVABLE only (run `contigctl lend`)\n",
			__block_nr(l, arg->start_pfn), zone->name);
		return NOTIFY_BAD;
	case MEM_GOING_OFFLINE:
		if (READ_ONCE(l->unloading))
			return NOTIFY_OK;
		pr_info("lend: offlining memory%lu refused: contig lends it; unload contig to take it away\n",
			__block_nr(l, arg->start_pfn));
		return NOTIFY_BAD;
	}
	return NOTIFY_OK;
}

/**
 * contig_lend_block_size() - the block size to lend in, or 0.
 *
 * Context: process context, module load.
 * Return: memory_block_size_bytes() with lend=1, else 0.
 */
u64 contig_lend_block_size(void)
{
	return lend ? memory_block_size_bytes() : 0;
}

/* Hand the lent frames back to contig's buddy as free.  Module exit. */
static void __unlend_buddy(struct contig_lend *l)
{
	unsigned long u;

	for (u = 0; u < l->nr_units; u++)
		if (!l->taken_at[u])
			contig_buddy_free(&l->r->buddy, __unit_frame(l, u));
}

/* Offline and remove every lent block: 0, or the last failure. */
static int __remove_blocks(struct contig_lend *l)
{
	unsigned long b, per = l->block / l->unit;
	int ret, err = 0, tries;
	phys_addr_t start;

	WRITE_ONCE(l->unloading, true);
	for (b = 0; b < l->nr_units; b += per) {
		start = PFN_PHYS(__unit_pfn(l, b));
		for (tries = 0; ; tries++) {
			ret = offline_and_remove_memory(start,
							memory_block_size_bytes());
			if (!ret || tries == 3)
				break;
			pr_info("lend: memory%lu: offline and remove failed (%pe), retrying\n",
				__block_nr(l, __unit_pfn(l, b)), ERR_PTR(ret));
			msleep(200);
		}
		if (ret) {
			pr_err("lend: memory%lu could not be taken back (%pe): it stays the kernel's System RAM until reboot; nothing is lost\n",
			       __block_nr(l, __unit_pfn(l, b)), ERR_PTR(ret));
			err = ret;
		}
	}
	return err;
}

/*
 * Take every lent block away from the kernel and forget it; nothing may
 * be taken.  Module exit, or a load whose blocks were not onlined.
 */
static int __unlend(struct contig_lend *l)
{
	int ret = __remove_blocks(l);

	unregister_memory_notifier(&l->nb);
	__unlend_buddy(l);
	kvfree(l->taken_at);
	kvfree(l->zstate);
	l->taken_at = NULL;
	l->zstate = NULL;
	l->added = false;
	return ret;
}

/*
 * Run the first of lend_helper's paths that exists as `contigctl lend`,
 * and wait for it: l->helper is the path, l->helper_ret its exit status
 * (as waitpid() gives it) or -errno (-ENOENT: none found).
 */
static void __run_helper(struct contig_lend *l)
{
	char *paths, *rest, *p, *argv[3], *envp[3];

	l->helper_ret = -ENOENT;
	l->helper[0] = '\0';
	paths = kstrdup(lend_helper, GFP_KERNEL);
	if (!paths) {
		l->helper_ret = -ENOMEM;
		return;
	}
	envp[0] = "HOME=/";
	envp[1] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	envp[2] = NULL;
	rest = paths;
	while ((p = strsep(&rest, ":"))) {
		if (!*p)
			continue;
		argv[0] = p;
		argv[1] = "lend";
		argv[2] = NULL;
		l->helper_ret = call_usermodehelper(p, argv, envp,
						    UMH_WAIT_PROC);
		if (l->helper_ret != -ENOENT) {
			strscpy(l->helper, p, sizeof(l->helper));
			break;
		}
	}
	kfree(paths);
}

/* Why the helper did not online the blocks, for dmesg. */
static void __helper_failed(struct contig_lend *l)
{
	if (l->helper_ret == -ENOENT)
		pr_warn("lend: no lend_helper found (%s): the lent blocks stay offline\n",
			lend_helper);
	else if (l->helper_ret > 0)
		pr_warn("lend: `%s lend` exited %d: the lent blocks stay offline\n",
			l->helper, (l->helper_ret >> 8) & 0xff);
	else
		pr_warn("lend: `%s lend` could not run (%pe): the lent blocks stay offline\n",
			l->helper, ERR_PTR(l->helper_ret));
}

/**
 * contig_lend_init() - lend the lent span of @r to the kernel.
 * @r: the claimed region; r->lend_nr frames from r->lend_first.
 *
 * The lent blocks are hot-added, then onlined by lend_helper (unless it
 * is empty).  If none is online after it, lending is undone.
 *
 * Context: process context, module load, before the region is published.
 * Return: 0 (also when nothing is lent); -EAGAIN when the blocks were
 * added but the helper did not online any and they were taken away
 * again, or when they cannot be added because the kernel's memory map
 * has them already (the caller may claim the region anew without
 * lending); or
 * -errno, all with a dmesg line.
 */
int contig_lend_init(struct contig_region *r)
{
	struct contig_lend *l = &contig_lend_state;
	unsigned long u, online, blocks;
	phys_addr_t start;
	u64 size;
	long ret;

	memset(l, 0, sizeof(*l));
	if (!r->lend_nr) {
		l->off_why = "the region holds no whole memory block";
		if (lend)
			pr_info("lend: nothing lent: the region holds no whole %lu MiB memory block\n",
				memory_block_size_bytes() >> 20);
		return 0;
	}
	start = contig_frame_to_phys(r, r->lend_first);
	if (pfn_valid(PHYS_PFN(start))) {
		/*
		 * Memory hotplug adds memory the kernel does not know yet
		 * (memmap=$ on x86); a device tree's no-map region is in its
		 * memory map already, and adding it fails with -EEXIST.
		 */
		l->off_why = "its blocks are in the memory map already (no-map)";
		pr_info("lend: nothing lent: the region's memory blocks are in the kernel's memory map already (a device-tree no-map region), where memory hotplug cannot add them; the region stays contig's alone, as with lend=0\n");
		return -EAGAIN;
	}
	l->r = r;
	l->unit = pageblock_nr_pages;
	l->block = memory_block_size_bytes() >> PAGE_SHIFT;
	l->nr_units = r->lend_nr / l->unit;
	l->nb.notifier_call = __contig_lend_notify;
	INIT_DELAYED_WORK(&l->give_back, __contig_lend_give_back_work);
	l->taken_at = kvcalloc(l->nr_units, sizeof(*l->taken_at), GFP_KERNEL);
	l->zstate = kvzalloc(l->nr_units, GFP_KERNEL);
	if (!l->taken_at || !l->zstate) {
		ret = -ENOMEM;
		u = 0;
		goto unlend;
	}
	for (u = 0; u < l->nr_units; u++) {
		ret = contig_buddy_alloc_range(&r->buddy, __unit_frame(l, u),
					       l->unit, CONTIG_OWNER_LENT);
		if (ret < 0)
			goto unlend;
	}
	ret = register_memory_notifier(&l->nb);
	if (ret)
		goto unlend;
	size = (u64)r->lend_nr << PAGE_SHIFT;
	ret = add_memory_driver_managed(memory_add_physaddr_to_nid(start),
					start, size, CONTIG_LEND_RES_NAME,
					MHP_NONE);
	if (ret) {
		pr_err("lend: adding %llu MiB as System RAM failed (%pe); load with lend=0 to keep the region private\n",
		       size >> 20, ERR_PTR(ret));
		unregister_memory_notifier(&l->nb);
		goto unlend;
	}
	l->added = true;
	blocks = size / memory_block_size_bytes();
	online = __online_blocks(l);
	if (online < blocks && lend_helper[0]) {
		__run_helper(l);
		online = __online_blocks(l);
		if (!online) {
			__helper_failed(l);
			l->off_why = "lend_helper did not online the lent blocks (dmesg says why)";
			ret = __unlend(l);
			pr_warn("lend: nothing lent: the region stays contig's alone, as with lend=0 (install contigctl, or load with lend_helper= and run `contigctl lend` yourself)\n");
			return ret ?: -EAGAIN;
		}
		if (online < blocks)
			__helper_failed(l);
	}
	pr_info("lend: %llu MiB in %lu memory blocks lent to the kernel, %llu MiB kept private; %lu blocks online in ZONE_MOVABLE%s%s%s\n",
		size >> 20, blocks, (r->size - size) >> 20, online,
		l->helper[0] ? ", by " : "", l->helper,
		online ? "" : ": run `contigctl lend` to online them");
	return 0;

unlend:
	while (u--)
		contig_buddy_free(&r->buddy, __unit_frame(l, u));
	kvfree(l->taken_at);
	kvfree(l->zstate);
	l->taken_at = NULL;
	l->zstate = NULL;
	return ret;
}

/**
 * contig_lend_exit() - take every lent block back from the kernel.
 * @r: the region; no buffer, slab or other allocation of contig's is left.
 *
 * Context: process context, module unload, after everything that
 * allocates from the region is torn down.
 */
void contig_lend_exit(struct contig_region *r)
{
	struct contig_lend *l = &contig_lend_state;
	bool zero;

	if (!l->added)
		return;
	WRITE_ONCE(l->unloading, true);
	cancel_delayed_work_sync(&l->give_back);
	mutex_lock(&contig_lend_mutex);
	__give_back(l, true, &zero);
	mutex_unlock(&contig_lend_mutex);
	__unlend(l);
}

/**
 * contig_lend_map_char() - the debugfs map's character for lent frames.
 * @r:		the region.
 * @frame:	the first frame the character stands for.
 * @nr:		frames it stands for.
 * @counts:	their owners in contig's buddy (contig_buddy_count_owners()).
 *
 * A racy look at the kernel's page state, for the map only.
 *
 * Context: any sleeping context.
 * Return: for frames all lent: 'z' if some is in the zeroed reserve, else
 * 'o' if some is offline, else 'L' if the kernel uses some, else '_'; 't'
 * for frames all taken back and free in contig's buddy; 0 for anything
 * else (the map's own character).
 */
char contig_lend_map_char(struct contig_region *r, unsigned long frame,
			  unsigned long nr,
			  const unsigned long *counts)
{
	struct contig_lend *l = &contig_lend_state;
	unsigned long u, u0, u1, first = r->lend_first;
	bool lent = counts[CONTIG_OWNER_LENT] == nr;

	if (!l->added || r != l->r || frame < first ||
	    frame + nr > first + r->lend_nr ||
	    (!lent && counts[CONTIG_OWNER_FREE] != nr))
		return 0;
	/* The units the character covers: lent and online, or all taken. */
	u0 = (frame - first) / l->unit;
	u1 = (frame + nr - 1 - first) / l->unit;
	for (u = u0; u <= u1; u++) {
		if (lent && READ_ONCE(l->taken_at[u]))
			return 'z';
		if (lent && !__unit_online(l, u))
			return 'o';
		if (!lent && !READ_ONCE(l->taken_at[u]))
			return 0;
	}
	if (!lent)
		return 't';
	return __in_use(r->base_pfn + frame, nr) ? 'L' : '_';
}

/**
 * contig_lend_get_usage() - bytes lent and taken, for STATS.
 * @lent:	set to the bytes lent to the kernel and not taken back.
 * @taken:	set to the bytes taken back.
 * @kept:	set to the bytes of those kept in reserve= (zeroed or being
 *		zeroed): free for contig's requests, though not in its
 *		buddy's free lists.
 *
 * Context: process context.
 */
void contig_lend_get_usage(u64 *lent, u64 *taken, u64 *kept)
{
	struct contig_lend *l = &contig_lend_state;
	unsigned long u, n = 0, k = 0;

	*lent = 0;
	*taken = 0;
	*kept = 0;
	if (!l->added)
		return;
	mutex_lock(&contig_lend_mutex);
	for (u = 0; u < l->nr_units; u++) {
		n += !!l->taken_at[u];
		k += !!l->zstate[u];
	}
	mutex_unlock(&contig_lend_mutex);
	*lent = (u64)(l->nr_units - n) * l->unit << PAGE_SHIFT;
	*taken = (u64)n * l->unit << PAGE_SHIFT;
	*kept = (u64)k * l->unit << PAGE_SHIFT;
}

/**
 * contig_lend_show() - debugfs "lend".
 * @m: the seq_file.
 * @unused: unused.
 *
 * Context: process context.
 * Return: 0.
 */
int contig_lend_show(struct seq_file *m, void *unused)
{
	struct contig_lend *l = &contig_lend_state;
	unsigned long u, in_use = 0, per, zeroed = 0;
	u64 lent_bytes, taken_bytes, kept_bytes;

	if (!l->added) {
		if (lend)
			seq_printf(m, "lend: on, but nothing lent: %s\n",
				   l->off_why ?: "unknown");
		else
			seq_puts(m, "lend: off\n");
		return 0;
	}
	contig_lend_get_usage(&lent_bytes, &taken_bytes, &kept_bytes);
	mutex_lock(&contig_lend_mutex);
	per = l->block / l->unit;
	if (l->helper[0])
		seq_printf(m, "helper: %s lend, exit status %d\n", l->helper,
			   l->helper_ret);
	for (u = 0; u < l->nr_units; u += per)
		seq_printf(m, "block memory%lu: %s\n",
			   __block_nr(l, __unit_pfn(l, u)),
			   __unit_online(l, u) ? "online, ZONE_MOVABLE" :
			   "offline (run `contigctl lend`)");
	for (u = 0; u < l->nr_units; u++)
		if (!l->taken_at[u] && __unit_online(l, u))
			in_use += __in_use(__unit_pfn(l, u), l->unit);
	seq_printf(m, "lent_bytes: %llu\n", lent_bytes);
	seq_printf(m, "lent_in_use_bytes: %llu\n", (u64)in_use << PAGE_SHIFT);
	seq_printf(m, "taken_bytes: %llu\n", taken_bytes);
	seq_printf(m, "private_bytes: %llu\n",
		   l->r->size - ((u64)l->r->lend_nr << PAGE_SHIFT));
	seq_printf(m, "reserve_bytes: %lu\n", READ_ONCE(reserve));
	for (u = 0; u < l->nr_units; u++)
		zeroed += l->zstate[u] == CONTIG_LEND_ZEROED;
	seq_printf(m, "reserve_held_bytes: %llu\n", kept_bytes);
	seq_printf(m, "reserve_zeroed_bytes: %llu\n",
		   (u64)zeroed * l->unit << PAGE_SHIFT);
	seq_printf(m, "reserve_hits: %llu\n", l->zeroed_hits);
	seq_printf(m, "units_zeroed: %llu\n", l->units_zeroed);
	seq_printf(m, "windows_cleared_as_taken: %llu\n", l->cleared);
	seq_printf(m, "unit_bytes: %lu\n", l->unit << PAGE_SHIFT);
	seq_printf(m, "take_requests: %llu\n", l->take_requests);
	seq_printf(m, "windows_taken: %llu\n", l->takes);
	seq_printf(m, "take_failures: %llu\n", l->take_failures);
	seq_printf(m, "failed_busy: %llu\nfailed_nomem: %llu\nfailed_interrupted: %llu\nfailed_none_online: %llu\nfailed_no_window: %llu\n",
		   l->fail_busy, l->fail_nomem, l->fail_intr, l->fail_offline,
		   l->fail_nowindow);
	seq_puts(m, "# windows tried and not taken, by what blocked them\n");
	seq_printf(m, "blocked_pinned: %llu\nblocked_unmovable: %llu\nblocked_migration: %llu\nblocked_nomem: %llu\n",
		   l->blocked[CONTIG_HOLDER_KERNEL_PINNED],
		   l->blocked[CONTIG_HOLDER_KERNEL_UNMOVABLE],
		   l->blocked[CONTIG_HOLDER_KERNEL_MIGRATION],
		   l->blocked[CONTIG_HOLDER_KERNEL_NOMEM]);
	seq_printf(m, "dry_runs: %llu\n", l->judged);
	seq_printf(m, "kernel_pages_moved: %llu\n", l->pages_in_use);
	seq_printf(m, "units_taken: %llu\nunits_given_back: %llu\n",
		   l->units_taken, l->units_given);
	seq_printf(m, "take_time_us: %llu\ntake_max_us: %llu\n",
		   l->time_ns / NSEC_PER_USEC, l->max_ns / NSEC_PER_USEC);
	seq_puts(m, "# windows tried by time taken: [2^k, 2^(k+1)) us\n");
	for (u = 0; u < CONTIG_LEND_HIST; u++)
		if (l->hist[u])
			seq_printf(m, "take_us_2^%lu: %llu\n", u, l->hist[u]);
	mutex_unlock(&contig_lend_mutex);
	return 0;
}

#else /* no memory hot-remove or no alloc_contig_range() */

u64 contig_lend_block_size(void)
{
	if (lend)
		pr_info("lend: this kernel lacks CONFIG_MEMORY_HOTREMOVE or CONFIG_CONTIG_ALLOC: nothing lent\n");
	return 0;
}

int contig_lend_init(struct contig_region *r)
{
	return 0;
}

void contig_lend_exit(struct contig_region *r)
{
}

long contig_lend_take(struct contig_region *r, unsigned long nr,
		      unsigned long align, unsigned long *start,
		      struct contig_alloc_report *lr)
{
	return 0;
}

long contig_lend_take_clear(struct contig_region *r, unsigned long nr,
			    unsigned long align, enum contig_owner owner,
			    unsigned long *start, bool *claimed,
			    struct contig_alloc_report *lr)
{
	*claimed = false;
	return 0;
}

long contig_lend_take_zeroed(struct contig_region *r, unsigned long nr,
			     unsigned long align, enum contig_owner owner,
			     unsigned long *zeroed)
{
	*zeroed = 0;
	return -ENOMEM;
}

int contig_lend_judge(struct contig_region *r, unsigned long nr,
		      unsigned long align, struct contig_alloc_report *lr)
{
	return -ENOMEM;
}

void contig_lend_freed(void)
{
}

char contig_lend_map_char(struct contig_region *r, unsigned long frame,
			  unsigned long nr,
			  const unsigned long *counts)
{
	return 0;
}

void contig_lend_get_usage(u64 *lent, u64 *taken, u64 *kept)
{
	*lent = 0;
	*taken = 0;
	*kept = 0;
}

int contig_lend_show(struct seq_file *m, void *unused)
{
	seq_puts(m, "lend: unavailable on this kernel\n");
	return 0;
}

#endif
