/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmsg.h - what the kernel logged, for selftests that check the dmesg line
 * a refusal leaves: kmsg_mark() before the call, kmsg_since() after it.
 */
#ifndef _CONTIG_KMSG_H
#define _CONTIG_KMSG_H

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int kmsg_fd = -1;
static char kmsg_buf[16384];

/* Forget what was logged so far. */
static inline void kmsg_mark(void)
{
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	lseek(kmsg_fd, 0, SEEK_END);
}

/* Kernel log lines since kmsg_mark(), message text only, one per line. */
static inline const char *kmsg_since(void)
{
	size_t used = 0;
	char rec[2048];
	ssize_t n;

	kmsg_buf[0] = '\0';
	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0) {
		char *msg, *nl;

		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			nl[1] = '\0';
		if (used + strlen(msg) + 1 < sizeof(kmsg_buf)) {
			strcpy(kmsg_buf + used, msg);
			used += strlen(msg);
		}
	}
	return kmsg_buf;
}

#endif /* _CONTIG_KMSG_H */
