// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_buddy.c - libFuzzer target: the buddy against its model.
 *
 * The input is a program.  Its first bytes choose a region (1..4096
 * frames, powers of two favoured) and a default policy; the rest is a
 * stream of operations - allocations of every size class with random
 * alignment, owner, policy and flags (invalid ones included), frees of
 * live allocations, frees of arbitrary frames, range claims, owner
 * changes, queries, and background zeroing of free frames.  Beside the
 * model, the fuzzer keeps what each frame holds: zero bytes, or data
 * (every frame at first, and every frame once allocated: its holder
 * writes to it).  After every operation:
 *
 *   - the return value must be the one the model (model.c) predicts:
 *     the exact frame for a successful allocation under every policy,
 *     -ENOMEM exactly when no free block is large enough, -EINVAL exactly
 *     for invalid calls, -EBUSY exactly when a claimed range is not free;
 *   - contig_buddy_zero_next() must clear exactly the first free frame
 *     of its range that holds data, and every allocation must report as
 *     zeroed exactly the frames from its first on that hold zero bytes;
 *   - contig_buddy_check() must pass;
 *   - the buddy's counters, per-order free blocks and per-frame owners and
 *     sizes must equal the model's, and its count of zeroed free frames
 *     the free frames that hold zero bytes.
 *
 * Any difference aborts with a message, which libFuzzer (or fuzz_main.c's
 * standalone driver) reports as a crash with the input that caused it.
 */
#include "kshim.h"
#include "buddy_core.h"
#include "model.h"
#include "fuzz_buddy.h"

struct input {
	const u8 *d;
	size_t n, i;
};

static bool more(const struct input *in)
{
	return in->i < in->n;
}

static unsigned int get8(struct input *in)
{
	return in->i < in->n ? in->d[in->i++] : 0;
}

static unsigned int get16(struct input *in)
{
	return get8(in) << 8 | get8(in);
}

static void fail(const char *op, const char *why)
{
	fprintf(stderr, "fuzz_buddy: %s: %s\n", op, why);
	abort();
}

/* Per frame: 1 when it may hold data, 0 when it holds only zero bytes. */
static u8 *dirty;

/*
 * The checker and every frame after every operation; the stats (which
 * merge the stash back, in the buddy and in the model) when @stats.
 */
static void verify(struct contig_buddy *b, struct model *m, const char *op,
		   bool stats)
{
	struct contig_buddy_stats st;
	unsigned long i, zeroed = 0;
	char why[160];

	if (contig_buddy_check(b, why, sizeof(why)))
		fail(op, why);
	model_update(m);
	if (model_compare_frames(m, b, why, sizeof(why)))
		fail(op, why);
	if (!stats)
		return;
	if (model_compare(m, b, why, sizeof(why)))
		fail(op, why);
	for (i = 0; i < m->n; i++)
		zeroed += m->owner[i] == CONTIG_OWNER_FREE && !dirty[i];
	contig_buddy_get_stats(b, &st);
	if (st.zeroed_frames != zeroed) {
		snprintf(why, sizeof(why), "%lu zeroed free frames, %lu hold zeros",
			 st.zeroed_frames, zeroed);
		fail(op, why);
	}
}

/*
 * The frames of a new allocation: the first @zeroed must hold zero
 * bytes, and the next one data (unless there is none); then the holder
 * writes to them all.
 */
static void use_frames(const char *op, unsigned long start, unsigned long nr,
		       unsigned long zeroed)
{
	unsigned long i, want = 0;

	while (want < nr && !dirty[start + want])
		want++;
	if (zeroed != want) {
		char why[160];

		snprintf(why, sizeof(why), "%lu+%lu: %lu reported zeroed, %lu hold zeros",
			 start, nr, zeroed, want);
		fail(op, why);
	}
	fuzz_stats[FUZZ_ZEROED_USED] += zeroed;
	for (i = 0; i < nr; i++)
		dirty[start + i] = 1;
}

static void clear_frame(void *arg, unsigned long frame)
{
	dirty[frame] = 0;
}

#define EXPECT(op, cond, ...)					\
	do {							\
		if (!(cond)) {					\
			char _w[160];				\
			snprintf(_w, sizeof(_w), __VA_ARGS__);	\
			fail(op, _w);				\
		}						\
	} while (0)

/* What the inputs exercised, for the drivers' summaries. */
unsigned long fuzz_stats[FUZZ_NR_STATS];

struct live {
	unsigned long *start;
	unsigned long nr;
};

static void live_remove(struct live *l, unsigned long idx)
{
	l->start[idx] = l->start[--l->nr];
}

static void op_alloc(struct input *in, struct contig_buddy *b,
		     struct model *m, struct live *l)
{
	unsigned int s = get8(in), a = get8(in), f = get8(in), c = get8(in);
	unsigned long nr, align;
	unsigned int flags = 0;
	int owner, policy, valid;
	unsigned long zeroed = ~0UL;
	unsigned int stashed;
	long ret, want;

	switch (s >> 6) {
	case 0:
		nr = 1 + s % 16;
		break;
	case 1:
		nr = 1 + get8(in);
		break;
	case 2:
		nr = 1 + get16(in) % m->n;
		break;
	default:
		switch (s % 6) {
		case 0:
			nr = 0;
			break;
		case 1:
			nr = m->n;
			break;
		case 2:
			nr = m->n + 1;
			break;
		case 3:
			nr = 1UL << m->max_order;
			break;
		case 4:
			nr = (1UL << m->max_order) + 1;
			break;
		default:
			nr = ~0UL - s;
			break;
		}
	}
	if (a & 0x80)
		align = 1;
	else if (a == 0x7f)
		align = 3;
	else if (a == 0x7e)
		align = 0;
	else
		align = 1UL << (a % (m->max_order + 2));
	owner = f >= 250 ? (f & 1) * CONTIG_NR_OWNERS : 1 + f % 4;
	policy = (f >> 2) % 5;
	if (f & 0x20)
		flags |= CONTIG_BUDDY_TOPDOWN;
	if (f & 0x40)
		flags |= CONTIG_BUDDY_BOTTOMUP;
	if (f & 0x80)
		flags |= CONTIG_BUDDY_ATOMIC;
	if (f == 0xf7)
		flags |= 0x100;
	if (c & 1)
		flags |= CONTIG_BUDDY_CACHED;

	valid = model_alloc_valid(m, nr, align, owner, policy, flags);
	if (a & 0x40)
		ret = contig_buddy_alloc(b, nr, align, owner, policy, flags);
	else
		ret = contig_buddy_alloc_zeroed(b, nr, align, owner, policy,
						flags, &zeroed);
	fuzz_stats[ret >= 0 ? FUZZ_ALLOC_OK : ret == -ENOMEM ?
		   FUZZ_ALLOC_NOMEM : FUZZ_EINVAL]++;
	if (valid) {
		EXPECT("alloc", ret == -EINVAL,
		       "nr %lu align %lu owner %d policy %d flags %#x: %ld, want -EINVAL",
		       nr, align, owner, policy, flags, ret);
		return;
	}
	stashed = model_stashed(m);
	want = model_place(m, nr, align, owner, policy, flags);
	if (want >= 0 && model_stashed(m) == stashed - 1)
		fuzz_stats[FUZZ_STASH_HITS]++;
	EXPECT("alloc", want < 0 ? ret == -ENOMEM : ret == want,
	       "nr %lu align %lu owner %d policy %d flags %#x: %ld, model says %ld",
	       nr, align, owner, policy, flags, ret, want);
	if (ret >= 0) {
		EXPECT("alloc", !!(a & 0x40) == (zeroed == ~0UL),
		       "zeroed %lu written by the plain call", zeroed);
		if (zeroed == ~0UL)
			memset(dirty + ret, 1, nr);
		else
			use_frames("alloc_zeroed", ret, nr, zeroed);
		model_mark(m, ret, nr, owner);
		l->start[l->nr++] = ret;
	}
}

static void op_free_live(struct input *in, struct contig_buddy *b,
			 struct model *m, struct live *l)
{
	unsigned long idx, frame;
	unsigned int stashed;
	bool cached;
	int ret;

	if (!l->nr)
		return;
	idx = get16(in);
	cached = idx & 1;
	idx = (idx >> 1) % l->nr;
	frame = l->start[idx];
	ret = cached ? contig_buddy_free_cached(b, frame) :
		       contig_buddy_free(b, frame);
	fuzz_stats[FUZZ_FREE_OK]++;
	EXPECT("free", !ret, "frame %lu: %d", frame, ret);
	if (cached) {
		stashed = model_stashed(m);
		model_unmark_cached(m, frame);
		if (model_stashed(m) > stashed)
			fuzz_stats[FUZZ_STASHED]++;
	}
	else
		model_unmark(m, frame);
	live_remove(l, idx);
}

static void op_free_any(struct input *in, struct contig_buddy *b,
			struct model *m, struct live *l)
{
	unsigned long frame = get16(in) % (m->n + 2), i;
	int ret = contig_buddy_free(b, frame);

	fuzz_stats[ret ? FUZZ_EINVAL : FUZZ_FREE_OK]++;
	if (frame < m->n && m->size[frame]) {
		EXPECT("free_any", !ret, "frame %lu: %d", frame, ret);
		model_unmark(m, frame);
		for (i = 0; i < l->nr; i++) {
			if (l->start[i] == frame) {
				live_remove(l, i);
				break;
			}
		}
	} else {
		EXPECT("free_any", ret == -EINVAL, "frame %lu: %d", frame, ret);
	}
}

static void op_range(struct input *in, struct contig_buddy *b,
		     struct model *m, struct live *l)
{
	unsigned long start = get16(in) % (m->n + 1);
	unsigned long nr = get8(in) % 65;
	int owner = 1 + get8(in) % 4;
	long ret = contig_buddy_alloc_range(b, start, nr, owner);

	/* A range claim merges the stash back first. */
	if (nr && start < m->n && nr <= m->n - start) {
		model_drain(m);
		model_update(m);
	}

	fuzz_stats[ret >= 0 ? FUZZ_RANGE_OK : ret == -EBUSY ? FUZZ_RANGE_BUSY :
		   FUZZ_EINVAL]++;

	if (!nr || start >= m->n || nr > m->n - start) {
		EXPECT("range", ret == -EINVAL, "%lu+%lu: %ld", start, nr, ret);
	} else if (!model_range_free(m, start, nr)) {
		EXPECT("range", ret == -EBUSY, "%lu+%lu: %ld", start, nr, ret);
	} else {
		EXPECT("range", ret == (long)start, "%lu+%lu: %ld", start, nr,
		       ret);
		memset(dirty + start, 1, nr);
		model_mark(m, start, nr, owner);
		l->start[l->nr++] = start;
	}
}

static void op_misc(struct input *in, struct contig_buddy *b,
		    struct model *m, struct live *l)
{
	unsigned int what = get8(in), x = get16(in);
	unsigned long counts[CONTIG_NR_OWNERS], want[CONTIG_NR_OWNERS] = { 0 };
	unsigned long frame, i, start, nr;
	int owner;
	long ret;

	switch (what % 5) {
	case 0:	/* set_owner of a live allocation, or of any frame */
		owner = what >= 250 ? (what & 1) * CONTIG_NR_OWNERS :
			1 + (what >> 2) % 4;
		frame = (what & 0x40) && l->nr ? l->start[x % l->nr] :
			x % (m->n + 1);
		ret = contig_buddy_set_owner(b, frame, owner);
		if (owner > 0 && owner < CONTIG_NR_OWNERS && frame < m->n &&
		    m->size[frame]) {
			EXPECT("set_owner", !ret, "frame %lu: %ld", frame, ret);
			nr = m->size[frame];
			model_mark(m, frame, nr, owner);
		} else {
			EXPECT("set_owner", ret == -EINVAL, "frame %lu owner %d: %ld",
			       frame, owner, ret);
		}
		break;
	case 1:	/* count_owners over a window */
		start = x % (m->n + 1);
		nr = get8(in);
		contig_buddy_count_owners(b, start, nr, counts);
		for (i = start; i < m->n && i < start + nr; i++)
			want[m->owner[i]]++;
		for (i = 0; i < CONTIG_NR_OWNERS; i++)
			EXPECT("count_owners", counts[i] == want[i],
			       "%lu+%lu owner %lu: %lu, want %lu", start, nr,
			       i, counts[i], want[i]);
		break;
	case 4:	/* background zeroing: up to 32 frames of a range */
		start = x % (m->n + 2);
		nr = start + get8(in);
		for (frame = 0; frame <= what / 8; frame++) {
			for (i = start; i < nr && i < m->n; i++)
				if (m->owner[i] == CONTIG_OWNER_FREE && dirty[i])
					break;
			ret = contig_buddy_zero_next(b, start, nr, clear_frame,
						     NULL);
			if (nr > m->n) {
				EXPECT("zero_next", ret == -EINVAL,
				       "%lu..%lu: %ld", start, nr, ret);
				break;
			}
			EXPECT("zero_next",
			       i < nr ? ret == (long)i : ret == -ENOENT,
			       "%lu..%lu: %ld, want %ld", start, nr, ret,
			       i < nr ? (long)i : -ENOENT);
			if (ret < 0)
				break;
			EXPECT("zero_next", !dirty[ret],
			       "frame %ld not cleared", ret);
			fuzz_stats[FUZZ_ZEROED]++;
		}
		break;
	case 2:	/* change the default policy */
		owner = (int)(x % 6) - 1;
		contig_buddy_set_policy(b, owner);
		if (owner >= 0 && owner < CONTIG_NR_POLICIES)
			m->policy = owner;
		break;
	case 3:	/* merge the stash back, or the owner of a frame out of range */
		if (what & 0x80) {
			contig_buddy_drain(b);
			model_drain(m);
			break;
		}
		EXPECT("owner", contig_buddy_owner(b, m->n + x) ==
		       CONTIG_OWNER_FREE, "frame %lu", m->n + x);
		EXPECT("alloc_size", contig_buddy_alloc_size(b, m->n + x) ==
		       -EINVAL, "frame %lu", m->n + x);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size, 0 };
	struct contig_buddy b;
	struct live l;
	struct model m;
	unsigned int h = get8(&in);
	unsigned long n, i;
	enum contig_policy policy;
	char why[160];

	if (h & 0x80)
		n = 1UL << (h % 13);
	else
		n = 1 + ((h << 8 | get8(&in)) % 4096);
	policy = get8(&in) % CONTIG_NR_POLICIES;
	if (contig_buddy_init(&b, n, policy))
		fail("init", "failed");
	b.quiet = true;
	if (model_init(&m, n, policy))
		fail("model_init", "out of memory");
	l.start = calloc(n, sizeof(*l.start));
	l.nr = 0;
	dirty = malloc(n);
	if (dirty)
		memset(dirty, 1, n);
	if (!l.start || !dirty)
		fail("calloc", "out of memory");
	verify(&b, &m, "init", true);

	fuzz_stats[FUZZ_INPUTS]++;
	while (more(&in)) {
		unsigned int op = get8(&in) % 10;

		fuzz_stats[FUZZ_OPS]++;
		if (op < 4)
			op_alloc(&in, &b, &m, &l);
		else if (op < 7)
			op_free_live(&in, &b, &m, &l);
		else if (op == 7)
			op_free_any(&in, &b, &m, &l);
		else if (op == 8)
			op_range(&in, &b, &m, &l);
		else
			op_misc(&in, &b, &m, &l);
		verify(&b, &m, "after op", !(fuzz_stats[FUZZ_OPS] % 8));
	}

	/* Free everything: the region must be whole again. */
	for (i = 0; i < l.nr; i++)
		if (contig_buddy_free(&b, l.start[i]))
			fail("final free", "refused");
	for (i = 0; i < l.nr; i++)
		model_unmark(&m, l.start[i]);
	verify(&b, &m, "all freed", true);
	if (contig_buddy_check(&b, why, sizeof(why)))
		fail("final check", why);
	free(l.start);
	free(dirty);
	model_fini(&m);
	contig_buddy_fini(&b);
	return 0;
}
