#!/bin/bash
# t0190: hardenwiz in Chinese. Every message of the sources is translated
# in zh_CN and zh_TW (and zh_TW is what po/zh-tw.py makes of zh_CN); LANG
# or LANGUAGE picks the language, also where the locale is not installed
# (a fresh VPS, LANG sent by the admin's ssh client); the wizard in tmux
# at 80x24 and 120x40, in both, with every frame whole and the menu's
# columns lined up; --plain in Chinese too.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip_all "needs tmux"
command -v msgcmp >/dev/null || skip_all "needs gettext (make deps-test)"
command -v opencc >/dev/null || skip_all "needs opencc (make deps-test)"
command -v localedef >/dev/null && [ -d /usr/share/i18n/locales ] ||
	skip_all "needs the locales package (make deps-test)"

PO=$SRC/po
# A locale directory with nothing in it: the "not installed" case on any
# machine. glibc's C.UTF-8 is built in and still found.
mkdir "$T/noloc" "$T/loc"
# zh_CN.UTF-8 generated for the test only (LOCPATH): the installed case.
localedef -i zh_CN -f UTF-8 "$T/loc/zh_CN.UTF-8" 2>/dev/null ||
	skip_all "cannot build the zh_CN.UTF-8 locale (localedef)"

R=$T/root
mkroot debian12 "$R"
with_ufw "$R"
with_listeners "$R"

test_expect_success 'every string of the sources is translated in zh_CN and zh_TW' '
	(cd "$SRC" && xgettext -k_ -kN_ -kngettext:1,2 --from-code=UTF-8 \
	    -o "$T/fresh.pot" editors/*.c editors/*/*.c recipes/*.c tui/*.c) &&
	msgcmp "$PO/zh_CN.po" "$T/fresh.pot" &&
	msgcmp "$PO/zh_TW.po" "$T/fresh.pot" &&
	msgcmp --use-untranslated "$PO/hardenwiz.pot" "$T/fresh.pot" &&
	msgfmt --check --statistics -o /dev/null "$PO/zh_CN.po" 2> "$T/stat" &&
	! grep -e fuzzy -e untranslated "$T/stat"
'

test_expect_success 'zh_TW.po is what po/zh-tw.py makes of zh_CN.po' '
	python3 "$PO/zh-tw.py" "$T/zh_TW.po" &&
	cmp "$T/zh_TW.po" "$PO/zh_TW.po"
'

test_expect_success 'LANG picks the language, also with no such locale installed' '
	LOCPATH=$T/noloc LANG=zh_CN.UTF-8 $HW --help > "$T/cn" &&
	grep -q "^用法：hardenwiz" "$T/cn" &&
	grep -q "无人值守" "$T/cn" &&
	LOCPATH=$T/noloc LANG=zh_TW.UTF-8 $HW --help > "$T/tw" &&
	grep -q "無人值守" "$T/tw" &&
	LOCPATH=$T/loc LANG=zh_CN.UTF-8 $HW --help > "$T/cn2" &&
	cmp "$T/cn" "$T/cn2" &&
	LANG=C $HW --help > "$T/c" &&
	grep -q "^usage: hardenwiz" "$T/c"
'

test_expect_success 'Hong Kong reads zh_TW; LANGUAGE wins over LANG' '
	LOCPATH=$T/noloc LANG=zh_HK.UTF-8 $HW --help > "$T/hk" &&
	grep -q "無人值守" "$T/hk" &&
	LOCPATH=$T/noloc LANG=en_US.UTF-8 LANGUAGE=zh_TW $HW --help > "$T/lg" &&
	grep -q "無人值守" "$T/lg"
'

test_expect_success 'a usage error says what is wrong in Chinese; the option stays Latin' '
	test_expect_code 2 env LOCPATH=$T/noloc LANG=zh_CN.UTF-8 \
	    $HW --dry-run 2> "$T/err" &&
	grep -q -- "--dry-run 要与 --apply FILE 一起使用" "$T/err"
'

# start runs at the top level: it picks the socket the later tests use.
WZ_SIZE=80x24 WZ_ENV="LOCPATH=$T/loc LANG=zh_CN.UTF-8" start
test_expect_success 'zh_CN at 80x24: the menu is translated and its columns line up' '
	wait_for "防火墙                       [需要更改]" &&
	wait_for "不需要的服务                 [正常]" &&
	test "$(menu_columns)" = 1 &&
	box_whole hardenwiz
'

test_expect_success 'zh_CN: the SSH form, its labels and the F1 help, also scrolled' '
	wz_pick "SSH 访问" &&
	wait_for "允许密码登录" &&
	wait_for "<预览更改>" &&
	box_whole "SSH 访问" &&
	tm send-keys -t wz F1 &&
	wait_for "┤ 帮助 ├" &&
	box_whole "帮助" &&
	tm send-keys -t wz Tab &&
	for i in 1 2 3 4 5 6 7 8 9 10; do tm send-keys -t wz Down; done &&
	wait_for "为此用户安装密钥：" &&
	box_whole "帮助" &&
	tm send-keys -t wz Escape &&
	wait_for "<预览更改>"
'

test_expect_success 'zh_CN: the viewer pins the note about the new port, in Chinese' '
	tm send-keys -t wz C-u 2222 F12 &&
	wait_for "a 应用  q 返回" &&
	wait_for "* sshd 从端口 22 迁移到 2222：请在服务商的防火墙中开放 2222/tcp" &&
	# The same note in the diff is cut at 80 columns: it says so with a
	# ">", and scrolls sideways to its end.
	tm send-keys -t wz G &&
	test_wait_until on_screen_re "^# note: sshd .*>$" &&
	tm send-keys -t wz Right &&
	test_wait_until on_screen_re "^<.*从新终端用新端口登录" &&
	tm send-keys -t wz q &&
	wait_for "<预览更改>" &&
	tm send-keys -t wz Escape &&
	wait_for "不需要的服务"
'

test_expect_success 'zh_CN: grown to 120x40 and back, every frame is whole' '
	tm resize-window -t wz -x 120 -y 40 &&
	# The whole list fits now, the last items too; the box is not cut at
	# 80 columns.
	wait_for "│ 历史记录与回滚" &&
	box_whole hardenwiz &&
	test "$(menu_columns)" = 1 &&
	tm resize-window -t wz -x 80 -y 24 &&
	test_wait_until box_whole hardenwiz &&
	wait_for " <Tab> 下一项 |" &&
	tm send-keys -t wz End &&
	wz_pick "退出" &&
	wait_for "EXITED=0"
'

WZ_SIZE=120x40 WZ_ENV="LOCPATH=$T/noloc LANG=zh_TW.UTF-8" start
test_expect_success 'zh_TW at 120x40 without the locale: traditional characters, Taiwan terms' '
	wait_for "防火牆                       [需要變更]" &&
	wait_for "歷史記錄與還原" &&
	test "$(menu_columns)" = 1 &&
	box_whole hardenwiz &&
	wz_pick "防火牆" &&
	wait_for "要關閉的連接埠" &&
	box_whole "防火牆" &&
	tm send-keys -t wz Escape &&
	wait_for "歷史記錄與還原" &&
	wz_pick "結束" &&
	wait_for "EXITED=0"
'

test_expect_success '--plain in zh_TW: translated prompts, numbers aligned' '
	printf "SSH\n?\n2022\nno\n\n\n\nn\nq\n" |
	    LOCPATH=$T/noloc LANG=zh_TW.UTF-8 $HW --root "$R" --plain > "$T/plain" &&
	grep -q "^   1) " "$T/plain" &&
	grep -q "^  10) " "$T/plain" &&
	grep -q "SSH 連接埠 \[22\]（輸入 ? 檢視說明）：" "$T/plain" &&
	grep -q "套用：現在套用這些變更嗎？" "$T/plain" &&
	grep -q "^+Port 2022" "$T/plain"
'

test_done
