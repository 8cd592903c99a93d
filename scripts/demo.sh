#!/bin/sh
# make demo: copy the bundled sample server (Debian 12 style) to a temp dir
# and open the wizard on it with --root. Nothing of this machine changes.
set -eu
hw=$(realpath "$1")
root=$(mktemp -d /tmp/hardenwiz-demo.XXXXXX)
sh "$(dirname "$0")/sample-root.sh" "$root"
echo "hardenwiz demo: a sample server is in $root"
echo "  (try: Firewall, pick ports to close, preview; SSH access, change"
echo "   the port, preview, apply; fail2ban and the Postfix steps, preview;"
echo "   then History and rollback)"
sleep 1
"$hw" --root "$root" || true
echo
echo "What the demo changed ($root):"
"$hw" --root "$root" --history
echo "Look around in $root; remove it with: rm -rf $root"
