"""Dahua DHIP: DHDiscover.search to 239.255.255.251:37810 and the subnet broadcast.

Devices answer by unicast to the sender's port.
"""

from __future__ import annotations

from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core import dhip
from camcensus.scanner.probes._io import datagrams, parse_all
from camcensus.scanner.probes.context import ProbeContext

__all__ = ["NAME", "run"]

NAME: Final[str] = "dhip"
LISTEN_S: Final = 1.5


async def run(ctx: ProbeContext) -> list[Evidence]:
    """One search to the group and one to the broadcast; de-duplicated evidence."""
    search = dhip.build_search()
    sends = [(search, (dhip.GROUP, dhip.PORT)), (search, (str(ctx.interface.broadcast), dhip.PORT))]
    replies = await datagrams(ctx, sends, listen_s=min(LISTEN_S, ctx.timeout_s))
    return list(dict.fromkeys(parse_all(replies, dhip.parse_reply)))
