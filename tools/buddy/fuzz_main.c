// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_main.c - a standalone driver for fuzz_buddy.c, for builds without
 * libFuzzer (plain gcc with -fsanitize=address,undefined).
 *
 *   fuzz_buddy_standalone [-s SECONDS] [-S SEED] [FILE...]
 *
 * With files, runs each once (to replay a crash libFuzzer saved).
 * Otherwise feeds random programs for SECONDS (default: $FUZZ_SECONDS, or
 * 20) from a seeded generator, and prints the seed, so any failure can be
 * replayed with -S.  Inputs are random bytes, with a bias towards short
 * runs of repeated operations and towards the header values that pick
 * small and power-of-two regions.  A failing input is written to
 * crash-standalone.bin before the target aborts.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kshim.h"
#include "rng.h"
#include "fuzz_buddy.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static u8 buf[8192];
static size_t buf_len;

/* Async-signal-safe: called on abort() and by the sanitizers on death. */
static void save_crash(void)
{
	int fd;

	if (!buf_len)
		return;
	fd = open("crash-standalone.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, buf, buf_len) < 0)
			buf_len = 0;
		close(fd);
	}
	buf_len = 0;
}

static void on_abort(int sig)
{
	save_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		perror(path);
		return 1;
	}
	buf_len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, buf_len);
	printf("fuzz_buddy: %s: ok (%zu bytes)\n", path, buf_len);
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("FUZZ_SECONDS");
	double seconds = env ? atof(env) : 20;
	u64 seed = (u64)time(NULL) ^ ((u64)clock() << 32);
	unsigned long runs = 0;
	struct timespec t0, t;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "-S") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else
			break;
	}
	if (i < argc) {
		int ret = 0;

		for (; i < argc; i++)
			ret |= run_file(argv[i]);
		return ret;
	}

	rng_state = seed;
	signal(SIGABRT, on_abort);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(save_crash);
	printf("fuzz_buddy: standalone driver, seed %#llx, %.0f s\n", seed,
	       seconds);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		size_t j;

		buf_len = 3 + rng() % (rng() % 8 ? 512 : sizeof(buf) - 3);
		for (j = 0; j < buf_len; j++)
			buf[j] = rng();
		/* Repeat an operation now and then, to fill or drain. */
		for (j = 3; j + 8 < buf_len; j++) {
			if (rng() % 16 == 0) {
				size_t k, len = 1 + rng() % 5, reps = rng() % 40;

				for (k = 0; k < reps && j + len < buf_len; k++) {
					memmove(buf + j + len, buf + j,
						buf_len - j - len);
					j += len;
				}
			}
		}
		LLVMFuzzerTestOneInput(buf, buf_len);
		runs++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 <
		 seconds);
	buf_len = 0;
	printf("fuzz_buddy: %lu inputs, %lu operations in %.0f s, seed %#llx: no failure\n",
	       runs, fuzz_stats[FUZZ_OPS], seconds, seed);
	printf("fuzz_buddy: allocs %lu ok %lu -ENOMEM; frees %lu; ranges %lu ok %lu -EBUSY; %lu -EINVAL\n",
	       fuzz_stats[FUZZ_ALLOC_OK], fuzz_stats[FUZZ_ALLOC_NOMEM],
	       fuzz_stats[FUZZ_FREE_OK], fuzz_stats[FUZZ_RANGE_OK],
	       fuzz_stats[FUZZ_RANGE_BUSY], fuzz_stats[FUZZ_EINVAL]);
	printf("fuzz_buddy: %lu frames zeroed in the background, %lu allocated frames reported zeroed\n",
	       fuzz_stats[FUZZ_ZEROED], fuzz_stats[FUZZ_ZEROED_USED]);
	printf("fuzz_buddy: %lu blocks stashed, %lu allocations served from the stash\n",
	       fuzz_stats[FUZZ_STASHED], fuzz_stats[FUZZ_STASH_HITS]);
	return 0;
}
