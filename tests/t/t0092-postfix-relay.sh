#!/bin/bash
# t0092: the postfix-relay step. Offline: the diff, modes and masking.
# Live: a real Postfix in a private namespace relays through a test relay
# (python3-aiosmtpd, STARTTLS and AUTH required) in a second namespace over
# veth; the message arrives authenticated over TLS; the password appears
# nowhere hardenwiz writes for people.
. "$(dirname "$0")/lib.sh"
need_postfix
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null ||
	skip_all "needs python3-aiosmtpd (make deps-test)"

SECRET='Rel4y-s3cret-9f2b'
printf '%s\n' "$SECRET" > "$T/relay.secret"
chmod 600 "$T/relay.secret"
recipe relay.conf <<EOF
[postfix-relay]
host = [10.99.0.2]:587
user = apikey
password_file = $T/relay.secret
EOF

R=$T/root
mkroot debian12 "$R"
with_postfix "$R"
snapshot "$R" > "$T/pristine"

# relay_got: the relay stored the message sent through it ($T/got names it).
relay_got() {
	grep -ls "Subject: via-relay" "$T"/relayspool/*.eml > "$T/got"
}

test_expect_success 'a typo already in main.cf: exit 3 naming it, with the relay step alone or with others' '
	cp -a "$R" "$T/typo" &&
	echo "smtpd_clinet_restrictions = permit" >> "$T/typo/etc/postfix/main.cf" &&
	snapshot "$T/typo" > "$T/typo.snap" &&
	{ cat "$T/relay.conf"; printf "[postfix-ratelimit]\nmessage_rate = 100\n"; } > "$T/relay+limit.conf" &&
	chmod 600 "$T/relay+limit.conf" &&
	for c in relay.conf relay+limit.conf; do
		test_expect_code 3 $HW --root "$T/typo" --apply "$T/$c" > "$T/typo.out" 2>&1 &&
		grep -q "unused parameter: smtpd_clinet_restrictions" "$T/typo.out" &&
		snapshot "$T/typo" | diff - "$T/typo.snap" || { echo "recipe $c"; cat "$T/typo.out"; return 1; }
	done
'

test_expect_success 'offline: sasl_passwd 0600 and masked, TLS required, postmap before main.cf' '
	$HW --root "$R" --apply "$T/relay.conf" --dry-run > "$T/dry.out" &&
	grep -qx "+\[10.99.0.2\]:587 apikey:\*\*\*\*\*\*\*\*" "$T/dry.out" &&
	grep -qx "# mode /etc/postfix/sasl_passwd 0600 root:root (new file)" "$T/dry.out" &&
	grep -qx "+relayhost = \[10.99.0.2\]:587 *" "$T/dry.out" &&
	grep -qx "+smtp_tls_security_level=encrypt" "$T/dry.out" &&
	grep -qx "+smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd" "$T/dry.out" &&
	grep -qx "+smtp_sasl_security_options = noanonymous" "$T/dry.out" &&
	grep -q "^# run: apt-get install -y libsasl2-modules" "$T/dry.out" &&
	grep -n "^+++ b/etc/postfix/sasl_passwd\|^+++ b/etc/postfix/main.cf" "$T/dry.out" | head -n 1 | grep -q sasl_passwd &&
	! grep -q "$SECRET" "$T/dry.out"
'

test_expect_success 'offline apply: modes, JSON and history never show the password' '
	$HW --root "$R" --apply "$T/relay.conf" --json > "$T/apply.json" 2> "$T/apply.err" &&
	test "$(stat -c %a:%U "$R/etc/postfix/sasl_passwd")" = 600:root &&
	grep -qx "\[10.99.0.2\]:587 apikey:$SECRET" "$R/etc/postfix/sasl_passwd" &&
	$HW --root "$R" --history > "$T/hist.out" &&
	$HW --root "$R" --history --json > "$T/hist.json" &&
	$HW --root "$R" --audit --json > "$T/audit.json" &&
	! grep -l "$SECRET" "$T/apply.json" "$T/apply.err" "$T/hist.out" "$T/hist.json" "$T/audit.json" &&
	$HW --root "$R" --rollback &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'port 465 is wrapper mode' '
	sed "s/:587/:465/" "$T/relay.conf" > "$T/r465.conf" && chmod 600 "$T/r465.conf" &&
	$HW --root "$R" --apply "$T/r465.conf" --dry-run > "$T/465.out" &&
	grep -qx "+smtp_tls_wrappermode = yes" "$T/465.out"
'

test_expect_success 'a password written in the recipe is refused (exit 2)' '
	printf "[postfix-relay]\nhost = [10.99.0.2]:587\nuser = apikey\npassword = %s\n" "$SECRET" > "$T/inline.conf" &&
	chmod 600 "$T/inline.conf" &&
	test_expect_code 2 $HW --root "$R" --apply "$T/inline.conf" --dry-run > "$T/inline.out" 2>&1 &&
	grep -q "inline.conf:4: \[postfix-relay\] password: never written in a recipe" "$T/inline.out" &&
	! grep -q "$SECRET" "$T/inline.out"
'

test_expect_success 'a login name sasl_passwd cannot hold is named, not an Augeas error (exit 2)' '
	sed "s|^user = .*|user = jörg müller|" "$T/relay.conf" > "$T/login.conf" && chmod 600 "$T/login.conf" &&
	test_expect_code 2 $HW --root "$R" --apply "$T/login.conf" --dry-run > "$T/login.out" 2>&1 &&
	grep -q "\[postfix-relay\] user: .jörg müller. is not a login name hardenwiz can write for the relay" "$T/login.out" &&
	! grep -q "Failed to match" "$T/login.out"
'

test_expect_success 'password_env works; a missing variable is named' '
	sed "s|^password_file = .*|password_env = RELAY_PW|" "$T/relay.conf" > "$T/env.conf" && chmod 600 "$T/env.conf" &&
	RELAY_PW=$SECRET $HW --root "$R" --apply "$T/env.conf" --dry-run > "$T/env.out" &&
	grep -qx "+\[10.99.0.2\]:587 apikey:\*\*\*\*\*\*\*\*" "$T/env.out" &&
	! $HW --root "$R" --apply "$T/env.conf" --dry-run 2> "$T/env.err" &&
	grep -q "the variable RELAY_PW is not set" "$T/env.err"
'

OLDPW='Old-p4ss-A7'
NEWPW='New-p4ss-B8'
OTHERPW='Other-relay-C9'

test_expect_success 'rotation A -> B: neither password, nor another relay'"'"'s, shows anywhere' '
	rm -rf "$T/rot" && cp -a "$R" "$T/rot" &&
	printf "[smtp.other.example]:587 someone:%s\n[10.99.0.2]:587 apikey:%s\n" \
	    "$OTHERPW" "$OLDPW" > "$T/rot/etc/postfix/sasl_passwd" &&
	chmod 600 "$T/rot/etc/postfix/sasl_passwd" &&
	printf "%s\n" "$NEWPW" > "$T/new.secret" && chmod 600 "$T/new.secret" &&
	sed "s|^password_file = .*|password_file = $T/new.secret|" "$T/relay.conf" > "$T/rot.conf" &&
	chmod 600 "$T/rot.conf" &&
	$HW --root "$T/rot" --apply "$T/rot.conf" --dry-run > "$T/rot.dry" 2>&1 &&
	grep -qx "# secret /etc/postfix/sasl_passwd: its secret values change (not shown)" "$T/rot.dry" &&
	$HW --root "$T/rot" --apply "$T/rot.conf" --json > "$T/rot.json" 2> "$T/rot.err" &&
	$HW --root "$T/rot" --history > "$T/rot.hist" &&
	$HW --root "$T/rot" --history --json >> "$T/rot.hist" &&
	grep -qx "\[10.99.0.2\]:587 apikey:$NEWPW" "$T/rot/etc/postfix/sasl_passwd" &&
	for pw in "$OLDPW" "$NEWPW" "$OTHERPW"; do
		! grep -l -- "$pw" "$T/rot.dry" "$T/rot.json" "$T/rot.err" "$T/rot.hist" || return 1
	done
'

test_expect_success 'a one-letter password masks itself, not every such letter' '
	printf "a\n" > "$T/a.secret" && chmod 600 "$T/a.secret" &&
	sed "s|^password_file = .*|password_file = $T/a.secret|" "$T/relay.conf" > "$T/a.conf" &&
	chmod 600 "$T/a.conf" &&
	$HW --root "$R" --apply "$T/a.conf" --dry-run > "$T/a.out" &&
	grep -qx "+\[10.99.0.2\]:587 apikey:\*\*\*\*\*\*\*\*" "$T/a.out" &&
	grep -q "^+relayhost = \[10.99.0.2\]:587" "$T/a.out" &&
	grep -q "smtp_sasl_password_maps" "$T/a.out"
'

test_expect_success 'password_env: no child sees the password in its argv or environment' '
	RELAY_PW=$SECRET $TRACED strace -f -v -s 4096 -e trace=execve -o "$T/exec.trace" \
	    $HW --root "$R" --apply "$T/env.conf" --dry-run > /dev/null &&
	test "$(grep -c "execve(" "$T/exec.trace")" -ge 5 &&
	test "$(sed 1d "$T/exec.trace" | grep -c -- "$SECRET")" = 0 &&
	grep -q "RELAY_PW=$SECRET" "$T/exec.trace"
'

# environ_states SECRET CMD...: how CMD's hardenwiz process shows
# RELAY_PW in /proc/PID/environ while it runs, each change once: "secret",
# "wiped" (the name, then NULs), "other". strace holds the process half a
# second at its first prctl (start-up, before it reads the variable) and at
# its exit, after it.
environ_states() {
	/usr/bin/python3 - "$@" <<-EOF2
	import os, subprocess, sys, time
	secret = sys.argv[1].encode()
	p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
	seen = []
	while p.poll() is None:
	    try:
	        kids = open("/proc/%d/task/%d/children" % (p.pid, p.pid)).read().split()
	        if kids and os.readlink("/proc/%s/exe" % kids[0]).endswith("/hardenwiz"):
	            env = open("/proc/%s/environ" % kids[0], "rb").read()
	            state = ("secret" if b"RELAY_PW=" + secret in env else
	                     "wiped" if b"RELAY_PW=" + b"\\0" * len(secret) in env else
	                     "other")
	            if not seen or seen[-1] != state:
	                seen.append(state)
	    except OSError:
	        pass
	    time.sleep(0.01)
	print(" ".join(seen))
	sys.exit(p.returncode)
	EOF2
}

test_expect_success 'password_env: once read, the password is wiped from /proc/PID/environ (ps e)' '
	RELAY_PW=$SECRET environ_states "$SECRET" $TRACED strace -o /dev/null \
	    -e trace=prctl,exit_group -e inject=prctl:delay_exit=500000:when=1 \
	    -e inject=exit_group:delay_enter=500000 \
	    $HW --root "$R" --apply "$T/env.conf" --dry-run > "$T/environ.out" &&
	test "$(cat "$T/environ.out")" = "secret wiped"
'

# scratch_points: "CALL N" for each mkdir, rename or unlink a dry run makes
# in its scratch copies (/dev/shm or /tmp), where the candidate password
# map is staged.
scratch_points() {
	$TRACED strace -o "$T/scratch.trace" -e trace=mkdir,rename,unlink \
	    $HW --root "$R" --apply "$T/relay.conf" --dry-run >/dev/null 2>&1 &&
	awk '
		match($0, /^[a-z]+\(/) {
			call = substr($0, 1, RLENGTH - 1)
			n[call]++
			if ($0 ~ /"\/(dev\/shm|tmp)\/hardenwiz-/) print call, n[call]
		}' "$T/scratch.trace"
}

# no_secret_left: no scratch file anywhere holds the password.
no_secret_left() {
	! grep -rlsF -- "$SECRET" /dev/shm/hardenwiz-* /tmp/hardenwiz-*
}

test_expect_success 'SIGTERM at every scratch write while planning leaves no file with the password' '
	scratch_points > "$T/spoints" &&
	test "$(wc -l < "$T/spoints")" -ge 5 &&
	while read -r call k; do
		test_expect_code 143 $TRACED strace -o /dev/null -e trace=$call \
		    -e inject=$call:signal=SIGTERM:when=$k \
		    $HW --root "$R" --apply "$T/relay.conf" --dry-run >/dev/null 2>&1 &&
		no_secret_left || { echo "SIGTERM at $call $k"; return 1; }
	done < "$T/spoints" &&
	echo "SIGTERM at $(wc -l < "$T/spoints") scratch writes: no file with the password left" >>"$T/notes"
'

# shm_of DIR CMD...: CMD with DIR as its /dev/shm, where hardenwiz makes its
# scratch copies. Tests run side by side: a shared /dev/shm would show
# another test's live scratch copies beside the killed run's.
shm_of() {
	unshare -m sh -c '
		mount --make-rprivate / &&
		mount --bind "$1" /dev/shm && shift && exec "$@"' sh "$@"
}

test_expect_success 'a scratch copy of a killed run (kill -9) is swept by the next start' '
	last=$(grep "^rename" "$T/spoints" | tail -n 1) &&
	test -n "$last" &&
	mkdir -m 1777 "$T/shm" &&
	test_expect_code 137 shm_of "$T/shm" $TRACED strace -o /dev/null -e trace=rename \
	    -e inject=rename:signal=SIGKILL:when=${last#rename } \
	    $HW --root "$R" --apply "$T/relay.conf" --dry-run >/dev/null 2>&1 &&
	ls -d "$T"/shm/hardenwiz-* > "$T/left" &&
	grep -rlsF -- "$SECRET" "$T/shm" &&
	shm_of "$T/shm" $HW --version >/dev/null &&
	while read -r d; do
		test ! -e "$d" || { echo "still there: $d"; return 1; }
	done < "$T/left" &&
	! grep -rlsF -- "$SECRET" "$T/shm" &&
	no_secret_left
'

if command -v tmux >/dev/null; then
start
test_expect_success 'wizard: the relay form takes the password without showing it' '
	wait_for "Postfix relay host           [ok]" &&
	wz_pick "Postfix relay host" &&
	wait_for "no relayhost: this server delivers mail itself" &&
	wait_for "Relay host" && wait_for "Password" &&
	tm send-keys -t wz "[10.99.0.2]:587" Tab apikey Tab "$SECRET" &&
	wait_for "*****************" &&
	! grep -q "$SECRET" "$T/screen" &&
	tm send-keys -t wz F12 &&
	wait_for "+[10.99.0.2]:587 apikey:********" &&
	! grep -q "$SECRET" "$T/screen" &&
	wz_quit_from_preview &&
	snapshot "$R" | diff - "$T/pristine"
'

R0=$R
R=$T/histroot
cp -a "$R0" "$R"
$HW --root "$R" --apply "$T/relay.conf" > /dev/null
start
test_expect_success 'wizard History: the relay transaction, sasl_passwd named, never shown' '
	wz_pick "History and rollback" &&
	wait_for "applied      postfix-relay" &&
	tm send-keys -t wz Enter &&
	wait_for "# secret /etc/postfix/sasl_passwd: not shown" &&
	tm send-keys -t wz G &&
	wait_for "+relayhost = [10.99.0.2]:587" &&
	! grep -q "$SECRET" "$T/screen" &&
	tm send-keys -t wz g / apikey Enter &&
	wait_for "not found" &&
	tm send-keys -t wz q &&
	wait_for "History and rollback" &&
	wz_quit
'
R=$R0
fi

# The live system: Postfix sends everything to the relay on the far side.
postfix_conf
cp -a "$P" "$T/postfix.orig"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/relay.key" \
    -out "$T/relay.crt" -days 2 -subj /CN=relay.test 2>/dev/null
mkdir "$T/relayspool"
ns_start

test_expect_success 'namespace: Postfix on loopback, the relay on 10.99.0.2:587' '
	postfix_ns_start &&
	ns_veth &&
	{ far /usr/bin/python3 "$SRC/tests/t/relay.py" 10.99.0.2 587 "$T/relay.crt" \
	    "$T/relay.key" apikey "$SECRET" "$T/relayspool" > "$T/relay.log" 2>&1 & } &&
	test_wait_until -t 10 port_open in_ns 10.99.0.2 587 &&
	test "$(in_ns $NETPROBE connect 10.99.0.2 587)" = open
'

test_expect_success 'a wrong password fails the login test: exit 3, nothing changed' '
	echo wrong-password > "$T/wrong.secret" && chmod 600 "$T/wrong.secret" &&
	sed "s|$T/relay.secret|$T/wrong.secret|" "$T/relay.conf" > "$T/wrong.conf" && chmod 600 "$T/wrong.conf" &&
	test_expect_code 3 in_ns "$HW" --apply "$T/wrong.conf" > "$T/wrong.out" 2>&1 &&
	grep -q "refused the login of .apikey. (535" "$T/wrong.out" &&
	! grep -q wrong-password "$T/wrong.out" &&
	diff -r "$T/postfix.orig" "$P"
'

test_expect_success 'a password file others can read is refused on a live system' '
	cp "$T/relay.secret" "$T/open.secret" && chmod 644 "$T/open.secret" &&
	sed "s|$T/relay.secret|$T/open.secret|" "$T/relay.conf" > "$T/open.conf" && chmod 600 "$T/open.conf" &&
	! in_ns "$HW" --apply "$T/open.conf" > "$T/open.out" 2>&1 &&
	grep -q "can be read by others (mode 0644)" "$T/open.out"
'

test_expect_success 'apply live: login tested, postmap, reload; both files 0600' '
	in_ns "$HW" --apply "$T/relay.conf" > "$T/live.out" 2>&1 &&
	grep -q "ran: postmap hash:/etc/postfix/sasl_passwd" "$T/live.out" &&
	grep -q "certificate does not verify" "$T/live.out" &&
	# The map and its database before main.cf names them, reload last.
	grep -E "^hardenwiz: (created|wrote|ran: postmap|ran: postfix reload)" "$T/live.out" |
	    sed "s/ *$//" > "$T/live.order" &&
	printf "%s\n" "hardenwiz: created /etc/postfix/sasl_passwd" \
	    "hardenwiz: ran: postmap hash:/etc/postfix/sasl_passwd" \
	    "hardenwiz: wrote /etc/postfix/main.cf" \
	    "hardenwiz: ran: postfix reload" | diff - "$T/live.order" &&
	test "$(stat -c %a:%U "$P/sasl_passwd")" = 600:root &&
	test "$(stat -c %a:%U "$P/sasl_passwd.db")" = 600:root &&
	! grep -q "$SECRET" "$T/live.out"
'

test_expect_success 'a message to an outside address arrives at the relay, authenticated, over TLS' '
	in_ns swaks -s 127.0.0.1 -t someone@outside.example -f app@example.com \
	    --h-Subject via-relay > "$T/send.out" 2>&1 &&
	test_wait_until -t 20 relay_got &&
	{ grep -q "^X-Test-Auth: apikey" "$(cat "$T/got")" || { tail -20 "$T/maillog"; false; }; } &&
	grep -q "^X-Test-TLS: yes" "$(cat "$T/got")"
'

test_expect_success 'second apply changes nothing; journal listing has no password' '
	in_ns "$HW" --apply "$T/relay.conf" > "$T/again.out" 2>&1 &&
	{ grep -q "^# nothing to change" "$T/again.out" || { head -30 "$T/again.out"; false; }; } &&
	in_ns "$HW" --history > "$T/lhist.out" &&
	! grep -q "$SECRET" "$T/lhist.out" "$T/again.out" &&
	test -z "$(in_ns find /var/lib/hardenwiz -type f -perm /077)"
'

test_expect_success 'rollback: /etc/postfix byte-identical (no sasl_passwd left), Postfix answers 220' '
	in_ns "$HW" --rollback > "$T/rb.out" 2>&1 &&
	diff -r "$T/postfix.orig" "$P" &&
	test "$(in_ns $NETPROBE connect 127.0.0.1 25)" = open &&
	in_ns swaks -s 127.0.0.1 -q EHLO > "$T/ehlo.out" 2>&1
'

# Two steps: the rate limits (first in the step table) change main.cf
# too; still the map and its database come before main.cf, one reload.
test_expect_success 'relay and rate limits in one run: sasl_passwd and its .db before main.cf, one reload last' '
	in_ns "$HW" --apply "$T/relay+limit.conf" > "$T/two.out" 2>&1 &&
	grep -E "^hardenwiz: (created|wrote|ran: postmap|ran: postfix reload)" "$T/two.out" |
	    sed "s/ *$//" > "$T/two.order" &&
	printf "%s\n" "hardenwiz: created /etc/postfix/sasl_passwd" \
	    "hardenwiz: ran: postmap hash:/etc/postfix/sasl_passwd" \
	    "hardenwiz: wrote /etc/postfix/main.cf" \
	    "hardenwiz: ran: postfix reload" | diff - "$T/two.order" &&
	in_ns "$HW" --rollback > /dev/null 2>&1 &&
	diff -r "$T/postfix.orig" "$P"
'

test_done
