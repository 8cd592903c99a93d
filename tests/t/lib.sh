# lib.sh -- shared by the tests/t/t*.sh scripts (after git's test-lib):
# test_expect_success NAME 'commands', fixture roots in a private temp dir,
# sshd -T on a root inside a private mount namespace, and cleanup of every
# directory, mount and process on exit, also on failure.
set -u

HW=${HW:?set HW to the hardenwiz binary}
# The tests read English unless they ask for a language (t0190): the
# developer's own LANGUAGE or LC_ALL must not translate what they grep.
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C.UTF-8
SRC=${HW_SRCDIR:?set HW_SRCDIR to the source tree}
FIXTURES=$SRC/tests/fixtures
# Under ASan: leaks that are libnewt's own are named in tests/lsan.supp.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$SRC/tests/lsan.supp"
T=$(mktemp -d /tmp/hwt.XXXXXX)
chmod 755 "$T"
passed=0
failed=0
cleanup_cmds=

# Every wizard's tmux server under $T (started in any test body).
tmux_kill_all() {
	for s in "$T"/tmux.*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	return 0
}

# HW_KEEP=1 keeps $T after the run, for a look at what a test left.
at_exit() {
	tmux_kill_all
	# Commands registered by the test, last first.
	eval "$cleanup_cmds"
	if [ -n "${HW_KEEP:-}" ]; then say "kept: $T"; else rm -rf "$T"; fi
}
trap at_exit EXIT
trap 'exit 130' INT TERM

on_exit() {
	cleanup_cmds="$1; $cleanup_cmds"
}

say() {
	printf '%s\n' "$*" >&2
}

# ---- the harness (the idea of git's t/test-lib.sh, written anew) ----
# A body is one && chain: its status is its last command's, and a command
# that is not chained could fail unseen (bash ignores "set -e" inside &&
# lists and conditions, so it is not used). chainlint.awk refuses a body
# with an unchained line before it runs; inside a loop the last command
# ends in "|| return 1". Bodies run in a subshell, in a function, so that
# "return 1" works and nothing they set leaks into the next test.

# test_lint_chain BODY: the faults of BODY's && chain, exit 1 if any.
test_lint_chain() {
	printf '%s\n' "$1" | awk -f "$SRC/tests/t/chainlint.awk"
}

test_run_body_() {
	[ -z "${HW_TRACE:-}" ] || set -x
	eval "$1"
}

test_expect_success() {
	name=$1
	if ! test_lint_chain "$2" > "$T/out.log" 2>&1; then
		failed=$((failed + 1))
		say "not ok - $name (broken && chain)"
		sed 's/^/#   /' "$T/out.log" >&2
		return 0
	fi
	# A plain statement, not an if condition: see above.
	# fd 3: the helpers' own messages reach the log even when the
	# command they run has its output redirected.
	# A body appends figures worth keeping to "$T/notes": printed as
	# comments after its "ok".
	: > "$T/notes"
	(test_run_body_ "$2") >"$T/out.log" 2>&1 3>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		say "ok - $name"
		sed 's/^/# /' "$T/notes" >&2
	else
		failed=$((failed + 1))
		say "not ok - $name (exit $rc)"
		sed 's/^/#   /' "$T/out.log" >&2
	fi
}

# test_expect_code CODE CMD [ARG ...]: CMD exits with CODE exactly.
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	[ "$got" = "$want" ] && return 0
	echo "test_expect_code: '$*' exited $got, wanted $want" >&3
	return 1
}

# test_wait_until [-t SECONDS] CMD [ARG ...]: poll CMD every 0.1 s until it
# succeeds; fail after SECONDS (default 10) saying what never happened.
test_wait_until() {
	limit=10
	if [ "$1" = -t ]; then
		limit=$2
		shift 2
	fi
	end=$(( $(date +%s) + limit ))
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.1
	done
	echo "test_wait_until: '$*' did not succeed in $limit s" >&3
	return 1
}

test_done() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

skip_all() {
	echo "skipped: $*"
	exit 77
}

need_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root for namespaces"
}

# mkroot NAME DEST: a writable copy of a fixture, with the modes git does
# not keep, and real host keys (ssh-keygen -A -f).
mkroot() {
	rm -rf "$2"
	cp -a "$FIXTURES/$1" "$2"
	find "$2" -name .keep -delete
	chmod 0700 "$2/root" "$2/root/.ssh"
	chmod 0600 "$2/root/.ssh/authorized_keys"
	chmod 0640 "$2/etc/shadow"
	mkdir -p "$2/etc/ssh/sshd_config.d"
	ssh-keygen -A -f "$2" >/dev/null
}

# A stable listing of a tree (content hash, mode, owner) without the journal.
snapshot() {
	(cd "$1" && find . -path ./var/lib/hardenwiz -prune -o -print |
	    LC_ALL=C sort | while read -r f; do
		if [ -L "$f" ]; then
			echo "$f -> $(readlink "$f")"
		elif [ -f "$f" ]; then
			echo "$f $(stat -c '%a %u %g' "$f") $(sha256sum < "$f" | cut -c1-16)"
		else
			echo "$f $(stat -c '%a %u %g' "$f")"
		fi
	done)
}

# sshd -T for ROOT's /etc/ssh, as the real sshd sees it.
sshd_T() {
	unshare -m sh -c '
		mount --make-rprivate / &&
		mount --bind "$1/etc/ssh" /etc/ssh &&
		mount -t tmpfs tmpfs /run && mkdir /run/sshd &&
		exec /usr/sbin/sshd -T' sh "$1"
}

# expect_T ROOT KEY VALUE: sshd -T reports exactly that.
expect_T() {
	got=$(sshd_T "$1" | awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print }' | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" != "$3" ]; then
		say "sshd -T: $2 is '$got', wanted '$3'"
		return 1
	fi
}

recipe() {
	cat > "$T/$1"
	chmod 600 "$T/$1"
}

# joined FILE: a trace of strace -f -o FILE with each call on one line.
# When another process's call comes between the start and the end of one,
# strace writes it in two lines, "PID call(args <unfinished ...>" and later
# "PID <... call resumed>) = N" (padded to a column), the more often the
# busier the machine: a grep for "call(args) = N" then fails under load.
# Each end is put back on the line its call began on, where it was traced.
joined() {
	awk '
		{ line[NR] = $0 }
		/ <unfinished \.\.\.>$/ {
			sub(/ <unfinished \.\.\.>$/, "", line[NR])
			open[$1] = NR
			next
		}
		/^[0-9]+ +<\.\.\. [^ ]+ resumed>/ && ($1 in open) {
			rest = $0
			sub(/^[0-9]+ +<\.\.\. [^ ]+ resumed>/, "", rest)
			sub(/^\) +=/, ") =", rest)
			line[open[$1]] = line[open[$1]] rest
			delete open[$1]
			delete line[NR]
		}
		END { for (i = 1; i <= NR; i++) if (i in line) print line[i] }
	' "$1" > "$1.joined" && mv "$1.joined" "$1"
}

# ---- kill -9 at every write (t0110, t0030) ----
# HW_PREFIX, when set, runs strace and hardenwiz through it (in_ns).
# LeakSanitizer cannot run under ptrace: under strace, an ASan build of
# hardenwiz runs without it (the rest of the suite still checks leaks).
TRACED="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# The writes killed at: every rename (each file and journal write), and
# every unlink and rmdir (a rollback removes what an apply created).
# strace counts each system call apart, so a kill point is a call and N.
WRITES="rename renameat renameat2 unlink unlinkat rmdir"

# points ROOT ARGS: the kill points, "CALL N" a line, of a run of
# hardenwiz in its own process (children, such as postconf, are not
# traced): each call on a path in ROOT (the tree and its journal; scratch
# copies elsewhere are not the tree).
points() {
	root=$1
	shift
	${HW_PREFIX:-} $TRACED strace -o "$T/count.trace" \
	    -e trace=$(echo $WRITES | tr " " ,) \
	    $HW --root "$root" "$@" >/dev/null 2>&1 &&
	awk -v root="${root%/}/" '
		match($0, /^[a-z0-9]+\(/) {
			call = substr($0, 1, RLENGTH - 1)
			n[call]++
			if (index($0, "(\"" root) && !index($0, "(\"/dev/shm/") &&
			    !index($0, "(\"/tmp/hardenwiz-"))
				print call, n[call]
		}' "$T/count.trace"
}

# killed CALL N ROOT ARGS: hardenwiz killed on entering its Nth CALL.
killed() {
	call=$1 n=$2 root=$3
	shift 3
	test_expect_code 137 ${HW_PREFIX:-} $TRACED strace -o /dev/null -e trace=$call \
	    -e inject=$call:signal=SIGKILL:when=$n $HW --root "$root" "$@"
}

# interrupted ROOT: the journal says a transaction stopped half way.
interrupted() {
	${HW_PREFIX:-} $HW --root "$1" --history --json |
	    grep -q "\"state\": *\"\(applying\|rolling-back\)\""
}

# state_of_last: the state of the newest transaction of the live system in
# the namespace.
state_of_last() {
	in_ns "$HW" --history --json | python3 -c \
	    'import json,sys; print(json.load(sys.stdin)["transactions"][-1]["state"])'
}

# pending_for: the last transaction is pending, its deadline about SECONDS
# away, and its dead-man watcher runs.
pending_for() {
	in_ns "$HW" --history --json | python3 -c "
import json, sys, time
t = json.load(sys.stdin)[\"transactions\"][-1]
assert t[\"state\"] == \"pending\", t
left = t[\"confirm_deadline\"] - time.time()
assert $1 - 30 < left <= $1, left
" &&
	in_ns pgrep -f -- "--rollback-unconfirmed" >/dev/null
}

# child_of PID: the pid of PID's child, once it has one (5 s at most):
# the init of namespaces that "unshare --fork" (PID) made.
child_of() {
	for _ in $(seq 50); do
		pgrep -P "$1" && return 0
		sleep 0.1
	done
	return 1
}

# ns_start: private network, mount and pid namespaces held open by a
# sleeping init; in_ns runs a command inside. Killing the init on exit ends
# every process started in there, and its mounts go with it.
ns_start() {
	command -v unshare >/dev/null && command -v nsenter >/dev/null ||
		skip_all "needs unshare and nsenter (util-linux)"
	unshare --net --mount --pid --fork --mount-proc --propagation private \
	    sleep 3600 2>/dev/null &
	UPID=$!
	NSPID=$(child_of "$UPID") ||
		{ kill "$UPID"; echo "namespace did not start"; exit 1; }
	on_exit "kill -9 $NSPID 2>/dev/null; wait $UPID 2>/dev/null"
}

in_ns() {
	nsenter -t "$NSPID" -m -n -p -- "$@"
}

# ns_veth: inside the namespace, a second network namespace "far" joined
# by a veth pair: near 10.99.0.1, far 10.99.0.2. far CMD runs in it.
ns_veth() {
	veth_far in_ns
}

# veth_far IN: the same inside the namespaces IN (in_ns, in_sd) enters.
veth_far() {
	"$1" sh -ec "
		ip netns add far
		ip link add veth0 type veth peer name veth1
		ip link set veth1 netns far
		ip addr add 10.99.0.1/24 dev veth0 && ip link set veth0 up
		ip netns exec far ip addr add 10.99.0.2/24 dev veth1
		ip netns exec far ip link set veth1 up
		ip netns exec far ip link set lo up"
}

far() {
	in_ns ip netns exec far "$@"
}

# need_postfix: root, Postfix and swaks (the Postfix tests' client).
need_postfix() {
	need_root
	command -v postconf >/dev/null && command -v swaks >/dev/null ||
		skip_all "needs postfix and swaks (make deps-test)"
}

# postfix_conf [PARAM=VALUE ...]: a Postfix configuration for the namespace
# in $P: the package's own files (postfix-files ...) with Debian's main.cf
# and master.cf (fixtures/postfix), an explicit myorigin (this machine has
# no /etc/mailname), local mail discarded, then the given settings.
postfix_conf() {
	P=$T/postfix
	cp -a /etc/postfix "$P"
	cp "$FIXTURES/postfix/etc/postfix/main.cf" \
	    "$FIXTURES/postfix/etc/postfix/master.cf" "$P/"
	# Aliases of our own: a Postfix installed with "No configuration"
	# (install-deps.sh) has no /etc/aliases to mount over.
	printf 'postmaster: root\n' > "$T/aliases"
	postconf -c "$P" -e myorigin=mail.example.com local_transport=discard \
	    maillog_file="$T/maillog" maillog_file_prefixes="$T" \
	    alias_maps="hash:$T/aliases" alias_database="hash:$T/aliases" "$@"
	cp -a /var/spool/postfix "$T/spool"
}

# postfix_ns_start: Postfix from $P started inside the namespace (ns_start
# first) with $P over /etc/postfix, a private spool, /run and /var/lib on
# tmpfs; returns when port 25 answers on loopback.
postfix_ns_start() {
	in_ns sh -ec "
		ip link set lo up
		mount --bind $P /etc/postfix
		mount --bind $T/spool /var/spool/postfix
		mount -t tmpfs tmpfs /run
		mount -t tmpfs tmpfs /var/lib
		mkdir -m 755 /var/lib/postfix && chown postfix /var/lib/postfix
		newaliases
		postfix start
	" 2> "$T/postfix-start.err" || { cat "$T/postfix-start.err"; return 1; }
	test_wait_until port_open in_ns 127.0.0.1 25 ||
		{ echo "Postfix does not answer on 127.0.0.1:25"; return 1; }
}

# netprobe connect HOST PORT -> open|refused|unreachable|timeout;
# netprobe listen PORT.
NETPROBE="/usr/bin/python3 $SRC/tests/t/netprobe.py"

# port_open in_ns|far HOST PORT: a TCP connection from there succeeds.
port_open() {
	test "$("$1" $NETPROBE connect "$2" "$3")" = open
}

# with_ufw ROOT: ufw "installed" in ROOT, with this machine's stock files.
with_ufw() {
	mkdir -p "$1/usr/sbin" "$1/etc/default"
	cp -a /etc/ufw "$1/etc/ufw"
	cp /etc/default/ufw "$1/etc/default/ufw"
	: > "$1/usr/sbin/ufw"
}

# with_firewalld ROOT: firewalld "installed" and enabled at boot in ROOT.
with_firewalld() {
	mkdir -p "$1/usr/sbin" "$1/usr/lib" "$1/etc/systemd/system/multi-user.target.wants"
	cp -a /etc/firewalld "$1/etc/firewalld"
	cp -a /usr/lib/firewalld "$1/usr/lib/firewalld"
	: > "$1/usr/sbin/firewalld"
	ln -s /lib/systemd/system/firewalld.service \
	    "$1/etc/systemd/system/multi-user.target.wants/firewalld.service"
}

# with_postfix ROOT: Debian's Postfix configuration in ROOT (fixtures/postfix)
# with its aliases database built, as newaliases leaves it.
with_postfix() {
	cp -a "$FIXTURES/postfix/etc/." "$1/etc/"
	mkdir -p "$T/postalias.cf"
	echo "myorigin = localhost" > "$T/postalias.cf/main.cf"
	postalias -c "$T/postalias.cf" "hash:$1/etc/aliases"
}

# with_listeners ROOT: a /proc with listening sockets (fixtures/listening).
with_listeners() {
	cp -a "$FIXTURES/listening/proc" "$1/proc"
}

# ---- the wizard in tmux (send-keys, capture-pane) ----
# A fresh tmux server (own socket) for each start: reusing a socket right
# after kill-server races with the old server's exit. Bodies run in
# subshells, so the name is made unique without a counter.
SOCK=$T/tmux.none.sock
tm() {
	tmux -S "$SOCK" "$@"
}

# wait_for TEXT: poll the screen until TEXT shows (10 s at most).
on_screen() {
	tm capture-pane -p -t wz > "$T/screen" 2>/dev/null &&
	grep -qF -- "$1" "$T/screen"
}

# on_screen_re REGEX: a line of the screen matches REGEX (grep -E).
on_screen_re() {
	tm capture-pane -p -t wz > "$T/screen" 2>/dev/null &&
	grep -qE -- "$1" "$T/screen"
}

wait_for() {
	test_wait_until on_screen "$1" >/dev/null && return 0
	echo "never saw: $1"
	cat "$T/screen"
	return 1
}

# menu_rows LABEL: on the screen, the rows of the menu item starting with
# LABEL and of the highlighted item (newt draws it white on red), as
# "TARGET CURRENT"; nothing when LABEL is not there. The list is below the
# dialog's text, so the last row that starts with LABEL is the item.
menu_rows() {
	tm capture-pane -e -p -t wz 2>/dev/null | awk -v label="$1" '
		{
			sel = index($0, "\033[41m") > 0
			gsub(/\033\[[0-9;]*m/, "")
			# An item: the border, blanks, then its text.
			sub(/\342\224\202 +/, "\342\224\202 ")
			if (index($0, "\342\224\202 " label) > 0) { hits++; target = NR }
			if (sel && $0 ~ /\342\224\202 [^ ]/) cur = NR
		}
		END { if (hits && cur) print target, cur }'
}

highlighted() {
	set -- $(menu_rows "$1")
	[ $# = 2 ] && [ "$1" = "$2" ]
}

# wz_pick LABEL: choose the menu item whose text starts with LABEL (its
# name, in the language on screen), wherever the item is in the list:
# move the highlight there, wait until it is, press Enter. Adding a step
# shifts no test.
wz_pick() {
	test_wait_until menu_rows_ready "$1" || {
		echo "no menu item '$1' on the screen"
		cat "$T/screen"
		return 1
	}
	set -- "$1" $(menu_rows "$1")
	key=Down n=$(($2 - $3))
	if [ "$n" -lt 0 ]; then
		key=Up n=$((-n))
	fi
	while [ "$n" -gt 0 ]; do
		tm send-keys -t wz "$key"
		n=$((n - 1))
	done
	test_wait_until highlighted "$1" &&
	tm send-keys -t wz Enter
}

# box_whole TITLE: the window titled TITLE on the screen has its right
# border on every row (text flowed too wide pushes it out).
box_whole() {
	tm capture-pane -p -t wz > "$T/screen" &&
	python3 "$SRC/tests/t/screen.py" box "$1" "$T/screen"
}

# menu_columns: how many terminal columns the menu items' "[state]"
# start at (1 when they line up).
menu_columns() {
	tm capture-pane -p -t wz > "$T/screen" &&
	python3 "$SRC/tests/t/screen.py" columns "$T/screen"
}

menu_rows_ready() {
	tm capture-pane -p -t wz > "$T/screen" 2>/dev/null
	[ -n "$(menu_rows "$1")" ]
}

# wz_apply: from the diff viewer, apply and close the result.
wz_apply() {
	tm send-keys -t wz a &&
	wait_for "Apply these changes now?" &&
	tm send-keys -t wz Tab Enter &&
	# A live apply reloads daemons and checks them (Postfix: postmap,
	# reload, an SMTP session): far longer than a screen takes to draw
	# on a loaded machine.
	test_wait_until -t 60 on_screen "Applied as transaction" &&
	tm send-keys -t wz Enter
}

# wz_apply_pending SECONDS: from the diff viewer, apply on a live system;
# the wizard asks to keep the change, and the transaction is pending with
# its timer armed for SECONDS.
wz_apply_pending() {
	wz_apply &&
	wait_for "Keep the change?" &&
	wait_for "after $1 seconds" &&
	pending_for "$1"
}

# wz_quit: Quit from the menu, past the session's summary and the "save
# these answers" question (its default, No), out of the wizard (exit 0).
wz_quit() {
	wz_pick Quit &&
	test_wait_until wz_leaving &&
	wait_for "EXITED=0"
}

wz_leaving() {
	if on_screen "EXITED="; then
		return 0
	elif on_screen "┤ This session ├" || on_screen "┤ Save these answers ├"; then
		tm send-keys -t wz Enter
	fi
	return 1
}

# wz_quit_from_preview: from the diff viewer back to the form, the menu,
# and out of the wizard with exit 0.
wz_quit_from_preview() {
	tm send-keys -t wz q &&
	wait_for "<Preview changes>" &&
	tm send-keys -t wz Escape &&
	wait_for "History and rollback" &&
	wz_quit
}

# start ARGS: the wizard on $R (hardenwiz --root $R ARGS) in a new tmux
# session "wz"; on exit it prints EXITED=code and the terminal's modes.
# $WZ_PREFIX, when set, runs it through a command (nsenter ...); $WZ_ENV
# adds variables (LANG=zh_CN.UTF-8); $WZ_SIZE is COLSxROWS (100x30).
start() {
	tmux_kill_all
	SOCK=$T/tmux.$BASHPID.$(date +%s%N).sock
	size=${WZ_SIZE:-100x30}
	tm -u new-session -d -s wz -x "${size%x*}" -y "${size#*x}" \
	    "${WZ_PREFIX:-} env TERM=xterm-256color LANG=C.UTF-8 ${WZ_ENV:-} $HW --root $R $*; echo EXITED=\$?; stty -a | tr ' ' '\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '; echo; sleep 600"
}


# ---- a booted systemd host (t0120, t0125) ----
# A Debian root of this machine's release (debootstrap; the tarball cached
# in $HW_FRESH_CACHE per package list) boots systemd as PID 1 of private
# mount, pid, network and cgroup namespaces (pivot_root, never a chroot),
# in a cgroup of its own, so it never touches this machine's cgroups,
# network or /etc. $S is the root; in_sd runs a command in there.

# sd_prepare NAME: the test's cgroup and cleanup (call once, at top level).
sd_prepare() {
	need_root
	command -v debootstrap >/dev/null ||
		skip_all "needs debootstrap (make deps-test)"
	. /etc/os-release
	SUITE=$VERSION_CODENAME
	MIRROR=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' \
	    /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security |
	    head -n 1)
	MIRROR=${MIRROR:-http://deb.debian.org/debian}
	# systemd 256 and later (Debian 13) run on cgroup v2 only.
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		CG=/sys/fs/cgroup/hardenwiz-$1-$$
	else
		CG=/sys/fs/cgroup/unified/hardenwiz-$1-$$
	fi
	on_exit sd_cleanup
}

# The packages of the libraries $HW links (ASan's runtime in that build).
runtime_packages() {
	ldd "$HW" | awk '$3 ~ /^\// { print $3 }' | while read -r lib; do
		dpkg -S "$(readlink -f "$lib")" 2>/dev/null ||
		    dpkg -S "/usr$(readlink -f "$lib")" 2>/dev/null
	done | cut -d: -f1 | sort -u | tr '\n' ,
}

# sd_root DIR PKG,...: a minimal Debian root of this machine's release with
# the given packages, bootstrapped once per package list into a tarball in
# $HW_FRESH_CACHE and unpacked from it.
sd_root() {
	pkgs=$2
	cache=${HW_FRESH_CACHE:-/var/tmp/hardenwiz-fresh}
	tarball=$cache/$SUITE-systemd-$(echo "$pkgs" | sha256sum | cut -c1-12).tgz
	mkdir -p "$cache"
	# Tests run two at a time and share package lists: one makes the
	# tarball while the others wait for it.
	(
		flock 9 || exit 1
		[ -s "$tarball" ] && exit 0
		debootstrap --variant=minbase --include="$pkgs" \
		    --make-tarball="$tarball.new" "$SUITE" "$T/tarball" "$MIRROR" \
		    > "$T/debootstrap.log" 2>&1 &&
		mv "$tarball.new" "$tarball"
	) 9> "$cache/.lock" || { tail -5 "$T/debootstrap.log"; return 1; }
	debootstrap --variant=minbase --include="$pkgs" --unpack-tarball="$tarball" \
	    "$SUITE" "$1" "$MIRROR" > "$T/debootstrap.log" 2>&1 ||
	    { tail -5 "$T/debootstrap.log"; return 1; }
}

# sd_make_root DIR [PKG,...]: systemd, sshd, hardenwiz's libraries and the
# given packages; hardenwiz in /usr/local/sbin.
sd_make_root() {
	sd_root "$1" "$(runtime_packages)systemd,systemd-sysv,dbus,openssh-server,iproute2,augeas-lenses${2:+,$2}" &&
	install -m 755 "$HW" "$1/usr/local/sbin/hardenwiz"
}

# sd_mail_root DIR [PACKAGES]: sd_make_root with Postfix (Debian's main.cf and
# master.cf when the package, installed without debconf, left none),
# OpenDKIM, nsd and swaks: one cached tarball for the mail tests.
sd_mail_root() {	# sd_mail_root DIR [MORE,PACKAGES]
	sd_make_root "$1" postfix,opendkim,opendkim-tools,nsd,swaks${2:+,$2} &&
	if test ! -e "$1/etc/postfix/main.cf"; then
		cp "$FIXTURES/postfix/etc/postfix/main.cf" \
		    "$FIXTURES/postfix/etc/postfix/master.cf" "$1/etc/postfix/"
	fi
}

# ---- packages: t0200, t0210 ----
HW_VERSION=$(sed -n 's/^project(hardenwiz VERSION \([0-9.]*\).*/\1/p' \
    "$SRC/CMakeLists.txt")

# copy_sources DIR: the sources as a clean clone has them (no builds).
copy_sources() {
	mkdir -p "$1" &&
	tar -C "$SRC" --exclude=./.git --exclude='./build*' \
	    --exclude='./obj-*' --exclude=./debian/hardenwiz \
	    --exclude=./debian/.debhelper -cf - . | tar -C "$1" -xf -
}

# build_deb DIR: dpkg-buildpackage's hardenwiz_VERSION_amd64.deb in DIR
# (its log in $T/deb.log).
build_deb() {
	copy_sources "$1/hardenwiz" &&
	(cd "$1/hardenwiz" && dpkg-buildpackage -us -uc -b) \
	    > "$T/deb.log" 2>&1 &&
	test -s "$1/hardenwiz_${HW_VERSION}_amd64.deb" ||
	    { tail -20 "$T/deb.log"; return 1; }
}

# ---- the booted mail host of t0140 and t0180: example.org on 127.0.0.1 ----
zone() {	# zone [RECORD-LINE...]: example.org's zone, served after a restart
	{
		soa example.org 127.0.0.1
		printf '@ IN MX 10 mail\nmail IN A 127.0.0.1\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$S/etc/nsd/example.org.zone"
}

mailbox_has() {	# mailbox_has N: alice has N messages
	test "$(grep -c "^From " "$S/var/mail/alice" 2>/dev/null)" = "$1"
}

# The newest message of alice's mailbox, as sent (no mbox From line).
last_message() {
	awk '/^From / { n++; buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }' \
	    "$S/var/mail/alice"
}

smtp() {	# smtp SUBJECT BODY: swaks to alice over SMTP, its dialogue in $T/swaks.out
	in_sd swaks --server 127.0.0.1 --from admin@example.org \
	    --to alice@example.org --h-Subject "$1" --body "$2" \
	    > "$T/swaks.out" 2>&1
}

sendmail_msg() {	# sendmail_msg SUBJECT BODY: through sendmail (non_smtpd_milters)
	printf 'From: admin@example.org\nTo: alice@example.org\nSubject: %s\n\n%s\n' "$1" "$2" |
	    in_sd /usr/sbin/sendmail -f admin@example.org alice@example.org
}

# mail_example_org: $S (sd_mail_root) boots as mail.example.org, Postfix
# delivering example.org to local users (alice), nsd serving example.org
# on 127.0.0.1 as the only resolver; returns once SMTP answers.
mail_example_org() {
	postconf -c "$S/etc/postfix" -e myhostname=mail.example.org \
	    mydomain=example.org myorigin=example.org \
	    "mydestination=\$myhostname, example.org, localhost" \
	    inet_interfaces=loopback-only inet_protocols=ipv4 relayhost= \
	    alias_maps=hash:/etc/aliases alias_database=hash:/etc/aliases &&
	printf "postmaster: root\n" > "$S/etc/aliases" &&
	printf "server:\n  ip-address: 127.0.0.1\n  zonesdir: \"/etc/nsd\"\n  database: \"\"\nremote-control:\n  control-enable: no\nzone:\n  name: example.org\n  zonefile: example.org.zone\n" \
	    > "$S/etc/nsd/nsd.conf" &&
	zone &&
	rm -f "$S/etc/resolv.conf" && echo "nameserver 127.0.0.1" > "$S/etc/resolv.conf" &&
	boot &&
	in_sd newaliases &&
	in_sd useradd -m alice &&
	in_sd systemctl restart postfix nsd &&
	test_wait_until -t 30 listening 25
}

# boot: systemd as PID 1 of new namespaces on $S; its pid here goes to
# $T/sdpid (test bodies run in subshells: a variable would not outlive one).
# Several machines: each boots with SD=NAME (its pid in $T/NAME.sdpid, its
# cgroup $CG/NAME); in_sd and the others then act on the machine SD names.
boot() {
	cg=$CG${SD:+/$SD}
	mkdir -p "$cg" || return 1
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
	    unshare --cgroup -m -p -n -f --propagation private sh -ec '
		cd "$1"
		mount --bind . .
		cd "$1"
		mount -t proc proc proc
		mount -t sysfs -o ro sysfs sys
		mount -t cgroup2 cgroup2 sys/fs/cgroup
		mount --rbind /dev dev
		mount -t tmpfs tmpfs run
		mount -t tmpfs tmpfs tmp
		mkdir -p .oldroot
		pivot_root . .oldroot
		umount -l /.oldroot
		exec env -i container=hardenwiz-test /lib/systemd/systemd \
		    --system --show-status=no' sh "$S" > "$T/${SD:-}boot.log" 2>&1 &
	child_of $! > "$(sdpid)" || { cat "$T/${SD:-}boot.log"; return 1; }
	test_wait_until -t 60 booted
}

sdpid() {	# the file holding the pid of the machine SD names
	echo "$T/${SD:+$SD.}sdpid"
}

# At exit: the booted systems killed, then their cgroups removed once empty.
sd_cleanup() {
	for f in "$T"/sdpid "$T"/*.sdpid; do
		test -s "$f" && kill -9 "$(cat "$f")" 2>/dev/null
	done
	test_wait_until -t 10 cgroup_empty 3>/dev/null
	find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null
}

cgroup_empty() {
	test -z "$(find "$CG" -name cgroup.procs -exec cat {} + 2>/dev/null)"
}

gone() {
	! kill -0 "$1" 2>/dev/null
}

# power_off: the machine stops at once (every process of it killed).
power_off() {
	pid=$(cat "$(sdpid)") &&
	kill -9 "$pid" &&
	test_wait_until gone "$pid" &&
	rm "$(sdpid)"
}

in_sd() {
	nsenter -t "$(cat "$(sdpid)")" -m -p -n -- \
	    env -i PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

listening() {	# listening PORT: a TCP socket listens on PORT in there
	in_sd ss -Hltn "sport = :$1" | grep -q LISTEN
}

booted() {
	state=$(in_sd systemctl is-system-running 2>/dev/null) || :
	[ "$state" = running ] || [ "$state" = degraded ]
}

# ---- an authoritative DNS server (nsd): t0130, t0135 ----
soa() {	# soa ORIGIN NS-ADDRESS: a zone's head
	printf '$ORIGIN %s.\n$TTL 60\n@ IN SOA ns hostmaster 1 3600 600 86400 60\n@ IN NS ns\nns IN A %s\n' "$1" "$2"
}

# nsd_conf DIR ADDRESS ZONE...: DIR/nsd.conf serving DIR/ZONE.zone each.
nsd_conf() {
	dir=$1 addr=$2
	shift 2
	{
		printf 'server:\n  ip-address: %s\n  port: 53\n  username: ""\n' "$addr"
		printf '  zonesdir: "%s"\n  pidfile: "%s/nsd.pid"\n  database: ""\n' "$dir" "$dir"
		printf '  xfrdfile: "%s/xfrd.state"\n  zonelistfile: "%s/zone.list"\n' "$dir" "$dir"
		printf '  logfile: "%s/nsd.log"\nremote-control:\n  control-enable: no\n' "$dir"
		for z in "$@"; do
			printf 'zone:\n  name: %s\n  zonefile: %s.zone\n' "$z" "$z"
		done
	} > "$dir/nsd.conf"
}
