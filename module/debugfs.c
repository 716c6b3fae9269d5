// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/contig/: every debugfs file of contig.ko.
 *
 * This file owns the directory and every file in it; each concept lends
 * the view of its own state as a show function (taken under its own lock,
 * so a reader never sees a torn state), or is read through its public
 * functions.  Every file is its owner's (root's) alone, mode 0400, 0600 or
 * 0200, so that a debugfs mounted wider than its default 0700 still shows
 * no one else the region's frames and who holds them.
 *
 *   region         the claimed range and how it was claimed
 *   buddyinfo      free blocks per order, in /proc/buddyinfo's format
 *   fragmentation  free and largest free block, counters, and per order
 *                  the unusable free space index and the external
 *                  fragmentation index (mm/vmstat.c's definitions, as
 *                  /sys/kernel/debug/extfrag/ prints them)
 *   map            one character per run of frames: who holds it
 *   policy         the default placement policy; write a name to change it
 *   slabinfo       the object caches (slab.c)
 *   buffers        live and quarantined buffers (buffer.c)
 *   migrate        movable memory and migration counters (migrate.c)
 *   lend           what is lent to the kernel and taken back (lend.c)
 *   prezero        the background clearing of free memory (prezero.c)
 *   bring_back     write anything: bring pushed-out pages back
 *   query          write "SIZE [ALIGN]", read the dry-run report of a
 *                  CONTIGUOUS request of that size
 *   fail/          one fault_attr directory per fault injection site
 *                  (fault.c; kernels with CONFIG_FAULT_INJECTION_DEBUG_FS)
 *   regions/NAME/  for each region after the first (contig_internal.h):
 *                  its own region, buddyinfo, fragmentation, map and
 *                  policy; the files above are the default region's
 *
 * The buddy files read the state through contig_buddy_get_stats() or
 * contig_buddy_count_owners(), so each line is consistent but the file as
 * a whole is not a snapshot.  A "query" file keeps the last result per
 * open file, under a mutex of its own (lock 3 of the order in
 * contig_internal.h), so two writers on one file descriptor never free
 * each other's result.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <contig.h>

#include "buffer.h"
#include "debugfs.h"
#include "fault.h"
#include "migrate.h"
#include "kmalloc.h"
#include "lend.h"
#include "prezero.h"

static int region_show(struct seq_file *m, void *unused)
{
	struct contig_region *r = m->private;

	seq_printf(m, "region:   %u (%s)%s\n", r->id, r->name,
		   r->id ? "" : ", the default");
	seq_printf(m, "base:     %pa\n", &r->base);
	seq_printf(m, "end:      %#llx\n", (u64)r->base + r->size - 1);
	seq_printf(m, "size:     %llu (%llu MiB)\n", r->size, r->size >> 20);
	seq_printf(m, "pages:    %lu\n", r->nr_pages);
	seq_printf(m, "base_pfn: %#lx\n", r->base_pfn);
	seq_printf(m, "claimed:  %s, busy in /proc/iomem as \"%s\"\n",
		   r->claim, CONTIG_NAME);
	seq_printf(m, "struct pages: %lu from boot, %lu from memremap_pages(), %lu from memory hotplug (lent)\n",
		   r->nr_pages - r->added_pages - r->lend_nr, r->added_pages,
		   r->lend_nr);
	seq_puts(m, "mapping:  memremap write-back\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(region);
DEFINE_SHOW_ATTRIBUTE(contig_lend);
DEFINE_SHOW_ATTRIBUTE(contig_prezero);

/* ---- the buddy ------------------------------------------------------------ */

static void __contig_seq_thousandths(struct seq_file *m, int v)
{
	seq_printf(m, " %s%d.%03d", v < 0 ? "-" : " ", abs(v) / 1000,
		   abs(v) % 1000);
}

static int buddyinfo_show(struct seq_file *m, void *v)
{
	struct contig_region *r = m->private;
	struct contig_buddy_stats st;
	unsigned int o;

	contig_buddy_get_stats(&r->buddy, &st);
	seq_printf(m, "Node %d, zone %8s ", pfn_to_nid(r->base_pfn),
		   CONTIG_NAME);
	for (o = 0; o <= st.max_order; o++)
		seq_printf(m, "%6lu ", st.nr_free[o]);
	seq_putc(m, '\n');
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(buddyinfo);

static int fragmentation_show(struct seq_file *m, void *v)
{
	struct contig_region *r = m->private;
	struct contig_buddy_stats st;
	unsigned long blocks = 0;
	unsigned int o;

	contig_buddy_get_stats(&r->buddy, &st);
	for (o = 0; o <= st.max_order; o++)
		blocks += st.nr_free[o];
	seq_printf(m, "frames:        %lu (%lu KiB)\n", st.nr_frames,
		   st.nr_frames << (PAGE_SHIFT - 10));
	seq_printf(m, "free:          %lu frames in %lu blocks\n",
		   st.free_frames, blocks);
	seq_printf(m, "largest free:  %lu frames", st.largest_free);
	if (st.largest_free)
		seq_printf(m, " (order %u)", ilog2(st.largest_free));
	seq_printf(m, "\nin use:        unmovable %lu, movable %lu, pinned %lu, slab %lu\n",
		   st.owner_frames[CONTIG_OWNER_UNMOVABLE],
		   st.owner_frames[CONTIG_OWNER_MOVABLE],
		   st.owner_frames[CONTIG_OWNER_PINNED],
		   st.owner_frames[CONTIG_OWNER_SLAB]);
	seq_printf(m, "policy:        %s fit\n", contig_policy_name(st.policy));
	seq_printf(m, "allocations:   %lu\nfrees:         %lu\n", st.nr_allocs,
		   st.nr_frees);
	seq_printf(m, "failures:      %lu (no free block large enough)\n",
		   st.alloc_failures);
	seq_printf(m, "busy ranges:   %lu\nbad calls:     %lu\n",
		   st.range_busy, st.bad_calls);
	seq_printf(m, "stash:         %lu served, merged back %lu times\n",
		   st.stash_hits, st.stash_drains);
	seq_puts(m, "order  free blocks  unusable  fragindex\n");
	for (o = 0; o <= st.max_order; o++) {
		seq_printf(m, "%5u  %11lu ", o, st.nr_free[o]);
		__contig_seq_thousandths(m, contig_buddy_unusable_index(&st, o));
		seq_puts(m, "   ");
		__contig_seq_thousandths(m,
					 contig_buddy_fragmentation_index(&st, o));
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fragmentation);

#define CONTIG_MAP_COLS		64
#define CONTIG_MAP_CHARS	4096

/* One map character for a run of frames with these owner counts. */
static char __contig_map_char(const unsigned long counts[CONTIG_NR_OWNERS])
{
	static const char whole[CONTIG_NR_OWNERS + 1] = ".UMPSL";
	static const char part[CONTIG_NR_OWNERS + 1] = ".umpsl";
	unsigned int o, owners = 0, who = 0;

	for (o = CONTIG_OWNER_FREE + 1; o < CONTIG_NR_OWNERS; o++) {
		if (counts[o]) {
			owners++;
			who = o;
		}
	}
	if (owners > 1)
		return '#';
	return counts[CONTIG_OWNER_FREE] ? part[who] : whole[who];
}

static int map_show(struct seq_file *m, void *v)
{
	struct contig_region *r = m->private;
	struct contig_buddy *b = &r->buddy;
	unsigned long counts[CONTIG_NR_OWNERS];
	unsigned long n = b->nr_frames, per = 1, frame, start;
	char line[CONTIG_MAP_COLS + 1];
	unsigned int col;

	while (DIV_ROUND_UP(n, per) > CONTIG_MAP_CHARS)
		per <<= 1;
	seq_printf(m, "# %lu frames, %lu per character, %lu KiB per line\n",
		   n, per, (per * CONTIG_MAP_COLS) << (PAGE_SHIFT - 10));
	seq_puts(m, "# . free  U unmovable  M movable  P pinned  S slab  u m p s l: partly free  #: several owners\n");
	seq_puts(m, "# lent to the kernel: L in use by it  _ free in it  o offline  l partly taken back; t taken back, free  z taken back, zeroed in reserve=\n");
	for (frame = 0; frame < n;) {
		start = frame;
		for (col = 0; col < CONTIG_MAP_COLS && frame < n;
		     col++, frame += per) {
			contig_buddy_count_owners(b, frame, per, counts);
			line[col] = contig_lend_map_char(r, frame, per, counts) ?:
				    __contig_map_char(counts);
		}
		line[col] = '\0';
		seq_printf(m, "%#014llx %s\n",
			   (unsigned long long)contig_frame_to_phys(r, start),
			   line);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(map);

static int policy_show(struct seq_file *m, void *v)
{
	struct contig_region *r = m->private;
	struct contig_buddy_stats st;
	int p;

	contig_buddy_get_stats(&r->buddy, &st);
	for (p = 0; p < CONTIG_NR_POLICIES; p++)
		seq_printf(m, "%s%s%s%c", p == st.policy ? "[" : "",
			   contig_policy_name(p), p == st.policy ? "]" : "",
			   p + 1 < CONTIG_NR_POLICIES ? ' ' : '\n');
	return 0;
}

static int policy_open(struct inode *inode, struct file *file)
{
	return single_open(file, policy_show, inode->i_private);
}

static ssize_t policy_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct contig_region *r = m->private;
	char buf[16];
	int p;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	p = contig_policy_from_name(strim(buf));
	if (p < 0)
		return -EINVAL;
	contig_buddy_set_policy(&r->buddy, p);
	pr_info("buddy: default policy of region %u (%s): %s fit\n", r->id,
		r->name, contig_policy_name(p));
	return count;
}

static const struct file_operations policy_fops = {
	.owner		= THIS_MODULE,
	.open		= policy_open,
	.read		= seq_read,
	.write		= policy_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

/* ---- slabs, buffers, migration -------------------------------------------- */

DEFINE_SHOW_ATTRIBUTE(contig_slabinfo);
DEFINE_SHOW_ATTRIBUTE(contig_buffers);
DEFINE_SHOW_ATTRIBUTE(contig_migrate);

static ssize_t bring_back_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	unsigned long n = contig_migrate_bring_back();

	pr_info("migrate: brought %lu pages back into the region\n", n);
	return count;
}

static const struct file_operations bring_back_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = bring_back_write,
};

/* ---- query ---------------------------------------------------------------- */

/**
 * struct contig_query - one open "query" file.
 * @lock:	protects @out (lock 3 of the order in contig_internal.h).
 * @out:	the report of the last query, NUL-terminated, or NULL.
 */
struct contig_query {
	struct mutex lock;	/* see @lock above */
	char *out;
};

static int query_open(struct inode *inode, struct file *file)
{
	struct contig_query *q = kzalloc(sizeof(*q), GFP_KERNEL);

	if (!q)
		return -ENOMEM;
	mutex_init(&q->lock);
	file->private_data = q;
	return 0;	/* pread() at 0 rereads the result */
}

/* The report of a dry run of a CONTIGUOUS request, as text. */
static char *__contig_query_report(u64 size, u64 align)
{
	struct contig_alloc_report *rep;
	size_t len = 0;
	unsigned int i;
	char *out;
	int ret;

	rep = kzalloc(sizeof(*rep), GFP_KERNEL);
	out = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!rep || !out) {
		kfree(rep);
		kfree(out);
		return NULL;
	}
	ret = contig_alloc_query(size, align, rep);
	len += scnprintf(out + len, PAGE_SIZE - len,
			 "result %d\nwindows %u\nblocked %u\nlargest_free %llu\nmove_bytes %llu\n",
			 ret, rep->nr_windows, rep->nr_blocked,
			 rep->largest_free, rep->move_bytes);
	for (i = 0; i < rep->nr_reported; i++)
		len += scnprintf(out + len, PAGE_SIZE - len,
				 "window %#llx blocker %#llx holder %u\n",
				 rep->windows[i].start_pfn,
				 rep->windows[i].blocker_pfn,
				 rep->windows[i].holder);
	kfree(rep);
	return out;
}

static ssize_t query_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct contig_region *r = contig_default_region();
	struct contig_query *q = file->private_data;
	unsigned long long size, align = PAGE_SIZE;
	char buf[64], *p, *end, *out;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	p = strim(buf);
	size = memparse(p, &end);
	if (*end && *end != ' ')
		return -EINVAL;
	if (*end)
		align = memparse(end + 1, &end);
	if (!size || !is_power_of_2(align))
		return -EINVAL;
	align = max_t(unsigned long long, align, PAGE_SIZE);
	if (!r || size > r->size)
		return -ENOMEM;
	out = __contig_query_report(size, align);
	if (!out)
		return -ENOMEM;
	mutex_lock(&q->lock);
	swap(q->out, out);
	mutex_unlock(&q->lock);
	kfree(out);
	return count;
}

static ssize_t query_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct contig_query *q = file->private_data;
	ssize_t ret = 0;

	mutex_lock(&q->lock);
	if (q->out)
		ret = simple_read_from_buffer(ubuf, count, ppos, q->out,
					      strlen(q->out));
	mutex_unlock(&q->lock);
	return ret;
}

static int query_release(struct inode *inode, struct file *file)
{
	struct contig_query *q = file->private_data;

	kfree(q->out);
	mutex_destroy(&q->lock);
	kfree(q);
	return 0;
}

static const struct file_operations query_fops = {
	.owner = THIS_MODULE,
	.open = query_open,
	.write = query_write,
	.read = query_read,
	.release = query_release,
};

/* ---- the directory -------------------------------------------------------- */

/* The files every region has: its range, its buddy, its policy. */
static void __contig_debugfs_region_files(struct dentry *dir,
					  struct contig_region *r)
{
	debugfs_create_file("region", 0400, dir, r, &region_fops);
	debugfs_create_file("buddyinfo", 0400, dir, r, &buddyinfo_fops);
	debugfs_create_file("fragmentation", 0400, dir, r,
			    &fragmentation_fops);
	debugfs_create_file("map", 0400, dir, r, &map_fops);
	debugfs_create_file("policy", 0600, dir, r, &policy_fops);
}

/**
 * contig_debugfs_init() - create /sys/kernel/debug/contig/ for a region.
 * @r: a claimed region whose allocators are set up.
 *
 * debugfs failures are not errors: the module works without it.
 *
 * Context: process context, module load.
 */
void contig_debugfs_init(struct contig_region *r)
{
	struct dentry *dir = debugfs_create_dir(CONTIG_NAME, NULL);

	r->debugfs = dir;
	contig_fault_debugfs_init(dir);
	if (IS_ERR_OR_NULL(dir))
		return;
	__contig_debugfs_region_files(dir, r);
	debugfs_create_file("slabinfo", 0400, dir, r, &contig_slabinfo_fops);
	debugfs_create_file("buffers", 0400, dir, NULL, &contig_buffers_fops);
	debugfs_create_file("migrate", 0400, dir, NULL, &contig_migrate_fops);
	debugfs_create_file("lend", 0400, dir, NULL, &contig_lend_fops);
	debugfs_create_file("prezero", 0400, dir, NULL, &contig_prezero_fops);
	debugfs_create_file("bring_back", 0200, dir, NULL, &bring_back_fops);
	debugfs_create_file("query", 0600, dir, NULL, &query_fops);
}

/* regions/, made with the first region after the default; see below. */
static struct dentry *contig_regions_dir;

/**
 * contig_debugfs_add_region() - regions/NAME/ for a region after the first.
 * @r: a published region, not the default; the default region's directory
 *     exists (contig_debugfs_init()).
 *
 * Context: process context, module load.
 */
void contig_debugfs_add_region(struct contig_region *r)
{
	struct contig_region *def = contig_default_region();
	struct dentry *dir;

	if (!def || IS_ERR_OR_NULL(def->debugfs))
		return;
	if (!contig_regions_dir)
		contig_regions_dir = debugfs_create_dir("regions", def->debugfs);
	dir = debugfs_create_dir(r->name, contig_regions_dir);
	r->debugfs = dir;
	if (!IS_ERR_OR_NULL(dir))
		__contig_debugfs_region_files(dir, r);
}

/**
 * contig_debugfs_remove_region() - undo contig_debugfs_add_region().
 * @r: the region.
 *
 * Context: process context, module load and unload.
 */
void contig_debugfs_remove_region(struct contig_region *r)
{
	debugfs_remove_recursive(r->debugfs);
	r->debugfs = NULL;
}

/**
 * contig_debugfs_fini() - remove what contig_debugfs_init() created.
 * @r: the region.
 *
 * Context: process context, module unload.
 */
void contig_debugfs_fini(struct contig_region *r)
{
	debugfs_remove_recursive(r->debugfs);
	r->debugfs = NULL;
	contig_regions_dir = NULL;
}
