#!/bin/bash
# t0040: the newt wizard driven for real in tmux (send-keys, capture-pane):
# change the port in the SSH form, see the diff in the ncurses viewer,
# apply, check the file; roll back from the history menu; the terminal is
# restored after a normal exit and after SIGTERM.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip_all "needs tmux"

R=$T/root
mkroot debian12 "$R"
with_ufw "$R"
with_listeners "$R"
snapshot "$R" > "$T/pristine"
# start runs here, not inside a test: it picks the socket later steps use.
start
test_expect_success 'main menu lists the step with its audit state' '
	wait_for "SSH access                   [needs-change]" &&
	wait_for "History and rollback"
'

test_expect_success 'resizing the terminal re-centres the menu' '
	tm resize-window -t wz -x 130 -y 40 &&
	wait_for "                            ┌─────────────────────────────┤ hardenwiz" &&
	tm resize-window -t wz -x 100 -y 30 &&
	wait_for "             ┌─────────────────────────────┤ hardenwiz"
'

test_expect_success 'the firewall form lists the listening ports to pick from' '
	wait_for "Firewall                     [needs-change]" &&
	wz_pick Firewall &&
	wait_for "Ports to close" &&
	wait_for "[*] 25/tcp     master on 0.0.0.0" &&
	wait_for "[ ] 3306/tcp   mariadbd on 0.0.0.0" &&
	wait_for "Block outgoing SMTP         [*]" &&
	# The scrolling findings box leaves the window border whole.
	wait_for "<Preview changes>" &&
	wait_for "firewall: inactive (recommended: active)                                   │" &&
	# It says how much it hides, and Shift-Tab reaches it to scroll.
	wait_for "more lines in the box above: Shift-Tab to it, then scroll)" &&
	! on_screen "outgoing 25/tcp: allowed for every user" &&
	tm send-keys -t wz BTab PageDown &&
	wait_for "outgoing 25/tcp: allowed for every user" &&
	tm send-keys -t wz Tab &&
	wait_for "outgoing 25/tcp: allowed for every user"
'

test_expect_success 'check 3306 in the list; the preview denies it and blocks outgoing 25' '
	tm send-keys -t wz Tab Tab Tab Down Down Down Space &&
	wait_for "[*] 3306/tcp   mariadbd" &&
	tm send-keys -t wz F12 &&
	wait_for "+++ b/etc/ufw/before.rules" &&
	tm send-keys -t wz G &&
	wait_for "# run: ufw deny 3306/tcp" &&
	wait_for "# run: ufw deny 25/tcp" &&
	wait_for "# run: ufw --force enable" &&
	tm send-keys -t wz q &&
	wait_for "<Preview changes>" &&
	tm send-keys -t wz Escape &&
	wait_for "History and rollback" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'the SSH form shows findings and current values' '
	wz_pick "SSH access" &&
	wait_for "PasswordAuthentication: yes (recommended: no)" &&
	wait_for "SSH port                    22___" &&
	wait_for "Install the key for user    admin" &&
	! on_screen "Seconds to confirm"
'

test_expect_success 'F1 shows the help, and back to the form' '
	tm send-keys -t wz F1 &&
	wait_for "Help" && wait_for "Key-only login" &&
	tm send-keys -t wz Enter &&
	wait_for "<Preview changes>"
'

test_expect_success 'every bad field is listed at once; the cursor goes to the first' '
	tm send-keys -t wz BSpace BSpace 99999 Tab Tab Tab garbage F12 &&
	wait_for "Please correct" && wait_for "is not a TCP port" &&
	wait_for "not an OpenSSH public key" &&
	tm send-keys -t wz Enter &&
	wait_for "<Preview changes>" &&
	# On the port: the keys typed replace it.
	tm send-keys -t wz BSpace BSpace BSpace BSpace BSpace 2200 F12 &&
	wait_for "Please correct" && wait_for "not an OpenSSH public key" &&
	! on_screen "is not a TCP port" &&
	tm send-keys -t wz Enter &&
	wait_for "<Preview changes>" &&
	# Now on the key, the one left to correct.
	tm send-keys -t wz Z &&
	wait_for "garbageZ"
'

test_expect_success 'change the port; the viewer shows the diff' '
	tm send-keys -t wz BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace F12 &&
	wait_for "+Port 2200" &&
	wait_for "+++ b/etc/ssh/sshd_config.d/00-hardenwiz.conf" &&
	wait_for "a apply  q back" &&
	tm send-keys -t wz "?" &&
	wait_for "Keys of the change viewer:" &&
	wait_for "/TEXT Enter    search; then n/N next/previous match" &&
	tm send-keys -t wz Space &&
	wait_for "a apply  q back  / search  ? keys" &&
	! on_screen "Keys of the change viewer:" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'apply after confirming; the file has the new port' '
	tm send-keys -t wz a &&
	wait_for "Apply these changes now?" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "Applied as transaction" &&
	grep -qx "Port 2200" "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf" &&
	tm send-keys -t wz Enter &&
	wait_for "SSH access                   [ok]"
'

test_expect_success 'History shows what the transaction changed, then rolls it back' '
	wz_pick "History and rollback" &&
	wait_for "applied      ssh" &&
	tm send-keys -t wz Enter &&
	wait_for "Transaction 20" &&
	wait_for "+Port 2200" &&
	wait_for "+++ b/etc/ssh/sshd_config.d/00-hardenwiz.conf" &&
	tm send-keys -t wz a &&
	wait_for "Roll back transaction" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "Rolled back" &&
	tm send-keys -t wz Enter &&
	# Keys sent while the menu is re-audited can be lost on a loaded
	# machine: wait for the rebuilt menu before the next keys.
	wait_for "SSH access                   [needs-change]" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'quit: the summary says the change was rolled back; the terminal is restored' '
	wz_pick Quit &&
	wait_for "┤ This session ├" &&
	wait_for "* SSH access: rolled back (transaction" &&
	! on_screen "Before you close this session" &&
	tm send-keys -t wz Enter &&
	wait_for "EXITED=0" && wait_for "icanon echo"
'

# A second session on a fresh copy: Esc asks, the summary advises, and
# the answers saved as a recipe make the same change through --apply.
R=$T/again
mkroot debian12 "$R"
cp -a "$R" "$T/again.pristine"
mkdir "$T/home"
WZ_ENV="HOME=$T/home" start
test_expect_success 'Esc on the menu asks before leaving; No stays' '
	wait_for "History and rollback" &&
	tm send-keys -t wz Escape &&
	wait_for "Leave hardenwiz? Nothing was changed in this session." &&
	tm send-keys -t wz Enter &&
	wait_for "History and rollback" &&
	! on_screen "EXITED="
'

test_expect_success 'the summary names the change and what to do next; the answers are saved' '
	wz_pick "SSH access" &&
	wait_for "<Preview changes>" &&
	tm send-keys -t wz BSpace BSpace 2201 F12 &&
	wait_for "+Port 2201" &&
	wz_apply &&
	wait_for "History and rollback" &&
	tm send-keys -t wz Escape &&
	wait_for "┤ This session ├" &&
	wait_for "* SSH access: applied as transaction" &&
	wait_for "Before you close this session:" &&
	wait_for "* sshd moves from port 22 to 2201: open 2201/tcp" &&
	tm send-keys -t wz Enter &&
	wait_for "Save the answers of this session as a recipe in" &&
	wait_for "$T/home/hardenwiz-" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "Saved as $T/home/hardenwiz-" &&
	tm send-keys -t wz Enter &&
	wait_for "EXITED=0"
'

test_expect_success 'the saved recipe (0600) applies to the same result on a fresh copy' '
	set -- "$T"/home/hardenwiz-*.conf &&
	test $# = 1 &&
	test "$(stat -c %a "$1")" = 600 &&
	grep -qx "\[ssh\]" "$1" &&
	grep -qx "port = 2201" "$1" &&
	$HW --root "$T/again.pristine" --apply "$1" > /dev/null &&
	cmp "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf" \
	    "$T/again.pristine/etc/ssh/sshd_config.d/00-hardenwiz.conf" &&
	snapshot "$R" > "$T/again.snap" &&
	snapshot "$T/again.pristine" | diff - "$T/again.snap"
'

# The file the wizard wrote is edited by hand afterwards: History says
# so above it, and rolling back anyway is offered and works.
echo "# edited by the admin" >> "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf"
start
test_expect_success 'a file changed since: shown in History, the forced rollback offered and done' '
	wz_pick "History and rollback" &&
	wait_for "applied      ssh" &&
	tm send-keys -t wz Enter &&
	wait_for "was changed after this transaction: shown as it is now" &&
	wait_for "+# edited by the admin" &&
	tm send-keys -t wz a &&
	wait_for "Roll back transaction" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "┤ Changed since ├" &&
	wait_for "those later changes are lost" &&
	test -e "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "┤ Rolled back ├" &&
	! test -e "$R/etc/ssh/sshd_config.d/00-hardenwiz.conf" &&
	tm send-keys -t wz Enter &&
	wait_for "History and rollback" &&
	wz_quit
'
R=$T/root

WZ_ENV="NO_COLOR=1" start
test_expect_success 'NO_COLOR: no colour codes; the selected item in reverse video' '
	wait_for "History and rollback" &&
	tm capture-pane -e -p -t wz > "$T/mono" &&
	python3 "$SRC/tests/t/screen.py" mono "$T/mono" &&
	tm send-keys -t wz Down &&
	wait_for "History and rollback" &&
	tm capture-pane -e -p -t wz > "$T/mono2" &&
	python3 "$SRC/tests/t/screen.py" mono "$T/mono2"
'

start
test_expect_success 'SIGTERM in the middle of a form restores the terminal' '
	wait_for "SSH access" &&
	wz_pick "SSH access" &&
	wait_for "<Preview changes>" &&
	pkill -TERM -f "^$HW --root $R" &&
	wait_for "EXITED=143" && wait_for "icanon echo" &&
	snapshot "$R" | diff - "$T/pristine"
'

# Each wait for a child (apt-config, sshd -T, postconf) held 1 s: the
# audit takes seconds, as on a loaded machine.
WZ_PREFIX="$TRACED strace -f -o /dev/null -e inject=wait4:delay_enter=1000000" start
test_expect_success 'the menu is on the screen during the audit; keys typed then are kept' '
	wait_for "SSH access                   [checking]" &&
	rows=$(menu_rows "SSH access") && set -- $rows && test $# = 2 &&
	test $1 -gt $2 && tm send-keys -t wz -N $(($1 - $2)) Down &&
	tm send-keys -t wz Enter &&
	on_screen "SSH access                   [checking]" &&
	wait_for "<Preview changes>" && on_screen "SSH port" &&
	tm send-keys -t wz C-c &&
	wait_for "EXITED=130" && wait_for "icanon echo"
'

start
test_expect_success 'Ctrl-C leaves the wizard and restores the terminal' '
	wait_for "SSH access" &&
	wz_pick "SSH access" &&
	wait_for "<Preview changes>" &&
	tm send-keys -t wz C-c &&
	wait_for "EXITED=130" && wait_for "icanon echo" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_done
