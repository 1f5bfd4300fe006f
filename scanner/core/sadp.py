"""Hikvision SADP (Search Active Devices Protocol), UDP 37020: inquiry and ProbeMatch.

The inquiry is a small XML ``<Probe>``; devices answer with an XML ``<ProbeMatch>`` of
flat fields (model, serial, firmware, OEM codes, MAC, addresses). Formats as described
by julienblitte/UniversalScanner (UniversalScanner/Hikvision.cs and its .selftest) and
cameronnewman/hikvision-tooling (internal/sadp/scanner.go).
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Final
from xml.sax.saxutils import escape

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core._xml import child_text, local_name, parse_xml
from camcensus.scanner.core.limits import MAX_UDP_REPLY_BYTES

__all__ = ["FIELDS", "GROUP", "PORT", "SOURCE", "build_inquiry", "parse_reply"]

PORT: Final = 37020
GROUP: Final = "239.255.255.250"
"""Hikvision devices answer the inquiry to this group, not to the sender."""
SOURCE: Final = "sadp"

FIELDS: Final = (
    ("DeviceType", "sadp.device_type"),
    ("DeviceDescription", "sadp.model"),
    ("DeviceSN", "sadp.serial"),
    ("SoftwareVersion", "sadp.firmware"),
    ("DSPVersion", "sadp.dsp_version"),
    ("OEMInfo", "sadp.oem_info"),
    ("DetailOEMCode", "sadp.oem_code"),
    ("DigitalChannelNum", "sadp.digital_channels"),
    ("AnalogChannelNum", "sadp.analog_channels"),
)


def build_inquiry(uuid: str) -> bytes:
    """The SADP ``inquiry`` probe carrying ``uuid`` (upper-cased, as the vendor tool sends it).

    Raises ValueError when ``uuid`` is not a UUID.
    """
    canonical = str(uuid_module.UUID(uuid)).upper()
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<Probe><Uuid>{escape(canonical)}</Uuid><Types>inquiry</Types></Probe>"
    ).encode()


def parse_reply(data: bytes, address: str) -> list[Evidence]:
    """Evidence from one SADP datagram; ``[]`` for probes (ours or another tool's).

    Raises MalformedReplyError for non-XML and ReplyTooLargeError over the UDP cap.
    """
    root = parse_xml(data, "SADP reply", max_bytes=MAX_UDP_REPLY_BYTES)
    name = local_name(root.tag)
    if name == "Probe":
        return []
    if name != "ProbeMatch":
        raise MalformedReplyError(f"SADP reply: unexpected root element <{name[:40]}>")
    found = EvidenceList(SOURCE, address)
    for field, key in FIELDS:
        found.add(key, child_text(root, field))
    found.add_mac("sadp.mac", child_text(root, "MAC"))
    found.add_ip(child_text(root, "IPv4Address"))
    return found.items()
