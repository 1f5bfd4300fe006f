"""A Dahua port-37777 login as a captured client sent it, replayed against one lab
device; prints one JSON document with the device's replies.

The two requests are the header bytes of the login in r4bit999/dvrip-analysis@2819e5931f03
dvripNetzobInferring-output-example.txt (first: 0xA0 05 00 60 with no payload; second:
the same command with ``<user>&&<hash>``); the hash is the one hashCreator.py@94748712565d
of that repository describes, written here from its description:
MD5(user:random:MD5(user:realm:password)) then MD5(user:random:<8-char password
digest>), upper-case hex; the 8-char digest sums the MD5 bytes in pairs modulo 62.

    dvrip_replay.py IP USER        (the password comes on stdin: never argv)
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import sys

FIRST = bytes.fromhex("a005006000000000c4a3af489956b6b4fa269dec29d84afb050200010000a1aa")
SECOND = bytes.fromhex("a00500600000000000000000000000000000000000000000050200080000a1aa")
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("latin-1")).hexdigest().upper()  # noqa: S324


def _eight(password: str) -> str:
    raw = hashlib.md5(password.encode("latin-1")).digest()  # noqa: S324
    return "".join(DIGITS[(raw[i] + raw[i + 1]) % 62] for i in range(0, 16, 2))


def _reply(sock: socket.socket) -> tuple[bytes, bytes]:
    head = b""
    while len(head) < 32:
        chunk = sock.recv(32 - len(head))
        if not chunk:
            raise ConnectionError("closed")
        head += chunk
    (length,) = struct.unpack_from("<I", head, 4)
    body = b""
    while len(body) < length:
        body += sock.recv(length - len(body))
    return head, body


def main(ip: str, user: str) -> None:
    password = sys.stdin.readline().rstrip("\n")
    out: dict[str, object] = {}
    with socket.create_connection((ip, 37777), timeout=10) as sock:
        sock.sendall(FIRST)
        head, body = _reply(sock)
        out["challenge_head"] = head.hex()
        out["challenge"] = body.decode("latin-1")
        fields = dict(
            line.split(":", 1) for line in body.decode("latin-1").split("\r\n") if ":" in line
        )
        realm, random = fields["Realm"], fields["Random"]
        for name, secret in (("right", password), ("wrong", "not-" + password)):
            digest = _md5(f"{user}:{random}:{_md5(f'{user}:{realm}:{secret}')}")
            payload = f"{user}&&{digest}{_md5(f'{user}:{random}:{_eight(secret)}')}".encode()
            sock.sendall(SECOND[:4] + struct.pack("<I", len(payload)) + SECOND[8:] + payload)
            head, _ = _reply(sock)
            out[name] = head.hex()
            if name == "right":  # a new login on the same connection asks for a new challenge
                sock.sendall(FIRST)
                _, body = _reply(sock)
                random = dict(
                    line.split(":", 1)
                    for line in body.decode("latin-1").split("\r\n")
                    if ":" in line
                )["Random"]
    print(json.dumps(out))  # noqa: T201


if __name__ == "__main__":
    main(*sys.argv[1:])
