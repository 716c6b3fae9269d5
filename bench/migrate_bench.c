// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_bench.c - contig_migrate_bench.ko: contiguous allocations that
 * need migration, through the kernel API, against the kernel's CMA and
 * against copying the same bytes.
 *
 *   empty   contig_alloc() of the whole region (CONTIGUOUS, zeroed) on an
 *           empty region, against dma_alloc_coherent() of as many bytes on
 *           a platform device without an IOMMU, which cma_alloc()s them
 *           from the default CMA area (cma=);
 *   full    the same on a region full of movable memory
 *           (contig_movable_alloc() in 1 MiB handles, written): every page
 *           is pushed out to system memory; against a plain memcpy() of
 *           as many bytes from the region to system memory (the physical
 *           limit of the job);
 *   within  half the region on a region whose movable memory fills it in
 *           4-page handles of which every other one was freed: the pages
 *           in the cheapest window move to free frames of the region;
 *           against memcpy() of as many bytes to system memory.
 *
 * "ours" includes zeroing the buffer handed out (the empty case alone is
 * that cost); under QEMU TCG the figures are the emulator's.
 *
 * The movable pages come back (contig_migrate_bring_back()) between runs,
 * untimed.  CMA filled with movable memory, the kernel's own "full" case,
 * needs user space (anonymous memory): tools/selftests/migrate_bench.
 * Ours and the kernel's case run in turns, BENCH_REPS times; each figure
 * is the median with the min and max (bench_stats.h).  The bytes moved
 * printed are those of the median run of ours; each memcpy() copies as
 * many bytes as the run of ours just before it moved.
 *
 * Lines: "contig-bench: migrate | CASE | ours | kernel | ratio".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <contig.h>

#include "contig_internal.h"
#include "migrate.h"
#include "bench_stats.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();

#define BENCH_REPS	5

struct handles {
	struct contig_movable **h;
	unsigned long n, cap;
};

/* Fill the free region with movable handles of @pages, written. */
static void fill(struct handles *hs, unsigned long pages)
{
	struct contig_movable *m;
	void *va;

	while (hs->n < hs->cap) {
		m = contig_movable_alloc(pages << PAGE_SHIFT, 0);
		if (IS_ERR(m))
			break;
		va = contig_movable_map(m);
		if (!IS_ERR(va)) {
			memset(va, 0x5a, pages << PAGE_SHIFT);
			contig_movable_unmap(m);
		}
		hs->h[hs->n++] = m;
	}
}

static void drain(struct handles *hs)
{
	while (hs->n)
		contig_movable_free(hs->h[--hs->n]);
}

/* ns of contig_alloc(@size), freed untimed; 0 on failure. */
static u64 time_alloc(size_t size, u64 *moved)
{
	struct contig_alloc_report rep;
	struct contig_buffer *buf;
	u64 t0 = ktime_get_ns(), ns;

	/* Zeroed, as dma_alloc_coherent() and the CMA heap zero theirs. */
	buf = contig_alloc_ex(size, 0, CONTIG_KIND_CONTIGUOUS, CONTIG_FLAG_ZERO,
			      &rep);
	ns = ktime_get_ns() - t0;
	if (IS_ERR(buf)) {
		pr_err("contiguous %zu KiB: %ld\n", size >> 10, PTR_ERR(buf));
		return 0;
	}
	if (moved)
		*moved = rep.move_bytes;
	contig_put(buf);
	return ns;
}

/* ns of a plain memcpy() of @bytes from the region into system memory. */
static u64 time_copy(struct contig_region *r, size_t bytes)
{
	void *dst = vmalloc(bytes);
	u64 t0, ns;

	if (!dst)
		return 0;
	memset(dst, 1, bytes);	/* fault in and warm the destination */
	t0 = ktime_get_ns();
	memcpy(dst, r->vaddr, bytes);
	ns = ktime_get_ns() - t0;
	vfree(dst);
	return ns;
}

/*
 * One repeat of a case that moves memory: ours took @ns (0: failed) and
 * moved @moved bytes; the kernel's side is a memcpy() of as many.
 */
static void __bench_pair(struct bench_stat *ours, struct bench_stat *kernel,
			 u64 ns, struct contig_region *r, u64 moved)
{
	u64 k;

	bench_record(ours, ns, ns);
	if (!ns)
		return;
	k = time_copy(r, moved);
	bench_record(kernel, k, k);
}

/* The bytes moved by the run of ours (times @t) whose time is the median. */
static u64 __bench_median_moved(struct bench_stat *ours, const u64 *t,
				const u64 *moved)
{
	u64 med = bench_median(ours);
	unsigned int i;

	for (i = 0; i < BENCH_REPS; i++)
		if (t[i] && t[i] == med)
			return moved[i];
	return 0;
}

static int __init migrate_bench_init(void)
{
	struct contig_region *r = contig_default_region();
	struct platform_device *pdev;
	struct bench_stat ours = { }, kernel = { };
	struct handles hs = { };
	u64 ns, t[BENCH_REPS], moved[BENCH_REPS] = { };
	size_t size;
	dma_addr_t dma;
	unsigned int rep;
	unsigned long i;
	char what[80];
	void *cpu;
	int ret;

	if (!r)
		return -ENODEV;
	size = r->size;
	hs.cap = r->nr_pages;
	hs.h = kvcalloc(hs.cap, sizeof(*hs.h), GFP_KERNEL);
	if (!hs.h)
		return -ENOMEM;
	pdev = platform_device_register_simple("contig-migrate-bench",
					       PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(pdev)) {
		kvfree(hs.h);
		return PTR_ERR(pdev);
	}
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto out;

	/* The CMA area may not hold the whole region: same size for both. */
	cpu = dma_alloc_coherent(&pdev->dev, size, &dma, GFP_KERNEL);
	if (!cpu)
		size /= 2;
	else
		dma_free_coherent(&pdev->dev, size, cpu, dma);

	for (rep = 0; rep < BENCH_REPS; rep++) {
		ns = time_alloc(size, NULL);
		bench_record(&ours, ns, ns);
		ns = ktime_get_ns();
		cpu = dma_alloc_coherent(&pdev->dev, size, &dma, GFP_KERNEL);
		ns = ktime_get_ns() - ns;
		bench_record(&kernel, cpu, ns);
		if (cpu)
			dma_free_coherent(&pdev->dev, size, cpu, dma);
	}
	snprintf(what, sizeof(what), "contiguous %zu MiB, empty vs CMA",
		 size >> 20);
	bench_print("migrate", what, &ours, &kernel, "ns");

	ours = (struct bench_stat){ };
	kernel = (struct bench_stat){ };
	for (rep = 0; rep < BENCH_REPS; rep++) {
		fill(&hs, 256);
		fill(&hs, 1);
		t[rep] = time_alloc(size, &moved[rep]);
		contig_migrate_bring_back();
		drain(&hs);
		__bench_pair(&ours, &kernel, t[rep], r, moved[rep]);
	}
	snprintf(what, sizeof(what), "contiguous %zu MiB, full (%llu MiB out) vs memcpy",
		 size >> 20, __bench_median_moved(&ours, t, moved) >> 20);
	bench_print("migrate", what, &ours, &kernel, "ns");

	ours = (struct bench_stat){ };
	kernel = (struct bench_stat){ };
	for (rep = 0; rep < BENCH_REPS; rep++) {
		fill(&hs, 4);
		for (i = 0; i < hs.n; i += 2)
			contig_movable_free(hs.h[i]);
		for (i = 1; i < hs.n; i += 2)
			hs.h[i / 2] = hs.h[i];
		hs.n /= 2;
		t[rep] = time_alloc(r->size / 2, &moved[rep]);
		drain(&hs);
		__bench_pair(&ours, &kernel, t[rep], r, moved[rep]);
	}
	snprintf(what, sizeof(what), "contiguous %llu MiB, within (%llu MiB moved) vs memcpy",
		 r->size >> 21, __bench_median_moved(&ours, t, moved) >> 20);
	bench_print("migrate", what, &ours, &kernel, "ns");
out:
	platform_device_unregister(pdev);
	kvfree(hs.h);
	return ret;
}

static void __exit migrate_bench_exit(void)
{
}

module_init(migrate_bench_init);
module_exit(migrate_bench_exit);

MODULE_DESCRIPTION("contig benchmark: contiguous allocations by migration against CMA and copying");
MODULE_LICENSE("GPL");
