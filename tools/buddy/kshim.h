/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim.h - the little of the kernel that module/buddy_core.c uses, for
 * building it in user space.
 *
 * Types, bit operations, allocation and errno values map onto libc.  The
 * spinlock is a flag that aborts on recursion or on unlocking an unlocked
 * lock, and lockdep_assert_held() is an assert() on it, so the fuzzer also
 * checks the lock discipline of the core.  contig_buddy_report() is
 * defined in kshim.c: it counts reports, and prints them when
 * BUDDY_VERBOSE is set in the environment.
 *
 * Built with -DKSHIM_LOCK_HOOKS, every lock and unlock also calls
 * kshim_lock_hook, when set: with @locked true just after taking the
 * lock, false just after dropping it.  Tests use it to see what the core
 * does in each critical section (test_snapshot.c), benchmarks to time
 * them (bench_snapshot.c).  Without it the lock costs what it did.
 */
#ifndef _CONTIG_KSHIM_H
#define _CONTIG_KSHIM_H

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;

#ifndef EUCLEAN
#define EUCLEAN 117
#endif

#define GFP_KERNEL 0
#define BIT(n) (1UL << (n))
#define fallthrough __attribute__((__fallthrough__))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define CONTIG_EXPORT_FOR_TESTS(sym)

static inline void *kvcalloc(size_t n, size_t size, int gfp)
{
	(void)gfp;
	return calloc(n, size);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

static inline unsigned int __ffs64(u64 w)
{
	return __builtin_ctzll(w);
}

static inline int fls64(u64 w)
{
	return w ? 64 - __builtin_clzll(w) : 0;
}

static inline unsigned int hweight64(u64 w)
{
	return __builtin_popcountll(w);
}

static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}

typedef struct {
	int locked;
} spinlock_t;

void kshim_lock_bug(const char *what);

#ifdef KSHIM_LOCK_HOOKS
extern void (*kshim_lock_hook)(spinlock_t *l, bool locked);
#define kshim_hook(l, locked)				\
	do {						\
		if (kshim_lock_hook)			\
			kshim_lock_hook(l, locked);	\
	} while (0)
#else
#define kshim_hook(l, locked)	do { } while (0)
#endif

static inline unsigned long kshim_lock(spinlock_t *l)
{
	if (l->locked)
		kshim_lock_bug("spin_lock: recursive locking");
	l->locked = 1;
	kshim_hook(l, true);
	return 0;
}

static inline void kshim_unlock(spinlock_t *l)
{
	if (!l->locked)
		kshim_lock_bug("spin_unlock: lock not held");
	l->locked = 0;
	kshim_hook(l, false);
}

/*
 * contig_buddy_zero_next() clears outside the lock with interrupts off and
 * publishes the end of the clear with a release store; single-threaded
 * here, so plain accesses do.
 */
#define READ_ONCE(x)			(*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)		(*(volatile __typeof__(x) *)&(x) = (v))
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define cpu_relax()			do { } while (0)
#define local_irq_save(f)		((f) = 0)
#define local_irq_restore(f)		((void)(f))

#define spin_lock_init(l)		((l)->locked = 0)
#define spin_lock(l)			((void)kshim_lock(l))
#define spin_unlock(l)			kshim_unlock(l)
#define spin_lock_irqsave(l, f)		((f) = kshim_lock(l))
#define spin_unlock_irqrestore(l, f)	((void)(f), kshim_unlock(l))
#define lockdep_assert_held(l)		assert((l)->locked)

/* Reports seen by contig_buddy_report(): [0] user errors, [1] bugs. */
extern unsigned long kshim_reports[2];

#endif /* _CONTIG_KSHIM_H */
