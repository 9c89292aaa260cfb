#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The mtag authors
#
# Install stage of devtools/test.sh: the path a new user takes. Configure and
# build mtag in a build dir of its own, `meson install` it into a temporary
# prefix, then build the outside program (test/install, copied out of the
# tree) against that prefix with pkg-config only: shared and static, by meson
# and by a plain Makefile, and run each. Also checks the installed man pages,
# that the examples would install their three binaries and nothing else and,
# when doxygen is there, that the API reference builds and that an
# undocumented symbol would fail it.
# Prints "N passed, N failed, N skipped"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD

work=$(mktemp -d /tmp/mtag-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
passed=0
failed=0
skipped=0

# step NAME CMD...: run CMD with its output in a log, shown only on failure.
step()
{
	local name=$1 log
	shift
	log=$work/log.$((passed + failed + skipped))
	if "$@" >"$log" 2>&1; then
		echo "PASS $name"
		passed=$((passed + 1))
		return 0
	fi
	echo "FAIL $name"
	tail -n 40 "$log" | sed 's/^/    /'
	failed=$((failed + 1))
	return 1
}

skip()
{
	echo "SKIP $1: $2"
	skipped=$((skipped + 1))
}

finish()
{
	echo "${passed} passed, ${failed} failed, ${skipped} skipped"
	[ "$failed" -eq 0 ]
	exit
}

docs=false
if command -v doxygen >/dev/null; then
	docs=true
fi

# ---------------------------------------------------------------- install
step "configure (docs: $docs)" meson setup "$work/build" --prefix="$prefix" \
	-Dtests=false -Dexamples=false -Denable_docs=$docs -Dwerror=true || finish
step "build" ninja -C "$work/build" || finish
step "meson install" meson install -C "$work/build" --no-rebuild || finish

libdir=$(dirname "$(find "$prefix" -name libmtag.pc | head -n 1)")
libdir=${libdir%/pkgconfig}
export PKG_CONFIG_PATH=$libdir/pkgconfig
version=$(meson introspect --projectinfo "$work/build" |
	/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')

installed_files()
{
	local f missing=0

	for f in include/mtag/mtag.h include/mtag/mtag_ethdev.h include/mtag/mtag_capture.h \
		include/mtag/mtag_core.h include/mtag/mtag_pvt.h \
		include/mtag/mtag_build_config.h share/man/man3/mtag.3 \
		share/man/man3/mtag_find.3 share/doc/mtag/guide.md; do
		[ -f "$prefix/$f" ] || { echo "missing $prefix/$f"; missing=1; }
	done
	for f in libmtag.so libmtag.a pkgconfig/libmtag.pc pkgconfig/libmtag-libs.pc; do
		[ -e "$libdir/$f" ] || { echo "missing $libdir/$f"; missing=1; }
	done
	if $docs && [ ! -f "$prefix/share/doc/mtag/html/index.html" ]; then
		echo "missing the HTML API reference"
		missing=1
	fi
	return $missing
}
step "installed files" installed_files

# The examples install as DPDK's do: the three binaries in bin/, nothing of
# their tests (ipsec-loop's fault-injection module is built beside its
# binary). Read from meson's install plan: configuring is enough.
example_files()
{
	local b=$work/build-examples

	meson setup "$b" --prefix="$prefix" -Dtests=false -Dexamples=true >/dev/null &&
		meson introspect --installed "$b" >"$work/installed.json" || return 1
	/usr/bin/python3 - "$work/installed.json" "$prefix" "$b" <<'PY'
import json, os, sys
plan = json.load(open(sys.argv[1]))
want = {os.path.join(sys.argv[2], "bin", n)
        for n in ("dpdk-tag-demo", "dpdk-vlan-tag", "dpdk-ipsec-loop")}
got = {dst for src, dst in plan.items()
       if os.path.relpath(src, sys.argv[3]).startswith("examples" + os.sep)}
print("examples install:", " ".join(sorted(got)))
assert got == want, "missing %s, not expected %s" % (sorted(want - got), sorted(got - want))
PY
}
step "examples install dpdk-tag-demo, -vlan-tag, -ipsec-loop" example_files

pkgconfig_flags()
(
	set -e
	[ "$(pkg-config --modversion libmtag)" = "$version" ]
	# Each output whole first: grep -q would close the pipe under pipefail.
	grep -q -- "-I$prefix/include/mtag" <<<"$(pkg-config --cflags libmtag)"
	grep -q -- "-lmtag" <<<"$(pkg-config --libs libmtag)"
	grep -q -- "-l:libmtag.a" <<<"$(pkg-config --static --libs libmtag)"
)
step "pkg-config libmtag $version" pkgconfig_flags

# Public functions: those exported plus the inline ones, less the internals.
public_functions()
{
	{
		sed -n 's/^[[:space:]]*\(mtag_[a-z0-9_]*\);$/\1/p' lib/mtag/version.map.in
		sed -n 's/^\(mtag_[a-z0-9_]*\)(.*/\1/p' lib/mtag/mtag.h lib/mtag/mtag_capture.h
	} | grep -vE '^mtag_(debug_|chain_of$|is_tagged$|dynfield_offset$|dynflag_mask$|tables$)' |
		sort -u
}

# Every public function has its man link and a place in mtag(3)'s NAME,
# and the outside program calls it.
man_pages()
{
	local fn missing=0 warn name_section page

	name_section=$(sed -n '/^\.SH NAME/,/^\.SH/p' "$prefix/share/man/man3/mtag.3")

	for fn in $(public_functions); do
		[ -f "$prefix/share/man/man3/$fn.3" ] || { echo "no man link $fn.3"; missing=1; }
		grep -qw "$fn" <<<"$name_section" ||
			{ echo "$fn not in mtag(3) NAME"; missing=1; }
		grep -qw "$fn" test/install/outside.c || { echo "outside.c never calls $fn"; missing=1; }
	done
	warn=$(MANWIDTH=80 man --warnings -M "$prefix/share/man" 3 mtag_copy_chain 2>&1 >/dev/null)
	[ -z "$warn" ] || { echo "$warn"; missing=1; }
	page=$(MANWIDTH=80 man -M "$prefix/share/man" 3 mtag_eth_tx_strip)
	grep -q 'mtag_eth_tx_strip()' <<<"$page" ||
		{ echo "man mtag_eth_tx_strip does not show mtag(3)"; missing=1; }
	echo "$(public_functions | wc -l) public functions"
	return $missing
}
if command -v man >/dev/null; then
	step "man pages cover the API" man_pages
else
	skip "man pages" "no man(1)"
fi

# The doxygen configuration really fails on an undocumented public symbol:
# the installed one, with its input replaced (a later assignment wins).
doxygen_strict()
{
	local d=$work/doxy

	mkdir -p "$d/out"
	{
		cat "$work/build/doc/Doxyfile"
		echo "INPUT = $d/x.h"
		echo "USE_MDFILE_AS_MAINPAGE ="
		echo "OUTPUT_DIRECTORY = $d/out"
	} >"$d/Doxyfile"
	printf '/**\n * @file\n * A header.\n */\n\n/** Documented. @return 0. */\nint a(void);\n' >"$d/x.h"
	doxygen "$d/Doxyfile" || { echo "doxygen fails on a documented header"; return 1; }
	printf 'int undocumented_b(void);\n' >>"$d/x.h"
	if doxygen "$d/Doxyfile" >"$d/log" 2>&1; then
		echo "doxygen passed an undocumented function"
		return 1
	fi
	cat "$d/log"
	grep -q 'undocumented_b' "$d/log"
}
if $docs; then
	step "doxygen fails on an undocumented symbol" doxygen_strict
else
	skip "API reference" "no doxygen"
fi

# A C++ program can include the headers.
cxx_include()
{
	printf '#include <mtag.h>\n#include <mtag_ethdev.h>\n#include <mtag_capture.h>\nint main(void) { return mtag_first(nullptr) != nullptr; }\n' \
		>"$work/cxx.cc"
	c++ -std=c++17 -Wall -Werror $(pkg-config --cflags libmtag) -c "$work/cxx.cc" \
		-o "$work/cxx.o"
}
if command -v c++ >/dev/null; then
	step "C++ includes mtag.h" cxx_include
else
	skip "C++ includes mtag.h" "no c++"
fi

# ---------------------------------------------------------- outside program
cp -r test/install "$work/src"
rm -rf "$work/src/build"

# run_outside NAME BINARY LINK: run it, and check what it was linked with.
run_outside()
{
	local name=$1 bin=$2 link=$3 rt rc libs

	# Whole output first: grep -q would close the pipe under pipefail.
	libs=$(LD_LIBRARY_PATH=$libdir ldd "$bin") || return 1
	if [ "$link" = static ]; then
		! grep -E 'libmtag|librte_' <<<"$libs" || { echo "static binary loads them"; return 1; }
	else
		grep -q "$libdir/libmtag.so" <<<"$libs" ||
			{ echo "shared binary does not load $libdir/libmtag.so"; return 1; }
	fi
	rt=$(mktemp -d "$work/rt.XXXXXX")
	RUNTIME_DIRECTORY=$rt LD_LIBRARY_PATH=$libdir timeout 120 "$bin" --no-huge -m 512 \
		--no-pci --no-shconf --file-prefix="mtag-install-$$-$name" --vdev net_null0 \
		--log-level=lib.mtag:info
	rc=$?
	rm -rf "$rt"
	return $rc
}

outside_meson()
{
	local link=$1 b=$work/meson-$1

	meson setup "$b" "$work/src" -Dlink_static=$([ "$link" = static ] && echo true || echo false) \
		-Dwerror=true && ninja -C "$b" && run_outside "meson-$link" "$b/mtag-outside" "$link"
}

outside_make()
{
	local link=$1

	make -C "$work/src" "$link" && run_outside "make-$link" \
		"$work/src/build/mtag-outside-$link" "$link"
}

# The telemetry commands of the guide, read with dpdk-telemetry.py from a
# running outside program (static: its constructor must survive the link).
telemetry()
{
	local bin=$work/src/build/mtag-outside-static rt go=$work/telemetry.go
	local fp=mtag-install-$$-tel pid i rc

	rt=$(mktemp -d "$work/rt.XXXXXX")
	MTAG_OUTSIDE_HOLD=$go RUNTIME_DIRECTORY=$rt timeout 120 "$bin" --no-huge -m 512 \
		--no-pci --no-shconf --file-prefix="$fp" --vdev net_null0 >"$work/tel.out" 2>&1 &
	pid=$!
	for i in $(seq 300); do
		grep -q holding "$work/tel.out" && break
		sleep 0.1
	done
	for cmd in /mtag/stats /mtag/types; do
		echo "$cmd" | RUNTIME_DIRECTORY=$rt timeout 20 /usr/bin/python3 \
			"$(command -v dpdk-telemetry.py)" -f "$fp" >"$work/tel${cmd//\//_}.json"
	done
	touch "$go"
	wait $pid
	rc=$?
	cat "$work/tel.out" "$work"/tel_mtag_*.json
	[ $rc -eq 0 ] || return 1
	/usr/bin/python3 - "$work/tel_mtag_stats.json" "$work/tel_mtag_types.json" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))["/mtag/stats"]
types = json.load(open(sys.argv[2]))["/mtag/types"]
assert stats["initialized"] == 1 and stats["in_use"] == 1, stats
assert stats["class0"]["in_use"] == 1 and stats["class0"]["bytes_per_tag"] > 0, stats
assert stats["allocs"] == stats["frees"] + 1 and stats["alloc_fails"] > 0, stats
assert types["vlan_insert"]["id"] > 0 and types["outside_ref"]["id"] >= 64, types
# The one tag the program holds names its type.
assert sum(t["in_use"] for t in types.values()) == 1, types
PY
}

step "meson, shared: build and run" outside_meson shared
step "meson, static: build and run" outside_meson static
step "make, shared: build and run" outside_make shared
# The same program against a -Dmtag_debug=true library: its installed
# mtag_build_config.h turns the inline checks on, and correct use of every
# function must not trip one (outside.c checks debug_errors == 0).
outside_debug()
{
	local b=$work/build-debug p=$work/prefix-debug ld

	meson setup "$b" "$top" --prefix="$p" -Dmtag_debug=true -Dtests=false \
		-Dexamples=false -Dwerror=true && ninja -C "$b" && meson install -C "$b" \
		--no-rebuild || return 1
	grep -q '#define MTAG_DEBUG' "$p/include/mtag/mtag_build_config.h" || return 1
	ld=$(dirname "$(find "$p" -name libmtag.pc | head -n 1)")
	PKG_CONFIG_PATH=$ld meson setup "$work/meson-debug" "$work/src" -Dwerror=true &&
		ninja -C "$work/meson-debug" &&
		libdir=${ld%/pkgconfig} run_outside meson-debug "$work/meson-debug/mtag-outside" shared
}

step "make, static: build and run" outside_make static &&
	if command -v dpdk-telemetry.py >/dev/null; then
		step "telemetry /mtag/stats, /mtag/types" telemetry
	else
		skip "telemetry" "no dpdk-telemetry.py"
	fi
step "debug library: build, install, run" outside_debug

finish
