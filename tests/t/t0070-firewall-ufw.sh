#!/bin/bash
# t0070: the firewall step on a real ufw, applied to "/" inside private
# network, mount and pid namespaces. /etc is a private copy, /etc/ufw,
# /etc/default/ufw, /etc/ssh, /etc/passwd and /etc/shadow copies of their
# own, /run and /var/lib are tmpfs: this machine's firewall and /etc are
# never touched. systemd does not run in there, so the table that counts
# outgoing SMTP per user is loaded by nft itself. A veth pair joins the
# namespace ("near", 10.99.0.1) to a second one ("far", 10.99.0.2), so the
# tests look at traffic, not only at rules. ufw starts with two rules of
# the admin's (allow 25/tcp, allow 8080/tcp): the first must go, and come
# back in its place on rollback.
. "$(dirname "$0")/lib.sh"
need_root
command -v ufw >/dev/null && command -v iptables >/dev/null ||
	skip_all "needs ufw and iptables (make deps-test)"

R=$T/root
mkroot debian12 "$R"
cp -a /etc "$T/etc"
cp -a /etc/ufw "$T/ufw"
cp /etc/default/ufw "$T/default-ufw"
MTA_UID=$(awk -F: '$1 == "postfix" { print $3 }' "$R/etc/passwd")

ns_start

recipe fw.conf <<EOF
[firewall]
backend = auto
allow = 80/tcp
close = 25/tcp 465/tcp 587/tcp
block_outbound_smtp = yes
enable = yes
EOF

test_expect_success 'namespace: private /etc/ufw, sshd on 22, veth to a far namespace' '
	in_ns sh -ec "
		ip link set lo up
		mount --bind $T/etc /etc
		mount --bind $T/ufw /etc/ufw
		mount --bind $T/default-ufw /etc/default/ufw
		mount --bind $R/etc/ssh /etc/ssh
		mount --bind $R/etc/passwd /etc/passwd
		mount --bind $R/etc/shadow /etc/shadow
		mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd
		mount -t tmpfs tmpfs /var/lib
		/usr/sbin/sshd -E $T/sshd.log
	" &&
	ns_veth &&
	{ far $NETPROBE listen 25 & } &&
	{ in_ns $NETPROBE listen 25 & } &&
	in_ns ufw allow 25/tcp && in_ns ufw allow 8080/tcp &&
	cp -a "$T/ufw" "$T/ufw.orig" &&
	cp "$T/default-ufw" "$T/default-ufw.orig" &&
	sleep 0.5 &&
	test "$(far $NETPROBE connect 10.99.0.1 22)" = open &&
	test "$(far $NETPROBE connect 10.99.0.1 25)" = open
'

test_expect_success 'before: every user reaches port 25 outside' '
	test "$(in_ns setpriv --reuid=65534 --regid=65534 --clear-groups \
	    $NETPROBE connect 10.99.0.2 25)" = open
'

test_expect_success 'audit: ufw inactive, 25 listening and open, outbound not blocked' '
	in_ns "$HW" --audit > "$T/audit.out" &&
	grep -q "firewall: inactive -> active" "$T/audit.out" &&
	grep -q "incoming 25/tcp: open -> closed" "$T/audit.out" &&
	grep -q "outgoing 25/tcp: allowed for every user -> only the MTA" "$T/audit.out" &&
	grep -q "listening: 25/tcp python3 on ::, reachable" "$T/audit.out" &&
	grep -q "listening: 22/tcp sshd on" "$T/audit.out"
'

test_expect_success 'dry run: SSH allowed before enable, before.rules diff, nothing changed' '
	in_ns "$HW" --apply "$T/fw.conf" --dry-run > "$T/dry.out" &&
	grep -n "^# run:" "$T/dry.out" > "$T/runs" &&
	test "$(sed -n 1p "$T/runs" | cut -d: -f3-)" = " ufw allow 22/tcp" &&
	tail -n 1 "$T/runs" | grep -q "ufw --force enable" &&
	grep -q "^+-A ufw-before-output -p tcp -m tcp --dport 25 -m owner --uid-owner $MTA_UID -j ACCEPT" "$T/dry.out" &&
	grep -q "^+-A ufw6-before-output -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset" "$T/dry.out" &&
	grep -q "^+++ b/etc/hardenwiz/smtp-out.nft" "$T/dry.out" &&
	grep -q "^+		meta skuid $MTA_UID return" "$T/dry.out" &&
	grep -q "^# run: /usr/sbin/nft -f /etc/hardenwiz/smtp-out.nft$" "$T/dry.out" &&
	grep -q "systemd does not run here: the table that counts outgoing SMTP" "$T/dry.out" &&
	test ! -e "$T/etc/hardenwiz" &&
	diff -r "$T/ufw.orig" "$T/ufw"
'

test_expect_success 'apply: ufw status and iptables show the rules' '
	{ in_ns "$HW" --apply "$T/fw.conf" > "$T/apply.out" 2>&1 || { cat "$T/apply.out"; false; }; } &&
	in_ns ufw status verbose > "$T/status" &&
	grep -q "^Status: active" "$T/status" &&
	grep -Eq "^22/tcp +ALLOW IN +Anywhere" "$T/status" &&
	grep -Eq "^80/tcp +ALLOW IN +Anywhere" "$T/status" &&
	grep -Eq "^25/tcp +DENY IN +Anywhere" "$T/status" &&
	! grep -Eq "^25/tcp +ALLOW" "$T/status" &&
	grep -Eq "^8080/tcp +ALLOW IN +Anywhere" "$T/status" &&
	grep -q "ran: ufw delete allow 25/tcp" "$T/apply.out" &&
	grep -Eq "^587/tcp \(v6\) +DENY IN" "$T/status" &&
	in_ns iptables -S ufw-before-output | grep -q -- "--dport 25 -m owner --uid-owner $MTA_UID -j ACCEPT" &&
	in_ns iptables -S ufw-before-output | grep -q -- "--dport 25 -j REJECT --reject-with tcp-reset" &&
	in_ns ip6tables -S ufw6-before-output | grep -q -- "--dport 25 -j REJECT --reject-with tcp-reset"
'

test_expect_success 'traffic: nobody is refused on outgoing 25, the MTA user gets through' '
	test "$(in_ns setpriv --reuid=65534 --regid=65534 --clear-groups \
	    $NETPROBE connect 10.99.0.2 25)" = refused &&
	test "$(in_ns setpriv --reuid=$MTA_UID --regid=65534 --clear-groups \
	    $NETPROBE connect 10.99.0.2 25)" = open &&
	test "$(in_ns $NETPROBE connect 127.0.0.1 25)" = open
'

# Counted: the one connection nobody tried; not the MTA's, not loopback's.
out25() {	# out25 UID: the rejected connections nft counted for UID
	in_ns nft -j list set inet hardenwiz smtp_out | python3 -c '
import json, sys
sets = [i["set"] for i in json.load(sys.stdin)["nftables"] if "set" in i]
print(sum(e["elem"]["counter"]["packets"] for s in sets
    for e in s.get("elem", []) if e["elem"]["val"] == int(sys.argv[1])))' "$1"
}

test_expect_success 'counted per uid: nobody once, the MTA and loopback never' '
	test "$(out25 65534)" = 1 &&
	test "$(out25 $MTA_UID)" = 0 &&
	test "$(out25 0)" = 0 &&
	test_expect_code 1 in_ns "$HW" --check-mail --json > "$T/cm.json" &&
	python3 - "$T/cm.json" <<-\EOF &&
	import json, sys
	m = json.load(open(sys.argv[1]))
	o = m["outbound_smtp"]
	assert o["counting"] is True, o
	assert [(e["uid"], e["user"], e["rejected"], e["suspicious"]) for e in o["by_user"]] == [(65534, "nobody", 1, True)], o
	EOF
	test_expect_code 1 in_ns "$HW" --check-mail > "$T/cm.txt" &&
	grep -q "^       1  uid 65534 (nobody), the last at " "$T/cm.txt" &&
	grep -q "^  local user uid 65534 (nobody): 1 connections out to port 25 rejected" "$T/cm.txt"
'

test_expect_success 'the table gone (nftables flushed): --check-mail says it is not counting' '
	in_ns nft delete table inet hardenwiz &&
	{ in_ns "$HW" --check-mail > "$T/cm2.txt" || test $? = 1; } &&
	grep -q "^Outgoing SMTP per local user is not counted now: its table is not loaded (systemctl restart hardenwiz-smtp-count.service).$" "$T/cm2.txt" &&
	{ in_ns "$HW" --check-mail --json > "$T/cm2.json" || test $? = 1; } &&
	python3 -c "import json,sys; o=json.load(open(sys.argv[1]))[\"outbound_smtp\"]; assert o == {\"counting\": False, \"by_user\": []}, o" "$T/cm2.json" &&
	in_ns nft -f /etc/hardenwiz/smtp-out.nft
'

test_expect_success 'traffic: incoming 25 dropped, SSH still reachable' '
	test "$(far $NETPROBE connect 10.99.0.1 25)" = timeout &&
	test "$(far $NETPROBE connect 10.99.0.1 22)" = open &&
	far ssh-keyscan -T 3 -p 22 10.99.0.1 2>/dev/null | grep -q ssh-ed25519
'

test_expect_success 'audit after: outbound blocked, 25 blocked by the firewall' '
	in_ns "$HW" --audit > "$T/audit2.out" &&
	! grep -q "outgoing 25/tcp" "$T/audit2.out" &&
	! grep -q "incoming 25/tcp" "$T/audit2.out" &&
	grep -q "listening: 25/tcp python3 on ::, blocked by the firewall" "$T/audit2.out"
'

test_expect_success 'a second apply changes nothing' '
	cp -a "$T/ufw" "$T/ufw.after" &&
	in_ns "$HW" --apply "$T/fw.conf" > "$T/second.out" &&
	grep -q "^# nothing to change" "$T/second.out" &&
	diff -r "$T/ufw.after" "$T/ufw"
'

recipe close-ssh.conf <<EOF
[firewall]
close = 22/tcp
EOF

test_expect_success 'guard: closing the SSH port exits 4 and changes nothing' '
	test_expect_code 4 in_ns "$HW" --apply "$T/close-ssh.conf" 2> "$T/guard.err" &&
	grep -q "refusing to close 22/tcp" "$T/guard.err" &&
	diff -r "$T/ufw.after" "$T/ufw" &&
	test "$(far $NETPROBE connect 10.99.0.1 22)" = open
'

recipe move.conf <<EOF
[ssh]
port = 2222
confirm_timeout = 0
EOF

test_expect_success 'SSH moves to 2222: the port is allowed before sshd reloads, 22 kept' '
	in_ns "$HW" --apply "$T/move.conf" --dry-run > "$T/move.dry" &&
	grep "^# run:" "$T/move.dry" | head -n 1 | grep -q "ufw allow 2222/tcp" &&
	in_ns "$HW" --apply "$T/move.conf" > "$T/move.out" 2>&1 &&
	in_ns ufw status > "$T/status2" &&
	grep -Eq "^2222/tcp +ALLOW " "$T/status2" &&
	grep -Eq "^22/tcp +ALLOW " "$T/status2" &&
	sleep 0.5 &&
	far ssh-keyscan -T 3 -p 2222 10.99.0.1 2>/dev/null | grep -q ssh-ed25519 &&
	in_ns "$HW" --rollback &&
	! in_ns ufw status | grep -q 2222
'

test_expect_success 'rollback: /etc/ufw byte-identical, the ufw chains are empty, traffic as before' '
	in_ns "$HW" --rollback 2> "$T/rb.err" &&
	diff -r "$T/ufw.orig" "$T/ufw" &&
	cmp "$T/default-ufw.orig" "$T/default-ufw" &&
	test "$(snapshot "$T/ufw.orig" | sed "s/^/x/")" = "$(snapshot "$T/ufw" | sed "s/^/x/")" &&
	! in_ns iptables -S | grep -q "^-A ufw" &&
	! in_ns ip6tables -S | grep -q "^-A ufw6" &&
	in_ns iptables -S | grep -q "^-P INPUT ACCEPT" &&
	! in_ns nft list table inet hardenwiz 2>/dev/null &&
	test ! -e "$T/etc/hardenwiz/smtp-out.nft" &&
	test "$(in_ns setpriv --reuid=65534 --regid=65534 --clear-groups \
	    $NETPROBE connect 10.99.0.2 25)" = open &&
	test "$(far $NETPROBE connect 10.99.0.1 25)" = open
'

if command -v tmux >/dev/null; then
R=/ WZ_PREFIX="nsenter -t $NSPID -m -n -p --" start --only firewall
test_expect_success 'wizard, live: the firewall form proposes the 300 s dead-man timer' '
	wz_pick Firewall &&
	wait_for "Seconds to confirm          300" &&
	tm send-keys -t wz F12 &&
	wait_for "Firewall  file 1/" &&
	tm send-keys -t wz G &&
	wait_for "# run: ufw --force enable" &&
	wz_apply_pending 300 &&
	in_ns ufw status | grep -q "^Status: active" &&
	test "$(far $NETPROBE connect 10.99.0.1 22)" = open
'

test_expect_success 'wizard, live: No rolls the firewall back now; the timer is gone' '
	tm send-keys -t wz Enter &&
	wait_for "The change was rolled back." &&
	test "$(state_of_last)" = rolled-back &&
	! in_ns pgrep -f -- "--rollback-unconfirmed" &&
	diff -r "$T/ufw.orig" "$T/ufw" &&
	in_ns iptables -S | grep -q "^-P INPUT ACCEPT" &&
	tm send-keys -t wz Enter &&
	wait_for "History and rollback" &&
	wz_quit
'
fi

test_done
