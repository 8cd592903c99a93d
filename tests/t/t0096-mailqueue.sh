#!/bin/bash
# t0096: the mail queue: --check-queue against a real Postfix queue (in a
# private namespace, every delivery deferred so messages stay), the
# mailqueue step's timer or cron entry, and the wizard's queue view driven
# in tmux: hold one sender's messages, inspect one, delete them.
. "$(dirname "$0")/lib.sh"
need_postfix

recipe mq.conf <<EOF
[mailqueue]
threshold = 50
interval = 5m
mail_limit = 80
EOF
recipe nowatch.conf <<EOF
[mailqueue]
mail_watch = no
EOF

R=$T/root
mkroot debian12 "$R"
with_postfix "$R"
snapshot "$R" > "$T/pristine"

test_expect_success 'offline, no systemd: a cron.d entry every 5 minutes; rollback' '
	$HW --root "$R" --apply "$T/mq.conf" > "$T/cron.out" 2>&1 &&
	grep -qx "\*/5 \* \* \* \* root /usr/sbin/hardenwiz --check-queue --threshold 50 --syslog >/dev/null" "$R/etc/cron.d/hardenwiz-mailqueue" &&
	grep -qx "\*/5 \* \* \* \* root /usr/sbin/hardenwiz --check-mail --since 1h --threshold 80 --syslog >/dev/null" "$R/etc/cron.d/hardenwiz-mailwatch" &&
	$HW --root "$R" --apply "$T/mq.conf" | grep -q "^# nothing to change" &&
	$HW --root "$R" --rollback &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'offline, with systemd: a timer and its service, enabled by systemctl' '
	cp -a "$R" "$T/sd" && mkdir -p "$T/sd/usr/lib/systemd" && : > "$T/sd/usr/lib/systemd/systemd" &&
	$HW --root "$T/sd" --apply "$T/mq.conf" --dry-run > "$T/sd.out" &&
	grep -qx "+OnUnitActiveSec=300s" "$T/sd.out" &&
	grep -qx "+ExecStart=/usr/sbin/hardenwiz --check-queue --threshold 50" "$T/sd.out" &&
	grep -qx "# run: systemctl enable --now hardenwiz-mailqueue.timer  (skipped: offline root)" "$T/sd.out" &&
	grep -qx "+ExecStart=/usr/sbin/hardenwiz --check-mail --since 1h --threshold 80" "$T/sd.out" &&
	grep -qx "# run: systemctl enable --now hardenwiz-mailwatch.timer  (skipped: offline root)" "$T/sd.out"
'

test_expect_success 'mail_watch = no: the queue monitor alone' '
	$HW --root "$R" --apply "$T/nowatch.conf" > /dev/null &&
	test -e "$R/etc/cron.d/hardenwiz-mailqueue" &&
	test ! -e "$R/etc/cron.d/hardenwiz-mailwatch" &&
	$HW --root "$R" --rollback > /dev/null &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success '--check-queue takes no --root; --threshold alone is a usage error' '
	test_expect_code 2 $HW --root "$R" --check-queue 2> "$T/root.err" && grep -q "does not take --root" "$T/root.err" &&
	test_expect_code 2 $HW --threshold 5 2> /dev/null
'

# The live queue: every delivery deferred, so the messages stay.
postfix_conf default_transport=discard defer_transports=discard
ns_start

# queue_count PATTERN N: postqueue -j has N lines matching PATTERN.
queue_count() {
	test "$(in_ns postqueue -j | grep -c -- "$1")" = "$2"
}

test_expect_success 'namespace: 5 messages from one sender, 2 from another, all deferred' '
	postfix_ns_start &&
	for i in 1 2 3 4 5; do
		in_ns swaks -s 127.0.0.1 -f spammer@evil.example -t "victim$i@example.org" \
		    --h-Subject "spam $i" > /dev/null 2>&1 || exit 1
	done &&
	for i in 1 2; do
		in_ns swaks -s 127.0.0.1 -f friend@example.net -t "pal@example.org" \
		    --h-Subject "hello $i" > /dev/null 2>&1 || exit 1
	done &&
	test_wait_until -t 10 queue_count "\"queue_name\": \"deferred\"" 7 &&
	test "$(in_ns postqueue -j | grep -c "\"queue_name\": \"deferred\"")" = 7
'

test_expect_success '--check-queue: counts, top sender, repeated reason; exit 1 above the threshold' '
	test_expect_code 1 in_ns "$HW" --check-queue --threshold 3 > "$T/q.out" 2>&1 &&
	grep -q "^queue: 7 messages" "$T/q.out" &&
	grep -q "deferred 7" "$T/q.out" &&
	grep -Eq "^ +5  spammer@evil.example$" "$T/q.out" &&
	grep -Eq "^ +2  friend@example.net$" "$T/q.out" &&
	grep -Eq "^ +7  deferred transport$" "$T/q.out" &&
	grep -q "ABOVE the threshold of 3" "$T/q.out" &&
	in_ns "$HW" --check-queue --threshold 7 > "$T/q7.out" &&
	grep -q "within the threshold of 7" "$T/q7.out"
'

test_expect_success '--check-queue --json' '
	in_ns "$HW" --check-queue --json --threshold 10 > "$T/q.json" &&
	python3 - "$T/q.json" <<-EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	q = d["queue"]
	assert d["mode"] == "check-queue", d
	assert q["total"] == 7 and q["queues"] == {"deferred": 7}, q
	assert q["top_senders"][0] == {"name": "spammer@evil.example", "count": 5}, q
	assert q["above_threshold"] is False, q
	assert q["oldest"]["age_seconds"] >= 0, q
	EOF
'

if command -v tmux >/dev/null; then
R=/ WZ_PREFIX="nsenter -t $NSPID -m -n -p --" start --only mailqueue
test_expect_success 'wizard queue view: hold the spammer, inspect one message, delete them' '
	wait_for "Mail queue: inspect, hold, delete" &&
	wz_pick "Mail queue: inspect" &&
	wait_for "queue: 7 messages" &&
	wait_for "5  spammer@evil.example" &&
	wz_pick "5  spammer@evil.example" &&
	wait_for "Hold its 5 messages" &&
	wz_pick "Hold its 5 messages" &&
	wait_for "Hold the 5 messages from spammer@evil.example?" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "Done." &&
	tm send-keys -t wz Enter &&
	wait_for "Release its 5 held messages" &&
	test "$(in_ns postqueue -j | grep -c "\"queue_name\": \"hold\"")" = 5 &&
	wz_pick "Inspect" &&
	wait_for "Inspect a message" &&
	tm send-keys -t wz Enter &&
	wait_for "Subject: spam" &&
	tm send-keys -t wz Enter &&
	wait_for "Delete its 5 messages" &&
	wz_pick "Delete its 5 messages" &&
	wait_for "Delete the 5 messages from spammer@evil.example for good?" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "Done." &&
	tm send-keys -t wz Enter &&
	test_wait_until -t 4 queue_count queue_id 2 &&
	test "$(in_ns postqueue -j | grep -c spammer)" = 0 &&
	test "$(in_ns postqueue -j | grep -c friend@example.net)" = 2
'

R=/ WZ_PREFIX="nsenter -t $NSPID -m -n -p --" start --only postfix-ratelimit
# (Only the top of the help: libnewt 0.52.23 leaks a line buffer for each
# line a scrolling textbox draws when scrolled; the plain test reads it.)
test_expect_success 'wizard, live: a Postfix form offers the dead-man timer, off by default' '
	wz_pick "Postfix rate limits" &&
	wait_for "Seconds to confirm          0" &&
	tm send-keys -t wz F1 &&
	wait_for "Per-client limits" &&
	box_whole Help &&
	tm send-keys -t wz Escape &&
	wait_for "<Preview changes>" &&
	tm send-keys -t wz Escape &&
	wait_for "History and rollback" &&
	wz_quit
'
fi

test_expect_success 'plain, live: the same form asks the timer, with its help; n changes nothing' '
	sha256sum "$P/main.cf" > "$T/maincf.sum" &&
	printf "Postfix rate\n\n\n\n\n?\n\nn\nquit\n" |
	    in_ns "$HW" --plain --only postfix-ratelimit > "$T/plain.out" &&
	grep -q "Seconds to confirm \[0\] (? for help)" "$T/plain.out" &&
	grep -q "On a live system the change is rolled back unless" "$T/plain.out" &&
	grep -q "^+smtpd_client_message_rate_limit = 100" "$T/plain.out" &&
	sha256sum -c --quiet "$T/maincf.sum"
'

test_done
