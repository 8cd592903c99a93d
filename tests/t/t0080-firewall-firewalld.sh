#!/bin/bash
# t0080: the firewall step on a real firewalld, running (firewall-cmd
# --permanent, --reload) and stopped (firewall-offline-cmd), applied to "/"
# inside private network, mount and pid namespaces. /etc is a private copy
# (/etc/firewalld, /etc/ufw and /etc/ssh copies of their own); /run is a
# tmpfs with a private system dbus-daemon, so firewalld answers only in
# here. A veth pair to a "far"
# namespace carries the test traffic.
. "$(dirname "$0")/lib.sh"
need_root
command -v firewalld >/dev/null && command -v dbus-daemon >/dev/null ||
	skip_all "needs firewalld and dbus-daemon (make deps-test)"

R=$T/root
mkroot debian12 "$R"
cp -a /etc "$T/etc"
cp -a /etc/firewalld "$T/firewalld"
cp -a /etc/ufw "$T/ufw"
MTA_UID=$(awk -F: '$1 == "postfix" { print $3 }' "$R/etc/passwd")

ns_start

start_firewalld() {
	in_ns sh -c "firewalld --nofork --nopid --log-target=console \
	    > $T/firewalld.log 2>&1 &"
	test_wait_until -t 20 firewalld_up && return 0
	cat "$T/firewalld.log"
	return 1
}

firewalld_up() {
	in_ns firewall-cmd --state >/dev/null 2>&1
}

firewalld_down() {
	! firewalld_up
}

stop_firewalld() {
	in_ns pkill -x firewalld || in_ns pkill -f "/usr/sbin/firewalld"
	test_wait_until -t 20 firewalld_down
}

recipe fw.conf <<EOF
[firewall]
allow = 80/tcp
close = 25/tcp 465/tcp 587/tcp
block_outbound_smtp = yes
EOF

test_expect_success 'namespace: private dbus and firewalld, sshd on 22, veth' '
	in_ns sh -ec "
		ip link set lo up
		mount --bind $T/etc /etc
		mount --bind $T/firewalld /etc/firewalld
		mount --bind $T/ufw /etc/ufw
		mount --bind $R/etc/ssh /etc/ssh
		mount -t tmpfs tmpfs /run
		mkdir -m 755 /run/sshd /run/dbus
		mount -t tmpfs tmpfs /var/lib
		dbus-daemon --system --fork --nopidfile
		mount --bind $R/etc/passwd /etc/passwd
		mount --bind $R/etc/shadow /etc/shadow
		/usr/sbin/sshd -E $T/sshd.log
	" &&
	ns_veth &&
	{ far $NETPROBE listen 25 & } &&
	{ in_ns $NETPROBE listen 25 & } &&
	{ in_ns $NETPROBE listen 587 & } &&
	start_firewalld &&
	in_ns firewall-cmd --permanent --zone=public --add-service=smtp &&
	in_ns firewall-cmd --permanent --zone=public "--add-rich-rule=rule family=\"ipv4\" port port=\"587\" protocol=\"tcp\" accept" &&
	in_ns firewall-cmd --permanent --zone=public --add-interface=veth0 &&
	in_ns firewall-cmd --reload &&
	cp -a "$T/firewalld" "$T/firewalld.orig" &&
	test "$(far $NETPROBE connect 10.99.0.1 25)" = open &&
	test "$(far $NETPROBE connect 10.99.0.1 587)" = open &&
	test "$(far $NETPROBE connect 10.99.0.1 22)" = open
'

test_expect_success 'audit: firewalld chosen, smtp service open, outbound not blocked' '
	in_ns "$HW" --audit > "$T/audit.out" &&
	grep -q "backend: firewalld (it is the active firewall)" "$T/audit.out" &&
	grep -q "incoming 25/tcp: open -> closed" "$T/audit.out" &&
	grep -q "outgoing 25/tcp: allowed for every user" "$T/audit.out"
'

test_expect_success 'a runtime-only rule is named before the reload would drop it' '
	in_ns firewall-cmd --zone=public --add-port=9999/tcp &&
	in_ns "$HW" --apply "$T/fw.conf" --dry-run > "$T/rt.out" &&
	grep -q "zone public has runtime rules that are not permanent" "$T/rt.out" &&
	in_ns firewall-cmd --zone=public --remove-port=9999/tcp
'

test_expect_success 'dry run: the smtp service is removed, not just a port; SSH before reload' '
	in_ns "$HW" --apply "$T/fw.conf" --dry-run > "$T/dry.out" &&
	! grep -q "runtime rules" "$T/dry.out" &&
	grep -q "^# run: firewall-cmd --permanent --zone=public --remove-service=smtp$" "$T/dry.out" &&
	! grep -q -- "--remove-port=25/tcp" "$T/dry.out" &&
	grep -q "^# run: firewall-cmd --permanent --zone=public --add-port=80/tcp$" "$T/dry.out" &&
	grep -qxF "# run: firewall-cmd --permanent --zone=public '"'"'--remove-rich-rule=rule family=\"ipv4\" port port=\"587\" protocol=\"tcp\" accept'"'"'" "$T/dry.out" &&
	grep "^# run:" "$T/dry.out" | tail -n 1 | grep -q "firewall-cmd --reload" &&
	diff -r "$T/firewalld.orig" "$T/firewalld"
'

test_expect_success 'apply (daemon running): --list-all, direct rules' '
	in_ns "$HW" --apply "$T/fw.conf" > "$T/apply.out" 2>&1 &&
	in_ns firewall-cmd --zone=public --list-all > "$T/list" &&
	! grep -q "services:.*smtp" "$T/list" &&
	grep -q "services:.*ssh" "$T/list" &&
	grep -q "ports: 80/tcp" "$T/list" &&
	test -z "$(in_ns firewall-cmd --zone=public --list-rich-rules)" &&
	in_ns firewall-cmd --direct --get-all-rules > "$T/direct" &&
	grep -q "ipv4 filter OUTPUT 1 -p tcp --dport 25 -j REJECT --reject-with tcp-reset" "$T/direct" &&
	grep -q "ipv6 filter OUTPUT 0 -p tcp --dport 25 -m owner --uid-owner $MTA_UID -j ACCEPT" "$T/direct"
'

test_expect_success 'traffic: nobody refused on outgoing 25, the MTA through; inbound 25 closed, SSH open' '
	test "$(in_ns setpriv --reuid=65534 --regid=65534 --clear-groups \
	    $NETPROBE connect 10.99.0.2 25)" = refused &&
	test "$(in_ns setpriv --reuid=$MTA_UID --regid=65534 --clear-groups \
	    $NETPROBE connect 10.99.0.2 25)" = open &&
	test "$(far $NETPROBE connect 10.99.0.1 25)" != open &&
	test "$(far $NETPROBE connect 10.99.0.1 587)" != open &&
	test "$(far $NETPROBE connect 10.99.0.1 22)" = open
'

test_expect_success 'the rejected connection is counted for nobody, not the MTA' '
	in_ns nft list set inet hardenwiz smtp_out > "$T/set" &&
	grep -q "elements = { 65534 counter packets 1 bytes" "$T/set" &&
	! grep -q "[{ ]$MTA_UID counter" "$T/set" &&
	grep -q "ran: /usr/sbin/nft -f /etc/hardenwiz/smtp-out.nft" "$T/apply.out"
'

test_expect_success 'a second apply changes nothing' '
	cp -a "$T/firewalld" "$T/firewalld.after" &&
	in_ns "$HW" --apply "$T/fw.conf" > "$T/second.out" &&
	grep -q "^# nothing to change" "$T/second.out" &&
	diff -r "$T/firewalld.after" "$T/firewalld"
'

recipe close-ssh.conf <<EOF
[firewall]
close = 22/tcp
EOF

test_expect_success 'guard: closing the SSH port exits 4, nothing changed' '
	test_expect_code 4 in_ns "$HW" --apply "$T/close-ssh.conf" 2> "$T/guard.err" &&
	diff -r "$T/firewalld.after" "$T/firewalld"
'

test_expect_success 'rollback (running): zone and direct.xml byte-identical, smtp back' '
	in_ns "$HW" --rollback &&
	diff -r "$T/firewalld.orig" "$T/firewalld" &&
	test ! -e "$T/firewalld/direct.xml" &&
	! in_ns nft list table inet hardenwiz 2>/dev/null &&
	test ! -e "$T/etc/hardenwiz/smtp-out.nft" &&
	in_ns firewall-cmd --zone=public --list-services | grep -qw smtp &&
	in_ns firewall-cmd --zone=public --list-rich-rules | grep -qxF "rule family=\"ipv4\" port port=\"587\" protocol=\"tcp\" accept" &&
	test "$(far $NETPROBE connect 10.99.0.1 587)" = open &&
	test "$(in_ns setpriv --reuid=65534 --regid=65534 --clear-groups \
	    $NETPROBE connect 10.99.0.2 25)" = open &&
	test "$(far $NETPROBE connect 10.99.0.1 25)" = open
'

sed 's/^\[firewall\]$/[firewall]\nbackend = firewalld/' "$T/fw.conf" > "$T/off.conf"
chmod 600 "$T/off.conf"

test_expect_success 'daemon stopped: firewall-offline-cmd, zone loses smtp' '
	stop_firewalld &&
	in_ns "$HW" --apply "$T/off.conf" > "$T/off.out" 2>&1 &&
	grep -q "start firewalld yourself" "$T/off.out" &&
	grep -q "ran: firewall-offline-cmd --zone=public --remove-service-from-zone=smtp" "$T/off.out" &&
	! grep -q "firewall-cmd --reload" "$T/off.out" &&
	! grep -q "<service name=\"smtp\"/>" "$T/firewalld/zones/public.xml" &&
	grep -q "<port port=\"80\" protocol=\"tcp\"/>" "$T/firewalld/zones/public.xml" &&
	grep -q "REJECT" "$T/firewalld/direct.xml"
'

test_expect_success 'rollback (offline): byte-identical again' '
	in_ns "$HW" --rollback &&
	diff -r "$T/firewalld.orig" "$T/firewalld"
'

test_done
