"""SNMP system group values as evidence: sysDescr and sysObjectID (MIB-II, RFC 1213)."""

from __future__ import annotations

import re
from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList

__all__ = ["SOURCE", "system_evidence"]

SOURCE: Final = "snmp"
_OID: Final = re.compile(r"\.?\d+(?:\.\d+){1,127}")


def system_evidence(
    sys_descr: str | None, sys_object_id: str | None, address: str
) -> list[Evidence]:
    """``snmp.sysdescr`` and ``snmp.sysobjectid`` (only when it is a dotted OID)."""
    found = EvidenceList(SOURCE, address)
    found.add("snmp.sysdescr", sys_descr)
    oid = (sys_object_id or "").strip()
    if _OID.fullmatch(oid):
        found.add("snmp.sysobjectid", oid.lstrip("."))
    return found.items()
