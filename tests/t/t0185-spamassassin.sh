#!/bin/bash
# t0185: [spamfilter] engine = spamassassin. Offline: spamass-milter and
# spamd installed when missing (the next run sets them up: their settings
# come with the package), /etc/default/spamass-milter through Augeas with
# the admin's own options kept, read back as its start script reads it.
# Live, in a booted Debian with Postfix, OpenDKIM, nsd, spamd and
# spamass-milter (debootstrap resolves no virtual package: perl-openssl-abi-3
# comes from perl-openssl-defaults, named): GTUBE rejected over SMTP and from sendmail, a clean
# message marked by SpamAssassin and DKIM-signed after it, mail flowing
# while spamd or the milter is stopped, rollback to the byte.
. "$(dirname "$0")/lib.sh"
need_root

GTUBE='XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'

# ---- offline ----
R=$T/root
mkroot debian12 "$R"
with_postfix "$R"

recipe sa.conf <<EOF
[spamfilter]
engine = spamassassin
EOF
recipe sa-in.conf <<EOF
[spamfilter]
engine = spamassassin
outbound = no
EOF

# spamass-milter's start script reads the root's file: these variables.
reads() {	# reads VAR VALUE
	test "$(sh -c '. "$1" && eval "printf %s \"\$$2\""' sh \
	    "$R/etc/default/spamass-milter" "$1")" = "$2"
}

test_expect_success 'not installed: both packages installed, Postfix left alone until the next run' '
	$HW --root "$R" --apply "$T/sa.conf" --dry-run > "$T/dry.out" &&
	grep -q "^# run: apt-get install -y spamass-milter  (skipped: offline root)" "$T/dry.out" &&
	grep -q "^# run: apt-get install -y spamd  (skipped: offline root)" "$T/dry.out" &&
	grep -q "run hardenwiz again after this run to set it up" "$T/dry.out" &&
	! grep -q "smtpd_milters" "$T/dry.out"
'

test_expect_success 'installed: the options (the admin'"'"'s -x kept), the socket, first in both milter lists' '
	mkdir -p "$R/usr/sbin" "$R/etc/default" &&
	: > "$R/usr/sbin/spamass-milter" && : > "$R/usr/sbin/spamd" &&
	mkdir -p "$R/usr/lib/systemd/system" "$R/etc/systemd/system/multi-user.target.wants" &&
	printf "[Service]\nExecStart=/usr/sbin/spamd\n[Install]\nWantedBy=multi-user.target\n" \
	    > "$R/usr/lib/systemd/system/spamd.service" &&
	ln -s /usr/lib/systemd/system/spamd.service \
	    "$R/etc/systemd/system/multi-user.target.wants/spamd.service" &&
	printf "# spamass-milt startup defaults\nOPTIONS=\"-u spamass-milter -x -i 127.0.0.1\"\n" \
	    > "$R/etc/default/spamass-milter" &&
	postconf -c "$R/etc/postfix" -e "smtpd_milters = inet:127.0.0.1:8891, inet:127.0.0.1:11332" &&
	snapshot "$R" > "$T/before" &&
	$HW --root "$R" --apply "$T/sa.conf" > "$T/apply.out" 2>&1 &&
	reads OPTIONS "-u spamass-milter -x -m -r 15" &&
	reads SOCKET "inet:11331@127.0.0.1" &&
	test "$(postconf -c "$R/etc/postfix" -h smtpd_milters)" = "inet:127.0.0.1:11331, inet:127.0.0.1:8891" &&
	test "$(postconf -c "$R/etc/postfix" -h non_smtpd_milters)" = "inet:127.0.0.1:11331" &&
	$HW --root "$R" --audit --only spamfilter > "$T/audit.out" &&
	grep -q "^spamfilter  *ok" "$T/audit.out" &&
	$HW --root "$R" --apply "$T/sa.conf" | grep -qx "# nothing to change" &&
	$HW --root "$R" --rollback > /dev/null 2>&1 &&
	snapshot "$R" | diff - "$T/before"
'

test_expect_success 'outbound = no: logged-in users and local mail not scanned, said so' '
	$HW --root "$R" --apply "$T/sa-in.conf" > "$T/in.out" 2>&1 &&
	reads OPTIONS "-u spamass-milter -x -m -r 15 -I -i 127.0.0.1" &&
	test -z "$(postconf -c "$R/etc/postfix" -h non_smtpd_milters)" &&
	grep -q "outbound = no: mail your users send is not filtered" "$T/in.out" &&
	$HW --root "$R" --rollback > /dev/null 2>&1
'

test_expect_success 'a file its start script cannot read is refused, nothing changed' '
	printf "OPTIONS=\"-u spamass-milter\nif then\n" > "$R/etc/default/spamass-milter" &&
	snapshot "$R" > "$T/broken" &&
	{ $HW --root "$R" --apply "$T/sa.conf" > "$T/broken.out" 2>&1; test $? != 0; } &&
	snapshot "$R" | diff - "$T/broken"
'

# ---- live ----
S=$T/sys
sd_prepare t0185

test_expect_success 'a systemd host with Postfix, OpenDKIM signing, spamd and spamass-milter' '
	sd_mail_root "$S" spamassassin,spamd,spamass-milter,perl-openssl-defaults &&
	mail_example_org &&
	printf "[dns]\ndomain = example.org\ndkim_selector = s1\nipv4 = 81.2.69.10\ndns_server = 127.0.0.1\n" > "$S/root/dns.conf" &&
	chmod 600 "$S/root/dns.conf" &&
	in_sd hardenwiz --apply /root/dns.conf > "$T/dns.out" 2>&1 &&
	sed -n "s/.*publish[^:]*: \(s1\._domainkey\.example\.org\. IN TXT .*)\).*/\1/p" "$T/dns.out" | head -n 1 > "$T/s1.rr" &&
	test -s "$T/s1.rr" &&
	zone "$(cat "$T/s1.rr")" && in_sd systemctl restart nsd &&
	test_wait_until -t 30 listening 53 &&
	tar -C "$S" -cf "$T/etc-before.tar" etc/postfix etc/default/spamass-milter
'

test_expect_success 'apply: spamass-milter first, before OpenDKIM; it and spamd answer after the restart' '
	cp "$T/sa.conf" "$S/root/sa.conf" &&
	{ in_sd hardenwiz --apply /root/sa.conf > "$T/live.out" 2>&1 ||
	    { cat "$T/live.out"; in_sd systemctl status spamd spamass-milter --no-pager; false; }; } &&
	test "$(in_sd postconf -h smtpd_milters)" = "inet:127.0.0.1:11331, inet:127.0.0.1:8891" &&
	grep -q "ran: systemctl restart spamass-milter" "$T/live.out" &&
	listening 11331 &&
	in_sd spamc -K
'

test_expect_success 'GTUBE over SMTP is rejected; a clean message is marked, DKIM-signed, and verifies' '
	! smtp gtube "$GTUBE" &&
	grep -q "<\*\* *5[0-9][0-9]" "$T/swaks.out" &&
	smtp clean "Hello from the test." &&
	test_wait_until -t 60 mailbox_has 1 &&
	last_message > "$T/m1" &&
	grep -q "^X-Spam-Status: No" "$T/m1" &&
	grep -q "^DKIM-Signature: .*d=example.org; s=s1;" "$T/m1" &&
	in_sd opendkim-testmsg < "$T/m1"
'

test_expect_success 'outbound: GTUBE through sendmail never arrives; the clean message after it does' '
	sendmail_msg gtube-local "$GTUBE" &&
	sendmail_msg clean-local "Hello again." &&
	test_wait_until -t 60 mailbox_has 2 &&
	last_message | grep -q "^Subject: clean-local" &&
	! grep -q "^Subject: gtube-local" "$S/var/mail/alice"
'

test_expect_success 'spamd stopped, then spamass-milter stopped: mail still flows' '
	in_sd systemctl stop spamd &&
	smtp no-spamd "Nobody scores this." &&
	test_wait_until -t 60 mailbox_has 3 &&
	in_sd systemctl stop spamass-milter &&
	smtp no-milter "Nobody filters this." &&
	test_wait_until -t 60 mailbox_has 4 &&
	in_sd systemctl start spamd spamass-milter &&
	test_wait_until -t 60 listening 11331
'

test_expect_success 'rollback: Postfix'"'"'s and spamass-milter'"'"'s files to the byte' '
	in_sd hardenwiz --rollback > /dev/null 2>&1 &&
	mkdir "$T/before-live" && tar -C "$T/before-live" -xf "$T/etc-before.tar" &&
	diff -r "$T/before-live/etc/postfix" "$S/etc/postfix" &&
	cmp "$T/before-live/etc/default/spamass-milter" "$S/etc/default/spamass-milter"
'

test_done
