#!/bin/bash
# t0010: the command line contract: usage errors, recipe errors, exit codes,
# JSON documents, and "nothing changed" on every error.
. "$(dirname "$0")/lib.sh"

R=$T/root
mkroot debian12 "$R"
snapshot "$R" > "$T/pristine"

test_expect_success '--help and --version' '
	$HW --help | grep -q "usage: hardenwiz" &&
	$HW --version | grep -q "^hardenwiz [0-9]"
'

test_expect_success 'usage errors exit 2' '
	for args in "--bogus" "--apply x --audit" "--dry-run" "--json" \
	    "--force" "--root /nonexistent --audit" "--audit extra"; do
		test_expect_code 2 $HW $args >/dev/null 2>"$T/err" || return 1
	done
'

test_expect_success 'a bad recipe exits 2, names file and line, changes nothing' '
	recipe bad.conf <<-EOF2 &&
	[ssh]
	port = 2222
	pasword_authentication = no
	EOF2
	test_expect_code 2 $HW --root "$R" --apply "$T/bad.conf" 2>"$T/err" &&
	grep -q "bad.conf:3: \[ssh\] pasword_authentication: unknown key" "$T/err" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success '--only with an unknown step exits 2' '
	test_expect_code 2 $HW --root "$R" --audit --only ssh,nope 2>"$T/err" && grep -q "unknown step .nope." "$T/err"
'

test_expect_success 'not root: the dry run says no namespace could be made (exit 1, not 3)' '
	cp -a "$R" "$T/userroot" && chmod -R a+rX "$T/userroot" &&
	printf "[ssh]\nport = 2222\n" > "$T/user.conf" && chmod 644 "$T/user.conf" &&
	test_expect_code 1 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    $HW --root "$T/userroot" --apply "$T/user.conf" --dry-run \
	    >/dev/null 2>"$T/err" &&
	grep -q "cannot create a private mount namespace" "$T/err" &&
	! grep -q "rejected" "$T/err"
'

test_expect_success 'a missing recipe exits 2' '
	test_expect_code 2 $HW --root "$R" --apply "$T/none.conf" 2>"$T/err" && grep -q "cannot open recipe" "$T/err"
'

test_expect_success 'audit text and JSON' '
	$HW --root "$R" --audit > "$T/audit" &&
	grep -q "^ssh  *needs-change" "$T/audit" &&
	grep -q "PasswordAuthentication: yes -> no" "$T/audit" &&
	$HW --root "$R" --audit --json > "$T/audit.json" &&
	python3 - "$T/audit.json" "$R" "$T/audit" <<-EOF2
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["version"] == 1 and d["mode"] == "audit", d
	assert d["root"] == sys.argv[2], d["root"]
	steps = {s["id"]: s for s in d["steps"]}
	# Table order; a step added anywhere shifts nothing here.
	known = ["firewall", "ssh", "fail2ban", "postfix-sasl", "postfix-ratelimit", "postfix-relay", "postfix-blocklist", "mailqueue"]
	assert len(steps) == len(d["steps"]), d["steps"]
	assert [i for i in steps if i in known] == known, list(steps)
	assert steps["postfix-ratelimit"]["state"] == "not-applicable", steps
	s = steps["ssh"]
	assert s["state"] == "needs-change", s
	assert {"key": "PasswordAuthentication", "current": "yes", "wanted": "no"} in s["findings"], s
	f = steps["firewall"]
	assert {"key": "firewall", "current": "not installed", "wanted": "ufw"} in f["findings"], f
	# Every note of the text audit, for every step.
	text = open(sys.argv[3]).read().split("\n")
	for s in d["steps"]:
	    for n in s["notes"]:
	        assert "    note: " + n in text, (s["id"], n)
	notes = [l[len("    note: "):] for l in text if l.startswith("    note: ")]
	assert sum(len(s["notes"]) for s in d["steps"]) == len(notes), notes
	assert any(n.startswith("key login possible for: ") for n in steps["ssh"]["notes"]), steps["ssh"]
	EOF2
'

test_expect_success 'an audit starts each slow program once, before Augeas loads a lens, and never the Sshd lens' '
	sh "$HW_SRCDIR/scripts/sample-root.sh" "$T/sample" >/dev/null &&
	$TRACED strace -f -e trace=execve,openat -o "$T/early.trace" \
	    $HW --root "$T/sample" --audit > "$T/early.audit" &&
	joined "$T/early.trace" &&
	grep -q "PasswordAuthentication: yes -> no" "$T/early.audit" &&
	grep -q "smtpd_client_message_rate_limit: 0 (no limit) -> 100" "$T/early.audit" &&
	grep -q "APT::Periodic::Unattended-Upgrade: unset -> 1" "$T/early.audit" &&
	python3 - "$T/early.trace" <<-EOF2
	import re, sys
	lines = open(sys.argv[1]).read().split("\n")
	def where(pattern):
	    return [i for i, l in enumerate(lines) if re.search(pattern, l)]
	slow = {"sshd -T": r"execve\\(\"[^\"]*/sshd\", \\[\"sshd\", \"-T\"\\]",
	        "apt-config dump": r"execve\\(\"[^\"]*/apt-config\", \\[\"apt-config\", \"dump\"\\]",
	        "postconf -x": r"execve\\(\"[^\"]*/postconf\", \\[\"postconf\", .*\"-x\"\\]"}
	lens = where(r"openat\\(.*/[a-z_]+\\.aug\", O_RDONLY\\) = [0-9]")
	assert lens, "no lens opened"
	# sshd -T said it all: no lens reads the files of sshd.
	sshd = where(r"openat\\(.*/sshd\\.aug\", O_RDONLY\\) = [0-9]")
	assert not sshd, [lines[i] for i in sshd]
	for name, pattern in slow.items():
	    runs = where(pattern)
	    # Once: the audit took what the prefetch started.
	    assert len(runs) == 1, (name, [lines[i] for i in runs])
	    assert runs[0] < lens[0], (name, "started after the lens load")
	EOF2
'

test_expect_success 'under --root, owners are named from the root'"'"'s passwd and group' '
	cp -a "$R" "$T/names" &&
	sed -i "s/^root:/toor:/" "$T/names/etc/passwd" &&
	echo "wheel0:x:0:" > "$T/names/etc/group" &&
	recipe port.conf <<-EOF2 &&
	[ssh]
	port = 2222
	EOF2
	$HW --root "$T/names" --apply "$T/port.conf" --dry-run > "$T/names.out" &&
	grep -q "^# mode /etc/ssh/sshd_config.d/00-hardenwiz.conf 0644 toor:wheel0 (new file)" "$T/names.out"
'

test_expect_success 'dry-run JSON lists files and commands, changes nothing' '
	recipe ssh.conf <<-EOF2 &&
	[ssh]
	port = 2222
	password_authentication = no
	EOF2
	$HW --root "$R" --apply "$T/ssh.conf" --dry-run --json > "$T/dry.json" &&
	python3 - "$T/dry.json" <<-EOF2 &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["mode"] == "dry-run" and d["changed"] is False, d
	s = d["steps"][0]
	assert s["state"] == "needs-change", s
	assert s["files"] == ["/etc/ssh/sshd_config.d/00-hardenwiz.conf"], s
	assert s["commands"] == [["systemctl", "try-reload-or-restart", "ssh"]], s
	assert {"key": "PasswordAuthentication", "current": "yes", "wanted": "no"} in s["findings"], s
	assert d["errors"] == []
	EOF2
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'Postfix steps without Postfix: not-applicable, exit 0' '
	cp "$SRC/recipes/examples/postfix.conf" "$T/pf.conf" && chmod 600 "$T/pf.conf" &&
	$HW --root "$R" --apply "$T/pf.conf" --json > "$T/pf.json" &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert [s[\"state\"] for s in d[\"steps\"]] == [\"not-applicable\"] * 5, d" "$T/pf.json" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'errors in JSON mode are a JSON document too' '
	test_expect_code 2 $HW --root "$R" --apply "$T/bad.conf" --json > "$T/err.json" 2>/dev/null &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert \"pasword_authentication\" in d[\"errors\"][0]" "$T/err.json"
'

test_expect_success 'apply JSON names the transaction; history JSON lists it' '
	$HW --root "$R" --apply "$T/ssh.conf" --json > "$T/apply.json" &&
	id=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"changed\"]; assert d[\"steps\"][0][\"state\"] == \"changed\"; print(d[\"transaction\"])" "$T/apply.json") &&
	$HW --root "$R" --history --json > "$T/hist.json" &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); t=d[\"transactions\"]; assert t[-1][\"id\"] == sys.argv[2] and t[-1][\"state\"] == \"applied\", t" "$T/hist.json" "$id" &&
	$HW --root "$R" --history | grep -q "^$id  *applied" &&
	$HW --root "$R" --rollback "$id" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'rollback with nothing to roll back fails with a message' '
	test_expect_code 1 $HW --root "$R" --rollback 2>"$T/err" && grep -q "nothing to roll back" "$T/err" &&
	test_expect_code 1 $HW --root "$R" --rollback ../../etc 2>"$T/err" && grep -q "is not a transaction id" "$T/err"
'

test_expect_success 'confirm with nothing pending says so' '
	$HW --root "$R" --confirm 2>"$T/err" &&
	grep -q "no pending transaction" "$T/err"
'

test_expect_success 'a second run waits for the lock' '
	exec 9>"$R/var/lib/hardenwiz/lock" && flock -n 9 &&
	test_expect_code 1 $HW --root "$R" --apply "$T/ssh.conf" 2>"$T/err" &&
	exec 9>&- &&
	grep -q "another hardenwiz is running" "$T/err" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'every step file in recipes/ is listed in step_table[]' '
	for f in "$SRC"/recipes/*.c; do
		for step in $(sed -n "s/^const struct step step_\([a-z_0-9]*\) = {/\1/p" "$f"); do
			grep -q "^	X($step)" "$SRC/recipes/steps.c" ||
			    { echo "$f: step_$step is not in STEP_LIST"; exit 1; } &&
			found=1 || return 1
		done || return 1
	done &&
	test "${found:-}" = 1
'

recipe nulport.conf <<EOF2
[ssh]
port = 2222
EOF2

# A NUL byte would make the file end there for Augeas: writing it back
# would drop everything after it. Refused before planning, tree unchanged.
test_expect_success 'a NUL byte in an edited file is refused (exit 3), naming file and offset' '
	rm -rf "$T/nul" && cp -a "$R" "$T/nul" &&
	printf "# a comment\n\000PermitRootLogin yes\n" >> "$T/nul/etc/ssh/sshd_config" &&
	off=$(( $(stat -c %s "$T/nul/etc/ssh/sshd_config") - 21 )) &&
	snapshot "$T/nul" > "$T/nul.before" &&
	test_expect_code 3 $HW --root "$T/nul" --apply "$T/nulport.conf" 2>"$T/nul.err" &&
	grep -q "/etc/ssh/sshd_config. has a NUL byte at offset $off" "$T/nul.err" &&
	test_expect_code 3 $HW --root "$T/nul" --apply "$T/nulport.conf" --dry-run 2>/dev/null &&
	snapshot "$T/nul" | diff - "$T/nul.before"
'

test_expect_success 'Windows line endings are refused (exit 3) with the way out; nothing changed' '
	rm -rf "$T/crlf" && cp -a "$R" "$T/crlf" &&
	sed -i "s/\$/\r/" "$T/crlf/etc/ssh/sshd_config" &&
	snapshot "$T/crlf" > "$T/crlf.before" &&
	test_expect_code 3 $HW --root "$T/crlf" --apply "$T/nulport.conf" 2>"$T/crlf.err" &&
	grep -q "sshd_config. has Windows line endings (CR LF, first on line 1)" "$T/crlf.err" &&
	snapshot "$T/crlf" | diff - "$T/crlf.before"
'

test_expect_success 'a 1 MB line and bytes that are not UTF-8 are kept byte for byte' '
	rm -rf "$T/odd" && cp -a "$R" "$T/odd" &&
	python3 -c "print(\"# \" + \"x\" * 1100000)" >> "$T/odd/etc/ssh/sshd_config" &&
	printf "# caf\351 \377\376\n" >> "$T/odd/etc/ssh/sshd_config" &&
	snapshot "$T/odd" > "$T/odd.before" &&
	$HW --root "$T/odd" --apply "$T/nulport.conf" >/dev/null 2>&1 &&
	tail -c 20 "$T/odd/etc/ssh/sshd_config" | grep -q "$(printf "\377\376")" &&
	$HW --root "$T/odd" --rollback 2>/dev/null &&
	snapshot "$T/odd" | diff - "$T/odd.before"
'

# Terminal escapes inside a configuration file reach the diff's context:
# shown as ^[ and ^G, never sent raw (they could retitle or clear the
# admin's terminal, or worse).
test_expect_success 'control characters from files are shown visibly in the diff' '
	rm -rf "$T/esc" && cp -a "$R" "$T/esc" &&
	printf "Port 2200\n# \033]0;pwned\007 \033[2J\n" > "$T/esc/etc/ssh/sshd_config.d/50-esc.conf" &&
	$HW --root "$T/esc" --apply "$T/nulport.conf" --dry-run > "$T/esc.out" 2>&1 &&
	grep -q "50-esc.conf" "$T/esc.out" &&
	! grep -q "$(printf "\033")" "$T/esc.out" &&
	! grep -q "$(printf "\007")" "$T/esc.out" &&
	grep -qF "# ^[]0;pwned^G ^[[2J" "$T/esc.out"
'

# The layers of docs/design.md: the engine cannot include a daemon's
# header, nor the engine or a daemon step.h. The second compile of each
# pair proves the first fails for the guard, not for something else.
test_expect_success 'the build refuses a daemon header in the engine' '
	printf "#include \"postfix/postfix.h\"\n" >"$T/layer.c" &&
	test_expect_code 1 cc -fsyntax-only -I"$SRC/editors" \
	    $(pkg-config --cflags augeas) "$T/layer.c" 2>"$T/err" &&
	grep -q "the engine names no daemon" "$T/err" &&
	cc -fsyntax-only -DHW_DAEMON_LAYER -I"$SRC/editors" \
	    $(pkg-config --cflags augeas) "$T/layer.c"
'

test_expect_success 'the build refuses step.h below the steps' '
	printf "#include \"step.h\"\n" >"$T/layer.c" &&
	test_expect_code 1 cc -fsyntax-only -DHW_DAEMON_LAYER \
	    -I"$SRC/editors" -I"$SRC/recipes" \
	    $(pkg-config --cflags augeas) "$T/layer.c" 2>"$T/err" &&
	grep -q "the engine and the daemons know no step" "$T/err" &&
	cc -fsyntax-only -DHW_DAEMON_LAYER -DHW_STEPS_LAYER \
	    -I"$SRC/editors" -I"$SRC/recipes" \
	    $(pkg-config --cflags augeas) "$T/layer.c"
'

test_done
