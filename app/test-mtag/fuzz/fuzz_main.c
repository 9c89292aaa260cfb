/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * Driver for the fuzz targets where libFuzzer is not linked in (gcc builds,
 * the sanitizer and debug builds, Valgrind): replays corpus files and
 * directories, then runs random inputs from a seeded generator.
 *
 *   fuzz-<target>-replay [--random N] [--seed S] [--max-len L] [FILE|DIR]...
 *
 * A divergence aborts (non-zero exit); the last line reports what ran.
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: a target's own summary of what it exercised. */
void fuzz_report(void) __attribute__((weak));

static unsigned long nb_inputs;

static void
run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	nb_inputs++;
}

static void
run_path(const char *path)
{
	struct dirent **ents;
	char sub[4096];
	struct stat st;
	int i, n;

	if (stat(path, &st) != 0) {
		perror(path);
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	/* Sorted, so that a failure is found again in the same order. */
	n = scandir(path, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
			run_path(sub);
		}
		free(ents[i]);
	}
	free(ents);
}

/* xorshift64*: reproducible random inputs from a seed. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

int
main(int argc, char **argv)
{
	unsigned long nb_random = 0, i, j, len, max_len = 512;
	uint64_t seed = 1, s;
	static uint8_t buf[1 << 16];
	int a;

	LLVMFuzzerInitialize(&argc, &argv);
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--random") == 0 && a + 1 < argc)
			nb_random = strtoul(argv[++a], NULL, 0);
		else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc)
			seed = strtoull(argv[++a], NULL, 0);
		else if (strcmp(argv[a], "--max-len") == 0 && a + 1 < argc)
			max_len = strtoul(argv[++a], NULL, 0);
		else
			run_path(argv[a]);
	}
	if (max_len > sizeof(buf))
		max_len = sizeof(buf);
	for (i = 0; i < nb_random; i++) {
		s = seed * 0x9e3779b97f4a7c15ULL + i + 1;
		len = rnd(&s) % (max_len + 1);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)(rnd(&s) >> 56);
		LLVMFuzzerTestOneInput(buf, len);
		nb_inputs++;
	}
	if (fuzz_report != NULL)
		fuzz_report();
	printf("%s: %lu inputs, 0 divergences\n", argv[0], nb_inputs);
	return 0;
}
