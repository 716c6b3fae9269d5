// SPDX-License-Identifier: GPL-2.0
/*
 * chardev.c - /dev/contig: the ioctl interface of include/uapi/contig.h.
 *
 * A misc device, root-only (mode 0600) unless a udev rule says otherwise.
 * This file only speaks the ABI: it validates each request, charges the
 * caller's user (user.c), allocates (buffer.c) from the region or the
 * user's arena, exports the buffer as a dma-buf fd (dmabuf.c) and hands
 * the user's uncharge to the buffer, to be called once its memory is back
 * in the region.  An open file holds nothing of its own.
 *
 * The ioctl dispatcher follows drivers/dma-buf/dma-heap.c: the command
 * number indexes a table, bounded with array_index_nospec(); the argument
 * struct is copied with copy_struct_from_user(), so shorter (older) structs
 * read as zero-extended and longer (newer) ones are accepted only when the
 * unknown tail is zero.  Every handler validates every field before doing
 * anything, and undoes everything it did when it fails, so a failed ioctl
 * changes no buffer, mapping or usage counter (only the failure counters of
 * STATS, for -ENOMEM and -EDQUOT).  Each refusal logs one rate-limited
 * line.
 *
 * Locking: none of its own; see the lock order in contig_internal.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <contig.h>

#include "buffer.h"
#include "chardev.h"
#include "dmabuf.h"
#include "fault.h"
#include "lend.h"
#include "user.h"

static int contig_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

/* Copy the out fields back, up to the caller's struct size. */
static int __contig_copy_out(void __user *uarg, const void *kdata,
			     size_t ksize, size_t usize)
{
	if (contig_should_fail(CONTIG_FAULT_USER_COPY))
		return -EFAULT;
	return copy_to_user(uarg, kdata, min(ksize, usize)) ? -EFAULT : 0;
}

/* Look up a dma-buf fd we exported; on success the caller must put it. */
static struct dma_buf *__contig_get_dmabuf(u32 fd, struct contig_buffer **buf,
					   const char *what)
{
	struct dma_buf *dmabuf;

	if (fd > INT_MAX) {
		pr_info_ratelimited("%s: fd %u is not a valid fd\n", what, fd);
		return ERR_PTR(-EBADF);
	}
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf)) {
		pr_info_ratelimited("%s: fd %u is not a dma-buf (%ld)\n", what,
				    fd, PTR_ERR(dmabuf));
		return dmabuf;
	}
	*buf = contig_buffer_from_dmabuf(dmabuf);
	if (!*buf) {
		pr_info_ratelimited("%s: fd %u is a dma-buf of %s, not of contig\n",
				    what, fd, dmabuf->exp_name);
		dma_buf_put(dmabuf);
		return ERR_PTR(-EINVAL);
	}
	return dmabuf;
}

/*
 * Copy a report to the caller.  Frame numbers are physical addresses, for
 * CAP_SYS_RAWIO only, as INFO's chunks are; anyone else gets the counts,
 * sizes and holder kinds with every pfn zero (no window offset either: the
 * region's base is no secret, so an offset in it is an address too).
 */
static int __contig_report_to_user(u64 uptr, struct contig_alloc_report *rep)
{
	unsigned int i;

	if (!ns_capable_noaudit(&init_user_ns, CAP_SYS_RAWIO)) {
		for (i = 0; i < ARRAY_SIZE(rep->windows); i++) {
			rep->windows[i].start_pfn = 0;
			rep->windows[i].blocker_pfn = 0;
		}
	}
	return copy_to_user(u64_to_user_ptr(uptr), rep, sizeof(*rep)) ?
	       -EFAULT : 0;
}

/*
 * Write the VER1 out fields of ALLOC and the caller's report, for a
 * CONTIGUOUS request that looked for a window (or a dry run).
 */
static int __contig_alloc_report_out(struct contig_alloc_data *a,
				     struct contig_alloc_report *rep,
				     void __user *uarg, size_t usize)
{
	a->nr_blocked = rep->nr_blocked;
	a->move_bytes = rep->move_bytes;
	a->largest_free = rep->largest_free;
	if (a->report && __contig_report_to_user(a->report, rep))
		return -EFAULT;
	return __contig_copy_out(uarg, a, sizeof(*a), usize);
}

/*
 * A CONTIGUOUS request refused for want of memory before it looked for a
 * window (larger than the region, or no room for the caller's arena)
 * still reports, with nothing judged: the caller's report is never left
 * unwritten (the fuzzer found it so once).  Returns @ret, or -EFAULT.
 */
static int __contig_alloc_refused(struct contig_alloc_data *a, int ret,
				  void __user *uarg, size_t usize)
{
	struct contig_alloc_report rep;

	if (a->kind != CONTIG_KIND_CONTIGUOUS || (ret != -ENOMEM && ret != -EBUSY))
		return ret;
	memset(&rep, 0, sizeof(rep));
	rep.result = ret;
	return __contig_alloc_report_out(a, &rep, uarg, usize) ? -EFAULT : ret;
}

static long __contig_ioctl_dry_run(struct contig_region *r,
				   struct contig_alloc_data *a,
				   void __user *uarg, size_t usize)
{
	struct contig_alloc_report rep;
	int ret, ret2;

	if (a->kind != CONTIG_KIND_CONTIGUOUS) {
		pr_info_ratelimited("alloc: DRY_RUN is for CONTIGUOUS requests only\n");
		return -EINVAL;
	}
	ret = contig_alloc_query_at(r, a->size, a->align, &rep);
	if (ret && ret != -ENOMEM && ret != -EBUSY)
		return ret;
	ret2 = __contig_alloc_report_out(a, &rep, uarg, usize);
	return ret2 ? ret2 : ret;
}

static long __contig_ioctl_alloc(struct file *file, void *data,
				 void __user *uarg, size_t usize)
{
	struct contig_alloc_data *a = data;
	struct contig_alloc_data __user *ua = uarg;
	unsigned int acc = a->fd_flags & O_ACCMODE;
	struct contig_buffer_release release;
	struct contig_arena *arena;
	struct contig_alloc_report rep;
	struct contig_region *r;
	bool limited;
	struct contig_buffer *buf;
	struct dma_buf *dmabuf;
	u64 bytes;
	int fd, ret;

	if (a->fd || a->nr_blocked || a->move_bytes || a->largest_free) {
		pr_info_ratelimited("alloc: fd, nr_blocked, move_bytes and largest_free are out fields and must be 0\n");
		return -EINVAL;
	}
	r = contig_region_get(a->region);
	if (!r) {
		pr_info_ratelimited("alloc: no region %u (%u loaded)\n",
				    a->region, contig_nr_regions());
		return -EINVAL;
	}
	if ((a->fd_flags & ~(O_CLOEXEC | O_ACCMODE)) ||
	    (acc != O_RDONLY && acc != O_RDWR)) {
		pr_info_ratelimited("alloc: fd_flags %#x: only O_RDWR or O_RDONLY, and O_CLOEXEC\n",
				    a->fd_flags);
		return -EINVAL;
	}
	if (a->flags & ~(CONTIG_FLAGS_USER | CONTIG_FLAG_DRY_RUN)) {
		pr_info_ratelimited("alloc: unknown flags %#x\n",
				    a->flags & ~(CONTIG_FLAGS_USER |
						 CONTIG_FLAG_DRY_RUN));
		return -EINVAL;
	}
	if (a->size > SIZE_MAX || a->align > SIZE_MAX) {
		pr_info_ratelimited("alloc: size or alignment beyond this machine\n");
		return a->size > SIZE_MAX ? -ENOMEM : -EINVAL;
	}
	limited = !capable(CAP_SYS_ADMIN);
	if (r->id && limited) {
		pr_info_ratelimited("alloc: region %u (%s) needs CAP_SYS_ADMIN: users' arenas and limits are region 0's\n",
				    r->id, r->name);
		return -EPERM;
	}
	if (a->flags & CONTIG_FLAG_DRY_RUN)
		return __contig_ioctl_dry_run(r, a, uarg, usize);
	ret = contig_alloc_check(r, a->size, a->align, a->kind,
				 a->flags | CONTIG_FLAG_ZERO);
	if (ret)
		return __contig_alloc_refused(a, ret, uarg, usize);
	/* Fail before allocating if the answer cannot be written back. */
	if (put_user(0U, &ua->fd))
		return -EFAULT;

	bytes = PAGE_ALIGN(a->size);
	ret = contig_user_charge(bytes, a->kind, a->align, limited, &release,
				 &arena);
	if (ret)
		return __contig_alloc_refused(a, ret, uarg, usize);
	fd = contig_should_fail(CONTIG_FAULT_FD) ? -EMFILE :
	     get_unused_fd_flags(a->fd_flags & O_CLOEXEC);
	if (fd < 0) {
		pr_info_ratelimited("alloc: no free file descriptor (%d)\n", fd);
		ret = fd;
		goto uncharge;
	}
	buf = contig_alloc_at(r, arena, a->size, a->align, a->kind,
			      a->flags | CONTIG_FLAG_ZERO, &rep);
	if (IS_ERR(buf)) {
		ret = PTR_ERR(buf);
		if (a->kind == CONTIG_KIND_CONTIGUOUS &&
		    (ret == -ENOMEM || ret == -EBUSY) &&
		    __contig_alloc_report_out(a, &rep, uarg, usize))
			ret = -EFAULT;
		goto put_fd;
	}
	/* An unprivileged user's movable memory must keep moving. */
	buf->pin_out = a->kind == CONTIG_KIND_MOVABLE && limited;
	if (a->kind == CONTIG_KIND_CONTIGUOUS) {
		a->nr_blocked = rep.nr_blocked;
		a->move_bytes = rep.move_bytes;
		a->largest_free = rep.largest_free;
		if (a->report && __contig_report_to_user(a->report, &rep)) {
			contig_put(buf);
			ret = -EFAULT;
			goto put_fd;
		}
	}
	dmabuf = contig_buffer_export(buf, &release, a->fd_flags);
	contig_put(buf);	/* the dma-buf holds it now, or it is gone */
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto put_fd;
	}
	/* From here the buffer owns the charge. */
	a->fd = fd;
	ret = __contig_copy_out(uarg, a, sizeof(*a), usize);
	if (ret) {
		pr_info_ratelimited("alloc: cannot write the result back\n");
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return ret;
	}
	fd_install(fd, dmabuf->file);
	return 0;

put_fd:
	put_unused_fd(fd);
uncharge:
	release.fn(release.data, bytes);
	return ret;
}

static long __contig_ioctl_info(struct file *file, void *data,
				void __user *uarg, size_t usize)
{
	struct contig_info_data *in = data;
	struct contig_chunk *chunks = NULL;
	struct contig_buffer *buf;
	struct dma_buf *dmabuf;
	unsigned long n = 0;
	int ret = 0;

	if (in->flags) {
		pr_info_ratelimited("info: unknown flags %#x\n", in->flags);
		return -EINVAL;
	}
	if (in->nr_chunks || in->size || in->kind || in->buf_flags || in->id ||
	    in->region) {
		pr_info_ratelimited("info: out fields must be 0 on input\n");
		return -EINVAL;
	}
	if (in->pad) {
		pr_info_ratelimited("info: pad must be 0\n");
		return -EINVAL;
	}
	if (!in->chunks != !in->chunks_cap) {
		pr_info_ratelimited("info: chunks and chunks_cap must be both set or both 0\n");
		return -EINVAL;
	}
	if (in->chunks && !capable(CAP_SYS_RAWIO)) {
		pr_info_ratelimited("info: physical addresses need CAP_SYS_RAWIO\n");
		return -EPERM;
	}
	dmabuf = __contig_get_dmabuf(in->fd, &buf, "info");
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	in->size = contig_buffer_size(buf);
	in->kind = contig_buffer_kind(buf);
	in->buf_flags = contig_buffer_flags(buf);
	in->id = contig_buffer_id(buf);
	in->region = contig_buffer_region_id(buf);
	in->nr_chunks = contig_buffer_nr_chunks(buf);
	/*
	 * The count and the entries of one moment: a MOVABLE buffer's chunks
	 * change as its pages move, and a count read before the entries let
	 * INFO say N chunks and write fewer (the fuzzer saw it).  If they
	 * grew past the room taken, again with more.
	 */
	while (in->chunks) {
		unsigned long total;

		n = min_t(unsigned long, in->chunks_cap, in->nr_chunks);
		chunks = kvmalloc_array(n, sizeof(*chunks), GFP_KERNEL);
		if (!chunks) {
			ret = -ENOMEM;
			goto put;
		}
		total = contig_buffer_get_chunks(buf, chunks, n);
		in->nr_chunks = total;
		if (min_t(unsigned long, in->chunks_cap, total) <= n) {
			n = min(n, total);
			break;
		}
		kvfree(chunks);
		chunks = NULL;
	}
	dma_buf_put(dmabuf);

	if (chunks && copy_to_user(u64_to_user_ptr(in->chunks), chunks,
				   array_size(n, sizeof(*chunks)))) {
		pr_info_ratelimited("info: cannot write %lu chunks to %#llx\n",
				    n, in->chunks);
		ret = -EFAULT;
	}
	kvfree(chunks);
	return ret ? ret : __contig_copy_out(uarg, in, sizeof(*in), usize);

put:
	dma_buf_put(dmabuf);
	return ret;
}

static long __contig_ioctl_stats(struct file *file, void *data,
				 void __user *uarg, size_t usize)
{
	struct contig_stats_data *st = data;
	unsigned int id = st->region;
	struct contig_region *r;
	u64 kept;

	if (st->flags) {
		pr_info_ratelimited("stats: unknown flags %#x\n", st->flags);
		return -EINVAL;
	}
	/* Every field from nr_kinds on is out, but region. */
	st->region = 0;
	if (memchr_inv(&st->nr_kinds, 0,
		       sizeof(*st) - offsetof(struct contig_stats_data, nr_kinds))) {
		pr_info_ratelimited("stats: out fields must be 0 on input\n");
		return -EINVAL;
	}
	r = contig_region_get(id);
	if (!r) {
		pr_info_ratelimited("stats: no region %u (%u loaded)\n", id,
				    contig_nr_regions());
		return -EINVAL;
	}
	st->region = id;
	contig_buffer_get_region_stats(r, st);
	st->failed_quota = contig_user_refusals();
	contig_user_get_usage(&st->user_bytes, &st->user_buffers);
	if (!r->id) {
		contig_lend_get_usage(&st->lent_bytes, &st->taken_bytes,
				      &kept);
		st->free += kept;	/* reserve=: taken, free for requests */
	}
	st->nr_regions = contig_nr_regions();
	strscpy(st->name, r->name, sizeof(st->name));
	return __contig_copy_out(uarg, st, sizeof(*st), usize);
}

static long __contig_ioctl_sync(struct file *file, void *data,
				void __user *uarg, size_t usize)
{
	struct contig_sync_data *s = data;
	struct contig_buffer *buf;
	struct dma_buf *dmabuf;
	int ret;

	/* Validate what needs no buffer first, so a bad fd is not masked. */
	ret = contig_buffer_sync_check(s->offset, s->length, s->flags);
	if (ret)
		return ret;
	dmabuf = __contig_get_dmabuf(s->fd, &buf, "sync");
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = contig_buffer_sync_range(buf, s->offset, s->length, s->flags);
	dma_buf_put(dmabuf);
	return ret;
}

union contig_ioctl_data {
	struct contig_alloc_data alloc;
	struct contig_info_data info;
	struct contig_stats_data stats;
	struct contig_sync_data sync;
};

struct contig_ioctl_desc {
	unsigned int cmd;
	unsigned int min_size;
	long (*fn)(struct file *file, void *data, void __user *uarg,
		   size_t usize);
};

static const struct contig_ioctl_desc contig_ioctls[] = {
	{ CONTIG_IOCTL_ALLOC, CONTIG_ALLOC_SIZE_VER0, __contig_ioctl_alloc },
	{ CONTIG_IOCTL_INFO, CONTIG_INFO_SIZE_VER0, __contig_ioctl_info },
	{ CONTIG_IOCTL_STATS, CONTIG_STATS_SIZE_VER0, __contig_ioctl_stats },
	{ CONTIG_IOCTL_SYNC, CONTIG_SYNC_SIZE_VER0, __contig_ioctl_sync },
};

/* The table is indexed by _IOC_NR(): entry i must be command number i. */
static_assert(_IOC_NR(CONTIG_IOCTL_ALLOC) == 0 && _IOC_NR(CONTIG_IOCTL_INFO) == 1 &&
	      _IOC_NR(CONTIG_IOCTL_STATS) == 2 && _IOC_NR(CONTIG_IOCTL_SYNC) == 3);

static long contig_ioctl(struct file *file, unsigned int ucmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct contig_ioctl_desc *d;
	union contig_ioctl_data kdata;
	unsigned int nr = _IOC_NR(ucmd);
	size_t usize = _IOC_SIZE(ucmd);
	size_t ksize;
	int ret;

	if (_IOC_TYPE(ucmd) != CONTIG_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(contig_ioctls)) {
		pr_debug("unknown ioctl %#x\n", ucmd);
		return -ENOTTY;
	}
	nr = array_index_nospec(nr, ARRAY_SIZE(contig_ioctls));
	d = &contig_ioctls[nr];
	if (_IOC_DIR(ucmd) != _IOC_DIR(d->cmd)) {
		pr_info_ratelimited("ioctl %#x: wrong direction bits for command %u\n",
				    ucmd, nr);
		return -ENOTTY;
	}
	if (usize < d->min_size) {
		pr_info_ratelimited("ioctl %#x: argument of %zu bytes is smaller than the first version's %u\n",
				    ucmd, usize, d->min_size);
		return -EINVAL;
	}
	ksize = _IOC_SIZE(d->cmd);
	ret = contig_should_fail(CONTIG_FAULT_USER_COPY) ? -EFAULT :
	      copy_struct_from_user(&kdata, ksize, uarg, usize);
	if (ret) {
		pr_info_ratelimited("ioctl %#x: %s\n", ucmd, ret == -E2BIG ?
				    "unknown non-zero fields past the end of the struct" :
				    "bad argument pointer");
		return ret;
	}
	return d->fn(file, &kdata, uarg, usize);
}

static const struct file_operations contig_fops = {
	.owner = THIS_MODULE,
	.open = contig_open,
	.unlocked_ioctl = contig_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice contig_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = CONTIG_NAME,
	.fops = &contig_fops,
	.mode = 0600,
};

/**
 * contig_chardev_init() - create /dev/contig.
 *
 * Context: process context, module load.
 * Return: 0 or the error of misc_register().
 */
int contig_chardev_init(void)
{
	int ret = misc_register(&contig_miscdev);

	if (ret)
		pr_err("cannot register /dev/%s (%d)\n", CONTIG_NAME, ret);
	return ret;
}

/**
 * contig_chardev_exit() - remove /dev/contig.
 *
 * Context: process context, module unload (no file is open: each holds
 * the module).
 */
void contig_chardev_exit(void)
{
	misc_deregister(&contig_miscdev);
}
