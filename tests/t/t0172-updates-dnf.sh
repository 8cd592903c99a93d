#!/bin/bash
# t0172: the updates step on the RHEL family, under --root (a Rocky 9
# root). dnf-automatic is installed when missing and configured in the
# next run (its file comes with the package); /etc/dnf/automatic.conf is
# edited through Augeas and read back by dnf-automatic's own loader
# (python3-dnf: upstream dnf 4.14, as in Rocky and Alma 9); rollback is
# byte for byte. Debian packages no dnf-automatic program or timer, so
# the root gets a stand-in program and upstream's timer unit.
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 -c "import dnf.automatic.main" 2>/dev/null ||
	skip_all "needs python3-dnf (make deps-test)"
test -f /etc/dnf/automatic.conf ||
	skip_all "needs dnf-data's /etc/dnf/automatic.conf (make deps-test)"

R=$T/root
mkroot rocky9 "$R"

recipe up.conf <<EOF
[updates]
automatic = yes
EOF

recipe off.conf <<EOF
[updates]
automatic = no
EOF

recipe reboot.conf <<EOF
[updates]
reboot = 04:00
EOF

# What dnf-automatic reads from the root's file.
reads() {	# reads SECTION.OPTION VALUE
	/usr/bin/python3 -I -c '
import sys
from dnf.automatic.main import AutomaticConfig
s, o = sys.argv[2].split(".")
c = AutomaticConfig(sys.argv[1])	# a list value lives as long as c
v = getattr(getattr(c, s), o)
v = v if isinstance(v, (str, bool, int)) else ",".join(v)
sys.exit(str(v) != sys.argv[3])' "$R/etc/dnf/automatic.conf" "$1" "$2"
}

test_expect_success 'not installed: the audit says so; the plan installs it and asks for a second run' '
	$HW --root "$R" --audit --only updates > "$T/audit.out" &&
	grep -q "dnf-automatic: not installed -> installed" "$T/audit.out" &&
	$HW --root "$R" --apply "$T/up.conf" --dry-run > "$T/dry.out" &&
	grep -q "^# run: dnf install -y dnf-automatic" "$T/dry.out" &&
	grep -q "run hardenwiz again after this run to turn the updates on" "$T/dry.out"
'

test_expect_success 'installed (its file, program and timer in the root)' '
	mkdir -p "$R/usr/bin" "$R/etc/dnf" "$R/usr/lib/systemd/system" &&
	printf "#!/bin/sh\\nexit 0\\n" > "$R/usr/bin/dnf-automatic" &&
	chmod 755 "$R/usr/bin/dnf-automatic" &&
	cp /etc/dnf/automatic.conf "$R/etc/dnf/automatic.conf" &&
	printf "[Unit]\\nDescription=dnf-automatic timer\\n\\n[Timer]\\nOnCalendar=*-*-* 6:00\\nRandomizedDelaySec=60m\\nPersistent=true\\n\\n[Install]\\nWantedBy=timers.target\\n" \
	    > "$R/usr/lib/systemd/system/dnf-automatic.timer" &&
	reads commands.apply_updates False &&
	$HW --root "$R" --audit --only updates > "$T/audit2.out" &&
	grep -q "apply_updates: False -> True" "$T/audit2.out" &&
	grep -q "dnf-automatic.timer is not enabled in this root" "$T/audit2.out"
'

test_expect_success 'dry run: the diff of automatic.conf, the timer named; nothing changed' '
	snapshot "$R" > "$T/before.snap" &&
	$HW --root "$R" --apply "$T/up.conf" --dry-run > "$T/dry2.out" &&
	grep -qx -- "-apply_updates = no" "$T/dry2.out" &&
	grep -qx -- "+apply_updates = yes" "$T/dry2.out" &&
	grep -qx -- "+upgrade_type = security" "$T/dry2.out" &&
	grep -qx -- "+emit_via = email,stdio" "$T/dry2.out" &&
	grep -qx -- "+email_from = root" "$T/dry2.out" &&
	grep -q "systemctl enable --now dnf-automatic.timer on that system" "$T/dry2.out" &&
	snapshot "$R" | cmp - "$T/before.snap"
'

test_expect_success 'apply: dnf-automatic reads the new values; a second run changes nothing' '
	$HW --root "$R" --apply "$T/up.conf" > "$T/apply.out" &&
	reads commands.apply_updates True &&
	reads commands.upgrade_type security &&
	reads emitters.emit_via email,stdio &&
	reads email.email_to root &&
	reads email.email_from root &&
	$HW --root "$R" --apply "$T/up.conf" > "$T/second.out" &&
	grep -q "^# nothing to change" "$T/second.out" &&
	$HW --root "$R" --audit --only updates > "$T/audit3.out" &&
	! grep -q "apply_updates:" "$T/audit3.out"
'

test_expect_success 'rollback: byte for byte' '
	$HW --root "$R" --rollback &&
	snapshot "$R" | cmp - "$T/before.snap"
'

test_expect_success 'mail = empty: the report goes to the journal only' '
	printf "[updates]\\nmail =\\n" > "$T/nomail.conf" && chmod 600 "$T/nomail.conf" &&
	$HW --root "$R" --apply "$T/nomail.conf" > /dev/null &&
	reads emitters.emit_via stdio &&
	reads email.email_from root@example.com &&
	$HW --root "$R" --rollback
'

test_expect_success 'an admin'"'"'s own sender is kept' '
	sed -i "s/^email_from = root@example.com/email_from = updates@example.org/" "$R/etc/dnf/automatic.conf" &&
	$HW --root "$R" --apply "$T/up.conf" > /dev/null &&
	reads emitters.emit_via email,stdio &&
	reads email.email_from updates@example.org &&
	$HW --root "$R" --rollback
'

test_expect_success 'automatic = no turns it off again' '
	$HW --root "$R" --apply "$T/up.conf" > /dev/null &&
	reads commands.apply_updates True &&
	$HW --root "$R" --apply "$T/off.conf" > "$T/off.out" &&
	grep -qx -- "+apply_updates = no" "$T/off.out" &&
	reads commands.apply_updates False &&
	grep -q "automatic updates off" "$T/off.out" &&
	$HW --root "$R" --rollback &&
	reads commands.apply_updates True &&
	$HW --root "$R" --rollback &&
	reads commands.apply_updates False
'

test_expect_success 'refused, nothing changed: a reboot time; a mail address with a newline; [commands] twice' '
	snapshot "$R" > "$T/b2.snap" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/reboot.conf" 2> "$T/reboot.err" &&
	grep -q "reboot = 04:00: dnf-automatic does not reboot at a set time" "$T/reboot.err" &&
	printf "[updates]\\nmail = a@b.example;rm\\n" > "$T/bad.conf" && chmod 600 "$T/bad.conf" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/bad.conf" 2> "$T/bad.err" &&
	grep -q "mail = a@b.example;rm: one address or user name" "$T/bad.err" &&
	snapshot "$R" | cmp - "$T/b2.snap" &&
	printf "[commands]\\napply_updates = no\\n" >> "$R/etc/dnf/automatic.conf" &&
	snapshot "$R" > "$T/b3.snap" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/up.conf" 2> "$T/twice.err" &&
	grep -q "cannot set commands/apply_updates in /etc/dnf/automatic.conf" "$T/twice.err" &&
	snapshot "$R" | cmp - "$T/b3.snap"
'

test_done
