"""The device table's rows, columns, filter and sort: pure functions over ``DeviceRecord``.

A ``DeviceRow`` holds everything the table needs, computed once per device: the cells
(already passed through ``safe_text``; the flag cell coloured, its word kept), their
widths on screen, a sort key per column and lower-case text for filtering.  The filter
syntax is ``scanner.core.listing``'s (``parse_query`` is its ``parse_filter``); the
inventory pages, filters and sorts in SQL, and ``filter_rows``/``sort_rows`` do the same
in Python for rows held in memory (under a ``--policy``: ``tui.source``).

Columns have a priority (their order here) and a widest width: the table shows as many
as fit the terminal, each as wide as its widest cell on screen, so a MAC or a maker name
is not cut where its column is shown.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from rich.cells import cell_len

from camcensus.scanner.core.listing import (
    FIELD_FILTERS,
    NO_SITE,
    SEARCHED_FIELDS,
    SORT_EXPRESSIONS,
    parse_filter,
)
from camcensus.scanner.core.listing import Filter as Query
from camcensus.scanner.core.schema import FIELDS, REVIEW_LABELS, DeviceRecord, Field, field_text
from camcensus.tui.text import escape_controls, safe_text

__all__ = [
    "COLUMNS",
    "COLUMN_INDEX",
    "FIELD_FILTERS",
    "Column",
    "DeviceRow",
    "Query",
    "filter_rows",
    "make_row",
    "parse_query",
    "sort_rows",
]

_NO_SITE: Final = NO_SITE
_LEVEL_ORDER: Final = {"flagged": 0, "possible": 1, "no": 2}
_SCHEMA: Final = {f.name: f for f in FIELDS}


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: the schema field it shows, its header label, the widest it
    grows (in cells; a cell wider is cut) and the key that sorts by it."""

    field: Field
    width: int
    sort_key: str

    @property
    def key(self) -> str:
        """The schema field's name."""
        return self.field.name

    @property
    def label(self) -> str:
        """The header: the schema field's label."""
        return self.field.label


def _column(name: str, width: int, sort_key: str) -> Column:
    return Column(_SCHEMA[name], width, sort_key)


COLUMNS: Final[tuple[Column, ...]] = (
    _column("flagged", 4, "f"),
    _column("ip", 39, "i"),
    _column("maker", 32, "m"),
    _column("review_status", 14, "r"),
    _column("site", 24, "s"),
    _column("model", 28, "o"),
    _column("mac", 17, "a"),
    _column("brand", 24, "b"),
    _column("device_type", 7, "t"),
    _column("last_seen", 16, "l"),
    _column("firmware", 20, "w"),
    _column("confidence", 4, "c"),
)
"""The table's columns, in priority order: the first ones stay on a narrow terminal."""

COLUMN_INDEX: Final = {c.key: i for i, c in enumerate(COLUMNS)}
if set(COLUMN_INDEX) != set(SORT_EXPRESSIONS):  # pragma: no cover (a programming error)
    raise RuntimeError("every column needs a listing sort, and every sort a column")

_SEARCHED: Final = tuple(_SCHEMA[name] for name in SEARCHED_FIELDS)
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
    widths: tuple[int, ...] = ()
    base_key: tuple[str, str, str] = ("", "", "")


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
    flag = {"flagged": "FLAG", "possible": "poss"}.get(device.flag_level, "-")
    cells["flagged"] = flag
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
    shown = tuple(safe_text(cells[key]) for key in _COLUMN_KEYS)
    return DeviceRow(
        device_key=device.device_key,
        cells=(_FLAG_MARKUP.get(flag, flag), *shown[1:]),
        sort_keys=tuple(sort_keys.get(key) or _text_key(cells[key]) for key in _COLUMN_KEYS),
        flagged=device.flagged,
        fields=fields,
        search=search,
        possible=device.flag_level == "possible",
        widths=tuple(cell_len(escape_controls(cells[key])) for key in _COLUMN_KEYS),
        base_key=(record.site or "", device.ip, device.device_key),
    )


_FLAG_MARKUP: Final = {"FLAG": "[bold red]FLAG[/]", "poss": "[yellow]poss[/]"}
"""The flag cell in colour; the word stays, so the flag never rides on colour alone."""


def parse_query(text: str) -> Query:
    """Parse the filter box (``scanner.core.listing.parse_filter``)."""
    return parse_filter(text)


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
    """``rows`` sorted by column index ``column``, ties in the listing's base order
    (site, IP, device key); ``reverse`` turns the whole order round, as the inventory's
    listing does."""
    return sorted(rows, key=lambda r: (r.sort_keys[column], r.base_key), reverse=reverse)
