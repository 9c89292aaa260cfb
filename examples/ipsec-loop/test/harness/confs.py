# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Configurations of the example for the cases: sa_line() writes an 'sa' line with the keys
scapy's SAs use (ipl_sa), ipl_conf() puts the port lines and the others together; the
configurations more than one case uses have a name."""

import ipl_sa


PORTS = ("port 0 inside", "port 1 outside")


def opt(line, opts):
    """line with opts (words) after it, if any."""
    return line + " " + opts if opts else line


def sa_line(direction, num, spi, src, dst, alg, opts=""):
    """An 'sa' line with ipl_sa's keys for alg (scapy's SAs use the same), then opts."""
    return opt("sa %s %d spi %d tunnel %s %s %s" % (direction, num, spi, src, dst,
                                                    ipl_sa.conf_words(alg)), opts)


def ipl_conf(*lines, ports=PORTS):
    """A configuration: the port lines, then lines (sa_line()s, policies, routes, ...)."""
    return "".join(line + "\n" for line in ports + lines)


def golden_conf(alg, out_opts="", in_opts="", inside="", outside="", peer_route=""):
    """One tunnel 192.0.2.1 - 192.0.2.2: SA 1 out (SPI 1001) for 10.1.0.0/16 to 10.2.0.0/16,
    SA 2 in (SPI 2001) back. The other arguments: options of the SA lines, of the port
    lines (port 0 inside, port 1 outside) and of the route to 192.0.2.2."""
    return ipl_conf(
        sa_line("out", 1, 1001, "192.0.2.1", "192.0.2.2", alg, out_opts),
        sa_line("in", 2, 2001, "192.0.2.2", "192.0.2.1", alg, in_opts),
        "sp out 10.1.0.0/16 10.2.0.0/16 protect 1",
        "sp in 10.2.0.0/16 10.1.0.0/16 protect 2",
        opt("route 192.0.2.2/32 port 1", peer_route),
        "route 10.1.0.0/16 port 0",
        ports=(opt("port 0 inside", inside), opt("port 1 outside", outside)))


def loop_conf(action):
    """SA 1 protects everything and its tunnel endpoint is routed back into outbound: every
    packet loops; 'loop action'."""
    return ipl_conf(
        sa_line("out", 1, 1001, "192.0.2.1", "192.0.2.2", "aes-128-gcm"),
        "sp out any any protect 1",
        "# the tunnel endpoint routed back into outbound processing: a loop",
        "route 192.0.2.2/32 outbound",
        "loop %s" % action)


def wrong_sa_conf(*policies):
    """Inbound SA 3 (GCM, SPI 3001) protects 10.2.0.0/16 to 10.1.0.0/16; SA 4 (CBC, SPI
    4001) comes over the same tunnel but no policy names it: ESP under it is under the wrong
    SA. Then policies, then 'sp in any any discard'."""
    return ipl_conf(
        sa_line("in", 3, 3001, "192.0.2.2", "192.0.2.1", "aes-128-gcm"),
        sa_line("in", 4, 4001, "192.0.2.2", "192.0.2.1", "aes-128-cbc-sha256"),
        "sp in 10.2.0.0/16 10.1.0.0/16 protect 3",
        *policies,
        "sp in any any discard",
        "route 10.1.0.0/16 port 0")


def inbound_conf(sa5_opts="", more=()):
    """Inbound SA 3 (GCM, SPI 3001) for 10.2.0.0/16 and SA 5 (CBC, SPI 5001, then sa5_opts)
    for 10.4.0.0/16, both to 10.1.0.0/16 behind port 0, over one tunnel from 192.0.2.2;
    then the lines of more."""
    return ipl_conf(
        sa_line("in", 3, 3001, "192.0.2.2", "192.0.2.1", "aes-128-gcm"),
        sa_line("in", 5, 5001, "192.0.2.2", "192.0.2.1", "aes-128-cbc-sha256", sa5_opts),
        "sp in 10.2.0.0/16 10.1.0.0/16 protect 3",
        "sp in 10.4.0.0/16 10.1.0.0/16 protect 5",
        "route 10.1.0.0/16 port 0",
        *more)


# (name, inner source prefix, inner destination prefix, outbound SPI, inbound SPI, outer IPv6)
V6_COMBOS = [("4-in-4", "10.1.0.", "10.2.0.", 1001, 2001, False),
             ("6-in-4", "fd01::", "fd02::", 1003, 2003, False),
             ("4-in-6", "10.1.0.", "10.2.1.", 1005, 2005, True),
             ("6-in-6", "fd01::", "fd02:0:0:1::", 1007, 2007, True)]


def v6_conf(alg, outside=""):
    """The four combinations of V6_COMBOS, all SAs alg: outbound SAs 1, 3, 5, 7 (SPI 1001,
    1003, ...), inbound 2, 4, 6, 8 (SPI 2001, 2003, ...); outside: options of port 1."""
    return ipl_conf(
        "# outbound: 4-in-4, 6-in-4, 4-in-6, 6-in-6",
        sa_line("out", 1, 1001, "192.0.2.1", "192.0.2.2", alg),
        sa_line("out", 3, 1003, "192.0.2.1", "192.0.2.2", alg),
        sa_line("out", 5, 1005, "2001:db8::1", "2001:db8::2", alg),
        sa_line("out", 7, 1007, "2001:db8::1", "2001:db8::2", alg),
        sa_line("in", 2, 2001, "192.0.2.2", "192.0.2.1", alg),
        sa_line("in", 4, 2003, "192.0.2.2", "192.0.2.1", alg),
        sa_line("in", 6, 2005, "2001:db8::2", "2001:db8::1", alg),
        sa_line("in", 8, 2007, "2001:db8::2", "2001:db8::1", alg),
        "sp out 10.1.0.0/16 10.2.0.0/24 protect 1",
        "sp out fd01::/64 fd02::/64 protect 3",
        "sp out 10.1.0.0/16 10.2.1.0/24 protect 5",
        "sp out fd01::/64 fd02:0:0:1::/64 protect 7",
        "sp in 10.2.0.0/24 10.1.0.0/16 protect 2",
        "sp in fd02::/64 fd01::/64 protect 4",
        "sp in 10.2.1.0/24 10.1.0.0/16 protect 6",
        "sp in fd02:0:0:1::/64 fd01::/64 protect 8",
        "route 192.0.2.2/32 port 1",
        "route 2001:db8::2/128 port 1",
        "route 10.1.0.0/16 port 0",
        "route fd01::/64 port 0",
        ports=("port 0 inside", opt("port 1 outside", outside)))


def frag_conf(alg):
    """port 1 with MTU 1400; IPv4 and IPv6 tunnels both ways (SA 3 'df set'), 'proto udp'
    policies for IPv4 to 10.2.0.0/16 and for IPv6."""
    return ipl_conf(
        sa_line("out", 1, 1001, "192.0.2.1", "192.0.2.2", alg),
        sa_line("out", 3, 1003, "192.0.2.1", "192.0.2.3", alg, "df set"),
        sa_line("out", 5, 1005, "2001:db8::1", "2001:db8::2", alg),
        sa_line("out", 7, 1007, "2001:db8::1", "2001:db8::2", alg),
        sa_line("in", 2, 2001, "192.0.2.2", "192.0.2.1", alg),
        sa_line("in", 6, 2005, "2001:db8::2", "2001:db8::1", alg),
        sa_line("in", 8, 2007, "2001:db8::2", "2001:db8::1", alg),
        "sp out 10.1.0.0/16 10.3.0.0/16 protect 3",
        "sp out 10.1.0.0/16 10.2.1.0/24 protect 5",
        "sp out 10.1.0.0/16 10.2.0.0/16 proto udp protect 1",
        "sp out fd01::/64 fd02::/64 proto udp protect 7",
        "sp in 10.2.0.0/24 10.1.0.0/16 protect 2",
        "sp in 10.2.1.0/24 10.1.0.0/16 protect 6",
        "sp in fd02::/64 fd01::/64 proto udp protect 8",
        "route 192.0.2.0/24 port 1",
        "route 2001:db8::2/128 port 1",
        "route 10.1.0.0/16 port 0",
        "route fd01::/64 port 0",
        ports=("port 0 inside", "port 1 outside mtu 1400"))
