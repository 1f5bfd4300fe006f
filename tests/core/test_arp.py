"""ARP frames and the reply-only kernel filter (pure)."""

from __future__ import annotations

import struct

import pytest

from camcensus.scanner.core import arp

OUR_MAC = bytes.fromhex("02aabbccddee")


def _reply(ip: bytes, mac: bytes, opcode: int = 2, ethertype: int = 0x0806) -> bytes:
    head = b"\xff" * 6 + mac + struct.pack("!H", ethertype)
    return head + struct.pack("!HHBBH", 1, 0x0800, 6, 4, opcode) + mac + ip + OUR_MAC + bytes(4)


def test_a_request_is_a_broadcast_who_has() -> None:
    frame = arp.build_request(OUR_MAC, "198.18.0.1", "198.18.0.10")
    assert len(frame) == arp.FRAME_BYTES
    assert frame[:6] == b"\xff" * 6
    assert frame[6:12] == OUR_MAC
    assert frame[12:14] == b"\x08\x06"
    assert frame[20:22] == b"\x00\x01"
    assert frame[28:32] == bytes([198, 18, 0, 1])
    assert frame[38:42] == bytes([198, 18, 0, 10])
    assert arp.parse_reply(frame) is None  # a request is no answer
    with pytest.raises(ValueError, match="6 bytes"):
        arp.build_request(b"\x00", "198.18.0.1", "198.18.0.10")


def test_a_reply_gives_sender_address_and_mac() -> None:
    frame = _reply(bytes([198, 18, 0, 10]), bytes.fromhex("bcad280a0b0c"))
    assert arp.parse_reply(frame) == ("198.18.0.10", "bc:ad:28:0a:0b:0c")
    assert arp.parse_reply(frame + bytes(18)) == ("198.18.0.10", "bc:ad:28:0a:0b:0c")  # padded
    assert arp.parse_reply(frame[:30]) is None
    assert arp.parse_reply(_reply(bytes(4), OUR_MAC, ethertype=0x0800)) is None


def _run_filter(frame: bytes) -> int:
    """A tiny classic-BPF interpreter for the instructions REPLY_FILTER uses."""
    pc = 0
    acc = 0
    while True:
        code, jt, jf, k = arp.REPLY_FILTER[pc]
        if code == 0x28:  # ldh [k]
            if k + 2 > len(frame):
                return 0
            acc = int.from_bytes(frame[k : k + 2], "big")
            pc += 1
        elif code == 0x15:  # jeq #k
            pc += 1 + (jt if acc == k else jf)
        elif code == 0x06:  # ret #k
            return k
        else:
            raise AssertionError(f"unexpected BPF code {code:#x}")


def test_the_kernel_filter_keeps_arp_replies_only() -> None:
    reply = _reply(bytes([198, 18, 0, 10]), bytes.fromhex("bcad280a0b0c"))
    assert _run_filter(reply) > 0
    assert _run_filter(arp.build_request(OUR_MAC, "198.18.0.1", "198.18.0.10")) == 0
    udp_multicast = b"\x01\x00\x5e\x7f\xff\xfa" + OUR_MAC + b"\x08\x00" + bytes(60_000)
    assert _run_filter(udp_multicast) == 0
    assert _run_filter(b"\x00" * 10) == 0
