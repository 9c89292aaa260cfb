#!/bin/bash
# Runs the demo on two net_ring ports with a private runtime directory, then
# again with --capture, and reads the capture with tshark: one packet per
# packet forwarded, each with its rx_meta tag (its sequence number in the
# tag's bytes 4-7, little-endian, as the packet's frame number - 1).
#   tshark -r FILE -T fields -e frame.number -e frame.comment
set -euo pipefail
bin=$1
rt=$(mktemp -d)
trap 'rm -rf "$rt"' EXIT
eal=(--no-huge -m 512 --no-pci --no-shconf --vdev net_ring0 --vdev net_ring1 -l 0
	--log-level=lib.eal:warning)
RUNTIME_DIRECTORY=$rt "$bin" "${eal[@]}" --file-prefix="tag-demo-$$"

command -v tshark >/dev/null || { echo "no tshark: capture not checked"; exit 0; }
RUNTIME_DIRECTORY=$rt "$bin" "${eal[@]}" --file-prefix="tag-demo-cap-$$" -- \
	--capture "$rt/demo.pcapng"
tshark -r "$rt/demo.pcapng" -T fields -e frame.number -e frame.comment >"$rt/comments" 2>/dev/null
head -n 2 "$rt/comments"
/usr/bin/python3 - "$rt/comments" <<'PY'
import re, sys
n = bad = 0
for line in open(sys.argv[1]):
    frame, comment = line.rstrip("\n").split("\t")
    m = re.fullmatch(r"mtag: 1 tag; 0: type \d+ \(rx_meta\) len 16 cookie 0 data((?: [0-9a-f]{2}){16})",
                     comment)
    seq = int.from_bytes(bytes.fromhex(m.group(1).replace(" ", ""))[4:8], "little") if m else -1
    if seq != int(frame) - 1:
        print(f"frame {frame}: {comment}")
        bad += 1
    n += 1
print(f"capture: {n} packets, each with its own tag")
sys.exit(bad > 0 or n != 1024)
PY
