"""ONVIF WS-Discovery: Probes for NetworkVideoTransmitter and Device, collect matches.

``run`` multicasts the Probes to the whole segment; ``run_host`` follows up with a
unicast Probe to each live host that did not answer the multicast (a device on a
network that drops multicast, or one that missed it), within the host's budget.
Only ProbeMatches whose RelatesTo names one of our MessageIDs count (a stray Hello or
another client's match does not).
"""

from __future__ import annotations

import uuid
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import wsd
from camcensus.scanner.probes._io import datagrams
from camcensus.scanner.probes.context import HostInfo, ProbeContext

__all__ = ["NAME", "matches", "run", "run_host"]

NAME: Final[str] = "wsd"
LISTEN_S: Final = 1.5
UNICAST_LISTEN_S: Final = 1.0


def _probes(destination: tuple[str, int]) -> tuple[set[str], list[tuple[bytes, tuple[str, int]]]]:
    """Our MessageIDs and one Probe per device type to *destination*."""
    ids = {f"uuid:{uuid.uuid4()}": types for types in (wsd.TYPES_NVT, wsd.TYPES_DEVICE)}
    return set(ids), [(wsd.build_probe(mid, types), destination) for mid, types in ids.items()]


async def run(ctx: ProbeContext) -> list[Evidence]:
    """Multicast one Probe per device type; evidence from every matching reply."""
    ids, sends = _probes((wsd.MULTICAST_GROUP, wsd.PORT))
    replies = await datagrams(ctx, sends, listen_s=min(LISTEN_S, ctx.timeout_s))
    return matches(replies, ids)


async def run_host(ctx: ProbeContext, host: HostInfo) -> list[Evidence]:
    """Unicast Probes to one host that did not answer the multicast Probe."""
    if any(e.key.startswith("wsd.") for e in host.evidence):
        return []
    ids, sends = _probes((host.ip, wsd.PORT))
    async with ctx.budget.slot(host.ip, requests=len(sends)):
        replies = await datagrams(ctx, sends, listen_s=min(UNICAST_LISTEN_S, ctx.timeout_s))
    return matches([r for r in replies if r[1] == host.ip], ids)


def matches(replies: list[tuple[bytes, str]], ids: set[str]) -> list[Evidence]:
    found: list[Evidence] = []
    seen: set[Evidence] = set()
    for data, source in replies:
        try:
            if wsd.relates_to(data) not in ids:
                continue
            items = wsd.parse_probe_matches(data, source)
        except MalformedReplyError:
            continue
        for item in items:
            if item not in seen:
                seen.add(item)
                found.append(item)
    return found
