// SPDX-License-Identifier: GPL-2.0
/*
 * slab_bench.c - contig_slab_bench.ko: the cost of contig's object caches
 * against the kernel's kmem_cache and dma_pool, measured in the same boot.
 *
 * For 64-byte and 512-byte objects, the time of one alloc+free pair:
 *
 *   pair   one object allocated and freed at once, over and over: the
 *          fast path (an object from a partial slab, back to it);
 *   batch  BENCH_BATCH objects allocated, then all freed: the slab lists
 *          at work (slabs fill, move to full, come back to partial).
 *
 * Ours is contig_cache_alloc()/contig_cache_free() (and contig_kmalloc()/
 * contig_kfree() against kmalloc()/kfree()); the kernel's figures are
 * kmem_cache_alloc()/kmem_cache_free() and dma_pool_alloc()/dma_pool_free()
 * on a dummy platform device with a 64-bit coherent mask.  Each figure is
 * the median (min-max) of BENCH_REPS runs of BENCH_PAIRS pairs, ours and
 * the kernel's in turns, after a warm-up run of each that leaves the slabs
 * in place, with GFP_KERNEL (bench_stats.h).  Memory is given back before
 * the module's init returns.
 *
 * Lines: "contig-bench: slab | CASE | ours ns (min-max) | kernel ns
 * (min-max) | ours/kernel".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include <contig.h>

#include "bench_stats.h"

CONTIG_IMPORT_NS();

#define BENCH_REPS	9
#define BENCH_PAIRS	20000
#define BENCH_BATCH	256

/* One allocator under test: alloc/free through a common signature. */
struct bench_ops {
	void *(*alloc)(void *ctx);
	void (*free)(void *ctx, void *obj);
	void *ctx;
	size_t size;
};

static void *ours_alloc(void *ctx)
{
	void *obj = contig_cache_alloc(ctx, GFP_KERNEL, NULL);

	return IS_ERR(obj) ? NULL : obj;
}

static void ours_free(void *ctx, void *obj)
{
	contig_cache_free(ctx, obj);
}

static void *kmem_alloc(void *ctx)
{
	return kmem_cache_alloc(ctx, GFP_KERNEL);
}

static void kmem_free(void *ctx, void *obj)
{
	kmem_cache_free(ctx, obj);
}

/* dma_pool_free() wants the handle back: keep it beside the object. */
static dma_addr_t pool_handles[BENCH_BATCH];
static unsigned int pool_slot;

static void *pool_alloc(void *ctx)
{
	unsigned int i = pool_slot++ % BENCH_BATCH;
	void *obj = dma_pool_alloc(ctx, GFP_KERNEL, &pool_handles[i]);

	if (obj)
		*(u32 *)obj = i;
	return obj;
}

static void pool_free(void *ctx, void *obj)
{
	dma_pool_free(ctx, obj, pool_handles[*(u32 *)obj]);
}

static void *ckmalloc_alloc(void *ctx)
{
	void *obj = contig_kmalloc((size_t)ctx, GFP_KERNEL, NULL);

	return IS_ERR(obj) ? NULL : obj;
}

static void ckmalloc_free(void *ctx, void *obj)
{
	contig_kfree(obj);
}

static void *kmalloc_alloc(void *ctx)
{
	return kmalloc((size_t)ctx, GFP_KERNEL);
}

static void kmalloc_free(void *ctx, void *obj)
{
	kfree(obj);
}

/*
 * One run of BENCH_PAIRS alloc+free pairs (in batches of BENCH_BATCH
 * with @batch) through @ops: ns per pair, or 0 when an allocation failed.
 */
static u64 bench_run(const struct bench_ops *ops, void **objs, bool batch)
{
	unsigned int n = batch ? BENCH_BATCH : 1, i, j;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < BENCH_PAIRS; i += n) {
		for (j = 0; j < n; j++) {
			objs[j] = ops->alloc(ops->ctx);
			if (!objs[j])
				goto fail;
		}
		for (j = 0; j < n; j++)
			ops->free(ops->ctx, objs[j]);
	}
	return div_u64(ktime_get_ns() - t0, BENCH_PAIRS) ?: 1;

fail:
	while (j--)
		ops->free(ops->ctx, objs[j]);
	return 0;
}

/*
 * Ours against the kernel's, in turns after a warm-up run of each, and
 * one line of their medians; a side whose allocation failed prints "-".
 */
static void bench_compare(const char *what, const struct bench_ops *ours,
			  const struct bench_ops *kernel, bool batch)
{
	struct bench_stat o = {}, k = {};
	unsigned int rep;
	void **objs;
	u64 ns;

	objs = kcalloc(BENCH_BATCH, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return;
	for (rep = 0; rep <= BENCH_REPS; rep++) {	/* rep 0 warms up */
		ns = bench_run(ours, objs, batch);
		if (ns && rep)
			bench_add(&o, ns);
		ns = bench_run(kernel, objs, batch);
		if (ns && rep)
			bench_add(&k, ns);
		cond_resched();
	}
	kfree(objs);
	bench_print("slab", what, &o, &k, "ns");
}

static int bench_size(struct device *dev, size_t size)
{
	struct contig_cache *ours;
	struct kmem_cache *kmem;
	struct dma_pool *pool;
	struct bench_ops o, k, p;
	char what[64];
	int ret = -ENOMEM;

	ours = contig_cache_create("bench", size, 0, 0, 0, NULL);
	if (IS_ERR(ours))
		return PTR_ERR(ours);
	kmem = kmem_cache_create("contig-bench", size, 0, 0, NULL);
	if (!kmem)
		goto destroy_ours;
	pool = dma_pool_create("contig-bench", dev, size, 0, 0);
	if (!pool)
		goto destroy_kmem;

	o = (struct bench_ops){ ours_alloc, ours_free, ours, size };
	k = (struct bench_ops){ kmem_alloc, kmem_free, kmem, size };
	p = (struct bench_ops){ pool_alloc, pool_free, pool, size };

	snprintf(what, sizeof(what), "alloc+free %zu B vs kmem_cache", size);
	bench_compare(what, &o, &k, false);
	snprintf(what, sizeof(what), "alloc+free %zu B vs dma_pool", size);
	bench_compare(what, &o, &p, false);
	snprintf(what, sizeof(what), "batch %u x %zu B vs kmem_cache",
		 BENCH_BATCH, size);
	bench_compare(what, &o, &k, true);
	snprintf(what, sizeof(what), "batch %u x %zu B vs dma_pool",
		 BENCH_BATCH, size);
	bench_compare(what, &o, &p, true);

	o = (struct bench_ops){ ckmalloc_alloc, ckmalloc_free, (void *)size, size };
	k = (struct bench_ops){ kmalloc_alloc, kmalloc_free, (void *)size, size };
	snprintf(what, sizeof(what), "contig_kmalloc %zu B vs kmalloc", size);
	bench_compare(what, &o, &k, false);
	ret = 0;

	dma_pool_destroy(pool);
destroy_kmem:
	kmem_cache_destroy(kmem);
destroy_ours:
	contig_cache_destroy(ours);
	return ret;
}

static int __init slab_bench_init(void)
{
	static const size_t sizes[] = { 64, 512 };
	struct platform_device *pdev;
	unsigned int i;
	int ret;

	pdev = platform_device_register_simple("contig-slab-bench",
					       PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto unregister;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ret = bench_size(&pdev->dev, sizes[i]);
		if (ret) {
			pr_err("%zu-byte objects: %d\n", sizes[i], ret);
			break;
		}
	}
unregister:
	platform_device_unregister(pdev);
	return ret;
}

static void __exit slab_bench_exit(void)
{
}

module_init(slab_bench_init);
module_exit(slab_bench_exit);

MODULE_DESCRIPTION("contig benchmark: object caches against kmem_cache and dma_pool");
MODULE_LICENSE("GPL");
