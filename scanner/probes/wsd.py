"""ONVIF WS-Discovery: multicast Probes for NetworkVideoTransmitter and Device, collect matches.

Only ProbeMatches whose RelatesTo names one of our MessageIDs count (a stray Hello or
another client's match does not).
"""

from __future__ import annotations

import uuid
from typing import Final

from scanner.core import wsd
from scanner.errors import MalformedReplyError
from scanner.probes._udp import exchange
from scanner.probes.context import ProbeContext
from vendor_db.evidence import Evidence

__all__ = ["NAME", "run"]

NAME: Final[str] = "wsd"
LISTEN_S: Final = 1.5


async def run(ctx: ProbeContext) -> list[Evidence]:
    """Multicast one Probe per device type; evidence from every matching reply."""
    ids = {f"uuid:{uuid.uuid4()}": types for types in (wsd.TYPES_NVT, wsd.TYPES_DEVICE)}
    group = (wsd.MULTICAST_GROUP, wsd.PORT)
    sends = [(wsd.build_probe(mid, types), group) for mid, types in ids.items()]
    replies = await exchange(ctx, sends, listen_s=min(LISTEN_S, ctx.timeout_s))
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
