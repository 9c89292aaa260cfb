/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/*
 * dpdk-test-mtag-perf: the burst benchmark.
 *
 *   dpdk-test-mtag-perf [EAL args] -- [Google Benchmark args]
 *   dpdk-test-mtag-perf [EAL args] -- --mtag-check
 *   dpdk-test-mtag-perf [EAL args] -- --mtag-run=<body>/burst:<n> [iterations]
 *
 * The first form times every body; the second runs each one briefly,
 * untimed, and checks that it leaves no tag in use; the third runs one body
 * once, for counting instructions under valgrind --tool=callgrind
 * --toggle-collect=perf_ctx_run.
 */

#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "perf_priv.h"

/* Every body file's group, in the order the bodies are listed and run. */
static const struct perf_group *const perf_groups[] = {
	&perf_group_prim,
	&perf_group_naive,
	&perf_group_pipeline,
	&perf_group_fwd,
};

const struct perf_body *
perf_body_at(unsigned int i)
{
	const struct perf_body *const *b;
	unsigned int g;

	for (g = 0; g < RTE_DIM(perf_groups); g++)
		for (b = perf_groups[g]->bodies; *b != NULL; b++)
			if (i-- == 0)
				return *b;
	return NULL;
}

/* The benchmark's environment, then each group's. */
static int
perf_setup(void)
{
	unsigned int g;
	int ret;

	ret = perf_env_init();
	for (g = 0; ret == 0 && g < RTE_DIM(perf_groups); g++)
		if (perf_groups[g]->init != NULL)
			ret = perf_groups[g]->init();
	return ret;
}

static void
perf_teardown(void)
{
	unsigned int g;

	for (g = RTE_DIM(perf_groups); g-- > 0;)
		if (perf_groups[g]->fini != NULL)
			perf_groups[g]->fini();
	perf_env_fini();
}

static char perf_rundir[] = "/tmp/mtag-perf.XXXXXX";
static bool perf_own_rundir;

static int
perf_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	RTE_SET_USED(sb);
	RTE_SET_USED(flag);
	RTE_SET_USED(ftw);
	return remove(path);
}

/* EAL keeps its run-time files in RUNTIME_DIRECTORY: without one, give it a
 * private directory so that runs side by side do not collide. */
static void
perf_rundir_init(void)
{
	if (getenv("RUNTIME_DIRECTORY") != NULL)
		return;
	if (mkdtemp(perf_rundir) == NULL)
		return;
	setenv("RUNTIME_DIRECTORY", perf_rundir, 1);
	perf_own_rundir = true;
}

static void
perf_rundir_fini(void)
{
	if (perf_own_rundir)
		nftw(perf_rundir, perf_rm, 8, FTW_DEPTH | FTW_PHYS);
}

static void
perf_print_context(void)
{
	unsigned int i;

	for (i = 0; i < perf_context_count(); i++)
		fprintf(stderr, "%s: %s\n", perf_context_key(i), perf_context_value(i));
}

int
main(int argc, char **argv)
{
	bool check;
	int ret, status;

	perf_rundir_init();
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "perf: EAL init failed: %s\n", rte_strerror(rte_errno));
		perf_rundir_fini();
		return 1;
	}
	argc -= ret;
	argv += ret;
	check = argc > 1 && strcmp(argv[1], "--mtag-check") == 0;

	ret = mtag_lib_init(NULL);
	if (ret == 0)
		ret = perf_setup();
	if (ret != 0) {
		fprintf(stderr, "perf: set-up failed: %s\n", strerror(-ret));
		status = 1;
		goto out;
	}
	perf_print_context();
	if (check)
		status = perf_check_run();
	else if (argc > 1 && strncmp(argv[1], "--mtag-run=", 11) == 0)
		status = perf_one_run(argv[1] + 11, argc > 2 ? strtoull(argv[2], NULL, 0) : 10000);
	else
		status = perf_shim_run(argc, argv);

out:
	perf_teardown();
	if (perf_tags_in_use() != 0) {
		fprintf(stderr, "perf: %" PRIu64 " tags still in use\n", perf_tags_in_use());
		status = 1;
	}
	mtag_lib_fini();
	rte_eal_cleanup();
	perf_rundir_fini();
	return status;
}
