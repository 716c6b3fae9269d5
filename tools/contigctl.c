// SPDX-License-Identifier: GPL-2.0
/*
 * contigctl - command line for /dev/contig.
 *
 *   contigctl alloc --size 64M [--kind contiguous|sg|movable] [--align 2M]
 *             [--wc] [--hold]
 *   contigctl info FD | PID:FD | hold
 *   contigctl stats [--json]
 *   contigctl map
 *   contigctl lend
 *
 * lend onlines, into ZONE_MOVABLE, every offline memory block of the
 * "System RAM (contig)" that contig.ko loaded with lend=1 added: the kernel
 * has no call for a module to choose the zone, and contig refuses every
 * zone but Movable (root; see README "Lending the region").
 *
 * alloc prints what it got and frees it on exit; with --hold it keeps the
 * buffer until interrupted and records "PID FD" in $CONTIGCTL_HOLD (default
 * /tmp/contigctl.hold), so that `contigctl info hold` can look at it from
 * another shell (through pidfd_getfd(), which needs ptrace rights over the
 * holder: the same user, or root).  Sizes are read with K/M/G suffixes
 * (powers of 1024) and printed the same way.  Every failure says what the
 * errno means here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libcontig.h>

#define DEV	"/dev/contig"
#define MAPFILE	"/sys/kernel/debug/contig/map"

static const char *hold_path(void)
{
	const char *p = getenv("CONTIGCTL_HOLD");

	return p && *p ? p : "/tmp/contigctl.hold";
}

static const char *human(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int i = -1;

	while (v >= 1024 && !(v % 1024) && i < 5) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%c", v, units[i]);
	return buf;
}

/* Like human(), but rounded to one decimal for table columns. */
static const char *approx(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = v;
	int i = 0;

	while (d >= 1024 && i < 4) {
		d /= 1024;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", d, units[i]);
	return buf;
}

static int parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (shift) {
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = v << shift;
	return 0;
}

/* What went wrong, in contig's terms (contig_strerror()); exit 1. */
static void die_errno(const char *what, int err)
{
	const char *why = contig_strerror(err);

	/* contig_strerror() reads ENOENT as "no /dev/contig". */
	if (err == ENOENT && !strstr(what, DEV))
		why = "no such file";
	fprintf(stderr, "contigctl: %s: %s (%s)\n", what, why, strerrorname_np(err));
	exit(1);
}

static struct contig *open_dev(void)
{
	struct contig *c;
	int ret = contig_open(&c);

	if (ret)
		die_errno("open " DEV, -ret);
	return c;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: contigctl alloc --size SIZE [--kind contiguous|sg|movable] [--align SIZE] [--region ID|NAME] [--wc] [--hold] [--dry-run]\n"
		"       contigctl info FD|PID:FD|hold\n"
		"       contigctl stats [--region ID|NAME] [--json]\n"
		"       contigctl regions\n"
		"       contigctl map\n"
		"       contigctl lend\n"
		"SIZE takes K, M, G, T suffixes (powers of 1024).\n");
	exit(2);
}

/* A region by id or name, as --region takes it; exits when there is none. */
static unsigned int region_arg(struct contig *c, const char *arg)
{
	unsigned int id;
	char *end;
	int ret;

	id = strtoul(arg, &end, 10);
	if (*arg && !*end)
		return id;
	ret = contig_region_lookup(c, arg, &id);
	if (ret)
		die_errno(arg, -ret);
	return id;
}

static void print_info(struct contig *c, int fd)
{
	struct contig_stats_data st;
	struct contig_info_data in;
	struct contig_chunk *ch = NULL;
	char b1[32], b2[32];
	unsigned int i;
	int phys = 0, ret;

	ret = contig_info(c, fd, &in, NULL, 0);
	if (ret)
		die_errno("info", -ret);
	ch = calloc(in.nr_chunks, sizeof(*ch));
	if (ch) {
		struct contig_info_data in2;

		if (!contig_info(c, fd, &in2, ch, in.nr_chunks)) {
			in = in2;
			phys = 1;
		}
	}
	printf("buffer %" PRIu64 ": %s (%s bytes), %s%s, %u chunk%s\n", (uint64_t)in.id,
	       human(in.size, b1, sizeof(b1)), approx(in.size, b2, sizeof(b2)),
	       contig_kind_name(in.kind) ? contig_kind_name(in.kind) : "?",
	       in.buf_flags & CONTIG_FLAG_WC ? ", write-combined" : "",
	       in.nr_chunks, in.nr_chunks == 1 ? "" : "s");
	if (!contig_stats_region(c, in.region, &st))
		printf("  in region %u (%.16s)\n", in.region, st.name);
	if (!phys) {
		printf("  (physical addresses need CAP_SYS_RAWIO)\n");
	} else {
		for (i = 0; i < in.nr_chunks; i++)
			printf("  chunk %u: phys %#" PRIx64 "-%#" PRIx64 " (%s)\n", i,
			       (uint64_t)ch[i].phys, (uint64_t)(ch[i].phys + ch[i].size - 1),
			       human(ch[i].size, b1, sizeof(b1)));
	}
	free(ch);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* What a CONTIGUOUS request found on its way (struct contig_alloc_report). */
static void print_report(const struct contig_alloc_report *rep)
{
	unsigned int i;

	if (!rep->nr_windows)
		return;
	printf("windows: %u, blocked %u; largest free block %llu KiB; %llu KiB %s\n",
	       rep->nr_windows, rep->nr_blocked,
	       (unsigned long long)rep->largest_free >> 10,
	       (unsigned long long)rep->move_bytes >> 10,
	       rep->result ? "would have needed moving" : "moved");
	for (i = 0; i < rep->nr_reported && i < CONTIG_REPORT_WINDOWS; i++)
		printf("  window at pfn %#llx: pfn %#llx is %s\n",
		       (unsigned long long)rep->windows[i].start_pfn,
		       (unsigned long long)rep->windows[i].blocker_pfn,
		       contig_holder_name(rep->windows[i].holder));
}

static int cmd_alloc(int argc, char **argv)
{
	struct contig_alloc_report rep = { 0 };
	unsigned int kind = CONTIG_KIND_CONTIGUOUS, flags = CONTIG_BUF_NOMAP, k;
	int hold = 0, i, have_size = 0, dry = 0, err, fd;
	uint64_t size = 0, align = 0;
	struct contig_buf *b = NULL;
	const char *region = NULL;
	unsigned int id = 0;
	struct contig *c;

	for (i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--size") && v) {
			if (parse_size(v, &size))
				usage();
			have_size = 1;
			i++;
		} else if (!strcmp(argv[i], "--align") && v) {
			if (parse_size(v, &align))
				usage();
			i++;
		} else if (!strcmp(argv[i], "--kind") && v) {
			for (k = 0; k < CONTIG_NR_KINDS; k++)
				if (!strcmp(v, contig_kind_name(k)))
					break;
			if (k == CONTIG_NR_KINDS)
				usage();
			kind = k;
			i++;
		} else if (!strcmp(argv[i], "--region") && v) {
			region = v;
			i++;
		} else if (!strcmp(argv[i], "--wc")) {
			flags |= CONTIG_FLAG_WC;
		} else if (!strcmp(argv[i], "--hold")) {
			hold = 1;
		} else if (!strcmp(argv[i], "--dry-run")) {
			dry = 1;
		} else {
			usage();
		}
	}
	if (!have_size || (dry && kind != CONTIG_KIND_CONTIGUOUS))
		usage();
	c = open_dev();
	if (region)
		id = region_arg(c, region);
	if (dry) {
		char where[32] = "";

		if (id)
			snprintf(where, sizeof(where), " in region %u", id);
		err = contig_dry_run_region(c, id, size, align, &rep);
		print_report(&rep);
		printf("dry run%s: %s\n", where,
		       err ? strerror(-err) : "would succeed");
		contig_close(c);
		return err ? 1 : 0;
	}
	err = contig_buf_alloc_region(c, id, size, align, kind, flags, &rep, &b);
	if (kind == CONTIG_KIND_CONTIGUOUS)
		print_report(&rep);
	if (err)
		die_errno("alloc", -err);
	fd = contig_buf_fd(b);
	print_info(c, fd);
	if (hold) {
		FILE *f = fopen(hold_path(), "w");

		if (!f)
			die_errno(hold_path(), errno);
		fprintf(f, "%d %d\n", getpid(), fd);
		fclose(f);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		printf("holding it as fd %d of pid %d (%s); Ctrl-C or SIGTERM frees it\n",
		       fd, getpid(), hold_path());
		fflush(stdout);
		while (!stop)
			pause();
		unlink(hold_path());
	}
	contig_buf_free(b);
	contig_close(c);
	return 0;
}

/* An fd of ours, or of another process through pidfd_getfd(). */
static int resolve_fd(const char *arg)
{
	int pid, fd, pidfd, got;
	char extra;

	if (!strcmp(arg, "hold")) {
		FILE *f = fopen(hold_path(), "r");

		if (!f)
			die_errno("no held buffer (`contigctl alloc ... --hold` records one)",
				  errno);
		if (fscanf(f, "%d %d", &pid, &fd) != 2) {
			fprintf(stderr, "contigctl: %s is not \"PID FD\"\n", hold_path());
			exit(1);
		}
		fclose(f);
	} else if (sscanf(arg, "%d:%d%c", &pid, &fd, &extra) == 2) {
		;
	} else if (sscanf(arg, "%d%c", &fd, &extra) == 1) {
		return fd;
	} else {
		usage();
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		die_errno("pidfd_open of the holder", errno);
	got = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (got < 0)
		die_errno("pidfd_getfd (taking the holder's fd)", errno);
	close(pidfd);
	return got;
}

static int cmd_info(int argc, char **argv)
{
	struct contig *c;
	int fd;

	if (argc != 1)
		usage();
	fd = resolve_fd(argv[0]);
	c = open_dev();
	print_info(c, fd);
	contig_close(c);
	return 0;
}

static int cmd_stats(int argc, char **argv)
{
	struct contig_stats_data st;
	const char *region = NULL;
	char b1[32], b2[32];
	unsigned int k, id = 0;
	struct contig *c;
	int json = 0, i;
	int ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--region") && i + 1 < argc)
			region = argv[++i];
		else
			usage();
	}
	c = open_dev();
	if (region)
		id = region_arg(c, region);
	ret = contig_stats_region(c, id, &st);
	contig_close(c);
	if (ret)
		die_errno("stats", -ret);
	if (json)
		return contig_stats_json(&st, stdout) ? 1 : 0;
	if (st.nr_regions > 1)
		printf("region %u (%.16s) of %u\n\n", st.region, st.name,
		       st.nr_regions);
	printf("%-22s %12s  %s\n", "region", approx(st.region_size, b1, sizeof(b1)),
	       human(st.region_size, b2, sizeof(b2)));
	printf("%-22s %12s  %s\n", "free", approx(st.free, b1, sizeof(b1)),
	       human(st.free, b2, sizeof(b2)));
	printf("%-22s %12s  %s\n", "largest free block",
	       approx(st.largest_free, b1, sizeof(b1)),
	       human(st.largest_free, b2, sizeof(b2)));
	printf("%-22s %12s\n", "quarantined", approx(st.quarantined, b1, sizeof(b1)));
	if (st.lent_bytes || st.taken_bytes) {
		printf("%-22s %12s\n", "lent to the kernel",
		       approx(st.lent_bytes, b1, sizeof(b1)));
		printf("%-22s %12s\n", "taken back",
		       approx(st.taken_bytes, b1, sizeof(b1)));
	}
	printf("\n%-12s %12s %10s\n", "kind", "in use", "buffers");
	for (k = 0; k < st.nr_kinds && k < CONTIG_NR_KINDS; k++)
		printf("%-12s %12s %10llu\n", contig_kind_name(k),
		       approx(st.kinds[k].bytes, b1, sizeof(b1)),
		       (unsigned long long)st.kinds[k].buffers);
	printf("\n%-22s %12llu\n%-22s %12llu\n%-22s %12llu\n%-22s %12llu\n",
	       "allocations", (unsigned long long)st.allocs,
	       "frees", (unsigned long long)st.frees,
	       "refused: no memory", (unsigned long long)st.failed_nomem,
	       "refused: quota", (unsigned long long)st.failed_quota);
	return 0;
}

/* One line per region: id, name, size, free, largest free block. */
static int cmd_regions(void)
{
	struct contig_stats_data st;
	unsigned int i, n = 1;
	char b1[32], b2[32], b3[32];
	struct contig *c = open_dev();
	int ret;

	printf("%3s %-16s %12s %12s %12s\n", "id", "name", "size", "free",
	       "largest free");
	for (i = 0; i < n; i++) {
		ret = contig_stats_region(c, i, &st);
		if (ret)
			die_errno("stats", -ret);
		n = st.nr_regions ? st.nr_regions : 1;
		printf("%3u %-16.16s %12s %12s %12s%s\n", i, st.name,
		       approx(st.region_size, b1, sizeof(b1)),
		       approx(st.free, b2, sizeof(b2)),
		       approx(st.largest_free, b3, sizeof(b3)),
		       i ? "" : "  (default)");
	}
	contig_close(c);
	return 0;
}

static int cmd_map(void)
{
	char buf[65536];
	ssize_t n;
	int fd = open(MAPFILE, O_RDONLY);

	if (fd < 0)
		die_errno("open " MAPFILE " (debugfs mounted? root?)", errno);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	return n < 0;
}

#define MEMDIR	"/sys/devices/system/memory"

/* Read a short sysfs file into @buf, without its newline; 0 or -errno. */
static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY), err;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int cmd_lend(void)
{
	unsigned long long bs, s, e, b;
	char line[256], path[128], state[64];
	int found = 0, failed = 0, fd, ret;
	FILE *f;

	ret = read_small(MEMDIR "/block_size_bytes", state, sizeof(state));
	if (ret)
		die_errno("read " MEMDIR "/block_size_bytes (no memory hotplug?)", -ret);
	bs = strtoull(state, NULL, 16);
	f = fopen("/proc/iomem", "r");
	if (!f || !bs)
		die_errno("read /proc/iomem", errno);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, ": System RAM (contig)") ||
		    sscanf(line, " %llx-%llx", &s, &e) != 2)
			continue;
		found++;
		if (!s && !e) {
			fprintf(stderr, "contigctl: /proc/iomem hides addresses: run as root\n");
			return 1;
		}
		for (b = s / bs; b <= e / bs; b++) {
			snprintf(path, sizeof(path), MEMDIR "/memory%llu/state", b);
			ret = read_small(path, state, sizeof(state));
			if (!ret && strcmp(state, "offline")) {
				printf("memory%llu: %s already\n", b, state);
				continue;
			}
			fd = ret ? -1 : open(path, O_WRONLY);
			if (fd < 0 || write(fd, "online_movable", 14) != 14) {
				printf("memory%llu: online_movable failed: %s\n", b,
				       strerror(ret ? -ret : errno));
				failed++;
			} else {
				printf("memory%llu: online, ZONE_MOVABLE\n", b);
			}
			if (fd >= 0)
				close(fd);
		}
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "contigctl: no System RAM (contig) in /proc/iomem: load contig.ko with lend=1\n");
		return 1;
	}
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "alloc"))
		return cmd_alloc(argc - 2, argv + 2);
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stats"))
		return cmd_stats(argc - 2, argv + 2);
	if (!strcmp(argv[1], "regions") && argc == 2)
		return cmd_regions();
	if (!strcmp(argv[1], "map") && argc == 2)
		return cmd_map();
	if (!strcmp(argv[1], "lend") && argc == 2)
		return cmd_lend();
	usage();
	return 2;
}
