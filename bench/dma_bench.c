// SPDX-License-Identifier: GPL-2.0
/*
 * dma_bench.c - contig_dma_bench.ko: the cost of device mappings through
 * the IOMMU, on QEMU's edu device (see samples/edu/edu.h).
 *
 * For one big buffer (64 MiB, the whole test region, or 32 MiB when 64 do
 * not fit) laid out four ways: one CONTIGUOUS block, and SG tables of
 * 4 KiB, 64 KiB and 2 MiB blocks.  The SG tables are built here from
 * CONTIGUOUS buffers of the block size, listed in descending physical
 * order so that no two neighbours are adjacent and contig_map() cannot
 * join them: the worst case, as in a fully fragmented region.  For each:
 *
 *   map     contig_map_table() (cut + dma_map_sgtable + checks), against
 *           a bare dma_map_sgtable() of the same blocks, in turns: median
 *           (min-max) of BENCH_REPS each (bench_stats.h);
 *   map, same entries  the same against a bare dma_map_sgtable() of the
 *           entries contig_map_table() cut the blocks into (at the
 *           device's max segment size, 64 KiB for edu): the DMA layer's
 *           share of our time, where the bare map of a 64 MiB block gets
 *           one segment longer than the device allows;
 *   unmap   contig_unmap() against dma_unmap_sgtable();
 *   segments DMA segments each produced;
 *   edu DMA bytes per second the engine moves from the mapping, EDU_XFERS
 *           transfers of EDU_XFER_MAX bytes spread over the buffer.  QEMU runs each
 *           transfer 100 ms after it starts, so this measures QEMU's
 *           timer, not the mapping: the figure proves the mapping works
 *           end to end at every offset tried, and is the same for all.
 *
 * Lines: "contig-bench: dma | CASE | ours | kernel | ratio".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <contig.h>

#include "contig_internal.h"
#include "dma.h"
#include "bench_stats.h"
#include "../samples/edu/edu.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();

#define BENCH_REPS	9
#define EDU_XFERS	8

static struct pci_dev *bench_pdev;
static void __iomem *bench_mmio;

/* One layout of the buffer: its blocks and their CPU table. */
struct layout {
	const char *name;
	size_t size;
	unsigned int nr;
	struct contig_buffer **blocks;
	struct sg_table cpu;
};

static void layout_free(struct layout *l)
{
	sg_free_table(&l->cpu);
	while (l->nr)
		contig_put(l->blocks[--l->nr]);
	kvfree(l->blocks);
	l->blocks = NULL;
}

static int cmp_phys_desc(const void *a, const void *b)
{
	phys_addr_t pa, pb;

	contig_buffer_phys(*(struct contig_buffer * const *)a, &pa);
	contig_buffer_phys(*(struct contig_buffer * const *)b, &pb);
	return pa < pb ? 1 : pa > pb ? -1 : 0;
}

/* @size in CONTIGUOUS blocks of @block bytes, listed high to low. */
static int layout_alloc(struct layout *l, size_t size, size_t block)
{
	struct scatterlist *s;
	unsigned int i;
	int ret;

	l->size = size;
	l->blocks = kvcalloc(size / block, sizeof(*l->blocks), GFP_KERNEL);
	if (!l->blocks)
		return -ENOMEM;
	for (l->nr = 0; l->nr < size / block; l->nr++) {
		l->blocks[l->nr] = contig_alloc(block, 0, CONTIG_KIND_CONTIGUOUS, 0);
		if (IS_ERR(l->blocks[l->nr])) {
			ret = PTR_ERR(l->blocks[l->nr]);
			goto free_blocks;
		}
	}
	sort(l->blocks, l->nr, sizeof(*l->blocks), cmp_phys_desc, NULL);
	ret = sg_alloc_table(&l->cpu, l->nr, GFP_KERNEL);
	if (ret)
		goto free_blocks;
	for_each_sgtable_sg(&l->cpu, s, i) {
		phys_addr_t phys;

		contig_buffer_phys(l->blocks[i], &phys);
		sg_set_page(s, pfn_to_page(PHYS_PFN(phys)), block, 0);
	}
	return 0;

free_blocks:
	while (l->nr)
		contig_put(l->blocks[--l->nr]);
	kvfree(l->blocks);
	l->blocks = NULL;
	return ret;
}

/* A private copy of @from for the bare DMA API to write its DMA fields in. */
static int table_copy(struct sg_table *to, struct sg_table *from)
{
	struct scatterlist *s, *d;
	unsigned int i;
	int ret;

	ret = sg_alloc_table(to, from->orig_nents, GFP_KERNEL);
	if (ret)
		return ret;
	d = to->sgl;
	for_each_sgtable_sg(from, s, i) {
		sg_set_page(d, sg_page(s), s->length, s->offset);
		d = sg_next(d);
	}
	return 0;
}

/* edu reads EDU_XFERS pieces spread over the mapping into itself. */
static u64 edu_bytes_per_sec(struct sg_table *sgt, size_t size)
{
	u64 t0, ns;
	unsigned int i;

	t0 = ktime_get_ns();
	for (i = 0; i < EDU_XFERS; i++) {
		size_t off = (size - PAGE_SIZE) / (EDU_XFERS - 1) * i;
		dma_addr_t bus;

		off = round_down(off, PAGE_SIZE);
		bus = sg_dma_address(sgt->sgl) + off;
		if (edu_dma(bench_mmio, bus, 0, EDU_XFER_MAX, false))
			return 0;
	}
	ns = ktime_get_ns() - t0;
	return div64_u64((u64)EDU_XFERS * EDU_XFER_MAX * NSEC_PER_SEC, ns ?: 1);
}

static void bench_layout(struct layout *l)
{
	struct device *dev = &bench_pdev->dev;
	struct bench_stat map = {}, unmap = {}, kmap = {}, kunmap = {};
	struct bench_stat kcut = {};
	unsigned int segs = 0, ksegs = 0;
	struct sg_table *sgt, raw, cut;
	char what[96];
	u64 t, bps = 0;
	int rep, ret;

	/* Our cut of the blocks, for the bare map of the same entries. */
	sgt = contig_map_table(dev, NULL, &l->cpu, DMA_TO_DEVICE, 0);
	if (IS_ERR(sgt))
		return;
	ret = table_copy(&cut, sgt);
	contig_unmap(dev, NULL, sgt, DMA_TO_DEVICE);
	if (ret)
		return;

	for (rep = 0; rep < BENCH_REPS; rep++) {
		t = ktime_get_ns();
		sgt = contig_map_table(dev, NULL, &l->cpu, DMA_TO_DEVICE, 0);
		t = ktime_get_ns() - t;
		if (IS_ERR(sgt)) {
			pr_info("contig-bench: dma | map %s failed (%ld) | - | - | -\n",
				l->name, PTR_ERR(sgt));
			goto free_cut;
		}
		bench_add(&map, t);
		segs = sgt->nents;
		if (!rep)
			bps = edu_bytes_per_sec(sgt, l->size);
		t = ktime_get_ns();
		contig_unmap(dev, NULL, sgt, DMA_TO_DEVICE);
		bench_add(&unmap, ktime_get_ns() - t);

		if (table_copy(&raw, &l->cpu))
			goto free_cut;
		t = ktime_get_ns();
		ret = dma_map_sgtable(dev, &raw, DMA_TO_DEVICE, 0);
		t = ktime_get_ns() - t;
		if (ret) {
			sg_free_table(&raw);
			pr_info("contig-bench: dma | bare map %s failed (%d) | - | - | -\n",
				l->name, ret);
			goto free_cut;
		}
		bench_add(&kmap, t);
		ksegs = raw.nents;
		t = ktime_get_ns();
		dma_unmap_sgtable(dev, &raw, DMA_TO_DEVICE, 0);
		bench_add(&kunmap, ktime_get_ns() - t);
		sg_free_table(&raw);

		if (table_copy(&raw, &cut))
			break;
		t = ktime_get_ns();
		ret = dma_map_sgtable(dev, &raw, DMA_TO_DEVICE, 0);
		t = ktime_get_ns() - t;
		bench_record(&kcut, !ret, t);
		if (!ret)
			dma_unmap_sgtable(dev, &raw, DMA_TO_DEVICE, 0);
		sg_free_table(&raw);
	}
	snprintf(what, sizeof(what), "map %s", l->name);
	bench_print("dma", what, &map, &kmap, "ns");
	snprintf(what, sizeof(what), "map %s, kernel given our %u entries",
		 l->name, cut.orig_nents);
	bench_print("dma", what, &map, &kcut, "ns");
	snprintf(what, sizeof(what), "unmap %s", l->name);
	bench_print("dma", what, &unmap, &kunmap, "ns");
	pr_info("contig-bench: dma | segments %s | %u | %u | -\n",
		l->name, segs, ksegs);
	pr_info("contig-bench: dma | edu DMA %s | %llu KiB/s | - | -\n",
		l->name, bps >> 10);
free_cut:
	sg_free_table(&cut);
}

static void bench_run(void)
{
	static const struct {
		size_t block;
		const char *what;
	} sgs[] = {
		{ SZ_4K, "4K" }, { SZ_64K, "64K" }, { SZ_2M, "2M" },
	};
	struct contig_buffer *probe;
	struct layout l = {};
	char name[64];
	size_t size = SZ_64M;
	unsigned int i;

	/* The whole 64 MiB region if it is free, else half of it. */
	probe = contig_alloc(size, 0, CONTIG_KIND_CONTIGUOUS, 0);
	if (IS_ERR(probe)) {
		size = SZ_32M;
		pr_info("contig-bench: dma | note: 64M does not fit, using 32M | - | - | -\n");
	} else {
		contig_put(probe);
	}

	snprintf(name, sizeof(name), "%zuM contiguous (1 block)", size >> 20);
	l.name = name;
	if (!layout_alloc(&l, size, size)) {
		bench_layout(&l);
		layout_free(&l);
	}
	for (i = 0; i < ARRAY_SIZE(sgs); i++) {
		snprintf(name, sizeof(name), "%zuM sg %s blocks (%zu)",
			 size >> 20, sgs[i].what, size / sgs[i].block);
		if (layout_alloc(&l, size, sgs[i].block)) {
			pr_info("contig-bench: dma | %s: allocation failed | - | - | -\n",
				name);
			continue;
		}
		bench_layout(&l);
		layout_free(&l);
	}
}

static int bench_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	int ret;

	if (bench_pdev)
		return -EBUSY;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret) {
		dev_err(dev, "no %d-bit DMA (%d)\n", EDU_DMA_BITS, ret);
		return ret;
	}
	dma_set_max_seg_size(dev, UINT_MAX);
	pci_set_master(pdev);
	bench_mmio = pcim_iomap_table(pdev)[0];
	bench_pdev = pdev;
	return 0;
}

static void bench_remove(struct pci_dev *pdev)
{
	pci_clear_master(pdev);
	bench_pdev = NULL;
}

static const struct pci_device_id bench_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{}
};
MODULE_DEVICE_TABLE(pci, bench_ids);

static struct pci_driver bench_driver = {
	.name = "contig_dma_bench",
	.id_table = bench_ids,
	.probe = bench_probe,
	.remove = bench_remove,
};

static int __init dma_bench_init(void)
{
	int ret = pci_register_driver(&bench_driver);

	if (ret)
		return ret;
	if (!bench_pdev)
		pr_info("contig-bench: dma | skipped: no edu device | - | - | -\n");
	else if (!contig_dev_is_translated(&bench_pdev->dev))
		pr_info("contig-bench: dma | skipped: edu is not behind an IOMMU | - | - | -\n");
	else
		bench_run();
	return 0;
}

static void __exit dma_bench_exit(void)
{
	pci_unregister_driver(&bench_driver);
}

module_init(dma_bench_init);
module_exit(dma_bench_exit);

MODULE_DESCRIPTION("contig benchmark: device mappings through the IOMMU, on QEMU's edu");
MODULE_LICENSE("GPL");
