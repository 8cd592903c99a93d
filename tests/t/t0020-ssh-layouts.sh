#!/bin/bash
# t0020: the SSH step on real distribution layouts, judged by the real
# sshd -T: Debian 12, Debian 12 ending in a Match block (with and without
# the Include line), Ubuntu 24.04 with cloud-init's drop-in, Rocky 9 with
# Anaconda's drop-in. Dry run changes nothing; the dry-run diff reproduces
# the change with patch -p1; a second apply changes nothing; rollback is
# byte-exact; the guard and the validator refuse with nothing changed.
. "$(dirname "$0")/lib.sh"
need_root

recipe ssh.conf <<'EOF2'
[ssh]
port = 2222
password_authentication = no
permit_root_login = prohibit-password
EOF2

layouts="debian12 debian12-match debian12-match-noinclude ubuntu2404 rocky9"

make_layout() {
	case $1 in
	debian12-match-noinclude)
		mkroot debian12-match "$2"
		sed -i '/^Include/d' "$2/etc/ssh/sshd_config" ;;
	*)	mkroot "$1" "$2" ;;
	esac
}

for L in $layouts; do
	R=$T/$L
	make_layout "$L" "$R"
	snapshot "$R" > "$T/$L.pristine"

	test_expect_success "$L: before, sshd -T shows the weak defaults" '
		case $L in
		ubuntu2404) expect_T "$R" passwordauthentication yes ;;
		rocky9) expect_T "$R" permitrootlogin yes ;;
		*) expect_T "$R" passwordauthentication yes ;;
		esac
	'

	test_expect_success "$L: dry run shows the diff and changes nothing" '
		$HW --root "$R" --apply "$T/ssh.conf" --dry-run > "$T/$L.diff" &&
		grep -q "^+++ b/etc/ssh/" "$T/$L.diff" &&
		grep -q "^# dry run: nothing was changed" "$T/$L.diff" &&
		snapshot "$R" | diff - "$T/$L.pristine"
	'

	test_expect_success "$L: apply; sshd -T agrees" '
		$HW --root "$R" --apply "$T/ssh.conf" > "$T/$L.apply" 2>&1 &&
		expect_T "$R" port 2222 &&
		expect_T "$R" passwordauthentication no &&
		expect_T "$R" kbdinteractiveauthentication no &&
		expect_T "$R" permitrootlogin without-password
	'

	test_expect_success "$L: patch -p1 of the dry-run diff gives the same files" '
		P=$T/$L.patched &&
		make_layout "$L" "$P" &&
		cp -a "$R/etc/ssh/"ssh_host_* "$P/etc/ssh/" &&
		patch -s -p1 -d "$P" < "$T/$L.diff" &&
		diff -r -x hardenwiz "$R/etc" "$P/etc"
	'

	test_expect_success "$L: a second apply changes nothing and says so" '
		snapshot "$R" > "$T/$L.after" &&
		$HW --root "$R" --apply "$T/ssh.conf" > "$T/$L.again" &&
		grep -q "^# nothing to change" "$T/$L.again" &&
		! grep -q "^+++" "$T/$L.again" &&
		snapshot "$R" | diff - "$T/$L.after"
	'

	test_expect_success "$L: rollback is byte-exact" '
		$HW --root "$R" --rollback &&
		snapshot "$R" | diff - "$T/$L.pristine"
	'
done

test_expect_success 'Debian 12: settings go to a drop-in read first; sshd_config untouched' '
	R=$T/debian12 &&
	$HW --root "$R" --apply "$T/ssh.conf" >/dev/null 2>&1 &&
	cmp "$R/etc/ssh/sshd_config" "$FIXTURES/debian12/etc/ssh/sshd_config" &&
	grep -qx "Port 2222" "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf" &&
	test "$(stat -c %a "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf")" = 644 &&
	$HW --root "$R" --rollback
'

test_expect_success 'Match block: without Include, keys go above Match and the block is kept' '
	R=$T/debian12-match-noinclude &&
	$HW --root "$R" --apply "$T/ssh.conf" >/dev/null 2>&1 &&
	awk "/^PasswordAuthentication no/ { p = NR } /^Match User anoncvs/ { m = NR } END { exit !(p && m && p < m) }" "$R/etc/ssh/sshd_config" &&
	tail -5 "$R/etc/ssh/sshd_config" | grep -q "ForceCommand internal-sftp" &&
	$HW --root "$R" --rollback
'

test_expect_success 'Ubuntu 24.04: cloud-init drop-in brought in line, ssh.socket follows the port' '
	R=$T/ubuntu2404 &&
	$HW --root "$R" --apply "$T/ssh.conf" > "$T/u.out" 2>&1 &&
	grep -qx "PasswordAuthentication no" "$R/etc/ssh/sshd_config.d/50-cloud-init.conf" &&
	grep -qx "ListenStream=2222" "$R/etc/systemd/system/ssh.socket.d/00-hardenwiz.conf" &&
	grep -q "^# run: systemctl restart ssh.socket" "$T/u.out" &&
	$HW --root "$R" --rollback &&
	snapshot "$R" | diff - "$T/ubuntu2404.pristine"
'

test_expect_success 'Rocky 9: Anaconda drop-in brought in line, unit is sshd' '
	R=$T/rocky9 &&
	$HW --root "$R" --apply "$T/ssh.conf" > "$T/r.out" 2>&1 &&
	grep -qx "PermitRootLogin prohibit-password" "$R/etc/ssh/sshd_config.d/01-permitrootlogin.conf" &&
	grep -q "^# run: systemctl try-reload-or-restart sshd" "$T/r.out" &&
	$HW --root "$R" --rollback
'

test_expect_success 'Rocky 9 with SELinux: the new port is labelled before sshd reloads' '
	R=$T/rocky9-selinux &&
	mkroot rocky9 "$R" &&
	mkdir -p "$R/etc/selinux" && printf "SELINUX=enforcing\nSELINUXTYPE=targeted\n" > "$R/etc/selinux/config" &&
	$HW --root "$R" --apply "$T/ssh.conf" --dry-run > "$T/se.out" &&
	grep -n "^# run:" "$T/se.out" > "$T/se.runs" &&
	head -1 "$T/se.runs" | grep -q "semanage port -a -t ssh_port_t -p tcp 2222" &&
	tail -1 "$T/se.runs" | grep -q "systemctl try-reload-or-restart sshd" &&
	$HW --root "$R" --apply "$T/ssh.conf" --json > "$T/se.json" &&
	python3 -c "import json,sys; c=json.load(open(sys.argv[1]))[\"steps\"][0][\"commands\"]; assert c[0][:3] == [\"semanage\", \"port\", \"-a\"], c" "$T/se.json" &&
	grep -q "\"semanage\"" "$R"/var/lib/hardenwiz/journal/*/manifest.json &&
	grep -q "\"-d\"" "$R"/var/lib/hardenwiz/journal/*/manifest.json
'

test_expect_success 'a Match block re-enabling passwords is reported, not rewritten' '
	R=$T/matchpw &&
	mkroot debian12 "$R" &&
	printf "\nMatch Group sftponly\n\tPasswordAuthentication yes\n" >> "$R/etc/ssh/sshd_config" &&
	$HW --root "$R" --apply "$T/ssh.conf" > "$T/mp.out" 2>&1 &&
	grep -q "^# note: /etc/ssh/sshd_config: a Match block sets .PasswordAuthentication yes." "$T/mp.out" &&
	tail -2 "$R/etc/ssh/sshd_config" | grep -q "PasswordAuthentication yes" &&
	$HW --root "$R" --audit | grep -q "a Match block sets" &&
	expect_T "$R" passwordauthentication no
'

# A drop-in with Match blocks in every spelling sshd takes; a commented
# line and a "no" inside a block and a file sshd does not read give no note.
# fail2ban is there, so its audit shows the SSH ports it reads.
match_dropin() {
	mkdir -p "$1/etc/fail2ban" && touch "$1/etc/fail2ban/jail.conf" &&
	printf "Port 2200\nMatch User bob\n  PasswordAuthentication=yes\n  # KbdInteractiveAuthentication yes\nMatch Group staff\n\tKbdInteractiveAuthentication = \"YES\"\n\tPasswordAuthentication no\n" > "$1/etc/ssh/sshd_config.d/50-match.conf" &&
	printf "Match User carol\n\tPasswordAuthentication yes\n" > "$1/etc/ssh/sshd_config.d/60-unread.txt"
}

# The two notes match_dropin's blocks give, and no other; sshd's port 2200
# reaches the fail2ban jail.
match_notes() {
	test "$(grep -c "a Match block sets" "$1")" = 2 &&
	grep -q "/etc/ssh/sshd_config.d/50-match.conf: a Match block sets .PasswordAuthentication yes." "$1" &&
	grep -q "/etc/ssh/sshd_config.d/50-match.conf: a Match block sets .KbdInteractiveAuthentication yes." "$1" &&
	grep -q "sshd jail: not set up by hardenwiz -> 2200$" "$1"
}

test_expect_success 'audit: sshd -T and the files'"'"' text say it all, no Sshd lens is loaded' '
	R=$T/auditview &&
	mkroot debian12 "$R" &&
	match_dropin "$R" &&
	$TRACED strace -f -e trace=openat -o "$T/av.trace" \
	    $HW --root "$R" --audit --only ssh,firewall,fail2ban > "$T/av.out" &&
	joined "$T/av.trace" &&
	# What the audit said, when a note is missing or wrong.
	{ { match_notes "$T/av.out" &&
	    ! grep -q "could not run" "$T/av.out" &&
	    grep -q "PasswordAuthentication: yes -> no" "$T/av.out" &&
	    grep -q "key login possible for: root (1 key)" "$T/av.out"; } ||
	    { cat "$T/av.out"; false; }; } &&
	grep -q "50-match\.conf\", O_RDONLY) = [0-9]" "$T/av.trace" &&
	{ ! grep -q "sshd\.aug\", O_RDONLY) = [0-9]" "$T/av.trace" ||
	    { echo "the Sshd lens was loaded:"; grep "sshd\.aug\|execve" "$T/av.trace"; false; }; }
'

test_expect_success 'audit: when sshd -T refuses the files, the Sshd lens reads them to the same notes' '
	R=$T/auditfiles &&
	mkroot debian12 "$R" &&
	match_dropin "$R" &&
	echo "NoSuchKeyword yes" > "$R/etc/ssh/sshd_config.d/70-bad.conf" &&
	$HW --root "$R" --audit --only ssh,firewall,fail2ban > "$T/af.out" &&
	match_notes "$T/af.out" &&
	grep -q "sshd -T could not run (.*NoSuchKeyword" "$T/af.out" &&
	grep -q "); values read from the files$" "$T/af.out" &&
	grep -q "PasswordAuthentication: yes -> no" "$T/af.out" &&
	grep -q "key login possible for: root (1 key)" "$T/af.out"
'

test_expect_success 'guard: no usable key anywhere -> exit 4, nothing changed' '
	R=$T/guard &&
	mkroot debian12 "$R" &&
	rm "$R/root/.ssh/authorized_keys" &&
	snapshot "$R" > "$T/guard.pristine" &&
	test_expect_code 4 $HW --root "$R" --apply "$T/ssh.conf" 2>"$T/err" &&
	grep -q "refusing to turn off password login" "$T/err" &&
	snapshot "$R" | diff - "$T/guard.pristine"
'

test_expect_success 'guard: a key with a forced command does not count' '
	R=$T/guard &&
	key=$(cat "$FIXTURES/debian12/root/.ssh/authorized_keys") &&
	echo "command=\"echo Please login as ubuntu\" $key" > "$R/root/.ssh/authorized_keys" &&
	test_expect_code 4 $HW --root "$R" --apply "$T/ssh.conf" 2>"$T/err"
'

test_expect_success 'guard: a world-writable ~/.ssh does not count (StrictModes)' '
	R=$T/guard &&
	cp "$FIXTURES/debian12/root/.ssh/authorized_keys" "$R/root/.ssh/authorized_keys" &&
	chmod 0777 "$R/root/.ssh" &&
	test_expect_code 4 $HW --root "$R" --apply "$T/ssh.conf" 2>"$T/err" &&
	chmod 0700 "$R/root/.ssh"
'

test_expect_success 'guard: root-only key with permit_root_login = no -> exit 4' '
	R=$T/guard &&
	recipe noroot.conf <<-EOF2 &&
	[ssh]
	password_authentication = no
	permit_root_login = no
	EOF2
	snapshot "$R" > "$T/guard1.pristine" &&
	test_expect_code 4 $HW --root "$R" --apply "$T/noroot.conf" 2>"$T/err" && grep -q "refusing to" "$T/err" &&
	snapshot "$R" | diff - "$T/guard1.pristine"
'

test_expect_success 'guard: passwords off already, permit_root_login = no is named as such' '
	R=$T/rootonly &&
	mkroot debian12 "$R" &&
	echo "PasswordAuthentication no" > "$R/etc/ssh/sshd_config.d/10-nopw.conf" &&
	recipe rootno.conf <<-EOF2 &&
	[ssh]
	permit_root_login = no
	EOF2
	test_expect_code 4 $HW --root "$R" --apply "$T/rootno.conf" 2>"$T/err" &&
	grep -q "refusing to restrict root login" "$T/err"
'

test_expect_success 'a key installed for a user first makes the change safe' '
	R=$T/guard &&
	rm "$R/root/.ssh/authorized_keys" &&
	ssh-keygen -q -t ed25519 -N "" -C admin@test -f "$T/admin_key" &&
	recipe withkey.conf <<-EOF2 &&
	[ssh]
	password_authentication = no
	permit_root_login = no
	authorized_key = $(cat "$T/admin_key.pub")
	key_user = admin
	EOF2
	snapshot "$R" > "$T/guard2.pristine" &&
	$HW --root "$R" --apply "$T/withkey.conf" > "$T/key.out" 2>&1 &&
	test "$(stat -c "%a %u %g" "$R/home/admin/.ssh")" = "700 1000 1000" &&
	test "$(stat -c "%a %u %g" "$R/home/admin/.ssh/authorized_keys")" = "600 1000 1000" &&
	grep -qF "$(cut -d" " -f2 "$T/admin_key.pub")" "$R/home/admin/.ssh/authorized_keys" &&
	grep -q "# note: key SHA256:" "$T/key.out" &&
	expect_T "$R" permitrootlogin no &&
	$HW --root "$R" --apply "$T/withkey.conf" | grep -q "nothing to change" &&
	$HW --root "$R" --rollback &&
	test ! -e "$R/home/admin/.ssh" &&
	snapshot "$R" | diff - "$T/guard2.pristine"
'

test_expect_success 'key_user that does not exist: exit 1, nothing changed' '
	R=$T/guard &&
	recipe nouser.conf <<-EOF2 &&
	[ssh]
	authorized_key = $(cat "$T/admin_key.pub")
	key_user = nosuchuser
	EOF2
	test_expect_code 1 $HW --root "$R" --apply "$T/nouser.conf" 2>"$T/err" && grep -q "no user .nosuchuser." "$T/err" &&
	snapshot "$R" | diff - "$T/guard2.pristine"
'

test_expect_success 'validator: sshd -t rejects a broken drop-in -> exit 3, nothing changed' '
	R=$T/broken &&
	mkroot debian12 "$R" &&
	echo "PasswordAuthenticaton no" > "$R/etc/ssh/sshd_config.d/10-typo.conf" &&
	snapshot "$R" > "$T/broken.pristine" &&
	test_expect_code 3 $HW --root "$R" --apply "$T/ssh.conf" 2>"$T/err" &&
	grep -q "sshd rejected the configuration (sshd -T, exit 255)" "$T/err" &&
	grep -q "Bad configuration option: PasswordAuthenticaton" "$T/err" &&
	snapshot "$R" | diff - "$T/broken.pristine"
'

test_expect_success 'a link out of the root is refused, naming it' '
	R=$T/escape &&
	mkroot debian12 "$R" &&
	mkdir "$T/outside" && cp "$R/etc/ssh/sshd_config" "$T/outside/" &&
	rm "$R/etc/ssh/sshd_config" && ln -s "$T/outside/sshd_config" "$R/etc/ssh/sshd_config" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/ssh.conf" 2>"$T/err" && grep -q "outside the root" "$T/err" &&
	cmp "$T/outside/sshd_config" "$FIXTURES/debian12/etc/ssh/sshd_config"
'

test_expect_success 'a file Augeas cannot parse: the audit reads sshd -T; apply exits 1 naming file and line' '
	R=$T/unparsable &&
	mkroot debian12 "$R" &&
	printf "Match all\n\tX11Forwarding no\n" >> "$R/etc/ssh/sshd_config" &&
	$HW --root "$R" --audit --only ssh > "$T/up.audit" &&
	grep -q "^ssh  *needs-change" "$T/up.audit" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/ssh.conf" 2>"$T/err" && grep -q "etc/ssh/sshd_config:[0-9]*:[0-9]*: cannot parse" "$T/err"
'

test_done
