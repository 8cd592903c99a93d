#!/bin/bash
# t0150: --check-mail reads what a real Postfix logs. Postfix runs in a
# private namespace (as t0096) and logs through its own postlogd into
# ROOT/var/log/mail.log (maillog_file); mail is delivered (discard),
# and rejected (a recipient refused by an access map); hardenwiz --root
# ROOT --check-mail counts it.
. "$(dirname "$0")/lib.sh"
need_postfix

R=$T/root
mkdir -p "$R/var/log"
postfix_conf maillog_file="$R/var/log/mail.log" maillog_file_prefixes="$R" \
    "smtpd_recipient_restrictions=check_recipient_access inline:{victim@relay.example=REJECT}, permit_mynetworks, reject_unauth_destination" \
    mynetworks=127.0.0.0/8 default_transport=discard
ns_start

log_has() {	# log_has N PATTERN: the log has N lines matching PATTERN
	test "$(grep -c -- "$2" "$R/var/log/mail.log" 2>/dev/null)" -ge "$1"
}

test_expect_success 'Postfix logs 3 delivered, 1 rejected' '
	postfix_ns_start &&
	for i in 1 2 3; do
		in_ns swaks -s 127.0.0.1 -f sender@example.net -t "x$i@elsewhere.example" \
		    --h-Subject "m $i" > /dev/null 2>&1 || exit 1
	done &&
	! in_ns swaks -s 127.0.0.1 --ehlo outside.example -f a@b.example \
	    -t victim@relay.example --quit-after RCPT > /dev/null 2>&1 &&
	test_wait_until -t 20 log_has 3 "status=sent"
'

test_expect_success '--check-mail counts them from the log Postfix wrote' '
	$HW --root "$R" --check-mail --since 1h --json > "$T/mail.json" &&
	python3 - "$T/mail.json" <<-\EOF
	import json, sys
	m = json.load(open(sys.argv[1]))
	assert m["mode"] == "check-mail" and m["alerts"] == 0, m
	assert m["source"] == "/var/log/mail.log", m
	assert m["sent"] == 3, m
	s = {e["sender"]: e["sent"] for e in m["senders"]}
	assert s.get("sender@example.net") == 3, s
	assert m["rejected"] == 1, m
	r = {e["reason"]: e["count"] for e in m["rejects"]}
	assert r.get("554 5.7.1 : Recipient address rejected: Access denied") == 1, r
	EOF
'

test_expect_success '--check-mail --threshold 2: the sender is flagged, exit 1' '
	test_expect_code 1 $HW --root "$R" --check-mail --threshold 2 > "$T/mail.txt" &&
	grep "^  sender sender@example.net: 3 messages (limit 2)$" "$T/mail.txt" &&
	grep "^       3  sender@example.net  <- suspicious$" "$T/mail.txt"
'

# ---- the journal: a booted Debian whose Postfix logs only to journald ----
S=$T/sys
sd_prepare t0150

sent_in_journal() {	# sent_in_journal N: --check-mail counts N sent
	in_sd hardenwiz --check-mail --since 1h --json > "$T/j.json" 2>/dev/null
	python3 -c "import json,sys; m=json.load(open(sys.argv[1])); sys.exit(not (m['source'] == 'journal' and m['sent'] == int(sys.argv[2])))" "$T/j.json" "$1"
}

test_expect_success 'journald only (Debian 12/13): --check-mail reads Postfix from the journal' '
	sd_mail_root "$S" ufw,nftables &&
	postconf -c "$S/etc/postfix" -e myhostname=mail.example.org \
	    inet_interfaces=loopback-only inet_protocols=ipv4 \
	    default_transport=discard mydestination= \
	    alias_maps= alias_database= &&
	test ! -e "$S/var/log/mail.log" &&
	boot &&
	in_sd systemctl restart postfix &&
	test_wait_until -t 30 in_sd sh -c "ss -Hltn sport = :25 | grep -q LISTEN" &&
	for i in 1 2; do
		in_sd swaks -s 127.0.0.1 -f jsender@example.net -t "y$i@elsewhere.example" \
		    --silent 2 || return 1
	done &&
	test_wait_until -t 30 sent_in_journal 2
'

test_expect_success 'journal: mail a local user submits (sendmail) is counted by uid' '
	printf "Subject: t\\n\\nx\\n" > "$T/msg" &&
	in_sd setpriv --reuid=33 --regid=33 --clear-groups \
	    /usr/sbin/sendmail z@elsewhere.example < "$T/msg" &&
	test_wait_until -t 30 sent_in_journal 3 &&
	python3 - "$T/j.json" <<-\EOF
	import json, sys
	m = json.load(open(sys.argv[1]))
	assert m["local_senders"] == [{"uid": 33, "user": "www-data", "messages": 1}], m
	EOF
'

# ---- outgoing SMTP per local user, live: the firewall step's count ----
# ufw rejects connections out to port 25 from all but Postfix; the table
# hardenwiz-smtp-count.service loads counts who tried. nftables.service
# runs too (an admin's own rules): its restart and reload flush every
# table, and the count must come back after each, and after a reboot.
count_of() {	# count_of UID N: nft counted N rejected connections of UID
	in_sd nft list set inet hardenwiz smtp_out > "$T/set" &&
	grep -q "[{ ]$1 counter packets $2 bytes" "$T/set"
}

try25() {	# try25 UID: UID connects to 10.99.0.2:25, and fails
	! in_sd setpriv --reuid="$1" --regid=65534 --clear-groups \
	    bash -c "exec 3<>/dev/tcp/10.99.0.2/25" 2>/dev/null
}

test_expect_success 'live: the firewall step blocks 25 out and counts who tries, by uid' '
	printf "[firewall]\nbackend = ufw\nblock_outbound_smtp = yes\n" \
	    > "$S/root/out25.conf" && chmod 600 "$S/root/out25.conf" &&
	in_sd systemctl enable --now nftables &&
	veth_far in_sd &&
	in_sd hardenwiz --apply /root/out25.conf > "$T/fw.out" 2>&1 &&
	grep -q "ran: systemctl enable --now hardenwiz-smtp-count.service" "$T/fw.out" &&
	test -L "$S/etc/systemd/system/multi-user.target.wants/hardenwiz-smtp-count.service" &&
	test "$(in_sd systemctl is-active hardenwiz-smtp-count.service)" = active &&
	try25 33 && try25 33 && try25 0 && try25 "$(in_sd id -u postfix)" &&
	count_of 33 2 && count_of 0 1 &&
	! grep -q "[{ ]$(in_sd id -u postfix) counter" "$T/set"
'

test_expect_success 'live: --check-mail names who tried (exit 1)' '
	test_expect_code 1 in_sd hardenwiz --check-mail --json > "$T/o.json" &&
	python3 - "$T/o.json" <<-\EOF
	import json, sys
	m = json.load(open(sys.argv[1]))
	o = m["outbound_smtp"]
	assert o["counting"] is True, o
	got = [(e["uid"], e["user"], e["rejected"], e["suspicious"]) for e in o["by_user"]]
	assert got == [(33, "www-data", 2, True), (0, "root", 1, True)], got
	assert m["alerts"] >= 2, m
	EOF
'

counting() {	# the table is loaded
	in_sd nft list set inet hardenwiz smtp_out > /dev/null 2>&1
}

# systemctl returns once nftables.service is done; the jobs it propagates
# to the count's unit may still run.
test_expect_success 'live: nftables.service restarted and reloaded, the count comes back' '
	in_sd systemctl restart nftables &&
	test_wait_until -t 10 counting &&
	try25 33 && count_of 33 1 &&
	in_sd systemctl reload nftables &&
	test_wait_until -t 10 counting &&
	try25 33 && count_of 33 1
'

test_expect_success 'reboot: the count is loaded at boot' '
	power_off &&
	boot &&
	test "$(in_sd systemctl is-active hardenwiz-smtp-count.service)" = active &&
	veth_far in_sd &&
	try25 33 && count_of 33 1
'

test_expect_success 'rollback: the unit, its file and the table are gone' '
	in_sd hardenwiz --rollback > "$T/rb.out" 2>&1 &&
	! grep -i "warn\|fail" "$T/rb.out" &&
	test ! -e "$S/etc/hardenwiz/smtp-out.nft" &&
	test ! -L "$S/etc/systemd/system/multi-user.target.wants/hardenwiz-smtp-count.service" &&
	test ! -e "$S/etc/systemd/system/hardenwiz-smtp-count.service" &&
	! in_sd nft list table inet hardenwiz 2>/dev/null &&
	in_sd hardenwiz --check-mail --json > "$T/o2.json" &&
	python3 -c "import json,sys; assert json.load(open(sys.argv[1]))[\"outbound_smtp\"] is None" "$T/o2.json"
'

test_done
