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
import json
import os
import platform
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Concatenate, Final, Literal, NamedTuple, ParamSpec, TypeVar, cast, get_args
from urllib.parse import quote

from sqlite_utils import Database, Migrations

from camcensus.base.errors import InventoryError
from camcensus.base.evidence import Evidence
from camcensus.base.version import __version__
from camcensus.scanner.core.listing import (
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
    "SummaryCount",
    "SummaryField",
    "redact_options",
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
_ALL_COLUMNS: Final = f"*, {_LOCATION}"
_LISTING_COLUMNS: Final = (
    ", ".join(
        "CASE WHEN json_valid(identification) THEN json_remove(identification, '$.chain') "
        "ELSE identification END AS identification"
        if f.name == "identification"
        else f.name
        for f in FIELDS
        if f.column is not None
    )
    + f", {_LOCATION}"
)
"""What a listing reads: every column, the identification without its evidence chain,
and the location."""

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


_LISTING_INDEXED_SORTS: Final = ("flagged", "ip", "last_seen")
"""The sorts an index serves (the first paint's, by address, by when last seen); the
others sort the matching rows in SQLite (a few hundred ms at 100,000 devices)."""


@_SCHEMA(name="0008_listing")
def _m0008_listing(db: Database) -> None:
    """Indexes on the TUI listing's sort expressions (``scanner.core.listing``), so the
    rows on screen of a large inventory come from an index walk with LIMIT."""
    for sort in _LISTING_INDEXED_SORTS:
        db.execute(
            f"CREATE INDEX idx_devices_listing_{sort} ON devices ({listing_index_terms(sort)})"
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
                   options_json, pid, pid_host, pid_start_ticks, site, location)
               VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
    def record_device(self, scan_id: int, device: Device) -> None:
        """Store one device seen by a running scan, in one transaction.

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
        row = {f.name: sql_value(f, f.device_value(device)) for f in _DEVICE_COLUMNS}
        names = list(row)
        values = {**row, "now": self._now(), "scan_id": scan_id, "site": site}
        columns = ", ".join(names)
        placeholders = ", ".join(f":{n}" for n in names)
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != "device_key")
        with self._db.atomic():
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
            history = ", ".join(SNAPSHOT_FIELD_NAMES)
            self._db.execute(
                f"""INSERT OR REPLACE INTO device_history (scan_id, {history})
                   VALUES (:scan_id, {", ".join(f":{n}" for n in SNAPSHOT_FIELD_NAMES)})""",  # noqa: S608
                values,
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
        scan.  A scan of one site never marks a device of another missing.
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
                    """SELECT device_key, ip, addresses FROM devices
                       WHERE presence = 'present' AND last_scan_id < ?
                         AND device_key NOT IN
                             (SELECT device_key FROM device_history WHERE scan_id = ?)""",
                    [scan_id, scan_id],
                )
                site = cast("str | None", row["site"])
                missing = [
                    str(c["device_key"])
                    for c in candidates
                    if site_of_key(str(c["device_key"])) == site
                    and all(
                        any(target.contains(address) for target in covered)
                        for address in _addresses(c)
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
        self, scan_id: int, coverage: Sequence[Coverage], snmp: Sequence[SnmpCoverage] = ()
    ) -> None:
        """Record how a running scan reached its targets and what its SNMP agents gave
        (in one transaction; recording again replaces the scan's rows)."""
        self._require_running(scan_id)
        with self._db.atomic():
            self._db.execute("DELETE FROM scan_coverage WHERE scan_id = ?", [scan_id])
            self._db.execute("DELETE FROM scan_snmp_agents WHERE scan_id = ?", [scan_id])
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
        with_details: bool = False,
    ) -> list[DeviceRecord]:
        """Devices matching every given filter, flagged first, then by site and IP.

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
        row = self._device_row(device_key)
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

    def _device_row(self, device_key: str) -> dict[str, object]:
        rows = list(
            self._db.query(
                f"SELECT {_ALL_COLUMNS} FROM devices WHERE device_key = ?",  # noqa: S608
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
            location = str(row.get("location") or "")
            return DeviceRecord(device=device, **state, location=location)  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyError) as exc:
            key = row.get("device_key")
            raise InventoryError(f"device {key!r}: the inventory row is damaged ({exc})") from exc

    @_translated
    def set_review(self, device_key: str, status: str, note: str | None = None) -> None:
        """Set a device's review status (and note, unless None).

        InventoryError on an unknown status or device.
        """
        if status not in REVIEW_STATUSES:
            raise InventoryError(
                f"unknown review status {status!r}; use one of {', '.join(REVIEW_STATUSES)}"
            )
        if self._read_only:
            with self._writer() as writer:
                writer.set_review(device_key, status, note)
            return
        self._device_row(device_key)
        self._db.execute(
            """UPDATE devices SET review_status = ?, note = coalesce(?, note),
                   review_updated_at = ?
               WHERE device_key = ?""",
            [status, note, self._now(), device_key],
        )

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
