"""MAC address normalisation: every MAC in camcensus is ``aa:bb:cc:dd:ee:ff``."""

from __future__ import annotations

import re
from typing import Final

from camcensus.base.errors import MalformedReplyError

__all__ = [
    "eui64_macs",
    "is_locally_administered",
    "is_unicast_assigned",
    "normalise_mac",
    "uuid_node_mac",
]

_SEPARATED: Final = re.compile(r"[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}")
_DOTTED: Final = re.compile(r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}")
_PLAIN: Final = re.compile(r"[0-9A-Fa-f]{12}")
_NODE_UUID: Final = re.compile(
    r"(?:urn:)?uuid:[0-9a-f]{8}-[0-9a-f]{4}-(?:[12][0-9a-f]{3}-[89ab]|[0-9a-f]{4}-[0-7])"
    r"[0-9a-f]{3}-([0-9a-f]{12})",
    re.IGNORECASE,
)
"""A UUID whose node field is the host's IEEE 802 address: time-based (RFC 4122 version
1, and version 2, DCE Security, which keeps the same node field), or hand-built by a
firmware outside the RFC's variant (variant bits 0xxx, reserved for the obsolete NCS
layout no generator writes today: camera firmware that lays out its own UUID ends it
with the MAC)."""
_ANY_UUID: Final = re.compile(
    r"(?:urn:)?uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)
_BUILT_ID: Final = re.compile(r"(?:urn:)?uuid:[\w.-]{0,64}[-_]([0-9a-f]{12})", re.IGNORECASE)
"""A firmware's own identifier in uuid: form that ends with the MAC
("uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8")."""
_EUI64_IPV6: Final = re.compile(
    r"\[[0-9A-Fa-f:]*?:([0-9A-Fa-f]{1,4}):([0-9A-Fa-f]{0,2})ff:fe([0-9A-Fa-f]{2}):([0-9A-Fa-f]{1,4})"
    r"(?:%[\w.-]{1,16})?\]"
)


def normalise_mac(text: str) -> str:
    """``AA-BB-CC-DD-EE-FF``, ``aa:bb:..``, ``aabb.ccdd.eeff`` or ``aabbccddeeff`` -> ``aa:bb:..``.

    Surrounding whitespace is ignored; anything else raises MalformedReplyError.
    """
    candidate = text.strip()
    if _SEPARATED.fullmatch(candidate) or _DOTTED.fullmatch(candidate):
        digits = re.sub(r"[:.\-]", "", candidate)
    elif _PLAIN.fullmatch(candidate):
        digits = candidate
    else:
        raise MalformedReplyError(f"not a MAC address: {candidate[:40]!r}")
    digits = digits.lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def is_locally_administered(mac: str) -> bool:
    """True when the U/L bit is set (a randomised or self-assigned MAC, not from an OUI)."""
    return bool(int(normalise_mac(mac)[:2], 16) & 0x02)


def is_unicast_assigned(mac: str) -> bool:
    """True for a MAC that can identify one device: not all-zero and not group/broadcast."""
    normal = normalise_mac(mac)
    return normal != "00:00:00:00:00:00" and not int(normal[:2], 16) & 0x01


def eui64_macs(text: str) -> list[str]:
    """The MACs that bracketed IPv6 addresses in ``text`` (URLs such as
    ``http://[fe80::bead:28ff:fe0a:b0c]/onvif/device_service``) were formed from by
    modified EUI-64 (RFC 4291 appendix A: ``ff:fe`` in the middle, the U/L bit flipped);
    at most 4, each once.  Privacy and random addresses have no ``ff:fe`` there."""
    found: list[str] = []
    for match in _EUI64_IPV6.finditer(text[:4096]):
        high, mid, third, low = (
            g.zfill(n) for g, n in zip(match.groups(), (4, 2, 2, 4), strict=True)
        )
        digits = f"{int(high[:2], 16) ^ 0x02:02x}{high[2:]}{mid}{third}{low}".lower()
        mac = ":".join(digits[i : i + 2] for i in range(0, 12, 2))
        if mac not in found and is_unicast_assigned(mac):
            found.append(mac)
        if len(found) >= 4:
            break
    return found


def uuid_node_mac(text: str) -> str | None:
    """The MAC a ``uuid:`` identifier carries: the node of a time-based or hand-built
    UUID (see ``_NODE_UUID``), or the 12 hex digits that end a firmware's own identifier
    in uuid: form; None for random and name-based UUIDs and for group addresses."""
    value = text.strip()
    node = _NODE_UUID.fullmatch(value)
    if node is None and not _ANY_UUID.fullmatch(value):
        node = _BUILT_ID.fullmatch(value)
    if node is None:
        return None
    digits = node.group(1).lower()
    mac = ":".join(digits[i : i + 2] for i in range(0, 12, 2))
    return mac if is_unicast_assigned(mac) else None
