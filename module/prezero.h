/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prezero.h - keeping the region's free memory zeroed in the background
 * (prezero.c).
 */
#ifndef _CONTIG_PREZERO_H
#define _CONTIG_PREZERO_H

#include <linux/types.h>

struct contig_region;
struct seq_file;

/**
 * struct contig_prezero_stats - what the background clearing has done.
 * @cleared:	frames cleared.
 * @busy_ns:	time spent clearing them.
 * @batches:	batches that cleared at least one frame.
 * @skipped:	frames that ZERO requests found zeroed and did not clear
 *		(here, or in lend.c's zeroed reserve).
 */
struct contig_prezero_stats {
	u64 cleared;
	u64 busy_ns;
	u64 batches;
	u64 skipped;
};

void contig_prezero_start(struct contig_region *r);
void contig_prezero_stop(void);
unsigned long contig_prezero_run(unsigned long max);
void contig_prezero_pause(bool pause);
void contig_prezero_note_skipped(unsigned long nr);
void contig_prezero_get_stats(struct contig_prezero_stats *st);
int contig_prezero_show(struct seq_file *m, void *v);

#endif /* _CONTIG_PREZERO_H */
