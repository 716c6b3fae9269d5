/* SPDX-License-Identifier: GPL-2.0 */
/*
 * contigctl_lend.h - `contigctl lend` from a selftest: the guest's copy of
 * contigctl (/tests/contigctl) onlines contig's lent blocks into
 * ZONE_MOVABLE, as an administrator would (README "Lending the region").
 */
#ifndef CONTIGCTL_LEND_H
#define CONTIGCTL_LEND_H

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Its exit status, or -1 if it could not be run. */
static inline int run_contigctl_lend(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execl("/tests/contigctl", "contigctl", "lend", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

#endif /* CONTIGCTL_LEND_H */
