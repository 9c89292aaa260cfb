/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

/* What every test program shares (dpdk-test-mtag, the multi-process pair,
 * the fuzz targets of the library and of the examples): the report of a
 * failed assertion and the one EAL set-up without hugepages. */

#define _GNU_SOURCE
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "test.h"

static char tmp_runtime_dir[64];
bool test_fail_abort;
const char *test_fail_context;

void
test_fail_msg(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	printf("    FAIL %s:%d: %s: ", file, line, expr);
	if (test_fail_context != NULL)
		printf("after %s: ", test_fail_context);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (test_fail_abort)
		abort();
}

static int
test_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	RTE_SET_USED(sb);
	RTE_SET_USED(flag);
	RTE_SET_USED(ftw);
	remove(path);
	return 0;
}

/* Remove the private runtime directory, on every way out: a meson timeout
 * ends the test with SIGTERM. */
static void
test_rm_runtime_dir(void)
{
	if (tmp_runtime_dir[0] != '\0')
		nftw(tmp_runtime_dir, test_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	tmp_runtime_dir[0] = '\0';
}

static void
test_on_signal(int sig)
{
	test_rm_runtime_dir();
	signal(sig, SIG_DFL);
	raise(sig);
}

int
test_runtime_dir(void)
{
	/* DPDK keeps its sockets and lock files there: one per run, so that
	 * parallel tests never meet. */
	if (getenv("RUNTIME_DIRECTORY") != NULL)
		return 0;
	snprintf(tmp_runtime_dir, sizeof(tmp_runtime_dir), "/tmp/mtag-test-XXXXXX");
	if (mkdtemp(tmp_runtime_dir) == NULL) {
		perror("mkdtemp");
		tmp_runtime_dir[0] = '\0';
		return -1;
	}
	setenv("RUNTIME_DIRECTORY", tmp_runtime_dir, 1);
	atexit(test_rm_runtime_dir);
	signal(SIGTERM, test_on_signal);
	signal(SIGINT, test_on_signal);
	return 0;
}

/* Two CPUs we may run on, for "-l 0-1" mapped onto what the affinity mask
 * allows (both lcores on one CPU when there is only one). */
static void
test_pick_cpus(int *c0, int *c1)
{
	cpu_set_t set;
	int i;

	*c0 = *c1 = -1;
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		*c0 = 0;
		*c1 = 0;
		return;
	}
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (*c0 < 0)
			*c0 = i;
		else if (*c1 < 0)
			*c1 = i;
	}
	if (*c0 < 0)
		*c0 = 0;
	if (*c1 < 0)
		*c1 = *c0;
}

int
test_eal_init(const char *prog, int argc, char **argv, int *nb_app_args, char ***app_args)
{
	static char prefix[64], lcores[64];
	char *eal_args[16];
	int c0, c1, n = 0, ret;

	if (argc > 1 && argv[1][0] == '-') {
		/* The caller gave EAL arguments: use them as they are. */
		ret = rte_eal_init(argc, argv);
		if (ret < 0)
			return ret;
		*nb_app_args = argc - ret - 1;
		*app_args = argv + ret + 1;
		return 0;
	}
	if (test_runtime_dir() != 0)
		return -1;
	test_pick_cpus(&c0, &c1);
	snprintf(lcores, sizeof(lcores), "--lcores=0@%d,1@%d", c0, c1);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s-%d", prog, (int)getpid());
	eal_args[n++] = argc > 0 ? argv[0] : (char *)(uintptr_t)prog;
	eal_args[n++] = (char *)(uintptr_t) "--no-huge";
	eal_args[n++] = (char *)(uintptr_t) "-m";
	eal_args[n++] = (char *)(uintptr_t) "512";
	eal_args[n++] = (char *)(uintptr_t) "--no-pci";
	eal_args[n++] = (char *)(uintptr_t) "--no-shconf";
	eal_args[n++] = prefix;
	eal_args[n++] = lcores;
	eal_args[n++] = (char *)(uintptr_t) "--vdev=net_ring0";
	eal_args[n++] = (char *)(uintptr_t) "--vdev=net_null0";
	eal_args[n++] = (char *)(uintptr_t) "--log-level=lib.eal:warning";
	eal_args[n] = NULL;
	ret = rte_eal_init(n, eal_args);
	if (ret < 0)
		return ret;
	*nb_app_args = argc > 0 ? argc - 1 : 0;
	*app_args = argc > 0 ? argv + 1 : argv;
	return 0;
}
