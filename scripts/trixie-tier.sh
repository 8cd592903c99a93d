#!/bin/sh
# trixie-tier.sh: "make test"'s Debian 13 tier. The whole test suite again
# (the normal build), inside a Debian 13 "trixie" root: OpenSSH 10,
# Postfix 3.10, fail2ban 1.1, ufw on nftables, firewalld 2, Dovecot 2.4,
# each test with the real daemons of that release.
#
# The root is made once with debootstrap from this machine's Debian mirror
# and scripts/install-deps.sh (the same list as Debian 12's), and kept in
# $HW_FRESH_CACHE/trixie-test (default /var/tmp/hardenwiz-fresh) with a
# stamp of the scripts that made it: a change to them makes it again, so
# a package added for the tests reaches this tier too. Each run copies in
# the files git tracks, builds in the root's /tmp and runs ctest there.
# The root is the root of private mount and pid namespaces (pivot_root,
# never a chroot); the tests make their own network namespaces inside.
#
# HW_TRIXIE=0 skips the tier (say why in the CI log when you do).
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
cache=${HW_FRESH_CACHE:-/var/tmp/hardenwiz-fresh}
root=$cache/trixie-test
jobs=${JOBS:-2}

if [ "${HW_TRIXIE:-1}" = 0 ]; then
	echo "trixie-tier: skipped (HW_TRIXIE=0)"
	exit 0
fi
. "$src/scripts/lib-root.sh"
root_prereqs trixie-tier || exit 1

work=$(mktemp -d /var/tmp/hw-trixie.XXXXXX)
trap 'rm -rf --one-file-system "$work" "$root.new"' EXIT INT TERM
start=$(date +%s)

stamp=$(cat "$src/scripts/install-deps.sh" "$src/scripts/lib-root.sh" \
    "$0" | sha256sum | cut -c1-16)
if [ "$(cat "$root/.hw-stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "trixie-tier: making the Debian 13 root (once; kept in $root)"
	rm -rf --one-file-system "$root" "$root.new"
	bootstrap trixie "$root.new"
	cp "$src/scripts/install-deps.sh" "$root.new/root/install-deps.sh"
	if ! in_root "$root.new" 'sh /root/install-deps.sh test' \
	    >"$work/deps.log" 2>&1; then
		tail -30 "$work/deps.log"
		echo "trixie-tier: FAILED: the test packages did not install"
		exit 1
	fi
	# install-deps.sh takes its policy-rc.d away when it ends.
	no_daemons "$root.new"
	echo "$stamp" > "$root.new/.hw-stamp"
	mv "$root.new" "$root"
	echo "trixie-tier: root ready in $(($(date +%s) - start)) s"
fi

copy_sources "$src" "$root/src/hardenwiz"
echo "trixie-tier: building and running the tests on Debian 13"
rc=0
in_root "$root" "
	cd /src/hardenwiz
	. /etc/os-release
	echo \"trixie-tier: \$PRETTY_NAME, \$(ssh -V 2>&1), Postfix \$(postconf -dh mail_version), \$(fail2ban-client --version | head -n 1)\"
	cmake -S . -B /tmp/build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DHW_REQUIRE_TESTS=ON >/tmp/configure.log 2>&1 ||
	    { tail -30 /tmp/configure.log; exit 1; }
	cmake --build /tmp/build -j $jobs >/tmp/build.log 2>&1 ||
	    { tail -40 /tmp/build.log; exit 1; }
	cd /tmp/build
	ctest --output-on-failure -j $jobs
" || rc=$?
if [ $rc = 0 ]; then
	echo "trixie-tier: ok in $(($(date +%s) - start)) s"
else
	echo "trixie-tier: FAILED (exit $rc) after $(($(date +%s) - start)) s"
fi
exit $rc
