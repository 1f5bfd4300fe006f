"""The scope guard under every probe: nothing is sent to an address outside the scan."""

from __future__ import annotations

import pytest
from replay import CAMERA, IFACE, OUTSIDER, context

from camcensus.base.errors import RequestBudgetExceededError, ScopeError
from camcensus.scanner.probes import _io
from camcensus.scanner.probes.context import HostBudget
from camcensus.scanner.probes.transport import ReplayTransport


@pytest.mark.parametrize("destination", [OUTSIDER, "8.8.8.8", "255.255.255.255", "239.1.2.3"])
async def test_a_datagram_outside_the_scan_is_refused_before_anything_is_sent(
    destination: str,
) -> None:
    transport = ReplayTransport()
    with pytest.raises(ScopeError, match="refusing to send"):
        await _io.datagrams(context(transport), [(b"x", (destination, 9))], listen_s=0)
    assert transport.sent == []


async def test_hosts_groups_and_our_broadcast_are_allowed() -> None:
    transport = ReplayTransport()
    sends = [
        (b"x", (CAMERA, 9)),
        (b"x", ("239.255.255.250", 1900)),
        (b"x", (str(IFACE.broadcast), 9)),
    ]
    assert await _io.datagrams(context(transport), sends, listen_s=0) == []
    assert len(transport.sent) == 3


@pytest.mark.parametrize("address", [OUTSIDER, str(IFACE.broadcast), "239.255.255.250"])
async def test_tcp_goes_only_to_scan_hosts(address: str) -> None:
    transport = ReplayTransport(open_ports={address: frozenset({80})})
    with pytest.raises(ScopeError):
        await _io.exchange(context(transport), address, 80, [b"GET / HTTP/1.1\r\n\r\n"])
    with pytest.raises(ScopeError):
        await _io.connect(context(transport), address, 80, timeout_s=1)
    assert transport.sent == []


async def test_the_budget_is_held_before_the_transport_is_asked() -> None:
    transport = ReplayTransport(
        tcp=lambda ip, port, request: b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        open_ports={CAMERA: frozenset({80})},
    )
    ctx = context(transport, budget=HostBudget(max_connections=1, max_requests=1))
    await _io.exchange(ctx, CAMERA, 80, [b"GET / HTTP/1.1\r\n\r\n"])
    with pytest.raises(RequestBudgetExceededError):
        await _io.exchange(ctx, CAMERA, 80, [b"GET / HTTP/1.1\r\n\r\n"])
    assert len(transport.sent) == 1


async def test_replies_from_outside_or_from_ourselves_are_dropped() -> None:
    transport = ReplayTransport(
        udp=lambda payload, dest: [(b"a", CAMERA), (b"b", OUTSIDER), (b"c", str(IFACE.ip))]
    )
    replies = await _io.datagrams(context(transport), [(b"x", (CAMERA, 9))], listen_s=0)
    assert replies == [(b"a", CAMERA)]


async def test_a_flood_from_outside_cannot_push_out_the_scan_s_replies() -> None:
    flood = [(b"noise", OUTSIDER)] * 5000 + [(b"answer", CAMERA)]
    transport = ReplayTransport(udp=lambda payload, dest: flood)
    replies = await _io.datagrams(context(transport), [(b"x", (CAMERA, 9))], listen_s=0)
    assert replies == [(b"answer", CAMERA)]


@pytest.mark.parametrize("destination", ["239.255.255.250", str(IFACE.broadcast)])
async def test_without_link_local_discovery_no_multicast_or_broadcast_leaves(
    destination: str,
) -> None:
    transport = ReplayTransport()
    ctx = context(transport, link_local=False)  # e.g. targets that are not our subnet
    with pytest.raises(ScopeError):
        await _io.datagrams(ctx, [(b"x", (destination, 1900))], listen_s=0)
    assert transport.sent == []


class _FakeTime:
    """A clock and a sleep that only advance when slept: rate tests without waiting."""

    def __init__(self) -> None:
        self.now_s = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now_s

    async def sleep(self, delay_s: float) -> None:
        self.sleeps.append(delay_s)
        self.now_s += delay_s


async def test_the_packet_rate_spaces_every_send_after_a_burst() -> None:
    from camcensus.scanner.probes.context import PacketRate

    fake = _FakeTime()
    rate = PacketRate(1000.0, clock=fake.clock, sleep=fake.sleep)
    for _ in range(PacketRate.BURST_PACKETS + 100):
        await rate.take()
    # the burst goes at once; the next 100 packets take 100 intervals of 1 ms
    assert fake.now_s - 100.0 == pytest.approx(0.1, abs=1e-9)
    assert PacketRate(None).interval_s == 0.0
    with pytest.raises(ValueError, match="above 0"):
        PacketRate(0)


async def test_datagrams_connections_and_arp_all_count_against_one_rate() -> None:
    from camcensus.scanner.probes.context import PacketRate

    fake = _FakeTime()
    rate = PacketRate(10.0, clock=fake.clock, sleep=fake.sleep)
    transport = ReplayTransport(open_ports={CAMERA: frozenset({80})})
    ctx = context(transport, rate=rate)
    sends = [(b"probe", (CAMERA, 3702))] * 40
    await _io.datagrams(ctx, sends, listen_s=0)
    for _ in range(8):
        await _io.connect(ctx, CAMERA, 80, timeout_s=1)
    # 48 packets at 10 a second after a burst of 32: 1.6 s of waiting, in order
    assert fake.now_s - 100.0 == pytest.approx((48 - PacketRate.BURST_PACKETS) / 10.0)
    assert len(transport.sent) == 48
    # every ARP request, retries included, takes a packet of the same rate
    arp_ctx = context(ReplayTransport(), rate=rate)
    await _io.arp(arp_ctx, [CAMERA], wait_s=1, retries=2)
    assert fake.now_s - 100.0 == pytest.approx((48 + 3 - PacketRate.BURST_PACKETS) / 10.0)
