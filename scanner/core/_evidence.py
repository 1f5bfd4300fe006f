"""Collects cleaned, de-duplicated Evidence for one reply (private helper)."""

from __future__ import annotations

import ipaddress
import re
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.limits import MAX_TEXT_VALUE_CHARS, clean_text
from camcensus.scanner.core.mac import is_unicast_assigned, normalise_mac

__all__ = ["EvidenceList"]

_HALF_REDACTED_MAC: Final = re.compile(
    r"([0-9A-Fa-f]{2})([:-])([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})(?:\2(?:[Xx]{2}|\*{2})){3}"
)
"""A MAC published with its low (device) half hidden: the block owner's half is kept."""


class EvidenceList:
    """Evidence from one reply: values cleaned and capped, empty ones and repeats dropped.

    One bad field (an unparsable MAC or IP) drops that field only; the rest of the
    reply still counts.
    """

    def __init__(self, source: str, address: str) -> None:
        self._source = source
        self._address = address
        self._items: list[Evidence] = []
        self._seen: set[Evidence] = set()

    def add(self, key: str, value: str | None, max_chars: int = MAX_TEXT_VALUE_CHARS) -> None:
        """Add ``key=value`` unless the cleaned value is empty or already present."""
        if value is None:
            return
        text = clean_text(value, max_chars)
        if not text:
            return
        item = Evidence(key=key, value=text, source=self._source, address=self._address)
        if item not in self._seen:
            self._seen.add(item)
            self._items.append(item)

    def add_mac(self, key: str | None, value: str | None) -> None:
        """Add the normalised MAC under ``key`` (if given) and, when usable, under ``mac``.

        ``mac`` (the identity key) is only added for an assigned unicast address, not
        for the all-zero or group addresses some firmware reports. A MAC whose low half
        was redacted ("AA:BB:CC:XX:XX:XX", "aa-bb-cc-**-**-**") gives ``mac_oui`` only.
        """
        if value is None or not value.strip():
            return
        try:
            normal = normalise_mac(value)
        except MalformedReplyError:
            half = _HALF_REDACTED_MAC.fullmatch(value.strip())
            if half is not None:  # the block survives the redaction: its maker, no identity
                self.add("mac_oui", ":".join(half.group(1, 3, 4)).lower())
            return
        if key is not None:
            self.add(key, normal)
        if is_unicast_assigned(normal):
            self.add("mac", normal)

    def add_ip(self, value: str | None) -> None:
        """Add ``ip`` for a valid, specified IPv4 address the device reported."""
        if value is None:
            return
        try:
            address = ipaddress.IPv4Address(value.strip())
        except ValueError:
            return
        if not address.is_unspecified:
            self.add("ip", str(address))

    def items(self) -> list[Evidence]:
        """The collected evidence, in the order it was added."""
        return list(self._items)
