#!/bin/bash
# t0200: hardenwiz installed as an admin installs tools. make install and
# make uninstall with PREFIX and DESTDIR; the bash completion; the Debian
# package builds with dpkg-buildpackage, is lintian-clean, installs with
# apt into a fresh Debian root that has only the package's Depends, runs
# there (--version, --audit, --plain, Chinese, man -l, completion, an
# apply with a dead-man timer), and its purge leaves only the journal and
# what the transaction wrote; the RPM spec parses and builds.
#
# Each build here compiles the sources itself: $HW is used only for the
# completion test, so under ASan the package tests prove nothing more and
# are skipped there.
. "$(dirname "$0")/lib.sh"
need_root
for tool in dpkg-buildpackage dh lintian rpmspec rpmbuild debootstrap; do
	command -v "$tool" >/dev/null ||
		skip_all "needs $tool (make deps-test)"
done
sd_prepare pkg

asan=false
ldd "$HW" | grep -q libasan && asan=true

# complete WORD...: what the completion offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
	    _hardenwiz; printf "%s\n" "${COMPREPLY[@]}"' sh \
	    "$HW_SRCDIR/tui/hardenwiz.bash" "$@"
}

test_expect_success 'bash completion: options, --only step ids, --rollback ids' '
	test "$(complete_words "$HW" --dry)" = --dry-run &&
	complete_words "$HW" --only "" > "$T/steps" &&
	test "$(wc -l < "$T/steps")" = "$("$HW" --list-steps | wc -l)" &&
	grep -qx firewall "$T/steps" && grep -qx postfix-relay "$T/steps" &&
	test "$(complete_words "$HW" --only ssh,fire)" = ssh,firewall &&
	R=$T/hist && mkroot debian12 "$R" &&
	recipe port.conf <<-EOF2 &&
	[ssh]
	port = 2222
	EOF2
	$HW --root "$R" --apply "$T/port.conf" > /dev/null &&
	id=$($HW --root "$R" --history --json |
	    python3 -c "import json,sys; print(json.load(sys.stdin)[\"transactions\"][0][\"id\"])") &&
	test "$(complete_words "$HW" --root "$R" --rollback "")" = "$id" &&
	complete_words "$HW" --root "$T" --rollback "" > "$T/none" &&
	grep -qx -- --force "$T/none" && ! grep -q "^[0-9]" "$T/none"
'

if $asan; then
	test_done
fi

test_expect_success 'make install PREFIX=/usr DESTDIR=...; make uninstall removes it all' '
	copy_sources "$T/src" &&
	make -C "$T/src" install INSTALL_BUILD="$T/ib" PREFIX=/usr \
	    DESTDIR="$T/dest" > "$T/install.log" 2>&1 &&
	for f in sbin/hardenwiz share/man/man8/hardenwiz.8 \
	    share/man/man5/recipe.conf.5 \
	    share/locale/zh_CN/LC_MESSAGES/hardenwiz.mo \
	    share/locale/zh_TW/LC_MESSAGES/hardenwiz.mo \
	    share/bash-completion/completions/hardenwiz \
	    share/doc/hardenwiz/examples/server.conf; do
		test -s "$T/dest/usr/$f" || { echo "missing /usr/$f"; exit 1; }
	done &&
	test "$("$T/dest/usr/sbin/hardenwiz" --version)" = "hardenwiz $HW_VERSION" &&
	tr "\\0" "\\n" < "$T/dest/usr/sbin/hardenwiz" | grep -qx /usr/share/locale &&
	! test -e "$T/ib/tests" &&
	make -C "$T/src" uninstall INSTALL_BUILD="$T/ib" DESTDIR="$T/dest" \
	    > "$T/uninstall.log" &&
	test -z "$(find "$T/dest" -type f)" &&
	! test -e "$T/dest/usr/share/doc/hardenwiz"
'

test_expect_success 'the Debian package builds and lintian finds nothing' '
	build_deb "$T/pkg" &&
	dpkg-deb -f "$T/pkg/hardenwiz_${HW_VERSION}_amd64.deb" Depends > "$T/depends" &&
	lintian --fail-on error,warning "$T/pkg/hardenwiz_${HW_VERSION}_amd64.changes" \
	    > "$T/lintian.out" 2>&1 &&
	! grep -q "^[EW]:" "$T/lintian.out" &&
	grep -q "libaugeas0" "$T/depends" && grep -q "augeas-lenses" "$T/depends" &&
	! grep -q "postfix\|fail2ban\|ufw" "$T/depends"
'

# The fresh root: debootstrap's minimal Debian, the package's Depends (their
# names, first of each alternative), and what an admin's server has: systemd,
# sshd, man.
deb=$T/pkg/hardenwiz_${HW_VERSION}_amd64.deb
S=$T/root
test_expect_success 'apt installs the package in a fresh root with only its Depends' '
	deps=$(sed "s/([^)]*)//g; s/|[^,]*//g; s/ //g" "$T/depends") &&
	sd_root "$S" "$deps,systemd,systemd-sysv,dbus,openssh-server,man-db" &&
	cp "$deb" "$S/root/" &&
	printf "[ssh]\nport = 2222\nconfirm_timeout = 300\n" > "$S/root/port.conf" &&
	chmod 600 "$S/root/port.conf" &&
	boot &&
	(cd "$S" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev \
	    -o -path ./run -o -path ./tmp -o -path ./var/log -o -path ./var/cache \
	    -o -path ./var/lib/dpkg -o -path ./var/lib/apt \
	    -o -path ./var/lib/systemd \) -prune -o -print | sort) > "$T/before" &&
	in_sd apt-get install -y "/root/$(basename "$deb")" > "$T/apt.log" 2>&1 &&
	in_sd dpkg -L hardenwiz > "$T/files" &&
	grep -qx /usr/sbin/hardenwiz "$T/files"
'

test_expect_success 'installed: --version, --audit, --plain, Chinese, man -l, completion' '
	test "$(in_sd hardenwiz --version)" = "hardenwiz $HW_VERSION" &&
	in_sd hardenwiz --audit > "$T/audit.out" &&
	grep -q "^ssh  *needs-change" "$T/audit.out" &&
	printf "quit\n" | in_sd hardenwiz --plain > "$T/plain.out" &&
	grep -q "SSH access" "$T/plain.out" &&
	in_sd env LANG=zh_CN.UTF-8 hardenwiz --list-steps | grep -q "防火墙" &&
	in_sd env LANG=zh_TW.UTF-8 hardenwiz --list-steps | grep -q "防火牆" &&
	in_sd env MANWIDTH=80 man -l /usr/share/man/man8/hardenwiz.8.gz > "$T/man8" 2>"$T/man.err" &&
	grep -q "hardenwiz --apply" "$T/man8" &&
	in_sd env MANWIDTH=80 man -l /usr/share/man/man5/recipe.conf.5.gz > "$T/man5" 2>>"$T/man.err" &&
	grep -q "confirm_timeout" "$T/man5" &&
	test ! -s "$T/man.err" &&
	in_sd bash -c ". /usr/share/bash-completion/completions/hardenwiz;
	    COMP_WORDS=(hardenwiz --only fire); COMP_CWORD=2; _hardenwiz;
	    echo \${COMPREPLY[*]}" > "$T/compl" &&
	test "$(cat "$T/compl")" = firewall
'

# The dead-man timer installs hardenwiz's boot check outside any transaction:
# the package's postrm removes it with the program it runs.
test_expect_success 'installed: an apply works; purge leaves only the journal and the change' '
	in_sd hardenwiz --apply /root/port.conf > "$T/apply.out" 2>&1 &&
	in_sd sshd -T | grep -qx "port 2222" &&
	in_sd hardenwiz --confirm > "$T/confirm.out" 2>&1 &&
	test -f "$S/etc/systemd/system/hardenwiz-expired.service" &&
	in_sd apt-get purge -y hardenwiz > "$T/purge.log" 2>&1 &&
	while read -r f; do
		test -d "$S$f" || ! test -e "$S$f" || { echo "left: $f"; exit 1; }
	done < "$T/files" &&
	(cd "$S" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev \
	    -o -path ./run -o -path ./tmp -o -path ./var/log -o -path ./var/cache \
	    -o -path ./var/lib/dpkg -o -path ./var/lib/apt \
	    -o -path ./var/lib/systemd \) -prune -o -print | sort) > "$T/after" &&
	comm -13 "$T/before" "$T/after" > "$T/new" &&
	grep -qx "./var/lib/hardenwiz/journal" "$T/new" &&
	grep -qx "./etc/ssh/sshd_config.d/00-hardenwiz.conf" "$T/new" &&
	! grep -v "^./var/lib/hardenwiz\|^./etc/ssh/sshd_config.d/00-hardenwiz.conf$" "$T/new"
'

test_expect_success 'the RPM spec parses and builds' '
	rpmspec -P "$HW_SRCDIR/rpm/hardenwiz.spec" > "$T/spec" &&
	grep -q "^Version: *$HW_VERSION$" "$T/spec" &&
	grep -q "^Requires: *augeas-libs$" "$T/spec" &&
	grep -q "^BuildRequires: *augeas-devel$" "$T/spec" &&
	copy_sources "$T/rpm/hardenwiz-$HW_VERSION" &&
	tar -C "$T/rpm" -czf "$T/rpm/hardenwiz-$HW_VERSION.tar.gz" "hardenwiz-$HW_VERSION" &&
	rpmbuild -tb --nodeps --define "_topdir $T/rpm/top" \
	    "$T/rpm/hardenwiz-$HW_VERSION.tar.gz" > "$T/rpm.log" 2>&1 &&
	rpm -qlp "$T/rpm/top/RPMS/x86_64/hardenwiz-$HW_VERSION-1.x86_64.rpm" > "$T/rpm.files" &&
	grep -qx /usr/sbin/hardenwiz "$T/rpm.files" &&
	grep -qx /usr/share/locale/zh_CN/LC_MESSAGES/hardenwiz.mo "$T/rpm.files" &&
	grep -qx /usr/share/bash-completion/completions/hardenwiz "$T/rpm.files"
'

test_done
