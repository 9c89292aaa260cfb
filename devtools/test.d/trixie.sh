#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Debian 13 (trixie) stage of devtools/test.sh: DPDK 24.11 as Debian 13 ships
# it. Makes a trixie root with debootstrap from the Debian mirror this
# machine's apt already uses, copies the project in, and there runs what a new
# user runs: devtools/setup.sh (installs the packages of devtools/packages/ by
# their trixie names, builds with -Dwerror=true), devtools/run.sh, and every
# meson suite. The network-namespace tests (vlan-tag-veth, ipsec-loop-e2e) run
# too: the root is a mount point of its own, so `ip netns` works in it; the
# multi-process test skips there as on the host without hugepages.
#
# The root with its packages is kept as a tarball (MTAG_TRIXIE_CACHE, default
# /var/cache/mtag/trixie-root.tar.zst) and reused on a warm machine (about
# 2 minutes then, 4 to 7 cold); the root made from it lives in a tmpfs when
# memory allows, else in /var/tmp, and is unmounted and removed on every exit,
# with whatever still runs in it stopped. Skips (exit 77, with the reason)
# where debootstrap or chroot cannot run: not root, no mirror, no network for
# debootstrap, no mounts.
# Prints "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
source devtools/meson-counts.bash
# The stage's own output, for what a signal trap prints while a command's
# output goes to a log.
exec 3>&1 4>&2

tarball=${MTAG_TRIXIE_CACHE:-/var/cache/mtag/trixie-root.tar.zst}
suite=trixie
passed=0
failed=0
skipped=0
start=$SECONDS

finish() {
	echo "trixie: $((SECONDS - start)) s" >&3
	echo "${passed} passed, ${failed} failed, ${skipped} skipped" >&3
	[ "$failed" -eq 0 ]
	exit
}

skip() {
	echo "trixie: skipped: $*"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
}

fail() {
	echo "FAIL $*"
	failed=$((failed + 1))
	finish
}

pass() {
	echo "PASS $*"
	passed=$((passed + 1))
}

[ "$(id -u)" -eq 0 ] || skip "not root (debootstrap, chroot and mount need it)"
for c in debootstrap chroot mount umount findmnt zstd tar; do
	command -v "$c" >/dev/null || skip "no $c (devtools/packages/hardening.txt)"
done

# The Debian mirror of this machine's own apt sources (one-line or deb822
# format): the entry that serves its release's main suite.
mirror() {
	local host
	host=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$host" ] || return 1
	{
		sed -nE "s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([a-z]+:[^[:space:]]+)[[:space:]]+$host[[:space:]].*/\2/p" \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk -v s="$host" '
				/^[[:space:]]*$/ { if (ok && uri != "") print uri; ok = 0; uri = ""; next }
				/^URIs:/ { uri = $2 }
				/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
				END { if (ok && uri != "") print uri }' "$f"
		done
	} | head -n 1
}
url=$(mirror)
[ -n "$url" ] || skip "no Debian mirror for this release in /etc/apt/sources.list*"

work=$(mktemp -d /var/tmp/mtag-trixie.XXXXXX)
root=$work/root
mkdir "$root"

# Processes running in the root (a test a timeout or a signal left behind):
# found by their root directory, so only what this stage started.
root_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
}

# Mount points at or below the root, deepest first.
root_mounts() {
	findmnt -rn -o TARGET | awk -v r="$root" '$0 == r || index($0, r "/") == 1' | sort -r
}

# Stop what still runs in the root, unmount everything under it (the binds,
# and any network namespace a killed test left), then remove the work
# directory, but never through a mount that is still there.
cleanup() {
	local pids left i m t=$SECONDS

	exec >&3 2>&4
	pids=$(root_pids)
	if [ -n "$pids" ]; then
		kill -TERM $pids 2>/dev/null
		for i in $(seq 50); do
			pids=$(root_pids)
			[ -z "$pids" ] && break
			sleep 0.1
		done
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null && sleep 0.5
	fi
	# Deepest first; again while some appear (a mount hidden under another).
	for i in 1 2 3 4 5; do
		left=$(root_mounts)
		[ -z "$left" ] && break
		for m in $left; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		done
	done
	left=$(root_mounts)
	if [ -n "$left" ]; then
		echo "trixie: still mounted, $work kept: $left" >&2
		return
	fi
	rm -rf --one-file-system "$work"
	echo "trixie: root unmounted and removed ($((SECONDS - t)) s)"
}
trap cleanup EXIT
trap 'echo "FAIL trixie: interrupted" >&3; failed=$((failed + 1)); finish' INT TERM

# in_root SECONDS CMD: run a shell command in the root with a clean
# environment, killed after SECONDS. In the background and waited for, so
# that a signal to this stage is acted on at once (cleanup stops the rest).
in_root() {
	local pid
	timeout -k 30 "$1" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$root" /bin/bash -c "$2" &
	pid=$!
	wait "$pid"
}

# The root is a mount point of its own (ip netns mounts below it): a tmpfs
# when there is room (unpacking and then removing its 70,000 files on this
# disk costs about a minute each; a tmpfs goes with its umount), else the
# directory bound onto itself. No mount at all: no chroot test here.
if [ "$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)" -ge 8 ] &&
	mount -t tmpfs -o size=6g,mode=755 mtag-trixie "$root" 2>/dev/null; then
	where=memory
elif mount --bind "$root" "$root" 2>"$work/mount.log"; then
	where=disk
else
	skip "cannot mount: $(head -n 1 "$work/mount.log")"
fi

cached=false
if [ -f "$tarball" ]; then
	if tar -C "$root" --zstd -xf "$tarball" 2>"$work/untar.log"; then
		cached=true
	else
		echo "trixie: $tarball unreadable, made anew: $(tail -n 1 "$work/untar.log")"
		find "$root" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system {} +
	fi
fi
if ! $cached; then
	echo "trixie: debootstrap --variant=minbase $suite from $url"
	timeout 900 debootstrap --variant=minbase "$suite" "$root" "$url" \
		>"$work/debootstrap.log" 2>&1 &
	if ! wait $!; then
		tail -n 5 "$work/debootstrap.log"
		skip "debootstrap $suite failed (no network or no $suite on the mirror?)"
	fi
	pass "debootstrap $suite ($((SECONDS - start)) s)"
fi

# The kernel's file systems, then what apt needs to reach the same mirror.
for m in proc sys dev dev/pts dev/shm; do
	mkdir -p "$root/$m"
	mount --bind "/$m" "$root/$m" || fail "bind-mount /$m"
done
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
apt-config dump | grep -E '^Acquire::https?::Proxy ' >"$root/etc/apt/apt.conf.d/90mtag-proxy"
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/90mtag-languages"
in_root 30 true || skip "cannot run a program in the $suite root (chroot)"
echo "trixie: $(in_root 30 '. /etc/os-release && echo "$PRETTY_NAME"')" \
	"($($cached && echo "from $tarball" || echo "new root"), in $where)"

# The project as committed plus what is not yet (no build dirs: .gitignore).
mkdir -p "$root/src/mtag"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		(cd "$top" && tar -c --null -T - 2>/dev/null) | tar -x -C "$root/src/mtag"
else
	tar -C "$top" -c --exclude='./build*' --exclude=./out . | tar -x -C "$root/src/mtag"
fi

# The README's commands: setup (packages by their trixie names, -Dwerror=true
# build), then the main job.
if ! in_root 1200 'cd /src/mtag && devtools/setup.sh' >"$work/setup.log" 2>&1; then
	grep -E 'error|warning|E:' "$work/setup.log" | head -n 30
	tail -n 20 "$work/setup.log"
	fail "devtools/setup.sh on $suite: packages and -Dwerror=true build"
fi
grep '^setup: installing' "$work/setup.log"
dpdk=$(in_root 30 'pkg-config --modversion libdpdk')
pass "devtools/setup.sh on $suite: packages, -Dwerror=true build with DPDK $dpdk"

# Keep the root with its packages (not the project) for the next run, when it
# was new or setup.sh had to install something.
if ! $cached || grep -q '^setup: installing' "$work/setup.log"; then
	in_root 120 'apt-get clean'
	mkdir -p "$(dirname "$tarball")"
	if tar -C "$root" --one-file-system --exclude=./src --exclude='./tmp/*' --zstd \
		-cf "$tarball.$$" . 2>"$work/tar.log"; then
		mv "$tarball.$$" "$tarball"
		echo "trixie: root kept in $tarball ($(du -h "$tarball" | cut -f1))"
	else
		rm -f "$tarball.$$"
		echo "trixie: could not keep the root: $(tail -n 1 "$work/tar.log")"
	fi
fi

if in_root 300 'cd /src/mtag && devtools/run.sh' >"$work/run.log" 2>&1; then
	pass "devtools/run.sh on $suite: $(grep -m1 '^run-demo: packets' "$work/run.log")"
else
	tail -n 20 "$work/run.log"
	echo "FAIL devtools/run.sh on $suite"
	failed=$((failed + 1))
fi

# Every meson suite, as devtools/test.sh runs them on the host.
in_root 1200 'cd /src/mtag && meson test -C build --print-errorlogs --num-processes 1' \
	>"$work/meson.log" 2>&1
grep -E '^ *[0-9]+/[0-9]+ ' "$work/meson.log" | sed 's/^/  /'
grep -qE '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT)' "$work/meson.log" && tail -n 60 "$work/meson.log"
echo "trixie: network-namespace tests: $(grep -E '^ *[0-9]+/[0-9]+ .*(veth|e2e) ' "$work/meson.log" |
	awk '{ print $4, $5 }' | paste -sd, | sed 's/,/, /g')"
meson_counts "$root/src/mtag/build"
echo "trixie: meson on $suite: $mp passed, $mf failed, $ms skipped"
passed=$((passed + mp)); failed=$((failed + mf)); skipped=$((skipped + ms))
finish
