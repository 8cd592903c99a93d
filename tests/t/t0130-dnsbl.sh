#!/bin/bash
# t0130: --check-dnsbl against real authoritative DNS servers (nsd) in a
# private network namespace. Server 1 (10.53.0.1) serves a working
# zen.spamhaus.org (198.51.100.7 in XBL, .8 in PBL, .9 answered with
# Spamhaus's "public resolver" error), a working bl.spamcop.net, and
# dead.example.org, which lists everything (a retired list). Server 2
# (10.53.0.2) answers every zen.spamhaus.org question with 127.255.255.254,
# as Spamhaus does for a public resolver. 203.0.113.5 is listed nowhere.
. "$(dirname "$0")/lib.sh"
need_root
command -v nsd >/dev/null || skip_all "needs nsd (make deps-test)"

V6TEST=0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0

N1=$T/ns1
N2=$T/ns2
mkdir -p "$N1" "$N2"
{
	soa zen.spamhaus.org 10.53.0.1
	printf '2.0.0.127 IN A 127.0.0.2\n2.0.0.127 IN A 127.0.0.10\n'
	printf '2.%s IN A 127.0.0.2\n' "$V6TEST"
	printf '7.100.51.198 IN A 127.0.0.4\n'
	printf '7.100.51.198 IN TXT "https://check.spamhaus.org/query/ip/198.51.100.7"\n'
	printf '8.100.51.198 IN A 127.0.0.10\n9.100.51.198 IN A 127.255.255.254\n'
} > "$N1/zen.spamhaus.org.zone"
{
	soa bl.spamcop.net 10.53.0.1
	printf '2.0.0.127 IN A 127.0.0.2\n7.100.51.198 IN A 127.0.0.2\n'
	printf '7.100.51.198 IN TXT "Blocked - see https://www.spamcop.net/bl.shtml?198.51.100.7"\n'
} > "$N1/bl.spamcop.net.zone"
{
	soa dead.example.org 10.53.0.1
	printf '* IN A 127.0.0.2\n'
} > "$N1/dead.example.org.zone"
nsd_conf "$N1" 10.53.0.1 zen.spamhaus.org bl.spamcop.net dead.example.org
{
	soa zen.spamhaus.org 10.53.0.2
	printf '* IN A 127.255.255.254\n'
	printf '* IN TXT "Error: open resolver; https://check.spamhaus.org/returnc/pub/"\n'
} > "$N2/zen.spamhaus.org.zone"
nsd_conf "$N2" 10.53.0.2 zen.spamhaus.org

ns_start
LISTS=zen.spamhaus.org,bl.spamcop.net,dead.example.org

test_expect_success 'namespace: two nsd servers answer' '
	in_ns sh -ec "
		ip link set lo up
		ip addr add 10.53.0.1/32 dev lo
		ip addr add 10.53.0.2/32 dev lo
		nsd -c $N1/nsd.conf
		nsd -c $N2/nsd.conf
	" &&
	test_wait_until -t 10 test -s "$N1/nsd.pid" &&
	test_wait_until -t 10 test -s "$N2/nsd.pid"
'

test_expect_success 'a listed address: the code decoded, the list'"'"'s reason, the delisting page; exit 1' '
	test_expect_code 1 in_ns "$HW" --check-dnsbl --server 10.53.0.1 --zones "$LISTS" 198.51.100.7 > "$T/listed.out" &&
	grep -q "^  Spamhaus ZEN  *zen.spamhaus.org  *LISTED (127.0.0.4)$" "$T/listed.out" &&
	grep -q "XBL: Exploits Block List" "$T/listed.out" &&
	grep -q "the list says: https://check.spamhaus.org/query/ip/198.51.100.7" "$T/listed.out" &&
	grep -q "Find and stop the abuse first.*then ask for removal: https://check.spamhaus.org/$" "$T/listed.out" &&
	grep -q "^  SpamCop  *bl.spamcop.net  *LISTED (127.0.0.2)$" "$T/listed.out" &&
	grep -q "the list says: Blocked - see https://www.spamcop.net/bl.shtml?198.51.100.7" "$T/listed.out"
'

test_expect_success 'a list that lists everything is unusable, never a listing; a clean address exits 0' '
	in_ns "$HW" --check-dnsbl --server 10.53.0.1 --zones "$LISTS" 203.0.113.5 > "$T/clean.out" &&
	grep -q "^  Spamhaus ZEN .* not listed$" "$T/clean.out" &&
	grep -q "^  SpamCop .* not listed$" "$T/clean.out" &&
	grep -q "^  dead.example.org .* unusable$" "$T/clean.out" &&
	grep -q "lists its own test address 127.0.0.1 (127.0.0.2): a dead list" "$T/clean.out" &&
	grep -q "^not listed: 0 listing(s) on 2 working list answer(s)$" "$T/clean.out"
'

test_expect_success 'PBL is a listing by policy, with the relay advice' '
	test_expect_code 1 in_ns "$HW" --check-dnsbl --server 10.53.0.1 --zones zen.spamhaus.org 198.51.100.8 > "$T/pbl.out" &&
	grep -q "listed by policy (127.0.0.10)" "$T/pbl.out" &&
	grep -q "PBL: Policy Block List: .*no abuse is claimed. Send through your provider.s relay" "$T/pbl.out" &&
	! grep -q "Find and stop the abuse" "$T/pbl.out"
'

test_expect_success 'Spamhaus error answers are refusals with the fix, not listings' '
	in_ns "$HW" --check-dnsbl --server 10.53.0.1 --zones zen.spamhaus.org,bl.spamcop.net 198.51.100.9 > "$T/err.out" &&
	grep -q "^  Spamhaus ZEN .* refused the question$" "$T/err.out" &&
	grep -q "(public resolver): Spamhaus refuses questions that come through a public or shared resolver" "$T/err.out" &&
	test_expect_code 1 in_ns "$HW" --check-dnsbl --server 10.53.0.2 --zones zen.spamhaus.org 203.0.113.5 > "$T/pub.out" &&
	grep -q "refused the question (public resolver)" "$T/pub.out" &&
	grep -q "^No list could be asked: the result is unknown, not clean" "$T/pub.out"
'

test_expect_success 'IPv6: checked on lists that take it, skipped on the others' '
	in_ns "$HW" --check-dnsbl --server 10.53.0.1 --zones zen.spamhaus.org,bl.spamcop.net 2001:db8::25 > "$T/v6.out" &&
	grep -q "^  Spamhaus ZEN .* not listed$" "$T/v6.out" &&
	grep -q "^  SpamCop .* does not list IPv6 addresses$" "$T/v6.out" &&
	in_ns "$HW" --check-dnsbl --json --server 10.53.0.1 --zones zen.spamhaus.org,bl.spamcop.net 2001:db8::25 > "$T/v6.json" &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); z=[x[\"zone\"] for x in d[\"ips\"][0][\"zones\"]]; assert z == [\"zen.spamhaus.org\"], z" "$T/v6.json"
'

test_expect_success '--json: one entry per address and list, verdicts named' '
	test_expect_code 1 in_ns "$HW" --check-dnsbl --json --server 10.53.0.1 --zones "$LISTS" 198.51.100.7 203.0.113.5 > "$T/out.json" &&
	python3 - "$T/out.json" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["mode"] == "check-dnsbl" and d["listed"] is True, d
	ips = {e["ip"]: {z["zone"]: z for z in e["zones"]} for e in d["ips"]}
	assert sorted(ips) == ["198.51.100.7", "203.0.113.5"], ips.keys()
	zen = ips["198.51.100.7"]["zen.spamhaus.org"]
	assert zen["status"] == "listed" and zen["codes"] == ["127.0.0.4"], zen
	assert zen["meaning"].startswith("XBL: ") and zen["delist"], zen
	assert zen["txt"] == "https://check.spamhaus.org/query/ip/198.51.100.7"
	assert ips["203.0.113.5"]["zen.spamhaus.org"]["status"] == "clean"
	dead = ips["203.0.113.5"]["dead.example.org"]
	assert dead["status"] == "unusable" and "127.0.0.1" in dead["why"], dead
	assert d["usable"] == 4, d["usable"]
	EOF
'

test_expect_success 'a server that does not answer: unknown, not clean (exit 1)' '
	test_expect_code 1 in_ns "$HW" --check-dnsbl --server 10.53.0.9 --zones zen.spamhaus.org 203.0.113.5 > "$T/none.out" &&
	grep -q "^  Spamhaus ZEN .* no answer$" "$T/none.out" &&
	grep -q "No list could be asked" "$T/none.out"
'

test_expect_success 'usage: a bad address or server is refused (exit 2)' '
	test_expect_code 2 "$HW" --check-dnsbl --server 10.53.0.1 not-an-ip 2> "$T/bad.err" &&
	grep -q "not-an-ip. is not an IPv4 or IPv6 address" "$T/bad.err" &&
	test_expect_code 2 "$HW" --check-dnsbl --server dns.example 203.0.113.5 2> "$T/bads.err" &&
	grep -q "give the DNS server.s IP address" "$T/bads.err" &&
	test_expect_code 2 "$HW" --server 10.53.0.1 --audit 2> "$T/mode.err" &&
	grep -q "goes with --check-dnsbl" "$T/mode.err"
'

# --syslog: the namespace gets a /dev of its own (a tmpfs with the device
# nodes hardenwiz needs) and a /dev/log read by a small listener, so the
# lines the timer would leave in the mail log can be read here.
test_expect_success '--syslog: one mail-log line per listing, none for a clean address' '
	in_ns sh -ec "
		mkdir -p /run/hostdev
		mount --bind /dev /run/hostdev
		mount -t tmpfs -o mode=755 tmpfs /dev
		cp -a /run/hostdev/null /run/hostdev/zero /run/hostdev/urandom /run/hostdev/random /dev/
	" &&
	{ in_ns python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
out = open(sys.argv[1], \"a\")
while True:
    out.write(s.recv(4096).decode(errors=\"replace\") + \"\\n\")
    out.flush()
" "$T/syslog" & } &&
	test_wait_until -t 10 in_ns test -S /dev/log &&
	test_expect_code 1 in_ns "$HW" --check-dnsbl --syslog --server 10.53.0.1 --zones zen.spamhaus.org 198.51.100.7 > /dev/null &&
	in_ns "$HW" --check-dnsbl --syslog --server 10.53.0.1 --zones zen.spamhaus.org 203.0.113.5 > /dev/null &&
	test_wait_until -t 5 grep -q "198.51.100.7 is listed on zen.spamhaus.org (127.0.0.4)" "$T/syslog" &&
	grep -q "hardenwiz\\[[0-9]*\\]: 198.51.100.7 is listed" "$T/syslog" &&
	! grep -q "203.0.113.5" "$T/syslog"
'

# The [dnsbl] step: the check every interval, as a timer or a cron entry.
R=$T/root
mkroot debian12 "$R"
snapshot "$R" > "$T/pristine"
recipe dnsbl.conf <<EOF
[dnsbl]
zones = zen.spamhaus.org, bl.spamcop.net
addresses = 203.0.113.10
interval = 12h
EOF

test_expect_success 'step, no systemd: a cron.d entry with the lists and the address; rollback' '
	$HW --root "$R" --apply "$T/dnsbl.conf" > "$T/step.out" 2>&1 &&
	grep -qx "0 \*/12 \* \* \* root /usr/sbin/hardenwiz --check-dnsbl --zones zen.spamhaus.org,bl.spamcop.net 203.0.113.10 --syslog >/dev/null" "$R/etc/cron.d/hardenwiz-dnsbl" &&
	$HW --root "$R" --audit --only dnsbl | grep -q "^dnsbl  *ok" &&
	$HW --root "$R" --apply "$T/dnsbl.conf" | grep -q "^# nothing to change" &&
	$HW --root "$R" --rollback 2>/dev/null &&
	snapshot "$R" | diff - "$T/pristine" &&
	$HW --root "$R" --audit --only dnsbl | grep -q "blocklist check: none -> every 6 hours"
'

test_expect_success 'step, systemd: a timer every 12 h and its service' '
	mkdir -p "$R/usr/lib/systemd" && : > "$R/usr/lib/systemd/systemd" &&
	$HW --root "$R" --apply "$T/dnsbl.conf" > "$T/sd.out" 2>&1 &&
	grep -qx "ExecStart=/usr/sbin/hardenwiz --check-dnsbl --zones zen.spamhaus.org,bl.spamcop.net 203.0.113.10" "$R/etc/systemd/system/hardenwiz-dnsbl.service" &&
	grep -qx "OnUnitActiveSec=43200s" "$R/etc/systemd/system/hardenwiz-dnsbl.timer" &&
	grep -q "skipped (offline root): systemctl enable --now hardenwiz-dnsbl.timer" "$T/sd.out" &&
	$HW --root "$R" --rollback 2>/dev/null &&
	test ! -e "$R/etc/systemd/system/hardenwiz-dnsbl.timer"
'

test_expect_success 'step: a server or address that is not an IP is refused before anything changes (exit 2)' '
	printf "[dnsbl]\nserver = dns.example\n" > "$T/bad-server.conf" && chmod 600 "$T/bad-server.conf" &&
	test_expect_code 2 $HW --root "$R" --apply "$T/bad-server.conf" 2> "$T/bs.err" &&
	grep -q "\[dnsbl\] server: .dns.example. is not an IP address" "$T/bs.err" &&
	printf "[dnsbl]\naddresses = 203.0.113.300\n" > "$T/bad-addr.conf" && chmod 600 "$T/bad-addr.conf" &&
	test_expect_code 2 $HW --root "$R" --apply "$T/bad-addr.conf" 2> "$T/ba.err" &&
	grep -q "is not an IP address" "$T/ba.err"
'

if command -v tmux >/dev/null; then
start
# The root has systemd since the step test above: a timer.
test_expect_success 'wizard: the blocklist form and its preview (a timer every 6 hours)' '
	wait_for "Blocklist check" &&
	wz_pick "Blocklist check" &&
	wait_for "Blocklists" &&
	wait_for "Addresses to check" &&
	wait_for "DNS server to ask" &&
	wait_for "Check every" &&
	tm send-keys -t wz F12 &&
	wait_for "+ExecStart=/usr/sbin/hardenwiz --check-dnsbl" &&
	wait_for "+OnUnitActiveSec=21600s" &&
	wz_quit_from_preview &&
	test ! -e "$R/etc/systemd/system/hardenwiz-dnsbl.timer"
'
fi

test_done
