#!/bin/bash
# t0174: "upgrade now" on the RHEL family with the real dnf and rpm
# (Debian's dnf 4.14 is upstream's, as in Rocky and Alma 9) on a booted
# Debian root that says it is Rocky 9 (its os-release), against a local
# rpm repository the test builds (rpmbuild, createrepo_c): three packages
# in version 1 installed, version 2 in the repository. hwtest-conf's
# /etc/hwtest.conf, edited by the admin, must be kept (rpm writes the
# package's as .rpmnew); linux-firmware is a core package, so
# "dnf needs-restarting -r" asks for a reboot.
. "$(dirname "$0")/lib.sh"
command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null ||
	skip_all "needs rpmbuild and createrepo_c (make deps-test)"
S=$T/sys
sd_prepare t0174

# rpm_of NAME VERSION: a noarch package into $T/rpms/VERSION, owning
# /etc/NAME.conf as %config(noreplace) (rpm never asks about it).
rpm_of() {
	{
		printf "Name: %s\nVersion: %s\nRelease: 1\nSummary: hardenwiz test\nLicense: MIT\nBuildArch: noarch\n" "$1" "$2"
		printf "%%description\nA package for hardenwiz's tests.\n%%install\n"
		printf "mkdir -p %%{buildroot}/usr/share/%s %%{buildroot}/etc\n" "$1"
		printf "echo %s > %%{buildroot}/usr/share/%s/version\n" "$2" "$1"
		printf "echo version=%s > %%{buildroot}/etc/%s.conf\n" "$2" "$1"
		printf "%%files\n/usr/share/%s/version\n" "$1"
		printf "%%config(noreplace) /etc/%s.conf\n" "$1"
	} > "$T/$1.spec" &&
	rpmbuild -bb --define "_topdir $T/rpmbuild" --define "_binary_payload w2.gzdio" \
	    "$T/$1.spec" > "$T/rpmbuild.log" 2>&1 &&
	mkdir -p "$T/rpms/$2" &&
	mv "$T/rpmbuild/RPMS/noarch/$1-$2-1.noarch.rpm" "$T/rpms/$2/"
}

version_of() {	# version_of NAME: the installed version-release
	in_sd rpm -q --qf "%{VERSION}-%{RELEASE}" "$1"
}

recipe now.conf <<EOF
[updates]
now = yes
automatic = no
EOF

test_expect_success 'a Rocky-like root: dnf, version 1 of three packages installed from the repository' '
	for p in hwtest-dummy hwtest-conf linux-firmware; do
		rpm_of $p 1.0 && rpm_of $p 2.0 || return 1
	done &&
	sd_make_root "$S" dnf,dnf-plugins-core,rpm &&
	rm -f "$S/etc/os-release" &&
	cp "$FIXTURES/rocky9/etc/os-release" "$S/etc/os-release" &&
	printf "[main]\nenabled=0\n" > "$S/etc/dnf/plugins/local.conf" &&
	mkdir -p "$S/srv/rpmrepo" "$S/etc/yum.repos.d" &&
	cp "$T"/rpms/1.0/*.rpm "$S/srv/rpmrepo/" &&
	createrepo_c -q "$S/srv/rpmrepo" &&
	printf "[hwtest]\nname=hwtest\nbaseurl=file:///srv/rpmrepo\ngpgcheck=0\nmetadata_expire=0\n" \
	    > "$S/etc/yum.repos.d/hwtest.repo" &&
	cp "$T/now.conf" "$S/root/now.conf" &&
	boot &&
	in_sd dnf -y -q install hwtest-dummy hwtest-conf linux-firmware > /dev/null &&
	test "$(version_of hwtest-dummy)" = 1.0-1 &&
	echo "edited=by the admin" >> "$S/etc/hwtest-conf.conf" &&
	cp "$T"/rpms/2.0/*.rpm "$S/srv/rpmrepo/" &&
	createrepo_c -q --update "$S/srv/rpmrepo"
'

test_expect_success 'dry run: the upgrades dnf sees in its cache, nothing upgraded' '
	in_sd dnf -q makecache > /dev/null &&
	in_sd hardenwiz --apply /root/now.conf --dry-run > "$T/dry.out" 2>&1 &&
	grep -q "^# upgrade now: dnf makecache, then dnf upgrade of 3 packages" "$T/dry.out" &&
	grep -q "^#   hwtest-conf 1.0-1 -> 2.0-1$" "$T/dry.out" &&
	grep -q "^#   linux-firmware 1.0-1 -> 2.0-1$" "$T/dry.out" &&
	test "$(version_of hwtest-dummy)" = 1.0-1
'

hold_lock() {	# a process dnf waits for, 6 s (it names it)
	in_sd sh -c "sleep 6 & echo \$! > /var/lib/dnf/rpmdb_lock.pid"
}

test_expect_success 'apply: waits for the dnf that holds the lock, upgrades all, keeps the admin'"'"'s file, asks for a reboot' '
	hold_lock &&
	in_sd hardenwiz --apply /root/now.conf > "$T/now.out" 2> "$T/now.err" &&
	grep -q "waiting for the package manager (Waiting for process with pid" "$T/now.err" &&
	test "$(version_of hwtest-dummy)" = 2.0-1 &&
	test "$(version_of hwtest-conf)" = 2.0-1 &&
	grep -q "^# upgraded 3 packages:$" "$T/now.out" &&
	grep -q "^#   hwtest-dummy 1.0-1 -> 2.0-1$" "$T/now.out" &&
	grep -qx "edited=by the admin" "$S/etc/hwtest-conf.conf" &&
	grep -qx "version=2.0" "$S/etc/hwtest-conf.conf.rpmnew" &&
	grep -q "^# your configuration file was kept; the package.s new version is /etc/hwtest-conf.conf.rpmnew$" "$T/now.out" &&
	grep -q "^# a reboot is needed (linux-firmware" "$T/now.out"
'

test_expect_success 'a second run: nothing to upgrade (JSON before)' '
	in_sd hardenwiz --apply /root/now.conf --json > "$T/now.json" 2> /dev/null &&
	python3 - "$T/now.json" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert "upgraded: nothing to upgrade" in d["before"], d["before"]
	EOF
'

test_done
