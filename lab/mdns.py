"""A minimal mDNS responder for one emulated device, on zeroconf's wire format.

Why not one ``Zeroconf`` instance a device: every instance probes, announces and
caches, and with dozens of them on one bridge they talk to each other until the
kernel's neighbour table (one table shared by *all* namespaces, 1,024 entries by
default) overflows and the lab stops answering ARP.  A device only needs to answer
queries, so this responder does just that, using zeroconf's ``DNSIncoming`` /
``DNSOutgoing`` to parse and build the packets.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# zeroconf re-exports these at top level without listing them in __all__.
from zeroconf._dns import DNSAddress, DNSPointer, DNSRecord, DNSService, DNSText
from zeroconf._protocol.incoming import DNSIncoming
from zeroconf._protocol.outgoing import DNSOutgoing
from zeroconf.const import (
    _CLASS_IN,
    _CLASS_UNIQUE,
    _FLAGS_AA,
    _FLAGS_QR_RESPONSE,
    _TYPE_A,
    _TYPE_ANY,
    _TYPE_PTR,
    _TYPE_SRV,
    _TYPE_TXT,
)

__all__ = ["MDNS_GROUP", "MDNS_PORT", "MdnsService", "Responder"]

log = logging.getLogger("camcensus.lab.mdns")
MDNS_GROUP = "224.0.0.251"
MDNS_PORT = 5353
TTL_S = 120
LEGACY_TTL_S = 10
SERVICES_META = "_services._dns-sd._udp.local."


@dataclass(frozen=True)
class MdnsService:
    type: str  # "_http._tcp.local."
    instance: str  # "AXIS M3106 - accc8e000001"
    port: int
    txt: Mapping[str, str]

    @property
    def full_name(self) -> str:
        return f"{self.instance}.{self.type}"


def _txt_bytes(txt: Mapping[str, str]) -> bytes:
    out = bytearray()
    for key, value in txt.items():
        item = f"{key}={value}".encode()[:255]
        out += bytes([len(item)]) + item
    return bytes(out) or b"\x00"


def _records(
    host: str, ip: str, services: Sequence[MdnsService], ttl: int, unique: int
) -> list[DNSRecord]:
    """The host's A record and each service's PTRs, SRV and TXT; *ttl* for host-bound
    records, the shared ones 37 times that (RFC 6762 10: 120 s and 75 minutes) unless
    capped at *ttl* (legacy unicast)."""
    shared = ttl * 37 if ttl == TTL_S else ttl
    records: list[DNSRecord] = [DNSAddress(host, _TYPE_A, unique, ttl, socket.inet_aton(ip))]
    for svc in services:
        records += [
            DNSPointer(SERVICES_META, _TYPE_PTR, _CLASS_IN, shared, svc.type),
            DNSPointer(svc.type, _TYPE_PTR, _CLASS_IN, shared, svc.full_name),
            DNSService(svc.full_name, _TYPE_SRV, unique, ttl, 0, 0, svc.port, host),
            DNSText(svc.full_name, _TYPE_TXT, unique, shared, _txt_bytes(svc.txt)),
        ]
    return records


class Responder:
    """Answers mDNS queries about one host and its services; never asks anything."""

    def __init__(self, host: str, ip: str, services: Sequence[MdnsService]) -> None:
        self.host = host
        self.records = _records(host, ip, services, TTL_S, _CLASS_IN | _CLASS_UNIQUE)
        # RFC 6762 6.7: a legacy unicast answer carries TTLs of 10 s at most; 10.2: and
        # no cache-flush bit
        self.legacy_records = _records(host, ip, services, LEGACY_TTL_S, _CLASS_IN)

    def _matching(self, name: str, type_: int, legacy: bool = False) -> list[DNSRecord]:
        key = name.lower()
        records = self.legacy_records if legacy else self.records
        return [r for r in records if r.key == key and (type_ in (_TYPE_ANY, r.type))]

    def answer(self, data: bytes, addr: tuple[str, int]) -> list[tuple[bytes, tuple[str, int]]]:
        """Replies (payload, destination) for one received datagram."""
        try:
            incoming = DNSIncoming(data)
        except Exception:  # zeroconf raises several types for garbage
            return []
        if not incoming.valid or not incoming.is_query():
            return []
        legacy = addr[1] != MDNS_PORT
        answers: list[DNSRecord] = []
        unicast = legacy
        for question in incoming.questions:
            found = self._matching(question.name, question.type, legacy)
            if found:
                answers += [r for r in found if r not in answers]
                unicast = unicast or question.unicast
        if not answers:
            return []
        extra: list[DNSRecord] = []
        for record in answers:  # SRV/TXT/A along with a PTR, as RFC 6763 12.1 asks
            more: list[DNSRecord] = []
            if isinstance(record, DNSPointer) and record.name != SERVICES_META:
                more += self._matching(record.alias, _TYPE_ANY, legacy)
            if isinstance(record, DNSPointer | DNSService):
                more += self._matching(self.host, _TYPE_A, legacy)
            extra += [r for r in more if r not in extra and r not in answers]  # each once
        out = DNSOutgoing(_FLAGS_QR_RESPONSE | _FLAGS_AA, multicast=not legacy, id_=incoming.id)
        if legacy:
            for question in incoming.questions:
                out.add_question(question)
        for record in answers:
            out.add_answer_at_time(record, 0)
        for record in extra:
            out.add_additional_answer(record)
        dest = addr if unicast else (MDNS_GROUP, MDNS_PORT)
        return [(packet, dest) for packet in out.packets()]
