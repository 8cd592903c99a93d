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
	m = json.load(open(sys.argv[1]))["mail"]
	assert m["source"] == "/var/log/mail.log", m
	assert m["sent"] == 3, m
	s = {e["name"]: e["count"] for e in m["senders"]}
	assert s.get("sender@example.net") == 3, s
	assert m["rejected"] == 1, m
	r = {e["name"]: e["count"] for e in m["rejects"]}
	assert r.get("554 5.7.1 : Recipient address rejected: Access denied") == 1, r
	EOF
'

test_done
