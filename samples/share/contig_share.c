// SPDX-License-Identifier: GPL-2.0
/*
 * contig_share - one buffer, two processes: an example program on
 * libcontig.
 *
 * The parent allocates a buffer from /dev/contig, fills it, and passes
 * its fd to a child over a UNIX socket (SCM_RIGHTS), as a camera daemon
 * would pass frames to a viewer, or a program to a driver that imports
 * dma-bufs.  The child adopts the fd, finds the parent's bytes, and
 * writes an answer into the same memory; the parent reads it.  No copy is
 * made: both map the same physical pages.
 *
 *	contig_share [SIZE_MIB [contiguous|sg|movable]]	(default: 4 sg)
 *
 * Exit status 0 when every byte checks, 1 otherwise, with contig's
 * explanation of any error (contig_strerror()).
 *
 * Build: cc -o contig_share contig_share.c $(pkg-config --cflags --libs libcontig)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libcontig.h>

#define ANSWER	0x600dcafe600dcafeULL

static int fail(const char *who, const char *what, int err)
{
	fprintf(stderr, "contig_share: %s: %s: %s\n", who, what, contig_strerror(err));
	return 1;
}

/* The byte at @i of the parent's pattern. */
static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 2654435761U >> 13);
}

/* Send @fd as the ancillary data of a one-byte message. */
static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

/* Receive one fd sent by send_fd(); the fd or -errno. */
static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -EPROTO;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * The child: adopt the fd, check the parent's bytes, write the answer
 * into the last 8 bytes, tell the parent.
 */
static int child(int sock)
{
	struct contig_buf *b;
	struct contig *c;
	uint64_t i, size, answer = ANSWER;
	uint8_t *p;
	int fd, err;

	fd = recv_fd(sock);
	if (fd < 0)
		return fail("child", "receiving the fd", fd);
	err = contig_open(&c);
	if (err)
		return fail("child", "open", err);
	err = contig_buf_import(c, fd, 0, &b);
	if (err)
		return fail("child", "adopting the fd", err);
	size = contig_buf_size(b);
	p = contig_buf_addr(b);

	/* Reading what someone else may have written: begin CPU access. */
	err = contig_cpu_begin(b, CONTIG_ACCESS_READ);
	if (err)
		return fail("child", "begin CPU access", err);
	for (i = 0; i < size - sizeof(answer); i++)
		if (p[i] != pattern(i)) {
			fprintf(stderr, "contig_share: child: byte %llu is %#x, not %#x\n",
				(unsigned long long)i, p[i], pattern(i));
			return 1;
		}
	contig_cpu_end(b, CONTIG_ACCESS_READ);
	printf("child: buffer %llu (%s, %llu bytes) adopted from fd %d: every byte is the parent's\n",
	       (unsigned long long)contig_buf_id(b), contig_kind_name(contig_buf_kind(b)),
	       (unsigned long long)size, fd);

	/* Writing only the last 8 bytes: the ranged form says so. */
	err = contig_cpu_begin_range(b, size - sizeof(answer), sizeof(answer),
				     CONTIG_ACCESS_WRITE);
	if (err)
		return fail("child", "begin CPU access (range)", err);
	memcpy(p + size - sizeof(answer), &answer, sizeof(answer));
	err = contig_cpu_end_range(b, size - sizeof(answer), sizeof(answer),
				   CONTIG_ACCESS_WRITE);
	if (err)
		return fail("child", "end CPU access (range)", err);
	contig_buf_free(b);
	contig_close(c);
	return write(sock, "A", 1) == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
	uint64_t size = (argc > 1 ? strtoull(argv[1], NULL, 0) : 4) << 20;
	const char *kind_arg = argc > 2 ? argv[2] : "sg";
	unsigned int kind;
	struct contig_buf *b;
	struct contig *c;
	uint64_t i, answer;
	int sv[2], status, err;
	uint8_t *p;
	pid_t pid;
	char ack;

	for (kind = 0; contig_kind_name(kind); kind++)
		if (!strcmp(kind_arg, contig_kind_name(kind)))
			break;
	if (!contig_kind_name(kind) || !size) {
		fprintf(stderr, "usage: contig_share [SIZE_MIB [contiguous|sg|movable]]\n");
		return 2;
	}
	err = contig_open(&c);
	if (err)
		return fail("parent", "open", err);
	err = contig_buf_alloc(c, size, 0, kind, 0, &b);
	if (err)
		return fail("parent", "alloc", err);
	p = contig_buf_addr(b);

	err = contig_cpu_begin(b, CONTIG_ACCESS_WRITE);
	if (err)
		return fail("parent", "begin CPU access", err);
	for (i = 0; i < size; i++)
		p[i] = pattern(i);
	err = contig_cpu_end(b, CONTIG_ACCESS_WRITE);
	if (err)
		return fail("parent", "end CPU access", err);
	printf("parent: buffer %llu (%s, %llu bytes) filled\n",
	       (unsigned long long)contig_buf_id(b), kind_arg,
	       (unsigned long long)size);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return fail("parent", "socketpair", -errno);
	pid = fork();
	if (pid < 0)
		return fail("parent", "fork", -errno);
	if (!pid) {
		close(sv[0]);
		_exit(child(sv[1]));
	}
	close(sv[1]);
	err = send_fd(sv[0], contig_buf_fd(b));
	if (err)
		return fail("parent", "sending the fd", err);
	if (read(sv[0], &ack, 1) != 1 || ack != 'A') {
		fprintf(stderr, "contig_share: parent: the child did not answer\n");
		return 1;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "contig_share: parent: the child failed\n");
		return 1;
	}

	err = contig_cpu_begin(b, CONTIG_ACCESS_READ);
	if (err)
		return fail("parent", "begin CPU access", err);
	memcpy(&answer, p + size - sizeof(answer), sizeof(answer));
	contig_cpu_end(b, CONTIG_ACCESS_READ);
	if (answer != ANSWER) {
		fprintf(stderr, "contig_share: parent: the child's answer is %#llx, not %#llx\n",
			(unsigned long long)answer, ANSWER);
		return 1;
	}
	printf("parent: the child's answer is in the same memory: %#llx\n",
	       (unsigned long long)answer);
	contig_buf_free(b);
	contig_close(c);
	return 0;
}
