"""MAC address normalisation: every MAC in camcensus is ``aa:bb:cc:dd:ee:ff``."""

from __future__ import annotations

import re
from typing import Final

from camcensus.base.errors import MalformedReplyError

__all__ = ["eui64_macs", "is_locally_administered", "is_unicast_assigned", "normalise_mac"]

_SEPARATED: Final = re.compile(r"[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}")
_DOTTED: Final = re.compile(r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}")
_PLAIN: Final = re.compile(r"[0-9A-Fa-f]{12}")
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
