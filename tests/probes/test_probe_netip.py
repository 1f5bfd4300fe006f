"""Xiongmai NetIP over a replay transport: one broadcast search from port 34569."""

from __future__ import annotations

from replay import CAMERA, IFACE, OUTSIDER, capture, context, sent

from camcensus.scanner.core import netip as core
from camcensus.scanner.probes import netip
from camcensus.scanner.probes.transport import ReplayTransport


async def test_broadcast_search_and_reply() -> None:
    reply = capture("netip_reply.bin")
    transport = ReplayTransport(udp=lambda payload, dest: [(reply, CAMERA), (reply, OUTSIDER)])
    found = await netip.run(context(transport, hosts=(CAMERA, "198.18.0.13")))

    ((payload, destination),) = sent(transport, "udp")
    assert destination == (str(IFACE.broadcast), core.PORT)
    # the 20-byte search header of the NetIP wire format (research/peer-tools.md, struct
    # BBHIIHHI): head 0xff, zeros, message id 1530 little-endian, payload length 0
    assert payload == bytes([0xFF, 0]) + bytes(12) + (1530).to_bytes(2, "little") + bytes(4)
    assert transport.sockets == [(core.PORT, None)]  # replies go to port 34569
    assert {"netip.serial", "netip.mac", "mac"} <= {e.key for e in found}
    assert {e.address for e in found} == {CAMERA}


async def test_a_reply_from_our_own_address_is_our_broadcast_echo() -> None:
    transport = ReplayTransport(udp=lambda payload, dest: [(payload, str(IFACE.ip))])
    assert await netip.run(context(transport, hosts=(CAMERA, str(IFACE.ip)))) == []
