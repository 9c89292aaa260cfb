#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""Golden test of dpdk-vlan-tag on net_pcap ports.

Scapy writes the input of a trunk (port 0) and three access ports: single
802.1Q and 802.1ad tags, QinQ, a 3-deep stack, and every drop case. The
application runs until its input is consumed (--idle-exit); then each output
file must hold exactly the expected frames, byte for byte (VID, PCP, DEI,
TPID, payload), tshark must decode the same VLAN fields, and the drop and
forwarding counters must match. net_pcap offers no VLAN offload, so this
covers the software strip and insert paths.

One scenario per run, named on the command line (golden by default): golden,
pipeline, mtu (port mtu lines, too_big on both sides), queues (two forwarding
lcores on two queues of every port: the same multiset of frames, the same
counter sums), capture (the pcapng file read back by tshark), exhaust (a tag
pool too small for a burst).
"""

import argparse
import collections
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vtlib  # noqa: E402
from vtlib import tag, tci, untagged  # noqa: E402
from scapy.all import ARP, Ether  # noqa: E402

C, S = 0x8100, 0x88A8

CONF = """# golden test
trunk 0
access 1 vlan 100
access 2 vlan 200 svlan 10 pcp 5 dei 1   # QinQ
access 3 vlan 10/20/30 pcp 3             # 3-deep stack
"""

# MTU lines of --mtu: the trunk takes 1504 bytes of payload and tags, port 1 1000.
CONF_MTU = CONF + """port 0 mtu 1504
port 1 mtu 1000
"""

# Headers each access port's frames get on the trunk, outermost first.
INSERT = {
    1: [(C, tci(100))],
    2: [(S, tci(10, 5, 1)), (C, tci(200, 5, 1))],
    3: [(S, tci(10, 3)), (S, tci(20, 3)), (C, tci(30, 3))],
}


def scenario():
    """Input frames per port, expected output per port, expected drops."""
    rx = {p: [] for p in range(4)}
    tx = {p: [] for p in range(4)}
    drops = {p: {} for p in range(4)}

    def trunk_in(frame, stack, dest):
        rx[0].append(tag(frame, stack))
        tx[dest].append(frame)

    def trunk_drop(raw, why):
        rx[0].append(raw)
        drops[0][why] = drops[0].get(why, 0) + 1

    # Trunk to access: every header goes, PCP/DEI/TPID of the input do not matter.
    for n, size in enumerate([64, 128, 1000, 1514]):
        trunk_in(untagged(n, size, seed=1), [(C, tci(100, 6, 1))], 1)
    trunk_in(untagged(9, 80, seed=1), [(S, tci(100, 1))], 1)            # single S-tag
    trunk_in(untagged(10, 64, seed=2), [(S, tci(10, 2)), (C, tci(200, 7, 1))], 2)
    trunk_in(untagged(11, 300, seed=2), [(S, tci(10)), (C, tci(200))], 2)
    trunk_in(untagged(12, 90, seed=2), [(C, tci(10)), (C, tci(200, 4))], 2)  # old 8100/8100
    trunk_in(untagged(13, 200, seed=3), [(S, tci(10, 1)), (S, tci(20)), (C, tci(30, 7, 1))], 3)
    trunk_in(untagged(14, 64, seed=3), [(S, tci(10)), (S, tci(20)), (C, tci(30))], 3)

    # Drops on the trunk.
    trunk_drop(untagged(20), "untagged")
    trunk_drop(bytes(Ether(src=vtlib.MAC_A, dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="10.0.0.1")),
               "untagged")
    trunk_drop(tag(untagged(21), [(C, tci(999))]), "unknown_vlan")
    trunk_drop(tag(untagged(22), [(S, tci(10)), (C, tci(201))]), "unknown_vlan")
    trunk_drop(tag(untagged(23), [(C, tci(10))]), "unknown_vlan")
    trunk_drop(bytes(10), "runt")
    trunk_drop(tag(untagged(24), [(C, tci(100))])[:16], "runt")           # cut in the tag
    trunk_drop(tag(untagged(25), [(0x9100, tci(100))]), "bad_tpid")       # TPID not accepted
    trunk_drop(tag(untagged(26), [(C, tci(100)), (S, tci(5))]), "bad_tpid")  # S inside C
    trunk_drop(tag(untagged(27), [(S, tci(1 + i)) for i in range(8)] + [(C, tci(9))]),
               "too_deep")

    # 802.1Q priority tags (VID 0): the innermost one names no VLAN; alone, untagged.
    trunk_in(untagged(15, 100, seed=1), [(C, tci(100)), (C, tci(0, 3))], 1)
    trunk_in(untagged(16, 100, seed=2), [(S, tci(10)), (C, tci(200)), (C, tci(0, 7, 1))], 2)
    trunk_drop(tag(untagged(28), [(C, tci(0, 5))]), "untagged")
    # A priority tag followed by a VLAN header is no priority tag: a VID 0 in the stack.
    trunk_drop(tag(untagged(32), [(C, tci(0)), (C, tci(100))]), "unknown_vlan")
    trunk_drop(tag(untagged(33), [(S, tci(10)), (C, tci(0)), (C, tci(200))]), "unknown_vlan")

    # Access to trunk.
    # (1514 from port 3 needs the trunk's default MTU, 1500 + 4 per tag of the deepest stack.)
    for p, sizes in ((1, [64, 100, 1514]), (2, [64, 700]), (3, [64, 1200, 1514])):
        for n, size in enumerate(sizes):
            frame = untagged(n, size, src=vtlib.MAC_B, dst=vtlib.MAC_A, seed=10 + p)
            rx[p].append(frame)
            tx[0].append(tag(frame, INSERT[p]))
    arp = bytes(Ether(src=vtlib.MAC_B, dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="10.0.0.2"))
    rx[1].append(arp)                                   # 42 bytes: not padded, not a runt
    tx[0].append(tag(arp, INSERT[1]))
    rx[1].append(tag(untagged(30), [(C, tci(100))]))
    drops[1]["tagged_on_access"] = 1
    rx[2].append(bytes(8))
    drops[2]["runt"] = 1
    # Priority-tagged on an access port: untagged, with the tag's PCP and DEI on the trunk.
    for p, prio, (pcp, dei) in ((1, 40, (6, 0)), (2, 41, (2, 1))):
        frame = untagged(prio, 90, src=vtlib.MAC_B, dst=vtlib.MAC_A, seed=20 + p)
        rx[p].append(tag(frame, [(C, tci(0, pcp, dei))]))
        tx[0].append(tag(frame, [(t, (v & 0xFFF) | (pcp << 13) | (dei << 12))
                                 for t, v in INSERT[p]]))
    return rx, tx, drops


def scenario_mtu():
    """Frames on either side of the MTUs of CONF_MTU."""
    rx, tx = ({p: [] for p in range(4)} for _ in range(2))
    drops = {p: {} for p in range(4)}
    for n, size in enumerate([1014, 1015, 1014]):                  # port 1: MTU 1000
        frame = untagged(n, size, seed=7)
        rx[0].append(tag(frame, [(C, tci(100))]))
        if size - 14 <= 1000:
            tx[1].append(frame)
        else:
            drops[1]["too_big"] = drops[1].get("too_big", 0) + 1
    for p, size in ((1, 1514), (3, 1506), (3, 1507), (3, 1514)):   # trunk: MTU 1504
        frame = untagged(size, size, src=vtlib.MAC_B, dst=vtlib.MAC_A, seed=8)
        rx[p].append(frame)
        if size + 4 * len(INSERT[p]) - 14 <= 1504:
            tx[0].append(tag(frame, INSERT[p]))
        else:
            drops[0]["too_big"] = drops[0].get("too_big", 0) + 1
    return rx, tx, drops


def scenario_exhaust(n=300):
    """Many 3-deep frames both ways, for a tag pool far too small for a burst."""
    rx = {p: [] for p in range(4)}
    tx = {p: [] for p in range(4)}
    stack = [(S, tci(10)), (S, tci(20)), (C, tci(30))]
    for i in range(n):
        frame = untagged(i, 64 + i % 200, seed=5)
        rx[0].append(tag(frame, stack))
        tx[3].append(frame)
        frame = untagged(i, 64 + i % 100, src=vtlib.MAC_B, dst=vtlib.MAC_A, seed=6)
        rx[3].append(frame)
        tx[0].append(tag(frame, INSERT[3]))
    return rx, tx


def is_subsequence(got, want):
    it = iter(want)
    return all(any(g == w for w in it) for g in got)


def check_exhaust(ck, work, out, tx, n):
    """Tags ran out: some frames dropped as no_tag, the rest intact, nothing leaked."""
    st = vtlib.final_stats(out) or {}
    ck.check(st.get("leaks") == (0, 0), f"no mbuf or tag leak: {st.get('leaks')}")
    p0, p3 = st.get(("port", 0), {}), st.get(("port", 3), {})
    drops0 = {k: v for k, v in p0.items() if k not in ("rx", "tx", "hw_insert", "sw_insert")}
    drops3 = {k: v for k, v in p3.items() if k not in ("rx", "tx")}
    ck.check(set(drops0) <= {"no_tag"} and set(drops3) <= {"no_tag"},
             f"only no_tag drops: {drops0} {drops3}")
    ck.check(drops0.get("no_tag", 0) + drops3.get("no_tag", 0) > 0,
             "the pool ran out (no_tag counted)")
    ck.check(p3.get("tx", 0) + drops0.get("no_tag", 0) == n and
             p0.get("tx", 0) + drops3.get("no_tag", 0) == n,
             f"every frame forwarded or counted: {p0} {p3}")
    for p in (0, 3):
        got = vtlib.read_pcap(os.path.join(work, f"out{p}.pcap"))
        ck.check(len(got) > 0 and is_subsequence(got, tx[p]),
                 f"port {p}: the {len(got)} frames out are intact and in order")


# Drops counted on the TX port, after the VLAN counters.
TX_DROPS = ("too_big", "no_room", "tx_full")


def vids(stack):
    return [t & 0xFFF for _, t in stack]


def stack_of(frame):
    """VLAN headers of a frame as [(tpid, tci)], outermost first."""
    out, off = [], 12
    while len(frame) >= off + 4:
        tpid, t = struct.unpack("!HH", frame[off:off + 4])
        if tpid not in (C, S):
            break
        out.append((tpid, t))
        off += 4
    return out


def tshark_fields(path):
    """Per frame: C-tag (VID, PCP, DEI) and outer S-tag (VID, PCP, DEI) as tshark decodes them."""
    if shutil.which("tshark") is None:
        return None
    fields = ["vlan.id", "vlan.priority", "vlan.dei", "ieee8021ad.id", "ieee8021ad.svid",
              "ieee8021ad.priority", "ieee8021ad.dei"]
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    out = []
    for line in p.stdout.decode().splitlines():
        # Wireshark 4.4 (Debian 13) prints the DEI bit as True/False, 3.6 (Debian 12) as 1/0.
        f = [{"True": "1", "False": "0"}.get(v, v) for v in (line.split("\t") + [""] * 7)[:7]]
        # The S-VID is "id" or "svid" depending on what follows the S-tag.
        out.append((tuple(f[0:3]), (f[3] or f[4], f[5], f[6])))
    return out


def check_capture(ck, path, tx, drops):
    """--capture: tshark reads every frame sent, with its VLAN tags, and every drop, with
    its reason, from the pcapng file."""
    if not ck.check(shutil.which("tshark") is not None, "tshark installed (capture check)"):
        return
    cmd = ["tshark", "-r", path, "-T", "fields", "-E", "separator=/t", "-e",
           "frame.interface_id", "-e", "frame.packet_flags_direction", "-e", "frame.comment"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    ck.check(p.returncode == 0, f"tshark reads the capture (exit {p.returncode})")
    sent = {q: [] for q in range(4)}
    dropped = {q: {} for q in range(4)}
    bad = []
    for line in p.stdout.decode().splitlines():
        ifid, direction, comment = (line.split("\t") + ["", ""])[:3]
        q = int(ifid)
        why = re.search(r"; 0: type \d+ \(vt_drop/(\w+)\) len 0 cookie 0", comment)
        if why:
            dropped[q][why.group(1)] = dropped[q].get(why.group(1), 0) + 1
            continue
        # Newest first: the innermost VLAN first. Outermost first, as INSERT.
        kind = "vlan_insert" if q == 0 else "vlan"
        got = [int(v) for v in re.findall(
            rf"\({kind}\) len 4 cookie 0 tpid 0x[0-9a-f]{{4}} pcp \d dei \d vid (\d+)",
            comment) if v != "0"][::-1]
        if int(direction, 0) != 2 or not comment.startswith("mtag: "):
            bad.append(line)
        sent[q].append(tuple(got))
    ck.check(not bad, f"frames sent are outbound, with their tags: {bad[:3]}")
    want = collections.Counter(tuple(vids(INSERT[p])) for p in INSERT
                               for fr in tx[0] if vids(stack_of(fr)) == vids(INSERT[p]))
    ck.check(collections.Counter(sent[0]) == want,
             f"captured to the trunk, insert reminders by VLAN stack: "
             f"{collections.Counter(sent[0])} == {want}")
    for q in range(1, 4):
        ck.check(sent[q] == [tuple(vids(INSERT[q]))] * len(tx[q]),
                 f"captured to port {q}: {len(sent[q])} frames with VLAN records "
                 f"{set(sent[q])}, {len(tx[q])} expected with {vids(INSERT[q])}")
    ck.check(dropped == drops, f"captured drops by port and reason {dropped} == {drops}")


def fields_of(t):
    return (str(t & 0xFFF), str(t >> 13), str((t >> 12) & 1))


def st_or_none(out, port):
    return (vtlib.final_stats(out) or {}).get(("port", port), {})


def generate(work):
    os.makedirs(work, exist_ok=True)
    rx, tx, _ = scenario()
    with open(os.path.join(work, "vlan-tag.conf"), "w") as f:
        f.write(CONF)
    for p in range(4):
        vtlib.write_pcap(os.path.join(work, f"in{p}.pcap"), rx[p])
        vtlib.write_pcap(os.path.join(work, f"expected{p}.pcap"), tx[p])
    print(f"wrote {work}/vlan-tag.conf, in[0-3].pcap, expected[0-3].pcap")


def run(ck, app, work, conf, rx, lcores, args, nq=1, timeout=60):
    """Write the configuration and each port's input (nq rx_pcap files a port,
    the frames dealt out in turn), run the application on net_pcap ports until
    its input is consumed, and return what it printed."""
    with open(os.path.join(work, "vlan-tag.conf"), "w") as f:
        f.write(conf)
    eal = vtlib.eal_args(f"vtpcap{os.getpid()}") + lcores
    for p in range(4):
        if nq == 1:
            vtlib.write_pcap(os.path.join(work, f"in{p}.pcap"), rx[p])
            eal += ["--vdev", f"net_pcap{p},rx_pcap={work}/in{p}.pcap,tx_pcap={work}/out{p}.pcap"]
            continue
        dev = f"net_pcap{p}"
        for q in range(nq):
            vtlib.write_pcap(os.path.join(work, f"in{p}q{q}.pcap"), rx[p][q::nq])
            dev += f",rx_pcap={work}/in{p}q{q}.pcap"
        for q in range(nq):
            dev += f",tx_pcap={work}/out{p}q{q}.pcap"
        eal += ["--vdev", dev]
    args = ["-f", os.path.join(work, "vlan-tag.conf"), "-T", "0", "--idle-exit", "1500"] + args
    rc, out = vtlib.run_app(app, eal, args, timeout)
    print(out)
    ck.check(rc == 0, f"application exit status {rc}")
    return out


def check_dump_tags(ck, out):
    """--dump-tags 2: two frames' VLAN tags printed in mtag_dump()'s words."""
    dumps = re.findall(r"frame for port \d+: mtag: mbuf \S+, (\d+) tags?\n((?:  \d+: .*\n)*)",
                       out)
    ck.check(len(dumps) == 2 and all(int(n) == len(body.splitlines()) for n, body in dumps)
             and all(re.search(r"type 1[12] \(vlan(_insert)?\) len 4 cookie 0 tpid 0x",
                               body) for _, body in dumps),
             f"--dump-tags 2 printed two frames' VLAN tags: {dumps}")


def check_insertion(ck, out, tx):
    """Every frame to the trunk had its VLANs inserted, by the path the log names
    (net_pcap offers VLAN insertion from DPDK 26.07 on: the trunk then takes one
    VLAN in "hardware" and deeper stacks in software)."""
    hw = re.search(r"trunk, VLAN strip \w+, VLAN insert (hardware|software)", out)
    ck.check(hw is not None, "start-up log names the trunk's VLAN insertion")
    ins = st_or_none(out, 0)
    if hw is not None and hw.group(1) == "software":
        ck.check(ins.get("sw_insert") == len(tx[0]) and ins.get("hw_insert") == 0,
                 "every frame to the trunk had its VLANs inserted in software")
    else:
        ck.check(ins.get("sw_insert", 0) + ins.get("hw_insert", 0) == len(tx[0]) and
                 ins.get("hw_insert", 0) > 0,
                 f"every frame to the trunk had its VLANs inserted: {ins}")


def trunk_output(ck, work, tx, nq):
    """The trunk's output frames; with several queues, the access ports' outputs too
    must hold the expected frames, in any order, and every lcore sent on the trunk."""
    if nq == 1:
        return vtlib.read_pcap(os.path.join(work, "out0.pcap"))
    got0 = None
    for p in range(4):
        per_q = [vtlib.read_pcap(os.path.join(work, f"out{p}q{q}.pcap")) for q in range(nq)]
        got = [fr for fq in per_q for fr in fq]
        same = collections.Counter(got) == collections.Counter(tx[p])
        ck.check(same, f"port {p}: {len(got)} frames out, {len(tx[p])} expected, "
                 f"same multiset {same}")
        if p == 0:
            ck.check(all(per_q), "every lcore sent on its own trunk TX queue: "
                     f"{[len(fq) for fq in per_q]}")
            got0 = got
    vtlib.write_pcap(os.path.join(work, "out0.pcap"), got0)  # for tshark
    return got0


def check_forwarding(ck, work, out, rx, tx, drops, nq=1):
    """What every forwarding scenario must show: the insertion path, no leak, the
    output frames byte for byte (per source on the trunk), tshark's reading of the
    trunk's VLAN fields, and the port and VLAN counters."""
    check_insertion(ck, out, tx)
    st = vtlib.final_stats(out)
    if not ck.check(st is not None, "final statistics printed"):
        ck.done()
    ck.check(st.get("leaks") == (0, 0), f"no mbuf or tag leak: {st.get('leaks')}")
    got = trunk_output(ck, work, tx, nq)
    if nq == 1:
        for p in range(1, 4):
            out_p = vtlib.read_pcap(os.path.join(work, f"out{p}.pcap"))
            ck.check(out_p == tx[p], f"port {p}: {len(out_p)} frames out, {len(tx[p])} "
                     f"expected, byte-exact {out_p == tx[p]}")
        # Access ports are polled in turn: order holds per source, not across.
        for p in range(1, 4):
            mine = [fr for fr in got if vids(stack_of(fr)) == vids(INSERT[p])]
            want = [fr for fr in tx[0] if vids(stack_of(fr)) == vids(INSERT[p])]
            ck.check(mine == want, f"trunk out, from port {p}: {len(mine)} frames, "
                     f"{len(want)} expected, byte-exact {mine == want}")
    ck.check(len(got) == len(tx[0]), f"trunk out: {len(got)} frames, {len(tx[0])} expected")

    # An independent decoder agrees on VID, PCP and DEI.
    fields = tshark_fields(os.path.join(work, "out0.pcap"))
    if fields is not None:
        ok = len(fields) == len(got)
        for fr, (ctag, stag) in zip(got, fields):
            hdr = stack_of(fr)
            ok &= bool(hdr) and ctag == fields_of(hdr[-1][1])
            if hdr and hdr[0][0] == S:
                ok &= stag == fields_of(hdr[0][1])
        ck.check(ok, "tshark decodes the trunk output's VID, PCP and DEI as expected")

    for p in range(4):
        ps = st.get(("port", p), {})
        ck.check(ps.get("rx") == len(rx[p]), f"port {p} rx {ps.get('rx')} == {len(rx[p])}")
        ck.check(ps.get("tx") == len(tx[p]), f"port {p} tx {ps.get('tx')} == {len(tx[p])}")
        dr = {k: v for k, v in ps.items() if k not in ("rx", "tx", "hw_insert", "sw_insert")}
        ck.check(dr == drops[p], f"port {p} drops {dr} == {drops[p]}")
    for name, p in (("100", 1), ("10/200", 2), ("10/20/30", 3)):
        vs = st.get(("vlan", name), {})
        # Both count what was sent towards the port, the TX port's drops included.
        ck.check(vs.get("to_access") == len(tx[p]) + drops[p].get("too_big", 0) and
                 vs.get("to_trunk") == len(rx[p]) - sum(
                     v for k, v in drops[p].items() if k not in TX_DROPS),
                 f"vlan {name} counters {vs}")


# The scenarios, one per meson test: each runs the application once and checks
# what it is about.
ONE_LCORE = ["-l", "0,1"]


def golden(ck, app, work, timeout):
    """The golden scenario on one forwarding lcore, two frames' tags dumped."""
    rx, tx, drops = scenario()
    out = run(ck, app, work, CONF, rx, ONE_LCORE, ["--dump-tags", "2"], timeout=timeout)
    check_dump_tags(ck, out)
    check_forwarding(ck, work, out, rx, tx, drops)


def pipeline(ck, app, work, timeout):
    """The same through --pipeline: RX on one lcore, TX on another."""
    rx, tx, drops = scenario()
    out = run(ck, app, work, CONF, rx, ["--lcores", "0@0,1@1,2@0"], ["--pipeline"],
              timeout=timeout)
    check_forwarding(ck, work, out, rx, tx, drops)


def mtu(ck, app, work, timeout):
    """Port mtu lines: frames on either side of them, too_big on both sides."""
    rx, tx, drops = scenario_mtu()
    out = run(ck, app, work, CONF_MTU, rx, ONE_LCORE, ["--dump-tags", "2"], timeout=timeout)
    check_dump_tags(ck, out)
    check_forwarding(ck, work, out, rx, tx, drops)


def queues(ck, app, work, timeout, nq=2):
    """nq forwarding lcores, each on its own queue of every port: the same frames
    in some order, the same counter sums."""
    rx, tx, drops = scenario()
    lcores = ["--lcores", ",".join(["0@0"] + [f"{q + 1}@{q % 2}" for q in range(nq)])]
    out = run(ck, app, work, CONF, rx, lcores, [], nq=nq, timeout=timeout)
    check_forwarding(ck, work, out, rx, tx, drops, nq)


def capture(ck, app, work, timeout):
    """--capture: every frame sent, with its tags, and every drop, with its reason,
    read back by tshark. Software VLAN strip: a PMD's strip (net_pcap's from DPDK
    26.07) leaves a cut frame too short for rte_pcapng_copy() to put its VLAN
    header back, and the capture counts it as dropped instead of writing it."""
    rx, tx, drops = scenario()
    cap = os.path.join(work, "cap.pcapng")
    out = run(ck, app, work, CONF, rx, ONE_LCORE,
              ["--dump-tags", "2", "--capture", cap, "--no-offload"], timeout=timeout)
    check_dump_tags(ck, out)
    check_forwarding(ck, work, out, rx, tx, drops)
    ck.check(re.search(r"capture \S+: \d+ frames written, 0 dropped", out) is not None,
             "capture closed, nothing dropped")
    check_capture(ck, cap, tx, drops)


def exhaust(ck, app, work, timeout):
    """A tag pool too small for a burst: no_tag drops, the rest intact, no leak."""
    rx, tx = scenario_exhaust()
    out = run(ck, app, work, CONF, rx, ONE_LCORE,
              ["--dump-tags", "2", "--tag-pool", "40", "--tag-cache", "0"], timeout=timeout)
    check_exhaust(ck, work, out, tx, len(rx[0]))


SCENARIOS = {"golden": golden, "pipeline": pipeline, "mtu": mtu, "queues": queues,
             "capture": capture, "exhaust": exhaust}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", choices=sorted(SCENARIOS), default="golden")
    ap.add_argument("--app")
    ap.add_argument("--generate", metavar="DIR",
                    help="only write the inputs, configuration and expected outputs to DIR")
    ap.add_argument("--timeout", type=int, default=60)
    opts = ap.parse_args()
    if opts.generate:
        generate(opts.generate)
        return
    if not opts.app:
        ap.error("--app or --generate is required")
    ck = vtlib.Checker(f"pcap {opts.scenario}")
    work = tempfile.mkdtemp(prefix="vt-pcap-")
    try:
        SCENARIOS[opts.scenario](ck, opts.app, work, opts.timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ck.done()


if __name__ == "__main__":
    main()
