from __future__ import annotations

import json
import struct
from collections.abc import Callable

import pytest

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core import netip
from camcensus.scanner.core.replies import parse_reply

ADDRESS = "198.18.0.13"


def reply(payload: bytes, msg_id: int = 1531, length: int | None = None) -> bytes:
    size = len(payload) if length is None else length
    return struct.pack("<BBHIIHHI", 0xFF, 1, 0, 0, 0, 0, msg_id, size) + payload


def test_build_search_is_the_20_byte_header() -> None:
    packet = netip.build_search()
    assert packet == bytes.fromhex("ff00000000000000000000000000fa0500000000")
    assert len(packet) == 20


@pytest.mark.parametrize(
    ("text", "address"),
    [("0x0A01A8C0", "192.168.1.10"), ("0x0D0012C6", "198.18.0.13"), ("0D0012C6", "198.18.0.13")],
)
def test_decode_host_ip_little_endian(text: str, address: str) -> None:
    assert netip.decode_host_ip(text) == address


@pytest.mark.parametrize("text", ["", "0x1FFFFFFFF", "nonsense", "-0x1"])
def test_decode_host_ip_rejects_garbage(text: str) -> None:
    with pytest.raises(MalformedReplyError):
        netip.decode_host_ip(text)


def test_parse_reply_fields(capture: Callable[[str], bytes]) -> None:
    found = netip.parse_reply(capture("netip_reply.bin"), ADDRESS)
    assert {e.key: e.value for e in found} == {
        "netip.hostname": "NVR",
        "netip.serial": "a1b2c3d4e5f60718",
        "netip.mac": "00:12:41:0a:0b:0d",
        "mac": "00:12:41:0a:0b:0d",
        "netip.tcp_port": "34567",
        "ip": "198.18.0.13",
    }


def test_own_search_echo_is_ignored() -> None:
    assert netip.parse_reply(netip.build_search(), ADDRESS) == []


def test_bad_host_ip_drops_only_ip() -> None:
    payload = json.dumps({"NetWork.NetCommon": {"SN": "abc", "HostIP": "zz"}}).encode()
    assert [(e.key, e.value) for e in netip.parse_reply(reply(payload), ADDRESS)] == [
        ("netip.serial", "abc")
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\x01\x00",  # truncated header
        b"\x00" * 20,  # not a NetIP head byte
        reply(b'{"NetWork.NetCommon":{}}', length=500),  # length past the datagram
        reply(b'{"Ret":100}'),  # no NetCommon
        reply(b'{"NetWork.NetCommon":'),  # cut JSON
        reply(b"[1,2,3]"),
    ],
)
def test_garbage_raises_malformed(data: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        netip.parse_reply(data, ADDRESS)


def test_oversized_reply_refused() -> None:
    with pytest.raises(ReplyTooLargeError):
        netip.parse_reply(reply(b"{" + b" " * 10_000_000 + b"}"), ADDRESS)


def test_a_netcommon_object_printed_alone_is_read_as_a_search_reply() -> None:
    # hass-xmeye's tests print the NetWork.NetCommon object of an NBD8008R-U's config
    # reply on its own (corpus item xiongmai-netip-netcommon-hassxmeye-nbd8008r-u)
    printed = (
        b'NET_COMMON = {\n "HostIP": "0x0A01A8C0",\n "HostName": "LocalHost",\n'
        b' "TCPPort": 34567,\n}\n'
    )
    found = {(e.key, e.value) for e in parse_reply("netip", printed)}
    assert ("netip.tcp_port", "34567") in found
    assert ("netip.hostname", "LocalHost") in found
    # an object with some other HostIP is none of NetIP's messages
    with pytest.raises(MalformedReplyError):
        parse_reply("netip", b'{"HostIP": "192.168.1.10", "TCPPort": 80}')
