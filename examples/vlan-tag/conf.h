/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The mtag authors
 */

#ifndef VT_CONF_H
#define VT_CONF_H

/**
 * @file
 * Configuration of dpdk-vlan-tag: which port is the trunk, which ports are
 * access ports and the VLAN stack each one maps to. Syntax in README.md.
 */

#include <stddef.h>
#include <stdint.h>

/** Most ports a configuration may name. */
#define VT_MAX_PORTS 32
/** Deepest VLAN stack handled (outer to inner). */
#define VT_VLAN_MAX 8
/** Longest configuration line, newline excluded. */
#define VT_LINE_MAX 256

/** Largest configuration file vt_conf_load() reads. */
#define VT_CONF_FILE_MAX (64 * 1024)
/** MTU range the parser accepts; the port's own limits are checked at start-up. */
#define VT_MTU_MIN 68
#define VT_MTU_MAX 65535

#define VT_TPID_CTAG 0x8100 /**< 802.1Q customer tag. */
#define VT_TPID_STAG 0x88a8 /**< 802.1ad service tag. */

/** One access port: untagged frames on it belong to this VLAN stack. */
struct vt_access {
	uint16_t port;		   /**< Port id. */
	uint8_t depth;		   /**< Entries used in @c vid. */
	uint8_t pcp;		   /**< PCP of the headers inserted towards the trunk. */
	uint8_t dei;		   /**< DEI of the headers inserted towards the trunk. */
	uint16_t vid[VT_VLAN_MAX]; /**< VIDs, outermost first. */
	unsigned int line;	   /**< Line of the configuration that declared it. */
};

/** Settings of one port ("port <id> mtu <n>"). */
struct vt_port_opt {
	uint16_t port;	   /**< Port id, declared as trunk or access. */
	uint16_t mtu;	   /**< MTU to set; 0: the default. */
	unsigned int line; /**< Line of the configuration that gave it. */
};

/** A parsed configuration. */
struct vt_conf {
	int trunk_port;			       /**< Port id of the trunk; -1 until declared. */
	unsigned int trunk_line;	       /**< Line that declared the trunk. */
	uint16_t stpid;			       /**< TPID of service (outer) tags on the trunk. */
	unsigned int nb_access;		       /**< Entries used in @c access. */
	struct vt_access access[VT_MAX_PORTS]; /**< Access ports in file order. */
	unsigned int nb_port_opt;	       /**< Entries used in @c port_opt. */
	struct vt_port_opt port_opt[VT_MAX_PORTS + 1]; /**< Port settings in file order. */
};

/**
 * Parse a configuration held in memory. The buffer need not be
 * NUL-terminated and may contain any bytes.
 *
 * @param buf
 *   Configuration text.
 * @param len
 *   Bytes in @p buf.
 * @param conf
 *   Filled on success; undefined on failure.
 * @param err
 *   On failure, receives "line N: problem" (NUL-terminated); may be NULL.
 * @param errlen
 *   Size of @p err.
 * @return
 *   0 on success; -EINVAL on a syntax or consistency error.
 */
int vt_conf_parse(const char *buf, size_t len, struct vt_conf *conf, char *err, size_t errlen);

/**
 * Read and parse a configuration file.
 *
 * @param path
 *   File name.
 * @param conf
 *   Filled on success.
 * @param err
 *   On failure, receives the reason; may be NULL.
 * @param errlen
 *   Size of @p err.
 * @return
 *   0 on success; -errno when the file cannot be read; -EFBIG beyond
 *   VT_CONF_FILE_MAX bytes; -EINVAL as vt_conf_parse(), the error then
 *   "FILE: line N: problem".
 */
int vt_conf_load(const char *path, struct vt_conf *conf, char *err, size_t errlen);

/**
 * Access port entry of a port.
 *
 * @return
 *   The entry, or NULL when @p port is not an access port.
 */
const struct vt_access *vt_conf_access_of(const struct vt_conf *conf, uint16_t port);

/**
 * Settings of a port.
 *
 * @return
 *   The entry, or NULL when no "port" line names @p port.
 */
const struct vt_port_opt *vt_conf_port_opt(const struct vt_conf *conf, uint16_t port);

/** Deepest VLAN stack of any access port. */
unsigned int vt_conf_max_depth(const struct vt_conf *conf);

/**
 * Format a VLAN stack as "10/200".
 *
 * @return
 *   @p buf.
 */
char *vt_conf_stack_str(const struct vt_access *a, char *buf, size_t size);

#endif /* VT_CONF_H */
