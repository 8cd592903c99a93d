#!/bin/bash
# t0135: --check-dns against a real authoritative DNS server (nsd) in a
# private network namespace. good.example.org publishes everything right
# (SPF with an include, a 2048-bit DKIM key as one record of several
# strings, DMARC, MX, and the PTR of 81.2.69.10 naming the server);
# bad.example.org has two SPF records, a DKIM key split into two records,
# DMARC without p= and no MX; many.example.org's SPF costs 12 lookups.
# 81.2.69.11 has no PTR; 81.2.69.12's PTR names a host without an A.
. "$(dirname "$0")/lib.sh"
need_root
command -v nsd >/dev/null || skip_all "needs nsd (make deps-test)"

KEY=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwji/Nk5Jn1y6XszumMbrJVjwVOJBsk0UHVa/r6aemt/OmRNvW7hUhoQPJU1LQgaLfWYqmOqtotY6/lByCtegIw4T+Qwd552Ik708Li6nyesGKlYVT2CcKg524zoF88cSY++V+YEVqTz6G9M7MMu8L8W9aJvtQSqYQoTSZNWsiPqMQjlqHc/A6zfna9ONmpBj8jV949QN5/VBBpTB6xxCoTVgrkDAZfF7teyWFfg7yQEX1tvmVtE/UKiwlTvF3eGIc1wjj1qnRGPix4a9VXzOrImv7gxZQFcwdAfBldjKfEqP3SXh6Yl5P86kofb/blW4Xss+LTFReChUI3c2Ep2vPwIDAQAB
N=$T/ns
mkdir -p "$N"
{
	soa good.example.org 10.53.0.1
	printf '@ IN TXT "v=spf1 ip4:81.2.69.10 include:_spf.relay.example.net ~all"\n'
	printf '@ IN MX 10 mail\nmail IN A 81.2.69.10\n'
	printf 'mail._domainkey IN TXT ( "v=DKIM1; k=rsa; " "p=%s" "%s" )\n' "${KEY:0:200}" "${KEY:200}"
	printf '_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@good.example.org"\n'
} > "$N/good.example.org.zone"
{
	soa relay.example.net 10.53.0.1
	printf '_spf IN TXT "v=spf1 ip4:198.51.100.0/24 -all"\n'
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		printf 'i%d IN TXT "v=spf1 -all"\n' "$i"
	done
} > "$N/relay.example.net.zone"
{
	soa bad.example.org 10.53.0.1
	printf '@ IN TXT "v=spf1 ip4:81.2.69.10 -all"\n@ IN TXT "v=spf1 a -all"\n'
	printf 'mail._domainkey IN TXT "v=DKIM1; k=rsa; p=%s"\n' "${KEY:0:200}"
	printf 'mail._domainkey IN TXT "%s"\n' "${KEY:200}"
	printf '_dmarc IN TXT "v=DMARC1; rua=mailto:dmarc@bad.example.org"\n'
} > "$N/bad.example.org.zone"
{
	soa many.example.org 10.53.0.1
	# Over 255 bytes: two strings of one record, joined without a space.
	printf '@ IN TXT ( "v=spf1 ip4:81.2.69.10'
	for i in 1 2 3 4 5 6; do printf ' include:i%d.relay.example.net' "$i"; done
	printf '" "'
	for i in 7 8 9 10 11; do printf ' include:i%d.relay.example.net' "$i"; done
	printf ' mx -all" )\n'
	printf '_dmarc IN TXT "p=none; v=DMARC1"\n'
} > "$N/many.example.org.zone"
{
	printf '$ORIGIN 69.2.81.in-addr.arpa.\n$TTL 60\n@ IN SOA ns.good.example.org. hostmaster.good.example.org. 1 3600 600 86400 60\n@ IN NS ns.good.example.org.\n'
	printf '10 IN PTR mail.good.example.org.\n12 IN PTR nope.good.example.org.\n'
} > "$N/69.2.81.in-addr.arpa.zone"
{
	soa void.example.org 10.53.0.1
	printf '@ IN TXT "v=spf1 ip4:81.2.69.10 a:gone1.void.example.org mx:gone2.void.example.org exists:gone3.void.example.org a:ns.void.example.org ~all"\n'
	printf '_dmarc IN TXT "p=quarantine; v=DMARC1"\n'
} > "$N/void.example.org.zone"
nsd_conf "$N" 10.53.0.1 good.example.org relay.example.net bad.example.org \
    many.example.org void.example.org 69.2.81.in-addr.arpa

R=$T/root
mkroot debian12 "$R"
with_postfix "$R"
postconf -c "$R/etc/postfix" -e mydomain=good.example.org myhostname=mail.good.example.org
ns_start

check() {	# check ARGS...: --check-dns through the test server
	in_ns "$HW" --root "$R" --check-dns --server 10.53.0.1 "$@"
}

test_expect_success 'namespace: nsd answers' '
	in_ns sh -ec "
		ip link set lo up
		ip addr add 10.53.0.1/32 dev lo
		nsd -c $N/nsd.conf
	" &&
	test_wait_until -t 10 test -s "$N/nsd.pid"
'

test_expect_success 'a domain published right: every record ok, exit 0 (domain and name from Postfix)' '
	check --selector mail 81.2.69.10 > "$T/good.out" &&
	grep -q "^Mail DNS records of good.example.org, asked through 10.53.0.1:" "$T/good.out" &&
	grep -q "^  SPF  *good.example.org  *ok$" "$T/good.out" &&
	grep -q "^  DKIM  *mail._domainkey.good.example.org  *ok$" "$T/good.out" &&
	grep -q "^  DMARC  *_dmarc.good.example.org  *ok$" "$T/good.out" &&
	grep -q "^  MX  *good.example.org  *ok$" "$T/good.out" &&
	grep -q "^  PTR  *10.69.2.81.in-addr.arpa  *ok$" "$T/good.out" &&
	grep -q "^All records are right.$" "$T/good.out"
'

test_expect_success 'two SPF records, a DKIM key in two records, DMARC without p=, no MX: each named, exit 1' '
	test_expect_code 1 check --domain bad.example.org --selector mail 81.2.69.10 > "$T/bad.out" &&
	grep -q "2 SPF records: receivers give a permerror (RFC 7208 4.5) even when they are alike" "$T/bad.out" &&
	grep -q "2 TXT records: a key split into records is no key" "$T/bad.out" &&
	grep -q "it has no p= (none, quarantine or reject)" "$T/bad.out" &&
	grep -q "^  MX  *bad.example.org  *MISSING$" "$T/bad.out"
'

test_expect_success 'SPF over 10 lookups through its includes; DMARC with v= not first' '
	test_expect_code 1 check --domain many.example.org 81.2.69.10 > "$T/many.out" &&
	grep -q "12 DNS lookups through its includes, more than 10" "$T/many.out" &&
	grep -q "it does not start with v=DMARC1" "$T/many.out"
'

test_expect_success 'SPF: three names that do not exist are three void lookups, a permerror' '
	test_expect_code 1 check --domain void.example.org 81.2.69.10 > "$T/void.out" &&
	grep -q "3 of its lookups find nothing (gone1.void.example.org gone2.void.example.org gone3.void.example.org), more than 2" "$T/void.out"
'

test_expect_success 'PTR: missing, not forward-confirmed, not the greeting name' '
	test_expect_code 1 check --selector mail 81.2.69.10 81.2.69.11 81.2.69.12 > "$T/ptr.out" &&
	grep -q "no PTR for 81.2.69.11: .*your provider.s panel.*to mail.good.example.org" "$T/ptr.out" &&
	grep -q "nope.good.example.org does not resolve back to 81.2.69.12" "$T/ptr.out" &&
	grep -q "this server.s address 81.2.69.11 is not in it: add ip4:81.2.69.11" "$T/ptr.out" &&
	postconf -c "$R/etc/postfix" -e myhostname=other.example.org &&
	test_expect_code 1 check --selector mail 81.2.69.10 > "$T/helo.out" &&
	grep -q "the PTR is mail.good.example.org but Postfix greets as other.example.org" "$T/helo.out" &&
	postconf -c "$R/etc/postfix" -e myhostname=mail.good.example.org
'

test_expect_success '--json: one entry per record, with its status and reason' '
	test_expect_code 1 check --json --domain bad.example.org --selector mail 81.2.69.10 > "$T/bad.json" &&
	python3 - "$T/bad.json" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["mode"] == "check-dns" and d["domain"] == "bad.example.org", d
	r = {x["record"]: x for x in d["records"]}
	assert r["SPF"]["status"] == "differs" and "permerror" in r["SPF"]["why"], r
	assert r["DKIM"]["status"] == "differs", r
	assert r["MX"]["status"] == "missing", r
	assert r["PTR"]["status"] == "matches", r
	assert d["problems"] == 4, d["problems"]
	EOF
'

test_expect_success '--dns-records: the published SPF merged (relay include added, never a second record), DMARC kept' '
	postconf -c "$R/etc/postfix" -e "relayhost=[smtp.sendgrid.net]:587" &&
	in_ns "$HW" --root "$R" --dns-records --server 10.53.0.1 81.2.69.10 > "$T/rec.out" &&
	postconf -c "$R/etc/postfix" -X relayhost &&
	grep -qx "good.example.org.	3600	IN	TXT	\"v=spf1 ip4:81.2.69.10 include:_spf.relay.example.net include:sendgrid.net ~all\"" "$T/rec.out" &&
	grep -q "REPLACE the SPF record published now with this one (merged)" "$T/rec.out" &&
	grep -qx "  _dmarc.good.example.org  *TXT   v=DMARC1; p=none; rua=mailto:dmarc@good.example.org" "$T/rec.out" &&
	grep -q "published already: kept" "$T/rec.out" &&
	grep -q "mail goes out through SendGrid" "$T/rec.out" &&
	grep -qx "  10.69.2.81.in-addr.arpa PTR mail.good.example.org." "$T/rec.out"
'

test_expect_success '--dns-records: a misordered DMARC record is to be replaced, not joined by a second' '
	in_ns "$HW" --root "$R" --dns-records --server 10.53.0.1 --domain void.example.org 81.2.69.10 > "$T/void-rec.out" &&
	grep -q "REPLACE the DMARC record published now (it does not start with v=DMARC1" "$T/void-rec.out"
'

# with_opendkim DOMAIN: OpenDKIM in the root signs DOMAIN with selector
# "mail", a new 2048-bit key in /etc/dkimkeys (a KeyTable, as Debian's).
with_opendkim() {
	mkdir -p "$R/etc/dkimkeys" &&
	openssl genrsa -out "$R/etc/dkimkeys/mail.private" 2048 2>/dev/null &&
	chmod 600 "$R/etc/dkimkeys/mail.private" &&
	printf 'Syslog yes\nKeyTable file:/etc/opendkim/key.table\nSigningTable refile:/etc/opendkim/signing.table\n' > "$R/etc/opendkim.conf" &&
	mkdir -p "$R/etc/opendkim" &&
	printf 'mail._domainkey.%s %s:mail:/etc/dkimkeys/mail.private\n' "$1" "$1" > "$R/etc/opendkim/key.table" &&
	printf '*@%s mail._domainkey.%s\n' "$1" "$1" > "$R/etc/opendkim/signing.table"
}

spf_value() {	# spf_value JSON: the panel value of the SPF record
	python3 - "$1" <<-\EOF
	import json, sys
	recs = json.load(open(sys.argv[1]))["records"]
	print([r["value"] for r in recs if r["value"].startswith("v=spf1")][0])
	EOF
}

# The zone-file lines, loaded by a real nsd as they are printed: a TXT
# value over 255 bytes goes in as strings of ONE record, which --check-dns
# then reads back whole.
test_expect_success '--dns-records: the zone-file lines load in nsd; --check-dns reads them back right' '
	ips="81.2.69.10 $(seq -f "81.2.70.%g" 1 20 | tr "\n" " ")" &&
	with_opendkim fresh.example.org &&
	postconf -c "$R/etc/postfix" -e mydomain=fresh.example.org myhostname=mail.fresh.example.org &&
	"$HW" --root "$R" --dns-records --json $ips > "$T/fresh.json" &&
	mkdir -p "$T/ns2" &&
	{ soa fresh.example.org 10.53.0.2 &&
	  python3 -c "
import json, sys
for r in json.load(open(sys.argv[1]))[\"records\"]:
    if not r[\"at_provider\"]:
        print(r[\"name\"] + \".\", \"IN\", r[\"type\"], r[\"zone\"])
" "$T/fresh.json"; } > "$T/ns2/fresh.example.org.zone" &&
	grep -q "^fresh.example.org. IN TXT ( \"v=spf1 " "$T/ns2/fresh.example.org.zone" &&
	nsd_conf "$T/ns2" 10.53.0.2 fresh.example.org &&
	in_ns sh -ec "ip addr add 10.53.0.2/32 dev lo; nsd -c $T/ns2/nsd.conf" &&
	test_wait_until -t 10 test -s "$T/ns2/nsd.pid" &&
	# Exit 1: the PTRs are set by the provider, not in this zone.
	test_expect_code 1 in_ns "$HW" --root "$R" --check-dns --server 10.53.0.2 $ips > "$T/fresh.check" &&
	grep -q "^  SPF  *fresh.example.org  *ok$" "$T/fresh.check" &&
	spf_value "$T/fresh.json" > "$T/fresh.spf" &&
	test "$(wc -c < "$T/fresh.spf")" -gt 256 &&
	! grep -q "\"" "$T/fresh.spf" &&
	grep -qF "published: $(cat "$T/fresh.spf")" "$T/fresh.check" &&
	grep -q "^  DKIM  *mail._domainkey.fresh.example.org  *ok$" "$T/fresh.check" &&
	grep -q "^mail._domainkey.fresh.example.org. IN TXT ( \"v=DKIM1; k=rsa; p=" "$T/ns2/fresh.example.org.zone" &&
	grep -q "^  DMARC  *_dmarc.fresh.example.org  *ok$" "$T/fresh.check" &&
	grep -q "^  MX  *fresh.example.org  *ok$" "$T/fresh.check"
'

test_expect_success 'DKIM: a published key that is not OpenDKIM'"'"'s is named; the private key is in no output' '
	with_opendkim good.example.org &&
	postconf -c "$R/etc/postfix" -e mydomain=good.example.org myhostname=mail.good.example.org &&
	test_expect_code 1 check 81.2.69.10 > "$T/mismatch.out" &&
	grep -q "^  DKIM  *mail._domainkey.good.example.org  *WRONG$" "$T/mismatch.out" &&
	grep -q "the published key is not the one OpenDKIM signs with: every signature fails" "$T/mismatch.out" &&
	in_ns "$HW" --root "$R" --dns-records --json --server 10.53.0.1 81.2.69.10 > "$T/mine.json" &&
	sed -n "2p;10p;20p" "$R/etc/dkimkeys/mail.private" > "$T/secret.lines" &&
	test "$(wc -l < "$T/secret.lines")" = 3 &&
	! grep -F -f "$T/secret.lines" "$T/mismatch.out" "$T/mine.json" "$T"/*.out "$T"/*.json "$T"/*.check
'

test_expect_success '--dns-records offline: nothing asked, the merge rule said; an unknown relay named' '
	postconf -c "$R/etc/postfix" -e "relayhost=[mail.smarthost.example]:587" &&
	"$HW" --root "$R" --dns-records 81.2.69.10 > "$T/off.out" &&
	postconf -c "$R/etc/postfix" -X relayhost &&
	grep -q "^note: offline: what the domain publishes now was not read (--server IP to read it); if it has an SPF record, REPLACE it" "$T/off.out" &&
	grep -q "^note: relayhost \[mail.smarthost.example\]:587 is not a relay service hardenwiz knows" "$T/off.out" &&
	"$HW" --root "$R" --dns-records > "$T/noip.out" &&
	grep -q "^note: no public address known: give the server.s addresses" "$T/noip.out" &&
	grep -q "^note: no SPF record for .* without this server.s address" "$T/noip.out" &&
	! grep -q "v=spf1" "$T/noip.out" &&
	test_expect_code 2 "$HW" --root "$R" --dns-records 81.2.69.300 2> "$T/badip.err" &&
	grep -q "81.2.69.300. is not an IP address" "$T/badip.err"
'

test_done
