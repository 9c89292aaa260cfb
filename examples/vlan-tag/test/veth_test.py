#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
"""dpdk-vlan-tag on net_af_packet ports, veth pairs and network namespaces.

    ns trunk peer (scapy)           ns dpdk (dpdk-vlan-tag)         ns host1 / host2 (Linux)
    <id>tp  ===== veth =====  <id>td  port 0 trunk
                              <id>ad  port 1 access vlan 100 ==== <id>ah 10.100.0.1/24
                              <id>bd  port 2 access 10/200  ==== <id>bh 10.200.0.1/24

The scapy peer poses as 10.100.0.2 on VLAN 100 (802.1Q) and 10.200.0.2 on
S-VLAN 10 / C-VLAN 200 (802.1ad): it sends tagged ARP requests and pings,
the Linux hosts answer, and the peer checks the tagged replies (TPID, VID,
PCP, DEI, the echoed payload). The kernel hands AF_PACKET a frame's outer
VLAN as metadata, like a NIC's VLAN strip offload: the run with offloads
takes it from the metadata and inserts single tags through the PMD's
VLAN_INSERT; the run with --no-offload gets the header back in the frame
and does everything in software; a third run uses the offloads and the
pipeline (tags cross from the RX lcore to the TX lcore); a fourth two
forwarding lcores on two queue pairs of every port (af_packet's qpairs: a
socket per queue in one kernel fanout group, which spreads flows by hash).
Namespaces are deleted at the end.
"""

import argparse
import glob
import json
import os
import select
import socket
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vtlib  # noqa: E402
from vtlib import tci  # noqa: E402

C, S = 0x8100, 0x88A8
PEER_MAC = "02:00:00:00:01:01"
PAYLOAD = bytes(range(48)) * 4


def sh(*cmd, check=True):
    return subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          check=check)


class Topology:
    def __init__(self):
        tag = f"vt{os.getpid() % 100000}"
        self.ns = {r: f"{tag}-{r}" for r in ("dp", "tr", "h1", "h2")}
        self.ifs = {"td": tag + "td", "tp": tag + "tp", "ad": tag + "ad", "ah": tag + "ah",
                    "bd": tag + "bd", "bh": tag + "bh"}
        self.created = []

    def up(self):
        for ns in self.ns.values():
            sh("ip", "netns", "add", ns)
            self.created.append(ns)
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
               check=False)
            sh("ip", "netns", "exec", ns, "sysctl", "-qw",
               "net.ipv6.conf.default.disable_ipv6=1", check=False)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        for d, p, ns in (("td", "tp", "tr"), ("ad", "ah", "h1"), ("bd", "bh", "h2")):
            sh("ip", "-n", self.ns["dp"], "link", "add", self.ifs[d], "type", "veth",
               "peer", "name", self.ifs[p], "netns", self.ns[ns])
            sh("ip", "-n", self.ns["dp"], "link", "set", self.ifs[d], "up")
            sh("ip", "-n", self.ns[ns], "link", "set", self.ifs[p], "up")
        sh("ip", "-n", self.ns["h1"], "addr", "add", "10.100.0.1/24", "dev", self.ifs["ah"])
        sh("ip", "-n", self.ns["h2"], "addr", "add", "10.200.0.1/24", "dev", self.ifs["bh"])
        sh("ip", "-n", self.ns["tr"], "link", "set", self.ifs["tp"], "address", PEER_MAC)

    def down(self):
        for ns in self.created:
            sh("ip", "netns", "del", ns, check=False)
        self.created = []


# ---------------------------------------------------------------- peer side

def peer(iface, pcp1, dei1, pcp2, dei2):
    """Runs in the trunk namespace; prints one line per check."""
    from scapy.all import ARP, ICMP, IP, Ether, Raw, conf

    sock = conf.L2socket(iface=iface)
    ok = True

    def tagged(stack, pkt):
        raw = bytes(pkt)
        hdr = b"".join(t.to_bytes(2, "big") + v.to_bytes(2, "big") for t, v in stack)
        return raw[:12] + hdr + raw[12:]

    def exchange(frame, want_stack, match, timeout=3.0):
        """Send a frame; return the first reply whose header stack and content match."""
        sock.send(Raw(frame))
        end = time.time() + timeout
        hdr = b"".join(t.to_bytes(2, "big") + v.to_bytes(2, "big") for t, v in want_stack)
        seen = []
        while time.time() < end:
            r, _, _ = select.select([sock], [], [], max(0.0, end - time.time()))
            if not r:
                break
            p = sock.recv()
            if p is None:
                continue
            raw = bytes(p)
            seen.append(raw[:20].hex())
            if raw[12:12 + len(hdr)] != hdr:
                continue
            inner = Ether(raw[:12] + raw[12 + len(hdr):])
            if match(inner):
                return inner
        print(f"  no reply with headers {hdr.hex()}; saw {seen[:6]}")
        return None

    def check(cond, what):
        nonlocal ok
        print(("ok  " if cond else "FAIL") + " " + what, flush=True)
        ok &= bool(cond)

    for name, stack, host_ip, my_ip in (
            ("VLAN 100", [(C, tci(100, pcp1, dei1))], "10.100.0.1", "10.100.0.2"),
            ("S-VLAN 10 C-VLAN 200",
             [(S, tci(10, pcp2, dei2)), (C, tci(200, pcp2, dei2))], "10.200.0.1",
             "10.200.0.2")):
        # What we send carries PCP 0; what comes back carries the access port's PCP/DEI.
        send_stack = [(t, v & 0xFFF) for t, v in stack]
        arp = Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(
            op=1, hwsrc=PEER_MAC, psrc=my_ip, pdst=host_ip)
        rep = exchange(tagged(send_stack, arp), stack,
                       lambda p: ARP in p and p[ARP].op == 2 and p[ARP].psrc == host_ip)
        check(rep is not None, f"{name}: ARP reply from {host_ip}, tagged "
              + "/".join(f"{t:#06x}:{v:#06x}" for t, v in stack))
        if rep is None:
            continue
        host_mac = rep[Ether].src
        for seq in range(3):
            req = Ether(src=PEER_MAC, dst=host_mac) / IP(src=my_ip, dst=host_ip) / ICMP(
                id=0x7654, seq=seq) / Raw(PAYLOAD)
            rep = exchange(tagged(send_stack, req), stack,
                           lambda p: ICMP in p and p[ICMP].type == 0 and p[ICMP].seq == seq)
            check(rep is not None and bytes(rep[ICMP].payload) == PAYLOAD,
                  f"{name}: echo reply {seq} from {host_ip}, payload intact")

    # Drops: untagged, unknown VLAN (one a 3-deep 802.1ad stack, whose outer tag the
    # kernel takes off and the PMD reports, or puts back as 0x8100: a valid stack all
    # the same, so unknown_vlan and not bad_tpid). Nothing may come back.
    bcast = Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff")
    for frame in (bytes(bcast / ARP(pdst="10.100.0.1")),
                  tagged([(C, 999)], bcast / ARP(psrc="10.100.0.2", pdst="10.100.0.1")),
                  tagged([(S, 10), (S, 20), (C, 30)],
                         bcast / ARP(psrc="10.100.0.2", pdst="10.100.0.1"))):
        sock.send(Raw(frame))
    time.sleep(0.5)
    sock.close()
    print("peer: " + ("PASS" if ok else "FAIL"), flush=True)
    return 0 if ok else 1


# ---------------------------------------------------------------- test side

def telemetry(rundir, cmds):
    """Answers of the application's telemetry socket (JSON), or None."""
    paths = glob.glob(os.path.join(rundir, "**", "dpdk_telemetry.v2"), recursive=True)
    if not paths:
        return None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.settimeout(5)
        s.connect(paths[0])
        s.recv(4096)
        out = []
        for c in cmds:
            s.send(c.encode())
            out.append(json.loads(s.recv(65536)))
        return out
    except (OSError, ValueError):
        return None
    finally:
        s.close()


def run(opts, topo, offload, ck, pipeline=False, queues=1):
    work = tempfile.mkdtemp(prefix="vt-veth-")
    conf = os.path.join(work, "vlan-tag.conf")
    with open(conf, "w") as f:
        f.write("trunk 0\n"
                "access 1 vlan 100 pcp 4 dei 1\n"
                "access 2 vlan 200 svlan 10 pcp 6\n")
    eal = vtlib.eal_args(f"vtveth{os.getpid()}{int(offload)}{int(pipeline)}{queues}")
    eal += ["--lcores", "0@0,1@1,2@0"] if pipeline or queues == 2 else ["-l", "0,1"]
    for i, d in enumerate(("td", "ad", "bd")):
        eal += ["--vdev", f"net_af_packet{i},iface={topo.ifs[d]}" +
                (f",qpairs={queues}" if queues > 1 else "")]
    args = ["-f", conf, "-T", "0", "--duration", "60"]
    if not offload:
        args.append("--no-offload")
    if pipeline:
        args.append("--pipeline")
    rundir = tempfile.mkdtemp(prefix="vt-run-")
    app = subprocess.Popen(["ip", "netns", "exec", topo.ns["dp"], opts.app] + eal + ["--"] + args,
                           env=dict(os.environ, RUNTIME_DIRECTORY=rundir),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    started = threading.Event()

    def reader():
        for raw in app.stdout:
            line = raw.decode(errors="replace")
            lines.append(line)
            if "forwarding on" in line or "pipeline RX on" in line:
                started.set()
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    what = (("offload" if offload else "no-offload") + (" pipeline" if pipeline else "") +
            (f" {queues} queues" if queues > 1 else ""))
    try:
        if not ck.check(started.wait(30), f"{what}: application started"):
            return
        peer_out = subprocess.run(
            ["ip", "netns", "exec", topo.ns["tr"], "/usr/bin/python3", __file__, "--peer",
             topo.ifs["tp"]], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        text = peer_out.stdout.decode(errors="replace")
        print(text)
        ck.check(peer_out.returncode == 0 and "peer: PASS" in text, f"{what}: scapy peer checks")
        tel = telemetry(rundir, ["/vlan_tag/ports", "/vlan_tag/stats,0", "/vlan_tag/stats,1"])
        ck.check(tel is not None and tel[0] == {"/vlan_tag/ports": [0, 1, 2]} and
                 tel[1]["/vlan_tag/stats"]["role"] == "trunk" and
                 tel[1]["/vlan_tag/stats"]["rx"] >= 10 and
                 tel[1]["/vlan_tag/stats"]["unknown_vlan"] == 2 and
                 tel[2]["/vlan_tag/stats"]["vlan"] == "100" and
                 tel[2]["/vlan_tag/stats"]["to_access"] >= 4,
                 f"{what}: telemetry /vlan_tag/ports and /vlan_tag/stats: {tel}")
    finally:
        if app.poll() is None:
            app.send_signal(signal.SIGINT)
        try:
            app.wait(30)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
        t.join(5)
        subprocess.run(["rm", "-rf", work, rundir], check=False)
    out = "".join(lines)
    print(out)
    ck.check(app.returncode == 0, f"{what}: exit status {app.returncode}")
    if offload:
        ck.check("VLAN strip hardware" in out and "VLAN insert hardware" in out,
                 f"{what}: start-up log shows hardware strip and insert")
    else:
        ck.check("VLAN strip software" in out and "VLAN insert software" in out,
                 f"{what}: start-up log shows software strip and insert")
    if queues > 1:
        ck.check(out.count(f"{queues} queues") == 3 and out.count("forwarding on") == queues,
                 f"{what}: {queues} queues on every port, {queues} forwarding lcores")
    st = vtlib.final_stats(out) or {}
    ck.check(st.get("leaks") == (0, 0), f"{what}: no mbuf or tag leak: {st.get('leaks')}")
    trunk = st.get(("port", 0), {})
    # With the offload, single tags go through the PMD, QinQ through software.
    if offload:
        ck.check(trunk.get("hw_insert", 0) >= 4 and trunk.get("sw_insert", 0) >= 4,
                 f"{what}: VLAN 100 inserted by the port, QinQ in software: {trunk}")
    else:
        ck.check(trunk.get("hw_insert", 0) == 0 and trunk.get("sw_insert", 0) >= 8,
                 f"{what}: all inserted in software: {trunk}")
    ck.check(trunk.get("untagged", 0) >= 1 and trunk.get("unknown_vlan") == 2 and
             "bad_tpid" not in trunk,
             f"{what}: trunk drops counted, the 3-deep 802.1ad stack parsed: {trunk}")
    # 1 ARP + 3 pings per VLAN, at least (the hosts may ARP back).
    for name in ("100", "10/200"):
        vs = st.get(("vlan", name), {})
        ck.check(vs.get("to_access", 0) >= 4 and vs.get("to_trunk", 0) >= 4,
                 f"{what}: vlan {name} counters {vs}")


def main():
    if len(sys.argv) == 7 and sys.argv[1] == "--peer":
        sys.exit(peer(sys.argv[2], *map(int, sys.argv[3:])))
    if len(sys.argv) == 3 and sys.argv[1] == "--peer":
        # PCP/DEI of the access ports in run()'s configuration.
        sys.exit(peer(sys.argv[2], 4, 1, 6, 0))
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    opts = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: network namespaces need root")
        sys.exit(vtlib.SKIP)
    topo = Topology()
    try:
        try:
            topo.up()
        except subprocess.CalledProcessError as e:
            print(f"SKIP: cannot build the veth/netns topology here: "
                  f"{' '.join(e.cmd)}: {e.stdout.decode(errors='replace').strip()}")
            sys.exit(vtlib.SKIP)
        except OSError as e:
            print(f"SKIP: no iproute2 here: {e}")
            sys.exit(vtlib.SKIP)
        ck = vtlib.Checker("veth")
        run(opts, topo, True, ck)
        run(opts, topo, False, ck)
        run(opts, topo, True, ck, pipeline=True)
        run(opts, topo, True, ck, queues=2)
    finally:
        topo.down()
    ck.done()


if __name__ == "__main__":
    main()
