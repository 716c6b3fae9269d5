// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libcontig.c - the user-space library over /dev/contig (libcontig.h).
 *
 * Thin: each call is one or two ioctls.  What it adds over hand-rolled
 * ioctls is the bookkeeping a program gets wrong: the extensible-struct
 * sizes, the dma-buf's mapping and its sync bracketing, adopting an fd
 * that came from elsewhere, and errors explained in contig's terms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "libcontig.h"

#define CONTIG_DEV	"/dev/contig"

struct contig {
	int fd;
};

struct contig_buf {
	const struct contig *c;
	int fd;
	void *addr;
	uint64_t size;
	uint64_t id;
	unsigned int kind;
	unsigned int region;
};

/*
 * The command number of @cmd for an argument of @size bytes: the kernel
 * takes the struct's size from there (<uapi/contig.h>).
 */
static unsigned long sized_cmd(unsigned long cmd, size_t size)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
}

static int sized_ioctl(int fd, unsigned long cmd, void *arg, size_t size)
{
	return ioctl(fd, sized_cmd(cmd, size), arg) ? -errno : 0;
}

int contig_open(struct contig **cp)
{
	/* Not for set-user-ID programs: secure_getenv() is NULL there. */
	const char *path = secure_getenv("CONTIG_DEV");
	struct contig *c;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = open(path && *path ? path : CONTIG_DEV, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		int err = -errno;

		free(c);
		return err;
	}
	*cp = c;
	return 0;
}

void contig_close(struct contig *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c);
}

int contig_fd(const struct contig *c)
{
	return c->fd;
}

/*
 * ALLOC with what this library knows (VER1: the report and its out
 * fields).  A kernel older than VER1 refuses the non-zero report pointer
 * it does not know with -E2BIG: ask again at VER0, without a report; but
 * not for a region other than 0, which VER0 cannot name.
 */
static int do_alloc(const struct contig *c, struct contig_alloc_data *a,
		    struct contig_alloc_report *report)
{
	int ret;

	a->report = (uintptr_t)report;
	ret = sized_ioctl(c->fd, CONTIG_IOCTL_ALLOC, a, sizeof(*a));
	if (ret == -E2BIG && report && !a->region) {
		a->report = 0;
		ret = sized_ioctl(c->fd, CONTIG_IOCTL_ALLOC, a,
				  CONTIG_ALLOC_SIZE_VER0);
		memset(report, 0, sizeof(*report));
		report->result = ret;
	}
	return ret;
}

static int map_buf(struct contig_buf *b, unsigned int flags)
{
	int prot = PROT_READ | (flags & CONTIG_BUF_RDONLY ? 0 : PROT_WRITE);
	void *p;

	if (flags & CONTIG_BUF_NOMAP)
		return 0;
	if ((uint64_t)(size_t)b->size != b->size)
		return -EOVERFLOW;
	p = mmap(NULL, b->size, prot, MAP_SHARED, b->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	b->addr = p;
	return 0;
}

/* Fill @b's size, kind and id from INFO of its fd. */
static int info_buf(struct contig_buf *b)
{
	struct contig_info_data in = { .fd = b->fd };
	int ret;

	ret = sized_ioctl(b->c->fd, CONTIG_IOCTL_INFO, &in, sizeof(in));
	if (ret)
		return ret;
	b->size = in.size;
	b->kind = in.kind;
	b->id = in.id;
	b->region = in.region;
	return 0;
}

/* contig_buf_alloc_report() from region @region. */
static int alloc_in(struct contig *c, unsigned int region, uint64_t size,
		    uint64_t align, unsigned int kind, unsigned int flags,
		    struct contig_alloc_report *report, struct contig_buf **bp)
{
	const unsigned int lib = CONTIG_BUF_NOMAP | CONTIG_BUF_RDONLY;
	struct contig_alloc_data a = {
		.size = size, .align = align, .kind = kind,
		.flags = flags & ~lib,
		.fd_flags = (flags & CONTIG_BUF_RDONLY ? O_RDONLY : O_RDWR) |
			    O_CLOEXEC,
		.region = region,
	};
	struct contig_buf *b;
	int ret;

	if (a.flags & CONTIG_FLAG_DRY_RUN)
		return -EINVAL;		/* contig_dry_run() */
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	ret = do_alloc(c, &a, kind == CONTIG_KIND_CONTIGUOUS ? report : NULL);
	if (ret)
		goto out_free;
	b->c = c;
	b->fd = a.fd;
	ret = info_buf(b);
	if (!ret)
		ret = map_buf(b, flags);
	if (ret) {
		close(b->fd);
		goto out_free;
	}
	*bp = b;
	return 0;
out_free:
	free(b);
	return ret;
}

int contig_buf_alloc_report(struct contig *c, uint64_t size, uint64_t align,
			    unsigned int kind, unsigned int flags,
			    struct contig_alloc_report *report,
			    struct contig_buf **bp)
{
	return alloc_in(c, 0, size, align, kind, flags, report, bp);
}

int contig_buf_alloc(struct contig *c, uint64_t size, uint64_t align,
		     unsigned int kind, unsigned int flags,
		     struct contig_buf **bp)
{
	return alloc_in(c, 0, size, align, kind, flags, NULL, bp);
}

int contig_buf_alloc_region(struct contig *c, unsigned int region,
			    uint64_t size, uint64_t align, unsigned int kind,
			    unsigned int flags,
			    struct contig_alloc_report *report,
			    struct contig_buf **bp)
{
	return alloc_in(c, region, size, align, kind, flags, report, bp);
}

int contig_dry_run_region(struct contig *c, unsigned int region,
			  uint64_t size, uint64_t align,
			  struct contig_alloc_report *report)
{
	struct contig_alloc_data a = {
		.size = size, .align = align, .kind = CONTIG_KIND_CONTIGUOUS,
		.flags = CONTIG_FLAG_DRY_RUN, .fd_flags = O_RDWR | O_CLOEXEC,
		.region = region,
	};

	return do_alloc(c, &a, report);
}

int contig_dry_run(struct contig *c, uint64_t size, uint64_t align,
		   struct contig_alloc_report *report)
{
	return contig_dry_run_region(c, 0, size, align, report);
}

int contig_buf_import(struct contig *c, int fd, unsigned int flags,
		      struct contig_buf **bp)
{
	struct contig_buf *b;
	int ret;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->c = c;
	b->fd = fd;
	ret = info_buf(b);
	if (!ret)
		ret = map_buf(b, flags);
	if (ret) {
		free(b);	/* the fd stays the caller's */
		return ret;
	}
	*bp = b;
	return 0;
}

void contig_buf_free(struct contig_buf *b)
{
	if (!b)
		return;
	if (b->addr)
		munmap(b->addr, b->size);
	close(b->fd);
	free(b);
}

int contig_buf_fd(const struct contig_buf *b)
{
	return b->fd;
}

void *contig_buf_addr(const struct contig_buf *b)
{
	return b->addr;
}

uint64_t contig_buf_size(const struct contig_buf *b)
{
	return b->size;
}

unsigned int contig_buf_kind(const struct contig_buf *b)
{
	return b->kind;
}

uint64_t contig_buf_id(const struct contig_buf *b)
{
	return b->id;
}

unsigned int contig_buf_region(const struct contig_buf *b)
{
	return b->region;
}

/*
 * @access (CONTIG_ACCESS_*) in the flags of one sync ioctl, @rd and @wr;
 * -EINVAL for neither read nor write, or an unknown bit.
 */
static long access_flags(unsigned int access, unsigned long rd,
			 unsigned long wr)
{
	if (!access || access & ~(CONTIG_ACCESS_READ | CONTIG_ACCESS_WRITE))
		return -EINVAL;
	return (access & CONTIG_ACCESS_READ ? rd : 0) |
	       (access & CONTIG_ACCESS_WRITE ? wr : 0);
}

static int dmabuf_sync(const struct contig_buf *b, uint64_t when,
		       unsigned int access)
{
	long f = access_flags(access, DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE);
	struct dma_buf_sync s;

	if (f < 0)
		return f;
	s.flags = when | f;
	/* The kernel restarts it after a signal; so do we. */
	while (ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &s))
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	return 0;
}

int contig_cpu_begin(const struct contig_buf *b, unsigned int access)
{
	return dmabuf_sync(b, DMA_BUF_SYNC_START, access);
}

int contig_cpu_end(const struct contig_buf *b, unsigned int access)
{
	return dmabuf_sync(b, DMA_BUF_SYNC_END, access);
}

static int range_sync(const struct contig_buf *b, unsigned int when,
		      uint64_t offset, uint64_t length, unsigned int access)
{
	long f = access_flags(access, CONTIG_SYNC_READ, CONTIG_SYNC_WRITE);
	struct contig_sync_data s = {
		.fd = b->fd, .offset = offset, .length = length,
	};

	if (f < 0)
		return f;
	s.flags = when | f;
	return sized_ioctl(b->c->fd, CONTIG_IOCTL_SYNC, &s, sizeof(s));
}

int contig_cpu_begin_range(const struct contig_buf *b, uint64_t offset,
			   uint64_t length, unsigned int access)
{
	return range_sync(b, CONTIG_SYNC_FOR_CPU, offset, length, access);
}

int contig_cpu_end_range(const struct contig_buf *b, uint64_t offset,
			 uint64_t length, unsigned int access)
{
	return range_sync(b, CONTIG_SYNC_FOR_DEVICE, offset, length, access);
}

/*
 * The caller's struct goes to the kernel at the caller's size, so that a
 * program built against an older header gets exactly the fields it knows.
 */
int contig_info_sized(struct contig *c, int fd, struct contig_info_data *info,
		      size_t size, struct contig_chunk *chunks, uint32_t cap)
{
	if (size < CONTIG_INFO_SIZE_VER0 || !!chunks != !!cap)
		return -EINVAL;
	memset(info, 0, size);
	info->fd = fd;
	info->chunks = (uintptr_t)chunks;
	info->chunks_cap = cap;
	return sized_ioctl(c->fd, CONTIG_IOCTL_INFO, info, size);
}

int contig_stats_sized(struct contig *c, struct contig_stats_data *st,
		       size_t size)
{
	if (size < CONTIG_STATS_SIZE_VER0)
		return -EINVAL;
	memset(st, 0, size);
	return sized_ioctl(c->fd, CONTIG_IOCTL_STATS, st, size);
}

int contig_stats_region(struct contig *c, unsigned int region,
			struct contig_stats_data *st)
{
	memset(st, 0, sizeof(*st));
	st->region = region;
	return sized_ioctl(c->fd, CONTIG_IOCTL_STATS, st, sizeof(*st));
}

int contig_region_lookup(struct contig *c, const char *name,
			 unsigned int *id)
{
	struct contig_stats_data st;
	unsigned int i, n = 1;
	int ret;

	for (i = 0; i < n; i++) {
		ret = contig_stats_region(c, i, &st);
		if (ret)
			return ret;
		n = st.nr_regions;
		if (!strncmp(st.name, name, sizeof(st.name))) {
			*id = i;
			return 0;
		}
	}
	return -ENODEV;
}

int contig_stats_json(const struct contig_stats_data *st, FILE *out)
{
	unsigned int k;

	fprintf(out, "{\"region_size\": %llu, \"free\": %llu, \"largest_free\": %llu, "
		"\"quarantined\": %llu, \"allocs\": %llu, \"frees\": %llu, "
		"\"failed_nomem\": %llu, \"failed_quota\": %llu, "
		"\"user_bytes\": %llu, \"user_buffers\": %llu, "
		"\"lent\": %llu, \"taken\": %llu, \"region\": %u, "
		"\"name\": \"%.16s\", \"nr_regions\": %u, \"kinds\": {",
		(unsigned long long)st->region_size, (unsigned long long)st->free,
		(unsigned long long)st->largest_free,
		(unsigned long long)st->quarantined, (unsigned long long)st->allocs,
		(unsigned long long)st->frees, (unsigned long long)st->failed_nomem,
		(unsigned long long)st->failed_quota,
		(unsigned long long)st->user_bytes,
		(unsigned long long)st->user_buffers,
		(unsigned long long)st->lent_bytes,
		(unsigned long long)st->taken_bytes, st->region, st->name,
		st->nr_regions);
	for (k = 0; k < st->nr_kinds && k < CONTIG_NR_KINDS; k++)
		fprintf(out, "%s\"%s\": {\"bytes\": %llu, \"buffers\": %llu}",
			k ? ", " : "", contig_kind_name(k),
			(unsigned long long)st->kinds[k].bytes,
			(unsigned long long)st->kinds[k].buffers);
	fprintf(out, "}}\n");
	return ferror(out) ? -EIO : 0;
}

const char *contig_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return "success";
	case ENOENT:
		return "no " CONTIG_DEV ": is contig.ko loaded?";
	case EACCES:
	case EPERM:
		return "permission denied: " CONTIG_DEV " is root-only unless a udev rule gives it to a group; physical addresses need CAP_SYS_RAWIO";
	case ENOMEM:
		return "the region cannot serve this now: too little free memory, or no free or movable window large enough (STATS has free memory and the largest free block; the report and dmesg say what stood in the way)";
	case ENODEV:
		return "no region of that name or id (contigctl regions lists them)";
	case EBUSY:
		return "only pinned memory stands in the way of this contiguous request; it may succeed once the pin is dropped";
	case EDQUOT:
		return "over your user's limit (module parameters max_bytes_per_user, max_buffers_per_user; STATS user_bytes shows what you hold)";
	case EINVAL:
		return "invalid argument: a size, alignment, kind, flag or range contig refuses, or a dma-buf contig did not export (dmesg says which)";
	case E2BIG:
		return "the request uses fields this contig.ko does not know (an older module?)";
	case EOPNOTSUPP:
		return "not supported in this configuration (write-combined MOVABLE memory, say; dmesg says why)";
	case EBADF:
		return "not an open file descriptor";
	case ENOTTY:
		return "not /dev/contig, or the loaded contig.ko does not know this command (older module?)";
	case EMFILE:
		return "out of file descriptors";
	case EOVERFLOW:
		return "offset and length overflow, or the buffer is larger than this process can map";
	case EFAULT:
		return "a bad pointer was passed";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

const char *contig_kind_name(unsigned int kind)
{
	static const char *const names[CONTIG_NR_KINDS] = {
		[CONTIG_KIND_CONTIGUOUS] = "contiguous",
		[CONTIG_KIND_SG] = "sg",
		[CONTIG_KIND_MOVABLE] = "movable",
	};

	return kind < CONTIG_NR_KINDS ? names[kind] : NULL;
}

const char *contig_holder_name(unsigned int holder)
{
	switch (holder) {
	case CONTIG_HOLDER_UNMOVABLE:
		return "unmovable";
	case CONTIG_HOLDER_PINNED:
		return "pinned";
	case CONTIG_HOLDER_SLAB:
		return "slab";
	case CONTIG_HOLDER_LENT:
		return "lent";
	case CONTIG_HOLDER_KERNEL_PINNED:
		return "lent, a kernel page pinned or held";
	case CONTIG_HOLDER_KERNEL_UNMOVABLE:
		return "lent, a kernel page off the LRU lists";
	case CONTIG_HOLDER_KERNEL_MIGRATION:
		return "lent, isolation or migration failed";
	case CONTIG_HOLDER_KERNEL_NOMEM:
		return "lent, no room elsewhere for the kernel's pages";
	default:
		return "?";
	}
}
