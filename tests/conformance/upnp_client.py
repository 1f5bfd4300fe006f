"""Drive async-upnp-client (PyPI) in a lab's admin namespace and print what it saw as
JSON.

    upnp_client.py search SECONDS ST        (search responses, from the admin address)
    upnp_client.py describe URL...          (each description, parsed by UpnpFactory)
    upnp_client.py listen SECONDS           (NOTIFY ssdp:alive and ssdp:byebye heard)
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from async_upnp_client.advertisement import SsdpAdvertisementListener
from async_upnp_client.aiohttp import AiohttpRequester
from async_upnp_client.client_factory import UpnpFactory
from async_upnp_client.search import async_search
from async_upnp_client.utils import CaseInsensitiveDict

ADMIN = ("198.18.0.1", 0)  # the lab admin namespace's own address
GROUP = ("239.255.255.250", 1900)
KEYS = ("st", "nt", "nts", "usn", "location", "server", "cache-control", "_host")


def _headers(headers: CaseInsensitiveDict) -> dict[str, str]:
    return {k: str(headers.get_lower(k)) for k in KEYS if headers.get_lower(k) is not None}


async def search(seconds: int, st: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    async def on_response(headers: CaseInsensitiveDict) -> None:
        found.append(_headers(headers))

    await async_search(on_response, timeout=seconds, search_target=st, source=ADMIN, target=GROUP)
    return found


async def describe(urls: list[str]) -> list[dict[str, Any]]:
    factory = UpnpFactory(AiohttpRequester(), non_strict=True)
    described = []
    for url in urls:
        device = await factory.async_create_device(url)
        described.append(
            {
                "device_type": device.device_type,
                "udn": device.udn,
                "serial": device.serial_number,
                "manufacturer": device.manufacturer,
                "model_name": device.model_name,
                "model_number": device.model_number,
                "friendly_name": device.friendly_name,
                "services": sorted(s.service_type for s in device.services.values()),
            }
        )
    return described


async def listen(seconds: float) -> list[dict[str, str]]:
    heard: list[dict[str, str]] = []

    def on_notify(headers: CaseInsensitiveDict) -> None:
        heard.append(_headers(headers))

    listener = SsdpAdvertisementListener(
        on_alive=on_notify, on_byebye=on_notify, source=(ADMIN[0], GROUP[1]), target=GROUP
    )
    await listener.async_start()
    try:
        await asyncio.sleep(seconds)
    finally:
        await listener.async_stop()
    return heard


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "search":
        result: Any = asyncio.run(search(int(argv[1]), argv[2]))
    elif mode == "describe":
        result = asyncio.run(describe(argv[1:]))
    else:
        result = asyncio.run(listen(float(argv[1])))
    print(json.dumps(result))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
