"""Discovery of routed hosts by unicast: what multicast finds on the link, asked of each
address behind a router (where no multicast or broadcast arrives).

To every routed address: one WS-Discovery Probe (NetworkVideoTransmitter) to udp 3702,
one Dahua DHIP search to udp 37810, one unicast SSDP M-SEARCH to udp 1900; then, for an
SSDP answer, its same-host description (one HTTP GET, inside the host's budget). Sends go
out in groups of ``GROUP_HOSTS`` addresses ``GROUP_GAP_S`` apart, so a /20 of routed space
gets at most about ``3 * GROUP_HOSTS / GROUP_GAP_S`` datagrams a second; every group's
socket listens ``LISTEN_S`` for its answers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import dhip, ssdp, wsd
from camcensus.scanner.probes import _io
from camcensus.scanner.probes import ssdp as ssdp_probe
from camcensus.scanner.probes import wsd as wsd_probe
from camcensus.scanner.probes.context import ProbeContext

__all__ = ["GROUP_GAP_S", "GROUP_HOSTS", "NAME", "deadline_s", "run"]

NAME: Final[str] = "unicast"
GROUP_HOSTS: Final = 128
GROUP_GAP_S: Final = 0.1
LISTEN_S: Final = 1.5
MAX_DESCRIPTIONS: Final = 512
SENDS_PER_HOST: Final = 3
"""WS-Discovery, DHIP and SSDP: one datagram each an address."""


def deadline_s(timeout_s: float, hosts: int, max_pps: float | None) -> float:
    """The time the runner gives this probe over ``hosts`` routed addresses: the
    groups' stagger, the sends at the scan's packet rate, the listen, and ``timeout_s``
    plus a grace for the UPnP descriptions (a /20 at 3,000 packets a second: about
    15 s; a fixed deadline of ``timeout_s`` plus 3 s cut it short and lost all of it)."""
    groups = -(-hosts // GROUP_HOSTS)
    sending_s = hosts * SENDS_PER_HOST / max_pps if max_pps else 0.0
    return groups * GROUP_GAP_S + sending_s + min(LISTEN_S, timeout_s) + timeout_s + 3.0


async def _group(
    ctx: ProbeContext, hosts: Sequence[str], delay_s: float, probe_id: str
) -> list[tuple[bytes, str]]:
    await asyncio.sleep(delay_s)
    search = dhip.build_search()
    sends: list[tuple[bytes, tuple[str, int]]] = []
    for ip in hosts:
        sends.append((wsd.build_probe(probe_id, wsd.TYPES_NVT), (ip, wsd.PORT)))
        sends.append((search, (ip, dhip.PORT)))
        sends.append((ssdp.build_msearch(unicast_to=ip), (ip, ssdp.PORT)))
    return await _io.datagrams(ctx, sends, listen_s=min(LISTEN_S, ctx.timeout_s))


async def run(ctx: ProbeContext) -> list[Evidence]:
    """Evidence from every routed address that answers one of the three searches."""
    ours = str(ctx.interface.ip)
    hosts = [str(h) for h in ctx.hosts if str(h) != ours]
    probe_id = f"uuid:{uuid.uuid4()}"
    groups = [hosts[i : i + GROUP_HOSTS] for i in range(0, len(hosts), GROUP_HOSTS)]
    replies = [
        reply
        for answered in await asyncio.gather(
            *(_group(ctx, g, n * GROUP_GAP_S, probe_id) for n, g in enumerate(groups))
        )
        for reply in answered
    ]
    found: list[Evidence] = wsd_probe.matches(
        [r for r in replies if r[0].lstrip().startswith(b"<")], {probe_id}
    )
    found += _io.parse_all([r for r in replies if b"DHIP" in r[0][:8]], dhip.parse_reply)
    locations: dict[str, str] = {}
    for data, source in replies:
        if not data.startswith(b"HTTP/"):
            continue
        try:
            items, location = ssdp.parse_response(data, source)
        except MalformedReplyError:
            continue
        found.extend(items)
        if location is not None:
            locations.setdefault(source, location)
    jobs = list(locations.items())[:MAX_DESCRIPTIONS]
    for items in await asyncio.gather(*(ssdp_probe.description(ctx, a, loc) for a, loc in jobs)):
        found.extend(items)
    return list(dict.fromkeys(found))
