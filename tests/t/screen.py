#!/usr/bin/python3
# screen.py -- a captured tmux screen measured in terminal cells (a Chinese
# character takes two), for lib.sh:
#   screen.py box TITLE FILE    the window titled TITLE has its right
#                               border on every row (exit 1 if not)
#   screen.py columns FILE      how many columns the menu items' "[state]"
#                               start at (1: they line up)
#   screen.py mono FILE         FILE (capture-pane -e) has no colour code
#                               and something in reverse video
import re
import sys
import unicodedata


def cells(row):
    out = []
    for ch in row:
        out.append(ch)
        if unicodedata.east_asian_width(ch) in "WF":
            out.append("")
    return out


def rows(path):
    return [cells(r) for r in open(path, encoding="utf-8").read().split("\n")]


def box(title, path):
    screen = rows(path)
    mark = "┤ " + title + " ├"
    top = next(i for i, r in enumerate(screen) if mark in "".join(r))
    left = screen[top].index("┌")
    right = len(screen[top]) - 1 - screen[top][::-1].index("┐")
    for r in screen[top + 1:]:
        if r[left:left + 1] == ["└"]:
            break
        assert r[right:right + 1] == ["│"], "border broken: " + "".join(r)


def columns(path):
    cols = set()
    for r in rows(path):
        line = "".join(c if c else "\0" for c in r)
        m = re.search(r" \[[^] ]+\] ", line)
        if m and line.lstrip().startswith("│"):
            cols.add(m.start())
    print(len(cols))


def mono(path):
    """No SGR colour (30-37, 40-47, 90-97, 100-107, 38;..., 48;...): 39
    and 49 only put the default back. Reverse video (7) marks the focus."""
    reverse = False
    for params in re.findall(r"\x1b\[([0-9;]*)m",
                             open(path, encoding="utf-8").read()):
        codes = [int(c) for c in params.split(";") if c != ""]
        for c in codes:
            assert not (30 <= c <= 38 or 40 <= c <= 48 or 90 <= c <= 97
                        or 100 <= c <= 107), "colour code: " + params
        reverse |= 7 in codes
    assert reverse, "nothing in reverse video"


if sys.argv[1] == "box":
    box(sys.argv[2], sys.argv[3])
elif sys.argv[1] == "mono":
    mono(sys.argv[2])
else:
    columns(sys.argv[2])
