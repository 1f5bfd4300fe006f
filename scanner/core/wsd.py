"""ONVIF WS-Discovery (SOAP 1.2 over UDP 3702): Probe and ProbeMatches.

Message layout from the WS-Discovery 2005/04 specification
(http://schemas.xmlsoap.org/ws/2005/04/discovery) as profiled by the ONVIF Core
Specification (section 7.3, scopes ``onvif://www.onvif.org/<kind>/<value>``); the
WS-Discovery 1.1 names (docs.oasis-open.org/ws-dd/ns/discovery/2009/01) are read alike,
by local name, and so is the DPWS device metadata (ThisModel, ThisDevice) of a
WS-Transfer GetResponse.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Final
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core._xml import (
    child,
    child_text,
    descendants,
    local_name,
    parse_xml,
    soap_body,
    standard_uri,
    vendor_namespace_prefixes,
    vendor_namespaces,
)
from camcensus.scanner.core.limits import MAX_UDP_REPLY_BYTES
from camcensus.scanner.core.mac import eui64_macs, uuid_node_mac

__all__ = [
    "DPWS_FIELDS",
    "MULTICAST_GROUP",
    "PORT",
    "SCOPE_KINDS",
    "SOURCE",
    "TYPES_DEVICE",
    "TYPES_NVT",
    "add_device_metadata",
    "add_endpoint",
    "add_scopes",
    "add_xaddrs",
    "build_probe",
    "namespace_evidence",
    "parse_announcement",
    "parse_probe_matches",
    "relates_to",
    "same_host_urls",
]

MULTICAST_GROUP: Final = "239.255.255.250"
PORT: Final = 3702
SOURCE: Final = "wsd"

TYPES_NVT: Final = "dn:NetworkVideoTransmitter"
"""ONVIF video transmitter type; ``dn`` is bound to the ONVIF network WSDL namespace."""
TYPES_DEVICE: Final = "tds:Device"
"""ONVIF device type; ``tds`` is bound to the ONVIF device WSDL namespace."""

_SOAP_ENV: Final = "http://www.w3.org/2003/05/soap-envelope"
_WSA: Final = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
_WSD: Final = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
_DN: Final = "http://www.onvif.org/ver10/network/wsdl"
_TDS: Final = "http://www.onvif.org/ver10/device/wsdl"
_PROBE_ACTION: Final = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
_DISCOVERY_TO: Final = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"

_QNAME: Final = r"[A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*"
_QNAME_LIST: Final = re.compile(rf"{_QNAME}(?:\s+{_QNAME})*")
_SCOPE_PREFIX: Final = re.compile(r"onvif://(?:www\.)?onvif\.org/+", re.IGNORECASE)
"""The ONVIF scope prefix, as firmware writes it (``onvif://www.onvif.org/``; some leave
out the ``www.`` or double the slash)."""
SCOPE_KINDS: Final = frozenset(
    {"name", "hardware", "mac", "location", "type", "profile", "manufacturer", "extension"}
)
"""The ONVIF scope kinds read (``onvif://www.onvif.org/<kind>/<value>``)."""


def build_probe(message_id: str, types: str = TYPES_NVT) -> bytes:
    """A SOAP 1.2 WS-Discovery Probe for ``types`` (QNames with ``dn:``/``tds:`` prefixes).

    ``message_id`` is sent as wsa:MessageID (e.g. ``uuid:...``); replies echo it in
    RelatesTo. Raises ValueError for a types string that is not a QName list.
    """
    if not _QNAME_LIST.fullmatch(types):
        raise ValueError(f"types must be space-separated QNames, got {types!r}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<s:Envelope xmlns:s="{_SOAP_ENV}" xmlns:a="{_WSA}" xmlns:d="{_WSD}"'
        f' xmlns:dn="{_DN}" xmlns:tds="{_TDS}">'
        "<s:Header>"
        f'<a:Action s:mustUnderstand="1">{_PROBE_ACTION}</a:Action>'
        f"<a:MessageID>{escape(message_id)}</a:MessageID>"
        f'<a:To s:mustUnderstand="1">{_DISCOVERY_TO}</a:To>'
        "</s:Header>"
        f"<s:Body><d:Probe><d:Types>{types}</d:Types></d:Probe></s:Body>"
        "</s:Envelope>"
    ).encode()


def relates_to(data: bytes) -> str | None:
    """The wsa:RelatesTo of a WS-Discovery message (our probe's MessageID), or None."""
    root = parse_xml(data, "WS-Discovery reply", max_bytes=MAX_UDP_REPLY_BYTES)
    header = child(root, "Header")
    if header is None:
        return None
    text = child_text(header, "RelatesTo")
    return text.strip() if text is not None else None


def add_scopes(found: EvidenceList, scopes_text: str, key_prefix: str = "wsd.scope") -> None:
    """Evidence ``<key_prefix>.<kind>`` for each ONVIF scope (``onvif://www.onvif.org/<kind>/
    <value>``, URL-decoded) in a space-separated list, or one printed as a list or joined
    with commas (``_scope_words``); a MAC scope also gives ``mac``.
    Any other scope (a kind ONVIF does not define, ``http://...``, ``ldap:///o=...``) that
    no standard owns is ``<key_prefix>.other`` as written (URL-decoded), the first 8.

    WS-Discovery matches carry scopes (``wsd.scope.*``), and so does ONVIF GetScopes
    (``onvif.scope.*``). A word that is no URI continues the scope before it: firmware
    that does not encode the blanks in a name writes ``name/HIKVISION DS-2CD2143G2-I``.
    """
    others = 0
    for scope in _joined_scopes(scopes_text):
        onvif = _SCOPE_PREFIX.match(scope)
        kind, sep, value = scope[onvif.end() if onvif else 0 :].partition("/")
        kind = kind.lower()
        if onvif is not None and kind in SCOPE_KINDS and sep:
            decoded = _scope_value(value)
            found.add(f"{key_prefix}.{kind}", decoded)
            if kind == "mac":
                found.add_mac(None, decoded)
        elif others < _MAX_OTHER_SCOPES and (
            onvif is not None or not standard_uri(scope.split("?", 1)[0])
        ):
            others += 1
            found.add(f"{key_prefix}.other", urllib.parse.unquote(scope, errors="replace"))


_MAX_OTHER_SCOPES: Final = 8
_URI_START: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}:")


_QUOTED_SCOPE: Final = re.compile(r"""(['"])([A-Za-z][A-Za-z0-9+.-]{0,30}:[^'"\r\n]{1,512}?)\1""")
"""A scope as a list printout quotes it (Python's ``['onvif://...', ...]``, a JSON array)."""
_LIST_SEPARATOR: Final = re.compile(
    r"""(?<![,;])[,;]++(?=['"]?(?:[A-Za-z][A-Za-z0-9+.-]{0,30}://|urn:))""", re.IGNORECASE
)
"""A comma or semicolon between two URIs written together (``onvif://a,onvif://b``); a
run of them is tried once, from its start (possessive, after no separator): linear in a
word of nothing but separators."""
_MAX_SCOPE_WORDS: Final = 256


def _scope_words(scopes_text: str) -> list[str]:
    """The words of a scope list as firmware and tools write it: a space-separated list
    (WS-Discovery's xs:list), or one printed as a list (``['onvif://...', 'onvif://...']``,
    a JSON array, ``[onvif://... onvif://...]``), or URIs joined with commas or
    semicolons, or one a line after a bullet (``  - onvif://...``); list brackets, quotes,
    separators and bullets trimmed, at most 256 words.  A
    quoted item is read to its closing quote; its blanks stay word breaks, which
    ``_joined_scopes`` joins again where no URI follows them."""
    text = scopes_text.replace("\\/", "/")  # JSON's "\/"
    if text.lstrip()[:1] in ("[", "(", "{", "'", '"'):
        quoted = " ".join(m.group(2) for m in _QUOTED_SCOPE.finditer(text))
        text = quoted or text
    words: list[str] = []
    for word in text.split()[:_MAX_SCOPE_WORDS]:
        for piece in _LIST_SEPARATOR.split(word):
            piece = piece.lstrip("[({'\"").rstrip(",;'\"]}")
            if piece.endswith(")") and piece.count(")") > piece.count("("):
                piece = piece[:-1]
            if any(c.isalnum() for c in piece) and len(words) < _MAX_SCOPE_WORDS:
                words.append(piece)
    return words


def _joined_scopes(scopes_text: str) -> list[str]:
    """The scopes of a list (``_scope_words``), a word that does not start a URI joined
    to the scope before it with a ``%20`` (at most 64 scopes)."""
    scopes: list[str] = []
    for word in _scope_words(scopes_text):
        if scopes and not _URI_START.match(word):
            scopes[-1] += "%20" + word
        elif len(scopes) < 64:
            scopes.append(word)
    return scopes


def _scope_value(value: str) -> str:
    """A scope's value URL-decoded, without the trailing ``/`` some firmware writes
    (``name/HIKVISION/``); a ``+`` between two characters is a space, as form encoding
    writes it (``name/HIKVISION+DS-2CD2143G2-I``), a ``+`` at the end stays (a model's)."""
    value = re.sub(r"(?<=[^\s+])\+(?=[^\s+])", " ", value.rstrip("/"))
    return urllib.parse.unquote(value, errors="replace")


DPWS_FIELDS: Final = (
    ("Manufacturer", "wsd.manufacturer"),
    ("ModelName", "wsd.model"),
    ("ModelNumber", "wsd.model_number"),
    ("FriendlyName", "wsd.friendly_name"),
    ("FirmwareVersion", "wsd.firmware"),
    ("SerialNumber", "wsd.serial"),
)
"""DPWS ThisModel / ThisDevice metadata (Devices Profile for Web Services 2006/02 and
1.1, sec. 5.1): what a device's WS-Transfer GetResponse says it is."""


def add_device_metadata(found: EvidenceList, body: Element) -> None:
    """``wsd.manufacturer``, ``wsd.model`` ... from the DPWS ThisModel and ThisDevice
    sections of a metadata exchange (printers, scanners, Windows hosts answer one)."""
    for section in ("ThisModel", "ThisDevice"):
        for element in list(descendants(body, section))[:4]:
            for name, key in DPWS_FIELDS:
                found.add(key, child_text(element, name))


def add_endpoint(found: EvidenceList, address_text: str | None) -> None:
    """``wsd.endpoint``, and for a time-based (version 1 or 2) or hand-built UUID whose
    node is a unicast address, that node as ``wsd.endpoint_mac`` (RFC 4122 sec. 4.1.6:
    the node of a time-based UUID is the generating host's IEEE 802 address). Not the
    identity ``mac``: a firmware SDK may build every device's UUID from one fixed node."""
    if address_text is None:
        return
    value = address_text.strip()
    found.add("wsd.endpoint", value)
    if _STANDARD_UUID.fullmatch(value):  # a firmware's own id form is not read here
        found.add("wsd.endpoint_mac", uuid_node_mac(value))


_STANDARD_UUID: Final = re.compile(
    r"(?:urn:)?uuid:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE
)


def add_xaddrs(found: EvidenceList, xaddrs: str | None) -> None:
    """``wsd.xaddrs`` (spaces normalised), and ``eui64_mac`` for each IPv6 service
    address among them that was formed from the device's MAC (modified EUI-64)."""
    if xaddrs is None:
        return
    found.add("wsd.xaddrs", " ".join(xaddrs.split()))
    for mac in eui64_macs(xaddrs):
        found.add("eui64_mac", mac)


def _add_match(found: EvidenceList, match: Element) -> None:
    """The endpoint, types, service addresses and scopes of one ProbeMatch or Hello (the
    two carry the same elements: WS-Discovery 2005/04 sections 4.1 and 5.3)."""
    reference = child(match, "EndpointReference")
    if reference is not None:
        add_endpoint(found, child_text(reference, "Address"))
    types = child_text(match, "Types")
    if types is not None:
        found.add("wsd.types", " ".join(types.split()))
    add_xaddrs(found, child_text(match, "XAddrs"))
    scopes = child_text(match, "Scopes")
    if scopes is not None:
        add_scopes(found, scopes)
    extensions = 0
    for element in match.iter():  # a firmware's own elements (WS-Discovery's xs:any)
        name, text = local_name(element.tag), (element.text or "").strip()
        if text and name not in _MATCH_ELEMENTS and extensions < _MAX_EXTENSIONS:
            extensions += 1
            found.add("wsd.element", f"{name}={text}")


_MATCH_ELEMENTS: Final = frozenset(
    {"EndpointReference", "Address", "ReferenceParameters", "ReferenceProperties",
     "PortType", "ServiceName", "Types", "Scopes", "XAddrs", "MetadataVersion"}
)  # fmt: skip
"""The elements WS-Discovery (and WS-Addressing's endpoint reference) defines in a match."""
_MAX_EXTENSIONS: Final = 8


def _matches_evidence(body: Element, address: str, *, resolve: bool = False) -> list[Evidence]:
    """Every ProbeMatch of a ProbeMatches (and with ``resolve``, the ResolveMatch of a
    ResolveMatches: the same fields) in a message body."""
    kinds = [("ProbeMatches", "ProbeMatch")]
    if resolve:
        kinds.append(("ResolveMatches", "ResolveMatch"))
    found = EvidenceList(SOURCE, address)
    for container, element in kinds:
        matches = child(body, container)
        if matches is not None:
            for match in descendants(matches, element):
                _add_match(found, match)
    return found.items()


def parse_probe_matches(data: bytes, address: str) -> list[Evidence]:
    """Evidence from a ProbeMatches message; ``[]`` for other messages (e.g. our Probe echo).

    Every ProbeMatch in the message contributes; scopes of one kind may repeat.
    Raises MalformedReplyError for non-XML, DTDs/entities or a non-SOAP document.
    """
    what = "WS-Discovery reply"
    found = _matches_evidence(
        soap_body(parse_xml(data, what, max_bytes=MAX_UDP_REPLY_BYTES), what), address
    )
    return found + namespace_evidence(data, address) if found else found


def parse_announcement(data: bytes, address: str) -> list[Evidence]:
    """Evidence from a ProbeMatches, a ResolveMatches or a Hello (the announcement a
    device multicasts when it joins a network), and the DPWS metadata of a GetResponse
    (``add_device_metadata``); ``[]`` for Probes, Byes and other messages.

    A scan hears only the matches to its own Probes (``parse_probe_matches``); a packet
    capture also holds Hellos and the matches other clients asked for. Raises
    MalformedReplyError for non-XML, DTDs/entities or a non-SOAP document.
    """
    what = "WS-Discovery message"
    body = soap_body(parse_xml(data, what, max_bytes=MAX_UDP_REPLY_BYTES), what)
    hello = child(body, "Hello")
    if hello is None:
        found = _matches_evidence(body, address, resolve=True)
    else:
        announced = EvidenceList(SOURCE, address)
        _add_match(announced, hello)
        found = announced.items()
    metadata = EvidenceList(SOURCE, address)
    add_device_metadata(metadata, body)
    found += metadata.items()
    return found + namespace_evidence(data, address) if found else found


def namespace_evidence(data: bytes, address: str) -> list[Evidence]:
    """``wsd.namespace`` for each vendor namespace the message's envelope declares, and
    ``wsd.namespace_prefixes``, the prefixes they are bound to: a
    device's WS-Discovery answers come from the same SOAP stack as its ONVIF replies,
    with the same declaration list (``vendor_namespaces``)."""
    found = EvidenceList(SOURCE, address)
    for uri in vendor_namespaces(data):
        found.add("wsd.namespace", uri)
    found.add("wsd.namespace_prefixes", ", ".join(vendor_namespace_prefixes(data)) or None)
    return found.items()


def same_host_urls(xaddrs: str, address: str) -> list[str]:
    """The http(s) URLs in a space-separated XAddrs value whose host is ``address``.

    A reply may name any host; following such a URL could reach a machine outside the
    scan scope, so callers contact only URLs that point back at the replying address.
    """
    urls: list[str] = []
    for url in xaddrs.split():
        try:
            parts = urllib.parse.urlsplit(url)
            host = parts.hostname
            _ = parts.port  # raises ValueError for a bad port
        except ValueError:
            continue
        if parts.scheme in ("http", "https") and host == address:
            urls.append(url)
    return urls
