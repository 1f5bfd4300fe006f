"""A device listing's filter and sort, and the SQL that pages it from the inventory.

The TUI's table shows a window of a listing: the devices matching a filter, in the
order of one column.  ``ListingQuery`` says which; ``listing_where`` and
``listing_order`` turn it into SQL over the ``devices`` table (the store runs it, with
``LIMIT``/``OFFSET`` for the rows on screen and ``count(*)`` for the total), so a
100,000-device inventory is never read whole to show 40 lines.

Filter syntax (``parse_filter``): words separated by spaces, all of which must match.

* ``maker:hik``, ``brand:``, ``model:``, ``site:``, ``status:``, ``type:``, ``ip:`` —
  case-insensitive substring of that field (``site:"platform 5"``: a value with spaces
  in double quotes) (``ip:`` searches every address of a device,
  ``status:`` matches ``to_replace`` and ``to replace``; ``site:-`` matches devices
  without a site);
* ``flag:yes`` / ``flag:no`` (also ``flagged`` on its own) — flagged devices only / not;
  ``flag:possible`` — devices of a maker of concern on weak evidence (shown ``poss``);
* any other word — substring of any of the addresses, MAC, maker, brand, model,
  firmware, type, site, review status, note and device key.

Case is folded for ASCII letters only in SQL (SQLite's ``lower``), so ``é`` does not
match ``É``.  Sorting puts empty values last, ties in the listing's base order (site,
IP, device key; a reversed listing is the same order turned round); IPv4 addresses
sort by number, other addresses after them as text.

Pure: SQL text and parameters, no database.  The expressions in ``SORT_EXPRESSIONS``
are also those of the store's listing indexes (migration ``0008_listing``): an
expression changed here needs a new migration, or the index no longer serves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "DEFAULT_SORT",
    "FIELD_FILTERS",
    "FILTERED_COLUMNS",
    "NO_SITE",
    "SEARCHED_FIELDS",
    "SORT_EXPRESSIONS",
    "TIE_BREAK",
    "Filter",
    "ListingQuery",
    "listing_before",
    "listing_index_terms",
    "listing_order",
    "listing_where",
    "parse_filter",
]

NO_SITE: Final = "-"
"""``site:-``: devices without a site."""

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


def _list_text(column: str) -> str:
    """A JSON list column (``["a", "b"]``, as ``schema.sql_value`` writes it) as the
    ``"; "``-joined text ``schema.field_text`` makes of it."""
    return (
        f"CASE WHEN {column} = '[]' THEN '' "
        f"ELSE replace(substr({column}, 3, length({column}) - 4), '\", \"', '; ') END"
    )


_STATUS_TEXT: Final = "replace(review_status, '_', ' ')"
_FILTER_SQL: Final[dict[str, str]] = {
    "maker": "maker",
    "brand": "brand",
    "model": "model",
    "site": f"coalesce(site, '{NO_SITE}')",
    "status": _STATUS_TEXT,
    "type": "device_type",
    "ip": "addresses",
    "parent": "coalesce(parent, '')",
}
_SEARCHED_SQL: Final = (
    "addresses",  # holds the ip too
    "maker",
    "model",
    "brand",
    "coalesce(mac, '')",
    "coalesce(firmware, '')",
    "device_type",
    "coalesce(site, '')",
    "review_status",
    _STATUS_TEXT,
    "note",
    "device_key",
)
"""What a free word searches: the fields one by one (a word holds no space, so it can
never match across two of them, as in the one text ``tui.rows`` searches)."""
_LIST_PUNCTUATION: Final = frozenset('"[],; ')


def _like(expression: str, parameter: str, word: str) -> str:
    """``expression`` contains ``word`` (SQLite's LIKE folds ASCII case, as ``lower``).

    ``addresses`` is searched as stored (``["a", "b"]``): a word without list
    punctuation matches it exactly where it matches the ``"; "``-joined text, and the
    text is only built (slower) for a word with such punctuation."""
    if expression == "addresses" and _LIST_PUNCTUATION & set(word):
        expression = _list_text("addresses")
    return f"{expression} LIKE :{parameter} ESCAPE '\\'"


def _pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _text_key(column: str) -> tuple[str, ...]:
    # empty values last; never NULL, so a row value of the terms compares (listing_before)
    return (f"coalesce({column}, '') = ''", f"lower(coalesce({column}, ''))")


def _ipv4_key() -> str:
    """``a.b.c.d`` as the integer it stands for (each octet read by CAST)."""
    rests = ["ip"]
    for _ in range(3):
        rest = rests[-1]
        rests.append(f"substr({rest}, instr({rest}, '.') + 1)")
    octets = [f"CAST({rest} AS INTEGER)" for rest in rests]
    return " + ".join(
        f"{octet} * {256**power}" for octet, power in zip(octets, (3, 2, 1, 0), strict=True)
    )


SORT_EXPRESSIONS: Final[dict[str, tuple[str, ...]]] = {
    "flagged": ("CASE flag_level WHEN 'flagged' THEN 0 WHEN 'possible' THEN 1 ELSE 2 END",),
    "ip": ("instr(ip, ':') > 0", _ipv4_key(), "ip"),
    "maker": _text_key("maker"),
    "brand": _text_key("brand"),
    "model": _text_key("model"),
    "review_status": ("review_status",),
    "site": _text_key("site"),
    "firmware": _text_key("firmware"),
    "device_type": _text_key("device_type"),
    "confidence": ("confidence",),
    "last_seen": ("last_seen",),
    "mac": _text_key("mac"),
}
"""The ORDER BY terms of each sortable field (a schema field name), before the ties."""

TIE_BREAK: Final = ("coalesce(site, '')", "ip", "device_key")
"""The base order of a listing: ties of the sort column keep it (in either direction)."""

DEFAULT_SORT: Final = "flagged"

SEARCHED_FIELDS: Final = (
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
"""The schema fields a free word searches (in SQL ``_SEARCHED_SQL``, in memory
``tui.rows``)."""

FILTERED_COLUMNS: Final = ("flagged", "flag_level", *SEARCHED_FIELDS, "parent")
"""Every column ``listing_where`` reads: an index of them all (migration 0008) lets
SQLite count a filter by scanning that index, a third of the work of the table."""


@dataclass(frozen=True, slots=True)
class Filter:
    """A parsed filter: per-field substrings, a flag condition and free words."""

    fields: tuple[tuple[str, str], ...] = ()
    flagged: bool | None = None
    words: tuple[str, ...] = ()
    possible: bool = False

    @property
    def empty(self) -> bool:
        """True when the filter matches every device."""
        return not self.fields and self.flagged is None and not self.words and not self.possible


_TOKEN: Final = re.compile(r'[^\s:"]+:"[^"]*"?|\S+')
"""A filter word: ``name:"a value with spaces"`` (closing quote optional while typing)."""


def parse_filter(text: str) -> Filter:
    """Parse the filter box (syntax in the module docstring).

    >>> parse_filter("maker:Hik flag:yes ds-2")
    Filter(fields=(('maker', 'hik'),), flagged=True, words=('ds-2',), possible=False)
    """
    fields: list[tuple[str, str]] = []
    words: list[str] = []
    flagged: bool | None = None
    possible = False
    for token in _TOKEN.findall(text.lower()):
        name, sep, value = token.partition(":")
        if value.startswith('"'):
            value = value.strip('"')
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
    return Filter(tuple(fields), flagged, tuple(words), possible)


@dataclass(frozen=True, slots=True)
class ListingQuery:
    """Which devices a listing shows (``filter``, ``flagged_only``; ``hide_children``
    leaves out cameras behind a recorder, which the recorder lists) and in what order
    (``sort``: a key of ``SORT_EXPRESSIONS``; ``reverse``: the whole order turned round,
    ties included, so an index serves it read backwards)."""

    filter: Filter = Filter()
    flagged_only: bool = False
    sort: str = DEFAULT_SORT
    reverse: bool = False
    hide_children: bool = False

    def __post_init__(self) -> None:
        if self.sort not in SORT_EXPRESSIONS:
            raise ValueError(f"cannot sort a listing by {self.sort!r}")


def listing_where(query: ListingQuery) -> tuple[str, dict[str, object]]:
    """The WHERE condition (``"1"`` for every device) and its named parameters
    (``:w0``, ``:w1``, ...)."""
    conditions: list[str] = []
    params: dict[str, object] = {}
    flt = query.filter
    if query.flagged_only or flt.flagged is True:
        conditions.append("flagged = 1")
    if flt.flagged is False:
        conditions.append("flagged = 0")
    if flt.possible:
        conditions.append("flag_level = 'possible'")
    if query.hide_children:
        conditions.append("coalesce(parent, '') = ''")
    for name, value in flt.fields:
        if name == "site" and value == NO_SITE:
            conditions.append("site IS NULL")
        else:
            parameter = f"w{len(params)}"
            conditions.append(_like(_FILTER_SQL[name], parameter, value))
            params[parameter] = _pattern(value)
    for word in flt.words:
        parameter = f"w{len(params)}"
        alternatives = " OR ".join(_like(e, parameter, word) for e in _SEARCHED_SQL)
        conditions.append(f"({alternatives})")
        params[parameter] = _pattern(word)
    return (" AND ".join(conditions) or "1"), params


def listing_order(query: ListingQuery) -> str:
    """The ORDER BY terms: the sort column's, then the base order (``TIE_BREAK``), all
    descending with ``reverse``."""
    direction = " DESC" if query.reverse else ""
    terms = [*SORT_EXPRESSIONS[query.sort], *TIE_BREAK]
    return ", ".join(f"{term}{direction}" for term in terms)


def listing_before(query: ListingQuery) -> str:
    """A condition true for the devices before one in ``query``'s order: its terms as a
    row value, compared with the row value of the same terms the parameter
    ``:device_key``'s device has (every term is NOT NULL, so rows compare)."""
    terms = ", ".join([*SORT_EXPRESSIONS[query.sort], *TIE_BREAK])
    select = f"SELECT {terms} FROM devices WHERE device_key = :device_key"  # noqa: S608
    return f"({terms}) {'>' if query.reverse else '<'} ({select})"


def listing_index_terms(sort: str) -> str:
    """The column list of the index that serves sorting by ``sort`` (migration 0008)."""
    return ", ".join([*SORT_EXPRESSIONS[sort], *TIE_BREAK])
