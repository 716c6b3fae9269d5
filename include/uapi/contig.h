/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * contig.h - user-space ABI of /dev/contig.
 *
 * Only fixed-size __u32/__u64 fields with explicit padding; pointers are
 * __u64.  Unknown flags and non-zero reserved fields are rejected with
 * -EINVAL, unknown commands with -ENOTTY.
 *
 * /dev/contig hands out buffers as dma-buf fds, in the style of
 * /dev/dma_heap/<name>: mmap() them, bracket CPU access with
 * DMA_BUF_IOCTL_SYNC (<linux/dma-buf.h>), pass them to other processes
 * over UNIX sockets and to drivers that import dma-bufs.  Closing the last
 * fd and unmapping the last mapping returns the memory.
 *
 * Every argument struct is extensible (as openat2's struct open_how): the
 * size encoded in the command number is the caller's sizeof().  A caller
 * built against an older header passes a shorter struct, whose missing
 * tail reads as zero; a newer, longer one is accepted when every byte the
 * kernel does not know is zero, and refused with -E2BIG otherwise.  A size
 * below the first version's (CONTIG_*_SIZE_VER0) is -EINVAL.  Output
 * fields are written back only up to the caller's size.
 *
 * Errors common to every command: -ENOTTY for an unknown command (or a
 * known number with the wrong direction bits), -EFAULT for a bad argument
 * pointer, -EINVAL for an unknown flag, a non-zero reserved field, or an
 * out field that is not zero on input.
 */
#ifndef _UAPI_CONTIG_H
#define _UAPI_CONTIG_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Buffer kinds. */
#define CONTIG_KIND_CONTIGUOUS	0	/* one physically contiguous block */
#define CONTIG_KIND_SG		1	/* largest blocks available, largest first */
#define CONTIG_KIND_MOVABLE	2	/* lent region memory, migrated on demand */
#define CONTIG_KIND_MAX		CONTIG_KIND_MOVABLE
#define CONTIG_NR_KINDS		(CONTIG_KIND_MAX + 1)

/* Buffer flags. */
#define CONTIG_FLAG_ZERO	(1U << 0)	/* zero the memory (always on from user space) */
#define CONTIG_FLAG_WC		(1U << 1)	/* user mappings write-combined, not cached */
#define CONTIG_FLAG_ATOMIC	(1U << 2)	/* in-kernel only: caller cannot sleep */
#define CONTIG_FLAG_DRY_RUN	(1U << 4)	/* ALLOC only: judge, do not allocate */
#define CONTIG_FLAGS_USER	(CONTIG_FLAG_ZERO | CONTIG_FLAG_WC)

/*
 * What holds a frame that keeps a window from being emptied for a
 * CONTIGUOUS request (struct contig_window_report's @holder).
 */
#define CONTIG_HOLDER_UNMOVABLE	1	/* a contiguous or kernel allocation */
#define CONTIG_HOLDER_PINNED	3	/* movable memory pinned for now */
#define CONTIG_HOLDER_SLAB	4	/* carved into small objects */
#define CONTIG_HOLDER_LENT	5	/* lent to the kernel, not taken back */
/*
 * Lent memory that contig tried (or for a dry run, judged) to take back
 * and could not: what the kernel has at the blocking frame.
 */
#define CONTIG_HOLDER_KERNEL_PINNED	6	/* a page held by a pin or a reference */
#define CONTIG_HOLDER_KERNEL_UNMOVABLE	7	/* a page that stayed off the LRU lists */
#define CONTIG_HOLDER_KERNEL_MIGRATION	8	/* isolation or migration failed, no cause seen */
#define CONTIG_HOLDER_KERNEL_NOMEM	9	/* the kernel has no room elsewhere for its pages */

/**
 * struct contig_window_report - one candidate window that could not be
 * emptied for a CONTIGUOUS request.
 * @start_pfn:	its first page frame; 0 for a caller without CAP_SYS_RAWIO.
 * @blocker_pfn: the first frame in it that cannot be moved; 0 for a caller
 *		without CAP_SYS_RAWIO.
 * @holder:	what holds that frame: CONTIG_HOLDER_*, for every caller.
 * @pad:	zero.
 *
 * Frame numbers are physical addresses: like INFO's chunks they are for
 * CAP_SYS_RAWIO only.  Nothing else in the report stands in for them (no
 * offset in the region, whose base is on the kernel command line): others
 * learn how many windows were blocked, by what, and the sizes.
 */
struct contig_window_report {
	__u64 start_pfn;
	__u64 blocker_pfn;
	__u32 holder;
	__u32 pad;
};

#define CONTIG_REPORT_WINDOWS	8

/**
 * struct contig_alloc_report - why a CONTIGUOUS request did (not) succeed.
 * @result:	0 or the negative errno of the request.
 * @nr_windows:	candidate windows of the size and alignment asked.
 * @nr_blocked:	of which holding a frame that cannot be moved.
 * @nr_reported: entries of @windows filled: blocked windows.  First the
 *		windows of lent memory tried (or judged) in the order tried,
 *		with a CONTIG_HOLDER_KERNEL_* holder; then windows of the
 *		region's own memory, each with a blocker other than the
 *		previous entry's, in address order.
 * @largest_free: bytes of the largest free block of the region.
 * @move_bytes:	bytes of movable memory (contig's MOVABLE buffers, or the
 *		kernel's pages in lent memory) moved to serve the request,
 *		or for a dry run or a failure, that the cheapest window
 *		would have needed moving (0 when no window could be emptied).
 * @windows:	the blocked windows.
 */
struct contig_alloc_report {
	__s32 result;
	__u32 nr_windows;
	__u32 nr_blocked;
	__u32 nr_reported;
	__u64 largest_free;
	__u64 move_bytes;
	struct contig_window_report windows[CONTIG_REPORT_WINDOWS];
};

#define CONTIG_IOC_MAGIC	0xC7

/**
 * struct contig_alloc_data - CONTIG_IOCTL_ALLOC: allocate a buffer.
 * @size:	in: bytes, rounded up to whole pages; 0 is -EINVAL, more than
 *		the region is -ENOMEM.
 * @align:	in: physical alignment in bytes: 0 (a page) or a power of two
 *		no larger than the region.  CONTIGUOUS: of the buffer's start;
 *		SG: of every chunk's start; MOVABLE: 0 or the page size only
 *		(its pages move one at a time), else -EINVAL.  Callers
 *		without CAP_SYS_ADMIN allocate CONTIGUOUS and SG buffers in
 *		their user's arena (roundup_pow_of_two(max_bytes_per_user)
 *		bytes): an alignment above it is -EINVAL.
 * @kind:	in: CONTIG_KIND_*.
 * @flags:	in: CONTIG_FLAGS_USER or CONTIG_FLAG_DRY_RUN.  The memory is
 *		zeroed whether or not CONTIG_FLAG_ZERO is given.
 *		CONTIG_FLAG_WC with MOVABLE is -EOPNOTSUPP.
 *		CONTIG_FLAG_DRY_RUN (CONTIGUOUS only) allocates nothing: the
 *		ioctl returns 0 when the request would succeed now, or the
 *		error it would fail with, and fills the out fields below
 *		(@fd stays 0).
 * @fd_flags:	in: O_RDWR or O_RDONLY, optionally with O_CLOEXEC; anything
 *		else is -EINVAL.
 * @fd:		out: the dma-buf fd; must be 0 on input.
 * @nr_blocked:	out (VER1): CONTIGUOUS requests that no free block could
 *		serve, served or not: candidate windows of the size and
 *		alignment holding a frame that cannot be moved.
 * @region:	in (VER1): the region to allocate from, by id: its place in
 *		contig.ko's region= list, 0 (the default region) for the
 *		first.  STATS tells how many there are and their names.  An
 *		id with no region is -EINVAL.  Only region 0 holds MOVABLE
 *		buffers (-EINVAL elsewhere), and only callers with
 *		CAP_SYS_ADMIN may allocate from another region (-EPERM: the
 *		users' arenas and limits are region 0's).  This field was
 *		"pad", which had to be 0: old callers get region 0.
 * @move_bytes:	out (VER1): bytes of movable memory moved to serve the
 *		request; for a dry run or a failure, that the cheapest window
 *		would have needed moving.
 * @largest_free: out (VER1): bytes of the region's largest free block.
 * @report:	in (VER1): 0, or a user pointer to a struct
 *		contig_alloc_report, written (whole) for CONTIGUOUS requests
 *		whether they succeed or not: the blocked windows, what held
 *		each and, for a caller with CAP_SYS_RAWIO only, the pfn that
 *		blocked it (0 for others).
 *
 * The out fields of VER1 are written back when a CONTIGUOUS request fails
 * with -ENOMEM or -EBUSY too.
 *
 * Errors besides the common ones: -ENOMEM when the region cannot serve
 * the request now (for CONTIGUOUS: no window of free and movable memory
 * large enough; the report and the kernel log say what stood in the
 * way), -EBUSY (CONTIGUOUS) when only pinned movable memory is in the way,
 * -EDQUOT when the caller's user (its real uid) would exceed its byte or
 * buffer limit (module parameters max_bytes_per_user,
 * max_buffers_per_user; callers with CAP_SYS_ADMIN are exempt; the
 * charge stays with that user until the buffer's memory is freed,
 * wherever its fd went), -EMFILE when the caller has no free fd.  For a
 * caller without CAP_SYS_ADMIN, -ENOMEM for CONTIGUOUS and SG also means
 * that its arena has no room (nothing is migrated for it).
 *
 * MOVABLE buffers are region memory lent out: the kernel may move their
 * pages (elsewhere in the region or to system memory) to serve a
 * CONTIGUOUS request; user mappings follow transparently.  They have no
 * stable physical address and cannot be written-combined.  Handing one to
 * a device (importing the dma-buf) pins it where it is for good; a
 * MOVABLE buffer allocated by a caller without CAP_SYS_ADMIN is first
 * moved out of the region to system memory, and pinned there.
 */
struct contig_alloc_data {
	__u64 size;
	__u64 align;
	__u32 kind;
	__u32 flags;
	__u32 fd_flags;
	__u32 fd;
	__u32 nr_blocked;
	__u32 region;
	__u64 move_bytes;
	__u64 largest_free;
	__u64 report;
};

#define CONTIG_ALLOC_SIZE_VER0	32
#define CONTIG_ALLOC_SIZE_VER1	64

/**
 * struct contig_chunk - one physically contiguous piece of a buffer.
 * @phys:	physical address.
 * @size:	bytes, a multiple of the page size.
 */
struct contig_chunk {
	__u64 phys;
	__u64 size;
};

/**
 * struct contig_info_data - CONTIG_IOCTL_INFO: describe a buffer.
 * @fd:		in: a dma-buf fd from CONTIG_IOCTL_ALLOC (-EBADF if not an
 *		fd, -EINVAL if a dma-buf we did not export).
 * @flags:	in: must be 0.
 * @chunks:	in: user pointer to @chunks_cap struct contig_chunk, or 0.
 *		Physical addresses are for callers with CAP_SYS_RAWIO only:
 *		others get -EPERM (and nothing else) when @chunks is set.
 * @chunks_cap:	in: entries at @chunks; 0 if and only if @chunks is 0.
 * @nr_chunks:	out: the buffer's number of chunks; min(@chunks_cap,
 *		@nr_chunks) entries were written, in buffer order.
 * @size:	out: bytes.
 * @kind:	out: CONTIG_KIND_*.
 * @buf_flags:	out: the CONTIG_FLAG_* the buffer has.
 * @id:		out: the buffer's id, as in /sys/kernel/debug/contig/buffers.
 * @region:	out (VER1): the id of the region the buffer is in.
 * @pad:	must be 0.
 */
struct contig_info_data {
	__u32 fd;
	__u32 flags;
	__u64 chunks;
	__u32 chunks_cap;
	__u32 nr_chunks;
	__u64 size;
	__u32 kind;
	__u32 buf_flags;
	__u64 id;
	__u32 region;
	__u32 pad;
};

#define CONTIG_INFO_SIZE_VER0	48
#define CONTIG_INFO_SIZE_VER1	56

/**
 * struct contig_kind_usage - what live buffers of one kind hold.
 * @bytes:	bytes.
 * @buffers:	buffers.
 */
struct contig_kind_usage {
	__u64 bytes;
	__u64 buffers;
};

/**
 * struct contig_stats_data - CONTIG_IOCTL_STATS: the region and its use.
 * @flags:		in: must be 0.
 * @nr_kinds:		out: entries of @kinds filled (CONTIG_NR_KINDS).
 * @region_size:	out: bytes managed.
 * @free:		out: bytes free in the allocator.
 * @largest_free:	out: bytes of the largest free block (the largest
 *			CONTIGUOUS buffer that can be had now).
 * @quarantined:	out: bytes of released buffers that someone still
 *			references (e.g. a pipe holding vmspliced pages);
 *			they return to @free when the last reference goes.
 * @allocs:		out: buffers allocated since load.
 * @frees:		out: buffers released since load.
 * @failed_nomem:	out: allocations refused for lack of memory.
 * @failed_quota:	out: allocations refused with -EDQUOT.
 * @kinds:		out: live buffers per kind, indexed by CONTIG_KIND_*.
 * @user_bytes:		out (VER1): bytes charged to the caller's user (its
 *			real uid): buffers it allocated through /dev/contig
 *			whose memory is not back in the region yet, wherever
 *			their fds are now.
 * @user_buffers:	out (VER1): the number of those buffers.
 * @lent_bytes:		out (VER2): bytes of the region lent to the kernel
 *			(contig.ko lend=1) and not taken back: the kernel's
 *			page cache and processes may use them; a request takes
 *			them back (not counted in @free).
 * @taken_bytes:	out (VER2): bytes taken back from the kernel, held
 *			by contig's buffers or free in it (then in @free);
 *			free ones go back to the kernel after a while, but
 *			for the reserve= contig.ko keeps, zeroed.
 * @region:		in (VER3): the region to report, by id (as ALLOC's
 *			@region); an id with no region is -EINVAL.  Every
 *			field above but the user's (@failed_quota,
 *			@user_bytes, @user_buffers, which are the whole
 *			module's) is that region's; only region 0 lends.
 * @nr_regions:		out (VER3): the number of regions, ids 0 to
 *			@nr_regions - 1.
 * @name:		out (VER3): the region's name, NUL-terminated
 *			(SIZE@BASE:NAME in region=, else "region<id>").
 *
 * Requests refused for a bad argument change no counter.
 */
struct contig_stats_data {
	__u32 flags;
	__u32 nr_kinds;
	__u64 region_size;
	__u64 free;
	__u64 largest_free;
	__u64 quarantined;
	__u64 allocs;
	__u64 frees;
	__u64 failed_nomem;
	__u64 failed_quota;
	struct contig_kind_usage kinds[CONTIG_NR_KINDS];
	__u64 user_bytes;
	__u64 user_buffers;
	__u64 lent_bytes;
	__u64 taken_bytes;
	__u32 region;
	__u32 nr_regions;
	char name[16];
};

#define CONTIG_STATS_SIZE_VER0	120
#define CONTIG_STATS_SIZE_VER1	136
#define CONTIG_STATS_SIZE_VER2	152
#define CONTIG_STATS_SIZE_VER3	176

/*
 * CONTIG_IOCTL_SYNC flags: exactly one of FOR_CPU and FOR_DEVICE, and
 * READ, WRITE or both (the data flow, as DMA_BUF_SYNC_READ/WRITE).
 */
#define CONTIG_SYNC_FOR_CPU	(1U << 0)	/* hand the range to the CPU */
#define CONTIG_SYNC_FOR_DEVICE	(1U << 1)	/* hand the range to devices */
#define CONTIG_SYNC_READ	(1U << 2)	/* the CPU reads what devices wrote */
#define CONTIG_SYNC_WRITE	(1U << 3)	/* devices read what the CPU wrote */
#define CONTIG_SYNC_VALID_FLAGS	(CONTIG_SYNC_FOR_CPU | CONTIG_SYNC_FOR_DEVICE | \
				 CONTIG_SYNC_READ | CONTIG_SYNC_WRITE)

/**
 * struct contig_sync_data - CONTIG_IOCTL_SYNC: cache maintenance of a range.
 * @fd:		in: a dma-buf fd from CONTIG_IOCTL_ALLOC.
 * @flags:	in: CONTIG_SYNC_*.
 * @offset:	in: first byte of the range.
 * @length:	in: bytes; 0 is -EINVAL.
 *
 * The ranged form of DMA_BUF_IOCTL_SYNC: does for [@offset, @offset +
 * @length) what begin (FOR_CPU) or end (FOR_DEVICE) of CPU access does for
 * the whole buffer.  -EOVERFLOW when @offset + @length does not fit in 64
 * bits, -EINVAL when the range reaches past the end of the buffer.
 */
struct contig_sync_data {
	__u32 fd;
	__u32 flags;
	__u64 offset;
	__u64 length;
};

#define CONTIG_SYNC_SIZE_VER0	24

#define CONTIG_IOCTL_ALLOC	_IOWR(CONTIG_IOC_MAGIC, 0x0, struct contig_alloc_data)
#define CONTIG_IOCTL_INFO	_IOWR(CONTIG_IOC_MAGIC, 0x1, struct contig_info_data)
#define CONTIG_IOCTL_STATS	_IOWR(CONTIG_IOC_MAGIC, 0x2, struct contig_stats_data)
#define CONTIG_IOCTL_SYNC	_IOW(CONTIG_IOC_MAGIC, 0x3, struct contig_sync_data)

#endif /* _UAPI_CONTIG_H */
