"""ARP over Ethernet (RFC 826), pure: who-has requests, is-at replies, and the kernel
filter that lets a socket receive is-at replies only.

The sweep's socket sees only what ``REPLY_FILTER`` admits, so a flood of other frames
on the link (multicast, broadcast, unicast to us) never reaches its receive queue.
"""

from __future__ import annotations

import ipaddress
import struct
from typing import Final

__all__ = [
    "ETH_P_ARP",
    "FRAME_BYTES",
    "REPLY_FILTER",
    "build_request",
    "parse_neighbour_table",
    "parse_reply",
]

ETH_P_ARP: Final = 0x0806
FRAME_BYTES: Final = 42
"""Ethernet header (14) and an IPv4-over-Ethernet ARP packet (28)."""
_BROADCAST: Final = b"\xff" * 6
_ARP_HEAD: Final = struct.pack("!HHBB", 1, 0x0800, 6, 4)  # Ethernet, IPv4, 6, 4
_REQUEST: Final = 1
_REPLY: Final = 2

REPLY_FILTER: Final = (
    (0x28, 0, 0, 12),  # ldh [12]      EtherType
    (0x15, 0, 3, ETH_P_ARP),  # jeq ARP
    (0x28, 0, 0, 20),  # ldh [20]      ARP opcode
    (0x15, 0, 1, _REPLY),  # jeq is-at
    (0x06, 0, 0, 0xFFFF),  # ret: keep the frame
    (0x06, 0, 0, 0),  # ret 0: drop it
)
"""Classic BPF (``SO_ATTACH_FILTER``): keep ARP is-at frames, drop everything else;
one ``(code, jt, jf, k)`` a line."""


def _ipv4(address: str) -> bytes:
    return ipaddress.IPv4Address(address).packed


def build_request(our_mac: bytes, our_ip: str, target_ip: str) -> bytes:
    """A broadcast who-has ``target_ip`` from ``our_mac`` / ``our_ip``."""
    if len(our_mac) != 6:
        raise ValueError("an Ethernet MAC is 6 bytes")
    header = _BROADCAST + our_mac + struct.pack("!H", ETH_P_ARP)
    body = _ARP_HEAD + struct.pack("!H", _REQUEST) + our_mac + _ipv4(our_ip)
    return header + body + b"\x00" * 6 + _ipv4(target_ip)


def parse_reply(frame: bytes) -> tuple[str, str] | None:
    """``(sender address, sender MAC)`` of an IPv4 is-at frame; None for anything else."""
    if len(frame) < FRAME_BYTES or frame[12:14] != struct.pack("!H", ETH_P_ARP):
        return None
    if frame[14:20] != _ARP_HEAD or frame[20:22] != struct.pack("!H", _REPLY):
        return None
    mac = ":".join(f"{b:02x}" for b in frame[22:28])
    return str(ipaddress.IPv4Address(frame[28:32])), mac


_ATF_COM: Final = 0x02
"""``/proc/net/arp`` flag of an entry the kernel completed from an ARP reply."""


def parse_neighbour_table(text: str, interface: str) -> list[tuple[str, str]]:
    """``(address, MAC)`` of every complete IPv4-over-Ethernet entry on ``interface`` in
    the text of ``/proc/net/arp`` (the kernel's ARP cache: filled by the ARP replies to
    its own requests, so link-layer facts).  Lines that do not parse are skipped.

    >>> parse_neighbour_table(
    ...     "IP address       HW type     Flags       HW address            Mask     Device\\n"
    ...     "198.18.0.5       0x1         0x2         c4:2f:90:00:00:05     *        eth0\\n"
    ...     "198.18.0.6       0x1         0x0         00:00:00:00:00:00     *        eth0\\n"
    ...     "10.0.0.1         0x1         0x2         00:11:22:33:44:55     *        wlan0\\n",
    ...     "eth0")
    [('198.18.0.5', 'c4:2f:90:00:00:05')]
    """
    found: list[tuple[str, str]] = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) != 6 or fields[5] != interface or fields[1] != "0x1":
            continue
        try:
            flags = int(fields[2], 16)
            ipaddress.IPv4Address(fields[0])
        except ValueError:
            continue
        if flags & _ATF_COM:
            found.append((fields[0], fields[3].lower()))
    return found
