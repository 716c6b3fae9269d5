/* SPDX-License-Identifier: GPL-2.0 */
/*
 * movable.h - movable memory (movable.c), for the buffers that are made
 * of it and the migration engine (migrate.c) that moves it.
 */
#ifndef _CONTIG_MOVABLE_H
#define _CONTIG_MOVABLE_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>

#include "contig_internal.h"

struct contig_chunk;

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
 * struct contig_movable - a movable allocation; see movable.c.
 * @region:	the region.
 * @nr:		pages.
 * @id:		unique, for debugfs and traces.
 * @lock:	protects @pins, @vaddr, @mapping; @slots and @nr_out are
 *		written under both @lock and contig_movable_mutex, so either
 *		suffices to read them.
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

/**
 * struct contig_movable_stats - movable memory counters.
 * @movable_pages:	live movable pages.
 * @out_pages:		of which in system memory.
 * @bytes_copied:	bytes copied moving pages, since load.
 */
struct contig_movable_stats {
	u64 movable_pages;
	u64 out_pages;
	u64 bytes_copied;
};

/* In the lock order of contig_internal.h; protects the list. */
extern struct mutex contig_movable_mutex;
extern struct list_head contig_movables;

int contig_movable_init(struct contig_region *r);
void contig_movable_exit(void);
struct contig_movable *contig_movable_at(unsigned long frame,
					 unsigned long *idx);
int contig_movable_move(struct contig_movable *mov, unsigned long idx,
			unsigned long dst, struct page *page);
void contig_movable_get_stats(struct contig_movable_stats *st);
u64 contig_movable_out_pages(void);
unsigned long contig_movable_page_pfn(struct contig_movable *mov,
				      unsigned long idx);
void contig_movable_set_mapping(struct contig_movable *mov,
				struct address_space *mapping);
vm_fault_t contig_movable_fault(struct contig_movable *mov,
				struct vm_fault *vmf);
void contig_movable_get_pages(struct contig_movable *mov, struct page **pages);
unsigned long contig_movable_get_chunks(struct contig_movable *mov,
					struct contig_chunk *out,
					unsigned long n);

#endif /* _CONTIG_MOVABLE_H */
