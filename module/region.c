// SPDX-License-Identifier: GPL-2.0
/*
 * region.c - claiming the boot-reserved range contig.ko manages.
 *
 * The region is ordinary RAM that firmware or the kernel command line took
 * away from the page allocator at boot (on x86 `memmap=SIZE$BASE`, which
 * shows as "Reserved" in /proc/iomem).  The module is told where it is with
 * `region=SIZE@BASE` and, before touching a byte, proves that
 *
 *   - the string is well formed, non-zero, page aligned and does not wrap;
 *   - the range is addressable and has a struct page for every frame
 *     (pfn_valid), i.e. it is RAM the kernel knows about but does not use;
 *   - no byte of it is System RAM the kernel is using (region_intersects);
 *   - nobody else holds it: it is inserted busy into the iomem resource
 *     tree under the name "contig", so a second claim fails rather than
 *     shares, and /proc/iomem shows who owns it.
 *
 * Only then is it mapped write-back (memremap) and handed to the buddy.
 * Every refusal leaves one dmesg line naming the reason and returns an
 * errno a caller can act on:
 *
 *   -EINVAL	missing, malformed, zero, unaligned, or not reserved RAM
 *   -EOVERFLOW	a number or BASE+SIZE does not fit in 64 bits
 *   -ERANGE	beyond the physical address width of this machine
 *   -EBUSY	System RAM in use by the kernel, or claimed by someone else
 *   -ENOMEM	mapping or metadata allocation failed
 *
 * Context: everything here runs at module load/unload in process context,
 * serialised by the module loader; no locking of its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/ioport.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/string.h>
#ifdef CONFIG_X86
#include <asm/processor.h>
#endif

#include "contig_internal.h"

/*
 * Parse one number of the form DIGITS[K|M|G] or 0xHEX[K|M|G].  Returns the
 * number of characters consumed, or -errno.
 */
static int __contig_parse_num(const char *s, u64 *out)
{
	const char *p = s;
	unsigned int base = 10, shift = 0;
	u64 v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit(*p) || (base == 10 && !isdigit(*p)))
		return -EINVAL;
	for (; *p; p++) {
		unsigned int d;

		if (isdigit(*p))
			d = *p - '0';
		else if (base == 16 && isxdigit(*p))
			d = tolower(*p) - 'a' + 10;
		else
			break;
		if (check_mul_overflow(v, (u64)base, &v) ||
		    check_add_overflow(v, (u64)d, &v))
			return -EOVERFLOW;
	}
	switch (*p) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	}
	if (shift) {
		if (v > (U64_MAX >> shift))
			return -EOVERFLOW;
		v <<= shift;
		p++;
	}
	*out = v;
	return p - s;
}

/**
 * contig_region_parse() - parse a region=SIZE@BASE string.
 * @str:  the string, e.g. "256M@0x30000000"; a trailing newline is allowed.
 * @size: the size in bytes, on success.
 * @base: the physical base address, on success.
 *
 * Syntax only: alignment and the machine's memory map are checked by
 * contig_region_check().
 *
 * Context: any.
 * Return: 0, -EINVAL for a missing or malformed string, -EOVERFLOW for a
 * number that does not fit in 64 bits.  @size and @base are untouched on
 * error.
 */
int contig_region_parse(const char *str, u64 *size, u64 *base)
{
	u64 s, b;
	int n;

	if (!str || !*str)
		return -EINVAL;
	n = __contig_parse_num(str, &s);
	if (n < 0)
		return n;
	str += n;
	if (*str++ != '@')
		return -EINVAL;
	n = __contig_parse_num(str, &b);
	if (n < 0)
		return n;
	str += n;
	if (*str == '\n')
		str++;
	if (*str)
		return -EINVAL;
	*size = s;
	*base = b;
	return 0;
}
CONTIG_EXPORT_FOR_TESTS(contig_region_parse);

/* Physical address width: the CPU's where the architecture tells it. */
static unsigned int __contig_phys_bits(void)
{
#ifdef CONFIG_X86
	return boot_cpu_data.x86_phys_bits;
#else
	return MAX_PHYSMEM_BITS;
#endif
}

/**
 * contig_region_check() - the decisions that need no machine state.
 * @size: region size in bytes.
 * @base: region base address.
 * @why:  set to a short human reason on failure.
 *
 * Context: any.
 * Return: 0 or -EINVAL / -EOVERFLOW / -ERANGE, see the file comment.
 */
int contig_region_check(u64 size, u64 base, const char **why)
{
	u64 end;

	if (!size) {
		*why = "size is zero";
		return -EINVAL;
	}
	if (!PAGE_ALIGNED(size) || !PAGE_ALIGNED(base)) {
		*why = "size and base must be multiples of the page size";
		return -EINVAL;
	}
	if (check_add_overflow(base, size, &end)) {
		*why = "base + size wraps around";
		return -EOVERFLOW;
	}
	if ((phys_addr_t)(end - 1) != end - 1 ||
	    (end - 1) >> __contig_phys_bits()) {
		*why = "range is beyond the physical address space";
		return -ERANGE;
	}
	return 0;
}
CONTIG_EXPORT_FOR_TESTS(contig_region_check);

static const char *__contig_region_describe(u64 base, u64 size)
{
	if (region_intersects(base, size, IORESOURCE_MEM, IORES_DESC_RESERVED) ==
	    REGION_INTERSECTS)
		return "boot reservation (Reserved in /proc/iomem, e.g. memmap=SIZE$BASE)";
	return "RAM outside the kernel's memory map";
}

/**
 * contig_region_claim() - validate, claim and map a region.
 * @r:    the region to fill in; zeroed by the caller.
 * @size: size in bytes.
 * @base: physical base.
 *
 * On failure nothing is held: no resource, no mapping, no buddy.
 *
 * Context: process context, may sleep.
 * Return: 0 or -errno (see the file comment), with one pr_err line.
 */
int contig_region_claim(struct contig_region *r, u64 size, u64 base)
{
	const char *why = NULL;
	unsigned long pfn;
	int ret;

	ret = contig_region_check(size, base, &why);
	if (ret) {
		pr_err("region=%#llx@%#llx refused: %s\n", size, base, why);
		return ret;
	}
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("region %#llx-%#llx refused: overlaps System RAM in use by the kernel (reserve it with memmap=%lluK$%#llx)\n",
		       base, base + size - 1, size >> 10, base);
		return -EBUSY;
	}
	for (pfn = PHYS_PFN(base); pfn < PHYS_PFN(base + size); pfn++) {
		if (!pfn_valid(pfn)) {
			pr_err("region %#llx-%#llx refused: pfn %#lx has no struct page (not RAM known to the kernel)\n",
			       base, base + size - 1, pfn);
			return -EINVAL;
		}
	}

	r->res = request_mem_region(base, size, CONTIG_NAME);
	if (!r->res) {
		pr_err("region %#llx-%#llx refused: already claimed by another driver (see /proc/iomem)\n",
		       base, base + size - 1);
		return -EBUSY;
	}
	r->claim = __contig_region_describe(base, size);

	r->vaddr = memremap(base, size, MEMREMAP_WB);
	if (!r->vaddr) {
		pr_err("region %#llx-%#llx: memremap failed\n",
		       base, base + size - 1);
		ret = -ENOMEM;
		goto release_res;
	}

	r->base = base;
	r->size = size;
	r->base_pfn = PHYS_PFN(base);
	r->nr_pages = size >> PAGE_SHIFT;

	ret = contig_buddy_init(&r->buddy, r->nr_pages, CONTIG_POLICY_FIRST_FIT);
	if (ret) {
		pr_err("region: cannot allocate allocator metadata for %lu pages (%d)\n",
		       r->nr_pages, ret);
		goto unmap;
	}
	return 0;

unmap:
	memunmap(r->vaddr);
	r->vaddr = NULL;
release_res:
	release_mem_region(base, size);
	r->res = NULL;
	return ret;
}
CONTIG_EXPORT_FOR_TESTS(contig_region_claim);

/**
 * contig_region_release() - undo contig_region_claim().
 * @r: a successfully claimed region.
 *
 * Context: process context, may sleep.
 */
void contig_region_release(struct contig_region *r)
{
	contig_buddy_fini(&r->buddy);
	memunmap(r->vaddr);
	r->vaddr = NULL;
	release_mem_region(r->base, r->size);
	r->res = NULL;
}
CONTIG_EXPORT_FOR_TESTS(contig_region_release);
