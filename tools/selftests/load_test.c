// SPDX-License-Identifier: GPL-2.0
/*
 * load_test - contig.ko accepts a good region, refuses every bad one with
 * the right errno and a dmesg line, and survives load/unload cycles
 * without changing /proc/iomem.
 *
 * Usage: load_test MODULE.ko SIZE@BASE [CYCLES [SIZE@BASE]]
 * The optional second region is a boot reservation covering whole memory
 * sections, which has no struct pages until contig.ko adds them with
 * memremap_pages(); it must load, report that, and unload cleanly too.
 * Must run as root with the module not loaded.  Prints KTAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmsg.h"
#include "ktap.h"

static const char *ko;

static int load(const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		ktap_print("cannot open %s: %s", ko, strerror(errno));
		exit(ktap_finish() | 1);
	}
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? errno : 0;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "contig", O_NONBLOCK) ? errno : 0;
}

static char *read_file(const char *path)
{
	static char bufs[4][65536];
	static int which;
	char *buf = bufs[which++ % 4];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(bufs[0]) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

struct bad_case {
	const char *params;
	int err;
	const char *dmesg;	/* substring the refusal must log */
};

/* What the groups share, set up by main(). */
static struct {
	const char *region;		/* SIZE@BASE */
	unsigned long long size, base;	/* of @region, size in MiB */
	char good[128];			/* region=@region */
	char straddle[128];		/* @region and 1 MiB of RAM either side */
	int cycles;
	const char *section;		/* whole-section SIZE@BASE, or NULL */
	char *iomem_before;
} t;

static const struct bad_case *bad_cases(unsigned int *n)
{
	static struct bad_case bad[] = {
		{ "", EINVAL, "region= is required" },
		{ "region=", EINVAL, "region= is required" },
		{ "region=garbage", EINVAL, "expected SIZE@BASE" },
		{ "region=64M", EINVAL, "expected SIZE@BASE" },
		{ "region=64M@", EINVAL, "expected SIZE@BASE" },
		{ "region=64MB@0x30000000", EINVAL, "expected SIZE@BASE" },
		{ "region=0@0x30000000", EINVAL, "size is zero" },
		{ "region=64M@0x30000800", EINVAL, "multiples of the page size" },
		{ "region=1000@0x30000000", EINVAL, "multiples of the page size" },
		{ "region=99999999999999999999@0", EOVERFLOW, "number too large" },
		{ "region=4G@0xffffffff00000000", EOVERFLOW, "wraps around" },
		{ "region=4K@0x10000000000000", ERANGE, "beyond the physical address space" },
		{ "region=4M@0x1000000", EBUSY, "overlaps System RAM" },
		{ NULL /* t.straddle */, EBUSY, "overlaps System RAM" },
		{ "region=2M@0x8000000000", EINVAL, "is not a boot reservation" },
		{ "region=2M@0xb0000000", EINVAL, "is not RAM in the firmware's memory map" },
		{ "region=64M@0x30000000 policy=bogus", EINVAL, "policy=bogus refused" },
		/*
		 * Lists: every region loads or none does, and the first,
		 * claimed before a later one fails, is given back.
		 */
		{ "region=64M@0x30000000,64M@0x30000000", EBUSY, "already claimed" },
		{ "region=64M@0x30000000,32M@0x32000000:half", EBUSY,
		  "region 1 (half) not loaded" },
		{ "region=64M@0x30000000,4M@0x1000000", EBUSY, "overlaps System RAM" },
		{ "region=64M@0x30000000,2M@0x8000000000:far", EINVAL,
		  "region 1 (far) not loaded" },
		{ "region=64M@0x30000000:a,16M@0x38000000:a", EINVAL,
		  "two regions of one name" },
		{ "region=64M@0x30000000,", EINVAL, "empty item" },
		{ "region=64M@0x30000000:bad/name", EINVAL, "letters, digits" },
		{ "region=64M@0x30000000:0123456789abcdef", EINVAL, "1 to 15 characters" },
		{ "region=1M@0x30000000,1M@0x30100000,1M@0x30200000,1M@0x30300000,"
		  "1M@0x30400000,1M@0x30500000,1M@0x30600000,1M@0x30700000,"
		  "1M@0x30800000", EINVAL, "at most 8 regions" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!bad[i].params)
			bad[i].params = t.straddle;
	*n = sizeof(bad) / sizeof(bad[0]);
	return bad;
}

/* Each refusal: its errno, its dmesg line, /proc/iomem unchanged. */
static void refusals(const void *arg)
{
	unsigned int nbad, i;
	const struct bad_case *bad = bad_cases(&nbad);
	int err;

	for (i = 0; i < nbad; i++) {
		const char *log;

		kmsg_mark();
		err = load(bad[i].params);
		log = kmsg_since();
		if (!err)
			unload();
		ktap_check(err == bad[i].err, "refuse \"%s\" with %s (got %s)",
			   bad[i].params, strerrorname_np(bad[i].err),
			   err ? strerrorname_np(err) : "success");
		if (!ktap_check(strstr(log, bad[i].dmesg) &&
				!strcmp(read_file("/proc/iomem"), t.iomem_before),
				"refusal of \"%s\" logs \"%s\", iomem unchanged",
				bad[i].params, bad[i].dmesg))
			ktap_print("dmesg was: %s", log);
	}
}

/* insmod (busybox) exits non-zero and names the error. */
static void insmod_refusal(const void *arg)
{
	char cmd[256], out[512] = "";
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "insmod %s region=64M 2>&1", ko);
	f = popen(cmd, "r");
	if (f) {
		size_t n = fread(out, 1, sizeof(out) - 1, f);

		out[n] = '\0';
		st = pclose(f);
	} else {
		st = -1;
	}
	ktap_check(st != 0 && strstr(out, "Invalid argument"),
		   "insmod region=64M exits non-zero saying Invalid argument (%s)",
		   out);
}

/* The good region: load, what it shows, a second load, unload. */
static void good_region(const void *arg)
{
	char want[256];
	const char *p;
	int err;

	kmsg_mark();
	err = load(t.good);
	ktap_check(err == 0, "load with %s (%s)", t.good, err ? strerror(err) : "ok");
	ktap_check(strstr(kmsg_since(), "contig: managing") != NULL,
		   "load logs what it manages");
	snprintf(want, sizeof(want), "%llx-%llx : contig", t.base,
		 t.base + (t.size << 20) - 1);
	p = read_file("/proc/iomem");
	ktap_check(strstr(p, want) != NULL, "/proc/iomem shows \"%s\"", want);
	p = read_file("/sys/kernel/debug/contig/region");
	snprintf(want, sizeof(want), "pages:    %llu\n", (t.size << 20) / 4096);
	ktap_check(strstr(p, want) != NULL, "debugfs region reports %s", want);
	ktap_check(load(t.good) == EEXIST, "a second load is refused");
	ktap_check(unload() == 0, "unload");
}

static void cycles(const void *arg)
{
	int i, fails = 0;

	for (i = 0; i < t.cycles; i++) {
		if (load(t.good) || unload())
			fails++;
	}
	ktap_check(fails == 0 && !strcmp(read_file("/proc/iomem"), t.iomem_before),
		   "%d load/unload cycles, %d failures, /proc/iomem as before",
		   t.cycles, fails);
}

/*
 * A reservation of whole memory sections: contig.ko gives its frames
 * struct pages at load and takes them away at unload, every time.
 */
static void section_region(const void *arg)
{
	unsigned long long size, base, pages;
	char params[128], want[128];
	int i, err, fails = 0;
	const char *p;

	if (sscanf(t.section, "%lliM@%lli", &size, &base) != 2) {
		ktap_fail_rest("bad section region argument");
		return;
	}
	pages = (size << 20) / 4096;
	/* lend=0: the section claimed with struct pages of contig's own. */
	snprintf(params, sizeof(params), "region=%s lend=0", t.section);
	kmsg_mark();
	err = load(params);
	if (!ktap_check(err == 0, "load with %s, a reservation of whole sections (%s)",
			params, err ? strerror(err) : "ok"))
		ktap_print("dmesg was: %s", kmsg_since());
	snprintf(want, sizeof(want), "%llx-%llx : contig", base,
		 base + (size << 20) - 1);
	ktap_check(strstr(read_file("/proc/iomem"), want) != NULL,
		   "/proc/iomem shows \"%s\"", want);
	p = read_file("/sys/kernel/debug/contig/region");
	snprintf(want, sizeof(want), "struct pages: 0 from boot, %llu from memremap_pages()",
		 pages);
	if (!ktap_check(strstr(p, want) != NULL, "debugfs region reports \"%s\"", want))
		ktap_print("debugfs region was: %s", p);
	ktap_check(unload() == 0, "unload gives the struct pages back");
	for (i = 0; i < 10; i++) {
		if (load(params) || unload())
			fails++;
	}
	ktap_check(fails == 0 && !strcmp(read_file("/proc/iomem"), t.iomem_before),
		   "10 load/unload cycles of %s, %d failures, /proc/iomem as before",
		   t.section, fails);
}

int main(int argc, char **argv)
{
	unsigned int nbad;
	struct ktap_group groups[] = {
		{ "refusals", 0 /* below */, refusals, NULL },
		{ "insmod", 1, insmod_refusal, NULL },
		{ "good region", 6, good_region, NULL },
		{ "load/unload cycles", 1, cycles, NULL },
		{ "whole-section region", 5, section_region, NULL },
	};
	unsigned int ngroups = sizeof(groups) / sizeof(groups[0]);

	if (argc < 3 || sscanf(argv[2], "%lliM@%lli", &t.size, &t.base) != 2) {
		fprintf(stderr, "usage: %s MODULE.ko SIZEM@BASE [CYCLES [SIZEM@BASE]]\n",
			argv[0]);
		return 2;
	}
	ko = argv[1];
	t.region = argv[2];
	t.cycles = argc > 3 ? atoi(argv[3]) : 100;
	t.section = argc > 4 ? argv[4] : NULL;
	snprintf(t.good, sizeof(t.good), "region=%s", t.region);
	snprintf(t.straddle, sizeof(t.straddle), "region=%lluM@%#llx",
		 t.size + 2, t.base - (1 << 20));
	bad_cases(&nbad);
	groups[0].results = 2 * nbad;	/* two checks per refusal */
	if (!t.section)
		ngroups--;		/* the last group needs the section */

	ktap_plan(groups, ngroups);
	t.iomem_before = strdup(read_file("/proc/iomem"));
	ktap_run(groups, ngroups);
	return ktap_finish();
}
