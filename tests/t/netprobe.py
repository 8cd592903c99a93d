#!/usr/bin/env python3
"""Test traffic for the firewall tests.

netprobe.py connect HOST PORT   prints open, refused (RST), unreachable
                                (ICMP reject) or timeout (dropped, 2 s)
netprobe.py listen PORT         accepts TCP on [::]:PORT (IPv4 too) forever
"""
import socket
import sys


def connect(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family)
    s.settimeout(2)
    try:
        s.connect((host, port))
        print("open")
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")
    except OSError:
        print("unreachable")


def listen(port):
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(16)
    while True:
        s.accept()[0].close()


if __name__ == "__main__":
    if sys.argv[1] == "connect":
        connect(sys.argv[2], int(sys.argv[3]))
    else:
        listen(int(sys.argv[2]))
