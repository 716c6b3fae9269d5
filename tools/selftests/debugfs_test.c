// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs_test - debugfs files that keep a result per open file, under
 * concurrent writers.
 *
 * Usage: debugfs_test      (root, contig.ko loaded; prints KTAP)
 *
 * The "query" file of contig.ko and the "buffer_test" file of the test
 * hook module each keep the result of the last write for the next read of
 * the same open file.  Two processes sharing one open file (fork) write
 * and read it as fast as they can; every read must be a whole, well-formed
 * result and nothing may be read after it is freed, or freed twice (the
 * debug kernel's KASAN reports either on the console, which fails the
 * run).  Each file is first shown to
 * work from one process, so the concurrent case cannot pass by never
 * reaching the code.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libcontig.h>

#include "ktap.h"

#define QUERY	"/sys/kernel/debug/contig/query"
#define HOOK	"/sys/kernel/debug/contig_test_hook/buffer_test"
#define ROUNDS	1000

/* Write @cmd to @fd, read the result back from the start: 0 or -errno. */
static int roundtrip(int fd, const char *cmd, char *out, size_t len)
{
	ssize_t n;

	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return -errno;
	n = pread(fd, out, len - 1, 0);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	return 0;
}

/* A "query" result: "result R\nwindows W\n..." with R 0 or an errno. */
static int query_ok(const char *out)
{
	int result;
	unsigned int windows;

	return sscanf(out, "result %d\nwindows %u", &result, &windows) == 2 &&
	       strstr(out, "move_bytes ") != NULL;
}

/* A "peek FD 0 8" result of a zeroed buffer: eight zero bytes. */
static int peek_ok(const char *out)
{
	static const char zero[8];

	return !memcmp(out, zero, sizeof(zero));
}

/* What the reading process of hammer() shares with the writing one. */
struct shared {
	volatile int stop;
	int bad;
	long reads;
};

/*
 * Two processes, one open file: this one makes ROUNDS write+read round
 * trips while a child rereads the last result as fast as it can, and
 * writes too, every 16th read.  A write replaces the result a read may be
 * copying out at that moment, which is where a result freed under a
 * reader (or freed twice by two writers) shows.  Returns the number of
 * bad reads of both, or -1 if the child could not be started.
 */
static int hammer(int fd, const char *cmd, int (*ok)(const char *),
		  size_t outlen)
{
	struct shared *sh;
	int bad = 0, status, i;
	char out[4096];
	pid_t child;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -1;
	memset(sh, 0, sizeof(*sh));
	child = fork();
	if (child < 0)
		return -1;
	if (!child) {
		while (!sh->stop) {
			ssize_t n;

			if (!(++sh->reads & 15) &&
			    write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
				sh->bad++;
			n = pread(fd, out, outlen - 1, 0);
			if (n < 0) {
				sh->bad++;
				continue;
			}
			out[n] = '\0';
			if (!ok(out))
				sh->bad++;
		}
		_exit(0);
	}
	for (i = 0; i < ROUNDS; i++) {
		/*
		 * The child may write between our write and read: its result
		 * is just as valid.  A torn or freed one is not.
		 */
		if (roundtrip(fd, cmd, out, outlen) || !ok(out))
			bad++;
	}
	sh->stop = 1;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		bad++;
	ktap_print("%d round trips here, %ld reads in the child", ROUNDS,
		   sh->reads);
	bad += sh->bad;
	munmap(sh, sizeof(*sh));
	return bad;
}

/* Group "query": contig.ko's dry-run file (2 results). */
static void query_cases(const void *arg)
{
	char out[4096];
	int fd, bad;

	fd = open(QUERY, O_RDWR);
	if (!ktap_check(fd >= 0 && !roundtrip(fd, "1M", out, sizeof(out)) &&
			query_ok(out), "query answers one writer"))
		ktap_print("query: %s", fd < 0 ? strerror(errno) : out);
	bad = fd >= 0 ? hammer(fd, "64K", query_ok, sizeof(out)) : -1;
	ktap_check(bad == 0, "query: a writer and a reader-writer on one open file: %d bad",
		   bad);
	if (fd >= 0)
		close(fd);
}

/* Group "buffer_test": the test hook module's file (2 results). */
static void hook_cases(const void *arg)
{
	struct contig_buf *b = NULL;
	struct contig *c = NULL;
	char out[4096], cmd[64];
	int fd, bad, ret, bfd = 0;

	fd = open(HOOK, O_RDWR);
	if (fd < 0) {
		ktap_print("no test hook module: %s", strerror(errno));
		ktap_skip_rest("no test hook module");
		return;
	}
	ret = contig_open(&c);
	if (!ret)
		ret = contig_buf_alloc(c, 64 * 1024, 0, CONTIG_KIND_CONTIGUOUS,
				       CONTIG_BUF_NOMAP, &b);
	if (ret)
		ktap_print("cannot allocate a buffer: %s", contig_strerror(ret));
	else
		bfd = contig_buf_fd(b);
	snprintf(cmd, sizeof(cmd), "peek %d 0 8", bfd);
	ktap_check(bfd && !roundtrip(fd, cmd, out, sizeof(out)) && peek_ok(out),
		   "buffer_test answers one writer");
	bad = bfd ? hammer(fd, cmd, peek_ok, 9) : -1;
	ktap_check(bad == 0, "buffer_test: a writer and a reader-writer on one open file: %d bad",
		   bad);
	close(fd);
	contig_buf_free(b);
	contig_close(c);
}

int main(void)
{
	static const struct ktap_group groups[] = {
		{ "query", 2, query_cases, NULL },
		{ "buffer_test", 2, hook_cases, NULL },
	};
	const unsigned int n = sizeof(groups) / sizeof(groups[0]);

	ktap_plan(groups, n);
	ktap_run(groups, n);
	return ktap_finish();
}
