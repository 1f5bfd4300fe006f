"""HTTP banners: the request we send, and the head/body facts a device reveals.

Also home of the HTTP-style head parser shared by RTSP and SSDP (RFC 9112 section 2-5
message syntax: start line, ``Name: value`` fields, obsolete line folding tolerated).
"""

from __future__ import annotations

import codecs
import contextlib
import html
import re
import urllib.parse
from dataclasses import dataclass
from typing import Final, NamedTuple

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.base.version import __version__
from camcensus.scanner.core import favicon
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core.bodyfields import MAX_FIELD_NAMES_CHARS, NAMES_KEY, body_fields
from camcensus.scanner.core.limits import (
    MAX_HTTP_BODY_BYTES,
    MAX_HTTP_BODY_EVIDENCE_CHARS,
    MAX_HTTP_HEAD_BYTES,
    MAX_TEXT_VALUE_CHARS,
)

__all__ = [
    "USER_AGENT",
    "Headers",
    "MessageHead",
    "ResponseHead",
    "add_body",
    "auth_realms",
    "body_bytes",
    "build_request",
    "decode_body",
    "echoes_request",
    "extract_title",
    "parse_http",
    "parse_icon_reply",
    "parse_message_head",
    "parse_response_head",
    "without_request_echo",
]

USER_AGENT: Final = f"camcensus/{__version__}"

_UNSAFE_IN_REQUEST: Final = re.compile(r"[\x00-\x20\x7f]")
_STATUS_LINE: Final = re.compile(r"(HTTP|RTSP)/(\d)\.(\d)[ \t]+(\d{3})(?:[ \t]+(.*))?")
_LINE_BREAK: Final = re.compile(r"\r?\n")
_REALM: Final = re.compile(r'realm\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', re.IGNORECASE)
_QUOTED_PAIR: Final = re.compile(r"\\(.)")
_CHARSET: Final = re.compile(r"charset\s*=\s*\"?([\w.:-]{1,40})", re.IGNORECASE)
_TITLE_OPEN: Final = re.compile(r"<title\b[^<>]{0,200}>", re.IGNORECASE)
_TITLE_CLOSE: Final = re.compile(r"</title\s*>", re.IGNORECASE)
_MAX_TITLE_SOURCE_CHARS: Final = 4 * MAX_TEXT_VALUE_CHARS


@dataclass(frozen=True, slots=True)
class Headers:
    """Header fields in arrival order; look-ups ignore case and keep repeats."""

    fields: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        """The first value of ``name``, or None."""
        values = self.get_all(name)
        return values[0] if values else None

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name``, in arrival order."""
        wanted = name.lower()
        return [value for field, value in self.fields if field.lower() == wanted]


class MessageHead(NamedTuple):
    """Start line, header fields and whatever followed the blank line."""

    start_line: str
    headers: Headers
    body: bytes


class ResponseHead(NamedTuple):
    """Status code and header fields of an HTTP or RTSP response."""

    status: int
    headers: Headers


def build_request(host: str, path: str = "/", authorization: str | None = None) -> bytes:
    """An HTTP/1.1 GET for ``path`` with ``Host: host`` and ``Connection: close``, and
    ``Authorization: authorization`` when given.

    Raises ValueError when host or path contain whitespace or control characters
    (no header injection), the path does not start with ``/``, or the authorization
    holds a control character or is not ASCII.
    """
    if not host or _UNSAFE_IN_REQUEST.search(host):
        raise ValueError(f"unsafe HTTP host: {host!r}")
    if not path.startswith("/") or _UNSAFE_IN_REQUEST.search(path):
        raise ValueError(f"unsafe HTTP path: {path!r}")
    credentials = ""
    if authorization is not None:
        if not authorization.isascii() or re.search(r"[\x00-\x1f\x7f]", authorization):
            raise ValueError("unsafe HTTP Authorization value")
        credentials = f"Authorization: {authorization}\r\n"
    return (
        f"GET {path} HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        f"User-Agent: {USER_AGENT}\r\n"
        "Accept: */*\r\n"
        f"{credentials}"
        "Connection: close\r\n"
        "\r\n"
    ).encode("ascii")


def _split_head(data: bytes, what: str) -> tuple[bytes, bytes]:
    limit = MAX_HTTP_HEAD_BYTES + 4
    ends = [
        (index, len(marker))
        for marker in (b"\r\n\r\n", b"\n\n")
        if (index := data.find(marker, 0, limit)) >= 0
    ]
    if ends:
        index, size = min(ends)
        if index > MAX_HTTP_HEAD_BYTES:
            raise ReplyTooLargeError(f"{what}: head over {MAX_HTTP_HEAD_BYTES} bytes")
        return data[:index], data[index + size :]
    if len(data) > MAX_HTTP_HEAD_BYTES:
        raise ReplyTooLargeError(f"{what}: head over {MAX_HTTP_HEAD_BYTES} bytes")
    return data, b""  # the peer closed before the blank line: all we have is head


def parse_message_head(data: bytes, what: str = "HTTP reply") -> MessageHead:
    """Split an HTTP-style message into start line, headers and the rest (bytes as sent).

    The head is decoded as ISO-8859-1 (RFC 9110 section 5.5). A missing blank line
    means the whole input is head. Raises ReplyTooLargeError when the head exceeds
    MAX_HTTP_HEAD_BYTES and MalformedReplyError when there is no start line.
    """
    head, body = _split_head(data, what)
    lines = _LINE_BREAK.split(head.decode("iso-8859-1"))
    start_line = lines[0].strip()
    if not start_line:
        raise MalformedReplyError(f"{what}: empty start line")
    fields: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}")
            continue
        name, sep, value = line.partition(":")
        name = name.strip()
        if sep and name and not _UNSAFE_IN_REQUEST.search(name):
            fields.append((name, value.strip()))
    return MessageHead(start_line, Headers(tuple(fields)), body)


def _status(start_line: str, protocol: str, what: str) -> int:
    matched = _STATUS_LINE.fullmatch(start_line)
    if matched is None or matched.group(1) != protocol:
        raise MalformedReplyError(f"{what}: not a {protocol} status line: {start_line[:60]!r}")
    return int(matched.group(4))


def parse_response_head(data: bytes) -> ResponseHead:
    """Status code and headers of an HTTP response; MalformedReplyError if not HTTP."""
    head = parse_message_head(data, "HTTP reply")
    return ResponseHead(_status(head.start_line, "HTTP", "HTTP reply"), head.headers)


def auth_realms(headers: Headers) -> list[str]:
    """The realm of every WWW-Authenticate challenge (Basic, Digest ...), unescaped."""
    realms: list[str] = []
    for challenge in headers.get_all("WWW-Authenticate"):
        for matched in _REALM.finditer(challenge):
            quoted, token = matched.group(1), matched.group(2)
            realm = _QUOTED_PAIR.sub(r"\1", quoted) if quoted is not None else token
            if realm not in realms:
                realms.append(realm)
    return realms


def _dechunk(raw: bytes) -> bytes:
    """Undo chunked transfer coding, keeping whatever arrived before a cut or an error."""
    out = bytearray()
    pos = 0
    while pos < len(raw) and len(out) < MAX_HTTP_BODY_BYTES:
        line_end = raw.find(b"\n", pos, pos + 1024)
        if line_end < 0:
            break
        size_text = raw[pos:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            break
        if size <= 0:
            break
        start = line_end + 1
        out += raw[start : start + size]
        pos = start + size
        pos += 2 if raw[pos : pos + 2] == b"\r\n" else 1
    return bytes(out[:MAX_HTTP_BODY_BYTES])


def _text_codec(name: str) -> str | None:
    """The codec name for charset ``name`` if Python knows it as a text encoding."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # CodecInfo._is_text_encoding is how str.decode itself refuses hex/base64/zlib.
    return info.name if getattr(info, "_is_text_encoding", True) else None


def body_bytes(headers: Headers, body: bytes) -> bytes:
    """The body as sent, de-chunked and capped at MAX_HTTP_BODY_BYTES."""
    transfer = (headers.get("Transfer-Encoding") or "").lower()
    return _dechunk(body) if "chunked" in transfer else body[:MAX_HTTP_BODY_BYTES]


def decode_body(headers: Headers, body: bytes) -> str:
    """The body as text: de-chunked, capped at MAX_HTTP_BODY_BYTES, decoded leniently.

    Uses the Content-Type charset when Python knows it as a text encoding, else UTF-8,
    else ISO-8859-1; undecodable bytes become U+FFFD. Never raises for a hostile
    charset: ``hex``/``base64``/``zlib`` (not text encodings) are ignored, and a codec
    that fails anyway (``idna``, ``punycode``) falls back to UTF-8 with U+FFFD.
    """
    raw = body_bytes(headers, body)
    charset_match = _CHARSET.search(headers.get("Content-Type") or "")
    if charset_match is not None:
        codec = _text_codec(charset_match.group(1))
        if codec is not None:
            try:
                return raw.decode(codec, errors="replace")
            except (LookupError, UnicodeError, ValueError):
                return raw.decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


def extract_title(text: str) -> str | None:
    """The first ``<title>`` text, entities unescaped and whitespace collapsed, or None."""
    opening = _TITLE_OPEN.search(text)
    if opening is None:
        return None
    closing = _TITLE_CLOSE.search(text, opening.end())
    end = closing.start() if closing is not None else len(text)
    source = text[opening.end() : min(end, opening.end() + _MAX_TITLE_SOURCE_CHARS)]
    return " ".join(html.unescape(source).split())


def parse_http(head_and_body: bytes, address: str, source: str = "http") -> list[Evidence]:
    """Evidence from one HTTP response: server, realm, location, the header names as
    sent (their case and order are the web server's own), title, icon link, body start
    and the fields of a structured body that describe the device (``http.field.*``);
    for an image body (an icon fetched), its MD5 instead (``http.favicon.md5``).

    The body is cut at MAX_HTTP_BODY_BYTES (not an error); a head over
    MAX_HTTP_HEAD_BYTES raises ReplyTooLargeError, a non-HTTP reply MalformedReplyError.
    """
    head = parse_message_head(head_and_body, "HTTP reply")
    _status(head.start_line, "HTTP", "HTTP reply")
    found = EvidenceList(source, address)
    found.add("http.server", head.headers.get("Server"))
    for realm in auth_realms(head.headers):
        found.add("http.realm", realm)
    found.add("http.location", head.headers.get("Location"))
    found.add("http.header_names", ", ".join(name for name, _value in head.headers.fields))
    content_type = head.headers.get("Content-Type") or ""
    raw = body_bytes(head.headers, head.body)
    if content_type.lower().startswith("image/") and favicon.is_icon(raw, content_type):
        with contextlib.suppress(MalformedReplyError):  # an icon (or other image): hashed
            found.add(favicon.KEY, favicon.icon_md5(raw, content_type))
    else:
        add_body(found, decode_body(head.headers, head.body))
    return found.items()


_REQUEST_ECHO: Final = re.compile(
    r"(?i)(?P<said>Cannot (?:GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH)|The requested URL"
    r"|requested resource|Problem accessing|No route found for(?: \"?(?:GET|POST|HEAD))?"
    r"|Not Found:|File not found:|\"path\"\s*:)\s*[\[\"]?/[^\s\"<\]]{0,2047}"
)
"""An error page quoting the request it refuses (Express: "Cannot GET /x", Apache: "The
requested URL /x was not found", Tomcat, Jetty, Spring's JSON "path"): the path is the
client's, not the device's, so its text is no marker of the device's maker."""
_ECHOED: Final = "[the request]"


def without_request_echo(text: str) -> str:
    """``text`` with the request paths error pages quote in it replaced."""
    return _REQUEST_ECHO.sub(lambda m: f"{m['said']} {_ECHOED}", text)


def echoes_request(body: str, path: str) -> bool:
    """Whether a reply's body quotes the path it answers (raw, HTML-escaped, JSON- or
    percent-encoded): a server echoing a family API path is not that family's device."""
    forms = {
        path,
        path.replace("&", "&amp;"),
        path.replace("&", "\\u0026"),
        path.replace("&", "%26"),
        path.replace("/", "\\/"),
        urllib.parse.quote(path, safe="/"),
    }
    return any(form in body for form in forms)


def add_body(found: EvidenceList, text: str) -> None:
    """``http.title``, ``http.icon`` (the page's icon link; an inline icon's MD5),
    ``http.body`` (its start), the device-describing fields (``http.field.*``, see
    bodyfields) and the member names of a JSON or XML body, from all of it
    (``http.field_names``) of a decoded response body."""
    found.add("http.title", extract_title(text))
    href = favicon.icon_href(text)
    if href is not None and href[:5].lower() == "data:":
        with contextlib.suppress(MalformedReplyError):  # an inline icon: hashed here
            found.add(favicon.KEY, favicon.icon_md5(href.encode("latin-1", "replace")))
    else:
        found.add("http.icon", href)
    body = without_request_echo(text[: 2 * MAX_HTTP_BODY_EVIDENCE_CHARS])
    found.add("http.body", body, MAX_HTTP_BODY_EVIDENCE_CHARS)
    for key, value in body_fields(text):
        found.add(key, value, MAX_FIELD_NAMES_CHARS if key == NAMES_KEY else MAX_TEXT_VALUE_CHARS)


def parse_icon_reply(head_and_body: bytes, address: str, source: str = "http") -> list[Evidence]:
    """``http.favicon.md5`` of the icon in an HTTP reply (status 200, an image body);
    MalformedReplyError for any other reply (a 404 page, a redirect, a login page)."""
    head = parse_message_head(head_and_body, "HTTP reply")
    status = _status(head.start_line, "HTTP", "HTTP reply")
    if status != 200:
        raise MalformedReplyError(f"favicon: HTTP status {status}, no icon")
    body = body_bytes(head.headers, head.body)
    if not favicon.is_icon(body, head.headers.get("Content-Type")):
        raise MalformedReplyError("favicon: the reply's body is not an image")
    return favicon.icon_evidence(body, address, source, head.headers.get("Content-Type"))
