"""A flooding lab device: one process inside that device's own network namespace.

A profile's ``[flood]`` table (``kind``, ``pps``, ``size_bytes``) makes the emulator
start this process with ``ip netns exec`` in the device's namespace, so every packet
leaves from the device's own address and never from anywhere else:

* ``kind = "sadp"``: unsolicited Hikvision SADP ProbeMatches, each with a new serial,
  padded to ``size_bytes``, multicast to the SADP group 239.255.255.250:37020 (TTL 1:
  the lab segment only), ``pps`` a second, for as long as it runs;
* ``kind = "wsd"``: it answers each WS-Discovery Probe heard on the group with a burst
  of ``burst`` ProbeMatches, each with other scopes, unicast to the prober at ``pps``.

The process stops when the emulator that started it is gone (it checks its parent)
and after ``MAX_RUN_S``; it writes how many datagrams it sent to ``count_path``, 0
as soon as its socket is ready.

Run as ``python -m camcensus.lab.flood SPEC_JSON`` (the emulator does this).
"""

from __future__ import annotations

import json
import os
import select
import socket
import struct
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from camcensus.lab import wsd

__all__ = ["KINDS", "main", "sadp_datagram", "wsd_matches"]

KINDS = frozenset({"sadp", "wsd"})
GROUP = "239.255.255.250"
SADP_PORT = 37020
WSD_PORT = 3702
BATCH = 50
"""Datagrams sent between two looks at the clock."""
MAX_RUN_S = 900.0


def sadp_datagram(spec: Mapping[str, Any], number: int) -> bytes:
    """One unsolicited SADP ProbeMatch of the flooding device (serial ``number``),
    padded to ``size_bytes``."""
    text = (
        '<?xml version="1.0" encoding="UTF-8"?><ProbeMatch>'
        f"<Uuid>{uuid.uuid4()}</Uuid><Types>inquiry</Types>"
        f"<DeviceType>139</DeviceType><DeviceDescription>DS-2CD2143G2-I</DeviceDescription>"
        f"<DeviceSN>FLOOD{number:012d}</DeviceSN>"
        f"<MAC>{spec['mac_dash'].lower()}</MAC><IPv4Address>{spec['ip']}</IPv4Address>"
        f"<SoftwareVersion>V5.{number % 1000}.0</SoftwareVersion>"
    )
    tail = "</ProbeMatch>"
    pad = int(spec["size_bytes"]) - len(text) - len(tail) - len("<Pad></Pad>")
    if pad > 0:
        text += "<Pad>" + "x" * pad + "</Pad>"
    return (text + tail).encode()


def wsd_matches(spec: Mapping[str, Any], relates_to: str, count: int) -> list[bytes]:
    """``count`` ProbeMatches for one Probe, each naming other scopes."""
    values = dict(spec["values"])
    out = []
    for i in range(count):
        table = {
            "scopes": [
                f"onvif://www.onvif.org/name/FLOOD-{i}",
                f"onvif://www.onvif.org/hardware/FLOOD-HW-{i}",
                f"onvif://www.onvif.org/location/room-{i}",
            ],
        }
        out.append(wsd.probe_match(table, values, relates_to, str(uuid.uuid4())))
    return out


class _Pacer:
    def __init__(self, pps: float) -> None:
        self.interval_s = 1.0 / pps
        self.next_s = time.monotonic()
        self.parent = os.getppid()

    def wait(self, sent: int) -> bool:
        """After ``sent`` more datagrams: sleep to the rate; False once the parent is gone."""
        self.next_s += sent * self.interval_s
        delay_s = self.next_s - time.monotonic()
        if delay_s > 0:
            time.sleep(delay_s)
        elif delay_s < -1.0:  # far behind (a slow machine): do not burst to catch up
            self.next_s = time.monotonic()
        return os.getppid() == self.parent


def _socket(ip: str, port: int, join: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    if join:
        sock.bind(("0.0.0.0", port))  # noqa: S104 (inside the device's lab namespace only)
        mreq = struct.pack("4s4s", socket.inet_aton(GROUP), socket.inet_aton(ip))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    else:
        sock.bind((ip, 0))
    return sock


def _write_count(spec: Mapping[str, Any], sent: int) -> None:
    path = Path(spec["count_path"])
    partial = path.with_suffix(".partial")
    partial.write_text(str(sent), encoding="ascii")
    partial.replace(path)  # a reader never sees half a number


def _send(sock: socket.socket, payload: bytes, dest: tuple[str, int]) -> int:
    try:
        sock.sendto(payload, dest)
    except OSError:  # a full queue (ENOBUFS) drops the datagram: the flood goes on
        return 0
    return 1


def flood_sadp(spec: Mapping[str, Any]) -> None:
    sock = _socket(str(spec["ip"]), 0, join=False)
    _write_count(spec, 0)  # ready
    pacer = _Pacer(float(spec["pps"]))
    started = time.monotonic()
    sent = number = 0
    while time.monotonic() - started < MAX_RUN_S:
        for _ in range(BATCH):
            number += 1
            sent += _send(sock, sadp_datagram(spec, number), (GROUP, SADP_PORT))
        _write_count(spec, sent)
        if not pacer.wait(BATCH):
            return


def flood_wsd(spec: Mapping[str, Any]) -> None:
    sock = _socket(str(spec["ip"]), WSD_PORT, join=True)
    _write_count(spec, 0)  # ready: it hears Probes from now on
    pacer = _Pacer(float(spec["pps"]))
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < MAX_RUN_S:
        ready, _, _ = select.select([sock], [], [], 1.0)
        if os.getppid() != pacer.parent:
            return
        if not ready:
            continue
        data, addr = sock.recvfrom(65535)
        probe = wsd.parse_probe(data)
        if probe is None:
            continue
        burst = wsd_matches(spec, probe.message_id, int(spec["burst"]))
        pacer.next_s = time.monotonic()
        for start in range(0, len(burst), BATCH):
            for payload in burst[start : start + BATCH]:
                sent += _send(sock, payload, addr)
            _write_count(spec, sent)
            if not pacer.wait(BATCH):
                return


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m camcensus.lab.flood SPEC_JSON", file=sys.stderr)  # noqa: T201
        return 2
    spec = json.loads(args[0])
    if spec["kind"] == "sadp":
        flood_sadp(spec)
    else:
        flood_wsd(spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
