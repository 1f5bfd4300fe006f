"""One reply as captured, of a named kind, into evidence, through the parsers a scan uses.

``camcensus identify --reply KIND FILE`` and the real-device corpus test read replies
here: the bytes as on the wire (or text whose line ends are restored to CRLF where the
protocol uses them), parsed by the same function the probe of that protocol calls.
A reply published only as its fields (``fields_evidence``) goes through the same field
table the parser applies to the document.

Kinds: wsd, sadp, dhip, netip, ssdp, upnp, onvif, http, rtsp, tls, ftp, telnet, isapi,
mdns, snmp, favicon (a web UI's icon: the file, its HTTP reply, a hex dump or base64 of
it, or its MD5 as printed; ``http.favicon.md5``).  mdns and snmp replies are not read in
their wire formats (DNS records, BER), which are not what people capture or publish, but
as small JSON objects, ``{"service": ..., "name": ..., "txt": {...}}`` and
``{"sysDescr": ..., "sysObjectID": ...}``, or as the tools that people do publish print
them: avahi-browse ``-r`` (or ``-p``) and ``dns-sd -L`` (``mdns.printed_services``, the
first address's services only); snmpget/snmpwalk, pysnmp, snmpsim's ``.snmprec`` and
nmap's snmp-sysdescr (``snmp.printed_system``).  upnp and ssdp also read nmap's
upnp-info output (``ssdp.upnp_info_fields``: the first host's first device), http the
headers of nmap's http-headers and the title of http-title (normal output, first host).

What people publish is often part of a reply, so each kind also reads the parts that
carry evidence on their own (the admin who pastes ``curl`` output into ``identify
--reply`` meets the same rules):

* http / rtsp without a status line: header lines are read as the headers, anything
  else as the body, of a ``200`` response (an RTSP body is a session description);
  a client's transcript (``curl -v``, FFmpeg's trace, a log): each reply in it
  (``transcript``);
* wsd: a ProbeMatches, ResolveMatches or Hello message, or the DPWS metadata of a
  GetResponse; one that is not whole XML (or not one of those): the ONVIF scopes and
  DPWS fields in it, or a library's printout of the scopes it parsed; onvif that is not
  whole XML: the device-information fields in it, as XML or as client libraries print
  them; both as a hex dump, HTML-escaped, in UTF-16, or after other text
  (``published_xml``); tls that is neither PEM nor DER (or a PEM cut short): a
  subject line (``CN=...,O=...``), or the subject and issuer lines of the server's own
  certificate as ``openssl s_client``/``x509``, ``curl -v`` and nmap's ssl-cert print
  them; netip without its 20-byte header: the JSON payload;
* isapi XML cut short: the ``<field>value</field>`` pairs that survive;
* http, rtsp, ftp, telnet as nmap printed them when version detection matched nothing
  (``nmapfp``): the fingerprint for submission (``SF-Port554-TCP:V=...`` and its
  ``SF:`` lines, nmap's escapes), the ``fingerprint-strings`` script's output
  (``|   GetRequest:`` / ``|     HTTP/1.0 200 OK``), or either in nmap's XML (``-oX``;
  of several hosts, the first only).  The replies in it that are of the kind are
  read, each as a reply of its own: a status line saying HTTP is http and one saying
  RTSP is rtsp, whichever probe got it; ftp and telnet take the banner the service
  sent unasked (the NULL probe's reply, else GenericLines').  A fingerprint with
  none of the kind is an error that names the probes it holds.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import html
import json
import re
import urllib.parse
import warnings
from collections.abc import Callable, Mapping
from typing import Final, Literal, get_args

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import (
    dhip,
    favicon,
    ftp,
    http,
    isapi,
    mdns,
    netip,
    nmapfp,
    onvif,
    rtsp,
    sadp,
    snmp,
    ssdp,
    telnet,
    tls,
    transcript,
    wsd,
)
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core._json import cut_json

__all__ = [
    "CRLF_KINDS",
    "KINDS",
    "MAX_JSON_REPLY_BYTES",
    "MAX_PRINTED_BYTES",
    "ReplyKind",
    "fields_evidence",
    "parse_reply",
    "published_xml",
    "restore_crlf",
    "unhex",
    "wire_form",
]

ReplyKind = Literal[
    "wsd",
    "sadp",
    "dhip",
    "netip",
    "ssdp",
    "upnp",
    "onvif",
    "http",
    "rtsp",
    "tls",
    "ftp",
    "telnet",
    "isapi",
    "mdns",
    "snmp",
    "favicon",
]
KINDS: Final[tuple[ReplyKind, ...]] = get_args(ReplyKind)
CRLF_KINDS: Final = frozenset({"ssdp", "http", "rtsp", "ftp"})
"""Kinds whose lines end in CRLF on the wire."""
MAX_JSON_REPLY_BYTES: Final = 64 * 1024


def restore_crlf(data: bytes) -> bytes:
    """Text saved with LF line ends back to CRLF (lines already ending CRLF are kept).

    Only the head of an HTTP-style message is a protocol's business; a body keeps the
    line ends it had, so only lines up to the first empty one change, unless the
    head's Content-Length shows the body was sent with CRLF too (an SDP, whose lines
    end CRLF on the wire, counted so).
    """
    lines = data.split(b"\n")
    out: list[bytes] = []
    for index, line in enumerate(lines):
        bare = line[:-1] if line.endswith(b"\r") else line
        out.append(bare)
        if not bare:  # the blank line ending the head: the rest is body, as it was
            head = b"\r\n".join(out) + b"\r\n"
            body = b"\n".join(lines[index + 1 :])
            declared = _CONTENT_LENGTH.search(head)
            crlf_body = re.sub(rb"\r?\n", b"\r\n", body)
            if declared and int(declared.group(1)) == len(crlf_body) != len(body):
                body = crlf_body
            return head + body
    return b"\r\n".join(out)


_CONTENT_LENGTH: Final = re.compile(rb"(?im)^content-length:[ \t]*(\d{1,9})[ \t]*\r$")


def _json_object(data: bytes, what: str) -> dict[str, object]:
    if len(data) > MAX_JSON_REPLY_BYTES:
        raise MalformedReplyError(f"{what}: over {MAX_JSON_REPLY_BYTES} bytes")
    try:
        text = data.decode("utf-8")
        value = json.loads(text)
    except (UnicodeDecodeError, RecursionError) as exc:  # nested past the parser's depth
        raise MalformedReplyError(f"{what}: not JSON ({exc})") from exc
    except json.JSONDecodeError as exc:
        value = _printed_object(text)
        if value is None and (value := cut_json(text)) is None:  # not even cut short
            raise MalformedReplyError(f"{what}: not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise MalformedReplyError(f"{what}: not a JSON object")
    return value


_TRAILING_COMMA: Final = re.compile(r",(\s*[}\]])")


def _printed_object(text: str) -> object | None:
    """An object as a program printed it where it was published: JSON with trailing
    commas, or a Python literal (``{'Name': 'x', 'On': True,}``); None for anything else."""
    try:
        parsed: object = json.loads(_TRAILING_COMMA.sub(r"\1", text))
        return parsed
    except (json.JSONDecodeError, RecursionError):
        pass
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like of a
            warnings.simplefilter("ignore")  # text that is no literal: not the user's concern
            literal: object = ast.literal_eval(text.strip())
        return literal
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


MAX_PRINTED_BYTES: Final = 1 << 20
"""What a tool printed is read over its first MiB (a whole walk or browse may be longer;
the readers take their first lines)."""


def _printed_text(data: bytes) -> str:
    return data[:MAX_PRINTED_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")


def _json_after_text(data: bytes, what: str, neither: str) -> dict[str, object]:
    """The JSON object that follows other text (a prompt, a tool's heading), for the
    readers of printed output when the printout itself gave nothing; MalformedReplyError
    saying ``neither`` when there is no object."""
    if b"{" not in data:
        raise MalformedReplyError(f"{what}: {neither}")
    return _json_object(data[data.index(b"{") :], what)


def _mdns(data: bytes, address: str) -> list[Evidence]:
    if data.lstrip()[:1] not in (b"{", b""):
        # as a browser printed them: avahi-browse -r (or -p), dns-sd -L (a browse of a
        # busy network runs long: its first MAX_PRINTED_BYTES are read)
        services = mdns.printed_services(_printed_text(data))
        found = [
            ev
            for service in services
            for ev in mdns.service_evidence(
                service.service_type, service.name, service.properties, address
            )
        ]
        if found:
            return found
        doc = _json_after_text(
            data,
            "mDNS service",
            'neither JSON ({"service": ..., "name": ..., "txt": {...}}) nor a service as'
            " avahi-browse or dns-sd -L printed it",
        )
    else:
        doc = _json_object(data, "mDNS service")
    service_type, name = _text(doc.get("service")), _text(doc.get("name"))
    if service_type is None or name is None:
        raise MalformedReplyError("mDNS service: needs 'service' and 'name' text")
    txt = doc.get("txt", {})
    properties = [(str(k), _text(v)) for k, v in txt.items()] if isinstance(txt, dict) else []
    return mdns.service_evidence(service_type, name, properties, address)


def _snmp(data: bytes, address: str) -> list[Evidence]:
    if data.lstrip()[:1] in (b"{", b""):
        doc = _json_object(data, "SNMP values")
        descr, oid = _text(doc.get("sysDescr")), _text(doc.get("sysObjectID"))
    else:  # as a tool printed them: snmpget/snmpwalk, pysnmp, snmpsim, nmap
        descr, oid = snmp.printed_system(_printed_text(data))
        if descr is None and oid is None:
            doc = _json_after_text(
                data,
                "SNMP values",
                'neither JSON ({"sysDescr": ..., "sysObjectID": ...}) nor sysDescr.0/'
                "sysObjectID.0 as snmpget, snmpwalk, an .snmprec file or nmap's"
                " snmp-sysdescr printed them",
            )
            descr, oid = _text(doc.get("sysDescr")), _text(doc.get("sysObjectID"))
    return snmp.system_evidence(descr, oid, address)


_SSDP_START: Final = re.compile(
    rb"(?im)^[ \t]*(?:HTTP/1\.\d[ \t]+200|NOTIFY[ \t]+\*|M-SEARCH[ \t]+\*)"
)


_UPNP_INFO_HEADING: Final = re.compile(r"^\|[ _]upnp-info:", re.MULTILINE)
"""The host script's heading (not ``broadcast-upnp-info``'s, a pre-scan script's of
other devices)."""


def _upnp_info(data: bytes, address: str) -> list[Evidence] | None:
    """What nmap's upnp-info script printed (normal output), of the first host and
    device, or None when ``data`` is not that."""
    text = nmapfp.first_report(_printed_text(data))
    heading = _UPNP_INFO_HEADING.search(text)
    if heading is None:
        return None
    found = EvidenceList(ssdp.SOURCE, address)
    for key, value in ssdp.upnp_info_fields(text[heading.end() :]):
        found.add(key, value)
    if not found.items():
        raise MalformedReplyError("nmap upnp-info output: no Server, Manufacturer or Model line")
    return found.items()


def _ssdp(data: bytes, address: str) -> list[Evidence]:
    if (printed := _upnp_info(data, address)) is not None:
        return printed
    # as published: after other text (a tool's "received from ..." line), or only its
    # header lines, which are a search response's
    start = _SSDP_START.search(data, 0, 4096)
    if start is not None:
        data = data[start.start() :].lstrip()
    elif _HEADER_LINE.match(data.lstrip()):
        data = b"HTTP/1.1 200 OK\r\n" + data.lstrip()
    return ssdp.parse_response(data, address)[0]


def _upnp(data: bytes, address: str) -> list[Evidence]:
    if (printed := _upnp_info(data, address)) is not None:
        return printed
    return ssdp.parse_description(published_xml(data), address)


_HEADER_LINE: Final = re.compile(rb"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}:")
_XML_FIELD: Final = re.compile(r"<([A-Za-z][\w.-]{0,63})>([^<>]{1,512})</\1>")


def _with_status_line(data: bytes, status_line: bytes) -> bytes:
    """A reply without its status line as the headers (or body) of a 200 response."""
    text = data.lstrip()
    if text.startswith((b"HTTP/", b"RTSP/")):
        return data
    if _HEADER_LINE.match(text):
        return status_line + b"\r\n" + text
    return status_line + b"\r\n\r\n" + text


_FTP_CODE: Final = re.compile(rb"^\d{3}[ -]")


def wire_form(kind: str, data: bytes) -> bytes:
    """A published reply as it was on the wire, as far as the missing parts are implied:
    an HTTP or RTSP status line, an FTP greeting's ``220`` code (other kinds: as given).
    Another tool judged on the same reply (nmap's match lines) gets these same bytes."""
    if kind == "http":
        return _with_status_line(data, b"HTTP/1.1 200 OK")
    if kind == "rtsp":
        return _with_status_line(data, b"RTSP/1.0 200 OK")
    if kind == "ftp" and not _FTP_CODE.match(data.lstrip()):
        return b"220 " + data.strip() + b"\r\n"
    return data


def _http(data: bytes, address: str) -> list[Evidence]:
    if (printed := _nmap_http_scripts(data)) is not None:
        data = printed
    return _each_reply("http", data, lambda reply: http.parse_http(reply, address))


_NMAP_HEADER: Final = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}:[ \t]*\S.*")
_NMAP_TITLE: Final = re.compile(r"^\|_?\s?http-title:\s*(?P<title>\S.*)")
_NMAP_SERVER: Final = re.compile(r"^\|_?\s?http-server-header:\s*(?P<server>\S.*)")
_NMAP_HTTP_SCRIPT: Final = re.compile(
    r"^\|[ _](?:http-headers|http-title|http-server-header):", re.MULTILINE
)


def _nmap_http_scripts(data: bytes) -> bytes | None:
    """The reply nmap's HTTP scripts saw, rebuilt from its normal output, of the first
    host's report: the first http-headers block's headers (else http-server-header's
    Server), http-title's title as a body; nmap prints no status line, so the reply is
    taken as a 200.  A report with none of them: the first host's report as it is.
    None when ``data`` is not nmap's output."""
    if data.lstrip()[:5] == b"HTTP/":
        return None  # a reply itself, whatever its body says
    text = _printed_text(data)
    if not (_NMAP_HTTP_SCRIPT.search(text) or nmapfp.REPORT_LINE in text):
        return None
    report = nmapfp.first_report(text)
    headers: list[str] = []
    title: str | None = None
    blocks = 0  # http-headers blocks seen (one per port: the first is read)
    inside = False
    for line in report.splitlines()[:_MAX_PRINTED_LINES]:
        if inside:
            value = line.lstrip("|_").strip()
            if _NMAP_HEADER.fullmatch(value) and blocks == 1:
                headers.append(value)
            inside = not line.startswith("|_")
        elif line.startswith("|") and "http-headers:" in line:
            blocks += 1
            inside = True
        elif (server := _NMAP_SERVER.match(line)) is not None and not headers:
            headers.append(f"Server: {server['server'].rstrip()}")
        elif (
            (titled := _NMAP_TITLE.match(line)) is not None
            and title is None
            and not nmapfp.NO_TITLE.match(titled["title"])
        ):
            title = titled["title"].rstrip()
    if not headers and title is None:
        return report.encode("utf-8")
    body = f"<title>{html.escape(title)}</title>" if title else ""
    return ("HTTP/1.1 200 OK\r\n" + "\r\n".join(headers) + "\r\n\r\n" + body).encode()


def _rtsp(data: bytes, address: str) -> list[Evidence]:
    return _each_reply("rtsp", data, lambda reply: rtsp.parse_rtsp(reply, address))


def _each_reply(kind: str, data: bytes, parse: Callable[[bytes], list[Evidence]]) -> list[Evidence]:
    """Every reply in a published client transcript (``curl -v``, FFmpeg, a log), else
    the data as one reply; the evidence of all that parse, the first error when none do."""
    found: list[Evidence] = []
    failure: MalformedReplyError | None = None
    for reply in transcript.replies(data) or [data]:
        try:
            found += parse(wire_form(kind, reply))
        except MalformedReplyError as exc:
            failure = failure or exc
    if failure is not None and not found:
        raise failure
    return found


_SCOPE_URL: Final = re.compile(
    r"""(['"])(onvif://(?:www\.)?onvif\.org/[^'"<>\r\n]{1,256}?)\1|onvif://(?:www\.)?onvif\.org/[^\s<>"']+""",
    re.IGNORECASE,
)
_ONVIF_FIELD: Final = re.compile(
    r"<(?:[\w-]+:)?(Manufacturer|Model|FirmwareVersion|SerialNumber|HardwareId)>([^<>]{1,256})<"
)
_ONVIF_PRINTED_FIELD: Final = re.compile(
    r"""(?im)(?:^|(?<=[\s{,;(&]))['"]?"""
    r"""(manufacturer|model|firmware[ _]?version|fw[ _]?version|firmware|serial[ _]?number"""
    r"""|serial|hardware[ _]?id)['"]?(?:[ \t]*[:=]|\t)[ \t]*"""
    r"""(?:'([^'\r\n]{1,256})'|"([^"\r\n]{1,256})"|"""
    r"""([^'",{}\s][^,{}\r\n]{0,255}?)"""
    r"""(?=[ \t]+['"]?[A-Za-z_]\w{0,40}['"]?:|[ \t]*(?:[,}\r\n]|$)))"""
)
"""GetDeviceInformation as client libraries print it, which is how issue threads often
publish it: zeep's dict and JSON (``'Manufacturer': 'HIKVISION'``), the Node ``onvif``
package's objects (``manufacturer: 'Dahua'``), Go structs printed with ``%+v``
(``{Manufacturer:HIKVISION Model:DS-2CD2143G2-I ...}``), ``Name: value`` or tab-separated
lines (ONVIF Device Manager, YAML): any case, the field names spelled with blanks too."""


_MAX_PUBLISHED_BYTES: Final = 1 << 20
_DOCUMENT_START: Final = re.compile(rb"<\?xml\b|<(?:[A-Za-z_][\w.-]{0,39}:)?Envelope\b")


def _utf16_as_utf8(data: bytes) -> bytes:
    """Text saved as UTF-16 (a byte-order mark, or ``<`` then a zero byte) as UTF-8, its
    XML declaration's encoding said so too; other bytes as they are."""
    if len(data) > _MAX_PUBLISHED_BYTES:
        return data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(b"<\x00"):
        text = data.decode("utf-16-le", errors="replace")
    else:
        return data
    text = re.sub(
        r"""(<\?xml[^>]{0,200}?encoding\s*=\s*)["'][^"']{0,40}["']""", r'\1"UTF-8"', text, count=1
    )
    return text.encode("utf-8")


def published_xml(data: bytes) -> bytes:
    """A SOAP message as pages and tools publish it, back to the document sent: a hex
    dump (``xxd``, ``hexdump -C``, Wireshark's) as its bytes, a page's HTML-escaped
    text (``&lt;s:Envelope ...``) unescaped, and what comes before the document (a
    byte-order mark, blank lines, HTTP headers, a tool's "received from ..." line)
    cut; text a Windows tool saved as UTF-16 as UTF-8; anything else as it is."""
    data = _utf16_as_utf8(data)
    data = unhex(data) or data
    if len(data) <= _MAX_PUBLISHED_BYTES and b"<" not in data and b"&lt;" in data:
        data = html.unescape(data.decode("utf-8", errors="replace")).encode("utf-8")
    start = _DOCUMENT_START.search(data, 0, 4096)
    return data[start.start() :] if start is not None and start.start() > 0 else data


def _wsd(data: bytes, address: str) -> list[Evidence]:
    # a capture holds ProbeMatches, ResolveMatches and the Hello a device multicasts when
    # it joins a network: all read as a packet capture reads them
    data = published_xml(data)
    try:
        parsed: list[Evidence] | None = wsd.parse_announcement(data, address)
        failure: MalformedReplyError | None = None
    except ReplyTooLargeError:
        raise  # over the message cap: too large for the by-name reading as well
    except MalformedReplyError as exc:
        parsed, failure = None, exc
    if parsed:
        return parsed
    # a list of scopes, or a message cut, elided, or quoted without its namespace
    # declarations where it was published: the elements read by name, as far as they
    # are there
    found = EvidenceList(wsd.SOURCE, address)
    text = data.decode("utf-8", errors="replace").replace("\\/", "/")  # JSON's "\/"
    scopes = _scope_urls(text)
    if not scopes:  # a discovery library's printout of the scopes it parsed out
        printed = _PRINTED_SCOPE.findall(text)[:8]
        scopes = " ".join(
            f"onvif://www.onvif.org/{kind.casefold()}/{urllib.parse.quote(a or b)}"
            for kind, a, b in printed
        )
    wsd.add_scopes(found, scopes)
    for value in _element_texts(text, "Types"):
        found.add("wsd.types", " ".join(value.split()))
    for value in _element_texts(text, "XAddrs"):
        wsd.add_xaddrs(found, value)
    for value in _element_texts(text, "Address"):
        wsd.add_endpoint(found, value)
    for name, key in wsd.DPWS_FIELDS:  # a device's metadata (DPWS ThisModel, ThisDevice)
        for value in _element_texts(text, name)[:2]:
            found.add(key, value.strip())
    if not found.items():
        if failure is not None:
            raise failure
        return []
    return found.items() + wsd.namespace_evidence(data, address)


_PRINTED_SCOPE: Final = re.compile(
    r"""(?im)(?:^|(?<=[\s{,(]))['"]?(name|hardware|manufacturer)['"]?[ \t]*[:=][ \t]*"""
    r"""(?:'([^'\r\n]{1,128})'|"([^"\r\n]{1,128})")"""
)
"""A name, hardware or manufacturer scope as a discovery library prints what it parsed
out of one (Node ``onvif``'s ``name: 'HIKVISION DS-2CD2143G2-I'``), quoted values only."""


def _scope_urls(text: str) -> str:
    """The ONVIF scope URLs written anywhere in a text, space-separated, without the
    punctuation a printed list closes them with (``[onvif://.../name/IPC]``, ``...),``);
    one a printout quotes is taken to its closing quote, blanks and all
    (``'onvif://.../name/HIKVISION DS-2CD'``: ``add_scopes`` joins the words again)."""
    return " ".join(
        m.group(2).strip() if m.group(2) else m.group(0).rstrip(",;)]}")
        for m in _SCOPE_URL.finditer(text)
    )


def _element_texts(text: str, name: str) -> list[str]:
    """The text of every ``<name>`` / ``<prefix:name>`` element in a piece of XML that
    may not parse (first 8), character references left as they are."""
    pattern = rf"<(?:[\w.-]+:)?{name}(?:\s[^<>]*)?>([^<>]{{1,2000}})</(?:[\w.-]+:)?{name}\s*>"
    return re.findall(pattern, text)[:8]


_PROFILE_NAME: Final = re.compile(
    r"<(?:[\w.-]+:)?Profiles\b[^<>]*>\s*<(?:[\w.-]+:)?Name>([^<>]{1,64})</", re.IGNORECASE
)
"""A GetProfiles profile's name: the Name element that opens each Profiles element."""


def _onvif(data: bytes, address: str) -> list[Evidence]:
    data = published_xml(data)
    try:
        return onvif.parse_reply(data, address)
    except ReplyTooLargeError:
        raise  # over the reply cap: too large for the by-name reading as well
    except MalformedReplyError:
        # a reply whose envelope was cut, or lost its namespaces, in publishing: device
        # information, scopes, service addresses and media URIs read by element name
        text = data.decode("utf-8", errors="replace").replace("\\/", "/")  # JSON's "\/"
        printed = {m[0]: (m[1] or m[2] or m[3]).strip() for m in _ONVIF_PRINTED_FIELD.findall(text)}
        fields = {**printed, **dict(_ONVIF_FIELD.findall(text))}
        found = fields_evidence("onvif", fields, address)
        extra = EvidenceList(onvif.SOURCE, address)
        wsd.add_scopes(extra, _scope_urls(text), "onvif.scope")
        for value in _element_texts(text, "XAddr"):
            onvif.add_xaddr(extra, value)
        for value in _element_texts(text, "Uri"):
            extra.add("onvif.uri", value.strip())
        for value in _element_texts(text, "HwAddress"):
            extra.add_mac("onvif.mac", value)
        for value in _PROFILE_NAME.findall(text)[:8]:
            extra.add("onvif.profile", value.strip())
        found += extra.items() + onvif.namespace_evidence(data, address)
        if not found:
            raise
        return found


_JSON_PAIR: Final = re.compile(r"""(["'])(\w{1,40})\1\s*:\s*(["'])((?:(?!\3)[^\\]){0,256})\3""")
"""A "key": "value" pair of JSON, or of a Python dict as printed ('key': 'value')."""


def _dhip(data: bytes, address: str) -> list[Evidence]:
    try:
        return dhip.parse_reply(data, address)
    except MalformedReplyError:
        # device info cut short where it was published: the fields that survive
        text = data.decode("utf-8", errors="replace")
        fields = {m[1]: m[3] for m in _JSON_PAIR.findall(text)}
        found = fields_evidence("dhip", fields, address)
        if "realm" in fields:
            extra = EvidenceList(dhip.SOURCE, address)
            extra.add("dhip.realm", fields["realm"])
            found += extra.items()
        if not found:
            raise
        return found


def _tls(data: bytes, address: str) -> list[Evidence]:
    text = data.strip().removeprefix(b"\xef\xbb\xbf")
    try:  # text (OpenSSL 3 prints a Chinese O= as UTF-8); DER never decodes as UTF-8
        printed: str | None = text[:MAX_PRINTED_BYTES].decode("utf-8")
    except UnicodeDecodeError:
        printed = None
    if printed is None or b"-----BEGIN" in text or "=" not in printed:
        try:
            return tls.parse_certificate_file(data, address)
        except MalformedReplyError:
            if printed is None or not _TLS_LABEL.search(printed):
                raise  # no certificate, nor a client's printout of one cut short
    # a subject as text, or the subject and issuer lines clients print: curl -v
    # ("*  subject: C=CN; O=x"), openssl x509 -subject -issuer ("subject=/C=CN/O=x" before
    # 1.1, "subject=C = CN, O = x" since), x509 -text ("Subject: C = CN, O = x"),
    # s_client's chain (" 0 s:/C=CN/O=x", "depth=0 C = CN, O = x": the server's own at
    # depth 0 only), -nameopt multiline's indented lines under a bare "subject=" and nmap's
    # ssl-cert ("| ssl-cert: Subject: organizationName=x/...")
    found = EvidenceList(tls.SOURCE, address)
    seen: set[tuple[str, str]] = set()
    depth = 0  # s_client prints a certificate's issuer ("   i:") below its depth's subject
    lines = nmapfp.first_report(printed).splitlines()[:_MAX_PRINTED_LINES]  # the first host's
    built: set[tuple[str, str]] = set()  # names -nameopt multiline printed, an attribute a line
    multiline: tuple[str, list[str]] | None = None
    for line in (line[:_MAX_TLS_LINE_CHARS] for line in lines):
        if multiline is not None and (attribute := _MULTILINE_ATTRIBUTE.match(line)):
            if len(multiline[1]) < _MAX_MULTILINE_ATTRIBUTES:
                multiline[1].append(_attribute(f"{attribute['name']}={attribute['value']}"))
            continue
        if multiline is not None and multiline[1]:
            built.add((multiline[0], _rfc4514(multiline[1])))
        multiline = None
        labelled = _TLS_LABEL.match(line)
        if labelled is None:
            continue
        label, name = labelled.group("label", "name")
        if label is not None and not name.strip():
            multiline = (label.casefold(), [])
            continue
        if (at := labelled.group("depth") or labelled.group("leaf")) is not None:
            depth = int(at)
        if depth != 0 and label is None:
            continue  # a CA's certificate further up the chain
        kind = (label or labelled.group("chain") or "s").casefold()
        seen.add(("issuer" if kind in ("issuer", "i") else "subject", name))
    if multiline is not None and multiline[1]:
        built.add((multiline[0], _rfc4514(multiline[1])))
    if lines and _BARE_NAME.match(lines[0]) and not _TLS_LABEL.match(lines[0]):  # a bare subject
        seen.add(("subject", lines[0][:_MAX_TLS_LINE_CHARS]))
    names = {(field, dn) for field, name in seen if (dn := _distinguished_name(name))} | built
    if not names:
        raise MalformedReplyError(
            "TLS: neither a PEM or DER certificate nor a subject or issuer line "
            "(CN=..., or as openssl, curl -v or nmap's ssl-cert print them)"
        )
    for field, dn in sorted(names):
        found.add(f"tls.{field}", dn)
    return found.items()


_MAX_PRINTED_LINES: Final = 400  # lines of a printout read: TLS names, nmap's HTTP scripts
_MAX_TLS_LINE_CHARS: Final = 2048
_BARE_NAME: Final = re.compile(r"\s*/?(?:CN|O|OU|C|ST|L|DC|emailAddress)\s*=", re.IGNORECASE)
"""A line that is a name by itself (``CN=x,O=y``, ``/C=CN/O=x``), not a tool's other
output (``# Nmap 7.93 scan initiated ...``, ``verify error:num=20``)."""
_TLS_LABEL: Final = re.compile(
    r"^[ \t*|_>#]*(?:ssl-cert:\s*)?"
    r"(?:(?P<label>subject|issuer)\s*[:=]|(?:(?P<depth>\d{1,2})\s+)?(?P<chain>[si]):"
    r"|depth=(?P<leaf>\d{1,2})\s)[ \t]*(?P<name>.*)",
    re.IGNORECASE | re.MULTILINE,
)
_MULTILINE_ATTRIBUTE: Final = re.compile(
    r"^[ \t]+(?P<name>[A-Za-z][A-Za-z0-9.]{0,40})[ \t]*=[ \t]*(?P<value>\S.*)$"
)
"""An attribute line of ``openssl x509 -nameopt multiline``: indented under a bare
``subject=`` or ``issuer=``, its long name, blanks, ``=`` and the value."""
_MAX_MULTILINE_ATTRIBUTES: Final = 32
_SLASHED: Final = re.compile(r"/(?=[A-Za-z][A-Za-z0-9.]{0,40}\s*=)")
_LONG_ATTRIBUTES: Final = {long.casefold(): short for long, short in tls.NMAP_ATTRIBUTE_NAMES} | {
    "emailaddress": "emailAddress"  # OpenSSL 1.0's slashed names spell it out too
}
"""Long attribute names (nmap's ssl-cert, ``organizationName=Acme/countryName=US``) to
the short ones."""


def _distinguished_name(text: str) -> str:
    """A printed name as a scan reports it, ``C=CN,O=x``: OpenSSL's ``C = CN, O = x``
    and curl's ``C=CN; O=x`` by their separators; the slashed forms of OpenSSL 1.0
    (``/C=CN/O=x``) and nmap (``countryName=CN/organizationName=x``) with each value's
    commas escaped, as RFC 4514 does."""
    text = text.strip()
    first = text.partition("=")[0].strip().casefold()
    if (
        text.startswith("/")
        or first in _LONG_ATTRIBUTES
        or (_SLASHED.search(text) and "," not in text)
    ):
        parts = [p for p in _SLASHED.split(text.removeprefix("/")) if "=" in p]
        if parts:
            return ",".join(_attribute(p).replace(",", "\\,") for p in parts)
    # split and joined, not re.sub: "\s*=\s*" backtracks over every run of blanks
    spaced = "=".join(part.strip() for part in text.split("="))
    return ",".join(part.strip() for part in spaced.split(";")) if ";" in spaced else spaced


def _rfc4514(attributes: list[str]) -> str:
    """``name=value`` attributes (short names) as one name, each value's commas escaped
    (RFC 4514 sec. 2.4), in the order printed: nothing in a value is read as a separator."""
    escaped = []
    for attribute in attributes:
        name, _, value = attribute.partition("=")
        value = value.replace("\\", "\\\\").replace(",", "\\,")
        escaped.append(f"{name}={value}")
    return ",".join(escaped)


def _attribute(part: str) -> str:
    name, _, value = part.partition("=")
    name = name.strip()
    return f"{_LONG_ATTRIBUTES.get(name.casefold(), name)}={value.strip()}"


def _netip(data: bytes, address: str) -> list[Evidence]:
    if data[:1] == b"\xff":
        return netip.parse_reply(data, address)
    start = data.find(b"{")
    if start < 0:
        raise MalformedReplyError("NetIP reply: neither framed nor JSON")
    return netip.message_evidence(_json_object(data[start:].rstrip(b"\x00\n\r "), "NetIP"), address)


def _isapi(data: bytes, address: str) -> list[Evidence]:
    # a scan GETs the document over HTTP, so its text is also that response's body
    # (banner._api): the http.body rules see it there as they do in a scan
    text = data.decode("utf-8", errors="replace")
    body = EvidenceList("http", address)
    http.add_body(body, text)
    try:
        return isapi.parse_document(data, address) + body.items()
    except MalformedReplyError:
        fields: dict[str, str] = {}
        for name, value in _XML_FIELD.findall(text):
            fields.setdefault(name, value)
        if not fields:
            raise
        namespace = re.search(r'xmlns="([^"]{1,200})"', text)
        return (
            isapi.device_info_evidence(fields, address, namespace.group(1) if namespace else None)
            + body.items()
        )


_BASE64_TEXT: Final = re.compile(rb"[A-Za-z0-9+/\s]{16,}={0,2}")
"""Base64 text, matched whole on the stripped data (blanks only inside: linear)."""


def _favicon(data: bytes, address: str) -> list[Evidence]:
    """A web UI's icon: the HTTP reply that carried it, the file itself, a hex dump or
    base64 text of it, or its MD5 as another tool printed it."""
    if data.lstrip().startswith(b"HTTP/"):
        return http.parse_icon_reply(data, address)
    if not favicon.is_icon(data) and not re.fullmatch(rb"\s*[0-9A-Fa-f]{32}\s*", data):
        if (dumped := unhex(data)) is not None:
            data = dumped
        elif _BASE64_TEXT.fullmatch(data.strip()):
            with contextlib.suppress(ValueError):
                data = base64.b64decode(re.sub(rb"\s+", b"", data), validate=True)
    return favicon.icon_evidence(data, address)


_PARSERS: Final[Mapping[str, Callable[[bytes, str], list[Evidence]]]] = {
    "wsd": _wsd,
    "sadp": sadp.parse_reply,
    "dhip": _dhip,
    "netip": _netip,
    "ssdp": _ssdp,
    "upnp": _upnp,
    "onvif": _onvif,
    "http": _http,
    "rtsp": _rtsp,
    "tls": _tls,
    "ftp": ftp.parse_banner,
    "telnet": telnet.parse_banner,
    "isapi": _isapi,
    "mdns": _mdns,
    "snmp": _snmp,
    "favicon": _favicon,
}


def parse_reply(kind: str, data: bytes, address: str = "") -> list[Evidence]:
    """Evidence from one reply of ``kind``; MalformedReplyError when it does not parse.

    ValueError for a kind that is not one of ``KINDS``.
    """
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ValueError(f"unknown reply kind {kind!r}; one of {', '.join(KINDS)}")
    if kind in _BINARY_KINDS:
        data = unhex(data) or data
    if kind in _NMAP_KINDS and (printed := nmapfp.replies(data)) is not None:
        return _nmap_fingerprint(kind, printed, parser, address)
    return parser(data, address)


_NMAP_KINDS: Final = frozenset({"http", "rtsp", "ftp", "telnet"})


def _nmap_fingerprint(
    kind: str,
    printed: list[nmapfp.ProbeReply],
    parser: Callable[[bytes, str], list[Evidence]],
    address: str,
) -> list[Evidence]:
    """The evidence of every reply of ``kind`` in a fingerprint nmap printed; the
    first error when none parse, an error naming the probes when none is of the kind."""
    chosen = nmapfp.for_kind(printed, kind)
    if not chosen:
        probes = sorted({probe for reply in printed for probe in reply.probes})
        raise MalformedReplyError(
            f"nmap fingerprint: no {kind} reply in it (replies to {', '.join(probes[:12])})"
        )
    found: list[Evidence] = []
    failure: MalformedReplyError | None = None
    for reply in chosen:
        try:
            found += parser(reply, address)
        except MalformedReplyError as exc:
            failure = failure or exc
    if failure is not None and not found:
        raise failure
    return found


_BINARY_KINDS: Final = frozenset({"dhip", "netip", "sadp"})
"""Kinds whose wire form is binary (a framed header), published as hex dumps often."""
_HEX_RUN: Final = re.compile(rb"(?:[0-9A-Fa-f]{2}[ \t]?)+")
_DUMP_LINE: Final = re.compile(
    rb"[ \t]*(?:0x)?[0-9A-Fa-f]{4,8}:?[ \t]+((?:[0-9A-Fa-f]{2}[ \t]{0,2}){1,16})(?:[ \t|].*)?"
)


def unhex(data: bytes) -> bytes | None:
    """The bytes a hex dump shows: bare hex (spaces and line breaks allowed), or
    ``hexdump -C`` / ``xxd``-style lines (offset, up to 16 byte values, the ASCII
    column); None when ``data`` is not a dump of at least 16 bytes."""
    lines = [line for line in data.strip().splitlines() if line.strip()]
    if not lines or len(data) > 4 * 65536:
        return None
    if all(_HEX_RUN.fullmatch(line.strip()) for line in lines):
        digits = re.sub(rb"\s+", b"", data)
    else:
        dumped = [_DUMP_LINE.fullmatch(line) for line in lines]
        if not all(dumped):
            return None
        digits = b"".join(re.sub(rb"\s+", b"", m.group(1)) for m in dumped if m)
    if len(digits) < 32 or len(digits) % 2:
        return None
    return bytes.fromhex(digits.decode("ascii"))


def _named_fields(kind: str, fields: Mapping[str, str], address: str) -> list[Evidence]:
    """WS-Discovery match elements (``Types``, ``XAddrs``, ``Scopes``, ``Address``,
    a namespace prefix allowed), DPWS metadata (``Manufacturer``, ``ModelName`` ...)
    or SSDP headers (``SERVER``, ``USN``), names in any case."""
    by_name = {name.rpartition(":")[2].casefold(): value for name, value in fields.items()}
    found = EvidenceList(kind, address)
    if kind == "wsd":
        wsd.add_scopes(found, by_name.get("scopes", ""))
        for scope_kind in sorted(wsd.SCOPE_KINDS):  # scopes a discovery library parsed out
            if scope_kind in by_name and "scopes" not in by_name:
                scope = f"onvif://www.onvif.org/{scope_kind}/{by_name[scope_kind].strip()}"
                wsd.add_scopes(found, scope.replace(" ", "%20"))
        found.add("wsd.types", " ".join(by_name.get("types", "").split()) or None)
        wsd.add_xaddrs(found, by_name.get("xaddrs"))
        wsd.add_endpoint(found, by_name.get("address"))
        for name, key in wsd.DPWS_FIELDS:  # a device's metadata, by its DPWS names
            found.add(key, by_name.get(name.casefold()))
    else:
        found.add("ssdp.server", by_name.get("server"))
        found.add("ssdp.usn", by_name.get("usn"))
    return found.items()


_FIELD_KEYS: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "onvif": onvif.DEVICE_INFORMATION_FIELDS,
    "sadp": sadp.FIELDS,
    "dhip": dhip.FIELDS,
    "upnp": ssdp.DESCRIPTION_FIELDS,
}
"""Field name -> evidence key, the very tables the parsers apply to the documents."""
_FIELD_MACS: Final = {"sadp": "MAC", "dhip": "mac", "onvif": "HwAddress"}


def fields_evidence(kind: str, fields: Mapping[str, str], address: str = "") -> list[Evidence]:
    """Evidence from a reply published only as field/value pairs, by the protocol's own
    field names.  MalformedReplyError for a kind that has no named fields."""
    if kind == "isapi":
        return isapi.device_info_evidence(fields, address)
    if kind in ("wsd", "ssdp"):
        return _named_fields(kind, fields, address)
    if kind == "http":  # a device API's answer published as its fields: that JSON body's
        body = EvidenceList("http", address)
        http.add_body(body, json.dumps(dict(fields)))
        return [e for e in body.items() if e.key.startswith("http.field.")]
    table = _FIELD_KEYS.get(kind)
    if table is None:
        raise MalformedReplyError(f"{kind} replies are not read from fields")
    normal: dict[str, str] = {}
    for name, text in fields.items():
        plain = _plain_name(name)
        normal.setdefault(_FIELD_ALIASES.get(plain, plain), text)

    def value(name: str) -> str | None:
        return fields[name] if name in fields else normal.get(_plain_name(name))

    found = EvidenceList(kind, address)
    for name, key in table:
        found.add(key, value(name))
    mac_field = _FIELD_MACS.get(kind)
    if mac_field is not None:
        found.add_mac(f"{kind}.mac" if kind != "onvif" else "onvif.mac", value(mac_field))
    return found.items()


_FIELD_ALIASES: Final = {
    "fwversion": "firmwareversion",
    "firmware": "firmwareversion",
    "serial": "serialnumber",
    "mac": "hwaddress",
    "macaddress": "hwaddress",
}
"""Field names integrations write for the protocol's own (Home Assistant's ONVIF device
info: manufacturer, model, fw_version, serial_number, mac)."""


def _plain_name(name: str) -> str:
    """A field name without case, separators or a namespace prefix (``tds:SerialNumber``,
    ``serial_number`` and ``SerialNumber`` are one name)."""
    return re.sub(r"[^a-z0-9]", "", name.rpartition(":")[2].casefold())
