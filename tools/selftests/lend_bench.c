// SPDX-License-Identifier: GPL-2.0
/*
 * lend_bench - taking memory back from the kernel: contig.ko lend=1 against
 * the kernel's own CMA doing the same job in the same boot.  Run by `make
 * bench` on the whole-block region, with cma= of the same size.
 *
 * Both areas are filled the same way before every measurement: tmpfs files
 * (page cache) and anonymous memory, in 4 MiB
 * chunks taken in turn, until the area is nearly full or free memory runs
 * low; then every page that landed outside the area is dropped again
 * (a hole punched in its file, MADV_DONTNEED), found in /proc/self/pagemap;
 * and again, up to 3 rounds.  The page allocator fills ZONE_MOVABLE, where
 * contig's lent block is, first; but it puts movable pages in CMA only once
 * CMA holds half the free memory, so the CMA area fills only as far as
 * memory can run low without the OOM killer (64 MiB left outside CMA):
 * about two thirds here.  So the CMA area is filled first, as far as it
 * goes, and the lent block then to the same fraction: both hold the same
 * share of page cache and anonymous pages that must be migrated, with
 * plenty of free memory for them to go to.
 *
 * Measured, each REPS times (median, and the spread min-max):
 *  - a 64 MiB CONTIGUOUS buffer (ours, CONTIG_IOCTL_ALLOC) against a
 *    64 MiB buffer of the CMA heap (DMA_HEAP_IOCTL_ALLOC on
 *    /dev/dma_heap/reserved), area full;
 *  - ours again, cleared on the caller's CPU alone (zero_cpus=1) as the
 *    CMA heap clears, where ours otherwise splits the clearing of 64 MiB
 *    over the CPUs (zero.c);
 *  - ours again with reserve=64M: taken memory kept back from the kernel
 *    after a first take and zeroed in the background, so the request
 *    waits for neither migration nor clearing;
 *  - 56 buffers of 1 MiB allocated in a row, then all freed, area full,
 *    with failures counted;
 *  - the bytes of the kernel's pages each side moved for the 64 MiB take
 *    (ours from the report; the CMA heap's, the pages of ours it found in
 *    the window it took, which cma_alloc() picks first fit), those bytes
 *    per second of the whole request (zeroing included), and a plain
 *    memcpy() of 64 MiB.
 * Both sides zero what they hand out.  Lines: "contig-bench: lend | CASE |
 * ours | kernel | ratio", ratio = ours / kernel of the medians.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uapi/contig.h>

#include "bench_util.h"
#include "contigctl_lend.h"

#define PG		4096UL
#define MB		(1UL << 20)
#define HEAP		"/dev/dma_heap/reserved"
#define CMA_DBG		"/sys/kernel/debug/cma/reserved/"
#define DIR_		"/tmp/lbench"
#define REPS		5
#define CHUNK		(4 * MB)
#define MAX_CHUNKS	4096
#define FILL_ROUNDS	3
#define BIG		(64 * MB)
#define SMALL_N		56

static int ctl, heap = -1;

struct chunk {
	char *p;	/* anonymous, or NULL for a file */
	int file;	/* file number, for a file chunk */
};

static struct chunk chunks[MAX_CHUNKS];
static unsigned int nchunks, nfiles;

static void line(const char *what, double *ours, int no, double *kern, int nk,
		 const char *unit)
{
	bench_line("lend", what, ours, no, kern, nk, unit);
}

/* ---- filling an area ------------------------------------------------------ */

/*
 * Drop the pages of [@p, @p + CHUNK) outside [@lo, @lo + @n); count those
 * inside.  @fd: the chunk's file (a hole punched), or -1 (anonymous).
 */
static unsigned long trim(int pm, char *p, int fd, unsigned long lo,
			  unsigned long n)
{
	static uint64_t ent[CHUNK / PG];
	unsigned long j, start = ~0UL, in = 0;

	if (pread(pm, ent, sizeof(ent), (uintptr_t)p / PG * 8) != sizeof(ent))
		return 0;
	for (j = 0; j <= CHUNK / PG; j++) {
		uint64_t pfn = j < CHUNK / PG ? ent[j] & ((1ULL << 55) - 1) : 0;
		int keep = j < CHUNK / PG && (ent[j] >> 63) && pfn >= lo &&
			   pfn < lo + n;

		in += keep;
		if (!keep && j < CHUNK / PG && start == ~0UL)
			start = j;
		if ((keep || j == CHUNK / PG) && start != ~0UL) {
			if (fd >= 0)
				fallocate(fd, FALLOC_FL_PUNCH_HOLE |
					  FALLOC_FL_KEEP_SIZE, start * PG,
					  (j - start) * PG);
			else
				madvise(p + start * PG, (j - start) * PG,
					MADV_DONTNEED);
			start = ~0UL;
		}
	}
	return in;
}

static int file_open(unsigned int i, int create)
{
	char path[64];

	snprintf(path, sizeof(path), DIR_ "/f%u", i);
	return open(path, O_RDWR | (create ? O_CREAT | O_TRUNC : 0), 0600);
}

/*
 * Map chunk @c, with its pages in our page table for pagemap: a file's
 * mapping has the pages it has in the page cache (mincore()) touched.
 * Not MAP_POPULATE: a read fault on a hole of a tmpfs file allocates a
 * page, and the holes punched would all fill again.
 */
static char *map_chunk(const struct chunk *c, int *fd)
{
	static unsigned char vec[CHUNK / PG];
	unsigned long j;
	char *p;

	*fd = -1;
	if (c->p)
		return c->p;
	*fd = file_open(c->file, 0);
	if (*fd < 0)
		return NULL;
	p = mmap(NULL, CHUNK, PROT_READ, MAP_SHARED, *fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mincore(p, CHUNK, vec))
		memset(vec, 0, sizeof(vec));
	for (j = 0; j < CHUNK / PG; j++)
		if (vec[j] & 1)
			(void)*(volatile char *)(p + j * PG);
	return p;
}

static void unfill(void)
{
	char path[64];
	unsigned int i;

	for (i = 0; i < nchunks; i++)
		if (chunks[i].p)
			munmap(chunks[i].p, CHUNK);
	for (i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), DIR_ "/f%u", i);
		unlink(path);
	}
	nchunks = nfiles = 0;
}

/* Pages of chunk @c in [@lo, @lo + @n). */
static unsigned long chunk_in(int pm, const struct chunk *c, unsigned long lo,
			      unsigned long n)
{
	static uint64_t ent[CHUNK / PG];
	unsigned long in = 0, j;
	char *p;
	int fd;

	p = map_chunk(c, &fd);
	if (p && pread(pm, ent, sizeof(ent), (uintptr_t)p / PG * 8) ==
	    sizeof(ent))
		for (j = 0; j < CHUNK / PG; j++)
			in += (ent[j] >> 63) &&
			      (ent[j] & ((1ULL << 55) - 1)) - lo < n;
	if (fd >= 0) {
		if (p)
			munmap(p, CHUNK);
		close(fd);
	}
	return in;
}

/*
 * Fill [@lo, @lo + @n) (pfns) with page cache and anonymous memory: see
 * the file comment.  In rounds: fill until @want pages are in the area or
 * free memory is low, then drop what landed outside; again, up to
 * FILL_ROUNDS times.  Returns the pages left in the area.
 */
static unsigned long fill(unsigned long lo, unsigned long n,
			  unsigned long want)
{
	static char buf[CHUNK];
	unsigned long in = 0;
	unsigned int i, first, round;
	int pm = open("/proc/self/pagemap", O_RDONLY), fd;
	char *p;

	unfill();
	memset(buf, 0x5a, sizeof(buf));
	for (round = 0; round < FILL_ROUNDS && in < want; round++) {
		first = nchunks;
		/*
		 * Free memory outside CMA is what the kernel's unmovable
		 * allocations (our page tables among them) can use: keep
		 * 64 MiB of it, or the OOM killer comes.
		 */
		while (nchunks < MAX_CHUNKS && in < want &&
		       meminfo("MemFree") - meminfo("CmaFree") > 64 * (long)MB) {
			struct chunk *c = &chunks[nchunks];

			if (nchunks % 2) {
				p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				if (p == MAP_FAILED)
					break;
				/* Small pages: dropped one by one. */
				madvise(p, CHUNK, MADV_NOHUGEPAGE);
				memset(p, 0x5a, CHUNK);
				*c = (struct chunk){ .p = p };
			} else {
				fd = file_open(nfiles, 1);
				if (fd < 0 || write(fd, buf, CHUNK) != CHUNK) {
					if (fd >= 0)
						close(fd);
					break;
				}
				close(fd);
				*c = (struct chunk){ .file = nfiles++ };
			}
			in += chunk_in(pm, c, lo, n);
			nchunks++;
		}
		/* Drop what landed outside: this round's chunks only. */
		in = 0;
		for (i = 0; i < nchunks; i++) {
			if (i < first) {
				in += chunk_in(pm, &chunks[i], lo, n);
				continue;
			}
			p = map_chunk(&chunks[i], &fd);
			if (p)
				in += trim(pm, p, fd, lo, n);
			if (fd >= 0) {
				if (p)
					munmap(p, CHUNK);
				close(fd);
			}
		}
	}
	close(pm);
	return in;
}

/* Pages of our fill in [@lo, @lo + @n), now. */
static unsigned long ours_in(unsigned long lo, unsigned long n)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	unsigned long in = 0;
	unsigned int i;

	for (i = 0; i < nchunks; i++)
		in += chunk_in(pm, &chunks[i], lo, n);
	close(pm);
	return in;
}

/* ---- the two allocators ----------------------------------------------------- */

/* Seconds for a CONTIGUOUS alloc of @size, its fd in *@fd; -1 on failure. */
static double ours_alloc(uint64_t size, int *fd, uint64_t *moved)
{
	struct contig_alloc_report rep = { 0 };
	struct contig_alloc_data a = {
		.size = size, .kind = CONTIG_KIND_CONTIGUOUS,
		.fd_flags = O_RDWR | O_CLOEXEC, .report = (uintptr_t)&rep,
	};
	double t = now();

	*fd = -1;
	if (ioctl(ctl, CONTIG_IOCTL_ALLOC, &a))
		return -1;
	t = now() - t;
	*fd = a.fd;
	if (moved)
		*moved = a.move_bytes;
	return t;
}

static double heap_alloc(uint64_t size, int *fd)
{
	struct dma_heap_allocation_data d = {
		.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	double t = now();

	*fd = -1;
	if (heap < 0 || ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d))
		return -1;
	t = now() - t;
	*fd = d.fd;
	return t;
}

static uint64_t taken_bytes(void)
{
	struct contig_stats_data st = { 0 };

	return ioctl(ctl, CONTIG_IOCTL_STATS, &st) ? ~0ULL : st.taken_bytes;
}

/* Wait (up to 10 s) until contig has given back all but @keep bytes. */
static void given_back(uint64_t keep)
{
	for (int i = 0; i < 100 && taken_bytes() > keep; i++)
		usleep(100000);
}

/* Bytes zeroed in reserve= (debugfs lend), or 0. */
static uint64_t reserve_zeroed(void)
{
	FILE *f = fopen("/sys/kernel/debug/contig/lend", "r");
	unsigned long long v = 0;
	char line[128];

	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "reserve_zeroed_bytes: %llu", &v);
	if (f)
		fclose(f);
	return v;
}

/* Wait (up to 10 s) until reserve= holds @bytes zeroed. */
static void reserve_ready(uint64_t bytes)
{
	for (int i = 0; i < 100 && reserve_zeroed() < bytes; i++)
		usleep(100000);
}

/* Write @v to contig.ko's parameter @name: 0, or -1. */
static int set_param(const char *name, unsigned long long v)
{
	char path[96];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/module/contig/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fprintf(f, "%llu\n", v) > 0;
	return fclose(f) || !ok ? -1 : 0;
}

/* The lent block (from /proc/iomem), onlined by `contigctl lend`. */
static int lend_online(unsigned long long *pfn, unsigned long long *pfns)
{
	FILE *f = fopen("/proc/iomem", "r");
	unsigned long long s, e;
	char line[256];
	int ret = -1;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, "System RAM (contig)") ||
		    sscanf(line, " %llx-%llx", &s, &e) != 2)
			continue;
		*pfn = s / PG;
		*pfns = (e + 1 - s) / PG;
		ret = 0;
	}
	if (f)
		fclose(f);
	return ret ?: run_contigctl_lend();
}

/* One side's figures for the 64 MiB request. */
struct figures {
	double ms[REPS], mb[REPS], rate[REPS];
	int n;
};

static void record(struct figures *f, double secs, uint64_t moved)
{
	if (secs <= 0)
		return;
	f->ms[f->n] = secs * 1e3;
	f->mb[f->n] = (double)moved / MB;
	f->rate[f->n++] = (double)moved / MB / secs;
}

static double memcpy_mbs(size_t size)
{
	double v[REPS], lo, hi;
	int r;

	if (memcpy_secs(size, REPS, v))
		return -1;
	for (r = 0; r < REPS; r++)
		v[r] = size / MB / v[r];
	return bench_median(v, REPS, &lo, &hi);
}

int main(void)
{
	struct figures of = { 0 }, kf = { 0 };
	double ores[REPS], o1[REPS], os[REPS], ks[REPS], t, cp;
	double levels[REPS] = { 0 }, level, lo, hi;
	unsigned long long lent_pfn = 0, lent_pfns = 0;
	unsigned long cma_base, cma_count, in, zero_cpus;
	int nr = 0, n1 = 0, nos = 0, nks = 0, fd, r, i;
	int fds[SMALL_N], ofail = 0, kfail = 0;
	uint64_t moved;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* progress, as it goes */
	ctl = open("/dev/contig", O_RDWR | O_CLOEXEC);
	heap = open(HEAP, O_RDWR | O_CLOEXEC);
	cma_base = read_ul(CMA_DBG "base_pfn");
	cma_count = read_ul(CMA_DBG "count");
	if (ctl < 0 || lend_online(&lent_pfn, &lent_pfns) || heap < 0 ||
	    !cma_count) {
		printf("# lend_bench: needs contig.ko lend=1 on a whole block and the CMA heap (contig %d, lent %llu pages, heap %d, CMA %lu pages)\n",
		       ctl, lent_pfns, heap, cma_count);
		return 1;
	}
	mkdir(DIR_, 0755);
	if (mount("tmpfs", DIR_, "tmpfs", 0, "size=90%")) {
		printf("# lend_bench: cannot mount tmpfs on " DIR_ ": %s\n",
		       strerror(errno));
		return 1;
	}
	printf("# lent block: %llu MiB at pfn %#llx; CMA area: %lu MiB at pfn %#lx; %d repeats\n",
	       lent_pfns * PG / MB, lent_pfn, cma_count * PG / MB, cma_base,
	       REPS);

	/*
	 * 64 MiB, both areas filled: CMA's as far as it goes, the lent
	 * block to the same fraction.
	 */
	for (r = 0; r < REPS; r++) {
		in = fill(cma_base, cma_count, cma_count / 100 * 95);
		level = (double)in / cma_count;
		moved = ours_in(cma_base, BIG / PG) * PG;
		t = heap_alloc(BIG, &fd);
		record(&kf, t, moved);
		printf("# CMA %d: %lu MiB of the CMA area filled, %.1f ms, %llu KiB of it in the window taken\n",
		       r, in * PG / MB, t * 1e3, (unsigned long long)moved >> 10);
		if (fd >= 0)
			close(fd);

		given_back(0);
		in = fill(lent_pfn, lent_pfns, lent_pfns * level);
		t = ours_alloc(BIG, &fd, &moved);
		record(&of, t, moved);
		printf("# ours %d: %lu MiB of the lent block filled, %.1f ms, %llu KiB moved\n",
		       r, in * PG / MB, t * 1e3, (unsigned long long)moved >> 10);
		if (fd >= 0)
			close(fd);
		levels[r] = level * 100;
	}
	line("64 MiB contiguous, areas filled alike (ms)", of.ms, of.n, kf.ms,
	     kf.n, "ms");
	bench_median(levels, REPS, &lo, &hi);
	printf("# areas filled to %.0f-%.0f%%\n", lo, hi);

	/*
	 * The same, ours cleared on the caller's CPU alone (zero_cpus=1), as
	 * the CMA heap clears: what the take costs, split from the clearing.
	 */
	zero_cpus = read_ul("/sys/module/contig/parameters/zero_cpus");
	if (zero_cpus && !set_param("zero_cpus", 1)) {
		for (r = 0; r < REPS; r++) {
			given_back(0);
			fill(lent_pfn, lent_pfns, lent_pfns * levels[r] / 100);
			t = ours_alloc(BIG, &fd, &moved);
			if (t > 0)
				o1[n1++] = t * 1e3;
			if (fd >= 0)
				close(fd);
		}
		set_param("zero_cpus", zero_cpus);
	}
	memcpy(ks, kf.ms, sizeof(ks));
	line("64 MiB contiguous, filled, zero_cpus=1 (ms)", o1, n1, ks, kf.n,
	     "ms");

	/* reserve=64M: one take, then requests served from what it kept. */
	given_back(0);
	if (!set_param("reserve", BIG)) {
		fill(lent_pfn, lent_pfns, lent_pfns * levels[REPS / 2] / 100);
		t = ours_alloc(BIG, &fd, NULL);
		if (fd >= 0)
			close(fd);
		for (r = 0; r < REPS; r++) {
			/* Zeroed in the background, 2 s after the free. */
			reserve_ready(BIG);
			fill(lent_pfn, lent_pfns, lent_pfns * levels[REPS / 2] / 100);
			if (reserve_zeroed() < BIG)
				printf("# reserve: only %llu MiB zeroed\n",
				       (unsigned long long)reserve_zeroed() / MB);
			t = ours_alloc(BIG, &fd, NULL);
			if (t > 0)
				ores[nr++] = t * 1e3;
			if (fd >= 0)
				close(fd);
		}
		printf("# reserve: %llu MiB kept taken\n",
		       (unsigned long long)taken_bytes() / MB);
		set_param("reserve", 0);
	}
	memcpy(ks, kf.ms, sizeof(ks));
	line("64 MiB contiguous, filled, reserve=64M (ms)", ores, nr, ks, kf.n,
	     "ms");

	/* 56 x 1 MiB in a row, then all freed. */
	for (r = 0; r < REPS; r++) {
		in = fill(cma_base, cma_count, cma_count / 100 * 95);
		level = (double)in / cma_count;
		t = now();
		for (i = 0; i < SMALL_N; i++)
			if (heap_alloc(MB, &fds[i]) < 0)
				kfail++;
		ks[nks++] = (now() - t) * 1e3;
		for (i = 0; i < SMALL_N; i++)
			if (fds[i] >= 0)
				close(fds[i]);

		given_back(0);
		fill(lent_pfn, lent_pfns, lent_pfns * level);
		t = now();
		for (i = 0; i < SMALL_N; i++)
			if (ours_alloc(MB, &fds[i], NULL) < 0)
				ofail++;
		os[nos++] = (now() - t) * 1e3;
		for (i = 0; i < SMALL_N; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	line("56 x 1 MiB in a row, areas filled alike (ms)", os, nos, ks, nks, "ms");
	printf("contig-bench: lend | 56 x 1 MiB: failed of %d | %d | %d | -\n",
	       SMALL_N * REPS, ofail, kfail);

	line("MiB moved for 64 MiB", of.mb, of.n, kf.mb, kf.n, "MiB");
	/* Zeroing included: the rate a request sees, not migration alone. */
	line("MiB moved per second of the 64 MiB request", of.rate, of.n,
	     kf.rate, kf.n, "MiB/s");
	cp = memcpy_mbs(BIG);
	printf("contig-bench: lend | memcpy() of 64 MiB | %.0f MiB/s | %.0f MiB/s | 1.00\n",
	       cp, cp);

	unfill();
	umount(DIR_);
	given_back(0);
	close(heap);
	close(ctl);
	return 0;
}
