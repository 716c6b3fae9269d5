// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - making room for contiguous requests by moving movable
 * memory, and bringing pushed-out pages back.
 *
 * The pages are movable.c's; this file decides which to move and when.
 *
 * Making room (contig_migrate_alloc()).  When no free block serves a
 * contiguous request, every window of the size and alignment asked is
 * judged from a snapshot of the frames' owners: a window holding an
 * unmovable, slab or pinned frame is blocked (its first such frame is
 * reported), the others cost their number of movable frames.  The
 * cheapest are tried in turn, up to CONTIG_MIGRATE_TRIES of them:
 *
 *  1. the free runs of the window are claimed by placeholder allocations
 *     (owner UNMOVABLE), so nothing new lands in it;
 *  2. each movable page is moved (contig_movable_move()) to a new frame of
 *     the region, which can only lie outside the window, or else to a
 *     system page; the old frame becomes a placeholder;
 *  3. contig_buddy_convert_range() turns the placeholders into the one
 *     allocation handed out.
 *
 * A page found pinned in step 2 is waited for briefly; if it stays pinned
 * the placeholders are freed and the next window is tried.
 *
 * Pages pushed out to system memory come back (contig_migrate_bring_back())
 * when a large block is freed, from a work item, or on a debugfs write.
 *
 * Locking: everything here runs under contig_movable_mutex (movable.c),
 * at its place in the lock order of contig_internal.h; the counters below
 * are under it too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <contig.h>

#include "contig_trace.h"
#include "fault.h"
#include "migrate.h"
#include "movable.h"

/* Windows tried before giving up with -EBUSY. */
#define CONTIG_MIGRATE_TRIES	8
/* Frees of at least this many frames bring pushed-out pages back. */
#define CONTIG_BRING_BACK_MIN	16

static_assert(CONTIG_HOLDER_UNMOVABLE == CONTIG_OWNER_UNMOVABLE);
static_assert(CONTIG_HOLDER_PINNED == CONTIG_OWNER_PINNED);
static_assert(CONTIG_HOLDER_SLAB == CONTIG_OWNER_SLAB);
static_assert(CONTIG_HOLDER_LENT == CONTIG_OWNER_LENT);

#define CONTIG_HIST_BUCKETS	16

/* Counters; under contig_movable_mutex. */
static struct {
	u64 migrated;			/* pages moved within the region */
	u64 pushed_out;			/* pages moved to system memory */
	u64 brought_back;		/* pages moved back into the region */
	u64 make_room;			/* requests that needed migration */
	u64 make_room_ok;
	u64 fail_busy;			/* every window blocked by a pin */
	u64 fail_nomem;			/* blocked by unmovable memory */
	u64 fail_sysmem;		/* no system page to push out to */
	u64 windows_abandoned;		/* a page got pinned meanwhile */
	u64 dry_runs;
	u64 time_ns;
	u64 hist[CONTIG_HIST_BUCKETS];	/* latency, log2 of microseconds */
} contig_mstats;

static void __contig_bring_back_work(struct work_struct *work);
static DECLARE_WORK(contig_bring_back_work, __contig_bring_back_work);

/* ---- choosing a window ---------------------------------------------------- */

struct contig_window {
	unsigned long start;
	unsigned long movable;
};

static bool __blocks(u8 owner)
{
	return owner != CONTIG_OWNER_FREE && owner != CONTIG_OWNER_MOVABLE;
}

/*
 * Judge every window of @nr frames at multiples of @align from a snapshot
 * of the owners.  Fills @rep, returns the unblocked windows in *@cands
 * (kvmalloc'ed, *@ncands of them) and whether some blocked window was
 * blocked by pinned frames only, in *@pin_only.
 */
static int __contig_windows(struct contig_region *r, unsigned long nr,
			    unsigned long align, struct contig_alloc_report *rep,
			    struct contig_window **cands, unsigned long *ncands,
			    bool *pin_only)
{
	unsigned long n = r->nr_pages, s, i, nb, last_blocker = ULONG_MAX;
	unsigned long *next_block, *next_hard;
	u32 *movable;
	u8 *owners;
	int ret = -ENOMEM;

	*cands = NULL;
	*ncands = 0;
	*pin_only = false;
	owners = kvmalloc(n, CONTIG_GFP_REQUEST);
	movable = kvmalloc_array(n + 1, sizeof(*movable), CONTIG_GFP_REQUEST);
	next_block = kvmalloc_array(n + 1, sizeof(*next_block),
				    CONTIG_GFP_REQUEST);
	next_hard = kvmalloc_array(n + 1, sizeof(*next_hard),
				   CONTIG_GFP_REQUEST);
	*cands = kvmalloc_array(n / align + 1, sizeof(**cands),
				CONTIG_GFP_REQUEST);
	if (!owners || !movable || !next_block || !next_hard || !*cands)
		goto out;
	/* Consistent per batch only; a window is re-checked when emptied. */
	contig_buddy_get_owners(&r->buddy, 0, n, owners);

	movable[0] = 0;
	for (i = 0; i < n; i++)
		movable[i + 1] = movable[i] + (owners[i] == CONTIG_OWNER_MOVABLE);
	next_block[n] = n;
	next_hard[n] = n;
	for (i = n; i-- > 0;) {
		next_block[i] = __blocks(owners[i]) ? i : next_block[i + 1];
		next_hard[i] = __blocks(owners[i]) &&
			       owners[i] != CONTIG_OWNER_PINNED ?
			       i : next_hard[i + 1];
	}
	for (s = 0; s + nr <= n; s += align) {
		rep->nr_windows++;
		nb = next_block[s];
		if (nb >= s + nr) {
			(*cands)[*ncands].start = s;
			(*cands)[*ncands].movable = movable[s + nr] - movable[s];
			(*ncands)++;
			continue;
		}
		rep->nr_blocked++;
		if (next_hard[s] >= s + nr)
			*pin_only = true;
		if (nb != last_blocker && rep->nr_reported < CONTIG_REPORT_WINDOWS) {
			struct contig_window_report *w =
				&rep->windows[rep->nr_reported++];

			w->start_pfn = r->base_pfn + s;
			w->blocker_pfn = r->base_pfn + nb;
			w->holder = owners[nb];
		}
		last_blocker = nb;
	}
	ret = 0;
out:
	kvfree(next_hard);
	kvfree(next_block);
	kvfree(movable);
	kvfree(owners);
	if (ret) {
		kvfree(*cands);
		*cands = NULL;
	}
	return ret;
}

/* The cheapest candidate not tried yet (lowest first on ties), or NULL. */
static struct contig_window *__contig_cheapest(struct contig_window *c,
					       unsigned long n)
{
	struct contig_window *best = NULL;
	unsigned long i;

	for (i = 0; i < n; i++)
		if (c[i].movable != ULONG_MAX &&
		    (!best || c[i].movable < best->movable))
			best = &c[i];
	return best;
}

/* ---- emptying a window ---------------------------------------------------- */

struct contig_placeholders {
	unsigned long *head;
	unsigned long n;
};

static void __contig_drop_placeholders(struct contig_region *r,
				       struct contig_placeholders *ph)
{
	while (ph->n)
		contig_buddy_free(&r->buddy, ph->head[--ph->n]);
}

/*
 * Empty [@start, @start + @nr) and claim it for @owner.  Returns @start,
 * -EAGAIN when the window changed or a page stayed pinned (try another),
 * -ENOMEM when no system page could be had.  *@moved counts pages moved,
 * which stay moved either way.
 */
static long __contig_empty_window(struct contig_region *r, unsigned long start,
				  unsigned long nr, enum contig_owner owner,
				  unsigned long *moved)
{
	struct contig_buddy *b = &r->buddy;
	struct contig_placeholders ph = { };
	unsigned long end = start + nr, i, run;
	u8 *owners;
	long ret;

	lockdep_assert_held(&contig_movable_mutex);
	owners = kvmalloc(nr, CONTIG_GFP_REQUEST);
	ph.head = kvmalloc_array(nr, sizeof(*ph.head), CONTIG_GFP_REQUEST);
	ret = -ENOMEM;
	if (!owners || !ph.head || contig_should_fail(CONTIG_FAULT_TAKE))
		goto out;
	/*
	 * A hint, consistent per batch only: free runs are claimed and the
	 * window converted under the buddy lock, which re-checks them, and
	 * movable frames cannot come or go while we hold contig_movable_mutex.
	 */
	contig_buddy_get_owners(b, start, nr, owners);

	/* 1. Claim the free runs; a frame taken meanwhile fails the window. */
	for (i = start; i < end; i += run) {
		for (run = 0; i + run < end &&
		     owners[i + run - start] == CONTIG_OWNER_FREE; run++)
			;
		if (!run) {
			run = 1;
			if (owners[i - start] != CONTIG_OWNER_MOVABLE)
				goto changed;
			continue;
		}
		if (contig_buddy_alloc_range(b, i, run,
					     CONTIG_OWNER_UNMOVABLE) < 0)
			goto changed;
		ph.head[ph.n++] = i;
	}

	/* 2. Move each movable page out. */
	for (i = start; i < end; i++) {
		struct contig_movable *mov;
		struct page *page = NULL;
		unsigned long idx;
		long dst;

		if (owners[i - start] != CONTIG_OWNER_MOVABLE)
			continue;
		mov = contig_movable_at(i, &idx);
		if (!mov)
			goto changed;
		dst = contig_buddy_alloc(b, 1, 1, CONTIG_OWNER_MOVABLE,
					 CONTIG_POLICY_DEFAULT, 0);
		if (dst < 0) {
			dst = CONTIG_SLOT_OUT;
			page = alloc_page(CONTIG_GFP_REQUEST);
			if (!page) {
				contig_mstats.fail_sysmem++;
				ret = -ENOMEM;
				goto undo;
			}
		}
		if (contig_movable_move(mov, idx, dst, page)) {
			/* It stayed pinned: try another window. */
			if (page)
				__free_page(page);
			else
				contig_buddy_free(b, dst);
			goto changed;
		}
		if (dst != CONTIG_SLOT_OUT)
			contig_mstats.migrated++;
		else
			contig_mstats.pushed_out++;
		/* The old frame is a placeholder now. */
		contig_buddy_set_owner(b, i, CONTIG_OWNER_UNMOVABLE);
		ph.head[ph.n++] = i;
		(*moved)++;
		if (!(*moved & 63))
			cond_resched();
	}

	/* 3. The placeholders become the allocation. */
	ret = contig_buddy_convert_range(b, start, nr, CONTIG_OWNER_UNMOVABLE,
					 owner);
	if (ret >= 0) {
		ph.n = 0;
		goto out;
	}
changed:
	ret = -EAGAIN;
	contig_mstats.windows_abandoned++;
undo:
	__contig_drop_placeholders(r, &ph);
out:
	kvfree(ph.head);
	kvfree(owners);
	return ret;
}

static void __contig_fill_largest(struct contig_region *r,
				  struct contig_alloc_report *rep)
{
	struct contig_buddy_stats st;

	contig_buddy_get_stats(&r->buddy, &st);
	rep->largest_free = (u64)st.largest_free << PAGE_SHIFT;
}

static void __contig_count_latency(u64 ns)
{
	unsigned int bucket = 0;
	u64 us = ns / NSEC_PER_USEC;

	if (us)
		bucket = min_t(unsigned int, ilog2(us) + 1,
			       CONTIG_HIST_BUCKETS - 1);
	contig_mstats.hist[bucket]++;
	contig_mstats.time_ns += ns;
}

/**
 * contig_migrate_alloc() - make room for a contiguous request by migration.
 * @r:		the region.
 * @nr:		frames wanted.
 * @align:	alignment in frames, a power of two.
 * @owner:	owner of the allocation (UNMOVABLE).
 * @rep:	filled with what was found (may be NULL).
 * @dry_run:	judge only: move and allocate nothing.
 *
 * Context: process context, may sleep.
 * Return: the first frame of the allocation (for @dry_run: 0 if it would
 * succeed now), -EBUSY when every window that could be emptied holds a
 * pinned page, -ENOMEM when every window holds unmovable memory (or no
 * memory could be had).
 */
long contig_migrate_alloc(struct contig_region *r, unsigned long nr,
			  unsigned long align, enum contig_owner owner,
			  struct contig_alloc_report *rep, bool dry_run)
{
	struct contig_alloc_report local;
	struct contig_window *cands, *w;
	unsigned long ncands, moved = 0, tries = 0;
	u64 t0 = ktime_get_ns();
	bool pin_only;
	long ret;

	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	if (!nr || nr > r->nr_pages || !is_power_of_2(align)) {
		rep->result = -EINVAL;
		return -EINVAL;
	}

	mutex_lock(&contig_movable_mutex);
	ret = __contig_windows(r, nr, align, rep, &cands, &ncands, &pin_only);
	if (ret)
		goto unlock;
	w = __contig_cheapest(cands, ncands);
	if (dry_run) {
		contig_mstats.dry_runs++;
		ret = w ? 0 : pin_only ? -EBUSY : -ENOMEM;
		if (w)
			rep->move_bytes = (u64)w->movable << PAGE_SHIFT;
		goto free;
	}
	contig_mstats.make_room++;
	ret = pin_only ? -EBUSY : -ENOMEM;
	while (w && tries++ < CONTIG_MIGRATE_TRIES) {
		unsigned long before = moved;

		rep->move_bytes = (u64)w->movable << PAGE_SHIFT;
		ret = __contig_empty_window(r, w->start, nr, owner, &moved);
		trace_contig_migrate_window(r->base_pfn + w->start, nr,
					    moved - before, ret);
		if (ret >= 0 || ret == -ENOMEM)
			break;
		/* A page got pinned under us: -EBUSY unless another works. */
		w->movable = ULONG_MAX;
		w = __contig_cheapest(cands, ncands);
		ret = -EBUSY;
	}
	if (ret >= 0) {
		rep->move_bytes = (u64)moved << PAGE_SHIFT;
		contig_mstats.make_room_ok++;
		__contig_count_latency(ktime_get_ns() - t0);
	} else if (ret == -EBUSY) {
		contig_mstats.fail_busy++;
	} else {
		contig_mstats.fail_nomem++;
	}
free:
	kvfree(cands);
unlock:
	mutex_unlock(&contig_movable_mutex);
	__contig_fill_largest(r, rep);
	rep->result = ret < 0 ? ret : 0;
	return ret;
}

/**
 * contig_migrate_alloc_at() - claim one given window, moving movable
 * memory out of it.
 * @r:		the region.
 * @start:	its first frame.
 * @nr:		frames.
 * @owner:	owner of the allocation (UNMOVABLE).
 *
 * For callers that need a particular place (arena.c puts a user's arena
 * at the top of the region, where movable memory also goes).
 *
 * Context: process context, may sleep; takes contig_movable_mutex.
 * Return: @start, -EAGAIN when the window holds memory that cannot be
 * moved (unmovable, slab, or pinned), -ENOMEM when no memory could be had.
 */
long contig_migrate_alloc_at(struct contig_region *r, unsigned long start,
			     unsigned long nr, enum contig_owner owner)
{
	unsigned long moved = 0;
	long ret;

	if (!nr || start > r->nr_pages || nr > r->nr_pages - start)
		return -EINVAL;
	mutex_lock(&contig_movable_mutex);
	ret = __contig_empty_window(r, start, nr, owner, &moved);
	mutex_unlock(&contig_movable_mutex);
	trace_contig_migrate_window(r->base_pfn + start, nr, moved, ret);
	return ret;
}

/**
 * contig_migrate_report_log() - one dmesg line (and one per window) for a
 * contiguous request that failed.
 * @rep:	the report.
 * @nr:		frames asked.
 * @align:	alignment in frames.
 *
 * The frames are logged only for a caller with CAP_SYS_RAWIO (or a kernel
 * thread): anyone may trigger this, and not every system restricts dmesg,
 * so others' lines name the holders alone; root gets the frames from
 * debugfs "query".
 *
 * Context: any.
 */
void contig_migrate_report_log(const struct contig_alloc_report *rep,
			       unsigned long nr, unsigned long align)
{
	static const char * const holders[] = {
		[CONTIG_HOLDER_UNMOVABLE] = "unmovable",
		[CONTIG_HOLDER_PINNED] = "pinned",
		[CONTIG_HOLDER_SLAB] = "slab",
		[CONTIG_HOLDER_LENT] = "lent to the kernel",
		[CONTIG_HOLDER_KERNEL_PINNED] = "lent: a kernel page pinned or held",
		[CONTIG_HOLDER_KERNEL_UNMOVABLE] = "lent: a kernel page off the LRU lists",
		[CONTIG_HOLDER_KERNEL_MIGRATION] = "lent: isolation or migration failed",
		[CONTIG_HOLDER_KERNEL_NOMEM] = "lent: no room elsewhere for the kernel's pages",
	};
	bool pfns = in_task() &&
		    ns_capable_noaudit(&init_user_ns, CAP_SYS_RAWIO);
	unsigned int i;

	pr_info_ratelimited("contiguous %lu KiB (align %lu KiB) refused (%d): %u of %u windows blocked, largest free block %llu KiB, %llu KiB to move in the cheapest window\n",
			    nr << (PAGE_SHIFT - 10), align << (PAGE_SHIFT - 10),
			    rep->result, rep->nr_blocked, rep->nr_windows,
			    rep->largest_free >> 10, rep->move_bytes >> 10);
	for (i = 0; i < rep->nr_reported; i++) {
		const struct contig_window_report *w = &rep->windows[i];
		unsigned int h = w->holder;
		const char *what = h < ARRAY_SIZE(holders) && holders[h] ?
				   holders[h] : "held";

		if (pfns)
			pr_info_ratelimited("  window at pfn %#llx: pfn %#llx is %s\n",
					    w->start_pfn, w->blocker_pfn, what);
		else
			pr_info_ratelimited("  blocked window %u: a frame is %s\n",
					    i + 1, what);
	}
}

/* ---- pinning outside the region ------------------------------------------ */

/**
 * contig_migrate_map_out() - pin movable memory in system memory.
 * @mov: the handle.
 *
 * Moves every page of @mov that lies in the region out to system memory,
 * then maps and pins the handle (contig_movable_map()), all under
 * contig_movable_mutex, so that no bring-back returns a page in between.
 * Pinned this way the handle holds no frame of the region, and so never
 * blocks a CONTIGUOUS request: this is how an unprivileged user's MOVABLE
 * buffer is pinned for a device or a kernel mapping (buffer.c's freeze,
 * README "Security model").
 *
 * A failure pins nothing and loses nothing: the pages moved out so far
 * stay in system memory, as good as in the region (bring-back returns
 * them), and their frames are free again.
 *
 * Context: process context, may sleep; takes contig_movable_mutex.
 * Return: as contig_movable_map(): the kernel address, or ERR_PTR(-ENOMEM);
 * or ERR_PTR(-EBUSY) when someone else kept the handle pinned.
 */
void *contig_migrate_map_out(struct contig_movable *mov)
{
	struct contig_buddy *b = &mov->region->buddy;
	unsigned long i, old, n = 0;
	struct page *page;
	void *va;

	mutex_lock(&contig_movable_mutex);
	for (i = 0; i < mov->nr; i++) {
		old = mov->slots[i].frame;
		if (old == CONTIG_SLOT_OUT)
			continue;
		page = contig_should_fail(CONTIG_FAULT_TAKE) ? NULL :
		       alloc_page(CONTIG_GFP_REQUEST);
		if (!page) {
			contig_mstats.fail_sysmem++;
			va = ERR_PTR(-ENOMEM);
			goto out;
		}
		if (contig_movable_move(mov, i, CONTIG_SLOT_OUT, page)) {
			__free_page(page);
			va = ERR_PTR(-EBUSY);
			goto out;
		}
		contig_buddy_free(b, old);
		contig_mstats.pushed_out++;
		if (!(++n & 63))
			cond_resched();
	}
	va = contig_movable_map(mov);
out:
	mutex_unlock(&contig_movable_mutex);
	if (IS_ERR(va))
		pr_info_ratelimited("movable %llu: cannot pin it in system memory (%ld); %lu pages moved out so far\n",
				    mov->id, PTR_ERR(va), n);
	return va;
}

/* ---- bring-back ----------------------------------------------------------- */

/**
 * contig_migrate_bring_back() - move pushed-out pages back into the region.
 *
 * Pages of pinned handles stay where they are.  Stops at the first page
 * the region has no free frame for.
 *
 * Context: process context, may sleep.
 * Return: the number of pages brought back.
 */
unsigned long contig_migrate_bring_back(void)
{
	struct contig_region *r = contig_default_region();
	struct contig_movable *mov;
	unsigned long n = 0, i;
	long dst;

	if (!r)
		return 0;
	mutex_lock(&contig_movable_mutex);
	list_for_each_entry(mov, &contig_movables, node) {
		if (!READ_ONCE(mov->nr_out))
			continue;
		for (i = 0; i < mov->nr; i++) {
			if (mov->slots[i].frame != CONTIG_SLOT_OUT)
				continue;
			dst = contig_buddy_alloc(&r->buddy, 1, 1,
						 CONTIG_OWNER_MOVABLE,
						 CONTIG_POLICY_DEFAULT, 0);
			if (dst < 0)
				goto done;
			if (contig_movable_move(mov, i, dst, NULL)) {
				/* Pinned: its pages stay where they are. */
				contig_buddy_free(&r->buddy, dst);
				break;
			}
			contig_mstats.brought_back++;
			n++;
			if (!(n & 63))
				cond_resched();
		}
	}
done:
	mutex_unlock(&contig_movable_mutex);
	return n;
}

CONTIG_EXPORT_FOR_TESTS(contig_migrate_bring_back);

static void __contig_bring_back_work(struct work_struct *work)
{
	contig_migrate_bring_back();
}

/**
 * contig_migrate_freed() - a block of @nr frames went back to the region.
 * @nr: frames.
 *
 * Large frees bring pushed-out pages back, from a work item.
 *
 * Context: any.
 */
void contig_migrate_freed(unsigned long nr)
{
	if (nr >= CONTIG_BRING_BACK_MIN && contig_movable_out_pages())
		schedule_work(&contig_bring_back_work);
}

/* ---- statistics and debugfs ----------------------------------------------- */

/**
 * contig_migrate_get_stats() - the counters, for tests.
 * @st: filled in.
 *
 * Context: process context.
 */
void contig_migrate_get_stats(struct contig_migrate_stats *st)
{
	struct contig_movable_stats mst;

	mutex_lock(&contig_movable_mutex);
	contig_movable_get_stats(&mst);
	st->movable_pages = mst.movable_pages;
	st->out_pages = mst.out_pages;
	st->migrated = contig_mstats.migrated;
	st->pushed_out = contig_mstats.pushed_out;
	st->brought_back = contig_mstats.brought_back;
	st->bytes_copied = mst.bytes_copied;
	st->make_room = contig_mstats.make_room;
	st->make_room_ok = contig_mstats.make_room_ok;
	st->fail_busy = contig_mstats.fail_busy;
	st->fail_nomem = contig_mstats.fail_nomem;
	mutex_unlock(&contig_movable_mutex);
}

CONTIG_EXPORT_FOR_TESTS(contig_migrate_get_stats);

/**
 * contig_migrate_show() - the "migrate" debugfs file: movable memory and
 * what migration did.
 * @m:      the seq_file.
 * @unused: unused.
 *
 * Context: process context.
 * Return: 0.
 */
int contig_migrate_show(struct seq_file *m, void *unused)
{
	struct contig_movable_stats mst;
	unsigned int i;

	mutex_lock(&contig_movable_mutex);
	contig_movable_get_stats(&mst);
	seq_printf(m, "movable pages:        %llu\n", mst.movable_pages);
	seq_printf(m, "  in system memory:   %llu\n", mst.out_pages);
	seq_printf(m, "migrated in region:   %llu\n", contig_mstats.migrated);
	seq_printf(m, "pushed out:           %llu\n", contig_mstats.pushed_out);
	seq_printf(m, "brought back:         %llu\n", contig_mstats.brought_back);
	seq_printf(m, "bytes copied:         %llu\n", mst.bytes_copied);
	seq_printf(m, "requests migrating:   %llu\n", contig_mstats.make_room);
	seq_printf(m, "  succeeded:          %llu\n", contig_mstats.make_room_ok);
	seq_printf(m, "  failed pinned:      %llu\n", contig_mstats.fail_busy);
	seq_printf(m, "  failed unmovable:   %llu\n", contig_mstats.fail_nomem);
	seq_printf(m, "  failed system mem:  %llu\n", contig_mstats.fail_sysmem);
	seq_printf(m, "windows abandoned:    %llu\n",
		   contig_mstats.windows_abandoned);
	seq_printf(m, "dry runs:             %llu\n", contig_mstats.dry_runs);
	seq_printf(m, "time migrating (ns):  %llu\n", contig_mstats.time_ns);
	seq_puts(m, "latency of successful migrating requests (us, count):\n");
	for (i = 0; i < CONTIG_HIST_BUCKETS; i++) {
		if (!i)
			seq_printf(m, "  %10s <1 %llu\n", "", contig_mstats.hist[i]);
		else
			seq_printf(m, "  %10lu+  %llu\n", 1UL << (i - 1),
				   contig_mstats.hist[i]);
	}
	mutex_unlock(&contig_movable_mutex);
	return 0;
}

/**
 * contig_migrate_init() - module load: counters from zero.
 *
 * Context: process context, module load.
 */
void contig_migrate_init(void)
{
	memset(&contig_mstats, 0, sizeof(contig_mstats));
}

/**
 * contig_migrate_exit() - module unload: no bring-back may be running.
 *
 * Context: process context, module unload.
 */
void contig_migrate_exit(void)
{
	cancel_work_sync(&contig_bring_back_work);
}
