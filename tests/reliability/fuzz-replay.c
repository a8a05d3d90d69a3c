/* SPDX-License-Identifier: MIT */
/*
 * A main() for the fuzz targets where libFuzzer is not available (gcc, the
 * aarch64 cross build, valgrind): runs the target over the seed corpus and
 * then over pseudo-random inputs, so the targets and their invariants are
 * exercised by every build.
 *
 *   fuzz-replay-<target> [-runs=N] [-seed=S] [-max_len=L] FILE|DIR...
 *
 * N random inputs (default 1000) of up to L bytes (default 512) from seed S
 * (default 1); $KVMSEA_FUZZ_REPLAY_RUNS, when set, overrides N (the valgrind
 * script uses it to shrink the runs meson's test arguments ask for). A
 * broken invariant aborts.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz-input.h"
#include "rel-env.h"

#define MAX_FILE (1 << 20)

static unsigned long files_run;

static void run_file(const char *path)
{
	static uint8_t buf[MAX_FILE];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	files_run++;
}

static void run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (stat(path, &st) != 0) {
		perror(path);
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	d = opendir(path);
	if (!d) {
		perror(path);
		exit(1);
	}
	while ((de = readdir(d))) {
		char child[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		run_path(child);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	unsigned long runs = 1000;
	uint64_t seed = 1, first_seed;
	size_t max_len = 512;
	uint8_t *buf;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "-runs=", 6))
			runs = strtoul(argv[i] + 6, NULL, 0);
		else if (!strncmp(argv[i], "-seed=", 6))
			seed = strtoull(argv[i] + 6, NULL, 0);
		else if (!strncmp(argv[i], "-max_len=", 9))
			max_len = strtoul(argv[i] + 9, NULL, 0);
		else
			run_path(argv[i]);
	}
	runs = rel_env_count("KVMSEA_FUZZ_REPLAY_RUNS", runs);
	if (max_len == 0)
		max_len = 1;
	first_seed = seed;

	buf = malloc(max_len);
	if (!buf)
		return 1;
	for (unsigned long r = 0; r < runs; r++) {
		size_t len = rel_rand(&seed) % (max_len + 1);

		for (size_t i = 0; i < len; i += 8) {
			uint64_t v = rel_rand(&seed);

			memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	free(buf);
	printf("replayed %lu corpus files and %lu random inputs (seed %llu)\n",
	       files_run, runs, (unsigned long long)first_seed);
	return 0;
}
