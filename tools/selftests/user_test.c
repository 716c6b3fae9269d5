// SPDX-License-Identifier: GPL-2.0
/*
 * user_test - what one user of /dev/contig may hold, and what it leaves
 * to the others (module/user.c, module/arena.c).
 *
 * Usage: user_test [SEED]   (root, contig.ko loaded; prints KTAP)
 *
 * Runs as root and plays the unprivileged user, uid 65534, two ways:
 * forked children that setuid() for good (the charging cases), and the
 * process itself switching its effective uid back and forth with
 * setresuid() (the fragmentation cases, which let root judge every step
 * with a CONTIG_FLAG_DRY_RUN request).  /dev/contig is made mode 0666 for
 * the test and 0600 again at the end.
 *
 * Charges: the per-user limits hold across 17 open files, across close
 * and reopen, and stay with the allocating user while another process
 * holds the fds; the buffer count holds across opens; CAP_SYS_ADMIN is
 * exempt; a refusal logs the uid and the limit; alignment is capped by
 * the arena.  (That an unprivileged user's MOVABLE buffer is pinned in
 * system memory, out of the region, is kunit/arena_kunit.c's.)
 *
 * Fragmentation: whatever a user with quota Q allocates and frees, a
 * page-aligned CONTIGUOUS request of L0 - A - (R mod A) bytes must still
 * succeed after every step (checked by dry run), where L0 is the largest
 * request that succeeded before the user started, A the arena size
 * (roundup_pow_of_two(Q)) and R the region size: the reproducer,
 * adversarial layouts in units of Q/256 (at least a page) for Q = 1 MiB
 * and the default, and seeded random sequences (the seed is printed; pass
 * it back to replay).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uapi/contig.h>

#include "ktap.h"

#define PG		4096ULL
#define MB		(1ULL << 20)
#define DEV		"/dev/contig"
#define PARAMS		"/sys/module/contig/parameters/"
#define NOBODY		65534

static int ctl;			/* root's, opened before any switch */
static uint64_t region;		/* bytes */
static char saved_bytes[32], saved_buffers[32];

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* Allocate on @c; the dma-buf fd or -errno. */
static int alloc_on(int c, uint64_t size, uint64_t align, uint32_t kind)
{
	struct contig_alloc_data a = {
		.size = size, .align = align, .kind = kind,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int ret = xioctl(c, CONTIG_IOCTL_ALLOC, &a);

	return ret ? ret : (int)a.fd;
}

/* Would a page-aligned CONTIGUOUS request of @size succeed now? */
static int dry_run(uint64_t size)
{
	struct contig_alloc_data a = {
		.size = size, .kind = CONTIG_KIND_CONTIGUOUS,
		.flags = CONTIG_FLAG_DRY_RUN, .fd_flags = O_RDWR,
	};

	return xioctl(ctl, CONTIG_IOCTL_ALLOC, &a);
}

/* The largest page-aligned CONTIGUOUS request that would succeed now. */
static uint64_t largest_ok(void)
{
	uint64_t lo = 0, hi = region / PG;	/* in pages: lo ok, hi+1 not */

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		if (!dry_run(mid * PG))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo * PG;
}

static struct contig_stats_data stats_on(int c)
{
	struct contig_stats_data st = { 0 };

	if (xioctl(c, CONTIG_IOCTL_STATS, &st))
		ktap_print("STATS failed: %s", strerror(errno));
	return st;
}

static int write_param(const char *name, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static int read_param(const char *name, char *val, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, val, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	val[n] = 0;
	val[strcspn(val, "\n")] = 0;
	return 0;
}

static void limits(uint64_t bytes, unsigned int buffers)
{
	char v[32];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)bytes);
	if (write_param("max_bytes_per_user", v))
		ktap_print("cannot set max_bytes_per_user: %s", strerror(errno));
	snprintf(v, sizeof(v), "%u", buffers);
	if (write_param("max_buffers_per_user", v))
		ktap_print("cannot set max_buffers_per_user: %s", strerror(errno));
}

static uint64_t pow2_up(uint64_t x)
{
	uint64_t p = PG;

	while (p < x)
		p <<= 1;
	return p;
}

/* Wait up to 3 s for the region to be as free as @free (fput, quarantine). */
static int settles(uint64_t free)
{
	struct contig_stats_data st;
	int i;

	for (i = 0; i < 150; i++) {
		st = stats_on(ctl);
		if (st.free == free)
			return 1;
		usleep(20000);
	}
	ktap_print("STATS free %llu, want %llu", (unsigned long long)st.free,
		   (unsigned long long)free);
	return 0;
}

/* ---- playing uid 65534 ------------------------------------------------- */

/* This process: effective and real uid 65534, root kept as saved uid. */
static int become_nobody(void)
{
	if (setresgid(NOBODY, NOBODY, 0) || setresuid(NOBODY, NOBODY, 0)) {
		ktap_print("cannot become uid %d: %s", NOBODY, strerror(errno));
		return -1;
	}
	return 0;
}

static void become_root(void)
{
	if (setresuid(0, 0, 0) || setresgid(0, 0, 0)) {
		ktap_print("cannot become root again: %s", strerror(errno));
		exit(1);
	}
}

/*
 * A child that is uid 65534 for good runs @fn(@arg, out) and sends back
 * @out (up to 16 values) and the fds it puts in out[15] (count) and
 * fds[] over @sock, when @sock >= 0.
 */
#define NOUT 16
struct child_out {
	long v[NOUT];
	int fds[64];
	int nfds;
};

static int send_fds(int sock, const int *fds, int n, const void *data,
		    size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 64)] = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct cmsghdr *c;

	if (n) {
		m.msg_control = cbuf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	return sendmsg(sock, &m, 0) == (ssize_t)len ? 0 : -1;
}

static int recv_fds(int sock, int *fds, void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 64)];
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int n = 0;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != (ssize_t)len)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(c), sizeof(int) * n);
		}
	return n;
}

/*
 * Run @fn as uid 65534 in a child; fill *@o with what it sent (its fds
 * now ours).  Returns 0, or -1 when the child failed to report.
 */
static int as_nobody(void (*fn)(const void *arg, struct child_out *o),
		     const void *arg, struct child_out *o)
{
	int sv[2], status;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		struct child_out co = { 0 };

		close(sv[0]);
		close(ctl);
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(99);
		fn(arg, &co);
		send_fds(sv[1], co.fds, co.nfds, co.v, sizeof(co.v));
		_exit(0);
	}
	close(sv[1]);
	o->nfds = recv_fds(sv[0], o->fds, o->v, sizeof(o->v));
	close(sv[0]);
	waitpid(pid, &status, 0);
	if (o->nfds < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		ktap_print("child failed (status %#x)", status);
		o->nfds = 0;
		return -1;
	}
	return 0;
}

static void close_fds(struct child_out *o)
{
	while (o->nfds > 0)
		close(o->fds[--o->nfds]);
}

/* ---- defaults and preconditions ------------------------------------------ */

#define SETUP_CASES 3

static void c_open_and_stats(const void *arg, struct child_out *o)
{
	int c = open(DEV, O_RDWR);
	struct contig_stats_data st;

	o->v[0] = c >= 0 ? 0 : -errno;
	if (c < 0)
		return;
	st = stats_on(c);
	o->v[1] = st.region_size == region;
	o->v[2] = st.user_bytes;
	o->v[3] = st.user_buffers;
	close(c);
}

static void setup_cases(const void *arg)
{
	char v[32];
	uint64_t want = PG, bytes = 0;
	unsigned long buffers = 0;
	struct child_out o;
	int ok;

	while (want * 2 <= region / 8)
		want *= 2;
	ok = !read_param("max_bytes_per_user", v, sizeof(v));
	if (ok)
		bytes = strtoull(v, NULL, 0);
	ok = ok && !read_param("max_buffers_per_user", v, sizeof(v));
	if (ok)
		buffers = strtoul(v, NULL, 0);
	ktap_check(ok && bytes == want && buffers == 1024,
		   "defaults: max_bytes_per_user = 1/8 of the region rounded down to a power of two (%llu, want %llu), max_buffers_per_user = 1024 (%lu)",
		   (unsigned long long)bytes, (unsigned long long)want, buffers);
	ktap_check(read_param("max_bytes_per_open", v, sizeof(v)) == -ENOENT &&
		   read_param("max_buffers_per_open", v, sizeof(v)) == -ENOENT,
		   "the per-open limits are gone");
	ok = !as_nobody(c_open_and_stats, NULL, &o);
	ktap_check(ok && !o.v[0] && o.v[1] && !o.v[2] && !o.v[3],
		   "precondition: uid 65534 opens /dev/contig (mode 0666) and its STATS show 0 bytes in 0 buffers (open %ld)",
		   o.v[0]);
}

/* ---- charges follow the user --------------------------------------------- */

/* 17 open files, two 1 MiB buffers asked on each; keep them all. */
static void c_many_opens(const void *arg, struct child_out *o)
{
	struct contig_stats_data st;
	int i, j, c[17], fd;

	for (i = 0; i < 17; i++) {
		c[i] = open(DEV, O_RDWR);
		for (j = 0; j < 2 && c[i] >= 0; j++) {
			fd = alloc_on(c[i], MB, 0, CONTIG_KIND_CONTIGUOUS);
			if (fd >= 0)
				o->v[0] += MB;	/* bytes held */
			else if (fd == -EDQUOT)
				o->v[1]++;
			else
				o->v[2]++;	/* other errors */
		}
	}
	st = stats_on(c[0]);
	o->v[3] = st.user_bytes;
	o->v[4] = st.user_buffers;
	for (i = 0; i < 17; i++)
		if (c[i] >= 0)
			close(c[i]);
}

static void c_reopen(const void *arg, struct child_out *o)
{
	int c = open(DEV, O_RDWR), i;

	for (i = 0; i < 4; i++)
		o->v[0] += alloc_on(c, MB, 0, CONTIG_KIND_SG) >= 0;
	close(c);
	c = open(DEV, O_RDWR);
	o->v[1] = alloc_on(c, PG, 0, CONTIG_KIND_SG);
	close(c);
}

/* Allocate 4 x 1 MiB and send the fds away. */
static void c_give_away(const void *arg, struct child_out *o)
{
	int c = open(DEV, O_RDWR), i, fd;

	for (i = 0; i < 4; i++) {
		fd = alloc_on(c, MB, 0, CONTIG_KIND_CONTIGUOUS);
		if (fd >= 0)
			o->fds[o->nfds++] = fd;
	}
	close(c);
}

static void c_try(const void *arg, struct child_out *o)
{
	const uint64_t *size = arg;
	int c = open(DEV, O_RDWR), fd;
	struct contig_stats_data st = stats_on(c);

	o->v[0] = st.user_bytes;
	o->v[1] = st.user_buffers;
	fd = alloc_on(c, *size, 0, CONTIG_KIND_CONTIGUOUS);
	o->v[2] = fd >= 0 ? 0 : fd;
	if (fd >= 0)
		close(fd);
	close(c);
}

#define CHARGE_CASES 7

static void charge_cases(const void *arg)
{
	struct contig_stats_data base = stats_on(ctl), st;
	uint64_t page = PG, mb = MB;
	struct child_out o, o2;
	int ok;

	limits(4 * MB, 1024);
	ok = !as_nobody(c_many_opens, NULL, &o);
	ktap_check(ok && o.v[0] == (long)(4 * MB) && o.v[1] == 30 && !o.v[2],
		   "17 open files hold 4 MiB between them under max_bytes_per_user=4M (held %ld KiB, %ld EDQUOT, %ld other errors)",
		   o.v[0] >> 10, o.v[1], o.v[2]);
	ktap_check(ok && o.v[3] == (long)(4 * MB) && o.v[4] == 4,
		   "STATS: the user is charged 4 MiB in 4 buffers (%ld, %ld)",
		   o.v[3], o.v[4]);
	ok = settles(base.free) && !as_nobody(c_reopen, NULL, &o);
	ktap_check(ok && o.v[0] == 4 && o.v[1] == -EDQUOT,
		   "closing /dev/contig and opening it again renews nothing (%ld held, then %ld)",
		   o.v[0], o.v[1]);

	ok = settles(base.free) && !as_nobody(c_give_away, NULL, &o);
	ok = ok && o.nfds == 4;
	st = stats_on(ctl);
	ktap_check(ok && st.user_bytes == base.user_bytes,
		   "the fds went to root: root's own charges did not change (%llu)",
		   (unsigned long long)st.user_bytes);
	ok = ok && !as_nobody(c_try, &page, &o2);
	ktap_check(ok && o2.v[0] == (long)(4 * MB) && o2.v[1] == 4 &&
		   o2.v[2] == -EDQUOT,
		   "while root holds them, uid 65534 is still charged 4 MiB in 4 buffers and gets EDQUOT (%ld, %ld, %ld)",
		   o2.v[0], o2.v[1], o2.v[2]);
	close_fds(&o);
	ok = settles(base.free) && !as_nobody(c_try, &mb, &o2);
	ktap_check(ok && !o2.v[0] && !o2.v[1] && !o2.v[2],
		   "once root closes them the charge is gone and 1 MiB fits again (%ld, %ld, %ld)",
		   o2.v[0], o2.v[1], o2.v[2]);
	ktap_check(settles(base.free), "charge cases leave the region as it was");
}

/* Two open files, two buffers asked on each, max_buffers_per_user=3. */
static void c_buffers(const void *arg, struct child_out *o)
{
	int c1 = open(DEV, O_RDWR), c2 = open(DEV, O_RDWR), fd[4], i;
	struct contig_stats_data st;

	st = stats_on(c1);
	o->v[5] = st.failed_quota;
	fd[0] = alloc_on(c1, PG, 0, CONTIG_KIND_SG);
	fd[1] = alloc_on(c1, PG, 0, CONTIG_KIND_SG);
	fd[2] = alloc_on(c2, PG, 0, CONTIG_KIND_SG);
	fd[3] = alloc_on(c2, PG, 0, CONTIG_KIND_SG);
	for (i = 0; i < 4; i++)
		o->v[i] = fd[i] >= 0 ? 0 : fd[i];
	st = stats_on(c1);
	o->v[5] = st.failed_quota - o->v[5];
	if (fd[0] >= 0)
		close(fd[0]);
	usleep(100000);
	fd[0] = alloc_on(c2, PG, 0, CONTIG_KIND_SG);
	o->v[6] = fd[0] >= 0 ? 0 : fd[0];
	for (i = 0; i < 4; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	close(c1);
	close(c2);
}

static void c_bytes(const void *arg, struct child_out *o)
{
	int c = open(DEV, O_RDWR), fd, fd2;

	fd = alloc_on(c, 61441, 0, CONTIG_KIND_CONTIGUOUS);
	fd2 = alloc_on(c, PG, 0, CONTIG_KIND_CONTIGUOUS);
	o->v[0] = fd >= 0 ? 0 : fd;
	o->v[1] = fd2 >= 0 ? 0 : fd2;
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	close(c);
}

/* Does the kernel log have a line with both strings? */
static int klog_has(const char *a, const char *b)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n, found = 0;
	char *buf, *line;

	if (len <= 0)
		return 0;
	buf = calloc(1, len + 1);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	for (line = strtok(n > 0 ? buf : "", "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, a) && strstr(line, b))
			found = 1;
	free(buf);
	return found;
}

#define LIMIT_CASES 6

static void limit_cases(const void *arg)
{
	struct contig_stats_data base = stats_on(ctl), st;
	uint64_t two = 2 * MB;
	struct child_out o;
	int ok, fds[4], i;

	limits(4 * MB, 3);
	ok = !as_nobody(c_buffers, NULL, &o);
	ktap_check(ok && !o.v[0] && !o.v[1] && !o.v[2] && o.v[3] == -EDQUOT &&
		   o.v[5] == 1,
		   "max_buffers_per_user=3 holds across two open files: the 4th buffer gets EDQUOT, counted once (%ld %ld %ld %ld, %ld)",
		   o.v[0], o.v[1], o.v[2], o.v[3], o.v[5]);
	ktap_check(ok && !o.v[6], "closing one buffer makes room for another (%ld)",
		   o.v[6]);

	limits(65536, 1024);
	ok = settles(base.free) && !as_nobody(c_bytes, NULL, &o);
	ktap_check(ok && !o.v[0] && o.v[1] == -EDQUOT,
		   "max_bytes_per_user=64K: 61441 bytes (16 pages) fit, one more page gets EDQUOT (%ld %ld)",
		   o.v[0], o.v[1]);
	ktap_check(klog_has("uid 65534", "max_bytes_per_user=4194304"),
		   "the refusal's log line names the uid and the limit");

	/* Root (CAP_SYS_ADMIN) is exempt; prove the same call is refused. */
	limits(MB, 3);
	ok = settles(base.free) && !as_nobody(c_try, &two, &o);
	fds[0] = alloc_on(ctl, 2 * MB, 0, CONTIG_KIND_CONTIGUOUS);
	for (i = 1; i < 4; i++)
		fds[i] = alloc_on(ctl, PG, 0, CONTIG_KIND_SG);
	st = stats_on(ctl);
	ktap_check(ok && o.v[2] == -EDQUOT && fds[0] >= 0 && fds[1] >= 0 &&
		   fds[2] >= 0 && fds[3] >= 0,
		   "CAP_SYS_ADMIN is exempt: root holds 2 MiB in 4 buffers under max_bytes_per_user=1M and max_buffers_per_user=3, which refuse uid 65534 (%ld; %d %d %d %d)",
		   o.v[2], fds[0], fds[1], fds[2], fds[3]);
	ktap_check(st.user_bytes == base.user_bytes + 2 * MB + 3 * PG &&
		   st.user_buffers == base.user_buffers + 4,
		   "root's exempt buffers are still counted in its STATS (%llu bytes, %llu buffers)",
		   (unsigned long long)st.user_bytes,
		   (unsigned long long)st.user_buffers);
	for (i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	settles(base.free);
}

/* ---- what an unprivileged user may do with its buffers ------------------ */

static void c_movable(const void *arg, struct child_out *o)
{
	int c = open(DEV, O_RDWR), fd;

	fd = alloc_on(c, 2 * PG, 0, CONTIG_KIND_MOVABLE);
	if (fd >= 0)
		o->fds[o->nfds++] = fd;
	o->v[0] = alloc_on(c, PG, 2 * MB, CONTIG_KIND_CONTIGUOUS);
	fd = alloc_on(c, PG, MB, CONTIG_KIND_CONTIGUOUS);
	o->v[1] = fd >= 0 ? 0 : fd;
	if (fd >= 0)
		close(fd);
	close(c);
}

#define ALIGN_CASES 1

static void align_cases(const void *arg)
{
	struct contig_stats_data base = stats_on(ctl);
	struct child_out o;
	int ok;

	limits(MB, 1024);
	ok = !as_nobody(c_movable, NULL, &o) && o.nfds == 1;
	ktap_check(ok && o.v[0] == -EINVAL && !o.v[1],
		   "uid 65534 under a 1 MiB limit: alignment 2 MiB (above its arena) is EINVAL, 1 MiB is fine (%ld, %ld)",
		   o.v[0], o.v[1]);
	close_fds(&o);
	settles(base.free);
}

/* ---- fragmentation: the property ----------------------------------------- */

/*
 * A user with quota Q plays in this process (effective uid 65534 on the
 * root-opened fd, whose permission check was at open), root judges.
 */
static struct {
	uint64_t q, unit, arena, target, worst;	/* worst: least largest_ok seen */
	unsigned int steps, bad;
	int fds[4096];
	unsigned int nfds;
} P;

static void prop_begin(uint64_t q, uint64_t l0)
{
	memset(&P, 0, sizeof(P));
	P.q = q;
	P.unit = q / 16 > PG ? q / 16 : PG;	/* fills of 16 buffers */
	P.arena = pow2_up(q);
	P.target = l0 - P.arena - (region % P.arena);
	P.worst = UINT64_MAX;
	limits(q, 4096);
}

/* One step of the user's; -errno or the fd kept. */
static int prop_alloc(uint64_t size, uint64_t align, uint32_t kind)
{
	int fd;

	if (become_nobody())
		return -EPERM;
	fd = alloc_on(ctl, size, align, kind);
	become_root();
	if (fd >= 0) {
		if (P.nfds < sizeof(P.fds) / sizeof(P.fds[0]))
			P.fds[P.nfds++] = fd;
		else
			close(fd);
	}
	return fd;
}

static void prop_free(unsigned int i)
{
	close(P.fds[i]);
	P.fds[i] = P.fds[--P.nfds];
}

/* Root's verdict after a step; @measure also finds the largest. */
static void prop_check(const char *what, int measure)
{
	int ret = dry_run(P.target);
	uint64_t l;

	P.steps++;
	if (ret) {
		if (P.bad++ < 5)
			ktap_print("step %u (%s): %llu KiB refused (%s), free %llu KiB",
				   P.steps, what,
				   (unsigned long long)P.target >> 10,
				   strerror(-ret),
				   (unsigned long long)stats_on(ctl).free >> 10);
	}
	if (measure) {
		l = largest_ok();
		if (l < P.worst)
			P.worst = l;
	}
}

static void prop_end(const char *name, uint64_t l0)
{
	uint64_t l = largest_ok();	/* measured with everything held */

	if (l < P.worst)
		P.worst = l;
	while (P.nfds)
		prop_free(P.nfds - 1);
	ktap_check(!P.bad && P.steps,
		   "%s: Q=%llu KiB, after each of %u steps %llu KiB (L0 %llu - arena %llu - R mod arena) still fit; least largest measured %llu KiB",
		   name, (unsigned long long)P.q >> 10, P.steps,
		   (unsigned long long)P.target >> 10,
		   (unsigned long long)l0 >> 10,
		   (unsigned long long)P.arena >> 10,
		   (unsigned long long)P.worst >> 10);
}

#define REPRO_CASES 2

/* The issue's: 1 MiB quota, 128 KiB held, 32 MiB refused with 63 free. */
static void repro_cases(const void *arg)
{
	struct contig_stats_data base = stats_on(ctl);
	uint64_t l0 = largest_ok(), align = region / 2;
	int fd = -1, held = 0, i, ret;

	prop_begin(MB, l0);
	/* Each at the largest alignment that works: half the region on main. */
	for (i = 0; i < 2; i++) {
		for (align = region / 2; align >= 64 << 10; align /= 2) {
			fd = prop_alloc(64 << 10, align, CONTIG_KIND_CONTIGUOUS);
			prop_check("reproducer", 0);
			if (fd >= 0)
				break;
		}
		held += fd >= 0;
		ktap_print("64 KiB held at alignment %llu KiB",
			   (unsigned long long)align >> 10);
	}
	ret = dry_run(region / 2);
	ktap_check(held == 2 && !ret,
		   "reproducer: uid 65534 holds 2 x 64 KiB, each at the largest alignment it may have; a %llu KiB CONTIGUOUS request still fits (%s)",
		   (unsigned long long)region >> 11, ret ? strerror(-ret) : "ok");
	prop_end("reproducer", l0);
	settles(base.free);
}

/* Adversarial layouts, each against the property after every step. */
static void layout_max_align(void)
{
	uint64_t align;
	int fd;

	for (align = 2 * P.arena; align >= P.unit; align /= 2) {
		do {
			fd = prop_alloc(P.unit, align, CONTIG_KIND_CONTIGUOUS);
			prop_check("one page at the largest alignment", 0);
		} while (fd >= 0);
	}
}

static void layout_every_other(uint32_t kind)
{
	unsigned int i, n = 0;
	int fd;

	do {
		fd = prop_alloc(P.unit, 0, kind);
		prop_check("every unit", 0);
		n += fd >= 0;
	} while (fd >= 0 && n < 4096);
	for (i = P.nfds; i-- > 0;)
		if (i % 2) {
			prop_free(i);
			prop_check("every other unit freed", 0);
		}
	/* Now larger requests: SG fills the holes, CONTIGUOUS cannot. */
	fd = prop_alloc(P.q / 4, 0, CONTIG_KIND_SG);
	prop_check("SG over the holes", 0);
	fd = prop_alloc(P.q / 4, 0, CONTIG_KIND_CONTIGUOUS);
	prop_check("CONTIGUOUS after the holes", 0);
}

/* Robson: fill with order k, free every other, go to order k + 1. */
static void layout_robson(void)
{
	uint64_t size;
	unsigned int i;
	int fd;

	for (size = P.unit; size <= P.q; size *= 2) {
		do {
			fd = prop_alloc(size, size, CONTIG_KIND_CONTIGUOUS);
			prop_check("Robson fill", 0);
		} while (fd >= 0);
		for (i = P.nfds; i-- > 0;)
			if (i % 2) {
				prop_free(i);
				prop_check("Robson: every other freed", 0);
			}
	}
}

/* Movable memory first (at the top of the region), then the arena. */
static void layout_movable_first(void)
{
	unsigned int i;

	prop_alloc(P.q / 2, 0, CONTIG_KIND_MOVABLE);
	prop_check("MOVABLE Q/2", 0);
	prop_alloc(P.q / 2 - PG, 0, CONTIG_KIND_MOVABLE);
	prop_check("MOVABLE up to Q - 1 page", 0);
	for (i = 0; i < 2; i++) {
		prop_alloc(PG, PG, CONTIG_KIND_CONTIGUOUS);
		prop_check("a page of CONTIGUOUS: the arena", 0);
		if (P.nfds > 1)
			prop_free(0);
		prop_check("a MOVABLE buffer freed", 0);
	}
}

#define LAYOUT_CASES 10

static void layout_cases(const void *arg)
{
	struct contig_stats_data base = stats_on(ctl);
	uint64_t l0 = largest_ok(), qs[2] = { MB, 0 };
	unsigned int i;

	ktap_print("L0 = %llu KiB of a %llu KiB region", (unsigned long long)l0 >> 10,
		   (unsigned long long)region >> 10);
	qs[1] = strtoull(saved_bytes, NULL, 0);	/* the default */
	for (i = 0; i < 2; i++) {
		prop_begin(qs[i], l0);
		layout_max_align();
		prop_end("max alignment", l0);
		prop_begin(qs[i], l0);
		layout_every_other(CONTIG_KIND_CONTIGUOUS);
		prop_end("every other unit (CONTIGUOUS)", l0);
		prop_begin(qs[i], l0);
		layout_every_other(CONTIG_KIND_SG);
		prop_end("every other unit (SG)", l0);
		prop_begin(qs[i], l0);
		layout_robson();
		prop_end("Robson: growing orders after frees", l0);
		prop_begin(qs[i], l0);
		layout_movable_first();
		prop_end("MOVABLE first, then the arena", l0);
		settles(base.free);
	}
}

#define RANDOM_CASES 2

static uint64_t rng_state;

static uint64_t rnd(void)	/* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void random_cases(const void *arg)
{
	const uint64_t *seedp = arg;
	struct contig_stats_data base = stats_on(ctl);
	uint64_t l0 = largest_ok(), qs[2] = { 3 * MB, 0 };
	unsigned int i, step;

	qs[1] = strtoull(saved_bytes, NULL, 0);
	for (i = 0; i < 2; i++) {
		rng_state = *seedp + i;
		ktap_print("random sequence %u: seed %llu + %u (user_test %llu replays it)",
			   i, (unsigned long long)*seedp, i,
			   (unsigned long long)*seedp);
		prop_begin(qs[i], l0);
		for (step = 0; step < 60; step++) {
			uint64_t r = rnd(), pages, align;
			uint32_t kind = r % 3;

			if (P.nfds && (r >> 8) % 3 == 0) {
				prop_free((r >> 16) % P.nfds);
				prop_check("random free", step % 20 == 0);
				continue;
			}
			/* Mostly small, sometimes up to Q. */
			pages = (r >> 16) % 4 || P.q < PG ? 1 + (r >> 24) % 8 :
				1 + (r >> 24) % (P.q / PG);
			align = kind == CONTIG_KIND_MOVABLE ? 0 :
				PG << ((r >> 40) % 12);
			prop_alloc(pages * PG, align, kind);
			prop_check("random alloc", step % 20 == 0);
		}
		prop_end(i ? "random, default Q" : "random, Q=3M (arena 4M)", l0);
		settles(base.free);
	}
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) :
			(uint64_t)time(NULL);
	struct ktap_group groups[] = {
		{ "setup", SETUP_CASES, setup_cases, NULL },
		{ "charges", CHARGE_CASES, charge_cases, NULL },
		{ "limits", LIMIT_CASES, limit_cases, NULL },
		{ "alignment", ALIGN_CASES, align_cases, NULL },
		{ "reproducer", REPRO_CASES, repro_cases, NULL },
		{ "layouts", LAYOUT_CASES, layout_cases, NULL },
		{ "random", RANDOM_CASES, random_cases, &seed },
	};
	const unsigned int ngroups = sizeof(groups) / sizeof(groups[0]);
	struct contig_stats_data st;
	struct stat sb;
	int ret;

	ktap_plan(groups, ngroups);
	ktap_print("seed %llu", (unsigned long long)seed);
	ctl = open(DEV, O_RDWR | O_CLOEXEC);
	if (ctl < 0 || stat(DEV, &sb)) {
		ktap_print("cannot open " DEV ": %s", strerror(errno));
		return 1;
	}
	st = stats_on(ctl);
	region = st.region_size;
	read_param("max_bytes_per_user", saved_bytes, sizeof(saved_bytes));
	read_param("max_buffers_per_user", saved_buffers, sizeof(saved_buffers));
	chmod(DEV, 0666);
	ktap_run(groups, ngroups);
	write_param("max_bytes_per_user", saved_bytes);
	write_param("max_buffers_per_user", saved_buffers);
	chmod(DEV, sb.st_mode & 07777);
	close(ctl);
	ret = ktap_finish();
	return ret;
}
