"""Replies out of the service fingerprints nmap prints, as admins and issue threads publish them.

When version detection (``nmap -sV``) matches nothing, nmap prints what the service
answered to each probe, and that is often all a thread holds of a camera's replies.
The forms read here, as nmap writes them:

* The fingerprint for submission (nmap book, "Community Contributions",
  https://nmap.org/book/vscan-community.html): ``SF-Port554-TCP:V=7.92%I=7%D=...%P=...``
  then one ``%r(PROBE,LEN,"...")`` per probe that got a reply, the whole wrapped every
  75 characters onto lines that start ``SF:`` (wrapped anywhere, inside an escape too)
  and ended by ``;``.  nmap's service_scan.cc (``ServiceNFO::addToServiceFingerprint``,
  nmap/nmap@008d3d6ea7852926b0cf2bd2c3a60a8716ef8131) writes letters and digits as
  they are, ``\\0`` for NUL (``\\x00`` before a digit), a backslash before each of
  ``\\ ? " [ ] ( ) . * + $ ^ |``, other punctuation as it is, ``\\r`` ``\\n`` ``\\t``,
  and ``\\xHH`` for every other byte (a blank is ``\\x20``); LEN is the reply's whole
  length in hex, but only its first 900 bytes are written (1300 under ``-d``), and no
  further probe is added once the fingerprint passes 2,200 characters.  Several
  services' fingerprints follow one another, ``NEXT SERVICE FINGERPRINT`` lines between.
* The ``fingerprint-strings`` script's output (NSE documentation,
  https://nmap.org/nsedoc/scripts/fingerprint-strings.html): under
  ``| fingerprint-strings:``, a line per group of probes that got the same strings
  (``|   GetRequest, HTTPOptions:``), then each run of at least 4 printable
  characters of their reply on a line of its own (``|     HTTP/1.0 200 OK``; the last
  line of the script ``|_``), blanks collapsed, everything else (line ends, the blank
  line after the head, short runs, binary) dropped.  Lossy, so read only where no
  ``SF`` fingerprint is given: head lines are the lines after the status line that look
  like ``Name: value``, the rest the body, lines joined with CRLF.
* nmap's XML (``-oX``): the fingerprint as the ``servicefp`` attribute of ``<service>``
  and the script's output as the ``output`` attribute of
  ``<script id="fingerprint-strings">``, XML-escaped; of a scan of several hosts, the
  first ``<host>`` only, as of nmap's normal output the first host's report (up to the
  second ``Nmap scan report for`` line).

``replies`` gives each probe's reply (``ProbeReply``: the probe names, the port, the
bytes, whether they are cut), or None when ``data`` holds no fingerprint.  Pure and
bounded: at most ``MAX_TEXT_BYTES`` of text in ``MAX_LINES`` lines are read, at most
``MAX_REPLIES`` replies of at most ``MAX_REPLY_BYTES`` each; every pattern is linear
(no nested repetition that can backtrack).  A fingerprint cut where it was published
gives the replies as far as they go (``cut``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "MAX_LINES",
    "MAX_REPLIES",
    "MAX_REPLY_BYTES",
    "MAX_TEXT_BYTES",
    "NO_TITLE",
    "REPORT_LINE",
    "ProbeReply",
    "fingerprint_replies",
    "first_report",
    "for_kind",
    "replies",
    "script_replies",
]

MAX_TEXT_BYTES: Final = 1024 * 1024
MAX_LINES: Final = 50_000
MAX_REPLIES: Final = 64
MAX_REPLY_BYTES: Final = 4096
"""nmap writes at most 1,300 bytes of a reply; more is not nmap's."""


@dataclass(frozen=True, slots=True)
class ProbeReply:
    """One probe's reply: the probe names nmap gave it, the port (``554/tcp``, or ``""``
    when the text does not say), the reply's bytes, and whether they are cut (shorter
    than the length nmap recorded, or cut where the fingerprint was published)."""

    probes: tuple[str, ...]
    port: str
    data: bytes
    cut: bool


_HEADER: Final = re.compile(r"SF-Port(\d{1,5})-(TCP|UDP|SCTP):")
_RESPONSE: Final = re.compile(r'%r\(([A-Za-z0-9_.-]{1,64}),([0-9A-Fa-f]{1,8}),"')
_QUOTED: Final = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
"""A quoted string's inside up to its closing quote: the unrolled loop, linear."""
_ESCAPE: Final = re.compile(r"\\(x[0-9A-Fa-f]{0,2}|.)", re.DOTALL)
_SINGLE: Final = {"0": "\0", "r": "\r", "n": "\n", "t": "\t"}
_LABEL: Final = re.compile(r"  ([A-Za-z0-9_-]{1,64}(?:, [A-Za-z0-9_-]{1,64}){0,64}):[ \t]*")
_STATUS: Final = re.compile(r"(?:HTTP|RTSP)/\d(?:\.\d)?[ \t]+\d{3}")
_HEAD_LINE: Final = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}:")
_XML_ATTRIBUTE: Final = re.compile(r'\b(servicefp|output)="')
_PORT_ID: Final = re.compile(r'<port protocol="(tcp|udp|sctp)" portid="(\d{1,5})"')
_SCRIPT_ID: Final = re.compile(r'<script\b[^<>"]{0,40}\bid="fingerprint-strings"')


def replies(data: bytes) -> list[ProbeReply] | None:
    """The replies in a published nmap fingerprint, or None when ``data`` holds none."""
    data = data[:MAX_TEXT_BYTES]
    if b"SF-Port" not in data and b"fingerprint-strings" not in data:
        return None
    text = data.decode("utf-8", "surrogateescape")
    if "<host" in text and ("servicefp=" in text or "fingerprint-strings" in text):
        found = _xml(_first_host(text))
    else:
        lines = first_report(text).split("\n", MAX_LINES)[:MAX_LINES]
        found = _fingerprints(lines) or _script_output(lines)
    return found[:MAX_REPLIES] or None


def fingerprint_replies(servicefp: str) -> list[ProbeReply]:
    """The replies of one service's ``SF-Port`` fingerprint (an XML report's
    ``servicefp`` attribute, XML-unescaped)."""
    lines = servicefp[:MAX_TEXT_BYTES].split("\n", MAX_LINES)[:MAX_LINES]
    return _fingerprints(lines)[:MAX_REPLIES]


def script_replies(output: str, port: str = "") -> list[ProbeReply]:
    """The replies the ``fingerprint-strings`` script printed (an XML report's ``output``
    attribute of that script, XML-unescaped)."""
    lines = output[:MAX_TEXT_BYTES].replace("\r", "").split("\n", MAX_LINES)[:MAX_LINES]
    return _blocks(lines, port)[:MAX_REPLIES]


def _fingerprints(lines: Sequence[str]) -> list[ProbeReply]:
    """Every ``SF-Port`` fingerprint's replies: its lines unwrapped, then its responses."""
    found: list[ProbeReply] = []
    parts: list[str] | None = None
    for line in lines:
        text = line.strip()
        if not text:
            continue  # a page that double-spaced the lines
        if text.startswith("SF-Port"):
            if parts is not None:
                found += _responses("".join(parts))
            parts = [text]
        elif parts is not None and text.startswith("SF:"):
            parts.append(text[3:])
        elif parts is not None:
            found += _responses("".join(parts))
            parts = None
        if len(found) >= MAX_REPLIES:
            return found
    if parts is not None:
        found += _responses("".join(parts))
    return found


def _responses(fingerprint: str) -> list[ProbeReply]:
    """The ``%r(PROBE,LEN,"...")`` responses of one unwrapped fingerprint."""
    header = _HEADER.match(fingerprint)
    port = f"{header.group(1)}/{header.group(2).casefold()}" if header else ""
    found: list[ProbeReply] = []
    at = fingerprint.find("%r(")
    while at >= 0 and len(found) < MAX_REPLIES:
        response = _RESPONSE.match(fingerprint, at)
        if response is None:
            at = fingerprint.find("%r(", at + 3)
            continue
        inside = _QUOTED.match(fingerprint, response.end())
        if inside is None:  # never: the pattern matches the empty string
            break
        closed = fingerprint.startswith('"', inside.end())
        # an escape is at most 4 characters: more than that for the longest reply is not read
        raw = _unescape(inside.group(0)[: 4 * MAX_REPLY_BYTES + 4])
        long = len(inside.group(0)) > 4 * MAX_REPLY_BYTES + 4 or len(raw) > MAX_REPLY_BYTES
        cut = not closed or long or len(raw) < int(response.group(2), 16)
        found.append(ProbeReply((response.group(1),), port, raw[:MAX_REPLY_BYTES], cut))
        if not closed:
            break
        at = fingerprint.find("%r(", inside.end() + 1)
    return found


def _unescape(escaped: str) -> bytes:
    """nmap's escapes back to the bytes (as nmap's own NSE library reads them: ``\\xH``
    with one digit too; a backslash before any other character stands for it)."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16)) if len(code) > 1 else "x"
        return _SINGLE.get(code, code)

    if escaped.endswith("\\") and (len(escaped) - len(escaped.rstrip("\\"))) % 2:
        escaped = escaped[:-1]  # a fingerprint cut inside an escape
    return _ESCAPE.sub(one, escaped).encode("latin-1", "replace")


def _script_output(lines: Sequence[str]) -> list[ProbeReply]:
    """``fingerprint-strings`` blocks of nmap's normal output (``|``-prefixed lines)."""
    found: list[ProbeReply] = []
    port = ""
    inside = False
    block: list[str] = []
    for line in lines:
        text = line.rstrip("\r").lstrip()
        port_line = re.match(r"(\d{1,5})/(tcp|udp|sctp)\s", text)
        if port_line:
            port = f"{port_line.group(1)}/{port_line.group(2)}"
        if not inside:
            if text.startswith(("| fingerprint-strings:", "|_fingerprint-strings:")):
                inside, block = True, []
            continue
        if not text:
            continue  # a page that double-spaced the lines
        if not text.startswith("|"):
            inside = False
            found += _blocks(block, port)
            continue
        block.append(text[2:])
        if text.startswith("|_"):
            inside = False
            found += _blocks(block, port)
    if inside:
        found += _blocks(block, port)  # cut where it was published
    return found


def _blocks(lines: Iterable[str], port: str) -> list[ProbeReply]:
    """Label lines (2 blanks, probe names, ``:``) and the strings under them (4 blanks)."""
    found: list[ProbeReply] = []
    probes: tuple[str, ...] | None = None
    strings: list[str] = []
    labels = 0
    for line in lines:
        label = _LABEL.fullmatch(line)
        if label is not None:
            labels += 1
            if labels > MAX_REPLIES:
                break
            if probes is not None:
                found.append(_rebuilt(probes, port, strings))
            probes, strings = tuple(label.group(1).split(", ")), []
        elif probes is not None and line.startswith("    "):
            strings.append(line[4:].rstrip())
    if probes is not None:
        found.append(_rebuilt(probes, port, strings))
    return [reply for reply in found if reply.data]


def _rebuilt(probes: tuple[str, ...], port: str, strings: list[str]) -> ProbeReply:
    """A reply from the strings the script printed: a status line, the head lines after
    it, a blank line and the rest as the body; a banner's lines joined with CRLF."""
    strings = [s for s in strings if s]
    if strings and _STATUS.match(strings[0]):
        split = 1
        while split < len(strings) and _HEAD_LINE.match(strings[split]):
            split += 1
        text = "\r\n".join(strings[:split]) + "\r\n\r\n" + "\r\n".join(strings[split:])
    else:
        text = "\r\n".join(strings) + ("\r\n" if strings else "")
    data = text.encode("utf-8", "surrogateescape")[:MAX_REPLY_BYTES]
    return ProbeReply(probes, port, data, True)


REPORT_LINE: Final = "Nmap scan report for "
NO_TITLE: Final = re.compile(r"Site doesn't have a title|Did not follow redirect", re.IGNORECASE)
"""What nmap's http-title prints in place of a title: the page had none, or redirected."""


def first_report(text: str) -> str:
    """The first host's report of nmap's normal output, from its ``Nmap scan report
    for`` line to the next host's: nmap prints a host's script output and unrecognised
    services' fingerprints inside that host's report; what comes before the first is
    nmap's own lines and pre-scan scripts' (``broadcast-upnp-info``: other devices),
    what follows other hosts'.  Text with no such line is returned whole."""
    first = text.find(REPORT_LINE)
    if first < 0:
        return text
    second = text.find(REPORT_LINE, first + len(REPORT_LINE))
    return text[first : second if second >= 0 else len(text)]


def _first_host(text: str) -> str:
    """The first ``<host>`` element of an nmap XML report (the rest is other devices)."""
    start = text.find("<host")
    end = text.find("</host>", start)
    return text[start : end if end >= 0 else len(text)]


def _xml(text: str) -> list[ProbeReply]:
    """``servicefp`` attributes, else the ``fingerprint-strings`` script's output."""
    fingerprints: list[str] = []
    outputs: list[tuple[str, str]] = []
    at = 0
    while len(fingerprints) + len(outputs) < MAX_REPLIES:
        attribute = _XML_ATTRIBUTE.search(text, at)
        if attribute is None:
            break
        end = text.find('"', attribute.end())
        value = html.unescape(text[attribute.end() : end if end >= 0 else len(text)])
        if attribute.group(1) == "servicefp":
            fingerprints.append(value)
        elif _SCRIPT_ID.search(text, max(0, attribute.start() - 200), attribute.start()):
            before = text[max(0, attribute.start() - 4000) : attribute.start()]
            ports = _PORT_ID.findall(before)
            outputs.append((f"{ports[-1][1]}/{ports[-1][0]}" if ports else "", value))
        if end < 0:
            break
        at = end + 1
    found: list[ProbeReply] = []
    for fingerprint in fingerprints:
        found += fingerprint_replies(fingerprint)
    if found:
        return found
    for port, output in outputs:
        found += script_replies(output, port)
    return found


_HTTP_PROBES: Final = ("GetRequest", "HTTPOptions", "FourOhFourRequest")
_BANNER_PROBES: Final = ("NULL", "GenericLines")
_FTP_GREETING: Final = re.compile(rb"\s*220[ -]")


def for_kind(found: Sequence[ProbeReply], kind: str) -> list[bytes]:
    """The replies that are of ``kind``, by what they are: a status line that says RTSP
    is rtsp and one that says HTTP is http, whatever the probe (the replies to nmap's HTTP
    probes first; one given again under other probes, once); ftp and telnet take one
    banner a service sends unasked (the NULL probe's reply, else GenericLines') that is
    neither, of several services' an FTP greeting for ftp and for telnet one that is
    neither a greeting nor an SSH banner, where there is one."""
    chosen: list[bytes] = []
    if kind in ("http", "rtsp"):
        mark = "HTTP" if kind == "http" else "RTSP"
        ordered = sorted(found, key=lambda r: not any(p in _HTTP_PROBES for p in r.probes))
        for reply in ordered:
            status = _STATUS.match(reply.data.lstrip()[:64].decode("latin-1"))
            if status and status.group(0).startswith(mark) and reply.data not in chosen:
                chosen.append(reply.data)
        return chosen
    if kind in ("ftp", "telnet"):
        banners = [
            reply
            for probe in _BANNER_PROBES
            for reply in found
            if probe in reply.probes
            and reply.data.strip()
            and not _STATUS.match(reply.data.lstrip()[:64].decode("latin-1"))
        ]
        # of several services' banners, the one that is of the kind: an FTP greeting's
        # 220 (RFC 959), for telnet one that is neither that nor an SSH banner
        fits = [r for r in banners if bool(_FTP_GREETING.match(r.data)) == (kind == "ftp")]
        if kind == "telnet":
            fits = [r for r in fits if not r.data.startswith(b"SSH-")]
        return [(fits or banners)[0].data] if banners else []
    return chosen
