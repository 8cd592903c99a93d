#!/bin/bash
# t0060: every mode under valgrind (memcheck): no invalid access, no
# uninitialised use, no definite or indirect leak.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || skip_all "needs valgrind"
# The ASan build runs the same modes under its own checker.
ldd "$HW" | grep -q libasan && skip_all "valgrind cannot run an ASan binary"

R=$T/root
mkroot debian12 "$R"
with_ufw "$R"
with_listeners "$R"
for f in ssh firewall server; do
	cp "$SRC/recipes/examples/$f.conf" "$T/$f.conf"
	chmod 600 "$T/$f.conf"
done

# vgr ROOT [-x CODE] ARGS: hardenwiz --root ROOT ARGS under memcheck, with
# its standard input; it must exit CODE (default 0) with no error report.
vgr() {
	root=$1 want=0
	shift
	if [ "$1" = -x ]; then
		want=$2
		shift 2
	fi
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --error-exitcode=99 "$HW" --root "$root" "$@" >/dev/null 2>"$T/vg.err"
	rc=$?
	if [ $rc = 99 ] || grep -q "==[0-9]*==" "$T/vg.err"; then
		cat "$T/vg.err"
		return 1
	fi
	[ "$rc" = "$want" ] && return 0
	echo "hardenwiz $*: exit $rc, wanted $want"
	cat "$T/vg.err"
	return 1
}

vg() {
	vgr "$R" "$@"
}

test_expect_success 'dry run' 'vg --apply "$T/ssh.conf" --dry-run'
test_expect_success 'firewall and SSH: dry run, apply, rollback' '
	vg --apply "$T/server.conf" --dry-run &&
	vg --apply "$T/server.conf" &&
	vg --rollback
'
test_expect_success 'every Postfix step: dry run, apply, rollback (offline)' '
	mkroot debian12 "$T/pf" && with_postfix "$T/pf" &&
	mkdir -p "$T/pf/etc/dovecot" "$T/pf/etc/ssl/private" "$T/pf/etc/ssl/certs" &&
	echo "protocols = none" > "$T/pf/etc/dovecot/dovecot.conf" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/pf/etc/ssl/private/ssl-cert-snakeoil.key" \
	    -out "$T/pf/etc/ssl/certs/ssl-cert-snakeoil.pem" -days 2 -subj /CN=x 2>/dev/null &&
	echo relay-secret > "$T/pw" && chmod 600 "$T/pw" &&
	printf "[postfix-sasl]\nenable = yes\n[postfix-ratelimit]\nmessage_rate = 3\ntime_unit = 1m\n[postfix-relay]\nhost = [relay.example]:465\nuser = u\npassword_file = $T/pw\n[postfix-blocklist]\nsenders = a@b.example evil.example\nclients = 192.0.2.0/24\n[mailqueue]\ninterval = 1h\n" > "$T/pf.conf" &&
	chmod 600 "$T/pf.conf" &&
	vgr "$T/pf" --apply "$T/pf.conf" --dry-run &&
	vgr "$T/pf" --apply "$T/pf.conf" &&
	sed "s/^senders = a@b.example/senders = later@c.example a@b.example/" "$T/pf.conf" > "$T/pf2.conf" &&
	chmod 600 "$T/pf2.conf" &&
	vgr "$T/pf" --apply "$T/pf2.conf" &&
	vgr "$T/pf" --rollback &&
	vgr "$T/pf" --rollback
'
test_expect_success 'DKIM ([dns]): dry run, apply, rotation, rollback (offline)' '
	mkroot debian12 "$T/dk" && with_postfix "$T/dk" &&
	mkdir -p "$T/dk/usr/sbin" && : > "$T/dk/usr/sbin/opendkim" &&
	cp /etc/opendkim.conf "$T/dk/etc/" &&
	echo "opendkim:x:990:990::/run/opendkim:/usr/sbin/nologin" >> "$T/dk/etc/passwd" &&
	cp "$SRC/recipes/examples/dkim.conf" "$T/dk.conf" && chmod 600 "$T/dk.conf" &&
	sed "s/^dkim_selector = mail/dkim_selector = next/" "$T/dk.conf" > "$T/dk2.conf" &&
	chmod 600 "$T/dk2.conf" &&
	vgr "$T/dk" --apply "$T/dk.conf" --dry-run &&
	vgr "$T/dk" --apply "$T/dk.conf" &&
	vgr "$T/dk" --apply "$T/dk2.conf" &&
	vgr "$T/dk" --audit --json &&
	vgr "$T/dk" --rollback &&
	vgr "$T/dk" --rollback
'
test_expect_success 'fail2ban: dry run, apply, rollback (offline)' '
	mkroot debian12 "$T/f2b" && cp -a /etc/fail2ban "$T/f2b/etc/fail2ban" &&
	cp "$SRC/recipes/examples/fail2ban.conf" "$T/f2b.conf" && chmod 600 "$T/f2b.conf" &&
	export SSH_CONNECTION="192.0.2.9 1 2 3" &&
	vgr "$T/f2b" --apply "$T/f2b.conf" --dry-run &&
	vgr "$T/f2b" --apply "$T/f2b.conf" &&
	vgr "$T/f2b" --rollback
'
test_expect_success '--check-mail: a flagged login (text, JSON), and the journal of a root' '
	mkdir -p "$T/ml/var/log" &&
	now=$(date "+%b %d %H:%M:%S") &&
	for i in 1 2 3 4 5 6 7; do
		printf "%s m postfix/submission/smtpd[9]: 4Q9Z0000%s: client=x[203.0.113.%s], sasl_method=PLAIN, sasl_username=bob\n%s m postfix/qmgr[9]: 4Q9Z0000%s: from=<bob@example.org>, size=3, nrcpt=1 (queue active)\n%s m postfix/smtp[9]: 4Q9Z0000%s: to=<x@example.net>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to mx.example.net[192.0.2.1]:25: Connection refused)\n" \
		    "$now" $i $i "$now" $i "$now" $i || return 1
	done > "$T/ml/var/log/mail.log" &&
	vgr "$T/ml" -x 1 --check-mail &&
	vgr "$T/ml" -x 1 --check-mail --json --since 2h &&
	vgr "$R" -x 1 --check-mail --json &&
	$HW --root "$R" --check-mail --json 2>/dev/null |
	    python3 -c "import json,sys; d=json.load(sys.stdin); assert \"no mail log\" in d[\"errors\"][0], d" &&
	grep -q "no mail log under $R: neither /var/log/mail.log, /var/log/maillog nor a persistent journal" "$T/vg.err"
'
test_expect_success 'services: audit and a dry run' '
	cp "$SRC/recipes/examples/services.conf" "$T/svc.conf" && chmod 600 "$T/svc.conf" &&
	vg --audit --only services &&
	vg --apply "$T/svc.conf" --dry-run
'
test_expect_success 'spam filter with Rspamd (rspamadm checks it), and updates: dry run, apply, rollback (offline)' '
	mkroot debian12 "$T/sf" && with_postfix "$T/sf" &&
	mkdir -p "$T/sf/etc/rspamd" && cp -a /etc/rspamd/. "$T/sf/etc/rspamd/" &&
	{ cat "$SRC/recipes/examples/spamfilter.conf" "$SRC/recipes/examples/updates.conf" &&
	    echo "now = yes"; } | grep -v "^now = no" > "$T/sf.conf" && chmod 600 "$T/sf.conf" &&
	vgr "$T/sf" --apply "$T/sf.conf" --dry-run &&
	vgr "$T/sf" --apply "$T/sf.conf" &&
	vgr "$T/sf" --rollback
'
test_expect_success 'firewalld root: dry run' '
	mkroot rocky9 "$T/rocky" && with_firewalld "$T/rocky" &&
	vgr "$T/rocky" --apply "$T/firewall.conf" --dry-run
'
test_expect_success 'RHEL: dnf-automatic and the outbound count (nft checks it): dry run, apply, rollback (offline)' '
	mkdir -p "$T/rocky/usr/bin" "$T/rocky/etc/dnf" &&
	printf "#!/bin/sh\n" > "$T/rocky/usr/bin/dnf-automatic" &&
	printf "#!/bin/sh\n" > "$T/rocky/usr/sbin/nft" &&
	printf "[commands]\napply_updates = no\n[emitters]\nemit_via = stdio\n[email]\nemail_from = root@example.com\n" \
	    > "$T/rocky/etc/dnf/automatic.conf" &&
	printf "[updates]\nautomatic = yes\n[firewall]\nblock_outbound_smtp = yes\n" > "$T/rh.conf" &&
	chmod 600 "$T/rh.conf" &&
	vgr "$T/rocky" --apply "$T/rh.conf" --dry-run &&
	vgr "$T/rocky" --apply "$T/rh.conf" &&
	grep -q "^apply_updates = yes" "$T/rocky/etc/dnf/automatic.conf" &&
	grep -q "update @smtp_out" "$T/rocky/etc/hardenwiz/smtp-out.nft" &&
	vgr "$T/rocky" --rollback
'
test_expect_success 'apply' 'vg --apply "$T/ssh.conf"'
test_expect_success 'apply again (nothing to change)' 'vg --apply "$T/ssh.conf"'
test_expect_success 'audit, JSON' 'vg --audit --json'
test_expect_success 'history' 'vg --history --json'
test_expect_success 'rollback' 'vg --rollback'
test_expect_success 'a recipe error' '
	printf "[ssh]\nport = x\nbad = 1\n" > "$T/bad.conf" && chmod 600 "$T/bad.conf" &&
	vg -x 2 --apply "$T/bad.conf"
'
test_expect_success 'the guard refusing' '
	rm "$R/root/.ssh/authorized_keys" &&
	vg -x 4 --apply "$T/ssh.conf"
'
test_expect_success 'the plain wizard' '
	printf "SSH\n2022\nno\n\n\n\ny\n\nQuit\n" > "$T/answers" &&
	cp "$FIXTURES/debian12/root/.ssh/authorized_keys" "$R/root/.ssh/" &&
	vg --plain < "$T/answers" &&
	grep -qx "Port 2022" "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf"
'

test_done
