"""RTSP banners (RFC 2326): OPTIONS/DESCRIBE requests and the Server/realm/Public reply."""

from __future__ import annotations

import re
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core.http import USER_AGENT, auth_realms, parse_message_head

__all__ = ["PORT", "SOURCE", "build_describe", "build_options", "parse_rtsp"]

PORT: Final = 554
SOURCE: Final = "rtsp"

_UNSAFE: Final = re.compile(r"[\x00-\x20\x7f]")
_STATUS_LINE: Final = re.compile(r"RTSP/\d\.\d[ \t]+\d{3}(?:[ \t].*)?")
_MAX_SDP_BYTES: Final = 16 * 1024
_MAX_SDP_ATTRIBUTES: Final = 8
_MAX_SDP_ATTRIBUTE_CHARS: Final = 160
_HEADER_GAP: Final = re.compile(r"([!-9;-~]{1,64}):([ \t]*)\S")
_MAX_HEADER_GAPS: Final = 8
_MAX_STREAM_URLS: Final = 8
_ABSOLUTE_URL: Final = re.compile(r"rtsps?://[^/\s]+/\S", re.IGNORECASE)
_STANDARD_SDP_ATTRIBUTES: Final = frozenset({
    # RFC 8866 sec. 6, RFC 7826 (RTSP 2.0) and RFC 3551 attributes, the RTP feedback,
    # source and grouping ones every server uses, and the RFC 7273 clock-source ones
    # (ts-refclk, mediaclk: gst-rtsp-server 1.22 puts both in every SDP, the reverse
    # check's tests/conformance/gst_rtsp_server.py): they say nothing about the maker
    "cat", "keywds", "tool", "ptime", "maxptime", "rtpmap", "recvonly", "sendrecv", "sendonly",
    "inactive", "orient", "type", "charset", "sdplang", "lang", "framerate", "quality", "fmtp",
    "control", "range", "etag", "mid", "group", "ssrc", "ssrc-group", "rtcp", "rtcp-mux",
    "rtcp-fb", "extmap", "setup", "connection", "fingerprint", "ice-ufrag", "ice-pwd",
    "candidate", "crypto", "framesize", "x-dimensions", "x-framerate", "length",
    "x-qt-text-nam", "x-qt-text-inf", "ts-refclk", "mediaclk",
})  # fmt: skip


def _request(method: str, url: str, cseq: int, extra: str = "") -> bytes:
    if not url.lower().startswith(("rtsp://", "rtsps://")) or _UNSAFE.search(url):
        raise ValueError(f"unsafe RTSP URL: {url!r}")
    if cseq < 0:
        raise ValueError(f"CSeq must be >= 0, got {cseq}")
    return (
        f"{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\nUser-Agent: {USER_AGENT}\r\n{extra}\r\n"
    ).encode("ascii")


def build_options(url: str, cseq: int) -> bytes:
    """An RTSP/1.0 OPTIONS request; ValueError for a URL with whitespace or control chars."""
    return _request("OPTIONS", url, cseq)


def build_describe(url: str, cseq: int) -> bytes:
    """An unauthenticated RTSP/1.0 DESCRIBE (devices answer 401 with their realm)."""
    return _request("DESCRIBE", url, cseq, "Accept: application/sdp\r\n")


def parse_rtsp(data: bytes, address: str) -> list[Evidence]:
    """Evidence from one RTSP response: ``rtsp.server``, ``rtsp.realm``, ``rtsp.public``,
    ``rtsp.transport`` (a SETUP reply's), ``rtsp.header_gap``, ``rtsp.header_names`` (as
    ``http.header_names``: a stack's own extension headers among them) and, for a DESCRIBE
    answered with a session description, ``rtsp.sdp.*``; ``rtsp.content_base`` for each
    absolute stream URL it names (Content-Base, Content-Location, RTP-Info, SDP
    ``a=control``).

    Raises MalformedReplyError when the reply is not RTSP, ReplyTooLargeError when its
    head is over the cap.
    """
    head = parse_message_head(data, "RTSP reply")
    if not _STATUS_LINE.fullmatch(head.start_line):
        raise MalformedReplyError(f"RTSP reply: bad status line {head.start_line[:60]!r}")
    found = EvidenceList(SOURCE, address)
    found.add("rtsp.server", head.headers.get("Server"))
    for realm in auth_realms(head.headers):
        found.add("rtsp.realm", realm)
    public = head.headers.get("Public")
    if public is not None:
        found.add("rtsp.public", ", ".join(m.strip() for m in public.split(",") if m.strip()))
    found.add("rtsp.transport", head.headers.get("Transport"))
    found.add("rtsp.header_gap", _header_gaps(data[: len(data) - len(head.body)]))
    found.add("rtsp.header_names", ", ".join(name for name, _value in head.headers.fields))
    for url in _stream_urls(
        head.headers.get("Content-Base"),
        head.headers.get("Content-Location"),
        head.headers.get("RTP-Info"),
    ):
        found.add("rtsp.content_base", url)
    _add_sdp(found, head.body)
    return found.items()


def _stream_urls(base: str | None, location: str | None, rtp_info: str | None) -> list[str]:
    """The absolute rtsp(s):// URLs of a reply's Content-Base and Content-Location
    (RFC 2326 sec. 12.11, 12.15) and of its RTP-Info ``url=`` entries (sec. 12.33):
    the stream paths the server names (relative ones say nothing of the path)."""
    urls = [base, location]
    for entry in (rtp_info or "").split(",")[:_MAX_STREAM_URLS]:
        for part in entry.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name.strip().casefold() == "url":
                urls.append(value.strip())
    return [u.strip() for u in urls if u is not None and _ABSOLUTE_URL.match(u.strip())]


def _header_gaps(head: bytes) -> str | None:
    """The header fields whose value does not follow the colon after exactly one space,
    as ``"<name> <blanks>"`` in arrival order (``"Session 8, Date 2"``; a tab in the gap
    adds ``" tab"``), or None when every field has the usual single space.

    The parsed headers keep only the trimmed values; how a server lays out its lines
    is its RTSP stack's own habit (a client or a log that re-writes headers loses it).
    """
    gaps: list[str] = []
    for line in head.decode("iso-8859-1").splitlines()[1:]:
        matched = _HEADER_GAP.match(line)
        if matched is None:
            continue
        name, gap = matched.groups()
        if gap != " ":
            gaps.append(f"{name} {len(gap)}" + (" tab" if "\t" in gap else ""))
            if len(gaps) >= _MAX_HEADER_GAPS:
                break
    return ", ".join(gaps) or None


def _add_sdp(found: EvidenceList, body: bytes) -> None:
    """Session description lines a DESCRIBE reply carries (RFC 8866): the session name
    (``s=``), information (``i=``), the origin's user name (``o=``) and the tool
    (``a=tool:``) are where servers name their maker or software; attributes outside the
    registered set (``a=packetization-supported:DH``, ``a=Media_header:...``) are what
    a firmware adds of its own (``rtsp.sdp.attribute``, the first few, capped)."""
    text = body[:_MAX_SDP_BYTES].decode("utf-8", errors="replace")
    if not text.lstrip().startswith("v="):
        return
    attributes = 0
    for line in text.splitlines():
        kind, sep, value = line.strip().partition("=")
        if not sep:
            continue
        if kind == "s":
            found.add("rtsp.sdp.session", value)
        elif kind == "i":
            found.add("rtsp.sdp.info", value)
        elif kind == "o":
            found.add("rtsp.sdp.origin", value.split(" ", 1)[0])
        elif kind == "a" and value.startswith("tool:"):
            found.add("rtsp.sdp.tool", value[len("tool:") :])
        elif kind == "a" and value.startswith("control:"):
            control = value[len("control:") :].strip()
            if _ABSOLUTE_URL.match(control):  # "*" and "trackID=1" are relative
                found.add("rtsp.content_base", control)
        elif kind == "a" and attributes < _MAX_SDP_ATTRIBUTES:
            name = value.split(":", 1)[0].strip().casefold()
            if name and name not in _STANDARD_SDP_ATTRIBUTES:
                found.add("rtsp.sdp.attribute", value.strip(), max_chars=_MAX_SDP_ATTRIBUTE_CHARS)
                attributes += 1
