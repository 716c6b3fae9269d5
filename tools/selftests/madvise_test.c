// SPDX-License-Identifier: GPL-2.0
/*
 * madvise_test - every madvise() advice on every kind of mapping.
 *
 * Usage: madvise_test   (root, contig.ko loaded; prints KTAP)
 *
 * For each kind (CONTIGUOUS, SG, MOVABLE, and the first two
 * write-combined), a buffer is filled through a reference mapping; then
 * for every advice value 0..99 (100, MADV_HWPOISON, injects a real memory
 * error into the frame: root's own tool, left out), a fresh mapping of it
 * gets the advice, and whatever madvise() answers, the mapping must still
 * read the buffer's bytes (no SIGBUS, no zeroes, no copy), a child forked
 * after an accepted advice must read them too (unless MADV_DONTFORK kept
 * the mapping from it), and a write through the mapping must land in the
 * buffer (the reference mapping sees it).  MADV_DONTNEED, the advice that
 * once left struct-page mappings with nothing behind their entries, is
 * also checked by name, followed by the advices that walk the page tables
 * again (MADV_POPULATE_READ/WRITE, MADV_PAGEOUT).  Then uid 65534 makes
 * the same sweep over 0..100, on the fd root allocated, as a user the node
 * is opened to would.  STATS must be back where it started at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libcontig.h>

#include "ktap.h"

#define PG		4096UL
#define DEV		"/dev/contig"
#define NPAGES		17		/* SG: more than one chunk */
#define LEN		(NPAGES * PG)
#define ADV_HWPOISON	100
#define ADV_DONTNEED	4
#define ADV_DONTFORK	10
#define ADV_POP_READ	22
#define ADV_POP_WRITE	23
#define ADV_PAGEOUT	21

static struct contig *c;
static int pfn_mode;

static struct contig_stats_data stats(void)
{
	struct contig_stats_data st;
	int ret = contig_stats(c, &st);

	if (ret)
		ktap_print("STATS failed: %s", contig_strerror(ret));
	return st;
}

static uint8_t pat(size_t i, unsigned int seed)
{
	return (uint8_t)(i * 13 + seed * 7 + (i >> 12));
}

/* ---- touching memory that may fault --------------------------------------- */

static sigjmp_buf fault_jb;
static volatile sig_atomic_t fault_armed;

static void on_fault(int sig)
{
	if (fault_armed)
		siglongjmp(fault_jb, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Read [@p, @p + LEN) (or write it, with @write) against the pattern of
 * @seed: 0 when every byte matches, -1 for a wrong byte, or the signal the
 * access raised.
 */
static int touch(volatile uint8_t *p, unsigned int seed, int write)
{
	size_t i;
	int sig;

	sig = sigsetjmp(fault_jb, 1);
	if (sig) {
		fault_armed = 0;
		return sig;
	}
	fault_armed = 1;
	for (i = 0; i < LEN; i++) {
		if (write) {
			p[i] = pat(i, seed);
		} else if (p[i] != pat(i, seed)) {
			fault_armed = 0;
			return -1;
		}
	}
	fault_armed = 0;
	return 0;
}

static const char *what(int r)
{
	return !r ? "intact" : r < 0 ? "wrong bytes" : strsignal(r);
}

/* ---- the sweep ---------------------------------------------------------- */

/* Failures of one sweep, by where they were seen. */
struct sweep {
	unsigned int accepted;		/* advices madvise() returned 0 for */
	unsigned int bad_parent;	/* the advised mapping lost the data */
	unsigned int bad_write;		/* a write did not reach the buffer */
	unsigned int bad_child;		/* a forked child did not see it */
};

/*
 * Give advice @adv to a fresh mapping of @fd and check it: the data of
 * @seed is read through it (and by a child forked after the advice), and
 * the pattern of @seed + 1 written through it is seen through @ref.
 */
static void advise_one(int fd, volatile uint8_t *ref, int adv,
		       unsigned int seed, struct sweep *s)
{
	uint8_t *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int ret, r, status;
	pid_t pid;

	if (p == MAP_FAILED) {
		ktap_print("advice %d: mmap: %s", adv, strerror(errno));
		s->bad_parent++;
		return;
	}
	ret = madvise(p, LEN, adv) ? errno : 0;
	if (!ret)
		s->accepted++;
	/* A refused advice changed nothing a fork could show. */
	pid = ret ? 0 : fork();
	if (!ret && !pid)
		_exit(adv == ADV_DONTFORK ? 0 : touch(p, seed, 0) & 0x7f);
	if (!ret && (pid < 0 || waitpid(pid, &status, 0) != pid ||
		     !WIFEXITED(status) || WEXITSTATUS(status))) {
		ktap_print("advice %d (%s): a child forked after it: %s", adv,
			   ret ? strerror(ret) : "accepted",
			   pid > 0 && WIFEXITED(status) ?
			   what(WEXITSTATUS(status) == 0x7f ? -1 :
				WEXITSTATUS(status)) : "died");
		s->bad_child++;
	}
	r = touch(p, seed, 0);
	if (r) {
		ktap_print("advice %d (%s): the mapping reads: %s", adv,
			   ret ? strerror(ret) : "accepted", what(r));
		s->bad_parent++;
	}
	r = touch(p, seed + 1, 1);
	r = r ? r : touch(ref, seed + 1, 0);
	if (r) {
		ktap_print("advice %d (%s): a write through the mapping: %s in the buffer",
			   adv, ret ? strerror(ret) : "accepted", what(r));
		s->bad_write++;
		touch(ref, seed + 1, 1);	/* go on from a known state */
	}
	munmap(p, LEN);
}

/*
 * Advices @from..@to, the pattern of @seed in the buffer at the start.
 * Return: the seed of the pattern in the buffer at the end.
 */
static unsigned int sweep(int fd, volatile uint8_t *ref, int from, int to,
			  unsigned int seed, struct sweep *s)
{
	int adv;

	memset(s, 0, sizeof(*s));
	for (adv = from; adv <= to; adv++)
		advise_one(fd, ref, adv, seed++, s);
	return seed;
}

static struct sweep *shared;
static volatile uint8_t *nobody_ref;
static unsigned int nobody_seed;
static int nobody_fd;

static int nobody_sweep(void)
{
	sweep(nobody_fd, nobody_ref, 0, ADV_HWPOISON, nobody_seed, shared);
	return 0;
}

static int as_nobody(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		    !getuid())
			_exit(255);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 255;
	return WEXITSTATUS(status);
}

/* ---- every kind ------------------------------------------------------------ */

#define KIND_CASES 5

struct kind {
	const char *name;
	uint32_t kind, flags;
};

static const struct kind kinds[] = {
	{ "contiguous", CONTIG_KIND_CONTIGUOUS, 0 },
	{ "sg", CONTIG_KIND_SG, 0 },
	{ "movable", CONTIG_KIND_MOVABLE, 0 },
	{ "contiguous-wc", CONTIG_KIND_CONTIGUOUS, CONTIG_FLAG_WC },
	{ "sg-wc", CONTIG_KIND_SG, CONTIG_FLAG_WC },
};

static void kind_cases(const void *arg)
{
	const struct kind *k = arg;
	struct contig_buf *b = NULL;
	uint8_t *ref, *p;
	struct sweep s;
	int ret, r, i, fd;

	/* libcontig maps it MAP_SHARED, read-write: the mapping under test. */
	ret = contig_buf_alloc(c, LEN, 0, k->kind, k->flags, &b);
	if (ret && ret == -EOPNOTSUPP && (k->flags & CONTIG_FLAG_WC) && pfn_mode) {
		ktap_skip_rest("write-combining needs struct-page mappings (PFN mode)");
		return;
	}
	if (!ktap_check(!ret, "%s: %u pages allocated and mapped (%s)",
			k->name, (unsigned int)NPAGES, ret ? contig_strerror(ret) : "ok")) {
		ktap_fail_rest("no buffer");
		return;
	}
	ref = contig_buf_addr(b);
	fd = contig_buf_fd(b);
	touch(ref, 1, 1);

	/* MADV_DONTNEED by name, then what walks the page tables again. */
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ret = p == MAP_FAILED ? -1 : madvise(p, LEN, ADV_DONTNEED) ? errno : 0;
	r = ret < 0 ? -1 : touch(p, 1, 0);
	for (i = 0; !r && i < 3; i++) {
		static const int again[] = { ADV_POP_READ, ADV_POP_WRITE, ADV_PAGEOUT };

		madvise(p, LEN, again[i]);	/* refused or not, read again */
		r = touch(p, 1, 0);
	}
	ktap_check(!r, "%s: MADV_DONTNEED (%s), then POPULATE_READ, POPULATE_WRITE, PAGEOUT: the mapping reads the buffer (%s)",
		   k->name, ret > 0 ? strerror(ret) : ret ? "no mapping" : "accepted",
		   what(r));
	if (p != MAP_FAILED)
		munmap(p, LEN);

	nobody_seed = sweep(fd, ref, 0, ADV_HWPOISON - 1, 1, &s);
	ktap_print("%s: %u of %d advices accepted", k->name, s.accepted, ADV_HWPOISON);
	ktap_check(!s.bad_parent && !s.bad_write,
		   "%s: every advice 0..99 is refused or leaves the mapping reading and writing the buffer (%u, %u bad)",
		   k->name, s.bad_parent, s.bad_write);
	ktap_check(!s.bad_child, "%s: after every accepted advice a forked child reads the buffer (%u bad)",
		   k->name, s.bad_child);

	nobody_fd = fd;
	nobody_ref = ref;
	memset(shared, 0xff, sizeof(*shared));
	r = as_nobody(nobody_sweep);
	ktap_check(!r && !shared->bad_parent && !shared->bad_write && !shared->bad_child,
		   "%s: uid 65534, every advice 0..100: likewise (%d, %u accepted, %u, %u, %u bad)",
		   k->name, r, shared->accepted, shared->bad_parent,
		   shared->bad_write, shared->bad_child);
	contig_buf_free(b);
}

static struct contig_stats_data start_stats;

static void end_case(const void *arg)
{
	struct contig_stats_data st;
	int i, ok = 0;

	for (i = 0; i < 150 && !ok; i++) {
		st = stats();
		ok = st.free == start_stats.free &&
		     st.quarantined == start_stats.quarantined &&
		     !memcmp(st.kinds, start_stats.kinds, sizeof(st.kinds));
		if (!ok)
			usleep(20000);
	}
	ktap_check(ok, "every buffer is freed and STATS is back to where it started");
}

int main(void)
{
	struct ktap_group groups[] = {
		{ kinds[0].name, KIND_CASES, kind_cases, &kinds[0] },
		{ kinds[1].name, KIND_CASES, kind_cases, &kinds[1] },
		{ kinds[2].name, KIND_CASES, kind_cases, &kinds[2] },
		{ kinds[3].name, KIND_CASES, kind_cases, &kinds[3] },
		{ kinds[4].name, KIND_CASES, kind_cases, &kinds[4] },
		{ "end", 1, end_case, NULL },
	};
	const unsigned int ngroups = sizeof(groups) / sizeof(groups[0]);
	struct sigaction sa = { .sa_handler = on_fault };
	char line[128] = "";
	FILE *f;
	int ret;

	ktap_plan(groups, ngroups);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	ret = contig_open(&c);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ret || shared == MAP_FAILED) {
		ktap_print("cannot open " DEV ": %s", contig_strerror(ret));
		return 1;
	}
	f = fopen("/sys/kernel/debug/contig/buffers", "r");
	if (f && fgets(line, sizeof(line), f))
		pfn_mode = !!strstr(line, "pfn");
	if (f)
		fclose(f);
	ktap_print("user mappings: %s", pfn_mode ? "PFN maps" : "struct pages");
	start_stats = stats();
	ktap_run(groups, ngroups);
	contig_close(c);
	return ktap_finish();
}
