/* SPDX-License-Identifier: GPL-2.0 */
/*
 * buffer.h - the buffer object, shared by buffer.c (allocation, lifetime,
 * kernel access) and dmabuf.c (its dma-buf face).  Design in buffer.c.
 */
#ifndef _CONTIG_BUFFER_H
#define _CONTIG_BUFFER_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>

#include <contig.h>

#include "contig_internal.h"

struct contig_alloc_report;
struct contig_chunk;
struct contig_kind_usage;
struct contig_stats_data;
struct contig_movable;
struct dma_buf;
struct seq_file;

/**
 * struct contig_buf_chunk - one chunk of a buffer: a run of region frames.
 * @frame:	first region frame.
 * @nr:		frames.
 * @pgoff:	page offset of the chunk within the buffer.
 * @zeroed:	frames from @frame on known to be zero when allocated (from
 *		lend.c's zeroed reserve, or cleared in the background by
 *		prezero.c): a ZERO buffer does not clear them again.
 *
 * The kernel-side twin of the ABI's struct contig_chunk, which gives the
 * same run as a physical address and a size.
 */
struct contig_buf_chunk {
	unsigned long frame;
	unsigned long nr;
	unsigned long pgoff;
	unsigned long zeroed;
};

/**
 * struct contig_buffer_release - what to do once a buffer's memory is back.
 * @fn:		called with @data and the buffer's size, in process context,
 *		after the memory returned to the region (quarantine included).
 * @data:	its argument.
 *
 * How the layer that handed a buffer out learns that the memory it answers
 * for is free again, without buffer.c knowing who that is.
 */
struct contig_buffer_release {
	void (*fn)(void *data, size_t size);
	void *data;
};

/**
 * struct contig_buffer - a buffer; see buffer.c's essay.
 * @ref:	references; the last contig_put() releases.
 * @region:	the region the chunks come from.
 * @size:	bytes, page aligned.
 * @kind:	CONTIG_KIND_*.
 * @flags:	CONTIG_FLAG_* (ATOMIC dropped after allocation).
 * @id:		unique, for debugfs and CONTIG_IOCTL_INFO.
 * @nr_chunks:	entries in @chunks.
 * @chunks:	the memory, in buffer order.  Written at allocation, then
 *		read without locks.
 * @sgt:	CPU view of @chunks.  Written at allocation (MOVABLE: when
 *		frozen, under @lock), then read without locks.
 * @on_release:	set by the owner before the buffer is shared (dmabuf.c's
 *		export), then read-only.
 * @buddy:	the allocator @chunks came from: the region's, or an arena's
 *		(arena.c); written at allocation.
 * @buddy_base:	region frame of @buddy's frame 0 (0 for the region's).
 * @pin_out:	MOVABLE: pinned in system memory, never in the region (an
 *		unprivileged user's, see user.c); set by the owner before
 *		the buffer is shared.
 * @pid:	tgid of the allocating task, for debugfs.
 * @comm:	its name.
 * @dmabuf:	the dma-buf exported for it (not a reference), or NULL;
 *		under @lock.
 * @lock:	protects @vaddr, @vmapped, @vmap_users, @attachments, @dmabuf
 *		and @frozen (lock 4 of the order in contig_internal.h).
 * @vaddr:	kernel address of the whole buffer, or NULL until asked for.
 * @vmapped:	@vaddr is our vmap() (else a part of region->vaddr, or the
 *		movable allocation's mapping).
 * @vmap_users:	dma-buf vmap()s not yet vunmap()ed (informational).
 * @attachments: struct contig_attachment list (dmabuf.c).
 * @mov:	MOVABLE: the memory (movable.c); written at allocation.
 * @frozen:	MOVABLE: pinned for good, @sgt and @vaddr valid.
 * @node:	in the live or quarantine list, under contig_buffers_lock.
 */
struct contig_buffer {
	struct kref ref;
	struct contig_region *region;
	size_t size;
	unsigned int kind;
	unsigned int flags;
	u64 id;
	unsigned long nr_chunks;
	struct contig_buf_chunk *chunks;
	struct sg_table sgt;
	struct contig_buffer_release on_release;
	struct contig_buddy *buddy;
	unsigned long buddy_base;
	bool pin_out;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct dma_buf *dmabuf;
	struct mutex lock;	/* see @lock above */
	void *vaddr;
	bool vmapped;
	unsigned int vmap_users;
	struct list_head attachments;
	struct contig_movable *mov;
	bool frozen;
	struct list_head node;
};

/**
 * struct contig_buffer_counters - what buffer.c counts, for STATS; under
 * contig_buffers_lock.
 * @kinds:	live bytes and buffers per kind.
 * @quarantined: bytes released but still referenced from outside.
 * @allocs:	buffers allocated since load.
 * @frees:	buffers released since load.
 * @failed_nomem: allocations refused for want of memory.
 */
struct contig_buffer_counters {
	struct contig_kind_usage kinds[CONTIG_NR_KINDS];
	u64 quarantined;
	u64 allocs;
	u64 frees;
	u64 failed_nomem;
};

struct contig_arena;

struct contig_buffer *contig_alloc_in(struct contig_arena *arena, size_t size,
				      size_t align, unsigned int kind,
				      unsigned int flags,
				      struct contig_alloc_report *report);
struct contig_buffer *contig_alloc_at(struct contig_region *r,
				      struct contig_arena *arena, size_t size,
				      size_t align, unsigned int kind,
				      unsigned int flags,
				      struct contig_alloc_report *report);
int contig_alloc_query_at(struct contig_region *r, size_t size, size_t align,
			  struct contig_alloc_report *report);
const char *contig_kind_name(unsigned int kind);
int contig_alloc_check(struct contig_region *r, size_t size, size_t align,
		       unsigned int kind, unsigned int flags);
bool contig_buffer_is_pfn_mapped(const struct contig_buffer *buf);
struct page *contig_buffer_page(const struct contig_buffer *buf,
				unsigned long pgoff);
int contig_buffer_freeze(struct contig_buffer *buf);
int contig_buffer_sgt_use(struct contig_buffer *buf,
			  int (*use)(struct sg_table *cpu, void *arg), void *arg);
unsigned int contig_buffer_flags(const struct contig_buffer *buf);
u64 contig_buffer_id(const struct contig_buffer *buf);
unsigned int contig_buffer_region_id(const struct contig_buffer *buf);
unsigned long contig_buffer_get_chunks(struct contig_buffer *buf,
				       struct contig_chunk *out,
				       unsigned long n);
void contig_buffer_get_stats(struct contig_stats_data *st);
void contig_buffer_get_region_stats(struct contig_region *r,
				    struct contig_stats_data *st);
int contig_buffers_show(struct seq_file *m, void *unused);
void contig_buffers_init(struct contig_region *r);
void contig_buffers_exit(void);

#endif /* _CONTIG_BUFFER_H */
