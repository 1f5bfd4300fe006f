"""Dahua DHIP discovery, UDP 37810: ``DHDiscover.search`` and ``client.notifyDevInfo``.

A 32-byte header (little-endian header size 32, ASCII ``DHIP``, 8 zero bytes, the
payload length twice as 64-bit little-endian) precedes a JSON body; bare JSON gets no
reply. Replies carry ``params.deviceInfo`` (model, serial, firmware, vendor ...) and
the MAC as a top-level ``mac``. Formats as described by rroller/dahua
(custom_components/dahua/discovery.py) and julienblitte/UniversalScanner
(UniversalScanner/Dahua2.cs).
"""

from __future__ import annotations

import json
import struct
from typing import Final

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core._json import cut_json, load_json_object, scalar_text
from camcensus.scanner.core.limits import MAX_UDP_REPLY_BYTES

__all__ = [
    "FIELDS",
    "GROUP",
    "HEADER_BYTES",
    "MAGIC",
    "PORT",
    "SOURCE",
    "build_search",
    "parse_reply",
]

PORT: Final = 37810
GROUP: Final = "239.255.255.251"
SOURCE: Final = "dhip"
MAGIC: Final = b"DHIP"
HEADER_BYTES: Final = 32

_SEARCH_METHOD: Final = "DHDiscover.search"
_REPLY_METHOD: Final = "client.notifyDevInfo"

FIELDS: Final = (
    ("Vendor", "dhip.vendor"),
    ("Manufacturer", "dhip.manufacturer"),
    ("DeviceClass", "dhip.device_class"),
    ("DeviceType", "dhip.device_type"),
    ("SerialNo", "dhip.serial"),
    ("Version", "dhip.firmware"),
    ("MachineName", "dhip.machine_name"),
    ("RemoteVideoInputChannels", "dhip.remote_channels"),
    ("VideoInputChannels", "dhip.video_inputs"),
    # the same facts as the RPC calls behind them answer them (magicBox.getSystemInfo,
    # getSerialNo, getMachineName, getVendor: camelCase, in an answer's params)
    ("vendor", "dhip.vendor"),
    ("deviceType", "dhip.device_type"),
    ("serialNumber", "dhip.serial"),
    ("version", "dhip.firmware"),
    ("name", "dhip.machine_name"),
)
"""Device-information field -> evidence key (discovery's ``deviceInfo`` names, then
the RPC answers' names)."""
_NOTIFY_PREFIX: Final = "client.notify"
"""Methods a Dahua device calls on its client (event streams, device info), never a
request another client sends."""
_ANSWER_KEYS: Final = frozenset({"id", "result", "session", "params", "error"})


def _frame(body: bytes) -> bytes:
    size = len(body)
    return (
        struct.pack("<I", HEADER_BYTES) + MAGIC + bytes(8) + struct.pack("<QQ", size, size) + body
    )


def _cut_short(raw: bytes) -> bool:
    """Whether the JSON text at the start of ``raw`` ends before its document does (the
    reader then kept the members complete before the cut)."""
    text = raw.decode("utf-8", errors="replace").rstrip("\x00")
    try:
        json.JSONDecoder(strict=False).raw_decode(text)
    except json.JSONDecodeError:
        return cut_json(text) is not None
    except ValueError:
        return False
    return False


def build_search() -> bytes:
    """The DHIP-framed ``DHDiscover.search`` request (header + compact JSON)."""
    body = json.dumps(
        {"method": _SEARCH_METHOD, "params": {"mac": "", "uni": 1}}, separators=(",", ":")
    ).encode()
    return _frame(body)


def parse_reply(data: bytes, address: str) -> list[Evidence]:
    """Evidence from one DHIP message: device info (``params.deviceInfo``, sent as
    ``client.notifyDevInfo`` or in another method's answer), the realm
    from a login challenge (``dhip.realm``); ``[]`` for search requests and other calls.
    A notifyDevInfo cut short also gives ``dhip.method`` (the fields before the cut may
    be none); a DHIP-framed answer cut before its ``session``, ``dhip.answer``.

    The JSON is found at the first ``{`` (header length varies by firmware); a document
    cut short is read as far as it goes (``_json.cut_json``). Raises MalformedReplyError
    for a truncated header, no JSON, bad JSON or a notifyDevInfo without ``deviceInfo``;
    ReplyTooLargeError over the UDP cap.
    """
    if len(data) > MAX_UDP_REPLY_BYTES:
        raise ReplyTooLargeError(f"DHIP reply: {len(data)} bytes, cap is {MAX_UDP_REPLY_BYTES}")
    if data[4:8] == MAGIC and len(data) < HEADER_BYTES:
        raise MalformedReplyError(f"DHIP reply: truncated header ({len(data)} bytes)")
    start = data.find(b"{")
    if start < 0:
        raise MalformedReplyError("DHIP reply: no JSON body")
    message = load_json_object(data[start:], "DHIP reply")
    method = message.get("method")
    params = message.get("params")
    has_info = isinstance(params, dict) and isinstance(params.get("deviceInfo"), dict)
    if method != _REPLY_METHOD and not has_info:
        # an answer to a call (no method): its shape is Dahua's RPC, a login challenge
        # names its realm ("Login to <serial>") and an information call its facts; a
        # notification the device pushes (client.notifyEventStream ...) names its
        # method; requests (a search another host sent) say nothing about the sender
        found = EvidenceList(SOURCE, address)
        if isinstance(method, str) and method.startswith(_NOTIFY_PREFIX):
            found.add("dhip.method", method[:64])
        framed = data[4:8] == MAGIC
        if (
            method is None
            and set(message) <= _ANSWER_KEYS
            and ("session" in message or (framed and message and _cut_short(data[start:])))
        ):
            # a DHIP-framed answer cut before its session: the members kept so far
            found.add("dhip.answer", ",".join(sorted(message)))
        if method is None and isinstance(params, dict):
            found.add("dhip.realm", scalar_text(params.get("realm")))
            for field, key in FIELDS:
                found.add(key, scalar_text(params.get(field)))
        return found.items()
    if not isinstance(params, dict) or not isinstance(info := params.get("deviceInfo"), dict):
        if _cut_short(data[start:]):
            # a notifyDevInfo published or captured only in part (cut before its
            # deviceInfo): the method still says it is Dahua's discovery answer
            found = EvidenceList(SOURCE, address)
            found.add("dhip.method", _REPLY_METHOD)
            return found.items()
        what = "params" if not isinstance(params, dict) else "params.deviceInfo"
        raise MalformedReplyError(f"DHIP reply: notifyDevInfo without {what}")
    found = EvidenceList(SOURCE, address)
    if method == _REPLY_METHOD and _cut_short(data[start:]):
        found.add("dhip.method", _REPLY_METHOD)  # the fields before the cut may be none
    for field, key in FIELDS:
        found.add(key, scalar_text(info.get(field)))
    for mac in (message.get("mac"), params.get("mac"), info.get("Mac"), info.get("mac")):
        found.add_mac("dhip.mac", scalar_text(mac))
    ipv4 = info.get("IPv4Address")
    if isinstance(ipv4, dict):
        found.add_ip(scalar_text(ipv4.get("IPAddress")))
    return found.items()
