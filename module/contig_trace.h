/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contig_trace.h - tracepoints of contig.ko (events/contig/ in tracefs):
 * buffer allocation (with its result) and free, movable allocation and
 * free, each page migrated, each window emptied.  Defined in trace.c.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM contig

#if !defined(_CONTIG_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CONTIG_TRACE_H

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(contig_movable,
		    TP_PROTO(u64 id, unsigned long nr_pages),
		    TP_ARGS(id, nr_pages),
		    TP_STRUCT__entry(__field(u64, id)
				     __field(unsigned long, nr_pages)),
		    TP_fast_assign(__entry->id = id;
				   __entry->nr_pages = nr_pages;),
		    TP_printk("movable=%llu pages=%lu", __entry->id,
			      __entry->nr_pages)
);

DEFINE_EVENT(contig_movable, contig_movable_alloc,
	     TP_PROTO(u64 id, unsigned long nr_pages),
	     TP_ARGS(id, nr_pages)
);

DEFINE_EVENT(contig_movable, contig_movable_free,
	     TP_PROTO(u64 id, unsigned long nr_pages),
	     TP_ARGS(id, nr_pages)
);

TRACE_EVENT(contig_buffer_alloc,
	    TP_PROTO(u64 id, unsigned int kind, size_t size,
		     unsigned long pfn, int ret),
	    TP_ARGS(id, kind, size, pfn, ret),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(unsigned int, kind)
			     __field(size_t, size)
			     __field(unsigned long, pfn)
			     __field(int, ret)),
	    TP_fast_assign(__entry->id = id;
			   __entry->kind = kind;
			   __entry->size = size;
			   __entry->pfn = pfn;
			   __entry->ret = ret;),
	    TP_printk("buffer=%llu kind=%u size=%zu pfn=%#lx ret=%d",
		      __entry->id, __entry->kind, __entry->size, __entry->pfn,
		      __entry->ret)
);

TRACE_EVENT(contig_buffer_free,
	    TP_PROTO(u64 id, unsigned int kind, size_t size),
	    TP_ARGS(id, kind, size),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(unsigned int, kind)
			     __field(size_t, size)),
	    TP_fast_assign(__entry->id = id;
			   __entry->kind = kind;
			   __entry->size = size;),
	    TP_printk("buffer=%llu kind=%u size=%zu", __entry->id,
		      __entry->kind, __entry->size)
);

TRACE_EVENT(contig_migrate_page,
	    TP_PROTO(u64 id, unsigned long idx, unsigned long from_pfn,
		     unsigned long to_pfn),
	    TP_ARGS(id, idx, from_pfn, to_pfn),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(unsigned long, idx)
			     __field(unsigned long, from_pfn)
			     __field(unsigned long, to_pfn)),
	    TP_fast_assign(__entry->id = id;
			   __entry->idx = idx;
			   __entry->from_pfn = from_pfn;
			   __entry->to_pfn = to_pfn;),
	    TP_printk("movable=%llu page=%lu pfn=%#lx->%#lx", __entry->id,
		      __entry->idx, __entry->from_pfn, __entry->to_pfn)
);

TRACE_EVENT(contig_migrate_window,
	    TP_PROTO(unsigned long start_pfn, unsigned long nr_pages,
		     unsigned long moved, long ret),
	    TP_ARGS(start_pfn, nr_pages, moved, ret),
	    TP_STRUCT__entry(__field(unsigned long, start_pfn)
			     __field(unsigned long, nr_pages)
			     __field(unsigned long, moved)
			     __field(long, ret)),
	    TP_fast_assign(__entry->start_pfn = start_pfn;
			   __entry->nr_pages = nr_pages;
			   __entry->moved = moved;
			   __entry->ret = ret;),
	    TP_printk("pfn=%#lx pages=%lu moved=%lu ret=%ld",
		      __entry->start_pfn, __entry->nr_pages, __entry->moved,
		      __entry->ret)
);

#endif /* _CONTIG_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE contig_trace
#include <trace/define_trace.h>
