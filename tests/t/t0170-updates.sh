#!/bin/bash
# t0170: the updates step. Under --root: APT's own parser (apt-config)
# reads the candidate with every file of the root's apt.conf.d; the file
# hardenwiz owns wins over 20auto-upgrades and adds a security origin
# only when none is allowed; rollback is byte for byte. Live, in a booted
# Debian with unattended-upgrades and a local archive that calls itself
# Debian-Security: APT's daily job upgrades a package only once the step
# turned it on, and unattended-upgrade --dry-run checks the change. (The
# archive is the only source; sources.list is left empty, not removed:
# unattended-upgrade creates an empty one when there is none.)
. "$(dirname "$0")/lib.sh"

R=$T/root
mkroot debian12 "$R"
snapshot "$R" > "$T/pristine"

recipe up.conf <<EOF
[updates]
automatic = yes
reboot = 04:30
EOF
recipe bad-time.conf <<EOF
[updates]
reboot = 25:00
EOF
recipe off.conf <<EOF
[updates]
automatic = no
EOF

test_expect_success 'audit: no unattended-upgrades, no periodic run, no security origin' '
	$HW --root "$R" --audit --only updates > "$T/audit.out" &&
	grep -q "unattended-upgrades: not installed -> installed" "$T/audit.out" &&
	grep -q "APT::Periodic::Unattended-Upgrade: unset -> 1" "$T/audit.out" &&
	grep -q "Origins-Pattern: no security origin -> the security archive" "$T/audit.out"
'

test_expect_success 'plan: the owned file with the security origin, the package installed' '
	$HW --root "$R" --apply "$T/up.conf" --dry-run > "$T/plan.out" &&
	grep -qx "+APT::Periodic::Unattended-Upgrade \"1\";" "$T/plan.out" &&
	grep -qx "+Unattended-Upgrade::Automatic-Reboot-Time \"04:30\";" "$T/plan.out" &&
	grep -qx "+	\"origin=Debian,codename=\${distro_codename}-security,label=Debian-Security\";" "$T/plan.out" &&
	grep -qx "# run: apt-get install -y unattended-upgrades  (skipped: offline root)" "$T/plan.out"
'

test_expect_success 'with Debian'"'"'s files: no second origin; the owned file wins over 20auto-upgrades' '
	mkdir -p "$R/etc/apt/apt.conf.d" "$R/usr/bin" &&
	: > "$R/usr/bin/unattended-upgrade" &&
	printf "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"0\";\n" \
	    > "$R/etc/apt/apt.conf.d/20auto-upgrades" &&
	printf "Unattended-Upgrade::Origins-Pattern {\n        \"origin=Debian,codename=\${distro_codename},label=Debian-Security\";\n        \"origin=Debian,codename=\${distro_codename}-security,label=Debian-Security\";\n};\n" \
	    > "$R/etc/apt/apt.conf.d/50unattended-upgrades" &&
	snapshot "$R" > "$T/debian" &&
	$HW --root "$R" --audit --only updates > "$T/audit2.out" &&
	grep -q "APT::Periodic::Unattended-Upgrade: 0 -> 1" "$T/audit2.out" &&
	! grep -q "Origins-Pattern" "$T/audit2.out" &&
	$HW --root "$R" --apply "$T/up.conf" > "$T/apply.out" &&
	! grep -q "Origins-Pattern" "$R/etc/apt/apt.conf.d/52hardenwiz-updates" &&
	! grep -q "apt-get install" "$T/apply.out" &&
	$HW --root "$R" --audit --only updates | grep -q "^updates  *ok" &&
	$HW --root "$R" --apply "$T/up.conf" | grep -q "^# nothing to change" &&
	$HW --root "$R" --rollback > /dev/null &&
	snapshot "$R" | diff - "$T/debian"
'

test_expect_success 'automatic = no: the periodic run off, said so' '
	$HW --root "$R" --apply "$T/off.conf" --dry-run > "$T/off.out" &&
	grep -qx "+APT::Periodic::Unattended-Upgrade \"0\";" "$T/off.out" &&
	grep -q "automatic updates off" "$T/off.out"
'

test_expect_success 'refused: a reboot time that is no time; an APT file APT rejects' '
	test_expect_code 1 $HW --root "$R" --apply "$T/bad-time.conf" 2> "$T/time.err" &&
	grep -q "reboot = 25:00: no, or a time such as 04:00" "$T/time.err" &&
	printf "Foo \"bar\"\nBaz { \"x\" " > "$R/etc/apt/apt.conf.d/60broken" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/up.conf" 2> "$T/broken.err" &&
	grep -q "APT rejects the configuration (apt-config)" "$T/broken.err" &&
	rm "$R/etc/apt/apt.conf.d/60broken" &&
	snapshot "$R" | diff - "$T/debian"
'

# ---- live: a booted Debian, a local archive with version 2 of a package ----
command -v debootstrap >/dev/null || { test_done; exit; }
S=$T/sys
sd_prepare t0170

# deb NAME VERSION: a package that installs /usr/share/NAME/VERSION,
# and what $T/extra-NAME-VERSION holds (its maintainer scripts, files).
deb() {
	d=$T/pkg-$1-$2
	mkdir -p "$d/DEBIAN" "$d/usr/share/$1" &&
	{ ! test -d "$T/extra-$1-$2" || cp -a "$T/extra-$1-$2/." "$d/"; } &&
	echo "$2" > "$d/usr/share/$1/version" &&
	printf "Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: hardenwiz test package\n" \
	    "$1" "$2" > "$d/DEBIAN/control" &&
	dpkg-deb --root-owner-group --build "$d" "$T/$1_$2_all.deb" > /dev/null
}

# archive DIR SUITE: a flat archive of DIR/*.deb that calls itself
# Debian's security archive (what the security origin pattern matches).
archive() {
	for f in "$1"/*.deb; do
		dpkg-deb -f "$f" &&
		echo "Filename: ./$(basename "$f")" &&
		echo "Size: $(stat -c %s "$f")" &&
		echo "SHA256: $(sha256sum "$f" | cut -d" " -f1)" &&
		echo || return 1
	done > "$1/Packages" &&
	printf "Origin: Debian\nLabel: Debian-Security\nSuite: stable-security\nCodename: %s-security\nDate: %s\nSHA256:\n %s %s Packages\n" \
	    "$2" "$(date -Ru)" "$(sha256sum "$1/Packages" | cut -d" " -f1)" \
	    "$(stat -c %s "$1/Packages")" > "$1/Release"
}

version_of() {
	in_sd dpkg-query -W -f "\${Version}" hwtest-dummy
}

test_expect_success 'live: version 1 installed, version 2 in the local archive' '
	sd_make_root "$S" unattended-upgrades &&
	deb hwtest-dummy 1.0 && deb hwtest-dummy 2.0 &&
	mkdir -p "$S/srv/archive" && cp "$T/hwtest-dummy_2.0_all.deb" "$S/srv/archive/" &&
	archive "$S/srv/archive" "$SUITE" &&
	cp "$T/hwtest-dummy_1.0_all.deb" "$S/root/" &&
	rm -f "$S/etc/apt/sources.list.d/"* &&
	: > "$S/etc/apt/sources.list" &&
	echo "deb [trusted=yes] file:/srv/archive ./" > "$S/etc/apt/sources.list.d/hwtest.list" &&
	printf "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"0\";\n" \
	    > "$S/etc/apt/apt.conf.d/20auto-upgrades" &&
	printf "APT::Periodic::RandomSleep \"0\";\n" > "$S/etc/apt/apt.conf.d/99hwtest" &&
	boot &&
	in_sd dpkg -i /root/hwtest-dummy_1.0_all.deb > /dev/null &&
	test "$(version_of)" = 1.0
'

test_expect_success 'live: APT'"'"'s daily job does not upgrade while the run is off' '
	in_sd /usr/lib/apt/apt.systemd.daily update &&
	in_sd /usr/lib/apt/apt.systemd.daily install &&
	test "$(version_of)" = 1.0
'

test_expect_success 'live: the step turns it on (unattended-upgrade --dry-run passes); rollback is byte for byte' '
	printf "[updates]\nautomatic = yes\nmail =\n" > "$S/root/up.conf" && chmod 600 "$S/root/up.conf" &&
	tar -C "$S/etc" -cf "$T/apt-before.tar" apt &&
	in_sd hardenwiz --apply /root/up.conf > "$T/live.out" &&
	in_sd apt-config dump | grep -qx "APT::Periodic::Unattended-Upgrade \"1\";" &&
	in_sd hardenwiz --rollback > /dev/null &&
	mkdir "$T/after" && tar -C "$T/after" -xf "$T/apt-before.tar" &&
	diff -r "$T/after/apt" "$S/etc/apt"
'

test_expect_success 'live: turned on, APT'"'"'s daily job upgrades the package' '
	in_sd hardenwiz --apply /root/up.conf > /dev/null &&
	in_sd /usr/lib/apt/apt.systemd.daily install &&
	test "$(version_of)" = 2.0
'

# ---- upgrade now: a reboot asked for, an edited conffile, a daemon ----
# hwtest-dummy 3.0 asks for a reboot as a kernel does; hwtest-conf 2.0
# ships a new /etc/hwtest.conf the admin has edited (dpkg would ask);
# hwtest-daemon 2.0 replaces the program hwtest.service runs.
extras() {
	mkdir -p "$T/extra-hwtest-dummy-3.0/DEBIAN" &&
	printf "#!/bin/sh\ntouch /run/reboot-required\necho hwtest-dummy >> /run/reboot-required.pkgs\n" \
	    > "$T/extra-hwtest-dummy-3.0/DEBIAN/postinst" &&
	chmod 755 "$T/extra-hwtest-dummy-3.0/DEBIAN/postinst" &&
	for v in 1.0 2.0; do
		mkdir -p "$T/extra-hwtest-conf-$v/DEBIAN" "$T/extra-hwtest-conf-$v/etc" &&
		echo "setting = $v" > "$T/extra-hwtest-conf-$v/etc/hwtest.conf" &&
		echo /etc/hwtest.conf > "$T/extra-hwtest-conf-$v/DEBIAN/conffiles" &&
		x=$T/extra-hwtest-daemon-$v &&
		mkdir -p "$x/usr/lib/hwtest" "$x/lib/systemd/system" &&
		cp "$S/bin/sleep" "$x/usr/lib/hwtest/hwtestd" &&
		printf "[Service]\nExecStart=/usr/lib/hwtest/hwtestd infinity\n" \
		    > "$x/lib/systemd/system/hwtest.service" || return 1
	done
}

test_expect_success 'live: before an upgrade, hwtest.service runs, /etc/hwtest.conf is edited' '
	extras &&
	deb hwtest-dummy 3.0 && deb hwtest-conf 1.0 && deb hwtest-conf 2.0 &&
	deb hwtest-daemon 1.0 && deb hwtest-daemon 2.0 &&
	cp "$T/hwtest-conf_1.0_all.deb" "$T/hwtest-daemon_1.0_all.deb" "$S/root/" &&
	in_sd dpkg -i /root/hwtest-conf_1.0_all.deb /root/hwtest-daemon_1.0_all.deb > /dev/null &&
	echo "setting = mine" > "$S/etc/hwtest.conf" &&
	in_sd systemctl daemon-reload && in_sd systemctl start hwtest.service &&
	rm "$S/srv/archive/"*.deb &&
	cp "$T/hwtest-dummy_3.0_all.deb" "$T/hwtest-conf_2.0_all.deb" \
	    "$T/hwtest-daemon_2.0_all.deb" "$S/srv/archive/" &&
	archive "$S/srv/archive" "$SUITE" &&
	printf "[updates]\nautomatic = yes\nmail =\nnow = yes\n" > "$S/root/now.conf" &&
	chmod 600 "$S/root/now.conf"
'

test_expect_success 'live: the dry run lists the upgrades and changes nothing' '
	in_sd hardenwiz --apply /root/now.conf --dry-run > "$T/now-dry.out" &&
	grep -q "^# upgrade now: apt-get update, then apt-get upgrade of 3 packages" "$T/now-dry.out" &&
	grep -qx "#   hwtest-dummy 2.0 -> 3.0" "$T/now-dry.out" &&
	grep -qx "#   hwtest-conf 1.0 -> 2.0" "$T/now-dry.out" &&
	test "$(version_of)" = 2.0 &&
	test "$(cat "$S/etc/hwtest.conf")" = "setting = mine"
'

lock_held() { test -e "$S/root/locked"; }

test_expect_success 'live: upgraded while the dpkg lock was held a moment; the edited file kept; reboot and restart said' '
	{ in_sd python3 -c "import fcntl, time; f = open(\"/var/lib/dpkg/lock-frontend\", \"w\"); fcntl.lockf(f, fcntl.LOCK_EX); open(\"/root/locked\", \"w\"); time.sleep(6)" & } &&
	test_wait_until -t 10 lock_held &&
	in_sd hardenwiz --apply /root/now.conf > "$T/now.out" 2> "$T/now.err" &&
	grep -q "waiting for the package manager (held by process [0-9]* (python3)" "$T/now.err" &&
	grep -q "^hardenwiz: 100% " "$T/now.err" &&
	test "$(version_of)" = 3.0 &&
	test "$(cat "$S/etc/hwtest.conf")" = "setting = mine" &&
	test "$(cat "$S/etc/hwtest.conf.dpkg-dist")" = "setting = 2.0" &&
	grep -qx "# upgraded 3 packages:" "$T/now.out" &&
	grep -qx "#   hwtest-daemon 1.0 -> 2.0" "$T/now.out" &&
	grep -qx "# a reboot is needed (hwtest-dummy)" "$T/now.out" &&
	grep -q "^# still running the old version until restarted: hwtest.service (" "$T/now.out"
'

test_expect_success 'live: again, nothing to upgrade (JSON); once restarted, hwtest.service is not named' '
	in_sd systemctl restart hwtest.service &&
	in_sd hardenwiz --apply /root/now.conf --json > "$T/now.json" 2> /dev/null &&
	python3 -c "import json, sys; b = json.load(open(sys.argv[1]))[\"before\"]; sys.exit(b[0] != \"upgraded: nothing to upgrade\" or any(\"hwtest.service\" in l for l in b))" "$T/now.json" &&
	in_sd hardenwiz --apply /root/now.conf --dry-run > "$T/now-dry.out" &&
	grep -q "^# upgrade now: nothing to upgrade in the package lists as they are" "$T/now-dry.out"
'

test_expect_success 'live wizard: the upgrade list asked about, a gauge while the lock is held, what was done shown' '
	deb hwtest-dummy 4.0 &&
	rm "$S/srv/archive/"*.deb && cp "$T/hwtest-dummy_4.0_all.deb" "$S/srv/archive/" &&
	archive "$S/srv/archive" "$SUITE" &&
	rm -f "$S/root/locked" &&
	R=/ HW=/usr/local/sbin/hardenwiz WZ_PREFIX="nsenter -t $(cat "$T/sdpid") -m -p -n --" \
	    start --only updates &&
	wz_pick "Automatic updates" &&
	wait_for "Upgrade every package now" &&
	tm send-keys -t wz Tab Tab Tab Space F12 &&
	wait_for "hwtest-dummy 3.0 -> 4.0" &&
	wait_for "Do it now, before this step" &&
	{ in_sd python3 -c "import fcntl, time; f = open(\"/var/lib/dpkg/lock-frontend\", \"w\"); fcntl.lockf(f, fcntl.LOCK_EX); open(\"/root/locked\", \"w\"); time.sleep(6)" & } &&
	test_wait_until -t 10 lock_held &&
	tm send-keys -t wz Tab Enter &&
	wait_for "waiting for the package manager" &&
	test_wait_until -t 60 on_screen "upgraded 1 packages:" &&
	wait_for "hwtest-dummy 3.0 -> 4.0" &&
	test "$(version_of)" = 4.0 &&
	tm send-keys -t wz Enter &&
	wait_for "a apply  q back" &&
	wz_quit_from_preview
'

test_done
