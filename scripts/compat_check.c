// SPDX-License-Identifier: GPL-2.0
/*
 * compat_check.c - compile-time test of the compat layer that
 * scripts/conftest.sh generates (contig_compat.h).
 *
 * Built only by scripts/check-kernels.sh (make CONTIG_COMPAT_CHECK=1), with
 * W=1 and sparse, against every kernel we claim.  Each macro of the compat
 * layer is used here once, and the functions are kept (the table at the
 * end) so that modpost sees their symbols: a fallback branch that does not
 * compile, or an import namespace spelled the wrong way for this kernel,
 * fails the check before module code depends on it.  Nothing here runs;
 * the module's init does nothing.
 */
#include <linux/build_bug.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>

#include <contig.h>

/*
 * Both directions of our own namespaces, and a kernel namespace: the
 * public API's export (CONTIG) and <contig.h>'s import of it, which
 * consumers outside our tree use without this compat layer.
 */
extern int contig_compat_check_sym;
int contig_compat_check_sym;
EXPORT_SYMBOL_NS_GPL(contig_compat_check_sym, CONTIG_INTERNAL);
extern int contig_compat_check_api_sym;
int contig_compat_check_api_sym;
EXPORT_SYMBOL_NS_GPL(contig_compat_check_api_sym, CONTIG);
MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();
MODULE_IMPORT_NS(CONTIG_NS(DMA_BUF));

/* MAX_PAGE_ORDER is the largest order, inclusive, whatever MAX_ORDER meant. */
static_assert(MAX_ORDER_NR_PAGES == 1UL << MAX_PAGE_ORDER);
static_assert(NR_PAGE_ORDERS - MAX_PAGE_ORDER == 1);

static void check_vm_flags(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND);
	vm_flags_clear(vma, VM_MAYWRITE);
}

static int check_dma_buf_vmap(struct dma_buf *dmabuf)
{
	struct iosys_map map;
	int ret;

	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (!ret)
		dma_buf_vunmap_unlocked(dmabuf, &map);
	return ret;
}

static struct class *check_class_create(void)
{
	return contig_class_create("contig_compat_check");
}

static long check_gup(unsigned long start, unsigned long nr,
		      struct page **pages)
{
	long n = contig_get_user_pages(start, nr, FOLL_WRITE, pages);

	if (n > 0)
		n = contig_pin_user_pages(start, nr, FOLL_WRITE | FOLL_LONGTERM,
					  pages);
	return n;
}

static long check_gup_remote(struct mm_struct *mm, unsigned long start,
			     unsigned long nr, struct page **pages)
{
	int locked = 1;

	return contig_pin_user_pages_remote(mm, start, nr, FOLL_WRITE, pages,
					    &locked);
}

static bool check_dma_capable(struct device *dev, phys_addr_t phys,
			      size_t size)
{
	return contig_dma_capable(dev, phys_to_dma(dev, phys), size, true);
}

/* Keeps every check in the object, so modpost resolves its symbols. */
static const void *const contig_compat_checks[] __used = {
	check_vm_flags, check_dma_buf_vmap, check_class_create, check_gup,
	check_gup_remote, check_dma_capable,
};

static int __init contig_compat_check_init(void)
{
	return 0;
}

static void __exit contig_compat_check_exit(void)
{
}

module_init(contig_compat_check_init);
module_exit(contig_compat_check_exit);

MODULE_DESCRIPTION("contig: compile-time test of the kernel compat layer");
MODULE_AUTHOR("contig developers");
MODULE_LICENSE("GPL");
