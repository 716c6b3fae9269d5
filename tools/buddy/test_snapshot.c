// SPDX-License-Identifier: GPL-2.0
/*
 * test_snapshot - contig_buddy_get_owners(), and what it does under the
 * lock.
 *
 *   test_snapshot [SEED]
 *
 * For regions from 1 frame to 262144 (1 GiB of 4 KiB pages), sized around
 * multiples of CONTIG_BUDDY_SNAPSHOT_BATCH, lays out a seeded random mix
 * of allocations of every owner, then snapshots the whole region, windows
 * clipped at its end, windows past it, and random windows, and checks:
 *
 *   - each byte is contig_buddy_owner() of its frame, and nothing outside
 *     the window clipped to the region is written;
 *   - through the shim's lock hook (kshim.h, KSHIM_LOCK_HOOKS): no byte is
 *     written while b->lock is free, no single hold of the lock writes
 *     more than CONTIG_BUDDY_SNAPSHOT_BATCH bytes, and a window takes
 *     exactly DIV_ROUND_UP(frames, CONTIG_BUDDY_SNAPSHOT_BATCH) holds: the
 *     longest section with interrupts off is one batch, whatever the size
 *     of the window;
 *   - with the layout changed after every hold (the hook frees, allocates
 *     and re-owns frames each time the lock is dropped), each batch still
 *     equals the owners its frames had while it was copied: the snapshot
 *     is consistent per batch.
 *
 * Prints one line per region and exits 1 at the first failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kshim.h"
#include "rng.h"
#include "buddy_core.h"

#define BATCH		CONTIG_BUDDY_SNAPSHOT_BATCH
#define SENTINEL	0xee	/* no owner has this value */
#define GUARD		64	/* bytes checked past the clipped window */

static unsigned long seed;
static void __printf(1, 2) __attribute__((noreturn))
fail(const char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "test_snapshot: seed %lu: ", seed);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	exit(1);
}

/* The allocations of the layout, by first frame. */
static struct contig_buddy buddy;
static long *held;
static unsigned long nr_held;

static const enum contig_owner owners_used[] = {
	CONTIG_OWNER_UNMOVABLE, CONTIG_OWNER_MOVABLE, CONTIG_OWNER_PINNED,
	CONTIG_OWNER_SLAB,
};

static void alloc_one(unsigned long max)
{
	enum contig_owner owner = owners_used[rng() % 4];
	unsigned long nr = 1 + rng() % max;
	long f;

	if (nr > buddy.nr_frames)
		nr = buddy.nr_frames;
	f = contig_buddy_alloc(&buddy, nr, 1,
			       owner == CONTIG_OWNER_PINNED ?
			       CONTIG_OWNER_MOVABLE : owner,
			       CONTIG_POLICY_DEFAULT, 0);
	if (f < 0)
		return;
	if (owner == CONTIG_OWNER_PINNED &&
	    contig_buddy_set_owner(&buddy, f, owner))
		fail("set_owner %ld refused", f);
	held[nr_held++] = f;
}

static void free_one(void)
{
	unsigned long i = rng() % nr_held;

	if (contig_buddy_free(&buddy, held[i]))
		fail("free %ld refused", held[i]);
	held[i] = held[--nr_held];
}

/* One change of the layout: free, allocate, or pin/unpin. */
static void mutate(void)
{
	unsigned int op = rng() % 3;

	if (op == 0 && nr_held) {
		free_one();
	} else if (op == 1 || !nr_held) {
		alloc_one(64);
	} else {
		long f = held[rng() % nr_held];
		enum contig_owner o = contig_buddy_owner(&buddy, f);

		if (o == CONTIG_OWNER_MOVABLE || o == CONTIG_OWNER_PINNED)
			contig_buddy_set_owner(&buddy, f,
					       o == CONTIG_OWNER_MOVABLE ?
					       CONTIG_OWNER_PINNED :
					       CONTIG_OWNER_MOVABLE);
	}
}

static void layout(unsigned long n)
{
	unsigned long tries;

	held = calloc(n + 1024, sizeof(*held));
	if (!held || contig_buddy_init(&buddy, n, CONTIG_POLICY_FIRST_FIT))
		fail("init of %lu frames failed", n);
	buddy.quiet = true;
	nr_held = 0;
	for (tries = 0; buddy.free_frames > n / 3 && tries < 4 * n; tries++) {
		alloc_one(rng() % 4 ? 8 : 600);
		if (nr_held && rng() % 3 == 0)
			free_one();
	}
}

static void unlayout(void)
{
	char why[160];

	if (contig_buddy_check(&buddy, why, sizeof(why)))
		fail("%s", why);
	while (nr_held)
		free_one();
	contig_buddy_fini(&buddy);
	free(held);
}

/* What the lock hook watches during one contig_buddy_get_owners(). */
struct watch {
	bool active, mutate, in_hook;
	u8 *buf;		/* the window's bytes */
	bool *seen;		/* bytes already checked against the buddy */
	unsigned long start, len;	/* the window clipped to the region */
	unsigned long written;	/* bytes written as of the last hook */
	unsigned long holds;	/* holds of the lock so far */
};

static struct watch w;
static unsigned long max_hold;	/* most bytes written in one hold */

static unsigned long count_written(void)
{
	unsigned long i, n = 0;

	for (i = 0; i < w.len; i++)
		n += w.buf[i] != SENTINEL;
	return n;
}

static void hook(spinlock_t *l, bool locked)
{
	unsigned long now, i;

	if (!w.active || w.in_hook || l != &buddy.lock)
		return;
	w.in_hook = true;
	now = count_written();
	if (locked) {
		if (now != w.written)
			fail("%lu bytes written without the lock",
			     now - w.written);
		w.holds++;
	} else {
		if (now - w.written > max_hold)
			max_hold = now - w.written;
		if (now - w.written > BATCH)
			fail("one hold of the lock copied %lu frames, batch %lu",
			     now - w.written, (unsigned long)BATCH);
		w.written = now;
		/* The batch just copied, against the owners it saw. */
		for (i = 0; w.mutate && i < w.len; i++) {
			if (w.seen[i] || w.buf[i] == SENTINEL)
				continue;
			if (w.buf[i] != contig_buddy_owner(&buddy, w.start + i))
				fail("frame %lu: owner %u in the snapshot, %u in the buddy",
				     w.start + i, w.buf[i],
				     contig_buddy_owner(&buddy, w.start + i));
			w.seen[i] = true;
		}
		if (w.mutate)
			mutate();
	}
	w.in_hook = false;
}

/*
 * Snapshot [start, start + nr) and check it; with @change, change the
 * layout each time the lock is dropped.
 */
static void snapshot(unsigned long start, unsigned long nr, bool change)
{
	unsigned long n = buddy.nr_frames, i, len, holds;
	bool *seen;
	u8 *buf;

	len = start >= n ? 0 : nr > n - start ? n - start : nr;
	buf = malloc(len + GUARD);
	seen = calloc(len + 1, sizeof(*seen));
	if (!buf || !seen)
		fail("out of memory");
	memset(buf, SENTINEL, len + GUARD);
	w = (struct watch){ .active = true, .mutate = change, .buf = buf,
			    .seen = seen, .start = start, .len = len };

	contig_buddy_get_owners(&buddy, start, nr, buf);
	w.active = false;

	for (i = len; i < len + GUARD; i++)
		if (buf[i] != SENTINEL)
			fail("%lu+%lu: byte %lu written past the region (%lu frames)",
			     start, nr, i, n);
	if (count_written() != w.written)
		fail("%lu+%lu: bytes written after the last unlock", start, nr);
	for (i = 0; !change && i < len; i++)
		if (buf[i] != contig_buddy_owner(&buddy, start + i))
			fail("%lu+%lu: frame %lu: owner %u in the snapshot, %u in the buddy",
			     start, nr, start + i, buf[i],
			     contig_buddy_owner(&buddy, start + i));
	for (i = 0; change && i < len; i++)
		if (!w.seen[i])
			fail("%lu+%lu: frame %lu never copied", start, nr,
			     start + i);
	holds = (len + BATCH - 1) / BATCH;
	if (w.holds != holds)
		fail("%lu+%lu: %lu holds of the lock for %lu frames, want %lu",
		     start, nr, w.holds, len, holds);
	free(seen);
	free(buf);
}

int main(int argc, char **argv)
{
	static const unsigned long sizes[] = {
		1, 2, 100, BATCH - 1, BATCH, BATCH + 1, 3 * BATCH + 17,
		65536, 262144,
	};
	unsigned int s, k;

	seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	rng_state = seed;
	kshim_lock_hook = hook;
	printf("test_snapshot: seed %lu, batch %lu frames\n", seed,
	       (unsigned long)BATCH);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned long n = sizes[s];

		layout(n);
		max_hold = 0;
		snapshot(0, n, false);
		snapshot(0, n, true);
		snapshot(0, n + 1000, false);
		snapshot(n - 1, 5, false);
		snapshot(n, 10, false);
		snapshot(n + 7, 10, false);
		snapshot(rng() % n, 0, false);
		for (k = 0; k < 40; k++) {
			unsigned long start = rng() % n;
			unsigned long nr = 1 + rng() % (3 * BATCH + 100);

			snapshot(start, nr, k & 1);
		}
		printf("test_snapshot: %lu frames, %lu allocations: ok, at most %lu frames per hold\n",
		       n, nr_held, max_hold);
		unlayout();
	}
	return 0;
}
