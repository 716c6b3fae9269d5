// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module parameters, load and unload of contig.ko.
 *
 * contig.ko owns exactly one region, named by the mandatory `region=`
 * parameter.  Load order: parse and claim the region (region.c), lend its
 * whole memory blocks to the kernel when lend=1, the default (lend.c; if
 * they cannot be onlined, the region is claimed anew without lending), publish
 * it (contig_default_region() answers from then on; no other module can
 * call in before the load completes), set up the allocators over it
 * (movable memory, migration, slab caches, buffer mappings), start
 * clearing its free memory in the background (prezero.c), then open it
 * to the world: debugfs and /dev/contig.  Unload undoes that
 * in reverse.  A load that fails anywhere leaves nothing behind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "buffer.h"
#include "chardev.h"
#include "debugfs.h"
#include "dma.h"
#include "migrate.h"
#include "movable.h"
#include "kmalloc.h"
#include "lend.h"
#include "prezero.h"
#include "user.h"

#define CONTIG_VERSION "0.1.0"

static char *region;
module_param(region, charp, 0400);	/* a physical address: root's */
MODULE_PARM_DESC(region,
		 "Boot-reserved range to manage, SIZE@BASE with K/M/G suffixes, e.g. 256M@0x30000000 (required; reserve it with memmap=SIZE$BASE)");

static char *policy = "first";
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy,
		 "Default placement policy of the buddy allocator: first, best, worst or next (fit)");

static bool slab_debug;
module_param(slab_debug, bool, 0444);
MODULE_PARM_DESC(slab_debug,
		 "Red zones and poison in every object cache and contig_kmalloc() class: reports overruns and use after free (slower)");

static int __init contig_init(void)
{
	struct contig_region *r;
	int pol;
	u64 size, base;
	int ret;

	pol = contig_policy_from_name(policy);
	if (pol < 0) {
		pr_err("policy=%s refused: use first, best, worst or next\n",
		       policy);
		return -EINVAL;
	}
	if (!region || !*region) {
		pr_err("region= is required, e.g. region=64M@0x30000000 with memmap=64M$0x30000000 on the kernel command line\n");
		return -EINVAL;
	}
	ret = contig_region_parse(region, &size, &base);
	if (ret) {
		pr_err("region=%s refused: %s\n", region,
		       ret == -EOVERFLOW ? "number too large" :
		       "expected SIZE@BASE, e.g. 64M@0x30000000");
		return ret;
	}

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->lend_block = contig_lend_block_size();
	ret = contig_region_claim(r, size, base);
	if (ret)
		goto free_region;
	contig_buddy_set_policy(&r->buddy, pol);
	ret = contig_lend_init(r);
	if (ret == -EAGAIN) {
		/* Lent blocks not onlined and taken away: contig's alone. */
		contig_region_release(r);
		memset(r, 0, sizeof(*r));
		ret = contig_region_claim(r, size, base);
		if (ret)
			goto free_region;
		contig_buddy_set_policy(&r->buddy, pol);
	} else if (ret) {
		goto release_region;
	}
	contig_region_publish(r);
	ret = contig_movable_init(r);
	if (ret)
		goto unpublish;
	contig_migrate_init();
	ret = contig_slab_init(r, slab_debug);
	if (ret)
		goto movable_exit;
	contig_buffers_init(r);
	contig_user_init(r);

	contig_prezero_start(r);
	contig_debugfs_init(r);
	ret = contig_chardev_init();
	if (ret)
		goto debugfs_fini;
	pr_info("managing %llu MiB at %pa-%#llx (%lu pages, %s fit)\n",
		r->size >> 20, &r->base, (u64)r->base + r->size - 1,
		r->nr_pages, contig_policy_name(pol));
	return 0;

debugfs_fini:
	contig_debugfs_fini(r);
	contig_prezero_stop();
	contig_slab_exit();
movable_exit:
	contig_migrate_exit();
	contig_movable_exit();
unpublish:
	contig_region_publish(NULL);
	contig_lend_exit(r);
release_region:
	contig_region_release(r);
free_region:
	kfree(r);
	return ret;
}

static void __exit contig_exit(void)
{
	struct contig_region *r = contig_default_region();

	contig_chardev_exit();
	contig_debugfs_fini(r);
	contig_prezero_stop();
	contig_buffers_exit();
	contig_user_exit();
	contig_dma_exit();
	contig_slab_exit();
	contig_migrate_exit();
	contig_movable_exit();
	contig_region_publish(NULL);
	contig_lend_exit(r);
	contig_region_release(r);
	kfree(r);
	pr_info("released region\n");
}

module_init(contig_init);
module_exit(contig_exit);

MODULE_DESCRIPTION("contig: large physically contiguous memory from a boot-reserved region, on any kernel");
MODULE_AUTHOR("contig developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(CONTIG_VERSION);
