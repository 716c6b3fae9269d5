// SPDX-License-Identifier: GPL-2.0
/*
 * slab_kunit.c - KUnit suite contig_slab: object caches and contig_kmalloc()
 * (module/slab.c), through the exported API on contig.ko's region.
 *
 * Every case runs on the live region of the loaded contig.ko (skipped
 * without one) and must leave it as it found it: the fixture records the
 * buddy's free frames before the case (after emptying the kmalloc
 * classes); kunit actions free whatever the case left allocated and
 * destroy its caches, also when an assertion ends the case early, and the
 * last of them expects the same free frames and both invariant checkers
 * (contig_slab_check(): every cache and the owner map; contig_buddy_check())
 * to pass.  Cases check the allocator's promises directly: physical
 * addresses, alignment, boundaries, non-overlap (sorted addresses and
 * per-object patterns), exact slab counts against the buddy's free frames,
 * constructor counts, reports of wrong frees and of damage in debug caches
 * (their counters), the per-CPU arrays (refill, flush of the oldest
 * batch, a double free of a cached object, drain by shrink, destroy and
 * a CPU going offline), and concurrent use by two kthreads.  The random stress
 * case keeps a shadow of every live object; its seed is printed and can be
 * set with the module parameter seed=.
 */
#include <kunit/test-bug.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <contig.h>

#include "contig_internal.h"
#include "kmalloc.h"
#include "slab.h"

MODULE_IMPORT_NS(CONTIG_INTERNAL);
CONTIG_IMPORT_NS();

static unsigned long seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "Seed of the random stress case (0: a random one, printed)");

/*
 * The fixture: the region and its free frames before the case.  Whatever
 * a case holds is released by kunit actions, last in first out: objects
 * (fix_array()) before their caches (fix_cache()), and last of all, as it
 * is registered first by slab_init(), slab_fix_verify(), which checks that
 * the region is as the case found it.
 */
struct slab_fix {
	struct contig_region *r;
	unsigned long free_before;
};

/* An array of objects freed when the case ends (cache NULL: contig_kfree). */
struct fix_array {
	struct contig_cache *cache;
	void **objs;
	unsigned int n;
};

static unsigned long free_frames(struct contig_region *r)
{
	struct contig_buddy_stats st;

	contig_buddy_get_stats(&r->buddy, &st);
	return st.free_frames;
}

static void expect_consistent(struct kunit *test)
{
	struct slab_fix *fix = test->priv;
	char why[192] = "";

	KUNIT_EXPECT_EQ_MSG(test, contig_slab_check(why, sizeof(why)), 0,
			    "slab: %s", why);
	KUNIT_EXPECT_EQ_MSG(test, contig_buddy_check(&fix->r->buddy, why,
						     sizeof(why)), 0,
			    "buddy: %s", why);
}

/* The last action of every case. */
static void slab_fix_verify(void *data)
{
	struct kunit *test = data;
	struct slab_fix *fix = test->priv;

	contig_kmalloc_shrink();
	expect_consistent(test);
	KUNIT_EXPECT_EQ_MSG(test, free_frames(fix->r), fix->free_before,
			    "the case did not leave the region as it found it");
}

static int slab_init(struct kunit *test)
{
	struct contig_region *r = contig_default_region();
	struct slab_fix *fix;

	if (!r)
		kunit_skip(test, "contig.ko is not loaded on a region");
	fix = kunit_kzalloc(test, sizeof(*fix), GFP_KERNEL);
	if (!fix)
		return -ENOMEM;
	fix->r = r;
	contig_kmalloc_shrink();
	fix->free_before = free_frames(r);
	test->priv = fix;
	return kunit_add_action_or_reset(test, slab_fix_verify, test);
}

/* -EBUSY here: the case left objects in the cache that no slot frees. */
static void destroy_cache_action(void *c)
{
	struct kunit *test = kunit_get_current_test();
	int ret = contig_cache_destroy(c);

	if (test)
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "destroying a cache of the case");
}

/* A cache destroyed when the case ends, unless fix_forget_cache() first. */
static struct contig_cache *fix_cache(struct kunit *test, const char *name,
				      size_t size, size_t align,
				      size_t boundary, unsigned int flags,
				      void (*ctor)(void *obj))
{
	struct contig_cache *c;

	c = contig_cache_create(name, size, align, boundary, flags, ctor);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(c), "create %s: %ld", name,
			       PTR_ERR(c));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_cache_action,
							c), 0);
	return c;
}

/* The case destroyed @c itself: no action must destroy it again. */
static void fix_forget_cache(struct kunit *test, struct contig_cache *c)
{
	kunit_remove_action(test, destroy_cache_action, c);
}

static void free_array_action(void *data)
{
	struct fix_array *fa = data;
	unsigned int i;

	for (i = 0; i < fa->n; i++) {
		if (!fa->objs[i])
			continue;
		if (fa->cache)
			contig_cache_free(fa->cache, fa->objs[i]);
		else
			contig_kfree(fa->objs[i]);
		fa->objs[i] = NULL;
	}
}

/*
 * @n slots for objects of @c (NULL: contig_kmalloc()); every object left
 * in a slot is freed when the case ends.  A case that frees an object
 * itself clears its slot.
 */
static void **fix_array(struct kunit *test, struct contig_cache *c,
			unsigned int n)
{
	struct fix_array *fa;

	fa = kunit_kzalloc(test, sizeof(*fa), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fa);
	fa->objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fa->objs);
	fa->cache = c;
	fa->n = n;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_array_action,
							fa), 0);
	return fa->objs;
}

static struct contig_cache_info info_of(struct contig_cache *c)
{
	struct contig_cache_info info;

	contig_cache_get_info(c, &info);
	return info;
}

static phys_addr_t expected_phys(struct slab_fix *fix, const void *obj)
{
	return fix->r->base + (phys_addr_t)(obj - fix->r->vaddr);
}

/* Allocate one object and check where it is; the caller keeps it. */
static void *alloc_checked(struct kunit *test, struct contig_cache *c,
			   gfp_t gfp)
{
	struct slab_fix *fix = test->priv;
	struct contig_cache_info info = info_of(c);
	phys_addr_t phys = 0;
	void *obj;

	obj = contig_cache_alloc(c, gfp, &phys);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(obj), "alloc: %ld", PTR_ERR(obj));
	KUNIT_ASSERT_TRUE(test, obj >= fix->r->vaddr &&
			  obj + info.size <= fix->r->vaddr + fix->r->size);
	KUNIT_EXPECT_EQ(test, phys, expected_phys(fix, obj));
	KUNIT_EXPECT_EQ(test, phys & (info.align - 1), 0);
	KUNIT_EXPECT_EQ(test, (unsigned long)obj & (info.align - 1), 0);
	if (info.boundary)
		KUNIT_EXPECT_EQ_MSG(test, phys / info.boundary,
				    (phys + info.size - 1) / info.boundary,
				    "object at %pa of %u bytes crosses a %u boundary",
				    &phys, info.size, info.boundary);
	return obj;
}

static int cmp_ptr(const void *a, const void *b)
{
	const void *pa = *(const void * const *)a, *pb = *(const void * const *)b;

	return pa < pb ? -1 : pa > pb;
}

/* No two of @n objects of @size bytes overlap. */
static void expect_disjoint(struct kunit *test, void **objs, unsigned int n,
			    size_t size)
{
	void **sorted;
	unsigned int i;

	sorted = kunit_kmalloc_array(test, n, sizeof(*sorted), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sorted);
	memcpy(sorted, objs, n * sizeof(*sorted));
	sort(sorted, n, sizeof(*sorted), cmp_ptr, NULL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_GE(test, (unsigned long)(sorted[i] - sorted[i - 1]),
				size);
	kunit_kfree(test, sorted);
}

static u8 pattern(unsigned int i, unsigned int salt)
{
	return (i * 131 + salt * 7 + 1) & 0xff;
}

/* ---- sizes ---------------------------------------------------------------- */

/*
 * The geometry of a cache of each size (align 0, so 8; no red zones; 4 KiB
 * pages), worked out by hand from the rule in slab.c's opening comment,
 * not from its code.  The pitch is the size rounded up to 8; a slab of
 * S bytes holds (S - size) / pitch + 1 objects; waste is S minus objects
 * times size; the order is the smallest, from the first that holds 4
 * objects, whose waste is at most S/16, else S/8, else the least
 * wasteful.  For instance:
 *   100:  pitch 104, (4096 - 100) / 104 + 1 = 39 objects, 4096 - 3900 =
 *         196 bytes left, within 4096/16 = 256: order 0;
 *   7:    512 objects leave 4096 - 3584 = 512, over 1/16 at every order
 *         but within 1/8 at order 0;
 *   1:    512 objects leave 3584 (7/8) at every order: the least wasteful,
 *         the first, order 0;
 *   1536: 4 objects need order 1: 5 of them leave 8192 - 7680 = 512 = 1/16;
 *   3000: 4 need order 2: 5 leave 16384 - 15000 = 1384, over 1/16 (1024);
 *         order 3's 10 leave 2768, over 1/16 (2048); within 1/8 at order 2;
 *   4096: 4 objects need order 2, and fill it.
 * keep: empty slabs kept, ilog2(size) / 2 clamped to [5, 10] (SLUB's
 * min_partial): 6 for 4096 (ilog2 12), 5 for every smaller size.
 */
struct size_case {
	size_t size;
	unsigned int order, objs;
	size_t waste;
	unsigned int keep;
};

static const struct size_case sizes[] = {
	/* size    order objs waste keep */
	{ 1,          0, 512, 3584, 5 },
	{ 7,          0, 512,  512, 5 },
	{ 8,          0, 512,    0, 5 },
	{ 16,         0, 256,    0, 5 },
	{ 24,         0, 170,   16, 5 },
	{ 32,         0, 128,    0, 5 },
	{ 48,         0,  85,   16, 5 },
	{ 64,         0,  64,    0, 5 },
	{ 96,         0,  42,   64, 5 },
	{ 100,        0,  39,  196, 5 },
	{ 128,        0,  32,    0, 5 },
	{ 192,        0,  21,   64, 5 },
	{ 256,        0,  16,    0, 5 },
	{ 384,        0,  10,  256, 5 },
	{ 512,        0,   8,    0, 5 },
	{ 768,        0,   5,  256, 5 },
	{ 1000,       0,   4,   96, 5 },
	{ 1024,       0,   4,    0, 5 },
	{ 1536,       1,   5,  512, 5 },
	{ 2048,       1,   4,    0, 5 },
	{ 3000,       2,   5, 1384, 5 },
	{ 3072,       2,   5, 1024, 5 },
	{ SZ_4K,      2,   4,    0, 6 },
};

/* The figures worked out by hand hold: 4 KiB pages, no red zones. */
static bool geometry_known(const struct contig_cache_info *info)
{
	return !info->redzone && PAGE_SIZE == SZ_4K;
}

static void size_desc(const struct size_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu bytes", c->size);
}

KUNIT_ARRAY_PARAM(sizes, sizes, size_desc);

/*
 * Two slabs and one object of a size: each object where the cache says,
 * disjoint from the others, holding what was written; the order's waste
 * within 1/8 when the size is a multiple of the default alignment; frees
 * keep exactly the keep limit of empty slabs.
 */
static void slab_sizes_test(struct kunit *test)
{
	const struct size_case *sc = test->param_value;
	size_t size = sc->size;
	struct contig_cache_info info;
	struct contig_cache *c;
	unsigned int i, n;
	void **objs;
	char why[128] = "";

	c = fix_cache(test, "kunit-size", size, 0, 0, 0, NULL);
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.align, 8);
	KUNIT_ASSERT_GT(test, info.objs_per_slab, 0);
	KUNIT_EXPECT_EQ(test, info.waste_per_slab,
			(PAGE_SIZE << info.order) - info.objs_per_slab * size);
	if (size % 8 == 0 && !info.redzone)
		KUNIT_EXPECT_LE_MSG(test, info.waste_per_slab * 8,
				    PAGE_SIZE << info.order,
				    "order %u, %u objects", info.order,
				    info.objs_per_slab);
	KUNIT_EXPECT_GE(test, info.objs_per_slab * size, size);
	if (geometry_known(&info)) {
		KUNIT_EXPECT_EQ(test, info.order, sc->order);
		KUNIT_EXPECT_EQ(test, info.objs_per_slab, sc->objs);
		KUNIT_EXPECT_EQ(test, info.waste_per_slab, sc->waste);
		KUNIT_EXPECT_EQ(test, info.keep_empty, sc->keep);
	} else {
		kunit_info(test, "geometry not compared: %s",
			   info.redzone ? "red zones (slab_debug=1)" :
			   "pages are not 4 KiB");
	}

	n = 2 * info.objs_per_slab + 1;
	objs = fix_array(test, c, n);
	for (i = 0; i < n; i++) {
		objs[i] = alloc_checked(test, c, GFP_KERNEL);
		memset(objs[i], pattern(i, size), size);
	}
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.nr_slabs, 3);
	KUNIT_EXPECT_EQ(test, info.nr_empty, 0);
	KUNIT_EXPECT_EQ(test, info.active_objs, n);
	expect_disjoint(test, objs, n, size);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_NULL(test, memchr_inv(objs[i], pattern(i, size),
						   size));
	KUNIT_EXPECT_EQ_MSG(test, contig_cache_check(c, why, sizeof(why)), 0,
			    "%s", why);

	for (i = 0; i < n; i++) {
		contig_cache_free(c, objs[i]);
		objs[i] = NULL;
	}
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.active_objs, 0);
	KUNIT_EXPECT_GE(test, info.keep_empty, 5);
	/* Some may wait in a per-CPU array; the three slabs are all kept. */
	KUNIT_EXPECT_EQ(test, info.nr_slabs, min(3U, info.keep_empty));
	contig_cache_drain_cpus(c);
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.cpu_cached, 0);
	KUNIT_EXPECT_EQ(test, info.nr_empty, info.nr_slabs);
	KUNIT_EXPECT_EQ(test, contig_cache_shrink(c), info.nr_slabs);
	expect_consistent(test);
}

/* ---- alignment ------------------------------------------------------------ */

static const size_t aligns[] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384,
	32768,
};

static void align_desc(const size_t *a, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "align %zu", *a);
}

KUNIT_ARRAY_PARAM(aligns, aligns, align_desc);

/* Every object of three sizes at every alignment, over three slabs. */
static void slab_align_test(struct kunit *test)
{
	static const size_t asizes[] = { 3, 24, 100, 3000 };
	size_t align = *(const size_t *)test->param_value;
	struct slab_fix *fix = test->priv;
	unsigned int s, i, n;

	if (align > PAGE_SIZE && !IS_ALIGNED(fix->r->base, align))
		kunit_skip(test, "region base %pa is not aligned to %zu",
			   &fix->r->base, align);
	for (s = 0; s < ARRAY_SIZE(asizes); s++) {
		struct contig_cache *c;
		void **objs;

		c = fix_cache(test, "kunit-align", asizes[s], align, 0, 0, NULL);
		KUNIT_EXPECT_EQ(test, info_of(c).align, align);
		n = min(2 * info_of(c).objs_per_slab + 1, 300U);
		objs = fix_array(test, c, n);
		for (i = 0; i < n; i++)
			objs[i] = alloc_checked(test, c, GFP_KERNEL);
		expect_disjoint(test, objs, n, asizes[s]);
	}
	expect_consistent(test);
}

/* ---- boundary ------------------------------------------------------------- */

struct boundary_case {
	size_t size, align, boundary;
	unsigned int flags;
};

static const struct boundary_case boundary_cases[] = {
	{ 24, 0, 64 }, { 48, 0, 64 }, { 64, 0, 64 }, { 100, 4, 128 },
	{ 96, 32, 256 }, { 1000, 8, 1024 }, { 3000, 0, 4096 },
	{ 2000, 0, 8192 }, { 5000, 0, 8192 }, { 24, 8, 32 },
	{ 24, 0, 64, CONTIG_CACHE_DEBUG }, { 64, 0, 64, CONTIG_CACHE_DEBUG },
	{ 100, 0, 4096, CONTIG_CACHE_DEBUG },
	{ 3000, 0, 4096, CONTIG_CACHE_DEBUG },
};

static void boundary_desc(const struct boundary_case *b, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size %zu align %zu boundary %zu%s",
		 b->size, b->align, b->boundary,
		 b->flags & CONTIG_CACHE_DEBUG ? " debug" : "");
}

KUNIT_ARRAY_PARAM(boundaries, boundary_cases, boundary_desc);

/* No object crosses the boundary (alloc_checked() looks), over 3 slabs. */
static void slab_boundary_test(struct kunit *test)
{
	const struct boundary_case *b = test->param_value;
	struct contig_cache *c;
	unsigned int i, n;
	void **objs;

	c = fix_cache(test, "kunit-boundary", b->size, b->align, b->boundary,
		      b->flags, NULL);
	n = min(2 * info_of(c).objs_per_slab + 1, 600U);
	objs = fix_array(test, c, n);
	for (i = 0; i < n; i++) {
		objs[i] = alloc_checked(test, c, GFP_KERNEL);
		memset(objs[i], pattern(i, 3), b->size);
	}
	expect_disjoint(test, objs, n, b->size);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_NULL(test, memchr_inv(objs[i], pattern(i, 3),
						   b->size));
		contig_cache_free(c, objs[i]);
		objs[i] = NULL;
	}
	/* Debug caches: nothing written outside the objects. */
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, 0);
	expect_consistent(test);
}

/* ---- constructor ---------------------------------------------------------- */

#define CTOR_MAGIC 0xc0ffee5eedULL

static atomic_t ctor_calls;

static void count_ctor(void *obj)
{
	atomic_inc(&ctor_calls);
	*(u64 *)obj = CTOR_MAGIC;
}

/* The constructor runs once per object when its slab is made, no more. */
static void slab_ctor_test(struct kunit *test)
{
	struct contig_cache_info info;
	struct contig_cache *c;
	unsigned int objs, i;
	void **o, *p;

	atomic_set(&ctor_calls, 0);
	c = fix_cache(test, "kunit-ctor", 96, 0, 0, 0, count_ctor);
	info = info_of(c);
	objs = info.objs_per_slab;
	/* By hand: (4096 - 96) / 96 + 1 = 42 objects in an order-0 slab. */
	if (geometry_known(&info))
		KUNIT_EXPECT_EQ(test, objs, 42);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), 0);
	o = fix_array(test, c, objs + 2);	/* o[objs + 1]: see below */

	o[0] = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), objs);
	KUNIT_EXPECT_EQ(test, *(u64 *)o[0], CTOR_MAGIC);
	contig_cache_free(c, o[0]);
	o[0] = NULL;	/* not freed twice should the next line fail */
	o[0] = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), objs);
	for (i = 1; i < objs; i++) {
		o[i] = alloc_checked(test, c, GFP_KERNEL);
		KUNIT_EXPECT_EQ(test, *(u64 *)o[i], CTOR_MAGIC);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), objs);
	o[objs] = alloc_checked(test, c, GFP_KERNEL);	/* a second slab */
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), 2 * objs);

	/* __GFP_ZERO would undo the constructor: refused (else freed at the end). */
	p = contig_cache_alloc(c, GFP_KERNEL | __GFP_ZERO, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(p), -EINVAL);
	if (!IS_ERR(p))
		o[objs + 1] = p;

	for (i = 0; i <= objs; i++) {
		contig_cache_free(c, o[i]);
		o[i] = NULL;
	}
	KUNIT_EXPECT_EQ(test, contig_cache_shrink(c), 2);
	o[0] = alloc_checked(test, c, GFP_KERNEL);	/* a new slab again */
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), 3 * objs);
	KUNIT_EXPECT_EQ(test, *(u64 *)o[0], CTOR_MAGIC);
}

/* ---- shrink and the keep limit ------------------------------------------- */

/*
 * Five slabs: empty two, half empty one; shrink gives back exactly the two
 * empty ones (the buddy's free frames say so), then the keep limit.
 */
static void slab_shrink_test(struct kunit *test)
{
	struct slab_fix *fix = test->priv;
	struct contig_cache_info info;
	unsigned long f0, pages;
	struct contig_cache *c;
	unsigned int objs, i, n;
	void **o;

	c = fix_cache(test, "kunit-shrink", 512, 0, 0, 0, NULL);
	contig_cache_set_keep_empty(c, 100);
	info = info_of(c);
	objs = info.objs_per_slab;
	pages = 1UL << info.order;
	/* By hand: 4096 / 512 = 8 objects fill an order-0 slab exactly. */
	if (geometry_known(&info)) {
		KUNIT_EXPECT_EQ(test, info.order, 0);
		KUNIT_EXPECT_EQ(test, objs, 8);
	}
	n = 5 * objs;
	o = fix_array(test, c, n);
	f0 = free_frames(fix->r);
	for (i = 0; i < n; i++)
		o[i] = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, info_of(c).nr_slabs, 5);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f0 - 5 * pages);
	/* Slabs fill one at a time: object i is in slab i / objs. */
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, (expected_phys(fix, o[i]) >> PAGE_SHIFT) / pages,
				(expected_phys(fix, o[i / objs * objs]) >> PAGE_SHIFT) / pages);

	for (i = 0; i < n; i++) {
		unsigned int slab = i / objs;

		if (slab == 0 || slab == 2 || (slab == 4 && i % 2)) {
			contig_cache_free(c, o[i]);
			o[i] = NULL;
		}
	}
	/* The slab lists as if no per-CPU array had held the frees. */
	contig_cache_drain_cpus(c);
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.nr_slabs, 5);
	KUNIT_EXPECT_EQ(test, info.nr_empty, 2);
	KUNIT_EXPECT_EQ(test, contig_cache_shrink(c), 2);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f0 - 3 * pages);
	KUNIT_EXPECT_EQ(test, contig_cache_shrink(c), 0);
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.nr_slabs, 3);
	KUNIT_EXPECT_EQ(test, info.nr_empty, 0);
	expect_consistent(test);

	/* Everything free: all three kept, until the limit drops to 1. */
	for (i = 0; i < n; i++) {
		contig_cache_free(c, o[i]);
		o[i] = NULL;
	}
	contig_cache_drain_cpus(c);
	KUNIT_EXPECT_EQ(test, info_of(c).nr_empty, 3);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f0 - 3 * pages);
	contig_cache_set_keep_empty(c, 1);
	KUNIT_EXPECT_EQ(test, info_of(c).nr_slabs, 1);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f0 - pages);
	/*
	 * Keep limit 0: the object emptying a slab gives it back as soon as
	 * it leaves the per-CPU array.
	 */
	contig_cache_set_keep_empty(c, 0);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f0);
	o[0] = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f0 - pages);
	contig_cache_free(c, o[0]);
	o[0] = NULL;
	contig_cache_drain_cpus(c);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f0);
	KUNIT_EXPECT_EQ(test, contig_cache_shrink(c), 0);
	expect_consistent(test);
}

/* ---- destroy with leaks --------------------------------------------------- */

static void slab_destroy_leak_test(struct kunit *test)
{
	struct slab_fix *fix = test->priv;
	struct contig_cache *c;
	unsigned long f0;
	unsigned int i;
	void **o;

	f0 = free_frames(fix->r);
	c = fix_cache(test, "kunit-leaky", 200, 0, 0, 0, NULL);
	o = fix_array(test, c, 4);
	for (i = 0; i < 3; i++)
		o[i] = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, contig_cache_destroy(c), -EBUSY);
	/* Refused, and nothing lost: the cache works as before. */
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 3);
	expect_consistent(test);
	o[3] = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 4);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, contig_cache_free_checked(c, o[i]), 0);
		o[i] = NULL;
	}
	KUNIT_EXPECT_EQ(test, contig_cache_destroy(c), 0);
	fix_forget_cache(test, c);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f0);

	KUNIT_EXPECT_EQ(test, contig_cache_destroy(NULL), 0);
	KUNIT_EXPECT_EQ(test, contig_cache_destroy(contig_kmalloc_cache(64)),
			-EINVAL);
}

/* ---- wrong frees ---------------------------------------------------------- */

/* A frame taken from the region's buddy, given back when the case ends. */
struct fix_frame {
	struct contig_region *r;
	long frame;
};

static void free_frame_action(void *data)
{
	struct fix_frame *fr = data;

	contig_buddy_free(&fr->r->buddy, fr->frame);
}

static struct fix_frame *fix_frame(struct kunit *test, struct contig_region *r)
{
	struct fix_frame *fr = kunit_kzalloc(test, sizeof(*fr), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fr);
	fr->r = r;
	fr->frame = contig_buddy_alloc(&r->buddy, 1, 1, CONTIG_OWNER_UNMOVABLE,
				       CONTIG_POLICY_DEFAULT, 0);
	KUNIT_ASSERT_GE(test, fr->frame, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_frame_action,
							fr), 0);
	return fr;
}

/* A wrong free returns -EINVAL, is counted, and changes no cache. */
static void expect_wrong(struct kunit *test, int ret,
			 struct contig_cache **caches, unsigned int nr,
			 const unsigned long *active, const char *what)
{
	unsigned int i;

	KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "%s", what);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, info_of(caches[i]).active_objs,
				    active[i], "%s changed cache %u", what, i);
}

static void slab_wrong_free_test(struct kunit *test)
{
	struct slab_fix *fix = test->priv;
	struct contig_cache *caches[3];
	unsigned long active[3] = { 1, 1, 1 }, wrong0, f;
	void *a, *b, *k, *big, *sys;
	void **oa, **ob, **om;
	struct fix_frame *fr;

	caches[0] = fix_cache(test, "kunit-wrong-a", 64, 0, 0, 0, NULL);
	caches[1] = fix_cache(test, "kunit-wrong-b", 64, 0, 0, 0, NULL);
	caches[2] = contig_kmalloc_cache(100);
	KUNIT_ASSERT_NOT_NULL(test, caches[2]);
	oa = fix_array(test, caches[0], 1);
	a = alloc_checked(test, caches[0], GFP_KERNEL);
	oa[0] = a;
	ob = fix_array(test, caches[1], 1);
	b = alloc_checked(test, caches[1], GFP_KERNEL);
	ob[0] = b;
	om = fix_array(test, NULL, 2);
	k = contig_kmalloc(100, GFP_KERNEL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	om[0] = k;
	big = contig_kmalloc(3 * PAGE_SIZE + 1, GFP_KERNEL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(big));
	om[1] = big;
	sys = kunit_kzalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sys);
	wrong0 = contig_slab_wrong_frees_count();
	f = free_frames(fix->r);

	expect_wrong(test, contig_cache_free_checked(caches[1], a), caches, 3,
		     active, "object of another cache");
	expect_wrong(test, contig_cache_free_checked(caches[0], a + 1), caches,
		     3, active, "middle of an object");
	expect_wrong(test, contig_cache_free_checked(caches[0], a + 32), caches,
		     3, active, "middle of an object");
	expect_wrong(test, contig_cache_free_checked(caches[0], a + 64), caches,
		     3, active, "free neighbour");
	expect_wrong(test, contig_cache_free_checked(caches[0], sys), caches, 3,
		     active, "kernel memory");
	expect_wrong(test, contig_cache_free_checked(caches[0], k), caches, 3,
		     active, "contig_kmalloc object to a cache");
	expect_wrong(test, contig_cache_free_checked(caches[0], big), caches, 3,
		     active, "large block to a cache");
	expect_wrong(test, contig_cache_free_checked(NULL, a), caches, 3,
		     active, "no cache");
	expect_wrong(test, contig_kfree_checked(a), caches, 3, active,
		     "cache object to contig_kfree");
	expect_wrong(test, contig_kfree_checked(k + 4), caches, 3, active,
		     "middle of a kmalloc object");
	expect_wrong(test, contig_kfree_checked(big + PAGE_SIZE), caches, 3,
		     active, "inside a large block");
	expect_wrong(test, contig_kfree_checked(big + 1), caches, 3, active,
		     "inside a large block");
	expect_wrong(test, contig_kfree_checked(sys), caches, 3, active,
		     "kernel memory to contig_kfree");
	/* A frame the buddy gave to someone else. */
	fr = fix_frame(test, fix->r);
	expect_wrong(test, contig_kfree_checked(contig_frame_to_virt(fix->r, fr->frame)),
		     caches, 3, active, "frame of a buffer");
	KUNIT_EXPECT_EQ(test, contig_buddy_free(&fix->r->buddy, fr->frame), 0);
	kunit_remove_action(test, free_frame_action, fr);
	KUNIT_EXPECT_EQ(test, contig_slab_wrong_frees_count() - wrong0, 14);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f);
	KUNIT_EXPECT_EQ(test, contig_cache_free_checked(caches[0], NULL), 0);
	KUNIT_EXPECT_EQ(test, contig_kfree_checked(NULL), 0);
	expect_consistent(test);

	/* Double frees: of an object, with its slab kept and given back. */
	KUNIT_EXPECT_EQ(test, contig_cache_free_checked(caches[0], a), 0);
	oa[0] = NULL;
	active[0] = 0;
	expect_wrong(test, contig_cache_free_checked(caches[0], a), caches, 3,
		     active, "double free");
	contig_cache_set_keep_empty(caches[1], 0);
	KUNIT_EXPECT_EQ(test, contig_cache_free_checked(caches[1], b), 0);
	ob[0] = NULL;
	active[1] = 0;
	expect_wrong(test, contig_cache_free_checked(caches[1], b), caches, 3,
		     active, "double free after the slab went back");
	KUNIT_EXPECT_EQ(test, contig_kfree_checked(k), 0);
	om[0] = NULL;
	active[2] = 0;
	expect_wrong(test, contig_kfree_checked(k), caches, 3, active,
		     "double contig_kfree");
	KUNIT_EXPECT_EQ(test, contig_kfree_checked(big), 0);
	om[1] = NULL;
	expect_wrong(test, contig_kfree_checked(big), caches, 3, active,
		     "double free of a large block");
	KUNIT_EXPECT_EQ(test, contig_slab_wrong_frees_count() - wrong0, 18);
	expect_consistent(test);
}

/* ---- debug: red zones and poison ----------------------------------------- */

static void slab_debug_overrun_test(struct kunit *test)
{
	struct contig_cache_info info;
	struct contig_cache *c;
	u8 *p;
	void **o;

	c = fix_cache(test, "kunit-debug-rz", 40, 0, 0, CONTIG_CACHE_DEBUG,
		      NULL);
	info = info_of(c);
	KUNIT_ASSERT_GE(test, info.redzone, 8);
	KUNIT_EXPECT_TRUE(test, info.poison);
	o = fix_array(test, c, 2);
	o[1] = alloc_checked(test, c, GFP_KERNEL);	/* keeps the slab */

	/* Clean use: no report. */
	p = alloc_checked(test, c, GFP_KERNEL);
	o[0] = p;
	memset(p, 0x11, 40);
	contig_cache_free(c, p);
	o[0] = NULL;
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, 0);

	/* One byte past the end, found at free. */
	p = alloc_checked(test, c, GFP_KERNEL);
	o[0] = p;
	p[40] = 0x11;
	contig_cache_free(c, p);
	o[0] = NULL;
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, 1);

	/* One byte before the start, found at free. */
	p = alloc_checked(test, c, GFP_KERNEL);
	o[0] = p;
	p[-1] = 0x22;
	contig_cache_free(c, p);
	o[0] = NULL;
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, 2);

	/* Past the end of an object still in use, found at shrink. */
	p = o[1];
	p[info.size + info.redzone - 1] = 0x33;
	contig_cache_shrink(c);
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, 3);
	/* Reported once: repaired. */
	contig_cache_shrink(c);
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, 3);
	expect_consistent(test);
}

static void slab_debug_uaf_test(struct kunit *test)
{
	struct contig_cache *c;
	u8 *p, *q;
	void **o;

	c = fix_cache(test, "kunit-debug-uaf", 64, 0, 0, CONTIG_CACHE_DEBUG,
		      NULL);
	o = fix_array(test, c, 2);

	/* Written after free, in a slab still in use: found at shrink. */
	o[0] = alloc_checked(test, c, GFP_KERNEL);
	p = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, POISON_FREE, 64));
	contig_cache_free(c, p);
	p[10] = 0x42;
	KUNIT_EXPECT_EQ(test, contig_cache_shrink(c), 0);
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, 1);

	/* Written after free, found when handed out again (LIFO). */
	p = alloc_checked(test, c, GFP_KERNEL);
	contig_cache_free(c, p);
	p[63] = 0x42;
	q = alloc_checked(test, c, GFP_KERNEL);
	o[1] = q;
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, 2);
	contig_cache_free(c, q);
	o[1] = NULL;

	/* Written after its slab emptied: found when the slab goes back. */
	contig_cache_free(c, o[0]);
	p = o[0];
	o[0] = NULL;
	p[0] = 0x42;
	KUNIT_EXPECT_EQ(test, contig_cache_shrink(c), 1);
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, 3);
	expect_consistent(test);
}

/* ---- contig_kmalloc ------------------------------------------------------- */

/*
 * The eighteen size classes as slab.c's opening comment lists them, each
 * with the alignment its objects must have (the largest power of two
 * dividing the class), written out rather than computed.
 */
static const struct {
	size_t size, align;
} kmalloc_classes[] = {
	{ 8, 8 }, { 16, 16 }, { 24, 8 }, { 32, 32 }, { 48, 16 }, { 64, 64 },
	{ 96, 32 }, { 128, 128 }, { 192, 64 }, { 256, 256 }, { 384, 128 },
	{ 512, 512 }, { 768, 256 }, { 1024, 1024 }, { 1536, 512 },
	{ 2048, 2048 }, { 3072, 1024 }, { 4096, 4096 },
};

/* Index of the smallest class of at least @size bytes. */
static unsigned int expected_class(size_t size)
{
	unsigned int i = 0;

	while (kmalloc_classes[i].size < size)
		i++;
	return i;
}

static void slab_kmalloc_test(struct kunit *test)
{
	/* Beyond a page: whole frames, counted by hand. */
	static const struct {
		size_t size;
		unsigned long frames;
	} large[] = {
		{ SZ_4K + 1, 2 }, { 3 * SZ_4K, 3 }, { 5 * SZ_4K - 7, 5 },
		{ SZ_1M, 256 },
	};
	struct slab_fix *fix = test->priv;
	unsigned int i, n = 0;
	phys_addr_t phys;
	unsigned long f;
	size_t size;
	void **o, *q;

	if (PAGE_SIZE != SZ_4K)
		kunit_skip(test, "the expected classes are those of 4 KiB pages");
	o = fix_array(test, NULL, PAGE_SIZE / 8 + 3 + ARRAY_SIZE(large));
	for (size = 1; size <= PAGE_SIZE; size += size < 128 ? 1 : 8) {
		unsigned int k = expected_class(size);
		size_t cls = kmalloc_classes[k].size;
		u8 *p = contig_kmalloc(size, GFP_KERNEL | __GFP_ZERO, &phys);

		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(p), "contig_kmalloc(%zu)", size);
		o[n++] = p;
		KUNIT_EXPECT_EQ_MSG(test, contig_ksize(p), cls, "size %zu", size);
		KUNIT_EXPECT_EQ(test, phys, expected_phys(fix, p));
		KUNIT_EXPECT_EQ_MSG(test, phys & (kmalloc_classes[k].align - 1), 0,
				    "size %zu class %zu", size, cls);
		KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, size));
		KUNIT_EXPECT_PTR_EQ(test, contig_kmalloc_cache(size),
				    contig_kmalloc_cache(cls));
		memset(p, 0xa5, size);
		if (size >= 512) {	/* keep the case short */
			contig_kfree(p);
			o[--n] = NULL;
		}
	}
	for (i = 0; i < ARRAY_SIZE(large); i++) {
		f = free_frames(fix->r);
		q = contig_kmalloc(large[i].size, GFP_KERNEL | __GFP_ZERO, &phys);
		KUNIT_ASSERT_FALSE(test, IS_ERR(q));
		o[n++] = q;
		/* The buddy takes exactly the frames asked for. */
		KUNIT_EXPECT_EQ(test, f - free_frames(fix->r), large[i].frames);
		KUNIT_EXPECT_EQ(test, contig_ksize(q), large[i].frames * SZ_4K);
		KUNIT_EXPECT_EQ(test, phys, expected_phys(fix, q));
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(phys));
		KUNIT_EXPECT_NULL(test, memchr_inv(q, 0, large[i].size));
		KUNIT_EXPECT_EQ(test, contig_ksize(q + 1), 0);
	}
	/* Refused; should one be served after all, its slot frees it. */
	q = contig_kmalloc(0, GFP_KERNEL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(q), -EINVAL);
	if (!IS_ERR(q))
		o[n++] = q;
	q = contig_kmalloc(fix->r->size + 1, GFP_KERNEL | __GFP_NOWARN, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(q), -ENOMEM);
	if (!IS_ERR(q))
		o[n++] = q;
	KUNIT_EXPECT_NULL(test, contig_kmalloc_cache(PAGE_SIZE + 1));
	expect_consistent(test);
}

/* ---- invalid arguments ---------------------------------------------------- */

static void slab_create_invalid_test(struct kunit *test)
{
	static const struct {
		const char *name;
		size_t size, align, boundary;
		unsigned int flags;
	} bad[] = {
		{ NULL, 64 }, { "", 64 }, { "x", 0 }, { "x", SZ_1M + 1 },
		{ "x", 64, 3 }, { "x", 64, 48 }, { "x", 64, 65536 },
		{ "x", 64, 0, 32 }, { "x", 64, 0, 96 },
		{ "x", 64, 0, 0, 1U << 5 }, { "x", 64, 0, 0, 1U << 31 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct contig_cache *c;

		c = contig_cache_create(bad[i].name, bad[i].size, bad[i].align,
					bad[i].boundary, bad[i].flags, NULL);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(c), -EINVAL,
				    "case %u", i);
		if (!IS_ERR(c))
			contig_cache_destroy(c);
	}
}

/* ---- slabinfo ------------------------------------------------------------- */

/* The debugfs file's text, rendered into a buffer, parses as it should. */
static void slab_slabinfo_test(struct kunit *test)
{
	unsigned long active, num, objsize, perslab, pages;
	struct contig_cache_info info;
	struct seq_file m = { };
	struct contig_cache *c;
	int i, fields;
	char *line;
	void **o;

	c = fix_cache(test, "kunit-slabinfo", 72, 0, 0, 0, NULL);
	o = fix_array(test, c, 3);
	for (i = 0; i < 3; i++)
		o[i] = alloc_checked(test, c, GFP_KERNEL);
	info = info_of(c);

	m.size = SZ_16K;
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, contig_slabinfo_show(&m, NULL), 0);
	KUNIT_ASSERT_LT(test, m.count, m.size);	/* no overflow */
	m.buf[m.count] = 0;
	KUNIT_EXPECT_TRUE(test, str_has_prefix(m.buf, "slabinfo - version: 2.1\n"));
	line = strstr(m.buf, "\nkunit-slabinfo ");
	KUNIT_ASSERT_NOT_NULL(test, line);
	fields = sscanf(line + 1, "kunit-slabinfo %lu %lu %lu %lu %lu",
			&active, &num, &objsize, &perslab, &pages);
	KUNIT_ASSERT_EQ(test, fields, 5);
	KUNIT_EXPECT_EQ(test, active, 3);
	KUNIT_EXPECT_EQ(test, num, info.objs_per_slab);
	KUNIT_EXPECT_EQ(test, objsize, 72);
	KUNIT_EXPECT_EQ(test, perslab, info.objs_per_slab);
	KUNIT_EXPECT_EQ(test, pages, 1UL << info.order);
	/* By hand: (4096 - 72) / 72 + 1 = 56 objects in one page. */
	if (geometry_known(&info)) {
		KUNIT_EXPECT_EQ(test, num, 56);
		KUNIT_EXPECT_EQ(test, pages, 1);
	}
	KUNIT_EXPECT_NOT_NULL(test, strstr(line, ": waste "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "\ncontig-kmalloc-64 "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "\ncontig-kmalloc-large "));
}

/* ---- seeded random stress with a shadow model ----------------------------- */

#define STRESS_SLOTS	384
#define STRESS_PHASES	6
#define STRESS_OPS	2000

struct shadow {
	void *obj;
	unsigned int cache;	/* index in the case's caches; NR: kmalloc */
	size_t size;
	u8 tag;
};

#define STRESS_KINDS	5

/* The live objects of the stress case, freed by stress_release(). */
struct stress {
	struct contig_cache *caches[STRESS_KINDS];
	struct shadow *sh;
	unsigned int n;
};

static void stress_release(void *data)
{
	struct stress *st = data;

	while (st->n) {
		struct shadow *x = &st->sh[--st->n];

		if (x->cache < STRESS_KINDS)
			contig_cache_free(st->caches[x->cache], x->obj);
		else
			contig_kfree(x->obj);
	}
}

static void slab_random_stress_test(struct kunit *test)
{
	static const struct boundary_case kinds[STRESS_KINDS] = {
		{ 24, 0, 0 }, { 96, 64, 256 }, { 192, 0, 0, CONTIG_CACHE_DEBUG },
		{ 3000, 8, 4096 }, { 1, 1, 0 },
	};
	unsigned long live[STRESS_KINDS] = { 0 };
	const unsigned int nr = STRESS_KINDS;
	unsigned int phase, op, i;
	struct contig_cache **caches;
	struct rnd_state rnd;
	struct stress *st;
	struct shadow *sh;
	unsigned long s = seed ?: get_random_u32();

	kunit_info(test, "seed=%lu (reload with seed=%lu to repeat)\n", s, s);
	prandom_seed_state(&rnd, s);
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	caches = st->caches;
	for (i = 0; i < nr; i++)
		caches[i] = fix_cache(test, "kunit-stress", kinds[i].size,
				      kinds[i].align, kinds[i].boundary,
				      kinds[i].flags, NULL);
	sh = kunit_kcalloc(test, STRESS_SLOTS, sizeof(*sh), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	st->sh = sh;
	/* After the caches: the objects go first. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, stress_release, st),
			0);

	for (phase = 0; phase < STRESS_PHASES; phase++) {
		for (op = 0; op < STRESS_OPS; op++) {
			u32 r = prandom_u32_state(&rnd);
			bool alloc = st->n < STRESS_SLOTS &&
				     (st->n == 0 || r % 100 < (phase & 1 ? 35 : 65));

			if (alloc) {
				struct shadow *x = &sh[st->n];
				unsigned int k = (r >> 8) % (nr + 1);

				x->cache = k;
				x->tag = r >> 24;
				if (k < nr) {
					x->size = kinds[k].size;
					x->obj = alloc_checked(test, caches[k],
							       r & 1 ? GFP_KERNEL : GFP_ATOMIC);
				} else {
					x->size = 1 + (r >> 8) % (3 * PAGE_SIZE);
					x->obj = contig_kmalloc(x->size, GFP_KERNEL,
								NULL);
					KUNIT_ASSERT_FALSE(test, IS_ERR(x->obj));
				}
				memset(x->obj, x->tag, x->size);
				if (k < nr)
					live[k]++;
				st->n++;
			} else {
				struct shadow *x = &sh[(r >> 8) % st->n];

				KUNIT_ASSERT_NULL_MSG(test,
						      memchr_inv(x->obj, x->tag, x->size),
						      "object of %zu bytes overwritten",
						      x->size);
				if (x->cache < nr) {
					KUNIT_ASSERT_EQ(test,
							contig_cache_free_checked(caches[x->cache],
										  x->obj), 0);
					live[x->cache]--;
				} else {
					KUNIT_ASSERT_EQ(test,
							contig_kfree_checked(x->obj), 0);
				}
				*x = sh[--st->n];
			}
			if (r % 256 == 0)
				contig_cache_shrink(caches[(r >> 8) % nr]);
		}
		/* After each phase: every object intact, the model agrees. */
		for (i = 0; i < st->n; i++)
			KUNIT_ASSERT_NULL(test, memchr_inv(sh[i].obj, sh[i].tag,
							   sh[i].size));
		for (i = 0; i < nr; i++)
			KUNIT_EXPECT_EQ(test, info_of(caches[i]).active_objs,
					live[i]);
		KUNIT_EXPECT_EQ(test, info_of(caches[2]).nr_corrupt, 0);
		expect_consistent(test);
		kunit_info(test, "phase %u: %u objects live\n", phase, st->n);
	}
	kunit_release_action(test, stress_release, st);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ(test, info_of(caches[i]).active_objs, 0);
}

/* ---- concurrency ---------------------------------------------------------- */

#define HAMMER_ROUNDS	400
#define HAMMER_BATCH	48

/*
 * One thread of the concurrency case.  Kunit memory, never the case's
 * stack; hammer_join() is registered as soon as the thread exists, so the
 * thread is stopped and joined before its cache and this state go, also
 * when an assertion ends the case early.
 */
struct hammer {
	struct contig_cache *cache;
	struct task_struct *task;
	unsigned int id;
	unsigned long errors;
	unsigned long allocs;
	struct completion done;
};

static int hammer_fn(void *arg)
{
	struct hammer *h = arg;
	void *objs[HAMMER_BATCH];
	unsigned int size = info_of(h->cache).size;
	unsigned int round, i;
	unsigned long flags;

	for (round = 0; round < HAMMER_ROUNDS && !kthread_should_stop(); round++) {
		bool atomic = round & 1;

		/* Odd rounds allocate with interrupts off, as a driver might. */
		if (atomic)
			local_irq_save(flags);
		for (i = 0; i < HAMMER_BATCH; i++) {
			objs[i] = contig_cache_alloc(h->cache,
						     atomic ? GFP_ATOMIC : GFP_KERNEL,
						     NULL);
			if (IS_ERR(objs[i])) {
				h->errors++;
				objs[i] = NULL;
				continue;
			}
			memset(objs[i], h->id + round, size);
			h->allocs++;
		}
		if (atomic)
			local_irq_restore(flags);
		for (i = 0; i < HAMMER_BATCH; i++) {
			if (!objs[i])
				continue;
			if (memchr_inv(objs[i], (u8)(h->id + round), size))
				h->errors++;
			if (contig_cache_free_checked(h->cache, objs[i]))
				h->errors++;
		}
		cond_resched();
	}
	complete(&h->done);
	return 0;
}

/* Stop the thread (it ends its round) and wait until it has returned. */
static void hammer_join(void *data)
{
	struct hammer *h = data;

	kthread_stop(h->task);
	put_task_struct(h->task);
}

static const unsigned int hammer_modes[] = { 2, 1 };

static void hammer_desc(const unsigned int *m, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s",
		 *m == 2 ? "two caches" : "one cache");
}

KUNIT_ARRAY_PARAM(hammer_modes, hammer_modes, hammer_desc);

/* Two kthreads allocate and free at once, from two caches or one. */
static void slab_threads_test(struct kunit *test)
{
	unsigned int nr_caches = *(const unsigned int *)test->param_value;
	struct contig_cache *caches[2];
	unsigned long done[2];
	struct hammer *h;
	unsigned int i;

	caches[0] = fix_cache(test, "kunit-hammer-0", 80, 0, 0, 0, NULL);
	caches[1] = nr_caches == 2 ?
		    fix_cache(test, "kunit-hammer-1", 80, 0, 0, 0, NULL) :
		    caches[0];
	h = kunit_kcalloc(test, 2, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	for (i = 0; i < 2; i++) {
		struct task_struct *t;

		h[i].cache = caches[i];
		h[i].id = 0x10 * (i + 1);
		init_completion(&h[i].done);
		t = kthread_create(hammer_fn, &h[i], "contig-hammer-%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		h[i].task = get_task_struct(t);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hammer_join,
								&h[i]), 0);
		wake_up_process(t);
	}
	/*
	 * Let each finish its rounds, for two minutes at most; then stop it
	 * (if it is still going) and join it, whatever happened, before
	 * anything is judged.
	 */
	for (i = 0; i < 2; i++) {
		done[i] = wait_for_completion_timeout(&h[i].done, 120 * HZ);
		kunit_release_action(test, hammer_join, &h[i]);
	}
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, done[i],
				      "thread %u did not finish in 2 minutes", i);
		KUNIT_EXPECT_EQ(test, h[i].errors, 0);
		KUNIT_EXPECT_EQ(test, h[i].allocs, HAMMER_ROUNDS * HAMMER_BATCH);
	}
	for (i = 0; i < nr_caches; i++) {
		KUNIT_EXPECT_EQ(test, info_of(caches[i]).active_objs, 0);
		KUNIT_EXPECT_EQ(test, info_of(caches[i]).nr_corrupt, 0);
	}
	expect_consistent(test);
}

/* ---- contig_ksize() with red zones --------------------------------------- */

static void kmalloc_debug_off(void *unused)
{
	contig_kmalloc_set_debug(false);
}

/*
 * Every byte contig_ksize() reports may be written.  With contig_kmalloc()
 * debugging (red zones and poison, as with slab_debug=1): fill an
 * allocation from each class, at the class's smallest size, and large
 * blocks that do and do not end on a frame, up to their ksize; free; no
 * red zone may be reported damaged, at free, when the class object is
 * handed out again, nor by a shrink of the class.  First, the checks are
 * shown to be live: one byte past a class object, or past a large
 * block's size, is reported.
 */
static void slab_ksize_debug_test(struct kunit *test)
{
	static const size_t large[] = { PAGE_SIZE + 1, 2 * PAGE_SIZE,
					3 * PAGE_SIZE - 100, 5 * PAGE_SIZE - 7 };
	struct contig_cache_info info;
	unsigned long corrupt, wrong0;
	struct contig_cache *c;
	unsigned int i;
	size_t size, ks;
	u8 *p, *q;
	void **o;

	KUNIT_ASSERT_EQ(test, contig_kmalloc_set_debug(true), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kmalloc_debug_off,
							NULL), 0);
	o = fix_array(test, NULL, 1);
	wrong0 = contig_slab_wrong_frees_count();

	/* The checks can fail: one byte past the object, past the size. */
	c = contig_kmalloc_cache(17);
	KUNIT_ASSERT_NOT_NULL(test, c);
	info = info_of(c);
	KUNIT_ASSERT_GT(test, info.redzone, 0);
	p = contig_kmalloc(17, GFP_KERNEL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	o[0] = p;
	p[info.size] = 0;
	KUNIT_EXPECT_EQ(test, contig_kfree_checked(p), 0);
	o[0] = NULL;
	KUNIT_EXPECT_EQ(test, info_of(c).nr_corrupt, info.nr_corrupt + 1);
	corrupt = contig_kmalloc_large_corrupt_count();
	p = contig_kmalloc(large[2], GFP_KERNEL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	o[0] = p;
	p[large[2]] = 0;
	KUNIT_EXPECT_EQ(test, contig_kfree_checked(p), 0);
	o[0] = NULL;
	KUNIT_EXPECT_EQ(test, contig_kmalloc_large_corrupt_count(), corrupt + 1);

	/* Each class once, at its smallest size: the most bytes past it. */
	for (size = 1; size <= PAGE_SIZE;
	     size = kmalloc_classes[expected_class(size)].size + 1) {
		c = contig_kmalloc_cache(size);
		KUNIT_ASSERT_NOT_NULL(test, c);
		info = info_of(c);
		KUNIT_ASSERT_GT_MSG(test, info.redzone, 0, "size %zu", size);
		p = contig_kmalloc(size, GFP_KERNEL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(p));
		o[0] = p;
		ks = contig_ksize(p);
		KUNIT_EXPECT_EQ_MSG(test, ks, info.size, "size %zu", size);
		memset(p, 0x5a, ks);
		KUNIT_EXPECT_EQ(test, contig_kfree_checked(p), 0);
		o[0] = NULL;
		/*
		 * Handed out again (the same object unless another user of
		 * the class interferes): red zones and poison are checked;
		 * shrink checks every object of the class.
		 */
		q = contig_kmalloc(size, GFP_KERNEL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(q));
		o[0] = q;
		KUNIT_EXPECT_EQ(test, contig_kfree_checked(q), 0);
		o[0] = NULL;
		contig_cache_shrink(c);
		KUNIT_EXPECT_EQ_MSG(test, info_of(c).nr_corrupt, info.nr_corrupt,
				    "contig_kmalloc(%zu): %zu bytes written, as ksize said",
				    size, ks);
	}

	for (i = 0; i < ARRAY_SIZE(large); i++) {
		corrupt = contig_kmalloc_large_corrupt_count();
		p = contig_kmalloc(large[i], GFP_KERNEL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(p));
		o[0] = p;
		ks = contig_ksize(p);
		KUNIT_EXPECT_GE(test, ks, large[i]);
		KUNIT_EXPECT_LE(test, ks, PAGE_ALIGN(large[i]));
		memset(p, 0x5a, ks);
		KUNIT_EXPECT_EQ(test, contig_kfree_checked(p), 0);
		o[0] = NULL;
		KUNIT_EXPECT_EQ_MSG(test, contig_kmalloc_large_corrupt_count(),
				    corrupt,
				    "contig_kmalloc(%zu): %zu bytes written, as ksize said",
				    large[i], ks);
	}
	KUNIT_EXPECT_EQ(test, contig_slab_wrong_frees_count(), wrong0);
	expect_consistent(test);
}

/* ---- per-CPU arrays ------------------------------------------------------- */

/*
 * One CPU's array through its life: the slow path's first slab, a refill
 * of a batch, frees on top and allocations from the top (LIFO), a double
 * free refused while the object waits in the array, the flush of the
 * oldest batch when the array is full, and a drain on demand; the
 * checkers after each step.  The case stays on one CPU.
 */
static void slab_cpu_array_test(struct kunit *test)
{
	struct slab_fix *fix = test->priv;
	unsigned int limit, batch, cpu, i, n;
	struct contig_cache_info info;
	unsigned long wrong0, f0;
	struct contig_cache *c;
	void **o, *p;

	c = fix_cache(test, "kunit-cpu", 64, 0, 0, 0, NULL);
	info = info_of(c);
	if (info.redzone || info.poison)
		kunit_skip(test, "debug caches have no per-CPU arrays (slab_debug=1)");
	KUNIT_ASSERT_EQ(test, info.cpu_limit, 32);
	limit = info.cpu_limit;
	batch = limit / 2;
	n = limit + 1;
	o = fix_array(test, c, n);
	f0 = free_frames(fix->r);

	migrate_disable();
	cpu = smp_processor_id();
	/* No slab yet: the slow path makes one and hands out its first. */
	o[0] = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, contig_cache_cpu_cached(c, cpu), 0);
	/* The second refills the array with a batch of that slab. */
	o[1] = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, contig_cache_cpu_cached(c, cpu), batch - 1);
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.nr_slabs, 1);
	KUNIT_EXPECT_EQ(test, info.active_objs, 2);
	KUNIT_EXPECT_EQ(test, info.cpu_cached, batch - 1);
	expect_consistent(test);

	/* A free goes on top, and the next allocation takes it back. */
	p = o[1];
	contig_cache_free(c, p);
	o[1] = NULL;
	KUNIT_EXPECT_EQ(test, contig_cache_cpu_cached(c, cpu), batch);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 1);
	wrong0 = contig_slab_wrong_frees_count();
	KUNIT_EXPECT_EQ(test, contig_cache_free_checked(c, p), -EINVAL);
	KUNIT_EXPECT_EQ(test, contig_slab_wrong_frees_count(), wrong0 + 1);
	KUNIT_EXPECT_EQ(test, contig_cache_cpu_cached(c, cpu), batch);
	expect_consistent(test);
	o[1] = alloc_checked(test, c, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, o[1], p);

	/* @n objects in hand, the array empty: then free them all. */
	for (i = 2; i < n; i++)
		o[i] = alloc_checked(test, c, GFP_KERNEL);
	contig_cache_drain_cpus(c);
	KUNIT_EXPECT_EQ(test, contig_cache_cpu_cached(c, cpu), 0);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, n);
	expect_consistent(test);
	for (i = 0; i < limit; i++) {
		contig_cache_free(c, o[i]);
		o[i] = NULL;
	}
	KUNIT_EXPECT_EQ(test, contig_cache_cpu_cached(c, cpu), limit);
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.active_objs, 1);
	KUNIT_EXPECT_EQ(test, info.nr_empty, 0);
	/* One more than the array holds: its oldest batch goes back first. */
	contig_cache_free(c, o[limit]);
	o[limit] = NULL;
	KUNIT_EXPECT_EQ(test, contig_cache_cpu_cached(c, cpu),
			limit - batch + 1);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 0);
	expect_consistent(test);
	migrate_enable();

	/* Nothing in use, yet slabs held by the arrays: shrink drains them. */
	info = info_of(c);
	KUNIT_EXPECT_LT(test, info.nr_empty, info.nr_slabs);
	KUNIT_EXPECT_EQ(test, contig_cache_shrink(c), info.nr_slabs);
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.nr_slabs, 0);
	KUNIT_EXPECT_EQ(test, info.cpu_cached, 0);
	KUNIT_EXPECT_EQ(test, free_frames(fix->r), f0);
	expect_consistent(test);
}

/* A cache whose objects all wait in arrays has none in use: destroy works. */
static void slab_cpu_destroy_test(struct kunit *test)
{
	struct contig_cache *c;
	void *p;

	c = contig_cache_create("kunit-cpu-destroy", 128, 0, 0, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(c));
	if (!info_of(c).cpu_limit) {
		contig_cache_destroy(c);
		kunit_skip(test, "debug caches have no per-CPU arrays (slab_debug=1)");
	}
	p = contig_cache_alloc(c, GFP_KERNEL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(p));
	contig_cache_free(c, p);
	KUNIT_EXPECT_GT(test, info_of(c).cpu_cached, 0);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 0);
	KUNIT_EXPECT_EQ(test, contig_cache_destroy(c), 0);
	expect_consistent(test);
}

struct cpu_fill {
	struct contig_cache *cache;
	unsigned int n;
};

/* On the CPU under test: allocate @n objects, then free them all. */
static long cpu_fill_fn(void *data)
{
	struct cpu_fill *cf = data;
	void *objs[8];
	unsigned int i, got;

	for (got = 0; got < cf->n && got < ARRAY_SIZE(objs); got++) {
		objs[got] = contig_cache_alloc(cf->cache, GFP_KERNEL, NULL);
		if (IS_ERR(objs[got]))
			break;
	}
	for (i = 0; i < got; i++)
		contig_cache_free(cf->cache, objs[i]);
	return got;
}

static void cpu_online_again(void *data)
{
	int ret = add_cpu((unsigned long)data);
	struct kunit *test = kunit_get_current_test();

	if (test)
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "bringing CPU %lu back",
				    (unsigned long)data);
}

/*
 * A CPU going offline leaves no object behind in its arrays: the hotplug
 * callback gives them back to the slabs (needs two CPUs and
 * CONFIG_HOTPLUG_CPU).
 */
static void slab_cpu_hotplug_test(struct kunit *test)
{
	struct cpu_fill cf = { .n = 8 };
	struct contig_cache_info info;
	unsigned int cpu;
	long got;
	int ret;

	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || num_online_cpus() < 2)
		kunit_skip(test, "needs CONFIG_HOTPLUG_CPU and two online CPUs");
	cf.cache = fix_cache(test, "kunit-cpu-hotplug", 64, 0, 0, 0, NULL);
	if (!info_of(cf.cache).cpu_limit)
		kunit_skip(test, "debug caches have no per-CPU arrays (slab_debug=1)");
	cpu = cpumask_last(cpu_online_mask);
	KUNIT_ASSERT_NE(test, cpu, 0);
	got = work_on_cpu(cpu, cpu_fill_fn, &cf);
	KUNIT_ASSERT_EQ(test, got, cf.n);
	/* The precondition: objects wait in that CPU's array. */
	KUNIT_ASSERT_GE(test, contig_cache_cpu_cached(cf.cache, cpu), cf.n);

	ret = remove_cpu(cpu);
	if (ret)
		kunit_skip(test, "CPU %u cannot go offline: %d", cpu, ret);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, cpu_online_again,
							(void *)(unsigned long)cpu),
			0);
	KUNIT_EXPECT_EQ(test, contig_cache_cpu_cached(cf.cache, cpu), 0);
	info = info_of(cf.cache);
	KUNIT_EXPECT_EQ(test, info.cpu_cached,
			contig_cache_cpu_cached(cf.cache,
						cpumask_first(cpu_online_mask)));
	KUNIT_EXPECT_EQ(test, info.active_objs, 0);
	expect_consistent(test);
}

#define RACE_ROUNDS	100

/* Two threads on two CPUs free the same objects, round by round. */
struct free_race {
	struct contig_cache *cache;
	void *objs[RACE_ROUNDS];
	atomic_t arrived[RACE_ROUNDS];
	int ret[2][RACE_ROUNDS];
	struct completion done[2];
};

struct free_racer {
	struct free_race *race;
	unsigned int id;
};

static int free_racer_fn(void *arg)
{
	struct free_racer *fr = arg;
	struct free_race *race = fr->race;
	unsigned int r;

	for (r = 0; r < RACE_ROUNDS; r++) {
		/* Both arrive, then both free at once. */
		atomic_inc(&race->arrived[r]);
		while (atomic_read(&race->arrived[r]) < 2)
			cpu_relax();
		race->ret[fr->id][r] = contig_cache_free_checked(race->cache,
								 race->objs[r]);
	}
	complete(&race->done[fr->id]);
	return 0;
}

/*
 * A double free on two CPUs at the same moment: exactly one of the two
 * frees succeeds, every round, and the object lands in one CPU's array
 * only (the checker matches arrays against marks).  The frees are also
 * frees on other CPUs than the allocation's.
 */
static void slab_cpu_double_free_race_test(struct kunit *test)
{
	struct free_racer racers[2];
	struct task_struct *t[2];
	struct free_race *race;
	unsigned long wrong0;
	unsigned int i, r, won;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	race = kunit_kzalloc(test, sizeof(*race), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, race);
	race->cache = fix_cache(test, "kunit-cpu-race", 64, 0, 0, 0, NULL);
	if (!info_of(race->cache).cpu_limit)
		kunit_skip(test, "debug caches have no per-CPU arrays (slab_debug=1)");
	for (r = 0; r < RACE_ROUNDS; r++) {
		race->objs[r] = alloc_checked(test, race->cache, GFP_KERNEL);
		atomic_set(&race->arrived[r], 0);
	}
	wrong0 = contig_slab_wrong_frees_count();
	for (i = 0; i < 2; i++) {
		init_completion(&race->done[i]);
		racers[i] = (struct free_racer){ .race = race, .id = i };
		t[i] = kthread_create(free_racer_fn, &racers[i],
				      "contig-race-%u", i);
		if (IS_ERR(t[i])) {
			if (i)
				kthread_stop(t[0]);	/* never woken: no race */
			KUNIT_FAIL_AND_ABORT(test, "kthread_create: %ld",
					     PTR_ERR(t[i]));
		}
		kthread_bind(t[i], cpumask_nth(i, cpu_online_mask));
	}
	for (i = 0; i < 2; i++)
		wake_up_process(t[i]);
	for (i = 0; i < 2; i++)
		wait_for_completion(&race->done[i]);

	for (r = 0, won = 0; r < RACE_ROUNDS; r++) {
		KUNIT_EXPECT_TRUE_MSG(test,
				      (!race->ret[0][r] && race->ret[1][r] == -EINVAL) ||
				      (race->ret[0][r] == -EINVAL && !race->ret[1][r]),
				      "round %u: frees returned %d and %d", r,
				      race->ret[0][r], race->ret[1][r]);
		won += !race->ret[0][r];
	}
	kunit_info(test, "CPU %u won %u of %u rounds", cpumask_nth(0, cpu_online_mask),
		   won, RACE_ROUNDS);
	KUNIT_EXPECT_EQ(test, contig_slab_wrong_frees_count(),
			wrong0 + RACE_ROUNDS);
	KUNIT_EXPECT_EQ(test, info_of(race->cache).active_objs, 0);
	expect_consistent(test);
}

static struct kunit_case slab_cases[] = {
	KUNIT_CASE(slab_create_invalid_test),
	KUNIT_CASE_PARAM(slab_sizes_test, sizes_gen_params),
	KUNIT_CASE_PARAM(slab_align_test, aligns_gen_params),
	KUNIT_CASE_PARAM(slab_boundary_test, boundaries_gen_params),
	KUNIT_CASE(slab_ctor_test),
	KUNIT_CASE(slab_shrink_test),
	KUNIT_CASE(slab_destroy_leak_test),
	KUNIT_CASE(slab_wrong_free_test),
	KUNIT_CASE(slab_debug_overrun_test),
	KUNIT_CASE(slab_debug_uaf_test),
	KUNIT_CASE(slab_kmalloc_test),
	KUNIT_CASE(slab_slabinfo_test),
	KUNIT_CASE(slab_random_stress_test),
	KUNIT_CASE_PARAM(slab_threads_test, hammer_modes_gen_params),
	KUNIT_CASE(slab_ksize_debug_test),
	KUNIT_CASE(slab_cpu_array_test),
	KUNIT_CASE(slab_cpu_destroy_test),
	KUNIT_CASE(slab_cpu_hotplug_test),
	KUNIT_CASE(slab_cpu_double_free_race_test),
	{}
};

static struct kunit_suite slab_suite = {
	.name = "contig_slab",
	.init = slab_init,
	.test_cases = slab_cases,
};

kunit_test_suite(slab_suite);

MODULE_DESCRIPTION("KUnit tests of contig's object caches and contig_kmalloc()");
MODULE_LICENSE("GPL");
