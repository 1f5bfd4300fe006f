"""The device table's rows, filter and sort: pure functions over ``DeviceRecord``.

A ``DeviceRow`` holds everything the table needs, computed once per device: the cells
(already passed through ``safe_text``), a sort key per column and lower-case text for
filtering.  Filtering 10,000 rows is then a loop of substring tests.

Filter syntax (``parse_query``): words separated by spaces, all of which must match.

* ``maker:hik``, ``brand:``, ``model:``, ``site:``, ``status:``, ``type:``, ``ip:`` —
  case-insensitive substring of that field (``status:`` matches ``to_replace`` and
  ``to replace``; ``site:-`` matches devices without a site);
* ``flag:yes`` / ``flag:no`` (also ``flagged`` on its own) — flagged devices only / not;
* any other word — substring of any of IP, MAC, maker, brand, model, firmware, type,
  site, review status, note and device key.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from camcensus.scanner.model import DeviceRecord
from camcensus.tui.text import safe_text

__all__ = [
    "COLUMNS",
    "FIELD_FILTERS",
    "REVIEW_LABELS",
    "Column",
    "DeviceRow",
    "Query",
    "filter_rows",
    "make_row",
    "parse_query",
    "sort_rows",
]

REVIEW_LABELS: Final[dict[str, str]] = {
    "unreviewed": "unreviewed",
    "to_replace": "to replace",
    "accepted_risk": "accepted risk",
    "replaced": "replaced",
    "false_positive": "false positive",
}
FIELD_FILTERS: Final = ("maker", "brand", "model", "site", "status", "type", "ip")
_NO_SITE: Final = "-"


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: its key, header label and fixed width in cells."""

    key: str
    label: str
    width: int


COLUMNS: Final[tuple[Column, ...]] = (
    Column("flag", "Flag", 4),
    Column("ip", "IP", 15),
    Column("maker", "Maker", 12),
    Column("brand", "Brand", 12),
    Column("model", "Model", 18),
    Column("review", "Review", 14),
    Column("site", "Site", 10),
    Column("firmware", "Firmware", 12),
    Column("type", "Type", 7),
    Column("confidence", "Conf", 4),
    Column("last_seen", "Last seen", 16),
    Column("mac", "MAC", 17),
)

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


def _ip_sort_key(ip: str) -> SortKey:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return (1, ip.lower())  # unparsable addresses sort after the real ones
    return (0, (address.version, int(address)))


def _text_key(value: str) -> SortKey:
    return (0, value.casefold()) if value else (1, "")  # empty values sort last


def _last_seen_cell(value: str) -> str:
    """``2025-03-01T09:00:01+00:00`` -> ``2025-03-01 09:00`` (UTC, as stored)."""
    return value[:16].replace("T", " ")


def make_row(record: DeviceRecord) -> DeviceRow:
    """The table row for one inventory record."""
    review = REVIEW_LABELS.get(record.review_status, record.review_status)
    site = record.site or ""
    values: dict[str, str] = {
        "flag": "FLAG" if record.flagged else "-",
        "ip": record.ip,
        "maker": record.maker,
        "brand": record.brand,
        "model": record.model,
        "review": review,
        "site": site,
        "firmware": record.firmware or "",
        "type": record.device_type,
        "confidence": f"{record.confidence:.2f}",
        "last_seen": _last_seen_cell(record.last_seen),
        "mac": record.mac or "",
    }
    sort_keys: dict[str, SortKey] = {
        "flag": (0, not record.flagged),  # flagged first when ascending
        "ip": _ip_sort_key(record.ip),
        "confidence": (0, record.confidence),
    }
    fields = {
        "maker": record.maker.lower(),
        "brand": record.brand.lower(),
        "model": record.model.lower(),
        "site": site.lower() if site else _NO_SITE,
        "status": record.review_status.replace("_", " "),
        "type": record.device_type.lower(),
        "ip": record.ip.lower(),
    }
    search = "\n".join(
        (
            record.ip,
            record.mac or "",
            record.maker,
            record.brand,
            record.model,
            record.firmware or "",
            record.device_type,
            site,
            record.review_status,
            review,
            record.note,
            record.device_key,
        )
    ).lower()
    return DeviceRow(
        device_key=record.device_key,
        cells=tuple(safe_text(values[c.key]) for c in COLUMNS),
        sort_keys=tuple(sort_keys.get(c.key) or _text_key(values[c.key]) for c in COLUMNS),
        flagged=record.flagged,
        fields=fields,
        search=search,
    )


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter: per-field substrings, a flag condition and free words."""

    fields: tuple[tuple[str, str], ...] = ()
    flagged: bool | None = None
    words: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the query matches every row."""
        return not self.fields and self.flagged is None and not self.words


def parse_query(text: str) -> Query:
    """Parse the filter box (syntax in the module docstring).

    >>> parse_query("maker:Hik flag:yes ds-2")
    Query(fields=(('maker', 'hik'),), flagged=True, words=('ds-2',))
    """
    fields: list[tuple[str, str]] = []
    words: list[str] = []
    flagged: bool | None = None
    for token in text.lower().split():
        name, sep, value = token.partition(":")
        if token in ("flagged", "flag:yes", "flag:y", "flag:1"):
            flagged = True
        elif token in ("flag:no", "flag:n", "flag:0"):
            flagged = False
        elif sep and name in FIELD_FILTERS:
            if value:
                fields.append((name, value.replace("_", " ") if name == "status" else value))
        else:
            words.append(token)
    return Query(tuple(fields), flagged, tuple(words))


def _matches(row: DeviceRow, query: Query) -> bool:
    if query.flagged is not None and row.flagged != query.flagged:
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
