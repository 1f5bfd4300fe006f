"""Unicast discovery of routed hosts over a replay transport: a WS-Discovery Probe, a DHIP
search and a unicast M-SEARCH to each address, and nothing to a group or a broadcast."""

from __future__ import annotations

import re

from replay import CAMERA, OTHER, OUTSIDER, capture, context, sent

from camcensus.scanner.core import dhip, ssdp, wsd
from camcensus.scanner.probes import unicast
from camcensus.scanner.probes.transport import ReplayTransport

ROUTED = ("198.18.16.10", "198.18.16.11", "198.18.16.12")


def _answers(payload: bytes, destination: tuple[str, int]) -> list[tuple[bytes, str]]:
    ip, port = destination
    if port == wsd.PORT and ip == ROUTED[0]:
        probe_id = re.search(rb"<[\w:]*MessageID>([^<]+)<", payload)
        assert probe_id is not None
        match = re.sub(
            rb"(<[\w:]*RelatesTo>)[^<]*(<)",
            lambda m: m.group(1) + probe_id.group(1) + m.group(2),
            capture("wsd_probematches.xml"),
        )
        return [(match, ip), (match, OUTSIDER)]
    if port == dhip.PORT and ip == ROUTED[1]:
        return [(capture("dhip_notifydevinfo.bin"), ip)]
    if port == ssdp.PORT and ip == ROUTED[2]:
        return [(capture("ssdp_response.txt"), ip)]
    return []


async def test_each_routed_address_gets_three_unicast_searches_and_answers_are_read() -> None:
    transport = ReplayTransport(udp=_answers)
    ctx = context(transport, hosts=ROUTED, link_local=False)
    found = await unicast.run(ctx)

    datagrams = sent(transport, "udp")
    destinations = sorted(dest for _payload, dest in datagrams)
    assert destinations == sorted(
        (ip, port) for ip in ROUTED for port in (wsd.PORT, dhip.PORT, ssdp.PORT)
    )
    msearches = [p for p, (ip, port) in datagrams if port == ssdp.PORT]
    assert all(b"MX:" not in p for p in msearches)  # the unicast form answers at once
    assert {p.split(b"\r\n")[1] for p in msearches} == {
        f"HOST: {ip}:1900".encode() for ip in ROUTED
    }
    by_host = {ip: {e.key for e in found if e.address == ip} for ip in ROUTED}
    assert "wsd.scope.hardware" in by_host[ROUTED[0]]
    assert "dhip.device_type" in by_host[ROUTED[1]]
    assert "ssdp.server" in by_host[ROUTED[2]]
    assert OUTSIDER not in {e.address for e in found}


async def test_no_group_or_broadcast_is_ever_a_destination() -> None:
    transport = ReplayTransport(udp=lambda payload, dest: [])
    await unicast.run(context(transport, hosts=(CAMERA, OTHER), link_local=False))
    assert {ip for _payload, (ip, _port) in sent(transport, "udp")} == {CAMERA, OTHER}


async def test_many_addresses_go_out_in_paced_groups() -> None:
    hosts = tuple(f"198.18.{16 + n // 250}.{n % 250 + 1}" for n in range(600))
    transport = ReplayTransport(udp=lambda payload, dest: [])
    await unicast.run(context(transport, hosts=hosts, link_local=False, timeout_s=0.2))
    groups = -(-600 // unicast.GROUP_HOSTS)
    assert transport.sockets == [(0, None)] * groups  # one socket a group, no group joined
    assert len(sent(transport, "udp")) == 3 * 600


def test_the_deadline_of_a_routed_search_grows_with_the_addresses_and_the_rate() -> None:
    """A /20 at 3,000 packets a second needs about 4 s only to send its 12,282 searches:
    the 5 s a discovery probe gets on a link would cut it short (and lose all of it)."""
    from camcensus.scanner.probes import unicast

    small = unicast.deadline_s(2.0, 254, 3000.0)
    big = unicast.deadline_s(2.0, 4094, 3000.0)
    assert small >= 2.0 + 3.0  # never less than on a link
    assert big >= 4094 * 3 / 3000 + 32 * unicast.GROUP_GAP_S + 2.0
    assert unicast.deadline_s(2.0, 4094, None) < big  # no rate cap: no sending time
