// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - movable memory, and making room for contiguous requests by
 * moving it (issue 5).
 *
 * Movable memory is region memory lent out while no driver needs a large
 * contiguous block.  A movable allocation (struct contig_movable, the
 * handle of contig_movable_alloc() and the memory of a MOVABLE buffer) is
 * an array of page slots.  Each page is a one-frame allocation of the
 * buddy owned CONTIG_OWNER_MOVABLE, placed top-down (grouping by
 * mobility: contiguous requests are placed bottom-up), or, once pushed
 * out, an ordinary system page (alloc_page).  Nobody outside this file
 * keeps a page's address:
 *
 *  - kernel users reach the memory between contig_movable_map() and
 *    contig_movable_unmap() only (a vmap of the slots; as zsmalloc's
 *    zs_map_object()); while mapped the handle is pinned and its region
 *    frames are owned CONTIG_OWNER_PINNED, so a window search sees them;
 *  - user mappings are PFN maps filled one page per fault by
 *    contig_movable_fault(), which looks the slot up and inserts the PTE
 *    under the handle's lock; a migration zaps the PTEs of a page
 *    (unmap_mapping_range) under that same lock before copying it, so
 *    the next access faults, waits, and maps the new page.
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
 *  2. each movable page is copied to a new frame of the region, which can
 *     only lie outside the window, or else to a system page, its PTEs
 *     zapped first, its slot updated; the old frame becomes a placeholder;
 *  3. contig_buddy_convert_range() turns the placeholders into the one
 *     allocation handed out.
 *
 * A page found pinned in step 2 is waited for briefly; if it stays pinned
 * the placeholders are freed and the next window is tried.  A page is
 * never half moved: each is either still in its old frame or wholly in its
 * new one, with its slot, reverse map entry and PTEs agreeing.
 *
 * Pages pushed out to system memory come back (contig_migrate_bring_back())
 * when a large block is freed, from a work item, or on a debugfs write.
 *
 * Lock order (outermost first):
 *   mmap_lock (a fault), a buffer's buf->lock (buffer.c: pinning a MOVABLE
 *   buffer for good, recording its mapping), contig_movable_mutex
 *   (migration, bring-back, movable alloc and free),
 *   mov->lock,
 *   the mapping's i_mmap_rwsem and page table locks (unmap_mapping_range,
 *   vmf_insert_pfn),
 *   region->buddy.lock (innermost, irq-safe spinlock).
 * contig_movable_mutex serialises migration, bring-back, and the
 * allocation and freeing of movable memory, and protects the reverse map
 * (frame -> slot) and the list of handles.  mov->lock protects a handle's
 * slots, pins, vmap and user mapping.  A fault takes mov->lock only and
 * migration never takes mmap_lock or a buffer lock, so a migration never
 * waits for a faulting task's mmap_lock; no user copy happens under any
 * of these locks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <contig.h>

#include "contig_internal.h"

#define CREATE_TRACE_POINTS
#include "contig_trace.h"

/* Windows tried before giving up with -EBUSY. */
#define CONTIG_MIGRATE_TRIES	8
/* A pinned page is waited for this many times ~100us before moving on. */
#define CONTIG_PIN_WAITS	10
/* Frees of at least this many frames bring pushed-out pages back. */
#define CONTIG_BRING_BACK_MIN	16

static_assert(CONTIG_HOLDER_UNMOVABLE == CONTIG_OWNER_UNMOVABLE);
static_assert(CONTIG_HOLDER_PINNED == CONTIG_OWNER_PINNED);
static_assert(CONTIG_HOLDER_SLAB == CONTIG_OWNER_SLAB);

#define CONTIG_SLOT_OUT	(~0UL)

/**
 * struct contig_mslot - where one page of a movable allocation is.
 * @frame:	its region frame, or CONTIG_SLOT_OUT.
 * @page:	the system page holding it when @frame is CONTIG_SLOT_OUT.
 */
struct contig_mslot {
	unsigned long frame;
	struct page *page;
};

/**
 * struct contig_movable - a movable allocation; see the file comment.
 * @region:	the region.
 * @nr:		pages.
 * @id:		unique, for debugfs and traces.
 * @lock:	protects @slots, @pins, @vaddr, @mapping, @nr_out.
 * @pins:	contig_movable_map() calls not yet unmapped.
 * @vaddr:	vmap of the slots while @pins.
 * @mapping:	the address space user mappings hang off, or NULL.
 * @nr_out:	slots in system memory.
 * @node:	in contig_movables, under contig_movable_mutex.
 * @slots:	the pages, in order.
 */
struct contig_movable {
	struct contig_region *region;
	unsigned long nr;
	u64 id;
	struct mutex lock;	/* see @lock above */
	unsigned int pins;
	void *vaddr;
	struct address_space *mapping;
	unsigned long nr_out;
	struct list_head node;
	struct contig_mslot slots[];
};

/* The slot holding a region frame; under contig_movable_mutex. */
struct contig_mref {
	struct contig_movable *mov;
	unsigned long idx;
};

static DEFINE_MUTEX(contig_movable_mutex);
static LIST_HEAD(contig_movables);
static struct contig_mref *contig_rmap;
static struct contig_region *contig_mig_region;
static atomic64_t contig_movable_next_id = ATOMIC64_INIT(0);

#define CONTIG_HIST_BUCKETS	16

/* Counters; under contig_movable_mutex. */
static struct {
	u64 movable_pages;		/* live movable pages */
	u64 out_pages;			/* of which in system memory */
	u64 migrated;			/* pages moved within the region */
	u64 pushed_out;			/* pages moved to system memory */
	u64 brought_back;		/* pages moved back into the region */
	u64 bytes_copied;
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

static struct page *__slot_page(const struct contig_movable *mov,
				const struct contig_mslot *s)
{
	if (s->frame == CONTIG_SLOT_OUT)
		return s->page;
	return pfn_to_page(mov->region->base_pfn + s->frame);
}

static unsigned long __slot_pfn(const struct contig_movable *mov,
				const struct contig_mslot *s)
{
	if (s->frame == CONTIG_SLOT_OUT)
		return page_to_pfn(s->page);
	return mov->region->base_pfn + s->frame;
}

/* Give back everything a handle holds; contig_movable_mutex held. */
static void __contig_movable_release(struct contig_movable *mov)
{
	struct contig_buddy *b = &mov->region->buddy;
	unsigned long i;

	lockdep_assert_held(&contig_movable_mutex);
	for (i = 0; i < mov->nr; i++) {
		struct contig_mslot *s = &mov->slots[i];

		if (s->frame == CONTIG_SLOT_OUT) {
			if (s->page) {
				__free_page(s->page);
				contig_mstats.out_pages--;
				contig_mstats.movable_pages--;
			}
		} else {
			contig_rmap[s->frame].mov = NULL;
			contig_buddy_free(b, s->frame);
			contig_mstats.movable_pages--;
		}
		s->frame = CONTIG_SLOT_OUT;
		s->page = NULL;
	}
}

/**
 * contig_movable_alloc() - allocate movable memory from the region.
 * @size:  bytes, rounded up to whole pages.
 * @flags: 0 or CONTIG_FLAG_ZERO.
 *
 * The memory has no fixed address: reach it through contig_movable_map().
 * It is taken a page at a time from the top of the region.
 *
 * Context: process context, may sleep.
 * Return: the handle, or ERR_PTR(-EINVAL) for a bad argument,
 * ERR_PTR(-ENOMEM) when the region has not that many free pages,
 * ERR_PTR(-ENODEV) when no region is loaded.
 */
struct contig_movable *contig_movable_alloc(size_t size, unsigned int flags)
{
	struct contig_region *r = contig_mig_region;
	struct contig_movable *mov;
	unsigned long nr, i;
	long f;

	if (!r)
		return ERR_PTR(-ENODEV);
	if (!size || (flags & ~CONTIG_FLAG_ZERO)) {
		pr_info_ratelimited("movable: size 0 or unknown flags refused\n");
		return ERR_PTR(-EINVAL);
	}
	if (size > r->size)
		return ERR_PTR(-ENOMEM);
	nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	mov = kvzalloc(struct_size(mov, slots, nr), GFP_KERNEL);
	if (!mov)
		return ERR_PTR(-ENOMEM);
	mov->region = r;
	mov->nr = nr;
	mutex_init(&mov->lock);
	INIT_LIST_HEAD(&mov->node);
	for (i = 0; i < nr; i++)
		mov->slots[i].frame = CONTIG_SLOT_OUT;

	mutex_lock(&contig_movable_mutex);
	for (i = 0; i < nr; i++) {
		f = contig_buddy_alloc(&r->buddy, 1, 1, CONTIG_OWNER_MOVABLE,
				       CONTIG_POLICY_DEFAULT, 0);
		if (f < 0) {
			__contig_movable_release(mov);
			mutex_unlock(&contig_movable_mutex);
			mutex_destroy(&mov->lock);
			kvfree(mov);
			return ERR_PTR(-ENOMEM);
		}
		if (flags & CONTIG_FLAG_ZERO)
			clear_page(contig_frame_to_virt(r, f));
		/* Frames come top-down: fill from the end, so they ascend. */
		mov->slots[nr - 1 - i].frame = f;
		contig_rmap[f].mov = mov;
		contig_rmap[f].idx = nr - 1 - i;
		contig_mstats.movable_pages++;
		if (!(i & 255))
			cond_resched();
	}
	mov->id = atomic64_inc_return(&contig_movable_next_id);
	list_add_tail(&mov->node, &contig_movables);
	mutex_unlock(&contig_movable_mutex);
	trace_contig_movable_alloc(mov->id, nr);
	return mov;
}
EXPORT_SYMBOL_GPL(contig_movable_alloc);

/**
 * contig_movable_free() - free movable memory.
 * @mov: a handle from contig_movable_alloc(), or NULL or an ERR_PTR.
 *
 * The handle must not be mapped (a mapping left is reported and undone).
 *
 * Context: process context, may sleep.
 */
void contig_movable_free(struct contig_movable *mov)
{
	if (IS_ERR_OR_NULL(mov))
		return;
	mutex_lock(&contig_movable_mutex);
	mutex_lock(&mov->lock);
	if (WARN_ONCE(mov->pins, "contig: movable %llu freed while mapped\n",
		      mov->id)) {
		vunmap(mov->vaddr);
		mov->vaddr = NULL;
		mov->pins = 0;
	}
	mutex_unlock(&mov->lock);
	list_del(&mov->node);
	trace_contig_movable_free(mov->id, mov->nr);
	__contig_movable_release(mov);
	mutex_unlock(&contig_movable_mutex);
	mutex_destroy(&mov->lock);
	kvfree(mov);
}
EXPORT_SYMBOL_GPL(contig_movable_free);

/* Region frames of @mov to @owner (PINNED or MOVABLE); mov->lock held. */
static void __contig_movable_set_owner(struct contig_movable *mov,
				       enum contig_owner owner)
{
	unsigned long i;

	lockdep_assert_held(&mov->lock);
	for (i = 0; i < mov->nr; i++)
		if (mov->slots[i].frame != CONTIG_SLOT_OUT)
			contig_buddy_set_owner(&mov->region->buddy,
					       mov->slots[i].frame, owner);
}

/**
 * contig_movable_map() - pin movable memory and map it for the kernel.
 * @mov: the handle.
 *
 * While mapped the memory does not move: a contiguous request needing its
 * frames waits briefly, then tries elsewhere or fails with -EBUSY.  Calls
 * nest; each needs its contig_movable_unmap().  Keep mappings short.
 *
 * Context: process context, may sleep.
 * Return: the kernel address of the whole allocation, valid until the
 * matching contig_movable_unmap(); or ERR_PTR(-ENOMEM).
 */
void *contig_movable_map(struct contig_movable *mov)
{
	struct page **pages;
	void *va;
	unsigned long i;

	mutex_lock(&mov->lock);
	if (!mov->pins) {
		pages = kvmalloc_array(mov->nr, sizeof(*pages), GFP_KERNEL);
		if (!pages) {
			mutex_unlock(&mov->lock);
			return ERR_PTR(-ENOMEM);
		}
		for (i = 0; i < mov->nr; i++)
			pages[i] = __slot_page(mov, &mov->slots[i]);
		mov->vaddr = vmap(pages, mov->nr, VM_MAP, PAGE_KERNEL);
		kvfree(pages);
		if (!mov->vaddr) {
			mutex_unlock(&mov->lock);
			return ERR_PTR(-ENOMEM);
		}
		__contig_movable_set_owner(mov, CONTIG_OWNER_PINNED);
	}
	mov->pins++;
	va = mov->vaddr;
	mutex_unlock(&mov->lock);
	return va;
}
EXPORT_SYMBOL_GPL(contig_movable_map);

/**
 * contig_movable_unmap() - undo one contig_movable_map().
 * @mov: the handle.
 *
 * The last unmap unpins the memory; its address is then invalid.
 *
 * Context: process context, may sleep.
 */
void contig_movable_unmap(struct contig_movable *mov)
{
	mutex_lock(&mov->lock);
	if (WARN_ONCE(!mov->pins, "contig: movable %llu unmapped while not mapped\n",
		      mov->id)) {
		mutex_unlock(&mov->lock);
		return;
	}
	if (!--mov->pins) {
		vunmap(mov->vaddr);
		mov->vaddr = NULL;
		__contig_movable_set_owner(mov, CONTIG_OWNER_MOVABLE);
	}
	mutex_unlock(&mov->lock);
}
EXPORT_SYMBOL_GPL(contig_movable_unmap);

/**
 * contig_movable_size() - bytes of a movable allocation.
 * @mov: the handle.
 *
 * Context: any.
 * Return: its size, a multiple of PAGE_SIZE.
 */
size_t contig_movable_size(const struct contig_movable *mov)
{
	return mov->nr << PAGE_SHIFT;
}
EXPORT_SYMBOL_GPL(contig_movable_size);

/**
 * contig_movable_page_pfn() - where a page of movable memory is now.
 * @mov: the handle.
 * @idx: page index.
 *
 * For tests and debugging: the answer is stale as soon as it is returned
 * unless the handle is mapped.
 *
 * Context: process context.
 * Return: the pfn (in the region or not), or 0 for a bad index.
 */
unsigned long contig_movable_page_pfn(struct contig_movable *mov,
				      unsigned long idx)
{
	unsigned long pfn;

	if (idx >= mov->nr)
		return 0;
	mutex_lock(&mov->lock);
	pfn = __slot_pfn(mov, &mov->slots[idx]);
	mutex_unlock(&mov->lock);
	return pfn;
}

CONTIG_EXPORT_FOR_TESTS(contig_movable_page_pfn);

/**
 * contig_movable_get_pages() - the pages of a pinned movable allocation.
 * @mov:	the handle, mapped (pinned) by the caller.
 * @pages:	room for every page, filled in order.
 *
 * Context: process context.
 */
void contig_movable_get_pages(struct contig_movable *mov, struct page **pages)
{
	unsigned long i;

	mutex_lock(&mov->lock);
	WARN_ON_ONCE(!mov->pins);
	for (i = 0; i < mov->nr; i++)
		pages[i] = __slot_page(mov, &mov->slots[i]);
	mutex_unlock(&mov->lock);
}

/**
 * contig_movable_get_chunks() - where a movable allocation is now.
 * @mov:	the handle.
 * @out:	room for @n chunks (physically contiguous runs), or NULL.
 * @n:		entries at @out.
 *
 * Stale as soon as it returns unless the handle is pinned.
 *
 * Context: process context.
 * Return: the number of runs; min(@n, that) entries were written.
 */
unsigned long contig_movable_get_chunks(struct contig_movable *mov,
					struct contig_chunk *out,
					unsigned long n)
{
	unsigned long i, runs = 0, pfn, prev = 0;

	mutex_lock(&mov->lock);
	for (i = 0; i < mov->nr; i++) {
		pfn = __slot_pfn(mov, &mov->slots[i]);
		if (!i || pfn != prev + 1) {
			if (out && runs < n) {
				out[runs].phys = PFN_PHYS(pfn);
				out[runs].size = 0;
			}
			runs++;
		}
		if (out && runs <= n)
			out[runs - 1].size += PAGE_SIZE;
		prev = pfn;
	}
	mutex_unlock(&mov->lock);
	return runs;
}

/**
 * contig_movable_set_mapping() - where user mappings of @mov hang.
 * @mov:	the handle.
 * @mapping:	the address space of the file user space maps (a dma-buf's),
 *		or NULL once no mapping can exist any more.
 *
 * Migration zaps the PTEs of a page in @mapping at the page's offset.
 *
 * Context: process context.
 */
void contig_movable_set_mapping(struct contig_movable *mov,
				struct address_space *mapping)
{
	mutex_lock(&mov->lock);
	mov->mapping = mapping;
	mutex_unlock(&mov->lock);
}

/**
 * contig_movable_fault() - map a page of @mov into a PFN-mapped vma.
 * @mov: the handle.
 * @vmf: the fault; vmf->pgoff is the page index.
 *
 * The PTE is inserted under mov->lock, so a migration either sees it (and
 * zaps it) or has already updated the slot.
 *
 * Context: page fault handler (mmap_lock held).
 * Return: the vm_fault_t of vmf_insert_pfn(), or VM_FAULT_SIGBUS.
 */
vm_fault_t contig_movable_fault(struct contig_movable *mov,
				struct vm_fault *vmf)
{
	vm_fault_t ret;

	if (vmf->pgoff >= mov->nr)
		return VM_FAULT_SIGBUS;
	mutex_lock(&mov->lock);
	ret = vmf_insert_pfn(vmf->vma, vmf->address,
			     __slot_pfn(mov, &mov->slots[vmf->pgoff]));
	mutex_unlock(&mov->lock);
	return ret;
}

/* ---- moving one page ------------------------------------------------------ */

/*
 * Move page @idx of @mov to region frame @dst, or (@dst == CONTIG_SLOT_OUT)
 * to system page @page.  mov->lock held, not pinned.  Zap the user PTEs
 * first, so no store can land in the old page after the copy.
 */
static void __contig_move_page(struct contig_movable *mov, unsigned long idx,
			       unsigned long dst, struct page *page)
{
	struct contig_region *r = mov->region;
	struct contig_mslot *s = &mov->slots[idx];
	void *from, *to;

	lockdep_assert_held(&mov->lock);
	if (mov->mapping)
		unmap_mapping_range(mov->mapping, (loff_t)idx << PAGE_SHIFT,
				    PAGE_SIZE, 1);
	from = s->frame == CONTIG_SLOT_OUT ? kmap_local_page(s->page) :
	       contig_frame_to_virt(r, s->frame);
	to = dst == CONTIG_SLOT_OUT ? kmap_local_page(page) :
	     contig_frame_to_virt(r, dst);
	copy_page(to, from);
	if (dst == CONTIG_SLOT_OUT)
		kunmap_local(to);
	if (s->frame == CONTIG_SLOT_OUT)
		kunmap_local(from);
	trace_contig_migrate_page(mov->id, idx, __slot_pfn(mov, s),
				  dst == CONTIG_SLOT_OUT ? page_to_pfn(page) :
				  r->base_pfn + dst);
	if (s->frame == CONTIG_SLOT_OUT)
		mov->nr_out--;
	if (dst == CONTIG_SLOT_OUT)
		mov->nr_out++;
	s->frame = dst;
	s->page = dst == CONTIG_SLOT_OUT ? page : NULL;
	contig_mstats.bytes_copied += PAGE_SIZE;
}

/* Wait briefly for @mov to be unpinned; with mov->lock held on success. */
static bool __contig_lock_unpinned(struct contig_movable *mov)
{
	unsigned int tries;

	for (tries = 0; ; tries++) {
		mutex_lock(&mov->lock);
		if (!mov->pins)
			return true;
		mutex_unlock(&mov->lock);
		if (tries == CONTIG_PIN_WAITS)
			return false;
		usleep_range(50, 150);
	}
}

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
	owners = kvmalloc(n, GFP_KERNEL);
	movable = kvmalloc_array(n + 1, sizeof(*movable), GFP_KERNEL);
	next_block = kvmalloc_array(n + 1, sizeof(*next_block), GFP_KERNEL);
	next_hard = kvmalloc_array(n + 1, sizeof(*next_hard), GFP_KERNEL);
	*cands = kvmalloc_array(n / align + 1, sizeof(**cands), GFP_KERNEL);
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
	owners = kvmalloc(nr, GFP_KERNEL);
	ph.head = kvmalloc_array(nr, sizeof(*ph.head), GFP_KERNEL);
	ret = -ENOMEM;
	if (!owners || !ph.head)
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
		mov = contig_rmap[i].mov;
		idx = contig_rmap[i].idx;
		if (!mov)
			goto changed;
		dst = contig_buddy_alloc(b, 1, 1, CONTIG_OWNER_MOVABLE,
					 CONTIG_POLICY_DEFAULT, 0);
		if (dst < 0) {
			dst = CONTIG_SLOT_OUT;
			page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
			if (!page) {
				contig_mstats.fail_sysmem++;
				ret = -ENOMEM;
				goto undo;
			}
		}
		if (!__contig_lock_unpinned(mov)) {
			if (page)
				__free_page(page);
			else
				contig_buddy_free(b, dst);
			goto changed;
		}
		__contig_move_page(mov, idx, dst, page);
		mutex_unlock(&mov->lock);
		contig_rmap[i].mov = NULL;
		if (dst != CONTIG_SLOT_OUT) {
			contig_rmap[dst].mov = mov;
			contig_rmap[dst].idx = idx;
			contig_mstats.migrated++;
		} else {
			contig_mstats.pushed_out++;
			contig_mstats.out_pages++;
		}
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
 * contig_migrate_report_log() - one dmesg line (and one per window) for a
 * contiguous request that failed.
 * @rep:	the report.
 * @nr:		frames asked.
 * @align:	alignment in frames.
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
	};
	unsigned int i;

	pr_info_ratelimited("contiguous %lu KiB (align %lu KiB) refused (%d): %u of %u windows blocked, largest free block %llu KiB, %llu KiB to move in the cheapest window\n",
			    nr << (PAGE_SHIFT - 10), align << (PAGE_SHIFT - 10),
			    rep->result, rep->nr_blocked, rep->nr_windows,
			    rep->largest_free >> 10, rep->move_bytes >> 10);
	for (i = 0; i < rep->nr_reported; i++) {
		const struct contig_window_report *w = &rep->windows[i];
		unsigned int h = w->holder;

		pr_info_ratelimited("  window at pfn %#llx: pfn %#llx is %s\n",
				    w->start_pfn, w->blocker_pfn,
				    h < ARRAY_SIZE(holders) && holders[h] ?
				    holders[h] : "held");
	}
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
	struct contig_region *r = contig_mig_region;
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
			struct page *old;

			if (mov->slots[i].frame != CONTIG_SLOT_OUT)
				continue;
			dst = contig_buddy_alloc(&r->buddy, 1, 1,
						 CONTIG_OWNER_MOVABLE,
						 CONTIG_POLICY_DEFAULT, 0);
			if (dst < 0)
				goto done;
			mutex_lock(&mov->lock);
			if (mov->pins) {
				mutex_unlock(&mov->lock);
				contig_buddy_free(&r->buddy, dst);
				break;
			}
			old = mov->slots[i].page;
			__contig_move_page(mov, i, dst, NULL);
			mutex_unlock(&mov->lock);
			__free_page(old);
			contig_rmap[dst].mov = mov;
			contig_rmap[dst].idx = i;
			contig_mstats.brought_back++;
			contig_mstats.out_pages--;
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
	if (nr >= CONTIG_BRING_BACK_MIN && READ_ONCE(contig_mstats.out_pages))
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
	mutex_lock(&contig_movable_mutex);
	st->movable_pages = contig_mstats.movable_pages;
	st->out_pages = contig_mstats.out_pages;
	st->migrated = contig_mstats.migrated;
	st->pushed_out = contig_mstats.pushed_out;
	st->brought_back = contig_mstats.brought_back;
	st->bytes_copied = contig_mstats.bytes_copied;
	st->make_room = contig_mstats.make_room;
	st->make_room_ok = contig_mstats.make_room_ok;
	st->fail_busy = contig_mstats.fail_busy;
	st->fail_nomem = contig_mstats.fail_nomem;
	mutex_unlock(&contig_movable_mutex);
}

CONTIG_EXPORT_FOR_TESTS(contig_migrate_get_stats);

static int migrate_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	mutex_lock(&contig_movable_mutex);
	seq_printf(m, "movable pages:        %llu\n", contig_mstats.movable_pages);
	seq_printf(m, "  in system memory:   %llu\n", contig_mstats.out_pages);
	seq_printf(m, "migrated in region:   %llu\n", contig_mstats.migrated);
	seq_printf(m, "pushed out:           %llu\n", contig_mstats.pushed_out);
	seq_printf(m, "brought back:         %llu\n", contig_mstats.brought_back);
	seq_printf(m, "bytes copied:         %llu\n", contig_mstats.bytes_copied);
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
DEFINE_SHOW_ATTRIBUTE(migrate);

static ssize_t bring_back_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	unsigned long n = contig_migrate_bring_back();

	pr_info("migrate: brought %lu pages back into the region\n", n);
	return count;
}

static const struct file_operations bring_back_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = bring_back_write,
};

/*
 * "query": write "SIZE ALIGN" (bytes, suffixes K M G), read the dry-run
 * report of a CONTIGUOUS request of that size.
 */
static ssize_t query_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct contig_alloc_report *rep;
	char buf[64], *p, *q;
	unsigned long long size, align = PAGE_SIZE;
	char *out;
	unsigned int i;
	size_t len = 0;
	long ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	p = strim(buf);
	size = memparse(p, &q);
	if (*q && *q != ' ')
		return -EINVAL;
	if (*q)
		align = memparse(q + 1, &q);
	if (!size || !is_power_of_2(align))
		return -EINVAL;
	align = max_t(unsigned long long, align, PAGE_SIZE);
	if (!contig_mig_region || size > contig_mig_region->size)
		return -ENOMEM;
	rep = kzalloc(sizeof(*rep), GFP_KERNEL);
	out = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!rep || !out) {
		kfree(rep);
		kfree(out);
		return -ENOMEM;
	}
	ret = contig_alloc_query(size, align, rep);
	len += scnprintf(out + len, PAGE_SIZE - len,
			 "result %ld\nwindows %u\nblocked %u\nlargest_free %llu\nmove_bytes %llu\n",
			 ret, rep->nr_windows, rep->nr_blocked,
			 rep->largest_free, rep->move_bytes);
	for (i = 0; i < rep->nr_reported; i++)
		len += scnprintf(out + len, PAGE_SIZE - len,
				 "window %#llx blocker %#llx holder %u\n",
				 rep->windows[i].start_pfn,
				 rep->windows[i].blocker_pfn,
				 rep->windows[i].holder);
	kfree(rep);
	kfree(file->private_data);
	file->private_data = out;
	return count;
}

static ssize_t query_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	const char *out = file->private_data;

	if (!out)
		return 0;
	return simple_read_from_buffer(ubuf, count, ppos, out, strlen(out));
}

static int query_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations query_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = query_write,
	.read = query_read,
	.release = query_release,
};

/**
 * contig_migrate_debugfs_init() - "migrate", "bring_back" and "query".
 * @r:   the region.
 * @dir: the contig debugfs directory.
 *
 * Context: process context, at load.
 */
void contig_migrate_debugfs_init(struct contig_region *r, struct dentry *dir)
{
	if (IS_ERR_OR_NULL(dir))
		return;
	debugfs_create_file("migrate", 0444, dir, NULL, &migrate_fops);
	debugfs_create_file("bring_back", 0200, dir, NULL, &bring_back_fops);
	debugfs_create_file("query", 0600, dir, NULL, &query_fops);
}

/**
 * contig_migrate_init() - set up the reverse map of @r.
 * @r: the claimed region.
 *
 * Context: process context, module load.
 * Return: 0 or -ENOMEM.
 */
int contig_migrate_init(struct contig_region *r)
{
	contig_rmap = kvcalloc(r->nr_pages, sizeof(*contig_rmap), GFP_KERNEL);
	if (!contig_rmap)
		return -ENOMEM;
	memset(&contig_mstats, 0, sizeof(contig_mstats));
	contig_mig_region = r;
	return 0;
}

/**
 * contig_migrate_exit() - module unload.
 *
 * Context: process context, module unload.
 */
void contig_migrate_exit(void)
{
	cancel_work_sync(&contig_bring_back_work);
	if (!list_empty(&contig_movables))
		pr_err("unloading with movable memory still allocated\n");
	contig_mig_region = NULL;
	kvfree(contig_rmap);
	contig_rmap = NULL;
}
