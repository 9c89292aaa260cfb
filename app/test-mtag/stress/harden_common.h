/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef HARDEN_COMMON_H
#define HARDEN_COMMON_H

/* Helpers shared by the hardening programs (fuzz, stress, exhaustion, debug,
 * multi-process): EAL start-up without hugepages in a private runtime
 * directory, and a CHECK macro that counts failures instead of stopping, so
 * that one run reports every broken promise. */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

static unsigned int harden_checks __rte_unused;
static unsigned int harden_failures __rte_unused;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		harden_checks++;                                                                   \
		if (!(cond)) {                                                                     \
			harden_failures++;                                                         \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

/* Runtime directory we made ourselves (removed at exit), or "". */
static char harden_rundir[256] __rte_unused;

/* Remove a directory tree that we created (DPDK's runtime files). */
static inline void
harden_rm_tree(const char *path)
{
	char sub[512];
	struct dirent *e;
	DIR *d = opendir(path);

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) < (int)sizeof(sub))
				harden_rm_tree(sub);
		}
		closedir(d);
	}
	remove(path);
}

static inline void
harden_rundir_remove(void)
{
	if (harden_rundir[0] != '\0')
		harden_rm_tree(harden_rundir);
}

/* DPDK keeps its sockets and lock files in RUNTIME_DIRECTORY: give every run
 * a private one unless the caller chose it (multi-process runs must share). */
static inline void
harden_rundir_setup(void)
{
	if (getenv("RUNTIME_DIRECTORY") != NULL)
		return;
	snprintf(harden_rundir, sizeof(harden_rundir), "/tmp/mtag-harden.XXXXXX");
	if (mkdtemp(harden_rundir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	setenv("RUNTIME_DIRECTORY", harden_rundir, 1);
	atexit(harden_rundir_remove);
}

/*
 * Start EAL without hugepages or PCI: "-l <lcores>" plus optional extra
 * arguments (vdevs). Returns rte_eal_init()'s result.
 */
static inline int
harden_eal_init(const char *prog, const char *lcores, int nb_extra, char **extra)
{
	char prefix[64];
	char *argv[32];
	int argc = 0, i;

	harden_rundir_setup();
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d", prog, (int)getpid());
	argv[argc++] = (char *)(uintptr_t)prog;
	argv[argc++] = (char *)(uintptr_t) "--no-huge";
	argv[argc++] = (char *)(uintptr_t) "-m";
	argv[argc++] = (char *)(uintptr_t) "256";
	argv[argc++] = (char *)(uintptr_t) "--no-pci";
	argv[argc++] = (char *)(uintptr_t) "--no-shconf";
	argv[argc++] = prefix;
	argv[argc++] = (char *)(uintptr_t) "-l";
	argv[argc++] = (char *)(uintptr_t)lcores;
	argv[argc++] = (char *)(uintptr_t) "--log-level=lib.eal:error";
	for (i = 0; i < nb_extra && argc < 31; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

/* Print the summary line and give the exit status. */
static inline int
harden_report(const char *what)
{
	printf("%s: %u checks, %u failed\n", what, harden_checks, harden_failures);
	return harden_failures == 0 ? 0 : 1;
}

#endif /* HARDEN_COMMON_H */
