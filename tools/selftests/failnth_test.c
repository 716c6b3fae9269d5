// SPDX-License-Identifier: GPL-2.0
/*
 * failnth_test - every failure point of every call, injected one at a time.
 *
 * Usage: failnth_test [MODULE.ko]  (root, contig.ko and its test hook
 *                                   loaded; prints KTAP; MODULE.ko, by
 *                                   default /lib/contig.ko, is what the
 *                                   unload sweep loads again)
 *
 * /proc/thread-self/fail-nth (Documentation/fault-injection/
 * fault-injection.rst) makes the n-th fault point the thread passes fail:
 * a slab or page allocation (failslab, fail_page_alloc), a user copy
 * (fail_usercopy), or one of contig.ko's own sites (debugfs
 * contig/fail/: the buddy, a slab, emptying a window, a DMA map, the
 * dma-buf export, an fd, a user copy of an ioctl).  For each call below
 * the test writes n = 1, 2, ... there, makes the call, and reads back
 * whether the fault was injected; the walk ends at the first n the call
 * did not reach, and that run must succeed.  After every run, failed or
 * not (what a successful run got is released first):
 *
 *   - a failed call returned an errno of the set expected for it;
 *   - the fd table is as before (every fd, and what it points to);
 *   - STATS, the whole struct as the kernel returns it (per-user charges
 *     included), is as before, but for the failure counters (failed_nomem,
 *     failed_quota) and allocs/frees, whose difference must not change;
 *   - the region's map is as before: free, largest free and the frames
 *     of each holder (debugfs contig/fragmentation), so a page left
 *     pinned or a frame left taken shows.
 *
 * The harness then fails the run on any splat or kmemleak report.
 *
 * Calls: ALLOC of every kind, with and without WC, with a report; INFO
 * (with the chunk list), STATS, SYNC; mmap of every kind and its first
 * touch; attach and map of a dma-buf of every kind by the test hook's
 * importer device; and last, rmmod contig (loaded again after each
 * successful unload).
 *
 * failslab and fail_page_alloc skip GFP_KERNEL and order-0 allocations by
 * default; the test sets ignore-gfp-wait=N, ignore-gfp-highmem=N and
 * min-order=0 so fail-nth reaches them, task-filter=Y with make-it-fail
 * set for itself, and verbose=0 so an injected failure prints no stack
 * trace.  Probability stays 0: fail-nth injects whatever the probability
 * (should_fail_ex()), and a probability would make every later call of
 * the task fail as well.  Everything is restored at the end.  Without
 * CONFIG_FAULT_INJECTION (Debian's kernels) there is no fail-nth file and
 * every result is skipped with that reason.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <uapi/contig.h>

#include "ktap.h"

#define PG		4096UL
#define DEV		"/dev/contig"
#define FAILNTH		"/proc/thread-self/fail-nth"
#define DBG		"/sys/kernel/debug/"
#define FRAG		DBG "contig/fragmentation"
#define IMPORT		DBG "contig_test_hook/import"
#define REGION_PARAM	"/sys/module/contig/parameters/region"
#define LEND_PARAM	"/sys/module/contig/parameters/lend"
#define MAX_N		4000
#define BUFSZ		(128 * 1024 + 64 * 1024 + 4096)	/* three blocks */

static int ctl = -1, nthfd = -1;
static const char *module_path = "/lib/contig.ko";
static const char *no_failnth;	/* why nothing can run, or NULL */
static unsigned long total_n;

/* ---- fail-nth -------------------------------------------------------------- */

/* Arm: the n-th fault point from now fails.  Returns 0 or -errno. */
static int failnth_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nthfd, buf, len, 0) == len ? 0 : -errno;
}

/*
 * Disarm; true when the fault was injected.  Reading the file is itself a
 * user copy, so with one fault point left the read fails (-EFAULT) and
 * takes it; either way nothing was injected into the call.
 */
static int failnth_disarm(void)
{
	char buf[16] = "";
	ssize_t n = pread(nthfd, buf, sizeof(buf) - 1, 0);
	int injected = n > 0 && atoi(buf) == 0;

	(void)!pwrite(nthfd, "0", 1, 0);
	(void)!pwrite(nthfd, "0", 1, 0);
	return injected;
}

/* ---- the books --------------------------------------------------------------- */

struct books {
	struct contig_stats_data st;
	char fds[4096];
	char frag[512];
};

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Every fd of the process and its target, in one string. */
static void fd_table(char *out, size_t len)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t used = 0;
	char path[300], target[256];
	ssize_t n;

	out[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		used += snprintf(out + used, used < len ? len - used : 0,
				 "%s=%s ", e->d_name, target);
	}
	closedir(d);
}

/* The lines of the region's map that a failed call must not change. */
static void frag_lines(char *out, size_t len)
{
	char buf[4096], *line, *save;
	size_t used = 0;

	out[0] = '\0';
	if (read_file(FRAG, buf, sizeof(buf)))
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "free:", 5) ||
		    !strncmp(line, "largest free:", 13) ||
		    !strncmp(line, "in use:", 7))
			used += snprintf(out + used,
					 used < len ? len - used : 0, "%s|",
					 line);
}

static void take_books(struct books *b)
{
	memset(b, 0, sizeof(*b));
	if (ioctl(ctl, CONTIG_IOCTL_STATS, &b->st))
		ktap_print("STATS failed: %s", strerror(errno));
	fd_table(b->fds, sizeof(b->fds));
	frag_lines(b->frag, sizeof(b->frag));
}

/* Same books, but for the failure counters and allocs/frees; says why not. */
static const char *books_differ(const struct books *a, const struct books *b)
{
	struct contig_stats_data sa = a->st, sb = b->st;

	if (strcmp(a->fds, b->fds))
		return "the fd table changed";
	if (sa.allocs - sa.frees != sb.allocs - sb.frees)
		return "STATS: a buffer was left behind or lost";
	sb.failed_nomem = sa.failed_nomem;
	sb.failed_quota = sa.failed_quota;
	sb.allocs = sa.allocs;
	sb.frees = sa.frees;
	if (memcmp(&sa, &sb, sizeof(sa)))
		return "STATS changed";
	if (strcmp(a->frag, b->frag))
		return "the region's map changed";
	return NULL;
}

static void print_books(const char *when, const struct books *b)
{
	const struct contig_stats_data *st = &b->st;

	ktap_print("%s: free %llu largest %llu quarantined %llu allocs %llu frees %llu live %llu/%llu/%llu buffers",
		   when, (unsigned long long)st->free,
		   (unsigned long long)st->largest_free,
		   (unsigned long long)st->quarantined,
		   (unsigned long long)st->allocs,
		   (unsigned long long)st->frees,
		   (unsigned long long)st->kinds[0].buffers,
		   (unsigned long long)st->kinds[1].buffers,
		   (unsigned long long)st->kinds[2].buffers);
	ktap_print("%s: fds %s", when, b->fds);
	ktap_print("%s: map %s", when, b->frag);
}

/* ---- the walk ------------------------------------------------------------ */

/**
 * struct call - one call to walk.
 * @name:	for the result line.
 * @call:	makes the call once; 0 or -errno.  Must make no system call
 *		but the one(s) under test.
 * @undo:	releases what a successful @call got.
 * @errs:	the errnos a failed call may return, 0-terminated.
 */
struct call {
	const char *name;
	int (*call)(void *ctx);
	void (*undo)(void *ctx);
	const int *errs;
	void *ctx;
};

static int err_ok(const int *errs, int err)
{
	for (; *errs; errs++)
		if (*errs == -err)
			return 1;
	return 0;
}

/*
 * Walk one call; reports one result.  Returns the number of fault points
 * walked, or -1 after reporting a failure.
 */
static long walk(const struct call *c)
{
	static struct books before, after;
	unsigned int n, failed = 0, survived = 0;
	const char *why;
	int ret, injected;

	if (no_failnth) {
		ktap_skip_case("%s: %s", c->name, no_failnth);
		return -1;
	}
	for (n = 1; n <= MAX_N; n++) {
		take_books(&before);
		if (failnth_arm(n)) {
			ktap_check(0, "%s: cannot write %s: %s", c->name,
				   FAILNTH, strerror(errno));
			return -1;
		}
		ret = c->call(c->ctx);
		injected = failnth_disarm();
		if (!ret)
			c->undo(c->ctx);
		take_books(&after);
		why = books_differ(&before, &after);
		if (why) {
			print_books("before", &before);
			print_books("after", &after);
			ktap_check(0, "%s: n=%u (%s): %s", c->name, n,
				   ret ? strerror(-ret) : "succeeded", why);
			return -1;
		}
		if (!injected) {
			if (ret) {
				ktap_check(0, "%s: fails without injection: %s",
					   c->name, strerror(-ret));
				return -1;
			}
			break;
		}
		if (ret && !err_ok(c->errs, ret)) {
			ktap_check(0, "%s: n=%u: unexpected errno %d (%s)",
				   c->name, n, -ret, strerror(-ret));
			return -1;
		}
		if (ret)
			failed++;
		else
			survived++;
	}
	if (n > MAX_N) {
		ktap_check(0, "%s: still failing at n=%u", c->name, n);
		return -1;
	}
	total_n += n - 1;
	ktap_check(n > 1, "%s: %u fault points: %u failed cleanly, %u survived",
		   c->name, n - 1, failed, survived);
	return n - 1;
}

/* ---- the calls --------------------------------------------------------------- */

static const int alloc_errs[] = { ENOMEM, EFAULT, EMFILE, EBUSY, 0 };
static const int nomem_fault[] = { ENOMEM, EFAULT, 0 };

struct alloc_ctx {
	uint32_t kind, flags;
	int report;
	struct contig_alloc_report rep;
	int fd;
};

static int alloc_call(void *p)
{
	struct alloc_ctx *a = p;
	struct contig_alloc_data d = {
		.size = BUFSZ, .kind = a->kind, .flags = a->flags,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.report = a->report ? (uintptr_t)&a->rep : 0,
	};

	if (ioctl(ctl, CONTIG_IOCTL_ALLOC, &d))
		return -errno;
	a->fd = d.fd;
	return 0;
}

static void close_fd(void *p)
{
	close(((struct alloc_ctx *)p)->fd);
}

static const char *const kind_names[] = { "contiguous", "sg", "movable" };

static void alloc_group(const void *arg)
{
	static const struct { uint32_t flags; int report; } v[] = {
		{ 0, 0 }, { CONTIG_FLAG_WC, 0 }, { 0, 1 },
	};
	static const char *const vname[] = { "", " wc", " report" };
	struct alloc_ctx a;
	char name[64];
	unsigned int k, i;
	int ret;

	for (k = 0; k < 3; k++) {
		for (i = 0; i < 3; i++) {
			struct call c = {
				.name = name, .call = alloc_call,
				.undo = close_fd, .errs = alloc_errs, .ctx = &a,
			};

			memset(&a, 0, sizeof(a));
			a.kind = k;
			a.flags = v[i].flags;
			a.report = v[i].report;
			snprintf(name, sizeof(name), "ALLOC %s%s", kind_names[k],
				 vname[i]);
			if (no_failnth) {
				walk(&c);
				continue;
			}
			/* Can it succeed here at all? */
			ret = alloc_call(&a);
			if (ret == -EOPNOTSUPP) {
				ktap_skip_case("%s: not on this region (%s)",
					       name, strerror(-ret));
				continue;
			}
			if (ret) {
				ktap_check(0, "%s: fails without injection: %s",
					   name, strerror(-ret));
				continue;
			}
			close_fd(&a);
			walk(&c);
		}
	}
}

/* A buffer of each kind for the calls on a buffer, closed by the group. */
static int bufs[3] = { -1, -1, -1 };

static int get_bufs(void)
{
	struct alloc_ctx a = { 0 };
	unsigned int k;

	for (k = 0; k < 3; k++) {
		a.kind = k;
		if (alloc_call(&a))
			return -1;
		bufs[k] = a.fd;
	}
	return 0;
}

static void put_bufs(void)
{
	unsigned int k;

	for (k = 0; k < 3; k++) {
		if (bufs[k] >= 0)
			close(bufs[k]);
		bufs[k] = -1;
	}
}

struct ioctl_ctx {
	int fd;
	struct contig_chunk chunks[64];
};

static int info_call(void *p)
{
	struct ioctl_ctx *x = p;
	struct contig_info_data in = {
		.fd = x->fd, .chunks = (uintptr_t)x->chunks,
		.chunks_cap = 64,
	};

	return ioctl(ctl, CONTIG_IOCTL_INFO, &in) ? -errno : 0;
}

static int stats_call(void *p)
{
	struct contig_stats_data st = { 0 };

	return ioctl(ctl, CONTIG_IOCTL_STATS, &st) ? -errno : 0;
}

static int sync_call(void *p)
{
	struct ioctl_ctx *x = p;
	struct contig_sync_data s = {
		.fd = x->fd, .flags = CONTIG_SYNC_FOR_CPU | CONTIG_SYNC_READ,
		.offset = 0, .length = BUFSZ,
	};

	return ioctl(ctl, CONTIG_IOCTL_SYNC, &s) ? -errno : 0;
}

static void nothing(void *p)
{
}

/* INFO, STATS and SYNC (on a buffer of each kind). */
static void ioctl_group(const void *arg)
{
	struct ioctl_ctx x = { 0 };
	struct call c = { .undo = nothing, .errs = nomem_fault, .ctx = &x };
	char name[64];
	unsigned int k;

	if (!no_failnth && get_bufs()) {
		ktap_fail_rest("cannot allocate the buffers");
		put_bufs();
		return;
	}
	c.name = "STATS";
	c.call = stats_call;
	walk(&c);
	c.name = name;
	for (k = 0; k < 3; k++) {
		x.fd = bufs[k];
		snprintf(name, sizeof(name), "INFO %s", kind_names[k]);
		c.call = info_call;
		walk(&c);
		snprintf(name, sizeof(name), "SYNC %s", kind_names[k]);
		c.call = sync_call;
		walk(&c);
	}
	put_bufs();
}

/* ---- mmap and first touch --------------------------------------------------- */

static sigjmp_buf touch_env;

static void on_sigbus(int sig)
{
	siglongjmp(touch_env, 1);
}

struct map_ctx {
	int fd;
	volatile uint8_t *p;
};

/* mmap, then touch the first and the last page. */
static int mmap_call(void *ctx)
{
	struct map_ctx *m = ctx;
	void *p = mmap(NULL, BUFSZ, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	m->p = p;
	/* No mask saved: that would be a system call under fail-nth. */
	if (sigsetjmp(touch_env, 0)) {
		munmap(p, BUFSZ);
		return -EIO;	/* SIGBUS: the data became unreachable */
	}
	m->p[0] = 0x5a;
	m->p[BUFSZ - 1] = m->p[0];
	return 0;
}

static void mmap_undo(void *ctx)
{
	struct map_ctx *m = ctx;

	munmap((void *)m->p, BUFSZ);
}

static void mmap_group(const void *arg)
{
	static const int errs[] = { ENOMEM, EAGAIN, 0 };
	struct sigaction sa = { .sa_handler = on_sigbus, .sa_flags = SA_NODEFER };
	struct map_ctx m = { 0 };
	struct call c = {
		.call = mmap_call, .undo = mmap_undo, .errs = errs, .ctx = &m,
	};
	char name[64];
	unsigned int k;

	if (!no_failnth && get_bufs()) {
		ktap_fail_rest("cannot allocate the buffers");
		put_bufs();
		return;
	}
	sigaction(SIGBUS, &sa, NULL);
	c.name = name;
	for (k = 0; k < 3; k++) {
		m.fd = bufs[k];
		snprintf(name, sizeof(name), "mmap and first touch %s",
			 kind_names[k]);
		walk(&c);
	}
	signal(SIGBUS, SIG_DFL);
	put_bufs();
}

/* ---- the importer ------------------------------------------------------------ */

struct import_ctx {
	int imp;
	char fd[16];
};

static int import_call(void *ctx)
{
	struct import_ctx *x = ctx;
	ssize_t len = strlen(x->fd);

	return write(x->imp, x->fd, len) == len ? 0 : -errno;
}

/* Attach and map by a device without an IOMMU: one-block buffers. */
static void import_group(const void *arg)
{
	struct import_ctx x = { .imp = -1 };
	struct call c = {
		.call = import_call, .undo = nothing, .errs = nomem_fault,
		.ctx = &x,
	};
	struct alloc_ctx a = { 0 };
	struct contig_alloc_data d;
	char name[64];
	unsigned int k;

	if (no_failnth) {
		ktap_skip_rest(no_failnth);
		return;
	}
	x.imp = open(IMPORT, O_WRONLY | O_CLOEXEC);
	if (x.imp < 0) {
		ktap_fail_rest("no " IMPORT " (contig_test_hook.ko)");
		return;
	}
	c.name = name;
	for (k = 0; k < 3; k++) {
		memset(&d, 0, sizeof(d));
		d.size = PG;
		d.kind = k;
		d.fd_flags = O_RDWR | O_CLOEXEC;
		if (ioctl(ctl, CONTIG_IOCTL_ALLOC, &d)) {
			ktap_check(0, "import %s: ALLOC: %s", kind_names[k],
				   strerror(errno));
			continue;
		}
		a.fd = d.fd;
		snprintf(x.fd, sizeof(x.fd), "%u", d.fd);
		snprintf(name, sizeof(name), "dma-buf attach and map %s",
			 kind_names[k]);
		if (import_call(&x))
			ktap_check(0, "%s: fails without injection: %s", name,
				   strerror(errno));
		else
			walk(&c);
		close_fd(&a);
	}
	close(x.imp);
}

/* ---- unload --------------------------------------------------------------- */

static int module_live(void)
{
	return access("/sys/module/contig/initstate", F_OK) == 0;
}

/* Load contig.ko again on @region, with @lend as it was ('Y' or 'N'). */
static int load(const char *region, char lend)
{
	char params[128];
	int fd = open(module_path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	snprintf(params, sizeof(params), "region=%s lend=%d", region,
		 lend == 'Y');
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int unload_call(void *ctx)
{
	return syscall(SYS_delete_module, "contig", O_NONBLOCK) ? -errno : 0;
}

/*
 * rmmod contig with fail-nth set; after each successful unload, load it
 * again (no fault armed) and go on.  Nothing of contig may be open.
 */
static void unload_group(const void *arg)
{
	static const int errs[] = { ENOMEM, EFAULT, 0 };
	unsigned int n, failed = 0, unloaded = 0;
	char region[64], lend[8] = "N";
	int ret, injected;

	if (no_failnth) {
		ktap_skip_rest(no_failnth);
		return;
	}
	if (read_file(REGION_PARAM, region, sizeof(region)) || !region[0]) {
		ktap_fail_rest("cannot read " REGION_PARAM);
		return;
	}
	region[strcspn(region, "\n")] = '\0';
	read_file(LEND_PARAM, lend, sizeof(lend));
	close(ctl);
	ctl = -1;
	for (n = 1; n <= MAX_N; n++) {
		failnth_arm(n);
		ret = unload_call(NULL);
		injected = failnth_disarm();
		if (ret) {
			if (!injected || !err_ok(errs, ret) || !module_live()) {
				ktap_check(0, "rmmod contig: n=%u: %s (%s)", n,
					   strerror(-ret), injected ?
					   "injected" : "not injected");
				return;
			}
			failed++;
			continue;
		}
		unloaded++;
		if (module_live()) {
			ktap_check(0, "rmmod contig: n=%u: succeeded but still loaded",
				   n);
			return;
		}
		ret = load(region, lend[0]);
		if (ret) {
			ktap_check(0, "load %s region=%s again: %s", module_path,
				   region, strerror(-ret));
			return;
		}
		if (!injected)
			break;
	}
	total_n += n - 1;
	ktap_check(n > 1 && n <= MAX_N,
		   "rmmod contig: %u fault points: %u failed cleanly, %u unloaded anyway (loaded again each time)",
		   n - 1, failed, unloaded - 1);
	/* contig is loaded, as the plan expects. */
	ctl = open(DEV, O_RDWR | O_CLOEXEC);
	ktap_check(ctl >= 0, "/dev/contig works after the reloads");
}

/* ---- setup ------------------------------------------------------------------ */

struct knob {
	const char *path, *val;
	char old[32];
	int set;
};

static struct knob knobs[] = {
	{ .path = DBG "failslab/ignore-gfp-wait", .val = "N" },
	{ .path = DBG "failslab/task-filter", .val = "Y" },
	{ .path = DBG "failslab/verbose", .val = "0" },
	{ .path = DBG "fail_page_alloc/ignore-gfp-wait", .val = "N" },
	{ .path = DBG "fail_page_alloc/ignore-gfp-highmem", .val = "N" },
	{ .path = DBG "fail_page_alloc/min-order", .val = "0" },
	{ .path = DBG "fail_page_alloc/task-filter", .val = "Y" },
	{ .path = DBG "fail_page_alloc/verbose", .val = "0" },
	{ .path = DBG "fail_usercopy/task-filter", .val = "Y" },
	{ .path = DBG "fail_usercopy/verbose", .val = "0" },
	{ .path = DBG "contig/fail/buddy/task-filter", .val = "Y" },
	{ .path = DBG "contig/fail/slab/task-filter", .val = "Y" },
	{ .path = DBG "contig/fail/take/task-filter", .val = "Y" },
	{ .path = DBG "contig/fail/dma_map/task-filter", .val = "Y" },
	{ .path = DBG "contig/fail/export/task-filter", .val = "Y" },
	{ .path = DBG "contig/fail/fd/task-filter", .val = "Y" },
	{ .path = DBG "contig/fail/user_copy/task-filter", .val = "Y" },
	{ .path = "/proc/self/make-it-fail", .val = "1" },
};

#define NR_KNOBS (sizeof(knobs) / sizeof(knobs[0]))

static void restore_knobs(void)
{
	unsigned int i;

	for (i = 0; i < NR_KNOBS; i++)
		if (knobs[i].set)
			write_file(knobs[i].path, knobs[i].old);
}

static void setup_group(const void *arg)
{
	unsigned int i;
	int ret;

	if (access(FAILNTH, F_OK)) {
		no_failnth = "no " FAILNTH ": kernel without CONFIG_FAULT_INJECTION";
		ktap_skip_rest(no_failnth);
		return;
	}
	for (i = 0; i < NR_KNOBS; i++) {
		ret = read_file(knobs[i].path, knobs[i].old,
				sizeof(knobs[i].old));
		if (!ret)
			ret = write_file(knobs[i].path, knobs[i].val);
		if (ret) {
			ktap_print("%s: %s", knobs[i].path, strerror(-ret));
			no_failnth = "cannot set up fault injection (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_USERCOPY, CONFIG_FAULT_INJECTION_DEBUG_FS?)";
			ktap_check(0, "setup: %s", no_failnth);
			return;
		}
		knobs[i].old[strcspn(knobs[i].old, "\n")] = '\0';
		knobs[i].set = 1;
	}
	nthfd = open(FAILNTH, O_RDWR | O_CLOEXEC);
	if (nthfd < 0) {
		no_failnth = "cannot open " FAILNTH;
		ktap_check(0, "setup: %s", no_failnth);
		return;
	}
	ktap_check(1, "setup: failslab, fail_page_alloc, fail_usercopy and contig/fail/* armed for fail-nth");
}

static const struct ktap_group groups[] = {
	{ .name = "setup", .results = 1, .run = setup_group },
	{ .name = "alloc", .results = 9, .run = alloc_group },
	{ .name = "ioctls", .results = 7, .run = ioctl_group },
	{ .name = "mmap", .results = 3, .run = mmap_group },
	{ .name = "import", .results = 3, .run = import_group },
	{ .name = "unload", .results = 2, .run = unload_group },
};

int main(int argc, char **argv)
{
	if (argc > 1)
		module_path = argv[1];
	ktap_plan(groups, sizeof(groups) / sizeof(groups[0]));
	ctl = open(DEV, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		ktap_print("cannot open " DEV ": %s", strerror(errno));
		return 1;
	}
	ktap_run(groups, sizeof(groups) / sizeof(groups[0]));
	if (!no_failnth)
		ktap_print("swept %lu fault points in all", total_n);
	restore_knobs();
	if (ctl >= 0)
		close(ctl);
	return ktap_finish();
}
