// SPDX-License-Identifier: GPL-2.0
/*
 * user.c - what each user of /dev/contig may hold, and where.
 *
 * Charges belong to users, not to open files: a buffer allocated through
 * /dev/contig is charged to the real uid of the allocating task (its kuid,
 * so a user namespace's uid 0 is whatever kuid it maps to), at most
 * max_bytes_per_user bytes in at most max_buffers_per_user buffers
 * (module parameters, changeable at run time).  The charge stays with
 * that user until the buffer's memory is back in the region (quarantine
 * included, buffer.c), wherever the buffer's fd went meanwhile; closing
 * /dev/contig, reopening it or opening it many times changes nothing.
 * Going over a limit is -EDQUOT with one rate-limited line naming the uid
 * and the limit.
 *
 * Defaults: max_bytes_per_user is set at load to 1/8 of the region,
 * rounded down to a power of two (a power of two: its arena, below, then
 * costs nothing more); max_buffers_per_user is 1024.  0 lifts a limit (for
 * bytes, the arena goes too, and with it the guarantee below).
 *
 * Callers with CAP_SYS_ADMIN are exempt: charged, so that STATS shows
 * what they hold, but never refused and never confined to an arena.  A
 * capable task and a capless task of the same uid share one record, so a
 * capless task of a user holding exempt buffers is limited by the total.
 *
 * Arenas (arena.c).  The CONTIGUOUS and SG buffers of a limited user come
 * from its own arena, one naturally aligned block of
 * roundup_pow_of_two(max_bytes_per_user) bytes taken from the region when
 * the user's first such buffer is allocated and given back when the last
 * one's memory is back.  Its alignments are therefore capped at the
 * arena's size (-EINVAL above).  Its MOVABLE buffers stay in the region,
 * where CONTIGUOUS requests move them away, and are never pinned there
 * (buffer.c pins them in system memory: contig_migrate_map_out()), so
 * nothing of the user's outside its arena can stop another user's
 * CONTIGUOUS request.  The size
 * of an arena is fixed when it is made: a limit changed later applies to
 * the next arena.  A byte limit whose arena would not fit in the region's
 * largest block gives no arena (and no guarantee).
 *
 * The record (struct contig_user) exists while its user holds at least
 * one charge, in the xarray contig_users indexed by the kuid's value.
 *
 * This file calls the region's accessor and arena.c only.  chardev.c
 * charges before allocating and hands the returned release callback to
 * the buffer (struct contig_buffer_release, buffer.h).
 *
 * Locking: contig_users_mutex, at its place in the lock order of
 * contig_internal.h, protects the xarray, every record and the making and
 * unmaking of arenas.  It is taken in process context only: a charge is
 * taken in an ioctl, released by a buffer's release callback, which runs
 * in process context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>

#include <contig.h>

#include "arena.h"
#include "buffer.h"
#include "user.h"

/* Not given at load: 1/8 of the region, set by contig_user_init(). */
#define CONTIG_USER_BYTES_AUTO	ULLONG_MAX

static unsigned long long contig_max_bytes_per_user = CONTIG_USER_BYTES_AUTO;
module_param_named(max_bytes_per_user, contig_max_bytes_per_user, ullong, 0644);
MODULE_PARM_DESC(max_bytes_per_user,
		 "Bytes of buffers one user (uid) without CAP_SYS_ADMIN may hold through /dev/contig (default: 1/8 of the region, rounded down to a power of two; 0: no limit and no arena)");

static unsigned int contig_max_buffers_per_user = 1024;
module_param_named(max_buffers_per_user, contig_max_buffers_per_user, uint, 0644);
MODULE_PARM_DESC(max_buffers_per_user,
		 "Buffers one user (uid) without CAP_SYS_ADMIN may hold through /dev/contig (0: no limit)");

/**
 * struct contig_user - what one user holds; under contig_users_mutex.
 * @uid:	the user.
 * @bytes:	bytes charged.
 * @buffers:	buffers charged; the record is freed when it drops to 0.
 * @arena_buffers: of which carved from @arena (or being allocated).
 * @arena:	the user's arena while @arena_buffers is not 0, else NULL.
 */
struct contig_user {
	kuid_t uid;
	u64 bytes;
	unsigned int buffers;
	unsigned int arena_buffers;
	struct contig_arena *arena;
};

static DEFINE_MUTEX(contig_users_mutex);
static DEFINE_XARRAY(contig_users);	/* kuid value -> struct contig_user */
static struct contig_region *contig_users_region;

/* Requests refused with -EDQUOT since load, for STATS. */
static atomic64_t contig_user_refused = ATOMIC64_INIT(0);

/* Drop the record if it holds nothing.  Context: contig_users_mutex held. */
static void __contig_user_forget(struct contig_user *u)
{
	lockdep_assert_held(&contig_users_mutex);
	if (u->buffers)
		return;
	xa_erase(&contig_users, __kuid_val(u->uid));
	kfree(u);
}

/* The record of @uid, made if needed.  Context: contig_users_mutex held. */
static struct contig_user *__contig_user_get(kuid_t uid)
{
	struct contig_user *u;
	int ret;

	lockdep_assert_held(&contig_users_mutex);
	u = xa_load(&contig_users, __kuid_val(uid));
	if (u)
		return u;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return ERR_PTR(-ENOMEM);
	u->uid = uid;
	ret = xa_insert(&contig_users, __kuid_val(uid), u, GFP_KERNEL);
	if (ret) {
		kfree(u);
		return ERR_PTR(ret);
	}
	return u;
}

/* Give back one charge.  Context: contig_users_mutex held. */
static void __contig_user_uncharge(struct contig_user *u, size_t bytes,
				   bool arena)
{
	lockdep_assert_held(&contig_users_mutex);
	u->bytes -= bytes;
	u->buffers--;
	if (arena && !--u->arena_buffers) {
		contig_arena_destroy(u->arena);
		u->arena = NULL;
	}
	__contig_user_forget(u);
}

/* Release callbacks (struct contig_buffer_release).  Context: process. */
static void contig_user_uncharge(void *user, size_t bytes)
{
	mutex_lock(&contig_users_mutex);
	__contig_user_uncharge(user, bytes, false);
	mutex_unlock(&contig_users_mutex);
}

static void contig_user_uncharge_arena(void *user, size_t bytes)
{
	mutex_lock(&contig_users_mutex);
	__contig_user_uncharge(user, bytes, true);
	mutex_unlock(&contig_users_mutex);
}

/*
 * Frames of the arena a user limited to @max_bytes gets, or 0 for none
 * (no limit, or an arena larger than the region's largest block).
 */
static unsigned long __contig_arena_frames(u64 max_bytes)
{
	struct contig_region *r = contig_users_region;
	u64 frames = max_t(u64, max_bytes >> PAGE_SHIFT, 1);

	if (!max_bytes || frames > (1UL << r->buddy.max_order))
		return 0;
	return roundup_pow_of_two((unsigned long)frames);
}

/* The arena of @u for one more buffer.  Context: contig_users_mutex held. */
static int __contig_user_arena(struct contig_user *u, u64 max_bytes, u64 align)
{
	unsigned long frames;
	struct contig_arena *a;

	lockdep_assert_held(&contig_users_mutex);
	frames = u->arena ? u->arena->nr_frames : __contig_arena_frames(max_bytes);
	if (!frames)
		return 0;
	if (align > ((u64)frames << PAGE_SHIFT)) {
		pr_info_ratelimited("alloc refused: uid %u may align at most to its arena's %lu KiB (asked %llu KiB)\n",
				    from_kuid_munged(&init_user_ns, u->uid),
				    frames << (PAGE_SHIFT - 10), align >> 10);
		return -EINVAL;
	}
	if (!u->arena) {
		a = contig_arena_new(contig_users_region, frames);
		if (IS_ERR(a))
			return PTR_ERR(a);
		u->arena = a;
	}
	u->arena_buffers++;
	return 1;
}

/**
 * contig_user_charge() - charge one buffer to the calling task's user.
 * @bytes:   the buffer's size, page aligned.
 * @kind:    its CONTIG_KIND_*.
 * @align:   its alignment in bytes (0: a page).
 * @limited: the caller lacks CAP_SYS_ADMIN: held to the limits, and its
 *           CONTIGUOUS and SG buffers to its arena.
 * @release: filled in: what the buffer calls once its memory is back
 *           (set it with contig_buffer_export()); the caller calls it
 *           itself, with @bytes, when the allocation fails.
 * @arena:   filled in: the arena to carve the buffer from, or NULL for
 *           the region.
 *
 * Context: process context, may sleep; takes contig_users_mutex.
 * Return: 0; -EDQUOT over a limit (logged, counted); -EINVAL for an
 * alignment above the caller's arena; -ENOMEM when no record or arena
 * could be had.  On error nothing is charged and no arena is left made.
 */
int contig_user_charge(u64 bytes, unsigned int kind, u64 align, bool limited,
		       struct contig_buffer_release *release,
		       struct contig_arena **arena)
{
	u64 max_bytes = READ_ONCE(contig_max_bytes_per_user);
	unsigned int max_buffers = READ_ONCE(contig_max_buffers_per_user);
	struct contig_user *u;
	int in_arena = 0;
	u64 total;
	int ret = 0;

	*arena = NULL;
	mutex_lock(&contig_users_mutex);
	u = __contig_user_get(current_uid());
	if (IS_ERR(u)) {
		mutex_unlock(&contig_users_mutex);
		return PTR_ERR(u);
	}
	if (limited && max_buffers && u->buffers >= max_buffers) {
		pr_info_ratelimited("alloc refused: uid %u already holds %u buffers (max_buffers_per_user=%u)\n",
				    from_kuid_munged(&init_user_ns, u->uid),
				    u->buffers, max_buffers);
		ret = -EDQUOT;
	} else if (limited && max_bytes &&
		   (check_add_overflow(u->bytes, bytes, &total) ||
		    total > max_bytes)) {
		pr_info_ratelimited("alloc refused: uid %u holds %llu bytes, %llu more would exceed max_bytes_per_user=%llu\n",
				    from_kuid_munged(&init_user_ns, u->uid),
				    u->bytes, bytes, max_bytes);
		ret = -EDQUOT;
	}
	if (ret) {
		atomic64_inc(&contig_user_refused);
		goto forget;
	}
	if (limited && kind != CONTIG_KIND_MOVABLE) {
		in_arena = __contig_user_arena(u, max_bytes, align);
		if (in_arena < 0) {
			ret = in_arena;
			goto forget;
		}
	}
	u->bytes += bytes;
	u->buffers++;
	*arena = in_arena ? u->arena : NULL;
	release->fn = in_arena ? contig_user_uncharge_arena :
				 contig_user_uncharge;
	release->data = u;
	mutex_unlock(&contig_users_mutex);
	return 0;

forget:
	__contig_user_forget(u);
	mutex_unlock(&contig_users_mutex);
	return ret;
}

/**
 * contig_user_get_usage() - what the calling task's user holds.
 * @bytes:   bytes charged.
 * @buffers: buffers charged.
 *
 * Context: process context, may sleep; takes contig_users_mutex.
 */
void contig_user_get_usage(u64 *bytes, u64 *buffers)
{
	struct contig_user *u;

	mutex_lock(&contig_users_mutex);
	u = xa_load(&contig_users, __kuid_val(current_uid()));
	*bytes = u ? u->bytes : 0;
	*buffers = u ? u->buffers : 0;
	mutex_unlock(&contig_users_mutex);
}

/**
 * contig_user_refusals() - requests refused with -EDQUOT since load.
 *
 * Context: any.
 * Return: the count.
 */
u64 contig_user_refusals(void)
{
	return atomic64_read(&contig_user_refused);
}

/**
 * contig_user_init() - set the default byte limit from the region.
 * @r: the region.
 *
 * Context: process context, module load, before /dev/contig exists.
 */
void contig_user_init(struct contig_region *r)
{
	unsigned long eighth = max_t(u64, r->size / 8, PAGE_SIZE);

	contig_users_region = r;
	if (contig_max_bytes_per_user == CONTIG_USER_BYTES_AUTO)
		contig_max_bytes_per_user = rounddown_pow_of_two(eighth);
	pr_info("each user without CAP_SYS_ADMIN may hold %llu KiB in %u buffers (0: no limit)\n",
		contig_max_bytes_per_user >> 10, contig_max_buffers_per_user);
}

/**
 * contig_user_exit() - module unload: every charge is gone.
 *
 * Context: process context, module unload (every buffer of /dev/contig
 * held the module, so none is left).
 */
void contig_user_exit(void)
{
	WARN_ON_ONCE(!xa_empty(&contig_users));
	xa_destroy(&contig_users);
	contig_users_region = NULL;
}
