"""The SQLite inventory: scans, devices, their evidence and the admin's review.

One ``Inventory`` wraps one ``sqlite_utils.Database`` (one connection; use one
``Inventory`` per thread).  The schema is built by ``sqlite_utils.Migrations`` and
recorded in ``_sqlite_migrations``, so reopening is idempotent.  File databases run in
WAL mode with ``synchronous=NORMAL`` and a busy timeout, so the TUI can read while a
scan writes, and a scan process killed at any point leaves every committed device
complete (one transaction per device).

The ``devices`` columns are the fields of the one device schema
(``scanner.core.schema.FIELDS``): rows are written and read back through it, and a
test holds the migrated table to it.

Rules the store keeps:

* a device is never deleted; a *complete* scan marks devices of its own site it did
  not see, all of whose addresses lie inside its targets and that no later scan saw,
  ``presence = 'missing'``;
  ``incomplete``/``failed`` scans never mark anything missing;
* a scan covers one site (or none): its devices are keyed in that site, and its scan
  and evidence rows carry it;
* re-recording a device updates its identification and keeps ``first_seen``, ``site``,
  ``review_status`` and ``note``;
* scan options are stored with credential-like keys redacted;
* ``recover_stale_scans()`` (run on a writable open) marks ``running`` scans whose
  process is gone as ``incomplete``; every reader (a read-only open too) shows such a
  scan as ``incomplete`` already, without writing;
* readers open the file read-only (``Inventory.open(path, read_only=True)``): nothing
  is written, so an inventory on read-only media can be browsed and exported; the
  few writes a reader asks for (the TUI's review) go through a short-lived writable
  connection of their own;
* a database whose ``_sqlite_migrations`` names a migration this camcensus does not
  know was written by a newer camcensus and is refused before anything is read;
* every SQLite error (locked, disk full, damaged, read-only) is raised as an
  ``InventoryError`` that says which, never as ``sqlite3.Error``.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import hashlib
import json
import os
import platform
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Concatenate, Final, Literal, NamedTuple, ParamSpec, TypeVar, cast, get_args
from urllib.parse import quote

from sqlite_utils import Database, Migrations

from camcensus.base.errors import InventoryError
from camcensus.base.evidence import Evidence
from camcensus.base.version import __version__
from camcensus.scanner.core.bundle import raw_table, table_rows
from camcensus.scanner.core.identity import Traits, contradicts, device_tokens
from camcensus.scanner.core.listing import (
    FILTERED_COLUMNS,
    ListingQuery,
    listing_before,
    listing_index_terms,
    listing_order,
    listing_where,
)
from camcensus.scanner.core.merge import reflag
from camcensus.scanner.core.schema import (
    DEVICE_FIELDS,
    FIELDS,
    RECORD_FIELDS,
    REVIEW_STATUSES,
    SNAPSHOT_FIELD_NAMES,
    Coverage,
    Device,
    DeviceRecord,
    DeviceSnapshot,
    FieldChange,
    Presence,
    RecorderCoverage,
    ReviewStatus,
    ScanComparison,
    ScanInfo,
    ScanStatus,
    SnmpCoverage,
    site_of_key,
    sql_value,
    value_from_sql,
)
from camcensus.scanner.core.scope import check_site_name, parse_targets
from camcensus.vendor_db.policy import Policy

__all__ = [
    "MAX_EVIDENCE_VALUE_CHARS",
    "REDACTED",
    "Inventory",
    "MergeReport",
    "ReviewEntry",
    "SummaryCount",
    "SummaryField",
    "redact_options",
    "table_rows",
]

Clock = Callable[[], datetime]
SummaryField = Literal["maker", "model", "site"]

REDACTED: Final = "<redacted>"
MAX_EVIDENCE_VALUE_CHARS: Final = 16_384
_TRUNCATED_MARK: Final = "...[truncated]"
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|credential|api[_-]?key|private[_-]?key|auth|cookie",
    re.IGNORECASE,
)
_FINISH_STATUSES: Final[tuple[ScanStatus, ...]] = ("complete", "incomplete", "failed")
_COMPARED_FIELDS: Final = SNAPSHOT_FIELD_NAMES[1:]
"""What a scan comparison reports as changed: every snapshot field but the key."""
_DEVICE_COLUMNS: Final = tuple(f for f in DEVICE_FIELDS if f.column is not None)
_STORED_DEVICE_FIELDS: Final = tuple(
    (f.name, value_from_sql(f)) for f in _DEVICE_COLUMNS if not f.derived
)
"""The device fields a row is read back into, each with its decoder."""
_STATE_FIELDS: Final = tuple(
    (f.name, value_from_sql(f)) for f in RECORD_FIELDS if f.column is not None
)
_LOCATION: Final = (
    "(SELECT s.location FROM scans AS s WHERE s.site = devices.site "
    "ORDER BY s.id DESC LIMIT 1) AS location"
)
"""A device's location: that of the latest scan of its site (none without a site)."""
_REVIEWER: Final = (
    "(SELECT r.reviewer FROM review_log AS r WHERE r.device_key = devices.device_key "
    "ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1) AS reviewer"
)
"""Who made a device's latest review (the review log's; none before its first)."""
_ALL_COLUMNS: Final = f"*, {_LOCATION}, {_REVIEWER}"
_LISTING_COLUMNS: Final = (
    ", ".join(
        "CASE WHEN json_valid(identification) THEN json_remove(identification, '$.chain') "
        "ELSE identification END AS identification"
        if f.name == "identification"
        else f.name
        for f in FIELDS
        if f.column is not None
    )
    + f", {_LOCATION}, {_REVIEWER}"
)
"""What a listing reads: every column, the identification without its evidence chain,
the location and the reviewer."""

_KEPT_WHEN_UNSEEN: Final = {
    "mac": "coalesce(excluded.mac, devices.mac)",
    "mac_organisation": "CASE WHEN excluded.mac IS NULL THEN devices.mac_organisation "
    "ELSE excluded.mac_organisation END",
}
"""Columns a rescan that saw less (no MAC without root or across a router) keeps."""

_DUMPED: Final = (
    ("evidence", "scan_id, device_key, key, value, source, address, site", "id", "scan"),
    ("device_history", "*", "scan_id, device_key", "scan"),
    ("scan_coverage", "*", "rowid", "scan"),
    ("scan_snmp_agents", "*", "rowid", "scan"),
    ("scan_recorders", "*", "rowid", "scan"),
    ("device_tokens", "*", "rowid", "device"),
    ("device_aliases", "*", "alias", "device"),
    ("review_log", "device_key, status, note, reviewed_at, reviewer, origin", "id", "device"),
    (
        "review_conflicts",
        "device_key, status, note, reviewed_at, reviewer, origin, found_at",
        "id",
        "device",
    ),
)
"""The tables ``Inventory.dump`` writes after scans and devices: name, columns, order,
and whether rows belong to a scan (then also to a device, where they name one) or
only to a device."""
_REVIEW_COLUMNS: Final = ("review_status", "note", "review_updated_at")
"""The admin's review: a merge changes it only through the review rules."""

_SCHEMA: Final = Migrations("camcensus.inventory")


@_SCHEMA(name="0001_initial")
def _m0001_initial(db: Database) -> None:
    statements = [
        """CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL
                CHECK (status IN ('running', 'complete', 'incomplete', 'failed')),
            operator TEXT NOT NULL,
            host TEXT NOT NULL,
            scope TEXT NOT NULL,
            targets TEXT NOT NULL,
            options_json TEXT NOT NULL DEFAULT '{}',
            device_count INTEGER NOT NULL DEFAULT 0,
            flagged_count INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            pid INTEGER,
            pid_host TEXT,
            pid_start_ticks INTEGER
        )""",
        """CREATE TABLE devices (
            device_key TEXT PRIMARY KEY,
            ip TEXT NOT NULL,
            mac TEXT,
            maker TEXT NOT NULL DEFAULT '',
            brand TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            firmware TEXT,
            device_type TEXT NOT NULL DEFAULT 'unknown',
            confidence REAL NOT NULL DEFAULT 0,
            flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
            flag_reasons TEXT NOT NULL DEFAULT '[]',
            list_status TEXT NOT NULL DEFAULT '',
            sources_json TEXT NOT NULL DEFAULT '[]',
            identity_json TEXT NOT NULL DEFAULT '{}',
            site TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            first_scan_id INTEGER NOT NULL REFERENCES scans(id),
            last_scan_id INTEGER NOT NULL REFERENCES scans(id),
            presence TEXT NOT NULL DEFAULT 'present'
                CHECK (presence IN ('present', 'missing')),
            review_status TEXT NOT NULL DEFAULT 'unreviewed'
                CHECK (review_status IN
                    ('unreviewed', 'to_replace', 'accepted_risk', 'replaced', 'false_positive')),
            note TEXT NOT NULL DEFAULT '',
            review_updated_at TEXT
        )""",
        """CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            device_key TEXT NOT NULL REFERENCES devices(device_key),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE device_history (
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            device_key TEXT NOT NULL REFERENCES devices(device_key),
            ip TEXT NOT NULL,
            maker TEXT NOT NULL DEFAULT '',
            brand TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            firmware TEXT,
            device_type TEXT NOT NULL DEFAULT 'unknown',
            flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
            PRIMARY KEY (scan_id, device_key)
        )""",
        "CREATE INDEX idx_evidence_device_scan ON evidence (device_key, scan_id)",
        "CREATE INDEX idx_evidence_scan ON evidence (scan_id)",
        "CREATE INDEX idx_device_history_device ON device_history (device_key)",
        "CREATE INDEX idx_devices_ip ON devices (ip)",
        "CREATE INDEX idx_scans_status ON scans (status)",
        """CREATE VIEW device_overview AS
        SELECT
            d.site,
            d.ip,
            d.mac,
            d.maker,
            d.brand,
            d.model,
            d.firmware,
            d.device_type,
            CASE d.flagged WHEN 1 THEN 'yes' ELSE 'no' END AS flagged,
            (SELECT group_concat(j.value, '; ') FROM json_each(d.flag_reasons) AS j)
                AS flag_reasons,
            d.list_status,
            d.presence,
            d.review_status,
            d.note,
            d.first_seen,
            d.last_seen,
            d.confidence,
            d.device_key
        FROM devices AS d
        ORDER BY d.flagged DESC, d.site, d.ip""",
    ]
    for sql in statements:
        db.execute(sql)


@_SCHEMA(name="0002_one_device_schema")
def _m0002_one_device_schema(db: Database) -> None:
    """Columns named as the schema names them, every address of a device, and the MAC
    block's organisation kept apart from the identified maker."""
    statements = [
        "DROP VIEW device_overview",
        "ALTER TABLE devices RENAME COLUMN sources_json TO sources",
        "ALTER TABLE devices RENAME COLUMN identity_json TO identification",
        "ALTER TABLE devices ADD COLUMN addresses TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE devices ADD COLUMN mac_organisation TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE devices ADD COLUMN flag_level TEXT NOT NULL DEFAULT 'no'",
        "UPDATE devices SET flag_level = CASE flagged WHEN 1 THEN 'flagged' ELSE 'no' END",
        "UPDATE devices SET addresses = json_array(ip)",
        # 0001 accepted an identity of '{}' (its default) or one without every field;
        # the typed identification needs them: rebuild such rows from their columns
        """UPDATE devices SET identification = json_object(
               'maker', nullif(maker, ''), 'brand', nullif(brand, ''),
               'model', nullif(model, ''), 'firmware', firmware,
               'device_type', CASE WHEN device_type IN ('camera', 'nvr', 'other')
                   THEN device_type ELSE 'unknown' END,
               'confidence', confidence,
               'flag', json_object(
                   'flagged', json(CASE flagged WHEN 1 THEN 'true' ELSE 'false' END),
                   'reasons', json(flag_reasons), 'list_status', list_status,
                   'sources', json(sources), 'unverified', json('[]')),
               'conflicts', json('[]'), 'chain', json('[]'))
           WHERE NOT json_valid(identification)
              OR json_type(identification, '$.device_type') IS NOT 'text'
              OR json_type(identification, '$.confidence') NOT IN ('integer', 'real')
              OR json_type(identification, '$.flag') IS NOT 'object'""",
        # 0001 stored the MAC organisation as the maker when identification named none
        """UPDATE devices SET mac_organisation = maker
           WHERE json_extract(identification, '$.maker') IS NULL""",
        """CREATE VIEW device_overview AS
        SELECT
            d.site,
            d.ip,
            (SELECT group_concat(j.value, ' ') FROM json_each(d.addresses) AS j)
                AS addresses,
            d.mac,
            d.maker,
            d.brand,
            d.model,
            d.firmware,
            d.device_type,
            CASE d.flagged WHEN 1 THEN 'yes' ELSE 'no' END AS flagged,
            d.flag_level,
            (SELECT group_concat(j.value, '; ') FROM json_each(d.flag_reasons) AS j)
                AS flag_reasons,
            d.list_status,
            d.presence,
            d.review_status,
            d.note,
            d.first_seen,
            d.last_seen,
            d.confidence,
            d.device_key
        FROM devices AS d
        ORDER BY d.flagged DESC, d.flag_level = 'possible' DESC, d.site, d.ip""",
    ]
    for sql in statements:
        db.execute(sql)


@_SCHEMA(name="0003_scan_coverage")
def _m0003_scan_coverage(db: Database) -> None:
    """How each scan reached each target, and what each SNMP agent gave it."""
    statements = [
        """CREATE TABLE scan_coverage (
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            target TEXT NOT NULL,
            reached TEXT NOT NULL,
            addresses INTEGER NOT NULL,
            answered INTEGER NOT NULL,
            snmp_macs INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (scan_id, target)
        )""",
        """CREATE TABLE scan_snmp_agents (
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            agent TEXT NOT NULL,
            version TEXT NOT NULL,
            error TEXT,
            arp_entries INTEGER NOT NULL,
            fdb_entries INTEGER NOT NULL,
            in_targets INTEGER NOT NULL,
            unmapped_macs TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (scan_id, agent)
        )""",
    ]
    for sql in statements:
        db.execute(sql)


@_SCHEMA(name="0004_sites")
def _m0004_sites(db: Database) -> None:
    """The site (and its location) each scan covered, and the site of each evidence row.

    Device keys are unchanged: a device scanned without a site keeps its key, and a
    device of a site has the site in its key (``schema.device_key_for``).
    """
    statements = [
        "ALTER TABLE scans ADD COLUMN site TEXT",
        "ALTER TABLE scans ADD COLUMN location TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE evidence ADD COLUMN site TEXT",
        "CREATE INDEX idx_devices_site ON devices (site)",
    ]
    for sql in statements:
        db.execute(sql)


def _legacy_scan_uid(row: Mapping[str, object]) -> str:
    text = "\x1f".join(str(row[k]) for k in ("id", "started_at", "operator", "host", "targets"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@_SCHEMA(name="0005_identity")
def _m0005_identity(db: Database) -> None:
    """What keeps one record per device across scans and inventories.

    ``scans.uid`` names a scan in every inventory it is merged into; ``device_tokens``
    holds each device's stable reported identities (``scanner.core.identity``);
    ``device_aliases`` the keys a device had before a later scan or a merge joined
    records; ``review_log`` every review with who made it, when and where;
    ``review_conflicts`` reviews of another inventory that disagreed with this one's.
    """
    statements = [
        "ALTER TABLE scans ADD COLUMN uid TEXT",
        "ALTER TABLE scans ADD COLUMN merged_from TEXT NOT NULL DEFAULT ''",
        """CREATE TABLE device_tokens (
            token TEXT NOT NULL,
            device_key TEXT NOT NULL REFERENCES devices(device_key),
            site TEXT,
            PRIMARY KEY (token, device_key)
        )""",
        "CREATE INDEX idx_device_tokens_device ON device_tokens (device_key)",
        "CREATE INDEX idx_device_tokens_site ON device_tokens (site)",
        """CREATE TABLE device_aliases (
            alias TEXT PRIMARY KEY,
            device_key TEXT NOT NULL REFERENCES devices(device_key),
            joined_at TEXT NOT NULL,
            reason TEXT NOT NULL
        )""",
        "CREATE INDEX idx_device_aliases_device ON device_aliases (device_key)",
        """CREATE TABLE review_log (
            id INTEGER PRIMARY KEY,
            device_key TEXT NOT NULL REFERENCES devices(device_key),
            status TEXT NOT NULL,
            note TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT '',
            UNIQUE (device_key, status, note, reviewed_at, reviewer)
        )""",
        """CREATE TABLE review_conflicts (
            id INTEGER PRIMARY KEY,
            device_key TEXT NOT NULL REFERENCES devices(device_key),
            status TEXT NOT NULL,
            note TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            origin TEXT NOT NULL,
            found_at TEXT NOT NULL,
            UNIQUE (device_key, status, note, reviewed_at, reviewer)
        )""",
        # reviews made before the log existed: their time is known, not who made them
        """INSERT INTO review_log (device_key, status, note, reviewed_at, reviewer)
           SELECT device_key, review_status, note, review_updated_at, ''
           FROM devices WHERE review_updated_at IS NOT NULL""",
    ]
    for sql in statements:
        db.execute(sql)
    # a scan's uid from what it was, so a reader that migrates a copy of an older file
    # in memory gives its scans the same uids every time (merging it twice is a no-op)
    db.conn.executemany(
        "UPDATE scans SET uid = ? WHERE id = ?",
        [
            (_legacy_scan_uid(row), row["id"])
            for row in db.query("SELECT id, started_at, operator, host, targets FROM scans")
        ],
    )
    db.execute("CREATE UNIQUE INDEX idx_scans_uid ON scans (uid)")
    evidence: dict[str, list[Evidence]] = {}
    for row in db.query(
        """SELECT e.device_key, e.key, e.value FROM evidence AS e JOIN devices AS d
             ON d.device_key = e.device_key AND e.scan_id = d.last_scan_id
           WHERE e.key = 'wsd.endpoint' OR e.key LIKE '%serial%'"""
    ):
        evidence.setdefault(str(row["device_key"]), []).append(
            Evidence(str(row["key"]), str(row["value"]))
        )
    makers = {
        str(r["device_key"]): str(r["maker"])
        for r in db.query("SELECT device_key, maker FROM devices")
    }
    db.conn.executemany(
        "INSERT OR IGNORE INTO device_tokens VALUES (?, ?, ?)",
        [
            (token, key, site_of_key(key))
            for key, items in evidence.items()
            for token in device_tokens(makers.get(key, ""), items)
        ],
    )


@_SCHEMA(name="0006_children")
def _m0006_children(db: Database) -> None:
    """Cameras behind recorders: each device's recorder (``parent``, a device key), and
    per scan each recorder found, how many cameras it listed, and why not."""
    statements = [
        "ALTER TABLE devices ADD COLUMN parent TEXT",
        "CREATE INDEX idx_devices_parent ON devices (parent)",
        """CREATE TABLE scan_recorders (
            scan_id INTEGER NOT NULL REFERENCES scans(id),
            address TEXT NOT NULL,
            device_key TEXT NOT NULL,
            channels INTEGER,
            listed INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (scan_id, address)
        )""",
    ]
    for sql in statements:
        db.execute(sql)


class ReviewEntry(NamedTuple):
    """One review as the log keeps it."""

    device_key: str
    status: ReviewStatus
    note: str
    reviewed_at: str
    reviewer: str
    origin: str


_LISTING_INDEXED_SORTS: Final = ("flagged", "ip", "last_seen")
"""The sorts an index serves (the first paint's, by address, by when last seen); the
others sort the matching rows in SQLite (a few hundred ms at 100,000 devices)."""


@_SCHEMA(name="0008_listing")
def _m0008_listing(db: Database) -> None:
    """Indexes on the TUI listing's sort expressions (``scanner.core.listing``), so the
    rows on screen of a large inventory come from an index walk with LIMIT; and one
    over every column a listing filter reads, so counting a filter scans that index
    instead of the table (3x faster at 100,000 devices)."""
    for sort in _LISTING_INDEXED_SORTS:
        db.execute(
            f"CREATE INDEX idx_devices_listing_{sort} ON devices ({listing_index_terms(sort)})"
        )
    db.execute(
        f"CREATE INDEX idx_devices_listing_filter ON devices ({', '.join(FILTERED_COLUMNS)})"
    )


class SummaryCount(NamedTuple):
    """How many devices, and how many flagged, share one maker / model / site."""

    value: str
    device_count: int
    flagged_count: int


def redact_options(options: Mapping[str, object]) -> dict[str, object]:
    """A copy of scan options with the value of every credential-like key (password,
    secret, token, auth, api key, ...) replaced by ``REDACTED``, at any depth.

    >>> redact_options({"ports": [80], "onvif": {"password": "hunter2"}})
    {'ports': [80], 'onvif': {'password': '<redacted>'}}
    """
    return {str(k): _redact_value(str(k), v) for k, v in options.items()}


def _redact_value(key: str, value: object) -> object:
    if _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, Mapping):
        return redact_options(cast("Mapping[str, object]", value))
    if isinstance(value, list | tuple):
        return [_redact_value("", item) for item in value]
    return value


def _user() -> str:
    """Who runs camcensus (the login name; "unknown" where the system cannot say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _review_entry(row: Mapping[str, object]) -> ReviewEntry:
    return ReviewEntry(
        device_key=str(row["device_key"]),
        status=cast(ReviewStatus, row["status"]),
        note=str(row["note"]),
        reviewed_at=str(row["reviewed_at"]),
        reviewer=str(row["reviewer"]),
        origin=str(row["origin"]),
    )


def _key_kind(device_key: str) -> str:
    """``mac`` or ``ip`` (or ``ch`` ...): what a device key is built on, its site aside."""
    site = site_of_key(device_key)
    rest = device_key[len(site) + 1 :] if site is not None else device_key
    if "/ch:" in rest:  # a camera behind a recorder: the recorder's key, then its channel
        return "ch"
    return rest.partition(":")[0]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _process_start_ticks(pid: int) -> int | None:
    """Start time of a process in clock ticks since boot (Linux ``/proc``), else None.

    Guards against PID reuse: a live PID with another start time is another process.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # Field 2 (comm) may hold spaces and parentheses; the fields after the last ')'
    # start at field 3, so starttime (field 22) is index 19 there.
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _addresses(row: Mapping[str, object]) -> list[str]:
    """A device row's addresses (the ``addresses`` list, else its ``ip``)."""
    try:
        listed = json.loads(str(row["addresses"] or "[]"))
    except json.JSONDecodeError:
        listed = []
    return [str(a) for a in listed] if isinstance(listed, list) and listed else [str(row["ip"])]


def _cap(value: str) -> str:
    if len(value) <= MAX_EVIDENCE_VALUE_CHARS:
        return value
    return value[: MAX_EVIDENCE_VALUE_CHARS - len(_TRUNCATED_MARK)] + _TRUNCATED_MARK


def _json_list(text: str | None) -> list[object]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _json_dict(text: str | None) -> dict[str, object]:
    if not text:
        return {}
    value = json.loads(text)
    return cast("dict[str, object]", value) if isinstance(value, dict) else {}


_P = ParamSpec("_P")
_R = TypeVar("_R")

_STALE_ERROR: Final = "scan process ended without finishing the scan"


_PROBLEMS: Final = (
    (("SQLITE_BUSY", "SQLITE_LOCKED"), "locked",
     "is locked by another program (waited {timeout} s); try again when the other scan "
     "or writer is done"),
    (("SQLITE_FULL",), "disk is full",
     "cannot be written: the disk is full (or the database hit its size limit)"),
    (("SQLITE_CORRUPT", "SQLITE_NOTADB"), "malformed",
     "is damaged ({text}); keep a copy for recovery (sqlite3 .recover) and scan into a "
     "new --db"),
    (("SQLITE_READONLY",), "readonly",
     "is read-only here (file mode, read-only mount or media); copy it to write to it"),
    (("SQLITE_CANTOPEN",), "unable to open",
     "cannot be opened (missing folder, no permission, or a read-only folder)"),
    (("SQLITE_IOERR",), "disk I/O", "cannot be read or written: disk I/O error ({text})"),
)  # fmt: skip
"""SQLite error names (or, failing those, words of the message) -> what to tell."""


def _sqlite_problem(exc: sqlite3.Error, busy_timeout_s: float) -> str:
    """What an SQLite error means for the operator, in one phrase."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    text = str(exc)
    for names, words, message in _PROBLEMS:
        if name.startswith(names) or words in text:
            return message.format(timeout=f"{busy_timeout_s:g}", text=text)
    return f"failed: {text}"


def _translated(
    method: Callable[Concatenate[Inventory, _P], _R],
) -> Callable[Concatenate[Inventory, _P], _R]:
    """Raise every ``sqlite3.Error`` of ``method`` as an InventoryError that says what
    went wrong (locked, disk full, damaged, read-only)."""

    @functools.wraps(method)
    def wrapper(self: Inventory, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise self.error(exc) from exc

    return wrapper


def _process_gone(row: Mapping[str, object]) -> bool:
    """True for a ``running`` scan started on this host whose process no longer runs
    (same PID and start time, so a reused PID does not count as alive)."""
    if row["status"] != "running" or row["pid_host"] != platform.node() or row["pid"] is None:
        return False
    pid = int(cast(int, row["pid"]))
    if _pid_alive(pid):
        started = row["pid_start_ticks"]
        if started is None or _process_start_ticks(pid) == started:
            return False
    return True


def _remove_created(path: Path) -> None:
    """Remove the database file (and its WAL files) a failed open created: it did not
    exist before, so it holds nothing of the operator's."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            leftover.unlink()


@functools.cache
def _known_migrations() -> tuple[str, ...]:
    """The names of every migration this camcensus has, oldest first."""
    return tuple(m.name for m in _SCHEMA.pending(Database(memory=True)))


def _read_only_uri(path: Path, *, immutable: bool) -> str:
    flag = "immutable=1" if immutable else "mode=ro"
    return f"file:{quote(str(path.resolve()))}?{flag}"


def _on_read_only_media(path: Path) -> bool:
    """True when no SQLite lock file can be made next to ``path`` (a read-only mount,
    or a folder this user cannot write to)."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(path.parent, os.W_OK)


class Inventory:
    """The camcensus inventory over one SQLite database (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = _utc_now,
        read_only: bool = False,
        path: Path | None = None,
        busy_timeout_s: float = 5.0,
        policy: Policy | None = None,
    ) -> None:
        """Wrap an open database: check its schema version, migrate it and recover stale
        scans (unless ``read_only``: then nothing is written; an older schema is
        migrated in a copy in memory).

        ``policy`` re-decides the flags of the devices read back (devices, device,
        summary_by) under that policy instead of the one in force when they were
        scanned; scan history keeps what each scan recorded.
        Prefer ``Inventory.open(path)`` or ``Inventory.memory()``.
        """
        self._db = db
        self._clock = clock
        self._read_only = read_only
        self._path = path
        self._busy_timeout_s = busy_timeout_s
        self._policy = policy
        self._scan_keys: dict[int, dict[str, str]] = {}
        self._scan_claimed: dict[int, set[str]] = {}
        """Per running scan: the inventory records it has written (no other device of
        the scan may be matched to them)."""
        self._column_cache: dict[str, list[str]] = {}
        """Per running scan: each device key it recorded -> the key it was stored under."""
        self._name = f"inventory {path}" if path is not None else "inventory"
        try:
            self._check_version()
            if read_only:
                self._migrate_copy()
            else:
                self._db.execute("PRAGMA foreign_keys = ON")
                _SCHEMA.apply(self._db)
            present = {column.name for column in self._db["devices"].columns}
        except sqlite3.Error as exc:
            self._db.close()
            raise self.error(exc, "cannot be opened or migrated") from exc
        except InventoryError:
            self._db.close()
            raise
        missing = sorted({f.name for f in FIELDS if f.column is not None} - present)
        if missing:
            self._db.close()
            # a database some other program (or an unreleased build) wrote under our name
            raise InventoryError(
                "the inventory's devices table lacks the columns "
                f"{', '.join(missing)} its schema version promises: not written by this "
                "camcensus; keep it and scan into a new --db"
            )
        if not read_only:
            self.recover_stale_scans()

    def error(self, exc: sqlite3.Error, what: str | None = None) -> InventoryError:
        """The InventoryError for an SQLite error on this inventory."""
        problem = _sqlite_problem(exc, self._busy_timeout_s)
        if what is not None and problem.startswith("failed: "):
            problem = f"{what}: {exc}"
        return InventoryError(f"{self._name} {problem}")

    def _check_version(self) -> None:
        known = _known_migrations()
        applied = [m.name for m in _SCHEMA.applied(self._db)]
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise InventoryError(
                f"{self._name} was written by a newer camcensus (schema "
                f"{', '.join(unknown)}); camcensus {__version__} knows the schema up to "
                f"{known[-1]}: upgrade camcensus to open it (it was not changed)"
            )
        if not applied and self._read_only and self._db.table_names():
            raise InventoryError(f"{self._name} is not a camcensus inventory")

    def _migrate_copy(self) -> None:
        """A reader of an inventory an older camcensus wrote: migrate a copy in memory."""
        if not _SCHEMA.pending(self._db):
            return
        copy = sqlite3.connect(":memory:")
        self._db.conn.backup(copy)
        self._db.close()
        self._db = Database(copy, execute_plugins=False)
        _SCHEMA.apply(self._db)

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        read_only: bool = False,
        busy_timeout_s: float = 5.0,
        clock: Clock = _utc_now,
        policy: Policy | None = None,
    ) -> Inventory:
        """Open (or create) the inventory file at ``path`` in WAL mode.

        With ``create=False`` a missing file raises InventoryError instead of being
        created.  With ``read_only`` nothing is ever written to the file (it must
        exist); on read-only media it is opened immutable.
        """
        db_path = Path(path)
        if (read_only or not create) and not db_path.is_file():
            raise InventoryError(f"no inventory database at {db_path}")
        created = not read_only and not db_path.exists()
        conn: sqlite3.Connection | None = None
        try:
            try:
                if read_only:
                    conn = cls._connect_read_only(db_path, busy_timeout_s)
                else:
                    conn = sqlite3.connect(str(db_path), timeout=busy_timeout_s)
                db = Database(conn, execute_plugins=False)
                db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
                if not read_only:
                    db.enable_wal()
                    db.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.Error as exc:
                if conn is not None:
                    conn.close()
                problem = _sqlite_problem(exc, busy_timeout_s)
                raise InventoryError(f"inventory {db_path} {problem}") from exc
            return cls(
                db,
                clock=clock,
                read_only=read_only,
                path=db_path,
                busy_timeout_s=busy_timeout_s,
                policy=policy,
            )
        except BaseException:
            if created:
                _remove_created(db_path)
            raise

    @staticmethod
    def _connect_read_only(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
        conn = sqlite3.connect(
            _read_only_uri(path, immutable=False), uri=True, timeout=busy_timeout_s
        )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn.close()
            if not _on_read_only_media(path):
                raise
            # a WAL database needs a -shm file; on read-only media none can be made, and
            # nobody can be writing there either
            conn = sqlite3.connect(_read_only_uri(path, immutable=True), uri=True)
        return conn

    @classmethod
    def memory(cls, *, clock: Clock = _utc_now, policy: Policy | None = None) -> Inventory:
        """A throw-away in-memory inventory (tests, dry runs)."""
        return cls(Database(memory=True, execute_plugins=False), clock=clock, policy=policy)

    @property
    def policy(self) -> Policy | None:
        """The policy flags are re-decided under (None: as each scan decided them)."""
        return self._policy

    @property
    def db(self) -> Database:
        """The underlying sqlite-utils database (for read-only queries and Datasette-style use)."""
        return self._db

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Inventory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="seconds")

    # -- scans ------------------------------------------------------------------------

    @_translated
    def begin_scan(
        self,
        *,
        operator: str,
        scope: str,
        targets: str | Sequence[str],
        options: Mapping[str, object] | None = None,
        host: str | None = None,
        site: str | None = None,
        location: str = "",
    ) -> int:
        """Record a new scan as ``running`` (committed at once) and return its id.

        ``site`` is the one site the scan covers (None: no site; ScopeError if it cannot
        name one, ``scanner.core.scope.check_site_name``): its devices are keyed in it,
        and it marks missing only devices of that site.  ``location`` says where or what
        the site is.

        ``targets`` are target specs (``scanner.core.scope.parse_targets``; ScopeError if
        unparsable), stored as CIDR blocks.
        ``options`` are stored with credential-like keys redacted.  The scan also records
        this process's id and host so ``recover_stale_scans`` can tell a live scan from a
        dead one.
        """
        targets_text = " ".join(str(n) for t in parse_targets(targets) for n in t.networks())
        site = check_site_name(site) if site is not None else None
        options_json = json.dumps(
            redact_options(options or {}), sort_keys=True, ensure_ascii=False, default=str
        )
        pid = os.getpid()
        cursor = self._db.execute(
            """INSERT INTO scans (started_at, status, operator, host, scope, targets,
                   options_json, pid, pid_host, pid_start_ticks, site, location, uid)
               VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                self._now(),
                operator,
                host if host is not None else platform.node(),
                scope,
                targets_text,
                options_json,
                pid,
                platform.node(),
                _process_start_ticks(pid),
                site,
                location,
                uuid.uuid4().hex,
            ],
        )
        scan_id = cursor.lastrowid
        if scan_id is None:  # pragma: no cover (sqlite always sets it after INSERT)
            raise InventoryError("scan row was not created")
        return scan_id

    def _scan_row(self, scan_id: int) -> dict[str, object]:
        rows = list(self._db.query("SELECT * FROM scans WHERE id = ?", [scan_id]))
        if not rows:
            raise InventoryError(f"no scan with id {scan_id}")
        return rows[0]

    def _require_running(self, scan_id: int) -> dict[str, object]:
        row = self._scan_row(scan_id)
        if row["status"] != "running":
            raise InventoryError(f"scan {scan_id} is {row['status']}, not running")
        return row

    @_translated
    def record_device(self, scan_id: int, device: Device) -> Device:
        """Store one device seen by a running scan, in one transaction; return it as
        stored (under the key of the inventory record it was taken to be).

        A device's key can drift between scans (no MAC without root or across a router,
        a new address), so before it is written the device is matched to the record it
        is (``_resolve``): the record of its own key; for a device without a link-layer
        MAC, the one record of its site that holds one of its stable reported identities
        (``scanner.core.identity``), else the one record at its address; in every case
        only a record nothing contradicts (another MAC, maker or serial) and that no
        device of this scan has been matched to already.  A device with a MAC that a
        record without one matches takes that record over: its review, note, first
        sighting and history join the MAC's record, and the old key stays an alias.

        Updates the device's schema columns and ``last_seen`` and marks it present
        (keeping ``first_seen``, ``site``, ``review_status`` and ``note``), replaces this
        scan's evidence rows for the device and writes its per-scan snapshot.  Recording
        the same device again in one scan (a second address of it was merged in)
        replaces what the first write stored for this scan.  A new device gets the
        scan's site; InventoryError when the device key names another site than the
        scan's.
        """
        scan = self._require_running(scan_id)
        site = cast("str | None", scan["site"])
        if site_of_key(device.device_key) != site:
            raise InventoryError(
                f"device {device.device_key!r} is not keyed in the site of scan {scan_id} "
                f"({site or 'no site'})"
            )
        tokens = device_tokens(device.maker, device.evidence)
        with self._db.atomic():
            key, absorbed = self._resolve(scan_id, device, tokens)
            self._scan_keys.setdefault(scan_id, {})[device.device_key] = key
            self._scan_claimed.setdefault(scan_id, set()).add(key)
            if key != device.device_key:
                device = replace(device, device_key=key)
            if absorbed is not None:
                self._join(absorbed, key, reason=f"scan {scan_id} saw it with MAC {device.mac}")
            self._write_device(scan_id, site, device, tokens)
        return device

    def _write_device(
        self, scan_id: int, site: str | None, device: Device, tokens: frozenset[str]
    ) -> None:
        row = {f.name: sql_value(f, f.device_value(device)) for f in _DEVICE_COLUMNS}
        names = list(row)
        values = {**row, "now": self._now(), "scan_id": scan_id, "site": site}
        columns = ", ".join(names)
        placeholders = ", ".join(f":{n}" for n in names)
        updates = ", ".join(
            f"{n} = {_KEPT_WHEN_UNSEEN.get(n, 'excluded.' + n)}" for n in names if n != "device_key"
        )
        self._db.execute(
            f"""INSERT INTO devices ({columns}, first_seen, last_seen, first_scan_id,
                   last_scan_id, presence, site)
               VALUES ({placeholders}, :now, :now, :scan_id, :scan_id, 'present', :site)
               ON CONFLICT (device_key) DO UPDATE SET {updates},
                   last_seen = excluded.last_seen,
                   last_scan_id = max(devices.last_scan_id, excluded.last_scan_id),
                   presence = 'present'""",  # noqa: S608 (column names from the schema)
            values,
        )
        self._db.execute(
            "DELETE FROM evidence WHERE scan_id = ? AND device_key = ?",
            [scan_id, device.device_key],
        )
        self._db.conn.executemany(
            """INSERT INTO evidence (scan_id, device_key, key, value, source, address, site)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [
                (scan_id, device.device_key, e.key, _cap(e.value), e.source, e.address, site)
                for e in device.evidence
            ],
        )
        self._db.conn.executemany(
            "INSERT OR IGNORE INTO device_tokens VALUES (?, ?, ?)",
            [(token, device.device_key, site) for token in sorted(tokens)],
        )
        history = ", ".join(SNAPSHOT_FIELD_NAMES)
        self._db.execute(
            f"""INSERT OR REPLACE INTO device_history (scan_id, {history})
               VALUES (:scan_id, {", ".join(f":{n}" for n in SNAPSHOT_FIELD_NAMES)})""",  # noqa: S608
            values,
        )

    # -- identity -----------------------------------------------------------------------

    def _resolve(
        self, scan_id: int, device: Device, tokens: frozenset[str]
    ) -> tuple[str, str | None]:
        """``(key, absorbed)``: the key to record ``device`` under, and the key of a
        record without a MAC that the device's MAC record takes over (or None)."""
        key = device.device_key
        known = self._scan_keys.get(scan_id, {})
        if key in known:
            return known[key], None
        claimed = self._scan_claimed.setdefault(scan_id, set())  # records written already
        mine = Traits(device.mac, device.maker, tokens)
        if _key_kind(key) == "mac":
            if self._exists(key):
                return key, None
            match = self._match(device, mine, claimed, without_mac_only=True)
            if match == key:
                return key, None
            return key, match
        if self._exists(key) and self._compatible(key, mine):
            return key, None
        return self._match(device, mine, claimed, without_mac_only=False) or key, None

    def _exists(self, key: str) -> bool:
        return bool(
            self._db.execute("SELECT 1 FROM devices WHERE device_key = ?", [key]).fetchone()
        )

    def _traits(self, key: str) -> Traits | None:
        row = self._db.execute(
            "SELECT mac, maker FROM devices WHERE device_key = ?", [key]
        ).fetchone()
        if row is None:
            return None
        tokens = frozenset(
            str(t[0])
            for t in self._db.execute("SELECT token FROM device_tokens WHERE device_key = ?", [key])
        )
        return Traits(cast("str | None", row[0]), str(row[1]), tokens)

    def _compatible(self, key: str, mine: Traits) -> bool:
        theirs = self._traits(key)
        return theirs is not None and contradicts(theirs, mine) is None

    def _match(
        self, device: Device, mine: Traits, claimed: set[str], *, without_mac_only: bool
    ) -> str | None:
        """The one record of ``device``'s site it is, by a stable identity first, then
        by address; None when none or more than one could be it."""
        site = site_of_key(device.device_key)

        def usable(key: str) -> bool:
            return (
                site_of_key(key) == site
                and key not in claimed
                and not (without_mac_only and _key_kind(key) == "mac")
                and self._compatible(key, mine)
            )

        for token in sorted(mine.tokens):
            holders = [
                str(r[0])
                for r in self._db.execute(
                    # "+site": look up by token (the key's first column), not by site
                    "SELECT device_key FROM device_tokens WHERE token = ? AND +site IS ?",
                    [token, site],
                )
            ]
            if len(holders) == 1 and holders[0] != device.device_key and usable(holders[0]):
                return holders[0]
        if device.parent is not None:
            return None  # a recorder's internal addresses repeat from recorder to recorder
        addresses = list(dict.fromkeys((device.ip, *device.addresses)))[:64]
        at_address = {
            str(r[0])
            for r in self._db.execute(
                f"""SELECT device_key FROM devices
                    WHERE ip IN ({", ".join("?" * len(addresses))}) AND +parent IS NULL""",  # noqa: S608
                addresses,
            )
        }  # by the indexed address a record was last seen at
        if device.device_key in at_address:
            return device.device_key
        candidates = sorted(k for k in at_address if usable(k))
        return candidates[0] if len(candidates) == 1 else None

    def _join(self, old: str, new: str, *, reason: str) -> None:
        """Make record ``old`` part of record ``new`` (created from ``old`` if missing):
        its history, evidence, identities and reviews move over, ``old`` becomes an
        alias.  A review on only one of them is kept; two that differ keep the newer,
        and the other is kept as a conflict."""
        if old == new:
            return
        now = self._now()
        old_row = self._device_row(old)
        if not self._exists(new):
            columns = [c for c in old_row if c != "device_key"]
            self._db.execute(
                f"""INSERT INTO devices (device_key, {", ".join(columns)})
                    SELECT ?, {", ".join(columns)} FROM devices WHERE device_key = ?""",  # noqa: S608
                [new, old],
            )
        else:
            new_row = self._device_row(new)
            self._db.execute(
                """UPDATE devices SET
                       first_seen = min(first_seen, :first_seen),
                       first_scan_id = min(first_scan_id, :first_scan_id)
                   WHERE device_key = :key""",
                {
                    "first_seen": old_row["first_seen"],
                    "first_scan_id": old_row["first_scan_id"],
                    "key": new,
                },
            )
            self._join_reviews(old_row, new_row, now)
        for table in ("device_history", "device_tokens", "review_log", "review_conflicts"):
            self._db.execute(
                f"UPDATE OR IGNORE {table} SET device_key = ? WHERE device_key = ?",  # noqa: S608
                [new, old],
            )
            self._db.execute(f"DELETE FROM {table} WHERE device_key = ?", [old])  # noqa: S608
        self._db.execute("UPDATE evidence SET device_key = ? WHERE device_key = ?", [new, old])
        self._db.execute(
            "UPDATE device_aliases SET device_key = ? WHERE device_key = ?", [new, old]
        )
        self._db.execute(
            "INSERT OR REPLACE INTO device_aliases VALUES (?, ?, ?, ?)", [old, new, now, reason]
        )
        self._db.execute("DELETE FROM devices WHERE device_key = ?", [old])

    def _join_reviews(
        self, old_row: Mapping[str, object], new_row: Mapping[str, object], now: str
    ) -> None:
        def review(row: Mapping[str, object]) -> tuple[str, str]:
            return str(row["review_status"]), str(row["note"])

        if review(old_row) == review(new_row) or old_row["review_updated_at"] is None:
            return
        if new_row["review_updated_at"] is None or str(old_row["review_updated_at"]) > str(
            new_row["review_updated_at"]
        ):
            kept, other = old_row, new_row
        else:
            kept, other = new_row, old_row
        self._db.execute(
            """UPDATE devices SET review_status = ?, note = ?, review_updated_at = ?
               WHERE device_key = ?""",
            [kept["review_status"], kept["note"], kept["review_updated_at"], new_row["device_key"]],
        )
        if other["review_updated_at"] is not None:
            self._db.execute(
                """INSERT OR IGNORE INTO review_conflicts
                       (device_key, status, note, reviewed_at, reviewer, origin, found_at)
                   VALUES (?, ?, ?, ?, '', 'joined record', ?)""",
                [
                    new_row["device_key"],
                    other["review_status"],
                    other["note"],
                    other["review_updated_at"],
                    now,
                ],
            )

    @_translated
    def record_import(
        self,
        devices: Sequence[Device],
        *,
        operator: str,
        options: Mapping[str, object],
        site: str | None = None,
    ) -> int:
        """Record already merged ``devices`` (from an nmap report, a capture) as one scan
        with scope ``import`` over their addresses: complete, or ``failed`` (and the
        error propagates) when a device cannot be written. Returns the scan's id."""
        targets = [f"{d.ip}/32" for d in devices] or ["0.0.0.0/32"]
        scan_id = self.begin_scan(
            operator=operator, scope="import", targets=targets, site=site, options=options
        )
        try:
            for device in devices:
                self.record_device(scan_id, device)
        except BaseException:
            self.finish_scan(scan_id, "failed", error="import failed")
            raise
        self.finish_scan(scan_id, "complete")
        return scan_id

    def finish_scan(
        self, scan_id: int, status: ScanStatus = "complete", *, error: str | None = None
    ) -> list[str]:
        """End a running scan with ``status`` (complete / incomplete / failed).

        Only a ``complete`` scan marks devices missing: those of its own site (the site
        in the device key; keys without one for a scan without a site) it did not see,
        every one of whose addresses lies inside its targets (a device it could have
        seen at each of them), that are still present and were last seen by an earlier
        scan.  A scan of one site never marks a device of another missing.  A camera
        behind a recorder (its addresses are the recorder's internal ones, no target of
        any scan) is marked missing when this scan listed its recorder's cameras and it
        was not among them.
        Returns the device keys newly marked missing.
        """
        if status not in _FINISH_STATUSES:
            raise InventoryError(f"a scan cannot finish as {status!r}")
        row = self._require_running(scan_id)
        missing: list[str] = []
        with self._db.atomic():
            if status == "complete":
                covered = parse_targets(str(row["targets"]))
                candidates = self._db.query(
                    """SELECT device_key, ip, addresses, parent FROM devices
                       WHERE presence = 'present' AND last_scan_id < ?
                         AND device_key NOT IN
                             (SELECT device_key FROM device_history WHERE scan_id = ?)""",
                    [scan_id, scan_id],
                )
                listed = {
                    str(r[0])
                    for r in self._db.execute(
                        "SELECT device_key FROM scan_recorders WHERE scan_id = ? AND listed > 0",
                        [scan_id],
                    )
                }
                site = cast("str | None", row["site"])
                missing = [
                    str(c["device_key"])
                    for c in candidates
                    if site_of_key(str(c["device_key"])) == site
                    and (
                        c["parent"] in listed
                        if c["parent"] is not None
                        else all(
                            any(target.contains(address) for target in covered)
                            for address in _addresses(c)
                        )
                    )
                ]
                self._db.conn.executemany(
                    "UPDATE devices SET presence = 'missing' WHERE device_key = ?",
                    [(key,) for key in missing],
                )
            self._close_scan(scan_id, status, finished=True, error=error)
        return missing

    @_translated
    def record_coverage(
        self,
        scan_id: int,
        coverage: Sequence[Coverage],
        snmp: Sequence[SnmpCoverage] = (),
        recorders: Sequence[RecorderCoverage] = (),
    ) -> None:
        """Record how a running scan reached its targets, what its SNMP agents gave and
        which recorders listed their cameras (in one transaction; recording again
        replaces the scan's rows)."""
        self._require_running(scan_id)
        with self._db.atomic():
            self._db.execute("DELETE FROM scan_coverage WHERE scan_id = ?", [scan_id])
            self._db.execute("DELETE FROM scan_snmp_agents WHERE scan_id = ?", [scan_id])
            self._db.execute("DELETE FROM scan_recorders WHERE scan_id = ?", [scan_id])
            self._db.conn.executemany(
                "INSERT INTO scan_recorders VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (scan_id, r.address, r.device_key, r.channels, r.listed, _cap(r.reason))
                    for r in recorders
                ],
            )
            self._db.conn.executemany(
                "INSERT INTO scan_coverage VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (scan_id, c.target, c.reached, c.addresses, c.answered, c.snmp_macs)
                    for c in coverage
                ],
            )
            self._db.conn.executemany(
                "INSERT INTO scan_snmp_agents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        scan_id,
                        a.agent,
                        a.version,
                        _cap(a.error) if a.error is not None else None,
                        a.arp_entries,
                        a.fdb_entries,
                        a.in_targets,
                        json.dumps(list(a.unmapped_macs)),
                    )
                    for a in snmp
                ],
            )

    @_translated
    def coverage(self, scan_id: int) -> tuple[list[Coverage], list[SnmpCoverage]]:
        """How scan ``scan_id`` reached each target, and each SNMP agent's read."""
        targets = [
            Coverage(
                str(r["target"]),
                str(r["reached"]),
                int(cast(int, r["addresses"])),
                int(cast(int, r["answered"])),
                int(cast(int, r["snmp_macs"])),
            )
            for r in self._db.query(
                "SELECT * FROM scan_coverage WHERE scan_id = ? ORDER BY rowid", [scan_id]
            )
        ]
        agents = [
            SnmpCoverage(
                str(r["agent"]),
                str(r["version"]),
                None if r["error"] is None else str(r["error"]),
                int(cast(int, r["arp_entries"])),
                int(cast(int, r["fdb_entries"])),
                int(cast(int, r["in_targets"])),
                tuple(str(m) for m in _json_list(cast(str, r["unmapped_macs"]))),
            )
            for r in self._db.query(
                "SELECT * FROM scan_snmp_agents WHERE scan_id = ? ORDER BY rowid", [scan_id]
            )
        ]
        return targets, agents

    @_translated
    def recorder_coverage(self, scan_id: int) -> list[RecorderCoverage]:
        """The recorders scan ``scan_id`` found, with what each listed."""
        return [
            RecorderCoverage(
                str(r["address"]),
                str(r["device_key"]),
                None if r["channels"] is None else int(cast(int, r["channels"])),
                int(cast(int, r["listed"])),
                str(r["reason"]),
            )
            for r in self._db.query(
                "SELECT * FROM scan_recorders WHERE scan_id = ? ORDER BY rowid", [scan_id]
            )
        ]

    def _close_scan(
        self, scan_id: int, status: ScanStatus, *, finished: bool, error: str | None
    ) -> None:
        self._db.execute(
            """UPDATE scans SET status = :status,
                   finished_at = :finished_at,
                   error = :error,
                   device_count =
                       (SELECT count(*) FROM device_history WHERE scan_id = :scan_id),
                   flagged_count =
                       (SELECT count(*) FROM device_history
                        WHERE scan_id = :scan_id AND flagged = 1)
               WHERE id = :scan_id""",
            {
                "status": status,
                "finished_at": self._now() if finished else None,
                "error": error,
                "scan_id": scan_id,
            },
        )

    @_translated
    def recover_stale_scans(self) -> list[int]:
        """Mark ``running`` scans whose process is gone as ``incomplete``; return their ids.

        A scan whose process is alive on this host (same PID and start time) is left
        alone, and so is a scan started on another host (its process cannot be checked
        from here).  ``finished_at`` stays empty: the time it ended is not known.
        """
        recovered: list[int] = []
        for row in list(self._db.query("SELECT * FROM scans WHERE status = 'running'")):
            if not _process_gone(row):
                continue
            scan_id = int(cast(int, row["id"]))
            self._close_scan(scan_id, "incomplete", finished=False, error=_STALE_ERROR)
            recovered.append(scan_id)
        return recovered

    @_translated
    def scan(self, scan_id: int) -> ScanInfo:
        """One scan by id (InventoryError if unknown)."""
        return self._scan_info(self._scan_row(scan_id))

    @_translated
    def scans(self) -> list[ScanInfo]:
        """All scans, newest first."""
        return [self._scan_info(r) for r in self._db.query("SELECT * FROM scans ORDER BY id DESC")]

    @staticmethod
    def _scan_info(row: Mapping[str, object]) -> ScanInfo:
        """The scan of one row; a ``running`` scan whose process is gone reads as
        ``incomplete`` (what ``recover_stale_scans`` will write) to every reader."""
        if _process_gone(row):
            row = {**row, "status": "incomplete", "error": _STALE_ERROR}
        return ScanInfo(
            scan_id=cast(int, row["id"]),
            started_at=str(row["started_at"]),
            finished_at=cast("str | None", row["finished_at"]),
            status=cast(ScanStatus, row["status"]),
            operator=str(row["operator"]),
            host=str(row["host"]),
            scope=str(row["scope"]),
            targets=str(row["targets"]),
            options=_json_dict(cast("str | None", row["options_json"])),
            device_count=cast(int, row["device_count"]),
            flagged_count=cast(int, row["flagged_count"]),
            error=cast("str | None", row["error"]),
            site=cast("str | None", row["site"]),
            location=str(row["location"]),
        )

    # -- devices ----------------------------------------------------------------------

    @_translated
    def devices(
        self,
        *,
        flagged: bool | None = None,
        presence: Presence | None = None,
        review_status: ReviewStatus | None = None,
        site: str | None = None,
        maker: str | None = None,
        parent: str | None = None,
        with_details: bool = False,
    ) -> list[DeviceRecord]:
        """Devices matching every given filter, flagged first, then by site and IP
        (``parent``: the cameras behind that recorder).

        A listing carries each device's identification without its evidence chain and
        without evidence (``identification.chain`` and ``device.evidence`` are empty):
        the chain is the bulk of the stored identification, and SQLite strips it
        before Python reads the row, so 10,000 devices list fast.  ``with_details``
        loads both, the evidence from each device's latest scan (one query for all);
        ``device(key)`` always does.
        """
        where: list[str] = []
        params: list[object] = []
        for column, value in (
            ("presence", presence),
            ("review_status", review_status),
            ("site", site),
            ("maker", maker),
            ("parent", parent),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if flagged is not None:
            where.append("flagged = ?")
            params.append(int(flagged))
        with_details = with_details or self._policy is not None  # re-flagging needs evidence
        columns = _ALL_COLUMNS if with_details else _LISTING_COLUMNS
        sql = f"SELECT {columns} FROM devices"  # noqa: S608 (column names from the schema)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY flagged DESC, site, ip, device_key"
        try:
            rows = list(self._db.query(sql, params))
        except sqlite3.DatabaseError as exc:
            raise self.error(exc, "cannot read the devices") from exc
        evidence = self._latest_evidence() if with_details else {}
        return [
            self._reflagged(self._device_record(r, evidence.get(str(r["device_key"]), ())))
            for r in rows
        ]

    def _reflagged(self, record: DeviceRecord) -> DeviceRecord:
        if self._policy is None:
            return record
        return replace(record, device=reflag(record.device, self._policy))

    def _latest_evidence(self, device_key: str | None = None) -> dict[str, tuple[Evidence, ...]]:
        """Evidence of each device's latest scan (of one device, given its key)."""
        sql = """SELECT e.device_key, e.key, e.value, e.source, e.address
                 FROM evidence AS e JOIN devices AS d
                   ON d.device_key = e.device_key AND e.scan_id = d.last_scan_id"""
        params: list[object] = []
        if device_key is not None:
            sql += " WHERE d.device_key = ?"
            params.append(device_key)
        found: dict[str, list[Evidence]] = {}
        for e in self._db.query(sql + " ORDER BY e.id", params):
            found.setdefault(str(e["device_key"]), []).append(
                Evidence(str(e["key"]), str(e["value"]), str(e["source"]), str(e["address"]))
            )
        return {key: tuple(items) for key, items in found.items()}

    @_translated
    def device(self, device_key: str) -> DeviceRecord:
        """One device with the evidence of the latest scan that saw it."""
        row = self._device_row(device_key, columns=_ALL_COLUMNS)
        evidence = self._latest_evidence(device_key).get(device_key, ())
        return self._reflagged(self._device_record(row, evidence))

    @_translated
    def listing(
        self,
        query: ListingQuery,
        *,
        offset: int = 0,
        limit: int | None = None,
        with_details: bool = False,
    ) -> list[DeviceRecord]:
        """The devices ``query`` selects, in its order: ``limit`` of them (all: None)
        from position ``offset``; as ``devices()`` lists them (no chain, no evidence,
        unless ``with_details``).

        The filter and the order read the stored flags; under a ``policy`` the records
        are re-flagged (so a flag filter or sort may not match what they show: list
        with ``devices()`` then).
        """
        where, params = listing_where(query)
        with_details = with_details or self._policy is not None  # re-flagging needs evidence
        columns = _ALL_COLUMNS if with_details else _LISTING_COLUMNS
        sql = (
            f"SELECT {columns} FROM devices WHERE {where} "  # noqa: S608 (SQL from listing)
            f"ORDER BY {listing_order(query)} LIMIT :limit OFFSET :offset"
        )
        page = {"limit": -1 if limit is None else limit, "offset": offset}
        rows = list(self._db.query(sql, {**params, **page}))
        evidence: dict[str, tuple[Evidence, ...]] = {}
        if with_details:
            evidence = self._latest_evidence() if limit is None else {}
            if limit is not None:
                for r in rows:
                    evidence.update(self._latest_evidence(str(r["device_key"])))
        return [
            self._reflagged(self._device_record(r, evidence.get(str(r["device_key"]), ())))
            for r in rows
        ]

    @_translated
    def site_locations(self) -> dict[str, str]:
        """Each site's location: that of its latest scan ("" when it names none)."""
        rows = self._db.execute(
            """SELECT site, location FROM scans WHERE site IS NOT NULL
               AND id IN (SELECT max(id) FROM scans WHERE site IS NOT NULL GROUP BY site)"""
        ).fetchall()
        return {str(site): str(location) for site, location in rows}

    @_translated
    def listing_count(self, query: ListingQuery | None = None) -> int:
        """How many devices ``query`` selects (every device: None)."""
        where, params = listing_where(query or ListingQuery())
        sql = f"SELECT count(*) FROM devices WHERE {where}"  # noqa: S608 (SQL from listing)
        return int(self._db.execute(sql, params).fetchone()[0])

    @_translated
    def listing_keys(self, query: ListingQuery) -> list[str]:
        """The device keys ``query`` selects, in its order."""
        where, params = listing_where(query)
        sql = (
            f"SELECT device_key FROM devices WHERE {where} "  # noqa: S608 (SQL from listing)
            f"ORDER BY {listing_order(query)}"
        )
        return [str(row[0]) for row in self._db.execute(sql, params).fetchall()]

    @_translated
    def listing_position(self, query: ListingQuery, device_key: str) -> int | None:
        """Where device ``device_key`` stands in ``query``'s listing (0 first), or None
        when the query does not select it."""
        where, params = listing_where(query)
        named = {**params, "device_key": device_key}
        selected = f"SELECT count(*) FROM devices WHERE device_key = :device_key AND {where}"  # noqa: S608
        if not self._db.execute(selected, named).fetchone()[0]:
            return None
        before = (
            f"SELECT count(*) FROM devices WHERE {where} "  # noqa: S608 (SQL from listing)
            f"AND {listing_before(query)}"
        )
        return int(self._db.execute(before, named).fetchone()[0])

    def _device_row(self, device_key: str, *, columns: str = "*") -> dict[str, object]:
        """The ``devices`` row of ``device_key`` (its columns; ``_ALL_COLUMNS`` adds the
        location)."""
        rows = list(
            self._db.query(
                f"SELECT {columns} FROM devices WHERE device_key = ?",  # noqa: S608
                [device_key],
            )
        )
        if not rows:
            raise InventoryError(f"no device {device_key!r} in the inventory")
        return rows[0]

    @staticmethod
    def _device_record(
        row: Mapping[str, object], evidence: tuple[Evidence, ...] = ()
    ) -> DeviceRecord:
        """The typed record of one ``devices`` row, every field through the schema."""
        try:
            stored = {name: decode(row[name]) for name, decode in _STORED_DEVICE_FIELDS}
            state = {name: decode(row[name]) for name, decode in _STATE_FIELDS}
            device = Device(**stored, evidence=evidence)  # type: ignore[arg-type]
            extra = {name: str(row.get(name) or "") for name in ("location", "reviewer")}
            return DeviceRecord(device=device, **state, **extra)  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyError) as exc:
            key = row.get("device_key")
            raise InventoryError(f"device {key!r}: the inventory row is damaged ({exc})") from exc

    @_translated
    def set_review(
        self,
        device_key: str,
        status: str,
        note: str | None = None,
        *,
        reviewer: str | None = None,
    ) -> None:
        """Set a device's review status (and note, unless None), logged with who
        (``reviewer``, default: the user running camcensus) and when.

        InventoryError on an unknown status or device.
        """
        self.set_reviews([device_key], status, note, reviewer=reviewer)

    @_translated
    def set_reviews(
        self,
        device_keys: Sequence[str],
        status: str,
        note: str | None = None,
        *,
        reviewer: str | None = None,
    ) -> int:
        """Set the review of every device in ``device_keys`` at once (one transaction,
        one time, each logged); returns how many were set.

        InventoryError on an unknown status or device, before anything is written.
        """
        if status not in REVIEW_STATUSES:
            raise InventoryError(
                f"unknown review status {status!r}; use one of {', '.join(REVIEW_STATUSES)}"
            )
        who = reviewer if reviewer is not None else _user()
        if self._read_only:
            with self._writer() as writer:
                return writer.set_reviews(device_keys, status, note, reviewer=who)
        keys = list(dict.fromkeys(device_keys))
        for key in keys:
            self._device_row(key)
        now = self._now()
        with self._db.atomic():
            self._db.conn.executemany(
                """UPDATE devices SET review_status = ?, note = coalesce(?, note),
                       review_updated_at = ?
                   WHERE device_key = ?""",
                [(status, note, now, key) for key in keys],
            )
            self._db.conn.executemany(
                """INSERT OR IGNORE INTO review_log
                       (device_key, status, note, reviewed_at, reviewer)
                   SELECT device_key, review_status, note, review_updated_at, ?
                   FROM devices WHERE device_key = ?""",
                [(who, key) for key in keys],
            )
        return len(keys)

    @_translated
    def review_log(self, device_key: str | None = None) -> list[ReviewEntry]:
        """Every review made (of one device, given its key), oldest first: who, when,
        and the inventory it was made in (``origin``: "" here, else the merged file)."""
        return self._reviews("review_log", "reviewed_at", device_key)

    @_translated
    def review_conflicts(self, device_key: str | None = None) -> list[ReviewEntry]:
        """Reviews that disagreed with this inventory's when records or inventories were
        joined (of one device, given its key): kept, never applied."""
        return self._reviews("review_conflicts", "found_at", device_key)

    def _reviews(self, table: str, order: str, device_key: str | None) -> list[ReviewEntry]:
        where = "" if device_key is None else "WHERE device_key = ?"
        rows = self._db.query(
            f"SELECT * FROM {table} {where} ORDER BY {order}, id",  # noqa: S608 (fixed names)
            [] if device_key is None else [device_key],
        )
        return [_review_entry(r) for r in rows]

    @_translated
    def set_site(self, device_key: str, site: str | None) -> None:
        """Set (or clear, with None) the site of a device scanned without one.

        InventoryError for a device whose key names its site: a scan of that site gave
        it, and another site is another device.
        """
        keyed = site_of_key(device_key)
        if keyed is not None and (site or None) != keyed:
            raise InventoryError(
                f"device {device_key!r} was scanned in site {keyed}; its site stays {keyed}"
            )
        if self._read_only:
            with self._writer() as writer:
                writer.set_site(device_key, site)
            return
        self._device_row(device_key)
        self._db.execute(
            "UPDATE devices SET site = ? WHERE device_key = ?", [site or None, device_key]
        )

    def _writer(self) -> Inventory:
        """A short-lived writable inventory on the file a reader has open."""
        if self._path is None:
            raise InventoryError(f"{self._name} is open read-only")
        return Inventory.open(
            self._path, create=False, busy_timeout_s=self._busy_timeout_s, clock=self._clock
        )

    # -- reports ----------------------------------------------------------------------

    @_translated
    def history(self, scan_id: int) -> list[DeviceSnapshot]:
        """The per-device snapshots one scan recorded, by device key."""
        self._scan_row(scan_id)
        return list(self._snapshots(scan_id).values())

    def _snapshots(self, scan_id: int) -> dict[str, DeviceSnapshot]:
        fields = [(f.name, value_from_sql(f)) for f in DeviceSnapshot.fields()]
        snapshots: dict[str, DeviceSnapshot] = {}
        for r in self._db.query(
            "SELECT * FROM device_history WHERE scan_id = ? ORDER BY device_key", [scan_id]
        ):
            values = {name: decode(r[name]) for name, decode in fields}
            snapshots[str(r["device_key"])] = DeviceSnapshot(scan_id, **values)  # type: ignore[arg-type]
        return snapshots

    @_translated
    def compare_scans(self, old_scan_id: int, new_scan_id: int) -> ScanComparison:
        """Devices seen only by the new scan, only by the old one, and fields that changed.

        "missing" means "not seen by the new scan"; if the new scan covered other targets
        or was incomplete, that is not proof the device is gone.
        """
        self._scan_row(old_scan_id)
        self._scan_row(new_scan_id)
        old = self._snapshots(old_scan_id)
        new = self._snapshots(new_scan_id)
        changed = [
            FieldChange(key, name, getattr(old[key], name), getattr(new[key], name))
            for key in sorted(old.keys() & new.keys())
            for name in _COMPARED_FIELDS
            if getattr(old[key], name) != getattr(new[key], name)
        ]
        return ScanComparison(
            old_scan_id=old_scan_id,
            new_scan_id=new_scan_id,
            new=tuple(new[k] for k in sorted(new.keys() - old.keys())),
            missing=tuple(old[k] for k in sorted(old.keys() - new.keys())),
            changed=tuple(changed),
        )

    @_translated
    def summary_by(
        self, field: SummaryField, *, include_missing: bool = True
    ) -> list[SummaryCount]:
        """Device and flagged counts per maker, per maker+model (``"maker / model"``) or per
        site (``""`` for devices without one), most flagged first."""
        if field not in get_args(SummaryField):
            raise InventoryError(f"cannot summarise by {field!r}")
        if self._policy is not None:
            return self._summary_reflagged(field, include_missing=include_missing)
        expression = {
            "maker": "maker",
            "model": "maker || ' / ' || model",
            "site": "coalesce(site, '')",
        }[field]
        where = "" if include_missing else "WHERE presence = 'present'"
        rows: Iterator[dict[str, object]] = self._db.query(
            f"""SELECT {expression} AS value, count(*) AS device_count,
                       sum(flagged) AS flagged_count
                FROM devices {where}
                GROUP BY value ORDER BY flagged_count DESC, device_count DESC, value"""  # noqa: S608 (fixed expressions)
        )
        return [
            SummaryCount(
                str(r["value"]), cast(int, r["device_count"]), cast(int, r["flagged_count"])
            )
            for r in rows
        ]

    def _summary_reflagged(
        self, field: SummaryField, *, include_missing: bool
    ) -> list[SummaryCount]:
        """``summary_by`` counted in Python, over the devices as this policy flags them."""
        counts: dict[str, list[int]] = {}
        for record in self.devices(presence=None if include_missing else "present"):
            device = record.device
            value = {
                "maker": device.maker,
                "model": f"{device.maker} / {device.model}",
                "site": record.site or "",
            }[field]
            count = counts.setdefault(value, [0, 0])
            count[0] += 1
            count[1] += int(device.flagged)
        return sorted(
            (SummaryCount(value, n, flagged) for value, (n, flagged) in counts.items()),
            key=lambda c: (-c.flagged_count, -c.device_count, c.value),
        )

    @_translated
    def integrity_ok(self) -> bool:
        """True when SQLite's ``integrity_check`` and ``foreign_key_check`` find nothing."""
        check = [r[0] for r in self._db.execute("PRAGMA integrity_check").fetchall()]
        fk_problems = self._db.execute("PRAGMA foreign_key_check").fetchall()
        return check == ["ok"] and not fk_problems

    # -- merging inventories ------------------------------------------------------------

    @_translated
    def dump(
        self,
        *,
        site: str | None = None,
        scan_id: int | None = None,
        known_scans: frozenset[str] = frozenset(),
    ) -> dict[str, object]:
        """This inventory's rows as plain data (what ``merge`` and a site bundle take):
        all of it, one site's scans and devices (``site``), or one scan with the
        devices it saw (``scan_id``); each table as ``{"columns": [...], "rows":
        [[...], ...]}``.  The evidence, snapshots and coverage of scans whose uid is in
        ``known_scans`` (scans the receiving inventory has already) are left out.
        InventoryError for an unknown scan or a site with no scan."""
        scans = list(self._db.query("SELECT * FROM scans ORDER BY id"))
        if scan_id is not None:
            scans = [r for r in scans if r["id"] == scan_id]
            if not scans:
                raise InventoryError(f"no scan with id {scan_id}")
        elif site is not None:
            scans = [r for r in scans if r["site"] == site]
            if not scans:
                raise InventoryError(f"no scan of site {site!r} in the {self._name}")
        wanted = {r["id"] for r in scans if r["uid"] not in known_scans}
        devices = list(self._db.query("SELECT * FROM devices ORDER BY device_key"))
        if scan_id is not None:
            seen = {
                str(r[0])
                for r in self._db.execute(
                    "SELECT device_key FROM device_history WHERE scan_id = ?", [scan_id]
                )
            }
            devices = [d for d in devices if d["device_key"] in seen]
        elif site is not None:
            devices = [d for d in devices if site_of_key(str(d["device_key"])) == site]
        keys = {str(d["device_key"]) for d in devices}
        content: dict[str, object] = {
            "migrations": [
                str(r[0]) for r in self._db.execute("SELECT name FROM _sqlite_migrations")
            ],
            "scans": _columnar(scans, self._columns("scans")),
            "devices": _columnar(devices, self._columns("devices")),
        }
        chosen = ", ".join(str(int(cast(int, i))) for i in sorted(wanted, key=str))
        for table, columns, order, by in _DUMPED:
            where = f"WHERE scan_id IN ({chosen})" if by == "scan" else ""
            cursor = self._db.execute(f"SELECT {columns} FROM {table} {where} ORDER BY {order}")  # noqa: S608
            names = [d[0] for d in cursor.description]
            scan_at = names.index("scan_id") if "scan_id" in names else None
            key_at = names.index("device_key") if "device_key" in names else None
            content[table] = {
                "columns": names,
                "rows": [
                    list(r)
                    for r in cursor
                    if (scan_at is None or (by == "scan" and r[scan_at] in wanted))
                    and (key_at is None or r[key_at] in keys)
                ],
            }
        return content

    @_translated
    def scan_uids(self) -> frozenset[str]:
        """The uid of every scan here (what ``dump(known_scans=...)`` of a source skips)."""
        return frozenset(str(r[0]) for r in self._db.execute("SELECT uid FROM scans"))

    @_translated
    def merge(self, content: Mapping[str, object], *, origin: str) -> MergeReport:
        """Take in another inventory's rows (``dump``, or a verified bundle's content),
        in one transaction: nothing is merged when anything fails.

        Idempotent: a scan already here (by its uid) is not added again, and a device's
        fields change only for a newer sighting.  Each source device joins the record it
        is (its key, an alias, its stable identity or, for a device known only by
        address, the one record at that address; ``record_device``'s rules), else is
        added.  Reviews: every logged review comes along (``origin`` says from where);
        a device's current review is taken over when this inventory has none; one this
        inventory has already seen (and perhaps since changed) is left; one that differs
        from this inventory's is kept in ``review_conflicts`` and shown, never applied.
        """
        if self._read_only:
            raise InventoryError(f"{self._name} is open read-only: cannot merge into it")
        unknown = sorted(set(_str_list(content.get("migrations"))) - set(_known_migrations()))
        if unknown:
            raise InventoryError(
                f"{origin} was written by a newer camcensus (schema {', '.join(unknown)}): "
                "upgrade camcensus to merge it"
            )
        merger = _Merge(self, content, origin)
        with self._db.atomic():
            return merger.run()

    def _columns(self, table: str) -> list[str]:
        if table not in self._column_cache:
            self._column_cache[table] = [
                str(r[1]) for r in self._db.execute(f"PRAGMA table_info({table})")
            ]
        return self._column_cache[table]


@dataclass
class MergeReport:
    """What one ``Inventory.merge`` did."""

    origin: str
    scans_added: int = 0
    scans_known: int = 0
    devices_added: int = 0
    devices_updated: int = 0
    devices_joined: int = 0
    """Source devices taken as a record here under another key (an alias, an identity
    or an address said it is the same device)."""
    reviews_taken: int = 0
    without_site: int = 0
    """Source devices scanned without a site: merged with this inventory's devices of
    the same key, as one network."""
    conflicts: list[ReviewEntry] = field(default_factory=list)


def _str_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _columnar(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> dict[str, object]:
    return {"columns": list(columns), "rows": [[r[c] for c in columns] for r in rows]}


class _Merge:
    """One ``Inventory.merge``: the source's rows, this inventory's index of the sites
    they touch, and the key each source device maps to."""

    def __init__(self, inventory: Inventory, content: Mapping[str, object], origin: str) -> None:
        self.inv = inventory
        self.db = inventory._db
        self.src = {
            name: table_rows(content, name)
            for name in (
                "scans", "devices", "scan_coverage", "scan_snmp_agents", "scan_recorders",
                "device_tokens", "device_aliases", "review_log", "review_conflicts",
            )
        }  # fmt: skip
        # the bulk (evidence: 16 rows a device and scan) stays rows, not dicts
        self.raw = {
            name: raw_table(content, name, ("scan_id", "device_key"))
            for name in ("evidence", "device_history")
        }
        self.origin = origin
        self.report = MergeReport(origin)
        self.now = inventory._now()
        self.scan_ids: dict[object, int] = {}
        self.new_scans: set[object] = set()
        self.keys: dict[str, str] = {}
        self.claimed: set[str] = set()
        self.traits: dict[str, Traits] = {}
        self.at: dict[tuple[str | None, str], set[str]] = {}
        self.holders: dict[tuple[str | None, str], set[str]] = {}
        self.history: dict[str, list[object]] = {}
        self.aliases: dict[str, str] = {}

    def run(self) -> MergeReport:
        try:
            self._scans()
            self._load_aliases([str(d["device_key"]) for d in self.src["devices"]])
            self._index({site_of_key(str(d["device_key"])) for d in self.src["devices"]})
            names, rows = self.raw["device_history"]
            key_at, scan_at = names.index("device_key"), names.index("scan_id")
            for h in rows:
                self.history.setdefault(str(h[key_at]), []).append(h[scan_at])
            src_tokens: dict[str, set[str]] = {}
            for row in self.src["device_tokens"]:
                src_tokens.setdefault(str(row["device_key"]), set()).add(str(row["token"]))
            for row in sorted(self.src["devices"], key=lambda d: str(d["last_seen"])):
                self._device(row, frozenset(src_tokens.get(str(row["device_key"]), ())))
            self._rows()
            self._reviews()
        except (KeyError, TypeError, ValueError) as exc:
            raise InventoryError(f"merge of {self.origin}: a row is damaged ({exc!r})") from exc
        return self.report

    # scans

    def _scans(self) -> None:
        columns = [c for c in self.inv._columns("scans") if c != "id"]
        for row in self.src["scans"]:
            known = self.db.execute("SELECT id FROM scans WHERE uid = ?", [row["uid"]]).fetchone()
            if known is not None:
                self.scan_ids[row["id"]] = int(known[0])
                self.report.scans_known += 1
                continue
            values = {c: row[c] for c in columns if c in row}
            values["merged_from"] = row.get("merged_from") or self.origin
            if values.get("status") == "running":
                values["status"] = "incomplete"
                values["error"] = f"still running in {self.origin} when it was merged"
            names = list(values)
            cursor = self.db.execute(
                f"INSERT INTO scans ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",  # noqa: S608
                [values[n] for n in names],
            )
            self.scan_ids[row["id"]] = int(cast(int, cursor.lastrowid))
            self.new_scans.add(row["id"])
            self.report.scans_added += 1

    def _scan_id(self, src_id: object, fallback: Sequence[object]) -> int:
        """This inventory's id of source scan ``src_id``, or (a bundle of one scan holds
        no older scans) the nearest of ``fallback``'s."""
        if src_id in self.scan_ids:
            return self.scan_ids[src_id]
        mapped = [self.scan_ids[f] for f in fallback if f in self.scan_ids]
        if not mapped:
            raise InventoryError(f"merge of {self.origin}: a device refers to scan {src_id}")
        return min(mapped)

    # the index of this inventory's devices in the sites the source touches

    def _index(self, sites: set[str | None]) -> None:
        for site in sites:
            if site is None:
                where, params = "device_key NOT LIKE '%/%'", []
            else:  # the keys of one site sort between 'SITE/' and 'SITE0'
                where, params = "device_key >= ? AND device_key < ?", [f"{site}/", f"{site}0"]
            for row in self.db.execute(
                f"SELECT device_key, ip, addresses, mac, maker, parent FROM devices WHERE {where}",  # noqa: S608
                params,
            ):
                key = str(row[0])
                if site_of_key(key) == site:
                    self._add(key, str(row[1]), _json_list(row[2]), row[3], str(row[4]), row[5])
            for token, key in self.db.execute(
                "SELECT token, device_key FROM device_tokens WHERE site IS ?", [site]
            ):
                if str(key) in self.traits:
                    self.holders.setdefault((site, str(token)), set()).add(str(key))
                    old = self.traits[str(key)]
                    self.traits[str(key)] = Traits(old.mac, old.maker, old.tokens | {str(token)})

    def _load_aliases(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            self.aliases.update(
                (str(alias), str(key))
                for alias, key in self.db.execute(
                    f"SELECT alias, device_key FROM device_aliases "  # noqa: S608
                    f"WHERE alias IN ({', '.join('?' * len(part))})",
                    part,
                )
            )

    def _add(
        self,
        key: str,
        ip: str,
        addresses: Sequence[object],
        mac: object,
        maker: str,
        parent: object = None,
    ) -> None:
        """Index record ``key`` (keeping the identities it is known to hold); by address
        only when it is no camera behind a recorder, whose internal addresses repeat."""
        site = site_of_key(key)
        known = self.traits.get(key)
        tokens = known.tokens if known is not None else frozenset()
        self.traits[key] = Traits(None if mac is None else str(mac), maker, tokens)
        if parent is not None:
            return
        for address in {ip, *(str(a) for a in addresses)}:
            self.at.setdefault((site, address), set()).add(key)

    def _forget(self, key: str) -> None:
        self.traits.pop(key, None)
        for holders in (*self.at.values(), *self.holders.values()):
            holders.discard(key)

    # devices

    def _device(self, row: dict[str, object], tokens: frozenset[str]) -> None:
        key = str(row["device_key"])
        site = site_of_key(key)
        if site is None:
            self.report.without_site += 1
        mine = Traits(None if row["mac"] is None else str(row["mac"]), str(row["maker"]), tokens)
        alias = self.aliases.get(key)
        if key in self.traits:
            target = key
        elif alias is not None and alias in self.traits:
            target = alias
        else:
            target = self._match(key, site, row, mine) or key
            if target != key and _key_kind(key) == "mac":
                self.inv._join(target, key, reason=f"merged from {self.origin} with its MAC")
                self._forget(target)
                target = key
        if target != key:
            self.report.devices_joined += 1
        self.keys[key] = target
        self.claimed.add(target)
        self._write(target, row, self.history.get(key, []))
        self._add(target, str(row["ip"]), _json_list(cast(str, row["addresses"])), row["mac"],
                  str(row["maker"]), row.get("parent"))  # fmt: skip
        old = self.traits[target]
        self.traits[target] = Traits(old.mac, old.maker, old.tokens | tokens)
        for token in tokens:
            self.holders.setdefault((site, token), set()).add(target)

    def _match(
        self, key: str, site: str | None, row: Mapping[str, object], mine: Traits
    ) -> str | None:
        def usable(other: str) -> bool:
            return (
                other not in self.claimed
                and not (_key_kind(key) == "mac" and _key_kind(other) == "mac")
                and contradicts(self.traits[other], mine) is None
            )

        for token in sorted(mine.tokens):
            holders = self.holders.get((site, token), set())
            if len(holders) == 1 and usable(next(iter(holders))):
                return next(iter(holders))
        if row.get("parent") is not None:
            return None  # a recorder's internal addresses repeat from recorder to recorder
        addresses = {str(row["ip"]), *(str(a) for a in _json_list(cast(str, row["addresses"])))}
        candidates = sorted(
            {k for a in addresses for k in self.at.get((site, a), set()) if usable(k)}
        )
        return candidates[0] if len(candidates) == 1 else None

    def _write(self, target: str, row: Mapping[str, object], history: Sequence[object]) -> None:
        columns = [c for c in self.inv._columns("devices") if c in row]
        first = self._scan_id(row["first_scan_id"], history)
        last = self._scan_id(row["last_scan_id"], history)
        current = self.db.execute(
            "SELECT last_seen, first_seen FROM devices WHERE device_key = ?", [target]
        ).fetchone()
        values = {c: row[c] for c in columns} | {
            "device_key": target,
            "first_scan_id": first,
            "last_scan_id": last,
        }
        if current is None:
            # a new device: no review yet (the review log decides, below)
            values |= {"review_status": "unreviewed", "note": "", "review_updated_at": None}
            names = list(values)
            self.db.execute(
                f"INSERT INTO devices ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",  # noqa: S608
                [values[n] for n in names],
            )
            self.report.devices_added += 1
            return
        if str(row["last_seen"]) > str(current[0]):
            kept = {"device_key", "first_seen", "first_scan_id", "site"} | set(_REVIEW_COLUMNS)
            names = [n for n in values if n not in kept]
            self.db.execute(
                f"UPDATE devices SET {', '.join(f'{n} = ?' for n in names)} WHERE device_key = ?",  # noqa: S608
                [*(values[n] for n in names), target],
            )
            self.report.devices_updated += 1
        if str(row["first_seen"]) < str(current[1]):
            self.db.execute(
                "UPDATE devices SET first_seen = ?, first_scan_id = ? WHERE device_key = ?",
                [row["first_seen"], first, target],
            )

    # the rows of new scans, identities, aliases

    def _rows(self) -> None:
        def mapped(rows: list[dict[str, object]]) -> list[dict[str, object]]:
            out = []
            for r in rows:
                if r["scan_id"] not in self.new_scans:
                    continue
                m = {**r, "scan_id": self.scan_ids[r["scan_id"]]}
                if "device_key" in m:
                    m["device_key"] = self.keys.get(str(m["device_key"]), str(m["device_key"]))
                out.append(m)
            return out

        for table, verb in (("evidence", "INSERT"), ("device_history", "INSERT OR IGNORE")):
            self._insert_raw(table, verb)
        for table in ("scan_coverage", "scan_snmp_agents", "scan_recorders"):
            self._insert(table, "INSERT OR IGNORE", mapped(self.src[table]))
        self._insert(
            "device_tokens",
            "INSERT OR IGNORE",
            [{**r, "device_key": self.keys[str(r["device_key"])]} for r in self.src["device_tokens"]
             if str(r["device_key"]) in self.keys],
        )  # fmt: skip
        aliases = [
            {**r, "device_key": self.keys[str(r["device_key"])]}
            for r in self.src["device_aliases"]
            if str(r["device_key"]) in self.keys
        ] + [
            {"alias": src, "device_key": dst, "joined_at": self.now,
             "reason": f"merged from {self.origin}"}
            for src, dst in self.keys.items()
            if src != dst
        ]  # fmt: skip
        self._insert("device_aliases", "INSERT OR IGNORE", aliases)

    def _insert_raw(self, table: str, verb: str) -> None:
        """The rows of ``table`` that belong to scans new here, with this inventory's
        scan ids and device keys."""
        names, rows = self.raw[table]
        here = set(self.inv._columns(table))
        picked = [i for i, n in enumerate(names) if n in here and n != "id"]
        scan_at, key_at = names.index("scan_id"), names.index("device_key")
        scan_ids, keys, new = self.scan_ids, self.keys, self.new_scans

        def mapped() -> Iterator[list[object]]:
            for r in rows:
                if r[scan_at] not in new:
                    continue
                row = list(r)
                row[scan_at] = scan_ids[r[scan_at]]
                row[key_at] = keys.get(str(r[key_at]), r[key_at])
                yield [row[i] for i in picked]

        columns = ", ".join(names[i] for i in picked)
        self.db.conn.executemany(
            f"{verb} INTO {table} ({columns}) VALUES ({', '.join('?' * len(picked))})",
            mapped(),
        )

    def _insert(self, table: str, verb: str, rows: Sequence[Mapping[str, object]]) -> None:
        if not rows:
            return
        columns = [c for c in self.inv._columns(table) if c in rows[0] and c != "id"]
        self.db.conn.executemany(
            f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [[r.get(c) for c in columns] for r in rows],
        )

    # reviews

    def _reviews(self) -> None:
        targets = sorted(set(self.keys.values()))
        seen: set[tuple[str, str, str, str]] = set()
        for chunk in range(0, len(targets), 500):
            part = targets[chunk : chunk + 500]
            seen.update(
                (str(r[0]), str(r[1]), str(r[2]), str(r[3]))
                for r in self.db.execute(
                    f"""SELECT device_key, status, note, reviewed_at FROM review_log
                        WHERE device_key IN ({", ".join("?" * len(part))})""",  # noqa: S608
                    part,
                )
            )
        reviewers: dict[tuple[str, str, str, str], str] = {}
        log = []
        for r in self.src["review_log"]:
            key = self.keys.get(str(r["device_key"]))
            if key is None:
                continue
            entry = (key, str(r["status"]), str(r["note"]), str(r["reviewed_at"]))
            reviewers[entry] = str(r["reviewer"])
            log.append({**r, "device_key": key, "origin": r.get("origin") or self.origin})
        self._insert("review_log", "INSERT OR IGNORE", log)
        self._insert(
            "review_conflicts",
            "INSERT OR IGNORE",
            [{**r, "device_key": self.keys[str(r["device_key"])]}
             for r in self.src["review_conflicts"] if str(r["device_key"]) in self.keys],
        )  # fmt: skip
        for row in self.src["devices"]:
            if row["review_updated_at"] is None:
                continue
            key = self.keys[str(row["device_key"])]
            entry = (
                key,
                str(row["review_status"]),
                str(row["note"]),
                str(row["review_updated_at"]),
            )
            here = self.db.execute(
                "SELECT review_status, note, review_updated_at FROM devices WHERE device_key = ?",
                [key],
            ).fetchone()
            if (str(here[0]), str(here[1])) == entry[1:3] or entry in seen:
                continue
            if here[2] is None:
                self.db.execute(
                    """UPDATE devices SET review_status = ?, note = ?, review_updated_at = ?
                       WHERE device_key = ?""",
                    [entry[1], entry[2], entry[3], key],
                )
                self.report.reviews_taken += 1
                continue
            conflict = ReviewEntry(
                key, cast(ReviewStatus, entry[1]), entry[2], entry[3],
                reviewers.get(entry, ""), self.origin,
            )  # fmt: skip
            self.db.execute(
                """INSERT OR IGNORE INTO review_conflicts
                       (device_key, status, note, reviewed_at, reviewer, origin, found_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [*conflict, self.now],
            )
            self.report.conflicts.append(conflict)
