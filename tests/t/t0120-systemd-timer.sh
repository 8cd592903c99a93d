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

S=$T/sys
sd_prepare t0120

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
	sd_make_root "$S" &&
	boot &&
	test "$(in_sd cat /proc/1/comm)" = systemd &&
	test_wait_until -t 20 listening 22 &&
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
	test_wait_until -t 10 listening 2222
'

test_expect_success '--confirm stops the unit; the change stays' '
	in_sd hardenwiz --confirm 2> "$T/confirm.err" &&
	grep -q "kept 1 pending transaction" "$T/confirm.err" &&
	test "$(last state)" = applied &&
	! timers | grep -q hardenwiz-confirm &&
	in_sd hardenwiz --rollback 2>/dev/null &&
	test_wait_until -t 10 listening 22
'

test_expect_success '--rollback of a pending transaction stops its unit too' '
	in_sd hardenwiz --apply /root/t60.conf > /dev/null 2>&1 &&
	timers | grep -q hardenwiz-confirm &&
	in_sd hardenwiz --rollback 2>/dev/null &&
	test "$(last state)" = rolled-back &&
	! timers | grep -q hardenwiz-confirm &&
	test_wait_until -t 10 listening 22
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
	test_wait_until -t 10 listening 22 &&
	! listening 2222 &&
	in_sd journalctl -t hardenwiz --no-pager > "$T/journal" &&
	grep -q "transaction $id was not confirmed in time: rolled back" "$T/journal"
'

test_expect_success 'power lost before the deadline: at boot hardenwiz-expired.service rolls back' '
	timed_recipe t4.conf 4 &&
	in_sd hardenwiz --apply /root/t4.conf > /dev/null 2>&1 &&
	id=$(last id) &&
	test_wait_until -t 10 listening 2222 &&
	power_off &&
	sleep 5 &&
	grep -q "\"state\": *\"pending\"" "$S/var/lib/hardenwiz/journal/$id/manifest.json" &&
	boot &&
	test "$(last state)" = rolled-back &&
	test_wait_until -t 20 listening 22 &&
	! listening 2222 &&
	test "$(in_sd systemctl show -P Result hardenwiz-expired.service)" = success &&
	in_sd journalctl -b -t hardenwiz --no-pager > "$T/journal2" &&
	grep -q "transaction $id was not confirmed before its deadline: rolled back" "$T/journal2"
'

test_done
