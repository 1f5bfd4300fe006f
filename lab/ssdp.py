"""SSDP of the emulated devices (UPnP Device Architecture 1.1, section 1).

What a device announces follows from its own description XML (the profile's
``[ssdp].description``): UDA 1.1 section 1.2.2 lists the discovery messages of
a root device: one ``upnp:rootdevice``, then for the root and every embedded device
``uuid:<UDN>`` and its device type, and one per distinct service type. A search answers
with the messages its ST selects (``ssdp:all``: every one), a NOTIFY goes out for each.

Header layouts:

* ``uda``: the fields UDA 1.1 sections 1.2.2, 1.2.3 and 1.3.3 require, in that order.
* ``libupnp``: the Portable SDK for UPnP devices as Axis firmware runs it, with ``OPT``,
  ``01-NLS`` and ``X-User-Agent: redsonic``, in the order of the captures kept by
  github:FantasticFiasco/axis-js@27930260fc414310874ae9105160b6451748ca0d:
  packages/axis-discovery-ssdp/test/sockets/Message.mock.ts (an M-SEARCH response and a
  NOTIFY ssdp:byebye of an AXIS M1014; corpus items axis-ssdp-msearch-axisjs-m1014 and
  axis-ssdp-notify-byebye-axisjs-m1014).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

__all__ = [
    "DIALECTS",
    "MAX_MX_S",
    "Search",
    "Target",
    "notify",
    "parse_search",
    "response",
    "selected",
    "targets",
]

GROUP_HOST = "239.255.255.250:1900"
MAX_MX_S = 5
"""UDA 1.1 section 1.3.3: an MX over 5 counts as 5."""
DIALECTS = ("uda", "libupnp")
_TYPE_URN = re.compile(r"(urn:[^:]+:(?:device|service):[^:]+):(\d+)")


@dataclass(frozen=True)
class Target:
    """One discovery message: the NT (or the ST it answers) and its USN."""

    nt: str
    usn: str


@dataclass(frozen=True)
class Search:
    """An M-SEARCH: its ST, MX (None when absent or invalid) and whether it went to the
    multicast group (HOST 239.255.255.250:1900) rather than to the device itself."""

    st: str
    mx: int | None
    multicast: bool


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: Element, name: str) -> str:
    found = _child(element, name)
    return (found.text or "").strip() if found is not None else ""


def targets(description: str) -> list[Target]:
    """The discovery messages of the root device *description* describes."""
    root = fromstring(description.encode("utf-8"))
    device = _child(root, "device")
    if device is None:
        raise ValueError("UPnP description without <device>")
    root_udn = _text(device, "UDN")
    found = [Target("upnp:rootdevice", f"{root_udn}::upnp:rootdevice")]
    service_types: list[str] = []
    pending = [device]
    while pending:
        current = pending.pop(0)
        udn = _text(current, "UDN")
        found.append(Target(udn, udn))
        found.append(Target(_text(current, "deviceType"), f"{udn}::{_text(current, 'deviceType')}"))
        services = _child(current, "serviceList")
        for service in services if services is not None else []:
            kind = _text(service, "serviceType")
            if kind and kind not in service_types:
                service_types.append(kind)
                found.append(Target(kind, f"{udn}::{kind}"))
        embedded = _child(current, "deviceList")
        pending.extend(
            c for c in (embedded if embedded is not None else []) if _local(c.tag) == "device"
        )
    return found


def parse_search(data: bytes) -> Search | None:
    """The M-SEARCH in *data*, or None: not an M-SEARCH, or MAN is not
    ``"ssdp:discover"`` (UDA 1.1 section 1.3.2: required, quotes included)."""
    lines = data.decode("latin-1").split("\r\n")
    if lines[0].split() != ["M-SEARCH", "*", "HTTP/1.1"]:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.setdefault(name.strip().lower(), value.strip())
    if headers.get("man") != '"ssdp:discover"' or not headers.get("st"):
        return None
    mx_text = headers.get("mx", "")
    mx = min(int(mx_text), MAX_MX_S) if mx_text.isdigit() and int(mx_text) >= 1 else None
    return Search(headers["st"], mx, headers.get("host", "") in (GROUP_HOST, "239.255.255.250"))


def selected(st: str, held: list[Target]) -> list[Target]:
    """The messages an ST selects, each with the ST to answer (UDA 1.1 section 1.3.3):
    ``ssdp:all`` every one; a type URN also selects a later version of the type, and
    the response then carries the version searched for."""
    if st == "ssdp:all":
        return list(held)
    exact = [t for t in held if t.nt == st]
    if exact:
        return exact
    asked = _TYPE_URN.fullmatch(st)
    if asked is None:
        return []
    found = []
    for target in held:
        have = _TYPE_URN.fullmatch(target.nt)
        if have and have.group(1) == asked.group(1) and int(have.group(2)) >= int(asked.group(2)):
            found.append(Target(st, target.usn.removesuffix(target.nt) + st))
    return found


def _wire(start: str, fields: list[tuple[str, str]]) -> bytes:
    lines = [start, *(f"{name}: {value}" if value else f"{name}:" for name, value in fields)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")


def response(target: Target, dialect: str, fields: Mapping[str, str], date: str) -> bytes:
    """The search response for *target*; *fields*: ``location``, ``server``,
    ``max_age``, ``boot_id`` (libupnp's 01-NLS)."""
    head = [
        ("CACHE-CONTROL", f"max-age={fields['max_age']}"),
        ("DATE", date),
        ("EXT", ""),
        ("LOCATION", fields["location"]),
    ]
    if dialect == "libupnp":
        head += [
            ("OPT", '"http://schemas.upnp.org/upnp/1/0/"; ns=01'),
            ("01-NLS", fields["boot_id"]),
        ]
    head.append(("SERVER", fields["server"]))
    if dialect == "libupnp":
        head.append(("X-User-Agent", "redsonic"))
    head += [("ST", target.nt), ("USN", target.usn)]
    return _wire("HTTP/1.1 200 OK", head)


def notify(target: Target, nts: str, dialect: str, fields: Mapping[str, str]) -> bytes:
    """A NOTIFY ``ssdp:alive`` or ``ssdp:byebye`` for *target*. UDA's byebye carries
    HOST, NT, NTS and USN only; libupnp sends its full head with both (the capture)."""
    host = [("HOST", GROUP_HOST)]
    if dialect == "libupnp":
        head = [
            *host,
            ("CACHE-CONTROL", f"max-age={fields['max_age']}"),
            ("LOCATION", fields["location"]),
            ("OPT", '"http://schemas.upnp.org/upnp/1/0/"; ns=01'),
            ("01-NLS", fields["boot_id"]),
            ("NT", target.nt),
            ("NTS", nts),
            ("SERVER", fields["server"]),
            ("X-User-Agent", "redsonic"),
            ("USN", target.usn),
        ]
    elif nts == "ssdp:alive":
        head = [
            *host,
            ("CACHE-CONTROL", f"max-age={fields['max_age']}"),
            ("LOCATION", fields["location"]),
            ("NT", target.nt),
            ("NTS", nts),
            ("SERVER", fields["server"]),
            ("USN", target.usn),
        ]
    else:
        head = [*host, ("NT", target.nt), ("NTS", nts), ("USN", target.usn)]
    return _wire("NOTIFY * HTTP/1.1", head)
