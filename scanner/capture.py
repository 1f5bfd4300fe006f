"""Read a packet capture (pcap or pcapng, gzip allowed) with scapy, one packet at a time.

Each frame is dissected by scapy and, when it is one a device could be identified by,
handed to ``scanner.core.pcap`` as a plain record; that module owns every decision
about what a packet means.  The file is streamed (scapy's ``PcapReader`` and
``PcapNgReader``, picked by the file's magic), so memory does not grow with its size;
``max_packets`` bounds the time a huge file takes.

A capture is hostile input: a file that is no capture is a MalformedReplyError, an
unreadable one a CamcensusError, and a frame scapy cannot dissect, or whose fields are
not what their protocol allows, is counted and skipped.  A file cut short (the capture
was stopped mid-write) ends where its last whole packet ends.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from camcensus.base.errors import CamcensusError, MalformedReplyError
from camcensus.scanner.core.pcap import (
    MAX_DATAGRAM_BYTES,
    Arp,
    CaptureDecoder,
    Dhcp,
    DnsRecord,
    Fragments,
    Mdns,
    Record,
    Tcp,
    Udp,
)

__all__ = ["DEFAULT_MAX_PACKETS", "MDNS_PORT", "CaptureRead", "read_capture", "records"]

DEFAULT_MAX_PACKETS: Final = 5_000_000
"""Packets read from one capture unless told otherwise: the whole import goes at about
3,200 packets a second (bench/pcap.py), so this many take some 26 minutes."""
MDNS_PORT: Final = 5353
_DHCP_PORTS: Final = frozenset({67, 68})
_MAX_DNS_RECORDS: Final = 256
"""Records taken from one mDNS message (a real announcement has a few dozen)."""


@dataclass(slots=True)
class CaptureRead:
    """What reading one capture gave: the packets read, and whether a cap stopped it."""

    packets: int = 0
    stopped_at_cap: bool = False
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _link_source(packet: Any) -> str:
    """The link-layer source MAC of a frame: Ethernet's, or a Linux cooked capture's
    (``tcpdump -i any``) when it is 6 bytes long; "" for link types without one."""
    from scapy.layers.l2 import CookedLinux, CookedLinuxV2, Ether

    if Ether in packet:
        return str(packet[Ether].src)
    for cooked in (CookedLinux, CookedLinuxV2):
        if cooked in packet:
            layer = packet[cooked]
            raw = bytes(layer.src)[: int(layer.lladdrlen or 0)]
            return ":".join(f"{b:02x}" for b in raw) if len(raw) == 6 else ""
    return ""


def _dhcp(packet: Any, ether_src: str, src: str, dst: str) -> Dhcp | None:
    from scapy.layers.dhcp import BOOTP, DHCP

    bootp = packet[BOOTP]
    options: dict[str, Any] = {}
    if DHCP in packet:
        for option in packet[DHCP].options:
            if isinstance(option, tuple) and len(option) >= 2 and isinstance(option[0], str):
                options.setdefault(option[0], option[1])
    chaddr = bytes(bootp.chaddr)
    if int(bootp.hlen) != 6 or len(chaddr) < 6:
        return None
    message_type = options.get("message-type")
    requested = options.get("requested_addr")
    hostname, vendor = options.get("hostname"), options.get("vendor_class_id")
    return Dhcp(
        ether_src=ether_src,
        src=src,
        dst=dst,
        op=int(bootp.op),
        message_type=message_type if isinstance(message_type, int) else None,
        client_mac=":".join(f"{b:02x}" for b in chaddr[:6]),
        client_ip=str(bootp.ciaddr),
        requested_ip=str(requested) if requested is not None else None,
        hostname=_text(hostname) if hostname is not None else None,
        vendor_class=_text(vendor) if vendor is not None else None,
    )


def _dns_records(dns: Any) -> tuple[DnsRecord, ...]:
    from scapy.layers.dns import DNSRR

    found: list[DnsRecord] = []
    for section in (dns.an, dns.ns, dns.ar):
        for record in section or ():
            if len(found) >= _MAX_DNS_RECORDS:
                return tuple(found)
            if not isinstance(record, DNSRR):
                continue
            rtype = int(record.type)
            if rtype == 12:  # PTR
                found.append(DnsRecord("PTR", _text(record.rrname), (_text(record.rdata),)))
            elif rtype == 16:  # TXT: a list of character-strings
                data = record.rdata if isinstance(record.rdata, list) else [record.rdata]
                found.append(DnsRecord("TXT", _text(record.rrname), tuple(_text(s) for s in data)))
    return tuple(found)


def _whole(ip: Any, fragments: Fragments) -> Any:
    """The IP layer itself, or for a fragment the reassembled datagram once complete
    (dissected by scapy again), else None."""
    from scapy.layers.inet import IP

    offset_bytes, more = int(ip.frag) * 8, bool(int(ip.flags) & 0x1)
    if not offset_bytes and not more:
        return ip
    payload = bytes(ip.payload.original or b"")
    if ip.len is not None:
        payload = payload[: max(0, int(ip.len) - int(ip.ihl) * 4)]
    key = (str(ip.src), str(ip.dst), int(ip.proto), int(ip.id))
    data = fragments.add(key, offset_bytes, more, payload)
    if data is None:
        return None
    if len(data) > MAX_DATAGRAM_BYTES - 20:
        return None
    head = IP(src=ip.src, dst=ip.dst, proto=ip.proto, id=ip.id, ttl=ip.ttl, len=20 + len(data))
    return IP(bytes(head) + data)


def _ip_record(packet: Any, read: CaptureRead, fragments: Fragments) -> Record | None:
    from scapy.layers.dhcp import BOOTP
    from scapy.layers.dns import DNS
    from scapy.layers.inet import IP, TCP, UDP

    ip = _whole(packet[IP], fragments)
    if ip is None:
        return None
    ether_src = _link_source(packet)
    src, dst = str(ip.src), str(ip.dst)
    if UDP in ip:
        udp = ip[UDP]
        sport, dport = int(udp.sport), int(udp.dport)
        if _DHCP_PORTS & {sport, dport} and BOOTP in udp:
            return _dhcp(udp, ether_src, src, dst)
        if MDNS_PORT in (sport, dport):
            if DNS not in udp:
                read.skip("mDNS messages scapy could not dissect")
                return None
            dns = udp[DNS]
            return Mdns(ether_src, src, dst, bool(dns.qr), _dns_records(dns))
        return Udp(ether_src, src, dst, sport, dport, bytes(udp.payload.original or b""))
    if TCP in ip:
        tcp = ip[TCP]
        flags = int(tcp.flags)
        return Tcp(
            ether_src=ether_src,
            src=src,
            dst=dst,
            sport=int(tcp.sport),
            dport=int(tcp.dport),
            seq=int(tcp.seq),
            syn=bool(flags & 0x02),
            ack=bool(flags & 0x10),
            fin=bool(flags & 0x01),
            rst=bool(flags & 0x04),
            payload=bytes(tcp.payload.original or b""),
        )
    return None


def _record(packet: Any, read: CaptureRead, fragments: Fragments) -> Record | None:
    from scapy.layers.inet import IP
    from scapy.layers.l2 import ARP

    if ARP in packet:
        arp = packet[ARP]
        if int(arp.hwlen) != 6 or int(arp.plen) != 4:
            read.skip("ARP not over Ethernet and IPv4")
            return None
        return Arp(str(arp.hwsrc), str(arp.psrc))
    if IP in packet:
        return _ip_record(packet, read, fragments)
    read.skip("frames neither ARP nor IPv4")
    return None


def records(path: Path, read: CaptureRead, *, max_packets: int) -> Iterator[Record]:
    """The records of the capture at ``path``, streamed; ``read`` counts as it goes.

    MalformedReplyError when the file is not a pcap or pcapng capture, CamcensusError
    when it cannot be read.
    """
    # the link types a reader knows are the ones whose layers are loaded: these first
    import scapy.layers.dhcp
    import scapy.layers.dns
    import scapy.layers.inet
    import scapy.layers.l2  # noqa: F401
    from scapy.error import Scapy_Exception
    from scapy.utils import PcapReader

    open_reader: Any = PcapReader  # typed for a file name; a file object is as documented
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise CamcensusError(f"cannot read {path}: {exc.strerror or exc}") from exc
    # the reader gets our file, so a file it refuses is closed here all the same
    with stream:
        try:
            reader = open_reader(stream)
        except (Scapy_Exception, EOFError) as exc:
            raise MalformedReplyError(f"{path.name}: not a pcap or pcapng capture ({exc})") from exc
        except OSError as exc:
            raise CamcensusError(f"cannot read {path}: {exc.strerror or exc}") from exc
        yield from _packets(reader, read, max_packets)


def _packets(reader: Any, read: CaptureRead, max_packets: int) -> Iterator[Record]:

    fragments = Fragments()
    try:
        yield from _each(reader, read, max_packets, fragments)
    finally:
        if fragments.given_up:
            read.skipped["fragmented datagrams given up (caps)"] = fragments.given_up


def _each(
    reader: Any, read: CaptureRead, max_packets: int, fragments: Fragments
) -> Iterator[Record]:
    from scapy.error import Scapy_Exception

    while True:
        if read.packets >= max_packets:
            read.stopped_at_cap = True
            return
        try:
            packet = reader.read_packet()
        except EOFError:
            return
        except Scapy_Exception as exc:  # a pcapng block that is not what it says
            read.skip(f"capture ended at a broken block ({str(exc)[:80]})")
            return
        read.packets += 1
        try:
            record = _record(packet, read, fragments)
        except (ValueError, TypeError, struct.error, Scapy_Exception):
            read.skip("frames whose fields scapy could not read")
            continue
        if record is not None:
            yield record


def read_capture(
    path: Path, decoder: CaptureDecoder, *, max_packets: int = DEFAULT_MAX_PACKETS
) -> CaptureRead:
    """Feed every record of the capture at ``path`` to ``decoder``; what was read."""
    read = CaptureRead()
    for record in records(path, read, max_packets=max_packets):
        decoder.add(record)
    return read
