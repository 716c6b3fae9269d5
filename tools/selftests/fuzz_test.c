// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test - a seeded, multi-threaded fuzzer of /dev/contig and its
 * dma-bufs, with invariants checked as it runs.
 *
 * Usage: fuzz_test [--seed N] [--seconds S] [--threads T] [--lent]
 *        (root, contig.ko loaded; prints KTAP)
 *
 * T threads of one process share its fd table and a table of buffers, and
 * call, in a random mix: ALLOC of every kind with random sizes,
 * alignments, flags, fd flags, struct sizes and report pointers (valid
 * requests, requests that must be refused with their documented errno,
 * and CONTIG_FLAG_DRY_RUN), INFO with and without chunk arrays, STATS,
 * CONTIG_IOCTL_SYNC and DMA_BUF_IOCTL_SYNC, mmap (in range and past the
 * end), munmap of a whole mapping or of its head, tail or middle, mremap
 * (grow, shrink, move, duplicate, MREMAP_DONTUNMAP), madvise, fork (the
 * child reads and writes the mappings and exits), dup and close, and
 * passing fds over a UNIX socket to a second user.
 *
 * The second user is a process forked at the start that drops to uid and
 * gid 65534 (/dev/contig is chmod 0666 for the run and restored to 0600 at
 * its end) and runs the same fuzzer, single-threaded, on its own open
 * file and on root's (received over the socket): -EDQUOT is a valid
 * outcome of every allocation whatever the quota limits are, and INFO
 * with a chunk array must be -EPERM for it.  Buffers travel both ways:
 * the sender writes a pattern, sends the fd and forgets the buffer; the
 * receiver checks the pattern and adopts it.
 *
 * Invariants, each one KTAP result (with how often it was checked; a check
 * that never ran fails):
 *  - fresh memory reads zero (every page of a buffer of up to 64 pages,
 *    else the first and last 16 and 32 random ones); the fuzzer then
 *    fills it (up to 4 MiB), so frames handed out again unzeroed show;
 *  - no two live buffers share a frame: root reads every CONTIGUOUS and
 *    SG buffer's chunks (CAP_SYS_RAWIO) and keeps them in a shadow of the
 *    buffers it holds; a new one must not overlap any (MOVABLE buffers
 *    have no fixed frames and are left out);
 *  - nothing past a buffer's end is mappable or readable: sizes are
 *    rounded up to whole pages (include/uapi/contig.h), so the bytes from
 *    the size asked to the page end belong to the buffer and read zero,
 *    and a mapping that reaches past the rounded size must be refused;
 *    mremap() may not grow a mapping, and if it ever does, every byte of
 *    the growth past the buffer must fault (probed with SIGBUS/SIGSEGV
 *    handlers and sigsetjmp);
 *  - every page the fuzzer wrote reads back what it wrote (a pattern of
 *    the buffer's key, the page and a stamp), through any mapping, after
 *    fork, madvise, mremap, in a forked child and in the other user;
 *  - STATS are consistent: always, allocs - frees is the live buffers and
 *    each kind holds at least what root holds; at checkpoints (every
 *    thread and the second user paused) each kind's bytes and buffers are
 *    exactly the start's plus what both users hold, and the region's used
 *    frames are the start's plus the CONTIGUOUS and SG bytes plus at most
 *    the MOVABLE ones;
 *  - every call returns what its documentation allows;
 *  - at the end the fd table (/proc/self/fd) and STATS are back to where
 *    they started.
 *
 * With contig.ko lend=1 (STATS lent_bytes; --lent: it must be, and
 * requests must have taken memory back by the end), the fuzzer first onlines the
 * lent block (contigctl lend): its own processes' memory and the page
 * cache then live there too, and every request that takes memory back
 * moves them out under the running threads.  Lent frames are the
 * kernel's: the used-frames invariant leaves them out, STATS are read
 * until two reads agree (the give-back work runs at any time), and the
 * start and the end are counted with nothing taken.  --lent also sets
 * reserve=32M for the run: freed memory is kept taken and zeroed in the
 * background, and requests served from it are checked as any other.
 *
 * madvise: every advice value is used, and the data must still read back
 * after it (MADV_DONTNEED included: struct-page mappings have a fault
 * handler that puts the buffer's page back).  MADV_HWPOISON and
 * MADV_SOFT_OFFLINE are never used: they poison memory on purpose.
 *
 * Each thread starts with an ALLOC and every operation once, and goes on
 * past --seconds until it has; then at random.  Checkpoints come every
 * 4 s and once more at the end.
 *
 * Every failure prints the seed, the thread (or "peer") and that thread's
 * operation number.  Each thread's generator is derived from the seed and
 * its number, so --seed N --threads 1 replays the operation sequence of
 * one thread; with several threads (and the second user, and checkpoints
 * that come by the clock) the interleaving, and so the outcomes, are not
 * exactly reproducible.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uapi/contig.h>

#include "contigctl_lend.h"
#include "ktap.h"

#define PG		4096UL
#define DEV		"/dev/contig"
#define NOBODY		65534
#define MAXBUF		48	/* root's buffer slots */
#define PEER_MAXBUF	16	/* the second user's */
#define MAXMAP		4	/* mappings per buffer */
#define XFER_PAGES	64	/* largest buffer passed over the socket */
#define MAXTHREADS	16
#define MAX_PRINTED	40	/* failure lines per process */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- invariants ------------------------------------------------------------ */

enum inv {
	INV_ZERO, INV_FRAME, INV_END, INV_DATA, INV_STATS, INV_ERRNO,
	INV_PERM, INV_CHILD, NR_INV
};

static const char *const inv_name[NR_INV] = {
	"fresh memory reads zero",
	"no two live buffers share a frame",
	"nothing past a buffer's end is mappable or readable",
	"data written is intact when re-read",
	"STATS are consistent",
	"every call returns what its documentation allows",
	"the second user: its own buffers, root's fds, EPERM for addresses",
	"forked children and the second user exit cleanly",
};

static atomic_ulong checks[NR_INV], fails[NR_INV];
static atomic_uint printed;

static uint64_t seed;
static int is_peer;		/* this process is the second user */
static atomic_int no_madvise;
static int pfn_mode;		/* user mappings of CONTIGUOUS/SG are PFN maps */
static uint64_t region_size;
/*
 * The arena of the second user (README "Security model"): a block of
 * roundup_pow_of_two(max_bytes_per_user) bytes the region gives up while
 * that user holds CONTIGUOUS or SG memory; 0 without a per-user limit.
 */
static uint64_t arena_bytes;
static pid_t root_pid;

/* Per thread: name, generator, operation number. */
static __thread int tid;
static __thread uint64_t rng_state;
static __thread unsigned long long opno;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* One whole line per write(), so threads and processes never interleave. */
static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "# ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	pthread_mutex_lock(&out_lock);
	fflush(stdout);
	if (write(1, line, n) < 0)
		n = 0;
	pthread_mutex_unlock(&out_lock);
}

#define CHECK(inv, cond, ...) ({					\
	int __ok = !!(cond);						\
	checks[inv]++;							\
	if (!__ok)							\
		__fail(inv, __VA_ARGS__);				\
	__ok;								\
})

static void __fail(enum inv inv, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	fails[inv]++;
	if (printed++ >= MAX_PRINTED)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("FAIL [%s] seed %llu %s %d op %llu: %s", inv_name[inv],
	    (unsigned long long)seed, is_peer ? "peer" : "thread", tid, opno,
	    msg);
}

/* ---- the generator: splitmix64 per thread --------------------------------- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return mix64(rng_state += 0x9e3779b97f4a7c15ULL);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int one_in)
{
	return below(one_in) == 0;
}

static void seed_thread(int id)
{
	tid = id;
	rng_state = mix64(seed ^ mix64(0x1234567ULL + id));
	opno = 0;
}

/* ---- page patterns ----------------------------------------------------------- */

/*
 * Page @pg of buffer @key written with @stamp (0: never written, zero):
 * word i is a hash of the three, xor i times an odd constant, so no two
 * pages, buffers or writes look alike and a page costs one hash.
 */
static inline uint64_t pat_base(uint64_t key, uint64_t pg, uint32_t stamp)
{
	return stamp ? mix64(key ^ (pg << 24) ^ ((uint64_t)stamp << 44)) : 0;
}

static inline uint64_t pat(uint64_t base, uint64_t i)
{
	return base ? base ^ (i * 0x9e3779b97f4a7c15ULL) : 0;
}

static void fill_page(void *p, uint64_t key, uint64_t pg, uint32_t stamp)
{
	uint64_t *w = p, i, base = pat_base(key, pg, stamp);

	for (i = 0; i < PG / 8; i++)
		w[i] = pat(base, i);
}

static int page_ok(const void *p, uint64_t key, uint64_t pg, uint32_t stamp,
		   uint64_t *got, uint64_t *want, unsigned int *at)
{
	const volatile uint64_t *w = p;
	uint64_t i, base = pat_base(key, pg, stamp);

	for (i = 0; i < PG / 8; i++) {
		uint64_t v = w[i];

		if (v != pat(base, i)) {
			*got = v;
			*want = pat(base, i);
			*at = i * 8;
			return 0;
		}
	}
	return 1;
}

/* ---- probing under SIGBUS/SIGSEGV ----------------------------------------- */

/*
 * Volatile: a store of the guard before a probing read and of NULL after
 * it must both happen, around the read (the compiler dropped the first
 * store as dead before, and a forked child's probe died of the signal).
 */
static __thread sigjmp_buf *volatile guard;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *jb = guard;

	if (jb) {
		guard = NULL;
		siglongjmp(*jb, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* 0 if the byte at @p reads, else the signal it raised. */
static int probe(const volatile uint8_t *p)
{
	sigjmp_buf jb;
	int sig;

	sig = sigsetjmp(jb, 1);
	if (sig)
		return sig;
	guard = &jb;
	(void)*p;
	guard = NULL;
	return 0;
}

/* ---- the buffers a process holds ---------------------------------------------- */

struct map {
	uint8_t *addr;
	size_t len;
	uint64_t pgoff;
	int used, writable, dontfork;
	int split;		/* madvise() may have split it in VMAs */
};

struct buf {
	pthread_mutex_t lock;	/* first: adopt() resets what follows it */
	int used;
	int fd, fd2;		/* -1 when closed */
	uint32_t kind, flags;
	int rdonly;
	uint64_t size, id, key, align;
	uint64_t npages;
	uint32_t *stamp;	/* per page; 0: never written (zero) */
	uint32_t next_stamp;
	struct contig_chunk *chunks;	/* root: CONTIGUOUS and SG */
	uint32_t nchunks;
	int in_shadow;		/* counted (and its frames checked) */
	struct map map[MAXMAP];
};

_Static_assert(offsetof(struct buf, lock) == 0, "adopt() resets what follows the lock");

static struct buf bufs[MAXBUF];
static int nbufs = MAXBUF;
static int ctl = -1;		/* this process's /dev/contig */
static int ctl_other = -1;	/* the second user: root's, received */
static int xsock = -1;		/* the socket to the other user */
static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * What this process holds, and root's frames.  A buffer is added after its
 * ALLOC returned and removed before its last fd or mapping goes, both under
 * shadow_lock, so whatever is in the shadow is live.
 */
static pthread_mutex_t shadow_lock = PTHREAD_MUTEX_INITIALIZER;
static struct contig_kind_usage held[CONTIG_NR_KINDS];
static atomic_uint_fast64_t key_seq;

/* Outcomes counted for the summary and the coverage checks. */
static atomic_ulong n_alloc_ok, n_alloc_quota, n_alloc_nomem, n_xfer_in,
		    n_xfer_out, n_forks, n_eperm;

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int get_stats(struct contig_stats_data *st)
{
	memset(st, 0, sizeof(*st));
	return xioctl(ctl, CONTIG_IOCTL_STATS, st);
}

/*
 * STATS twice alike: with lend=1 contig's give-back work turns taken
 * frames back into lent ones at any time, and STATS reads the free and
 * the lent bytes under different locks.  Up to 2 s.
 */
static int get_stats_settled(struct contig_stats_data *st)
{
	struct contig_stats_data again;
	int i, ret = get_stats(st);

	for (i = 0; i < 100 && !ret; i++) {
		usleep(20000);
		ret = get_stats(&again);
		if (!ret && again.free == st->free &&
		    again.lent_bytes == st->lent_bytes &&
		    again.taken_bytes == st->taken_bytes)
			break;
		*st = again;
	}
	return ret;
}

/* lend=1: wait (up to 10 s) until contig has given every taken byte back. */
static void lend_settle(void)
{
	struct contig_stats_data st;
	int i;

	for (i = 0; i < 100 && !get_stats(&st) && st.taken_bytes; i++)
		usleep(100000);
}

/*
 * What happened to buffers and fds, for the end check: an fd still open
 * at the end is named with its buffer's last events.
 */
enum ev_what { EV_ADOPT = 1, EV_DUP, EV_CLOSE, EV_RELEASE, EV_XFER_OUT };

static const char *const ev_name[] = {
	[EV_ADOPT] = "adopt", [EV_DUP] = "dup", [EV_CLOSE] = "close",
	[EV_RELEASE] = "release", [EV_XFER_OUT] = "sent",
};

struct ev {
	uint64_t id;
	unsigned long long opno;
	int what, tid, fd, fd2;
};

#define NR_EV	(1 << 16)
static struct ev evlog[NR_EV];
static atomic_uint nr_ev;

static void log_ev(int what, const struct buf *b, int fd, int fd2)
{
	struct ev *e = &evlog[atomic_fetch_add(&nr_ev, 1) % NR_EV];

	*e = (struct ev){ .id = b->id, .opno = opno, .what = what,
			  .tid = tid, .fd = fd, .fd2 = fd2 };
}

static int nr_handles(const struct buf *b)
{
	int n = (b->fd >= 0) + (b->fd2 >= 0), i;

	for (i = 0; i < MAXMAP; i++)
		n += b->map[i].used;
	return n;
}

/* Add @b to the shadow; root first checks its frames against every other. */
static void shadow_add(struct buf *b)
{
	int i;
	uint32_t j, k;

	pthread_mutex_lock(&shadow_lock);
	for (i = 0; i < nbufs && !is_peer; i++) {
		struct buf *o = &bufs[i];

		if (o == b || !o->in_shadow)
			continue;
		CHECK(INV_FRAME, o->id != b->id, "buffer id %llu held twice",
		      (unsigned long long)b->id);
		for (j = 0; j < b->nchunks; j++)
			for (k = 0; k < o->nchunks; k++) {
				const struct contig_chunk *x = &b->chunks[j];
				const struct contig_chunk *y = &o->chunks[k];

				CHECK(INV_FRAME, x->phys + x->size <= y->phys ||
				      y->phys + y->size <= x->phys,
				      "buffer %llu chunk [%#llx +%#llx) overlaps live buffer %llu chunk [%#llx +%#llx)",
				      (unsigned long long)b->id,
				      (unsigned long long)x->phys,
				      (unsigned long long)x->size,
				      (unsigned long long)o->id,
				      (unsigned long long)y->phys,
				      (unsigned long long)y->size);
			}
	}
	b->in_shadow = 1;
	held[b->kind].bytes += b->size;
	held[b->kind].buffers++;
	pthread_mutex_unlock(&shadow_lock);
}

static void shadow_del(struct buf *b)
{
	pthread_mutex_lock(&shadow_lock);
	if (b->in_shadow) {
		b->in_shadow = 0;
		held[b->kind].bytes -= b->size;
		held[b->kind].buffers--;
	}
	pthread_mutex_unlock(&shadow_lock);
}

/* Let go of everything of @b (its lock held): shadow first, then handles. */
static void release_buf(struct buf *b)
{
	int i;

	shadow_del(b);
	log_ev(EV_RELEASE, b, b->fd, b->fd2);
	for (i = 0; i < MAXMAP; i++)
		if (b->map[i].used) {
			munmap(b->map[i].addr, b->map[i].len);
			b->map[i].used = 0;
		}
	if (b->fd >= 0)
		close(b->fd);
	if (b->fd2 >= 0)
		close(b->fd2);
	b->fd = -1;
	b->fd2 = -1;
	free(b->stamp);
	free(b->chunks);
	b->stamp = NULL;
	b->chunks = NULL;
	b->nchunks = 0;
	b->used = 0;
}

/* A random buffer in use, locked; NULL if none found quickly. */
static struct buf *pick_buf(void)
{
	int tries, i;

	for (tries = 0; tries < 8 + nbufs; tries++) {
		/* Random slots first, then every slot from a random one. */
		i = tries < 8 ? (int)below(nbufs) : (i + 1) % nbufs;
		if (pthread_mutex_trylock(&bufs[i].lock))
			continue;
		if (bufs[i].used)
			return &bufs[i];
		pthread_mutex_unlock(&bufs[i].lock);
	}
	return NULL;
}

/* A free slot, locked; NULL if none. */
static struct buf *claim_slot(void)
{
	int i, start = below(nbufs);

	for (i = 0; i < nbufs; i++) {
		struct buf *b = &bufs[(start + i) % nbufs];

		if (pthread_mutex_trylock(&b->lock))
			continue;
		if (!b->used)
			return b;
		pthread_mutex_unlock(&b->lock);
	}
	return NULL;
}

static int used_slots(void)
{
	int i, n = 0;

	for (i = 0; i < nbufs; i++)
		n += bufs[i].used;
	return n;
}

static struct map *pick_map(struct buf *b)
{
	int i, start = below(MAXMAP);

	for (i = 0; i < MAXMAP; i++)
		if (b->map[(start + i) % MAXMAP].used)
			return &b->map[(start + i) % MAXMAP];
	return NULL;
}

static struct map *free_map(struct buf *b)
{
	int i;

	for (i = 0; i < MAXMAP; i++)
		if (!b->map[i].used)
			return &b->map[i];
	return NULL;
}

/* ---- checking pages through a mapping --------------------------------------- */

/*
 * Check pages [@from, @from + @n) of mapping @m against @b's stamps.
 * Returns 0, or the signal a page raised, or -1 for a wrong byte.
 */
static int check_range(struct buf *b, struct map *m, uint64_t from, uint64_t n,
		       enum inv inv, const char *when)
{
	volatile uint64_t i = 0;
	uint64_t got = 0, want = 0;
	unsigned int at = 0;
	sigjmp_buf jb;
	int sig;

	sig = sigsetjmp(jb, 1);
	if (sig) {
		CHECK(inv, 0, "%s: buffer %llu (%s) page %llu of mapping at pgoff %llu raised signal %d",
		      when, (unsigned long long)b->id,
		      b->kind == CONTIG_KIND_MOVABLE ? "movable" :
		      b->kind == CONTIG_KIND_SG ? "sg" : "contiguous",
		      (unsigned long long)(m->pgoff + i),
		      (unsigned long long)m->pgoff, sig);
		return sig;
	}
	guard = &jb;
	for (i = from; i < from + n; i++) {
		uint64_t pg = m->pgoff + i;

		if (!page_ok(m->addr + i * PG, b->key, pg, b->stamp[pg], &got,
			     &want, &at)) {
			guard = NULL;
			CHECK(inv, 0, "%s: buffer %llu kind %u size %llu page %llu byte %u: %#llx, want %#llx (stamp %u)",
			      when, (unsigned long long)b->id, b->kind,
			      (unsigned long long)b->size,
			      (unsigned long long)pg, at,
			      (unsigned long long)got,
			      (unsigned long long)want, b->stamp[pg]);
			return -1;
		}
	}
	guard = NULL;
	checks[inv]++;
	return 0;
}

/* Check a mapping, all of it up to 64 pages, else a sample. */
static void check_map(struct buf *b, struct map *m, enum inv inv,
		      const char *when)
{
	uint64_t n = m->len / PG, i;

	if (n <= 64) {
		check_range(b, m, 0, n, inv, when);
		return;
	}
	if (check_range(b, m, 0, 16, inv, when) ||
	    check_range(b, m, n - 16, 16, inv, when))
		return;
	for (i = 0; i < 32; i++)
		if (check_range(b, m, below(n), 1, inv, when))
			return;
}

static int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

static int any_fd(const struct buf *b)
{
	return b->fd >= 0 ? b->fd : b->fd2;
}

/* Write new stamps over pages [@from, @from + @n) of mapping @m. */
static void write_range(struct buf *b, struct map *m, uint64_t from, uint64_t n)
{
	uint32_t stamp = ++b->next_stamp ? b->next_stamp : ++b->next_stamp;
	const volatile int fd = any_fd(b);
	uint64_t i;
	sigjmp_buf jb;
	int sig;

	if (fd >= 0)
		dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	sig = sigsetjmp(jb, 1);
	if (sig) {
		/* The page is lost to us: expect nothing of it any more. */
		CHECK(INV_DATA, 0, "writing buffer %llu raised signal %d",
		      (unsigned long long)b->id, sig);
		return;
	}
	guard = &jb;
	for (i = from; i < from + n; i++) {
		fill_page(m->addr + i * PG, b->key, m->pgoff + i, stamp);
		b->stamp[m->pgoff + i] = stamp;
	}
	guard = NULL;
	if (fd >= 0)
		dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/* Map pages [@pgoff, @pgoff + @n) of @b; NULL (errno set) on failure. */
static struct map *map_buf(struct buf *b, uint64_t pgoff, uint64_t n)
{
	struct map *m = free_map(b);
	int fd = any_fd(b), prot = PROT_READ;
	void *p;

	if (!m || fd < 0) {
		errno = ENOSPC;
		return NULL;
	}
	if (!b->rdonly)
		prot |= PROT_WRITE;
	p = mmap(NULL, n * PG, prot, MAP_SHARED, fd, pgoff * PG);
	if (p == MAP_FAILED)
		return NULL;
	*m = (struct map){ .addr = p, .len = n * PG, .pgoff = pgoff, .used = 1,
			   .writable = !b->rdonly };
	return m;
}

/* ---- INFO ---------------------------------------------------------------------- */

/*
 * INFO of @fd: fields against @b (when its id is known), chunks for root
 * (kept in @b with @keep, for CONTIGUOUS and SG: MOVABLE pages move),
 * -EPERM for the second user.
 */
static int info_check(struct buf *b, int fd, int want_chunks, int keep)
{
	struct contig_info_data in = { .fd = fd };
	struct contig_chunk *ch = NULL;
	uint32_t cap = 0, i;
	uint64_t sum = 0;
	int ret;

	if (want_chunks) {
		cap = 1 + below(b->kind == CONTIG_KIND_SG ? 64 : 2);
		ch = calloc(cap, sizeof(*ch));
		in.chunks = (uintptr_t)ch;
		in.chunks_cap = cap;
	}
	ret = xioctl(ctl, CONTIG_IOCTL_INFO, &in);
	if (is_peer && want_chunks) {
		if (CHECK(INV_PERM, ret == -EPERM && !ch[0].phys,
			  "INFO with chunks as uid %d: %d, want EPERM", NOBODY, ret))
			n_eperm++;
		free(ch);
		return ret;
	}
	if (!CHECK(INV_ERRNO, !ret, "INFO of a live buffer: %s", strerror(-ret))) {
		free(ch);
		return ret;
	}
	if (!b->id)
		b->id = in.id;
	CHECK(INV_ERRNO, in.id == b->id && in.size == b->size &&
	      in.kind == b->kind &&
	      (in.buf_flags & CONTIG_FLAG_WC) == (b->flags & CONTIG_FLAG_WC) &&
	      (b->kind == CONTIG_KIND_CONTIGUOUS ? in.nr_chunks == 1 :
	       in.nr_chunks >= 1 && in.nr_chunks <= b->npages),
	      "INFO: id %llu size %llu kind %u flags %#x chunks %u; want id %llu size %llu kind %u flags %#x",
	      (unsigned long long)in.id, (unsigned long long)in.size, in.kind,
	      in.buf_flags, in.nr_chunks, (unsigned long long)b->id,
	      (unsigned long long)b->size, b->kind, b->flags);
	CHECK(INV_END, lseek(fd, 0, SEEK_END) == (off_t)b->size,
	      "lseek(SEEK_END) of buffer %llu is not its size %llu",
	      (unsigned long long)b->id, (unsigned long long)b->size);
	if (!ch)
		return 0;
	if (in.nr_chunks > cap) {
		/* Only @cap were written; ask again for all of them. */
		free(ch);
		cap = in.nr_chunks;
		ch = calloc(cap, sizeof(*ch));
		in = (struct contig_info_data){ .fd = fd, .chunks = (uintptr_t)ch,
						.chunks_cap = cap };
		ret = xioctl(ctl, CONTIG_IOCTL_INFO, &in);
		/* A MOVABLE buffer's chunks change as its pages move. */
		if (!CHECK(INV_ERRNO, !ret && (in.nr_chunks == cap ||
					       b->kind == CONTIG_KIND_MOVABLE),
			   "INFO with %u chunks: %d, %u chunks", cap, ret,
			   in.nr_chunks)) {
			free(ch);
			return ret ? ret : -EIO;
		}
	}
	for (i = 0; i < in.nr_chunks && i < cap; i++) {
		sum += ch[i].size;
		CHECK(INV_ERRNO, ch[i].size && !(ch[i].size % PG) &&
		      !(ch[i].phys % PG) &&
		      (b->align <= PG || b->kind == CONTIG_KIND_MOVABLE ||
		       !(ch[i].phys % b->align)),
		      "buffer %llu chunk %u [%#llx +%#llx) not page-sized or not aligned to %#llx",
		      (unsigned long long)b->id, i,
		      (unsigned long long)ch[i].phys,
		      (unsigned long long)ch[i].size,
		      (unsigned long long)b->align);
	}
	if (in.nr_chunks <= cap)
		CHECK(INV_ERRNO, sum == b->size, "buffer %llu chunks add up to %llu, size %llu",
		      (unsigned long long)b->id, (unsigned long long)sum,
		      (unsigned long long)b->size);
	if (keep && b->kind != CONTIG_KIND_MOVABLE && in.nr_chunks <= cap) {
		b->chunks = ch;
		b->nchunks = in.nr_chunks;
		return 0;
	}
	free(ch);
	return 0;
}

/* ---- ALLOC --------------------------------------------------------------------- */

static uint64_t gen_size(void)
{
	uint64_t r = below(100), pages;

	if (r < 50)
		pages = 1 + below(16);
	else if (r < 80)
		pages = 17 + below(240);
	else if (r < 95)
		pages = 257 + below(768);
	else if (r < 99)
		pages = 1 + below(region_size / PG / 4);
	else
		pages = region_size / PG / 2 + below(region_size / PG / 2 + 2);
	/* Not a whole number of pages now and then: rounded up. */
	return pages * PG - (chance(3) ? below(PG) : 0);
}

static uint64_t gen_align(uint32_t kind)
{
	if (kind == CONTIG_KIND_MOVABLE)
		return chance(2) ? 0 : PG;
	if (!chance(4))
		return 0;
	return PG << below(10);		/* up to 2 MiB */
}

/* Adopt a new fd of a buffer into slot @b (locked): INFO, shadow, map. */
static int adopt(struct buf *b, int fd, uint32_t kind, uint32_t flags,
		 uint64_t size, uint64_t align, uint64_t key, uint64_t id,
		 const uint32_t *stamps, int rdonly, const char *how)
{
	struct map *m;
	uint64_t i;

	/*
	 * Everything but the lock, field by field.  Never "*b = (struct
	 * buf){ .lock = b->lock, ... }": GCC builds that in place, zeroing
	 * the lock word before it stores the saved one back, and another
	 * thread's trylock took the slot in between (two threads in one
	 * slot: an fd lost, a mapping read through NULL).
	 */
	memset((char *)b + offsetof(struct buf, used), 0,
	       sizeof(*b) - offsetof(struct buf, used));
	b->used = 1;
	b->fd = fd;
	b->fd2 = -1;
	b->kind = kind;
	b->flags = flags;
	b->rdonly = rdonly;
	b->size = (size + PG - 1) & ~(PG - 1);
	b->align = align;
	b->key = key;
	b->id = id;
	b->npages = b->size / PG;
	b->stamp = calloc(b->npages, sizeof(*b->stamp));
	if (stamps)
		for (i = 0; i < b->npages; i++) {
			b->stamp[i] = stamps[i];
			if (stamps[i] > b->next_stamp)
				b->next_stamp = stamps[i];
		}
	/* Root learns the frames; the second user must be refused them. */
	if (is_peer && chance(2))
		info_check(b, fd, 1, 0);
	info_check(b, fd, !is_peer, 1);
	log_ev(EV_ADOPT, b, fd, -1);
	shadow_add(b);
	m = map_buf(b, 0, b->npages);
	if (!m) {
		CHECK(INV_ERRNO, 0, "%s: mmap of all %llu pages of buffer %llu: %s",
		      how, (unsigned long long)b->npages,
		      (unsigned long long)b->id, strerror(errno));
		return -1;
	}
	check_map(b, m, stamps ? INV_DATA : INV_ZERO, how);
	/*
	 * Dirty what we were given (up to 4 MiB), so that frames reused
	 * without zeroing cannot pass for fresh ones.
	 */
	if (!stamps && m->writable)
		write_range(b, m, 0, b->npages < 1024 ? b->npages : 1024);
	return 0;
}

static unsigned long alloc_cmd(int ver0, int size)
{
	return _IOC(_IOC_READ | _IOC_WRITE, CONTIG_IOC_MAGIC, 0,
		    ver0 ? CONTIG_ALLOC_SIZE_VER0 : size);
}

static int ok_alloc_errno(int ret, uint32_t kind)
{
	return ret == -ENOMEM || ret == -EDQUOT || ret == -EMFILE ||
	       (ret == -EBUSY && kind == CONTIG_KIND_CONTIGUOUS);
}

static void check_report(const struct contig_alloc_report *r, int ret)
{
	CHECK(INV_ERRNO, r->nr_reported <= CONTIG_REPORT_WINDOWS &&
	      r->nr_blocked <= r->nr_windows &&
	      r->largest_free <= region_size,
	      "report of a request that returned %d: %u reported, %u of %u blocked, largest free %llu",
	      ret, r->nr_reported, r->nr_blocked, r->nr_windows,
	      (unsigned long long)r->largest_free);
}

static void op_alloc(void)
{
	struct contig_alloc_data a = { 0 };
	struct contig_alloc_report rep;
	uint32_t kind = below(CONTIG_NR_KINDS);
	int use = ctl, ver0 = chance(8), ret;
	struct buf *b;

	a.kind = kind;
	a.size = gen_size();
	a.align = gen_align(kind);
	a.flags = chance(2) ? CONTIG_FLAG_ZERO : 0;
	if (kind != CONTIG_KIND_MOVABLE && chance(5))
		a.flags |= CONTIG_FLAG_WC;
	a.fd_flags = (chance(8) ? O_RDONLY : O_RDWR) | (chance(2) ? O_CLOEXEC : 0);
	memset(&rep, 0xa5, sizeof(rep));
	if (kind == CONTIG_KIND_CONTIGUOUS && chance(3))
		a.report = (uintptr_t)&rep;
	if (is_peer && ctl_other >= 0 && chance(3))
		use = ctl_other;	/* through root's open file */

	b = claim_slot();
	if (!b)
		return;
	ret = xioctl(use, alloc_cmd(ver0, sizeof(a)), &a);
	if (a.report && !ver0 && (!ret || ret == -ENOMEM || ret == -EBUSY))
		check_report(&rep, ret);
	if (ret) {
		if (ret == -EDQUOT)
			n_alloc_quota++;
		if (ret == -ENOMEM)
			n_alloc_nomem++;
		/*
		 * The second user's alignment may be capped (issue 12,
		 * finding 3: alignment is a fragmentation lever).
		 */
		CHECK(INV_ERRNO, ok_alloc_errno(ret, kind) ||
		      (ret == -EOPNOTSUPP && (a.flags & CONTIG_FLAG_WC) && pfn_mode) ||
		      (is_peer && a.align > PG && (ret == -EINVAL || ret == -EPERM)),
		      "ALLOC kind %u size %llu align %#llx flags %#x fd_flags %#x: %s",
		      kind, (unsigned long long)a.size,
		      (unsigned long long)a.align, a.flags, a.fd_flags,
		      strerror(-ret));
		pthread_mutex_unlock(&b->lock);
		return;
	}
	n_alloc_ok++;
	CHECK(INV_ERRNO, a.size <= region_size &&
	      !((a.flags & CONTIG_FLAG_WC) && pfn_mode),
	      "ALLOC of %llu bytes (flags %#x) succeeded in a region of %llu%s",
	      (unsigned long long)a.size, a.flags,
	      (unsigned long long)region_size, pfn_mode ? " (PFN maps)" : "");
	adopt(b, a.fd, kind, a.flags, a.size, a.align,
	      (atomic_fetch_add(&key_seq, 1) << 8) ^ seed ^ ((uint64_t)getpid() << 40),
	      0, NULL, (a.fd_flags & O_ACCMODE) == O_RDONLY, "fresh ALLOC");
	pthread_mutex_unlock(&b->lock);
}

/* Requests that must be refused, each with its errno. */
static void op_bad_alloc(void)
{
	struct contig_alloc_data a = {
		.size = 1 + below(8 * PG), .kind = below(CONTIG_NR_KINDS),
		.fd_flags = O_RDWR,
	};
	int want, want2 = 0, ret;
	unsigned long cmd = CONTIG_IOCTL_ALLOC;
	void *arg = &a;

	switch (below(16)) {
	case 0:
		a.size = 0;
		want = -EINVAL;
		break;
	case 1:
		a.kind = 3 + below(1000);
		want = -EINVAL;
		break;
	case 2:
		a.flags = 1U << (2 + below(30));
		want = -EINVAL;
		if (a.flags == CONTIG_FLAG_DRY_RUN)
			a.flags = 1U << 3;
		break;
	case 3:
		a.align = PG + 1 + below(PG * 4 - 2);
		want = -EINVAL;
		if (!(a.align & (a.align - 1)))
			a.align++;
		break;
	case 4:
		a.align = 1ULL << (63 - below(4));
		want = -EINVAL;
		break;
	case 5:
		a.kind = CONTIG_KIND_MOVABLE;
		a.align = PG << (1 + below(8));
		want = -EINVAL;
		break;
	case 6:
		a.kind = CONTIG_KIND_MOVABLE;
		a.flags = CONTIG_FLAG_WC;
		want = -EOPNOTSUPP;
		break;
	case 7:
		a.fd_flags = below(2) ? O_WRONLY : O_RDWR | (O_NONBLOCK << below(4));
		want = -EINVAL;
		break;
	case 8:
		a.fd = 1 + below(100);
		want = -EINVAL;
		break;
	case 9:
		a.region = 8 + below(100);	/* no such region: at most 8 */
		want = -EINVAL;
		break;
	case 10:
		a.nr_blocked = 1;
		want = -EINVAL;
		break;
	case 11:
		a.kind = CONTIG_KIND_SG + below(2);
		a.flags = CONTIG_FLAG_DRY_RUN;
		want = -EINVAL;
		break;
	case 12:
		a.size = region_size + 1 + below(region_size);
		want = -ENOMEM;
		break;
	case 13:
		arg = (void *)(uintptr_t)(8 + below(4000));
		want = -EFAULT;
		break;
	case 14: /* A report the kernel cannot write: after allocating. */
		a.kind = CONTIG_KIND_CONTIGUOUS;
		a.report = 8 + below(4000);
		want = -EFAULT;
		want2 = -EDQUOT;
		break;
	default:
		cmd = _IOC(_IOC_READ | _IOC_WRITE, CONTIG_IOC_MAGIC, 0,
			   below(CONTIG_ALLOC_SIZE_VER0));
		want = -EINVAL;
		break;
	}
	ret = xioctl(ctl, cmd, arg);
	if (!ret && arg == &a && a.fd > 0)
		close(a.fd);
	CHECK(INV_ERRNO, ret == want || (want2 && ret == want2),
	      "bad ALLOC (size %llu kind %u align %#llx flags %#x fd_flags %#x fd %u region %u report %#llx cmd %#lx): %d, want %d",
	      (unsigned long long)a.size, a.kind, (unsigned long long)a.align,
	      a.flags, a.fd_flags, a.fd, a.region, (unsigned long long)a.report,
	      cmd, ret, want);
}

static void op_dry_run(void)
{
	struct contig_alloc_data a = {
		.size = gen_size(), .align = gen_align(CONTIG_KIND_CONTIGUOUS),
		.kind = CONTIG_KIND_CONTIGUOUS, .flags = CONTIG_FLAG_DRY_RUN,
		.fd_flags = O_RDWR,
	};
	struct contig_alloc_report rep;
	int ret;

	if (chance(2))
		a.report = (uintptr_t)&rep;
	ret = xioctl(ctl, CONTIG_IOCTL_ALLOC, &a);
	CHECK(INV_ERRNO, (!ret || ret == -ENOMEM || ret == -EBUSY) && !a.fd,
	      "DRY_RUN of %llu bytes align %#llx: %d, fd %u",
	      (unsigned long long)a.size, (unsigned long long)a.align, ret, a.fd);
	if (a.report && (!ret || ret == -ENOMEM || ret == -EBUSY))
		check_report(&rep, ret);
}

/* ---- INFO, STATS, SYNC ------------------------------------------------------- */

static void op_info(void)
{
	struct buf *b = pick_buf();
	struct contig_info_data in = { 0 };
	int ret, fd;

	if (!b) {
		/* Bad fds: never open, not a dma-buf, not ours to know. */
		uint32_t bad[] = { ~0U, 1U << 20, (uint32_t)ctl, 0x80000000U };
		int want[] = { -EBADF, -EBADF, -EINVAL, -EBADF };
		int i = below(4);

		in.fd = bad[i];
		ret = xioctl(ctl, CONTIG_IOCTL_INFO, &in);
		CHECK(INV_ERRNO, ret == want[i], "INFO of fd %u: %d, want %d",
		      bad[i], ret, want[i]);
		return;
	}
	fd = any_fd(b);
	if (fd >= 0)
		info_check(b, fd, chance(2), 0);
	pthread_mutex_unlock(&b->lock);
}

static void op_stats(void)
{
	struct contig_stats_data st;
	uint64_t live = 0;
	int k, ret, ok = 1;

	/* Under shadow_lock nothing we hold can go: the kernel has at least it. */
	pthread_mutex_lock(&shadow_lock);
	ret = get_stats(&st);
	for (k = 0; k < CONTIG_NR_KINDS && !ret; k++)
		ok &= st.kinds[k].bytes >= held[k].bytes &&
		      st.kinds[k].buffers >= held[k].buffers;
	pthread_mutex_unlock(&shadow_lock);
	if (!CHECK(INV_ERRNO, !ret, "STATS: %s", strerror(-ret)))
		return;
	for (k = 0; k < CONTIG_NR_KINDS; k++)
		live += st.kinds[k].buffers;
	CHECK(INV_STATS, ok && st.nr_kinds == CONTIG_NR_KINDS &&
	      st.region_size == region_size && st.free <= region_size &&
	      st.largest_free <= st.free && st.quarantined <= region_size &&
	      st.allocs - st.frees == live,
	      "STATS: region %llu free %llu largest %llu quarantined %llu allocs %llu frees %llu live %llu; a kind below what this process holds: %d",
	      (unsigned long long)st.region_size, (unsigned long long)st.free,
	      (unsigned long long)st.largest_free,
	      (unsigned long long)st.quarantined,
	      (unsigned long long)st.allocs, (unsigned long long)st.frees,
	      (unsigned long long)live, !ok);
}

static void op_sync(void)
{
	struct buf *b = pick_buf();
	struct contig_sync_data s;
	uint64_t flags;
	int fd, ret, want;

	if (!b)
		return;
	fd = any_fd(b);
	if (fd < 0)
		goto out;
	if (chance(2)) {
		/* DMA_BUF_IOCTL_SYNC: START or END, READ and/or WRITE. */
		flags = chance(6) ? rnd() & 0xff : (below(2) ? DMA_BUF_SYNC_END : 0) |
			(1 + below(3));
		ret = dmabuf_sync(fd, flags);
		want = (flags & ~(uint64_t)DMA_BUF_SYNC_VALID_FLAGS_MASK) ||
		       !(flags & DMA_BUF_SYNC_RW) ? -EINVAL : 0;
		CHECK(INV_ERRNO, ret == want, "DMA_BUF_IOCTL_SYNC %#llx: %d, want %d",
		      (unsigned long long)flags, ret, want);
		goto out;
	}
	s.fd = fd;
	s.flags = chance(6) ? below(32) :
		(below(2) ? CONTIG_SYNC_FOR_CPU : CONTIG_SYNC_FOR_DEVICE) |
		((1 + below(3)) << 2);
	switch (below(4)) {
	case 0:
		s.offset = 0;
		s.length = b->size;
		break;
	case 1:
		s.offset = below(b->size);
		s.length = 1 + below(b->size - s.offset);
		break;
	case 2:
		s.offset = below(b->size + 2);
		s.length = below(b->size + 2);
		break;
	default:
		s.offset = rnd();
		s.length = rnd() >> below(64);
		break;
	}
	ret = xioctl(ctl, CONTIG_IOCTL_SYNC, &s);
	if (s.offset + s.length < s.offset)
		want = -EOVERFLOW;
	else if ((s.flags & ~CONTIG_SYNC_VALID_FLAGS) ||
		 !(s.flags & (CONTIG_SYNC_FOR_CPU | CONTIG_SYNC_FOR_DEVICE)) ||
		 (s.flags & CONTIG_SYNC_FOR_CPU && s.flags & CONTIG_SYNC_FOR_DEVICE) ||
		 !(s.flags & (CONTIG_SYNC_READ | CONTIG_SYNC_WRITE)) ||
		 !s.length || s.offset + s.length > b->size)
		want = -EINVAL;
	else
		want = 0;
	/* An invalid flag and an overflow together: either is right. */
	CHECK(INV_ERRNO, ret == want || (want == -EOVERFLOW && ret == -EINVAL),
	      "CONTIG_IOCTL_SYNC flags %#x offset %#llx length %#llx of %llu bytes: %d, want %d",
	      s.flags, (unsigned long long)s.offset,
	      (unsigned long long)s.length, (unsigned long long)b->size, ret,
	      want);
out:
	pthread_mutex_unlock(&b->lock);
}

/* Unknown command numbers and wrong directions: -ENOTTY. */
static void op_bad_cmd(void)
{
	unsigned long cmd;
	int ret;

	if (chance(2))
		cmd = _IOC(below(4), CONTIG_IOC_MAGIC, 4 + below(252), below(512));
	else
		cmd = _IOC(_IOC_NONE, CONTIG_IOC_MAGIC, below(4), below(256));
	ret = xioctl(ctl, cmd, NULL);
	CHECK(INV_ERRNO, ret == -ENOTTY, "ioctl %#lx on /dev/contig: %d, want ENOTTY",
	      cmd, ret);
}

/* ---- mappings ----------------------------------------------------------------- */

static void op_mmap(void)
{
	struct buf *b = pick_buf();
	uint64_t pgoff, n;
	struct map *m;
	void *p;
	int fd;

	if (!b)
		return;
	fd = any_fd(b);
	if (fd < 0)
		goto out;
	if (chance(3)) {
		/* Reaching past the rounded size, or a private map: refused. */
		int how = below(4), prot = PROT_READ;
		size_t len;
		off_t off;

		switch (how) {
		case 0:
			off = 0;
			len = b->size + PG * (1 + below(4));
			break;
		case 1:
			off = b->size;
			len = PG;
			break;
		case 2:
			off = below(b->npages) * PG;
			len = b->size - off + PG;
			break;
		default:
			off = (off_t)(below(1 << 20) + b->npages) * PG;
			len = PG;
			break;
		}
		p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
		CHECK(INV_END, p == MAP_FAILED,
		      "mmap of %zu bytes at offset %lld of buffer %llu of %llu bytes succeeded",
		      len, (long long)off, (unsigned long long)b->id,
		      (unsigned long long)b->size);
		if (p != MAP_FAILED)
			munmap(p, len);
		p = mmap(NULL, PG, prot, MAP_PRIVATE, fd, 0);
		CHECK(INV_ERRNO, p == MAP_FAILED && errno == EINVAL,
		      "MAP_PRIVATE of buffer %llu was not refused with EINVAL",
		      (unsigned long long)b->id);
		if (p != MAP_FAILED)
			munmap(p, PG);
		if (b->rdonly) {
			p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			CHECK(INV_ERRNO, p == MAP_FAILED && errno == EACCES,
			      "a writable mapping of an O_RDONLY buffer was not refused with EACCES");
			if (p != MAP_FAILED)
				munmap(p, PG);
		}
		goto out;
	}
	pgoff = below(b->npages);
	n = 1 + below(b->npages - pgoff);
	m = map_buf(b, pgoff, n);
	if (m)
		check_map(b, m, INV_DATA, "a new mapping");
	else
		CHECK(INV_ERRNO, errno == ENOSPC || errno == ENOMEM,
		      "mmap of pages %llu+%llu of buffer %llu (%llu pages): %s",
		      (unsigned long long)pgoff, (unsigned long long)n,
		      (unsigned long long)b->id, (unsigned long long)b->npages,
		      strerror(errno));
out:
	pthread_mutex_unlock(&b->lock);
}

static void op_write(void)
{
	struct buf *b = pick_buf();
	struct map *m;
	uint64_t n, from, cnt;

	if (!b)
		return;
	m = pick_map(b);
	if (m && m->writable) {
		n = m->len / PG;
		from = below(n);
		cnt = 1 + below(n - from < 32 ? n - from : 32);
		write_range(b, m, from, cnt);
		if (chance(2))
			check_range(b, m, from, cnt, INV_DATA, "read after write");
	}
	pthread_mutex_unlock(&b->lock);
}

static void op_read(void)
{
	struct buf *b = pick_buf();
	struct map *m;
	int fd;

	if (!b)
		return;
	m = pick_map(b);
	fd = any_fd(b);
	if (m) {
		if (fd >= 0)
			dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		check_map(b, m, INV_DATA, "re-read");
		if (fd >= 0)
			dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	}
	pthread_mutex_unlock(&b->lock);
}

/* The last handle of @b is going: release it all instead. */
static void op_munmap(void)
{
	struct buf *b = pick_buf();
	struct map *m, *m2;
	uint64_t n, k, at;

	if (!b)
		return;
	m = pick_map(b);
	if (!m)
		goto out;
	n = m->len / PG;
	if (nr_handles(b) == 1 && !chance(2)) {
		release_buf(b);
		goto out;
	}
	switch (below(4)) {
	case 0:		/* all */
		if (nr_handles(b) == 1) {
			release_buf(b);
			goto out;
		}
		munmap(m->addr, m->len);
		m->used = 0;
		break;
	case 1:		/* the head */
		if (n < 2)
			break;
		k = 1 + below(n - 1);
		CHECK(INV_ERRNO, !munmap(m->addr, k * PG), "munmap of a head: %s",
		      strerror(errno));
		m->addr += k * PG;
		m->len -= k * PG;
		m->pgoff += k;
		check_map(b, m, INV_DATA, "after unmapping the head");
		break;
	case 2:		/* the tail */
		if (n < 2)
			break;
		k = 1 + below(n - 1);
		CHECK(INV_ERRNO, !munmap(m->addr + (n - k) * PG, k * PG),
		      "munmap of a tail: %s", strerror(errno));
		m->len -= k * PG;
		check_map(b, m, INV_DATA, "after unmapping the tail");
		break;
	default:	/* a hole in the middle: two mappings */
		m2 = free_map(b);
		if (n < 3 || !m2)
			break;
		at = 1 + below(n - 2);
		CHECK(INV_ERRNO, !munmap(m->addr + at * PG, PG),
		      "munmap of a middle page: %s", strerror(errno));
		*m2 = *m;
		m2->addr = m->addr + (at + 1) * PG;
		m2->len = (n - at - 1) * PG;
		m2->pgoff = m->pgoff + at + 1;
		m->len = at * PG;
		check_map(b, m, INV_DATA, "left of a hole");
		check_map(b, m2, INV_DATA, "right of a hole");
		break;
	}
out:
	pthread_mutex_unlock(&b->lock);
}

/* Bytes past the buffer in [@p, @p + @len) must all fault. */
static void probe_beyond(struct buf *b, uint8_t *p, size_t len, const char *how)
{
	size_t off;

	for (off = 0; off < len; off += PG)
		CHECK(INV_END, probe(p + off),
		      "%s: a byte %zu past the end of buffer %llu (%llu bytes) is readable",
		      how, off, (unsigned long long)b->id,
		      (unsigned long long)b->size);
}

static void op_mremap(void)
{
	struct buf *b = pick_buf();
	struct map *m, *m2;
	uint64_t n, grow;
	void *p, *to;

	if (!b)
		return;
	m = pick_map(b);
	if (!m)
		goto out;
	n = m->len / PG;
	switch (below(5)) {
	case 0:		/* grow, in place or moving: refused (VM_DONTEXPAND) */
		grow = (1 + below(4)) * PG;
		p = mremap(m->addr, m->len, m->len + grow, chance(2) ? MREMAP_MAYMOVE : 0);
		if (p == MAP_FAILED) {
			checks[INV_END]++;
			break;
		}
		/* It grew: the part inside the buffer may read, none past it. */
		m->addr = p;
		if ((m->pgoff + n) * PG + grow > b->size) {
			uint64_t inside = b->size > (m->pgoff + n) * PG ?
					  b->size - (m->pgoff + n) * PG : 0;

			probe_beyond(b, m->addr + m->len + inside, grow - inside,
				     "mremap grow");
		}
		munmap(m->addr + m->len, grow);
		break;
	case 1:		/* shrink */
		if (n < 2)
			break;
		p = mremap(m->addr, m->len, (n - 1) * PG, 0);
		if (!CHECK(INV_ERRNO, p == m->addr, "mremap shrink: %s", strerror(errno)))
			break;
		m->len -= PG;
		check_map(b, m, INV_DATA, "after mremap shrink");
		break;
	case 2:		/* move to a place of our choosing */
		to = mmap(NULL, m->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (to == MAP_FAILED)
			break;
		p = mremap(m->addr, m->len, m->len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		/*
		 * A mapping madvise() split in VMAs cannot move as one: EFAULT.
		 * A failed move has usually unmapped @to already (mremap_to()
		 * unmaps the target first), and another thread may have
		 * mapped a buffer there since: @to is left alone, never
		 * unmapped again (that unmapped other threads' buffers under
		 * their feet: wrong data and SIGSEGV on stock 6.1 and 6.12).
		 */
		if (!CHECK(INV_ERRNO, p == to || (errno == EFAULT && m->split),
			   "mremap move: %s", strerror(errno)) || p != to)
			break;
		m->addr = p;
		check_map(b, m, INV_DATA, "after mremap move");
		break;
	case 3:		/* old_len 0: a second mapping of the same pages */
		m2 = free_map(b);
		if (!m2)
			break;
		p = mremap(m->addr, 0, m->len, MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			break;
		*m2 = *m;
		m2->addr = p;
		check_map(b, m2, INV_DATA, "a duplicate by mremap(old_len 0)");
		break;
	default:	/* MREMAP_DONTUNMAP: refused for our mappings, or a copy */
		m2 = free_map(b);
		if (!m2)
			break;
		p = mremap(m->addr, m->len, m->len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
		if (p == MAP_FAILED)
			break;
		*m2 = *m;
		m2->addr = p;
		check_map(b, m2, INV_DATA, "moved by MREMAP_DONTUNMAP");
		check_map(b, m, INV_DATA, "left behind by MREMAP_DONTUNMAP");
		break;
	}
out:
	pthread_mutex_unlock(&b->lock);
}

/* ---- madvise ------------------------------------------------------------------- */

struct advice {
	int advice;
	const char *name;
};

static const struct advice advices[] = {
	{ 0, "NORMAL" }, { 1, "RANDOM" }, { 2, "SEQUENTIAL" },
	{ 3, "WILLNEED" }, { 4, "DONTNEED" }, { 8, "FREE" }, { 9, "REMOVE" },
	{ 10, "DONTFORK" }, { 11, "DOFORK" }, { 12, "MERGEABLE" },
	{ 13, "UNMERGEABLE" }, { 14, "HUGEPAGE" }, { 15, "NOHUGEPAGE" },
	{ 16, "DONTDUMP" }, { 17, "DODUMP" }, { 18, "WIPEONFORK" },
	{ 19, "KEEPONFORK" }, { 20, "COLD" }, { 21, "PAGEOUT" },
	{ 22, "POPULATE_READ" }, { 23, "POPULATE_WRITE" },
	{ 24, "DONTNEED_LOCKED" }, { 25, "COLLAPSE" },
	{ 102, "GUARD_INSTALL" }, { 103, "GUARD_REMOVE" },
};

static void op_madvise(void)
{
	struct buf *b = pick_buf();
	const struct advice *adv;
	struct advice bad;
	uint64_t n, from, cnt;
	char when[64];
	struct map *m;
	int ret;

	if (!b)
		return;
	m = pick_map(b);
	if (!m)
		goto out;
	if (chance(8)) {
		/* Not an advice at all. */
		bad.advice = chance(2) ? (int)(200 + below(1 << 20)) :
				     -1 - (int)below(1000);
		bad.name = "invalid";
		adv = &bad;
	} else {
		adv = &advices[below(ARRAY_SIZE(advices))];
	}
	n = m->len / PG;
	from = below(n);
	cnt = 1 + below(n - from);
	ret = madvise(m->addr + from * PG, cnt * PG, adv->advice) ? -errno : 0;
	if (ret == -ENOSYS) {
		/* A kernel without ADVISE_SYSCALLS: nothing to fuzz here. */
		if (!no_madvise++)
			say("madvise() is not in this kernel (ENOSYS): not fuzzed");
		goto out;
	}
	if (adv == &bad)
		CHECK(INV_ERRNO, ret == -EINVAL, "madvise(%d): %d, want EINVAL",
		      adv->advice, ret);
	if (!ret && (from || cnt < n))
		m->split = 1;
	/*
	 * DONTFORK/DOFORK: the whole mapping the same way, so a forked child
	 * knows what it may touch (DOFORK is refused for VM_IO maps).
	 */
	if (!ret && (adv->advice == 10 || adv->advice == 11) &&
	    !madvise(m->addr, m->len, adv->advice))
		m->dontfork = adv->advice == 10;
	if (adv->advice == 102 && !ret) {
		/* A guard region: our pages are not readable there any more. */
		madvise(m->addr + from * PG, cnt * PG, 103);
	}
	snprintf(when, sizeof(when), "after MADV_%s (%d) -> %d", adv->name,
		 adv->advice, ret);
	check_range(b, m, from, cnt, INV_DATA, when);
out:
	pthread_mutex_unlock(&b->lock);
}

/* ---- fds: dup, close, fork, passing ------------------------------------------- */

static void op_dup_close(void)
{
	struct buf *b = pick_buf();
	int fd;

	if (!b)
		return;
	if (b->fd2 < 0 && b->fd >= 0 && chance(2)) {
		b->fd2 = chance(2) ? dup(b->fd) : fcntl(b->fd, F_DUPFD_CLOEXEC, 0);
		if (b->fd2 >= 0) {
			log_ev(EV_DUP, b, b->fd, b->fd2);
			info_check(b, b->fd2, 0, 0);
		}
		goto out;
	}
	if (nr_handles(b) == 1 || chance(6)) {
		release_buf(b);		/* free it */
		goto out;
	}
	fd = chance(2) ? b->fd : b->fd2;
	if (fd < 0)
		goto out;
	log_ev(EV_CLOSE, b, fd, -1);
	close(fd);
	if (fd == b->fd)
		b->fd = -1;
	else
		b->fd2 = -1;
	if (b->fd < 0) {
		b->fd = b->fd2;
		b->fd2 = -1;
	}
	/* Closed fds do not take mapped memory with them. */
	if (pick_map(b))
		check_map(b, pick_map(b), INV_DATA, "after closing an fd");
out:
	pthread_mutex_unlock(&b->lock);
}

/*
 * The child reads and writes the mappings and exits; the parent waits
 * (holding the buffer's lock, so the shadow of its pages stays true).
 * Only async-signal-safe work in the child: other threads held locks.
 */
static void op_fork(void)
{
	struct buf *b = pick_buf();
	struct map *m;
	uint64_t n, from, cnt;
	uint32_t stamp;
	int status, code;
	pid_t pid;

	if (!b)
		return;
	m = pick_map(b);
	if (!m)
		goto out;
	n = m->len / PG;
	from = below(n);
	cnt = 1 + below(n - from < 16 ? n - from : 16);
	stamp = b->next_stamp + 1 ? b->next_stamp + 1 : 1;
	n_forks++;
	pid = fork();
	if (pid == 0) {
		uint64_t got, want, i;
		unsigned int at;

		if (m->dontfork)	/* not inherited: must fault */
			_exit(probe(m->addr) ? 0 : 10);
		for (i = 0; i < n; i++) {
			uint64_t pg = m->pgoff + i;

			if (probe(m->addr + i * PG))
				_exit(11);
			if (!page_ok(m->addr + i * PG, b->key, pg, b->stamp[pg],
				     &got, &want, &at))
				_exit(12);
		}
		if (m->writable) {
			for (i = from; i < from + cnt; i++)
				fill_page(m->addr + i * PG, b->key, m->pgoff + i,
					  stamp);
		}
		if (b->fd >= 0)
			close(b->fd);	/* the parent's stays open */
		_exit(0);
	}
	if (pid < 0)
		goto out;
	waitpid(pid, &status, 0);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	CHECK(code == 11 || code == 12 ? INV_DATA : code == 10 ? INV_END : INV_CHILD, !code,
	      "forked child on buffer %llu mapping pgoff %llu: %s (%d)",
	      (unsigned long long)b->id, (unsigned long long)m->pgoff,
	      code == 10 ? "a MADV_DONTFORK mapping was readable" :
	      code == 11 ? "a page faulted" : code == 12 ? "wrong data" :
	      "died", code);
	if (!code && m->writable && !m->dontfork) {
		uint64_t i;

		b->next_stamp = stamp;
		for (i = from; i < from + cnt; i++)
			b->stamp[m->pgoff + i] = stamp;
		check_range(b, m, from, cnt, INV_DATA, "what a forked child wrote");
	}
out:
	pthread_mutex_unlock(&b->lock);
}

/* ---- the socket between the users ------------------------------------------ */

enum msg_type { MSG_XFER = 1, MSG_CTL, MSG_PAUSE, MSG_PAUSED, MSG_RESUME,
		MSG_STOP, MSG_DONE };

struct msg {
	uint32_t type, kind, flags, rdonly;
	uint64_t size, align, key, id;
	uint32_t stamps[XFER_PAGES];
	struct contig_kind_usage held[CONTIG_NR_KINDS];
	unsigned long checks[NR_INV], fails[NR_INV];
	unsigned long allocs, quota, eperm, xfer_in, xfer_out;
};

static int send_msg(struct msg *m, int fd, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	pthread_mutex_lock(&send_lock);
	n = sendmsg(xsock, &mh, MSG_NOSIGNAL | flags);
	pthread_mutex_unlock(&send_lock);
	return n == sizeof(*m) ? 0 : -1;
}

/* 1 and the message (and *fd, or -1), 0 at end of stream, -1 on error. */
static int recv_msg(struct msg *m, int *fd, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	n = recvmsg(xsock, &mh, MSG_CMSG_CLOEXEC | flags);
	if (n <= 0)
		return n;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return n == sizeof(*m) ? 1 : -1;
}

/* Give a buffer to the other user: pattern, fd over the socket, forget it. */
static int xfer_buf(struct buf *b)
{
	struct map *m;
	struct msg msg;
	int fd;

	fd = any_fd(b);
	if (fd < 0 || b->npages > XFER_PAGES)
		return -1;
	m = pick_map(b);
	if (m && m->writable)
		write_range(b, m, 0, m->len / PG);
	memset(&msg, 0, sizeof(msg));
	msg.type = MSG_XFER;
	msg.kind = b->kind;
	msg.flags = b->flags;
	msg.rdonly = b->rdonly;
	msg.size = b->size;
	msg.align = b->align;
	msg.key = b->key;
	msg.id = b->id;
	memcpy(msg.stamps, b->stamp, b->npages * sizeof(uint32_t));
	/*
	 * Out of the shadow before it leaves: the other user may send it
	 * straight back.  Nonblocking: a paused peer must not stall us.
	 */
	shadow_del(b);
	if (send_msg(&msg, fd, MSG_DONTWAIT)) {
		shadow_add(b);
		return -1;
	}
	n_xfer_out++;
	log_ev(EV_XFER_OUT, b, fd, -1);
	release_buf(b);
	return 0;
}

static void op_xfer(void)
{
	struct buf *b = pick_buf();

	if (!b)
		return;
	xfer_buf(b);
	pthread_mutex_unlock(&b->lock);
}

/*
 * At the end, if no buffer went to the other user yet: one of a page, so
 * that passing is always covered.
 */
static void xfer_one(void)
{
	struct contig_alloc_data a = { .size = PG, .kind = CONTIG_KIND_SG,
				       .fd_flags = O_RDWR };
	struct buf *b;

	if (n_xfer_out)
		return;
	b = claim_slot();
	if (!b) {
		/* Every slot taken: make room. */
		b = pick_buf();
		if (!b)
			return;
		release_buf(b);
	}
	if (!xioctl(ctl, CONTIG_IOCTL_ALLOC, &a)) {
		adopt(b, a.fd, a.kind, 0, PG, 0,
		      (atomic_fetch_add(&key_seq, 1) << 8) ^ seed ^ ((uint64_t)getpid() << 40),
		      0, NULL, 0, "fresh ALLOC");
		if (xfer_buf(b))
			release_buf(b);
	}
	pthread_mutex_unlock(&b->lock);
}

/* Take in a buffer the other user sent. */
static void take_xfer(struct msg *msg, int fd)
{
	struct buf *b;

	if (!CHECK(INV_PERM, fd >= 0, "an XFER message came without its fd"))
		return;
	n_xfer_in++;
	b = claim_slot();
	if (!b) {
		close(fd);
		return;
	}
	adopt(b, fd, msg->kind, msg->flags, msg->size, msg->align, msg->key,
	      msg->id, msg->stamps, msg->rdonly, "a buffer from the other user");
	CHECK(INV_PERM, b->id == msg->id,
	      "a passed fd shows buffer id %llu, the sender's was %llu",
	      (unsigned long long)b->id, (unsigned long long)msg->id);
	pthread_mutex_unlock(&b->lock);
}

/* ---- one operation --------------------------------------------------------------- */

struct op {
	const char *name;
	unsigned int weight;
	void (*fn)(void);
};

static const struct op ops[] = {
	{ "alloc", 14, op_alloc },
	{ "bad_alloc", 4, op_bad_alloc },
	{ "dry_run", 2, op_dry_run },
	{ "info", 5, op_info },
	{ "stats", 3, op_stats },
	{ "sync", 5, op_sync },
	{ "bad_cmd", 1, op_bad_cmd },
	{ "mmap", 6, op_mmap },
	{ "write", 10, op_write },
	{ "read", 8, op_read },
	{ "munmap", 5, op_munmap },
	{ "mremap", 5, op_mremap },
	{ "madvise", 6, op_madvise },
	{ "dup_close", 8, op_dup_close },
	{ "fork", 2, op_fork },
	{ "xfer", 3, op_xfer },
};

#define NR_OPS ARRAY_SIZE(ops)

static atomic_ulong op_count[NR_OPS];

static void one_op(void)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < NR_OPS; i++)
		total += ops[i].weight;
	r = below(total);
	/* Nearly full: free more than we take. */
	if (used_slots() > nbufs * 3 / 4 && chance(2))
		r = 0xffffffff;
	opno++;
	if (opno <= NR_OPS + 1) {
		/* An ALLOC, then every operation once, whatever the clock. */
		i = opno == 1 ? 0 : (opno - 2 + tid) % NR_OPS;
		op_count[i]++;
		ops[i].fn();
		return;
	}
	if (r == 0xffffffff) {
		i = 13;		/* dup_close */
		op_count[i]++;
		ops[i].fn();
		return;
	}
	for (i = 0; i < NR_OPS; i++) {
		if (r < ops[i].weight)
			break;
		r -= ops[i].weight;
	}
	op_count[i]++;
	ops[i].fn();
}

/* ---- the second user ----------------------------------------------------------- */

static void peer_counts(struct msg *m)
{
	int i;

	pthread_mutex_lock(&shadow_lock);
	memcpy(m->held, held, sizeof(held));
	pthread_mutex_unlock(&shadow_lock);
	for (i = 0; i < NR_INV; i++) {
		m->checks[i] = checks[i];
		m->fails[i] = fails[i];
	}
	m->allocs = n_alloc_ok;
	m->quota = n_alloc_quota;
	m->eperm = n_eperm;
	m->xfer_in = n_xfer_in;
	m->xfer_out = n_xfer_out;
}

/* Returns 1 to go on, 0 to stop. */
static int peer_handle(struct msg *msg, int fd)
{
	struct msg out;
	int r;

	switch (msg->type) {
	case MSG_XFER:
		take_xfer(msg, fd);
		return 1;
	case MSG_CTL:
		ctl_other = fd;
		return 1;
	case MSG_PAUSE:
		memset(&out, 0, sizeof(out));
		out.type = MSG_PAUSED;
		peer_counts(&out);
		send_msg(&out, -1, 0);
		for (;;) {
			r = recv_msg(msg, &fd, 0);
			if (r <= 0)
				return 0;
			if (msg->type == MSG_RESUME)
				return 1;
			if (!peer_handle(msg, fd))
				return 0;
		}
	default:
		if (fd >= 0)
			close(fd);
		return 0;
	}
}

static void peer_main(void)
{
	struct msg msg;
	int fd, r, i, go = 1;
	struct contig_stats_data st;

	is_peer = 1;
	nbufs = PEER_MAXBUF;
	seed_thread(1000);
	if (setgid(NOBODY) || setuid(NOBODY)) {
		say("peer: cannot become uid %d: %s", NOBODY, strerror(errno));
		_exit(2);
	}
	ctl = open(DEV, O_RDWR | O_CLOEXEC);
	if (!CHECK(INV_PERM, ctl >= 0,
		   "uid %d cannot open " DEV " (mode 0666 for the run): %s",
		   NOBODY, strerror(errno)))
		go = 0;
	if (go && get_stats(&st))
		go = 0;
	while (go) {
		for (;;) {
			r = recv_msg(&msg, &fd, MSG_DONTWAIT);
			if (r < 0 && errno == EAGAIN)
				break;
			if (r <= 0 || !peer_handle(&msg, fd)) {
				go = 0;
				break;
			}
		}
		if (go)
			one_op();
	}
	if (ctl >= 0)
		xfer_one();
	for (i = 0; i < nbufs; i++)
		if (bufs[i].used)
			release_buf(&bufs[i]);
	memset(&msg, 0, sizeof(msg));
	msg.type = MSG_DONE;
	peer_counts(&msg);
	send_msg(&msg, -1, 0);
	_exit(0);
}

/* ---- root: threads, the peer's reader, checkpoints ------------------------------- */

static atomic_int stop, pause_req;
static int nthreads = 3, paused;
static pthread_mutex_t pause_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pause_cond = PTHREAD_COND_INITIALIZER;
static struct msg peer_paused, peer_done;
static int got_paused, got_done;

static void maybe_pause(void)
{
	if (!pause_req)
		return;
	pthread_mutex_lock(&pause_lock);
	paused++;
	pthread_cond_broadcast(&pause_cond);
	while (pause_req)
		pthread_cond_wait(&pause_cond, &pause_lock);
	paused--;
	pthread_mutex_unlock(&pause_lock);
}

static void *worker(void *arg)
{
	seed_thread((int)(intptr_t)arg);
	/* At least the round of every operation (one_op()), however slow. */
	while (!stop || opno <= NR_OPS + 1) {
		maybe_pause();
		one_op();
	}
	return NULL;
}

static void *peer_reader(void *arg)
{
	struct msg msg;
	int fd, r;

	seed_thread(999);
	for (;;) {
		r = recv_msg(&msg, &fd, 0);
		if (r <= 0)
			break;
		if (msg.type == MSG_XFER) {
			take_xfer(&msg, fd);
			continue;
		}
		if (fd >= 0)
			close(fd);
		pthread_mutex_lock(&pause_lock);
		if (msg.type == MSG_PAUSED) {
			peer_paused = msg;
			got_paused = 1;
		} else if (msg.type == MSG_DONE) {
			peer_done = msg;
			got_done = 1;
		}
		pthread_cond_broadcast(&pause_cond);
		pthread_mutex_unlock(&pause_lock);
	}
	return NULL;
}

/* Wait on pause_cond (pause_lock held) until @cond or @secs pass. */
#define WAIT_FOR(cond, secs) ({						\
	struct timespec __t;						\
	clock_gettime(CLOCK_REALTIME, &__t);				\
	__t.tv_sec += (secs);						\
	while (!(cond) &&						\
	       pthread_cond_timedwait(&pause_cond, &pause_lock, &__t) != ETIMEDOUT) \
		;							\
	(cond);								\
})

static struct contig_stats_data base;

static uint64_t read_arena_bytes(void)
{
	FILE *f = fopen("/sys/module/contig/parameters/max_bytes_per_user", "r");
	unsigned long long q = 0;
	uint64_t a = 1;

	if (f) {
		if (fscanf(f, "%llu", &q) != 1)
			q = 0;
		fclose(f);
	}
	if (!q)
		return 0;
	while (a < q)
		a <<= 1;
	return a;
}
static int peer_alive;
static unsigned int nr_checkpoints;

/* Everyone paused: STATS must be exactly the start plus what both hold. */
static void checkpoint(void)
{
	struct contig_stats_data st;
	struct msg pm;
	int k, ok, have_peer = 0, ret;
	struct msg ask = { .type = MSG_PAUSE };
	uint64_t used, used0, fixed, arena;

	pthread_mutex_lock(&pause_lock);
	pause_req = 1;
	/* After the run the threads are gone: nothing to wait for. */
	ok = stop || WAIT_FOR(paused == nthreads, 60);
	pthread_mutex_unlock(&pause_lock);
	if (!ok) {
		say("checkpoint: threads did not pause in 60 s");
		goto resume;
	}
	if (peer_alive) {
		pthread_mutex_lock(&pause_lock);
		got_paused = 0;
		pthread_mutex_unlock(&pause_lock);
		if (!send_msg(&ask, -1, 0)) {
			pthread_mutex_lock(&pause_lock);
			have_peer = WAIT_FOR(got_paused, 30);
			pm = peer_paused;
			pthread_mutex_unlock(&pause_lock);
		}
		if (!CHECK(INV_CHILD, have_peer, "the second user did not answer PAUSE"))
			peer_alive = 0;
	}
	if (!have_peer)
		goto resume;
	/* Quarantined memory is not held by anyone: let it drain. */
	for (k = 0; k < 100; k++) {
		ret = get_stats_settled(&st);
		if (ret || !st.quarantined)
			break;
		usleep(20000);
	}
	nr_checkpoints++;
	ok = !ret;
	for (k = 0; k < CONTIG_NR_KINDS && ok; k++)
		ok = st.kinds[k].bytes == base.kinds[k].bytes + held[k].bytes +
			pm.held[k].bytes &&
		     st.kinds[k].buffers == base.kinds[k].buffers +
			held[k].buffers + pm.held[k].buffers;
	CHECK(INV_STATS, ok,
	      "checkpoint %u: STATS kinds bytes/buffers %llu/%llu %llu/%llu %llu/%llu, want start + root + peer = %llu/%llu %llu/%llu %llu/%llu",
	      nr_checkpoints,
	      (unsigned long long)st.kinds[0].bytes, (unsigned long long)st.kinds[0].buffers,
	      (unsigned long long)st.kinds[1].bytes, (unsigned long long)st.kinds[1].buffers,
	      (unsigned long long)st.kinds[2].bytes, (unsigned long long)st.kinds[2].buffers,
	      (unsigned long long)(base.kinds[0].bytes + held[0].bytes + pm.held[0].bytes),
	      (unsigned long long)(base.kinds[0].buffers + held[0].buffers + pm.held[0].buffers),
	      (unsigned long long)(base.kinds[1].bytes + held[1].bytes + pm.held[1].bytes),
	      (unsigned long long)(base.kinds[1].buffers + held[1].buffers + pm.held[1].buffers),
	      (unsigned long long)(base.kinds[2].bytes + held[2].bytes + pm.held[2].bytes),
	      (unsigned long long)(base.kinds[2].buffers + held[2].buffers + pm.held[2].buffers));
	/*
	 * Frames: used = region - free - quarantined - lent is the start's
	 * plus the CONTIGUOUS and SG bytes, plus the MOVABLE pages still in
	 * the region (between none and all of them).
	 */
	/* Lent frames are the kernel's, not used by contig (lend=1). */
	used = st.region_size - st.free - st.quarantined - st.lent_bytes;
	used0 = base.region_size - base.free - base.quarantined -
		base.lent_bytes;
	fixed = st.kinds[CONTIG_KIND_CONTIGUOUS].bytes +
		st.kinds[CONTIG_KIND_SG].bytes -
		base.kinds[CONTIG_KIND_CONTIGUOUS].bytes -
		base.kinds[CONTIG_KIND_SG].bytes;
	/* The second user's arena, while it may exist, is used frames too. */
	arena = pm.held[CONTIG_KIND_CONTIGUOUS].buffers +
		pm.held[CONTIG_KIND_SG].buffers || st.quarantined ?
		arena_bytes : 0;
	CHECK(INV_STATS, !base.kinds[CONTIG_KIND_MOVABLE].buffers ?
	      used >= used0 + fixed &&
	      used <= used0 + fixed + st.kinds[CONTIG_KIND_MOVABLE].bytes +
		      arena : 1,
	      "checkpoint %u: %llu bytes of the region used (free %llu, quarantined %llu), want %llu at the start + %llu CONTIGUOUS/SG + up to %llu MOVABLE + up to %llu of the second user's arena",
	      nr_checkpoints, (unsigned long long)used,
	      (unsigned long long)st.free, (unsigned long long)st.quarantined,
	      (unsigned long long)used0, (unsigned long long)fixed,
	      (unsigned long long)st.kinds[CONTIG_KIND_MOVABLE].bytes,
	      (unsigned long long)arena);
resume:
	if (have_peer) {
		struct msg go = { .type = MSG_RESUME };

		send_msg(&go, -1, 0);
	}
	pthread_mutex_lock(&pause_lock);
	pause_req = 0;
	pthread_cond_broadcast(&pause_cond);
	pthread_mutex_unlock(&pause_lock);
}

#define MAXFD	4096
static unsigned char fd_at_start[MAXFD];

/* How many fds are open; @mark: remember which, as the start's. */
static int count_fds(int mark)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0, fd;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(d))
			continue;
		n++;
		if (mark && fd >= 0 && fd < MAXFD)
			fd_at_start[fd] = 1;
	}
	closedir(d);
	return n;
}

/*
 * An fd open now that was not at the start: what it is (INFO of a
 * buffer) and the last events of its buffer id, or of its number.
 */
static void name_new_fds(void)
{
	char path[64], target[128], line[480];
	struct contig_info_data in;
	unsigned int n = nr_ev, k, shown;
	int fd, len;
	ssize_t t;

	for (fd = 0; fd < MAXFD; fd++) {
		if (fd_at_start[fd] || fd == ctl)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		t = readlink(path, target, sizeof(target) - 1);
		if (t < 0)
			continue;
		target[t] = 0;
		memset(&in, 0, sizeof(in));
		in.fd = fd;
		if (xioctl(ctl, CONTIG_IOCTL_INFO, &in))
			in.id = 0;
		say("fd %d left open: %s, buffer id %llu kind %u size %llu",
		    fd, target, (unsigned long long)in.id, in.kind,
		    (unsigned long long)in.size);
		len = 0;
		shown = 0;
		/* Newest first, of this buffer (or of this fd number). */
		for (k = 0; k < n && k < NR_EV && shown < 8; k++) {
			const struct ev *e = &evlog[(n - 1 - k) % NR_EV];

			if (in.id ? e->id != in.id : e->fd != fd && e->fd2 != fd)
				continue;
			shown++;
			len += snprintf(line + len, sizeof(line) - len,
					"%s t%d#%llu %s fd %d/%d", shown > 1 ? "," : "",
					e->tid, e->opno, ev_name[e->what], e->fd, e->fd2);
			if (len >= (int)sizeof(line))
				break;
		}
		say("  its last events, newest first:%s", shown ? line : " none");
	}
}

static int stats_same(const struct contig_stats_data *a,
		      const struct contig_stats_data *b)
{
	return a->free == b->free && a->largest_free == b->largest_free &&
	       a->quarantined == b->quarantined &&
	       !memcmp(a->kinds, b->kinds, sizeof(a->kinds));
}

static int dev_mode(mode_t mode)
{
	return chmod(DEV, mode) ? -errno : 0;
}

/* After the run, /dev/contig back to 0600: uid 65534 is refused by it. */
static int nobody_refused(void)
{
	int status, fd;
	pid_t pid = fork();

	if (!pid) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		fd = open(DEV, O_RDWR);
		_exit(fd < 0 && errno == EACCES ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

static int lent_run;	/* contig lends its region (lend=1) */
static int want_lent;	/* --lent: it must */

/* A number of debugfs lend ("windows_taken: %lld"), or -1. */
static long long lend_stat(const char *fmt)
{
	FILE *f = fopen("/sys/kernel/debug/contig/lend", "r");
	char line[128];
	long long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* contig.ko's reserve= (bytes of taken memory kept zeroed): 0 or -1. */
static int set_reserve(const char *bytes)
{
	int fd = open("/sys/module/contig/parameters/reserve", O_WRONLY);
	int ret = fd >= 0 && write(fd, bytes, strlen(bytes)) > 0 ? 0 : -1;

	if (fd >= 0)
		close(fd);
	return ret;
}

/* `contigctl lend` (the selftests' copy): exit status, or -1. */
static void usage(const char *me)
{
	fprintf(stderr, "usage: %s [--seed N] [--seconds S] [--threads T] [--lent]\n", me);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
	unsigned int seconds = 20, i, k;
	pthread_t th[MAXTHREADS], reader;
	struct contig_stats_data st;
	int sv[2], fds0, fds1, status, ok, have_seed = 0;
	long long takes0, takes1;
	struct timespec t0, now;
	pid_t peer = -1;
	char line[128] = "";
	FILE *f;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < (unsigned int)argc) {
			seed = strtoull(argv[++i], NULL, 0);
			have_seed = 1;
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < (unsigned int)argc) {
			seconds = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--threads") && i + 1 < (unsigned int)argc) {
			nthreads = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--lent")) {
			want_lent = 1;
		} else {
			usage(argv[0]);
		}
	}
	if (nthreads < 1 || nthreads > MAXTHREADS)
		usage(argv[0]);
	if (!have_seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = time(NULL) ^ ((uint64_t)getpid() << 32);
	seed_thread(0);

	ktap_header(2 + NR_INV + 3);
	say("fuzz_test --seed %llu --seconds %u --threads %d", (unsigned long long)seed,
	    seconds, nthreads);
	say("replay: the same arguments; each thread's operation sequence follows from the seed, the interleaving of threads does not");
	root_pid = getpid();
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < MAXBUF; i++) {
		pthread_mutex_init(&bufs[i].lock, NULL);
		bufs[i].fd = -1;
		bufs[i].fd2 = -1;
	}

	/* ---- preconditions ---- */
	ctl = open(DEV, O_RDWR | O_CLOEXEC);
	ok = ctl >= 0 && !get_stats(&base) && base.region_size;
	/*
	 * lend=1: the lent block online (contigctl lend), and nothing taken
	 * when the start is counted; the fuzzer's own processes' memory then
	 * lives in it too, and moves out under them as requests take it.
	 */
	if (ok && base.lent_bytes) {
		lent_run = 1;
		ok = !run_contigctl_lend();
	}
	ok = ok && lent_run == want_lent;
	takes0 = lend_stat("windows_taken: %lld");
	if (ok) {
		struct contig_alloc_data a = { .size = PG, .kind = CONTIG_KIND_CONTIGUOUS,
					       .fd_flags = O_RDWR };
		struct contig_chunk ch = { 0 };
		struct contig_info_data in = { .chunks = (uintptr_t)&ch, .chunks_cap = 1 };

		ok = !xioctl(ctl, CONTIG_IOCTL_ALLOC, &a);
		in.fd = a.fd;
		ok = ok && !xioctl(ctl, CONTIG_IOCTL_INFO, &in) && ch.phys && ch.size == PG;
		if (a.fd > 0)
			close(a.fd);
	}
	region_size = base.region_size;
	arena_bytes = read_arena_bytes();
	f = fopen("/sys/kernel/debug/contig/buffers", "r");
	if (f && fgets(line, sizeof(line), f))
		pfn_mode = !!strstr(line, "pfn");
	if (f)
		fclose(f);
	lend_settle();
	usleep(100000);
	get_stats_settled(&base);
	/*
	 * --lent: a zeroed reserve too (set once the start is counted), so
	 * that requests are also served from it, their fresh memory checked
	 * as every buffer's is; given back before the end is counted.
	 */
	if (ok && want_lent)
		ok = !set_reserve("33554432");
	if (!ktap_check(ok && !dev_mode(0666),
			"fuzz: root opens " DEV ", allocates, reads chunk addresses; " DEV " made 0666 (region %llu bytes, %s%s)",
			(unsigned long long)region_size,
			pfn_mode ? "PFN maps" : "struct-page maps",
			lent_run ? ", lent to the kernel and onlined" : "")) {
		while (ktap_num < 2 + NR_INV + 3)
			ktap_check(0, "fuzz: not run, preconditions failed");
		return ktap_finish();
	}
	fds0 = count_fds(1);

	/* ---- the second user ---- */
	if (!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		fflush(stdout);
		peer = fork();
		if (peer == 0) {
			close(sv[0]);
			close(ctl);
			xsock = sv[1];
			peer_main();
		}
		close(sv[1]);
		xsock = sv[0];
		peer_alive = peer > 0;
	}
	if (peer_alive) {
		struct msg m = { .type = MSG_CTL };

		send_msg(&m, ctl, 0);
		pthread_create(&reader, NULL, peer_reader, NULL);
	}

	/* ---- the fuzz ---- */
	alarm(seconds + 300);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < (unsigned int)nthreads; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)(i + 1));
	for (;;) {
		unsigned int el;

		sleep(1);
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = now.tv_sec - t0.tv_sec;
		if (el >= seconds)
			break;
		if (el % 4 == 3)
			checkpoint();
	}
	stop = 1;
	for (i = 0; i < (unsigned int)nthreads; i++)
		pthread_join(th[i], NULL);
	checkpoint();	/* and the last, with the threads gone */

	/* ---- the end ---- */
	if (peer_alive) {
		struct msg m = { .type = MSG_STOP };

		xfer_one();

		send_msg(&m, -1, 0);
		pthread_mutex_lock(&pause_lock);
		WAIT_FOR(got_done, 60);
		pthread_mutex_unlock(&pause_lock);
		waitpid(peer, &status, 0);
		shutdown(xsock, SHUT_RDWR);
		pthread_join(reader, NULL);
		CHECK(INV_CHILD, got_done && WIFEXITED(status) && !WEXITSTATUS(status),
		      "the second user ended with status %#x%s", status,
		      got_done ? "" : " without reporting");
		if (got_done)
			for (k = 0; k < NR_INV; k++) {
				checks[k] += peer_done.checks[k];
				fails[k] += peer_done.fails[k];
			}
	}
	close(xsock);
	for (i = 0; i < MAXBUF; i++)
		if (bufs[i].used)
			release_buf(&bufs[i]);

	say("operations (all users' threads of root):");
	for (i = 0; i < NR_OPS; i++)
		say("  %-10s %lu", ops[i].name, (unsigned long)op_count[i]);
	say("root: %lu allocated, %lu ENOMEM, %lu EDQUOT, %lu forks, %lu fds sent, %lu received; %u checkpoints",
	    (unsigned long)n_alloc_ok, (unsigned long)n_alloc_nomem,
	    (unsigned long)n_alloc_quota, (unsigned long)n_forks,
	    (unsigned long)n_xfer_out, (unsigned long)n_xfer_in, nr_checkpoints);
	if (got_done)
		say("second user (uid %d): %lu allocated, %lu EDQUOT, %lu fds received, %lu sent",
		    NOBODY, peer_done.allocs, peer_done.quota, peer_done.xfer_in,
		    peer_done.xfer_out);

	ok = 1;
	for (i = 0; i < NR_OPS; i++)
		ok &= op_count[i] > 0;
	/* --lent: and requests took memory back from the kernel. */
	takes1 = lend_stat("windows_taken: %lld");
	if (want_lent) {
		ktap_print("fuzz: %lld requests served from the zeroed reserve",
			   lend_stat("reserve_hits: %lld"));
		set_reserve("0");
	}
	ktap_check(ok && n_alloc_ok && n_forks && n_xfer_out &&
		   nr_checkpoints >= (seconds >= 4 ? 2U : 1U) &&
		   (!want_lent || takes1 > takes0),
		   "fuzz: every operation ran, buffers were allocated, forked over, passed and checkpointed%s (seed %llu)",
		   want_lent ? ", lent memory was taken back" : "",
		   (unsigned long long)seed);
	/* The second user: it allocated, took root's fds and sent its own. */
	CHECK(INV_PERM, got_done && peer_done.allocs + peer_done.quota > 0 &&
	      peer_done.xfer_in > 0 && peer_done.xfer_out > 0 &&
	      peer_done.checks[INV_PERM] > 0,
	      "the second user allocated %lu (EDQUOT %lu), received %lu, sent %lu",
	      got_done ? peer_done.allocs : 0, got_done ? peer_done.quota : 0,
	      got_done ? peer_done.xfer_in : 0, got_done ? peer_done.xfer_out : 0);
	for (k = 0; k < NR_INV; k++)
		ktap_check(!fails[k] && checks[k] > 0, "fuzz: %s (%lu checks, %lu failed; seed %llu)",
			   inv_name[k], (unsigned long)checks[k],
			   (unsigned long)fails[k], (unsigned long long)seed);

	fds1 = count_fds(0);
	if (fds1 != fds0)
		name_new_fds();
	ktap_check(fds1 == fds0, "fuzz: the fd table is back to where it started (%d fds, %d at the start)",
		   fds1, fds0);
	/* lend=1: taken frames go back no sooner than 2 s after a take. */
	for (i = 0; i < (lent_run ? 600 : 150); i++) {
		get_stats_settled(&st);
		if (stats_same(&st, &base))
			break;
		usleep(20000);
	}
	ktap_check(stats_same(&st, &base) && st.allocs - st.frees == base.allocs - base.frees,
		   "fuzz: STATS are back to where they started (free %llu, was %llu; quarantined %llu)",
		   (unsigned long long)st.free, (unsigned long long)base.free,
		   (unsigned long long)st.quarantined);
	ok = !dev_mode(0600);
	ktap_check(ok && nobody_refused(),
		   "fuzz: " DEV " is 0600 again, and uid %d is refused by its mode", NOBODY);
	close(ctl);
	return ktap_finish();
}
