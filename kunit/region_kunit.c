// SPDX-License-Identifier: GPL-2.0
/*
 * region_kunit.c - KUnit suite contig_region: parsing of region= and the
 * decisions made when claiming it.
 *
 * Parsing (of one region and of region= lists) and the machine-independent
 * checks are table driven.  The claim cases run against the live machine:
 * they need contig.ko loaded on a boot-reserved region (the test VM always
 * has one) and skip otherwise.  The regions cases need it loaded with two
 * regions or more (make check's plan does that once, with this suite) and
 * skip otherwise.
 * Whatever a case claims or allocates is given back by a kunit action
 * registered as soon as it is held, so an assertion that ends a case early
 * leaves nothing claimed for the next.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <contig.h>

#include "contig_internal.h"
#include "buffer.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();

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

struct list_case {
	const char *str;
	int ret;			/* the count, or -errno */
	const char *names[3];		/* of the first three regions */
	u64 size1;			/* of the second region */
	u64 base1;
};

static const struct list_case list_cases[] = {
	{ "64M@0x30000000", 1, { "region0" } },
	{ "64M@0x30000000\n", 1, { "region0" } },
	{ "64M@0x30000000:cam", 1, { "cam" } },
	{ "64M@0x30000000,16M@0x38000000", 2, { "region0", "region1" },
	  SZ_16M, 0x38000000 },
	{ "64M@0x30000000:a,16M@0x38000000:b-2_X\n", 2, { "a", "b-2_X" },
	  SZ_16M, 0x38000000 },
	{ "1M@0,2M@4M:region0", -EINVAL },	/* the first is region0 too */
	{ "1M@0:x,2M@4M,4K@8M:x", -EINVAL },	/* one name twice */
	{ "1M@0,2M@4M:region2,4K@8M", -EINVAL },
	{ "1M@0:region1,2M@4M", -EINVAL },
	{ "1M@0:c,2M@4M:d,4K@8M:e", 3, { "c", "d", "e" }, SZ_2M, SZ_4M },
	{ "1M@0,1M@1M,1M@2M,1M@3M,1M@4M,1M@5M,1M@6M,1M@7M", 8,
	  { "region0", "region1", "region2" }, SZ_1M, SZ_1M },
	/* Nine: one too many. */
	{ "1M@0,1M@1M,1M@2M,1M@3M,1M@4M,1M@5M,1M@6M,1M@7M,1M@8M", -EINVAL },
	{ "", -EINVAL },
	{ "\n", -EINVAL },
	{ ",", -EINVAL },
	{ "64M@0x30000000,", -EINVAL },
	{ ",64M@0x30000000", -EINVAL },
	{ "64M@0x30000000,,16M@0", -EINVAL },
	{ "64M@0x30000000:", -EINVAL },
	{ "64M@0x30000000:a:b", -EINVAL },
	{ "64M@0x30000000:a b", -EINVAL },
	{ "64M@0x30000000:a/b", -EINVAL },
	{ "64M@0x30000000:../x", -EINVAL },
	{ "64M@0x30000000:0123456789abcdef", -EINVAL },	/* 16 chars */
	{ "64M@0x30000000:0123456789abcde", 1, { "0123456789abcde" } },
	{ "64M@0x30000000 ,16M@0", -EINVAL },
	{ "64M@0x30000000,16M", -EINVAL },
	{ ":a", -EINVAL },
	{ "64M@0x30000000,18446744073709551616@0", -EOVERFLOW },
	{ "64M@0x30000000\n,16M@0", -EINVAL },
	{ "0x000000000000000000000000000000000000000000000000000000000000001@0",
	  -EINVAL },	/* longer than an item may be */
};

static void list_case_desc(const struct list_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\"", c->str);
	strreplace(desc, '\n', '~');
}

KUNIT_ARRAY_PARAM(list, list_cases, list_case_desc);

static void regions_parse_test(struct kunit *test)
{
	const struct list_case *c = test->param_value;
	struct contig_region_spec *specs;
	const char *why = NULL;
	int ret, i;

	specs = kunit_kcalloc(test, CONTIG_MAX_REGIONS + 1, sizeof(*specs),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, specs);
	/* A canary past the last entry the parser may write. */
	memset(&specs[CONTIG_MAX_REGIONS], 0x5a, sizeof(*specs));
	ret = contig_regions_parse(c->str, specs, &why);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	KUNIT_EXPECT_NULL(test, memchr_inv(&specs[CONTIG_MAX_REGIONS], 0x5a,
					   sizeof(*specs)));
	if (ret < 0) {
		KUNIT_EXPECT_NOT_NULL(test, why);
		return;
	}
	for (i = 0; i < min(ret, 3); i++)
		KUNIT_EXPECT_STREQ(test, specs[i].name, c->names[i]);
	if (ret > 1) {
		KUNIT_EXPECT_EQ(test, specs[1].size, c->size1);
		KUNIT_EXPECT_EQ(test, specs[1].base, c->base1);
	}
	/* Every item parses as contig_region_parse() parses it alone. */
	if (ret == 1 && !strchr(c->str, ':')) {
		u64 size, base;

		KUNIT_EXPECT_EQ(test, contig_region_parse(c->str, &size, &base), 0);
		KUNIT_EXPECT_EQ(test, specs[0].size, size);
		KUNIT_EXPECT_EQ(test, specs[0].base, base);
	}
}

static void regions_parse_null_test(struct kunit *test)
{
	struct contig_region_spec specs[CONTIG_MAX_REGIONS];
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, contig_regions_parse(NULL, specs, &why), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, why);
}

struct dt_name_case {
	const char *node;
	const char *name;		/* NULL: refused */
};

static const struct dt_name_case dt_name_cases[] = {
	{ "camera@60000000", "camera" },
	{ "second@70000000", "second" },
	{ "plain", "plain" },				/* no unit address */
	{ "a_b-C9@1", "a_b-C9" },
	{ "fifteen-chars-x@0", "fifteen-chars-x" },	/* the longest */
	{ "sixteen-chars-xy@0", NULL },
	{ "@60000000", NULL },				/* empty */
	{ "", NULL },
	{ "cam.era@1", NULL },
	{ "cam era@1", NULL },
	{ "cam/era@1", NULL },
	{ "cam:era@1", NULL },
};

static void dt_name_case_desc(const struct dt_name_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\"", c->node);
}

KUNIT_ARRAY_PARAM(dt_name, dt_name_cases, dt_name_case_desc);

/*
 * The name a contig,region node gives its region (contig_regions_from_dt()),
 * with a canary past the name's CONTIG_REGION_NAME_LEN bytes.
 */
static void region_dt_name_test(struct kunit *test)
{
	const struct dt_name_case *c = test->param_value;
	char name[CONTIG_REGION_NAME_LEN + 1];
	const char *why = NULL;
	int ret;

	memset(name, 0x5a, sizeof(name));
	ret = contig_region_dt_name(c->node, name, &why);
	KUNIT_EXPECT_EQ(test, (unsigned char)name[CONTIG_REGION_NAME_LEN], 0x5a);
	if (!c->name) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		KUNIT_EXPECT_NOT_NULL(test, why);
		return;
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_STREQ(test, name, c->name);
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

KUNIT_DEFINE_ACTION_WRAPPER(put_action, contig_put, struct contig_buffer *);

/* contig_alloc_from(), the buffer put when the case ends. */
static struct contig_buffer *alloc_from(struct kunit *test, const char *name,
					size_t size, unsigned int kind,
					unsigned int flags)
{
	struct contig_buffer *buf = contig_alloc_from(name, size, 0, kind,
						      flags);

	if (!IS_ERR(buf))
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_action,
								buf), 0);
	return buf;
}

static void region_stats(struct contig_region *r, struct contig_stats_data *st)
{
	memset(st, 0, sizeof(*st));
	contig_buffer_get_region_stats(r, st);
}

/* Is every chunk of @buf inside @r? */
static bool in_region(struct kunit *test, struct contig_buffer *buf,
		      const struct contig_region *r)
{
	unsigned long i, n = contig_buffer_nr_chunks(buf);
	struct contig_chunk *c = kunit_kcalloc(test, n, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, contig_buffer_get_chunks(buf, c, n), n);
	for (i = 0; i < n; i++)
		if (c[i].phys < r->base ||
		    c[i].phys + c[i].size > (u64)r->base + r->size)
			return false;
	return true;
}

static struct contig_region *second_region(struct kunit *test)
{
	struct contig_region *r = contig_region_get(1);

	if (!contig_default_region() || !r)
		kunit_skip(test, "contig.ko holds fewer than two regions");
	return r;
}

/* Ids, names and lookups of a load with several regions. */
static void regions_lookup_test(struct kunit *test)
{
	struct contig_region *r1 = second_region(test);
	struct contig_region *r0 = contig_default_region();
	unsigned int n = contig_nr_regions(), id;

	KUNIT_EXPECT_GE(test, n, 2U);
	KUNIT_EXPECT_LE(test, n, (unsigned int)CONTIG_MAX_REGIONS);
	for (id = 0; id < n; id++) {
		struct contig_region *r = contig_region_get(id);

		KUNIT_ASSERT_NOT_NULL(test, r);
		KUNIT_EXPECT_EQ(test, r->id, id);
		KUNIT_EXPECT_PTR_EQ(test, contig_region_find(r->name), r);
		KUNIT_EXPECT_STREQ(test, r->res->name, CONTIG_NAME);
		KUNIT_EXPECT_NOT_NULL(test, r->vaddr);
	}
	KUNIT_EXPECT_NULL(test, contig_region_get(n));
	KUNIT_EXPECT_NULL(test, contig_region_get(UINT_MAX));
	KUNIT_EXPECT_PTR_EQ(test, contig_region_find(NULL), r0);
	KUNIT_EXPECT_NULL(test, contig_region_find("no-such-region"));
	KUNIT_EXPECT_NULL(test, contig_region_find(""));
	KUNIT_EXPECT_STRNEQ(test, r0->name, r1->name);
	/* Disjoint, and only region 0 is lent. */
	KUNIT_EXPECT_TRUE(test, r1->base >= r0->base + r0->size ||
			  r0->base >= r1->base + r1->size);
	KUNIT_EXPECT_EQ(test, r1->lend_nr, 0UL);
}

/*
 * Buffers from the second region come from it, leave region 0's books
 * alone, and every refusal changes nothing.
 */
static void regions_alloc_test(struct kunit *test)
{
	struct contig_region *r1 = second_region(test);
	struct contig_region *r0 = contig_default_region();
	struct contig_stats_data *a0, *a1, *b0, *b1;
	struct contig_buffer *c, *sg, *d;
	phys_addr_t phys;

	a0 = kunit_kzalloc(test, sizeof(*a0) * 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a0);
	a1 = a0 + 1;
	b0 = a0 + 2;
	b1 = a0 + 3;
	region_stats(r0, a0);
	region_stats(r1, a1);
	KUNIT_ASSERT_EQ(test, a1->region_size, r1->size);

	c = alloc_from(test, r1->name, SZ_1M, CONTIG_KIND_CONTIGUOUS,
		       CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	KUNIT_EXPECT_EQ(test, contig_buffer_region_id(c), r1->id);
	KUNIT_ASSERT_EQ(test, contig_buffer_phys(c, &phys), 0);
	KUNIT_EXPECT_GE(test, (u64)phys, (u64)r1->base);
	KUNIT_EXPECT_LE(test, (u64)phys + SZ_1M, (u64)r1->base + r1->size);
	KUNIT_EXPECT_TRUE(test, in_region(test, c, r1));

	sg = alloc_from(test, r1->name, 3 * SZ_1M + PAGE_SIZE, CONTIG_KIND_SG,
			0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sg));
	KUNIT_EXPECT_TRUE(test, in_region(test, sg, r1));

	/* Refused: MOVABLE outside region 0, and an unknown name. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(alloc_from(test, r1->name, SZ_64K,
						 CONTIG_KIND_MOVABLE, 0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(alloc_from(test, "no-such-region",
						 SZ_64K, CONTIG_KIND_SG, 0)),
			-ENODEV);
	/* More than the second region, less than the first: -ENOMEM here. */
	if (r1->size < r0->size)
		KUNIT_EXPECT_EQ(test, PTR_ERR(alloc_from(test, r1->name,
							 r1->size + SZ_1M,
							 CONTIG_KIND_SG, 0)),
				-ENOMEM);

	region_stats(r0, b0);
	region_stats(r1, b1);
	KUNIT_EXPECT_EQ(test, b1->free, a1->free - SZ_1M - 3 * SZ_1M - PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, b1->allocs, a1->allocs + 2);
	KUNIT_EXPECT_EQ(test, b1->kinds[CONTIG_KIND_CONTIGUOUS].bytes,
			a1->kinds[CONTIG_KIND_CONTIGUOUS].bytes + SZ_1M);
	KUNIT_EXPECT_EQ(test, b1->kinds[CONTIG_KIND_SG].buffers,
			a1->kinds[CONTIG_KIND_SG].buffers + 1);
	/* Region 0's books did not move. */
	KUNIT_EXPECT_EQ(test, b0->free, a0->free);
	KUNIT_EXPECT_EQ(test, b0->allocs, a0->allocs);
	KUNIT_EXPECT_EQ(test, b0->failed_nomem, a0->failed_nomem);
	KUNIT_EXPECT_EQ(test, 0, memcmp(b0->kinds, a0->kinds,
					sizeof(a0->kinds)));

	/* NULL is region 0. */
	d = alloc_from(test, NULL, SZ_64K, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	KUNIT_EXPECT_EQ(test, contig_buffer_region_id(d), 0U);
	KUNIT_EXPECT_TRUE(test, in_region(test, d, r0));

	kunit_release_action(test, put_action, d);
	kunit_release_action(test, put_action, sg);
	kunit_release_action(test, put_action, c);
	region_stats(r0, b0);
	region_stats(r1, b1);
	KUNIT_EXPECT_EQ(test, b1->free, a1->free);
	KUNIT_EXPECT_EQ(test, b1->largest_free, a1->largest_free);
	KUNIT_EXPECT_EQ(test, b1->allocs - b1->frees, a1->allocs - a1->frees);
	KUNIT_EXPECT_EQ(test, b0->free, a0->free);
}

/*
 * The second region has no background clearing: memory written and freed
 * there must come back zero when zero is asked, every byte of it, and as
 * it was when it is not (proving the write reached the frames).
 */
static void regions_zero_test(struct kunit *test)
{
	struct contig_region *r1 = second_region(test);
	struct contig_stats_data *st;
	struct contig_buffer *buf;
	size_t size, i;
	u8 *p;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	region_stats(r1, st);
	size = st->largest_free;
	/* All of it free: every request below gets the same frames. */
	KUNIT_ASSERT_EQ(test, (u64)size, r1->size);

	/* The whole region, written with a pattern, then freed. */
	buf = alloc_from(test, r1->name, size, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	p = contig_buffer_vaddr(buf);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	memset(p, 0xa5, size);
	/* Nothing else fits now: the region is full. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(alloc_from(test, r1->name, PAGE_SIZE,
						 CONTIG_KIND_SG, 0)), -ENOMEM);
	kunit_release_action(test, put_action, buf);

	buf = alloc_from(test, r1->name, size, CONTIG_KIND_CONTIGUOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	p = contig_buffer_vaddr(buf);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	KUNIT_EXPECT_EQ(test, p[0], 0xa5);
	KUNIT_EXPECT_EQ(test, p[size - 1], 0xa5);
	kunit_release_action(test, put_action, buf);

	buf = alloc_from(test, r1->name, size, CONTIG_KIND_CONTIGUOUS,
			 CONTIG_FLAG_ZERO);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	p = contig_buffer_vaddr(buf);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	for (i = 0; i < size; i += sizeof(u64))
		if (*(u64 *)(p + i))
			break;
	KUNIT_EXPECT_EQ(test, i, size);
}

static void put_device_action(void *dev)
{
	put_device(dev);
}

/* The platform device of the device-tree node compatible with @compat. */
static struct device *dt_device(struct kunit *test, const char *compat)
{
	struct platform_device *pdev;
	struct device_node *np;

	np = of_find_compatible_node(NULL, NULL, compat);
	if (!np)
		kunit_skip(test, "no %s node in the device tree (arm64 guest's overlay)",
			   compat);
	pdev = of_find_device_by_node(np);
	of_node_put(np);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_device_action,
							&pdev->dev), 0);
	return &pdev->dev;
}

static struct contig_buffer *alloc_dev(struct kunit *test, struct device *dev,
				       size_t size, unsigned int kind)
{
	struct contig_buffer *buf = contig_alloc_dev(dev, size, 0, kind, 0);

	if (!IS_ERR(buf))
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, put_action,
								buf), 0);
	return buf;
}

/* A device with no device-tree node gets the default region. */
static void region_of_dev_default_test(struct kunit *test)
{
	struct contig_region *r0 = contig_default_region(), *r = NULL;
	struct contig_buffer *buf;
	struct device *dev;

	if (!r0)
		kunit_skip(test, "contig.ko holds no region");
	dev = kunit_device_register(test, "contig-no-dt");
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_ASSERT_NULL(test, dev->of_node);
	KUNIT_EXPECT_EQ(test, contig_region_of_dev(dev, &r), 0);
	KUNIT_EXPECT_PTR_EQ(test, r, r0);
	buf = alloc_dev(test, dev, 2 * PAGE_SIZE, CONTIG_KIND_CONTIGUOUS);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	KUNIT_EXPECT_EQ(test, contig_buffer_region_id(buf), 0U);
	KUNIT_EXPECT_TRUE(test, in_region(test, buf, r0));
	KUNIT_EXPECT_EQ(test, PTR_ERR(contig_alloc_dev(NULL, PAGE_SIZE, 0,
						       CONTIG_KIND_SG, 0)),
			-EINVAL);
}

/*
 * The guest's "contig,test-device" names the region "second" in its
 * memory-region (after an entry that is no region of contig's): its
 * buffers come from there, and region 0's books do not move.
 */
static void region_of_dev_dt_test(struct kunit *test)
{
	struct device *dev = dt_device(test, "contig,test-device");
	struct contig_region *r0 = contig_default_region(), *r = NULL;
	struct contig_stats_data a0, b0, a1, b1;
	struct contig_buffer *buf;

	KUNIT_ASSERT_EQ(test, contig_region_of_dev(dev, &r), 0);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_STREQ(test, r->name, "second");
	KUNIT_EXPECT_NE(test, r->id, 0U);
	region_stats(r0, &b0);
	region_stats(r, &b1);
	buf = alloc_dev(test, dev, 1 << 20, CONTIG_KIND_CONTIGUOUS);
	KUNIT_ASSERT_FALSE(test, IS_ERR(buf));
	KUNIT_EXPECT_EQ(test, contig_buffer_region_id(buf), r->id);
	KUNIT_EXPECT_TRUE(test, in_region(test, buf, r));
	region_stats(r0, &a0);
	region_stats(r, &a1);
	KUNIT_EXPECT_EQ(test, a1.allocs, b1.allocs + 1);
	KUNIT_EXPECT_EQ(test, a1.free + (1 << 20), b1.free);
	KUNIT_EXPECT_EQ(test, a0.allocs, b0.allocs);
	KUNIT_EXPECT_EQ(test, a0.free, b0.free);
	/* Only region 0 holds movable memory. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(alloc_dev(test, dev, PAGE_SIZE,
						CONTIG_KIND_MOVABLE)), -EINVAL);
}

/*
 * "contig,test-foreign" names only a reserved-memory node that is not
 * contig's: -ENODEV, logged, and no region's books move.
 */
static void region_of_dev_foreign_test(struct kunit *test)
{
	struct device *dev = dt_device(test, "contig,test-foreign");
	struct contig_region *r0 = contig_default_region(), *r = r0;
	struct contig_stats_data a, b;

	KUNIT_ASSERT_NOT_NULL(test, r0);
	/* The precondition: the entry is there, and reserved memory. */
	KUNIT_ASSERT_NOT_NULL(test, of_find_property(dev->of_node,
						     "memory-region", NULL));
	region_stats(r0, &b);
	KUNIT_EXPECT_EQ(test, contig_region_of_dev(dev, &r), -ENODEV);
	KUNIT_EXPECT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, PTR_ERR(alloc_dev(test, dev, PAGE_SIZE,
						CONTIG_KIND_CONTIGUOUS)),
			-ENODEV);
	region_stats(r0, &a);
	KUNIT_EXPECT_EQ(test, a.allocs, b.allocs);
	KUNIT_EXPECT_EQ(test, a.failed_nomem, b.failed_nomem);
	KUNIT_EXPECT_EQ(test, a.free, b.free);
}

static struct kunit_case region_cases[] = {
	KUNIT_CASE_PARAM(region_parse_test, parse_gen_params),
	KUNIT_CASE(region_parse_null_test),
	KUNIT_CASE_PARAM(regions_parse_test, list_gen_params),
	KUNIT_CASE(regions_parse_null_test),
	KUNIT_CASE_PARAM(region_dt_name_test, dt_name_gen_params),
	KUNIT_CASE(regions_lookup_test),
	KUNIT_CASE(regions_alloc_test),
	KUNIT_CASE(regions_zero_test),
	KUNIT_CASE(region_of_dev_default_test),
	KUNIT_CASE(region_of_dev_dt_test),
	KUNIT_CASE(region_of_dev_foreign_test),
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
