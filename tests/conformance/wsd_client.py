"""Drive python-ws-discovery (PyPI ``WSDiscovery``) in a lab's admin namespace and print
what it found as JSON.

    wsd_client.py search SECONDS [TYPE_NS TYPE_LOCAL] [SCOPE ...]
    wsd_client.py listen SECONDS        (Hello and Bye heard in that time)
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

from wsdiscovery import QName, Scope
from wsdiscovery.discovery import ThreadedWSDiscovery


def _service(service: Any) -> dict[str, Any]:
    return {
        "epr": service.getEPR(),
        "types": sorted([t.getNamespace(), t.getLocalname()] for t in service.getTypes()),
        "scopes": sorted(s.getValue() for s in service.getScopes()),
        "xaddrs": list(service.getXAddrs()),
    }


def main(argv: list[str]) -> int:
    mode, seconds = argv[0], float(argv[1])
    client = ThreadedWSDiscovery()
    client.start()
    try:
        if mode == "search":
            rest = argv[2:]
            types = [QName(rest[0], rest[1])] if len(rest) >= 2 and rest[0] != "-" else None
            scopes = [Scope(s) for s in rest[2:]] or None
            found = client.searchServices(types=types, scopes=scopes, timeout=seconds)
            print(json.dumps([_service(s) for s in found]))  # noqa: T201
            return 0
        heard: list[dict[str, Any]] = []
        lock = threading.Lock()

        def hello(service: Any) -> None:
            with lock:
                heard.append({"kind": "Hello", **_service(service)})

        def bye(epr: str) -> None:
            with lock:
                heard.append({"kind": "Bye", "epr": epr})

        client.setRemoteServiceHelloCallback(hello)
        client.setRemoteServiceByeCallback(bye)
        time.sleep(seconds)
        with lock:
            print(json.dumps(heard))  # noqa: T201
        return 0
    finally:
        client.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
