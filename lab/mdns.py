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


class Responder:
    """Answers mDNS queries about one host and its services; never asks anything."""

    def __init__(self, host: str, ip: str, services: Sequence[MdnsService]) -> None:
        self.host = host
        unique = _CLASS_IN | _CLASS_UNIQUE
        self.records: list[DNSRecord] = [
            DNSAddress(host, _TYPE_A, unique, TTL_S, socket.inet_aton(ip))
        ]
        for svc in services:
            self.records += [
                DNSPointer(SERVICES_META, _TYPE_PTR, _CLASS_IN, TTL_S * 37, svc.type),
                DNSPointer(svc.type, _TYPE_PTR, _CLASS_IN, TTL_S * 37, svc.full_name),
                DNSService(svc.full_name, _TYPE_SRV, unique, TTL_S, 0, 0, svc.port, host),
                DNSText(svc.full_name, _TYPE_TXT, unique, TTL_S * 37, _txt_bytes(svc.txt)),
            ]

    def _matching(self, name: str, type_: int) -> list[DNSRecord]:
        key = name.lower()
        return [r for r in self.records if r.key == key and (type_ in (_TYPE_ANY, r.type))]

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
            found = self._matching(question.name, question.type)
            if found:
                answers += [r for r in found if r not in answers]
                unicast = unicast or question.unicast
        if not answers:
            return []
        extra: list[DNSRecord] = []
        for record in answers:  # SRV/TXT/A along with a PTR, as RFC 6763 12.1 asks
            if isinstance(record, DNSPointer) and record.name != SERVICES_META:
                extra += self._matching(record.alias, _TYPE_ANY)
            if isinstance(record, DNSPointer | DNSService):
                extra += self._matching(self.host, _TYPE_A)
        out = DNSOutgoing(_FLAGS_QR_RESPONSE | _FLAGS_AA, multicast=not legacy, id_=incoming.id)
        if legacy:
            for question in incoming.questions:
                out.add_question(question)
        for record in answers:
            out.add_answer_at_time(record, 0)
        for record in extra:
            if record not in answers:
                out.add_additional_answer(record)
        dest = addr if unicast else (MDNS_GROUP, MDNS_PORT)
        return [(packet, dest) for packet in out.packets()]
