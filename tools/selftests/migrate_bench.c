// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_bench - a contiguous allocation of the whole region, on an empty
 * region and on a region full of movable memory, against the kernel's own
 * CMA doing the same job in the same boot: the "reserved" CMA dma-heap
 * (cma= on the command line), on an empty area and on an area full of
 * anonymous memory.  Run by `make bench` (tools/bench.list).
 *
 *  - ours: CONTIG_IOCTL_ALLOC of a CONTIGUOUS buffer of the region's size;
 *    "full": the region first filled with MOVABLE buffers of 1 MiB, every
 *    page written, so every page has to be moved (to system memory, as
 *    nothing in the region is free); they are brought back between runs;
 *  - kernel: DMA_HEAP_IOCTL_ALLOC of as many bytes on /dev/dma_heap/reserved;
 *    "full": anonymous memory is allocated until little is free, which
 *    makes the page allocator place movable pages in the CMA area, then
 *    every page outside the window the heap will take is freed again
 *    (found in /proc/self/pagemap; small pages only, MADV_NOHUGEPAGE),
 *    leaving that window (the area's first bytes, as cma_alloc() fits
 *    first, when the area is larger than the request) mostly full of
 *    anonymous pages that it must migrate, with plenty of free memory to
 *    go to.  (The allocator only puts movable pages in CMA once CMA holds
 *    half the free memory, so the area cannot be filled completely
 *    without exhausting memory.)
 *
 *  - "idle, pre-zeroed": ours waits (untimed) until the background
 *    clearing (prezero.c) has cleared every free frame of the region, as
 *    on a machine where the region sat idle a moment, then allocates; the
 *    heap's figure is the same as for "empty".  The waits are printed.
 *    The other cases run with prezero=0, so ours clears on the spot, as
 *    the heap always does.
 *
 * Both zero the buffer they hand out.  Ours and the kernel's case run in
 * turns, REPS times (the CMA area filled again before each), and each
 * figure is the median with the min and max (bench_util.h); the bytes
 * each side moved are printed, and the rate at which they were moved (the
 * full case less the median empty one, that is less zeroing) against a
 * plain memcpy() of as many bytes (the physical limit).  Lines:
 * "contig-bench: migrate | CASE | ours | kernel | ratio".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <uapi/contig.h>

#include "bench_util.h"

#define PG		4096UL
#define MB		(1UL << 20)
#define HEAP		"/dev/dma_heap/reserved"
#define CMA_DBG		"/sys/kernel/debug/cma/reserved/"
#define REPS		5
#define FILL_CHUNK	(4 * MB)
#define MAX_CHUNKS	2048

static int ctl;

static void line(const char *what, double *ours, int no, double *kern, int nk,
		 const char *unit)
{
	bench_line("migrate", what, ours, no, kern, nk, unit);
}

/* Seconds for one CONTIGUOUS alloc (freed at once), or -1. */
static double ours_alloc(uint64_t size, uint64_t *moved)
{
	struct contig_alloc_data a = {
		.size = size, .kind = CONTIG_KIND_CONTIGUOUS,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	double t = now();

	if (ioctl(ctl, CONTIG_IOCTL_ALLOC, &a))
		return -1;
	t = now() - t;
	close(a.fd);
	if (moved)
		*moved = a.move_bytes;
	return t;
}

static double heap_alloc(int heap, uint64_t size)
{
	struct dma_heap_allocation_data h = {
		.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	double t = now();

	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &h))
		return -1;
	t = now() - t;
	close(h.fd);
	return t;
}

/* Turn the background clearing on or off; false when there is none. */
static bool set_prezero(bool on)
{
	int fd = open("/sys/module/contig/parameters/prezero", O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, on ? "Y" : "N", 1) == 1;
	close(fd);
	return ok;
}

/*
 * Wait until debugfs "prezero" says every free frame is zeroed: the
 * seconds waited, or -1 after @max seconds (or without the file).
 */
static double wait_zeroed(double max)
{
	double t0 = now();
	unsigned long z, f;
	char buf[512], *p;
	ssize_t n;
	int fd;

	for (;;) {
		fd = open("/sys/kernel/debug/contig/prezero", O_RDONLY);
		if (fd < 0)
			return -1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return -1;
		buf[n] = '\0';
		p = strstr(buf, "free_zeroed: ");
		if (!p || sscanf(p, "free_zeroed: %lu of %lu", &z, &f) != 2)
			return -1;
		if (z == f)
			return now() - t0;
		if (now() - t0 > max)
			return -1;
		usleep(20000);
	}
}

static void bring_back(void)
{
	int fd = open("/sys/kernel/debug/contig/bring_back", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror("bring_back");
		close(fd);
	}
}

/*
 * Fill the CMA area [@base, @base + @count) with anonymous pages: see the
 * file comment.  Returns the pages left in the area, chunks in @chunks.
 */
static unsigned long fill_cma(unsigned long base, unsigned long count,
			      char **chunks, unsigned int *nchunks)
{
	unsigned long in = 0, off;
	unsigned int i, first, round;
	int pm = open("/proc/self/pagemap", O_RDONLY);

	if (pm < 0)
		return 0;
	*nchunks = 0;
	/* Each round fills memory and frees what landed outside the area. */
	for (round = 0; round < 4 && in < count / 10 * 9; round++) {
		first = *nchunks;
		while (*nchunks < MAX_CHUNKS &&
		       meminfo("MemFree") > 32 * (long)MB) {
			char *p = mmap(NULL, FILL_CHUNK, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				break;
			/* Small pages: a huge one is not freed piecemeal. */
			madvise(p, FILL_CHUNK, MADV_NOHUGEPAGE);
			for (off = 0; off < FILL_CHUNK; off += PG)
				p[off] = 1;	/* private copies, not the zero page */
			chunks[(*nchunks)++] = p;
		}
		for (i = first; i < *nchunks; i++) {
			uint64_t ent[FILL_CHUNK / PG];
			unsigned long j, start = ~0UL;

			if (pread(pm, ent, sizeof(ent),
				  (uintptr_t)chunks[i] / PG * 8) != sizeof(ent))
				continue;
			for (j = 0; j <= FILL_CHUNK / PG; j++) {
				uint64_t pfn = j < FILL_CHUNK / PG ?
					       ent[j] & ((1ULL << 55) - 1) : 0;
				int keep = j < FILL_CHUNK / PG &&
					   (ent[j] >> 63) &&
					   pfn >= base && pfn < base + count;

				if (keep)
					in++;
				if (!keep && j < FILL_CHUNK / PG && start == ~0UL)
					start = j;
				if ((keep || j == FILL_CHUNK / PG) &&
				    start != ~0UL) {
					madvise(chunks[i] + start * PG,
						(j - start) * PG, MADV_DONTNEED);
					start = ~0UL;
				}
			}
		}
	}
	close(pm);
	return in;
}

/* Median seconds of a memcpy() of @size bytes, or -1. */
static double memcpy_time(size_t size)
{
	double t[REPS], lo, hi;

	if (memcpy_secs(size, REPS, t))
		return -1;
	return bench_median(t, REPS, &lo, &hi);
}

int main(void)
{
	static char *chunks[MAX_CHUNKS];
	static int fds[1024];
	struct contig_stats_data st = { 0 };
	double oe[REPS], ke[REPS], of[REPS], kf[REPS], om[REPS], km[REPS];
	double orate[REPS], krate[REPS], ope[REPS], kpe[REPS];
	double t, cp, oe_med, ke_med, lo, hi;
	int noe = 0, nke = 0, nof = 0, nkf = 0, nor = 0, nkr = 0, r, i, fd;
	unsigned long base, count, in_cma;
	unsigned int nchunks = 0, n;
	uint64_t size, m;
	int heap;

	ctl = open("/dev/contig", O_RDWR | O_CLOEXEC);
	heap = open(HEAP, O_RDWR | O_CLOEXEC);
	if (ctl < 0 || ioctl(ctl, CONTIG_IOCTL_STATS, &st)) {
		printf("# no /dev/contig\n");
		return 1;
	}
	size = st.region_size;
	/* The CMA area is cma= of `make bench`; both take one size, if it fits. */
	if (heap >= 0 && heap_alloc(heap, size) < 0)
		size /= 2;
	printf("# %llu MiB, CMA heap %s, %d repeats\n",
	       (unsigned long long)size / MB, heap >= 0 ? "present" : "absent",
	       REPS);

	/* Idle: the background clearing has been through the region. */
	if (set_prezero(true)) {
		double oz[REPS], kz[REPS], wz[REPS];
		int noz = 0, nkz = 0;

		for (r = 0; r < REPS; r++) {
			double w = wait_zeroed(30);

			t = w >= 0 ? ours_alloc(size, NULL) : -1;
			if (t >= 0) {
				wz[noz] = w * 1e3;
				oz[noz++] = t * 1e3;
			}
			t = heap >= 0 ? heap_alloc(heap, size) : -1;
			if (t >= 0)
				kz[nkz++] = t * 1e3;
		}
		t = bench_median(wz, noz, &lo, &hi);
		printf("# pre-zeroed: waited %.0f ms (%.0f-%.0f) for the background clearing of %llu MiB\n",
		       t, lo, hi, (unsigned long long)size / MB);
		line("contiguous whole, idle, pre-zeroed (ms)", oz, noz, kz,
		     nkz, "ms");
		set_prezero(false);
	}

	for (r = 0; r < REPS; r++) {
		t = ours_alloc(size, NULL);
		if (t >= 0)
			oe[noe++] = t * 1e3;
		t = heap >= 0 ? heap_alloc(heap, size) : -1;
		if (t >= 0)
			ke[nke++] = t * 1e3;
	}
	line("contiguous whole, empty (ms)", oe, noe, ke, nke, "ms");
	oe_med = bench_median(oe, noe, &lo, &hi) / 1e3;
	ke_med = bench_median(ke, nke, &lo, &hi) / 1e3;

	base = read_ul(CMA_DBG "base_pfn");
	count = read_ul(CMA_DBG "count");
	for (r = 0; r < REPS; r++) {
		struct contig_alloc_data a;

		/* Ours, full of movable memory. */
		for (n = 0; n < 1024; n++) {
			char *p;

			a = (struct contig_alloc_data){
				.size = MB, .kind = CONTIG_KIND_MOVABLE,
				.fd_flags = O_RDWR | O_CLOEXEC,
			};
			if (ioctl(ctl, CONTIG_IOCTL_ALLOC, &a))
				break;
			fds[n] = a.fd;
			p = mmap(NULL, MB, PROT_READ | PROT_WRITE, MAP_SHARED,
				 a.fd, 0);
			if (p != MAP_FAILED) {
				memset(p, 0x5a, MB);
				munmap(p, MB);
			}
		}
		m = 0;
		t = ours_alloc(size, &m);
		if (t >= 0) {
			of[nof] = t * 1e3;
			om[nof++] = (double)m / MB;
			if (t > oe_med)
				orate[nor++] = (double)m / MB / (t - oe_med);
		}
		for (i = 0; i < (int)n; i++)
			close(fds[i]);
		bring_back();

		/* The kernel's CMA, full of anonymous memory. */
		if (heap < 0 || !count)
			continue;
		in_cma = fill_cma(base, count < size / PG ? count : size / PG,
				  chunks, &nchunks);
		t = heap_alloc(heap, size);
		for (n = 0; n < nchunks; n++)
			munmap(chunks[n], FILL_CHUNK);
		if (t < 0)
			continue;
		kf[nkf] = t * 1e3;
		km[nkf++] = (double)in_cma * PG / MB;
		if (t > ke_med)
			krate[nkr++] = (double)in_cma * PG / MB / (t - ke_med);
	}
	line("MiB moved (full)", om, nof, km, nkf, "MiB");
	line("contiguous whole, full (ms)", of, nof, kf, nkf, "ms");

	/* Migration alone: the full case less the empty one (zeroing). */
	cp = size / MB / memcpy_time(size);
	line("MiB/s moved (full)", orate, nor, krate, nkr, "MiB/s");
	printf("contig-bench: migrate | memcpy() of %llu MiB | %.0f MiB/s | %.0f MiB/s | 1.00\n",
	       (unsigned long long)size / MB, cp, cp);
	for (r = 0; r < nor; r++)
		ope[r] = 100 * orate[r] / cp;
	for (r = 0; r < nkr; r++)
		kpe[r] = 100 * krate[r] / cp;
	line("% of memcpy rate", ope, nor, kpe, nkr, "%");
	fd = heap;
	if (fd >= 0)
		close(fd);
	close(ctl);
	return 0;
}
