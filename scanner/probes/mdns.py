"""mDNS / DNS-SD: browse camera-relevant service types on our interface and resolve them.

The transport browses (``NetworkTransport.mdns``: python-zeroconf bound to our
interface address only, IPv4) for ``BROWSE_S`` seconds and resolves every instance;
each contributes ``mdns.service``, ``mdns.name`` and ``mdns.txt.<key>`` for each
in-scope address it announces.
"""

from __future__ import annotations

from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core import mdns as core
from camcensus.scanner.probes import _io
from camcensus.scanner.probes.context import ProbeContext
from camcensus.scanner.probes.transport import MdnsService

__all__ = ["NAME", "SERVICE_TYPES", "run"]

NAME: Final[str] = "mdns"
BROWSE_S: Final = 1.5
RESOLVE_MS: Final = 1000
MAX_INSTANCES: Final = 2048
SERVICE_TYPES: Final = (
    "_http._tcp.local.",
    "_https._tcp.local.",
    "_rtsp._tcp.local.",
    "_axis-video._tcp.local.",
    "_onvif._tcp.local.",
    "_psia._tcp.local.",
    "_ipp._tcp.local.",
    "_printer._tcp.local.",
    "_pdl-datastream._tcp.local.",
    "_workstation._tcp.local.",
    "_ssh._tcp.local.",
    "_device-info._tcp.local.",
    "_companion-link._tcp.local.",
)


async def run(ctx: ProbeContext) -> list[Evidence]:
    """Browse, resolve and return evidence bound to in-scope addresses."""
    services = await _io.mdns(
        ctx,
        SERVICE_TYPES,
        browse_s=min(BROWSE_S, ctx.timeout_s),
        resolve_ms=RESOLVE_MS,
        max_instances=MAX_INSTANCES,
    )
    found: list[Evidence] = []
    for service in services:
        found.extend(_evidence(ctx, service))
    return list(dict.fromkeys(found))


def _evidence(ctx: ProbeContext, service: MdnsService) -> list[Evidence]:
    out: list[Evidence] = []
    for address in service.addresses:
        if ctx.in_scope(address) and address != str(ctx.interface.ip):
            out.extend(
                core.service_evidence(
                    service.service_type, service.name, service.properties, address
                )
            )
    return out
