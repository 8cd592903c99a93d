#!/bin/bash
# t0110: kill -9 at every write. hardenwiz is killed (strace injects
# SIGKILL) on entering its Nth rename, unlink or rmdir, for every such
# call a multi-step apply (SSH, three Postfix steps) makes: every file write, every journal
# update, the journal record before each command. After each kill the tree
# must be either untouched or marked interrupted; a new apply must refuse
# while it is; --rollback must restore it byte for byte; and the apply must
# then go through. The same for a rollback killed at each of its writes.
# The live sshd case (a kill between sshd's files and its reload) is in
# t0030.
. "$(dirname "$0")/lib.sh"
need_postfix
command -v strace >/dev/null || skip_all "needs strace (make deps-test)"

R=$T/root
mkroot debian12 "$R"
with_postfix "$R"
snapshot "$R" > "$T/pristine"
cp -a "$R" "$T/base"

recipe multi.conf <<EOF
[ssh]
port = 2222
permit_root_login = prohibit-password

[postfix-ratelimit]
message_rate = 3
recipient_rate = 10

[postfix-blocklist]
senders = spammer@example.com
clients = 192.0.2.0/24

[mailqueue]
threshold = 50
EOF

test_expect_success 'the apply makes enough writes to kill it at' '
	cp -a "$T/base" "$T/count" &&
	points "$T/count" --apply "$T/multi.conf" > "$T/points" &&
	test "$(wc -l < "$T/points")" -ge 15
'

test_expect_success 'kill -9 at every write of an apply: refused until rolled back, then byte-exact' '
	N=$(wc -l < "$T/points") &&
	restored=0 &&
	while read -r call k; do
		rm -rf "$R" && cp -a "$T/base" "$R" &&
		killed "$call" "$k" "$R" --apply "$T/multi.conf" &&
		if interrupted "$R"; then
			test_expect_code 1 $HW --root "$R" --apply "$T/multi.conf" \
			    2>"$T/refused.err" &&
			grep -q "was interrupted half way" "$T/refused.err" &&
			test_expect_code 1 $HW --root "$R" --audit >"$T/audit.out" &&
			grep -q "^WARNING: transaction .* was interrupted" "$T/audit.out" &&
			$HW --root "$R" --rollback 2>"$T/rb.err" &&
			restored=$((restored + 1))
		fi &&
		snapshot "$R" | diff - "$T/pristine" &&
		$HW --root "$R" --apply "$T/multi.conf" >/dev/null 2>&1 || {
			echo "kill point $call $k"; return 1; }
	done < "$T/points" &&
	echo "apply: $N kill points, $restored of them interrupted a transaction; all restored" >>"$T/notes" &&
	test "$restored" -ge 12
'

test_expect_success 'kill -9 at every write of a rollback: the next rollback finishes it' '
	rm -rf "$T/full" && cp -a "$T/base" "$T/full" &&
	$HW --root "$T/full" --apply "$T/multi.conf" >/dev/null 2>&1 &&
	points "$T/full" --rollback > "$T/rbpoints" &&
	test "$(wc -l < "$T/rbpoints")" -ge 5 &&
	while read -r call k; do
		rm -rf "$R" && cp -a "$T/base" "$R" &&
		$HW --root "$R" --apply "$T/multi.conf" >/dev/null 2>&1 &&
		killed "$call" "$k" "$R" --rollback &&
		$HW --root "$R" --rollback 2>"$T/rb.err" &&
		snapshot "$R" | diff - "$T/pristine" || {
			echo "kill point $call $k"; cat "$T/rb.err"; return 1; }
	done < "$T/rbpoints" &&
	echo "rollback: $(wc -l < "$T/rbpoints") kill points, all finished by the next rollback" >>"$T/notes"
'

test_expect_success 'a dry run over an interrupted transaction warns and changes nothing' '
	rm -rf "$R" && cp -a "$T/base" "$R" &&
	killed rename 12 "$R" --apply "$T/multi.conf" &&
	interrupted "$R" &&
	snapshot "$R" > "$T/half" &&
	$HW --root "$R" --apply "$T/multi.conf" --dry-run >/dev/null 2>"$T/dry.err" &&
	grep -q "warning: transaction .* was interrupted" "$T/dry.err" &&
	snapshot "$R" | diff - "$T/half"
'

test_done
