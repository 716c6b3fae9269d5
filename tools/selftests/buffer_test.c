// SPDX-License-Identifier: GPL-2.0
/*
 * buffer_test - /dev/contig and its dma-bufs, from user space.
 *
 * Usage: buffer_test        (root, contig.ko loaded; prints KTAP)
 *
 * Every kind is allocated, mapped, written, read back through a second
 * mapping, a partial mapping at an offset and the kernel's own mapping (the
 * debugfs test hook buffer_test, which goes through the dma-buf vmap op),
 * synced, closed, and STATS must return to where it was.  Then: fds passed
 * over a UNIX socket outliving their allocator, fork, munmap after close,
 * a table of bad ioctl arguments each with its errno (STATS
 * unchanged after all of them), argument structs of the first version's
 * size and longer ones with a zero tail, which must work, ranged sync
 * edges, physical addresses refused to a non-root caller, O_DIRECT from
 * /dev/ram0 into a mapped buffer, vmsplice, and rmmod refused while a
 * buffer is held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/dma-buf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uapi/contig.h>

#include "ktap.h"

#define PG		4096UL
#define DEV		"/dev/contig"
#define HOOK		"/sys/kernel/debug/contig_test_hook/buffer_test"

static int ctl;
static int pfn_mode;	/* user mappings are PFN maps (see buffer.c) */

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* Allocate; returns the dma-buf fd or -errno. */
static int alloc_buf(uint64_t size, uint64_t align, uint32_t kind,
		     uint32_t flags)
{
	struct contig_alloc_data a = {
		.size = size, .align = align, .kind = kind, .flags = flags,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int ret = xioctl(ctl, CONTIG_IOCTL_ALLOC, &a);

	return ret ? ret : (int)a.fd;
}

static struct contig_stats_data stats(void)
{
	struct contig_stats_data st = { 0 };

	if (xioctl(ctl, CONTIG_IOCTL_STATS, &st))
		ktap_print("STATS failed: %s", strerror(errno));
	return st;
}

/* What must come back when everything is freed. */
static int stats_same(const struct contig_stats_data *a,
		      const struct contig_stats_data *b)
{
	return a->free == b->free && a->largest_free == b->largest_free &&
	       a->quarantined == b->quarantined &&
	       !memcmp(a->kinds, b->kinds, sizeof(a->kinds));
}

/* Wait up to 3 s for STATS to come back to @base (quarantine, fput). */
static int settles_to(const struct contig_stats_data *base)
{
	struct contig_stats_data st;
	int i;

	for (i = 0; i < 150; i++) {
		st = stats();
		if (stats_same(&st, base))
			return 1;
		usleep(20000);
	}
	ktap_print("STATS free %llu (want %llu), quarantined %llu",
		   (unsigned long long)st.free, (unsigned long long)base->free,
		   (unsigned long long)st.quarantined);
	return 0;
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 12));
}

static int check(const uint8_t *p, size_t len, unsigned int seed, size_t from)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)((i + from) * 7 + seed + ((i + from) >> 12)))
			return 0;
	return 1;
}

/* The debugfs hook: peek (kernel reads) or fill (kernel writes). */
static int hook(const char *cmd, void *out, size_t len)
{
	int fd = open(HOOK, O_RDWR);
	ssize_t n = -1;

	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	n = out ? read(fd, out, len) : 0;
	close(fd);
	return n < 0 ? -errno : (int)n;
}

static int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

static int sync_range(int fd, uint32_t flags, uint64_t off, uint64_t len)
{
	struct contig_sync_data s = {
		.fd = fd, .flags = flags, .offset = off, .length = len,
	};

	return xioctl(ctl, CONTIG_IOCTL_SYNC, &s);
}

/* ---- every kind, end to end ---------------------------------------------- */

#define KIND_CASES 8

struct kind {
	const char *name;
	uint32_t kind, flags;
};

static const struct kind kinds[] = {
	{ "contiguous", CONTIG_KIND_CONTIGUOUS, 0 },
	{ "sg", CONTIG_KIND_SG, 0 },
	{ "movable", CONTIG_KIND_MOVABLE, 0 },
	{ "contiguous-wc", CONTIG_KIND_CONTIGUOUS, CONTIG_FLAG_WC },
	{ "sg-wc", CONTIG_KIND_SG, CONTIG_FLAG_WC | CONTIG_FLAG_ZERO },
};

static void kind_cases(const void *arg)
{
	const struct kind *k = arg;
	const char *name = k->name;
	uint32_t kind = k->kind, flags = k->flags;
	const size_t size = 1 << 20;
	struct contig_stats_data base = stats(), st;
	struct contig_info_data in = { 0 };
	struct contig_chunk ch[64];
	uint8_t *a, *b, *part, *kbuf;
	char cmd[96];
	uint64_t sum = 0;
	int fd, ok, i;

	fd = alloc_buf(size + 1, 0, kind, flags);
	if (flags & CONTIG_FLAG_WC && pfn_mode) {
		/* buffer.c: WC needs struct-page mappings. */
		ktap_check(fd == -EOPNOTSUPP, "%s: WC refused with EOPNOTSUPP in PFN mode (%d)",
			   name, fd);
		ktap_skip_rest("not allocated in PFN mode");
		return;
	}
	if (!ktap_check(fd >= 0, "%s: alloc %zu+1 bytes (%s)", name, size,
			fd < 0 ? strerror(-fd) : "ok")) {
		ktap_fail_rest("not allocated");
		return;
	}

	in.fd = fd;
	in.chunks = (uintptr_t)ch;
	in.chunks_cap = 64;
	ok = !xioctl(ctl, CONTIG_IOCTL_INFO, &in) && in.size == size + PG &&
	     in.kind == kind && in.nr_chunks >= 1 && in.nr_chunks <= 64 &&
	     (kind != CONTIG_KIND_CONTIGUOUS || in.nr_chunks == 1);
	for (i = 0; ok && i < (int)in.nr_chunks; i++)
		sum += ch[i].size;
	ktap_check(ok && sum == in.size, "%s: INFO size %llu kind %u, %u chunks adding up",
		   name, (unsigned long long)in.size, in.kind, in.nr_chunks);

	a = mmap(NULL, size + PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, size + PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ok = a != MAP_FAILED && b != MAP_FAILED;
	if (ok) {
		ok = 1;
		for (i = 0; i < (int)(size + PG); i++)
			if (a[i]) {
				ok = 0;
				break;
			}
		dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		fill(a, size + PG, 1);
		dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		ok = ok && check(b, size + PG, 1, 0);
	}
	ktap_check(ok, "%s: zeroed, written through one mapping, read through another", name);

	/* The kernel's mapping sees the same bytes (last page, across chunks). */
	kbuf = malloc(size + PG);
	snprintf(cmd, sizeof(cmd), "peek %d %zu %zu", fd, size - PG, 2 * PG);
	ok = kbuf && hook(cmd, kbuf, 2 * PG) == (int)(2 * PG) &&
	     check(kbuf, 2 * PG, 1, size - PG);
	ktap_check(ok, "%s: the kernel's vmap reads what user space wrote", name);

	snprintf(cmd, sizeof(cmd), "fill %d %lu %lu 90", fd, 5 * PG + 3, 100UL);
	ok = hook(cmd, NULL, 0) == 0;
	if (ok && a != MAP_FAILED) {
		dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		ok = a[5 * PG + 2] != 90 && a[5 * PG + 3] == 90 &&
		     a[5 * PG + 102] == 90 && a[5 * PG + 103] != 90;
		dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	}
	ktap_check(ok, "%s: user space reads what the kernel's vmap wrote", name);
	free(kbuf);

	part = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 3 * PG);
	ok = part != MAP_FAILED && a != MAP_FAILED &&
	     !memcmp(part, a + 3 * PG, 2 * PG);
	ktap_check(ok, "%s: a 2-page mapping at page offset 3 shows those pages", name);
	if (part != MAP_FAILED)
		munmap(part, 2 * PG);

	ok = !dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) &&
	     !dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) &&
	     dmabuf_sync(fd, 1ULL << 7) == -EINVAL &&
	     !sync_range(fd, CONTIG_SYNC_FOR_CPU | CONTIG_SYNC_READ, 17, 4000) &&
	     !sync_range(fd, CONTIG_SYNC_FOR_DEVICE | CONTIG_SYNC_WRITE, 0, size + PG);
	ktap_check(ok, "%s: DMA_BUF_IOCTL_SYNC and CONTIG_IOCTL_SYNC", name);

	close(fd);
	st = stats();
	ok = !stats_same(&st, &base);	/* the mappings still hold it */
	if (a != MAP_FAILED)
		munmap(a, size + PG);
	if (b != MAP_FAILED)
		munmap(b, size + PG);
	ktap_check(ok && settles_to(&base), "%s: held by its mappings after close, freed after munmap",
		   name);
}

/* ---- mmap refusals ------------------------------------------------------- */

#define MMAP_CASES 4

static void mmap_cases(const void *arg)
{
	struct contig_alloc_data a = {
		.size = 4 * PG, .kind = CONTIG_KIND_SG, .fd_flags = O_RDONLY,
	};
	struct contig_stats_data base = stats();
	void *p, *ro;
	int fd = alloc_buf(4 * PG, 0, CONTIG_KIND_CONTIGUOUS, 0), ok;

	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ktap_check(p == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE is refused with EINVAL");
	p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 3 * PG);
	ktap_check(p == MAP_FAILED && errno == EINVAL, "a mapping past the end is refused with EINVAL");
	close(fd);

	if (xioctl(ctl, CONTIG_IOCTL_ALLOC, &a)) {
		ktap_check(0, "O_RDONLY alloc failed: %s", strerror(errno));
		return;
	}
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	ok = p == MAP_FAILED && errno == EACCES;
	ro = mmap(NULL, PG, PROT_READ, MAP_SHARED, a.fd, 0);
	ktap_check(ok && ro != MAP_FAILED,
		   "an O_RDONLY buffer maps read-only, not writable (EACCES)");
	/* The read-only mapping holds the buffer: let it go too. */
	if (ro != MAP_FAILED)
		munmap(ro, PG);
	close(a.fd);
	ktap_check(settles_to(&base), "mmap refusals leave the region as it was");
}

/* ---- sharing ------------------------------------------------------------- */

#define SHARE_CASES 7

static int send_fd(int sock, int fd)
{
	char c = 'x', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static void share_cases(const void *arg)
{
	struct contig_stats_data base = stats(), st;
	int sv[2], fd, status, ok;
	uint8_t *p;
	pid_t pid;

	/* 1. An allocator that exits after sending its fd. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (!pid) {
		int child_ctl = open(DEV, O_RDWR);
		struct contig_alloc_data a = {
			.size = 8 * PG, .kind = CONTIG_KIND_SG,
			.fd_flags = O_RDWR,
		};
		uint8_t *m;

		if (child_ctl < 0 || ioctl(child_ctl, CONTIG_IOCTL_ALLOC, &a))
			_exit(1);
		m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
		if (m == MAP_FAILED)
			_exit(2);
		fill(m, 8 * PG, 9);
		_exit(send_fd(sv[1], a.fd) ? 3 : 0);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	close(sv[0]);
	waitpid(pid, &status, 0);
	ktap_check(fd >= 0 && WIFEXITED(status) && !WEXITSTATUS(status),
		   "an fd received over a UNIX socket from an allocator that exited (%d)",
		   WEXITSTATUS(status));
	p = fd >= 0 ? mmap(NULL, 8 * PG, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	st = stats();
	ktap_check(p != MAP_FAILED && check(p, 8 * PG, 9, 0) &&
		   st.kinds[CONTIG_KIND_SG].buffers == base.kinds[CONTIG_KIND_SG].buffers + 1,
		   "the buffer outlived its allocator, with its contents");
	if (p != MAP_FAILED)
		munmap(p, 8 * PG);
	if (fd >= 0)
		close(fd);
	ktap_check(settles_to(&base), "closing the received fd frees it");

	/* 2. fork: the child writes through the inherited mapping. */
	fd = alloc_buf(4 * PG, 0, CONTIG_KIND_CONTIGUOUS, 0);
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pid = fork();
	if (!pid) {
		fill(p, 4 * PG, 33);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ktap_check(p != MAP_FAILED && check(p, 4 * PG, 33, 0),
		   "a forked child's writes are seen by the parent");

	/* 3. The child keeps the mapping after the parent let go of all. */
	pid = fork();
	if (!pid) {
		usleep(300000);
		_exit(check(p, 4 * PG, 33, 0) ? 0 : 1);
	}
	close(fd);
	munmap(p, 4 * PG);
	st = stats();
	ok = !stats_same(&st, &base);
	waitpid(pid, &status, 0);
	ktap_check(ok && WIFEXITED(status) && !WEXITSTATUS(status),
		   "a child's inherited mapping keeps the buffer after the parent closed and unmapped");
	ktap_check(settles_to(&base), "freed when the child exits");

	/* 4. munmap after close, in one process. */
	fd = alloc_buf(2 * PG, 0, CONTIG_KIND_MOVABLE, 0);
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p != MAP_FAILED) {
		fill(p, 2 * PG, 4);
		ok = check(p, 2 * PG, 4, 0);
		munmap(p, 2 * PG);
	} else {
		ok = 0;
	}
	ktap_check(ok && settles_to(&base), "a mapping works after close and munmap frees the buffer");
}

/* ---- bad arguments ------------------------------------------------------- */

struct bad {
	const char *what;
	unsigned long cmd;
	int err;
	void *arg;
};

#define ALLOC_TAIL	(sizeof(struct contig_alloc_data) + 16)
#define SYNC_TAIL	(sizeof(struct contig_sync_data) + 16)

/* The bad inputs, each with its errno, and the structs they point to. */
struct bad_table {
	struct contig_alloc_data al[32];
	struct contig_info_data in[16];
	struct contig_stats_data sd[4];
	struct contig_sync_data sy[24];
	uint8_t big[256];
	uint8_t alloc_tail[ALLOC_TAIL];
	uint8_t sync_tail[SYNC_TAIL];
	struct bad t[96];
};

#define GOOD_ALLOC ((struct contig_alloc_data){ .size = PG, .kind = CONTIG_KIND_SG, .fd_flags = O_RDWR })

/*
 * Fill @b for @buf, an SG buffer of 8 pages, a region of @region bytes,
 * @pipe_rd, the read end of a pipe, and @ro, a read-only page holding a
 * good ALLOC struct.  Returns the number of bad inputs: main() calls it
 * with placeholders to count them for the plan.
 */
static int bad_table(struct bad_table *b, int buf, uint64_t region,
		     int pipe_rd, void *ro)
{
	struct bad *t = b->t;
	int n = 0, a = 0, f = 0, s = 0, y = 0;

#define ALLOC(w, e, ...) do { b->al[a] = GOOD_ALLOC; { struct contig_alloc_data *x = &b->al[a]; __VA_ARGS__; } \
	t[n++] = (struct bad){ w, CONTIG_IOCTL_ALLOC, e, &b->al[a++] }; } while (0)
	ALLOC("alloc size 0", EINVAL, x->size = 0);
	ALLOC("alloc size region+1", ENOMEM, x->size = region + 1);
	ALLOC("alloc size 2^63", ENOMEM, x->size = 1ULL << 63);
	ALLOC("alloc size ~0", ENOMEM, x->size = ~0ULL);
	ALLOC("alloc kind 3", EINVAL, x->kind = 3);
	ALLOC("alloc kind 0xffffffff", EINVAL, x->kind = ~0U);
	ALLOC("alloc flags 1<<2 (ATOMIC is kernel-only)", EINVAL, x->flags = CONTIG_FLAG_ATOMIC);
	ALLOC("alloc flags 1<<3", EINVAL, x->flags = 1U << 3);
	ALLOC("alloc flags 1<<31", EINVAL, x->flags = 1U << 31);
	ALLOC("alloc align 3", EINVAL, x->align = 3);
	ALLOC("alloc align 4097", EINVAL, x->align = 4097);
	ALLOC("alloc align 3 MiB", EINVAL, x->align = 3 << 20);
	ALLOC("alloc align 2*region", EINVAL, x->align = region * 2);
	ALLOC("alloc align 2^63", EINVAL, x->align = 1ULL << 63);
	ALLOC("alloc fd_flags O_WRONLY", EINVAL, x->fd_flags = O_WRONLY);
	ALLOC("alloc fd_flags O_ACCMODE", EINVAL, x->fd_flags = O_ACCMODE);
	ALLOC("alloc fd_flags O_NONBLOCK", EINVAL, x->fd_flags = O_RDWR | O_NONBLOCK);
	ALLOC("alloc fd_flags O_APPEND", EINVAL, x->fd_flags = O_RDWR | O_APPEND);
	ALLOC("alloc fd_flags ~0", EINVAL, x->fd_flags = ~0U);
	ALLOC("alloc fd non-zero on input", EINVAL, x->fd = 3);
	ALLOC("alloc WC movable", EOPNOTSUPP, x->kind = CONTIG_KIND_MOVABLE; x->flags = CONTIG_FLAG_WC);
	ALLOC("alloc contiguous region+4K", ENOMEM, x->kind = CONTIG_KIND_CONTIGUOUS; x->size = region + PG);
#define INFO(w, e, ...) do { b->in[f] = (struct contig_info_data){ .fd = buf }; { struct contig_info_data *x = &b->in[f]; __VA_ARGS__; } \
	t[n++] = (struct bad){ w, CONTIG_IOCTL_INFO, e, &b->in[f++] }; } while (0)
	INFO("info flags 1", EINVAL, x->flags = 1);
	INFO("info nr_chunks non-zero on input", EINVAL, x->nr_chunks = 1);
	INFO("info size non-zero on input", EINVAL, x->size = 1);
	INFO("info id non-zero on input", EINVAL, x->id = 1);
	INFO("info chunks without chunks_cap", EINVAL, x->chunks = 8);
	INFO("info chunks_cap without chunks", EINVAL, x->chunks_cap = 8);
	INFO("info chunks pointer bad", EFAULT, x->chunks = 8; x->chunks_cap = 8);
	INFO("info fd -1", EBADF, x->fd = ~0U);
	INFO("info fd 10000 (not open)", EBADF, x->fd = 10000);
	INFO("info fd of a pipe", EINVAL, x->fd = pipe_rd);
	INFO("info fd of /dev/contig itself", EINVAL, x->fd = ctl);
#define STATS(w, e, ...) do { b->sd[s] = (struct contig_stats_data){ 0 }; { struct contig_stats_data *x = &b->sd[s]; __VA_ARGS__; } \
	t[n++] = (struct bad){ w, CONTIG_IOCTL_STATS, e, &b->sd[s++] }; } while (0)
	STATS("stats flags 1", EINVAL, x->flags = 1);
	STATS("stats out field non-zero on input", EINVAL, x->free = 1);
#define SYNC(w, e, ...) do { b->sy[y] = (struct contig_sync_data){ .fd = buf, .flags = CONTIG_SYNC_FOR_CPU | CONTIG_SYNC_READ, .length = PG }; \
	{ struct contig_sync_data *x = &b->sy[y]; __VA_ARGS__; } t[n++] = (struct bad){ w, CONTIG_IOCTL_SYNC, e, &b->sy[y++] }; } while (0)
	SYNC("sync length 0", EINVAL, x->length = 0);
	SYNC("sync past the end", EINVAL, x->offset = 8 * PG - 1; x->length = 2);
	SYNC("sync offset = size", EINVAL, x->offset = 8 * PG; x->length = 1);
	SYNC("sync offset+length overflows", EOVERFLOW, x->offset = ~0ULL; x->length = 2);
	SYNC("sync offset 2^63 + length 2^63", EOVERFLOW, x->offset = 1ULL << 63; x->length = 1ULL << 63);
	SYNC("sync length 2^64-1", EOVERFLOW, x->offset = 1; x->length = ~0ULL);
	SYNC("sync flags 0", EINVAL, x->flags = 0);
	SYNC("sync FOR_CPU|FOR_DEVICE", EINVAL, x->flags |= CONTIG_SYNC_FOR_DEVICE);
	SYNC("sync no READ/WRITE", EINVAL, x->flags = CONTIG_SYNC_FOR_CPU);
	SYNC("sync unknown flag 1<<4", EINVAL, x->flags |= 1U << 4);
	SYNC("sync fd -1", EBADF, x->fd = ~0U);
	SYNC("sync fd of a pipe", EINVAL, x->fd = pipe_rd);
#undef ALLOC
#undef INFO
#undef STATS
#undef SYNC
	/* Whole commands: numbers, directions, sizes. */
	t[n++] = (struct bad){ "unknown command number 4", _IOWR(CONTIG_IOC_MAGIC, 4, struct contig_sync_data), ENOTTY, &b->sy[0] };
	t[n++] = (struct bad){ "unknown command number 0xff", _IOWR(CONTIG_IOC_MAGIC, 0xff, struct contig_sync_data), ENOTTY, &b->sy[0] };
	t[n++] = (struct bad){ "other magic ('H', dma-heap's)", _IOWR('H', 0, struct contig_alloc_data), ENOTTY, &b->al[0] };
	t[n++] = (struct bad){ "ALLOC with _IOW direction", _IOW(CONTIG_IOC_MAGIC, 0, struct contig_alloc_data), ENOTTY, &b->al[0] };
	t[n++] = (struct bad){ "STATS with _IO (no argument)", _IO(CONTIG_IOC_MAGIC, 2), ENOTTY, NULL };
	t[n++] = (struct bad){ "ALLOC struct of 16 bytes (< VER0)", _IOC(_IOC_READ | _IOC_WRITE, CONTIG_IOC_MAGIC, 0, 16), EINVAL, &b->al[0] };
	t[n++] = (struct bad){ "ALLOC struct of VER0 - 1 bytes", _IOC(_IOC_READ | _IOC_WRITE, CONTIG_IOC_MAGIC, 0, CONTIG_ALLOC_SIZE_VER0 - 1), EINVAL, &b->al[0] };
	t[n++] = (struct bad){ "INFO struct of 8 bytes (< VER0)", _IOC(_IOC_READ | _IOC_WRITE, CONTIG_IOC_MAGIC, 1, 8), EINVAL, &b->in[0] };
	t[n++] = (struct bad){ "SYNC struct of VER0 - 8 bytes", _IOC(_IOC_WRITE, CONTIG_IOC_MAGIC, 3, CONTIG_SYNC_SIZE_VER0 - 8), EINVAL, &b->sy[0] };
	memset(b->big, 0, sizeof(b->big));
	b->big[200] = 1;
	t[n++] = (struct bad){ "STATS struct of 256 bytes, non-zero tail", _IOC(_IOC_READ | _IOC_WRITE, CONTIG_IOC_MAGIC, 2, 256), E2BIG, b->big };
	/* A good request in a longer struct whose last byte is not zero. */
	memset(b->alloc_tail, 0, sizeof(b->alloc_tail));
	*(struct contig_alloc_data *)b->alloc_tail = GOOD_ALLOC;
	b->alloc_tail[ALLOC_TAIL - 1] = 1;
	t[n++] = (struct bad){ "ALLOC struct of sizeof + 16 bytes, non-zero tail", _IOC(_IOC_READ | _IOC_WRITE, CONTIG_IOC_MAGIC, 0, ALLOC_TAIL), E2BIG, b->alloc_tail };
	memset(b->sync_tail, 0, sizeof(b->sync_tail));
	*(struct contig_sync_data *)b->sync_tail = b->sy[0];
	((struct contig_sync_data *)b->sync_tail)->length = PG;
	b->sync_tail[sizeof(struct contig_sync_data)] = 1;
	t[n++] = (struct bad){ "SYNC struct of sizeof + 16 bytes, non-zero tail", _IOC(_IOC_WRITE, CONTIG_IOC_MAGIC, 3, SYNC_TAIL), E2BIG, b->sync_tail };
	t[n++] = (struct bad){ "ALLOC with a NULL argument", CONTIG_IOCTL_ALLOC, EFAULT, NULL };
	t[n++] = (struct bad){ "STATS with a bad pointer", CONTIG_IOCTL_STATS, EFAULT, (void *)8 };
	/* Valid input, but nowhere to write the fd back. */
	t[n++] = (struct bad){ "ALLOC into a read-only struct", CONTIG_IOCTL_ALLOC, EFAULT, ro };
	return n;
}

static unsigned int bad_count(void)
{
	static struct bad_table scratch;

	return bad_table(&scratch, -1, 0, -1, NULL);
}

/* One result per bad input, and one for STATS after all of them. */
static void bad_cases(const void *arg)
{
	static struct bad_table b;
	struct contig_stats_data base, st;
	int buf = alloc_buf(8 * PG, 0, CONTIG_KIND_SG, 0);
	int pipefd[2], i, n;
	struct contig_alloc_data *ro;
	/* More than the region is an argument error: no failure counted. */
	int expect_nomem = 0;

	if (pipe(pipefd))
		pipefd[0] = -1;
	ro = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	if (ro != MAP_FAILED) {
		*ro = GOOD_ALLOC;
		mprotect(ro, PG, PROT_READ);
	}
	base = stats();
	n = bad_table(&b, buf, base.region_size, pipefd[0],
		      ro != MAP_FAILED ? ro : NULL);

	for (i = 0; i < n; i++) {
		const struct bad *t = &b.t[i];
		int ret = xioctl(ctl, t->cmd, t->arg);

		/* An ALLOC that should have been refused: let its buffer go. */
		if (ret >= 0 && _IOC_TYPE(t->cmd) == CONTIG_IOC_MAGIC &&
		    _IOC_NR(t->cmd) == 0 && t->arg && t->arg != ro)
			close(((struct contig_alloc_data *)t->arg)->fd);
		ktap_check(ret == -t->err, "bad input: %s -> %s (got %s)", t->what,
			   strerrorname_np(t->err), ret ? strerrorname_np(-ret) : "success");
	}
	st = stats();
	ktap_check(stats_same(&st, &base) && st.allocs == base.allocs &&
		   st.frees == base.frees && st.failed_quota == base.failed_quota &&
		   st.failed_nomem == base.failed_nomem + expect_nomem,
		   "after %d bad inputs STATS is unchanged but for %d ENOMEM failures (%llu)",
		   n, expect_nomem, (unsigned long long)(st.failed_nomem - base.failed_nomem));
	close(buf);
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	if (ro != MAP_FAILED)
		munmap(ro, PG);
}

/* ---- argument structs of other sizes that must work --------------------- */

#define SIZE_CASES 10

/* The command @cmd with the struct size @size in its number instead. */
static unsigned long sized(unsigned long cmd, size_t size)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
}

/*
 * The size in the command number is the caller's sizeof: a caller built
 * against the first version of the ABI (CONTIG_*_SIZE_VER0) is served,
 * and nothing is written past its struct; a caller built against a newer
 * header, with a longer struct whose tail is zero, is served too.  (The
 * refusals, shorter than VER0 or a non-zero tail, are in bad_cases().)
 */
static void size_cases(const void *arg)
{
	struct contig_stats_data base = stats(), st, st2;
	union {
		struct contig_alloc_data a;
		struct contig_info_data in;
		struct contig_stats_data st;
		struct contig_sync_data sy;
		uint8_t bytes[sizeof(struct contig_stats_data) + 16];
	} u;
	struct contig_info_data in;
	size_t i, len;
	int ok, fd0, fd1 = -1;

	/* ALLOC of VER0: size, align, kind, flags, fd_flags, fd. */
	memset(&u, 0xa5, sizeof(u));
	memset(&u.a, 0, CONTIG_ALLOC_SIZE_VER0);
	u.a.size = 2 * PG;
	u.a.kind = CONTIG_KIND_CONTIGUOUS;
	u.a.fd_flags = O_RDWR | O_CLOEXEC;
	ok = !xioctl(ctl, sized(CONTIG_IOCTL_ALLOC, CONTIG_ALLOC_SIZE_VER0), &u);
	fd0 = ok ? (int)u.a.fd : -1;
	in = (struct contig_info_data){ .fd = fd0 };
	ok = ok && fd0 > 0 && !xioctl(ctl, CONTIG_IOCTL_INFO, &in) &&
	     in.size == 2 * PG && in.kind == CONTIG_KIND_CONTIGUOUS;
	ktap_check(ok, "ALLOC with a struct of CONTIG_ALLOC_SIZE_VER0 (%d) bytes gives a working buffer",
		   CONTIG_ALLOC_SIZE_VER0);
	for (i = CONTIG_ALLOC_SIZE_VER0; i < sizeof(u.a); i++)
		if (u.bytes[i] != 0xa5)
			break;
	ktap_check(i == sizeof(u.a), "and writes nothing past those %d bytes (byte %zu changed)",
		   CONTIG_ALLOC_SIZE_VER0, i);

	/* INFO, STATS and SYNC of VER0 (their structs have not grown yet). */
	memset(&u, 0, sizeof(u));
	u.in.fd = fd0;
	ok = !xioctl(ctl, sized(CONTIG_IOCTL_INFO, CONTIG_INFO_SIZE_VER0), &u) &&
	     u.in.size == 2 * PG && u.in.kind == CONTIG_KIND_CONTIGUOUS;
	ktap_check(ok, "INFO with a struct of CONTIG_INFO_SIZE_VER0 (%d) bytes", CONTIG_INFO_SIZE_VER0);
	memset(&u, 0, sizeof(u));
	ok = !xioctl(ctl, sized(CONTIG_IOCTL_STATS, CONTIG_STATS_SIZE_VER0), &u) &&
	     u.st.region_size == base.region_size && u.st.nr_kinds == CONTIG_NR_KINDS &&
	     u.st.kinds[CONTIG_KIND_CONTIGUOUS].buffers ==
	     base.kinds[CONTIG_KIND_CONTIGUOUS].buffers + 1;
	ktap_check(ok, "STATS with a struct of CONTIG_STATS_SIZE_VER0 (%d) bytes", CONTIG_STATS_SIZE_VER0);
	memset(&u, 0, sizeof(u));
	u.sy = (struct contig_sync_data){
		.fd = fd0, .flags = CONTIG_SYNC_FOR_CPU | CONTIG_SYNC_READ,
		.offset = 1, .length = PG,
	};
	ok = !xioctl(ctl, sized(CONTIG_IOCTL_SYNC, CONTIG_SYNC_SIZE_VER0), &u);
	ktap_check(ok, "SYNC with a struct of CONTIG_SYNC_SIZE_VER0 (%d) bytes", CONTIG_SYNC_SIZE_VER0);

	/* A newer caller's longer structs, with a zero tail. */
	memset(&u, 0, sizeof(u));
	u.a.size = 3 * PG;
	u.a.kind = CONTIG_KIND_CONTIGUOUS;
	u.a.fd_flags = O_RDWR | O_CLOEXEC;
	len = sizeof(u.a) + 16;
	ok = !xioctl(ctl, sized(CONTIG_IOCTL_ALLOC, len), &u);
	fd1 = ok ? (int)u.a.fd : -1;
	/*
	 * The fd came back, the VER1 out field largest_free says what is
	 * left of the mostly free region, and the tail the kernel does not
	 * know stayed zero.
	 */
	ok = ok && fd1 > 0 && u.a.largest_free > 0;
	for (i = sizeof(u.a); ok && i < len; i++)
		ok = !u.bytes[i];
	in = (struct contig_info_data){ .fd = fd1 };
	ok = ok && !xioctl(ctl, CONTIG_IOCTL_INFO, &in) && in.size == 3 * PG;
	ktap_check(ok, "ALLOC with a struct of sizeof + 16 bytes, zero tail, gives a working buffer");
	memset(&u, 0, sizeof(u));
	u.in.fd = fd1;
	ok = !xioctl(ctl, sized(CONTIG_IOCTL_INFO, sizeof(u.in) + 16), &u) &&
	     u.in.size == 3 * PG && u.in.kind == CONTIG_KIND_CONTIGUOUS;
	ktap_check(ok, "INFO with a struct of sizeof + 16 bytes, zero tail");
	memset(&u, 0, sizeof(u));
	st = stats();
	ok = !xioctl(ctl, sized(CONTIG_IOCTL_STATS, sizeof(u.st) + 16), &u);
	st2 = u.st;
	ok = ok && stats_same(&st, &st2) && st2.region_size == base.region_size;
	ktap_check(ok, "STATS with a struct of sizeof + 16 bytes, zero tail, says what STATS says");
	memset(&u, 0, sizeof(u));
	u.sy = (struct contig_sync_data){
		.fd = fd1, .flags = CONTIG_SYNC_FOR_DEVICE | CONTIG_SYNC_WRITE,
		.length = 3 * PG,
	};
	ok = !xioctl(ctl, sized(CONTIG_IOCTL_SYNC, sizeof(u.sy) + 16), &u);
	ktap_check(ok, "SYNC with a struct of sizeof + 16 bytes, zero tail");

	if (fd0 > 0)
		close(fd0);
	if (fd1 > 0)
		close(fd1);
	ktap_check(settles_to(&base), "both buffers are freed at close");
}

/* ---- ranged sync edges that must work ------------------------------------ */

#define SYNC_CASES 4

static void sync_cases(const void *arg)
{
	int fd = alloc_buf(3 * PG, 0, CONTIG_KIND_SG, 0);
	uint32_t c = CONTIG_SYNC_FOR_CPU | CONTIG_SYNC_READ;
	uint32_t d = CONTIG_SYNC_FOR_DEVICE | CONTIG_SYNC_READ | CONTIG_SYNC_WRITE;

	ktap_check(!sync_range(fd, c, 0, 3 * PG), "sync the whole buffer");
	ktap_check(!sync_range(fd, d, 3 * PG - 1, 1), "sync the last byte");
	ktap_check(!sync_range(fd, c, 0, 1), "sync the first byte");
	ktap_check(!sync_range(fd, d, PG - 5, PG + 10), "sync an unaligned range across a page boundary");
	close(fd);
}

/* ---- physical addresses are for CAP_SYS_RAWIO ---------------------------- */

/*
 * Run @fn(@arg) in a child with the credentials of nobody (uid and gid
 * 65534, no supplementary groups): its exit status, or 255 when the
 * child could not become nobody or died.
 */
static int as_nobody(int (*fn)(const void *arg), const void *arg)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		    !getuid())
			_exit(255);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 255;
	return WEXITSTATUS(status);
}

/* As nobody: bit 0, INFO leaks an address; bit 1, INFO lacks the size. */
static int nobody_info(const void *arg)
{
	int fd = *(const int *)arg, r = 0;
	struct contig_chunk c2 = { 0 };
	struct contig_info_data i2 = {
		.fd = fd, .chunks = (uintptr_t)&c2, .chunks_cap = 1,
	};

	if (xioctl(ctl, CONTIG_IOCTL_INFO, &i2) != -EPERM || c2.phys)
		r |= 1;
	i2.chunks = 0;
	i2.chunks_cap = 0;
	if (xioctl(ctl, CONTIG_IOCTL_INFO, &i2) || i2.size != PG ||
	    i2.kind != CONTIG_KIND_CONTIGUOUS)
		r |= 2;
	return r;
}

/* As nobody: 0 when /dev/contig is reachable (stat), else the errno. */
static int nobody_stat(const void *arg)
{
	struct stat sb;

	return stat(DEV, &sb) ? errno : 0;
}

/* As nobody: 0 when /dev/contig opens read-write, else the errno. */
static int nobody_open(const void *arg)
{
	int fd = open(DEV, O_RDWR);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

#define PRIV_CASES 6

static void priv_cases(const void *arg)
{
	int fd = alloc_buf(PG, 0, CONTIG_KIND_CONTIGUOUS, 0);
	struct contig_chunk ch = { 0 };
	struct contig_info_data in = {
		.fd = fd, .chunks = (uintptr_t)&ch, .chunks_cap = 1,
	};
	struct stat sb = { 0 };
	int r, ok;

	/* Arguments are evaluated in no set order: call first, then report. */
	ok = !xioctl(ctl, CONTIG_IOCTL_INFO, &in) && ch.phys && ch.size == PG;
	ktap_check(ok, "root reads the physical address (%#llx)", (unsigned long long)ch.phys);
	r = as_nobody(nobody_info, &fd);
	ktap_check(r != 255 && !(r & 1),
		   "uid 65534 gets EPERM for physical addresses, and none leak (%d)", r);
	ktap_check(r != 255 && !(r & 2), "uid 65534 still gets size and kind");
	close(fd);

	/*
	 * The refusal below proves something only if the path is reachable
	 * for nobody and the same open succeeds once the mode allows it.
	 */
	r = as_nobody(nobody_stat, NULL);
	ktap_check(!r, "uid 65534 reaches " DEV " (stat: %s)", strerror(r));
	ok = !stat(DEV, &sb) && !chmod(DEV, 0666);
	r = ok ? as_nobody(nobody_open, NULL) : -1;
	ok = ok && !chmod(DEV, sb.st_mode & 07777);
	ktap_check(ok && !r, "uid 65534 opens " DEV " at mode 0666 (%s)",
		   r > 0 ? strerror(r) : r ? "chmod failed" : "ok");
	r = (sb.st_mode & 0777) == 0600 ? as_nobody(nobody_open, NULL) : -1;
	ktap_check(r == EACCES, "uid 65534 cannot open " DEV " at mode 0600: EACCES (%s)",
		   r > 0 ? strerror(r) : r ? "mode is not 0600" : "opened");
}

/* ---- the kernel reading and writing the pages: O_DIRECT, vmsplice ------- */

#define IO_CASES 3

static void io_cases(const void *arg)
{
	struct contig_stats_data base = stats();
	int fd, dev, pipefd[2], ok;
	uint8_t *src = NULL, *p;
	struct iovec iov;
	ssize_t n;

	fd = alloc_buf(64 * PG, 0, CONTIG_KIND_CONTIGUOUS, 0);
	p = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	dev = open("/dev/ram0", O_RDWR | O_DIRECT);
	if (dev < 0) {
		ktap_skip_case("O_DIRECT into a mapped buffer: no /dev/ram0 (%s; brd is a module the stock initramfs lacks)",
			       strerror(errno));
	} else {
		if (posix_memalign((void **)&src, PG, 64 * PG))
			src = NULL;
		fill(src, 64 * PG, 77);
		n = pwrite(dev, src, 64 * PG, 0);
		memset(p, 0, 64 * PG);
		errno = 0;
		n = n == (ssize_t)(64 * PG) ? pread(dev, p, 64 * PG, 0) : -2;
		if (pfn_mode)
			ktap_check(n == -1 && errno == EFAULT && !p[0],
				   "O_DIRECT into a PFN-mapped buffer fails cleanly with EFAULT (region not in the linear map)");
		else
			ktap_check(n == (ssize_t)(64 * PG) && check(p, 64 * PG, 77, 0),
				   "O_DIRECT read from /dev/ram0 lands the right bytes in a mapped CONTIGUOUS buffer");
		free(src);
		close(dev);
	}

	fill(p, 64 * PG, 5);
	if (pipe(pipefd)) {
		ktap_print("pipe: %s", strerror(errno));
		munmap(p, 64 * PG);
		close(fd);
		ktap_fail_rest("no pipe for vmsplice");
		return;
	}
	iov.iov_base = p;
	iov.iov_len = 4 * PG;
	n = vmsplice(pipefd[1], &iov, 1, 0);
	if (pfn_mode) {
		ktap_check(n < 0 && errno == EFAULT, "vmsplice of a PFN-mapped buffer is refused (EFAULT)");
		munmap(p, 64 * PG);
		close(fd);
		ktap_check(settles_to(&base), "and the buffer is freed at once");
	} else {
		uint8_t got[4 * 4096];
		struct contig_stats_data st;

		munmap(p, 64 * PG);
		close(fd);
		usleep(100000);
		st = stats();
		ok = n == (ssize_t)(4 * PG) && st.quarantined == 64 * PG;
		n = read(pipefd[0], got, sizeof(got));
		ktap_check(ok && n == (ssize_t)sizeof(got) && check(got, sizeof(got), 5, 0),
			   "pages spliced into a pipe stay quarantined, with their bytes, after the buffer is gone");
		ktap_check(settles_to(&base), "reading the pipe lets the quarantine go");
	}
	close(pipefd[0]);
	close(pipefd[1]);
}

/* ---- module lifetime ----------------------------------------------------- */

#define MOD_CASES 2

static void module_cases(const void *arg)
{
	int fd = alloc_buf(PG, 0, CONTIG_KIND_SG, 0), ret;
	struct stat sb;
	char *p;

	close(ctl);	/* only the dma-buf holds the module now */
	ret = syscall(SYS_delete_module, "contig", O_NONBLOCK) ? errno : 0;
	ctl = open(DEV, O_RDWR);
	if (!ret) {
		/* It must not have gone; reload so the run goes on. */
		ktap_print("contig unloaded under a live dma-buf: BUG");
	}
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p != MAP_FAILED)
		*p = 1;		/* still there */
	ktap_check(ret == EWOULDBLOCK && p != MAP_FAILED,
		   "rmmod contig is refused while a dma-buf is open (%s)", strerror(ret));
	if (p != MAP_FAILED)
		munmap(p, PG);
	memset(&sb, 0, sizeof(sb));
	ret = stat(DEV, &sb);
	ktap_check(!ret && (sb.st_mode & 0777) == 0600 && sb.st_uid == 0,
		   "/dev/contig is root's, mode 0600 (%o)", sb.st_mode & 0777);
}

static struct contig_stats_data start_stats;

/* Last: everything the groups allocated is gone. */
static void end_case(const void *arg)
{
	struct contig_stats_data end;
	int ok;

	ok = settles_to(&start_stats);
	end = stats();
	ktap_check(ok && end.allocs > start_stats.allocs &&
		   end.allocs - start_stats.allocs == end.frees - start_stats.frees,
		   "at the end every buffer is freed and STATS is back to where it started");
}

int main(void)
{
	struct ktap_group groups[] = {
		{ kinds[0].name, KIND_CASES, kind_cases, &kinds[0] },
		{ kinds[1].name, KIND_CASES, kind_cases, &kinds[1] },
		{ kinds[2].name, KIND_CASES, kind_cases, &kinds[2] },
		{ kinds[3].name, KIND_CASES, kind_cases, &kinds[3] },
		{ kinds[4].name, KIND_CASES, kind_cases, &kinds[4] },
		{ "mmap", MMAP_CASES, mmap_cases, NULL },
		{ "sharing", SHARE_CASES, share_cases, NULL },
		{ "bad inputs", bad_count() + 1, bad_cases, NULL },
		{ "struct sizes", SIZE_CASES, size_cases, NULL },
		{ "ranged sync", SYNC_CASES, sync_cases, NULL },
		{ "physical addresses", PRIV_CASES, priv_cases, NULL },
		{ "kernel I/O", IO_CASES, io_cases, NULL },
		{ "module", MOD_CASES, module_cases, NULL },
		{ "end", 1, end_case, NULL },
	};
	const unsigned int ngroups = sizeof(groups) / sizeof(groups[0]);
	char line[128] = "";
	FILE *f;

	ktap_plan(groups, ngroups);
	ctl = open(DEV, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		ktap_print("cannot open " DEV ": %s", strerror(errno));
		return 1;
	}
	f = fopen("/sys/kernel/debug/contig/buffers", "r");
	if (f && fgets(line, sizeof(line), f))
		pfn_mode = !!strstr(line, "pfn");
	if (f)
		fclose(f);
	ktap_print("user mappings: %s", pfn_mode ? "PFN maps" : "struct pages");
	start_stats = stats();

	ktap_run(groups, ngroups);
	close(ctl);
	return ktap_finish();
}
