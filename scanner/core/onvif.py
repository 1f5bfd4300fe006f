"""ONVIF device service over SOAP 1.2: requests, WS-UsernameToken, and reply parsing.

Operations from the ONVIF Device Management WSDL (http://www.onvif.org/ver10/device/wsdl):
GetSystemDateAndTime (never needs auth), GetDeviceInformation, GetNetworkInterfaces.
The password digest is WS-Security UsernameToken Profile 1.0:
``Base64(SHA-1(nonce + created + password))``, as the ONVIF Core Specification requires.
Nonce and time are parameters so this module stays pure; the caller adds the clock.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Final
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core._xml import (
    child,
    child_text,
    descendants,
    local_name,
    parse_xml,
    soap_body,
    vendor_namespace_prefixes,
    vendor_namespaces,
)
from camcensus.scanner.core.mac import eui64_macs
from camcensus.scanner.core.wsd import add_scopes

__all__ = [
    "DEVICE_INFORMATION_FIELDS",
    "SOURCE",
    "add_xaddr",
    "build_get_system_date_and_time",
    "build_request",
    "clock_skew_evidence",
    "config_tokens",
    "created_text",
    "fault_reason",
    "is_auth_fault",
    "is_fault",
    "namespace_evidence",
    "parse_device_information",
    "parse_media",
    "parse_network_interfaces",
    "parse_reply",
    "parse_scopes",
    "parse_service_addresses",
    "parse_system_date_and_time",
    "password_digest",
]

SOURCE: Final = "onvif"

_SOAP_ENV: Final = "http://www.w3.org/2003/05/soap-envelope"
_TDS: Final = "http://www.onvif.org/ver10/device/wsdl"
_WSSE: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_WSU: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_DIGEST_TYPE: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
_BASE64_BINARY: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
_OPERATION: Final = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")
_SMALL_NUMBER: Final = re.compile(r"[0-9]{1,4}")
_MAX_CONFIG_TOKENS: Final = 16
_MAX_FAULT_CHARS: Final = 160
_AUTH_FAULT_CODES: Final = ("NotAuthorized", "FailedAuthentication", "InvalidSecurity")
_POSIX_TZ_OFFSET: Final = re.compile(
    r"(?:[A-Za-z]{3,}|<[^>]{1,16}>)([+-]?)(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?"
)
DEVICE_INFORMATION_FIELDS: Final = (
    ("Manufacturer", "onvif.manufacturer"),
    ("Model", "onvif.model"),
    ("FirmwareVersion", "onvif.firmware"),
    ("SerialNumber", "onvif.serial"),
    ("HardwareId", "onvif.hardware_id"),
)


def created_text(created: datetime) -> str:
    """``created`` as the UTC xsd:dateTime WS-Security expects (``2024-01-02T03:04:05Z``)."""
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """WS-Security PasswordDigest: ``Base64(SHA-1(nonce + created + password))``."""
    digest = hashlib.sha1(nonce + created.encode() + password.encode(), usedforsecurity=False)
    return base64.b64encode(digest.digest()).decode("ascii")


def _envelope(body: str, header: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<s:Envelope xmlns:s="{_SOAP_ENV}" xmlns:tds="{_TDS}">'
        f"{header}<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def build_get_system_date_and_time() -> bytes:
    """An unauthenticated GetSystemDateAndTime request (SOAP 1.2 envelope)."""
    return _envelope("<tds:GetSystemDateAndTime/>")


def build_request(
    operation: str,
    username: str | None,
    password: str | None,
    created: datetime,
    nonce: bytes,
) -> bytes:
    """A device-service request for ``operation`` (e.g. ``GetDeviceInformation``).

    With a ``username`` the envelope carries a WS-UsernameToken whose PasswordDigest
    is computed from ``nonce`` and ``created`` (pass the device's clock, corrected for
    skew, to pass freshness checks). Without one, no Security header is sent.
    Raises ValueError for an operation name that is not a plain identifier, a naive
    ``created`` or an empty nonce.
    """
    if not _OPERATION.fullmatch(operation):
        raise ValueError(f"not an ONVIF operation name: {operation!r}")
    header = ""
    if username is not None:
        if not nonce:
            raise ValueError("nonce must not be empty")
        stamp = created_text(created)
        digest = password_digest(nonce, stamp, password or "")
        header = (
            f'<s:Header><wsse:Security s:mustUnderstand="1" xmlns:wsse="{_WSSE}"'
            f' xmlns:wsu="{_WSU}"><wsse:UsernameToken>'
            f"<wsse:Username>{escape(username)}</wsse:Username>"
            f'<wsse:Password Type="{_DIGEST_TYPE}">{digest}</wsse:Password>'
            f'<wsse:Nonce EncodingType="{_BASE64_BINARY}">'
            f"{base64.b64encode(nonce).decode('ascii')}</wsse:Nonce>"
            f"<wsu:Created>{stamp}</wsu:Created>"
            "</wsse:UsernameToken></wsse:Security></s:Header>"
        )
    return _envelope(f"<tds:{operation}/>", header)


def _body(xml: bytes, what: str) -> Element:
    return soap_body(parse_xml(xml, what), what)


def _fault(body: Element) -> Element | None:
    return child(body, "Fault")


def _fault_codes(fault: Element) -> list[str]:
    """Local parts of every Code/Subcode Value (``ter:NotAuthorized`` -> ``NotAuthorized``)."""
    values = (e.text or "" for e in descendants(fault, "Value"))
    codes = [v.strip().rsplit(":", 1)[-1] for v in values]
    faultcode = child_text(fault, "faultcode")  # SOAP 1.1 style, seen on some firmware
    if faultcode is not None:
        codes.append(faultcode.strip().rsplit(":", 1)[-1])
    return codes


def is_fault(xml: bytes) -> bool:
    """True when the reply is a SOAP Fault; MalformedReplyError if it is not SOAP."""
    return _fault(_body(xml, "ONVIF reply")) is not None


def is_auth_fault(xml: bytes, status: int | None = None) -> bool:
    """True for HTTP 401 or a SOAP Fault saying the credentials were missing or wrong.

    Recognised subcodes: ``ter:NotAuthorized`` (ONVIF) and WS-Security's
    ``wsse:FailedAuthentication`` / ``wsse:InvalidSecurity``. With status 401 the body
    is not read (it may be empty or HTML); otherwise a non-SOAP body raises
    MalformedReplyError.
    """
    if status == 401:
        return True
    fault = _fault(_body(xml, "ONVIF reply"))
    if fault is None:
        return False
    return any(code in _AUTH_FAULT_CODES for code in _fault_codes(fault))


def _response(xml: bytes, name: str) -> Element | None:
    """The ``<name>`` element of the Body; None for a SOAP Fault."""
    what = f"ONVIF {name}"
    body = _body(xml, what)
    if _fault(body) is not None:
        return None
    response = child(body, name)
    if response is None:
        raise MalformedReplyError(f"{what}: no {name} in the SOAP Body")
    return response


def _int_field(parent: Element, name: str, what: str) -> int:
    text = child_text(parent, name)
    if text is None or not _SMALL_NUMBER.fullmatch(text.strip()):
        raise MalformedReplyError(f"{what}: {name} missing or not a number")
    return int(text.strip())


def _date_time(element: Element, what: str) -> datetime:
    date = child(element, "Date")
    time = child(element, "Time")
    if date is None or time is None:
        raise MalformedReplyError(f"{what}: Date or Time missing")
    try:
        return datetime(
            _int_field(date, "Year", what),
            _int_field(date, "Month", what),
            _int_field(date, "Day", what),
            _int_field(time, "Hour", what),
            _int_field(time, "Minute", what),
            _int_field(time, "Second", what),
        )
    except (ValueError, OverflowError) as exc:
        raise MalformedReplyError(f"{what}: impossible date or time ({exc})") from exc


def _posix_tz_offset(tz: str) -> timedelta:
    """UTC minus local time for a POSIX TZ string such as ``CST-8`` (UTC+8) or ``EST5EDT``."""
    matched = _POSIX_TZ_OFFSET.match(tz.strip())
    if matched is None:
        raise MalformedReplyError(f"ONVIF time zone not understood: {tz[:40]!r}")
    sign, hours, minutes, seconds = matched.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0), seconds=int(seconds or 0))
    return -offset if sign == "-" else offset


def parse_system_date_and_time(xml: bytes) -> datetime:
    """The device clock as an aware UTC datetime, from a GetSystemDateAndTime reply.

    Uses UTCDateTime; when a device only reports LocalDateTime, converts it with the
    POSIX TimeZone/TZ string (daylight saving is not applied). Raises
    MalformedReplyError for a SOAP Fault, missing or impossible fields, or non-SOAP.
    """
    what = "ONVIF GetSystemDateAndTime"
    response = _response(xml, "GetSystemDateAndTimeResponse")
    if response is None:
        raise MalformedReplyError(f"{what}: SOAP Fault")
    system = child(response, "SystemDateAndTime")
    if system is None:
        raise MalformedReplyError(f"{what}: no SystemDateAndTime")
    utc = child(system, "UTCDateTime")
    if utc is not None:
        return _date_time(utc, what).replace(tzinfo=UTC)
    local = child(system, "LocalDateTime")
    zone = child(system, "TimeZone")
    tz = child_text(zone, "TZ") if zone is not None else None
    if local is None or tz is None:
        raise MalformedReplyError(f"{what}: neither UTCDateTime nor LocalDateTime with TZ")
    try:
        return (_date_time(local, what) + _posix_tz_offset(tz)).replace(tzinfo=UTC)
    except OverflowError as exc:  # year 9999 (or 1) pushed past datetime's range
        raise MalformedReplyError(f"{what}: local time out of range in UTC ({exc})") from exc


def clock_skew_evidence(device_utc: datetime, local_utc: datetime, address: str) -> Evidence:
    """``onvif.clock_skew_s``: device clock minus ours, whole seconds (both must be aware)."""
    if device_utc.tzinfo is None or local_utc.tzinfo is None:
        raise ValueError("device_utc and local_utc must be timezone-aware")
    skew_s = round((device_utc - local_utc).total_seconds())
    return Evidence(key="onvif.clock_skew_s", value=str(skew_s), source=SOURCE, address=address)


def parse_device_information(xml: bytes, address: str) -> list[Evidence]:
    """``onvif.manufacturer/model/firmware/serial/hardware_id``; ``[]`` for a SOAP Fault.

    Raises MalformedReplyError when the reply is neither the response nor a Fault.
    """
    response = _response(xml, "GetDeviceInformationResponse")
    if response is None:
        return []
    found = EvidenceList(SOURCE, address)
    for tag, key in DEVICE_INFORMATION_FIELDS:
        found.add(key, child_text(response, tag))
    return found.items()


def parse_scopes(xml: bytes, address: str) -> list[Evidence]:
    """``onvif.scope.<kind>`` for every ONVIF scope of a GetScopes reply (the same scopes
    a WS-Discovery match carries, asked by unicast); ``[]`` for a SOAP Fault."""
    response = _response(xml, "GetScopesResponse")
    if response is None:
        return []
    found = EvidenceList(SOURCE, address)
    for item in descendants(response, "ScopeItem"):
        add_scopes(found, "".join(item.itertext()), "onvif.scope")
    return found.items()


def parse_service_addresses(xml: bytes, address: str) -> list[Evidence]:
    """``onvif.xaddr`` for every service URL of a GetCapabilities or GetServices reply
    (vendors lay out their service paths in their own way); ``[]`` for a Fault."""
    body = _body(xml, "ONVIF services")
    if _fault(body) is not None:
        return []
    found = EvidenceList(SOURCE, address)
    for xaddr in descendants(body, "XAddr"):
        add_xaddr(found, "".join(xaddr.itertext()))
    return found.items()


def add_xaddr(found: EvidenceList, xaddr: str) -> None:
    """``onvif.xaddr``, and ``eui64_mac`` when it is an IPv6 address formed from the
    device's MAC (modified EUI-64)."""
    found.add("onvif.xaddr", xaddr.strip())
    for mac in eui64_macs(xaddr):
        found.add("eui64_mac", mac)


def parse_media(xml: bytes, address: str) -> list[Evidence]:
    """``onvif.uri`` for media URIs (GetStreamUri, GetSnapshotUri); for GetProfiles,
    ``onvif.profile`` (profile names), ``onvif.profile_token`` (the profiles' ``token``
    attributes) and ``onvif.config_tokens`` (``config_tokens``): each maker's firmware
    names them its own way."""
    body = _body(xml, "ONVIF media reply")
    if _fault(body) is not None:
        return []
    found = EvidenceList(SOURCE, address)
    for media_uri in descendants(body, "MediaUri"):
        found.add("onvif.uri", child_text(media_uri, "Uri"))
    for profile in descendants(body, "Profiles"):
        found.add("onvif.profile", child_text(profile, "Name"))
        found.add("onvif.profile_token", profile.get("token"))
    found.add("onvif.config_tokens", config_tokens(body))
    return found.items()


def config_tokens(body: Element) -> str | None:
    """The distinct tokens of the configurations and sources a GetProfiles reply's
    profiles use, in document order, comma-separated (capped): the ``token`` attribute of
    each ``*Configuration`` child of a profile (ONVIF Media Service sec. 5.2:
    VideoSourceConfiguration, VideoEncoderConfiguration, PTZConfiguration ...) and each
    ``SourceToken`` (the video or audio source). The token is a ReferenceToken the
    firmware chooses ("VideoEncoderToken_1", "video_encoder_config2", "000"); a stack
    writes the same set on every unit. None when the reply names none."""
    tokens: list[str] = []
    for profile in descendants(body, "Profiles"):
        for element in profile.iter():
            name = local_name(element.tag)
            if name.endswith("Configuration") and element is not profile:
                token = element.get("token")
            elif name == "SourceToken":
                token = "".join(element.itertext())
            else:
                continue
            token = (token or "").strip()
            if token and token not in tokens and len(tokens) < _MAX_CONFIG_TOKENS:
                tokens.append(token[:64])
    return ", ".join(tokens) or None


def namespace_evidence(xml: bytes, address: str) -> list[Evidence]:
    """``onvif.namespace`` for each namespace the reply declares that no standard owns,
    and ``onvif.namespace_prefixes``, the prefixes such namespaces are bound to.

    A maker's SOAP stack declares the same namespace list in every envelope it sends
    (Hikvision's includes ``http://www.hikvision.com/2011/event/topics`` even in a
    GetSystemDateAndTime answer), so the list names the stack whatever was asked
    (``vendor_namespaces``).
    """
    found = EvidenceList(SOURCE, address)
    for uri in vendor_namespaces(xml):
        found.add("onvif.namespace", uri)
    found.add("onvif.namespace_prefixes", ", ".join(vendor_namespace_prefixes(xml)) or None)
    return found.items()


def parse_reply(xml: bytes, address: str) -> list[Evidence]:
    """Evidence from an ONVIF reply, by its response element, and the vendor namespaces
    its envelope declares (``namespace_evidence``: any reply, a Fault included); a Fault
    gives ``onvif.fault``, its reason text (``fault_reason``).

    GetDeviceInformation, GetNetworkInterfaces, GetScopes, GetCapabilities, GetServices
    and the media replies (GetStreamUri, GetSnapshotUri, GetProfiles) give evidence of
    their own. MalformedReplyError for a document that is not a SOAP envelope.
    """
    body = _body(xml, "ONVIF reply")
    namespaces = namespace_evidence(xml, address)
    fault = _fault(body)
    if fault is not None:
        found = EvidenceList(SOURCE, address)
        found.add("onvif.fault", fault_reason(fault), max_chars=_MAX_FAULT_CHARS)
        return found.items() + namespaces
    return _response_evidence(xml, body, address) + namespaces


def fault_reason(fault: Element) -> str | None:
    """The human-readable reason of a SOAP Fault: SOAP 1.2's ``Reason/Text`` (the first,
    W3C SOAP 1.2 Part 1 sec. 5.4.2), else SOAP 1.1's ``faultstring``. The wording is
    the SOAP stack's own ("Sender not Authorized", "Method 'X' not implemented")."""
    reason = child(fault, "Reason")
    text = child_text(reason, "Text") if reason is not None else None
    if text is None or not text.strip():
        text = child_text(fault, "faultstring")
    return text.strip() if text is not None and text.strip() else None


def _response_evidence(xml: bytes, body: Element, address: str) -> list[Evidence]:
    names = {local_name(e.tag) for e in body}
    for name, parse in (
        ("GetDeviceInformationResponse", parse_device_information),
        ("GetNetworkInterfacesResponse", parse_network_interfaces),
        ("GetScopesResponse", parse_scopes),
        ("GetCapabilitiesResponse", parse_service_addresses),
        ("GetServicesResponse", parse_service_addresses),
        ("GetStreamUriResponse", parse_media),
        ("GetSnapshotUriResponse", parse_media),
        ("GetProfilesResponse", parse_media),
    ):
        if name in names:
            return parse(xml, address)
    return []


def parse_network_interfaces(xml: bytes, address: str) -> list[Evidence]:
    """``onvif.mac`` (and ``mac``) for every interface's HwAddress; ``[]`` for a Fault."""
    response = _response(xml, "GetNetworkInterfacesResponse")
    if response is None:
        return []
    found = EvidenceList(SOURCE, address)
    for hw_address in descendants(response, "HwAddress"):
        found.add_mac("onvif.mac", "".join(hw_address.itertext()))
    return found.items()
