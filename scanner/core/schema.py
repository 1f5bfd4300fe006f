"""The one device schema: the records a scan and the inventory hand around, and their fields.

``Device`` is one device as one scan (or import) saw it, after the merge: its key, its
addresses, the typed ``Identification`` and the evidence behind it.  ``DeviceRecord`` is
a device as the inventory keeps it: the device plus what the inventory knows about it
(site, first and last seen, presence, the admin's review).

``FIELDS`` names every field once, in the order of the replacement-plan CSV.  Everything
that shows or stores a device is derived from it: the inventory's ``devices`` columns
(``scanner.store``, checked against the migrated table by a test), the JSON of a scan
and of an export (``device_json`` / ``record_json``), the CSV columns
(``scanner.export``), the TUI's cells and filters (``tui.rows``), and the test builders.
A field ``derived`` from the identification is written to its column for SQL readers
(Datasette, the ``device_overview`` view) and never read back: the typed identification
is the truth.

Pure: no I/O.  ``ScanInfo``, ``DeviceSnapshot``, ``FieldChange`` and ``ScanComparison``
are the inventory's other records.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple, cast

from camcensus.base.errors import VendorDataError
from camcensus.base.evidence import Evidence, family_keys
from camcensus.base.types import DEVICE_TYPES, DeviceType
from camcensus.vendor_db.identify import Identification
from camcensus.vendor_db.policy import FlagLevel

__all__ = [
    "DEVICE_FIELDS",
    "FIELDS",
    "PRESENCES",
    "RECORD_FIELDS",
    "REVIEW_LABELS",
    "REVIEW_STATUSES",
    "SCAN_STATUSES",
    "SHORT_REASON_CHARS",
    "SNAPSHOT_FIELD_NAMES",
    "Coverage",
    "Device",
    "DeviceRecord",
    "DeviceSnapshot",
    "Field",
    "FieldChange",
    "FieldKind",
    "Presence",
    "RecorderCoverage",
    "ReviewStatus",
    "ScanComparison",
    "ScanInfo",
    "ScanStatus",
    "SnmpCoverage",
    "device_json",
    "device_key_for",
    "field_text",
    "record_json",
    "short_reason",
    "site_of_key",
    "sql_value",
    "value_from_sql",
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
REVIEW_LABELS: Final[Mapping[ReviewStatus, str]] = {
    "unreviewed": "unreviewed",
    "to_replace": "to replace",
    "accepted_risk": "accepted risk",
    "replaced": "replaced",
    "false_positive": "false positive",
}
"""How a review status reads to a person (the TUI, reports); data keeps the status itself."""


_KEY_KINDS: Final = ("mac:", "ip:")


def device_key_for(mac: str | None, ip: str, site: str | None = None) -> str:
    """The inventory key of a device: ``mac:aa:bb:..`` (lower case) when a MAC is known, else
    ``ip:<address>``; in a site, ``<site>/`` before it (two sites may share addresses).

    A device scanned without a site keeps the key it always had, so inventories written
    before sites existed keep their keys.

    >>> device_key_for("AA-BB-CC-00-11-22", "198.18.0.5")
    'mac:aa:bb:cc:00:11:22'
    >>> device_key_for(None, "198.18.0.5")
    'ip:198.18.0.5'
    >>> device_key_for(None, "198.18.0.5", "Utrecht-CS")
    'Utrecht-CS/ip:198.18.0.5'
    """
    key = "mac:" + mac.strip().lower().replace("-", ":") if mac else "ip:" + ip.strip()
    return f"{site}/{key}" if site else key


def site_of_key(device_key: str) -> str | None:
    """The site a device key names (None for a key without one; a site name holds no
    ``/`` and no ``:``, ``scanner.core.scope.check_site_name``).

    >>> site_of_key("Utrecht-CS/mac:aa:bb:cc:00:11:22"), site_of_key("ip:198.18.0.5")
    ('Utrecht-CS', None)
    """
    if device_key.startswith(_KEY_KINDS):
        return None  # a reported MAC may hold a '/': no site name starts so
    site, slash, _rest = device_key.partition("/")
    return site if slash else None


@dataclass(frozen=True, slots=True)
class Device:
    """One device as one scan saw it: key, addresses, identification and evidence.

    ``ip`` is its lowest address and ``addresses`` every address it answered on (``ip``
    first); a camera behind a recorder has the address its recorder listed and
    ``parent``, the recorder's device key.  ``mac_organisation`` is the IEEE
    organisation of its MAC block ("" when the MAC is randomised or unknown); it names
    a maker the vendor table does not know (a PC, a printer) and is never a reason to
    flag.
    """

    device_key: str
    ip: str
    mac: str | None
    identification: Identification
    mac_organisation: str = ""
    addresses: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    parent: str | None = None
    """The device key of the recorder this camera is behind (None: not behind one)."""

    def __post_init__(self) -> None:
        site = site_of_key(self.device_key)
        key = self.device_key[len(site) + 1 :] if site is not None else self.device_key
        if not key.startswith(_KEY_KINDS) or len(key) < 5 or site == "":
            raise ValueError(
                f"device_key must be '[SITE/]mac:...' or '[SITE/]ip:...': {self.device_key!r}"
            )
        if self.device_type not in DEVICE_TYPES:
            raise ValueError(f"unknown device_type {self.device_type!r}")
        if not math.isfinite(self.confidence) or not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must lie in [0, 1]: {self.confidence!r}")
        if not self.addresses:
            object.__setattr__(self, "addresses", (self.ip,))
        elif self.addresses[0] != self.ip:
            raise ValueError(f"addresses must start with ip {self.ip!r}: {self.addresses!r}")

    @property
    def maker(self) -> str:
        """The identified maker, else the MAC block's organisation, else ""."""
        return self.identification.maker or self.mac_organisation

    @property
    def brand(self) -> str:
        """The label the device is sold under ("" when unknown)."""
        return self.identification.brand or ""

    @property
    def model(self) -> str:
        """The model ("" when unknown)."""
        return self.identification.model or ""

    @property
    def firmware(self) -> str | None:
        """The firmware version, when the device told it."""
        return self.identification.firmware

    @property
    def device_type(self) -> DeviceType:
        """camera, nvr, other or unknown."""
        return self.identification.device_type

    @property
    def confidence(self) -> float:
        """How sure the identification of the maker is, in [0, 1]."""
        return self.identification.confidence

    @property
    def flagged(self) -> bool:
        """Whether the policy flags the device's maker or brand."""
        return self.identification.flag.flagged

    @property
    def flag_level(self) -> FlagLevel:
        """flagged, possible (a maker of concern on weak evidence: the reasons say why) or no."""
        return self.identification.flag.level

    @property
    def flag_reasons(self) -> tuple[str, ...]:
        """Why it is flagged, one reason a vendor (and the caveats)."""
        return self.identification.flag.reasons

    @property
    def list_status(self) -> str:
        """The US list status of the maker (or brand)."""
        return self.identification.flag.list_status

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources behind the flag."""
        return self.identification.flag.sources

    @property
    def flag_reason(self) -> str:
        """The flag's first reason in at most ``SHORT_REASON_CHARS`` characters, and how
        many more there are ("" when not flagged): the full reasons are ``flag_reasons``,
        the sources ``sources``."""
        return short_reason(self.flag_reasons)

    @property
    def serial(self) -> str:
        """The serial number the device reported (the first evidence of the ``serial``
        family; "" when none, or in a listing read without evidence)."""
        keys = _serial_keys()
        return next((e.value for e in self.evidence if e.key in keys), "")

    @property
    def firmware_source(self) -> str:
        """Where the firmware version came from (``SADP (sadp.firmware)``, ``banner (...)``)."""
        return self.identification.vulnerabilities.firmware_source

    @property
    def hardware_maker(self) -> str:
        """The hardware maker with its country (``Dahua (CN)``), or ``unknown``."""
        return self.identification.origin.hardware_maker.label

    @property
    def firmware_developer(self) -> str:
        """The firmware developer with its country, or ``unknown``."""
        return self.identification.origin.firmware_developer.label

    @property
    def owner(self) -> str:
        """The parent/control chain of maker, firmware developer and brand, with countries."""
        return self.identification.origin.owner_text

    @property
    def origin_sources(self) -> tuple[str, ...]:
        """The sources behind the origin facts."""
        return self.identification.origin.sources

    @property
    def vulnerability(self) -> str:
        """affected (version in range), model listed (version unknown) or not matched."""
        return self.identification.vulnerabilities.text

    @property
    def cves(self) -> tuple[str, ...]:
        """One line per matched CVE: level, family, why, KEV date and the pack's date."""
        return tuple(f.line() for f in self.identification.vulnerabilities.findings)


SHORT_REASON_CHARS: Final = 100


def short_reason(reasons: tuple[str, ...]) -> str:
    """The first of ``reasons`` cut to ``SHORT_REASON_CHARS`` (at a word), with the
    count of the others.

    >>> short_reason(("Hikvision: on the FCC Covered List [policy x]", "caveat"))
    'Hikvision: on the FCC Covered List [policy x] (+1 more)'
    """
    if not reasons:
        return ""
    first = reasons[0]
    if len(first) > SHORT_REASON_CHARS:
        cut = first[: SHORT_REASON_CHARS - 3].rsplit(" ", 1)[0].rstrip(";,:")
        first = cut + "..."
    more = len(reasons) - 1
    return f"{first} (+{more} more)" if more else first


def _serial_keys() -> frozenset[str]:
    return family_keys("serial") | {"serial"}


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """A device as the inventory keeps it: the latest ``Device`` and the inventory's own
    fields.  ``device.evidence`` is that of the latest scan that saw the device;
    ``location`` is that of the latest scan of its site, ``reviewer`` who made its latest
    review (the review log's; neither has a column of its own)."""

    device: Device
    site: str | None
    first_seen: str
    last_seen: str
    first_scan_id: int
    last_scan_id: int
    presence: Presence
    review_status: ReviewStatus
    note: str
    review_updated_at: str | None
    location: str = ""
    reviewer: str = ""

    @property
    def device_key(self) -> str:
        """The device's inventory key."""
        return self.device.device_key


FieldKind = Literal["text", "optional_text", "bool", "float", "int", "list", "identification"]


@dataclass(frozen=True, slots=True)
class Field:
    """One field of the schema.

    ``name`` is the attribute on ``Device`` (``of="device"``) or ``DeviceRecord``
    (``of="record"``), the JSON key, the CSV header and the inventory column.
    ``column`` is the column's SQLite declaration, or None when the field has no column
    of its own (the evidence lives in its own table).  ``derived`` fields are properties
    of the identification: written, never read back.  ``csv`` puts it in the
    replacement-plan CSV; ``multiline`` keeps an admin's newlines there.
    """

    name: str
    label: str
    of: Literal["device", "record"]
    kind: FieldKind
    column: str | None
    derived: bool = False
    csv: bool = True
    multiline: bool = False

    def value(self, record: DeviceRecord) -> object:
        """The typed value of this field for ``record``."""
        owner: object = record.device if self.of == "device" else record
        return getattr(owner, self.name)

    def device_value(self, device: Device) -> object:
        """The typed value of this device-level field for ``device``."""
        if self.of != "device":
            raise ValueError(f"{self.name} is an inventory field, not a device field")
        return getattr(device, self.name)


_TEXT: Final = "TEXT NOT NULL DEFAULT ''"

FIELDS: Final[tuple[Field, ...]] = (
    Field("site", "Site", "record", "optional_text", "TEXT", multiline=True),
    Field("location", "Location", "record", "text", None, multiline=True),
    Field("ip", "IP", "device", "text", "TEXT NOT NULL"),
    Field("addresses", "Addresses", "device", "list", "TEXT NOT NULL DEFAULT '[]'"),
    Field("mac", "MAC", "device", "optional_text", "TEXT"),
    Field("maker", "Maker", "device", "text", _TEXT, derived=True),
    Field("brand", "Brand", "device", "text", _TEXT, derived=True),
    Field("model", "Model", "device", "text", _TEXT, derived=True),
    Field("firmware", "Firmware", "device", "optional_text", "TEXT", derived=True),
    Field("serial", "Serial", "device", "text", None, derived=True),
    Field("firmware_source", "Firmware from", "device", "text", None, derived=True),
    Field("device_type", "Type", "device", "text", "TEXT NOT NULL DEFAULT 'unknown'", True),
    Field("flagged", "Flag", "device", "bool", "INTEGER NOT NULL DEFAULT 0", derived=True),
    Field("flag_level", "Flag level", "device", "text", "TEXT NOT NULL DEFAULT 'no'", True),
    Field("flag_reason", "Flag reason", "device", "text", None, derived=True),
    Field("flag_reasons", "Flag reasons", "device", "list", "TEXT NOT NULL DEFAULT '[]'", True),
    Field("list_status", "List status", "device", "text", _TEXT, derived=True),
    Field("hardware_maker", "Hardware maker", "device", "text", None, derived=True),
    Field("firmware_developer", "Firmware developer", "device", "text", None, derived=True),
    Field("owner", "Owner", "device", "text", None, derived=True),
    Field("origin_sources", "Origin sources", "device", "list", None, derived=True),
    Field("vulnerability", "Vulnerable firmware", "device", "text", None, derived=True),
    Field("cves", "CVEs", "device", "list", None, derived=True),
    Field("review_status", "Review", "record", "text", "TEXT NOT NULL DEFAULT 'unreviewed'"),
    Field("note", "Note", "record", "text", _TEXT, multiline=True),
    Field("review_updated_at", "Reviewed at", "record", "optional_text", "TEXT"),
    Field("reviewer", "Reviewer", "record", "text", None),
    Field("first_seen", "First seen", "record", "text", "TEXT NOT NULL"),
    Field("last_seen", "Last seen", "record", "text", "TEXT NOT NULL"),
    Field("confidence", "Conf", "device", "float", "REAL NOT NULL DEFAULT 0", derived=True),
    Field("sources", "Sources", "device", "list", "TEXT NOT NULL DEFAULT '[]'", derived=True),
    Field("presence", "Presence", "record", "text", "TEXT NOT NULL DEFAULT 'present'"),
    Field("device_key", "Device key", "device", "text", "TEXT PRIMARY KEY"),
    Field("parent", "Parent", "device", "optional_text", "TEXT"),
    Field("mac_organisation", "MAC organisation", "device", "text", _TEXT, csv=False),
    Field("first_scan_id", "First scan", "record", "int", "INTEGER NOT NULL", csv=False),
    Field("last_scan_id", "Last scan", "record", "int", "INTEGER NOT NULL", csv=False),
    Field(
        "identification",
        "Identification",
        "device",
        "identification",
        "TEXT NOT NULL DEFAULT '{}'",
        csv=False,
    ),
)
DEVICE_FIELDS: Final = tuple(f for f in FIELDS if f.of == "device")
RECORD_FIELDS: Final = tuple(f for f in FIELDS if f.of == "record")
_BY_NAME: Final = {f.name: f for f in FIELDS}


def field_text(item: Field, value: object) -> str:
    """A field's value as one line of text (CSV cells, TUI cells, summaries).

    None is "", a flag is yes/no, a confidence has two decimals, a list is "; "-joined.
    """
    if value is None:
        return ""
    if item.kind == "bool":
        return "yes" if value else "no"
    if item.kind == "float":
        return f"{cast(float, value):.2f}"
    if item.kind == "list":
        return "; ".join(str(v) for v in cast("tuple[object, ...]", value))
    if item.kind == "identification":
        return json.dumps(cast(Identification, value).to_dict(), sort_keys=True)
    return str(value)


def sql_value(item: Field, value: object) -> object:
    """A field's value as its inventory column holds it."""
    if item.kind == "bool":
        return int(bool(value))
    if item.kind == "list":
        return json.dumps(list(cast("tuple[object, ...]", value)), ensure_ascii=False)
    if item.kind == "identification":
        identification = cast(Identification, value)
        return json.dumps(identification.to_dict(), sort_keys=True, ensure_ascii=False)
    return value


def _list_from_sql(raw: object) -> tuple[str, ...]:
    loaded = json.loads(str(raw or "[]"))
    if not isinstance(loaded, list):
        raise ValueError("the column holds no JSON list")
    return tuple(str(v) for v in loaded)


def _identification_from_sql(raw: object) -> Identification:
    try:
        return Identification.from_dict(json.loads(str(raw)))
    except (VendorDataError, json.JSONDecodeError) as exc:
        raise ValueError(str(exc)) from exc


_FROM_SQL: Final[Mapping[FieldKind, Callable[[Any], object]]] = {
    "text": str,
    "optional_text": lambda raw: None if raw is None else str(raw),
    "bool": bool,
    "float": float,
    "int": int,
    "list": _list_from_sql,
    "identification": _identification_from_sql,
}


def value_from_sql(item: Field) -> Callable[[Any], object]:
    """How a field's typed value comes back from its column: a function of the raw
    column value that raises ValueError (or TypeError) for anything the schema cannot
    have written."""
    return _FROM_SQL[item.kind]


def _json_value(item: Field, value: object) -> object:
    if item.kind == "list":
        return list(cast("tuple[object, ...]", value))
    if item.kind == "identification":
        return cast(Identification, value).to_dict()
    if item.kind == "float":
        return round(cast(float, value), 3)
    return value


def _evidence_json(device: Device) -> list[dict[str, str]]:
    return [
        {"key": e.key, "value": e.value, "source": e.source, "address": e.address}
        for e in device.evidence
    ]


def device_json(device: Device) -> dict[str, object]:
    """One device as JSON: every device field of the schema, then its evidence."""
    document = {f.name: _json_value(f, f.device_value(device)) for f in DEVICE_FIELDS}
    document["evidence"] = _evidence_json(device)
    return document


def record_json(record: DeviceRecord) -> dict[str, object]:
    """One inventory record as JSON: every field of the schema, then the evidence of the
    device's latest scan."""
    document = {f.name: _json_value(f, f.value(record)) for f in FIELDS}
    document["evidence"] = _evidence_json(record.device)
    return document


@dataclass(frozen=True, slots=True)
class ScanInfo:
    """One scan run: who ran it, where, over what, and how it ended.

    ``finished_at`` is None while running and for a scan whose process died
    (recovered as ``incomplete``).  ``site`` is the site it scanned (None: no site) and
    ``location`` where or what that site is ("" when the scope file does not say).
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
    site: str | None = None
    location: str = ""


@dataclass(frozen=True, slots=True)
class Coverage:
    """How the scan reached one target: ``on-link`` (every discovery method),
    ``routed`` (unicast to every address), ``snmp`` (unicast to the addresses a router's
    ARP cache listed) or ``routed, snmp`` (the one for some addresses, the other for
    the rest); how many addresses it probed, how many answered, and
    how many of its addresses got their MAC from a router's ARP cache."""

    target: str
    reached: str
    addresses: int
    answered: int
    snmp_macs: int = 0


@dataclass(frozen=True, slots=True)
class SnmpCoverage:
    """What one SNMP agent gave: ARP and forwarding entries, how many ARP entries lie in
    the targets, and the MACs its tables list that no device of this scan has
    ("unmapped MACs": a device that answered no probe, or one outside the targets)."""

    agent: str
    version: str
    error: str | None
    arp_entries: int
    fdb_entries: int
    in_targets: int
    unmapped_macs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecorderCoverage:
    """One recorder the scan found: its address and key, the channels it announced
    (SADP/DHIP digital channels; None when it said nothing), how many cameras it
    listed, and why not when it listed none (``credentials needed``, ``login
    failed``, ``locked``, or what went wrong; "" when listed)."""

    address: str
    device_key: str
    channels: int | None
    listed: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DeviceSnapshot:
    """The identity of one device as recorded by one scan (for scan comparison).

    Its fields, after ``scan_id``, are schema fields: the store writes and reads the
    ``device_history`` table through them.
    """

    scan_id: int
    device_key: str
    ip: str
    maker: str
    brand: str
    model: str
    firmware: str | None
    device_type: str
    flagged: bool

    @staticmethod
    def fields() -> tuple[Field, ...]:
        """The schema fields a snapshot keeps, in order."""
        return tuple(_BY_NAME[name] for name in SNAPSHOT_FIELD_NAMES)


SNAPSHOT_FIELD_NAMES: Final = (
    "device_key",
    "ip",
    "maker",
    "brand",
    "model",
    "firmware",
    "device_type",
    "flagged",
)


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
