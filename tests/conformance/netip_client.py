"""python-dvr (PyPI, module ``dvrip``: OpenIPC/NeiroNx's Xiongmai DVRIP/Sofia client)
logging in to one lab device's port 34567; prints one JSON document.

    netip_client.py IP USER        (the password comes on stdin: never argv)
"""

from __future__ import annotations

import json
import sys

from dvrip import DVRIPCam


def main(ip: str, user: str) -> None:
    password = sys.stdin.readline().rstrip("\n")
    cam = DVRIPCam(ip, user=user, password=password)
    try:
        cam.connect(timeout=10)
        ok = bool(cam.login())  # the login, then one KeepAlive round trip
        result = {"login": ok, "session": cam.session, "alive": cam.alive_time}
    finally:
        sock = cam.socket
        cam.close()  # python-dvr leaves the socket open when no login succeeded
        if sock is not None:
            sock.close()
    print(json.dumps(result))  # noqa: T201


if __name__ == "__main__":
    main(*sys.argv[1:])
