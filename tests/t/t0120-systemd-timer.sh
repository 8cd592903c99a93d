#!/bin/bash
# t0120: the dead-man timer on a systemd host, as on every real server. A
# Debian root of this machine's release (debootstrap, base cached in
# $HW_FRESH_CACHE) boots systemd as PID 1 of private mount, pid and network
# namespaces (pivot_root, never a chroot), with sshd enabled in it.
# hardenwiz, copied in, applies to "/" in there: the timer is a transient
# unit made by systemd-run, the boot check a unit hardenwiz installs, and a
# "reboot" is the namespaces killed and booted again from the same root.
. "$(dirname "$0")/lib.sh"
need_root
command -v debootstrap >/dev/null || skip_all "needs debootstrap (make deps-test)"

S=$T/sys
. /etc/os-release
SUITE=$VERSION_CODENAME
MIRROR=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources \
    2>/dev/null | grep -v security | head -n 1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# The packages of the libraries $HW links (ASan's runtime in that build).
runtime_packages() {
	ldd "$HW" | awk '$3 ~ /^\// { print $3 }' | while read -r lib; do
		dpkg -S "$(readlink -f "$lib")" 2>/dev/null ||
		    dpkg -S "/usr$(readlink -f "$lib")" 2>/dev/null
	done | cut -d: -f1 | sort -u | tr '\n' ,
}

# make_root: $S, a minimal root with systemd, sshd and hardenwiz's libraries.
make_root() {
	pkgs=$(runtime_packages)systemd,systemd-sysv,dbus,openssh-server,iproute2,augeas-lenses
	cache=${HW_FRESH_CACHE:-/var/tmp/hardenwiz-fresh}
	tarball=$cache/$SUITE-systemd-$(echo "$pkgs" | sha256sum | cut -c1-12).tgz
	mkdir -p "$cache"
	if [ ! -s "$tarball" ]; then
		debootstrap --variant=minbase --include="$pkgs" \
		    --make-tarball="$tarball.new" "$SUITE" "$T/tarball" "$MIRROR" \
		    > "$T/debootstrap.log" 2>&1 || { tail -5 "$T/debootstrap.log"; return 1; }
		mv "$tarball.new" "$tarball"
	fi
	debootstrap --variant=minbase --include="$pkgs" --unpack-tarball="$tarball" \
	    "$SUITE" "$S" "$MIRROR" > "$T/debootstrap.log" 2>&1 ||
	    { tail -5 "$T/debootstrap.log"; return 1; }
	install -m 755 "$HW" "$S/usr/local/sbin/hardenwiz"
}

# The cgroup v2 hierarchy here: systemd 256 and later (Debian 13) run on
# nothing else. The booted system gets a cgroup of its own, made the root
# of its cgroup namespace, so it never touches this machine's cgroups.
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	CG=/sys/fs/cgroup/hardenwiz-t0120-$$
else
	CG=/sys/fs/cgroup/unified/hardenwiz-t0120-$$
fi

# boot: systemd as PID 1 of new namespaces on $S; its pid here goes to
# $T/sdpid (test bodies run in subshells: a variable would not outlive one).
boot() {
	mkdir -p "$CG" || return 1
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$CG" \
	    unshare --cgroup -m -p -n -f --propagation private sh -ec '
		cd "$1"
		mount --bind . .
		cd "$1"
		mount -t proc proc proc
		mount -t sysfs -o ro sysfs sys
		mount -t cgroup2 cgroup2 sys/fs/cgroup
		mount --rbind /dev dev
		mount -t tmpfs tmpfs run
		mount -t tmpfs tmpfs tmp
		mkdir -p .oldroot
		pivot_root . .oldroot
		umount -l /.oldroot
		exec env -i container=hardenwiz-test /lib/systemd/systemd \
		    --system --show-status=no' sh "$S" > "$T/boot.log" 2>&1 &
	child_of $! > "$T/sdpid" || { cat "$T/boot.log"; return 1; }
	test_wait_until -t 60 booted
}
# At exit: the booted system killed, then its cgroups removed once empty.
sd_cleanup() {
	test -s "$T/sdpid" && kill -9 "$(cat "$T/sdpid")" 2>/dev/null
	test_wait_until -t 10 cgroup_empty 3>/dev/null
	find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null
}

cgroup_empty() {
	test -z "$(find "$CG" -name cgroup.procs -exec cat {} + 2>/dev/null)"
}
on_exit sd_cleanup

gone() {
	! kill -0 "$1" 2>/dev/null
}

# power_off: the machine stops at once (every process of it killed).
power_off() {
	pid=$(cat "$T/sdpid") &&
	kill -9 "$pid" &&
	test_wait_until gone "$pid" &&
	rm "$T/sdpid"
}

in_sd() {
	nsenter -t "$(cat "$T/sdpid")" -m -p -n -- \
	    env -i PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

booted() {
	state=$(in_sd systemctl is-system-running 2>/dev/null) || :
	[ "$state" = running ] || [ "$state" = degraded ]
}

sshd_on() {	# sshd_on PORT: sshd listens on PORT in there
	in_sd ss -Hltn "sport = :$1" | grep -q LISTEN
}

last() {	# last FIELD: FIELD of the newest transaction
	in_sd hardenwiz --history --json | python3 -c \
	    "import json,sys; print(json.load(sys.stdin)['transactions'][-1]['$1'])"
}

timers() {
	in_sd systemctl list-timers --all --no-legend --no-pager
}

timed_recipe() {	# timed_recipe NAME TIMEOUT: move sshd to 2222 under that timer
	printf '[ssh]\nport = 2222\nconfirm_timeout = %s\n' "$2" > "$S/root/$1"
	chmod 600 "$S/root/$1"
}

test_expect_success 'a systemd host: systemd is PID 1 of the namespaces, sshd on 22' '
	make_root &&
	boot &&
	test "$(in_sd cat /proc/1/comm)" = systemd &&
	test_wait_until -t 20 sshd_on 22 &&
	in_sd test -d /run/systemd/system
'

test_expect_success 'apply: the timer is a transient unit in list-timers; the boot check is installed and enabled' '
	timed_recipe t60.conf 60 &&
	in_sd hardenwiz --apply /root/t60.conf > "$T/apply.out" 2>&1 &&
	id=$(last id) &&
	grep -q "rollback timer: hardenwiz-confirm-$id.timer (systemctl list-timers)" "$T/apply.out" &&
	test "$(last state)" = pending &&
	timers | grep -q "hardenwiz-confirm-$id.timer" &&
	test "$(in_sd systemctl is-enabled hardenwiz-expired.service)" = enabled &&
	grep -qx "ExecStart=/usr/local/sbin/hardenwiz --rollback-expired" \
	    "$S/etc/systemd/system/hardenwiz-expired.service" &&
	test_wait_until -t 10 sshd_on 2222
'

test_expect_success '--confirm stops the unit; the change stays' '
	in_sd hardenwiz --confirm 2> "$T/confirm.err" &&
	grep -q "kept 1 pending transaction" "$T/confirm.err" &&
	test "$(last state)" = applied &&
	! timers | grep -q hardenwiz-confirm &&
	in_sd hardenwiz --rollback 2>/dev/null &&
	test_wait_until -t 10 sshd_on 22
'

test_expect_success '--rollback of a pending transaction stops its unit too' '
	in_sd hardenwiz --apply /root/t60.conf > /dev/null 2>&1 &&
	timers | grep -q hardenwiz-confirm &&
	in_sd hardenwiz --rollback 2>/dev/null &&
	test "$(last state)" = rolled-back &&
	! timers | grep -q hardenwiz-confirm &&
	test_wait_until -t 10 sshd_on 22
'

rolled_back() {
	test "$(last state)" = rolled-back
}

test_expect_success 'not confirmed: the unit rolls back by itself, logged to the journal' '
	timed_recipe t3.conf 3 &&
	in_sd hardenwiz --apply /root/t3.conf > /dev/null 2>&1 &&
	id=$(last id) &&
	test_wait_until -t 20 rolled_back &&
	! in_sd systemctl is-failed --quiet "hardenwiz-confirm-$id.service" &&
	test_wait_until -t 10 sshd_on 22 &&
	! sshd_on 2222 &&
	in_sd journalctl -t hardenwiz --no-pager > "$T/journal" &&
	grep -q "transaction $id was not confirmed in time: rolled back" "$T/journal"
'

test_expect_success 'power lost before the deadline: at boot hardenwiz-expired.service rolls back' '
	timed_recipe t4.conf 4 &&
	in_sd hardenwiz --apply /root/t4.conf > /dev/null 2>&1 &&
	id=$(last id) &&
	test_wait_until -t 10 sshd_on 2222 &&
	power_off &&
	sleep 5 &&
	grep -q "\"state\": *\"pending\"" "$S/var/lib/hardenwiz/journal/$id/manifest.json" &&
	boot &&
	test "$(last state)" = rolled-back &&
	test_wait_until -t 20 sshd_on 22 &&
	! sshd_on 2222 &&
	test "$(in_sd systemctl show -P Result hardenwiz-expired.service)" = success &&
	in_sd journalctl -b -t hardenwiz --no-pager > "$T/journal2" &&
	grep -q "transaction $id was not confirmed before its deadline: rolled back" "$T/journal2"
'

test_done
