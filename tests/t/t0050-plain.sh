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

test_expect_success 'after an apply sshd -T is not run again for the same bytes; a file changed since is read afresh' '
	sh "$HW_SRCDIR/scripts/sample-root.sh" "$T/memo" >/dev/null &&
	python3 - "$T/memo" "$T/memo.trace" $TRACED strace -f -e trace=execve \
	    -o "$T/memo.trace" $HW --plain --root "$T/memo" <<-EOF2
	import os, re, select, subprocess, sys, time
	root, trace, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
	p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
	                     stderr=subprocess.STDOUT)
	seen = b""
	def wait_for(s):
	    global seen
	    end = time.monotonic() + 120
	    while s not in seen:
	        r, _, _ = select.select([p.stdout], [], [], max(end - time.monotonic(), 0))
	        d = os.read(p.stdout.fileno(), 65536) if r else b""
	        assert d, (s, seen[-800:])
	        seen += d
	    i = seen.index(s) + len(s)
	    before, seen = seen[:i], seen[i:]
	    return before
	def send(s):
	    p.stdin.write(s)
	    p.stdin.flush()
	def sshd_runs():
	    return len(re.findall(r"execve\\(\"[^\"]*/sshd\", \\[\"sshd\", \"-T\"", open(trace).read()))
	prompt = b"go back): "
	wait_for(prompt)
	send(b"SSH\n2022\nno\n\n\n\n")
	wait_for(b"[y/N] ")
	send(b"y\n")
	wait_for(b"Applied as transaction")
	applied = sshd_runs()
	wait_for(prompt)
	# The menu is back, SSH audited again: from the answer kept.
	assert sshd_runs() == applied, (applied, sshd_runs())
	# Another terminal changes the port: the step reads it afresh.
	dropin = root + "/etc/ssh/sshd_config.d/00-hardenwiz.conf"
	text = open(dropin).read()
	assert "Port 2022\n" in text, text
	open(dropin, "w").write(text.replace("Port 2022\n", "Port 2033\n"))
	send(b"SSH\n")
	wait_for(b"SSH port [")
	port = wait_for(b"]")
	assert port == b"2033]", port
	assert sshd_runs() == applied + 1, (applied, sshd_runs())
	p.stdin.close()
	p.kill()
	p.wait()
	EOF2
'

test_expect_success 'end of input quits cleanly' '
	printf "" | $HW --root "$R" --plain > "$T/out4"
'

test_done
