"""The device table's rows, filter and sort: pure functions over ``DeviceRecord``.

A ``DeviceRow`` holds everything the table needs, computed once per device: the cells
(already passed through ``safe_text``), a sort key per column and lower-case text for
filtering.  Filtering 10,000 rows is then a loop of substring tests.

Filter syntax (``parse_query``): words separated by spaces, all of which must match.

* ``maker:hik``, ``brand:``, ``model:``, ``site:``, ``status:``, ``type:``, ``ip:`` —
  case-insensitive substring of that field (``ip:`` searches every address of a device,
  ``status:`` matches ``to_replace`` and ``to replace``; ``site:-`` matches devices
  without a site);
* ``flag:yes`` / ``flag:no`` (also ``flagged`` on its own) — flagged devices only / not;
  ``flag:possible`` — devices of a maker of concern on weak evidence (shown ``poss``);
* any other word — substring of any of the addresses, MAC, maker, brand, model,
  firmware, type, site, review status, note and device key.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from camcensus.scanner.core.schema import FIELDS, REVIEW_LABELS, DeviceRecord, Field, field_text
from camcensus.tui.text import safe_text

__all__ = [
    "COLUMNS",
    "FIELD_FILTERS",
    "Column",
    "DeviceRow",
    "Query",
    "filter_rows",
    "make_row",
    "parse_query",
    "sort_rows",
]

_NO_SITE: Final = "-"
_LEVEL_ORDER: Final = {"flagged": 0, "possible": 1, "no": 2}
_SCHEMA: Final = {f.name: f for f in FIELDS}


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: the schema field it shows, its header label and width in cells."""

    field: Field
    width: int

    @property
    def key(self) -> str:
        """The schema field's name."""
        return self.field.name

    @property
    def label(self) -> str:
        """The header: the schema field's label."""
        return self.field.label


def _column(name: str, width: int) -> Column:
    return Column(_SCHEMA[name], width)


COLUMNS: Final[tuple[Column, ...]] = (
    _column("flagged", 4),
    _column("ip", 15),
    _column("maker", 12),
    _column("brand", 12),
    _column("model", 18),
    _column("review_status", 14),
    _column("site", 10),
    _column("firmware", 12),
    _column("device_type", 7),
    _column("confidence", 4),
    _column("last_seen", 16),
    _column("mac", 17),
)

FIELD_FILTERS: Final[dict[str, str]] = {
    "maker": "maker",
    "brand": "brand",
    "model": "model",
    "site": "site",
    "status": "review_status",
    "type": "device_type",
    "ip": "addresses",
    "parent": "parent",
}
"""Filter words (``maker:hik``; ``parent:`` the recorder a camera is behind) and the
schema fields they search."""

_SEARCHED: Final = tuple(
    _SCHEMA[name]
    for name in (
        "ip",
        "addresses",
        "mac",
        "maker",
        "brand",
        "model",
        "firmware",
        "device_type",
        "site",
        "review_status",
        "note",
        "device_key",
    )
)
"""The fields a free word of the filter searches."""

SortKey = tuple[int, object]


@dataclass(frozen=True, slots=True)
class DeviceRow:
    """A device prepared for the table (see the module docstring)."""

    device_key: str
    cells: tuple[str, ...]
    sort_keys: tuple[SortKey, ...]
    flagged: bool
    fields: dict[str, str]
    search: str
    possible: bool = False


def _ip_sort_key(ip: str) -> SortKey:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return (1, ip.lower())  # unparsable addresses sort after the real ones
    return (0, (address.version, int(address)))


def _text_key(value: str) -> SortKey:
    return (0, value.casefold()) if value else (1, "")  # empty values sort last


_COLUMN_KEYS: Final = tuple(c.key for c in COLUMNS)
_TEXTS: Final = tuple(
    _SCHEMA[name]
    for name in dict.fromkeys(
        [*_COLUMN_KEYS, *FIELD_FILTERS.values(), *(f.name for f in _SEARCHED)]
    )
)
"""Every field a row shows, filters or searches, each turned into text once per row."""


def _texts(record: DeviceRecord) -> dict[str, str]:
    return {f.name: field_text(f, f.value(record)) for f in _TEXTS}


def make_row(record: DeviceRecord) -> DeviceRow:
    """The table row for one inventory record."""
    device = record.device
    texts = _texts(record)
    review = REVIEW_LABELS.get(record.review_status, record.review_status)
    cells = dict(texts)
    cells["flagged"] = {"flagged": "FLAG", "possible": "poss"}.get(device.flag_level, "-")
    cells["review_status"] = review
    # 2025-03-01T09:00:01+00:00 -> 2025-03-01 09:00 (UTC, as stored)
    cells["last_seen"] = record.last_seen[:16].replace("T", " ")
    sort_keys: dict[str, SortKey] = {
        "flagged": (0, _LEVEL_ORDER[device.flag_level]),  # flagged, then possible, first
        "ip": _ip_sort_key(device.ip),
        "confidence": (0, device.confidence),
    }
    fields = {word: texts[name].lower() for word, name in FIELD_FILTERS.items()}
    fields["status"] = record.review_status.replace("_", " ")
    fields["site"] = fields["site"] or _NO_SITE
    search = "\n".join([*(texts[f.name] for f in _SEARCHED), review]).lower()
    return DeviceRow(
        device_key=device.device_key,
        cells=tuple(safe_text(cells[key]) for key in _COLUMN_KEYS),
        sort_keys=tuple(sort_keys.get(key) or _text_key(cells[key]) for key in _COLUMN_KEYS),
        flagged=device.flagged,
        fields=fields,
        search=search,
        possible=device.flag_level == "possible",
    )


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter: per-field substrings, a flag condition and free words."""

    fields: tuple[tuple[str, str], ...] = ()
    flagged: bool | None = None
    words: tuple[str, ...] = ()
    possible: bool = False

    @property
    def empty(self) -> bool:
        """True when the query matches every row."""
        return not self.fields and self.flagged is None and not self.words and not self.possible


def parse_query(text: str) -> Query:
    """Parse the filter box (syntax in the module docstring).

    >>> parse_query("maker:Hik flag:yes ds-2")
    Query(fields=(('maker', 'hik'),), flagged=True, words=('ds-2',))
    """
    fields: list[tuple[str, str]] = []
    words: list[str] = []
    flagged: bool | None = None
    possible = False
    for token in text.lower().split():
        name, sep, value = token.partition(":")
        if token in ("flag:possible", "flag:poss", "possible"):
            possible = True
        elif token in ("flagged", "flag:yes", "flag:y", "flag:1"):
            flagged = True
        elif token in ("flag:no", "flag:n", "flag:0"):
            flagged = False
        elif sep and name in FIELD_FILTERS:
            if value:
                fields.append((name, value.replace("_", " ") if name == "status" else value))
        else:
            words.append(token)
    return Query(tuple(fields), flagged, tuple(words), possible)


def _matches(row: DeviceRow, query: Query) -> bool:
    if query.flagged is not None and row.flagged != query.flagged:
        return False
    if query.possible and not row.possible:
        return False
    for name, value in query.fields:
        if name == "site" and value == _NO_SITE:
            if row.fields["site"] != _NO_SITE:
                return False
        elif value not in row.fields[name]:
            return False
    return all(word in row.search for word in query.words)


def filter_rows(
    rows: Iterable[DeviceRow], query: Query, *, flagged_only: bool = False
) -> list[DeviceRow]:
    """The rows matching ``query`` (and flagged, with ``flagged_only``), order kept."""
    if query.empty and not flagged_only:
        return list(rows)
    return [r for r in rows if (r.flagged or not flagged_only) and _matches(r, query)]


def sort_rows(rows: Sequence[DeviceRow], column: int, *, reverse: bool = False) -> list[DeviceRow]:
    """``rows`` sorted by column index ``column`` (stable; ties keep their order)."""
    return sorted(rows, key=lambda r: r.sort_keys[column], reverse=reverse)
