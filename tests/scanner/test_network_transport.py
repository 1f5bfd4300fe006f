"""The real transport's own logic on loopback (127.0.0.0/8 only): message framing,
deadlines, size caps, refused ports, and replies filtered as they arrive."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from ipaddress import IPv4Interface

import pytest

from camcensus.scanner.probes.context import Interface
from camcensus.scanner.probes.transport import NetworkTransport

LOOPBACK = Interface("lo", IPv4Interface("127.0.0.1/8"))
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], object]


@pytest.fixture
def transport() -> NetworkTransport:
    return NetworkTransport(LOOPBACK, is_root=False)


@contextlib.asynccontextmanager
async def _serve(handler: Handler) -> AsyncIterator[int]:
    """A loopback server for ``handler``; at the end every connection is closed and every
    handler finished, so no socket outlives the test."""
    tasks: set[asyncio.Task[None]] = set()

    async def run(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)  # type: ignore[arg-type]
        try:
            await handler(reader, writer)  # type: ignore[misc]
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(run, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


@pytest.fixture
async def http_server() -> AsyncIterator[int]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            if request.startswith(b"GET /chunked"):
                writer.write(
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                )
            elif request.startswith(b"OPTIONS"):
                writer.write(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: x\r\n\r\n")
            elif request.startswith(b"GET /big"):
                writer.write(b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 100_000)
                await writer.drain()
                return
            elif request.startswith(b"GET /trickle"):
                writer.write(b"HTTP/1.1 200 OK\r\nServer: slow\r\n")
                await writer.drain()
                await asyncio.sleep(30)
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    async with _serve(answer) as port:
        yield port


async def test_requests_on_one_connection_are_framed_one_reply_each(
    transport: NetworkTransport, http_server: int
) -> None:
    reply = await transport.exchange(
        "127.0.0.1",
        http_server,
        [
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET /chunked HTTP/1.1\r\n\r\n",
            b"OPTIONS * RTSP/1.0\r\n\r\n",
        ],
        tls=False,
        body_until_close=False,
        max_bytes=4096,
        deadline_s=5,
    )
    assert reply.messages == (
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: x\r\n\r\n",
    )
    assert not reply.timed_out


async def test_a_reply_is_read_up_to_its_cap(transport: NetworkTransport, http_server: int) -> None:
    reply = await transport.exchange(
        "127.0.0.1", http_server, [b"GET /big HTTP/1.1\r\n\r\n"],
        tls=False, body_until_close=True, max_bytes=1000, deadline_s=5,
    )  # fmt: skip
    assert len(reply.messages[0]) == 1000


async def test_a_trickling_server_meets_the_deadline_and_keeps_what_came(
    transport: NetworkTransport, http_server: int
) -> None:
    reply = await transport.exchange(
        "127.0.0.1", http_server, [b"GET /trickle HTTP/1.1\r\n\r\n"],
        tls=False, body_until_close=True, max_bytes=4096, deadline_s=0.3,
    )  # fmt: skip
    assert reply.timed_out
    assert reply.messages == (b"HTTP/1.1 200 OK\r\nServer: slow\r\n",)


async def test_connect_tells_open_from_refused(
    transport: NetworkTransport, http_server: int
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # bound, never listening: refused
        assert await transport.connect("127.0.0.1", http_server, timeout_s=2) == "open"
        assert await transport.connect("127.0.0.1", closed, timeout_s=2) == "refused"


async def test_datagram_replies_from_sources_not_accepted_are_dropped_as_they_arrive(
    transport: NetworkTransport,
) -> None:
    loop = asyncio.get_running_loop()
    others = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
    others[0].bind(("127.0.0.2", 0))  # a flood from an address outside the scan
    others[1].bind(("127.0.0.1", 0))  # the device

    class Server(asyncio.DatagramProtocol):
        def connection_made(self, t: asyncio.BaseTransport) -> None:
            self.transport = t

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            for _ in range(5000):
                others[0].sendto(b"noise", addr)
            others[1].sendto(b"answer", addr)

    endpoint, _protocol = await loop.create_datagram_endpoint(Server, local_addr=("127.0.0.1", 0))
    port = endpoint.get_extra_info("sockname")[1]
    try:
        replies = await transport.datagrams(
            [(b"hello", ("127.0.0.1", port))],
            listen_s=0.5,
            accept=lambda source: source == "127.0.0.1",
        )
    finally:
        endpoint.close()
        for sock in others:
            sock.close()
    assert replies == [(b"answer", "127.0.0.1")]


async def test_a_greeting_is_read_until_the_server_falls_silent(
    transport: NetworkTransport,
) -> None:
    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220-Welcome\r\n220 ready\r\n")
        await writer.drain()
        await asyncio.sleep(5)  # then waits for a command that never comes

    async with _serve(greet) as port:
        data = await transport.greeting("127.0.0.1", port, max_bytes=4096, idle_s=0.2, deadline_s=3)
    assert data == b"220-Welcome\r\n220 ready\r\n"


class _Datagrams(asyncio.DatagramProtocol):
    """A loopback UDP 'agent' that answers every datagram with ``reply(data)`` (None:
    silence) and counts what it got."""

    def __init__(self, reply: Callable[[bytes], bytes | None]) -> None:
        self.reply = reply
        self.received: list[bytes] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self.received.append(data)
        answer = self.reply(data)
        if answer is not None and self.transport is not None:
            self.transport.sendto(answer, addr)


@contextlib.asynccontextmanager
async def _agent(reply: Callable[[bytes], bytes | None]) -> AsyncIterator[tuple[int, _Datagrams]]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: _Datagrams(reply), local_addr=("127.0.0.1", 0)
    )
    try:
        yield transport.get_extra_info("sockname")[1], protocol
    finally:
        transport.close()


@pytest.mark.parametrize(
    "reply",
    [
        lambda _data: None,  # silence: a wrong community, a filter, no agent
        lambda _data: b"\x30\x82\xff\xff garbage that is no BER message",
        lambda data: data,  # an echo: a well-formed request back, never a response
    ],
    ids=["silent", "garbage", "echo"],
)
async def test_an_snmp_agent_that_never_answers_properly_ends_in_one_request_per_column(
    transport: NetworkTransport, reply: Callable[[bytes], bytes | None]
) -> None:
    from camcensus.base.errors import MalformedReplyError
    from camcensus.scanner.core.snmp_tables import SnmpCredential

    async with _agent(reply) as (port, agent):
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises((TimeoutError, MalformedReplyError)):
            await transport.snmp_walk(
                "127.0.0.1",
                SnmpCredential("2c", community="lab"),
                ["1.3.6.1.2.1.4.35.1.4"],
                timeout_s=0.3,
                max_rows=100,
                port=port,
            )
        assert loop.time() - started < 5  # a bound against hanging, not a speed goal
    assert len(agent.received) == 1  # never retried


async def test_an_snmpv3_agent_that_never_answers_gets_one_discovery_request(
    transport: NetworkTransport,
) -> None:
    from camcensus.scanner.core.snmp_tables import SnmpCredential

    v3 = SnmpCredential("3", user="ops", auth_key="a" * 12, priv_key="p" * 12)
    async with _agent(lambda _data: None) as (port, agent):
        with pytest.raises(TimeoutError):
            await transport.snmp_walk(
                "127.0.0.1", v3, ["1.3.6.1.2.1.4.35.1.4"], timeout_s=0.3, max_rows=10, port=port
            )
    assert len(agent.received) == 1
    assert b"aaaaaaaaaaaa" not in agent.received[0]
    assert b"pppp" not in agent.received[0]
