"""WS-Discovery (2005/04, as profiled by ONVIF) for the emulated devices: reading a
Probe, deciding whether it matches a device, and the envelopes a device sends.

What a real target service does and the lab now does too (WS-Discovery 2005/04 spec,
sections 5.1-5.3; SOAP-over-UDP section 3.3):

* a Probe is read as XML, its ``Types`` as QNames (namespace URI + local name), so
  ``wsdp:Device`` does not match ``tds:Device``;
* ``Scopes`` filter with the ``rfc3986`` (default) or ``strcmp0`` rule; an unknown
  ``MatchBy`` rule gets no match;
* a retransmitted Probe (same MessageID, as SOAP-over-UDP clients repeat it) is
  answered once;
* a device announces itself with Hello when it comes up and Bye when it goes down.

The envelope's layout (prefixes, the MessageID's ``urn:uuid:`` or ``uuid:`` form, the
header order, AppSequence) is the maker's own: a profile names its ``dialect``, and
each dialect below names the published reply it follows.
"""

from __future__ import annotations

import io
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from camcensus.lab.profiles import render

__all__ = [
    "DIALECTS",
    "Dialect",
    "Probe",
    "Seen",
    "announcement",
    "device_qnames",
    "parse_probe",
    "probe_match",
    "scope_matches",
]

SOAP_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
DISCOVERY_TO = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
RFC3986 = WSD + "/rfc3986"
STRCMP0 = WSD + "/strcmp0"
ONVIF_PREFIXES = {
    "dn": "http://www.onvif.org/ver10/network/wsdl",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
}
MAX_PROBE_BYTES = 32 * 1024
SEEN_MESSAGE_IDS = 256

QName = tuple[str, str]  # (namespace URI, local name)


@dataclass(frozen=True)
class Probe:
    """What a Probe asks: its MessageID, Types (None: any) and Scopes."""

    message_id: str
    types: frozenset[QName] | None
    scopes: tuple[str, ...]
    match_by: str


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def parse_probe(data: bytes) -> Probe | None:
    """The Probe in *data*, or None when *data* is not a well-formed 2005/04 Probe
    (a ProbeMatch, Hello or Bye of another device, a WS-Discovery 1.1 probe, garbage)."""
    if len(data) > MAX_PROBE_BYTES:
        return None
    prefixes: dict[str, str] = {}
    root: Element | None = None
    try:
        for event, item in iterparse(io.BytesIO(data), events=("start-ns", "end")):
            if event == "start-ns":
                prefix, uri = item
                prefixes.setdefault(prefix, uri)  # the outermost declaration wins
            else:
                root = item
    except (ParseError, DefusedXmlException, ValueError):
        return None
    if root is None or _local(root.tag) != (SOAP_ENV, "Envelope"):
        return None
    header = root.find(f"{{{SOAP_ENV}}}Header")
    probe = root.find(f"{{{SOAP_ENV}}}Body/{{{WSD}}}Probe")
    if header is None or probe is None:
        return None
    message_id = (header.findtext(f"{{{WSA}}}MessageID") or "").strip()
    if not message_id:
        return None
    types_el = probe.find(f"{{{WSD}}}Types")
    types: frozenset[QName] | None = None
    if types_el is not None and (types_el.text or "").strip():
        types = frozenset(_qname(t, prefixes) for t in (types_el.text or "").split())
    scopes_el = probe.find(f"{{{WSD}}}Scopes")
    scopes: tuple[str, ...] = ()
    match_by = RFC3986
    if scopes_el is not None:
        scopes = tuple((scopes_el.text or "").split())
        match_by = scopes_el.get("MatchBy", RFC3986).strip() or RFC3986
    return Probe(message_id, types, scopes, match_by)


def _qname(text: str, prefixes: Mapping[str, str]) -> QName:
    prefix, _, local = text.rpartition(":")
    return (prefixes.get(prefix, f"unbound-prefix:{prefix}"), local)


def device_qnames(types: str, prefixes: Mapping[str, str] = ONVIF_PREFIXES) -> frozenset[QName]:
    """A device's ``Types`` text (``dn:NetworkVideoTransmitter tds:Device``) as QNames."""
    return frozenset(_qname(t, prefixes) for t in types.split())


def _rfc3986_parts(uri: str) -> tuple[str, str, list[str]] | None:
    scheme, sep, rest = uri.partition(":")
    if not sep:
        return None
    authority = ""
    if rest.startswith("//"):
        authority, _, rest = rest[2:].partition("/")
    else:
        rest = rest.lstrip("/")
    path = rest.split("?", 1)[0].split("#", 1)[0]
    return scheme.lower(), authority.lower(), [s for s in path.split("/") if s]


def scope_matches(asked: str, held: str, match_by: str) -> bool:
    """Does the Probe's scope *asked* match the device's scope *held* under *match_by*?"""
    if match_by == STRCMP0:
        return asked == held
    if match_by != RFC3986:
        return False
    a, h = _rfc3986_parts(asked), _rfc3986_parts(held)
    if a is None or h is None:
        return False
    return a[0] == h[0] and a[1] == h[1] and h[2][: len(a[2])] == a[2]


def matches(probe: Probe, types: frozenset[QName], scopes: Iterable[str]) -> bool:
    """Does *probe* select a device of *types* holding *scopes*?"""
    if probe.types is not None and not probe.types <= types:
        return False
    held = list(scopes)
    return all(any(scope_matches(s, h, probe.match_by) for h in held) for s in probe.scopes)


class Seen:
    """The MessageIDs a device answered lately, to drop retransmissions."""

    def __init__(self, size: int = SEEN_MESSAGE_IDS) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, message_id: str) -> bool:
        if message_id in self._ids:
            return False
        self._ids[message_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


@dataclass(frozen=True)
class Dialect:
    """One maker's envelope layout."""

    prolog: str
    env: str  # SOAP envelope prefix
    wsa: str  # WS-Addressing prefix
    d: str  # WS-Discovery prefix
    extra_ns: str  # declarations beyond env/wsa/d/dn/tds
    message_id_scheme: str  # "urn:uuid:" or "uuid:"
    address_scheme: str  # of the EndpointReference Address
    to: str
    header: tuple[str, ...]  # order of MessageID, RelatesTo, To, Action, AppSequence
    must_understand: str  # attribute value on To/Action ("" = none)
    metadata_version: int
    source: str


_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_XML_STANDALONE = '<?xml version="1.0" encoding="utf-8" standalone="yes" ?>'
_ENC = "http://www.w3.org/2003/05/soap-encoding"
_SEQ = ("MessageID", "RelatesTo", "To", "Action", "AppSequence")
_NO_SEQ = _SEQ[:4]
# name: prolog, env, wsa, d, extra xmlns, MessageID form, Address form, To, header order,
# mustUnderstand, MetadataVersion
_LAYOUTS: dict[str, tuple[str, str, str, str, str, str, str, str, tuple[str, ...], str, int]] = {
    "gsoap": (_XML, "SOAP-ENV", "wsa", "d", f'xmlns:SOAP-ENC="{_ENC}" ', "urn:uuid:", "urn:uuid:", ANONYMOUS, _NO_SEQ, "true", 1),  # noqa: E501 (one row a dialect)
    "hikvision": (_XML, "env", "wsadis", "d", "", "urn:uuid:", "urn:uuid:", ANONYMOUS, _SEQ, "", 10),  # noqa: E501 (one row a dialect)
    "dahua": (_XML_STANDALONE, "s", "a", "d", f'xmlns:sc="{_ENC}" ', "uuid:", "uuid:", DISCOVERY_TO, ("MessageID", "To", "Action", "RelatesTo"), "", 1),  # noqa: E501 (one row a dialect)
    "axis": (_XML, "SOAP-ENV", "wsa", "d", f'xmlns:SOAP-ENC="{_ENC}" ', "uuid:", "urn:uuid:", ANONYMOUS, _SEQ, "true", 1),  # noqa: E501 (one row a dialect)
    "tplink": (_XML, "SOAP-ENV", "wsa", "wsdd", "", "uuid:", "uuid:", DISCOVERY_TO, _NO_SEQ, "true", 1),  # noqa: E501 (one row a dialect)
}  # fmt: skip
_KUPNP = (
    "github:chrisjenx/KUPnP@4c24447088b453a2d6e8135b5737d678c75fa515:discovery/src/test/"
    "kotlin/kupnp/WsDiscoveryResponseTest.kt"
)
_SOURCES = {
    "gsoap": f"{_KUPNP}#L13-L34 (Foscam C1: the SOAP-ENV/wsa/d layout of a gSOAP-built ONVIF "
    "server, urn:uuid: ids); used for makers with no published capture of their own",
    "hikvision": "github:Haicam/Haicam@307e0a3735f0df74237b5e903be7edfe3341c6d1:golang/"
    "discovery.go#L150-L162 (DS-2CD2385G1-I body: wsadis:Address urn:uuid:, MetadataVersion "
    "10); header (env:/wsadis:, MessageID urn:uuid:, RelatesTo, To anonymous, Action, "
    "d:AppSequence): a DS-2CD3955FWD-IWS ProbeMatches quoted in a C source comment found by "
    "code search (repository not named by the index)",
    "dahua": f"{_KUPNP}#L41-L62 (Amcrest IP2M-841B, Dahua firmware; "
    "tests/corpus/items/amcrest-wsd-probematch-kupnp-ip2m841b.toml)",
    "axis": f"{_KUPNP}#L37-L38 (AXIS M1034-W, one line as sent); "
    "https://github.com/agsh/onvif/issues/239 (AXIS M1065-L, same layout)",
    "tplink": "github:edgexfoundry/device-onvif-camera@4d60271c1a122ad73ad4ab446ee385de813631e9"
    ":doc/ws-discovery.md#L69-L97 (TP-Link Tapo C200: wsdd: prefix, uuid: ids)",
}
DIALECTS: dict[str, Dialect] = {
    name: Dialect(*layout, source=_SOURCES[name]) for name, layout in _LAYOUTS.items()
}
DEFAULT_DIALECT = "gsoap"


def dialect_of(wsd: Mapping[str, Any]) -> Dialect:
    return DIALECTS[str(wsd.get("dialect", DEFAULT_DIALECT))]


def _envelope(
    dialect: Dialect,
    action: str,
    message_id: str,
    relates_to: str | None,
    to: str,
    app_sequence: tuple[int, int] | None,
    body: str,
) -> bytes:
    env, wsa, d = dialect.env, dialect.wsa, dialect.d
    mu = f' {env}:mustUnderstand="{dialect.must_understand}"' if dialect.must_understand else ""
    parts = {
        "MessageID": f"<{wsa}:MessageID>{escape(message_id)}</{wsa}:MessageID>",
        "RelatesTo": (
            f"<{wsa}:RelatesTo>{escape(relates_to)}</{wsa}:RelatesTo>" if relates_to else ""
        ),
        "To": f"<{wsa}:To{mu}>{escape(to)}</{wsa}:To>",
        "Action": f"<{wsa}:Action{mu}>{WSD}/{action}</{wsa}:Action>",
        "AppSequence": (
            f'<{d}:AppSequence InstanceId="{app_sequence[0]}" MessageNumber="{app_sequence[1]}"/>'
            if app_sequence
            else ""
        ),
    }
    order = list(dialect.header)
    if "AppSequence" not in order and app_sequence:
        order.append("AppSequence")  # Hello and Bye always carry one (spec 5.1)
    header = "".join(parts[name] for name in order)
    text = (
        f"{dialect.prolog}"
        f'<{env}:Envelope xmlns:{env}="{SOAP_ENV}" {dialect.extra_ns}'
        f'xmlns:{wsa}="{WSA}" xmlns:{d}="{WSD}" '
        f'xmlns:dn="{ONVIF_PREFIXES["dn"]}" xmlns:tds="{ONVIF_PREFIXES["tds"]}">'
        f"<{env}:Header>{header}</{env}:Header>"
        f"<{env}:Body>{body}</{env}:Body></{env}:Envelope>"
    )
    return text.encode("utf-8", "surrogateescape")


def _endpoint(
    dialect: Dialect, wsd: Mapping[str, Any], values: Mapping[str, str], full: bool
) -> str:
    wsa, d = dialect.wsa, dialect.d
    text = (
        f"<{wsa}:EndpointReference><{wsa}:Address>{dialect.address_scheme}"
        f"{escape(values['uuid'])}</{wsa}:Address></{wsa}:EndpointReference>"
    )
    if not full:
        return text
    scopes = " ".join(render(str(s), values) for s in wsd.get("scopes", []))
    types = str(wsd.get("types", "dn:NetworkVideoTransmitter"))
    xaddrs = render(str(wsd.get("xaddrs", "http://{ip}/onvif/device_service")), values)
    return (
        f"{text}<{d}:Types>{escape(types)}</{d}:Types>"
        f"<{d}:Scopes>{escape(scopes)}</{d}:Scopes>"
        f"<{d}:XAddrs>{escape(xaddrs)}</{d}:XAddrs>"
        f"<{d}:MetadataVersion>{dialect.metadata_version}</{d}:MetadataVersion>"
    )


def probe_match(
    wsd: Mapping[str, Any],
    values: Mapping[str, str],
    relates_to: str,
    message_id: str,
    app_sequence: tuple[int, int] | None = None,
) -> bytes:
    """The ProbeMatches a device sends back (unicast) for one Probe; *message_id* is a
    bare UUID, written in the dialect's form."""
    if "raw" in wsd:
        full = dict(values, relates_to=relates_to, message_id=message_id)
        return render(str(wsd["raw"]), full).encode()
    dialect = dialect_of(wsd)
    d = dialect.d
    body = f"<{d}:ProbeMatches><{d}:ProbeMatch>{_endpoint(dialect, wsd, values, True)}"
    body += f"</{d}:ProbeMatch></{d}:ProbeMatches>"
    seq = app_sequence if "AppSequence" in dialect.header else None
    return _envelope(
        dialect,
        "ProbeMatches",
        dialect.message_id_scheme + message_id,
        relates_to,
        dialect.to,
        seq,
        body,
    )


def announcement(
    kind: str,
    wsd: Mapping[str, Any],
    values: Mapping[str, str],
    message_id: str,
    app_sequence: tuple[int, int],
) -> bytes:
    """A multicast ``Hello`` (with Types, Scopes, XAddrs) or ``Bye`` (the endpoint only)."""
    dialect = dialect_of(wsd)
    d = dialect.d
    inner = _endpoint(dialect, wsd, values, full=kind == "Hello")
    return _envelope(
        dialect,
        kind,
        dialect.message_id_scheme + message_id,
        None,
        DISCOVERY_TO,
        app_sequence,
        f"<{d}:{kind}>{inner}</{d}:{kind}>",
    )


_XMLNS = re.compile(rb'xmlns:([\w.-]+)="([^"]*)"')
_TYPES = re.compile(rb"<(?:[\w.-]+:)?Types\b[^>]*>([^<]*)</")
_SCOPES = re.compile(rb"<(?:[\w.-]+:)?Scopes\b[^>]*>([^<]*)</")


def captured_identity(reply: bytes) -> tuple[frozenset[QName], tuple[str, ...]]:
    """The Types (as QNames, with the capture's own prefixes) and Scopes of a captured
    ProbeMatch, for matching probes against a replayed device."""
    prefixes = {m.group(1).decode(): m.group(2).decode() for m in _XMLNS.finditer(reply)}
    prefixes = {**ONVIF_PREFIXES, **prefixes}
    found = _TYPES.search(reply)
    types = found.group(1).decode("utf-8", "replace") if found else "dn:NetworkVideoTransmitter"
    scopes = _SCOPES.search(reply)
    held = tuple(scopes.group(1).decode("utf-8", "replace").split()) if scopes else ()
    return device_qnames(types, prefixes), held
