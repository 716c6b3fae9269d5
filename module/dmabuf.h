/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf.h - a buffer's dma-buf face (dmabuf.c).
 */
#ifndef _CONTIG_DMABUF_H
#define _CONTIG_DMABUF_H

#include <linux/types.h>

struct contig_buffer;
struct contig_buffer_release;
struct dma_buf;

struct dma_buf *contig_buffer_export(struct contig_buffer *buf,
				     const struct contig_buffer_release *on_release,
				     u32 fd_flags);
struct contig_buffer *contig_buffer_from_dmabuf(struct dma_buf *dmabuf);
int contig_buffer_sync_check(u64 off, u64 len, unsigned int flags);
int contig_buffer_sync_range(struct contig_buffer *buf, u64 off, u64 len,
			     unsigned int flags);

#endif /* _CONTIG_DMABUF_H */
