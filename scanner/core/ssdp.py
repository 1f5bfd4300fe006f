"""SSDP discovery (UPnP Device Architecture 2.0, section 1.3) and UPnP device descriptions.

M-SEARCH goes to 239.255.255.250:1900; devices answer with an HTTP-style 200 carrying
SERVER, USN and LOCATION (the URL of the device description XML, section 2.3).
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import urllib.parse
from typing import Final

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core._xml import child, child_text, local_name, parse_xml
from camcensus.scanner.core.http import parse_message_head
from camcensus.scanner.core.limits import MAX_UDP_REPLY_BYTES, clean_text
from camcensus.scanner.core.mac import uuid_node_mac

__all__ = [
    "DESCRIPTION_FIELDS",
    "MULTICAST_GROUP",
    "PORT",
    "SOURCE",
    "UPNP_INFO_FIELDS",
    "build_msearch",
    "parse_description",
    "parse_response",
    "type_domains",
    "upnp_info_fields",
]

MULTICAST_GROUP: Final = "239.255.255.250"
PORT: Final = 1900
SOURCE: Final = "ssdp"

_UNSAFE: Final = re.compile(r"[\x00-\x20\x7f]")
_RESPONSE_LINE: Final = re.compile(r"HTTP/1\.\d[ \t]+200(?:[ \t].*)?", re.IGNORECASE)
DESCRIPTION_FIELDS: Final = (
    ("manufacturer", "upnp.manufacturer"),
    ("manufacturerURL", "upnp.manufacturer_url"),
    ("modelName", "upnp.model_name"),
    ("modelNumber", "upnp.model_number"),
    ("modelDescription", "upnp.model_description"),
    ("friendlyName", "upnp.friendly_name"),
    ("serialNumber", "upnp.serial"),
)


_TYPE_URN: Final = re.compile(
    r"urn:([A-Za-z0-9][A-Za-z0-9.-]{1,100}):(?:device|service):[\w.-]{1,128}:\d{1,5}",
    re.IGNORECASE,
)
_STANDARD_DOMAIN: Final = "schemas-upnp-org"
_MAX_TYPE_DOMAINS: Final = 8
_MAX_TYPE_ELEMENTS: Final = 64


def type_domains(types: list[str]) -> list[str]:
    """The vendor domains of UPnP device and service types other than the forum's own
    (UDA 2.0 sec. 1.1.4: ``urn:<domain-name>:device:<type>:<v>``, the vendor's domain
    with its periods written as hyphens): ``urn:axis-com:service:BasicService:1`` ->
    ``axis-com``.  Each text is one type, whole (a header listing several is no one's);
    in first-seen order, at most ``_MAX_TYPE_DOMAINS``."""
    found: list[str] = []
    for text in types:
        matched = _TYPE_URN.fullmatch(text.strip()[:512])
        domain = matched.group(1).casefold() if matched else _STANDARD_DOMAIN
        if domain != _STANDARD_DOMAIN and domain not in found:
            found.append(domain)
    return found[:_MAX_TYPE_DOMAINS]


def build_msearch(st: str = "ssdp:all", mx_s: int = 1, unicast_to: str | None = None) -> bytes:
    """An M-SEARCH for search target ``st``; devices spread replies over ``mx_s`` seconds.

    ``unicast_to`` makes it the unicast form (UDA 1.1 sec. 1.3.2: HOST is the device's
    address and port, no MX: the device answers at once), for a device behind a router.
    Raises ValueError for an ``st`` with whitespace/control characters or ``mx_s``
    outside 1..5 (the range UDA 2.0 allows).
    """
    if not st or _UNSAFE.search(st):
        raise ValueError(f"unsafe SSDP search target: {st!r}")
    if not 1 <= mx_s <= 5:
        raise ValueError(f"MX must be 1..5 seconds, got {mx_s}")
    if unicast_to is not None:
        host = str(ipaddress.IPv4Address(unicast_to))  # ValueError for anything else
        return (
            "M-SEARCH * HTTP/1.1\r\n"
            f"HOST: {host}:{PORT}\r\n"
            'MAN: "ssdp:discover"\r\n'
            f"ST: {st}\r\n"
            "\r\n"
        ).encode("ascii")
    return (
        "M-SEARCH * HTTP/1.1\r\n"
        f"HOST: {MULTICAST_GROUP}:{PORT}\r\n"
        'MAN: "ssdp:discover"\r\n'
        f"MX: {mx_s}\r\n"
        f"ST: {st}\r\n"
        "\r\n"
    ).encode("ascii")


def _same_host_location(location: str | None, address: str) -> str | None:
    if location is None:
        return None
    try:
        parts = urllib.parse.urlsplit(location.strip())
        _ = parts.port  # raises ValueError for a bad port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.hostname != address:
        return None
    return location.strip()


def parse_response(data: bytes, address: str) -> tuple[list[Evidence], str | None]:
    """Evidence (``ssdp.server``, ``ssdp.usn``) and the description URL from one datagram.

    Both search responses (``HTTP/1.1 200``) and ``NOTIFY`` announcements count; an
    M-SEARCH (ours, echoed, or another client's) gives ``([], None)``. The LOCATION URL
    is returned only when it is http(s) and points at ``address`` itself, so a reply
    cannot steer the scanner to another host. Raises MalformedReplyError for anything
    that is not SSDP and ReplyTooLargeError over the UDP cap.
    """
    if len(data) > MAX_UDP_REPLY_BYTES:
        raise ReplyTooLargeError(f"SSDP reply: {len(data)} bytes, cap is {MAX_UDP_REPLY_BYTES}")
    head = parse_message_head(data, "SSDP reply")
    method = head.start_line.split(" ", 1)[0].upper()
    if method == "M-SEARCH":
        return [], None
    if method != "NOTIFY" and not _RESPONSE_LINE.fullmatch(head.start_line):
        raise MalformedReplyError(f"SSDP reply: unexpected start line {head.start_line[:60]!r}")
    found = EvidenceList(SOURCE, address)
    found.add("ssdp.server", head.headers.get("Server"))
    usn = head.headers.get("USN")
    found.add("ssdp.usn", usn)
    if usn is not None:  # uuid:<id>[::<type>]: an id made from the MAC gives it
        found.add("ssdp.usn_mac", uuid_node_mac(usn.split("::", 1)[0]))
    # the type the device answers or announces for: USN's after "::", a NOTIFY's NT (a
    # search response's ST only echoes what some client searched for)
    targets = [usn.partition("::")[2] if usn else None]
    if method == "NOTIFY":
        targets.append(head.headers.get("NT"))
    for domain in type_domains([t for t in targets if t]):
        found.add("upnp.type_domain", domain)
    return found.items(), _same_host_location(head.headers.get("Location"), address)


def parse_description(xml: bytes, address: str) -> list[Evidence]:
    """``upnp.*`` evidence from the root device of a UPnP device description.

    Tags match by local name, so a missing or wrong default namespace does not matter;
    of embedded devices (deviceList) only the device and service types are read
    (``upnp.type_domain``).  Raises MalformedReplyError for non-XML or a document
    without ``root/device``, ReplyTooLargeError over MAX_XML_BYTES.
    """
    root = parse_xml(xml, "UPnP description")
    if local_name(root.tag) != "root":
        raise MalformedReplyError(f"UPnP description: root is <{local_name(root.tag)[:40]}>")
    device = child(root, "device")
    if device is None:
        raise MalformedReplyError("UPnP description: no <device> under <root>")
    found = EvidenceList(SOURCE, address)
    for tag, key in DESCRIPTION_FIELDS:
        found.add(key, child_text(device, tag))
    types = [
        element.text
        for element in itertools.islice(device.iter(), _MAX_TYPE_ELEMENTS * 8)
        if local_name(element.tag) in ("deviceType", "serviceType") and element.text
    ]
    for domain in type_domains(types[:_MAX_TYPE_ELEMENTS]):
        found.add("upnp.type_domain", domain)
    return found.items()


UPNP_INFO_FIELDS: Final = {
    "server": "ssdp.server",
    "webserver": "http.server",
    "manufacturer": "upnp.manufacturer",
    "name": "upnp.friendly_name",
    "model name": "upnp.model_name",
    "model descr": "upnp.model_description",
    "model version": "upnp.model_number",
}
"""nmap upnp-info's lines (its upnp.lua prints a device's SSDP Server header and its
description's fields under these names) and the keys this module's parsers give the
same fields."""
_UPNP_INFO_LINE: Final = re.compile(r"([A-Za-z ]{3,20}?):\s*(\S.*)")
_MAX_UPNP_INFO_LINES: Final = 200


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def upnp_info_fields(output: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of nmap's upnp-info output (an -oX report's ``output``
    attribute, or the script's lines in normal output, ``|`` marks and all), of the
    first device only: a second address line or a second Server line starts another's."""
    found: list[tuple[str, str]] = []
    host: str | None = None
    for raw in output.splitlines()[:_MAX_UPNP_INFO_LINES]:
        line = raw.lstrip("|_ \t").rstrip()
        if _is_address(line):
            if host is not None and line != host:
                break
            host = line
            continue
        matched = _UPNP_INFO_LINE.match(line)
        key = UPNP_INFO_FIELDS.get(matched.group(1).strip().casefold()) if matched else None
        if matched is None or key is None:
            continue
        if key == "ssdp.server" and any(k == key for k, _ in found):
            break
        if value := clean_text(matched.group(2), 1024):
            found.append((key, value))
    return found
