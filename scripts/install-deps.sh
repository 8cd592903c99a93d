#!/bin/sh
# Install what hardenwiz needs to build ("build") or to run its tests
# ("test"), from Debian's packages. Safe to run again: only missing
# packages are installed. HW_DEPS_SIMULATE=1 asks apt what it would
# install and installs nothing (scripts/fresh-check.sh proves the test
# names resolve on each release that way).
#
# The sanitizer runtime is libclang-rt-dev, the unversioned package that
# follows the release's default clang (14 on Debian 12, 19 on Debian 13).
#
# RHEL/Rocky/Alma (dnf) names, for reference:
#   build: gcc cmake make pkgconf augeas-devel newt-devel slang-devel
#          jansson-devel ncurses-devel openssl-devel unbound-devel
#          systemd-devel gettext
#   test:  libcmocka-devel augeas openssh-server openssh-clients tmux
#          clang compiler-rt iproute util-linux sshpass firewalld
#          iptables-nft nftables dbus-daemon procps-ng postfix swaks
#          cyrus-sasl-plain dovecot python3-aiosmtpd python3-systemd nsd
#          opendkim opendkim-tools python3-dnf glibc-locale-source
#          opencc-tools
#          (ufw, fail2ban: EPEL; rspamd: rspamd.com's own repository)
set -eu

build="build-essential cmake pkg-config libaugeas-dev augeas-lenses
  libnewt-dev libslang2-dev libjansson-dev libncurses-dev libssl-dev
  libunbound-dev libsystemd-dev gettext"
test="$build libcmocka-dev augeas-tools openssh-server openssh-client tmux
  clang libclang-rt-dev iproute2 util-linux patch valgrind strace time
  python3 openssl ufw firewalld iptables nftables dbus-daemon procps
  postfix swaks libnet-ssleay-perl libsasl2-modules dovecot-core
  python3-aiosmtpd fail2ban python3-systemd debootstrap nsd opendkim
  opendkim-tools rspamd python3-dnf rpm createrepo-c locales opencc
  dpkg-dev debhelper lintian fakeroot man-db ansible-core sshpass elfutils"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ -n "${HW_DEPS_SIMULATE:-}" ]; then
	# shellcheck disable=SC2086
	apt-get install -s -qq --no-install-recommends $missing >/dev/null
	echo "install-deps: every package resolves:$missing"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Packages must not start daemons on the build machine (openssh-server,
# firewalld): the tests start their own, inside private namespaces.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
# Postfix without a main.cf: the tests bring their own configuration.
echo "postfix postfix/main_mailer_type select No configuration" |
    debconf-set-selections
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
