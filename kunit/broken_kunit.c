// SPDX-License-Identifier: GPL-2.0
/*
 * broken_kunit.c - KUnit suite contig_broken: deliberately broken tests.
 *
 * Built only for `make check-harness` (CONTIG_BROKEN_TESTS=1), never in
 * the default run.  The harness must report both the failing case and the
 * kernel WARN raised by a case that itself passes.
 */
#include <kunit/test.h>
#include <linux/bug.h>

static void broken_fails(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 1 + 1, 3, "deliberately failing case");
}

static void broken_warns(struct kunit *test)
{
	WARN(1, "contig_broken: deliberate warning from a passing case\n");
	KUNIT_EXPECT_TRUE(test, true);
}

static struct kunit_case broken_cases[] = {
	KUNIT_CASE(broken_fails),
	KUNIT_CASE(broken_warns),
	{}
};

static struct kunit_suite broken_suite = {
	.name = "contig_broken",
	.test_cases = broken_cases,
};

kunit_test_suite(broken_suite);

MODULE_DESCRIPTION("Deliberately failing tests for contig's test harness");
MODULE_LICENSE("GPL");
