// SPDX-License-Identifier: GPL-2.0
/*
 * buddy.c - the buddy allocator's kernel side: reports and debugfs.
 *
 * buddy_core.c is the allocator and builds in user space too; this file
 * is what only the kernel has.
 *
 * Locking contract.  The core's exported functions take region->buddy.lock
 * themselves, with spin_lock_irqsave(), and never sleep or allocate after
 * contig_buddy_init(): callers hold no buddy lock and may call them from
 * any context, hard interrupts included (CONTIG_BUDDY_ATOMIC only
 * documents the caller's context).  The lock is innermost: nothing is
 * called with it held but the core's own helpers.  contig_buddy_report()
 * below is called after the core has dropped it.
 *
 * Reports.  A refused call is counted by the core (bad_calls) and
 * reported here, unless the instance is quiet (tests):
 *   - programming errors (double free, a frame that starts no allocation,
 *     an invalid owner, policy or flag): one WARN per buddy instance, then
 *     ratelimited pr_err lines, so a test's private buddy cannot use up
 *     the warning of the region's;
 *   - requests a user could have passed down (size 0, larger than the
 *     region, a bad alignment): ratelimited pr_warn.
 *
 * debugfs, in the region's directory (all read the state through
 * contig_buddy_get_stats() or contig_buddy_count_owners(), so each line is
 * consistent but the file as a whole is not a snapshot):
 *
 *   buddyinfo      free blocks per order, in /proc/buddyinfo's format
 *   fragmentation  free and largest free block, counters, and per order
 *                  the unusable free space index and the external
 *                  fragmentation index (mm/vmstat.c's definitions, as
 *                  /sys/kernel/debug/extfrag/ prints them)
 *   map            one character per run of frames: who holds it
 *   policy         the default placement policy; write a name to change it
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "contig_internal.h"

/**
 * contig_buddy_report() - report a call the buddy refused.
 * @b:		the buddy that refused it.
 * @bug:	a programming error rather than a bad user request.
 * @what:	what was wrong.
 * @val:	the offending value (frame, size, alignment, owner...).
 *
 * Context: any; called by buddy_core.c without b->lock.
 */
void contig_buddy_report(struct contig_buddy *b, bool bug, const char *what,
			 unsigned long val)
{
	if (READ_ONCE(b->quiet))
		return;
	if (!bug)
		pr_warn_ratelimited("buddy: %s: %lu\n", what, val);
	else if (!xchg(&b->warned, 1))
		WARN(1, "contig: buddy: %s: %lu\n", what, val);
	else
		pr_err_ratelimited("buddy: %s: %lu\n", what, val);
}

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
	static const char whole[CONTIG_NR_OWNERS + 1] = ".UMPS";
	static const char part[CONTIG_NR_OWNERS + 1] = ".umps";
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
	seq_puts(m, "# . free  U unmovable  M movable  P pinned  S slab  u m p s: partly free  #: several owners\n");
	for (frame = 0; frame < n;) {
		start = frame;
		for (col = 0; col < CONTIG_MAP_COLS && frame < n;
		     col++, frame += per) {
			contig_buddy_count_owners(b, frame, per, counts);
			line[col] = __contig_map_char(counts);
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
	pr_info("buddy: default policy: %s fit\n", contig_policy_name(p));
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

/**
 * contig_buddy_debugfs_init() - add the buddy's files to debugfs.
 * @r:		the region.
 * @dir:	the region's debugfs directory; nothing is done when it is
 *		NULL or an error (debugfs off or failed).
 *
 * The files go with @dir (debugfs_remove_recursive() in debugfs.c).
 *
 * Context: process context, at load.
 */
void contig_buddy_debugfs_init(struct contig_region *r, struct dentry *dir)
{
	if (IS_ERR_OR_NULL(dir))
		return;
	debugfs_create_file("buddyinfo", 0444, dir, r, &buddyinfo_fops);
	debugfs_create_file("fragmentation", 0444, dir, r,
			    &fragmentation_fops);
	debugfs_create_file("map", 0444, dir, r, &map_fops);
	debugfs_create_file("policy", 0644, dir, r, &policy_fops);
}
