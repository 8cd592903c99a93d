# lib-root.sh -- sourced by fresh-check.sh and trixie-tier.sh: a Debian root
# from debootstrap (base tarball cached per suite in $cache) and running a
# script as the root of private mount and pid namespaces. pivot_root, never
# a chroot: nsenter -m, which the tests use, leaves a chroot for the host's
# files. Callers set $cache and $work (logs) first.

MIRROR=${MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)}
MIRROR=${MIRROR:-$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' \
    /etc/apt/sources.list 2>/dev/null)}

# root_prereqs NAME: a mirror, root, debootstrap; NAME prefixes the errors.
root_prereqs() {
	[ -n "$MIRROR" ] || { echo "$1: set MIRROR to a Debian mirror" >&2; return 1; }
	[ "$(id -u)" = 0 ] || { echo "$1: run as root (debootstrap, namespaces)" >&2; return 1; }
	if ! command -v debootstrap >/dev/null; then
		echo "$1: installing debootstrap"
		apt-get install -y -qq debootstrap >/dev/null
	fi
}

# bootstrap SUITE DIR: a minbase root, from the cached tarball when there.
bootstrap() {
	tarball=$cache/$1-minbase.tgz
	mkdir -p "$cache"
	if [ ! -s "$tarball" ]; then
		debootstrap --variant=minbase --make-tarball="$tarball.new" \
		    "$1" "$work/tarball-$1" "$MIRROR" >"$work/$1.debootstrap" 2>&1 ||
		    { tail -20 "$work/$1.debootstrap"; return 1; }
		mv "$tarball.new" "$tarball"
	fi
	debootstrap --variant=minbase --unpack-tarball="$tarball" "$1" "$2" \
	    "$MIRROR" >"$work/$1.debootstrap" 2>&1 ||
	    { tail -20 "$work/$1.debootstrap"; return 1; }
	echo "deb $MIRROR $1 main" > "$2/etc/apt/sources.list"
	no_daemons "$2"
}

# no_daemons DIR: nothing apt installs in DIR may start a daemon.
no_daemons() {
	printf '#!/bin/sh\nexit 101\n' > "$1/usr/sbin/policy-rc.d"
	chmod 755 "$1/usr/sbin/policy-rc.d"
}

# in_root DIR SCRIPT: run SCRIPT with sh -e as root of DIR, with /proc,
# /dev, /sys and fresh tmpfs on /tmp and /run; this machine's network (apt).
in_root() {
	cp /etc/resolv.conf "$1/etc/resolv.conf"
	unshare -m -p -f --propagation private sh -ec '
		r=$1 script=$2
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		mount --rbind /sys "$r/sys"
		mount -t tmpfs tmpfs "$r/tmp"
		mount -t tmpfs tmpfs "$r/run"
		cd "$r"
		pivot_root . .
		umount -l .
		cd /
		exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		    LANG=C.UTF-8 TERM=xterm sh -ec "$script"' sh "$1" "$2"
}

# copy_sources SRC DIR: the files git tracks in SRC, as in the work tree.
copy_sources() {
	rm -rf --one-file-system "$2"
	mkdir -p "$2"
	git -C "$1" ls-files -z | (cd "$1" && tar --null -T - -cf -) |
	    tar -C "$2" -xf -
}
