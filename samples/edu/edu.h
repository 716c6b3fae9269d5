/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edu.h - just enough of QEMU's "edu" educational PCI device (1234:11e8,
 * hw/misc/edu.c, docs/specs/edu.rst) to move bytes with its DMA engine, for
 * the sample driver beside it and contig's DMA tests (kunit/dma_kunit.c).
 *
 * BAR0 is 1 MiB of MMIO.  The engine copies at most 4096 bytes per command
 * between a bus address and the device's own buffer at offset 0x40000,
 * in either direction, and clears the start bit of its command register
 * when done.  QEMU runs each command from a timer 100 ms of virtual time
 * after it was started, so a transfer costs 100 ms whatever its size.  The
 * device truncates bus addresses to its 28-bit DMA mask.
 *
 * QEMU 7.2 (Debian 12) checks the device-buffer range of a command off by
 * one and ABORTS THE WHOLE VM (hw_error) when a transfer ends at the last
 * byte of the buffer, so a transfer ends at most at byte 4094: edu_dma()
 * refuses anything longer than EDU_XFER_MAX from offset 0, and a whole
 * page never fits.
 *
 * Context: the helpers sleep while they poll; one caller at a time.
 */
#ifndef _CONTIG_SAMPLE_EDU_H
#define _CONTIG_SAMPLE_EDU_H

#include <linux/bits.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/pci.h>
#include <linux/time64.h>
#include <linux/types.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_DMA_BITS		28

#define EDU_REG_IDENT		0x00	/* 0xRRrr00ed: major, minor, "ed" */
#define EDU_REG_LIVENESS	0x04	/* reads back the inverse of a write */
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define  EDU_CMD_START		BIT(0)
#define  EDU_CMD_TO_RAM		BIT(1)	/* 0: RAM -> device, 1: device -> RAM */
#define EDU_BUF			0x40000
#define EDU_BUF_SIZE		4096
#define EDU_XFER_MAX		(EDU_BUF_SIZE - 1)	/* see above */

/* A transfer takes 100 ms in QEMU; a slow TCG host may take longer. */
#define EDU_DMA_TIMEOUT_US	(5 * USEC_PER_SEC)

static inline bool edu_is_edu(void __iomem *mmio)
{
	u32 ident = readl(mmio + EDU_REG_IDENT);

	writel(0x5a5aa5a5, mmio + EDU_REG_LIVENESS);
	return (ident & 0xffff) == 0xed &&
	       readl(mmio + EDU_REG_LIVENESS) == ~0x5a5aa5a5U;
}

/**
 * edu_dma() - run one DMA command and wait for it.
 * @mmio:   BAR0.
 * @bus:    bus (DMA) address in RAM.
 * @off:    offset in the device's 4 KiB buffer.
 * @len:    bytes, 1..EDU_XFER_MAX - @off.
 * @to_ram: true to copy device -> RAM, false RAM -> device.
 *
 * Return: 0, -EINVAL for a transfer that does not fit the device buffer,
 * -EBUSY if a command is still running, -ETIMEDOUT if it never ends.
 */
static inline int edu_dma(void __iomem *mmio, dma_addr_t bus, u32 off,
			  u32 len, bool to_ram)
{
	u64 cmd;

	if (!len || off >= EDU_XFER_MAX || len > EDU_XFER_MAX - off)
		return -EINVAL;
	if (readq(mmio + EDU_REG_DMA_CMD) & EDU_CMD_START)
		return -EBUSY;
	writeq(to_ram ? EDU_BUF + off : bus, mmio + EDU_REG_DMA_SRC);
	writeq(to_ram ? bus : EDU_BUF + off, mmio + EDU_REG_DMA_DST);
	writeq(len, mmio + EDU_REG_DMA_COUNT);
	writeq(EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0),
	       mmio + EDU_REG_DMA_CMD);
	return readq_poll_timeout(mmio + EDU_REG_DMA_CMD, cmd,
				  !(cmd & EDU_CMD_START), 1000,
				  EDU_DMA_TIMEOUT_US);
}

#endif /* _CONTIG_SAMPLE_EDU_H */
