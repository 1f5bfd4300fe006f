"""Xiongmai NetIP: a search to the subnet broadcast on udp 34569, from port 34569."""

from __future__ import annotations

from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core import netip
from camcensus.scanner.probes._io import datagrams, parse_all
from camcensus.scanner.probes.context import ProbeContext

__all__ = ["NAME", "run"]

NAME: Final[str] = "netip"
LISTEN_S: Final = 1.5


async def run(ctx: ProbeContext) -> list[Evidence]:
    """One broadcast search (the interface's own subnet broadcast, never 255.255.255.255)."""
    destination = (str(ctx.interface.broadcast), netip.PORT)
    replies = await datagrams(
        ctx,
        [(netip.build_search(), destination)],
        listen_s=min(LISTEN_S, ctx.timeout_s),
        bind_port=netip.PORT,
    )
    return list(dict.fromkeys(parse_all(replies, netip.parse_reply)))
