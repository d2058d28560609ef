#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/: the starting corpora, from the test fixtures and this machine.

String literals of the tests (filter expressions, command lines, audit settings), the kernel's
/proc/net files (here and in a namespace holding a few sockets, so that every table has rows),
and sock_diag replies captured from a netlink dump. Run as root from the repository root:

    python3 fuzz/make_seeds.py
"""
import hashlib
import os
import re
import socket
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
MAX = 4096  # bytes per seed: enough for a header and some rows, small enough to mutate fast


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    data = data[:MAX]
    directory = os.path.join(SEEDS, target)
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def literals(path):
    text = open(os.path.join(ROOT, path), encoding="utf-8").read()
    found = re.findall(r'"((?:[^"\\\n]|\\.)*)"', text)
    return [m.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\") for m in found]


def test_strings():
    for path in ["crates/netstat/tests/filter.rs", "crates/nettables/src/filter/parser.rs",
                 "crates/nettables/src/filter/mod.rs", "crates/nettables/src/filter/eval.rs"]:
        for s in literals(path):
            if 0 < len(s) < 200 and "{" not in s:
                write("filter", s)
    for path in ["crates/netstat/tests/audit.rs", "crates/netstat/src/audit/config.rs"]:
        for s in literals(path):
            if "=" in s and len(s) < 300:
                write("audit_config", s.replace(",", "\n") if s.count("=") > 1 else s)
    text = open(os.path.join(ROOT, "crates/netstat/tests/cli.rs"), encoding="utf-8").read()
    for group in re.findall(r'&\[((?:\s*"[^"]*",?\s*)+)\]', text):
        words = re.findall(r'"([^"]*)"', group)
        write("cli", "\0".join(words))


PROC = {
    "proc_unix": ["unix"], "route": ["route", "rt_cache"], "ipv6_route": ["ipv6_route"],
    "snmp": ["snmp"], "netstat": ["netstat"], "snmp6": ["snmp6", "sctp/snmp"], "dev": ["dev", "if_inet6"],
    "igmp": ["igmp"], "igmp6": ["igmp6"],
}
INET = ["tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6"]  # selector order


def proc_files(prefix):
    def read(name):
        try:
            return open(f"/proc/net/{name}", "rb").read()
        except OSError:
            return None
    for target, names in PROC.items():
        for name in names:
            data = read(name)
            if data:
                write(target, data)
    for selector, name in enumerate(INET):
        data = read(name)
        if data:
            write("proc_inet", bytes([selector]) + data)


def sock_diag():
    """Every reply of an inet_diag dump of each table, with the selector byte in front."""
    tables = [(6, 2), (6, 10), (17, 2), (17, 10), (136, 2), (136, 10), (255, 2), (255, 10)]
    for selector, (protocol, family) in enumerate(tables):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)  # NETLINK_SOCK_DIAG
        ext = 0xFF if protocol == 6 else 0
        req = struct.pack("=BBBBI", family, protocol if protocol != 255 else 255, ext, 0 if protocol != 255 else 255, 0xFFFFFFFF) + bytes(48)
        if protocol == 255:  # raw: sdiag_protocol IPPROTO_RAW, sdiag_raw_protocol 0 means any
            req = struct.pack("=BBBBI", family, 255, 0, 0, 0xFFFFFFFF) + bytes(48)
        s.sendto(struct.pack("=IHHII", 16 + len(req), 20, 0x301, 1, 0) + req, (0, 0))
        count = 0
        done = False
        while not done and count < 20:
            data = s.recv(65536)
            offset = 0
            while offset + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, offset)
                if kind in (2, 3) or length < 16:  # NLMSG_ERROR, NLMSG_DONE
                    done = True
                    break
                write("sock_diag", bytes([selector]) + data[offset + 16:offset + length])
                count += 1
                offset += (length + 3) & ~3
        s.close()


def in_namespace():
    """The same, inside a namespace with a listener, a connection and a UDP socket each way."""
    ns = f"fuzzseed-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        subprocess.run(["ip", "netns", "exec", ns, sys.executable, __file__, "--inside"], check=True)
    finally:
        subprocess.run(["ip", "netns", "del", ns])


def inside():
    held = []
    for family, host in [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]:
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.bind((host, 0))
        listener.listen()
        client = socket.create_connection(listener.getsockname()[:2])
        server, _ = listener.accept()
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((host, 0))
        held += [listener, client, server, udp]
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind("\0fuzz-seed")
    unix.listen()
    held.append(unix)
    subprocess.run(["ip", "route", "add", "10.9.0.0/16", "dev", "lo"], check=False)
    proc_files("ns")
    sock_diag()


if __name__ == "__main__":
    if sys.argv[1:] == ["--inside"]:
        inside()
    else:
        test_strings()
        proc_files("host")
        sock_diag()
        in_namespace()
        for target in sorted(os.listdir(SEEDS)):
            print(target, len(os.listdir(os.path.join(SEEDS, target))))
