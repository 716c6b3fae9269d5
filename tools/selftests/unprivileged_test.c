// SPDX-License-Identifier: GPL-2.0
/*
 * unprivileged_test - what a caller without CAP_SYS_RAWIO can learn.
 *
 * Usage: unprivileged_test   (root, contig.ko loaded; prints KTAP)
 *
 * Root builds a layout in which a CONTIGUOUS request meets blocked windows,
 * and first proves the report it gets names their frames.  Then uid 65534
 * (nobody, using root's open /dev/contig, as a member of a group the node
 * was opened to would, and with max_bytes_per_user lifted so that its
 * requests search the region rather than its own arena) makes the same
 * requests: its reports must be
 * written (windows counted, holders named, sizes given) with every pfn
 * zero, and the kernel log lines its refusal causes must name no frame.
 * Then the other channels: with debugfs mounted readable by all, nobody
 * reaches /sys/kernel/debug/contig/ and reads none of its files; the
 * module parameter holding the region's physical address is root's.
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
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <uapi/contig.h>

#include "ktap.h"

#define PG		4096UL
#define DEV		"/dev/contig"
#define DEBUGFS		"/sys/kernel/debug"
#define DBG		DEBUGFS "/contig/"
#define PARAMS		"/sys/module/contig/parameters/"

static int ctl;

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static struct contig_stats_data stats(void)
{
	struct contig_stats_data st = { 0 };

	if (xioctl(ctl, CONTIG_IOCTL_STATS, &st))
		ktap_print("STATS failed: %s", strerror(errno));
	return st;
}

/* Allocate without a report: the fd or -errno. */
static int alloc_buf(uint64_t size, uint32_t kind)
{
	struct contig_alloc_data a = {
		.size = size, .kind = kind, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int ret = xioctl(ctl, CONTIG_IOCTL_ALLOC, &a);

	return ret ? ret : (int)a.fd;
}

/* A CONTIGUOUS request with a report: ALLOC or its dry run. */
struct request {
	int ret;			/* 0 or -errno */
	struct contig_alloc_data a;
	struct contig_alloc_report rep;
};

static void contiguous(struct request *r, uint64_t size, uint32_t flags)
{
	memset(r, 0, sizeof(*r));
	r->a.size = size;
	r->a.kind = CONTIG_KIND_CONTIGUOUS;
	r->a.flags = flags;
	r->a.fd_flags = O_RDWR | O_CLOEXEC;
	r->a.report = (uintptr_t)&r->rep;
	r->ret = xioctl(ctl, CONTIG_IOCTL_ALLOC, &r->a);
	if (!r->ret && r->a.fd)
		close(r->a.fd);
}

/*
 * Run @fn(@arg) in a child with the credentials of nobody: its exit
 * status, or 255 when it could not become nobody or died.
 */
static int as_nobody(int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		    !getuid())
			_exit(255);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 255;
	return WEXITSTATUS(status);
}

/* Shared with the children: what nobody's requests got. */
static struct request *shared;

static int nobody_alloc(void *arg)
{
	contiguous(shared, *(uint64_t *)arg, 0);
	return 0;
}

static int nobody_dry_run(void *arg)
{
	contiguous(shared, *(uint64_t *)arg, CONTIG_FLAG_DRY_RUN);
	return 0;
}

/* Pfns in the filled entries (and any past them): how many are not 0. */
static unsigned int nonzero_pfns(const struct contig_alloc_report *rep)
{
	unsigned int i, n = 0;

	for (i = 0; i < CONTIG_REPORT_WINDOWS; i++)
		n += !!rep->windows[i].start_pfn + !!rep->windows[i].blocker_pfn;
	return n;
}

/* Every filled entry names a holder. */
static int holders_named(const struct contig_alloc_report *rep)
{
	unsigned int i;

	if (!rep->nr_reported || rep->nr_reported > CONTIG_REPORT_WINDOWS)
		return 0;
	for (i = 0; i < rep->nr_reported; i++)
		if (rep->windows[i].holder != CONTIG_HOLDER_UNMOVABLE &&
		    rep->windows[i].holder != CONTIG_HOLDER_PINNED &&
		    rep->windows[i].holder != CONTIG_HOLDER_SLAB)
			return 0;
	return 1;
}

static void show(const char *who, const struct request *r)
{
	ktap_print("%s: %s, %u of %u windows blocked, %u reported, holder %u, largest free %llu, move %llu, pfns %#llx/%#llx",
		   who, r->ret ? strerror(-r->ret) : "ok", r->rep.nr_blocked,
		   r->rep.nr_windows, r->rep.nr_reported, r->rep.windows[0].holder,
		   (unsigned long long)r->rep.largest_free,
		   (unsigned long long)r->rep.move_bytes,
		   (unsigned long long)r->rep.windows[0].start_pfn,
		   (unsigned long long)r->rep.windows[0].blocker_pfn);
}

/* The kernel log from @mark on: a malloc'd string, or NULL. */
static char *log_since(const char *mark)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *at;

	if (len <= 0)
		return NULL;
	buf = calloc(1, len + 1);
	if (!buf)
		return NULL;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len < 0) {
		free(buf);
		return NULL;
	}
	/* The last @mark: an earlier run's (the other region's) may remain. */
	at = NULL;
	for (char *p = strstr(buf, mark); p; p = strstr(p + 1, mark))
		at = p;
	if (!at) {
		free(buf);
		return NULL;
	}
	memmove(buf, at, strlen(at) + 1);
	return buf;
}

static void kmsg(const char *s)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			ktap_print("/dev/kmsg: %s", strerror(errno));
		close(fd);
	}
}

/* ---- the report ------------------------------------------------------------ */

/* Read or write a module parameter; 0 or -errno. */
static int param(const char *name, char *val, size_t len, int write_it)
{
	char path[128];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, write_it ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -errno;
	r = write_it ? write(fd, val, strlen(val)) : read(fd, val, len - 1);
	if (!write_it && r >= 0)
		val[r] = 0;
	close(fd);
	return r < 0 ? -errno : 0;
}

#define REPORT_CASES 7

static void report_cases(const void *arg)
{
	struct contig_stats_data base = stats(), st;
	char saved[32] = "", zero[] = "0";
	uint64_t two = 2 * PG;
	struct request root;
	int sg, one, mov, r, ok, saved_ok;
	char *log;

	/*
	 * With a per-user limit uid 65534's CONTIGUOUS requests come from its
	 * own arena and never search the region's windows; lift the limit
	 * (no arena, as on a node whose admin set max_bytes_per_user=0) so
	 * they do, and the reports below are the region's.
	 */
	saved_ok = !param("max_bytes_per_user", saved, sizeof(saved), 0) &&
		   !param("max_bytes_per_user", zero, sizeof(zero), 1);
	if (!saved_ok)
		ktap_print("cannot lift max_bytes_per_user: %s", strerror(errno));

	/* Layout 1: the region full but a page, all of it unmovable. */
	sg = base.free > PG ? alloc_buf(base.free - PG, CONTIG_KIND_SG) : -ENOMEM;
	st = stats();
	contiguous(&root, two, CONTIG_FLAG_DRY_RUN);
	show("root, dry run", &root);
	ok = sg >= 0 && st.free == PG && root.ret == -ENOMEM &&
	     root.rep.nr_blocked && holders_named(&root.rep) &&
	     root.rep.windows[0].start_pfn && root.rep.windows[0].blocker_pfn;
	ktap_check(ok, "root: region full but a page, a 2-page dry run is ENOMEM and its report names blocked windows with their pfns");

	/*
	 * The refusal's lines are rate limited (5 s, burst 10, per call
	 * site): wait out whatever earlier requests printed, so that the
	 * lines looked for below are not the ones suppressed.
	 */
	sleep(6);
	kmsg("contig-test: unprivileged_test mark 1\n");
	r = as_nobody(nobody_alloc, &two);
	show("nobody, alloc", shared);
	ok = !r && shared->ret == -ENOMEM && shared->rep.result == -ENOMEM &&
	     shared->a.nr_blocked && shared->rep.nr_blocked &&
	     shared->rep.nr_windows && holders_named(&shared->rep) &&
	     shared->rep.largest_free == PG;
	ktap_check(ok, "uid 65534: the same ALLOC is ENOMEM with a report written: windows counted, holders named, sizes given");
	ktap_check(ok && !nonzero_pfns(&shared->rep),
		   "uid 65534: that report has every pfn zero (%u not)",
		   nonzero_pfns(&shared->rep));

	log = log_since("contig-test: unprivileged_test mark 1");
	ok = log && strstr(log, "windows blocked") && strstr(log, "unmovable") &&
	     !strstr(log, "pfn");
	ktap_check(ok, "uid 65534: its refusal is logged, naming the holder and no pfn");
	if (log && !ok) {
		for (char *c = log; *c; c++)
			if (*c == '\n')
				*c = '|';
		ktap_print("log: %.400s", log);
	}
	free(log);

	r = as_nobody(nobody_dry_run, &two);
	show("nobody, dry run", shared);
	ok = !r && shared->ret == -ENOMEM && shared->rep.nr_blocked &&
	     holders_named(&shared->rep) && !nonzero_pfns(&shared->rep);
	ktap_check(ok, "uid 65534: its dry run reports the blocked windows and their holders, every pfn zero");
	if (sg >= 0)
		close(sg);

	/*
	 * Layout 2: one unmovable page, everything else movable: the request
	 * is served by moving pages, and its report still lists a window.
	 */
	one = alloc_buf(PG, CONTIG_KIND_CONTIGUOUS);
	st = stats();
	mov = one >= 0 ? alloc_buf(st.free, CONTIG_KIND_MOVABLE) : -ENOMEM;
	contiguous(&root, two, CONTIG_FLAG_DRY_RUN);
	show("root, dry run", &root);
	r = as_nobody(nobody_alloc, &two);
	show("nobody, alloc", shared);
	ok = mov >= 0 && !root.ret && root.rep.nr_blocked &&
	     root.rep.windows[0].blocker_pfn &&
	     !r && !shared->ret && shared->rep.nr_blocked &&
	     shared->rep.move_bytes && holders_named(&shared->rep);
	ktap_check(ok, "uid 65534: a 2-page ALLOC served by moving pages past a blocked window is reported (root's dry run shows the pfns)");
	ktap_check(ok && !nonzero_pfns(&shared->rep),
		   "uid 65534: that report has every pfn zero (%u not)",
		   nonzero_pfns(&shared->rep));
	if (mov >= 0)
		close(mov);
	if (one >= 0)
		close(one);
	if (saved_ok && param("max_bytes_per_user", saved, sizeof(saved), 1))
		ktap_print("cannot restore max_bytes_per_user=%s: %s", saved,
			   strerror(errno));
}

/* ---- debugfs and sysfs ------------------------------------------------------ */

static int nobody_stat(void *path)
{
	struct stat sb;

	return stat(path, &sb) ? errno : 0;
}

static int nobody_read(void *path)
{
	char c;
	int fd = open(path, O_RDONLY), ret = 0;

	if (fd < 0)
		return errno;
	if (read(fd, &c, 1) < 0)
		ret = errno;
	close(fd);
	return ret ? ret : 254;	/* read: never a plain 0, not mistaken */
}

/* As nobody: how many files of debugfs contig/ it could read. */
static int nobody_read_all(void *unused)
{
	DIR *d = opendir(DBG);
	struct dirent *e;
	char path[512];
	int n = 0;

	if (!d)
		return 200;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), DBG "%s", e->d_name);
		if (nobody_read(path) == 254) {
			printf("# uid 65534 reads %s\n", path);
			n++;
		}
	}
	closedir(d);
	fflush(stdout);
	return n;
}

#define FILES_CASES 5

/*
 * Count the regular files under @dir (fault injection's fail/ holds
 * directories of its own) and those open to group or others.  Directories
 * may be listed by all (debugfs makes them 0755): their names say nothing.
 */
static void walk_files(const char *dir, int *n, int *wide)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat sb;
	char path[512];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s%s", dir, e->d_name);
		if (lstat(path, &sb))
			continue;
		if (S_ISDIR(sb.st_mode)) {
			strncat(path, "/", sizeof(path) - strlen(path) - 1);
			walk_files(path, n, wide);
			continue;
		}
		(*n)++;
		if (sb.st_mode & 077 || sb.st_uid) {
			ktap_print("%s: mode %o uid %u", path, sb.st_mode & 07777, sb.st_uid);
			(*wide)++;
		}
	}
	if (d)
		closedir(d);
}

static void files_cases(const void *arg)
{
	struct stat dsb;
	char path[512];
	int n = 0, wide = 0, r, ok;

	walk_files(DBG, &n, &wide);
	ktap_check(n >= 8 && !wide, "%d files in " DBG ", %d of them open to group or others", n, wide);

	/* An admin mounts debugfs readable by all. */
	ok = !stat(DEBUGFS, &dsb) &&
	     !mount(NULL, DEBUGFS, NULL, MS_REMOUNT, "mode=0755");
	r = ok ? as_nobody(nobody_stat, DBG "region") : -1;
	ktap_check(!r, "with debugfs mounted mode 0755, uid 65534 reaches " DBG "region (%s)",
		   r > 0 ? strerror(r) : r ? "remount failed" : "ok");
	r = ok ? as_nobody(nobody_read_all, NULL) : -1;
	ktap_check(!r, "and reads none of its files (%d readable)", r);
	if (ok) {
		snprintf(path, sizeof(path), "mode=%04o", dsb.st_mode & 07777);
		if (mount(NULL, DEBUGFS, NULL, MS_REMOUNT, path))
			ktap_print("cannot restore debugfs %s: %s", path, strerror(errno));
	}

	/* The region= parameter is a physical address. */
	r = as_nobody(nobody_read, PARAMS "policy");
	ok = r == 254;
	r = as_nobody(nobody_read, PARAMS "region");
	ktap_check(ok, "uid 65534 reads the module parameter policy (sysfs is reachable)");
	ktap_check(r == EACCES, "uid 65534 cannot read the module parameter region, a physical address (%s)",
		   r == 254 ? "read it" : strerror(r));
}

static struct contig_stats_data start_stats;

static void end_case(const void *arg)
{
	struct contig_stats_data st;
	int i, ok = 0;

	for (i = 0; i < 150 && !ok; i++) {
		st = stats();
		ok = st.free == start_stats.free &&
		     !memcmp(st.kinds, start_stats.kinds, sizeof(st.kinds));
		if (!ok)
			usleep(20000);
	}
	ktap_check(ok, "every buffer is freed and STATS is back to where it started");
}

int main(void)
{
	struct ktap_group groups[] = {
		{ "report", REPORT_CASES, report_cases, NULL },
		{ "files", FILES_CASES, files_cases, NULL },
		{ "end", 1, end_case, NULL },
	};
	const unsigned int ngroups = sizeof(groups) / sizeof(groups[0]);

	ktap_plan(groups, ngroups);
	ctl = open(DEV, O_RDWR | O_CLOEXEC);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl < 0 || shared == MAP_FAILED) {
		ktap_print("cannot open " DEV ": %s", strerror(errno));
		return 1;
	}
	start_stats = stats();
	ktap_run(groups, ngroups);
	close(ctl);
	return ktap_finish();
}
