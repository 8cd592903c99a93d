#!/bin/bash
# t0160: the services step. Under --root: the enabled units known to
# listen are named, and the plan turns a unit and its socket off (and
# masks them) as commands shown, not run. Live, in a booted Debian: nsd,
# listening on every address, is stopped and disabled, and rollback gives
# it back as it was; SSH and the unit the run itself is in are refused.
. "$(dirname "$0")/lib.sh"

R=$T/root
mkroot debian12 "$R"
mkdir -p "$R/lib/systemd/system" "$R/etc/systemd/system/multi-user.target.wants" \
    "$R/etc/systemd/system/sockets.target.wants"
printf "[Service]\nExecStart=/usr/sbin/cupsd -l\n[Install]\nWantedBy=multi-user.target\n" \
    > "$R/lib/systemd/system/cups.service"
printf "[Socket]\nListenStream=631\n[Install]\nWantedBy=sockets.target\n" \
    > "$R/lib/systemd/system/cups.socket"
printf "[Service]\nExecStart=/usr/sbin/rpcbind\n" > "$R/lib/systemd/system/rpcbind.service"
ln -s /lib/systemd/system/cups.service "$R/etc/systemd/system/multi-user.target.wants/"
ln -s /lib/systemd/system/cups.socket "$R/etc/systemd/system/sockets.target.wants/"

recipe cups.conf <<EOF
[services]
disable = cups nosuch
mask = yes
EOF
recipe ssh.conf <<EOF
[services]
disable = ssh
EOF
recipe fw.conf <<EOF
[services]
disable = ufw
EOF
recipe bad.conf <<EOF
[services]
disable = ../etc/passwd
EOF

test_expect_success 'offline audit: the enabled cups is named, rpcbind (not enabled) is not' '
	$HW --root "$R" --audit --only services > "$T/audit.out" &&
	grep -q "cups.service: enabled -> turned off" "$T/audit.out" &&
	! grep -q rpcbind "$T/audit.out"
'

test_expect_success 'offline plan: socket first, then the service, each masked; a missing unit is a note' '
	$HW --root "$R" --apply "$T/cups.conf" --dry-run > "$T/plan.out" &&
	cat > "$T/plan.want" <<-\EOF &&
	# run: systemctl disable --now cups.socket  (skipped: offline root)
	# run: systemctl mask cups.socket  (skipped: offline root)
	# run: systemctl disable --now cups.service  (skipped: offline root)
	# run: systemctl mask cups.service  (skipped: offline root)
	# note: nosuch.service is not installed: nothing to turn off
	# dry run: nothing was changed
	EOF
	diff "$T/plan.want" "$T/plan.out"
'

test_expect_success 'JSON: the commands in their order' '
	$HW --root "$R" --apply "$T/cups.conf" --dry-run --json > "$T/plan.json" &&
	python3 - "$T/plan.json" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	s = [x for x in d["steps"] if x["id"] == "services"][0]
	assert s["commands"] == [
	    ["systemctl", "disable", "--now", "cups.socket"],
	    ["systemctl", "mask", "cups.socket"],
	    ["systemctl", "disable", "--now", "cups.service"],
	    ["systemctl", "mask", "cups.service"]], s
	EOF
'

test_expect_success 'SSH (a lockout), the firewall and a name that is no unit are refused, nothing changed' '
	snapshot "$R" > "$T/before" &&
	test_expect_code 4 $HW --root "$R" --apply "$T/ssh.conf" 2> "$T/ssh.err" &&
	grep -q "refusing to turn off ssh.service: it is the way in to this server" "$T/ssh.err" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/fw.conf" 2> "$T/fw.err" &&
	grep -q "ufw.service is not turned off: the firewall, fail2ban" "$T/fw.err" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/bad.conf" 2> "$T/bad.err" &&
	grep -q "'"'"'../etc/passwd'"'"' is not the name of a service unit" "$T/bad.err" &&
	snapshot "$R" | diff - "$T/before"
'

test_expect_success 'the example recipe plans on this root' '
	cp "$SRC/recipes/examples/services.conf" "$T/ex.conf" && chmod 600 "$T/ex.conf" &&
	$HW --root "$R" --apply "$T/ex.conf" --dry-run > "$T/ex.out" &&
	grep -qx "# run: systemctl disable --now cups.service  (skipped: offline root)" "$T/ex.out" &&
	grep -qx "# note: avahi-daemon.service is not installed: nothing to turn off" "$T/ex.out" &&
	! grep -q "rpcbind" "$T/ex.out"
'

# ---- live: a booted Debian whose nsd listens on every address ----
command -v debootstrap >/dev/null || { test_done; exit; }
S=$T/sys
sd_prepare t0160

state_of() {	# state_of UNIT: "enabled active", "disabled inactive" ...
	echo "$(in_sd systemctl is-enabled "$1") $(in_sd systemctl is-active "$1")"
}
nsd_listens() {
	in_sd ss -Hlun | grep -q ":53 "
}

test_expect_success 'live: nsd is listed as listening on the network' '
	sd_mail_root "$S" &&
	boot &&
	test_wait_until -t 30 nsd_listens &&
	test "$(state_of nsd.service)" = "enabled active" &&
	in_sd hardenwiz --audit --only services > "$T/live-audit.out" &&
	grep -q "listening: nsd.service on .* 53/" "$T/live-audit.out"
'

test_expect_success 'live: nsd stopped and disabled; rollback starts and enables it' '
	printf "[services]\ndisable = nsd\n" > "$S/root/nsd.conf" &&
	chmod 600 "$S/root/nsd.conf" &&
	in_sd hardenwiz --apply /root/nsd.conf > "$T/apply.out" &&
	grep -q "^# run: systemctl disable --now nsd.service" "$T/apply.out" &&
	test "$(state_of nsd.service)" = "disabled inactive" &&
	! nsd_listens &&
	in_sd hardenwiz --apply /root/nsd.conf > "$T/again.out" &&
	grep -q "nothing to change" "$T/again.out" &&
	in_sd hardenwiz --rollback &&
	test "$(state_of nsd.service)" = "enabled active" &&
	test_wait_until -t 10 nsd_listens
'

test_expect_success 'live: enabled but stopped comes back enabled and stopped' '
	in_sd systemctl stop nsd.service &&
	in_sd hardenwiz --apply /root/nsd.conf > /dev/null &&
	test "$(state_of nsd.service)" = "disabled inactive" &&
	in_sd hardenwiz --rollback &&
	test "$(state_of nsd.service)" = "enabled inactive"
'

test_expect_success 'live: the unit this run is in is refused' '
	printf "[services]\ndisable = hwself\n" > "$S/root/self.conf" &&
	chmod 600 "$S/root/self.conf" &&
	test_expect_code 4 in_sd systemd-run --quiet --wait --pipe --unit=hwself.service \
	    /usr/local/sbin/hardenwiz --apply /root/self.conf > "$T/self.out" 2>&1 &&
	grep -q "refusing to turn off hwself.service: this session runs under it" "$T/self.out"
'

test_done
