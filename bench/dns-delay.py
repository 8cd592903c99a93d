#!/usr/bin/env python3
# dns-delay.py LISTEN UPSTREAM MS: a DNS server MS milliseconds away. Each
# UDP question to LISTEN:53 is passed to UPSTREAM:53 after MS ms and the
# answer relayed back: what a resolver across the internet costs, for
# make bench (tc netem may not exist in the kernel).
import socket
import sys
import threading

listen, upstream, delay = sys.argv[1], sys.argv[2], float(sys.argv[3]) / 1000
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind((listen, 53))


def relay(data, client):
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(2)
    up.sendto(data, (upstream, 53))
    try:
        answer, _ = up.recvfrom(65535)
        srv.sendto(answer, client)
    except OSError:
        pass
    up.close()


while True:
    data, client = srv.recvfrom(65535)
    threading.Timer(delay, relay, (data, client)).start()
