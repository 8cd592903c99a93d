#!/bin/bash
# t0030: a real sshd on loopback in private network, mount and pid
# namespaces, hardened by hardenwiz applying to "/" inside them (so the live
# path runs: validation, reload by signal, sshd -T after, journal), and
# logged in to with ssh. /etc/ssh, /etc/passwd, /etc/shadow, /etc/group,
# /run, /var/lib, /root and /home are private copies or tmpfs: nothing of
# this machine is touched, and killing the namespace's init ends it all.
. "$(dirname "$0")/lib.sh"
need_root

R=$T/root
mkroot debian12 "$R"
W=$T/etc
mkdir "$W"
PASS=correct-horse-battery-staple
ssh-keygen -q -t ed25519 -N "" -C hwtest@client -f "$T/key"
printf '#!/bin/sh\necho %s\n' "$PASS" > "$T/askpass"
chmod 755 "$T/askpass"

cp /etc/passwd /etc/group "$W/" && cp /etc/shadow "$W/shadow"
echo "hwtest:x:4242:4242:test:/home/hwtest:/bin/bash" >> "$W/passwd"
echo "hwtest:x:4242:" >> "$W/group"
echo "hwtest:$(openssl passwd -6 "$PASS"):19700:0:99999:7:::" >> "$W/shadow"

ns_start

ssh_opts="-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -o LogLevel=ERROR"

ssh_password() {
	in_ns env SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
	    ssh $ssh_opts -o PubkeyAuthentication=no \
	    -o PreferredAuthentications=password,keyboard-interactive \
	    -o NumberOfPasswordPrompts=1 -p "$1" hwtest@127.0.0.1 echo logged-in </dev/null
}

ssh_key() {
	in_ns ssh $ssh_opts -o BatchMode=yes -o IdentitiesOnly=yes \
	    -i "$T/key" -p "$1" hwtest@127.0.0.1 echo logged-in </dev/null
}

# Wait until PORT accepts (1) or refuses (0) connections.
port_is() {
	if in_ns bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; then
		[ "$2" = 1 ]
	else
		[ "$2" = 0 ]
	fi
}

wait_port() {
	test_wait_until port_is "$1" "$2" >/dev/null && return 0
	echo "port $1 never became $2"
	return 1
}

test_expect_success 'namespace: private mounts, sshd started on port 22' '
	in_ns sh -ec "
		ip link set lo up
		mount --bind $R/etc/ssh /etc/ssh
		for f in passwd group shadow; do mount --bind $W/\$f /etc/\$f; done
		mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd
		mount -t tmpfs tmpfs /var/lib
		mount -t tmpfs -o mode=700 tmpfs /root
		mount -t tmpfs tmpfs /home
		mkdir -m 755 /home/hwtest && chown 4242:4242 /home/hwtest
		/usr/sbin/sshd -E $T/sshd.log
	" &&
	wait_port 22 1
'

test_expect_success 'before: password login works' '
	ssh_password 22 | grep -q logged-in
'

recipe harden.conf <<EOF2
[ssh]
port = 2222
password_authentication = no
permit_root_login = prohibit-password
authorized_key = $(cat "$T/key.pub")
key_user = hwtest
confirm_timeout = 0
EOF2

test_expect_success 'apply to the live system (root /): validated, journaled, sshd reloaded' '
	in_ns "$HW" --apply "$T/harden.conf" > "$T/apply.out" 2>&1 &&
	grep -q "^# run: kill -HUP [0-9]*$" "$T/apply.out" &&
	grep -q "ran: kill -HUP" "$T/apply.out" &&
	test "$(state_of_last)" = applied &&
	wait_port 2222 1 && wait_port 22 0
'

test_expect_success 'after: key login on 2222 works' '
	ssh_key 2222 | grep -q logged-in
'

test_expect_success 'after: password login is refused' '
	! ssh_password 2222 2>"$T/pw.err" &&
	grep -q "Permission denied (publickey)" "$T/pw.err"
'

test_expect_success 'after: the old port is closed' '
	! ssh_key 22 2>/dev/null
'

test_expect_success 'a second apply changes nothing' '
	in_ns "$HW" --apply "$T/harden.conf" | grep -q "^# nothing to change"
'

test_expect_success 'rollback: sshd back on 22 with passwords, key file gone' '
	in_ns "$HW" --rollback 2>"$T/rb.err" &&
	grep -q "rolled back transaction" "$T/rb.err" &&
	wait_port 22 1 && wait_port 2222 0 &&
	ssh_password 22 | grep -q logged-in &&
	test ! -e "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf" &&
	! in_ns test -e /home/hwtest/.ssh
'

sed 's/^confirm_timeout = 0/confirm_timeout = 2/' "$T/harden.conf" > "$T/timed.conf"
chmod 600 "$T/timed.conf"

test_expect_success 'dead-man timer: not confirmed -> rolled back by itself' '
	in_ns "$HW" --apply "$T/timed.conf" > "$T/timed.out" 2>&1 &&
	grep -q "run .hardenwiz --confirm. within 2 seconds" "$T/timed.out" &&
	test "$(state_of_last)" = pending &&
	wait_port 2222 1 &&
	sleep 4 &&
	test "$(state_of_last)" = rolled-back &&
	wait_port 22 1 &&
	ssh_password 22 | grep -q logged-in
'

test_expect_success 'dead-man timer: --confirm keeps the change' '
	in_ns "$HW" --apply "$T/timed.conf" > "$T/timed2.out" 2>&1 &&
	in_ns "$HW" --confirm 2>"$T/confirm.err" &&
	grep -q "kept 1 pending transaction" "$T/confirm.err" &&
	sleep 4 &&
	test "$(state_of_last)" = applied &&
	ssh_key 2222 | grep -q logged-in &&
	in_ns "$HW" --rollback && wait_port 22 1
'

events_of_last() {
	in_ns "$HW" --history --json | python3 -c \
	    'import json,sys; print("\n".join(json.load(sys.stdin)["transactions"][-1].get("events", [])))'
}

test_expect_success 'dead-man: timer killed, machine "rebooted" past the deadline: the boot check rolls back' '
	in_ns "$HW" --apply "$T/timed.conf" >/dev/null 2>&1 &&
	test "$(state_of_last)" = pending &&
	in_ns pkill -KILL -f -- "--rollback-unconfirmed" &&
	sleep 3 &&
	test "$(state_of_last)" = pending &&
	wait_port 2222 1 &&
	in_ns "$HW" --rollback-expired 2>"$T/expired.err" &&
	grep -q "not confirmed before its deadline: rolled back" "$T/expired.err" &&
	test "$(state_of_last)" = rolled-back &&
	wait_port 22 1 && wait_port 2222 0 &&
	ssh_password 22 | grep -q logged-in
'

recipe later.conf <<EOF2
[ssh]
permit_root_login = no
EOF2

# first_said ID: transaction ID's events say the timer did not roll it back.
first_said() {
	in_ns "$HW" --history --json | python3 -c '
import json, sys
t = {x["id"]: x for x in json.load(sys.stdin)["transactions"]}
sys.exit(0 if any("not rolled back" in e for e in t[sys.argv[1]].get("events", []))
    else 1)' "$1"
}

test_expect_success 'dead-man: never rolls back over a later transaction; says why' '
	# 10 s: the later apply must land before the deadline even on a
	# loaded machine (3 s ran out once under a parallel build).
	sed "s/^confirm_timeout = 2/confirm_timeout = 10/" "$T/timed.conf" > "$T/timed3.conf" &&
	chmod 600 "$T/timed3.conf" &&
	in_ns "$HW" --apply "$T/timed3.conf" >/dev/null 2>&1 &&
	first=$(in_ns "$HW" --history --json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"transactions\"][-1][\"id\"])") &&
	in_ns "$HW" --apply "$T/later.conf" >/dev/null 2>&1 &&
	test "$(state_of_last)" = applied &&
	test_wait_until -t 30 first_said "$first" &&
	test "$(state_of_last)" = applied &&
	in_ns "$HW" --history --json | python3 -c "
import json, sys
t = {x[\"id\"]: x for x in json.load(sys.stdin)[\"transactions\"]}
f = t[\"$first\"]
assert f[\"state\"] == \"pending\", f
assert any(\"not rolled back\" in e for e in f.get(\"events\", [])), f
" &&
	wait_port 2222 1 &&
	in_ns "$HW" --rollback > "$T/later-rb.out" 2>&1 &&
	in_ns "$HW" --rollback "$first" > "$T/first-rb.out" 2>&1 &&
	{ wait_port 22 1 || {
		cat "$T/later-rb.out" "$T/first-rb.out"; in_ns "$HW" --history; false; }; }
'

test_expect_success 'dead-man: a timer that cannot be armed refuses the apply, nothing changed' '
	cp "$HW" "$T/hw-gone" &&
	(cd "$R/etc/ssh" && find . -type f | LC_ALL=C sort | xargs sha256sum) > "$T/ssh.armed" &&
	{ in_ns $TRACED strace -o /dev/null -e trace=flock \
	    -e inject=flock:delay_enter=1500000 "$T/hw-gone" \
	    --apply "$T/timed.conf" >"$T/gone.out" 2>&1 & } &&
	sleep 0.5 && rm "$T/hw-gone" &&
	test_expect_code 1 wait $! &&
	grep -q "cannot start the rollback timer" "$T/gone.out" &&
	(cd "$R/etc/ssh" && find . -type f | LC_ALL=C sort | xargs sha256sum) | diff - "$T/ssh.armed" &&
	test "$(state_of_last)" = failed &&
	wait_port 22 1 && wait_port 2222 0
'

sed "s/^confirm_timeout = 0/confirm_timeout = 60/" "$T/harden.conf" > "$T/fork.conf"
chmod 600 "$T/fork.conf"

ssh_sums() {
	(cd "$R/etc/ssh" && find . -type f | LC_ALL=C sort | xargs sha256sum)
}

# Root is exempt from RLIMIT_NPROC, so fork(2) is made to fail by strace:
# EAGAIN at each process hardenwiz itself starts (vfork: the firewall
# probes, the validator, the reload; clone, from fork: the timer). Each
# must refuse the apply with /etc/ssh as it was: a probe that cannot run
# is not "no firewall".
test_expect_success 'a fork that fails at any point of a timed apply refuses it, /etc/ssh unchanged' '
	ssh_sums > "$T/ssh.fork" &&
	in_ns $TRACED strace -o "$T/clone.trace" -e trace=clone,vfork "$HW" \
	    --apply "$T/fork.conf" > /dev/null 2>&1 &&
	in_ns "$HW" --rollback 2>/dev/null && wait_port 22 1 &&
	nc=$(grep -c "^clone(" "$T/clone.trace") &&
	nv=$(grep -c "^vfork(" "$T/clone.trace") &&
	n=$((nc + nv)) &&
	test "$nv" -ge 3 &&
	: > "$T/fork.all" &&
	for call in clone:$nc vfork:$nv; do
		for k in $(seq "${call#*:}"); do
			test_expect_code 1 in_ns $TRACED strace -o /dev/null \
			    -e trace=clone,vfork \
			    -e inject=${call%:*}:error=EAGAIN:when=$k "$HW" \
			    --apply "$T/fork.conf" > "$T/fork.out" 2>&1 &&
			cat "$T/fork.out" >> "$T/fork.all" &&
			ssh_sums | diff - "$T/ssh.fork" &&
			wait_port 22 1 && wait_port 2222 0 &&
			! in_ns pgrep -f -- "--rollback-unconfirmed" || {
				echo "${call%:*} $k:"; cat "$T/fork.out"; return 1; }
		done || return 1
	done &&
	grep -q "cannot tell whether ufw is active: .*Resource temporarily unavailable" "$T/fork.all" &&
	grep -q "cannot start the rollback timer" "$T/fork.all" &&
	echo "fork failed at each of $n clones and vforks: all $n refused, /etc/ssh unchanged" >> "$T/notes"
'

recipe port.conf <<EOF2
[ssh]
port = 2222
EOF2

# The live case of t0110: hardenwiz killed at each write of an apply that
# moves sshd (before and after the journal records the reload, before and
# after each file). A rollback must leave files and sshd agreeing: port 22.
test_expect_success 'kill -9 at every write of a live apply: rollback brings sshd back to 22' '
	HW_PREFIX=in_ns &&
	(cd "$R/etc/ssh" && find . -type f | LC_ALL=C sort | xargs sha256sum) > "$T/ssh.before" &&
	points / --apply "$T/port.conf" > "$T/livepoints" &&
	in_ns "$HW" --rollback 2>/dev/null && wait_port 22 1 &&
	test "$(wc -l < "$T/livepoints")" -ge 4 &&
	restored=0 &&
	while read -r call k; do
		killed "$call" "$k" / --apply "$T/port.conf" &&
		if interrupted /; then
			test_expect_code 1 in_ns "$HW" --apply "$T/port.conf" 2>/dev/null &&
			in_ns "$HW" --rollback 2>"$T/live.err" &&
			restored=$((restored + 1))
		fi &&
		wait_port 22 1 && wait_port 2222 0 &&
		(cd "$R/etc/ssh" && find . -type f | LC_ALL=C sort | xargs sha256sum) |
		    diff - "$T/ssh.before" &&
		in_ns "$HW" --apply "$T/port.conf" >/dev/null 2>&1 &&
		wait_port 2222 1 &&
		in_ns "$HW" --rollback 2>/dev/null && wait_port 22 1 || {
			echo "kill point $call $k"; cat "$T/live.err"; return 1; }
	done < "$T/livepoints" &&
	echo "live: $(wc -l < "$T/livepoints") kill points, $restored interrupted; sshd on 22 after each rollback" >>"$T/notes" &&
	test "$restored" -ge 3
'

if command -v tmux >/dev/null; then
R=/ WZ_PREFIX="nsenter -t $NSPID -m -n -p --" start --only ssh
test_expect_success 'wizard, live: the SSH form arms a 300 s timer; a new login works, Yes keeps it' '
	wz_pick "SSH access" &&
	wait_for "Seconds to confirm          300" &&
	tm send-keys -t wz BSpace BSpace 2222 Tab Tab Tab &&
	tm send-keys -t wz -l "$(cat "$T/key.pub")" &&
	tm send-keys -t wz Tab BSpace BSpace BSpace BSpace BSpace BSpace hwtest &&
	wait_for "Install the key for user    hwtest" &&
	tm send-keys -t wz F12 &&
	wait_for "+Port 2222" &&
	wz_apply_pending 300 &&
	in_ns "$HW" --history | grep -q " pending .*(rolled back at 20[0-9-]*T[0-9:]*Z unless .hardenwiz --confirm. runs first)$" &&
	wait_port 2222 1 &&
	ssh_key 2222 | grep -q logged-in &&
	tm send-keys -t wz Tab Enter &&
	wait_for "History and rollback" &&
	test "$(state_of_last)" = applied &&
	! in_ns pgrep -f -- "--rollback-unconfirmed" &&
	wz_quit &&
	in_ns "$HW" --rollback 2>/dev/null &&
	wait_port 22 1 && wait_port 2222 0
'
fi

test_done
