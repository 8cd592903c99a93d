#!/usr/bin/python3
# logstamp.py FILE PROGRAM: what syslog would have written for PROGRAM's
# stderr lines (read on stdin): "Nov 28 12:00:00 host PROGRAM[1]: line",
# appended to FILE and flushed line by line. The tests' sshd logs this way
# (sshd -D -e), since a private namespace has no syslog daemon.
import sys
import time

path, program = sys.argv[1], sys.argv[2]
with open(path, "a") as out:
    for line in sys.stdin:
        out.write("%s testhost %s[1]: %s\n" % (
            time.strftime("%b %d %H:%M:%S"), program, line.rstrip("\r\n")))
        out.flush()
