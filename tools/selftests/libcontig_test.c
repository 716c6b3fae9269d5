// SPDX-License-Identifier: GPL-2.0
/*
 * libcontig_test - libcontig (tools/lib/) against the loaded contig.ko.
 *
 * Run as root with contig.ko loaded.  What is checked, each against the
 * kernel's own answer rather than the library's:
 *
 *  - alloc of each kind: the handle's fd, size, kind and id are what INFO
 *    of the fd says; the mapping is the buffer (zeroed, then a pattern
 *    written under begin/end reads back through a second mmap of the fd);
 *    STATS counts the buffer while it lives and not after free;
 *  - NOMAP and RDONLY: no mapping; a read-only fd (fcntl) and mapping;
 *  - CPU access: whole and ranged begin/end succeed, a range past the end
 *    and an empty access are -EINVAL;
 *  - import: a dup of the fd adopted as a second handle sees the same
 *    bytes and id; freeing it leaves the first intact; a non-contig fd is
 *    refused and stays the caller's (still open);
 *  - the extensible structs: contig_stats_sized() at the first version's
 *    size writes nothing past it, and at the full size agrees with it on
 *    the fields they share;
 *  - the dry run: 0 for a size that fits, -ENOMEM past the region, with
 *    the report's result, and no buffer counted either way; a real
 *    request past the region has its report written too;
 *  - errors: size 0 and an unknown kind are -EINVAL and change no STATS
 *    counter; contig_strerror() explains every errno the library
 *    returns, for negative and positive values alike; the JSON of STATS
 *    holds the same numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libcontig.h>

#include "ktap.h"

#define MIB		(1ULL << 20)

static struct contig *c;

static int stats(struct contig_stats_data *st)
{
	return contig_stats(c, st);
}

/* Group "kinds": 5 results per kind. */
#define KIND_CASES	(5 * CONTIG_NR_KINDS)

static void kind_cases(const void *arg)
{
	unsigned int kind;

	for (kind = 0; kind < CONTIG_NR_KINDS; kind++) {
		const char *name = contig_kind_name(kind);
		struct contig_stats_data st0, st1, st2;
		struct contig_info_data in;
		struct contig_buf *b = NULL;
		uint64_t size = 2 * MIB, i, bad = 0;
		uint8_t *p, *q;
		int ret;

		stats(&st0);
		ret = contig_buf_alloc(c, size, 0, kind, 0, &b);
		if (!ktap_check(!ret && b, "%s: alloc of 2 MiB: %d (%s)", name, ret,
				contig_strerror(ret))) {
			ktap_skip_case("%s: handle", name);
			ktap_skip_case("%s: zeroed", name);
			ktap_skip_case("%s: pattern through a second mapping", name);
			ktap_skip_case("%s: STATS", name);
			continue;
		}
		ret = contig_info(c, contig_buf_fd(b), &in, NULL, 0);
		ktap_check(!ret && in.size == contig_buf_size(b) && in.size == size &&
			   in.kind == kind && contig_buf_kind(b) == kind &&
			   in.id == contig_buf_id(b) && contig_buf_id(b),
			   "%s: the handle (size %llu, kind %u, id %llu) is what INFO says (%d: %llu, %u, %llu)",
			   name, (unsigned long long)contig_buf_size(b), contig_buf_kind(b),
			   (unsigned long long)contig_buf_id(b), ret,
			   (unsigned long long)in.size, in.kind, (unsigned long long)in.id);
		p = contig_buf_addr(b);
		contig_cpu_begin(b, CONTIG_ACCESS_READ);
		for (i = 0; p && i < size; i++)
			bad += p[i] != 0;
		contig_cpu_end(b, CONTIG_ACCESS_READ);
		ktap_check(p && !bad, "%s: mapped and zeroed (%llu bytes not zero)", name,
			   (unsigned long long)bad);

		ret = contig_cpu_begin(b, CONTIG_ACCESS_WRITE);
		for (i = 0; p && i < size; i++)
			p[i] = (uint8_t)(i * 7 + kind);
		ret = ret ?: contig_cpu_end(b, CONTIG_ACCESS_WRITE);
		q = mmap(NULL, size, PROT_READ, MAP_SHARED, contig_buf_fd(b), 0);
		bad = q == MAP_FAILED;
		for (i = 0; !bad && i < size; i++)
			bad += q[i] != (uint8_t)(i * 7 + kind);
		if (q != MAP_FAILED)
			munmap(q, size);
		ktap_check(!ret && !bad, "%s: a pattern written under begin/end reads back through a second mmap of the fd (%d, %llu wrong)",
			   name, ret, (unsigned long long)bad);

		stats(&st1);
		contig_buf_free(b);
		stats(&st2);
		ktap_check(st1.kinds[kind].buffers == st0.kinds[kind].buffers + 1 &&
			   st1.kinds[kind].bytes >= st0.kinds[kind].bytes + size &&
			   st2.kinds[kind].buffers == st0.kinds[kind].buffers &&
			   st2.allocs == st0.allocs + 1,
			   "%s: STATS counts it while it lives (%llu -> %llu -> %llu buffers), allocs +1",
			   name, (unsigned long long)st0.kinds[kind].buffers,
			   (unsigned long long)st1.kinds[kind].buffers,
			   (unsigned long long)st2.kinds[kind].buffers);
	}
}

/* Group "flags": 2 results. */
#define FLAG_CASES	2

static void flag_cases(const void *arg)
{
	struct contig_buf *b;
	int ret, fl;

	ret = contig_buf_alloc(c, MIB, 0, CONTIG_KIND_SG, CONTIG_BUF_NOMAP, &b);
	ktap_check(!ret && !contig_buf_addr(b) && contig_buf_fd(b) >= 0,
		   "NOMAP: a buffer without a mapping (%d)", ret);
	if (!ret)
		contig_buf_free(b);
	ret = contig_buf_alloc(c, MIB, 0, CONTIG_KIND_SG, CONTIG_BUF_RDONLY, &b);
	fl = ret ? -1 : fcntl(contig_buf_fd(b), F_GETFL);
	ktap_check(!ret && contig_buf_addr(b) && (fl & O_ACCMODE) == O_RDONLY &&
		   ((volatile uint8_t *)contig_buf_addr(b))[0] == 0 &&
		   (fcntl(contig_buf_fd(b), F_GETFD) & FD_CLOEXEC),
		   "RDONLY: an O_RDONLY, close-on-exec fd, mapped for reading (%d, flags %#x)",
		   ret, fl);
	if (!ret)
		contig_buf_free(b);
}

/* Group "sync": 4 results. */
#define SYNC_CASES	4

static void sync_cases(const void *arg)
{
	struct contig_buf *b;
	int ret;

	ret = contig_buf_alloc(c, MIB, 0, CONTIG_KIND_CONTIGUOUS, 0, &b);
	if (ret) {
		ktap_print("alloc: %s", contig_strerror(ret));
		ktap_fail_rest("no buffer");
		return;
	}
	ktap_check(!contig_cpu_begin(b, CONTIG_ACCESS_READ | CONTIG_ACCESS_WRITE) &&
		   !contig_cpu_end(b, CONTIG_ACCESS_READ | CONTIG_ACCESS_WRITE),
		   "begin/end of the whole buffer, read and write");
	ktap_check(!contig_cpu_begin_range(b, 4096, 8192, CONTIG_ACCESS_WRITE) &&
		   !contig_cpu_end_range(b, 4096, 8192, CONTIG_ACCESS_WRITE),
		   "begin/end of a range");
	ret = contig_cpu_begin_range(b, MIB - 4096, 8192, CONTIG_ACCESS_READ);
	ktap_check(ret == -EINVAL, "a range past the end is -EINVAL (%d)", ret);
	ret = contig_cpu_begin(b, 0);
	ktap_check(ret == -EINVAL && contig_cpu_end_range(b, 0, 4096, 0) == -EINVAL,
		   "an access of neither read nor write is -EINVAL (%d)", ret);
	contig_buf_free(b);
}

/* Group "import": 3 results. */
#define IMPORT_CASES	3

static void import_cases(const void *arg)
{
	struct contig_buf *a, *b = NULL;
	int ret, fd, pipefd[2];
	uint8_t *pa;

	ret = contig_buf_alloc(c, MIB, 0, CONTIG_KIND_SG, 0, &a);
	if (ret) {
		ktap_print("alloc: %s", contig_strerror(ret));
		ktap_fail_rest("no buffer");
		return;
	}
	pa = contig_buf_addr(a);
	memset(pa, 0x5c, MIB);
	fd = dup(contig_buf_fd(a));
	ret = contig_buf_import(c, fd, 0, &b);
	ktap_check(!ret && contig_buf_id(b) == contig_buf_id(a) &&
		   contig_buf_size(b) == MIB && contig_buf_fd(b) == fd &&
		   ((uint8_t *)contig_buf_addr(b))[MIB - 1] == 0x5c,
		   "a dup of the fd adopts as the same buffer (id %llu), the same bytes (%d)",
		   (unsigned long long)contig_buf_id(a), ret);
	if (!ret)
		contig_buf_free(b);
	ktap_check(fcntl(fd, F_GETFD) < 0 && pa[0] == 0x5c && pa[MIB - 1] == 0x5c &&
		   fcntl(contig_buf_fd(a), F_GETFD) >= 0,
		   "freeing the adopted handle closes its fd and leaves the first intact");
	contig_buf_free(a);

	if (pipe(pipefd)) {
		ktap_check(0, "pipe: %s", strerror(errno));
		return;
	}
	ret = contig_buf_import(c, pipefd[0], 0, &b);
	ktap_check(ret < 0 && fcntl(pipefd[0], F_GETFD) >= 0,
		   "a pipe is refused (%d: %s) and stays the caller's", ret,
		   contig_strerror(ret));
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Group "structs": 2 results. */
#define STRUCT_CASES	2

static void struct_cases(const void *arg)
{
	/* Room for a newer, longer struct, to see what is written. */
	union {
		struct contig_stats_data st;
		uint8_t bytes[sizeof(struct contig_stats_data) + 64];
	} u;
	struct contig_stats_data full;
	unsigned int i, touched = 0;
	int ret;

	memset(&u, 0xee, sizeof(u));
	ret = contig_stats_sized(c, &u.st, CONTIG_STATS_SIZE_VER0);
	for (i = CONTIG_STATS_SIZE_VER0; i < sizeof(u); i++)
		touched += u.bytes[i] != 0xee;
	ktap_check(!ret && !touched && u.st.region_size,
		   "STATS at the first version's size (%u bytes): an older program's struct, nothing written past it (%u bytes touched, %d)",
		   CONTIG_STATS_SIZE_VER0, touched, ret);
	ret = contig_stats(c, &full);
	ktap_check(!ret && full.region_size == u.st.region_size &&
		   full.nr_kinds == u.st.nr_kinds,
		   "STATS at the full size agrees on the shared fields (region %llu)",
		   (unsigned long long)full.region_size);
}

/* Group "dry run": 3 results. */
#define DRY_CASES	3

static void dry_cases(const void *arg)
{
	struct contig_buf *b = NULL;
	struct contig_alloc_report rep;
	struct contig_stats_data st0, st1;
	int ret, ret2;

	stats(&st0);
	memset(&rep, 0xff, sizeof(rep));
	ret = contig_dry_run(c, MIB, 0, &rep);
	ktap_check(!ret && !rep.result, "a 1 MiB dry run would succeed (%d, report %d)",
		   ret, rep.result);
	memset(&rep, 0xff, sizeof(rep));
	ret2 = contig_dry_run(c, st0.region_size * 2, 0, &rep);
	stats(&st1);
	ktap_check(ret2 == -ENOMEM && rep.result == -ENOMEM &&
		   st1.allocs == st0.allocs && st1.frees == st0.frees &&
		   st1.free == st0.free,
		   "twice the region is -ENOMEM in the report too (%d, %d), nothing allocated",
		   ret2, rep.result);
	/* The request itself, refused before it looks: the report says so. */
	memset(&rep, 0xff, sizeof(rep));
	ret = contig_buf_alloc_report(c, st0.region_size * 2, 0,
				      CONTIG_KIND_CONTIGUOUS, 0, &rep, &b);
	ktap_check(ret == -ENOMEM && rep.result == -ENOMEM && !rep.nr_windows,
		   "a request of twice the region: -ENOMEM, and its report says so (%d, %d, %u windows)",
		   ret, rep.result, rep.nr_windows);
}

/* Group "errors": 3 results. */
#define ERROR_CASES	3

static void error_cases(const void *arg)
{
	static const int errs[] = {
		ENOENT, EACCES, EPERM, ENOMEM, EBUSY, EDQUOT, EINVAL, E2BIG,
		EOPNOTSUPP, EBADF, ENOTTY, EMFILE, EOVERFLOW, EFAULT,
	};
	struct contig_stats_data st0, st1;
	struct contig_buf *b = NULL;
	unsigned int i, plain = 0;
	char json[2048], want[64];
	int ret0, ret1;
	FILE *f;

	stats(&st0);
	ret0 = contig_buf_alloc(c, 0, 0, CONTIG_KIND_SG, 0, &b);
	ret1 = contig_buf_alloc(c, MIB, 0, CONTIG_NR_KINDS, 0, &b);
	stats(&st1);
	ktap_check(ret0 == -EINVAL && ret1 == -EINVAL && !b &&
		   !memcmp(&st0, &st1, sizeof(st0)),
		   "size 0 and an unknown kind are -EINVAL (%d, %d) and change no STATS counter",
		   ret0, ret1);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		plain += !strcmp(contig_strerror(-errs[i]), strerror(errs[i])) ||
			 strcmp(contig_strerror(-errs[i]), contig_strerror(errs[i]));
	ktap_check(!plain, "contig_strerror() explains each of %zu errnos in contig's terms, -e and e alike (%u plain)",
		   sizeof(errs) / sizeof(errs[0]), plain);
	f = fmemopen(json, sizeof(json), "w");
	if (f) {
		contig_stats_json(&st1, f);
		fclose(f);
	}
	snprintf(want, sizeof(want), "\"region_size\": %llu,",
		 (unsigned long long)st1.region_size);
	ktap_check(f && strstr(json, want) && strstr(json, "\"kinds\": {\"contiguous\""),
		   "contig_stats_json() prints the same numbers (%s)", want);
}

int main(void)
{
	struct ktap_group groups[] = {
		{ "kinds", KIND_CASES, kind_cases, NULL },
		{ "flags", FLAG_CASES, flag_cases, NULL },
		{ "sync", SYNC_CASES, sync_cases, NULL },
		{ "import", IMPORT_CASES, import_cases, NULL },
		{ "structs", STRUCT_CASES, struct_cases, NULL },
		{ "dry run", DRY_CASES, dry_cases, NULL },
		{ "errors", ERROR_CASES, error_cases, NULL },
	};
	const unsigned int ngroups = sizeof(groups) / sizeof(groups[0]);
	int ret;

	ktap_plan(groups, ngroups);
	ret = contig_open(&c);
	if (ret) {
		ktap_print("contig_open: %s", contig_strerror(ret));
		return 1;
	}
	ktap_print("libcontig %s, contig_fd %d", LIBCONTIG_VERSION, contig_fd(c));
	ktap_run(groups, ngroups);
	contig_close(c);
	return ktap_finish();
}
