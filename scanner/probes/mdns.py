"""mDNS / DNS-SD: browse camera-relevant service types on our interface and resolve them.

python-zeroconf bound to our interface address only (IPv4), browsing for
``BROWSE_S`` seconds; every instance is resolved and contributes ``mdns.service``,
``mdns.name`` and ``mdns.txt.<key>`` for each in-scope address it announces.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING, Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core.limits import clean_text
from camcensus.scanner.probes.context import ProbeContext

if TYPE_CHECKING:
    from zeroconf import Zeroconf
    from zeroconf.asyncio import AsyncServiceInfo

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
_TXT_KEY: Final = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")


def _decode(raw: bytes | None) -> str:
    return "" if raw is None else raw.decode("utf-8", errors="replace")


async def run(ctx: ProbeContext) -> list[Evidence]:
    """Browse, resolve and return evidence bound to in-scope addresses."""
    from zeroconf import Error as ZeroconfError
    from zeroconf import IPVersion, ServiceStateChange
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

    seen: dict[tuple[str, str], None] = {}

    def on_change(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is not ServiceStateChange.Removed and len(seen) < MAX_INSTANCES:
            seen[(service_type, name)] = None

    aiozc = AsyncZeroconf(interfaces=[str(ctx.interface.ip)], ip_version=IPVersion.V4Only)
    found: list[Evidence] = []
    try:
        browser = AsyncServiceBrowser(aiozc.zeroconf, list(SERVICE_TYPES), handlers=[on_change])
        try:
            await asyncio.sleep(min(BROWSE_S, ctx.timeout_s))
        finally:
            await browser.async_cancel()
        infos: list[AsyncServiceInfo] = []
        for service_type, name in seen:
            try:
                infos.append(AsyncServiceInfo(service_type, name))
            except ZeroconfError:  # a hostile instance name (control characters ...)
                continue
        await asyncio.gather(*(_resolve(i, aiozc.zeroconf) for i in infos))
        for info in infos:
            found.extend(_evidence(ctx, info.type, info.name, info))
    finally:
        await aiozc.async_close()
    return list(dict.fromkeys(found))


async def _resolve(info: AsyncServiceInfo, zeroconf: Zeroconf) -> None:
    from zeroconf import Error as ZeroconfError

    with contextlib.suppress(ZeroconfError):
        await info.async_request(zeroconf, RESOLVE_MS)


def _evidence(ctx: ProbeContext, service_type: str, name: str, info: object) -> list[Evidence]:
    from zeroconf import ServiceInfo

    if not isinstance(info, ServiceInfo):
        return []
    instance = name[: -len(service_type) - 1] if name.endswith("." + service_type) else name
    out: list[Evidence] = []
    for address in info.parsed_addresses():
        if not ctx.in_scope(address) or address == str(ctx.interface.ip):
            continue
        out.append(Evidence("mdns.service", clean_text(service_type), NAME, address))
        out.append(Evidence("mdns.name", clean_text(instance), NAME, address))
        for key, value in (info.properties or {}).items():
            text_key = _decode(key).lower()
            if _TXT_KEY.fullmatch(text_key) and value is not None:
                out.append(
                    Evidence(f"mdns.txt.{text_key}", clean_text(_decode(value)), NAME, address)
                )
    return [e for e in out if e.value]
