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

#include "ktap.h"

static const char *ko;
static int kmsg_fd = -1;
static char kmsg_buf[16384];

static void kmsg_mark(void)
{
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	lseek(kmsg_fd, 0, SEEK_END);
}

/* Kernel log lines since kmsg_mark(), message text only, one per line. */
static const char *kmsg_since(void)
{
	size_t used = 0;
	char rec[2048];
	ssize_t n;

	kmsg_buf[0] = '\0';
	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0) {
		char *msg, *nl;

		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			nl[1] = '\0';
		if (used + strlen(msg) + 1 < sizeof(kmsg_buf)) {
			strcpy(kmsg_buf + used, msg);
			used += strlen(msg);
		}
	}
	return kmsg_buf;
}

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

/*
 * A reservation of whole memory sections: contig.ko gives its frames
 * struct pages at load and takes them away at unload, every time.
 */
static void section_region(const char *arg, const char *iomem_before)
{
	unsigned long long size, base, pages;
	char params[128], want[128];
	int i, err, fails = 0;
	const char *p;

	if (sscanf(arg, "%lliM@%lli", &size, &base) != 2) {
		ktap_print("bad section region %s", arg);
		exit(2);
	}
	pages = (size << 20) / 4096;
	snprintf(params, sizeof(params), "region=%s", arg);
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
	ktap_check(fails == 0 && !strcmp(read_file("/proc/iomem"), iomem_before),
		   "10 load/unload cycles of %s, %d failures, /proc/iomem as before",
		   arg, fails);
}

int main(int argc, char **argv)
{
	char good[128], straddle[128], params[256];
	unsigned long long size, base;
	int cycles = argc > 3 ? atoi(argv[3]) : 100;
	char *iomem_before, *p;
	int i, err, fails;

	if (argc < 3 || sscanf(argv[2], "%lliM@%lli", &size, &base) != 2) {
		fprintf(stderr, "usage: %s MODULE.ko SIZEM@BASE [CYCLES]\n", argv[0]);
		return 2;
	}
	ko = argv[1];
	snprintf(good, sizeof(good), "region=%s", argv[2]);
	snprintf(straddle, sizeof(straddle), "region=%lluM@%#llx",
		 size + 2, base - (1 << 20));

	const struct bad_case bad[] = {
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
		{ straddle, EBUSY, "overlaps System RAM" },
		{ "region=2M@0x8000000000", EINVAL, "is not a boot reservation" },
		{ "region=2M@0xb0000000", EINVAL, "is not RAM in the firmware's memory map" },
		{ "region=64M@0x30000000 policy=bogus", EINVAL, "policy=bogus refused" },
	};
	const int nbad = sizeof(bad) / sizeof(bad[0]);

	ktap_header(nbad * 2 + 8 + (argc > 4 ? 5 : 0));
	iomem_before = strdup(read_file("/proc/iomem"));

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
				!strcmp(read_file("/proc/iomem"), iomem_before),
				"refusal of \"%s\" logs \"%s\", iomem unchanged",
				bad[i].params, bad[i].dmesg))
			ktap_print("dmesg was: %s", log);
	}

	/* insmod (busybox) exits non-zero and names the error. */
	snprintf(params, sizeof(params), "insmod %s region=64M 2>&1", ko);
	{
		FILE *f = popen(params, "r");
		char out[512] = "";
		int st;

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

	kmsg_mark();
	err = load(good);
	ktap_check(err == 0, "load with %s (%s)", good, err ? strerror(err) : "ok");
	ktap_check(strstr(kmsg_since(), "contig: managing") != NULL,
		   "load logs what it manages");
	snprintf(params, sizeof(params), "%llx-%llx : contig", base,
		 base + (size << 20) - 1);
	p = read_file("/proc/iomem");
	ktap_check(strstr(p, params) != NULL, "/proc/iomem shows \"%s\"", params);
	p = read_file("/sys/kernel/debug/contig/region");
	snprintf(params, sizeof(params), "pages:    %llu\n", (size << 20) / 4096);
	ktap_check(strstr(p, params) != NULL, "debugfs region reports %s", params);
	ktap_check(load(good) == EEXIST, "a second load is refused");
	ktap_check(unload() == 0, "unload");

	fails = 0;
	for (i = 0; i < cycles; i++) {
		if (load(good) || unload())
			fails++;
	}
	ktap_check(fails == 0 && !strcmp(read_file("/proc/iomem"), iomem_before),
		   "%d load/unload cycles, %d failures, /proc/iomem as before",
		   cycles, fails);
	if (argc > 4)
		section_region(argv[4], iomem_before);
	return ktap_finish();
}
