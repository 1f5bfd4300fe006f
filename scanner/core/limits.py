"""Size caps for untrusted device replies, and the one text-cleaning rule.

Every number a parser needs to stay safe on hostile input lives here, so a reviewer can
see the whole budget at once and a test can patch one place.

How a cap is enforced (one rule per kind of input):

* Structured replies (UDP datagrams, XML documents, JSON bodies, DER certificates,
  HTTP/RTSP heads) are refused whole with ``ReplyTooLargeError`` when they exceed
  their cap: a prefix of a structure does not parse, and a device that sends 10 MB of
  XML is not telling us anything we want.
* Free-form HTTP bodies are *truncated* to ``MAX_HTTP_BODY_BYTES``: a prefix of a page
  still has its ``<title>`` and login markers, and the probe reads at most that many
  bytes anyway.

Evidence values are "verbatim but bounded" (``clean_text``): the device's text is kept
as sent, apart from what cannot be stored or compared faithfully anyway (NUL padding,
lone surrogates, surrounding whitespace), and cut at a fixed length. Escaping control
characters for a terminal or a spreadsheet is the TUI's and the CSV exporter's job,
not the parser's: a parser that escaped would make fingerprints match escaped text.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "MAX_CERT_BYTES",
    "MAX_HTTP_BODY_BYTES",
    "MAX_HTTP_BODY_EVIDENCE_CHARS",
    "MAX_HTTP_HEAD_BYTES",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_TEXT_VALUE_CHARS",
    "MAX_UDP_REPLY_BYTES",
    "MAX_XML_BYTES",
    "clean_text",
]

MAX_UDP_REPLY_BYTES: Final = 65_535
"""Largest datagram any discovery parser accepts (an IPv4 UDP payload is at most 65,507)."""

MAX_HTTP_HEAD_BYTES: Final = 32 * 1024
"""Status line plus headers of an HTTP, RTSP or SSDP message."""

MAX_HTTP_BODY_BYTES: Final = 256 * 1024
"""Bytes of an HTTP body that are looked at; the rest is cut off (not an error)."""

MAX_XML_BYTES: Final = 256 * 1024
"""Largest XML document (SOAP reply, UPnP description, SADP/WS-Discovery datagram)."""

MAX_JSON_BYTES: Final = 64 * 1024
"""Largest JSON body (DHIP, NetIP)."""

MAX_JSON_DEPTH: Final = 32
"""Deepest nesting of JSON arrays/objects accepted (a nested bomb is refused up front)."""

MAX_CERT_BYTES: Final = 64 * 1024
"""Largest DER certificate accepted."""

MAX_TEXT_VALUE_CHARS: Final = 256
"""Longest value of any single evidence item, except ``http.body``."""

MAX_HTTP_BODY_EVIDENCE_CHARS: Final = 4096
"""Longest ``http.body`` value: markers such as ``doc/page/login.asp`` sit past 256 chars."""

_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def clean_text(value: str, max_chars: int = MAX_TEXT_VALUE_CHARS) -> str:
    """Device text as sent, minus NULs, lone surrogates and edge whitespace, cut at max_chars.

    * NUL characters are removed: they are C-string padding, not content, and break
      SQLite text comparison and most terminals.
    * Lone UTF-16 surrogates (which JSON ``\\ud800`` escapes can produce) become U+FFFD,
      so the value can always be encoded as UTF-8.
    * Leading and trailing whitespace is stripped (XML and fixed-width fields pad).
    * Everything else, other control characters included, is kept verbatim; the result
      is silently cut to ``max_chars`` characters.
    """
    if max_chars < 0:
        raise ValueError(f"max_chars must be >= 0, got {max_chars}")
    text = value.replace("\x00", "")
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return text.strip()[:max_chars].rstrip()
