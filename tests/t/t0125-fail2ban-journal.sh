#!/bin/bash
# t0125: fail2ban bans through the journal on a booted systemd host, as on
# every Debian 13 server (jail.d/defaults-debian.conf: the sshd jail reads
# the journal) and on a Debian 12 one without rsyslog (hardenwiz switches
# the jail to the journal there). sshd is ssh.service, logging to journald;
# OpenSSH 9.8 and later (Debian 13: 10.0) log the failed logins from its
# sshd-session process. The attacker is a network namespace inside the
# booted system, joined by a veth pair (near 10.99.0.1, far 10.99.0.2).
. "$(dirname "$0")/lib.sh"
need_root

S=$T/sys
sd_prepare t0125

far_sd() {
	in_sd ip netns exec far "$@"
}

attempt() {	# attempt: one failed login from 10.99.0.2
	far_sd timeout 10 ssh -o BatchMode=yes -o ConnectTimeout=3 \
	    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	    nosuchuser@10.99.0.1 true 2>&1
}

sd_banned() {
	in_sd fail2ban-client status sshd | grep -q "Banned IP list:.*$1"
}

sd_in_nft() {
	in_sd nft list ruleset | grep -q "$1"
}

# The OpenSSH version in there, as a number: 10.0 -> 1000, 9.2 -> 902.
openssh_version() {
	in_sd ssh -V 2>&1 | sed -n 's/^OpenSSH_\([0-9]*\)\.\([0-9]*\).*/\1 \2/p' |
	    { read -r major minor && echo $((major * 100 + minor)); }
}

test_expect_success 'a systemd host: sshd and fail2ban as units, a far namespace' '
	sd_make_root "$S" fail2ban,python3-systemd,nftables &&
	printf "[fail2ban]\nmaxretry = 3\nfindtime = 10m\nbantime = 1h\n" > "$S/root/f2b.conf" &&
	chmod 600 "$S/root/f2b.conf" &&
	cp "$SRC/tests/t/netprobe.py" "$S/usr/local/bin/netprobe" &&
	boot &&
	test_wait_until -t 20 listening 22 &&
	veth_far in_sd &&
	test "$(far_sd python3 /usr/local/bin/netprobe connect 10.99.0.1 22)" = open
'

test_expect_success 'apply: the sshd jail reads the journal and runs with the limits' '
	in_sd hardenwiz --apply /root/f2b.conf > "$T/apply.out" 2>&1 &&
	J=$S/etc/fail2ban/jail.d/zz-hardenwiz.local &&
	grep -qx "maxretry=3" "$J" &&
	in_sd fail2ban-client get sshd maxretry | grep -qx 3 &&
	in_sd fail2ban-client get sshd journalmatch > "$T/jm" &&
	grep -q "_COMM=sshd-session" "$T/jm" &&
	in_sd fail2ban-client status sshd > "$T/status" &&
	grep -q "Journal matches:" "$T/status" || { cat "$T/apply.out" "$T/status"; false; }
'

test_expect_success 'three failed logins from 10.99.0.2: banned in nftables, the next connection fails' '
	for i in 1 2 3 4; do ! attempt > "$T/att.out" || return 1; done &&
	{ test_wait_until -t 20 sd_banned 10.99.0.2 ||
	  { cat "$T/att.out"; in_sd journalctl -n 20 --no-pager; in_sd fail2ban-client status sshd; false; }; } &&
	test_wait_until -t 10 sd_in_nft 10.99.0.2 &&
	test "$(far_sd python3 /usr/local/bin/netprobe connect 10.99.0.1 22)" != open
'

test_expect_success 'the failures came from the journal, from sshd-session on OpenSSH 9.8 and later' '
	in_sd journalctl -u ssh.service --no-pager -o verbose > "$T/journal" &&
	grep -q "MESSAGE=Invalid user nosuchuser from 10.99.0.2" "$T/journal" &&
	if [ "$(openssh_version)" -ge 908 ]; then
		in_sd journalctl _COMM=sshd-session --no-pager > "$T/session" &&
		grep -q "Invalid user nosuchuser from 10.99.0.2" "$T/session"
	else
		in_sd journalctl _COMM=sshd --no-pager | grep -q "Invalid user nosuchuser from 10.99.0.2"
	fi
'

test_expect_success 'rollback: the jail is as it was, fail2ban reloaded' '
	in_sd hardenwiz --rollback > "$T/rb.out" 2>&1 &&
	test ! -e "$S/etc/fail2ban/jail.d/zz-hardenwiz.local"
'

test_done
