# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the hardening stages (devtools/test.d/hardening-*.sh); not a
# stage itself (test.sh runs *.sh only).

# meson_counts, shared with devtools/test.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../meson-counts.bash"

# configure <build-dir> <meson options...>: set up once; a build dir made
# before gets the options applied again (cheap when nothing changed), so that
# an old one with -Dexamples=false builds the examples' fuzz targets too.
configure() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
		return
	fi
	meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || {
		cat "$dir.setup.log"
		return 1
	}
	rm -f "$dir.setup.log"
}

# Suites that exist in a build dir, from the ones asked for.
existing_suites() {
	local dir=$1
	shift
	local list s
	list=$(meson test -C "$dir" --list --no-rebuild 2>/dev/null)
	for s in "$@"; do
		echo "$list" | grep -q "^mtag:$s / " && printf -- '--suite %s ' "$s"
	done
}

# build <build-dir> <regex...>: build only the executables whose ninja
# target matches, not the whole tree: the stages run a few suites, and a full
# sanitizer or debug build of everything costs minutes on two cores.
build() {
	local dir=$1
	shift
	local want=() re
	# Regenerate first when meson files changed: new targets must be listed.
	ninja -C "$dir" build.ninja >/dev/null || return 1
	for re in "$@"; do
		while read -r t; do
			want+=("$t")
		done < <(ninja -C "$dir" -t targets all 2>/dev/null | cut -d: -f1 | grep -xE "$re")
	done
	[ ${#want[@]} -gt 0 ] || return 1
	ninja -C "$dir" "${want[@]}" >/dev/null || {
		ninja -C "$dir" "${want[@]}" | tail -20
		return 1
	}
}

# Executables of the suites the hardening stages run: dpdk-test-mtag (the
# unit, stress and debug suites), the fuzz replays of the library and of the
# examples, the multi-process pair.
hardening_targets=(
	'app/test-mtag/dpdk-test-mtag'
	'app/test-mtag/fuzz/targets/fuzz-[a-z-]+-replay'
	'app/test-mtag/mp/mtag-mp'
)
