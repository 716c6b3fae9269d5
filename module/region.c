// SPDX-License-Identifier: GPL-2.0
/*
 * region.c - the boot-reserved ranges contig.ko manages: parsing region=,
 * finding them in the device tree, claiming each, looking them up.
 *
 * A region is ordinary RAM that firmware or the kernel command line took
 * away from the page allocator at boot (on x86 `memmap=SIZE$BASE`, which
 * shows as "Reserved" in /proc/iomem; on device-tree platforms a "no-map"
 * node of /reserved-memory).  The module is told where with
 * `region=SIZE@BASE[:NAME]`, a list of up to CONTIG_MAX_REGIONS of them,
 * or, region= left empty, by the device tree's nodes compatible with
 * "contig,region" (contig_regions_from_dt(); the binding is
 * Documentation/devicetree/bindings/reserved-memory/contig,region.yaml).
 * Before touching a byte of a region it proves that
 *
 *   - the string is well formed, non-zero, page aligned and does not wrap;
 *   - the range is within the physical address width of the machine;
 *   - no byte of it is System RAM the kernel is using (region_intersects);
 *   - every byte of it is a boot reservation: covered by "Reserved"
 *     entries of /proc/iomem (what memmap=SIZE$BASE leaves), or inside
 *     one /reserved-memory region of the device tree that the kernel
 *     reserved, so that a typo cannot hand out MMIO space or a hole as if
 *     it were RAM;
 *   - on x86, every page of it is RAM in the firmware's own memory map
 *     (e820 as the BIOS gave it, before memmap= edited it): memmap=$ marks
 *     any range Reserved, even one past the end of RAM, where writes
 *     vanish;
 *   - nobody else holds it: it is inserted busy into the iomem resource
 *     tree under the name "contig", so a second claim fails rather than
 *     shares, and /proc/iomem shows who owns it.
 *
 * Buffers are described to the DMA API and to dma-buf importers by struct
 * page, so every frame needs one.  A reservation that shares a memory
 * section with boot RAM has them already (the section's memmap is whole);
 * a section the reservation covers entirely has none, and on x86_64 (128
 * MiB sections) that is the case of every reservation of 256 MiB or more.
 * Those sections get struct pages from memremap_pages() as
 * MEMORY_DEVICE_GENERIC (ZONE_DEVICE), which also adds them to the kernel's
 * direct map; Debian's kernels have CONFIG_ZONE_DEVICE.  Without it such a
 * region is refused.
 *
 * Only then is it mapped write-back (memremap) and handed to the buddy.
 * Every refusal leaves one dmesg line naming the reason and returns an
 * errno a caller can act on:
 *
 *   -EINVAL	missing, malformed, zero or unaligned; not a boot
 *		reservation; not RAM; frames without struct page on a kernel
 *		without CONFIG_ZONE_DEVICE
 *   -EOVERFLOW	a number or BASE+SIZE does not fit in 64 bits
 *   -ERANGE	beyond the physical address width of this machine
 *   -EBUSY	System RAM in use by the kernel, or claimed by someone else
 *   -ENOMEM	mapping or metadata allocation failed
 *   other	memremap_pages() refused the sections (its errno)
 *
 * Context: everything here runs at module load/unload in process context,
 * serialised by the module loader; no locking of its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/numa.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/sched.h>
#include <linux/sort.h>
#ifdef CONFIG_X86
#include <asm/e820/api.h>
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

static bool __contig_name_char(char c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/*
 * A region's name, @len characters at @s (NAME of region=, or a
 * contig,region node's name before '@'), checked and copied to @name
 * (CONTIG_REGION_NAME_LEN bytes).  Returns 0 or -EINVAL with *@why set.
 */
static int __contig_name(const char *s, size_t len, char *name,
			 const char **why)
{
	size_t i;

	if (!len || len >= CONTIG_REGION_NAME_LEN) {
		*why = "a region's name is 1 to 15 characters (a node's: before '@')";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (!__contig_name_char(s[i])) {
			*why = "a region's name is letters, digits, '_' and '-'";
			return -EINVAL;
		}
	}
	memcpy(name, s, len);
	name[len] = '\0';
	return 0;
}

/*
 * One item of a region= list, @len characters at @item: SIZE@BASE or
 * SIZE@BASE:NAME.  Returns 0 or -errno with *@why set.
 */
static int __contig_parse_item(const char *item, size_t len,
			       struct contig_region_spec *spec,
			       const char **why)
{
	char buf[64];
	const char *colon = memchr(item, ':', len);
	size_t range_len = colon ? colon - item : len;
	int ret;

	if (range_len >= sizeof(buf) || memchr(item, '\n', len)) {
		*why = "expected SIZE@BASE[:NAME], e.g. 64M@0x30000000:camera";
		return -EINVAL;
	}
	memcpy(buf, item, range_len);
	buf[range_len] = '\0';
	ret = contig_region_parse(buf, &spec->size, &spec->base);
	if (ret) {
		*why = ret == -EOVERFLOW ? "number too large" :
		       "expected SIZE@BASE[:NAME], e.g. 64M@0x30000000:camera";
		return ret;
	}
	if (!colon)
		return 0;
	return __contig_name(colon + 1, len - range_len - 1, spec->name, why);
}

/**
 * contig_regions_parse() - parse a region= list.
 * @str:   "SIZE@BASE[:NAME][,SIZE@BASE[:NAME]...]"; a trailing newline
 *         is allowed.
 * @specs: CONTIG_MAX_REGIONS entries, filled in order on success; a
 *         region without a name is named "region<index>".
 * @why:   set to a short human reason on failure.
 *
 * Syntax only, as contig_region_parse(), plus: at most CONTIG_MAX_REGIONS
 * regions, no empty item, names of 1 to 15 letters, digits, '_' or '-',
 * no two regions of one name.  Overlaps are refused when the regions are
 * claimed (-EBUSY: the second claim of a range fails).
 *
 * Context: any.
 * Return: the number of regions (at least 1), or -EINVAL / -EOVERFLOW;
 * @specs is undefined on error.
 */
int contig_regions_parse(const char *str, struct contig_region_spec *specs,
			 const char **why)
{
	size_t len = str ? strlen(str) : 0;
	unsigned int n = 0, i;
	const char *p = str;
	int ret;

	if (len && str[len - 1] == '\n')
		len--;
	if (!len) {
		*why = "region= is required";
		return -EINVAL;
	}
	for (;;) {
		const char *comma = memchr(p, ',', str + len - p);
		size_t item = comma ? comma - p : str + len - p;

		if (n == CONTIG_MAX_REGIONS) {
			*why = "at most 8 regions";
			return -EINVAL;
		}
		if (!item) {
			*why = "empty item in the region list";
			return -EINVAL;
		}
		memset(&specs[n], 0, sizeof(specs[n]));
		ret = __contig_parse_item(p, item, &specs[n], why);
		if (ret)
			return ret;
		if (!specs[n].name[0])
			snprintf(specs[n].name, CONTIG_REGION_NAME_LEN,
				 "region%u", n);
		for (i = 0; i < n; i++) {
			if (!strcmp(specs[i].name, specs[n].name)) {
				*why = "two regions of one name";
				return -EINVAL;
			}
		}
		n++;
		if (!comma)
			return n;
		p = comma + 1;
	}
}

CONTIG_EXPORT_FOR_TESTS(contig_regions_parse);

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

/* Walk state of __contig_reserved_step(): the first byte not yet covered. */
struct contig_cover {
	u64 next;
	u64 end;
	u64 hole;
	bool gap;
};

static int __contig_reserved_step(struct resource *res, void *arg)
{
	struct contig_cover *c = arg;

	if (res->start > c->next && !c->gap) {
		c->gap = true;
		c->hole = c->next;
	}
	if (res->end >= c->next)
		c->next = res->end + 1;
	return 0;
}

/*
 * Is every byte of [base, base + size) inside a "Reserved" iomem entry?
 * Returns 0, or -EINVAL with *hole set to the first byte that is not.
 */
static int __contig_region_reserved(u64 base, u64 size, u64 *hole)
{
	struct contig_cover c = { .next = base, .end = base + size - 1 };

	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, base,
			    c.end, &c, __contig_reserved_step);
	if (!c.gap && c.next <= c.end) {
		c.gap = true;
		c.hole = c.next;
	}
	*hole = c.hole;
	return c.gap ? -EINVAL : 0;
}

/*
 * Is [base, base + size) inside one region of the device tree's
 * /reserved-memory, as the kernel reserved it at boot?  That is where
 * device-tree platforms (arm64) set memory aside; their "no-map" regions
 * are not "Reserved" in /proc/iomem, as memmap= ranges are on x86.
 */
static bool __contig_region_dt_reserved(u64 base, u64 size)
{
	struct device_node *rm, *np;
	struct reserved_mem *rmem;
	bool found = false;

	if (!IS_ENABLED(CONFIG_OF_RESERVED_MEM))
		return false;
	rm = of_find_node_by_path("/reserved-memory");
	if (!rm)
		return false;
	for_each_available_child_of_node(rm, np) {
		rmem = of_reserved_mem_lookup(np);
		if (rmem && base >= rmem->base &&
		    base + size <= (u64)rmem->base + rmem->size) {
			found = true;
			of_node_put(np);
			break;
		}
	}
	of_node_put(rm);
	return found;
}

/* How to reserve a range on this platform, for refusals. */
static const char *__contig_how_to_reserve(void)
{
	return IS_ENABLED(CONFIG_X86) ?
	       "reserve it with memmap=SIZE$BASE on the kernel command line" :
	       "declare it in the device tree's /reserved-memory, no-map";
}

/* Lowest base first. */
static int __contig_spec_cmp(const void *a, const void *b)
{
	const struct contig_region_spec *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/**
 * contig_region_dt_name() - a region's name from its node's name.
 * @node: the node's name, e.g. "camera@60000000".
 * @name: CONTIG_REGION_NAME_LEN bytes, set to the part before '@'.
 * @why:  set to a short human reason on failure.
 *
 * Context: any.
 * Return: 0, or -EINVAL when that part is empty, longer than 15
 * characters, or has a character other than a letter, digit, '_' or '-'.
 */
int contig_region_dt_name(const char *node, char *name, const char **why)
{
	return __contig_name(node, strcspn(node, "@"), name, why);
}

CONTIG_EXPORT_FOR_TESTS(contig_region_dt_name);

/**
 * contig_regions_from_dt() - the regions the device tree declares.
 * @specs: CONTIG_MAX_REGIONS entries, filled in order on success.
 * @why:   set to a short human reason on failure.
 *
 * Every /reserved-memory node compatible with "contig,region" that the
 * kernel reserved at boot, named for the node (the part of its name
 * before '@', e.g. "camera" for camera@60000000), lowest base first: the
 * order of nodes is not something device-tree tools keep (fdtoverlay
 * adds them in reverse), an address is.  For region= left empty on
 * device-tree platforms.
 *
 * Context: process context.
 * Return: the number of regions (0 when the device tree declares none,
 * or there is no device tree), or -EINVAL.
 */
int contig_regions_from_dt(struct contig_region_spec *specs, const char **why)
{
	struct device_node *np = NULL;
	struct reserved_mem *rmem;
	unsigned int n = 0, i;

	if (!IS_ENABLED(CONFIG_OF_RESERVED_MEM))
		return 0;
	while ((np = of_find_compatible_node(np, NULL, "contig,region"))) {
		if (!of_device_is_available(np))
			continue;
		if (n == CONTIG_MAX_REGIONS) {
			*why = "more than 8 contig,region nodes";
			goto fail;
		}
		rmem = of_reserved_mem_lookup(np);
		if (!rmem || !rmem->size) {
			*why = "a contig,region node not reserved by the kernel (no reg?)";
			goto fail;
		}
		memset(&specs[n], 0, sizeof(specs[n]));
		specs[n].base = rmem->base;
		specs[n].size = rmem->size;
		if (contig_region_dt_name(kbasename(np->full_name),
					  specs[n].name, why))
			goto fail;
		for (i = 0; i < n; i++) {
			if (!strcmp(specs[i].name, specs[n].name)) {
				*why = "two contig,region nodes of one name";
				goto fail;
			}
		}
		n++;
	}
	sort(specs, n, sizeof(*specs), __contig_spec_cmp, NULL);
	return n;
fail:
	of_node_put(np);
	return -EINVAL;
}

/*
 * Is every page of [base, base + size) RAM in the firmware's memory map?
 * Returns 0, or -EINVAL with *hole set to the first page that is not.
 * e820 entries end on any page, so the walk is page by page: a few
 * milliseconds per GiB, once, at load.
 */
static int __contig_region_firmware_ram(u64 base, u64 size, u64 *hole)
{
#ifdef CONFIG_X86
	u64 a;

	for (a = base; a < base + size; a += PAGE_SIZE) {
		if (!e820__mapped_raw_any(a, a + PAGE_SIZE, E820_TYPE_RAM)) {
			*hole = a;
			return -EINVAL;
		}
		if (!(a & (SZ_1G - 1)))
			cond_resched();
	}
#endif
	return 0;
}

/*
 * Does @pfn have a struct page, or will it get one from memory hotplug
 * because it is lent (lend.c)?
 */
static bool __contig_has_page(const struct contig_region *r, unsigned long pfn)
{
	return pfn_valid(pfn) || pfn - (r->base_pfn + r->lend_first) < r->lend_nr;
}

/*
 * The next run [*start, *stop) of frames without a struct page, searched
 * from *stop up to @end.  Returns false when there is none.
 */
static bool __contig_next_hole(const struct contig_region *r,
			       unsigned long *start, unsigned long *stop,
			       unsigned long end)
{
	unsigned long pfn = *stop;

	while (pfn < end && __contig_has_page(r, pfn))
		pfn++;
	if (pfn == end)
		return false;
	*start = pfn;
	while (pfn < end && !__contig_has_page(r, pfn))
		pfn++;
	*stop = pfn;
	return true;
}

#ifdef CONFIG_ZONE_DEVICE
/*
 * Give struct pages to the frames of @r that have none.  Frames without a
 * struct page come in whole memory sections; each run of them becomes one
 * range of a MEMORY_DEVICE_GENERIC pagemap.
 */
static int __contig_region_add_pages(struct contig_region *r)
{
	unsigned long pfn, end = r->base_pfn + r->nr_pages, run;
	struct dev_pagemap *pgmap;
	int nr = 0, i = 0;
	void *addr;

	for (run = r->base_pfn; __contig_next_hole(r, &pfn, &run, end);)
		nr++;
	if (!nr)
		return 0;

	pgmap = kzalloc(struct_size(pgmap, ranges, nr), GFP_KERNEL);
	if (!pgmap)
		return -ENOMEM;
	for (run = r->base_pfn; __contig_next_hole(r, &pfn, &run, end);) {
		pgmap->ranges[i].start = PFN_PHYS(pfn);
		pgmap->ranges[i].end = PFN_PHYS(run) - 1;
		r->added_pages += run - pfn;
		i++;
	}
	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap->nr_range = nr;

	addr = memremap_pages(pgmap, NUMA_NO_NODE);
	if (IS_ERR(addr)) {
		pr_err("region %#llx-%#llx refused: memremap_pages() could not give struct pages to %lu frames in %d ranges (%pe)\n",
		       (u64)r->base, (u64)r->base + r->size - 1, r->added_pages,
		       nr, addr);
		r->added_pages = 0;
		kfree(pgmap);
		return PTR_ERR(addr);
	}
	r->pgmap = pgmap;
	return 0;
}

static void __contig_region_remove_pages(struct contig_region *r)
{
	if (!r->pgmap)
		return;
	memunmap_pages(r->pgmap);
	kfree(r->pgmap);
	r->pgmap = NULL;
	r->added_pages = 0;
}
#else
static int __contig_region_add_pages(struct contig_region *r)
{
	unsigned long pfn, run = r->base_pfn;

	if (!__contig_next_hole(r, &pfn, &run, r->base_pfn + r->nr_pages))
		return 0;
	pr_err("region %#llx-%#llx refused: pfn %#lx has no struct page and this kernel lacks CONFIG_ZONE_DEVICE to give it one (reserve less than a whole memory section)\n",
	       (u64)r->base, (u64)r->base + r->size - 1, pfn);
	return -EINVAL;
}

static void __contig_region_remove_pages(struct contig_region *r)
{
}
#endif

/*
 * The whole memory blocks of [base, base + size), when r->lend_block asks
 * for them: they are lent (lend.c) and get no "contig" iomem entry.
 */
static void __contig_region_lend_span(struct contig_region *r, u64 size,
				      u64 base)
{
	u64 first, last;

	r->lend_first = 0;
	r->lend_nr = 0;
	if (!r->lend_block)
		return;
	first = round_up(base, r->lend_block);
	last = round_down(base + size, r->lend_block);
	if (last <= first)
		return;
	r->lend_first = (first - base) >> PAGE_SHIFT;
	r->lend_nr = (last - first) >> PAGE_SHIFT;
}

/*
 * Claim the frames around the lent span (all of them when none is lent)
 * busy in the iomem tree, so that a second claim fails rather than
 * shares.  The lent span is claimed by memory hotplug's own busy entry.
 */
static int __contig_region_request(struct contig_region *r, u64 size,
				   u64 base)
{
	u64 head = r->lend_nr ? (u64)r->lend_first << PAGE_SHIFT : size;
	u64 tail_start = head + ((u64)r->lend_nr << PAGE_SHIFT);

	r->res = NULL;
	r->res_tail = NULL;
	if (head) {
		r->res = request_mem_region(base, head, CONTIG_NAME);
		if (!r->res)
			goto busy;
	}
	if (r->lend_nr && tail_start < size) {
		r->res_tail = request_mem_region(base + tail_start,
						 size - tail_start,
						 CONTIG_NAME);
		if (!r->res_tail)
			goto busy;
	}
	return 0;
busy:
	if (r->res)
		release_mem_region(r->res->start, resource_size(r->res));
	r->res = NULL;
	pr_err("region %#llx-%#llx refused: already claimed by another driver (see /proc/iomem)\n",
	       base, base + size - 1);
	return -EBUSY;
}

static void __contig_region_unrequest(struct contig_region *r)
{
	if (r->res)
		release_mem_region(r->res->start, resource_size(r->res));
	if (r->res_tail)
		release_mem_region(r->res_tail->start,
				   resource_size(r->res_tail));
	r->res = NULL;
	r->res_tail = NULL;
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
	u64 hole;
	int ret;

	ret = contig_region_check(size, base, &why);
	if (ret) {
		pr_err("region=%#llx@%#llx refused: %s\n", size, base, why);
		return ret;
	}
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("region %#llx-%#llx refused: overlaps System RAM in use by the kernel (%s)\n",
		       base, base + size - 1, __contig_how_to_reserve());
		return -EBUSY;
	}
	if (__contig_region_reserved(base, size, &hole) &&
	    !__contig_region_dt_reserved(base, size)) {
		pr_err("region %#llx-%#llx refused: %#llx is not a boot reservation (not Reserved in /proc/iomem, nor in a /reserved-memory node of the device tree; %s)\n",
		       base, base + size - 1, hole, __contig_how_to_reserve());
		return -EINVAL;
	}
	if (__contig_region_firmware_ram(base, size, &hole)) {
		pr_err("region %#llx-%#llx refused: %#llx is not RAM in the firmware's memory map (e820): memmap= reserved a hole or device memory\n",
		       base, base + size - 1, hole);
		return -EINVAL;
	}

	__contig_region_lend_span(r, size, base);
	ret = __contig_region_request(r, size, base);
	if (ret)
		return ret;

	r->base = base;
	r->size = size;
	r->base_pfn = PHYS_PFN(base);
	r->nr_pages = size >> PAGE_SHIFT;

	ret = __contig_region_add_pages(r);
	if (ret)
		goto release_res;
	r->claim = r->added_pages ?
		"boot reservation (Reserved in /proc/iomem), struct pages from memremap_pages()" :
		"boot reservation (Reserved in /proc/iomem), struct pages from boot";

	r->vaddr = memremap(base, size, MEMREMAP_WB);
	if (!r->vaddr) {
		pr_err("region %#llx-%#llx: memremap failed\n",
		       base, base + size - 1);
		ret = -ENOMEM;
		goto remove_pages;
	}

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
remove_pages:
	__contig_region_remove_pages(r);
release_res:
	__contig_region_unrequest(r);
	r->base = 0;
	r->size = 0;
	r->base_pfn = 0;
	r->nr_pages = 0;
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
	__contig_region_remove_pages(r);
	__contig_region_unrequest(r);
}

CONTIG_EXPORT_FOR_TESTS(contig_region_release);

/*
 * The regions of this module instance, by id; a slot is NULL while its
 * region is not published.  Written only at load and unload.
 */
static struct contig_region *contig_regions[CONTIG_MAX_REGIONS];

/**
 * contig_region_publish() - make a claimed region the module's.
 * @r: a claimed region whose allocators are set up, @r->id set.
 *
 * Context: process context, module load.
 */
void contig_region_publish(struct contig_region *r)
{
	WRITE_ONCE(contig_regions[r->id], r);
}

/**
 * contig_region_unpublish() - take a region out of the module's view.
 * @r: a published region, before its allocators are torn down.
 *
 * Context: process context, module load (a failure) and unload.
 */
void contig_region_unpublish(struct contig_region *r)
{
	WRITE_ONCE(contig_regions[r->id], NULL);
}

/**
 * contig_default_region() - the first region of region=, the default.
 *
 * The region every request goes to unless it names another, and the only
 * one that lends to the kernel and holds movable memory, object caches,
 * contig_kmalloc() and the users' arenas (see contig_internal.h).  It is
 * published once its allocators are ready and unpublished before they
 * are torn down.
 *
 * Context: any.
 * Return: the region, or NULL while contig.ko is loading or unloading.
 */
struct contig_region *contig_default_region(void)
{
	return READ_ONCE(contig_regions[0]);
}

CONTIG_EXPORT_FOR_TESTS(contig_default_region);

/**
 * contig_region_get() - a region by id.
 * @id: 0 for the default region, else its place in region=.
 *
 * Context: any.
 * Return: the region, or NULL when no region of that id is published.
 */
struct contig_region *contig_region_get(unsigned int id)
{
	if (id >= CONTIG_MAX_REGIONS)
		return NULL;
	return READ_ONCE(contig_regions[array_index_nospec(id,
							   CONTIG_MAX_REGIONS)]);
}

CONTIG_EXPORT_FOR_TESTS(contig_region_get);

/**
 * contig_region_find() - a region by name.
 * @name: a name of region=; NULL for the default region.
 *
 * Context: any.
 * Return: the region, or NULL when none of that name is published.
 */
struct contig_region *contig_region_find(const char *name)
{
	struct contig_region *r;
	unsigned int id;

	if (!name)
		return contig_default_region();
	for (id = 0; id < CONTIG_MAX_REGIONS; id++) {
		r = contig_region_get(id);
		if (r && !strcmp(r->name, name))
			return r;
	}
	return NULL;
}

CONTIG_EXPORT_FOR_TESTS(contig_region_find);

/**
 * contig_region_of_dev() - the region a device's memory-region names.
 * @dev: the device.
 * @rp:  set to the region on success.
 *
 * The first entry of @dev's "memory-region" property (device tree) whose
 * reserved-memory node is one of contig's regions: the same base and
 * size, however the region was given (a contig,region node, or region=
 * naming the range of any /reserved-memory node).  A device with no
 * memory-region at all, or no device-tree node, gets the default region,
 * as dma_alloc_coherent() falls back to the default CMA area.
 *
 * Context: process context.
 * Return: 0; -ENODEV when @dev has memory-region entries but none is a
 * region of contig's (a dmesg line says which device).
 */
int contig_region_of_dev(const struct device *dev, struct contig_region **rp)
{
	struct device_node *np;
	struct reserved_mem *rmem;
	struct contig_region *r;
	unsigned int i, id;

	*rp = contig_default_region();
	if (!dev->of_node ||
	    !of_find_property(dev->of_node, "memory-region", NULL))
		return 0;
	for (i = 0; (np = of_parse_phandle(dev->of_node, "memory-region", i));
	     i++) {
		rmem = of_reserved_mem_lookup(np);
		of_node_put(np);
		if (!rmem)
			continue;
		for (id = 0; id < CONTIG_MAX_REGIONS; id++) {
			r = contig_region_get(id);
			if (r && r->base == rmem->base &&
			    r->size == rmem->size) {
				*rp = r;
				return 0;
			}
		}
	}
	*rp = NULL;
	dev_info_ratelimited(dev, "contig: none of its %u memory-region entries is a region of contig's\n",
			     i);
	return -ENODEV;
}

CONTIG_EXPORT_FOR_TESTS(contig_region_of_dev);

/**
 * contig_nr_regions() - how many regions are published.
 *
 * Ids run from 0 to the count less one: regions are published in order.
 *
 * Context: any.
 * Return: the count.
 */
unsigned int contig_nr_regions(void)
{
	unsigned int id = 0;

	while (id < CONTIG_MAX_REGIONS && contig_region_get(id))
		id++;
	return id;
}

CONTIG_EXPORT_FOR_TESTS(contig_nr_regions);
