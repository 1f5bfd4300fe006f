"""What says two records are one device across scans (pure).

A scan keys a device by its link-layer MAC when it has one, else by its address
(``scanner.core.merge``).  Across scans that key can drift: a scan without root (no
ARP), a routed scan without SNMP or an nmap import sees no MAC, and a device can move
to another address.  The inventory therefore also keeps, per device, the stable
identities the device itself reported, its *tokens*:

* ``serial:<maker>:<serial>``: a serial number (any ``[serial]`` evidence key) together
  with the identified maker (a serial alone never identifies: white-label firmware
  repeats serials, and makers' number spaces overlap);
* ``wsd:<uuid>``: the WS-Discovery endpoint UUID (``urn:uuid:...``), which ONVIF
  devices keep across reboots and re-addressing.

Tokens are reported by the device, so they are never trusted alone: the store uses a
token only when one inventory device holds it, no device of the running scan has
claimed it yet, and the two records do not contradict each other (``contradicts``: a
different MAC, a different maker, or a different token of the same kind).  Values that
firmware uses as placeholders (all zeros, "unknown", a nil UUID, serials under six
characters) are no identity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from camcensus.base.evidence import Evidence, family_keys
from camcensus.vendor_db.vendors import normalise_name

__all__ = ["MIN_SERIAL_CHARS", "Traits", "contradicts", "device_tokens", "token_kind"]

MIN_SERIAL_CHARS: Final = 6
"""Shorter serials are too often placeholders or channel numbers to identify a device."""
_PLACEHOLDER: Final = re.compile(
    r"(?i)^(?:unknown|none|null|n/?a|serial(?:number)?|default|0x0+|123456789?0?|"
    r"(.)\1*)$"  # one character repeated: 000000, FFFFFF, xxxxxx
)
_UUID: Final = re.compile(
    r"(?i)^(?:urn:uuid:|uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
_NIL_UUID: Final = "00000000-0000-0000-0000-000000000000"
_MAX_TOKEN_CHARS: Final = 160


def _serial_token(maker: str, value: str) -> str | None:
    serial = re.sub(r"\s+", "", value).upper()
    if len(serial) < MIN_SERIAL_CHARS or _PLACEHOLDER.match(serial) or not maker:
        return None
    return f"serial:{normalise_name(maker)}:{serial}"[:_MAX_TOKEN_CHARS]


def _endpoint_token(value: str) -> str | None:
    match = _UUID.match(value.strip())
    if match is None or match.group(1) == _NIL_UUID:
        return None
    return "wsd:" + match.group(1).lower()


def device_tokens(maker: str, evidence: Iterable[Evidence]) -> frozenset[str]:
    """The stable identities a device reported, given its identified ``maker``.

    >>> from camcensus.base.evidence import Evidence as E
    >>> sorted(device_tokens("Hikvision", [E("sadp.serial", "DS-2CD2032-I0120150326CCWR"),
    ...     E("wsd.endpoint", "urn:uuid:6B2A1F40-0000-1000-8000-C42F90A1B2C3")]))
    ['serial:hikvision:DS-2CD2032-I0120150326CCWR', 'wsd:6b2a1f40-0000-1000-8000-c42f90a1b2c3']
    >>> sorted(device_tokens("", [E("onvif.serial", "ABCDEF123")]))  # no maker: no serial identity
    []
    >>> sorted(device_tokens("Dahua", [E("dhip.serial", "000000000")]))  # placeholder
    []
    """
    serial_keys = family_keys("serial")
    tokens: set[str] = set()
    for item in evidence:
        if item.key in serial_keys:
            token = _serial_token(maker, item.value)
        elif item.key == "wsd.endpoint":
            token = _endpoint_token(item.value)
        else:
            continue
        if token is not None:
            tokens.add(token)
    return frozenset(tokens)


def token_kind(token: str) -> str:
    """``serial`` or ``wsd``: tokens of one kind that differ say "another device"."""
    return token.partition(":")[0]


@dataclass(frozen=True, slots=True)
class Traits:
    """What two records of one site are compared on before they are taken as one device."""

    mac: str | None
    maker: str
    tokens: frozenset[str]


def contradicts(a: Traits, b: Traits) -> str | None:
    """Why ``a`` and ``b`` cannot be one device, or None when nothing says so.

    >>> t = Traits("aa:bb:cc:00:00:01", "Hikvision", frozenset({"serial:hikvision:X1234567"}))
    >>> contradicts(t, Traits(None, "", frozenset()))  # a record that knows less
    >>> contradicts(t, Traits("aa:bb:cc:00:00:02", "Hikvision", frozenset()))
    'another MAC (aa:bb:cc:00:00:02)'
    >>> contradicts(t, Traits(None, "Hikvision", frozenset({"serial:hikvision:Y7654321"})))
    'another serial'
    """
    if a.mac and b.mac and a.mac.lower() != b.mac.lower():
        return f"another MAC ({b.mac})"
    if a.maker and b.maker and normalise_name(a.maker) != normalise_name(b.maker):
        return f"another maker ({b.maker})"
    for kind in ("serial", "wsd"):
        mine = {t for t in a.tokens if token_kind(t) == kind}
        theirs = {t for t in b.tokens if token_kind(t) == kind}
        if mine and theirs and not mine & theirs:
            return "another serial" if kind == "serial" else "another WS-Discovery endpoint"
    return None
