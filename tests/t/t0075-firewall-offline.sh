#!/bin/bash
# t0075: the firewall step on offline roots (--root): backend choice, what
# the plan removes and adds for ufw rules and firewalld services, the
# before.rules edit (patch round-trip, rollback), the guard, the SSH port
# move across steps, the listening-port audit and the Docker warning.
# Commands are only planned here; t0070 and t0080 run them for real.
. "$(dirname "$0")/lib.sh"
command -v ufw >/dev/null && command -v firewalld >/dev/null ||
	skip_all "needs ufw and firewalld installed (make deps-test)"

recipe mail.conf <<EOF
[firewall]
allow = 80/tcp
close = 25/tcp 465/tcp 587/tcp
block_outbound_smtp = yes
EOF

runs() {
	grep "^# run: " "$1" | sed "s/^# run: //; s/  (skipped: offline root)$//"
}

U=$T/ufw
mkroot debian12 "$U"
with_ufw "$U"
with_listeners "$U"
snapshot "$U" > "$T/u.pristine"

test_expect_success 'ufw: dry run plans allow, deny, enable in that order; diff applies with patch' '
	$HW --root "$U" --apply "$T/mail.conf" --dry-run > "$T/u.dry" &&
	runs "$T/u.dry" > "$T/u.runs" &&
	printf "%s\n" "ufw allow 22/tcp" "ufw allow 80/tcp" "ufw deny 25/tcp" \
	    "ufw deny 465/tcp" "ufw deny 587/tcp" "ufw --force enable" |
	    diff - "$T/u.runs" &&
	snapshot "$U" | diff - "$T/u.pristine" &&
	cp -a "$U" "$T/u.patched" &&
	sed -n "/^--- /,\$p" "$T/u.dry" | grep -v "^# " |
	    patch -s -p1 -d "$T/u.patched" &&
	grep -q "^-A ufw-before-output -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset$" \
	    "$T/u.patched/etc/ufw/before.rules"
'

test_expect_success 'ufw: notes name the listeners that stay open or get closed' '
	grep -q "3306/tcp (mariadbd on 0.0.0.0) will be closed: add it to allow" "$T/u.dry" &&
	grep -q "53/udp (? on 0.0.0.0) will be closed" "$T/u.dry" &&
	! grep -q "22/tcp (sshd" "$T/u.dry"
'

test_expect_success 'ufw: apply writes what the dry run showed; rollback is byte-exact' '
	$HW --root "$U" --apply "$T/mail.conf" > "$T/u.apply" 2>&1 &&
	cmp "$T/u.patched/etc/ufw/before.rules" "$U/etc/ufw/before.rules" &&
	cmp "$T/u.patched/etc/ufw/before6.rules" "$U/etc/ufw/before6.rules" &&
	grep -q "skipped (offline root): ufw --force enable" "$T/u.apply" &&
	$HW --root "$U" --apply "$T/mail.conf" --dry-run > "$T/u.again" &&
	! grep -q "^--- " "$T/u.again" &&
	$HW --root "$U" --rollback &&
	snapshot "$U" | diff - "$T/u.pristine"
'

test_expect_success 'ufw: no MTA user -> everyone is rejected, and the plan says so' '
	cp -a "$U" "$T/nomta" &&
	sed -i "/^postfix:/d" "$T/nomta/etc/passwd" &&
	$HW --root "$T/nomta" --apply "$T/mail.conf" --dry-run > "$T/nomta.dry" &&
	! grep -q -- "--uid-owner" "$T/nomta.dry" &&
	grep -q "outbound SMTP rejected (no MTA user was found)" "$T/nomta.dry" &&
	grep -q "no MTA user (postfix) exists" "$T/nomta.dry"
'

test_expect_success 'ufw: iptables-restore --test rejects a broken before.rules (exit 3)' '
	cp -a "$U" "$T/broken" &&
	sed -i "s/^COMMIT/-A ufw-before-input -p tcp --dport 99999 -j ACCEPT\nCOMMIT/" \
	    "$T/broken/etc/ufw/before.rules" &&
	snapshot "$T/broken" > "$T/broken.pristine" &&
	test_expect_code 3 $HW --root "$T/broken" --apply "$T/mail.conf" 2> "$T/broken.err" &&
	grep -q "iptables-restore rejects the candidate ./etc/ufw/before.rules.: .*99999" "$T/broken.err" &&
	snapshot "$T/broken" | diff - "$T/broken.pristine"
'

recipe close-ssh.conf <<EOF
[firewall]
close = 22/tcp 25/tcp
EOF

test_expect_success 'guard: closing the SSH port exits 4, nothing changed' '
	test_expect_code 4 $HW --root "$U" --apply "$T/close-ssh.conf" 2> "$T/guard.err" &&
	grep -q "refusing to close 22/tcp: sshd listens on it" "$T/guard.err" &&
	snapshot "$U" | diff - "$T/u.pristine"
'

recipe range.conf <<EOF
[firewall]
close = 20-30/tcp
EOF

test_expect_success 'guard: a range that covers the SSH port is refused too' '
	test_expect_code 4 $HW --root "$U" --apply "$T/range.conf" --dry-run 2> "$T/range.err"
'

R2=$T/rules
mkroot debian12 "$R2"
with_ufw "$R2"
cp "$FIXTURES/ufw-rules/user.rules" "$FIXTURES/ufw-rules/user6.rules" "$R2/etc/ufw/"

recipe close25.conf <<EOF
[firewall]
close = 25/tcp
enable = no
EOF

test_expect_success 'ufw rules: a multi-port rule that also opens 465/587 stays, a deny goes in front' '
	$HW --root "$R2" --apply "$T/close25.conf" --dry-run > "$T/r2.dry" &&
	runs "$T/r2.dry" > "$T/r2.runs" &&
	grep -qx "ufw prepend deny 25/tcp" "$T/r2.runs" &&
	! grep -q "ufw delete" "$T/r2.runs" &&
	grep -q "ufw rule .allow 25,465,587/tcp. also opens other ports" "$T/r2.dry"
'

test_expect_success 'ufw rules: closing all three removes the rule; ufw deny out 25 counts as blocked' '
	$HW --root "$R2" --apply "$T/mail.conf" --dry-run > "$T/r2b.dry" &&
	runs "$T/r2b.dry" > "$T/r2b.runs" &&
	grep -qx "ufw delete allow 25,465,587/tcp" "$T/r2b.runs" &&
	! grep -q "before.rules" "$T/r2b.dry" &&
	grep -q "blocks outgoing SMTP for every user, the MTA included" "$T/r2b.dry" &&
	grep -q "192.0.2.0/24 is limited to that source and left alone" "$T/r2b.dry" &&
	test "$(grep -c "ufw rule .allow 3000/tcp. on interface eth0 is left alone" "$T/r2b.dry")" = 1 &&
	! grep -qx "ufw allow 80/tcp" "$T/r2b.runs"
'

recipe close-ssh-app.conf <<EOF
[ssh]
port = 2222
[firewall]
close = 22/tcp
EOF

test_expect_success 'the OpenSSH app rule and port 22 stay while SSH moves away from 22' '
	test_expect_code 4 $HW --root "$R2" --apply "$T/close-ssh-app.conf" --dry-run 2>"$T/app.err" &&
	grep -q "refusing to close 22/tcp" "$T/app.err"
'

recipe move.conf <<EOF
[firewall]
enable = yes
[ssh]
port = 2222
EOF

test_expect_success 'SSH move: new port allowed before the firewall and sshd act, old kept' '
	cp -a "$U" "$T/move" &&
	sed -i "s/^ENABLED=no/ENABLED=yes/" "$T/move/etc/ufw/ufw.conf" &&
	$HW --root "$T/move" --apply "$T/move.conf" --dry-run > "$T/move.dry" &&
	runs "$T/move.dry" > "$T/move.runs" &&
	head -n 2 "$T/move.runs" | sort | diff - <(printf "%s\n" "ufw allow 22/tcp" "ufw allow 2222/tcp") &&
	tail -n 1 "$T/move.runs" | grep -q "systemctl try-reload-or-restart ssh" &&
	! grep -q "delete" "$T/move.runs" &&
	grep -q "the old SSH port stays open while sshd moves to 2222" "$T/move.dry"
'

recipe sshonly.conf <<EOF
[ssh]
port = 2222
EOF

test_expect_success 'SSH move without a [firewall] section still opens the port first' '
	$HW --root "$T/move" --apply "$T/sshonly.conf" --dry-run > "$T/so.dry" &&
	runs "$T/so.dry" > "$T/so.runs" &&
	printf "%s\n" "ufw allow 2222/tcp" "systemctl try-reload-or-restart ssh" |
	    diff - "$T/so.runs"
'

F=$T/fwd
mkroot rocky9 "$F"
with_firewalld "$F"
mkdir -p "$F/etc/firewalld/zones"
sed "s|</zone>|  <service name=\"smtp\"/>\n  <service name=\"smtp-submission\"/>\n  <port port=\"465\" protocol=\"tcp\"/>\n</zone>|" \
    "$F/usr/lib/firewalld/zones/public.xml" > "$F/etc/firewalld/zones/public.xml"
snapshot "$F" > "$T/f.pristine"

test_expect_success 'firewalld offline: services and ports that open mail are removed per zone' '
	$HW --root "$F" --apply "$T/mail.conf" --dry-run > "$T/f.dry" &&
	runs "$T/f.dry" > "$T/f.runs" &&
	grep -qx "firewall-offline-cmd --zone=public --add-port=80/tcp" "$T/f.runs" &&
	grep -qx "firewall-offline-cmd --zone=public --remove-service-from-zone=smtp" "$T/f.runs" &&
	grep -qx "firewall-offline-cmd --zone=public --remove-service-from-zone=smtp-submission" "$T/f.runs" &&
	grep -qx "firewall-offline-cmd --zone=public --remove-port=465/tcp" "$T/f.runs" &&
	grep -qx "firewall-offline-cmd --direct --add-rule ipv6 filter OUTPUT 1 -p tcp --dport 25 -j REJECT --reject-with tcp-reset" "$T/f.runs" &&
	! grep -q "ssh" "$T/f.runs" &&
	snapshot "$F" | diff - "$T/f.pristine"
'

# firewalld 2: a service can be only an <include> of another (Debian 13's
# smtp-submission is <include service="submission"/>). A rich rule's
# <service> and <port> are the rule's, not the zone's: firewall-cmd
# --remove-service would not touch them, so removing them changes nothing
# and would be planned again every run. Written here as this machine's
# firewalld would not ship them.
H=$T/fwd2
cp -a "$F" "$H"
mkdir -p "$H/etc/firewalld/services"
cat > "$H/etc/firewalld/services/mail-old.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<service>
  <short>old name</short>
  <include service="mail-new"/>
</service>
EOF
cat > "$H/etc/firewalld/services/mail-new.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<service>
  <short>new name</short>
  <port protocol="tcp" port="587"/>
</service>
EOF
sed "s|</zone>|  <service name=\"mail-old\"/>\n  <rule family=\"ipv4\">\n    <source address=\"192.0.2.0/24\"/>\n    <service name=\"smtps\"/>\n    <accept/>\n  </rule>\n  <rule family=\"ipv6\">\n    <port port=\"465\" protocol=\"tcp\"/>\n    <accept/>\n  </rule>\n</zone>|" \
    "$H/usr/lib/firewalld/zones/public.xml" > "$H/etc/firewalld/zones/public.xml"
snapshot "$H" > "$T/h.pristine"

recipe close587.conf <<EOF
[firewall]
backend = firewalld
close = 587/tcp 465/tcp
EOF

test_expect_success 'firewalld: a service included by another is followed; a rich rule from anywhere is removed, one with a source reported' '
	$HW --root "$H" --apply "$T/close587.conf" --dry-run > "$T/h.dry" &&
	runs "$T/h.dry" > "$T/h.runs" &&
	grep -qx "firewall-offline-cmd --zone=public --remove-service-from-zone=mail-old" "$T/h.runs" &&
	grep -qxF "firewall-offline-cmd --zone=public '"'"'--remove-rich-rule=rule family=\"ipv6\" port port=\"465\" protocol=\"tcp\" accept'"'"'" "$T/h.runs" &&
	! grep -q "smtps" "$T/h.runs" &&
	grep -q "zone public has a rich rule (ipv4) that accepts 465/tcp: hardenwiz leaves rich rules with a source, logging or limits alone" "$T/h.dry" &&
	$HW --root "$H" --audit --only firewall > "$T/h.audit" &&
	grep -q "rich rule (ipv4) that accepts 465/tcp" "$T/h.audit" &&
	snapshot "$H" | diff - "$T/h.pristine"
'

G=$T/rocky
mkroot rocky9 "$G"

test_expect_success 'auto on RHEL without a firewall: dnf installs firewalld, enabled last' '
	$HW --root "$G" --apply "$T/mail.conf" --dry-run > "$T/g.dry" &&
	runs "$T/g.dry" > "$T/g.runs" &&
	head -n 1 "$T/g.runs" | grep -qx "dnf install -y firewalld" &&
	tail -n 1 "$T/g.runs" | grep -qx "systemctl enable --now firewalld" &&
	grep -qx "firewall-offline-cmd --zone=public --add-port=22/tcp" "$T/g.runs"
'

recipe want-fwd.conf <<EOF
[firewall]
backend = firewalld
EOF

test_expect_success 'firewalld asked for on Debian without it: refused with the reason' '
	test_expect_code 1 $HW --root "$T/move" --apply "$T/want-fwd.conf" --dry-run 2> "$T/wf.err" &&
	grep -q "firewalld is not installed, and on Debian and Ubuntu installing it starts it" "$T/wf.err"
'

test_expect_success 'two active firewalls: auto refuses to guess' '
	cp -a "$T/move" "$T/both" &&
	with_firewalld "$T/both" &&
	test_expect_code 1 $HW --root "$T/both" --apply "$T/mail.conf" --dry-run 2> "$T/both.err" &&
	grep -q "both ufw and firewalld are active" "$T/both.err"
'

test_expect_success 'audit JSON: listeners, picks in the findings, no loopback ones' '
	$HW --root "$U" --audit --json > "$T/audit.json" &&
	python3 - "$T/audit.json" <<-EOF2
	import json, sys
	d = json.load(open(sys.argv[1]))
	f = [s for s in d["steps"] if s["id"] == "firewall"][0]
	keys = [x["key"] for x in f["findings"]]
	assert "listening 3306/tcp (mariadbd)" in keys, keys
	assert "listening 80/tcp (?)" in keys, keys
	assert not any("8080" in k for k in keys), keys
	assert not any("22/tcp" in k for k in keys), keys
	assert {"key": "incoming 25/tcp", "current": "open", "wanted": "closed"} in f["findings"], f
	EOF2
'

test_expect_success 'Docker: published ports are named, with the bypass warning' '
	cp -a "$U" "$T/docker" &&
	mkdir -p "$T/docker/usr/bin" "$T/docker/proc/1234/fd" &&
	: > "$T/docker/usr/bin/dockerd" &&
	echo docker-proxy > "$T/docker/proc/1234/comm" &&
	ln -s "socket:[21013]" "$T/docker/proc/1234/fd/7" &&
	$HW --root "$T/docker" --audit > "$T/docker.out" &&
	grep -q "Docker publishes 80/tcp: published ports bypass ufw and firewalld" "$T/docker.out"
'

test_done
