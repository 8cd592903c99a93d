#!/bin/bash
# t0210: the Ansible role (contrib/ansible) with ansible-core from Debian,
# over SSH, on three booted Debian machines (systemd, sshd, Postfix), each
# in namespaces of its own and reached from a controller namespace through
# a veth link. The role installs the package built here; the lockout guard
# fails the one host that only takes passwords, with its message, while the
# others apply, move sshd to a new port and confirm from a new login on it;
# the relay password comes from Ansible Vault and shows nowhere but in
# Postfix's 0600 map (not in -vvv output, not in a file on a host or the
# controller); a second run changes nothing; check mode shows hardenwiz's
# diff and changes nothing; the rollback play restores /etc byte for byte.
#
# Under ASan the hosts run $HW itself (the package would be built without
# it) and the role installs nothing.
. "$(dirname "$0")/lib.sh"
need_root
for tool in ansible-playbook ansible-vault sshpass dpkg-buildpackage; do
	command -v "$tool" >/dev/null ||
		skip_all "needs $tool (make deps-test)"
done
sd_prepare ansible
ns_start

A=$SRC/contrib/ansible
export ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_LOCAL_TEMP=$T/ansible-local HOME=$T
# The connection sockets: a short path (a socket's path is at most 107
# bytes).
CP=$(mktemp -d /tmp/hwcp.XXXXXX)
on_exit "rm -rf $CP; kill \$(cat $T/relay.pid 2>/dev/null) 2>/dev/null"
export ANSIBLE_SSH_CONTROL_PATH_DIR=$CP
export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null"
SECRET=Relay-Secret-9f3b1c7e
HOSTPW=Host-Password-51d0a2
asan=false
ldd "$HW" | grep -q libasan && asan=true

# controller CMD: CMD in the controller's network namespace (this
# machine's files; its only links go to the three hosts).
controller() {
	nsenter -t "$NSPID" -n -- "$@"
}

# host N: the machine hN (1..3), its root $T/hN, address 10.98.N.2.
host() {
	S=$T/h$1 SD=h$1
}

# link N: a veth from the controller (10.98.N.1) to hN's eth0 (10.98.N.2).
link() {
	pid=$(cat "$T/h$1.sdpid") &&
	controller ip link add "c$1" type veth peer name eth0 netns "$pid" &&
	controller ip addr add "10.98.$1.1/24" dev "c$1" &&
	controller ip link set "c$1" up &&
	nsenter -t "$pid" -n -- ip addr add "10.98.$1.2/24" dev eth0 &&
	nsenter -t "$pid" -n -- ip link set eth0 up
}

play() {
	controller ansible-playbook -i "$T/inventory" -e @"$T/vars.yml" \
	    -e @"$T/vault.yml" --vault-password-file "$T/vault.pass" "$@"
}

# recap HOST FILE: its "ok=N changed=N ... failed=N" line of the last play.
recap() {
	sed -n "s/^$1 *: //p" "$2" | tail -n 1
}

# sshd_says N KEY VALUE: sshd -T on hN reports exactly that.
sshd_says() {
	(host "$1" && in_sd sshd -T) | grep -qx "$2 $3"
}

# listens N PORT: sshd on hN listens on PORT.
listens() {
	(host "$1" && listening "$2")
}

# etc_all: the three hosts' /etc, without the boot check that hardenwiz's
# dead-man timer installs for good (the package's removal takes it).
etc_all() {
	for h in 1 2 3; do
		snapshot "$T/h$h/etc" | grep -v "hardenwiz-expired.service" |
		    sed "s|^|h$h |"
	done
}

# inventory H1PORT H2PORT H3PORT [H3VARS]: the fleet, each host's SSH
# port; H3VARS on h3's line.
inventory() {
	{
		echo "[fleet]"
		echo "h1 ansible_host=10.98.1.2 ansible_port=$1"
		echo "h2 ansible_host=10.98.2.2 ansible_port=$2"
		echo "h3 ansible_host=10.98.3.2 ansible_port=$3 ${4:-}"
		echo "[fleet:vars]"
		echo "ansible_user=root"
		echo "ansible_ssh_private_key_file=$T/id"
		echo "ansible_python_interpreter=/usr/bin/python3"
		if $asan; then
			echo "hardenwiz_install=false"
		else
			echo "hardenwiz_deb=$T/pkg/hardenwiz_${HW_VERSION}_amd64.deb"
		fi
	} > "$T/inventory"
}

cat > "$T/vars.yml" <<'EOF2'
hardenwiz_recipe:
  ssh:
    port: 2222
    password_authentication: false
    permit_root_login: prohibit-password
    confirm_timeout: 300
  postfix-relay:
    host: "[relay.example.net]:587"
    user: alerts@example.net
    password_env: HW_RELAY_PASSWORD
hardenwiz_secrets:
  HW_RELAY_PASSWORD: "{{ vault_relay_password }}"
EOF2

test_expect_success 'setup: the package; three booted hosts that Ansible reaches over SSH' '
	if ! $asan; then build_deb "$T/pkg"; fi &&
	sd_mail_root "$T/h1" python3,python3-apt,libsasl2-modules &&
	if ! $asan; then rm "$T/h1/usr/local/sbin/hardenwiz"; fi &&
	cp -a "$T/h1" "$T/h2" && cp -a "$T/h1" "$T/h3" &&
	for h in 1 2 3; do
		echo "10.98.$h.1 relay.example.net" >> "$T/h$h/etc/hosts" || exit 1
	done &&
	ssh-keygen -q -t ed25519 -N "" -f "$T/id" &&
	for h in 1 2; do
		install -d -m 700 "$T/h$h/root/.ssh" &&
		install -m 600 "$T/id.pub" "$T/h$h/root/.ssh/authorized_keys" || exit 1
	done &&
	# h3 is a VPS as sold: root logs in with a password, no key.
	printf "PermitRootLogin yes\nPasswordAuthentication yes\n" \
	    > "$T/h3/etc/ssh/sshd_config.d/50-provider.conf" &&
	controller ip link set lo up &&
	for h in 1 2 3; do
		(host $h && boot) && link $h || exit 1
	done &&
	(host 3 && echo "root:$HOSTPW" | in_sd chpasswd) &&
	# The relay (on the controller) takes the login of the Vault password:
	# hardenwiz tests it before it changes anything.
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/relay.key" \
	    -out "$T/relay.crt" -days 2 -subj /CN=relay.example.net 2>/dev/null &&
	mkdir "$T/relayspool" &&
	{ controller /usr/bin/python3 "$SRC/tests/t/relay.py" 0.0.0.0 587 "$T/relay.crt" \
	    "$T/relay.key" alerts@example.net "$SECRET" "$T/relayspool" \
	    > "$T/relay.log" 2>&1 & echo $! > "$T/relay.pid"; } &&
	test_wait_until -t 10 port_open controller 10.98.1.1 587 &&
	printf "%s\n" "vault-key-for-the-test" > "$T/vault.pass" &&
	printf "vault_relay_password: %s\n" "$SECRET" > "$T/vault.yml" &&
	ansible-vault encrypt --vault-password-file "$T/vault.pass" \
	    "$T/vault.yml" > /dev/null &&
	! grep -q "$SECRET" "$T/vault.yml" &&
	inventory 22 22 22 "ansible_password=$HOSTPW" &&
	controller ansible -i "$T/inventory" fleet -m ping > "$T/ping.out" 2>&1 &&
	test "$(grep -c "SUCCESS" "$T/ping.out")" = 3 &&
	etc_all > "$T/before"
'

test_expect_success 'the lockout guard fails the password-only host; the others install, apply and confirm on the new port' '
	test_expect_code 2 play "$A/site.yml" -vvv -e hardenwiz_serial=3 \
	    -e hardenwiz_max_fail_percentage=50 > "$T/run1.out" 2>&1 &&
	recap h3 "$T/run1.out" | grep -q " failed=1" &&
	grep -q "refusing to turn off password login" "$T/run1.out" &&
	grep -q "\"lockout_guard\": true" "$T/run1.out" &&
	sshd_says 3 passwordauthentication yes && sshd_says 3 port 22 &&
	for h in 1 2; do
		recap h$h "$T/run1.out" | grep -q "changed=[1-9].* failed=0" &&
		sshd_says $h port 2222 && sshd_says $h passwordauthentication no &&
		listens $h 2222 && ! listens $h 22 &&
		(host $h && in_sd hardenwiz --history --json) > "$T/hist$h" &&
		python3 -c "import json,sys; t = json.load(open(sys.argv[1]))[\"transactions\"][-1]; assert t[\"state\"] == \"applied\", t" "$T/hist$h" &&
		grep -q "^<10.98.$h.2> SSH: EXEC ssh .*-o Port=2222 " "$T/run1.out" || exit 1
	done &&
	if ! $asan; then
		(host 1 && in_sd dpkg-query -W -f="\${Status}" hardenwiz) > "$T/status" &&
		test "$(cat "$T/status")" = "install ok installed" &&
		(host 1 && in_sd sh -c "command -v hardenwiz") | grep -qx /usr/sbin/hardenwiz
	fi
'

# -vvv prints every command Ansible runs and every file it puts on a host:
# the module (with its arguments) went over stdin, never into a file.
test_expect_success 'the relay password shows only in Postfix'"'"'s 0600 map' '
	grep -q "\"HW_RELAY_PASSWORD\": \"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\"" "$T/run1.out" &&
	! grep -q "$SECRET" "$T/run1.out" &&
	! grep -q "AnsiballZ_hardenwiz" "$T/run1.out" &&
	! grep -rlq "$SECRET" "$T/ansible-local" "$T/.ansible" "$T/inventory" \
	    "$T/vars.yml" "$T/vault.yml" 2>/dev/null &&
	for h in 1 2; do
		grep -rl --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev \
		    --exclude-dir=run --exclude-dir=tmp -F "$SECRET" "$T/h$h" \
		    > "$T/where$h" &&
		test "$(sed "s|^$T/h$h||" "$T/where$h" | sort | tr "\n" " ")" = \
		    "/etc/postfix/sasl_passwd /etc/postfix/sasl_passwd.db " &&
		test "$(stat -c %a "$T/h$h/etc/postfix/sasl_passwd")" = 600 &&
		test "$(stat -c %a "$T/h$h/etc/postfix/sasl_passwd.db")" = 600 || exit 1
	done
'

test_expect_success 'where Ansible would keep the module'"'"'s file, the role refuses the secret' '
	etc_all > "$T/pre-keep" &&
	ANSIBLE_KEEP_REMOTE_FILES=1 test_expect_code 2 play "$A/site.yml" \
	    > "$T/keep.out" 2>&1 &&
	grep -q "hardenwiz_secrets would be left in a file on the host" "$T/keep.out" &&
	! grep -q "$SECRET" "$T/keep.out" &&
	etc_all > "$T/post-keep" &&
	diff "$T/pre-keep" "$T/post-keep"
'

test_expect_success 'with a key, the last host applies; the others change nothing' '
	install -d -m 700 "$T/h3/root/.ssh" &&
	install -m 600 "$T/id.pub" "$T/h3/root/.ssh/authorized_keys" &&
	inventory 2222 2222 22 &&
	play "$A/site.yml" > "$T/run2.out" 2>&1 &&
	recap h3 "$T/run2.out" | grep -q "changed=[1-9].* failed=0" &&
	sshd_says 3 passwordauthentication no && sshd_says 3 port 2222 &&
	listens 3 2222 &&
	recap h1 "$T/run2.out" | grep -q "changed=0 .*failed=0" &&
	recap h2 "$T/run2.out" | grep -q "changed=0 .*failed=0"
'

test_expect_success 'a second run changes nothing' '
	inventory 2222 2222 2222 &&
	play "$A/site.yml" > "$T/run3.out" 2>&1 &&
	for h in h1 h2 h3; do
		recap $h "$T/run3.out" | grep -q "changed=0 .*failed=0" || exit 1
	done
'

test_expect_success 'check mode shows hardenwiz'"'"'s diff and changes nothing' '
	etc_all > "$T/pre-check" &&
	play "$A/site.yml" --check --diff -e "{\"hardenwiz_recipe\": {\"ssh\": {\"port\": 2233}}}" \
	    > "$T/check.out" 2>&1 &&
	grep -q "^-Port 2222" "$T/check.out" && grep -q "^+Port 2233" "$T/check.out" &&
	recap h2 "$T/check.out" | grep -q "changed=[1-9]" &&
	etc_all > "$T/post-check" &&
	diff "$T/pre-check" "$T/post-check" &&
	for h in 1 2 3; do listens $h 2222 || exit 1; done
'

test_expect_success 'the rollback play restores every host'"'"'s /etc byte for byte' '
	play "$A/rollback.yml" > "$T/rb.out" 2>&1 &&
	for h in h1 h2 h3; do
		recap $h "$T/rb.out" | grep -q "changed=1 .*failed=0" || exit 1
	done &&
	etc_all > "$T/after" &&
	diff "$T/before" "$T/after" &&
	for h in 1 2 3; do
		sshd_says $h port 22 && listens $h 22 || exit 1
	done
'

test_done
