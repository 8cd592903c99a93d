#!/bin/sh
# sample-root.sh DIR: the bundled sample server (Debian 12 style) in DIR,
# for make demo and make bench. Nothing of this machine changes.
set -eu
root=$1
fixtures=$(cd "$(dirname "$0")/.." && pwd)/tests/fixtures
cp -a "$fixtures/debian12/." "$root/"
# ufw installed but off, and a few services listening (sshd, the mail
# server, a database, a web server) for the firewall step to show.
cp -a "$fixtures/ufw-stock/." "$root/"
cp -a "$fixtures/listening/proc" "$root/proc"
# Postfix (Debian's "Internet Site" files) and fail2ban's stock files, when
# this machine has them, so that their steps have something to show.
if command -v postalias >/dev/null 2>&1; then
	cp -a "$fixtures/postfix/etc/." "$root/etc/"
	mkdir "$root/.postalias"
	echo "myorigin = localhost" > "$root/.postalias/main.cf"
	postalias -c "$root/.postalias" "hash:$root/etc/aliases"
	rm -rf "$root/.postalias"
fi
[ -d /etc/fail2ban ] && cp -a /etc/fail2ban "$root/etc/fail2ban"
find "$root" -name .keep -delete
chmod 0700 "$root/root" "$root/root/.ssh"
chmod 0600 "$root/root/.ssh/authorized_keys"
chmod 0640 "$root/etc/shadow"
# Host keys so that sshd -t can check the sample like a real server.
ssh-keygen -A -f "$root" >/dev/null 2>&1 || true
