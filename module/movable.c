// SPDX-License-Identifier: GPL-2.0
/*
 * movable.c - movable memory: region memory with no fixed address.
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
 *    under the handle's lock; contig_movable_move() zaps the PTEs of a
 *    page (unmap_mapping_range) under that same lock before copying it,
 *    so the next access faults, waits, and maps the new page.
 *
 * This file owns the handles, their list, the reverse map from region
 * frame to slot, and moving one page (contig_movable_move()).  Which pages
 * to move, and when, is migrate.c's business: it empties windows for
 * contiguous requests and brings pushed-out pages back.  A page is never
 * half moved: it is either still in its old place or wholly in its new
 * one, with its slot, reverse map entry and PTEs agreeing.
 *
 * Locking: contig_movable_mutex, then mov->lock, at their places in the
 * lock order of contig_internal.h.  contig_movable_mutex serialises the
 * allocation and freeing of movable memory with migration and bring-back,
 * and protects the reverse map and the list of handles; mov->lock
 * protects a handle's slots, pins, vmap and user mapping.  A fault takes
 * mov->lock only, and nothing here takes mmap_lock or a buffer lock, so a
 * migration never waits for a faulting task's mmap_lock; no user copy
 * happens under either lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <contig.h>

#include "contig_trace.h"
#include "movable.h"

/* A pinned handle is waited for this many times ~100us before giving up. */
#define CONTIG_PIN_WAITS	10

/* The slot holding a region frame; under contig_movable_mutex. */
struct contig_mref {
	struct contig_movable *mov;
	unsigned long idx;
};

/* In the lock order of contig_internal.h: the handles and the rmap. */
DEFINE_MUTEX(contig_movable_mutex);
LIST_HEAD(contig_movables);	/* every handle, under contig_movable_mutex */
static struct contig_mref *contig_rmap;
static atomic64_t contig_movable_next_id = ATOMIC64_INIT(0);

/* Counters; under contig_movable_mutex. */
static struct contig_movable_stats contig_movstats;

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
				contig_movstats.out_pages--;
				contig_movstats.movable_pages--;
			}
		} else {
			contig_rmap[s->frame].mov = NULL;
			contig_buddy_free(b, s->frame);
			contig_movstats.movable_pages--;
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
	struct contig_region *r = contig_default_region();
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
		unsigned long zeroed = 0;

		f = contig_buddy_alloc_zeroed(&r->buddy, 1, 1,
					      CONTIG_OWNER_MOVABLE,
					      CONTIG_POLICY_DEFAULT, 0, &zeroed);
		if (f < 0) {
			__contig_movable_release(mov);
			mutex_unlock(&contig_movable_mutex);
			mutex_destroy(&mov->lock);
			kvfree(mov);
			return ERR_PTR(-ENOMEM);
		}
		/* Not if cleared in the background (prezero.c). */
		if ((flags & CONTIG_FLAG_ZERO) && !zeroed)
			clear_page(contig_frame_to_virt(r, f));
		/* Frames come top-down: fill from the end, so they ascend. */
		mov->slots[nr - 1 - i].frame = f;
		contig_rmap[f].mov = mov;
		contig_rmap[f].idx = nr - 1 - i;
		contig_movstats.movable_pages++;
		if (!(i & 255))
			cond_resched();
	}
	mov->id = atomic64_inc_return(&contig_movable_next_id);
	list_add_tail(&mov->node, &contig_movables);
	mutex_unlock(&contig_movable_mutex);
	trace_contig_movable_alloc(mov->id, nr);
	return mov;
}
EXPORT_SYMBOL_NS_GPL(contig_movable_alloc, CONTIG);

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
EXPORT_SYMBOL_NS_GPL(contig_movable_free, CONTIG);

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
EXPORT_SYMBOL_NS_GPL(contig_movable_map, CONTIG);

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
EXPORT_SYMBOL_NS_GPL(contig_movable_unmap, CONTIG);

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
EXPORT_SYMBOL_NS_GPL(contig_movable_size, CONTIG);

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
 * Context: page fault handler (mmap_lock or the vma lock held).
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

/**
 * contig_movable_at() - the movable page in a region frame.
 * @frame: a region frame.
 * @idx:   its page index in the handle, when there is one.
 *
 * Context: contig_movable_mutex held.
 * Return: the handle whose page lies in @frame, or NULL.
 */
struct contig_movable *contig_movable_at(unsigned long frame,
					 unsigned long *idx)
{
	lockdep_assert_held(&contig_movable_mutex);
	*idx = contig_rmap[frame].idx;
	return contig_rmap[frame].mov;
}

/**
 * contig_movable_move() - move one page of movable memory.
 * @mov:  the handle.
 * @idx:  the page.
 * @dst:  the region frame to move it to, already allocated to the caller
 *        (owner MOVABLE), or CONTIG_SLOT_OUT for @page.
 * @page: with @dst CONTIG_SLOT_OUT, the system page to move it to.
 *
 * Waits briefly for the handle to be unpinned.  The user PTEs of the page
 * are zapped first, so no store can land in the old page after the copy;
 * then the slot, the reverse map and the counters follow.  An old system
 * page is freed; an old region frame stays allocated, owned MOVABLE, for
 * the caller to free or claim.
 *
 * Context: contig_movable_mutex held; may sleep.
 * Return: 0, or -EBUSY when the handle stayed pinned (nothing changed).
 */
int contig_movable_move(struct contig_movable *mov, unsigned long idx,
			unsigned long dst, struct page *page)
{
	struct contig_region *r = mov->region;
	struct contig_mslot *s = &mov->slots[idx];
	unsigned long old = s->frame;
	struct page *old_page = s->page;
	void *from, *to;

	lockdep_assert_held(&contig_movable_mutex);
	if (!__contig_lock_unpinned(mov))
		return -EBUSY;
	if (mov->mapping)
		unmap_mapping_range(mov->mapping, (loff_t)idx << PAGE_SHIFT,
				    PAGE_SIZE, 1);
	from = old == CONTIG_SLOT_OUT ? kmap_local_page(old_page) :
	       contig_frame_to_virt(r, old);
	to = dst == CONTIG_SLOT_OUT ? kmap_local_page(page) :
	     contig_frame_to_virt(r, dst);
	copy_page(to, from);
	if (dst == CONTIG_SLOT_OUT)
		kunmap_local(to);
	if (old == CONTIG_SLOT_OUT)
		kunmap_local(from);
	trace_contig_migrate_page(mov->id, idx, __slot_pfn(mov, s),
				  dst == CONTIG_SLOT_OUT ? page_to_pfn(page) :
				  r->base_pfn + dst);
	if (old == CONTIG_SLOT_OUT)
		mov->nr_out--;
	if (dst == CONTIG_SLOT_OUT)
		mov->nr_out++;
	s->frame = dst;
	s->page = dst == CONTIG_SLOT_OUT ? page : NULL;
	mutex_unlock(&mov->lock);

	if (old == CONTIG_SLOT_OUT) {
		__free_page(old_page);
		contig_movstats.out_pages--;
	} else {
		contig_rmap[old].mov = NULL;
	}
	if (dst == CONTIG_SLOT_OUT) {
		contig_movstats.out_pages++;
	} else {
		contig_rmap[dst].mov = mov;
		contig_rmap[dst].idx = idx;
	}
	contig_movstats.bytes_copied += PAGE_SIZE;
	return 0;
}

/**
 * contig_movable_get_stats() - the movable memory counters.
 * @st: filled in.
 *
 * Context: contig_movable_mutex held.
 */
void contig_movable_get_stats(struct contig_movable_stats *st)
{
	lockdep_assert_held(&contig_movable_mutex);
	*st = contig_movstats;
}

/**
 * contig_movable_out_pages() - how many movable pages are in system memory.
 *
 * A racy read, for deciding whether a bring-back is worth scheduling.
 *
 * Context: any.
 * Return: the count.
 */
u64 contig_movable_out_pages(void)
{
	return READ_ONCE(contig_movstats.out_pages);
}

/**
 * contig_movable_init() - set up the reverse map of @r.
 * @r: the claimed region.
 *
 * Context: process context, module load.
 * Return: 0 or -ENOMEM.
 */
int contig_movable_init(struct contig_region *r)
{
	contig_rmap = kvcalloc(r->nr_pages, sizeof(*contig_rmap), GFP_KERNEL);
	if (!contig_rmap)
		return -ENOMEM;
	memset(&contig_movstats, 0, sizeof(contig_movstats));
	return 0;
}

/**
 * contig_movable_exit() - module unload.
 *
 * Context: process context, module unload.
 */
void contig_movable_exit(void)
{
	if (!list_empty(&contig_movables))
		pr_err("unloading with movable memory still allocated\n");
	kvfree(contig_rmap);
	contig_rmap = NULL;
}
