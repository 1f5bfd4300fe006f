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
from camcensus.scanner.core.limits import clean_text

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
    address, and ``mdns.txt_record``: the service type with the instance's TXT pairs
    (``_http._tcp.local.: macaddress=ACCC8E012345; path=/``), so that each TXT value
    stays tied to the service that announced it when a device announces several (the
    ``mdns.txt.<key>`` items alone do not say which). TXT keys that are not short
    lower-case tokens are skipped; a key without a value (an RFC 6763 6.4 boolean
    attribute) appears in the record alone."""
    found = EvidenceList(SOURCE, address)
    found.add("mdns.service", service_type)
    found.add("mdns.name", instance_name(service_type, name))
    pairs: list[str] = []
    for key, value in properties:
        text_key = key.lower()
        if not _TXT_KEY.fullmatch(text_key):
            continue
        if value is not None:
            found.add(f"mdns.txt.{text_key}", value)
        pairs.append(text_key if value is None else f"{text_key}={clean_text(value)}")
    if pairs:
        found.add("mdns.txt_record", f"{service_type}: " + "; ".join(pairs))
    return found.items()
