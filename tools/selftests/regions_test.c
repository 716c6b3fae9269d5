// SPDX-License-Identifier: GPL-2.0
/*
 * regions_test - contig.ko loaded with two regions (region=A,B:NAME), seen
 * from user space through /dev/contig: STATS of each region, ALLOC from
 * the second by id, INFO naming it, every refusal changing nothing, the
 * second region closed to callers without CAP_SYS_ADMIN (after proving
 * that such a caller reaches ALLOC at all), and its debugfs directory.
 *
 *   regions_test SIZE@BASE[:NAME] SIZE@BASE:NAME
 *
 * The two arguments are the region= items the module was loaded with
 * (make check's plan, scripts/lib.sh), or the device tree's contig,region
 * nodes as such items (scripts/check-arm64.sh); the second must be named,
 * the first is "region0" unless named.  Run as root with the module
 * loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uapi/contig.h>

#include "kmsg.h"
#include "ktap.h"

#define DEV	"/dev/contig"
#define DBG	"/sys/kernel/debug/contig/"

struct range {
	unsigned long long size, base;
	char name[16];
};

static struct range reg[2];
static int ctl;

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* The command @cmd with the struct size @size in its number instead. */
static unsigned long sized(unsigned long cmd, size_t size)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
}

static char *read_file(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static unsigned long long parse_num(const char *s, char **end)
{
	unsigned long long v = strtoull(s, end, 0);

	switch (**end) {
	case 'K': case 'k':
		v <<= 10, (*end)++;
		break;
	case 'M': case 'm':
		v <<= 20, (*end)++;
		break;
	case 'G': case 'g':
		v <<= 30, (*end)++;
		break;
	}
	return v;
}

/* SIZE@BASE[:NAME] as region= takes it. */
static int parse_range(const char *s, struct range *r)
{
	char *end;

	r->size = parse_num(s, &end);
	if (*end != '@')
		return -1;
	r->base = parse_num(end + 1, &end);
	if (*end == ':')
		snprintf(r->name, sizeof(r->name), "%s", end + 1);
	else if (*end)
		return -1;
	return 0;
}

/* STATS of region @id; 0 or -errno. */
static int stats(unsigned int id, struct contig_stats_data *st)
{
	memset(st, 0, sizeof(*st));
	st->region = id;
	return xioctl(ctl, CONTIG_IOCTL_STATS, st);
}

/* ALLOC from region @id; the fd or -errno. */
static int alloc_in(unsigned int id, uint64_t size, uint32_t kind,
		    uint32_t flags)
{
	struct contig_alloc_data a = {
		.size = size, .kind = kind, .flags = flags,
		.fd_flags = O_RDWR | O_CLOEXEC, .region = id,
	};
	int ret = xioctl(ctl, CONTIG_IOCTL_ALLOC, &a);

	return ret ? ret : (int)a.fd;
}

/* The books of a region that a refused request must not move. */
static int same_books(const struct contig_stats_data *a,
		      const struct contig_stats_data *b)
{
	return a->free == b->free && a->largest_free == b->largest_free &&
	       a->allocs == b->allocs && a->frees == b->frees &&
	       !memcmp(a->kinds, b->kinds, sizeof(a->kinds));
}

/* ---- STATS -------------------------------------------------------------- */

static void stats_cases(const void *arg)
{
	struct contig_stats_data s0, s1, old;
	int ret;

	ret = stats(0, &s0);
	ktap_check(!ret && s0.nr_regions == 2 && s0.region == 0 &&
		   s0.region_size == reg[0].size && !strcmp(s0.name, reg[0].name),
		   "STATS of region 0: %u regions, %llu bytes, named \"%s\" (%d)",
		   s0.nr_regions, (unsigned long long)s0.region_size, s0.name,
		   ret);
	ret = stats(1, &s1);
	ktap_check(!ret && s1.nr_regions == 2 && s1.region == 1 &&
		   s1.region_size == reg[1].size && !strcmp(s1.name, reg[1].name) &&
		   s1.free == reg[1].size && !s1.lent_bytes && !s1.taken_bytes,
		   "STATS of region 1: \"%s\", %llu bytes, all free, nothing lent (%d)",
		   s1.name, (unsigned long long)s1.region_size, ret);
	kmsg_mark();
	ret = stats(2, &s1);
	ktap_check(ret == -EINVAL && strstr(kmsg_since(), "stats: no region 2 (2 loaded)"),
		   "STATS of region 2 is EINVAL and logged (%d)", ret);
	ret = stats(UINT32_MAX, &s1);
	ktap_check(ret == -EINVAL, "STATS of region 2^32-1 is EINVAL (%d)", ret);
	/* A caller built against VER2 gets region 0, as before. */
	memset(&old, 0, sizeof(old));
	ret = xioctl(ctl, sized(CONTIG_IOCTL_STATS, CONTIG_STATS_SIZE_VER2), &old);
	ktap_check(!ret && old.region_size == reg[0].size && !old.nr_regions,
		   "STATS of CONTIG_STATS_SIZE_VER2 bytes reports region 0 and writes nothing past it (%d)",
		   ret);
}

/* ---- ALLOC and INFO ------------------------------------------------------ */

static void alloc_cases(const void *arg)
{
	struct contig_stats_data a0, a1, b0, b1;
	struct contig_info_data in;
	struct contig_chunk chunk;
	unsigned char *p;
	int fd, ret, ok;
	size_t i;

	stats(0, &a0);
	stats(1, &a1);
	fd = alloc_in(1, 1 << 20, CONTIG_KIND_CONTIGUOUS, 0);
	if (!ktap_check(fd >= 0, "root ALLOCs 1 MiB CONTIGUOUS from region 1 (%d)", fd)) {
		ktap_fail_rest("no buffer");
		return;
	}
	memset(&in, 0, sizeof(in));
	in.fd = fd;
	in.chunks = (uintptr_t)&chunk;
	in.chunks_cap = 1;
	ret = xioctl(ctl, CONTIG_IOCTL_INFO, &in);
	ktap_check(!ret && in.region == 1 && in.nr_chunks == 1 &&
		   chunk.phys >= reg[1].base &&
		   chunk.phys + chunk.size <= reg[1].base + reg[1].size,
		   "INFO: region 1, its one chunk %#llx+%#llx inside it (%d)",
		   (unsigned long long)chunk.phys,
		   (unsigned long long)chunk.size, ret);

	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ok = p != MAP_FAILED;
	for (i = 0; ok && i < (1 << 20); i++)
		ok = !p[i];
	if (p != MAP_FAILED) {
		memset(p, 0x3c, 1 << 20);
		ok = ok && p[(1 << 20) - 1] == 0x3c;
		munmap(p, 1 << 20);
	}
	ktap_check(ok, "its mapping reads zero in every byte and takes writes");

	stats(0, &b0);
	stats(1, &b1);
	ktap_check(b1.free == a1.free - (1 << 20) && b1.allocs == a1.allocs + 1 &&
		   b1.kinds[CONTIG_KIND_CONTIGUOUS].bytes ==
		   a1.kinds[CONTIG_KIND_CONTIGUOUS].bytes + (1 << 20) &&
		   same_books(&a0, &b0),
		   "region 1's books count it, region 0's did not move");

	/* Refusals: nothing moves in either region, each is logged. */
	kmsg_mark();
	ret = alloc_in(1, 1 << 16, CONTIG_KIND_MOVABLE, 0);
	ktap_check(ret == -EINVAL && strstr(kmsg_since(), "has no movable memory"),
		   "MOVABLE from region 1 is EINVAL, logged (%d)", ret);
	ret = alloc_in(2, 1 << 16, CONTIG_KIND_SG, 0);
	ktap_check(ret == -EINVAL && strstr(kmsg_since(), "alloc: no region 2"),
		   "ALLOC from region 2 is EINVAL, logged (%d)", ret);
	ret = alloc_in(1, reg[1].size, CONTIG_KIND_CONTIGUOUS, 0);
	stats(1, &b1);
	ktap_check(ret == -ENOMEM && b1.failed_nomem == a1.failed_nomem + 1,
		   "all of region 1 while 1 MiB is held is ENOMEM, counted in region 1 (%d)",
		   ret);
	ret = alloc_in(1, reg[1].size + (1 << 20), CONTIG_KIND_SG, 0);
	ktap_check(ret == -ENOMEM, "more than region 1 is ENOMEM (%d)", ret);
	ret = alloc_in(1, reg[1].size / 2, CONTIG_KIND_CONTIGUOUS,
		       CONTIG_FLAG_DRY_RUN);
	ktap_check(ret == 0, "a dry run of half of region 1 would succeed (%d)", ret);
	stats(0, &b0);
	stats(1, &b1);
	ktap_check(same_books(&a0, &b0) && b1.free == a1.free - (1 << 20) &&
		   b1.allocs == a1.allocs + 1 &&
		   b0.failed_nomem == a0.failed_nomem,
		   "after the refusals both regions' books are as they were");

	close(fd);
	stats(1, &b1);
	ktap_check(b1.free == a1.free && b1.largest_free == a1.largest_free &&
		   b1.frees == a1.frees + 1,
		   "closed: region 1 is all free again");
}

/* ---- callers without CAP_SYS_ADMIN ---------------------------------------- */

/* In a child as uid/gid 65534: ALLOC from region @id, -errno or 0. */
static int nobody_alloc(unsigned int id)
{
	int status, ret;
	pid_t pid = fork();

	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		    !getuid())
			_exit(255);
		ret = alloc_in(id, 1 << 16, CONTIG_KIND_SG, 0);
		_exit(ret >= 0 ? 0 : -ret);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -255;
	return -WEXITSTATUS(status);
}

static void nobody_cases(const void *arg)
{
	struct contig_stats_data a1, b1;
	int ret;

	ret = nobody_alloc(0);
	ktap_check(ret == 0, "uid 65534 reaches ALLOC: 64 KiB SG from region 0 (%d)",
		   ret);
	stats(1, &a1);
	kmsg_mark();
	ret = nobody_alloc(1);
	stats(1, &b1);
	ktap_check(ret == -EPERM && same_books(&a1, &b1) &&
		   strstr(kmsg_since(), "needs CAP_SYS_ADMIN"),
		   "uid 65534: ALLOC from region 1 is EPERM, logged, nothing moved (%d)",
		   ret);
}

/* ---- debugfs ---------------------------------------------------------------- */

/* Map lines (not comments) showing lent memory: 'L', '_', 'o' or 'l'. */
static int map_lines_lent(const char *p)
{
	int n = 0;

	for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');

		if (*p == '#' || !sp || (nl && sp > nl))
			continue;
		for (; *sp && *sp != '\n'; sp++)
			n += !!strchr("L_ol", *sp);
	}
	return n;
}

static void debugfs_cases(const void *arg)
{
	char path[128], want[64];
	const char *p;

	snprintf(path, sizeof(path), DBG "regions/%s/region", reg[1].name);
	p = read_file(path);
	snprintf(want, sizeof(want), "region:   1 (%s)", reg[1].name);
	ktap_check(strstr(p, want) != NULL, "%s says \"%s\"", path, want);
	snprintf(want, sizeof(want), "base:     0x%016llx", reg[1].base);
	ktap_check(strstr(p, want) != NULL, "and its base, %s", want);
	p = read_file(DBG "region");
	ktap_check(strstr(p, "region:   0 (") && strstr(p, "the default"),
		   DBG "region is region 0's, the default");
	snprintf(path, sizeof(path), DBG "regions/%s/map", reg[1].name);
	p = read_file(path);
	ktap_check(strstr(p, "frames") && map_lines_lent(p) == 0,
		   "%s exists and shows nothing lent", path);
}

/* ---- contigctl, through libcontig -------------------------------------- */

#define CTL	"/usr/sbin/contigctl"

/* Run `CTL @args 2>&1`: its output in @out, its exit status or -1. */
static int run_ctl(const char *args, char *out, size_t len)
{
	char cmd[256];
	size_t n = 0;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), CTL " %s 2>&1", args);
	out[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void contigctl_cases(const void *arg)
{
	char out[4096], args[128], want[128];
	int st;

	if (access(CTL, X_OK)) {
		ktap_fail_rest("no " CTL);
		return;
	}
	st = run_ctl("regions", out, sizeof(out));
	snprintf(want, sizeof(want), "  1 %-16s", reg[1].name);
	snprintf(args, sizeof(args), "  0 %-16s", reg[0].name);
	ktap_check(!st && strstr(out, args) && strstr(out, want),
		   "contigctl regions lists %s and %s (%d)", reg[0].name,
		   reg[1].name, st);
	if (st || !strstr(out, want))
		ktap_print("it printed: %s", out);
	snprintf(args, sizeof(args), "alloc --size 1M --region %s", reg[1].name);
	st = run_ctl(args, out, sizeof(out));
	snprintf(want, sizeof(want), "in region 1 (%s)", reg[1].name);
	ktap_check(!st && strstr(out, want) && strstr(out, "contiguous"),
		   "contigctl %s: served, INFO says \"%s\" (%d)", args, want, st);
	st = run_ctl("stats --region 1 --json", out, sizeof(out));
	snprintf(want, sizeof(want),
		 "\"region\": 1, \"name\": \"%s\", \"nr_regions\": 2",
		 reg[1].name);
	ktap_check(!st && strstr(out, want),
		   "contigctl stats --region 1 --json names it (%d)", st);
	snprintf(args, sizeof(args), "alloc --dry-run --size 1M --region %s",
		 reg[1].name);
	st = run_ctl(args, out, sizeof(out));
	ktap_check(!st && strstr(out, "dry run in region 1: would succeed"),
		   "contigctl %s: would succeed (%d)", args, st);
	snprintf(args, sizeof(args), "alloc --dry-run --size %lluK --region 1",
		 (unsigned long long)(reg[1].size >> 10) * 2);
	st = run_ctl(args, out, sizeof(out));
	ktap_check(st == 1 && strstr(out, "dry run in region 1: Cannot allocate memory"),
		   "contigctl %s: ENOMEM, said (%d)", args, st);
	if (st != 1)
		ktap_print("it printed: %s", out);
	st = run_ctl("alloc --size 1M --region no-such-region", out, sizeof(out));
	ktap_check(st == 1 && strstr(out, "no region of that name"),
		   "contigctl alloc --region no-such-region fails, saying so (%d)",
		   st);
}

int main(int argc, char **argv)
{
	static const struct ktap_group groups[] = {
		{ "stats", 5, stats_cases, NULL },
		{ "alloc", 11, alloc_cases, NULL },
		{ "nobody", 2, nobody_cases, NULL },
		{ "debugfs", 4, debugfs_cases, NULL },
		{ "contigctl", 6, contigctl_cases, NULL },
	};
	const unsigned int n = sizeof(groups) / sizeof(groups[0]);
	const char *why = NULL;
	unsigned int i;

	ktap_plan(groups, n);
	strcpy(reg[0].name, "region0");
	if (argc != 3 || parse_range(argv[1], &reg[0]) ||
	    parse_range(argv[2], &reg[1]) || !reg[1].name[0])
		why = "usage: regions_test SIZE@BASE[:NAME] SIZE@BASE:NAME";
	else if ((ctl = open(DEV, O_RDWR | O_CLOEXEC)) < 0)
		why = "cannot open " DEV;
	if (why) {
		ktap_print("%s", why);
		for (i = 0; i < n; i++) {
			ktap_group = &groups[i];
			ktap_group_end = ktap_num + groups[i].results;
			ktap_fail_rest(why);
		}
		return ktap_finish();
	}
	ktap_run(groups, n);
	close(ctl);
	return ktap_finish();
}
