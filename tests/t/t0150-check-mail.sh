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
	sd_mail_root "$S" &&
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

test_done
