#!/bin/sh
# fresh-check.sh [SUITE ...]: what a newcomer's first commands do on a
# Debian machine that has nothing installed yet (default: bookworm trixie).
#
# For each suite: debootstrap a minimal root from this machine's Debian
# mirror, copy in the files git tracks (as they are in the work tree), then
# inside that root, as the README says: install make, "make build",
# "build/hardenwiz --version", an audit of the sample server and "make demo"
# (without a terminal, so it quits at once), and ask apt whether every
# package "make test" would install exists there.
#
# CI keeps packages from earlier runs, so a missing install step stays
# hidden there; this check starts from nothing every time. The root runs as
# the root of private mount and pid namespaces (pivot_root, not a chroot),
# with this machine's network for apt only. A base tarball per suite is
# kept in $HW_FRESH_CACHE (default /var/tmp/hardenwiz-fresh) so that a
# second run does not download the base system again; the build
# dependencies are always installed anew.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
suites=${*:-bookworm trixie}
cache=${HW_FRESH_CACHE:-/var/tmp/hardenwiz-fresh}

. "$src/scripts/lib-root.sh"
root_prereqs fresh-check || exit 1

work=$(mktemp -d /var/tmp/hw-fresh.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT INT TERM
mkdir -p "$cache"

rc=0
for suite in $suites; do
	root=$work/$suite
	start=$(date +%s)
	echo "fresh-check: $suite: bootstrapping a minimal root"
	if ! bootstrap "$suite" "$root"; then
		echo "fresh-check: $suite: debootstrap failed"
		rc=1
		continue
	fi
	copy_sources "$src" "$root/src/hardenwiz"
	echo "fresh-check: $suite: make build, as the README says"
	if in_root "$root" '
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends make >/dev/null
		cd /src/hardenwiz
		make build >/tmp/build.log 2>&1 || { tail -40 /tmp/build.log; exit 1; }
		build/hardenwiz --version
		cp -a tests/fixtures/debian12 /tmp/sample
		build/hardenwiz --root /tmp/sample --audit --only ssh >/dev/null
		# The demo with no terminal: the line frontend shows the
		# menu and quits at the end of input.
		make demo </dev/null >/tmp/demo.log 2>&1 ||
		    { tail -20 /tmp/demo.log; exit 1; }
		grep -q "^== hardenwiz ==" /tmp/demo.log ||
		    { tail -20 /tmp/demo.log; exit 1; }
		echo "make demo: the wizard opened on the sample server"
		HW_DEPS_SIMULATE=1 sh scripts/install-deps.sh test
	' >"$work/$suite.log" 2>&1; then
		sed 's/^/  /' "$work/$suite.log"
		echo "fresh-check: $suite: ok in $(($(date +%s) - start)) s"
	else
		sed 's/^/  /' "$work/$suite.log"
		echo "fresh-check: $suite: FAILED after $(($(date +%s) - start)) s"
		rc=1
	fi
	rm -rf --one-file-system "$root"
done
exit $rc
