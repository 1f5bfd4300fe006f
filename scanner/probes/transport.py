"""The network under the probes: one ``Transport`` protocol, the real one and a replay.

Probes never open a socket themselves: every packet they send and every reply they read
goes through ``ctx.transport`` (the way httpx's client goes through its transport).
``NetworkTransport`` is the real network, pinned to the scan's interface;
``ReplayTransport`` serves recorded replies from memory, so every probe can be tested
without root, a namespace or a network, and records what the probe asked to send.

The scope and budget rules do not live here: ``scanner.probes._io`` checks every
destination against the scan's hosts and holds the host's request budget before it calls
the transport, whichever transport it is.

Operations (each a coroutine):

* ``datagrams``: send UDP datagrams (multicast, broadcast or unicast) and collect replies
  for a while;
* ``exchange``: one TCP (or TLS) connection, requests sent one after another, each reply
  read as one HTTP/RTSP message;
* ``greeting``: what a TCP server says on connect before anything is sent;
* ``connect``: does a TCP port accept, refuse, or stay silent;
* ``arp``: who answers ARP for these addresses, with which MAC (raw frames on a socket
  that receives ARP replies only, root only), asking non-responders again;
* ``nmap``: open TCP ports of many hosts in one nmap run;
* ``mdns``: browse DNS-SD service types and resolve the instances found;
* ``snmp_walk``: read table columns of an SNMP agent (a router's ARP cache, a switch's
  forwarding table) with GETBULK, SNMPv2c or SNMPv3 authPriv (pysnmp; see the README
  for why that library).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import re
import shutil
import socket
import ssl
import struct
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from camcensus.base.errors import CamcensusError, CredentialsError, MalformedReplyError
from camcensus.scanner.core import arp
from camcensus.scanner.core.limits import (
    MAX_HTTP_BODY_BYTES,
    MAX_HTTP_HEAD_BYTES,
    MAX_UDP_REPLY_BYTES,
)

if TYPE_CHECKING:
    from zeroconf import Zeroconf
    from zeroconf.asyncio import AsyncServiceInfo

    from camcensus.scanner.core.snmp_tables import SnmpCredential, Varbind
    from camcensus.scanner.probes.context import Interface

__all__ = [
    "MAX_DATAGRAMS",
    "MAX_DATAGRAMS_PER_SOURCE",
    "MAX_REPLY_BYTES",
    "RECEIVE_BUFFER_BYTES",
    "Connect",
    "Datagram",
    "MdnsService",
    "NetworkTransport",
    "ReplayTransport",
    "Reply",
    "Send",
    "Transport",
    "message_complete",
]

Datagram = tuple[bytes, str]
"""A received payload and the address it came from."""
Send = tuple[bytes, tuple[str, int]]
"""A payload and where it goes."""
Connect = Literal["open", "refused", "silent"]
"""What a TCP connection attempt found: accepted, refused (RST: the host is alive), nothing."""

MAX_DATAGRAMS: Final = 4096
"""Most replies one datagram exchange keeps (about 8 a host on a /23)."""
MAX_DATAGRAMS_PER_SOURCE: Final = 64
"""Most replies one datagram exchange keeps from one address: a device answers a
discovery search with a few (SSDP: one a service type), so one flooding device cannot
fill ``MAX_DATAGRAMS`` and push out the others' replies."""
RECEIVE_BUFFER_BYTES: Final = 4 * 1024 * 1024
"""Socket receive buffer for discovery replies: hundreds of cameras answer one multicast
Probe within milliseconds, and the kernel default (about 208 KiB) dropped some of them
in a 250-device lab; SO_RCVBUFFORCE (root) lifts the net.core.rmem_max cap."""
MAX_REPLY_BYTES: Final = MAX_HTTP_HEAD_BYTES + MAX_HTTP_BODY_BYTES

NEIGHBOUR_TABLE: Final = "/proc/net/arp"
"""The kernel's IPv4 ARP cache of the scan's network namespace, as text."""
MAX_NEIGHBOUR_TABLE_CHARS: Final = 4 * 1024 * 1024
"""About 40,000 entries: more than any kernel keeps by default (gc_thresh3 1024)."""
_IP_MULTICAST_ALL: Final = getattr(socket, "IP_MULTICAST_ALL", 49)  # linux/in.h
_READ_BYTES: Final = 16 * 1024
_HEAD_END: Final = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH: Final = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?$")
_CHUNKED: Final = re.compile(rb"(?im)^transfer-encoding[ \t]*:.*chunked")
_ALIVE_ERRNOS: Final = frozenset({errno.ECONNREFUSED, errno.ECONNRESET})


@dataclass(frozen=True, slots=True)
class Reply:
    """The bytes of each response (in request order) and the peer certificate (TLS only)."""

    messages: tuple[bytes, ...]
    certificate_der: bytes | None = None
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class MdnsService:
    """One resolved DNS-SD instance: its type, full name, addresses and TXT record."""

    service_type: str
    name: str
    addresses: tuple[str, ...]
    properties: tuple[tuple[str, str | None], ...] = ()


class Transport(Protocol):
    """What a probe may do on the network (see the module docstring)."""

    async def datagrams(
        self,
        sends: Sequence[Send],
        *,
        listen_s: float,
        accept: Callable[[str], bool],
        bind_port: int = 0,
        join_group: str | None = None,
        pace: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[Datagram]:
        """Send every datagram (awaiting ``pace(1)`` before each: the scan's packet
        rate), then return the replies heard for ``listen_s`` from
        sources ``accept`` admits (at most ``MAX_DATAGRAMS`` of them and
        ``MAX_DATAGRAMS_PER_SOURCE`` from one address, each at most
        ``MAX_UDP_REPLY_BYTES``; the rest are dropped as they arrive, so a flood from
        elsewhere, or from one device, cannot push out the replies that count)."""
        ...

    async def exchange(
        self,
        ip: str,
        port: int,
        requests: Sequence[bytes],
        *,
        tls: bool,
        body_until_close: bool,
        max_bytes: int,
        deadline_s: float,
    ) -> Reply:
        """Send ``requests`` one after another on one connection and read each reply.

        OSError when the connection fails; a deadline hit returns the partial replies
        (``timed_out``)."""
        ...

    async def greeting(
        self, ip: str, port: int, *, max_bytes: int, idle_s: float, deadline_s: float
    ) -> bytes:
        """What a server says on connect before anything is sent (an FTP greeting, a
        telnet banner): read until ``idle_s`` of silence, ``max_bytes`` or the deadline.
        OSError when the connection fails."""
        ...

    async def connect(self, ip: str, port: int, *, timeout_s: float) -> Connect:
        """Whether ``ip:port`` accepts a TCP connection (closed again at once)."""
        ...

    async def arp(
        self,
        hosts: Sequence[str],
        *,
        wait_s: float,
        retries: int = 0,
        retry_wait_s: float = 0.0,
        pace: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[tuple[str, str]]:
        """``(address, MAC)`` of every host that answers an ARP request, at most one
        a host (the first answer).  One request a host (awaiting ``pace(1)`` before
        each), replies heard for ``wait_s``; then up to ``retries`` more rounds, each
        asking only the hosts that have not answered yet and listening
        ``retry_wait_s``.  Only ARP replies reach the listening socket (a kernel
        filter), so a flood of other frames on the link cannot crowd them out."""
        ...

    def neighbours(self) -> list[tuple[str, str]]:
        """``(address, MAC)`` the kernel's ARP cache holds for the scan's interface
        (read, never sent: no root needed)."""
        ...

    def has_nmap(self) -> bool:
        """Whether ``nmap`` can run here at all."""
        ...

    async def nmap(
        self, hosts: Sequence[str], ports: Sequence[int], *, arguments: str, timeout_s: int
    ) -> dict[str, set[int]]:
        """Open ports per host that answered (a SYN-ACK or a RST on any port; a host
        that answered nothing is not a key) from one nmap run; CamcensusError when nmap
        fails."""
        ...

    async def mdns(
        self,
        service_types: Sequence[str],
        *,
        browse_s: float,
        resolve_ms: int,
        max_instances: int,
    ) -> list[MdnsService]:
        """Every instance of ``service_types`` that answered, resolved."""
        ...

    async def snmp_walk(
        self,
        agent: str,
        credential: SnmpCredential,
        columns: Sequence[str],
        *,
        timeout_s: float,
        max_rows: int,
        port: int = 161,
    ) -> list[Varbind]:
        """Every row under each of ``columns`` (dotted OIDs), at most ``max_rows`` a
        column, one request at a time and never retried.  TimeoutError when the agent
        does not answer (an SNMPv2c agent stays silent on a wrong community),
        CredentialsError when it rejects an SNMPv3 user or key, MalformedReplyError
        when its replies do not decode."""
        ...


def message_complete(data: bytes, *, body_until_close: bool) -> bool:
    """True when ``data`` holds a whole HTTP/RTSP message (head plus announced body).

    Without Content-Length or chunking the body runs to the connection's end when
    ``body_until_close`` (HTTP with Connection: close), else there is no body (RTSP).
    """
    end = _HEAD_END.search(data)
    if end is None:
        return False
    head = data[: end.start()]
    length = _CONTENT_LENGTH.search(head)
    if length is not None:
        return len(data) - end.end() >= int(length.group(1))
    if _CHUNKED.search(head):
        return data.endswith(b"0\r\n\r\n")
    return not body_until_close


# -- the real network -----------------------------------------------------------------


def _capped(replies: Iterable[Datagram], accept: Callable[[str], bool]) -> list[Datagram]:
    """The replies an exchange keeps, in arrival order: accepted sources only, each
    at most ``MAX_UDP_REPLY_BYTES``, ``MAX_DATAGRAMS_PER_SOURCE`` an address and
    ``MAX_DATAGRAMS`` in all."""
    collector = _Collector(accept)
    for data, source in replies:
        collector.datagram_received(data, (source, 0))
    return collector.replies


class _Collector(asyncio.DatagramProtocol):
    def __init__(self, accept: Callable[[str], bool]) -> None:
        self.accept = accept
        self.replies: list[Datagram] = []
        self.per_source: dict[str, int] = {}

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        source = str(addr[0])
        if len(self.replies) >= MAX_DATAGRAMS or len(data) > MAX_UDP_REPLY_BYTES:
            return
        heard = self.per_source.get(source, 0)
        if heard >= MAX_DATAGRAMS_PER_SOURCE or not self.accept(source):
            return
        self.per_source[source] = heard + 1
        self.replies.append((data, source))

    def error_received(self, exc: Exception) -> None:  # ICMP errors: nothing to learn
        return


def _grow_receive_buffer(sock: socket.socket) -> None:
    force = getattr(socket, "SO_RCVBUFFORCE", None)
    if force is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, force, RECEIVE_BUFFER_BYTES)
            return
        except PermissionError:  # not root: the capped request below still helps
            pass
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)


_SO_ATTACH_FILTER: Final = getattr(socket, "SO_ATTACH_FILTER", 26)  # asm-generic/socket.h


def _arp_socket(interface: str) -> socket.socket:
    """A raw socket on ``interface`` that receives ARP replies only: the kernel filter
    (``core.arp.REPLY_FILTER``) is attached before the socket is bound to ARP frames,
    so nothing else is ever queued on it."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)  # receives nothing yet
    try:
        program = b"".join(struct.pack("HBBI", *line) for line in arp.REPLY_FILTER)
        buffer = ctypes.create_string_buffer(program)
        fprog = struct.pack("HL", len(arp.REPLY_FILTER), ctypes.addressof(buffer))
        sock.setsockopt(socket.SOL_SOCKET, _SO_ATTACH_FILTER, fprog)
        _grow_receive_buffer(sock)
        sock.bind((interface, arp.ETH_P_ARP))
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _tls_context() -> ssl.SSLContext:
    # Device certificates are self-signed: we read them, we do not trust them.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


async def _read_message(
    reader: asyncio.StreamReader, buffer: bytearray, max_bytes: int, body_until_close: bool
) -> None:
    while len(buffer) < max_bytes and not message_complete(
        bytes(buffer), body_until_close=body_until_close
    ):
        chunk = await reader.read(min(_READ_BYTES, max_bytes - len(buffer)))
        if not chunk:
            return
        buffer += chunk


class NetworkTransport:
    """The real network, every socket pinned to the scan's interface.

    As root, SO_BINDTODEVICE makes the kernel send only through ``interface`` (a VPN's
    more specific route or policy routing cannot take a probe elsewhere); without root
    every socket is at least bound to the interface's address.  Multicast leaves through
    the interface with TTL 1 and no loopback, and a socket hears only the groups it joined.
    """

    def __init__(self, interface: Interface, *, is_root: bool) -> None:
        self.interface = interface
        self.is_root = is_root

    def _pin(self, sock: socket.socket) -> None:
        if self.is_root and hasattr(socket, "SO_BINDTODEVICE"):
            name = self.interface.name.encode() + b"\0"
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, name)

    def _udp_socket(self, bind_port: int, group: str | None) -> socket.socket:
        local = str(self.interface.ip)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            self._pin(sock)
            # Only multicast joined on this socket, not groups other sockets joined elsewhere.
            sock.setsockopt(socket.IPPROTO_IP, _IP_MULTICAST_ALL, 0)
            _grow_receive_buffer(sock)
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
            if group is not None:
                # Replies sent to a group are only heard on a socket bound to the wildcard
                # address; membership is taken on our interface alone.
                sock.bind(("0.0.0.0", bind_port))  # noqa: S104
                mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(local))
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
            elif bind_port:
                sock.bind(("0.0.0.0", bind_port))  # noqa: S104 (broadcast replies)
            else:
                sock.bind((local, 0))
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        return sock

    async def datagrams(
        self,
        sends: Sequence[Send],
        *,
        listen_s: float,
        accept: Callable[[str], bool],
        bind_port: int = 0,
        join_group: str | None = None,
        pace: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[Datagram]:
        loop = asyncio.get_running_loop()
        sock = self._udp_socket(bind_port, join_group)
        transport, collector = await loop.create_datagram_endpoint(
            lambda: _Collector(accept), sock=sock
        )
        try:
            for payload, destination in sends:
                if pace is not None:
                    await pace(1)
                transport.sendto(payload, destination)
            await asyncio.sleep(listen_s)
        finally:
            transport.close()
        return list(collector.replies)

    async def _open(
        self, ip: str, port: int, *, tls: ssl.SSLContext | None = None, limit: int = 2**16
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._pin(sock)
            sock.bind((str(self.interface.ip), 0))
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (ip, port))
        except BaseException:
            sock.close()
            raise
        return await asyncio.open_connection(
            sock=sock, ssl=tls, server_hostname="" if tls is not None else None, limit=limit
        )

    async def exchange(
        self,
        ip: str,
        port: int,
        requests: Sequence[bytes],
        *,
        tls: bool,
        body_until_close: bool,
        max_bytes: int,
        deadline_s: float,
    ) -> Reply:
        messages: list[bytes] = []
        certificate: bytes | None = None
        buffer = bytearray()
        timed_out = False
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(deadline_s):
                context = _tls_context() if tls else None
                reader, writer = await self._open(ip, port, tls=context, limit=_READ_BYTES)
                if tls:
                    ssl_object = writer.get_extra_info("ssl_object")
                    if isinstance(ssl_object, ssl.SSLObject):
                        certificate = ssl_object.getpeercert(binary_form=True)
                for request in requests:
                    writer.write(request)
                    await writer.drain()
                    await _read_message(reader, buffer, max_bytes, body_until_close)
                    messages.append(bytes(buffer))
                    buffer.clear()
        except TimeoutError:
            timed_out = True
            if buffer:
                messages.append(bytes(buffer))
        finally:
            if writer is not None:
                writer.transport.abort()
        return Reply(tuple(messages), certificate, timed_out)

    async def greeting(
        self, ip: str, port: int, *, max_bytes: int, idle_s: float, deadline_s: float
    ) -> bytes:
        buffer = bytearray()
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(deadline_s):
                reader, writer = await self._open(ip, port, limit=_READ_BYTES)
                while len(buffer) < max_bytes:
                    try:
                        async with asyncio.timeout(idle_s):
                            chunk = await reader.read(min(_READ_BYTES, max_bytes - len(buffer)))
                    except TimeoutError:
                        break  # the server has said what it says unprompted
                    if not chunk:
                        break
                    buffer += chunk
        except TimeoutError:
            pass  # the deadline: what arrived so far is the greeting
        finally:
            if writer is not None:
                writer.transport.abort()
        return bytes(buffer)

    async def connect(self, ip: str, port: int, *, timeout_s: float) -> Connect:
        try:
            async with asyncio.timeout(timeout_s):
                _reader, writer = await self._open(ip, port)
        except TimeoutError:
            return "silent"
        except OSError as exc:
            return "refused" if exc.errno in _ALIVE_ERRNOS else "silent"
        writer.transport.abort()
        return "open"

    async def arp(
        self,
        hosts: Sequence[str],
        *,
        wait_s: float,
        retries: int = 0,
        retry_wait_s: float = 0.0,
        pace: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[tuple[str, str]]:
        loop = asyncio.get_running_loop()
        wanted = set(hosts)
        found: dict[str, str] = {}
        all_answered = asyncio.Event()
        sock = _arp_socket(self.interface.name)
        our_mac: bytes = sock.getsockname()[4]
        ours = str(self.interface.ip)

        def drain() -> None:
            while True:
                try:
                    frame = sock.recv(arp.FRAME_BYTES + 64)
                except OSError:  # drained (BlockingIOError), or the socket is gone
                    return
                pair = arp.parse_reply(frame)
                if pair is not None and pair[0] in wanted and pair[0] not in found:
                    found[pair[0]] = pair[1]
                    if len(found) == len(wanted):
                        all_answered.set()

        loop.add_reader(sock.fileno(), drain)
        try:
            pending = list(dict.fromkeys(hosts))
            for round_ in range(1 + max(0, retries)):
                for host in pending:
                    if host in found:
                        continue
                    if pace is not None:
                        await pace(1)
                    await loop.sock_sendall(sock, arp.build_request(our_mac, ours, host))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        all_answered.wait(), wait_s if round_ == 0 else retry_wait_s
                    )
                pending = [h for h in pending if h not in found]
                if not pending:
                    break
        finally:
            loop.remove_reader(sock.fileno())
            sock.close()
        return [(host, found[host]) for host in dict.fromkeys(hosts) if host in found]

    def neighbours(self) -> list[tuple[str, str]]:
        try:
            text = Path(NEIGHBOUR_TABLE).read_text(encoding="ascii", errors="replace")
        except OSError:
            return []
        return arp.parse_neighbour_table(text[:MAX_NEIGHBOUR_TABLE_CHARS], self.interface.name)

    def has_nmap(self) -> bool:
        return shutil.which("nmap") is not None

    async def nmap(
        self, hosts: Sequence[str], ports: Sequence[int], *, arguments: str, timeout_s: int
    ) -> dict[str, set[int]]:
        return await asyncio.to_thread(self._nmap, list(hosts), list(ports), arguments, timeout_s)

    @staticmethod
    def _nmap(
        hosts: list[str], ports: list[int], arguments: str, timeout_s: int
    ) -> dict[str, set[int]]:
        import nmap

        try:
            scanner = nmap.PortScanner()
            result: dict[str, Any] = scanner.scan(
                hosts=" ".join(hosts),
                ports=",".join(str(p) for p in ports),
                arguments=arguments,
                timeout=timeout_s,
            )
        except nmap.PortScannerTimeout as exc:  # a PortScannerError: test it first
            raise CamcensusError(f"nmap port sweep killed after {timeout_s} s") from exc
        except nmap.PortScannerError as exc:
            raise CamcensusError(f"nmap port sweep failed: {str(exc).strip()[:200]}") from exc
        found: dict[str, set[int]] = {}
        for ip, data in result.get("scan", {}).items():
            tcp = data.get("tcp", {}) if isinstance(data, dict) else {}
            states = {int(p): str(info.get("state")) for p, info in tcp.items()}
            if "open" in states.values() or "closed" in states.values():
                found[str(ip)] = {p for p, state in states.items() if state == "open"}
        return found

    async def mdns(
        self,
        service_types: Sequence[str],
        *,
        browse_s: float,
        resolve_ms: int,
        max_instances: int,
    ) -> list[MdnsService]:
        from zeroconf import Error as ZeroconfError
        from zeroconf import IPVersion, ServiceStateChange
        from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

        seen: dict[tuple[str, str], None] = {}

        def on_change(
            zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
        ) -> None:
            if state_change is not ServiceStateChange.Removed and len(seen) < max_instances:
                seen[(service_type, name)] = None

        aiozc = AsyncZeroconf(interfaces=[str(self.interface.ip)], ip_version=IPVersion.V4Only)
        try:
            browser = AsyncServiceBrowser(aiozc.zeroconf, list(service_types), handlers=[on_change])
            try:
                await asyncio.sleep(browse_s)
            finally:
                await browser.async_cancel()
            infos: list[AsyncServiceInfo] = []
            for service_type, name in seen:
                try:
                    infos.append(AsyncServiceInfo(service_type, name))
                except ZeroconfError:  # a hostile instance name (control characters ...)
                    continue
            await asyncio.gather(*(_resolve(i, aiozc.zeroconf, resolve_ms) for i in infos))
            return [_mdns_service(info) for info in infos]
        finally:
            await aiozc.async_close()

    async def snmp_walk(
        self,
        agent: str,
        credential: SnmpCredential,
        columns: Sequence[str],
        *,
        timeout_s: float,
        max_rows: int,
        port: int = 161,
    ) -> list[Varbind]:
        return await _snmp_walk(
            agent, port, credential, columns, str(self.interface.ip), timeout_s, max_rows
        )


_SNMP_REPETITIONS: Final = 25
"""Rows asked for in one GETBULK (net-snmp's snmpbulkwalk asks 10): 25 ARP rows are
about 1 KB, one unfragmented datagram."""
_SNMP_CREDENTIAL_ERRORS: Final = (
    "UnknownUserName",
    "WrongDigest",
    "DecryptionError",
    "AuthenticationFailure",
    "AuthenticationError",
    "UnknownSecurityName",
    "UnsupportedSecurityLevel",
    "UnknownCommunityName",
)


def _snmp_auth(hlapi: Any, credential: SnmpCredential) -> Any:
    if credential.version == "2c":
        return hlapi.CommunityData(credential.community, mpModel=1)
    auth = {
        "MD5": hlapi.USM_AUTH_HMAC96_MD5,
        "SHA": hlapi.USM_AUTH_HMAC96_SHA,
        "SHA224": hlapi.USM_AUTH_HMAC128_SHA224,
        "SHA256": hlapi.USM_AUTH_HMAC192_SHA256,
        "SHA384": hlapi.USM_AUTH_HMAC256_SHA384,
        "SHA512": hlapi.USM_AUTH_HMAC384_SHA512,
    }[credential.auth_protocol]
    priv = {"DES": hlapi.USM_PRIV_CBC56_DES, "AES": hlapi.USM_PRIV_CFB128_AES}[
        credential.priv_protocol
    ]
    return hlapi.UsmUserData(
        credential.user,
        authKey=credential.auth_key,
        privKey=credential.priv_key,
        authProtocol=auth,
        privProtocol=priv,
    )


def _snmp_value(value: Any) -> bytes | int | str:
    from pyasn1.type import univ

    if isinstance(value, univ.OctetString):
        octets: bytes = value.asOctets()
        return octets
    if isinstance(value, univ.Integer):
        return int(value)
    return str(value)


def _snmp_failure(agent: str, indication: object) -> Exception:
    name = type(indication).__name__
    if name == "RequestTimedOut":
        return TimeoutError(f"SNMP agent {agent} did not answer")
    if name in _SNMP_CREDENTIAL_ERRORS:
        return CredentialsError(f"SNMP agent {agent} rejected the credentials ({indication})")
    return MalformedReplyError(f"SNMP agent {agent}: {str(indication)[:200]}")


async def _snmp_walk(
    agent: str,
    port: int,
    credential: SnmpCredential,
    columns: Sequence[str],
    local_ip: str,
    timeout_s: float,
    max_rows: int,
) -> list[Varbind]:
    # imported here: only a scan given SNMP credentials pays for pysnmp's import
    from pysnmp.hlapi.v3arch import asyncio as hlapi
    from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

    engine = hlapi.SnmpEngine()
    rows: list[Varbind] = []
    try:
        # retries=0: one request at a time and none sent twice (the credential rule)
        target = await hlapi.UdpTransportTarget.create((agent, port), timeout=timeout_s, retries=0)
        target.set_local_address((local_ip, 0))
        auth = _snmp_auth(hlapi, credential)
        for column in columns:
            count = 0
            walk = hlapi.bulk_walk_cmd(
                engine,
                auth,
                target,
                hlapi.ContextData(),
                0,
                _SNMP_REPETITIONS,
                hlapi.ObjectType(hlapi.ObjectIdentity(column)),
                lexicographicMode=False,
                lookupMib=False,
            )
            async for indication, status, _index, var_binds in walk:
                if indication:
                    raise _snmp_failure(agent, indication)
                if status:  # e.g. noSuchName from an SNMPv1-minded agent: column absent
                    break
                for name, value in var_binds:
                    if isinstance(value, (EndOfMibView, NoSuchObject, NoSuchInstance)):
                        continue
                    rows.append((str(name), _snmp_value(value)))
                    count += 1
                if count >= max_rows:
                    break
            await walk.aclose()
    except (CamcensusError, TimeoutError):
        raise
    except Exception as exc:  # pysnmp's own errors (PySnmpError and kin): translate once
        if type(exc).__module__.startswith(("pysnmp", "pyasn1")):
            raise MalformedReplyError(f"SNMP agent {agent}: {str(exc)[:200]}") from exc
        raise
    finally:
        engine.close_dispatcher()
    return rows


async def _resolve(info: AsyncServiceInfo, zeroconf: Zeroconf, resolve_ms: int) -> None:
    from zeroconf import Error as ZeroconfError

    with contextlib.suppress(ZeroconfError):
        await info.async_request(zeroconf, resolve_ms)


def _decode(raw: bytes | None) -> str:
    return "" if raw is None else raw.decode("utf-8", errors="replace")


def _mdns_service(info: AsyncServiceInfo) -> MdnsService:
    properties = tuple(
        (_decode(key), None if value is None else _decode(value))
        for key, value in (info.properties or {}).items()
    )
    return MdnsService(info.type, info.name, tuple(info.parsed_addresses()), properties)


# -- recorded replies -----------------------------------------------------------------

UdpHandler = Callable[[bytes, tuple[str, int]], Iterable[Datagram]]
"""Replies to one sent datagram: ``(payload, destination) -> [(reply, source), ...]``."""
TcpHandler = Callable[[str, int, bytes], bytes | None]
"""The reply to one request on a connection to ``ip:port`` (None: the server hangs up)."""


def _no_datagrams(payload: bytes, destination: tuple[str, int]) -> Iterable[Datagram]:
    return ()


def _no_reply(ip: str, port: int, request: bytes) -> bytes | None:
    return None


@dataclass
class ReplayTransport:
    """Recorded replies from memory, for tests (see the module docstring).

    ``udp`` and ``tcp`` answer what the probe sends; ``open_ports`` says which TCP ports
    accept (a host listed there refuses its other ports; any other host is silent, so a
    connection to it times out);
    ``certificates`` are the DER certificates TLS ports present; ``greetings`` what
    servers say on connect (FTP, telnet); ``neighbour_table`` is the kernel's ARP cache
    (an entry shows only for a host listed in ``open_ports``: the kernel learns a MAC
    when a connection is tried); ``arp_table`` maps the
    addresses that answer ARP to their MACs (``arp_ignored``: how many requests a host
    lets pass before it answers, as a host busy under a flood does); ``nmap_installed``
    false is a machine without nmap, and ``nmap_error`` makes the nmap run fail the way
    a broken one does;
    ``mdns_services`` answer browsing; ``snmp(agent, credential, column)`` answers an
    SNMP walk of one column (None: no agent answers; it may raise what the real one
    would).  ``sent`` lists every datagram, TCP request,
    connection attempt and ARP target the probe asked for, in order (a request to a
    refused port is not sent, so not listed); ``sockets`` the ``(bind_port,
    join_group)`` of every datagram exchange.
    """

    udp: UdpHandler = _no_datagrams
    tcp: TcpHandler = _no_reply
    open_ports: Mapping[str, frozenset[int]] = field(default_factory=dict)
    certificates: Mapping[tuple[str, int], bytes] = field(default_factory=dict)
    greetings: Mapping[tuple[str, int], bytes] = field(default_factory=dict)
    arp_table: Mapping[str, str] = field(default_factory=dict)
    arp_ignored: Mapping[str, int] = field(default_factory=dict)
    neighbour_table: Mapping[str, str] = field(default_factory=dict)
    nmap_installed: bool = True
    nmap_error: str | None = None
    mdns_services: Sequence[MdnsService] = ()
    snmp: Callable[[str, SnmpCredential, str], Sequence[Varbind]] | None = None
    sent: list[tuple[str, object]] = field(default_factory=list)
    sockets: list[tuple[int, str | None]] = field(default_factory=list)

    async def datagrams(
        self,
        sends: Sequence[Send],
        *,
        listen_s: float,
        accept: Callable[[str], bool],
        bind_port: int = 0,
        join_group: str | None = None,
        pace: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[Datagram]:
        self.sockets.append((bind_port, join_group))
        replies: list[Datagram] = []
        for payload, destination in sends:
            if pace is not None:
                await pace(1)
            self.sent.append(("udp", (payload, destination)))
            replies.extend(self.udp(payload, destination))
        return _capped(replies, accept)

    async def exchange(
        self,
        ip: str,
        port: int,
        requests: Sequence[bytes],
        *,
        tls: bool,
        body_until_close: bool,
        max_bytes: int,
        deadline_s: float,
    ) -> Reply:
        if ip not in self.open_ports:
            return Reply((), timed_out=True)
        if port not in self.open_ports[ip]:
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"{ip}:{port} refused")
        messages: list[bytes] = []
        for request in requests:
            self.sent.append(("tcp", (ip, port, request)))
            reply = self.tcp(ip, port, request)
            if reply is None:
                break
            messages.append(reply[:max_bytes])
        certificate = self.certificates.get((ip, port)) if tls else None
        return Reply(tuple(messages), certificate)

    async def greeting(
        self, ip: str, port: int, *, max_bytes: int, idle_s: float, deadline_s: float
    ) -> bytes:
        if ip not in self.open_ports:
            return b""
        if port not in self.open_ports[ip]:
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"{ip}:{port} refused")
        self.sent.append(("greeting", (ip, port)))
        return self.greetings.get((ip, port), b"")[:max_bytes]

    async def connect(self, ip: str, port: int, *, timeout_s: float) -> Connect:
        self.sent.append(("connect", (ip, port)))
        if ip not in self.open_ports:
            return "silent"
        return "open" if port in self.open_ports[ip] else "refused"

    async def arp(
        self,
        hosts: Sequence[str],
        *,
        wait_s: float,
        retries: int = 0,
        retry_wait_s: float = 0.0,
        pace: Callable[[int], Awaitable[None]] | None = None,
    ) -> list[tuple[str, str]]:
        found: dict[str, str] = {}
        asked: dict[str, int] = {}
        pending = list(dict.fromkeys(hosts))
        for _round in range(1 + max(0, retries)):
            for host in pending:
                if pace is not None:
                    await pace(1)
                self.sent.append(("arp", host))
                asked[host] = asked.get(host, 0) + 1
                if host in self.arp_table and asked[host] > self.arp_ignored.get(host, 0):
                    found[host] = self.arp_table[host]
            pending = [h for h in pending if h not in found]
            if not pending:
                break
        return [(host, found[host]) for host in dict.fromkeys(hosts) if host in found]

    def neighbours(self) -> list[tuple[str, str]]:
        return [(ip, mac) for ip, mac in self.neighbour_table.items() if ip in self.open_ports]

    def has_nmap(self) -> bool:
        return self.nmap_installed

    async def nmap(
        self, hosts: Sequence[str], ports: Sequence[int], *, arguments: str, timeout_s: int
    ) -> dict[str, set[int]]:
        self.sent.append(("nmap", (tuple(hosts), tuple(ports), arguments)))
        if self.nmap_error is not None:
            raise CamcensusError(self.nmap_error)
        return {h: set(self.open_ports[h]) & set(ports) for h in hosts if h in self.open_ports}

    async def mdns(
        self,
        service_types: Sequence[str],
        *,
        browse_s: float,
        resolve_ms: int,
        max_instances: int,
    ) -> list[MdnsService]:
        self.sent.append(("mdns", tuple(service_types)))
        wanted = set(service_types)
        return [s for s in self.mdns_services if s.service_type in wanted][:max_instances]

    async def snmp_walk(
        self,
        agent: str,
        credential: SnmpCredential,
        columns: Sequence[str],
        *,
        timeout_s: float,
        max_rows: int,
        port: int = 161,
    ) -> list[Varbind]:
        rows: list[Varbind] = []
        for column in columns:
            self.sent.append(("snmp", (agent, column)))
            if self.snmp is None:
                raise TimeoutError(f"SNMP agent {agent} did not answer")
            rows.extend(list(self.snmp(agent, credential, column))[:max_rows])
        return rows
