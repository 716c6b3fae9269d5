/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma.h - device mappings of buffers (dma.c): the engine of contig_map(),
 * and the SEGMENTS shape of mapping for dma-buf importers, for dmabuf.c,
 * the tests and the benchmarks.
 */
#ifndef _CONTIG_DMA_H
#define _CONTIG_DMA_H

#include <linux/dma-direction.h>
#include <linux/types.h>

struct contig_buffer;
struct device;
struct sg_table;

bool contig_dev_is_translated(struct device *dev);
void contig_dma_exit(void);
struct sg_table *contig_map_table(struct device *dev,
				  struct contig_buffer *buf,
				  struct sg_table *cpu,
				  enum dma_data_direction dir,
				  unsigned long attrs);
struct sg_table *contig_map_segments(struct device *dev,
				     struct contig_buffer *buf,
				     enum dma_data_direction dir);

#endif /* _CONTIG_DMA_H */
