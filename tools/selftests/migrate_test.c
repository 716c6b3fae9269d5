// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_test - MOVABLE buffers under migration, from user space.
 *
 * The region is filled with MOVABLE buffers, mapped by a writer process
 * pinned to one CPU that keeps writing and verifying a pattern in them;
 * meanwhile this process, on the other CPU, allocates a CONTIGUOUS buffer
 * of three quarters of the region, which can only succeed by moving the
 * writer's pages out.  The writer must never read a wrong byte nor die of
 * a fault.  Then: the ALLOC report of a request that cannot be served (a
 * pinned page, an unmovable block), the dry run, debugfs counters, pages
 * brought back, and every buffer freed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uapi/contig.h>

#include "ktap.h"

#define PG		4096UL
#define DEV		"/dev/contig"
#define DBG		"/sys/kernel/debug/contig/"
#define BUF_SIZE	(1UL << 20)
#define MAX_BUFS	4096

static int ctl;

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int alloc_buf(uint64_t size, uint64_t align, uint32_t kind,
		     struct contig_alloc_data *out, struct contig_alloc_report *rep)
{
	struct contig_alloc_data a = {
		.size = size, .align = align, .kind = kind,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.report = (uintptr_t)rep,
	};
	int ret = xioctl(ctl, CONTIG_IOCTL_ALLOC, &a);

	if (out)
		*out = a;
	return ret ? ret : (int)a.fd;
}

static int dry_run(uint64_t size, uint64_t align, struct contig_alloc_data *out,
		   struct contig_alloc_report *rep)
{
	struct contig_alloc_data a = {
		.size = size, .align = align, .kind = CONTIG_KIND_CONTIGUOUS,
		.flags = CONTIG_FLAG_DRY_RUN, .fd_flags = O_RDWR,
		.report = (uintptr_t)rep,
	};
	int ret = xioctl(ctl, CONTIG_IOCTL_ALLOC, &a);

	*out = a;
	return ret;
}

static struct contig_stats_data stats(void)
{
	struct contig_stats_data st = { 0 };

	if (xioctl(ctl, CONTIG_IOCTL_STATS, &st))
		ktap_print("STATS failed: %s", strerror(errno));
	return st;
}

/* A number from debugfs "migrate": the line starting with @key. */
static long long migrate_stat(const char *key)
{
	char line[160];
	long long v = -1;
	FILE *f = fopen(DBG "migrate", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key))) {
			v = strtoll(strchr(line, ':') + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Move pages pushed out to system memory back (debugfs bring_back). */
static int bring_back(void)
{
	int fd = open(DBG "bring_back", O_WRONLY), ok;

	ok = fd >= 0 && write(fd, "1", 1) == 1;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static inline uint64_t word(unsigned int buf, uint64_t i, uint32_t pass)
{
	return ((uint64_t)pass << 48) ^ ((uint64_t)buf << 32) ^ i ^
	       0x3c3c3c3c00000000ULL;
}

struct shared {
	volatile int stop;
	volatile unsigned long passes;
	volatile unsigned long bad;
	volatile unsigned long bad_buf, bad_off;
};

/* Write and verify every buffer, pass after pass, until told to stop. */
static void writer(struct shared *sh, uint64_t **maps, unsigned int n)
{
	const uint64_t words = BUF_SIZE / sizeof(uint64_t);
	uint32_t pass;
	unsigned int b;
	uint64_t i;

	pin_cpu(1);
	for (pass = 1; !sh->stop || sh->passes < 3; pass++) {
		for (b = 0; b < n; b++) {
			uint64_t *p = maps[b];

			for (i = 0; i < words; i++)
				p[i] = word(b, i, pass);
			for (i = 0; i < words; i++)
				if (p[i] != word(b, i, pass)) {
					if (!sh->bad++) {
						sh->bad_buf = b;
						sh->bad_off = i * 8;
					}
				}
		}
		sh->passes++;
	}
	/* The last pass's pattern, once more, everywhere. */
	for (b = 0; b < n; b++)
		for (i = 0; i < words; i++)
			if (maps[b][i] != word(b, i, pass - 1))
				sh->bad++;
	_exit(0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the groups share. */
static struct {
	int fds[MAX_BUFS];
	uint64_t *maps[MAX_BUFS];
	unsigned int n;			/* movable buffers */
	struct contig_stats_data base;
	long long pushed0, migrated0;
	int whole_free;
	struct shared *sh;		/* the writer's, NULL if it never ran */
	pid_t pid;
} t;

/* 1. Fill the region with movable buffers, mapped. */
static void fill(const void *arg)
{
	struct contig_stats_data st;
	int fd;

	while (t.n < MAX_BUFS) {
		fd = alloc_buf(BUF_SIZE, 0, CONTIG_KIND_MOVABLE, NULL, NULL);
		if (fd < 0)
			break;
		t.maps[t.n] = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0);
		if (t.maps[t.n] == MAP_FAILED) {
			close(fd);
			break;
		}
		t.fds[t.n++] = fd;
	}
	st = stats();
	ktap_check(t.n >= 8 && st.free < BUF_SIZE,
		   "the region is full of movable buffers: %u of 1 MiB, %llu KiB free",
		   t.n, (unsigned long long)st.free >> 10);
}

/* 3. Half the region aligned to half: ENOMEM with a report; its dry run. */
static void refusals(struct contig_alloc_data *a, struct contig_alloc_report *rep)
{
	int ret;

	ret = alloc_buf(t.base.region_size / 2, t.base.region_size / 2,
			CONTIG_KIND_CONTIGUOUS, a, rep);
	ktap_check(ret == -ENOMEM && rep->result == -ENOMEM && a->nr_blocked == 2 &&
		   rep->nr_windows == 2 && rep->nr_reported >= 1 &&
		   (rep->windows[0].holder == CONTIG_HOLDER_UNMOVABLE ||
		    rep->windows[0].holder == CONTIG_HOLDER_SLAB),
		   "half the region next to it: ENOMEM, %u of %u windows blocked, first by pfn %#llx (holder %u) (%s)",
		   rep->nr_blocked, rep->nr_windows,
		   (unsigned long long)rep->windows[0].blocker_pfn,
		   rep->windows[0].holder, strerror(-ret));
	ret = dry_run(t.base.region_size / 2, t.base.region_size / 2, a, rep);
	ktap_check(ret == -ENOMEM && a->nr_blocked == 2 && a->fd == 0,
		   "the dry run says the same (%s)", strerror(-ret));
}

/*
 * 2. The writer, on CPU 1; on CPU 0, most of the region, contiguous,
 * while it writes.
 */
static void contiguous_under_writer(const void *arg)
{
	struct contig_alloc_report rep;
	struct contig_alloc_data a;
	unsigned long passes;
	int fd, status = 0;
	double s;

	t.sh = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		    -1, 0);
	if (t.sh == MAP_FAILED) {
		t.sh = NULL;
		ktap_fail_rest("no shared page for the writer");
		return;
	}
	memset((void *)t.sh, 0, sizeof(*t.sh));
	t.pid = fork();
	if (!t.pid)
		writer(t.sh, t.maps, t.n);
	pin_cpu(0);
	while (t.sh->passes < 1 && waitpid(t.pid, &status, WNOHANG) == 0)
		usleep(10000);

	memset(&rep, 0, sizeof(rep));
	passes = t.sh->passes;
	s = now();
	fd = alloc_buf(t.base.region_size / 4 * 3, 0, CONTIG_KIND_CONTIGUOUS, &a,
		       &rep);
	s = now() - s;
	ktap_check(fd >= 0 && a.move_bytes > 0 && rep.result == 0 &&
		   rep.move_bytes == a.move_bytes,
		   "a contiguous 3/4 of the region succeeds by moving %llu KiB in %.3f s while the writer runs (%s)",
		   (unsigned long long)a.move_bytes >> 10, s,
		   fd < 0 ? strerror(-fd) : "ok");
	ktap_check(t.sh->passes > passes || !t.sh->bad,
		   "the writer ran during the allocation (passes %lu -> %lu)",
		   passes, t.sh->passes);

	/* Refusals say why: an unmovable block is in every window. */
	refusals(&a, &rep);

	if (fd >= 0)
		close(fd);
	/*
	 * The pages pushed out come back (a work item does it on the free;
	 * make sure it is done): the region is full again, 3/4 of it must move.
	 */
	bring_back();
	fd = dry_run(t.base.region_size / 4 * 3, 0, &a, &rep);
	ktap_check(fd == 0 && a.move_bytes > 0 && a.fd == 0,
		   "once freed and the pages back, a dry run of 3/4 says yes, moving %llu KiB (%s)",
		   (unsigned long long)a.move_bytes >> 10, strerror(-fd));
}

/* 4. The writer saw nothing wrong and did not die. */
static void writer_result(const void *arg)
{
	int status = 0;

	if (!t.sh) {
		ktap_fail_rest("the writer never ran");
		return;
	}
	t.sh->stop = 1;
	waitpid(t.pid, &status, 0);
	ktap_check(WIFEXITED(status) && !WEXITSTATUS(status),
		   "the writer exited normally (status %#x)", status);
	ktap_check(!t.sh->bad, "the writer never read a wrong byte in %lu passes (%lu bad, first at buffer %lu offset %lu)",
		   t.sh->passes, t.sh->bad, t.sh->bad_buf, t.sh->bad_off);
}

/* 5. What debugfs counted; the pages pushed out came back. */
static void counters(const void *arg)
{
	int ok;

	ktap_check(migrate_stat("pushed out") + migrate_stat("migrated in region") >
		   t.pushed0 + t.migrated0,
		   "debugfs migrate counts the pages moved (%lld pushed out, %lld within)",
		   migrate_stat("pushed out") - t.pushed0,
		   migrate_stat("migrated in region") - t.migrated0);
	ok = bring_back();
	ktap_check(ok && migrate_stat("  in system memory") == 0,
		   "after bring_back no page is left in system memory (%lld)",
		   migrate_stat("  in system memory"));
}

/* 6. A page the kernel pinned blocks the one window of the region. */
static void pinned(const void *arg)
{
	struct contig_alloc_report rep;
	struct contig_alloc_data a;
	char cmd[64];
	int fd, ok, ret;

	if (!t.whole_free || !t.n) {
		ktap_skip_rest("the region was not wholly free at the start");
		return;
	}
	fd = open("/sys/kernel/debug/contig_test_hook/buffer_test", O_RDWR);
	snprintf(cmd, sizeof(cmd), "peek %d 0 8", t.fds[t.n - 1]);
	ok = fd >= 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd);
	if (fd >= 0)
		close(fd);
	ret = alloc_buf(t.base.region_size, 0, CONTIG_KIND_CONTIGUOUS, &a, &rep);
	ktap_check(ok && ret == -EBUSY && rep.nr_windows == 1 &&
		   rep.windows[0].holder == CONTIG_HOLDER_PINNED,
		   "a pinned movable page: the whole region is EBUSY, pfn %#llx pinned (%s)",
		   (unsigned long long)rep.windows[0].blocker_pfn, strerror(-ret));
	if (ret >= 0)
		close(ret);
}

/* 7. The data survived, every buffer frees. */
static void end(const void *arg)
{
	struct contig_stats_data st;
	unsigned int i;
	int ok = 1;

	for (i = 0; i < t.n; i++) {
		uint64_t *p = t.maps[i], w = p[0];
		uint64_t j;

		for (j = 1; j < BUF_SIZE / 8 && ok; j++)
			if ((p[j] ^ j) != w)
				ok = 0;
	}
	ktap_check(ok, "every buffer still holds the writer's last pattern");
	for (i = 0; i < t.n; i++) {
		munmap(t.maps[i], BUF_SIZE);
		close(t.fds[i]);
	}
	for (i = 0; i < 100; i++) {
		st = stats();
		if (st.free == t.base.free)
			break;
		usleep(20000);
	}
	ktap_check(st.free == t.base.free && st.largest_free == t.base.largest_free,
		   "everything is freed: %llu KiB free as at the start",
		   (unsigned long long)st.free >> 10);
	ktap_check(migrate_stat("movable pages") == 0,
		   "no movable page is left (%lld)", migrate_stat("movable pages"));
}

int main(void)
{
	static const struct ktap_group groups[] = {
		{ "fill", 1, fill, NULL },
		{ "contiguous under the writer", 5, contiguous_under_writer, NULL },
		{ "writer", 2, writer_result, NULL },
		{ "counters", 2, counters, NULL },
		{ "pinned", 1, pinned, NULL },
		{ "end", 3, end, NULL },
	};
	const unsigned int ngroups = sizeof(groups) / sizeof(groups[0]);

	ktap_plan(groups, ngroups);
	ctl = open(DEV, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		ktap_print("cannot open " DEV ": %s", strerror(errno));
		return 1;
	}
	t.base = stats();
	t.whole_free = t.base.free == t.base.region_size;
	t.pushed0 = migrate_stat("pushed out");
	t.migrated0 = migrate_stat("migrated in region");
	ktap_run(groups, ngroups);
	close(ctl);
	return ktap_finish();
}
