#!/bin/bash
# t0090: the Postfix steps (postfix-ratelimit, postfix-blocklist), checked
# by Postfix's own tools on an
# offline root, then on a real Postfix running inside private network,
# mount and pid namespaces (/etc/postfix, /var/spool/postfix, /var/lib
# private copies or tmpfs), with swaks sending from a second namespace over
# a veth pair (a client outside $mynetworks) and from loopback (inside).
. "$(dirname "$0")/lib.sh"
need_postfix

recipe limit.conf <<EOF
[postfix-ratelimit]
message_rate = 3
recipient_rate = 10
time_unit = 60s
EOF

R=$T/root
mkroot debian12 "$R"
with_postfix "$R"
snapshot "$R" > "$T/pristine"

test_expect_success 'offline: the diff sets the limits (60s is the default: no line); postconf reads them back' '
	$HW --root "$R" --apply "$T/limit.conf" --dry-run > "$T/dry.out" &&
	grep -qx "+smtpd_client_message_rate_limit = 3" "$T/dry.out" &&
	grep -qx "+smtpd_client_recipient_rate_limit = 10" "$T/dry.out" &&
	! grep -q "anvil_rate_time_unit" "$T/dry.out" &&
	grep -q "not counted by the client limits: 127.0.0.0/8" "$T/dry.out" &&
	$HW --root "$R" --apply "$T/limit.conf" > "$T/apply.out" 2>&1 &&
	test "$(postconf -c "$R/etc/postfix" -h smtpd_client_message_rate_limit)" = 3 &&
	test "$(postconf -c "$R/etc/postfix" -xh anvil_rate_time_unit)" = 60s &&
	! postconf -c "$R/etc/postfix" -n 2>&1 | grep -q warning &&
	$HW --root "$R" --apply "$T/limit.conf" | grep -q "^# nothing to change" &&
	$HW --root "$R" --rollback &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'offline: a typo already in main.cf is caught (postconf warns, exit 3)' '
	cp -a "$R" "$T/typo" &&
	echo "smtpd_client_mesage_rate_limit = 5" >> "$T/typo/etc/postfix/main.cf" &&
	test_expect_code 3 $HW --root "$T/typo" --apply "$T/limit.conf" 2> "$T/typo.err" &&
	grep -q "unused parameter: smtpd_client_mesage_rate_limit" "$T/typo.err"
'

test_expect_success 'offline: "10/min" where a number belongs is caught by smtpd itself (exit 3, tree unchanged)' '
	cp -a "$R" "$T/rate" &&
	echo "smtpd_client_connection_rate_limit = 10/min" >> "$T/rate/etc/postfix/main.cf" &&
	snapshot "$T/rate" > "$T/rate.snap" &&
	test "$(postconf -c "$T/rate/etc/postfix" -n 2>&1 | grep -c warning)" = 0 &&
	test_expect_code 3 $HW --root "$T/rate" --apply "$T/limit.conf" 2> "$T/rate.err" &&
	grep -q "Postfix.s smtpd cannot start for the master.cf service smtp/inet, already before this change, so it fails every client now: bad numerical configuration: smtpd_client_connection_rate_limit = 10/min" "$T/rate.err" &&
	snapshot "$T/rate" | diff - "$T/rate.snap"
'

# Types are Postfix's: each master.cf service's daemon is started on the
# staged files without "-t" and stops at its first fatal. Postfix 3.7.10+
# (Debian 12) takes "normalize" for a parameter whose default is "no".
test_expect_success 'offline: values Postfix takes pass, whatever their default looks like (smtpd_forbid_bare_newline = normalize)' '
	cp -a "$R" "$T/bare" &&
	echo "smtpd_forbid_bare_newline = normalize" >> "$T/bare/etc/postfix/main.cf" &&
	$HW --root "$T/bare" --apply "$T/limit.conf" > "$T/bare.out" 2>&1 &&
	grep -qx "smtpd_client_message_rate_limit = 3" "$T/bare/etc/postfix/main.cf"
'

test_expect_success 'offline: a master.cf override smtpd refuses is caught, with the service named' '
	cp -a "$R" "$T/over" &&
	printf "submission inet n - y - - smtpd\n  -o smtpd_tls_auth_only=maybe\n" >> "$T/over/etc/postfix/master.cf" &&
	snapshot "$T/over" > "$T/over.snap" &&
	test_expect_code 3 $HW --root "$T/over" --apply "$T/limit.conf" 2> "$T/over.err" &&
	grep -q "service submission/inet, already before this change, so it fails every client now: bad boolean configuration: smtpd_tls_auth_only = maybe" "$T/over.err" &&
	snapshot "$T/over" | diff - "$T/over.snap"
'

# virtual(8) runs only for mail routed to it, and Debian's stock files
# already stop it (empty virtual_mailbox_base): not the candidate's doing.
test_expect_success 'offline: a service started only on demand that already failed does not stop the run' '
	cp -a "$R" "$T/virt" &&
	echo "virtual_mailbox_limit = lots" >> "$T/virt/etc/postfix/main.cf" &&
	$HW --root "$T/virt" --apply "$T/limit.conf" > "$T/virt.out" 2>&1 &&
	grep -qx "smtpd_client_message_rate_limit = 3" "$T/virt/etc/postfix/main.cf"
'

test_expect_success 'offline: a warning main.cf already gives is not the candidate'"'"'s fault' '
	cp -a "$R" "$T/dup" &&
	sed -i "/^inet_protocols/i inet_protocols = ipv4" "$T/dup/etc/postfix/main.cf" &&
	postconf -c "$T/dup/etc/postfix" -n 2>&1 >/dev/null |
	    grep -q "overriding earlier entry: inet_protocols=ipv4" &&
	$HW --root "$T/dup" --apply "$T/limit.conf" > "$T/dup.out" 2>&1 &&
	grep -qx "smtpd_client_message_rate_limit = 3" "$T/dup/etc/postfix/main.cf"
'

# Postfix >= 3.9 warns that smtpd_use_tls "will be removed" (Debian 13);
# older Postfix reads it quietly. Either way the run goes through.
test_expect_success 'offline: an old smtpd_use_tls in main.cf does not stop the run; Postfix 3.10'"'"'s deprecation is a note' '
	cp -a "$R" "$T/oldtls" &&
	echo "smtpd_use_tls = yes" >> "$T/oldtls/etc/postfix/main.cf" &&
	$HW --root "$T/oldtls" --apply "$T/limit.conf" > "$T/oldtls.out" 2>&1 &&
	test "$(postconf -c "$T/oldtls/etc/postfix" -h smtpd_client_message_rate_limit 2>/dev/null)" = 3 &&
	$HW --root "$T/oldtls" --audit --only postfix-ratelimit > "$T/oldtls.audit" 2>&1 &&
	! grep -q "warning" "$T/oldtls.audit" &&
	$HW --root "$T/oldtls" --rollback 2>/dev/null &&
	$HW --root "$T/oldtls" --apply "$T/limit.conf" --dry-run > "$T/oldtls.dry" 2>&1 &&
	if postconf -c "$T/oldtls/etc/postfix" -n 2>&1 >/dev/null | grep -q "support for parameter"; then
		grep -q "^# note: main.cf: parameter \"smtpd_use_tls\" will be removed; instead, specify \"smtpd_tls_security_level\" (Postfix still runs with it, and warns)" "$T/oldtls.dry"
	else
		! grep -q "will be removed" "$T/oldtls.dry"
	fi
'

test_expect_success 'offline: postconf warnings never become a value (no master.cf)' '
	cp -a "$R" "$T/nomaster" &&
	rm "$T/nomaster/etc/postfix/master.cf" &&
	$HW --root "$T/nomaster" --audit --only postfix-sasl,postfix-ratelimit > "$T/nomaster.out" 2>&1 &&
	grep -q "smtpd_client_message_rate_limit: 0" "$T/nomaster.out" &&
	! grep -q "warning" "$T/nomaster.out"
'

test_expect_success 'offline: a referenced map without its .db is caught (exit 3, tree unchanged)' '
	cp -a "$R" "$T/nomap" &&
	printf "x@example.com REJECT\n" > "$T/nomap/etc/postfix/access" &&
	echo "smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/access" >> "$T/nomap/etc/postfix/main.cf" &&
	snapshot "$T/nomap" > "$T/nomap.snap" &&
	test_expect_code 3 $HW --root "$T/nomap" --apply "$T/limit.conf" 2> "$T/nomap.err" &&
	grep -q "refers to hash:/etc/postfix/access, which Postfix cannot open (postmap fatal: open database /etc/postfix/access.db" "$T/nomap.err" &&
	snapshot "$T/nomap" | diff - "$T/nomap.snap"
'

if command -v tmux >/dev/null; then
start
test_expect_success 'wizard: the rate-limit form, prefilled, and its preview' '
	wait_for "Postfix rate limits          [needs-change]" &&
	wz_pick "Postfix rate limits" &&
	wait_for "smtpd_client_message_rate_limit: 0 (no limit) (recommended: 100)" &&
	wait_for "Messages per client         100" &&
	wait_for "Time unit                   60" &&
	tm send-keys -t wz F12 &&
	wait_for "+smtpd_client_message_rate_limit = 100" &&
	wait_for "not counted by the client limits: 127.0.0.0/8" &&
	wz_quit_from_preview &&
	snapshot "$R" | diff - "$T/pristine"
'
fi

if command -v tmux >/dev/null; then
start
test_expect_success 'wizard: the blocklist form explains what it matches and previews the map' '
	wait_for "Postfix sender blocklist     [ok]" &&
	wz_pick "Postfix sender blocklist" &&
	wait_for "Blocked senders" &&
	wait_for "Blocked client addresses" &&
	tm send-keys -t wz F1 &&
	wait_for "Only the envelope sender is matched" &&
	tm send-keys -t wz Enter &&
	tm send-keys -t wz "spammer@example.com evil.example" F12 &&
	wait_for "+spammer@example.com REJECT" &&
	wait_for "+evil.example REJECT" &&
	wz_quit_from_preview &&
	snapshot "$R" | diff - "$T/pristine"
'
fi

test_expect_success 'audit: unlimited clients are a finding' '
	$HW --root "$R" --audit > "$T/audit.out" &&
	grep -q "smtpd_client_message_rate_limit: 0 (no limit) -> 100" "$T/audit.out"
'

# The live server: everything discarded (nothing lands in a mailbox).
postfix_conf default_transport=discard
cp -a "$P" "$T/postfix.orig"

ns_start

test_expect_success 'namespace: Postfix running on 25, a far client over veth' '
	postfix_ns_start &&
	ns_veth &&
	test_wait_until -t 10 port_open far 10.99.0.1 25 &&
	far swaks -s 10.99.0.1 -t root@example.com -f a@example.net \
	    --h-Subject before > "$T/before.out" 2>&1
'

test_expect_success 'apply live: postfix reload, then the SMTP smoke test' '
	in_ns "$HW" --apply "$T/limit.conf" > "$T/live.out" 2>&1 &&
	grep -q "ran: postfix reload" "$T/live.out" &&
	test "$(in_ns postconf -h smtpd_client_message_rate_limit)" = 3
'

test_expect_success 'the 4th message from a far client in one minute gets 450' '
	for i in 1 2 3; do
		far swaks -s 10.99.0.1 -t root@example.com -f a@example.net \
		    --h-Subject "n$i" > "$T/ok$i.out" 2>&1 || { cat "$T/ok$i.out"; false; } || return 1
	done &&
	! far swaks -s 10.99.0.1 -t root@example.com -f a@example.net \
	    --h-Subject n4 > "$T/n4.out" 2>&1 &&
	{ grep -q "<\*\* 450 4.7.1 Error: too much mail from 10.99.0.2" "$T/n4.out" || { cat "$T/n4.out"; false; }; }
'

test_expect_success 'loopback ($mynetworks) is not counted: 5 messages pass' '
	for i in 1 2 3 4 5; do
		in_ns swaks -s 127.0.0.1 -t root@example.com -f a@example.net \
		    --h-Subject "l$i" > "$T/lo$i.out" 2>&1 || { cat "$T/lo$i.out"; false; } || return 1
	done
'

test_expect_success 'a second apply changes nothing' '
	in_ns "$HW" --apply "$T/limit.conf" | grep -q "^# nothing to change"
'

test_expect_success 'rollback: main.cf byte-identical, Postfix reloaded and answering' '
	in_ns "$HW" --rollback &&
	diff -r "$T/postfix.orig" "$P" &&
	test "$(in_ns postconf -h smtpd_client_message_rate_limit)" = 0 &&
	far swaks -s 10.99.0.1 -t root@example.com -f a@example.net \
	    --h-Subject after > "$T/after.out" 2>&1
'

recipe block.conf <<EOF
[postfix-blocklist]
senders = spammer@example.com @evil.example
clients = 192.0.2.0/24
before_mynetworks = yes
EOF

# A mail server with its users in SQL and LDAP: postconf, run here on the
# root's main.cf, warns that it cannot open the maps' files (it looks on
# this machine). Those warnings must never become part of a value.
test_expect_success 'offline with mysql:, pgsql:, ldap: and proxy: maps: the Postfix steps plan, no warning in any value' '
	cp -a "$R" "$T/sql" &&
	printf "%s\n" \
	    "virtual_mailbox_domains = proxy:mysql:/etc/postfix/mysql-domains.cf" \
	    "virtual_mailbox_maps = proxy:mysql:\$config_directory/mysql-mailboxes.cf" \
	    "smtpd_sender_login_maps = ldap:/etc/postfix/ldap-senders.cf" \
	    "virtual_alias_maps = pgsql:/etc/postfix/pgsql-aliases.cf" \
	    >> "$T/sql/etc/postfix/main.cf" &&
	for f in mysql-domains mysql-mailboxes ldap-senders pgsql-aliases; do
		printf "hosts = 127.0.0.1\nquery = SELECT 1\n" > "$T/sql/etc/postfix/$f.cf" || return 1
	done &&
	postconf -c "$T/sql/etc/postfix" -h default_database_type 2>&1 >/dev/null |
	    grep -q "warning: open" &&
	$HW --root "$T/sql" --apply "$T/limit.conf" --dry-run > "$T/sql1.out" 2>&1 &&
	$HW --root "$T/sql" --apply "$T/block.conf" --dry-run > "$T/sql2.out" 2>&1 &&
	grep -qx "# run: postmap hash:/etc/postfix/hardenwiz_senders  (skipped: offline root)" "$T/sql2.out" &&
	$HW --root "$T/sql" --audit --only postfix-sasl,postfix-ratelimit,postfix-relay,postfix-blocklist > "$T/sql3.out" 2>&1 &&
	! grep -q "warning" "$T/sql1.out" "$T/sql2.out" "$T/sql3.out"
'

test_expect_success 'blocklist offline: map written, built on the candidate, then referenced' '
	cp -a "$R" "$T/bl" &&
	$HW --root "$T/bl" --apply "$T/block.conf" --dry-run > "$T/bl.dry" &&
	grep -qx "+spammer@example.com REJECT" "$T/bl.dry" &&
	grep -qx "+evil.example REJECT" "$T/bl.dry" &&
	grep -qx "+192.0.2.0/24 REJECT" "$T/bl.dry" &&
	grep -qx "+smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/hardenwiz_senders" "$T/bl.dry" &&
	grep -qx "# run: postmap hash:/etc/postfix/hardenwiz_senders  (skipped: offline root)" "$T/bl.dry"
'

test_expect_success 'offline: after a blocklist run (postmap skipped), the next Postfix run still passes its checks' '
	cp -a "$R" "$T/seq" &&
	$HW --root "$T/seq" --apply "$T/block.conf" > /dev/null 2>&1 &&
	test ! -e "$T/seq/etc/postfix/hardenwiz_senders.db" &&
	$HW --root "$T/seq" --apply "$T/limit.conf" > "$T/seq.out" 2>&1 ||
	{ cat "$T/seq.out"; false; }
'

test_expect_success 'blocklist: existing restrictions are kept; after permit_mynetworks unless asked' '
	cp -a "$R" "$T/bl2" &&
	postconf -c "$T/bl2/etc/postfix" -e \
	    "smtpd_sender_restrictions = permit_mynetworks, reject_unknown_sender_domain" &&
	sed "s/^before_mynetworks = yes/before_mynetworks = no/" "$T/block.conf" > "$T/block2.conf" &&
	chmod 600 "$T/block2.conf" &&
	$HW --root "$T/bl2" --apply "$T/block2.conf" --dry-run > "$T/bl2.dry" &&
	grep -qx "+smtpd_sender_restrictions = permit_mynetworks, check_sender_access hash:/etc/postfix/hardenwiz_senders, reject_unknown_sender_domain" "$T/bl2.dry" &&
	$HW --root "$T/bl2" --apply "$T/block.conf" --dry-run > "$T/bl3.dry" &&
	grep -qx "+smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/hardenwiz_senders, permit_mynetworks, reject_unknown_sender_domain" "$T/bl3.dry"
'

test_expect_success 'blocklist: a bad entry is refused before anything changes' '
	printf "[postfix-blocklist]\nsenders = not/an/address\n" > "$T/badbl.conf" &&
	chmod 600 "$T/badbl.conf" &&
	! $HW --root "$T/bl" --apply "$T/badbl.conf" --dry-run 2> "$T/badbl.err" &&
	grep -q "is not a sender address" "$T/badbl.err"
'

test_expect_success 'blocklist: the bad client entry is named, never a valid one before it' '
	printf "[postfix-blocklist]\nclients = 192.0.2.0/24 10.0.0.300\n" > "$T/badip.conf" &&
	chmod 600 "$T/badip.conf" &&
	! $HW --root "$T/bl" --apply "$T/badip.conf" --dry-run 2> "$T/badip.err" &&
	grep -q "\[postfix-blocklist\] .10.0.0.300. is not an IP address or network" "$T/badip.err" &&
	! grep -q "does not answer\|for .192.0.2.0." "$T/badip.err" &&
	printf "[postfix-blocklist]\nclients = 2001:db8::/129\n" > "$T/badip6.conf" &&
	chmod 600 "$T/badip6.conf" &&
	! $HW --root "$T/bl" --apply "$T/badip6.conf" --dry-run 2> "$T/badip6.err" &&
	grep -q "2001:db8::/129. is not an IP address or network" "$T/badip6.err"
'

test_expect_success 'blocklist: a line Postfix skips is reported in its words, for that line' '
	printf "[postfix-blocklist]\nclients = 198.51.100.0/24 192.0.2.1/24\n" > "$T/hostbits.conf" &&
	chmod 600 "$T/hostbits.conf" &&
	! $HW --root "$T/bl" --apply "$T/hostbits.conf" --dry-run 2> "$T/hostbits.err" &&
	grep -q "Postfix cannot read a line of the map cidr:/etc/postfix/hardenwiz_clients.cidr: .*non-null host address bits in \"192.0.2.1/24\"" "$T/hostbits.err" &&
	! grep -q "/dev/shm\|198.51.100" "$T/hostbits.err"
'

cp -a "$P" "$T/postfix.before-bl"

test_expect_success 'blocklist live: postmap ran before main.cf changed; listed senders rejected' '
	in_ns "$HW" --apply "$T/block.conf" > "$T/bl.out" 2>&1 &&
	grep "ran: postmap\|wrote /etc/postfix/main.cf" "$T/bl.out" | head -n 1 | grep -q postmap &&
	test -e "$P/hardenwiz_senders.db" &&
	! far swaks -s 10.99.0.1 -t root@example.com -f spammer@example.com > "$T/s1.out" 2>&1 &&
	grep -q "<\*\* 554 5.7.1 <spammer@example.com>: Sender address rejected: Access denied" "$T/s1.out" &&
	! far swaks -s 10.99.0.1 -t root@example.com -f x@mail.evil.example > "$T/s2.out" 2>&1 &&
	grep -q "Sender address rejected" "$T/s2.out" &&
	far swaks -s 10.99.0.1 -t root@example.com -f friend@example.net > "$T/s3.out" 2>&1 &&
	! in_ns swaks -s 127.0.0.1 -t root@example.com -f spammer@example.com > "$T/s4.out" 2>&1 &&
	grep -q "Sender address rejected" "$T/s4.out"
'

test_expect_success 'blocklist live: second apply changes nothing' '
	in_ns "$HW" --apply "$T/block.conf" | grep -q "^# nothing to change"
'

recipe block-more.conf <<EOF
[postfix-blocklist]
senders = spammer@example.com @evil.example later@spam.example
clients = 192.0.2.0/24
before_mynetworks = yes
EOF

test_expect_success 'blocklist live: a sender added later rebuilds the .db and is rejected' '
	{ in_ns "$HW" --apply "$T/block-more.conf" > "$T/more.out" 2>&1 || { cat "$T/more.out"; false; }; } &&
	{ grep -qx "+later@spam.example REJECT" "$T/more.out" || { cat "$T/more.out"; false; }; } &&
	grep -q "ran: postmap hash:/etc/postfix/hardenwiz_senders" "$T/more.out" &&
	test "$(in_ns postmap -q later@spam.example hash:/etc/postfix/hardenwiz_senders)" = REJECT &&
	! far swaks -s 10.99.0.1 -t root@example.com -f later@spam.example > "$T/s6.out" 2>&1 &&
	{ grep -q "Sender address rejected" "$T/s6.out" || { cat "$T/s6.out"; false; }; }
'

test_expect_success 'blocklist rollback: /etc/postfix byte-identical (no .db left), mail flows' '
	in_ns "$HW" --rollback && in_ns "$HW" --rollback &&
	diff -r "$T/postfix.before-bl" "$P" &&
	far swaks -s 10.99.0.1 -t root@example.com -f spammer@example.com > "$T/s5.out" 2>&1
'

test_done
