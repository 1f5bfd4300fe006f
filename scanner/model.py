"""Device-level records: what a scan hands the inventory, and what the inventory gives back.

Plain frozen dataclasses with no I/O.  ``DeviceObservation`` is written by the merge
(one per device per scan) and takes plain values, so this module does not depend on
``vendor_db.identify``.  ``DeviceRecord``, ``ScanInfo``, ``DeviceSnapshot`` and
``ScanComparison`` are what ``scanner.store.Inventory`` returns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, NamedTuple

from camcensus.base.evidence import Evidence
from camcensus.base.types import DEVICE_TYPES, DeviceType

__all__ = [
    "DEVICE_TYPES",
    "PRESENCES",
    "REVIEW_STATUSES",
    "SCAN_STATUSES",
    "DeviceObservation",
    "DeviceRecord",
    "DeviceSnapshot",
    "DeviceType",
    "FieldChange",
    "Presence",
    "ReviewStatus",
    "ScanComparison",
    "ScanInfo",
    "ScanStatus",
    "device_key_for",
]

ScanStatus = Literal["running", "complete", "incomplete", "failed"]
Presence = Literal["present", "missing"]
ReviewStatus = Literal["unreviewed", "to_replace", "accepted_risk", "replaced", "false_positive"]

SCAN_STATUSES: Final[tuple[ScanStatus, ...]] = ("running", "complete", "incomplete", "failed")
PRESENCES: Final[tuple[Presence, ...]] = ("present", "missing")
REVIEW_STATUSES: Final[tuple[ReviewStatus, ...]] = (
    "unreviewed",
    "to_replace",
    "accepted_risk",
    "replaced",
    "false_positive",
)


def device_key_for(mac: str | None, ip: str) -> str:
    """The inventory key of a device: ``mac:aa:bb:..`` (lower case) when a MAC is known, else
    ``ip:<address>``.

    >>> device_key_for("AA-BB-CC-00-11-22", "198.18.0.5")
    'mac:aa:bb:cc:00:11:22'
    >>> device_key_for(None, "198.18.0.5")
    'ip:198.18.0.5'
    """
    if mac:
        return "mac:" + mac.strip().lower().replace("-", ":")
    return "ip:" + ip.strip()


@dataclass(frozen=True, slots=True)
class DeviceObservation:
    """One device as seen in one scan, after the merge: identity plus the evidence behind it.

    ``identity`` is ``Identification.to_dict()`` (JSON-able); ``flag_reasons``,
    ``list_status`` and ``sources`` come from its ``FlagDecision``.
    """

    device_key: str
    ip: str
    mac: str | None
    maker: str
    brand: str
    model: str
    firmware: str | None
    device_type: DeviceType
    confidence: float
    flagged: bool
    flag_reasons: tuple[str, ...] = ()
    list_status: str = ""
    sources: tuple[str, ...] = ()
    identity: Mapping[str, object] = field(default_factory=dict, hash=False)
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        if not self.device_key.startswith(("mac:", "ip:")) or len(self.device_key) < 5:
            raise ValueError(f"device_key must be 'mac:...' or 'ip:...': {self.device_key!r}")
        if self.device_type not in DEVICE_TYPES:
            raise ValueError(f"unknown device_type {self.device_type!r}")
        if not (math.isfinite(self.confidence) and 0.0 <= self.confidence <= 1.0):
            raise ValueError(f"confidence must lie in [0, 1]: {self.confidence!r}")


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """One row of the inventory: the latest identity of a device plus the admin's review.

    ``evidence`` is filled only by ``Inventory.device()`` (the evidence of the device's
    latest scan); listings leave it empty.
    """

    device_key: str
    ip: str
    mac: str | None
    maker: str
    brand: str
    model: str
    firmware: str | None
    device_type: str
    confidence: float
    flagged: bool
    flag_reasons: tuple[str, ...]
    list_status: str
    sources: tuple[str, ...]
    identity: Mapping[str, object] = field(hash=False)
    site: str | None
    first_seen: str
    last_seen: str
    first_scan_id: int
    last_scan_id: int
    presence: Presence
    review_status: ReviewStatus
    note: str
    review_updated_at: str | None
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """A JSON-able dict (tuples become lists; evidence becomes a list of dicts)."""
        return {
            "device_key": self.device_key,
            "ip": self.ip,
            "mac": self.mac,
            "maker": self.maker,
            "brand": self.brand,
            "model": self.model,
            "firmware": self.firmware,
            "device_type": self.device_type,
            "confidence": self.confidence,
            "flagged": self.flagged,
            "flag_reasons": list(self.flag_reasons),
            "list_status": self.list_status,
            "sources": list(self.sources),
            "identity": dict(self.identity),
            "site": self.site,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "first_scan_id": self.first_scan_id,
            "last_scan_id": self.last_scan_id,
            "presence": self.presence,
            "review_status": self.review_status,
            "note": self.note,
            "review_updated_at": self.review_updated_at,
            "evidence": [
                {"key": e.key, "value": e.value, "source": e.source, "address": e.address}
                for e in self.evidence
            ],
        }


@dataclass(frozen=True, slots=True)
class ScanInfo:
    """One scan run: who ran it, where, over what, and how it ended.

    ``finished_at`` is None while running and for a scan whose process died
    (recovered as ``incomplete``).
    """

    scan_id: int
    started_at: str
    finished_at: str | None
    status: ScanStatus
    operator: str
    host: str
    scope: str
    targets: str
    options: Mapping[str, object] = field(hash=False)
    device_count: int
    flagged_count: int
    error: str | None


@dataclass(frozen=True, slots=True)
class DeviceSnapshot:
    """The identity of one device as recorded by one scan (for scan comparison)."""

    scan_id: int
    device_key: str
    ip: str
    maker: str
    brand: str
    model: str
    firmware: str | None
    device_type: str
    flagged: bool


class FieldChange(NamedTuple):
    """One field of one device that differs between two scans."""

    device_key: str
    field: str
    old: object
    new: object


@dataclass(frozen=True, slots=True)
class ScanComparison:
    """Devices new in the newer scan, not seen by it, and changed between the two."""

    old_scan_id: int
    new_scan_id: int
    new: tuple[DeviceSnapshot, ...]
    missing: tuple[DeviceSnapshot, ...]
    changed: tuple[FieldChange, ...]
