"""MAC address normalisation: every MAC in camcensus is ``aa:bb:cc:dd:ee:ff``."""

from __future__ import annotations

import re
from typing import Final

from camcensus.base.errors import MalformedReplyError

__all__ = ["is_locally_administered", "is_unicast_assigned", "normalise_mac"]

_SEPARATED: Final = re.compile(r"[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}")
_DOTTED: Final = re.compile(r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}")
_PLAIN: Final = re.compile(r"[0-9A-Fa-f]{12}")


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
