#!/bin/bash
# t0210: the Ansible role (contrib/ansible) with ansible-core from Debian,
# on three hosts that are sandbox roots (--root) reached over Ansible's
# local connection: the role applies, a second run changes nothing, check
# mode reports the change with hardenwiz's diff and changes nothing, the
# lockout guard fails its host (exit 4, its message) while the others in
# the batch go on, and the rollback play restores every file byte for byte.
. "$(dirname "$0")/lib.sh"
need_root
command -v ansible-playbook >/dev/null ||
	skip_all "needs ansible-playbook (make deps-test: ansible-core)"

A=$HW_SRCDIR/contrib/ansible
export ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_LOCAL_TEMP=$T/ansible-local ANSIBLE_REMOTE_TEMP=$T/ansible-remote
export HOME=$T

for h in h1 h2 h3; do
	mkroot debian12 "$T/$h"
done

# An inventory of the three roots; the play's recipe in vars.
cat > "$T/inventory" <<EOF2
[fleet]
h1 hardenwiz_root=$T/h1
h2 hardenwiz_root=$T/h2
h3 hardenwiz_root=$T/h3

[fleet:vars]
ansible_connection=local
ansible_python_interpreter=/usr/bin/python3
hardenwiz_install=false
hardenwiz_binary=$HW
hardenwiz_recipe_path=$T/recipe-{{ inventory_hostname }}.conf
EOF2

cat > "$T/vars.yml" <<'EOF2'
hardenwiz_recipe:
  ssh:
    port: 2222
    password_authentication: false
    permit_root_login: prohibit-password
EOF2

play() {
	ansible-playbook -i "$T/inventory" -e @"$T/vars.yml" "$@"
}

# recap HOST: its "ok=N changed=N ... failed=N" line of the last play.
recap() {
	sed -n "s/^$1 *: //p" "$2" | tail -n 1
}

snapshot_all() {
	for h in h1 h2 h3; do snapshot "$T/$h"; done
}

# h3 starts without a key: turning password login off there is refused.
mv "$T/h3/root/.ssh/authorized_keys" "$T/h3-key"

test_expect_success 'the lockout guard fails its host with its message; the others apply' '
	snapshot_all > "$T/before" &&
	test_expect_code 2 play "$A/site.yml" -e hardenwiz_serial=3 \
	    -e hardenwiz_max_fail_percentage=50 > "$T/run1.out" 2>&1 &&
	recap h3 "$T/run1.out" | grep -q " failed=1" &&
	grep -q "refusing to turn off password login" "$T/run1.out" &&
	grep -q "\"lockout_guard\": true" "$T/run1.out" &&
	expect_T "$T/h3" passwordauthentication yes &&
	for h in h1 h2; do
		recap $h "$T/run1.out" | grep -q "changed=[1-9].* failed=0" &&
		expect_T "$T/$h" port 2222 &&
		expect_T "$T/$h" passwordauthentication no &&
		grep -q "\"transaction\"" "$T/$h/var/lib/hardenwiz/ansible-last.json" || exit 1
	done
'

test_expect_success 'with a key, the last host applies; the others change nothing' '
	cp "$T/h3-key" "$T/h3/root/.ssh/authorized_keys" &&
	play "$A/site.yml" > "$T/run2.out" 2>&1 &&
	recap h3 "$T/run2.out" | grep -q "changed=[1-9].* failed=0" &&
	expect_T "$T/h3" passwordauthentication no &&
	recap h1 "$T/run2.out" | grep -q "changed=0 .*failed=0" &&
	recap h2 "$T/run2.out" | grep -q "changed=0 .*failed=0"
'

test_expect_success 'a second run changes nothing' '
	play "$A/site.yml" > "$T/run3.out" 2>&1 &&
	for h in h1 h2 h3; do
		recap $h "$T/run3.out" | grep -q "changed=0 .*failed=0" || exit 1
	done
'

test_expect_success 'check mode shows hardenwiz'"'"'s diff and changes nothing' '
	snapshot_all > "$T/pre-check" &&
	play "$A/site.yml" --check --diff -e "{\"hardenwiz_recipe\": {\"ssh\": {\"port\": 2233}}}" \
	    > "$T/check.out" 2>&1 &&
	grep -q "^-Port 2222" "$T/check.out" && grep -q "^+Port 2233" "$T/check.out" &&
	recap h2 "$T/check.out" | grep -q "changed=[1-9]" &&
	snapshot_all > "$T/post-check" &&
	cmp "$T/pre-check" "$T/post-check"
'

test_expect_success 'the rollback play restores every host byte for byte' '
	play "$A/rollback.yml" > "$T/rb.out" 2>&1 &&
	for h in h1 h2 h3; do
		recap $h "$T/rb.out" | grep -q "changed=1 .*failed=0" || exit 1
	done &&
	rm "$T/h3/root/.ssh/authorized_keys" &&
	snapshot_all > "$T/after" &&
	diff "$T/before" "$T/after"
'

test_done
