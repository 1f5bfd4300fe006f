"""SSDP: one M-SEARCH to 239.255.255.250:1900, then each same-host LOCATION description.

A description is fetched only when its URL points back at the replying host (core.ssdp
guarantees that), through the host's request budget.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Final

from camcensus.base.errors import MalformedReplyError, RequestBudgetExceededError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import http, ssdp
from camcensus.scanner.probes import _io
from camcensus.scanner.probes.context import ProbeContext

__all__ = ["MAX_DESCRIPTIONS", "NAME", "description", "run"]

NAME: Final[str] = "ssdp"
LISTEN_S: Final = 1.5
MAX_DESCRIPTIONS: Final = 512


async def description(ctx: ProbeContext, address: str, location: str) -> list[Evidence]:
    """Evidence from one description; ``[]`` whatever hostile bytes the device sends.

    ValueError covers a bad URL or port and UnicodeError; LookupError an unknown
    codec, should a parser ever meet one.
    """
    try:
        parts = urllib.parse.urlsplit(location)
        if parts.scheme != "http":
            return []
        port = parts.port or 80
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = http.build_request(address if port == 80 else f"{address}:{port}", path)
        reply = await _io.exchange(ctx, address, port, [request])
        if not reply.messages:
            return []
        head = http.parse_message_head(reply.messages[0])
        if http.parse_response_head(reply.messages[0]).status != 200:
            return []
        body = http.decode_body(head.headers, head.body).encode("utf-8")
        return ssdp.parse_description(body, address)
    except (ValueError, LookupError, OSError, RequestBudgetExceededError, MalformedReplyError):
        return []


async def run(ctx: ProbeContext) -> list[Evidence]:
    """Search, then read descriptions; evidence de-duplicated."""
    replies = await _io.datagrams(
        ctx,
        [(ssdp.build_msearch(), (ssdp.MULTICAST_GROUP, ssdp.PORT))],
        listen_s=min(LISTEN_S, ctx.timeout_s),
    )
    found: list[Evidence] = []
    locations: dict[str, str] = {}
    for data, source in replies:
        try:
            items, location = ssdp.parse_response(data, source)
        except MalformedReplyError:
            continue
        found.extend(items)
        if location is not None and source not in locations:
            locations[source] = location
    jobs = list(locations.items())[:MAX_DESCRIPTIONS]
    for items in await asyncio.gather(*(description(ctx, a, loc) for a, loc in jobs)):
        found.extend(items)
    return list(dict.fromkeys(found))
