#!/bin/bash
# t0140: the [dns] step's DKIM signing, for real. A Debian root of this
# machine's release boots systemd as PID 1 of private namespaces (as
# t0120), with the distribution's Postfix, OpenDKIM and nsd (serving
# example.org on 127.0.0.1, the root's only resolver). hardenwiz applies
# to "/" in there: the key, OpenDKIM's tables and socket, Postfix's
# milters; mail sent through Postfix (sendmail, and SMTP from swaks) is
# signed, and opendkim-testmsg verifies it against the record hardenwiz
# printed, once it is in the zone. Then a rotation, and rollback to the
# byte. The offline part runs on a --root copy of the fixtures.
. "$(dirname "$0")/lib.sh"
need_root
command -v opendkim >/dev/null || skip_all "needs opendkim (make deps-test)"

# ---- offline: a --root with Debian's opendkim.conf ----
R=$T/root
mkroot debian12 "$R"
with_postfix "$R"
mkdir -p "$R/usr/sbin" && : > "$R/usr/sbin/opendkim"
cp /etc/opendkim.conf "$R/etc/opendkim.conf"
echo 'opendkim:x:990:990::/run/opendkim:/usr/sbin/nologin' >> "$R/etc/passwd"
echo 'opendkim:x:990:' >> "$R/etc/group"
snapshot "$R" > "$T/pristine"

recipe off.conf <<EOF
[dns]
domain = example.org example.net
dkim_selector = s1
ipv4 = 81.2.69.10
EOF

test_expect_success 'offline dry run: every change shown, the private keys never' '
	$HW --root "$R" --apply "$T/off.conf" --dry-run > "$T/dry.out" 2>&1 &&
	grep -q "^# private /etc/dkimkeys/example.org.s1.private: a private key, [0-9]* bytes (never shown)" "$T/dry.out" &&
	grep -q "^# private /etc/dkimkeys/example.net.s1.private:" "$T/dry.out" &&
	grep -q "^# mode /etc/dkimkeys/example.org.s1.private 0600 opendkim:opendkim (new file)" "$T/dry.out" &&
	grep -q "^# mkdir /etc/dkimkeys 0700 opendkim:opendkim" "$T/dry.out" &&
	grep -qx "+Socket			inet:8891@127.0.0.1" "$T/dry.out" &&
	grep -qx "+SigningTable	refile:/etc/opendkim/SigningTable" "$T/dry.out" &&
	grep -qx "+s1._domainkey.example.net	example.net:s1:/etc/dkimkeys/example.net.s1.private" "$T/dry.out" &&
	grep -qx "+\*@example.org	s1._domainkey.example.org" "$T/dry.out" &&
	grep -qx "+smtpd_milters = inet:127.0.0.1:8891" "$T/dry.out" &&
	grep -qx "+milter_default_action = accept" "$T/dry.out" &&
	grep -q "^# run: systemctl restart opendkim  (skipped: offline root)" "$T/dry.out" &&
	grep -q "publish: s1._domainkey.example.net. IN TXT ( \"v=DKIM1; k=rsa; p=" "$T/dry.out" &&
	! grep -q "PRIVATE KEY" "$T/dry.out" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'offline apply: keys 0600 for OpenDKIM, in no output and not in the journal; no selector given: the one in use' '
	$HW --root "$R" --apply "$T/off.conf" > "$T/off.out" 2>&1 &&
	test "$(stat -c "%a %u %g" "$R/etc/dkimkeys/example.org.s1.private")" = "600 990 990" &&
	test "$(stat -c "%a %u" "$R/etc/dkimkeys")" = "700 990" &&
	openssl pkey -in "$R/etc/dkimkeys/example.org.s1.private" -noout -text |
	    grep -q "Private-Key: (2048 bit" &&
	line=$(sed -n 3p "$R/etc/dkimkeys/example.org.s1.private") &&
	test -n "$line" &&
	! grep -rqF -- "$line" "$T/off.out" "$T/dry.out" "$R/var/lib/hardenwiz" &&
	! grep -rq "PRIVATE KEY" "$T/off.out" "$R/var/lib/hardenwiz" &&
	$HW --root "$R" --apply "$T/off.conf" 2>&1 | grep -qx "# nothing to change" &&
	grep -v "^dkim_selector" "$T/off.conf" > "$T/nosel.conf" && chmod 600 "$T/nosel.conf" &&
	$HW --root "$R" --apply "$T/nosel.conf" 2>&1 | grep -qx "# nothing to change"
'

test_expect_success 'offline rollback: byte for byte, the keys removed with the tables' '
	$HW --root "$R" --rollback 2>/dev/null &&
	test ! -e "$R/etc/dkimkeys" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'a KeyTable row whose key is missing is refused, naming the key' '
	mkdir -p "$R/etc/opendkim" &&
	printf "old._domainkey.example.com example.com:old:/etc/dkimkeys/gone.private\n" > "$R/etc/opendkim/KeyTable" &&
	printf "KeyTable /etc/opendkim/KeyTable\n" >> "$R/etc/opendkim.conf" &&
	snapshot "$R" > "$T/with-table" &&
	test_expect_code 3 $HW --root "$R" --apply "$T/off.conf" > "$T/gone.out" 2>&1 &&
	grep -q "the KeyTable names the key /etc/dkimkeys/gone.private, which does not exist" "$T/gone.out" &&
	snapshot "$R" | diff - "$T/with-table"
'

test_expect_success 'OpenDKIM refusing the candidate (opendkim -n) changes nothing' '
	cp /etc/opendkim.conf "$R/etc/opendkim.conf" && rm -r "$R/etc/opendkim" &&
	printf "LogWhy yes\nBogusSetting yes\n" >> "$R/etc/opendkim.conf" &&
	snapshot "$R" > "$T/bogus" &&
	test_expect_code 3 $HW --root "$R" --apply "$T/off.conf" > "$T/bogus.out" 2>&1 &&
	grep -q "OpenDKIM refuses the new /etc/opendkim.conf: .*unrecognized parameter" "$T/bogus.out" &&
	snapshot "$R" | diff - "$T/bogus"
'

test_expect_success 'OpenDKIM not installed: refused with the command to install it' '
	cp /etc/opendkim.conf "$R/etc/opendkim.conf" && rm "$R/usr/sbin/opendkim" &&
	test_expect_code 1 $HW --root "$R" --apply "$T/off.conf" > "$T/none.out" 2>&1 &&
	grep -q "OpenDKIM is not installed: install it (apt-get install opendkim" "$T/none.out" &&
	: > "$R/usr/sbin/opendkim"
'

test_expect_success 'no domain in the recipe: mydomain and the virtual domains written in main.cf (not a map'"'"'s)' '
	printf "[dns]\ndkim_selector = d1\n" > "$T/nodom.conf" && chmod 600 "$T/nodom.conf" &&
	cp "$R/etc/postfix/main.cf" "$T/main.cf.orig" &&
	printf "mapped.example.com OK\n" > "$R/etc/postfix/vdomains" &&
	postconf -c "$R/etc/postfix" -e mydomain=example.org \
	    "virtual_alias_domains = alias.example.net, texthash:/etc/postfix/vdomains" &&
	$HW --root "$R" --apply "$T/nodom.conf" --dry-run > "$T/nodom.out" 2>&1 &&
	cp "$T/main.cf.orig" "$R/etc/postfix/main.cf" && rm "$R/etc/postfix/vdomains" &&
	grep -qx "+\*@example.org	d1._domainkey.example.org" "$T/nodom.out" &&
	grep -qx "+\*@alias.example.net	d1._domainkey.alias.example.net" "$T/nodom.out" &&
	test "$(grep -c "^+\*@" "$T/nodom.out")" = 2
'

test_expect_success 'records only (dkim_sign = no): SPF with the includes, DMARC, TLS-RPT, MTA-STS; nothing changes' '
	recipe rec.conf <<-EOF2 &&
	[dns]
	domain = example.com
	dkim_sign = no
	ipv4 = 81.2.69.10
	spf_include = _spf.mailer.example.net
	dmarc_policy = quarantine
	dmarc_rua = mailto:reports@example.com
	tls_rpt = mailto:tls@example.com
	mta_sts = testing
	EOF2
	snapshot "$R" > "$T/before-rec" &&
	$HW --root "$R" --apply "$T/rec.conf" > "$T/rec.out" 2>&1 &&
	grep -q "publish: example.com. IN TXT \"v=spf1 ip4:81.2.69.10 include:_spf.mailer.example.net ~all\"" "$T/rec.out" &&
	grep -q "publish: _dmarc.example.com. IN TXT \"v=DMARC1; p=quarantine; rua=mailto:reports@example.com\"" "$T/rec.out" &&
	grep -q "publish: _smtp._tls.example.com. IN TXT \"v=TLSRPTv1; rua=mailto:tls@example.com\"" "$T/rec.out" &&
	grep -q "publish: _mta-sts.example.com. IN TXT \"v=STSv1; id=[0-9a-f]*\".*mode: testing | mx: mail.example.com" "$T/rec.out" &&
	grep -q "publish: example.com. IN MX 10 mail.example.com." "$T/rec.out" &&
	grep -q "ask the address.s provider for: 10.69.2.81.in-addr.arpa. IN PTR mail.example.com." "$T/rec.out" &&
	grep -qx "# nothing to change" "$T/rec.out" &&
	snapshot "$R" | diff - "$T/before-rec"
'

# ---- live: a booted Debian with Postfix, OpenDKIM and nsd ----
S=$T/sys
sd_prepare t0140

published() {	# published SEL: the zone serves SEL's DKIM record
	in_sd hardenwiz --check-dns --server 127.0.0.1 --domain example.org \
	    --selector "$1" 2>/dev/null | grep -q "DKIM .* ok"
}

# The record hardenwiz said to publish for SEL, as a zone line.
record_of() {	# record_of OUTPUT SEL
	sed -n "s/.*publish[^:]*: \($2\._domainkey\.example\.org\. IN TXT .*)\).*/\1/p" "$1" | head -n 1
}

# /etc of the booted root, but the zone the test itself publishes.
etc_state() {
	snapshot "$S/etc" | grep -v "^\./nsd/"
}

send_mail() {	# send_mail SUBJECT: through sendmail (cleanup's non_smtpd_milters)
	printf 'From: admin@example.org\nTo: alice@example.org\nSubject: %s\n\nHello from the test.\n' "$1" |
	    in_sd /usr/sbin/sendmail -f admin@example.org alice@example.org
}

verifies() {	# verifies FILE: opendkim-testmsg accepts its signature
	in_sd opendkim-testmsg < "$1" > "$T/testmsg.out" 2>&1
}

test_expect_success 'a systemd host with Postfix, OpenDKIM (unix socket) and nsd' '
	sd_mail_root "$S" &&
	mail_example_org &&
	test_wait_until -t 30 listening 53 &&
	test_wait_until -t 30 in_sd test -S /run/opendkim/opendkim.sock &&
	etc_state > "$T/sys-pristine"
'

recipe live.conf <<EOF
[dns]
domain = example.org
dkim_selector = s1
ipv4 = 81.2.69.10
dns_server = 127.0.0.1
EOF

test_expect_success 'apply: OpenDKIM on 127.0.0.1:8891 with the key, Postfix passes mail through it' '
	cp "$T/live.conf" "$S/root/live.conf" &&
	in_sd hardenwiz --apply /root/live.conf > "$T/live.out" 2>&1 &&
	test "$(in_sd stat -c "%a %U" /etc/dkimkeys/example.org.s1.private)" = "600 opendkim" &&
	test_wait_until -t 20 listening 8891 &&
	test "$(in_sd postconf -h smtpd_milters)" = "inet:127.0.0.1:8891" &&
	test "$(in_sd postconf -h non_smtpd_milters)" = "inet:127.0.0.1:8891" &&
	line=$(sed -n 3p "$S/etc/dkimkeys/example.org.s1.private") &&
	! grep -rqF -- "$line" "$T/live.out" "$S/var/lib/hardenwiz" &&
	record_of "$T/live.out" s1 > "$T/s1.rr" &&
	test -s "$T/s1.rr"
'

test_expect_success 'mail through Postfix is signed; with the printed record published it verifies' '
	zone "$(cat "$T/s1.rr")" && in_sd systemctl restart nsd &&
	test_wait_until -t 20 published s1 &&
	send_mail first &&
	test_wait_until -t 30 mailbox_has 1 &&
	last_message > "$T/m1" &&
	grep -q "^DKIM-Signature: .*d=example.org; s=s1;" "$T/m1" &&
	verifies "$T/m1" &&
	sed "s/Hello from the test/Hello from someone else/" "$T/m1" > "$T/m1.forged" &&
	! verifies "$T/m1.forged"
'

test_expect_success 'SMTP from a loopback client (smtpd_milters) is signed too' '
	in_sd swaks --server 127.0.0.1 --from admin@example.org \
	    --to alice@example.org --h-Subject smtp --silent 2 &&
	test_wait_until -t 30 mailbox_has 2 &&
	last_message > "$T/m2" &&
	grep -q "^DKIM-Signature: .*s=s1;" "$T/m2" &&
	verifies "$T/m2"
'

test_expect_success 'the same recipe again changes nothing' '
	in_sd hardenwiz --apply /root/live.conf > "$T/again.out" 2>&1 &&
	grep -qx "# nothing to change" "$T/again.out"
'

test_expect_success 'rotation: the new key s2 is made, s1 signs until DNS serves s2' '
	sed "s/s1/s2/" "$T/live.conf" > "$S/root/s2.conf" &&
	in_sd hardenwiz --apply /root/s2.conf > "$T/s2.out" 2>&1 &&
	test -f "$S/etc/dkimkeys/example.org.s2.private" &&
	grep -q "the new DKIM key is not in DNS yet\|new DKIM key; publish it" "$T/s2.out" &&
	grep -q "example.org keeps signing with s1._domainkey.example.org until then" "$T/s2.out" &&
	grep -qx "\*@example.org	s1._domainkey.example.org" "$S/etc/opendkim/SigningTable" &&
	send_mail second &&
	test_wait_until -t 30 mailbox_has 3 &&
	last_message > "$T/m3" &&
	grep -q "^DKIM-Signature: .*s=s1;" "$T/m3" &&
	verifies "$T/m3" &&
	record_of "$T/s2.out" s2 > "$T/s2.rr" && test -s "$T/s2.rr"
'

test_expect_success 'once DNS serves s2, the next run switches to it; mail signed with s2 verifies' '
	zone "$(cat "$T/s1.rr")" "$(cat "$T/s2.rr")" && in_sd systemctl restart nsd &&
	test_wait_until -t 20 published s2 &&
	in_sd hardenwiz --apply /root/s2.conf > "$T/switch.out" 2>&1 &&
	grep -q "DNS serves s2._domainkey.example.org with the new key" "$T/switch.out" &&
	grep -qx "\*@example.org	s2._domainkey.example.org" "$S/etc/opendkim/SigningTable" &&
	send_mail third &&
	test_wait_until -t 30 mailbox_has 4 &&
	last_message > "$T/m4" &&
	grep -q "^DKIM-Signature: .*s=s2;" "$T/m4" &&
	verifies "$T/m4"
'

test_expect_success 'rollback of all three: byte for byte, OpenDKIM back on its unix socket' '
	in_sd hardenwiz --rollback 2>/dev/null &&
	in_sd hardenwiz --rollback 2>/dev/null &&
	in_sd hardenwiz --rollback 2>/dev/null &&
	etc_state | diff - "$T/sys-pristine" &&
	test_wait_until -t 20 in_sd test -S /run/opendkim/opendkim.sock &&
	! listening 8891 &&
	test -z "$(in_sd postconf -h smtpd_milters)"
'

test_expect_success 'OpenDKIM cannot restart: the whole change is rolled back' '
	in_sd systemctl mask --runtime opendkim &&
	test_expect_code 1 in_sd hardenwiz --apply /root/live.conf > "$T/masked.out" 2>&1 &&
	grep -q "rolled back every change" "$T/masked.out" &&
	in_sd systemctl unmask --runtime opendkim &&
	etc_state | diff - "$T/sys-pristine"
'

test_done
