#!/usr/bin/env python3
"""make bench: how long the wizard keeps the admin waiting for its menu.

The screens: hardenwiz --root ROOT in a pseudo-terminal (80x24, no tmux
between), timed from exec to the menu on the screen (drawn before the
audit, its states saying "checking") and to the states filled in.
Then hardenwiz --plain --root ROOT (the same wizard and audits without a
terminal to draw), RUNS times, for the median in ms of:
  first   exec to the first menu with every step audited;
  return  the menu again after a view that changed nothing (History);
  apply   the menu again after the SSH step was applied: from "Applied as
          transaction" on the screen to the menu (the steps that read
          sshd's files, and those that declare none, audited again).
Each run starts from a fresh copy of ROOT.
"""
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PROMPT = b"go back): "


class Wizard:
    def __init__(self, hw, root):
        env = dict(os.environ, LANG="C.UTF-8", LANGUAGE="")
        self.p = subprocess.Popen([hw, "--plain", "--root", root],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, env=env)
        self.buf = b""

    def wait_for(self, s, timeout=60):
        end = time.monotonic() + timeout
        while s not in self.buf:
            left = end - time.monotonic()
            r, _, _ = select.select([self.p.stdout], [], [], max(left, 0))
            d = os.read(self.p.stdout.fileno(), 65536) if r else b""
            if not d:
                sys.exit("bench: the wizard did not show %r; last output:\n%s"
                         % (s, self.buf[-600:].decode(errors="replace")))
            self.buf += d
        self.buf = self.buf[self.buf.index(s) + len(s):]
        return time.monotonic()

    def send(self, s):
        self.p.stdin.write(s)
        self.p.stdin.flush()
        return time.monotonic()

    def close(self):
        self.p.stdin.close()
        self.p.kill()
        self.p.wait()


def screen(hw, root):
    """ms from exec to the menu drawn, and to its states filled in."""
    import fcntl
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, LANG="C.UTF-8", LANGUAGE="", TERM="xterm")
    t0 = time.monotonic()
    p = subprocess.Popen([hw, "--root", root], stdin=slave, stdout=slave,
                         stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    seen, got = b"", []
    for want in (b"Automatic updates", b"needs-change"):
        while want not in seen:
            r, _, _ = select.select([master], [], [], 60)
            d = os.read(master, 65536) if r else b""
            if not d:
                sys.exit("bench: no %r on the screen" % want)
            seen += d
        got.append((time.monotonic() - t0) * 1000)
        seen = seen[seen.index(want) + len(want):]
    p.kill()
    p.wait()
    os.close(master)
    return got


def one(hw, pristine):
    root = tempfile.mkdtemp(prefix="hardenwiz-menu.")
    try:
        shutil.copytree(pristine, root, symlinks=True, dirs_exist_ok=True)
        w = Wizard(hw, root)
        t0 = time.monotonic()
        first = w.wait_for(PROMPT) - t0
        t = w.send(b"History\n")
        back = w.wait_for(PROMPT) - t
        w.send(b"SSH\n2222\n\n\n\n\n")
        w.wait_for(b"[y/N] ")
        w.send(b"y\n")
        t = w.wait_for(b"Applied as transaction")
        again = w.wait_for(PROMPT) - t
        w.close()
        return first * 1000, back * 1000, again * 1000
    finally:
        shutil.rmtree(root)


def main():
    hw, root = sys.argv[1], sys.argv[2]
    runs = int(os.environ.get("RUNS", "15"))
    drawn = [screen(hw, root) for _ in range(runs)]
    print("%-44s %8.1f ms   target <= 100 ms  (median of %d)"
          % ("first menu on the screen (states: checking)",
             statistics.median(g[0] for g in drawn), runs))
    print("%-44s %8.1f ms   (median of %d)"
          % ("  its states filled in (all steps audited)",
             statistics.median(g[1] for g in drawn), runs))
    got = [one(hw, root) for _ in range(runs)]
    names = ["--plain: first menu, all steps audited",
             "back to the menu, nothing changed",
             "back to the menu after applying SSH"]
    refs = [100, 20, 20]
    for i, name in enumerate(names):
        med = statistics.median(g[i] for g in got)
        print("%-44s %8.1f ms   target <= %d ms  (median of %d)"
              % (name, med, refs[i], runs))


main()
