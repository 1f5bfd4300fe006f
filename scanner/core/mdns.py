"""mDNS / DNS-SD: one resolved service instance as evidence (pure; the probe browses).

A camera's instance name often carries its model (``AXIS M3106-L Mk II - ACCC8E012345``)
and its TXT record its MAC or vendor; each becomes evidence at the address the instance
announced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList

__all__ = ["GROUP", "SOURCE", "instance_name", "service_evidence"]

SOURCE: Final = "mdns"
GROUP: Final = "224.0.0.251"
_TXT_KEY: Final = re.compile(r"[a-z0-9][a-z0-9_.-]{0,31}")


def instance_name(service_type: str, name: str) -> str:
    """``AXIS M3106 - ACCC8E._axis-video._tcp.local.`` -> ``AXIS M3106 - ACCC8E``."""
    suffix = "." + service_type
    return name[: -len(suffix)] if name.endswith(suffix) else name


def service_evidence(
    service_type: str,
    name: str,
    properties: Iterable[tuple[str, str | None]],
    address: str,
) -> list[Evidence]:
    """``mdns.service``, ``mdns.name`` and ``mdns.txt.<key>`` for one instance at one
    address; TXT keys that are not short lower-case tokens are skipped."""
    found = EvidenceList(SOURCE, address)
    found.add("mdns.service", service_type)
    found.add("mdns.name", instance_name(service_type, name))
    for key, value in properties:
        text_key = key.lower()
        if _TXT_KEY.fullmatch(text_key) and value is not None:
            found.add(f"mdns.txt.{text_key}", value)
    return found.items()
