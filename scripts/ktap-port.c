// SPDX-License-Identifier: GPL-2.0
/*
 * ktap-port.c - the test guest's results channel: stdin to QEMU's
 * isa-debugcon at I/O port 0xe9, one byte per OUT instruction.
 *
 *   ktap-port --probe   exit 0 when the port is there (it reads back 0xe9)
 *   ktap-port           copy stdin to the port until end of file
 *
 * The results used to go to a second 8250 (ttyS1), opened and closed by
 * every line the guest's /init wrote.  Once a run lost a whole line (the
 * judge rightly saw a KTAP document with its header missing) and took
 * ~30 s longer: what a transmit interrupt lost across one of those port
 * startups does, the line left in the buffer until the close gives up
 * after its 30 s closing_wait and throws it away.  An OUT to the debug
 * console is synchronous, takes no interrupt and no driver, and QEMU writes
 * the byte to the results file before the instruction completes: nothing
 * the guest wrote can be lost short of a crash, and then the judge says so.
 *
 * Built static by scripts/build-initramfs.sh; needs ioperm(), which the
 * test kernel's fragment enables (X86_IOPL_IOPERM) as Debian's kernels do.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <unistd.h>

#define DEBUGCON_PORT	0xe9

int main(int argc, char **argv)
{
	unsigned char buf[4096];
	ssize_t n;

	if (ioperm(DEBUGCON_PORT, 1, 1)) {
		fprintf(stderr, "ktap-port: ioperm(%#x): %s\n", DEBUGCON_PORT,
			strerror(errno));
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--probe"))
		return inb(DEBUGCON_PORT) == DEBUGCON_PORT ? 0 : 1;

	for (;;) {
		n = read(0, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0;
		outsb(DEBUGCON_PORT, buf, n);
	}
}
