"""Xiongmai NetIP (DVRIP "Sofia") broadcast discovery, UDP 34569.

The request is a bare 20-byte header, little-endian ``<BBHIIHHI``: head 0xFF, version 0,
two reserved bytes, session id 0, sequence 0, two bytes (total/current packet) 0,
message id 1530, payload length 0. A device answers with message id 1531 and a JSON
payload whose ``NetWork.NetCommon`` object holds HostIP (a little-endian hex IPv4,
"0x0A01A8C0" = 192.168.1.10), MAC, HostName, SN, TCPPort. Format as described by
OpenIPC/python-dvr (DeviceManager.py, SearchXM and GetIP).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import struct
from collections.abc import Mapping
from typing import Final

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core._json import load_json_object, scalar_text
from camcensus.scanner.core.limits import MAX_UDP_REPLY_BYTES

__all__ = [
    "HEADER",
    "PORT",
    "REPLY_MSG_ID",
    "SEARCH_MSG_ID",
    "SOURCE",
    "build_search",
    "decode_host_ip",
    "message_evidence",
    "parse_reply",
]

PORT: Final = 34569
SOURCE: Final = "netip"
HEADER: Final = struct.Struct("<BBHIIHHI")
SEARCH_MSG_ID: Final = 1530
REPLY_MSG_ID: Final = 1531
_HEAD_BYTE: Final = 0xFF


def build_search() -> bytes:
    """The 20-byte NetIP search request (message id 1530, empty payload)."""
    return HEADER.pack(_HEAD_BYTE, 0, 0, 0, 0, 0, SEARCH_MSG_ID, 0)


def decode_host_ip(text: str) -> str:
    """``"0x0A01A8C0"`` (little-endian hex) -> ``"192.168.1.10"``; MalformedReplyError if bad."""
    try:
        number = int(text.strip(), 16)
        return str(ipaddress.IPv4Address(number.to_bytes(4, "little")))
    except (ValueError, OverflowError) as exc:
        raise MalformedReplyError(f"NetIP HostIP is not a hex IPv4: {text[:40]!r}") from exc


_HEX_IPV4: Final = re.compile(r"0x[0-9A-Fa-f]{8}")
"""NetCommon's own spelling of an address, little-endian hex: no other API writes one so."""
_SYSTEM_INFO: Final = (
    ("HardWare", "netip.hardware"),
    ("DeviceModel", "netip.hardware"),
    ("SoftWareVersion", "netip.firmware"),
    ("SerialNo", "netip.serial"),
    ("BuildTime", "netip.build_time"),
)


def _other_message_evidence(message: Mapping[str, object], address: str) -> list[Evidence]:
    info = message.get("SystemInfo", message)
    found = EvidenceList(SOURCE, address)
    if isinstance(info, dict):
        for field, key in _SYSTEM_INFO:
            found.add(key, scalar_text(info.get(field)))
    if "AliveInterval" in message and "SessionID" in message:
        found.add("netip.login", "ok" if message.get("Ret") == 100 else "refused")
        device_type = message.get("DeviceType ", message.get("DeviceType"))
        found.add("netip.device_type", scalar_text(device_type))
    if not found.items():
        raise MalformedReplyError("NetIP reply: neither NetCommon, SystemInfo nor a login")
    return found.items()


def parse_reply(data: bytes, address: str) -> list[Evidence]:
    """Evidence from one NetIP datagram; ``[]`` for other message ids (our own 1530 echo).

    Raises MalformedReplyError for a short or foreign header, a payload length past the
    datagram, or bad JSON; ReplyTooLargeError over the UDP cap.
    """
    if len(data) > MAX_UDP_REPLY_BYTES:
        raise ReplyTooLargeError(f"NetIP reply: {len(data)} bytes, cap is {MAX_UDP_REPLY_BYTES}")
    if len(data) < HEADER.size:
        raise MalformedReplyError(f"NetIP reply: {len(data)} bytes, header needs {HEADER.size}")
    head, _version, _r1, _session, _seq, _packets, msg_id, length = HEADER.unpack_from(data)
    if head != _HEAD_BYTE:
        raise MalformedReplyError(f"NetIP reply: head byte 0x{head:02x}, expected 0xff")
    if msg_id != REPLY_MSG_ID or length == 0:
        return []
    payload = data[HEADER.size : HEADER.size + length]
    if len(payload) < length:
        raise MalformedReplyError(
            f"NetIP reply: header announces {length} payload bytes, {len(payload)} present"
        )
    message = load_json_object(payload.rstrip(b"\x00\n\r "), "NetIP reply")
    return message_evidence(message, address)


def message_evidence(message: Mapping[str, object], address: str) -> list[Evidence]:
    """Evidence from the JSON of a NetIP message, framing removed: a search reply
    (``NetWork.NetCommon``), a ``SystemInfo`` answer (hardware, firmware, serial; as an
    object of its own or the bare fields), or a login answer (``AliveInterval``,
    ``SessionID``, and Xiongmai's own ``"DeviceType "`` key, trailing space included).
    MalformedReplyError when it is none of them."""
    common = message.get("NetWork.NetCommon")
    if not isinstance(common, dict) and _HEX_IPV4.fullmatch(str(message.get("HostIP", ""))):
        common = message  # the object alone, as a client printed it ("HostIP": "0x0A01A8C0")
    if not isinstance(common, dict):
        return _other_message_evidence(message, address)
    found = EvidenceList(SOURCE, address)
    found.add("netip.hostname", scalar_text(common.get("HostName")))
    found.add("netip.serial", scalar_text(common.get("SN")))
    found.add_mac("netip.mac", scalar_text(common.get("MAC")))
    found.add("netip.tcp_port", scalar_text(common.get("TCPPort")))
    host_ip = scalar_text(common.get("HostIP"))
    if host_ip:
        with contextlib.suppress(MalformedReplyError):  # a bad field drops that field only
            found.add_ip(decode_host_ip(host_ip))
    return found.items()
