#!/bin/sh
# make bench: time and memory of hardenwiz's runs, each printed beside its
# reference. First the targets of the "instant" wizard on the sample server
# (the demo's root), then the other figures: dry runs of the SSH recipe
# next to augtool doing the same edits, the firewall, mail-log, map and
# DNS paths. Median wall time and peak RSS over N runs.
# A benchmark, not a test: it prints numbers and judges nothing.
set -eu
hw=$(realpath "$1")
runs=${RUNS:-15}
src=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d /tmp/hardenwiz-bench.XXXXXX)
trap 'rm -rf "$root"' EXIT
cp -a "$src/tests/fixtures/debian12/." "$root/"
ssh-keygen -A -f "$root" >/dev/null
cat > "$root/ssh.conf" <<'EOR'
[ssh]
port = 2222
password_authentication = no
permit_root_login = prohibit-password
EOR
chmod 600 "$root/ssh.conf"
# The same edits for augtool, rendered by "save" with -n (new text goes
# to .augnew files in the scratch copy), as hardenwiz renders its diff.
cat > "$root/edits.aug" <<'EOA'
set /files/etc/ssh/sshd_config.d/00-hardenwiz.conf/Port 2222
set /files/etc/ssh/sshd_config.d/00-hardenwiz.conf/PasswordAuthentication no
set /files/etc/ssh/sshd_config.d/00-hardenwiz.conf/KbdInteractiveAuthentication no
set /files/etc/ssh/sshd_config.d/00-hardenwiz.conf/PermitRootLogin prohibit-password
save
EOA

# measure NAME CMD...: median ms and peak KB of RSS over $runs runs.
measure() {
	name=$1
	shift
	: > "$root/t"
	i=0
	while [ $i -lt "$runs" ]; do
		if ! /usr/bin/time -f '%e %M' -o "$root/one" "$@" \
		    >"$root/out" 2>&1; then
			echo "bench: $name failed: $*" >&2
			cat "$root/out" >&2
			exit 1
		fi
		cat "$root/one" >> "$root/t"
		i=$((i + 1))
	done
	sort -n "$root/t" | awk -v n="$name" -v r="$runs" -v ref="${ref:-}" '
		{ t[NR] = $1; if ($2 > m) m = $2 }
		END { ms = t[int((NR + 1) / 2)] * 1000
		    printf "%-44s %8.0f ms %8.1f MB  %s\n", n, ms, m / 1024,
		    ref != "" ? "reference: " ref : "(median of " r ", peak RSS)"
		    print ms > "/dev/stderr" }' 2> "$root/ms"
	last_ms=$(cat "$root/ms")
	ref=
}
# Milliseconds: the median wall time of the last measure.
last_ms=0

# map_root DIR LINES: a sender map of LINES entries in DIR (a root with
# Postfix), built with postmap; DIR/block.conf adds 10 senders to it and
# DIR/apply-block applies that to a fresh copy of the map each time.
map_root() {
	mkdir "$1/pfconf"
	printf 'myorigin = localhost\ncompatibility_level = 3.6\n' > "$1/pfconf/main.cf"
	touch -d '1 hour ago' "$1/pfconf/main.cf"
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
	    printf "sender%d@spam%d.example REJECT\n", i, i % 977 }' \
	    > "$1/map.pristine"
	cp "$1/map.pristine" "$1/etc/postfix/hardenwiz_senders"
	postmap -c "$1/pfconf" "hash:$1/etc/postfix/hardenwiz_senders"
	{
		echo "[postfix-blocklist]"
		printf "senders ="
		for i in 1 2 3 4 5 6 7 8 9 10; do printf " new%d@bad.example" $i; done
		echo
	} > "$1/block.conf"
	chmod 600 "$1/block.conf"
	cat > "$1/apply-block" <<EOS
#!/bin/sh
cp "$1/map.pristine" "$1/etc/postfix/hardenwiz_senders"
exec "$hw" --root "$1" --apply "$1/block.conf"
EOS
	chmod 755 "$1/apply-block"
}

# ---- the targets: the sample server, then paths that must stay linear ----
sample=$(mktemp -d /tmp/hardenwiz-bench-sample.XXXXXX)
trap 'rm -rf "$root" "$sample"' EXIT
sh "$src/scripts/sample-root.sh" "$sample"
cp "$root/ssh.conf" "$sample/.ssh.conf"
echo "hardenwiz bench: $(nproc) cores, $(uname -r), $runs runs each"
echo "Targets (median; reference beside each):"
RUNS=$runs python3 "$src/bench/menu.py" "$hw" "$sample"
ref="<= 100 ms"
measure "--audit, sample server (all steps)" "$hw" --root "$sample" --audit
ref="(the SSH ratio's base)"
measure "  augtool -A, Sshd lens, the same edits" \
    augtool -r "$sample" -A -n -f "$root/edits.aug" \
    -t "Sshd incl /etc/ssh/sshd_config" -t "Sshd incl /etc/ssh/sshd_config.d/*.conf"
aug_ms=$last_ms
find "$sample" -name '*.augnew' -delete
ref="<= 1.0 x augtool -A"
measure "SSH --dry-run with sshd -T, sample server" \
    "$hw" --root "$sample" --apply "$sample/.ssh.conf" --dry-run
awk -v a="$aug_ms" -v h="$last_ms" 'BEGIN { printf "%-44s %8.2f x  reference: <= 1.0 x\n", "  SSH --dry-run / augtool -A", h / a }'

# 10,000 comment lines above sshd's settings (a config pasted together).
big=$(mktemp -d /tmp/hardenwiz-bench-big.XXXXXX)
trap 'rm -rf "$root" "$sample" "$big"' EXIT
cp -a "$sample/." "$big/"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "# comment line %d\n", i }' \
    > "$big/sshd_config.head"
cat "$big/sshd_config.head" "$sample/etc/ssh/sshd_config" \
    > "$big/etc/ssh/sshd_config"
ref="<= 500 ms"
measure "SSH --dry-run, 10,000-line sshd_config" \
    "$hw" --root "$big" --apply "$sample/.ssh.conf" --dry-run
# 10,000 ufw rules (v4 and v6 twins), ufw enabled.
python3 - "$big/etc/ufw" <<'EOP'
import sys
for name, anyaddr, chain in (("user.rules", "0.0.0.0/0", "ufw-user-input"),
                             ("user6.rules", "::/0", "ufw6-user-input")):
    p = "%s/%s" % (sys.argv[1], name)
    text = open(p).read()
    rules = "".join("\n### tuple ### allow tcp %d %s any %s in\n"
                    "-A %s -p tcp --dport %d -j ACCEPT\n"
                    % (10000 + i, anyaddr, anyaddr, chain, 10000 + i)
                    for i in range(10000))
    open(p, "w").write(text.replace("### RULES ###\n", "### RULES ###\n" + rules, 1))
EOP
sed -i 's/^ENABLED=no/ENABLED=yes/' "$big/etc/ufw/ufw.conf"
ref="<= 300 ms"
measure "firewall --audit, 10,000 ufw rules" \
    "$hw" --root "$big" --audit --only firewall
# +10 senders to a 1,000,000-line access map (36 MB).
if command -v postmap >/dev/null; then
	map_root "$big" 1000000
	ref="<= 2000 ms, <= 50 MB"
	measure "blocklist +10 on 1,000,000 lines, --dry-run" \
	    "$hw" --root "$big" --apply "$big/block.conf" --dry-run
	ref="<= 2000 ms, <= 50 MB"
	measure "blocklist +10 on 1,000,000 lines, apply" "$big/apply-block"
fi
rm -rf "$big"

echo
echo "Other figures:"
echo "hardenwiz --dry-run includes the validation (sshd -T in a namespace);"
echo "augtool validates nothing. Target: 15x faster than the full load."
measure "hardenwiz --apply ssh.conf --dry-run" \
    "$hw" --root "$root" --apply "$root/ssh.conf" --dry-run
measure "augtool (default full load)" \
    augtool -r "$root" -n -f "$root/edits.aug"
measure "augtool -A (Sshd lens only)" \
    augtool -r "$root" -A -n -f "$root/edits.aug" \
    -t "Sshd incl /etc/ssh/sshd_config" -t "Sshd incl /etc/ssh/sshd_config.d/*.conf"

# The firewall step: ufw's rule stores read, before.rules edited through
# Augeas and checked with iptables-restore --test, /proc/net parsed.
if [ -d /etc/ufw ] && command -v iptables-restore >/dev/null; then
	mkdir -p "$root/usr/sbin" "$root/etc/default"
	cp -a /etc/ufw "$root/etc/ufw"
	cp /etc/default/ufw "$root/etc/default/ufw"
	: > "$root/usr/sbin/ufw"
	cp -a "$src/tests/fixtures/listening/proc" "$root/proc"
	cp "$src/recipes/examples/firewall.conf" "$src/recipes/examples/server.conf" "$root/"
	chmod 600 "$root/firewall.conf" "$root/server.conf"
	echo
	measure "hardenwiz --apply firewall.conf --dry-run" \
	    "$hw" --root "$root" --apply "$root/firewall.conf" --dry-run
	measure "hardenwiz --apply server.conf --dry-run" \
	    "$hw" --root "$root" --apply "$root/server.conf" --dry-run
	measure "hardenwiz --audit (firewall and ssh)" \
	    "$hw" --root "$root" --audit
fi

# --check-mail on a busy day: 100 000 messages over 24 hours (400 000
# lines, 5 000 still in flight), read for the last hour with the 24 hours
# before it as history. The log is streamed and queue ids are hashed.
mkdir -p "$root/ml/var/log"
python3 - "$root/ml/var/log/mail.log" <<'EOP'
import sys, time
n, now = 100000, time.time()
with open(sys.argv[1], "w") as f:
    for i in range(n):
        t = time.strftime("%b %d %H:%M:%S", time.localtime(now - 86400 + i * 86400 / n))
        q = "4Q%08X" % i
        f.write(f"{t} m postfix/submission/smtpd[9]: {q}: client=c[198.51.100.{i % 250}], sasl_method=PLAIN, sasl_username=user{i % 500}@example.org\n")
        f.write(f"{t} m postfix/qmgr[9]: {q}: from=<user{i % 500}@example.org>, size=900, nrcpt=1 (queue active)\n")
        f.write(f"{t} m postfix/smtp[9]: {q}: to=<r{i}@example.net>, relay=mx[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)\n")
        if i < n - 5000:
            f.write(f"{t} m postfix/qmgr[9]: {q}: removed\n")
EOP
echo
echo "--check-mail, a busy day's mail.log (400 000 lines): reference under 5000 ms"
measure "--check-mail --since 1h (24 h of history)" \
    sh -c '"$1" --root "$2" --check-mail --since 1h --json; [ $? -le 1 ]' sh \
    "$hw" "$root/ml"

# postfix-blocklist: 10 senders added to a 100,000-line map. The dry run
# plans and validates (the new entries are built with postmap in a stage
# and asked with postmap -q); the apply (offline root) also writes the map
# and its journal copy. Each apply run starts from the same map.
if command -v postmap >/dev/null; then
	cp -a "$src/tests/fixtures/postfix/etc/." "$root/etc/"
	map_root "$root" 100000
	# The aliases database, as newaliases leaves it (main.cf refers to it).
	postalias -c "$root/pfconf" "hash:$root/etc/aliases"
	echo
	measure "blocklist +10 on 100,000 lines, --dry-run" \
	    "$hw" --root "$root" --apply "$root/block.conf" --dry-run
	measure "blocklist +10 on 100,000 lines, apply" "$root/apply-block"
	# On a live root apply also runs postmap on the whole map; for scale,
	# Postfix's own tool alone (it fsyncs the database):
	measure "postmap alone, 100,000 lines (for scale)" \
	    postmap -c "$root/pfconf" "hash:$root/map.pristine"
fi

# postfix-relay: Augeas on sasl_passwd and main.cf, the staged postmap and
# every Postfix check (offline: no login test).
if command -v postmap >/dev/null; then
	echo secret > "$root/relay.secret"
	chmod 600 "$root/relay.secret"
	printf '[postfix-relay]\nhost = [smtp.example.net]:587\nuser = apikey\npassword_file = %s\n' \
	    "$root/relay.secret" > "$root/relay.conf"
	chmod 600 "$root/relay.conf"
	measure "postfix-relay --dry-run" \
	    "$hw" --root "$root" --apply "$root/relay.conf" --dry-run
fi

# fail2ban: the jail file through Augeas and fail2ban-client -t on a
# staged copy of /etc/fail2ban.
if [ -d /etc/fail2ban ] && command -v fail2ban-client >/dev/null; then
	cp -a /etc/fail2ban "$root/etc/fail2ban"
	cp "$src/recipes/examples/fail2ban.conf" "$root/f2b.conf"
	chmod 600 "$root/f2b.conf"
	measure "fail2ban --dry-run (fail2ban-client -t)" \
	    "$hw" --root "$root" --apply "$root/f2b.conf" --dry-run
fi

# --check-dnsbl: 10 lists (4 questions each per address, 40 in all) asked
# through a resolver 100 ms away (bench/dns-delay.py in front of nsd, in a
# private network namespace). Asked at once, the check costs about one
# round trip; one after another it would cost ten or more.
if command -v nsd >/dev/null && [ "$(id -u)" = 0 ]; then
	mkdir -p "$root/nsd"
	zones=
	conf="$root/nsd/nsd.conf"
	printf 'server:\n  ip-address: 10.53.0.1\n  username: ""\n  zonesdir: "%s"\n  pidfile: "%s/pid"\n  database: ""\n  xfrdfile: "%s/xfrd"\n  zonelistfile: "%s/zl"\n  logfile: "%s/log"\nremote-control:\n  control-enable: no\n' \
	    "$root/nsd" "$root/nsd" "$root/nsd" "$root/nsd" "$root/nsd" > "$conf"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		z=list$i.bench.example.org
		printf '$ORIGIN %s.\n$TTL 60\n@ IN SOA ns hostmaster 1 3600 600 86400 60\n@ IN NS ns\nns IN A 10.53.0.1\n2.0.0.127 IN A 127.0.0.2\n' \
		    "$z" > "$root/nsd/$z.zone"
		printf 'zone:\n  name: %s\n  zonefile: %s.zone\n' "$z" "$z" >> "$conf"
		zones=${zones:+$zones,}$z
	done
	# Its complaint when the namespace is killed below is no result.
	unshare -n -p -f --mount-proc sleep 600 2>/dev/null &
	holder=$!
	sleep 0.3
	ns=$(pgrep -P $holder)
	nsenter -t "$ns" -n sh -c 'ip link set lo up
		ip addr add 10.53.0.1/32 dev lo
		ip addr add 10.53.0.2/32 dev lo'
	nsenter -t "$ns" -n -p nsd -c "$conf"
	nsenter -t "$ns" -n -p python3 "$src/bench/dns-delay.py" 10.53.0.2 10.53.0.1 100 &
	sleep 0.5
	echo
	echo "--check-dnsbl, 10 lists, resolver 100 ms away: reference one round trip (100 ms + start-up); ten sequential rounds would be >= 1000 ms"
	measure "--check-dnsbl, 10 lists (40 questions)" \
	    nsenter -t "$ns" -n "$hw" --check-dnsbl --server 10.53.0.2 \
	    --zones "$zones" 203.0.113.5
	kill -9 "$ns" 2>/dev/null || :
	wait 2>/dev/null || :
fi

# A fleet run: the hardenwiz role against plain Ansible tasks.
/usr/bin/python3 "$src/bench/fleet.py" "$hw"
