#!/bin/bash
# t0000: the harness itself. A test that cannot fail proves nothing, so
# each way a body can go wrong is run in a child test script and its
# verdict checked here: a failing command in the middle of a body (chained
# or not), a loop whose early round fails, a ";" hiding a failure, and the
# helpers test_expect_code and test_wait_until.
. "$(dirname "$0")/lib.sh"

# child NAME BODY: a one-test script run with lib.sh; its stderr (the
# verdict lines) in $T/NAME.err, its exit code in $T/NAME.rc.
child() {
	{
		printf '. "%s/tests/t/lib.sh"\n' "$SRC"
		printf 'test_expect_success %s %s\n' "$1" "'$2'"
		printf 'test_done\n'
	} > "$T/$1.sh"
	HW=/bin/true HW_SRCDIR=$SRC bash "$T/$1.sh" >"$T/$1.out" 2>"$T/$1.err"
	echo $? > "$T/$1.rc"
}

# verdict NAME ok|not-ok: what the child reported, and its exit code.
verdict() {
	if [ "$2" = ok ]; then
		grep -qx "ok - $1" "$T/$1.err" && test "$(cat "$T/$1.rc")" = 0 &&
		grep -qx "1 passed, 0 failed" "$T/$1.out"
	else
		grep -q "^not ok - $1" "$T/$1.err" && test "$(cat "$T/$1.rc")" = 1 &&
		grep -qx "0 passed, 1 failed" "$T/$1.out"
	fi || { cat "$T/$1.err" "$T/$1.out"; return 1; }
}

test_expect_success 'a chained body that passes is ok' '
	child pass "
	true &&
	test 1 = 1
	" &&
	verdict pass ok
'

test_expect_success 'a failing middle line without && fails the test' '
	child unchained "
	true
	false
	true
	" &&
	verdict unchained not-ok &&
	grep -q "line 3: false: not joined to the next command" "$T/unchained.err"
'

test_expect_success 'a failing middle line with && fails the test' '
	child chained "
	true &&
	false &&
	true
	" &&
	verdict chained not-ok
'

test_expect_success 'a command hidden behind ";" fails the lint' '
	child semicolon "
	false; true &&
	true
	" &&
	verdict semicolon not-ok &&
	grep -q "two commands joined by" "$T/semicolon.err"
'

test_expect_success 'a loop without "|| return 1" fails the lint' '
	child loop "
	for i in 1 2; do
		test \$i = 2
	done
	" &&
	verdict loop not-ok &&
	grep -q "needs \"|| return 1\"" "$T/loop.err"
'

test_expect_success 'an early round of a loop that fails fails the test' '
	child round "
	for i in 1 2; do
		test \$i = 2 || return 1
	done &&
	true
	" &&
	verdict round not-ok
'

test_expect_success 'a here-document is data, not commands' '
	child heredoc "
	cat > \"\$T/x\" <<-EOF &&
	not a command
	also not
	EOF
	grep -q also \"\$T/x\"
	" &&
	verdict heredoc ok
'

test_expect_success 'test_expect_code: right code passes, wrong code fails' '
	child code-ok "
	test_expect_code 3 sh -c \"exit 3\"
	" &&
	verdict code-ok ok &&
	child code-bad "
	test_expect_code 3 sh -c \"exit 0\" >/dev/null 2>&1
	" &&
	verdict code-bad not-ok &&
	grep -q "exited 0, wanted 3" "$T/code-bad.err"
'

test_expect_success 'test_wait_until: waits for a condition, fails on a timeout' '
	child wait-ok "
	(sleep 0.5 && touch \"\$T/later\") &
	test_wait_until -t 5 test -e \"\$T/later\"
	" &&
	verdict wait-ok ok &&
	child wait-bad "
	test_wait_until -t 1 test -e /nonexistent/file
	" &&
	verdict wait-bad not-ok &&
	grep -q "did not succeed in 1 s" "$T/wait-bad.err"
'

test_done
