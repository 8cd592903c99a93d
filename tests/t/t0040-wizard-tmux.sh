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
	wait_for "firewall: inactive (recommended: active)                                   │"
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

test_expect_success 'a bad port is refused by the form' '
	tm send-keys -t wz BSpace BSpace 99999 F12 &&
	wait_for "Please correct" && wait_for "is not a TCP port" &&
	tm send-keys -t wz Enter &&
	wait_for "<Preview changes>"
'

test_expect_success 'change the port; the viewer shows the diff' '
	tm send-keys -t wz BSpace BSpace BSpace BSpace BSpace 2200 F12 &&
	wait_for "+Port 2200" &&
	wait_for "+++ b/etc/ssh/sshd_config.d/00-hardenwiz.conf" &&
	wait_for "a apply  q back" &&
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

test_expect_success 'roll back from the history menu' '
	wz_pick "History and rollback" &&
	wait_for "applied      ssh" &&
	tm send-keys -t wz Enter &&
	wait_for "Roll back transaction" &&
	tm send-keys -t wz Tab Enter &&
	wait_for "Rolled back" &&
	tm send-keys -t wz Enter &&
	# Keys sent while the menu is re-audited can be lost on a loaded
	# machine: wait for the rebuilt menu before the next keys.
	wait_for "SSH access                   [needs-change]" &&
	snapshot "$R" | diff - "$T/pristine"
'

test_expect_success 'quit restores the terminal' '
	wz_pick Quit &&
	wait_for "EXITED=0" && wait_for "icanon echo"
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
