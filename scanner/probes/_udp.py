"""One UDP exchange for discovery probes: send datagrams, collect replies until a deadline.

The socket is opened on our interface address only (multicast leaves through it with
TTL 1 and no loopback), replies from addresses outside the scan's hosts are dropped,
and at most ``MAX_DATAGRAMS`` replies are kept (a flood cannot grow memory).
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable, Sequence
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.limits import MAX_UDP_REPLY_BYTES
from camcensus.scanner.probes.context import ProbeContext, pin_to_interface

__all__ = ["MAX_DATAGRAMS", "Datagram", "exchange", "parse_all"]

_IP_MULTICAST_ALL: Final = getattr(socket, "IP_MULTICAST_ALL", 49)  # linux/in.h
RECEIVE_BUFFER_BYTES: Final = 4 * 1024 * 1024
"""Socket receive buffer for discovery replies: hundreds of cameras answer one multicast
Probe within milliseconds, and the kernel default (about 208 KiB) dropped some of them
in a 250-device lab; SO_RCVBUFFORCE (root) lifts the net.core.rmem_max cap."""

MAX_DATAGRAMS: Final = 4096
"""Most replies one exchange keeps (about 8 a host on a /23)."""

Datagram = tuple[bytes, str]
"""A received payload and the address it came from."""


class _Collector(asyncio.DatagramProtocol):
    def __init__(self, ctx: ProbeContext) -> None:
        self.ctx = ctx
        self.replies: list[Datagram] = []

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        source = str(addr[0])
        if len(self.replies) >= MAX_DATAGRAMS or not self.ctx.in_scope(source):
            return
        if source == str(self.ctx.interface.ip):  # our own broadcast or multicast echo
            return
        if len(data) <= MAX_UDP_REPLY_BYTES:
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


def _socket(ctx: ProbeContext, bind_port: int, group: str | None) -> socket.socket:
    local = str(ctx.interface.ip)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        pin_to_interface(sock, ctx)
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


async def exchange(
    ctx: ProbeContext,
    sends: Sequence[tuple[bytes, tuple[str, int]]],
    *,
    listen_s: float,
    bind_port: int = 0,
    join_group: str | None = None,
) -> list[Datagram]:
    """Send every ``(payload, (address, port))`` and return replies heard for ``listen_s``.

    ``bind_port`` binds a fixed local port (for protocols whose replies go to it);
    ``join_group`` also joins that multicast group on our interface. OSError from the
    socket propagates (the runner records it as the probe's outcome).
    """
    loop = asyncio.get_running_loop()
    sock = _socket(ctx, bind_port, join_group)
    transport, collector = await loop.create_datagram_endpoint(lambda: _Collector(ctx), sock=sock)
    try:
        for payload, destination in sends:
            transport.sendto(payload, destination)
        await asyncio.sleep(listen_s)
    finally:
        transport.close()
    return list(collector.replies)


def parse_all(
    replies: Sequence[Datagram],
    parser: Callable[[bytes, str], list[Evidence]],
) -> list[Evidence]:
    """Run ``parser`` over every reply; a malformed reply is skipped (devices are hostile)."""
    found: list[Evidence] = []
    for data, source in replies:
        try:
            found.extend(parser(data, source))
        except MalformedReplyError:
            continue
    return found
