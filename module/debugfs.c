// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/contig/.
 *
 * Owns the directory and the files that describe the region itself; each
 * other concept adds its own files to the directory (the buddy adds
 * buddyinfo, fragmentation, map and policy).  Files are read-only views
 * taken under the owner's lock, so a reader never sees a torn state.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "contig_internal.h"

static int region_show(struct seq_file *m, void *unused)
{
	struct contig_region *r = m->private;

	seq_printf(m, "base:     %pa\n", &r->base);
	seq_printf(m, "end:      %#llx\n", (u64)r->base + r->size - 1);
	seq_printf(m, "size:     %llu (%llu MiB)\n", r->size, r->size >> 20);
	seq_printf(m, "pages:    %lu\n", r->nr_pages);
	seq_printf(m, "base_pfn: %#lx\n", r->base_pfn);
	seq_printf(m, "claimed:  %s, busy in /proc/iomem as \"%s\"\n",
		   r->claim, CONTIG_NAME);
	seq_printf(m, "struct pages: %lu from boot, %lu from memremap_pages()\n",
		   r->nr_pages - r->added_pages, r->added_pages);
	seq_puts(m, "mapping:  memremap write-back\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(region);

/**
 * contig_debugfs_init() - create /sys/kernel/debug/contig/ for a region.
 * @r: a claimed region.
 *
 * debugfs failures are not errors: the module works without it.
 *
 * Context: process context.
 */
void contig_debugfs_init(struct contig_region *r)
{
	r->debugfs = debugfs_create_dir(CONTIG_NAME, NULL);
	debugfs_create_file("region", 0444, r->debugfs, r, &region_fops);
	contig_buddy_debugfs_init(r, r->debugfs);
	contig_slab_debugfs_init(r, r->debugfs);
	contig_buffer_debugfs_init(r, r->debugfs);
	contig_migrate_debugfs_init(r, r->debugfs);
}

/**
 * contig_debugfs_fini() - remove what contig_debugfs_init() created.
 * @r: the region.
 *
 * Context: process context.
 */
void contig_debugfs_fini(struct contig_region *r)
{
	debugfs_remove_recursive(r->debugfs);
	r->debugfs = NULL;
}
