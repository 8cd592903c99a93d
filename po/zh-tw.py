#!/usr/bin/python3
# Make po/zh_TW.po from po/zh_CN.po: OpenCC's s2twp (simplified to
# traditional characters with Taiwan's phrases: 軟體, 檔案, 伺服器), then the
# terms below, which OpenCC leaves in their mainland form. Only msgstr is
# converted; msgid, comments and the header's Language stay as they must.
#
#   apt-get install opencc; python3 po/zh-tw.py [OUT]   (or: make po-zh-tw)
#
# OUT defaults to po/zh_TW.po; t0190 writes elsewhere and compares, so a
# zh_CN.po change not carried to zh_TW.po fails the tests.
#
# Run it after po/zh_CN.po changes and read the diff: a phrase OpenCC gets
# wrong in context is fixed by a line in TERMS, never by editing zh_TW.po.
# A phrase two OpenCC versions convert differently goes into TERMS too, so
# that t0190 passes on Debian 12 and 13 alike.
import os
import re
import subprocess
import sys

TERMS = [
    ("事務", "交易"), ("回滾", "還原"), ("地址", "位址"),
    ("發件人", "寄件者"), ("發件者", "寄件者"), ("發件方", "寄件方"),
    ("收件人", "收件者"), ("配置檔案", "設定檔"), ("配置", "設定"),
    ("套接字", "通訊端"), ("重啟", "重新啟動"), ("軟體包", "套件"),
    ("賬戶", "帳戶"), ("郵箱", "信箱"), ("所有者", "擁有者"),
    ("終端", "終端機"), ("迴環", "回送"), ("臨時", "暫存"),
    ("命令", "指令"), ("元資料", "中繼資料"), ("程序", "行程"),
    ("未知的節", "未知的區段"), ("本節中", "本區段中"),
    ("節標題", "區段標題"), ("節重複", "區段重複"),
    ("任何節中", "任何區段中"), ("埠", "連接埠"), ("更改", "變更"),
    ("訪問", "存取"), ("應用", "套用"), ("幫助", "說明"), ("退出", "結束"),
    ("“", "「"), ("”", "」"),
    # OpenCC 1.1.9 (Debian 13) has these Taiwan phrases, 1.1.6 (Debian 12)
    # not: named here, both make the same file.
    ("禁用", "停用"), ("實時", "即時"),
]

STR = re.compile(r'"((?:[^"\\]|\\.)*)"')


def convert(texts):
    """All msgstr texts through OpenCC in one run, one per line."""
    joined = "\n".join(texts) + "\n"
    out = subprocess.run(["opencc", "-c", "s2twp.json"], input=joined,
                         capture_output=True, text=True, check=True).stdout
    lines = out.split("\n")[:len(texts)]
    if len(lines) != len(texts):
        sys.exit("zh-tw: OpenCC returned %d lines for %d" %
                 (len(lines), len(texts)))
    res = []
    for t in lines:
        for a, b in TERMS:
            t = t.replace(a, b)
        res.append(t)
    return res


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "zh_TW.po")
    src = open(os.path.join(here, "zh_CN.po"), encoding="utf-8").read()
    blocks = src.split("\n\n")
    spans = []  # (block index, msgstr text)
    for i, b in enumerate(blocks[1:], 1):
        m = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', b, re.M)
        if m:
            spans.append((i, "".join(STR.findall(m.group(1)))))
    done = convert([t for _, t in spans])
    for (i, _), t in zip(spans, done):
        b = blocks[i]
        m = re.search(r'^msgstr(\[0\])? ((?:".*"\n?)+)', b, re.M)
        blocks[i] = b[:m.start()] + 'msgstr%s "%s"' % (m.group(1) or "", t) + (
            "\n" if m.group(0).endswith("\n") else "") + b[m.end():]
    head = blocks[0].replace("Language: zh_CN", "Language: zh_TW")
    head = head.replace("# Chinese translations for hardenwiz.",
                        "# Chinese (Taiwan) translations for hardenwiz, made "
                        "from zh_CN.po by po/zh-tw.py.")
    out = "\n\n".join([head] + blocks[1:])
    open(out_path, "w", encoding="utf-8").write(out)


main()
