"""Passive capture on the root namespace's interfaces, to prove lab traffic stays in the lab."""

from __future__ import annotations

import socket
import threading
from collections.abc import Collection

LAB_NET_PREFIX = bytes([198, 18])  # 198.18.0.0/15: every lab address starts so
MARKER = b"camcensus-capture-marker"


class RootCapture:
    """Every frame on the root namespace's interfaces while in use (sends nothing)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
        self.sock.settimeout(0.2)
        self.frames: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.frames.append(self.sock.recv(65535))
            except TimeoutError:
                continue

    def __enter__(self) -> RootCapture:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()

    @staticmethod
    def send_marker() -> None:
        """A datagram on the host's loopback: a capture that misses it saw nothing."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as marker:
            marker.sendto(MARKER, ("127.0.0.1", 9))

    def saw_marker(self) -> bool:
        return any(MARKER in frame for frame in self.frames)

    def lab_frames(self, lab_macs: Collection[bytes]) -> list[str]:
        """Hex heads of the frames that carry a lab MAC or an IPv4 lab address."""
        leaks = []
        for frame in self.frames:
            src_mac, dst_mac, ethertype = frame[6:12], frame[0:6], frame[12:14]
            ipv4 = ethertype == b"\x08\x00"
            lab_ip = ipv4 and LAB_NET_PREFIX in (frame[26:28], frame[30:32])
            arp_lab = ethertype == b"\x08\x06" and LAB_NET_PREFIX in (frame[28:30], frame[38:40])
            if src_mac in lab_macs or dst_mac in lab_macs or lab_ip or arp_lab:
                leaks.append(frame[:42].hex())
        return leaks
