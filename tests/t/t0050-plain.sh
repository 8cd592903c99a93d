#!/bin/bash
# t0050: the line frontend (--plain, and any non-terminal): answers read
# from a pipe, the diff printed, the change applied only after "y".
. "$(dirname "$0")/lib.sh"

R=$T/root
mkroot debian12 "$R"
snapshot "$R" > "$T/pristine"

test_expect_success 'refusing the confirmation changes nothing' '
	printf "SSH\n2022\nno\n\n\n\nn\nquit\n" | $HW --root "$R" --plain > "$T/out1" &&
	grep -q "^+Port 2022" "$T/out1" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'a bad answer is asked again; "?" shows help' '
	printf "ssh access\n?\nnot-a-port\n2022\nmaybe\nno\n\n\n\ny\nQuit\n" |
	    $HW --root "$R" --plain > "$T/out2" &&
	grep -q "The TCP port sshd listens on" "$T/out2" &&
	grep -q "not-a-port. is not a TCP port" "$T/out2" &&
	grep -q "maybe. is not a boolean" "$T/out2" &&
	grep -q "Applied as transaction" "$T/out2" &&
	# What the apply is doing, while it does it.
	grep -qx "== Applying ==" "$T/out2" &&
	grep -q "^ *[0-9]*% checking the new configuration with the daemons" "$T/out2" &&
	grep -q "^ *[0-9]*% writing /etc/ssh/sshd_config.d/00-hardenwiz.conf" "$T/out2" &&
	grep -q "^ *[0-9]*% checking that the daemons work with it" "$T/out2" &&
	grep -qx "Port 2022" "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf"
'

test_expect_success 'a pipe without --plain uses the line frontend too' '
	printf "History\n1\ny\nq\n" | $HW --root "$R" > "$T/out3" &&
	grep -q "Rolled back" "$T/out3" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'a name that starts two items is asked again' '
	printf "Postfix\nquit\n" | $HW --root "$R" --plain > "$T/out5" &&
	grep -q "starts more than one name" "$T/out5" &&
	test_expect_code 0 grep -c "^== hardenwiz ==" "$T/out5" > "$T/count" &&
	test "$(cat "$T/count")" = 2
'

test_expect_success 'upgrade now under a root: said skipped, not asked about' '
	printf "Automatic updates\n\n\n\nyes\n\nn\nquit\n" | $HW --root "$R" --plain > "$T/out6" &&
	grep -qx "upgrade now: skipped (offline root)" "$T/out6" &&
	! grep -q "Do it now" "$T/out6" &&
	grep -q "^+APT::Periodic::Unattended-Upgrade \"1\";" "$T/out6" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'end of input quits cleanly' '
	printf "" | $HW --root "$R" --plain > "$T/out4"
'

test_done
