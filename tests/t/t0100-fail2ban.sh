#!/bin/bash
# t0100: the fail2ban step. Offline: a journald-only Debian 12 root (the
# stock sshd jail fails fail2ban-client -t there, the candidate passes) and
# a root with auth.log; ports follow an SSH port move; sshd-session for
# OpenSSH >= 9.8; ignoreip from SSH_CONNECTION (also through sudo).
# Live: sshd on 2222 and a real fail2ban-server inside a private
# namespace; a far namespace over veth guesses logins and gets banned
# (nftables), an ignored address never is.
. "$(dirname "$0")/lib.sh"
need_root
command -v fail2ban-client >/dev/null || skip_all "needs fail2ban (make deps-test)"

recipe f2b.conf <<EOF
[fail2ban]
maxretry = 3
findtime = 10m
bantime = 1h
EOF

# f2b_test ROOT: fail2ban-client -t on a copy of ROOT's /etc/fail2ban whose
# log paths point into ROOT (as hardenwiz's own check does offline).
f2b_test() {
	rm -rf "$T/f2bcopy" && cp -a "$1/etc/fail2ban" "$T/f2bcopy" &&
	printf "[DEFAULT]\nsyslog_authpriv = %s/var/log/auth.log\n" "$1" \
	    > "$T/f2bcopy/paths-overrides.local" &&
	fail2ban-client -c "$T/f2bcopy" -t > "$T/f2btest.out" 2>&1
}

R=$T/root
mkroot debian12 "$R"
cp -a /etc/fail2ban "$R/etc/fail2ban"
mkdir -p "$R/usr/lib/python3/dist-packages/systemd"
snapshot "$R" > "$T/pristine"

# banned IP: fail2ban's sshd jail lists IP; in_nft IP: nftables has it.
banned() {
	in_ns fail2ban-client status sshd | grep -q "Banned IP list:.*$1"
}

in_nft() {
	in_ns nft list ruleset | grep -q "$1"
}

# Debian 12's stock sshd jail reads /var/log/auth.log, which a journald-only
# system lacks; Debian 13's (jail.d/defaults-debian.conf) reads the journal.
if grep -q "^backend *= *systemd" "$R/etc/fail2ban/jail.d/defaults-debian.conf"; then
test_expect_success 'journald-only root: the stock sshd jail (Debian 13: backend systemd) passes -t' '
	f2b_test "$R"
'
else
test_expect_success 'journald-only root: the stock sshd jail fails fail2ban-client -t' '
	! f2b_test "$R" &&
	grep -q "Have not found any log file for sshd jail" "$T/f2btest.out"
'
fi

test_expect_success 'journald-only root: backend = systemd; the candidate passes -t' '
	SSH_CONNECTION="198.51.100.7 50000 203.0.113.10 22" \
	    $HW --root "$R" --apply "$T/f2b.conf" > "$T/apply.out" 2>&1 &&
	J=$R/etc/fail2ban/jail.d/zz-hardenwiz.local &&
	grep -qx "backend=systemd" "$J" &&
	grep -qx "port=22" "$J" &&
	grep -qx "maxretry=3" "$J" &&
	grep -qx "findtime=600" "$J" &&
	grep -qx "ignoreip=127.0.0.1/8 ::1 198.51.100.7" "$J" &&
	grep -qx "banaction=nftables-multiport" "$J" &&
	f2b_test "$R" &&
	test "$(cmp "$R/etc/fail2ban/jail.conf" /etc/fail2ban/jail.conf && echo same)" = same
'

test_expect_success 'second apply changes nothing; rollback is byte-exact' '
	$HW --root "$R" --apply "$T/f2b.conf" | grep -q "^# nothing to change" &&
	$HW --root "$R" --rollback &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'a root with auth.log keeps the file backend and passes -t' '
	cp -a "$R" "$T/authlog" && mkdir -p "$T/authlog/var/log" &&
	: > "$T/authlog/var/log/auth.log" &&
	$HW --root "$T/authlog" --apply "$T/f2b.conf" > /dev/null 2>&1 &&
	! grep -q "^backend" "$T/authlog/etc/fail2ban/jail.d/zz-hardenwiz.local" &&
	f2b_test "$T/authlog"
'

# A jail's own logpath is the root's file offline, not this machine's:
# with the file in the root -t passes, without it -t fails (exit 3).
# backend = auto: Debian 13's sshd jail reads the journal otherwise.
test_expect_success 'offline: a jail'"'"'s explicit logpath is checked in the root, not on this machine' '
	cp -a "$T/authlog" "$T/lp" &&
	printf "[sshd]\nbackend = auto\nlogpath = /var/log/custom-auth.log\n" > "$T/lp/etc/fail2ban/jail.d/custom.local" &&
	: > "$T/lp/var/log/custom-auth.log" &&
	test ! -e /var/log/custom-auth.log &&
	$HW --root "$T/lp" --rollback > /dev/null 2>&1 &&
	$HW --root "$T/lp" --apply "$T/f2b.conf" --dry-run > "$T/lp.out" 2>&1 &&
	rm "$T/lp/var/log/custom-auth.log" &&
	test_expect_code 3 $HW --root "$T/lp" --apply "$T/f2b.conf" --dry-run > "$T/lp2.out" 2>&1 &&
	grep -q "Have not found any log file for sshd jail" "$T/lp2.out" &&
	! grep -q "/var/log/custom-auth.log" "$T/lp/etc/fail2ban/jail.d/zz-hardenwiz.local"
'

test_expect_success 'the SSH step moves the port: the jail covers both, -d shows it' '
	cp -a "$R" "$T/move" &&
	printf "[ssh]\nport = 2200\n[fail2ban]\nmaxretry = 3\n" > "$T/move.conf" &&
	chmod 600 "$T/move.conf" &&
	$HW --root "$T/move" --apply "$T/move.conf" > /dev/null 2>&1 &&
	grep -qx "port=22,2200" "$T/move/etc/fail2ban/jail.d/zz-hardenwiz.local" &&
	rm -rf "$T/f2bcopy" && cp -a "$T/move/etc/fail2ban" "$T/f2bcopy" &&
	fail2ban-client -c "$T/f2bcopy" -d 2>/dev/null | grep "sshd" | grep -q "22,2200"
'

# Our [DEFAULT] ignoreip is read after the admin's files and replaces
# theirs: it must carry their addresses (here a LAN in jail.local, and an
# office over a continuation line in a jail.d file's [sshd]).
# An admin action that names the port itself would keep banning on the
# old port after SSH moves: ours is theirs with port="%(port)s".
test_expect_success 'an [sshd] action that names port 22 follows the SSH port: fail2ban -d bans on 22,2200' '
	cp -a "$R" "$T/act" &&
	printf "[sshd]\naction = iptables-multiport[name=SSH, port=\"22\", protocol=tcp]\n" \
	    > "$T/act/etc/fail2ban/jail.d/custom.local" &&
	$HW --root "$T/act" --apply "$T/move.conf" > "$T/act.out" 2>&1 &&
	grep -qx "action=iptables-multiport\[name=SSH, port=\"%(port)s\", protocol=tcp\]" \
	    "$T/act/etc/fail2ban/jail.d/zz-hardenwiz.local" &&
	rm -rf "$T/f2bcopy" && cp -a "$T/act/etc/fail2ban" "$T/f2bcopy" &&
	fail2ban-client -c "$T/f2bcopy" -d 2>/dev/null | grep "sshd" | grep "iptables-multiport" > "$T/act.d" &&
	grep -q "22,2200" "$T/act.d" &&
	! grep -q "port.., .22.\]" "$T/act.d"
'

test_expect_success 'the admin'"'"'s own ignoreip is merged, never dropped: fail2ban -d shows every address' '
	cp -a "$R" "$T/ign" &&
	printf "[DEFAULT]\nignoreip = 127.0.0.1/8 ::1 192.168.1.0/24\n" > "$T/ign/etc/fail2ban/jail.local" &&
	printf "[sshd]\nignoreip = 203.0.113.9\n    198.51.100.0/24\n" > "$T/ign/etc/fail2ban/jail.d/office.conf" &&
	$HW --root "$T/ign" --apply "$T/f2b.conf" > /dev/null 2>&1 &&
	grep -x "ignoreip=.*" "$T/ign/etc/fail2ban/jail.d/zz-hardenwiz.local" > "$T/ign.line" &&
	for a in 192.168.1.0/24 203.0.113.9 198.51.100.0/24 127.0.0.1/8; do
		grep -q " $a\| $a$\|=$a" "$T/ign.line" || { cat "$T/ign.line"; return 1; }
	done &&
	rm -rf "$T/f2bcopy" && cp -a "$T/ign/etc/fail2ban" "$T/f2bcopy" &&
	fail2ban-client -c "$T/f2bcopy" -d 2>/dev/null | grep "sshd., .addignoreip" > "$T/ign.d" &&
	grep -q "127.0.0.1/8" "$T/ign.d" &&
	grep -q "192.168.1.0/24" "$T/ign.d" &&
	grep -q "198.51.100.0/24" "$T/ign.d"
'

# fail2ban 1.1 (Debian 13) knows sshd-session in filter.d/sshd.conf itself.
if grep -q "sshd-session" "$R/etc/fail2ban/filter.d/sshd.conf"; then
	f2b_knows=true
else
	f2b_knows=false
fi

test_expect_success 'OpenSSH 9.9: sshd-session is matched (filter.d/sshd.local where the filter lacks it)' '
	cp -a "$R" "$T/new" && mkdir -p "$T/new/var/lib/dpkg" &&
	printf "Package: openssh-server\nStatus: install ok installed\nVersion: 1:9.9p1-3\n\n" \
	    > "$T/new/var/lib/dpkg/status" &&
	$HW --root "$T/new" --apply "$T/f2b.conf" --dry-run > "$T/new.out" &&
	if $f2b_knows; then
		! grep -q "sshd.local" "$T/new.out"
	else
		grep -qx "+_daemon = sshd(?:-session)?" "$T/new.out"
	fi &&
	$HW --root "$R" --apply "$T/f2b.conf" --dry-run > "$T/old.out" &&
	! grep -q "sshd.local" "$T/old.out"
'

# Debian 13's jail.d/defaults-debian.conf gives [sshd] a journalmatch
# without sshd-session (OpenSSH 9.8+); a jail option beats the filter's.
test_expect_success 'the sshd jail'"'"'s journalmatch covers sshd-session, over Debian 13'"'"'s defaults' '
	cp -a "$R" "$T/jm" &&
	printf "[sshd]\nbackend = systemd\njournalmatch = _SYSTEMD_UNIT=ssh.service + _COMM=sshd\nenabled = true\n" \
	    > "$T/jm/etc/fail2ban/jail.d/defaults-debian.conf" &&
	$HW --root "$T/jm" --apply "$T/f2b.conf" > /dev/null 2>&1 &&
	rm -rf "$T/f2bcopy" && cp -a "$T/jm/etc/fail2ban" "$T/f2bcopy" &&
	fail2ban-client -c "$T/f2bcopy" -d 2>/dev/null |
	    grep "sshd., .addjournalmatch" > "$T/jm.d" &&
	grep -q "_COMM=sshd-session" "$T/jm.d" &&
	grep -q "_SYSTEMD_UNIT=ssh.service" "$T/jm.d"
'

test_expect_success 'under sudo (no SSH_CONNECTION) the address comes from the login shell' '
	env SSH_CONNECTION="192.0.2.44 1 2 3" sh -c "env -u SSH_CONNECTION $HW --root $R --apply $T/f2b.conf --dry-run" > "$T/sudo.out" &&
	grep -qx "+ignoreip=127.0.0.1/8 ::1 192.0.2.44" "$T/sudo.out"
'

test_expect_success 'Postfix offers AUTH: a postfix-sasl jail on the journal too, and -t passes' '
	cp -a "$R" "$T/pf" && mkdir -p "$T/pf/etc/postfix" &&
	printf "submission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n" > "$T/pf/etc/postfix/master.cf" &&
	$HW --root "$T/pf" --apply "$T/f2b.conf" > "$T/pf.out" 2>&1 &&
	J=$T/pf/etc/fail2ban/jail.d/zz-hardenwiz.local &&
	grep -qx "\[postfix-sasl\]" "$J" &&
	sed -n "/^\[postfix-sasl\]/,\$p" "$J" | grep -qx "backend=systemd" &&
	f2b_test "$T/pf"
'

test_expect_success 'jail.local setting the same keys is named in a note' '
	cp -a "$R" "$T/local" &&
	printf "[sshd]\nmaxretry = 10\n" > "$T/local/etc/fail2ban/jail.local" &&
	$HW --root "$T/local" --apply "$T/f2b.conf" --dry-run > "$T/local.out" &&
	grep -q "note: /etc/fail2ban/jail.local sets \[sshd\] maxretry too" "$T/local.out"
'

if command -v tmux >/dev/null; then
WZ_PREFIX="env SSH_CONNECTION=198.51.100.7" start
test_expect_success 'wizard: the fail2ban form shows the address it will never ban' '
	wait_for "fail2ban                     [needs-change]" &&
	wz_pick fail2ban &&
	wait_for "you are connected from 198.51.100.7" &&
	wait_for "127.0.0.1/8 ::1 198.51.100.7" &&
	tm send-keys -t wz F12 &&
	wait_for "+ignoreip=127.0.0.1/8 ::1 198.51.100.7" &&
	wz_quit_from_preview &&
	snapshot "$R" | diff - "$T/pristine"
'
fi

# ---- live: sshd on 2222 and fail2ban in a namespace ----
W=$T/live
mkdir -p "$W/log" "$W/lib/fail2ban"
cp -a /etc/fail2ban "$W/fail2ban"
cp -a /etc/ssh "$W/ssh"
echo "Port 2222" > "$W/ssh/sshd_config.d/00-test.conf"
# No journald in this namespace: sshd logs to auth.log, and the jail reads
# that file, as an admin with rsyslog sets it. Debian 13's sshd jail reads
# the journal (jail.d/defaults-debian.conf); t0125 bans through it on a
# booted systemd host.
if grep -q "^backend *= *systemd" "$W/fail2ban/jail.d/defaults-debian.conf" 2>/dev/null; then
	printf '[sshd]\nbackend = auto\n' > "$W/fail2ban/jail.d/auth-log.local"
fi
cp -a "$W/fail2ban" "$W/fail2ban.orig"
recipe live.conf <<EOF
[fail2ban]
maxretry = 3
findtime = 10m
bantime = 1h
ignoreip = 10.99.0.3
EOF
ns_start

attempt() {	# attempt SOURCE [PORT]: one failed login to 10.99.0.1 (2222)
	far timeout 10 ssh -b "$1" -p "${2:-2222}" -o BatchMode=yes -o ConnectTimeout=3 \
	    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	    nosuchuser@10.99.0.1 true 2>&1
}

test_expect_success 'namespace: sshd on 2222 logging to auth.log, fail2ban running' '
	in_ns sh -ec "
		ip link set lo up
		mount --bind $W/ssh /etc/ssh
		mount --bind $W/fail2ban /etc/fail2ban
		mount --bind $W/log /var/log
		mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd
		mount -t tmpfs tmpfs /var/lib && mkdir /var/lib/fail2ban
		: > /var/log/auth.log
	" &&
	{ in_ns sh -c "/usr/sbin/sshd -D -e 2>&1 | /usr/bin/python3 $SRC/tests/t/logstamp.py /var/log/auth.log sshd" & } &&
	ns_veth &&
	far ip addr add 10.99.0.3/24 dev veth1 &&
	in_ns fail2ban-client -x start > "$T/f2bstart.out" 2>&1 &&
	test_wait_until -t 10 port_open far 10.99.0.1 2222 &&
	test "$(far $NETPROBE connect 10.99.0.1 2222)" = open
'

test_expect_success 'apply live: fail2ban reloaded, the sshd jail runs on 2222' '
	in_ns "$HW" --apply "$T/live.conf" > "$T/live.out" 2>&1 &&
	grep -q "ran: fail2ban-client reload --restart" "$T/live.out" &&
	in_ns fail2ban-client status sshd > "$T/status.out" &&
	in_ns fail2ban-client get sshd maxretry | grep -qx 3 &&
	grep -qx "port=2222" "$W/fail2ban/jail.d/zz-hardenwiz.local"
'

test_expect_success 'three failed logins from 10.99.0.2: banned in nftables, the next connection fails' '
	for i in 1 2 3 4; do ! attempt 10.99.0.2 > "$T/att.out" || return 1; done &&
	test_wait_until -t 10 banned 10.99.0.2 &&
	{ in_ns fail2ban-client status sshd | grep -q "Banned IP list:.*10.99.0.2" ||
	  { cat "$T/att.out"; tail -5 "$W/log/auth.log"; in_ns fail2ban-client status sshd; false; }; } &&
	test_wait_until -t 10 in_nft 10.99.0.2 &&
	{ in_ns nft list ruleset | grep -q "10.99.0.2" ||
	  { in_ns nft list ruleset; in_ns fail2ban-client get sshd actions; in_ns fail2ban-client status; tail -6 "$W/log/fail2ban.log"; false; }; } &&
	test "$(far $NETPROBE connect 10.99.0.1 2222)" != open
'

test_expect_success 'the ignored address 10.99.0.3 fails five times and is never banned' '
	for i in 1 2 3 4 5; do ! attempt 10.99.0.3 > "$T/ign.out" || return 1; done &&
	sleep 2 &&
	grep -q "Permission denied" "$T/ign.out" &&
	! in_ns fail2ban-client status sshd | grep -q "10.99.0.3"
'

test_expect_success 'rollback: /etc/fail2ban byte-exact, fail2ban reloaded' '
	in_ns "$HW" --rollback > "$T/rb.out" 2>&1 &&
	diff -r "$W/fail2ban.orig" "$W/fail2ban" &&
	in_ns fail2ban-client get sshd maxretry | grep -qx 5
'

recipe move-live.conf <<EOF
[ssh]
port = 2200
[fail2ban]
maxretry = 3
EOF

# 10.99.0.2 is still banned (fail2ban keeps bans across reloads): the far
# side logs in from 10.99.0.3 and 10.99.0.4 instead.
test_expect_success 'one run moves SSH to 2200 and sets up fail2ban: the jail bans on the new port' '
	in_ns "$HW" --apply "$T/move-live.conf" > "$T/move-live.out" 2>&1 &&
	grep -q "ran: fail2ban-client reload --restart" "$T/move-live.out" &&
	test_wait_until -t 10 port_open in_ns 127.0.0.1 2200 &&
	grep -qx "port=2222,2200" "$W/fail2ban/jail.d/zz-hardenwiz.local" &&
	in_ns fail2ban-client get sshd maxretry | grep -qx 3 &&
	far ip addr add 10.99.0.4/24 dev veth1 &&
	for i in 1 2 3 4; do ! attempt 10.99.0.4 2200 > "$T/att2.out" || return 1; done &&
	test_wait_until -t 10 banned 10.99.0.4 &&
	test_wait_until -t 10 in_nft 10.99.0.4 &&
	in_ns nft list ruleset > "$T/ruleset" &&
	grep -q "tcp dport { 2200, 2222 }" "$T/ruleset" &&
	! attempt 10.99.0.4 2200 > "$T/att3.out" &&
	! grep -q "Permission denied" "$T/att3.out" &&
	! attempt 10.99.0.3 2200 > "$T/att4.out" &&
	grep -q "Permission denied" "$T/att4.out"
'

test_expect_success 'its rollback: sshd and fail2ban back as they were, byte-exact' '
	in_ns "$HW" --rollback > "$T/rb2.out" 2>&1 &&
	diff -r "$W/fail2ban.orig" "$W/fail2ban" &&
	test ! -e "$W/ssh/sshd_config.d/00-hardenwiz.conf" &&
	in_ns fail2ban-client get sshd maxretry | grep -qx 5 &&
	test_wait_until -t 10 port_open in_ns 127.0.0.1 2222 &&
	! port_open in_ns 127.0.0.1 2200
'

test_done
