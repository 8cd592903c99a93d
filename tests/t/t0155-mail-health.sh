#!/bin/bash
# t0155: the wizard's "Mail health" view on a live Postfix (a private
# namespace, its log written to the namespace's /var/log/mail.log): a
# sender whose mail mostly bounces is flagged; its queued mail is held
# and the sender blocked, each as a transaction from the view, and both
# are rolled back.
. "$(dirname "$0")/lib.sh"
need_postfix
command -v tmux >/dev/null || skip_all "needs tmux"

# The namespace's /etc is a copy: locking a login edits its /etc/shadow.
cp -a /etc "$T/etc"

# Mail to bounce.example bounces once queued (local(8): no such user,
# with no recipient check at RCPT); everything else is deferred, so it
# stays in the queue.
mkdir "$T/log"
postfix_conf default_transport=discard defer_transports=discard \
    mydestination=bounce.example local_recipient_maps= local_transport=local \
    maillog_file=/var/log/mail.log maillog_file_prefixes=/var/log \
    mynetworks=127.0.0.0/8
ns_start

queue_count() {	# queue_count PATTERN N: postqueue -j lines matching
	test "$(in_ns postqueue -j | grep -c -- "$1")" = "$2"
}
log_count() {	# log_count PATTERN N: mail.log lines matching
	test "$(grep -c -- "$1" "$T/log/mail.log" 2>/dev/null)" -ge "$2"
}

test_expect_success 'namespace: 10 bounced and 3 deferred from spammer@, 2 from friend@' '
	in_ns mount --bind "$T/etc" /etc &&
	in_ns mount --bind "$T/log" /var/log &&
	postfix_ns_start &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		in_ns swaks -s 127.0.0.1 -f spammer@evil.example -t "u$i@bounce.example" \
		    --h-Subject "spam $i" > /dev/null 2>&1 || return 1
	done &&
	for i in 1 2 3; do
		in_ns swaks -s 127.0.0.1 -f spammer@evil.example -t "v$i@example.org" \
		    --h-Subject "spam q$i" > /dev/null 2>&1 || return 1
	done &&
	for i in 1 2; do
		in_ns swaks -s 127.0.0.1 -f friend@example.net -t "pal@example.org" \
		    > /dev/null 2>&1 || return 1
	done &&
	test_wait_until -t 20 log_count "status=bounced" 10 &&
	test_wait_until -t 20 queue_count "\"sender\": \"spammer@evil.example\"" 3
'

test_expect_success '--check-mail flags the sender: 76% bounced' '
	test_expect_code 1 in_ns "$HW" --check-mail > "$T/check.out" &&
	grep "^  sender spammer@evil.example: 76% of its mail bounced" "$T/check.out" &&
	! grep "sender friend@example.net:" "$T/check.out"
'

R=/ WZ_PREFIX="nsenter -t $NSPID -m -n -p --" start --only mailqueue
test_expect_success 'wizard: Mail health holds the sender'"'"'s 3 queued messages' '
	wz_pick "Mail health" &&
	wait_for "76% of its mail bounced" &&
	wz_pick "sender spammer@evil.example" &&
	wz_pick "Hold its queued mail" &&
	wait_for "postsuper -h" &&
	wz_apply &&
	test_wait_until -t 5 queue_count "\"queue_name\": \"hold\"" 3 &&
	test "$(in_ns postqueue -j | grep "\"queue_name\": \"hold\"" | grep -c spammer@evil.example)" = 3
'

test_expect_success 'wizard: Mail health blocks the sender in Postfix' '
	wz_pick "sender spammer@evil.example" &&
	wz_pick "Block this sender" &&
	wait_for "check_sender_access" &&
	wz_apply &&
	test_wait_until menu_rows_ready "sender spammer@evil.example" &&
	tm send-keys -t wz Escape &&
	wait_for "History and rollback" &&
	wz_quit &&
	! in_ns swaks -s 127.0.0.1 -f spammer@evil.example -t w@example.org \
	    --quit-after RCPT > "$T/blocked.out" 2>&1 &&
	grep -q "554 5.7.1 <spammer@evil.example>: Sender address rejected" "$T/blocked.out"
'

test_expect_success 'both roll back: the sender is accepted again, its mail released' '
	in_ns "$HW" --rollback > /dev/null &&
	in_ns swaks -s 127.0.0.1 -f spammer@evil.example -t w@example.org \
	    --quit-after RCPT > /dev/null 2>&1 &&
	in_ns "$HW" --rollback > /dev/null &&
	test_wait_until -t 5 queue_count "\"queue_name\": \"hold\"" 0 &&
	queue_count "\"sender\": \"spammer@evil.example\"" 3
'

# sasl_lines LOGIN N: N messages from LOGIN over submission, each from
# another address, as Postfix logs them (SASL needs no Dovecot here: the
# view reads the log). mallory@example.org is the system account mallory
# of the copy, as Dovecot's %n would have it.
sasl_lines() {
	now=$(date "+%b %d %H:%M:%S") i=0
	while [ "$i" -lt "$2" ]; do
		q=$(printf "4Q9Z%s%02dK" "$1" "$i" | tr -dc "0-9A-Za-z")
		# The first from loopback (webmail): never blocked.
		ip=203.0.113.$i
		[ "$i" = 0 ] && ip=127.0.0.1
		printf "%s mail postfix/submission/smtpd[9]: %s: client=unknown[%s], sasl_method=PLAIN, sasl_username=%s\n" "$now" "$q" "$ip" "$1"
		printf "%s mail postfix/qmgr[9]: %s: from=<%s>, size=300, nrcpt=1 (queue active)\n" "$now" "$q" "$1"
		i=$((i + 1))
	done
}

test_expect_success 'a login used from 7 addresses is locked from the view, and unlocked by rollback' '
	in_ns useradd -M -s /usr/sbin/nologin mallory &&
	in_ns usermod -p "\$6\$salt\$hash" mallory &&
	grep -q "^mallory:\\\$6" "$T/etc/shadow" &&
	cp "$T/etc/shadow" "$T/shadow.before" &&
	sasl_lines mallory@example.org 7 >> "$T/log/mail.log" &&
	sasl_lines ghost 7 >> "$T/log/mail.log" &&
	test_expect_code 1 in_ns "$HW" --check-mail > "$T/login.out" &&
	grep "^  login mallory@example.org: used from 7 client addresses" "$T/login.out" &&
	R=/ WZ_PREFIX="nsenter -t $NSPID -m -n -p --" start --only mailqueue &&
	wz_pick "Mail health" &&
	wz_pick "login ghost" &&
	wz_pick "Lock the login" &&
	wait_for "ghost is not a system account" &&
	tm send-keys -t wz Enter &&
	wz_pick "login mallory@example.org" &&
	wait_for "203.0.113.6" &&
	wz_pick "Lock the login" &&
	wait_for "usermod -L mallory" &&
	wz_apply &&
	grep -q "^mallory:!\\\$6" "$T/etc/shadow" &&
	wz_pick "login mallory@example.org" &&
	wz_pick "Block its 7 client addresses" &&
	wait_for "hardenwiz_clients.cidr" &&
	wz_apply &&
	grep -q "^203.0.113.6\(/32\)\? REJECT$" "$P/hardenwiz_clients.cidr" &&
	test "$(grep -c "^[0-9].* REJECT$" "$P/hardenwiz_clients.cidr")" = 6 &&
	! grep -q "127.0.0.1" "$P/hardenwiz_clients.cidr" &&
	in_ns "$HW" --rollback > /dev/null &&
	test ! -e "$P/hardenwiz_clients.cidr" &&
	test_wait_until menu_rows_ready "login mallory" &&
	tm send-keys -t wz Escape &&
	wait_for "History and rollback" &&
	wz_quit &&
	in_ns "$HW" --rollback > /dev/null &&
	cmp "$T/etc/shadow" "$T/shadow.before"
'

test_done
