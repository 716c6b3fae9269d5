/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcontig.h - physically contiguous buffers for programs, from contig.ko
 * through /dev/contig.
 *
 *	#include <libcontig.h>	(cc ... $(pkg-config --cflags --libs libcontig))
 *
 *	struct contig *c;
 *	struct contig_buf *b;
 *	int err = contig_open(&c);
 *
 *	if (!err)
 *		err = contig_buf_alloc(c, 64 << 20, 0, CONTIG_KIND_CONTIGUOUS, 0, &b);
 *	if (err) {
 *		fprintf(stderr, "contig: %s\n", contig_strerror(err));
 *		...
 *	}
 *	contig_cpu_begin(b, CONTIG_ACCESS_WRITE);
 *	memset(contig_buf_addr(b), 0xa5, contig_buf_size(b));
 *	contig_cpu_end(b, CONTIG_ACCESS_WRITE);
 *	... hand contig_buf_fd(b) to a driver that imports dma-bufs, or to
 *	    another process over a UNIX socket (contig_buf_import() there) ...
 *	contig_buf_free(b);
 *	contig_close(c);
 *
 * Every function that can fail returns 0 or a negative errno, and
 * contig_strerror() says what that errno means here (quota, fragmentation,
 * permissions...), in contig's terms.  Nothing here keeps global state;
 * a struct contig and its buffers may be used from several threads as
 * long as one buffer is not freed while another thread uses it.
 *
 * The ioctl argument structs are extensible (<uapi/contig.h>): their size
 * travels in the command number, and the kernel reads a shorter struct's
 * missing tail as zero.  contig_stats() and contig_info() are macros that
 * pass the caller's sizeof(), so a program built against an older header
 * keeps its struct layout with a newer library and kernel; the library in
 * turn retries without the fields a kernel older than itself refuses.
 * Man page: libcontig(3).
 */
#ifndef _LIBCONTIG_H
#define _LIBCONTIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uapi/contig.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBCONTIG_VERSION	"0.1.0"

/* An open /dev/contig. */
struct contig;
/* A buffer: its dma-buf fd, size, kind and (unless NOMAP) its mapping. */
struct contig_buf;

/* Library flags for contig_buf_alloc() and contig_buf_import(). */
#define CONTIG_BUF_NOMAP	(1U << 31)	/* do not mmap() the buffer */
#define CONTIG_BUF_RDONLY	(1U << 30)	/* O_RDONLY fd, PROT_READ map */

/* CPU access, for contig_cpu_begin()/end(): one or both. */
#define CONTIG_ACCESS_READ	(1U << 0)	/* the CPU reads what devices wrote */
#define CONTIG_ACCESS_WRITE	(1U << 1)	/* devices read what the CPU writes */

/*
 * Open /dev/contig (or $CONTIG_DEV, ignored in set-user-ID and
 * set-group-ID programs).  0 or -errno; *cp is set on 0.
 */
int contig_open(struct contig **cp);
void contig_close(struct contig *c);
/* The /dev/contig fd, for ioctls the library does not wrap. */
int contig_fd(const struct contig *c);

/*
 * Allocate a buffer of @size bytes (rounded up to pages) of @kind
 * (CONTIG_KIND_*) at physical alignment @align (0: a page), with @flags
 * (CONTIG_FLAG_WC, CONTIG_BUF_NOMAP, CONTIG_BUF_RDONLY).  The memory is
 * zeroed.  On 0, *bp is a buffer mapped read-write (unless NOMAP).
 */
int contig_buf_alloc(struct contig *c, uint64_t size, uint64_t align,
		     unsigned int kind, unsigned int flags,
		     struct contig_buf **bp);
/*
 * The same, and for a CONTIGUOUS request @report (may be NULL) says what
 * it found, succeeded or not: the windows it could not empty and what
 * held each, the largest free block, the bytes moved.
 */
int contig_buf_alloc_report(struct contig *c, uint64_t size, uint64_t align,
			    unsigned int kind, unsigned int flags,
			    struct contig_alloc_report *report,
			    struct contig_buf **bp);
/*
 * contig_buf_alloc_report() from region @region of contig.ko's region=
 * list, by id (0, the default, is what the two above use; see
 * contig_region_lookup()).  A region other than 0 needs CAP_SYS_ADMIN
 * (-EPERM) and holds no MOVABLE buffers (-EINVAL); an id with no region
 * is -EINVAL.
 */
int contig_buf_alloc_region(struct contig *c, unsigned int region,
			    uint64_t size, uint64_t align, unsigned int kind,
			    unsigned int flags,
			    struct contig_alloc_report *report,
			    struct contig_buf **bp);
/*
 * The dry run of a CONTIGUOUS request: 0 when it would succeed now,
 * -ENOMEM or -EBUSY (only pinned memory in the way) when not; allocates
 * and moves nothing.  @report as above, may be NULL.
 */
int contig_dry_run(struct contig *c, uint64_t size, uint64_t align,
		   struct contig_alloc_report *report);
/* contig_dry_run() in region @region, as contig_buf_alloc_region(). */
int contig_dry_run_region(struct contig *c, unsigned int region,
			  uint64_t size, uint64_t align,
			  struct contig_alloc_report *report);
/*
 * Adopt @fd, a dma-buf of /dev/contig (one received from another
 * process, say), as a buffer: learn its size and kind, map it (unless
 * CONTIG_BUF_NOMAP; an O_RDONLY fd needs CONTIG_BUF_RDONLY).  On 0 the
 * buffer owns @fd; on failure the caller still does.  -EINVAL for a
 * dma-buf contig did not export.
 */
int contig_buf_import(struct contig *c, int fd, unsigned int flags,
		      struct contig_buf **bp);
/* Unmap and close; the memory returns when no process holds it. */
void contig_buf_free(struct contig_buf *b);

int contig_buf_fd(const struct contig_buf *b);
void *contig_buf_addr(const struct contig_buf *b);	/* NULL if NOMAP */
uint64_t contig_buf_size(const struct contig_buf *b);
unsigned int contig_buf_kind(const struct contig_buf *b);
uint64_t contig_buf_id(const struct contig_buf *b);
unsigned int contig_buf_region(const struct contig_buf *b);	/* its id */

/*
 * Bracket CPU access to the whole buffer (DMA_BUF_IOCTL_SYNC), or to a
 * range of it (CONTIG_IOCTL_SYNC): begin before the CPU touches memory a
 * device may have written, end before a device uses what the CPU wrote.
 * -EINVAL for a range past the end.
 */
int contig_cpu_begin(const struct contig_buf *b, unsigned int access);
int contig_cpu_end(const struct contig_buf *b, unsigned int access);
int contig_cpu_begin_range(const struct contig_buf *b, uint64_t offset,
			   uint64_t length, unsigned int access);
int contig_cpu_end_range(const struct contig_buf *b, uint64_t offset,
			 uint64_t length, unsigned int access);

/*
 * INFO of dma-buf @fd: size, kind, flags, id and the number of chunks;
 * with @chunks (CAP_SYS_RAWIO only, else -EPERM), up to @cap chunks'
 * physical addresses.  Use the macro.
 */
int contig_info_sized(struct contig *c, int fd, struct contig_info_data *info,
		      size_t size, struct contig_chunk *chunks, uint32_t cap);
#define contig_info(c, fd, info, chunks, cap) \
	contig_info_sized((c), (fd), (info), sizeof(*(info)), (chunks), (cap))

/* STATS of the region and of the caller's user.  Use the macro. */
int contig_stats_sized(struct contig *c, struct contig_stats_data *st,
		       size_t size);
#define contig_stats(c, st) contig_stats_sized((c), (st), sizeof(*(st)))
/*
 * STATS of region @region (an id): its size, free memory and buffers,
 * with its name and the number of regions (st->name, st->nr_regions).
 * -EINVAL for an id with no region.
 */
int contig_stats_region(struct contig *c, unsigned int region,
			struct contig_stats_data *st);
/* The id of the region named @name (region=...:NAME), or -ENODEV. */
int contig_region_lookup(struct contig *c, const char *name,
			 unsigned int *id);
/* STATS as one line of JSON (what `contigctl stats --json` prints). */
int contig_stats_json(const struct contig_stats_data *st, FILE *out);

/*
 * What a failure means here, for a negative (or positive) errno: "over
 * your user's limit ...", not strerror()'s "Disk quota exceeded".
 */
const char *contig_strerror(int err);
/* "contiguous", "sg", "movable"; NULL for another value. */
const char *contig_kind_name(unsigned int kind);
/* What a report's holder means ("pinned", "slab", ...); "?" if unknown. */
const char *contig_holder_name(unsigned int holder);

#ifdef __cplusplus
}
#endif

#endif /* _LIBCONTIG_H */
