// SPDX-License-Identifier: GPL-2.0
/*
 * region_kunit.c - KUnit suite contig_region: parsing of region= and the
 * decisions made when claiming it.
 *
 * Parsing and the machine-independent checks are table driven.  The claim
 * cases run against the live machine: they need contig.ko loaded on a
 * boot-reserved region (the test VM always has one) and skip otherwise.
 * Whatever a case claims or allocates is given back by a kunit action
 * registered as soon as it is held, so an assertion that ends a case early
 * leaves nothing claimed for the next.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "contig_internal.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);

struct parse_case {
	const char *str;
	int ret;
	u64 size;
	u64 base;
};

static const struct parse_case parse_cases[] = {
	/* Valid forms. */
	{ "64M@0x30000000",	0, SZ_64M, 0x30000000 },
	{ "256M@0x30000000\n",	0, SZ_256M, 0x30000000 },
	{ "4096@4096",		0, 4096, 4096 },
	{ "4k@8K",		0, 4096, 8192 },
	{ "1G@768M",		0, SZ_1G, SZ_512M + SZ_256M },
	{ "0x1000@0X2000",	0, 0x1000, 0x2000 },
	{ "0xfffm@0",		0, 0xfffULL << 20, 0 },
	{ "2g@4G",		0, SZ_2G, 4ULL << 30 },
	{ "0@0",		0, 0, 0 },	/* syntax ok; check refuses */
	/* Malformed forms. */
	{ "",			-EINVAL },
	{ "64M",		-EINVAL },
	{ "@0x30000000",	-EINVAL },
	{ "64M@",		-EINVAL },
	{ "64M@@0x1000",	-EINVAL },
	{ "64M 0x30000000",	-EINVAL },
	{ "64M@0x30000000x",	-EINVAL },
	{ "64MB@0x30000000",	-EINVAL },
	{ "64T@0",		-EINVAL },
	{ "-64M@0",		-EINVAL },
	{ "+64M@0",		-EINVAL },
	{ " 64M@0",		-EINVAL },
	{ "0x@0",		-EINVAL },
	{ "abc@0",		-EINVAL },
	{ "64M@0x3000000g0",	-EINVAL },
	{ "64M@0x30000000\n\n",	-EINVAL },
	{ "64M@0x30000000,1M@0", -EINVAL },
	/* Numbers that do not fit in 64 bits. */
	{ "18446744073709551616@0",	-EOVERFLOW },
	{ "0x10000000000000000@0",	-EOVERFLOW },
	{ "17179869184G@0",		-EOVERFLOW },
	{ "4k@0xffffffffffffffffK",	-EOVERFLOW },
};

static void parse_case_desc(const struct parse_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\"", c->str);
	strreplace(desc, '\n', '~');
}

KUNIT_ARRAY_PARAM(parse, parse_cases, parse_case_desc);

static void region_parse_test(struct kunit *test)
{
	const struct parse_case *c = test->param_value;
	u64 size = 0x5a5a, base = 0xa5a5;
	int ret;

	ret = contig_region_parse(c->str, &size, &base);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (c->ret) {
		/* Failure leaves the outputs untouched. */
		KUNIT_EXPECT_EQ(test, size, 0x5a5aULL);
		KUNIT_EXPECT_EQ(test, base, 0xa5a5ULL);
	} else {
		KUNIT_EXPECT_EQ(test, size, c->size);
		KUNIT_EXPECT_EQ(test, base, c->base);
	}
}

static void region_parse_null_test(struct kunit *test)
{
	u64 size, base;

	KUNIT_EXPECT_EQ(test, contig_region_parse(NULL, &size, &base), -EINVAL);
}

struct check_case {
	const char *name;
	u64 size;
	u64 base;
	int ret;
};

static const struct check_case check_cases[] = {
	{ "64M at 768M",	SZ_64M, 0x30000000, 0 },
	{ "one page",		PAGE_SIZE, 0x30000000, 0 },
	{ "zero size",		0, 0x30000000, -EINVAL },
	{ "unaligned size",	SZ_64M + 1, 0x30000000, -EINVAL },
	{ "half page size",	PAGE_SIZE / 2, 0x30000000, -EINVAL },
	{ "unaligned base",	SZ_64M, 0x30000800, -EINVAL },
	{ "wraps",		SZ_1G, 0xffffffffc0001000ULL, -EOVERFLOW },
	{ "ends at 2^64",	PAGE_SIZE, 0xfffffffffffff000ULL, -EOVERFLOW },
	{ "at 2^52",		PAGE_SIZE, 1ULL << 52, -ERANGE },
	{ "beyond phys",	PAGE_SIZE, 1ULL << 60, -ERANGE },
};

static void check_case_desc(const struct check_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(check, check_cases, check_case_desc);

static void region_check_test(struct kunit *test)
{
	const struct check_case *c = test->param_value;
	const char *why = NULL;
	int ret;

	ret = contig_region_check(c->size, c->base, &why);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (ret)
		KUNIT_EXPECT_NOT_NULL(test, why);
}

static struct contig_region *live_region(struct kunit *test)
{
	if (!contig_default_region())
		kunit_skip(test, "contig.ko holds no region");
	return contig_default_region();
}

KUNIT_DEFINE_ACTION_WRAPPER(release_region_action, contig_region_release,
			    struct contig_region *);

static void free_page_action(void *page)
{
	__free_page(page);
}

/* A zeroed region struct for claims, freed when the case ends. */
static struct contig_region *scratch_region(struct kunit *test)
{
	struct contig_region *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	return r;
}

/*
 * contig_region_claim() of a range the case expects refused.  Should it
 * succeed after all, the claim is released when the case ends, so that a
 * wrong answer fails this case alone.
 */
static int claim(struct kunit *test, struct contig_region *r, u64 size, u64 base)
{
	int ret = contig_region_claim(r, size, base);

	if (!ret)
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_region_action, r), 0);
	return ret;
}

/* A second claim of the same range must fail, not share. */
static void region_second_claim_test(struct kunit *test)
{
	struct contig_region *live = live_region(test);
	struct contig_region *r = scratch_region(test);

	KUNIT_EXPECT_EQ(test, claim(test, r, live->size, live->base), -EBUSY);
	KUNIT_EXPECT_EQ(test, claim(test, r, PAGE_SIZE, live->base), -EBUSY);
	KUNIT_EXPECT_EQ(test, claim(test, r, PAGE_SIZE,
				    live->base + live->size - PAGE_SIZE), -EBUSY);
	KUNIT_EXPECT_NULL(test, r->res);
	KUNIT_EXPECT_NULL(test, r->vaddr);
	/* The live region is untouched. */
	KUNIT_EXPECT_NOT_NULL(test, live->res);
	KUNIT_EXPECT_EQ(test, (u64)live->res->start, (u64)live->base);
}

/* Memory the page allocator handed us is System RAM in use. */
static void region_system_ram_test(struct kunit *test)
{
	struct contig_region *r = scratch_region(test);
	struct page *page = alloc_page(GFP_KERNEL);
	u64 phys;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_action, page), 0);
	phys = page_to_phys(page);
	KUNIT_EXPECT_EQ(test, claim(test, r, PAGE_SIZE, phys), -EBUSY);
	KUNIT_EXPECT_NULL(test, r->res);
}

/* A range straddling the live region and RAM is refused as a whole. */
static void region_straddle_test(struct kunit *test)
{
	struct contig_region *live = live_region(test);
	struct contig_region *r = scratch_region(test);

	KUNIT_EXPECT_EQ(test, claim(test, r, live->size + SZ_1M, live->base - SZ_1M),
			-EBUSY);
	KUNIT_EXPECT_NULL(test, r->res);
}

/*
 * Far above the RAM of the VM, below the address width: a hole, not a boot
 * reservation.  It must be refused before anything is claimed or mapped.
 */
static void region_not_reserved_test(struct kunit *test)
{
	struct contig_region *r = scratch_region(test);
	u64 base = 1ULL << 39;

	if (pfn_valid(PHYS_PFN(base)))
		kunit_skip(test, "machine has RAM at 512 GiB");
	KUNIT_EXPECT_EQ(test, claim(test, r, SZ_2M, base), -EINVAL);
	KUNIT_EXPECT_NULL(test, r->res);
	KUNIT_EXPECT_NULL(test, r->vaddr);
	KUNIT_EXPECT_NULL(test, r->pgmap);
}

/*
 * q35's PCI MMCONFIG window is Reserved in /proc/iomem, as a memmap=
 * reservation is, but it is not RAM: the firmware's e820 says so.
 */
static void region_not_ram_test(struct kunit *test)
{
	struct contig_region *r = scratch_region(test);
	const u64 base = 0xb0000000;

	if (!IS_ENABLED(CONFIG_X86) ||
	    region_intersects(base, SZ_2M, IORESOURCE_MEM,
			      IORES_DESC_RESERVED) != REGION_INTERSECTS)
		kunit_skip(test, "no Reserved non-RAM range at %#llx (not q35)", base);
	KUNIT_EXPECT_EQ(test, claim(test, r, SZ_2M, base), -EINVAL);
	KUNIT_EXPECT_NULL(test, r->res);
	KUNIT_EXPECT_NULL(test, r->pgmap);
}

/*
 * The harness reserves a second range covering a whole memory section
 * (memmap=128M$0x20000000, scripts/run-vm.sh): no struct pages at boot.
 * A claim gives them (ZONE_DEVICE), a release takes them away again.
 */
#define SECTION_BASE	0x20000000ULL
#define SECTION_SIZE	SZ_128M

static void region_section_pages_test(struct kunit *test)
{
	unsigned long first = PHYS_PFN(SECTION_BASE);
	unsigned long last = PHYS_PFN(SECTION_BASE + SECTION_SIZE) - 1;
	struct contig_region *r = scratch_region(test);
	struct contig_region *r2 = scratch_region(test);
	u32 *p;

	if (region_intersects(SECTION_BASE, SECTION_SIZE, IORESOURCE_MEM,
			      IORES_DESC_RESERVED) != REGION_INTERSECTS)
		kunit_skip(test, "no memmap=128M$0x20000000 on this boot");
	if (!IS_ENABLED(CONFIG_ZONE_DEVICE)) {
		KUNIT_EXPECT_EQ(test, claim(test, r, SECTION_SIZE, SECTION_BASE), -EINVAL);
		return;
	}
	KUNIT_ASSERT_FALSE(test, pfn_valid(first));
	KUNIT_ASSERT_EQ(test, contig_region_claim(r, SECTION_SIZE, SECTION_BASE), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_region_action, r), 0);
	KUNIT_EXPECT_EQ(test, r->added_pages, r->nr_pages);
	KUNIT_EXPECT_NOT_NULL(test, r->pgmap);
	KUNIT_EXPECT_TRUE(test, pfn_valid(first));
	KUNIT_EXPECT_TRUE(test, pfn_valid(last));
	KUNIT_EXPECT_TRUE(test, is_zone_device_page(pfn_to_page(last)));
	KUNIT_EXPECT_EQ(test, page_to_pfn(pfn_to_page(last)), last);
	/* The frames are real memory through our mapping and the new one. */
	p = contig_frame_to_virt(r, r->nr_pages - 1);
	WRITE_ONCE(*p, 0x5ec710a5);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*(u32 *)page_address(pfn_to_page(last))),
			0x5ec710a5U);
	/* A second claim of it still fails, and takes nothing away. */
	KUNIT_EXPECT_EQ(test, claim(test, r2, SECTION_SIZE, SECTION_BASE), -EBUSY);
	KUNIT_EXPECT_TRUE(test, pfn_valid(last));

	kunit_release_action(test, release_region_action, r);
	KUNIT_EXPECT_NULL(test, r->pgmap);
	KUNIT_EXPECT_FALSE(test, pfn_valid(first));
	KUNIT_EXPECT_FALSE(test, pfn_valid(last));
}

static void region_live_state_test(struct kunit *test)
{
	struct contig_region *live = live_region(test);
	u32 *p;

	KUNIT_EXPECT_EQ(test, live->nr_pages, (unsigned long)(live->size >> PAGE_SHIFT));
	KUNIT_EXPECT_EQ(test, live->base_pfn, (unsigned long)PHYS_PFN(live->base));
	KUNIT_EXPECT_STREQ(test, live->res->name, CONTIG_NAME);
	KUNIT_EXPECT_TRUE(test, live->res->flags & IORESOURCE_BUSY);
	/*
	 * The mapping is real memory: last word of the region reads back.
	 * The frame is taken from the buddy first: free memory may be known
	 * zero (prezero.c), and a write behind the buddy's back would hand
	 * the next ZERO request this word.
	 */
	if (contig_buddy_alloc_range(&live->buddy, live->nr_pages - 1, 1,
				     CONTIG_OWNER_UNMOVABLE) < 0)
		kunit_skip(test, "the region's last frame is in use");
	p = live->vaddr + live->size - sizeof(*p);
	WRITE_ONCE(*p, 0xc0ffee42);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*p), 0xc0ffee42U);
	KUNIT_EXPECT_EQ(test, contig_buddy_free(&live->buddy, live->nr_pages - 1), 0);
	KUNIT_EXPECT_PTR_EQ(test, contig_frame_to_virt(live, 1), live->vaddr + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, (u64)contig_frame_to_phys(live, 2), (u64)live->base + 2 * PAGE_SIZE);
}

static struct kunit_case region_cases[] = {
	KUNIT_CASE_PARAM(region_parse_test, parse_gen_params),
	KUNIT_CASE(region_parse_null_test),
	KUNIT_CASE_PARAM(region_check_test, check_gen_params),
	KUNIT_CASE(region_second_claim_test),
	KUNIT_CASE(region_system_ram_test),
	KUNIT_CASE(region_straddle_test),
	KUNIT_CASE(region_not_reserved_test),
	KUNIT_CASE(region_not_ram_test),
	KUNIT_CASE(region_section_pages_test),
	KUNIT_CASE(region_live_state_test),
	{}
};

static struct kunit_suite region_suite = {
	.name = "contig_region",
	.test_cases = region_cases,
};

kunit_test_suite(region_suite);

MODULE_DESCRIPTION("KUnit tests for contig's region claiming");
MODULE_LICENSE("GPL");
