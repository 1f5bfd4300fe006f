"""FTP: the greeting a server sends on connect (cameras often name model and firmware)."""

from __future__ import annotations

import re
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList

__all__ = ["MAX_BANNER_BYTES", "PORT", "SOURCE", "parse_banner"]

SOURCE: Final = "ftp"
PORT: Final = 21
MAX_BANNER_BYTES: Final = 4096
_CODE: Final = re.compile(r"^(\d{3})[ -]?(.*)$")


def parse_banner(data: bytes, address: str) -> list[Evidence]:
    """``ftp.banner``: the greeting's text without its reply codes, its lines joined.

    A greeting is one or more ``220`` lines (``220-`` continues, RFC 959 section 4.2);
    text without a code (as a banner list prints it) is taken as it is. Raises
    MalformedReplyError for a reply that is not a greeting (a ``421`` refusal is one).
    """
    text = data[:MAX_BANNER_BYTES].decode("utf-8", errors="replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise MalformedReplyError("FTP greeting: empty")
    parts: list[str] = []
    for line in lines:
        matched = _CODE.match(line)
        if matched is None:
            parts.append(line)
        elif matched.group(1) == "220":
            parts.append(matched.group(2).strip())
        elif not parts:
            raise MalformedReplyError(f"FTP greeting: code {matched.group(1)}, not 220")
    found = EvidenceList(SOURCE, address)
    found.add("ftp.banner", " ".join(p for p in parts if p))
    return found.items()
