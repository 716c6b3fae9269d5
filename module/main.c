// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - module parameters, load and unload of contig.ko.
 *
 * contig.ko owns the regions named by the `region=` parameter, or when it
 * is empty by the device tree's contig,region nodes (region.c; one or the
 * other is required), up to CONTIG_MAX_REGIONS; contig_internal.h says
 * what the first, the default region, does that the others do not.  Load
 * order: parse the list, claim the first region (region.c), lend its
 * whole memory blocks to the kernel when lend=1, the default (lend.c; if
 * they cannot be onlined, the region is claimed anew without lending), publish
 * it (contig_default_region() answers from then on; no other module can
 * call in before the load completes), set up the allocators over it
 * (movable memory, migration, slab caches, buffer mappings), start
 * clearing its free memory in the background (prezero.c), make its
 * debugfs directory, then claim and publish each further region with its
 * own buddy and debugfs directory, and only then open them all to the
 * world: /dev/contig.  Every region of the list must load, or none does.
 * Unload undoes that in reverse.  A load that fails anywhere leaves
 * nothing behind.
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
module_param(region, charp, 0400);	/* physical addresses: root's */
MODULE_PARM_DESC(region,
		 "Boot-reserved ranges to manage, SIZE@BASE[:NAME] with K/M/G suffixes, up to 8 separated by commas, e.g. 256M@0x30000000 or 256M@0x30000000,64M@0x40000000:camera (reserve each with memmap=SIZE$BASE; required unless the device tree has contig,region nodes, which are used when it is empty).  The first is the default region, the only one lent to the kernel");

static char *policy = "first";
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy,
		 "Default placement policy of every region's buddy allocator: first, best, worst or next (fit); each region's debugfs policy file changes its own");

static bool slab_debug;
module_param(slab_debug, bool, 0444);
MODULE_PARM_DESC(slab_debug,
		 "Red zones and poison in every object cache and contig_kmalloc() class: reports overruns and use after free (slower)");

static void __contig_region_free(struct contig_region *r)
{
	contig_region_unpublish(r);
	contig_debugfs_remove_region(r);
	contig_region_release(r);
	pr_info("released region %u (%s)\n", r->id, r->name);
	kfree(r);
}

/*
 * Unpublish and release every region after the first, last first: they
 * are published in id order once claimed (region.c keeps the list).
 */
static void __contig_free_more(void)
{
	unsigned int n;

	while ((n = contig_nr_regions()) > 1)
		__contig_region_free(contig_region_get(n - 1));
}

/*
 * Claim a region after the first: contig's own (nothing lent), its buddy
 * under @pol, published with its debugfs directory.
 */
static int __contig_add_region(const struct contig_region_spec *spec,
			       unsigned int id, int pol)
{
	struct contig_region *r;
	int ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	ret = contig_region_claim(r, spec->size, spec->base);
	if (ret) {
		pr_err("region %u (%s) not loaded: every region of region= must load (%d)\n",
		       id, spec->name, ret);
		kfree(r);
		return ret;
	}
	r->id = id;
	strscpy(r->name, spec->name, sizeof(r->name));
	contig_buddy_set_policy(&r->buddy, pol);
	contig_buffers_init(r);
	contig_region_publish(r);
	contig_debugfs_add_region(r);
	pr_info("region %u (%s): managing %llu MiB at %pa-%#llx (%lu pages, %s fit, not lent: only region 0 lends)\n",
		r->id, r->name, r->size >> 20, &r->base,
		(u64)r->base + r->size - 1, r->nr_pages,
		contig_policy_name(pol));
	return 0;
}

static int __init contig_init(void)
{
	struct contig_region_spec *specs;
	struct contig_region *r;
	const char *why = NULL;
	unsigned int i;
	int pol, n;
	u64 size, base;
	int ret;

	pol = contig_policy_from_name(policy);
	if (pol < 0) {
		pr_err("policy=%s refused: use first, best, worst or next\n",
		       policy);
		return -EINVAL;
	}
	specs = kcalloc(CONTIG_MAX_REGIONS, sizeof(*specs), GFP_KERNEL);
	if (!specs)
		return -ENOMEM;
	if (region && *region)
		n = contig_regions_parse(region, specs, &why);
	else
		n = contig_regions_from_dt(specs, &why);
	if (n < 0) {
		pr_err("%s%s refused: %s\n", region && *region ? "region=" :
		       "the device tree's contig,region nodes",
		       region && *region ? region : "", why);
		kfree(specs);
		return n;
	}
	if (!n) {
		pr_err("region= is required, e.g. region=64M@0x30000000 with memmap=64M$0x30000000 on the kernel command line (or contig,region nodes in the device tree)\n");
		kfree(specs);
		return -EINVAL;
	}
	size = specs[0].size;
	base = specs[0].base;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		ret = -ENOMEM;
		goto free_specs;
	}
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
	strscpy(r->name, specs[0].name, sizeof(r->name));
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
	for (i = 1; i < n; i++) {
		ret = __contig_add_region(&specs[i], i, pol);
		if (ret)
			goto free_more;
	}
	ret = contig_chardev_init();
	if (ret)
		goto free_more;
	pr_info("managing %llu MiB at %pa-%#llx (%lu pages, %s fit)%s%s\n",
		r->size >> 20, &r->base, (u64)r->base + r->size - 1,
		r->nr_pages, contig_policy_name(pol),
		n > 1 ? " as region 0: " : "", n > 1 ? r->name : "");
	kfree(specs);
	return 0;

free_more:
	__contig_free_more();
	contig_debugfs_fini(r);
	contig_prezero_stop();
	contig_slab_exit();
movable_exit:
	contig_migrate_exit();
	contig_movable_exit();
unpublish:
	contig_region_unpublish(r);
	contig_lend_exit(r);
release_region:
	contig_region_release(r);
free_region:
	kfree(r);
free_specs:
	kfree(specs);
	return ret;
}

static void __exit contig_exit(void)
{
	struct contig_region *r = contig_default_region();

	contig_chardev_exit();
	__contig_free_more();
	contig_debugfs_fini(r);
	contig_prezero_stop();
	contig_buffers_exit();
	contig_user_exit();
	contig_dma_exit();
	contig_slab_exit();
	contig_migrate_exit();
	contig_movable_exit();
	contig_region_unpublish(r);
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
