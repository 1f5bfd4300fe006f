"""Hikvision ISAPI: the unauthenticated-or-not ``/ISAPI/System/deviceInfo`` document.

Hikvision firmware (and the firmware it builds for others) answers ISAPI requests with
XML in the ``http://www.hikvision.com/ver20/XMLSchema`` namespace, or
``http://www.isapi.org/ver20/XMLSchema`` in OEM builds; the root of a device-information
reply is ``<DeviceInfo>``.  Field names follow Hikvision's ISAPI documentation.

``parse_document`` reads the XML; ``device_info_evidence`` maps field names to
evidence, so a reply published only as its fields (a JSON conversion) is read the same
way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core._xml import local_name, parse_xml

__all__ = ["FIELDS", "SOURCE", "device_info_evidence", "parse_document"]

SOURCE: Final = "isapi"
FIELDS: Final = (
    ("deviceName", "isapi.device_name"),
    ("deviceType", "isapi.device_type"),
    ("model", "isapi.model"),
    ("serialNumber", "isapi.serial"),
    ("manufacturer", "isapi.manufacturer"),
    ("systemContact", "isapi.system_contact"),
    ("OEMCode", "isapi.oem_code"),
)
"""deviceInfo fields and the evidence key each becomes (firmware and MAC: see below)."""


def device_info_evidence(
    fields: Mapping[str, str], address: str, namespace: str | None = None
) -> list[Evidence]:
    """Evidence from deviceInfo fields by name: the table above, ``isapi.firmware`` from
    firmwareVersion and firmwareReleasedDate (``V5.7.17 build 240606``), the MAC, and the
    XML namespace the document used."""
    found = EvidenceList(SOURCE, address)
    for name, key in FIELDS:
        found.add(key, fields.get(name))
    version = (fields.get("firmwareVersion") or "").strip()
    released = (fields.get("firmwareReleasedDate") or "").strip()
    if version:
        found.add("isapi.firmware", f"{version} {released}".strip())
    found.add_mac("isapi.mac", fields.get("macAddress"))
    found.add("isapi.namespace", namespace)
    return found.items()


def parse_document(xml: bytes, address: str) -> list[Evidence]:
    """Evidence from any ISAPI XML document: its namespace and root element
    (``isapi.namespace``, ``isapi.document``), and for ``<DeviceInfo>`` its fields.

    An ISAPI answer of any kind (``<ResponseStatus>`` to a refused request included)
    shows the API is there. MalformedReplyError for non-XML.
    """
    root = parse_xml(xml, "ISAPI reply")
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else None
    document = local_name(root.tag)
    if document != "DeviceInfo":
        found = EvidenceList(SOURCE, address)
        found.add("isapi.document", document)
        found.add("isapi.namespace", namespace)
        return found.items()
    fields: dict[str, str] = {}
    for element in root:
        name = local_name(element.tag)
        if name and name not in fields:
            fields[name] = "".join(element.itertext())
    document_evidence = Evidence("isapi.document", document, SOURCE, address)
    return [document_evidence, *device_info_evidence(fields, address, namespace)]
