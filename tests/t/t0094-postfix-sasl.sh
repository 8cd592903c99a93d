#!/bin/bash
# t0094: the postfix-sasl step. Offline: the guard refuses without a
# backend or with a certificate and key that do not match. Live: a real
# Postfix and a real Dovecot (auth only, passwd-file users) in a private
# namespace; swaks logs in on 587 after STARTTLS; unauthenticated relaying
# is refused from a far namespace over veth.
. "$(dirname "$0")/lib.sh"
need_postfix
command -v dovecot >/dev/null || skip_all "needs dovecot-core (make deps-test)"

recipe sasl.conf <<EOF
[postfix-sasl]
enable = yes
tls_only = yes
backend = auto
EOF

# A certificate and key for smtpd, and a second key that does not match.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=mail.example.com 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T/other.pem" 2>/dev/null

# Dovecot for the tests: no mail protocols, just auth, users in a file.
# Dovecot 2.4 (Debian 13) has a new syntax and wants its version first.
dovecot_conf() {	# dovecot_conf DIR
	mkdir -p "$1/conf.d"
	case $(dovecot --version) in
	2.[0-3].*)
		cat > "$1/dovecot.conf" <<EOF
protocols = none
listen = 127.0.0.1
ssl = no
log_path = $T/dovecot.log
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u /etc/dovecot/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
!include_try conf.d/*.conf
EOF
		;;
	*)
		cat > "$1/dovecot.conf" <<EOF
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
protocols =
listen = 127.0.0.1
ssl = no
log_path = $T/dovecot.log
passdb passwd-file {
  passwd_file_path = /etc/dovecot/users
}
userdb static {
  fields {
    uid = nobody
    gid = nogroup
    home = /nonexistent
  }
}
!include_try conf.d/*.conf
EOF
		;;
	esac
	echo 'alice@example.com:{PLAIN}alice-pw' > "$1/users"
}

R=$T/root
mkroot debian12 "$R"
with_postfix "$R"
mkdir -p "$R/etc/ssl/certs" "$R/etc/ssl/private"
cp "$T/cert.pem" "$R/etc/ssl/certs/ssl-cert-snakeoil.pem"
cp "$T/key.pem" "$R/etc/ssl/private/ssl-cert-snakeoil.key"
snapshot "$R" > "$T/pristine"

test_expect_success 'offline, no backend installed: the guard refuses (exit 4), nothing changed' '
	test_expect_code 4 $HW --root "$R" --apply "$T/sasl.conf" > "$T/nob.out" 2>&1 &&
	grep -q "no password backend is installed" "$T/nob.out" &&
	grep -q "Install Dovecot for it (\[postfix-sasl\] install_backend = yes)" "$T/nob.out" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'offline, Dovecot without a Postfix listener: the listener, AUTH on 587 and 465' '
	cp -a "$R" "$T/dv" && dovecot_conf "$T/dv/etc/dovecot" &&
	$HW --root "$T/dv" --apply "$T/sasl.conf" --dry-run > "$T/dv.out" &&
	grep -qx "+  unix_listener /var/spool/postfix/private/auth {" "$T/dv.out" &&
	grep -qx "+smtpd_sasl_type = dovecot" "$T/dv.out" &&
	grep -qx "+smtpd_tls_auth_only = yes" "$T/dv.out" &&
	grep -qx "+submission inet n - y - - smtpd" "$T/dv.out" &&
	grep -qx "+  -o smtpd_tls_security_level=encrypt" "$T/dv.out" &&
	grep -qx "+  -o smtpd_tls_wrappermode=yes" "$T/dv.out" &&
	grep -qx "+  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject" "$T/dv.out"
'

test_expect_success 'offline: permit_sasl_authenticated after reject_unauth_destination is moved before it' '
	cp -a "$T/dv" "$T/order" &&
	postconf -c "$T/order/etc/postfix" -e \
	    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination, permit_sasl_authenticated" &&
	$HW --root "$T/order" --apply "$T/sasl.conf" --dry-run > "$T/order.out" &&
	grep -qx "+smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" "$T/order.out"
'

test_expect_success 'offline: a key that does not match the certificate stops the step (exit 4)' '
	cp -a "$T/dv" "$T/badkey" &&
	cp "$T/other.pem" "$T/badkey/etc/ssl/private/ssl-cert-snakeoil.key" &&
	snapshot "$T/badkey" > "$T/badkey.snap" &&
	test_expect_code 4 $HW --root "$T/badkey" --apply "$T/sasl.conf" > "$T/badkey.out" 2>&1 &&
	grep -q "does not belong to the certificate /etc/ssl/certs/ssl-cert-snakeoil.pem" "$T/badkey.out" &&
	snapshot "$T/badkey" | diff - "$T/badkey.snap"
'

# le_cert ROOT: a Let's Encrypt certificate of mail.example.com in ROOT,
# laid out as certbot leaves it (fullchain.pem and privkey.pem).
le_cert() {
	mkdir -p "$1/etc/letsencrypt/live/mail.example.com" &&
	cp "$T/cert.pem" "$1/etc/letsencrypt/live/mail.example.com/fullchain.pem" &&
	cp "$T/key.pem" "$1/etc/letsencrypt/live/mail.example.com/privkey.pem"
}

test_expect_success 'offline: tls_cert names the certificate; its key is found beside it' '
	cp -a "$T/dv" "$T/le" && le_cert "$T/le" &&
	recipe le.conf <<-EOF2 &&
	[postfix-sasl]
	tls_cert = /etc/letsencrypt/live/mail.example.com/fullchain.pem
	EOF2
	$HW --root "$T/le" --apply "$T/le.conf" --dry-run > "$T/le.out" &&
	grep -qx "+smtpd_tls_cert_file=/etc/letsencrypt/live/mail.example.com/fullchain.pem" "$T/le.out" &&
	grep -qx "+smtpd_tls_key_file=/etc/letsencrypt/live/mail.example.com/privkey.pem" "$T/le.out" &&
	recipe lebad.conf <<-EOF2 &&
	[postfix-sasl]
	tls_cert = /etc/letsencrypt/live/mail.example.com/fullchain.pem
	tls_key = /etc/ssl/private/other.pem
	EOF2
	cp "$T/other.pem" "$T/le/etc/ssl/private/other.pem" &&
	test_expect_code 4 $HW --root "$T/le" --apply "$T/lebad.conf" > "$T/lebad.out" 2>&1 &&
	grep -q "the TLS key /etc/ssl/private/other.pem does not belong to the certificate /etc/letsencrypt/live/mail.example.com/fullchain.pem" "$T/lebad.out"
'

test_expect_success 'offline: tls_cert applied, Postfix reads the pair, rolled back byte for byte' '
	cp -a "$T/dv" "$T/leap" && le_cert "$T/leap" &&
	snapshot "$T/leap" > "$T/leap.snap" &&
	$HW --root "$T/leap" --apply "$T/le.conf" > "$T/leap.out" 2>&1 &&
	test "$(postconf -c "$T/leap/etc/postfix" -h smtpd_tls_cert_file)" = \
	    /etc/letsencrypt/live/mail.example.com/fullchain.pem &&
	test "$(postconf -c "$T/leap/etc/postfix" -h smtpd_tls_key_file)" = \
	    /etc/letsencrypt/live/mail.example.com/privkey.pem &&
	$HW --root "$T/leap" --rollback > "$T/leap.rb" 2>&1 &&
	snapshot "$T/leap" | diff - "$T/leap.snap"
'

# smtpd_tls_chain_files, when set, is the pair Postfix uses: the audit
# checks that file (key and certificate in one), and tls_cert is refused
# with the way out rather than written where Postfix would not look.
test_expect_success 'offline: smtpd_tls_chain_files is the pair checked; tls_cert then refused' '
	cp -a "$T/dv" "$T/chain" && le_cert "$T/chain" &&
	cat "$T/key.pem" "$T/cert.pem" > "$T/chain/etc/ssl/private/both.pem" &&
	postconf -c "$T/chain/etc/postfix" -e \
	    "smtpd_tls_chain_files = /etc/ssl/private/both.pem" \
	    "smtpd_tls_cert_file = /etc/ssl/certs/gone.pem" &&
	$HW --root "$T/chain" --audit --only postfix-sasl > "$T/chain.audit" 2>&1 &&
	! grep -q "TLS certificate" "$T/chain.audit" &&
	postconf -c "$T/chain/etc/postfix" -e \
	    "smtpd_tls_chain_files = /etc/ssl/private/gone.pem" &&
	$HW --root "$T/chain" --audit --only postfix-sasl > "$T/gone.audit" 2>&1 &&
	grep -q "the TLS certificate /etc/ssl/private/gone.pem is missing" "$T/gone.audit" &&
	postconf -c "$T/chain/etc/postfix" -e \
	    "smtpd_tls_chain_files = /etc/ssl/private/both.pem" &&
	snapshot "$T/chain" > "$T/chain.snap" &&
	test_expect_code 4 $HW --root "$T/chain" --apply "$T/le.conf" > "$T/chain.out" 2>&1 &&
	grep -q "smtpd_tls_chain_files (/etc/ssl/private/both.pem)" "$T/chain.out" &&
	snapshot "$T/chain" | diff - "$T/chain.snap"
'

# master.cf as Debian 13 ships it (its "relay" line has a "?" that Augeas
# 1.14's lens stops at) and as installers leave it (comment lines between
# "-o" lines, "{ }" values, pipe commands over several lines): read, the
# services the step adds or edits gain lines, no other line changes, and
# Postfix reads the result.
test_expect_success 'offline: Debian 13 and installer master.cf are read and edited line for line' '
	for cf in debian13 installer; do
		M=$T/m-$cf &&
		cp -a "$T/dv" "$M" &&
		cp "$FIXTURES/postfix-master/$cf.cf" "$M/etc/postfix/master.cf" &&
		$HW --root "$M" --audit --only postfix-sasl > "$M.audit" 2>&1 &&
		grep -q "^postfix-sasl  *needs-change" "$M.audit" &&
		$HW --root "$M" --apply "$T/sasl.conf" > "$M.out" 2>&1 &&
		{ diff "$FIXTURES/postfix-master/$cf.cf" "$M/etc/postfix/master.cf" > "$M.diff" || :; } &&
		grep -q "^> *-o smtpd_sasl_auth_enable=yes" "$M.diff" &&
		! grep -q "^<" "$M.diff" &&
		test "$(postconf -c "$M/etc/postfix" -P submission/inet/smtpd_tls_security_level)" = \
		    "submission/inet/smtpd_tls_security_level = encrypt" &&
		$HW --root "$M" --rollback 2>/dev/null &&
		cmp "$FIXTURES/postfix-master/$cf.cf" "$M/etc/postfix/master.cf" || {
			echo "master.cf: $cf"; cat "$M.audit" "$M.out" "$M.diff" 2>/dev/null; return 1; }
	done &&
	test "$(postconf -c "$T/m-installer/etc/postfix" -P submission/inet/smtpd_sender_restrictions)" = \
	    "submission/inet/smtpd_sender_restrictions = reject_sender_login_mismatch, permit_sasl_authenticated, reject"
'

# Postfix takes "#prog" as a program name; the lens takes "#" for a comment.
test_expect_success 'a master.cf that cannot be read fails its step only: the audit shows the rest, exit 1' '
	cp -a "$T/dv" "$T/badm" &&
	echo "weird unix - - n - - #prog" >> "$T/badm/etc/postfix/master.cf" &&
	postconf -c "$T/badm/etc/postfix" -M weird/unix > /dev/null &&
	test_expect_code 1 $HW --root "$T/badm" --audit > "$T/badm.out" 2>&1 &&
	grep -q "^postfix-sasl  *error" "$T/badm.out" &&
	grep -q "master.cf:.*cannot parse" "$T/badm.out" &&
	grep -q "^ssh  *needs-change" "$T/badm.out" &&
	grep -q "^postfix-ratelimit  *needs-change" "$T/badm.out" &&
	test_expect_code 1 $HW --root "$T/badm" --audit --json > "$T/badm.json" &&
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert any(e.startswith(\"[postfix-sasl] \") and \"master.cf\" in e for e in d[\"errors\"]), d
assert len(d[\"steps\"]) > 5, d
" "$T/badm.json"
'

test_expect_success 'offline apply, second apply, rollback byte-identical' '
	$HW --root "$T/dv" --apply "$T/sasl.conf" > /dev/null &&
	$HW --root "$T/dv" --apply "$T/sasl.conf" | grep -q "^# nothing to change" &&
	$HW --root "$T/dv" --rollback &&
	rm -rf "$T/dv/etc/dovecot" && snapshot "$T/dv" | diff - "$T/pristine"
'

if command -v tmux >/dev/null; then
R0=$R
R=$T/wzroot
cp -a "$R0" "$R" && dovecot_conf "$R/etc/dovecot"
snapshot "$R" > "$T/wz.snap"
start
test_expect_success 'wizard: the SMTP AUTH form shows the backend and previews master.cf' '
	wait_for "Postfix SMTP AUTH            [needs-change]" &&
	wz_pick "Postfix SMTP AUTH" &&
	wait_for "AUTH on submission (587): no (recommended: yes)" &&
	wait_for "SASL backend: Dovecot, without a listener for Postfix" &&
	wait_for "Password backend" &&
	wait_for "TLS certificate             /etc/ssl/certs/ssl-cert-snakeoil.pem" &&
	tm send-keys -t wz F12 &&
	wait_for "+++ b/etc/dovecot/conf.d/99-hardenwiz-postfix-auth.conf" &&
	tm send-keys -t wz G &&
	wait_for "+  -o smtpd_sasl_auth_enable=yes" &&
	wz_quit_from_preview &&
	snapshot "$R" | diff - "$T/wz.snap"
'

# No backend at all: the wizard says what is missing (not "lock you out")
# and offers to install Dovecot in place; taking it plans the install.
R=$T/wznob
cp -a "$R0" "$R"
snapshot "$R" > "$T/wznob.snap"
start
test_expect_success 'wizard: no backend: "Not possible yet", Dovecot offered in place' '
	wz_pick "Postfix SMTP AUTH" &&
	wait_for "Password backend" &&
	tm send-keys -t wz F12 &&
	wait_for "Not possible yet" &&
	wait_for "Install Dovecot now and go on?" &&
	! on_screen "lock you out" &&
	! on_screen "install_backend" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "a apply  q back" &&
	wait_for "dovecot" &&
	wz_quit_from_preview &&
	snapshot "$R" | diff - "$T/wznob.snap"
'

# Dovecot there, the certificate missing: the safe fix (name the
# certificate), never "turn TLS off", and not called a lockout; the Let's
# Encrypt certificate the server has is offered in place.
R=$T/wznocert
cp -a "$R0" "$R" && dovecot_conf "$R/etc/dovecot" &&
rm "$R/etc/ssl/certs/ssl-cert-snakeoil.pem"
snapshot "$R" > "$T/wznocert.snap"
start
test_expect_success 'wizard: no certificate: the certificate is asked for, TLS is kept' '
	wz_pick "Postfix SMTP AUTH" &&
	wait_for "Password backend" &&
	tm send-keys -t wz F12 &&
	wait_for "Not possible yet" &&
	wait_for "ssl-cert-snakeoil.pem is missing" &&
	! on_screen "Let'"'"'s Encrypt certificate /etc" &&
	! on_screen "lock you out" &&
	! on_screen "tls_only" &&
	tm send-keys -t wz Enter &&
	wait_for "<Preview changes>"
'

le_cert "$R"
snapshot "$R" > "$T/wznocert.snap"
start
test_expect_success 'wizard: no certificate, one from Let'"'"'s Encrypt: offered in place, taken' '
	wz_pick "Postfix SMTP AUTH" &&
	wait_for "Password backend" &&
	tm send-keys -t wz F12 &&
	wait_for "Not possible yet" &&
	wait_for "Use the Let'"'"'s Encrypt certificate" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "a apply  q back" &&
	wait_for "+smtpd_tls_cert_file=/etc/letsencrypt/live/mail.example.com/fullchain.pem" &&
	wz_quit_from_preview &&
	snapshot "$R" | diff - "$T/wznocert.snap"
'
R=$R0
fi

# The live system: submission on 587 without AUTH to start with, the test
# certificate, everything delivered to discard.
postfix_conf default_transport=discard smtpd_tls_cert_file="$T/cert.pem" \
    smtpd_tls_key_file="$T/key.pem"
postconf -c "$P" -M "submission/inet=submission inet n - y - - smtpd"
mkdir "$T/dovecot"
cp -a "$P" "$T/postfix.orig"
ns_start

test_expect_success 'namespace: Postfix on 25 and 587, no Dovecot yet' '
	in_ns mount --bind "$T/dovecot" /etc/dovecot &&
	postfix_ns_start &&
	ns_veth &&
	in_ns swaks -s 127.0.0.1 -p 587 -q EHLO > "$T/ehlo0.out" 2>&1 &&
	grep -q "250-STARTTLS" "$T/ehlo0.out" &&
	! grep -q "250-AUTH" "$T/ehlo0.out"
'

test_expect_success 'no backend: the step refuses (exit 4) and mail keeps flowing' '
	test_expect_code 4 in_ns "$HW" --apply "$T/sasl.conf" > "$T/live0.out" 2>&1 &&
	diff -r "$T/postfix.orig" "$P" &&
	far swaks -s 10.99.0.1 -t root@example.com -f a@example.net > "$T/flow.out" 2>&1
'

test_expect_success 'with Dovecot running: apply adds the listener, reloads both, checks the socket and 587' '
	dovecot_conf "$T/dovecot" &&
	cp -a "$T/dovecot" "$T/dovecot.orig" &&
	in_ns dovecot -c /etc/dovecot/dovecot.conf &&
	in_ns "$HW" --apply "$T/sasl.conf" > "$T/live.out" 2>&1 &&
	grep -q "ran: doveadm reload" "$T/live.out" &&
	grep -q "ran: postfix reload" "$T/live.out" &&
	test -S "$T/spool/private/auth"
'

test_expect_success 'EHLO on 587: no AUTH before STARTTLS, AUTH after' '
	in_ns swaks -s 127.0.0.1 -p 587 -q EHLO > "$T/ehlo1.out" 2>&1 &&
	! grep -q "250-AUTH\|250 AUTH" "$T/ehlo1.out" &&
	in_ns swaks -s 127.0.0.1 -p 587 --tls -q EHLO > "$T/ehlo2.out" 2>&1 &&
	grep -q "250-AUTH PLAIN LOGIN\|250 AUTH PLAIN LOGIN" "$T/ehlo2.out"
'

test_expect_success 'an authenticated submission from the far side is accepted' '
	far swaks -s 10.99.0.1 -p 587 --tls -a PLAIN -au alice@example.com \
	    -ap alice-pw -f alice@example.com -t friend@elsewhere.example > "$T/auth.out" 2>&1 ||
	{ cat "$T/auth.out"; false; }
'

test_expect_success 'a wrong password is refused; unauthenticated relaying is refused on 25 and 587' '
	! far swaks -s 10.99.0.1 -p 587 --tls -a PLAIN -au alice@example.com \
	    -ap wrong -f alice@example.com -t friend@elsewhere.example > "$T/bad.out" 2>&1 &&
	grep -Eq "^<~?\*+ 535" "$T/bad.out" &&
	! far swaks -s 10.99.0.1 -f a@example.net -t friend@elsewhere.example > "$T/relay25.out" 2>&1 &&
	grep -q "Relay access denied" "$T/relay25.out" &&
	! far swaks -s 10.99.0.1 -p 587 --tls -f a@example.net -t friend@elsewhere.example > "$T/relay587.out" 2>&1 &&
	grep -Eq "^<~?\*+ 554 5.7.1" "$T/relay587.out"
'

test_expect_success 'second apply changes nothing' '
	in_ns "$HW" --apply "$T/sasl.conf" | grep -q "^# nothing to change"
'

test_expect_success 'rollback: Postfix and Dovecot files byte-identical, 220 on 25' '
	in_ns "$HW" --rollback > "$T/rb.out" 2>&1 &&
	diff -r "$T/postfix.orig" "$P" &&
	diff -r "$T/dovecot.orig" "$T/dovecot" &&
	far swaks -s 10.99.0.1 -t root@example.com -f a@example.net > "$T/after.out" 2>&1
'

test_done
