"""Favicons: where a page says its icon is, and the icon's MD5 (``http.favicon.md5``).

A web UI's icon is one of its own files, the same on every device running that UI, so
its hash names the UI's maker the way recog's and nmap's favicon databases use it (both
hash the icon file with MD5; vendor_db/data/fingerprints/http_favicon.toml holds the
hashes, each with its source).  An icon is read from an HTTP reply to a GET of the
page's ``<link rel="icon">`` (``http.icon``, else ``/favicon.ico``), from a page's
``data:`` icon, or from the file itself as published.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core.limits import MAX_HTTP_BODY_BYTES
from camcensus.scanner.core.url import same_origin_path

__all__ = [
    "DEFAULT_PATH",
    "KEY",
    "icon_evidence",
    "icon_href",
    "icon_md5",
    "icon_path",
    "is_icon",
]

KEY: Final = "http.favicon.md5"
DEFAULT_PATH: Final = "/favicon.ico"
"""Where browsers look for a site's icon when its page names none."""

_MAGIC: Final = (
    b"\x00\x00\x01\x00",  # ICO
    b"\x00\x00\x02\x00",  # CUR, served as an icon by some
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",  # JPEG
)
_BMP: Final = re.compile(rb"\ABM.{4}\x00\x00\x00\x00", re.DOTALL)  # BMP: size, then reserved zeros
_LINK_TAG: Final = re.compile(r"<link\b([^<>]{0,70000})>", re.IGNORECASE)
_ATTRIBUTE: Final = re.compile(
    r"""([A-Za-z_:][\w:.-]{0,40})\s*=\s*(?:"([^"]{0,65536})"|'([^']{0,65536})'|([^\s"'=<>`]{1,65536}))"""
)
_DATA_URI: Final = re.compile(r"data:([\w.+/-]{0,80})((?:;[\w.+=-]{0,80})*);base64,(.*)", re.DOTALL)
_MD5_TEXT: Final = re.compile(rb"\A\s*([0-9A-Fa-f]{32})\s*\Z")


def icon_href(page: str) -> str | None:
    """The ``href`` of the first ``<link>`` whose ``rel`` has the token ``icon``
    (``icon``, ``shortcut icon``), entities unescaped; None when the page names none."""
    for tag in _LINK_TAG.finditer(page[:MAX_HTTP_BODY_BYTES]):
        attributes: dict[str, str] = {}
        for name, double, single, bare in _ATTRIBUTE.findall(tag.group(1)):
            attributes.setdefault(name.lower(), double or single or bare)
        rel = attributes.get("rel", "").lower().split()
        href = html.unescape(attributes.get("href", "")).strip()
        if "icon" in rel and href:
            return href
    return None


def icon_path(href: str | None, page_url: str) -> str | None:
    """The path (with query) to GET for ``href`` found on the page at ``page_url``, if
    it stays on that page's scheme, host and port; ``/favicon.ico`` when the page names
    no icon; None for an icon elsewhere or inline (``data:``: see ``icon_evidence``)."""
    if href is None:
        return DEFAULT_PATH
    if href.lower().startswith("data:"):
        return None
    return same_origin_path(href, page_url)


def is_icon(data: bytes, content_type: str | None = None) -> bool:
    """Whether ``data`` is an image file (ICO, PNG, GIF, JPEG, BMP, SVG), by its first
    bytes, or by an ``image/`` Content-Type when the bytes are not an HTML page."""
    if not data:
        return False
    if data.startswith(_MAGIC) or _BMP.match(data) or _is_svg(data[:4096]):
        return True
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind.startswith("image/") and data.lstrip()[:1] != b"<"


def icon_md5(data: bytes, content_type: str | None = None) -> str:
    """The lower-case hex MD5 of one icon: the file's bytes, a ``data:`` URI of it as a
    page holds it, or the 32-hex MD5 itself as another tool printed it.
    MalformedReplyError when it is none of these (an HTML error page served at the
    icon's path, say)."""
    hashed = _MD5_TEXT.match(data)
    if hashed is not None:
        return hashed.group(1).decode("ascii").lower()
    inline = _DATA_URI.match(data[:MAX_HTTP_BODY_BYTES].decode("latin-1").strip())
    if inline is not None:
        try:
            data = base64.b64decode(re.sub(r"\s+", "", inline.group(3)), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedReplyError(f"favicon: a data: URI that is not base64 ({exc})") from exc
        content_type = inline.group(1) or content_type
    if len(data) > MAX_HTTP_BODY_BYTES:
        raise MalformedReplyError(f"favicon: over {MAX_HTTP_BODY_BYTES} bytes, no icon")
    if not is_icon(data, content_type):
        raise MalformedReplyError(
            "favicon: not an image (no ICO, PNG, GIF, JPEG, BMP or SVG start)"
        )
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _is_svg(head: bytes) -> bool:
    """Whether a document starts with ``<svg`` after blanks, an XML declaration and
    comments (each skipped once by ``find``: linear in the bytes read)."""
    pos = 0
    while pos < len(head):
        while pos < len(head) and head[pos : pos + 1].isspace():
            pos += 1
        if head.startswith(b"<?xml", pos) or head.startswith(b"<!--", pos):
            end = head.find(b"?>" if head[pos + 1 : pos + 2] == b"?" else b"-->", pos)
            if end < 0:
                return False
            pos = end + (2 if head[pos + 1 : pos + 2] == b"?" else 3)
            continue
        return head.startswith(b"<svg", pos) and head[pos + 4 : pos + 5] in (
            b" ",
            b">",
            b"/",
            b"\t",
            b"\n",
            b"\r",
        )
    return False


def icon_evidence(
    data: bytes, address: str, source: str = "http", content_type: str | None = None
) -> list[Evidence]:
    """``http.favicon.md5`` of one icon (see ``icon_md5``) as evidence."""
    found = EvidenceList(source, address)
    found.add(KEY, icon_md5(data, content_type))
    return found.items()
