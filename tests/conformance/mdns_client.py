"""Drive python-zeroconf (PyPI) in a lab's admin namespace and print what it got as JSON.

mdns_client.py browse SECONDS TYPE...    (services browsed, then resolved)
mdns_client.py legacy IP NAME            (a legacy unicast PTR query from an
                                          ephemeral port, RFC 6762 6.7; the reply's
                                          records as zeroconf's parser reads them)
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from typing import Any

from zeroconf import DNSIncoming, DNSOutgoing, DNSQuestion, IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf
from zeroconf.const import _CLASS_IN, _FLAGS_QR_QUERY, _TYPE_PTR

ADMIN = "198.18.0.1"


async def browse(seconds: float, types: list[str]) -> list[dict[str, Any]]:
    azc = AsyncZeroconf(interfaces=[ADMIN], ip_version=IPVersion.V4Only)
    names: set[tuple[str, str]] = set()

    def on_change(
        zeroconf: Any, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        names.add((service_type, name))

    browser = AsyncServiceBrowser(azc.zeroconf, types, handlers=[on_change])
    await asyncio.sleep(seconds)
    found = []
    for service_type, name in sorted(names):
        info = AsyncServiceInfo(service_type, name)
        if await info.async_request(azc.zeroconf, 3000):
            found.append(
                {
                    "type": service_type,
                    "name": name,
                    "server": info.server,
                    "port": info.port,
                    "addresses": info.parsed_addresses(),
                    "txt": {k.decode(): (v or b"").decode() for k, v in info.properties.items()},
                }
            )
    await browser.async_cancel()
    await azc.async_close()
    return found


def legacy(ip: str, name: str) -> list[dict[str, Any]]:
    query = DNSOutgoing(_FLAGS_QR_QUERY, multicast=False, id_=0x4242)
    query.add_question(DNSQuestion(name, _TYPE_PTR, _CLASS_IN))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((ADMIN, 0))
    sock.settimeout(2.0)
    try:
        sock.sendto(query.packets()[0], (ip, 5353))
        data, _ = sock.recvfrom(9000)
    finally:
        sock.close()
    reply = DNSIncoming(data)
    return [
        {
            "id": reply.id,
            "name": r.name,
            "type": r.type,
            "ttl": r.ttl,
            "unique": r.unique,
            "questions": [q.name for q in reply.questions],
        }
        for r in reply.answers()
    ]


def main(argv: list[str]) -> int:
    if argv[0] == "browse":
        result: Any = asyncio.run(browse(float(argv[1]), argv[2:]))
    else:
        result = legacy(argv[1], argv[2])
    print(json.dumps(result))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
