// SPDX-License-Identifier: GPL-2.0
/*
 * contig_sample_edu.c - a PCI driver that takes its DMA buffers from contig.
 *
 * This is an example for driver authors, built outside contig's tree
 * against an installed contig exactly as your driver would be (Makefile
 * and dkms.conf beside this file; README.md, "Building a driver on
 * contig").  It drives QEMU's "edu" device (-device edu; edu.h), whose
 * DMA engine copies up to 4 KiB at a time between RAM and a buffer on the
 * device.
 *
 * At probe it sets up two buffers, as a driver would at probe time:
 *
 *  - a CONTIGUOUS buffer, one physically contiguous block (what a device
 *    without scatter-gather or IOMMU needs);
 *  - an SG buffer, made of the largest blocks the region has, which the
 *    IOMMU makes look contiguous to the device.
 *
 * For each it maps the buffer for the device, then proves the mapping:
 * the device reads a pattern from the first page and writes it back into
 * the last one, and the CPU finds it there.  Bytes that only the device
 * could have moved, so a wrong bus address or a missing sync shows.
 *
 * The buffers stay allocated and mapped while the driver is bound, as a
 * real driver's rings and frame buffers would; unbinding unmaps and frees
 * them (devres actions, in the reverse order of setup).
 *
 * The kernel log says what happened, one line per buffer:
 *   contig_sample_edu 0000:00:04.0: contiguous buffer, 1048576 bytes in 1 chunk(s): DMA checked
 * Any failure fails the probe with its errno and a line saying which step.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include <contig.h>

#include "edu.h"

/* Every function of <contig.h> is in the CONTIG symbol namespace. */
CONTIG_IMPORT_NS();

/* What one buffer of the sample holds while the driver is bound. */
struct sample_buf {
	struct device *dev;
	const char *name;
	struct contig_buffer *buf;
	struct sg_table *sgt;	/* the device's view, from contig_map() */
};

/*
 * sample_bus() - the bus address the device must use for byte @off of a
 * mapped buffer.
 *
 * Walk the DMA side of the table (sg_dma_address/sg_dma_len), never the
 * CPU side: behind an IOMMU the device sees IOVAs, not physical addresses.
 * contig_map() promises one contiguous range, so this finds @off in the
 * first segment, but a driver that walks the table keeps working if a
 * segment is split at dma_get_max_seg_size().
 */
static dma_addr_t sample_bus(struct sg_table *sgt, size_t off)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (off < sg_dma_len(sg))
			return sg_dma_address(sg) + off;
		off -= sg_dma_len(sg);
	}
	return DMA_MAPPING_ERROR;
}

/* devres action: drop the mapping, then (next action) the buffer. */
static void sample_unmap(void *data)
{
	struct sample_buf *sb = data;

	/* Gives the IOVA range back; the buffer itself stays ours. */
	contig_unmap(sb->dev, sb->buf, sb->sgt, DMA_BIDIRECTIONAL);
}

static void sample_put(void *data)
{
	struct sample_buf *sb = data;

	/* Our one reference: the memory goes back to contig's region. */
	contig_put(sb->buf);
}

/*
 * sample_check() - move a pattern from the first page of the buffer to
 * the last one through the device, and look at it with the CPU.
 */
static int sample_check(struct sample_buf *sb, void __iomem *mmio)
{
	size_t size = contig_buffer_size(sb->buf);
	size_t dst_off = size - PAGE_SIZE;	/* in another chunk, if any */
	u32 len = EDU_XFER_MAX;
	dma_addr_t src, dst;
	u8 *cpu, *want;
	int ret;

	/*
	 * The kernel's view of the whole buffer: the direct map for
	 * CONTIGUOUS, a vmap that contig keeps for SG.
	 */
	cpu = contig_buffer_vaddr(sb->buf);
	if (IS_ERR(cpu))
		return PTR_ERR(cpu);
	want = kmalloc(len, GFP_KERNEL);
	if (!want)
		return -ENOMEM;
	get_random_bytes(want, len);
	memcpy(cpu, want, len);
	memset(cpu + dst_off, 0, len);

	src = sample_bus(sb->sgt, 0);
	dst = sample_bus(sb->sgt, dst_off);
	if (src == DMA_MAPPING_ERROR || dst == DMA_MAPPING_ERROR) {
		ret = -EINVAL;
		goto out;
	}

	/*
	 * The CPU wrote the buffer: hand it to the device.  On x86 this is
	 * cheap (DMA is cache-coherent), but leaving it out is a bug on
	 * arm64 and anywhere the device's reads miss the CPU caches.
	 */
	ret = contig_sync_for_device(sb->dev, sb->sgt, DMA_BIDIRECTIONAL);
	if (ret)
		goto out;
	/* RAM -> device buffer, then device buffer -> RAM further on. */
	ret = edu_dma(mmio, src, 0, len, false);
	if (!ret)
		ret = edu_dma(mmio, dst, 0, len, true);
	if (ret) {
		dev_err(sb->dev, "%s buffer: edu DMA failed: %d\n", sb->name, ret);
		goto out;
	}
	/* The device wrote it: give it back to the CPU before reading. */
	ret = contig_sync_for_cpu(sb->dev, sb->sgt, DMA_BIDIRECTIONAL);
	if (ret)
		goto out;
	if (memcmp(cpu + dst_off, want, len)) {
		dev_err(sb->dev, "%s buffer: the bytes the device wrote are not the pattern it read\n",
			sb->name);
		ret = -EIO;
	}
out:
	kfree(want);
	return ret;
}

/*
 * sample_buf_setup() - allocate one buffer of @kind, map it for the
 * device, check the mapping.  Everything set up is undone by devres when
 * the driver unbinds, or at once if a later step of the probe fails.
 */
static int sample_buf_setup(struct pci_dev *pdev, void __iomem *mmio,
			    const char *name, size_t size, unsigned int kind)
{
	struct device *dev = &pdev->dev;
	struct sample_buf *sb;
	int ret;

	sb = devm_kzalloc(dev, sizeof(*sb), GFP_KERNEL);
	if (!sb)
		return -ENOMEM;
	sb->dev = dev;
	sb->name = name;

	/*
	 * contig_alloc() returns ERR_PTR(-errno), never NULL, and leaves a
	 * line in the log saying why it failed (region full, fragmented,
	 * pinned memory in the way).
	 */
	sb->buf = contig_alloc(size, 0, kind, CONTIG_FLAG_ZERO);
	if (IS_ERR(sb->buf))
		return dev_err_probe(dev, PTR_ERR(sb->buf),
				     "%s buffer of %zu bytes\n", name, size);
	ret = devm_add_action_or_reset(dev, sample_put, sb);
	if (ret)
		return ret;

	/*
	 * One call maps any kind so that the device sees one contiguous
	 * range below its DMA mask: through the IOMMU when there is one.
	 * The mapping holds its own reference on the buffer.
	 */
	sb->sgt = contig_map(dev, sb->buf, DMA_BIDIRECTIONAL);
	if (IS_ERR(sb->sgt))
		return dev_err_probe(dev, PTR_ERR(sb->sgt),
				     "mapping the %s buffer\n", name);
	ret = devm_add_action_or_reset(dev, sample_unmap, sb);
	if (ret)
		return ret;

	ret = sample_check(sb, mmio);
	if (ret)
		return dev_err_probe(dev, ret, "checking the %s buffer\n", name);
	dev_info(dev, "%s buffer, %zu bytes in %lu chunk(s): DMA checked\n",
		 name, contig_buffer_size(sb->buf),
		 contig_buffer_nr_chunks(sb->buf));
	return 0;
}

static int sample_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	void __iomem *mmio;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		return ret;
	mmio = pcim_iomap_table(pdev)[0];
	if (!edu_is_edu(mmio))
		return dev_err_probe(dev, -ENODEV, "does not answer like an edu device\n");
	pci_set_master(pdev);

	/*
	 * Tell the DMA layer what the device can address: edu drops bus
	 * address bits above 27.  contig_map() then refuses (-ERANGE) a
	 * buffer the device could not reach, rather than bouncing it.
	 */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		return dev_err_probe(dev, ret, "no %d-bit DMA\n", EDU_DMA_BITS);

	ret = sample_buf_setup(pdev, mmio, "contiguous", SZ_1M,
			       CONTIG_KIND_CONTIGUOUS);
	if (ret)
		return ret;
	return sample_buf_setup(pdev, mmio, "sg", 4 * SZ_1M, CONTIG_KIND_SG);
}

static void sample_remove(struct pci_dev *pdev)
{
	/* No DMA may run once the buffers go (devres, after this returns). */
	pci_clear_master(pdev);
}

static const struct pci_device_id sample_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{}
};
MODULE_DEVICE_TABLE(pci, sample_ids);

static struct pci_driver sample_driver = {
	.name = KBUILD_MODNAME,
	.id_table = sample_ids,
	.probe = sample_probe,
	.remove = sample_remove,
};
module_pci_driver(sample_driver);

MODULE_DESCRIPTION("Example driver: DMA buffers from contig for QEMU's edu device");
MODULE_AUTHOR("The contig authors");
MODULE_LICENSE("GPL");
