"""Telnet: the text a server prints before (or as) its login prompt."""

from __future__ import annotations

from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList

__all__ = ["MAX_BANNER_BYTES", "PORT", "SOURCE", "parse_banner", "strip_negotiation"]

SOURCE: Final = "telnet"
PORT: Final = 23
MAX_BANNER_BYTES: Final = 4096
_IAC: Final = 255
_SB: Final = 250
_SE: Final = 240
_WILL_WONT_DO_DONT: Final = range(251, 255)


def strip_negotiation(data: bytes) -> bytes:
    """``data`` without telnet option negotiation (IAC sequences, RFC 854/855)."""
    out = bytearray()
    i = 0
    while i < len(data):
        byte = data[i]
        if byte != _IAC:
            out.append(byte)
            i += 1
        elif i + 1 < len(data) and data[i + 1] == _IAC:  # an escaped 255
            out.append(_IAC)
            i += 2
        elif i + 1 < len(data) and data[i + 1] in _WILL_WONT_DO_DONT:
            i += 3
        elif i + 1 < len(data) and data[i + 1] == _SB:
            end = data.find(bytes((_IAC, _SE)), i + 2)
            i = len(data) if end < 0 else end + 2
        else:
            i += 2
    return bytes(out)


def parse_banner(data: bytes, address: str) -> list[Evidence]:
    """``telnet.banner``: the printable text, lines joined with `` | `` (the login prompt
    included: ``(none) login:`` and ``192.0.0.64 login:`` are tells in themselves)."""
    text = strip_negotiation(data[:MAX_BANNER_BYTES]).decode("utf-8", errors="replace")
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    if not lines:
        raise MalformedReplyError("telnet banner: no text")
    found = EvidenceList(SOURCE, address)
    found.add("telnet.banner", " | ".join(lines))
    return found.items()
