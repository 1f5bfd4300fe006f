"""Hikvision SADP: multicast an inquiry to 239.255.255.250:37020 and hear the group.

Hikvision firmware answers to the multicast group, not to the sender, so the probe
binds port 37020 and joins the group on our interface.
"""

from __future__ import annotations

import uuid
from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core import sadp
from camcensus.scanner.probes._io import datagrams, parse_all
from camcensus.scanner.probes.context import ProbeContext

__all__ = ["NAME", "run"]

NAME: Final[str] = "sadp"
LISTEN_S: Final = 1.5


async def run(ctx: ProbeContext) -> list[Evidence]:
    """One inquiry; evidence from every ProbeMatch heard on the group."""
    inquiry = sadp.build_inquiry(str(uuid.uuid4()))
    replies = await datagrams(
        ctx,
        [(inquiry, (sadp.GROUP, sadp.PORT))],
        listen_s=min(LISTEN_S, ctx.timeout_s),
        bind_port=sadp.PORT,
        join_group=sadp.GROUP,
    )
    return parse_all(replies, sadp.parse_reply)
