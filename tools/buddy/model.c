// SPDX-License-Identifier: GPL-2.0
/*
 * model.c - brute-force model of the buddy; see model.h.
 */
#include "kshim.h"
#include "model.h"

static unsigned int ceil_log2(unsigned long x)
{
	unsigned int o = 0;

	while ((1UL << o) < x)
		o++;
	return o;
}

int model_init(struct model *m, unsigned long n, enum contig_policy policy)
{
	memset(m, 0, sizeof(*m));
	m->n = n;
	m->policy = policy;
	while ((2UL << m->max_order) <= n)
		m->max_order++;
	m->owner = calloc(n, sizeof(*m->owner));
	m->size = calloc(n, sizeof(*m->size));
	m->prefix = calloc(n + 1, sizeof(*m->prefix));
	m->blk_start = calloc(n, sizeof(*m->blk_start));
	m->blk_order = calloc(n, sizeof(*m->blk_order));
	m->stashed = calloc(n, sizeof(*m->stashed));
	if (!m->owner || !m->size || !m->prefix || !m->blk_start ||
	    !m->blk_order || !m->stashed) {
		model_fini(m);
		return -ENOMEM;
	}
	model_update(m);
	return 0;
}

void model_fini(struct model *m)
{
	free(m->owner);
	free(m->size);
	free(m->prefix);
	free(m->blk_start);
	free(m->blk_order);
	free(m->stashed);
	memset(m, 0, sizeof(*m));
}

bool model_range_free(const struct model *m, unsigned long start,
		      unsigned long nr)
{
	return m->prefix[start + nr] - m->prefix[start] == nr;
}

void model_update(struct model *m)
{
	unsigned long i, pos;

	/* Free for placement: free and not stashed. */
	for (i = 0; i < m->n; i++)
		m->prefix[i + 1] = m->prefix[i] + (!m->owner[i] && !m->stashed[i]);
	memset(m->nr_free, 0, sizeof(m->nr_free));
	m->nr_blocks = 0;
	for (pos = 0; pos < m->n;) {
		unsigned int o = 0;

		if (m->owner[pos] || m->stashed[pos]) {
			pos += m->size[pos] ? m->size[pos] : 1;
			continue;
		}
		while (o < m->max_order && !(pos & ((2UL << o) - 1)) &&
		       pos + (2UL << o) <= m->n &&
		       model_range_free(m, pos, 2UL << o))
			o++;
		m->blk_start[m->nr_blocks] = pos;
		m->blk_order[m->nr_blocks++] = o;
		m->nr_free[o]++;
		pos += 1UL << o;
	}
}

int model_alloc_valid(const struct model *m, unsigned long nr,
		      unsigned long align, int owner, int policy,
		      unsigned int flags)
{
	if (flags & ~CONTIG_BUDDY_FLAGS)
		return -EINVAL;
	if ((flags & CONTIG_BUDDY_TOPDOWN) && (flags & CONTIG_BUDDY_BOTTOMUP))
		return -EINVAL;
	if (owner <= CONTIG_OWNER_FREE || owner >= CONTIG_NR_OWNERS)
		return -EINVAL;
	if (policy < 0 || policy > CONTIG_POLICY_DEFAULT)
		return -EINVAL;
	if (!nr || nr > m->n)
		return -EINVAL;
	if (!align || (align & (align - 1)) || align > (1UL << m->max_order))
		return -EINVAL;
	if (ceil_log2(nr) > m->max_order)
		return -EINVAL;
	return 0;
}

static long __model_place(struct model *m, unsigned long nr,
			  unsigned long align, enum contig_owner owner,
			  enum contig_policy policy, unsigned int flags);

unsigned int model_stashed(const struct model *m)
{
	unsigned int o, n = 0;

	for (o = 0; o < CONTIG_BUDDY_STASH_ORDERS; o++)
		n += m->nr_stash[o];
	return n;
}

void model_drain(struct model *m)
{
	unsigned int o;

	for (o = 0; o < CONTIG_BUDDY_STASH_ORDERS; o++) {
		while (m->nr_stash[o])
			memset(m->stashed + m->stash[o][--m->nr_stash[o]], 0,
			       1UL << o);
	}
}

long model_place(struct model *m, unsigned long nr, unsigned long align,
		 enum contig_owner owner, enum contig_policy policy,
		 unsigned int flags)
{
	bool down = (flags & CONTIG_BUDDY_TOPDOWN) ||
		    (owner == CONTIG_OWNER_MOVABLE &&
		     !(flags & CONTIG_BUDDY_BOTTOMUP));
	unsigned int o = ceil_log2(nr);
	long pos;

	if ((flags & CONTIG_BUDDY_CACHED) && !down && !(nr & (nr - 1)) &&
	    align <= nr && o < CONTIG_BUDDY_STASH_ORDERS && m->nr_stash[o]) {
		pos = m->stash[o][--m->nr_stash[o]];
		memset(m->stashed + pos, 0, nr);
		model_update(m);
		return pos;
	}
	pos = __model_place(m, nr, align, owner, policy, flags);
	if (pos < 0 && model_stashed(m)) {
		model_drain(m);
		model_update(m);
		pos = __model_place(m, nr, align, owner, policy, flags);
	}
	return pos;
}

static long __model_place(struct model *m, unsigned long nr,
			  unsigned long align, enum contig_owner owner,
			  enum contig_policy policy, unsigned int flags)
{
	unsigned int k = ceil_log2(nr), a = ceil_log2(align);
	bool down = (flags & CONTIG_BUDDY_TOPDOWN) ||
		    (owner == CONTIG_OWNER_MOVABLE &&
		     !(flags & CONTIG_BUDDY_BOTTOMUP));
	long best = -1, i, first = -1, last = -1, after = -1, before = -1;
	unsigned long p, pos;

	if (policy == CONTIG_POLICY_DEFAULT)
		policy = m->policy;
	if (a > k)
		k = a;
	for (i = 0; i < (long)m->nr_blocks; i++) {
		unsigned int o = m->blk_order[i];

		if (o < k)
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (after < 0 && m->blk_start[i] >= m->rover[0])
			after = i;
		if (m->blk_start[i] + (1UL << o) <= m->rover[1])
			before = i;
		if (best < 0)
			best = i;
		else if (policy == CONTIG_POLICY_BEST_FIT ?
			 o < m->blk_order[best] || (down && o == m->blk_order[best]) :
			 o > m->blk_order[best] || (down && o == m->blk_order[best]))
			best = i;
	}
	if (first < 0)
		return -1;
	switch (policy) {
	case CONTIG_POLICY_BEST_FIT:
	case CONTIG_POLICY_WORST_FIT:
		i = best;
		break;
	case CONTIG_POLICY_NEXT_FIT:
		i = down ? (before >= 0 ? before : last) :
			   (after >= 0 ? after : first);
		break;
	default:
		i = down ? last : first;
		break;
	}
	p = m->blk_start[i];
	pos = down ? (p + (1UL << m->blk_order[i]) - nr) & ~(align - 1) : p;
	if (policy == CONTIG_POLICY_NEXT_FIT)
		m->rover[down] = down ? pos : pos + nr;
	return pos;
}

void model_mark(struct model *m, unsigned long start, unsigned long nr,
		enum contig_owner owner)
{
	memset(m->owner + start, owner, nr);
	m->size[start] = nr;
}

void model_unmark(struct model *m, unsigned long start)
{
	memset(m->owner + start, 0, m->size[start]);
	m->size[start] = 0;
}

void model_unmark_cached(struct model *m, unsigned long start)
{
	unsigned long nr = m->size[start];
	unsigned int owner = m->owner[start], o = ceil_log2(nr);

	model_unmark(m, start);
	if ((owner != CONTIG_OWNER_UNMOVABLE && owner != CONTIG_OWNER_SLAB) ||
	    (nr & (nr - 1)) || (start & (nr - 1)) ||
	    o >= CONTIG_BUDDY_STASH_ORDERS ||
	    m->nr_stash[o] == CONTIG_BUDDY_STASH_DEPTH)
		return;
	m->stash[o][m->nr_stash[o]++] = start;
	memset(m->stashed + start, 1, nr);
}

#define FAIL(...)					\
	do {						\
		snprintf(why, len, __VA_ARGS__);	\
		return -1;				\
	} while (0)

int model_compare_frames(const struct model *m, struct contig_buddy *b,
			 char *why, size_t len)
{
	unsigned long i;

	for (i = 0; i < m->n; i++) {
		enum contig_owner ow = contig_buddy_owner(b, i);
		long sz = contig_buddy_alloc_size(b, i);

		if (ow != m->owner[i])
			FAIL("frame %lu: owner %d, model says %d", i, ow,
			     m->owner[i]);
		if (m->size[i] ? sz != (long)m->size[i] : sz != -EINVAL)
			FAIL("frame %lu: alloc_size %ld, model says %lu", i,
			     sz, m->size[i]);
	}
	return 0;
}

int model_compare(struct model *m, struct contig_buddy *b, char *why,
		  size_t len)
{
	unsigned long owners[CONTIG_NR_OWNERS] = { 0 }, i, largest = 0;
	struct contig_buddy_stats st;
	unsigned int o;

	contig_buddy_get_stats(b, &st);
	model_drain(m);
	model_update(m);
	if (model_compare_frames(m, b, why, len))
		return -1;
	for (i = 0; i < m->n; i++)
		owners[m->owner[i]]++;
	for (o = 0; o < CONTIG_NR_OWNERS; o++)
		if (owners[o] != st.owner_frames[o])
			FAIL("%s frames: %lu, model says %lu",
			     contig_owner_name(o), st.owner_frames[o],
			     owners[o]);
	if (st.free_frames != owners[CONTIG_OWNER_FREE])
		FAIL("free frames: %lu, model says %lu", st.free_frames,
		     owners[CONTIG_OWNER_FREE]);
	for (o = 0; o < CONTIG_BUDDY_NR_ORDERS; o++) {
		if (st.nr_free[o] != m->nr_free[o])
			FAIL("order %u: %lu free blocks, model says %lu", o,
			     st.nr_free[o], m->nr_free[o]);
		if (m->nr_free[o])
			largest = 1UL << o;
	}
	if (st.largest_free != largest)
		FAIL("largest free %lu, model says %lu", st.largest_free,
		     largest);
	return 0;
}
