#!/bin/bash
# t0180: the [spamfilter] step. Offline, on a --root copy of the fixtures
# and of this machine's /etc/rspamd: the files hardenwiz owns in local.d,
# Rspamd first in Postfix's milter lists (before OpenDKIM), an admin's
# own file never overwritten, rspamadm configtest as the judge, rollback
# to the byte. Live, in a booted Debian with Postfix, OpenDKIM, nsd and
# Rspamd: the GTUBE test message is rejected over SMTP and from sendmail,
# a clean one passes and is DKIM-signed with a signature that verifies,
# mail still flows while Rspamd is stopped, and rollback gives /etc back.
. "$(dirname "$0")/lib.sh"
need_root
command -v rspamadm >/dev/null || skip_all "needs rspamd (make deps-test)"

GTUBE='XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'

# ---- offline ----
R=$T/root
mkroot debian12 "$R"
with_postfix "$R"
snapshot "$R" > "$T/pristine"

recipe sf.conf <<EOF
[spamfilter]
engine = rspamd
outbound = yes
EOF
recipe in.conf <<EOF
[spamfilter]
outbound = no
EOF

test_expect_success 'audit: no Rspamd, no filter in smtpd_milters' '
	$HW --root "$R" --audit --only spamfilter > "$T/audit.out" &&
	grep -q "rspamd: not installed -> installed, a milter" "$T/audit.out" &&
	grep -q "smtpd_milters: no spam filter -> inet:127.0.0.1:11332" "$T/audit.out"
'

test_expect_success 'dry run: Rspamd installed, its local.d files, both milter lists, changes nothing' '
	$HW --root "$R" --apply "$T/sf.conf" --dry-run > "$T/dry.out" &&
	grep -q "^# run: apt-get install -y rspamd  (skipped: offline root)" "$T/dry.out" &&
	grep -qx "+++ b/etc/rspamd/local.d/actions.conf" "$T/dry.out" &&
	grep -qx "+greylist = null;" "$T/dry.out" &&
	grep -qx "+enabled = false;" "$T/dry.out" &&
	grep -qx "+smtpd_milters = inet:127.0.0.1:11332" "$T/dry.out" &&
	grep -qx "+non_smtpd_milters = inet:127.0.0.1:11332" "$T/dry.out" &&
	grep -qx "+milter_default_action = accept" "$T/dry.out" &&
	grep -q "Rspamd is not installed here yet" "$T/dry.out" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'with Rspamd: before OpenDKIM in the lists, checked by rspamadm, rolled back to the byte' '
	mkdir -p "$R/etc/rspamd" && cp -a /etc/rspamd/. "$R/etc/rspamd/" &&
	postconf -c "$R/etc/postfix" -e "smtpd_milters = inet:127.0.0.1:8891" \
	    "non_smtpd_milters = inet:127.0.0.1:8891" &&
	snapshot "$R" > "$T/with-rspamd" &&
	$HW --root "$R" --apply "$T/sf.conf" > "$T/apply.out" 2>&1 &&
	! grep -q "not installed here yet" "$T/apply.out" &&
	! grep -q "apt-get install" "$T/apply.out" &&
	test "$(postconf -c "$R/etc/postfix" -h smtpd_milters)" = "inet:127.0.0.1:11332, inet:127.0.0.1:8891" &&
	test "$(postconf -c "$R/etc/postfix" -h non_smtpd_milters)" = "inet:127.0.0.1:11332, inet:127.0.0.1:8891" &&
	rspamadm --var=CONFDIR="$R/etc/rspamd" --var=LOCAL_CONFDIR="$R/etc/rspamd" \
	    configdump -c "$R/etc/rspamd/rspamd.conf" actions 2>/dev/null > "$T/actions" &&
	grep -qx "reject = 15;" "$T/actions" && ! grep -qx "greylist = [0-9.]*;" "$T/actions" &&
	$HW --root "$R" --audit --only spamfilter | grep -q "^spamfilter  *ok" &&
	$HW --root "$R" --apply "$T/sf.conf" | grep -qx "# nothing to change" &&
	$HW --root "$R" --rollback > /dev/null 2>&1 &&
	snapshot "$R" | diff - "$T/with-rspamd"
'

test_expect_success 'outbound = no: sendmail'"'"'s mail unfiltered, logged-in users skipped, said so' '
	$HW --root "$R" --apply "$T/in.conf" --dry-run > "$T/in.out" &&
	grep -qx "+smtpd_milters = inet:127.0.0.1:11332, inet:127.0.0.1:8891" "$T/in.out" &&
	! grep -q "^+non_smtpd_milters" "$T/in.out" &&
	grep -qx "+  want_spam = yes;" "$T/in.out" &&
	grep -q "outbound = no: mail your users send is not filtered" "$T/in.out"
'

test_expect_success 'refused, nothing changed: an admin'"'"'s own local.d file' '
	printf "reject = 30;\n" > "$R/etc/rspamd/local.d/actions.conf" &&
	snapshot "$R" > "$T/admin" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/sf.conf" 2> "$T/admin.err" &&
	grep -q "/etc/rspamd/local.d/actions.conf holds settings hardenwiz did not write" "$T/admin.err" &&
	grep -q "move them to /etc/rspamd/override.d/" "$T/admin.err" &&
	snapshot "$R" | diff - "$T/admin" &&
	rm "$R/etc/rspamd/local.d/actions.conf" &&
	snapshot "$R" | diff - "$T/with-rspamd"
'

test_expect_success 'Rspamd rejecting the configuration (rspamadm configtest) changes nothing, naming the file' '
	printf "dns {\n  timeout = {{{\n}\n" > "$R/etc/rspamd/local.d/options.inc" &&
	snapshot "$R" > "$T/broken" &&
	test_expect_code 3 $HW --root "$R" --apply "$T/sf.conf" > "$T/broken.out" 2>&1 &&
	grep -q "Rspamd rejects the configuration (rspamadm configtest): .*/etc/rspamd/local.d/options.inc" "$T/broken.out" &&
	! grep -q "/tmp/" "$T/broken.out" &&
	snapshot "$R" | diff - "$T/broken" &&
	rm "$R/etc/rspamd/local.d/options.inc"
'

# ---- live: a booted Debian with Postfix, OpenDKIM, nsd and Rspamd ----
S=$T/sys
sd_prepare t0180

test_expect_success 'a systemd host with Postfix, OpenDKIM signing (the [dns] step) and Rspamd running' '
	sd_mail_root "$S" rspamd &&
	mail_example_org &&
	test_wait_until -t 120 listening 11332 &&
	printf "[dns]\ndomain = example.org\ndkim_selector = s1\nipv4 = 81.2.69.10\ndns_server = 127.0.0.1\n" > "$S/root/dns.conf" &&
	chmod 600 "$S/root/dns.conf" &&
	in_sd hardenwiz --apply /root/dns.conf > "$T/dns.out" 2>&1 &&
	test "$(in_sd postconf -h smtpd_milters)" = "inet:127.0.0.1:8891" &&
	sed -n "s/.*publish[^:]*: \(s1\._domainkey\.example\.org\. IN TXT .*)\).*/\1/p" "$T/dns.out" | head -n 1 > "$T/s1.rr" &&
	test -s "$T/s1.rr" &&
	zone "$(cat "$T/s1.rr")" && in_sd systemctl restart nsd &&
	test_wait_until -t 30 listening 53 &&
	smtp gtube-before "$GTUBE" &&
	test_wait_until -t 30 mailbox_has 1 &&
	tar -C "$S" -cf "$T/etc-before.tar" etc/postfix etc/rspamd
'

test_expect_success 'apply: Rspamd first in both milter lists, before OpenDKIM; it answers again after its reload' '
	printf "[spamfilter]\nengine = rspamd\n" > "$S/root/sf.conf" && chmod 600 "$S/root/sf.conf" &&
	in_sd hardenwiz --apply /root/sf.conf > "$T/live.out" 2>&1 &&
	test "$(in_sd postconf -h smtpd_milters)" = "inet:127.0.0.1:11332, inet:127.0.0.1:8891" &&
	test "$(in_sd postconf -h non_smtpd_milters)" = "inet:127.0.0.1:11332, inet:127.0.0.1:8891" &&
	grep -q "ran: systemctl reload-or-restart rspamd" "$T/live.out" &&
	listening 11332
'

test_expect_success 'GTUBE over SMTP is rejected; a clean message passes, DKIM-signed, and verifies' '
	! smtp gtube "$GTUBE" &&
	grep -q "<\*\* *554 5.7.1 Gtube pattern" "$T/swaks.out" &&
	smtp clean "Hello from the test." &&
	test_wait_until -t 30 mailbox_has 2 &&
	last_message > "$T/m2" &&
	grep -q "^Subject: clean" "$T/m2" &&
	grep -q "^DKIM-Signature: .*d=example.org; s=s1;" "$T/m2" &&
	in_sd opendkim-testmsg < "$T/m2"
'

test_expect_success 'outbound: GTUBE through sendmail never arrives; the clean message after it does' '
	sendmail_msg gtube-local "$GTUBE" &&
	sendmail_msg clean-local "Hello again." &&
	test_wait_until -t 30 mailbox_has 3 &&
	last_message | grep -q "^Subject: clean-local" &&
	! grep -q "^Subject: gtube-local" "$S/var/mail/alice"
'

test_expect_success 'Rspamd stopped: mail still flows (milter_default_action = accept)' '
	in_sd systemctl stop rspamd &&
	smtp while-stopped "Nobody filters this." &&
	test_wait_until -t 30 mailbox_has 4 &&
	in_sd systemctl start rspamd &&
	test_wait_until -t 120 listening 11332
'

test_expect_success 'Rspamd not answering on 11332 after its reload: rolled back, exit 3' '
	in_sd hardenwiz --rollback > /dev/null 2>&1 &&
	mkdir -p "$S/etc/rspamd/override.d" &&
	printf "milter = yes;\nbind_socket = \"localhost:11399\";\nupstream \"local\" {\n  default = yes;\n  hosts = \"localhost\";\n}\n" \
	    > "$S/etc/rspamd/override.d/worker-proxy.inc" &&
	test_expect_code 3 in_sd hardenwiz --apply /root/sf.conf > "$T/moved.out" 2>&1 &&
	grep -q "Rspamd does not answer as a milter on inet:127.0.0.1:11332 after its reload" "$T/moved.out" &&
	test "$(in_sd postconf -h smtpd_milters)" = "inet:127.0.0.1:8891" &&
	rm "$S/etc/rspamd/override.d/worker-proxy.inc" &&
	in_sd systemctl restart rspamd &&
	test_wait_until -t 120 listening 11332 &&
	in_sd hardenwiz --apply /root/sf.conf > /dev/null 2>&1
'

test_expect_success 'rollback: Postfix'"'"'s and Rspamd'"'"'s files to the byte, GTUBE delivered again' '
	in_sd hardenwiz --rollback > /dev/null 2>&1 &&
	mkdir "$T/before" && tar -C "$T/before" -xf "$T/etc-before.tar" &&
	diff -r "$T/before/etc/postfix" "$S/etc/postfix" &&
	diff -r "$T/before/etc/rspamd" "$S/etc/rspamd" &&
	smtp gtube-after "$GTUBE" &&
	test_wait_until -t 30 mailbox_has 5
'

test_done
