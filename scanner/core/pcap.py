"""Packets of a capture into evidence (pure): the scan's parsers, fed what devices sent.

The reader (``scanner.capture``) dissects each frame with scapy and hands this module
plain records (``Arp``, ``Udp``, ``Tcp``, ``Dhcp``, ``Mdns``); ``CaptureDecoder`` turns
them into Evidence through the very parsers the probes call, so a device heard in a
capture is named as a scan would name it.  Only what a device itself sent identifies
it, bound to the address it sent from:

* WS-Discovery ProbeMatches and Hellos, SADP, DHIP and NetIP replies, SSDP responses
  and NOTIFYs (udp 3702, 37020, 37810, 34569, 1900, either port); requests and probes
  parse to nothing, as they do for a scan;
* mDNS responses (udp 5353): each PTR from a service type to an instance, with that
  instance's TXT record from the same response;
* DHCP client messages (BOOTREQUEST): host name (option 12), vendor class (option 60)
  and the client hardware address, bound to the address the client asks for or holds
  (option 50, ``ciaddr``) or, failing that, to the address ARP shows for that MAC;
* TCP: a SYN+ACK is an open port (``tcp.ports``); what a server sent is reassembled
  per stream (bounded: ``MAX_STREAM_BYTES`` a stream, ``MAX_OPEN_STREAMS`` at once,
  ``MAX_STREAM_BYTES_TOTAL`` held over all of them) and, when it starts with an HTTP or
  RTSP status line, split into messages for the HTTP, RTSP, ONVIF, UPnP-description
  and ISAPI parsers; what an FTP or telnet server (tcp 21, 23) says is its greeting, as
  the banner probe reads it.

Which MACs are link-layer evidence (the identity ``merge`` trusts, ``LINK_SOURCES``):

* the sender of an ARP request or reply (source ``arp``, as the scan's ARP sweep):
  ARP never crosses a router, so the sender hardware address is the host that owns
  the sender protocol address (proxy ARP, rare on camera networks, would break this);
* the Ethernet source of a frame (source ``ether``) only where the sending address is
  certainly on the capture's own segment: the frame went to a link-local destination
  (224.0.0.0/24, such as mDNS, or the limited broadcast 255.255.255.255), which no
  router forwards, or the address lies in a ``segments`` network the operator named.
  A frame from anywhere else may have been routed, and a routed frame carries the
  router's MAC as its Ethernet source.  An Ethernet source that ARP shows to be another
  address's MAC (a router's, a proxy's) is never used.

A MAC a device reports in a payload (SADP, DHIP, a WS-Discovery scope) stays reported
evidence, as in a scan; the DHCP client hardware address is such a report too.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import (
    dhip,
    ftp,
    http,
    isapi,
    mdns,
    netip,
    onvif,
    rtsp,
    sadp,
    ssdp,
    telnet,
    wsd,
)
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core.mac import is_unicast_assigned, normalise_mac

__all__ = [
    "DHCP_SOURCE",
    "ETHER_SOURCE",
    "MAX_ADDRESSES",
    "MAX_DATAGRAM_BYTES",
    "MAX_EVIDENCE_PER_ADDRESS",
    "MAX_MESSAGES_PER_STREAM",
    "MAX_OPEN_STREAMS",
    "MAX_PENDING_DATAGRAMS",
    "MAX_STREAM_BYTES",
    "MAX_STREAM_BYTES_TOTAL",
    "PORT_SOURCE",
    "Arp",
    "CaptureDecoder",
    "Dhcp",
    "DnsRecord",
    "Fragments",
    "Mdns",
    "Parser",
    "Record",
    "Tcp",
    "Udp",
    "split_messages",
]

ETHER_SOURCE: Final = "ether"
"""Source of a ``mac`` read from a frame's Ethernet source (link-layer, see above)."""
DHCP_SOURCE: Final = "dhcp"
PORT_SOURCE: Final = "ports"
"""Open ports seen as SYN+ACKs: the same source as the scan's port sweep."""

MAX_STREAM_BYTES: Final = 64 * 1024
"""Bytes of one server-to-client TCP stream kept: the heads, and a body's start, of the
replies a camera's web and RTSP servers give (a scan reads 32 KiB of head and 256 KiB of
body; a page's title and login markers sit in its first few KiB)."""
MAX_OPEN_STREAMS: Final = 4096
"""TCP streams reassembled at once; a stream is parsed and freed at its FIN or RST, or
when full.  Streams beyond this are counted, not followed."""
MAX_STREAM_BYTES_TOTAL: Final = 64 * 1024 * 1024
"""Bytes held over all open streams together."""
MAX_MESSAGES_PER_STREAM: Final = 16
"""HTTP/RTSP messages read from one stream (a scan sends at most a few on one connection)."""
MAX_ADDRESSES: Final = 65_536
"""Addresses that may gain evidence; evidence for more is counted and dropped."""
MAX_EVIDENCE_PER_ADDRESS: Final = 1024
"""Distinct evidence items kept for one address (a capture of a hostile device that
announces a new name every second must not grow without bound)."""

Parser = Callable[[bytes, str], list[Evidence]]


def _ssdp_evidence(data: bytes, address: str) -> list[Evidence]:
    return ssdp.parse_response(data, address)[0]


_UDP_PARSERS: Final[tuple[tuple[int, Parser], ...]] = (
    (wsd.PORT, wsd.parse_announcement),
    (ssdp.PORT, _ssdp_evidence),
    (sadp.PORT, sadp.parse_reply),
    (dhip.PORT, dhip.parse_reply),
    (netip.PORT, netip.parse_reply),
)
_GREETINGS: Final[dict[int, Parser]] = {
    ftp.PORT: ftp.parse_banner,
    telnet.PORT: telnet.parse_banner,
}
"""Servers that speak first, by port (as the banner probe reads them): FTP and telnet."""
_LINK_LOCAL: Final = ipaddress.IPv4Network("224.0.0.0/24")
_LIMITED_BROADCAST: Final = "255.255.255.255"
_DHCP_CLIENT_TYPES: Final = frozenset({1, 3, 8})  # DISCOVER, REQUEST, INFORM (RFC 2132 9.6)
_DHCP_BINDING_TYPES: Final = frozenset({3, 8})  # only these name the client's own address
_SEQ_SPACE: Final = 1 << 32


@dataclass(frozen=True, slots=True)
class Arp:
    """An ARP request or reply: the sender's hardware and protocol addresses."""

    sender_mac: str
    sender_ip: str


@dataclass(frozen=True, slots=True)
class Udp:
    """One UDP datagram over IPv4 (``ether_src`` "" when the link type has none)."""

    ether_src: str
    src: str
    dst: str
    sport: int
    dport: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class Tcp:
    """One TCP segment over IPv4."""

    ether_src: str
    src: str
    dst: str
    sport: int
    dport: int
    seq: int
    syn: bool
    ack: bool
    fin: bool
    rst: bool
    payload: bytes


@dataclass(frozen=True, slots=True)
class Dhcp:
    """A BOOTP/DHCP message (RFC 2131), the fields and options that say who sent it."""

    ether_src: str
    src: str
    dst: str
    op: int
    message_type: int | None
    client_mac: str
    client_ip: str
    requested_ip: str | None
    hostname: str | None
    vendor_class: str | None


@dataclass(frozen=True, slots=True)
class DnsRecord:
    """One resource record: its type name (``PTR``, ``TXT`` ...), owner name and data
    (a PTR target, or the character-strings of a TXT record)."""

    kind: str
    name: str
    data: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mdns:
    """An mDNS message (RFC 6762): whether it is a response, and its records."""

    ether_src: str
    src: str
    dst: str
    response: bool
    records: tuple[DnsRecord, ...]


Record = Arp | Udp | Tcp | Dhcp | Mdns

MAX_PENDING_DATAGRAMS: Final = 1024
"""Fragmented IPv4 datagrams waiting for their other fragments at once; the oldest is
given up (and counted) when another one begins."""
MAX_DATAGRAM_BYTES: Final = 65_535
"""Largest reassembled IPv4 datagram (the IPv4 total length field's limit)."""


class Fragments:
    """IPv4 fragments (RFC 791 sec. 3.2) put back together, bounded.

    A WS-Discovery ProbeMatch or a UPnP NOTIFY can be longer than the link MTU, and the
    sender's IP layer then splits it; a capture holds the pieces.  ``add`` returns the
    whole payload once every byte from offset 0 to the end of the last fragment is
    there; overlapping fragments keep the bytes that came first.
    """

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str, int, int], dict[int, bytes]] = {}
        self._ends: dict[tuple[str, str, int, int], int] = {}
        self.given_up = 0

    def add(
        self, key: tuple[str, str, int, int], offset: int, more: bool, data: bytes
    ) -> bytes | None:
        """Take one fragment of the datagram ``key`` (source, destination, protocol,
        identification); the datagram's payload when it is complete, else None."""
        if offset + len(data) > MAX_DATAGRAM_BYTES:
            self._drop(key)
            self.given_up += 1
            return None
        pieces = self._pending.get(key)
        if pieces is None:
            if len(self._pending) >= MAX_PENDING_DATAGRAMS:
                self._drop(next(iter(self._pending)))
                self.given_up += 1
            pieces = self._pending[key] = {}
        pieces.setdefault(offset, data)
        if not more:
            self._ends[key] = offset + len(data)
        end = self._ends.get(key)
        if end is None:
            return None
        whole = _contiguous(pieces)
        if len(whole) < end:
            return None
        self._drop(key)
        return whole[:end]

    def _drop(self, key: tuple[str, str, int, int]) -> None:
        self._pending.pop(key, None)
        self._ends.pop(key, None)


def _unicast_ipv4(text: str) -> str | None:
    """The address when it can be a device's own (not unspecified, multicast, broadcast,
    loopback), else None."""
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return None
    if address.is_unspecified or address.is_multicast or address.is_loopback:
        return None
    if str(address) == _LIMITED_BROADCAST:
        return None
    return str(address)


def _mac(text: str) -> str | None:
    try:
        normal = normalise_mac(text)
    except MalformedReplyError:
        return None
    return normal if is_unicast_assigned(normal) else None


def _message_end(data: bytes) -> int:
    """Where the first HTTP/RTSP message of ``data`` ends: after the body its
    Content-Length announces, or a chunked body's last chunk; an RTSP message without a
    length has no body (RFC 2326 sec. 12.14), an HTTP one runs to the stream's end."""
    head = http.parse_message_head(data, "stream message")
    head_bytes = len(data) - len(head.body)
    length = head.headers.get("Content-Length")
    if length is not None and length.strip().isdigit():
        return min(len(data), head_bytes + int(length.strip()))
    if "chunked" in (head.headers.get("Transfer-Encoding") or "").lower():
        last = head.body.find(b"\n0\r\n\r\n")
        return len(data) if last < 0 else head_bytes + last + len(b"\n0\r\n\r\n")
    return head_bytes if head.start_line.startswith("RTSP/") else len(data)


def split_messages(data: bytes) -> list[bytes]:
    """The HTTP or RTSP messages one side of a connection sent, in order (at most
    ``MAX_MESSAGES_PER_STREAM``); a message cut by the end of ``data`` is kept as far
    as it goes.  MalformedReplyError when the first message has no head."""
    messages: list[bytes] = []
    rest = data
    while rest.strip() and len(messages) < MAX_MESSAGES_PER_STREAM:
        try:
            end = _message_end(rest)
        except MalformedReplyError:
            if not messages:
                raise
            break
        if end <= 0:
            break
        messages.append(rest[:end])
        rest = rest[end:].lstrip(b"\r\n")
    return messages


def _response_evidence(message: bytes, address: str) -> list[Evidence]:
    """Evidence from one server message: the HTTP banner (or the RTSP one), then the
    document in an HTTP body, by its root: an ONVIF SOAP reply, a UPnP description or
    an ISAPI document (each parser refuses what is not its own)."""
    if message.startswith(b"RTSP/"):
        return rtsp.parse_rtsp(message, address)
    head = http.parse_message_head(message)
    body = http.decode_body(head.headers, head.body).lstrip()
    document = body.encode("utf-8") if body.startswith("<") else b""
    found: list[Evidence] = []
    if b"Envelope" in document[:1024]:
        return onvif.parse_reply(document, address)  # a scan reads SOAP replies as ONVIF only
    found.extend(http.parse_http(message, address))
    for parse in (ssdp.parse_description, isapi.parse_document):
        if not document:
            break
        try:
            found.extend(parse(document, address))
            break
        except MalformedReplyError:
            continue
    return found


@dataclass(slots=True)
class _Stream:
    """One direction of one TCP connection: the server's bytes, by offset from its start."""

    start: int | None
    segments: dict[int, bytes] = field(default_factory=dict)
    held_bytes: int = 0


class CaptureDecoder:
    """Evidence from a capture's records, fed one at a time (see the module docstring).

    ``segments``: networks known to be the capture's own segment, whose senders'
    Ethernet source MACs are link-layer evidence.  ``counts`` tells what was used,
    ``skipped`` what was skipped as malformed or left out by a cap, by reason.
    """

    def __init__(self, segments: Sequence[ipaddress.IPv4Network] = ()) -> None:
        self._segments = tuple(segments)
        self._evidence: dict[str, dict[Evidence, None]] = {}
        self._arp_macs: dict[str, str] = {}
        self._ether_macs: dict[str, dict[str, bool]] = {}
        self._dhcp: dict[str, EvidenceList] = {}
        self._dhcp_binding: dict[str, str] = {}
        self._ports: dict[str, set[int]] = {}
        self._streams: dict[tuple[str, int, str, int], _Stream] = {}
        self._held_bytes = 0
        self.counts: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()

    # -- evidence bookkeeping ---------------------------------------------------------

    def _add(self, address: str, items: Iterable[Evidence]) -> None:
        kept = self._evidence.get(address)
        if kept is None:
            if len(self._evidence) >= MAX_ADDRESSES:
                self.skipped["evidence of addresses beyond MAX_ADDRESSES"] += 1
                return
            kept = self._evidence[address] = {}
        for item in items:
            if len(kept) >= MAX_EVIDENCE_PER_ADDRESS:
                self.skipped["evidence beyond MAX_EVIDENCE_PER_ADDRESS"] += 1
                return
            kept[item] = None

    def _parsed(self, address: str, parse: Parser, data: bytes) -> bool:
        """Run one parser over what ``address`` sent; True when it gave evidence.  A
        malformed reply is counted and skipped (devices are hostile input)."""
        try:
            items = parse(data, address)
        except MalformedReplyError:
            self.skipped["malformed replies"] += 1
            return False
        if not items:
            return False
        self.counts["replies used"] += 1
        self._add(address, items)
        return True

    def _saw_ether(self, ether_src: str, src: str, dst: str) -> None:
        mac = _mac(ether_src) if ether_src else None
        if mac is None:
            return
        link_local = dst == _LIMITED_BROADCAST or _in(dst, (_LINK_LOCAL,))
        on_segment = link_local or _in(src, self._segments)
        seen = self._ether_macs.setdefault(src, {})
        seen[mac] = seen.get(mac, False) or on_segment

    # -- records ----------------------------------------------------------------------

    def add(self, record: Record) -> None:
        """Take one record (packets from other addresses than devices' own are ignored)."""
        if isinstance(record, Arp):
            self._arp(record)
            return
        if isinstance(record, Dhcp):
            self._dhcp_message(record)
            return
        source = _unicast_ipv4(record.src)
        if source is None:
            self.counts["packets from no device address"] += 1
            return
        if isinstance(record, Udp):
            self._udp(source, record)
        elif isinstance(record, Mdns):
            self._mdns(source, record)
        else:
            self._tcp(source, record)

    def _arp(self, record: Arp) -> None:
        ip, mac = _unicast_ipv4(record.sender_ip), _mac(record.sender_mac)
        if ip is None or mac is None:  # an ARP probe (sender 0.0.0.0), a bogus MAC
            self.counts["ARP probes, or senders without a usable MAC"] += 1
            return
        known = self._arp_macs.setdefault(ip, mac)
        if known != mac:
            self.skipped["ARP senders claiming an address another MAC holds"] += 1
        self.counts["ARP senders"] += 1

    def _udp(self, source: str, record: Udp) -> None:
        for port, parse in _UDP_PARSERS:
            if port in (record.sport, record.dport):
                if self._parsed(source, parse, record.payload):
                    self._saw_ether(record.ether_src, source, record.dst)
                return

    def _mdns(self, source: str, record: Mdns) -> None:
        if not record.response:
            return
        txt: dict[str, tuple[str, ...]] = {}
        for item in record.records:
            if item.kind == "TXT":
                txt.setdefault(item.name.casefold(), item.data)
        found: list[Evidence] = []
        for item in record.records:
            if item.kind != "PTR" or not item.data or not _is_service_type(item.name):
                continue
            instance = item.data[0]
            properties = [_txt_pair(s) for s in txt.get(instance.casefold(), ()) if s]
            found.extend(mdns.service_evidence(item.name, instance, properties, source))
        if found:
            self.counts["replies used"] += 1
            self._add(source, found)
            self._saw_ether(record.ether_src, source, record.dst)

    def _dhcp_message(self, record: Dhcp) -> None:
        if record.op != 1 or record.message_type not in _DHCP_CLIENT_TYPES:
            return  # a server's answer (op 2) speaks about the client, not as it
        mac = _mac(record.client_mac)
        if mac is None:
            self.skipped["DHCP without a usable client MAC"] += 1
            return
        found = self._dhcp.setdefault(mac, EvidenceList(DHCP_SOURCE, ""))
        found.add("dhcp.hostname", record.hostname)
        found.add("dhcp.vendor_class", record.vendor_class)
        if record.message_type in _DHCP_BINDING_TYPES:
            address = _unicast_ipv4(record.client_ip) or _unicast_ipv4(record.requested_ip or "")
            if address is not None:
                self._dhcp_binding[mac] = address
        self.counts["DHCP client messages"] += 1

    def _tcp(self, source: str, record: Tcp) -> None:
        key = (source, record.sport, record.dst, record.dport)
        if record.syn and record.ack:  # the server side of a handshake: an open port
            self._ports.setdefault(source, set()).add(record.sport)
            self._saw_ether(record.ether_src, source, record.dst)
            if key in self._streams:
                self._close(key)  # the port pair reused for a new connection
            self._open(key, (record.seq + 1) % _SEQ_SPACE)
            return
        stream = self._streams.get(key)
        if stream is None and record.payload and not (record.syn or record.rst):
            stream = self._open(key, None)  # the capture began mid-connection
        if stream is None:
            return
        if record.payload:
            self._take(key, stream, record.seq, record.payload)
        if (record.fin or record.rst) and key in self._streams:
            self._close(key)

    # -- TCP streams ------------------------------------------------------------------

    def _open(self, key: tuple[str, int, str, int], start: int | None) -> _Stream | None:
        if len(self._streams) >= MAX_OPEN_STREAMS:
            self.skipped["TCP streams beyond MAX_OPEN_STREAMS"] += 1
            return None
        stream = self._streams[key] = _Stream(start)
        return stream

    def _take(self, key: tuple[str, int, str, int], stream: _Stream, seq: int, data: bytes) -> None:
        if stream.start is None:
            stream.start = seq
        offset = (seq - stream.start) % _SEQ_SPACE
        if offset >= _SEQ_SPACE // 2:  # before the start: keep the part after it
            cut = _SEQ_SPACE - offset
            data, offset = data[cut:], 0
        room = min(MAX_STREAM_BYTES - offset, MAX_STREAM_BYTES_TOTAL - self._held_bytes)
        if room <= 0 or not data or offset in stream.segments:
            if room <= 0 and offset < MAX_STREAM_BYTES:
                self.skipped["TCP segments beyond MAX_STREAM_BYTES_TOTAL"] += 1
            return
        kept = data[:room]
        stream.segments[offset] = kept
        stream.held_bytes += len(kept)
        self._held_bytes += len(kept)
        first = stream.segments.get(0, b"")
        foreign = len(first) >= 5 and not first.startswith((b"HTTP/", b"RTSP/"))
        if key[1] in _GREETINGS:
            foreign = stream.held_bytes >= ftp.MAX_BANNER_BYTES  # enough of a greeting
        if foreign or stream.held_bytes >= MAX_STREAM_BYTES:
            self._close(key)  # nothing a banner parser reads, or all a stream may keep

    def _close(self, key: tuple[str, int, str, int]) -> None:
        stream = self._streams.pop(key)
        self._held_bytes -= stream.held_bytes
        data = _contiguous(stream.segments)
        greeting = _GREETINGS.get(key[1])
        if greeting is not None and data and not data.startswith((b"HTTP/", b"RTSP/")):
            self.counts["TCP streams read"] += 1
            self._parsed(key[0], greeting, data)
            return
        if not data.startswith((b"HTTP/", b"RTSP/")):
            return  # a client's requests, or a protocol that is not a banner's
        self.counts["TCP streams read"] += 1
        try:
            messages = split_messages(data)
        except MalformedReplyError:
            self.skipped["malformed replies"] += 1
            return
        for message in messages:
            self._parsed(key[0], _response_evidence, message)

    # -- the result -------------------------------------------------------------------

    def evidence(self) -> list[Evidence]:
        """Every item of evidence so far, address by address (open streams are read
        first, as far as they go).  Each address that gave evidence also gets ``ip``."""
        for key in list(self._streams):
            self._close(key)
        arp_owner = {mac: ip for ip, mac in self._arp_macs.items()}
        for ip, mac in self._arp_macs.items():
            self._add(ip, [Evidence("ip", ip, "arp", ip), Evidence("mac", mac, "arp", ip)])
        for ip, macs in self._ether_macs.items():
            for mac, on_segment in macs.items():
                owner = arp_owner.get(mac)
                if on_segment and owner in (None, ip) and ip not in self._arp_macs:
                    self._add(ip, [Evidence("mac", mac, ETHER_SOURCE, ip)])
                    break
        for ip, ports in self._ports.items():
            value = ",".join(str(p) for p in sorted(ports))
            self._add(ip, [Evidence("tcp.ports", value, PORT_SOURCE, ip)])
        for mac, found in self._dhcp.items():
            bound = self._dhcp_binding.get(mac) or arp_owner.get(mac)
            if bound is None:
                self.skipped["DHCP clients without an address"] += 1
                continue
            rebound = [Evidence(e.key, e.value, e.source, bound) for e in found.items()]
            self._add(bound, [*rebound, Evidence("mac", mac, DHCP_SOURCE, bound)])
        out: list[Evidence] = []
        for address, items in self._evidence.items():
            if not any(e.key == "ip" for e in items):
                source = next(iter(items)).source if items else ETHER_SOURCE
                out.append(Evidence("ip", address, source, address))
            out.extend(items)
        return out


def _in(text: str, networks: Sequence[ipaddress.IPv4Network]) -> bool:
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return any(address in network for network in networks)


def _is_service_type(name: str) -> bool:
    """``_http._tcp.local.``: a DNS-SD service type (RFC 6763 sec. 7), not an instance."""
    labels = name.rstrip(".").split(".")
    return len(labels) >= 3 and labels[0].startswith("_") and labels[1] in ("_tcp", "_udp")


def _txt_pair(text: str) -> tuple[str, str | None]:
    """``key=value`` of a TXT character-string; a bare ``key`` has no value (RFC 6763 6.4)."""
    key, sep, value = text.partition("=")
    return key, value if sep else None


def _contiguous(segments: dict[int, bytes]) -> bytes:
    """The bytes from offset 0 up to the first gap (retransmissions and overlaps merged)."""
    out = bytearray()
    for offset in sorted(segments):
        if offset > len(out):
            break
        out += segments[offset][len(out) - offset :]
    return bytes(out)
