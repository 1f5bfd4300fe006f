"""mDNS / DNS-SD: one resolved service instance as evidence (pure; the probe browses).

A camera's instance name often carries its model (``AXIS M3106-L Mk II - ACCC8E012345``)
and its TXT record its MAC or vendor; each becomes evidence at the address the instance
announced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, NamedTuple

from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core.limits import clean_text

__all__ = [
    "GROUP",
    "SOURCE",
    "PrintedService",
    "instance_name",
    "printed_services",
    "service_evidence",
]

SOURCE: Final = "mdns"
GROUP: Final = "224.0.0.251"
_TXT_KEY: Final = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")


def instance_name(service_type: str, name: str) -> str:
    """``AXIS M3106 - ACCC8E._axis-video._tcp.local.`` -> ``AXIS M3106 - ACCC8E``."""
    suffix = "." + service_type
    return name[: -len(suffix)] if name.endswith(suffix) else name


def service_evidence(
    service_type: str,
    name: str,
    properties: Iterable[tuple[str, str | None]],
    address: str,
) -> list[Evidence]:
    """``mdns.service``, ``mdns.name`` and ``mdns.txt.<key>`` for one instance at one
    address, and ``mdns.txt_record``: the service type with the instance's TXT pairs
    (``_http._tcp.local.: macaddress=ACCC8E012345; path=/``), so that each TXT value
    stays tied to the service that announced it when a device announces several (the
    ``mdns.txt.<key>`` items alone do not say which). TXT keys that are not short
    lower-case tokens are skipped; a key without a value (an RFC 6763 6.4 boolean
    attribute) appears in the record alone."""
    found = EvidenceList(SOURCE, address)
    found.add("mdns.service", service_type)
    found.add("mdns.name", instance_name(service_type, name))
    pairs: list[str] = []
    for key, value in properties:
        text_key = key.lower()
        if not _TXT_KEY.fullmatch(text_key):
            continue
        if value is not None:
            found.add(f"mdns.txt.{text_key}", value)
        pairs.append(text_key if value is None else f"{text_key}={clean_text(value)}")
    if pairs:
        found.add("mdns.txt_record", f"{service_type}: " + "; ".join(pairs))
    return found.items()


class PrintedService(NamedTuple):
    """One resolved instance as a browsing tool printed it."""

    service_type: str
    name: str
    properties: list[tuple[str, str | None]]
    address: str | None


_AVAHI_FIELD: Final = re.compile(
    r"^\s+(?P<key>hostname|address|port|txt)\s+=\s+\[(?P<value>.*)\]\s*$"
)
_SERVICE_TYPE: Final = re.compile(r"_[A-Za-z0-9-]{1,63}\._(?:tcp|udp)")
_AVAHI_DESCRIPTIONS: Final = {
    "Web Site": "_http._tcp",
    "Secure Web Site": "_https._tcp",
    "FTP File Transfer": "_ftp._tcp",
    "SFTP File Transfer": "_sftp-ssh._tcp",
    "SSH Remote Terminal": "_ssh._tcp",
    "Telnet Remote Terminal": "_telnet._tcp",
    "Workstation": "_workstation._tcp",
    "Internet Printer": "_ipp._tcp",
    "UNIX Printer": "_printer._tcp",
    "PDL Printer": "_pdl-datastream._tcp",
    "Microsoft Windows Network": "_smb._tcp",
    "VNC Remote Access": "_rfb._tcp",
    "WebDAV File Share": "_webdav._tcp",
    "Secure WebDAV File Share": "_webdavs._tcp",
    "NTP Time Server": "_ntp._udp",
    "RTSP Realtime Streaming Server": "_rtsp._tcp",
    "RTP Realtime Streaming Server": "_rtp._tcp",
}
"""Service types avahi-browse prints by their English description unless run with
``-k``: the ones a camera, recorder or other device may announce, as avahi's
service-types database spells them
(avahi/avahi@0bd9a88889c5d4c2ad0bd150e7584cc3f99d1116:service-type-database/service-types);
types it has no description for print as they are."""
_BY_LENGTH: Final = sorted(_AVAHI_DESCRIPTIONS.items(), key=lambda item: -len(item[0]))
"""Longest first: "Secure Web Site" before "Web Site"."""
_DNS_SD_BROWSED: Final = re.compile(
    r"^\s*\d{1,2}:\d{2}:\d{2}\.\d{3}\s+(?P<op>Add|Rmv)\s+[0-9A-Fa-f]+\s+\d+\s+\S+\s+"
    r"(?P<type>_[A-Za-z0-9-]{1,63}\._(?:tcp|udp))\.?\s+(?P<name>\S.*)$"
)
"""A ``dns-sd -B`` result line: time, ``Add`` or ``Rmv``, flags (hex), interface,
domain, type and the instance name as it is (the rest of the line); a browse only, so a
name without a host."""
_TXT_ITEM: Final = re.compile(r'"((?:[^"\\]|\\.)*)"')
_REACHED: Final = " can be reached at "
_DNS_SD_TXT: Final = re.compile(r"(?:[^\s\\]|\\.)+")
_DECIMAL_ESCAPE: Final = re.compile(r"\\(\d{3})|\\(.)")
_MAX_LINES: Final = 40_000  # a browse of a busy network, each resolved entry 5 lines
_MAX_LINE_CHARS: Final = 1024
_MAX_SERVICES: Final = 32


def _avahi_line(line: str) -> tuple[str, str] | None:
    """The event (``+`` browsed, ``=`` resolved) and the middle part (instance name and
    service type) of an avahi-browse line ``=   eth0 IPv4 <name>   <type>   local``."""
    words = line.split()
    if len(words) < 6 or words[0] not in ("+", "=") or words[2] not in ("IPv4", "IPv6"):
        return None
    return (words[0], " ".join(words[3:-1])) if words[-1] == "local" else None


def _dns_sd_line(line: str) -> PrintedService | None:
    """The instance of a ``dns-sd -L`` line ``<time>  <name>.<type>.local. can be
    reached at <host>:<port> ...``, its host standing for its address."""
    at = line.find(_REACHED)
    if at < 0:
        return None
    words = line[:at].split(maxsplit=1)
    if not words:
        return None
    full = words[-1] if len(words) == 1 or not words[0][:1].isdigit() else words[1]
    full = full.strip().removesuffix(".").removesuffix(".local").removesuffix(".")
    types = list(_SERVICE_TYPE.finditer(full))
    host = line[at + len(_REACHED) :].split(maxsplit=1)
    if not types or not host:
        return None
    name = _unescape(full[: types[-1].start()].rstrip("."))
    return PrintedService(types[-1].group(0), name, [], host[0].rpartition(":")[0] or host[0])


def _unescape(text: str) -> str:
    """DNS-SD's presentation escapes (RFC 6763 4.3): ``\\032`` a decimal byte, ``\\.`` a
    literal character."""
    return _DECIMAL_ESCAPE.sub(lambda m: chr(int(m[1])) if m[1] else m[2], text)


def _pairs(items: Iterable[str]) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for item in items:
        key, equals, value = _unescape(item).partition("=")
        pairs.append((key, value if equals else None))
    return pairs


def _avahi_type(rest: str) -> tuple[str, str] | None:
    """The instance name and service type of an avahi-browse line's middle part."""
    types = list(_SERVICE_TYPE.finditer(rest))
    if types:
        found = types[-1]
        return rest[: found.start()].strip(), found.group(0)
    for description, service_type in _BY_LENGTH:
        if rest.endswith(" " + description):
            return rest[: -len(description)].strip(), service_type
    return None


def _avahi_parsable(line: str) -> tuple[PrintedService | None, str | None] | None:
    """A ``-p`` resolved line: its service (None when its type cannot be read) and its
    host (host name, else address); None for any other line."""
    fields = line.split(";")
    if len(fields) < 9 or fields[0] != "=":
        return None
    name, service_type = _unescape(fields[3]), _unescape(fields[4])
    if not _SERVICE_TYPE.fullmatch(service_type):
        service_type = _AVAHI_DESCRIPTIONS.get(service_type, "")
    txt = ";".join(fields[9:])
    host = fields[6] or fields[7] or None
    if not service_type:
        return None, host
    return PrintedService(
        service_type, name, _pairs(_TXT_ITEM.findall(txt)), fields[7] or None
    ), host


def printed_services(text: str) -> list[PrintedService]:
    """The resolved instances in what avahi-browse ``-r`` (as read, or ``-p``) or
    ``dns-sd -L`` printed, of the first host only (a browse lists every host's): the
    host of the first resolved entry, its type readable or not, by its host name (its
    IPv4 and IPv6 entries are one host's), else its address.  Names that were only
    browsed (avahi's ``+`` lines, ``dns-sd -B``'s ``Add`` lines) count only when
    nothing was resolved, and then only when they are one instance's."""
    resolved: list[tuple[PrintedService | None, str | None]] = []
    current: dict[str, str] = {}
    head: tuple[str, str] | None = None
    in_block = False
    txt_next = False  # dns-sd prints the TXT record on the line after "can be reached"
    browsed: list[PrintedService] = []

    def close() -> None:
        if in_block:
            host = current.get("hostname") or current.get("address")
            if head is None:
                resolved.append((None, host))
            else:
                items = _pairs(_TXT_ITEM.findall(current.get("txt", "")))
                service = PrintedService(head[1], head[0], items, current.get("address"))
                resolved.append((service, host))

    for line in text.splitlines()[:_MAX_LINES]:
        line = line[:_MAX_LINE_CHARS]
        avahi = _avahi_line(line)
        if line.startswith("=;") and (parsable := _avahi_parsable(line)) is not None:
            resolved.append(parsable)
        elif avahi is not None:
            close()
            head, current, in_block = _avahi_type(avahi[1]), {}, avahi[0] == "="
            if avahi[0] == "+" and head is not None:  # browsed; resolved further on, or not
                browsed.append(PrintedService(head[1], head[0], [], None))
        elif in_block and (field := _AVAHI_FIELD.match(line)) is not None:
            current[field["key"]] = field["value"]
        elif (listed := _DNS_SD_BROWSED.match(line)) is not None:
            seen = PrintedService(listed["type"], listed["name"].rstrip(), [], None)
            if listed["op"] == "Add":
                browsed.append(seen)
            else:  # gone again: not there to be the device
                browsed = [b for b in browsed if b != seen]
        elif (reached := _dns_sd_line(line)) is not None:
            resolved.append((reached, reached.address))
            txt_next = True
        elif txt_next and line.strip():
            service, host = resolved[-1]
            if service is not None:
                properties = _pairs(_DNS_SD_TXT.findall(line.strip()))
                resolved[-1] = (service._replace(properties=properties), host)
            txt_next = False
        if len(resolved) >= _MAX_SERVICES:
            break
    close()
    if not resolved:  # browsed only: names alone, of one instance
        names = {s.name for s in browsed}
        return browsed[:_MAX_SERVICES] if len(names) == 1 else []
    first = resolved[0][1]
    return [s for s, host in resolved if s is not None and host == first][:_MAX_SERVICES]
