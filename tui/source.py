"""Where the device table's rows come from: the inventory, a page at a time.

``StoreSource`` asks the inventory for the rows on screen (``Inventory.listing`` with
LIMIT/OFFSET over an indexed ORDER BY) and for the count, so the first paint of a
100,000-device inventory reads some 40 rows, not 100,000.  ``MemorySource`` holds every
row in memory and filters and sorts in Python (``tui.rows``): the TUI uses it under a
``--policy``, whose flags are decided per device from its evidence, which SQL cannot
filter or sort by.  Both answer the same questions in the same order.
"""

from __future__ import annotations

from typing import Protocol

from camcensus.scanner.core.listing import ListingQuery
from camcensus.scanner.core.schema import DeviceRecord
from camcensus.scanner.store import Inventory
from camcensus.tui.rows import COLUMN_INDEX, DeviceRow, filter_rows, make_row, sort_rows

__all__ = ["MemorySource", "RowSource", "StoreSource", "make_source"]


class RowSource(Protocol):
    """The devices of one listing query, in its order."""

    query: ListingQuery

    def count(self) -> int:
        """How many devices the query selects."""

    def total(self) -> int:
        """How many devices the inventory holds."""

    def rows(self, offset: int, limit: int) -> list[DeviceRow]:
        """``limit`` rows from position ``offset``."""

    def keys(self) -> list[str]:
        """Every selected device key, in order (bulk review)."""

    def records(self) -> list[DeviceRecord]:
        """Every selected device, in order, with its evidence (export)."""

    def position(self, device_key: str) -> int | None:
        """Where a device stands in the listing (None: not selected)."""


class StoreSource:
    """Rows read from the inventory a window at a time (see the module docstring)."""

    def __init__(
        self, inventory: Inventory, query: ListingQuery, *, total: int | None = None
    ) -> None:
        """``total``: the inventory's device count when known (a new filter on the
        same inventory keeps it; None counts)."""
        self.inventory = inventory
        self.query = query
        self._count = inventory.listing_count(query)
        if query_is_empty(query):
            self._total = self._count
        else:
            self._total = inventory.listing_count() if total is None else total

    def count(self) -> int:
        return self._count

    def total(self) -> int:
        return self._total

    def rows(self, offset: int, limit: int) -> list[DeviceRow]:
        return [make_row(r) for r in self.inventory.listing(self.query, offset=offset, limit=limit)]

    def keys(self) -> list[str]:
        return self.inventory.listing_keys(self.query)

    def records(self) -> list[DeviceRecord]:
        return self.inventory.listing(self.query, with_details=True)

    def position(self, device_key: str) -> int | None:
        return self.inventory.listing_position(self.query, device_key)


class MemorySource:
    """Every row in memory, filtered and sorted in Python (see the module docstring)."""

    def __init__(
        self,
        records: list[DeviceRecord],
        query: ListingQuery,
        *,
        rows: list[DeviceRow] | None = None,
    ) -> None:
        self.query = query
        self._records = records
        self._all = rows if rows is not None else [make_row(r) for r in records]
        self._by_key = {r.device_key: r for r in records}
        matching = filter_rows(self._all, query.filter, flagged_only=query.flagged_only)
        if query.hide_children:  # cameras behind a recorder (the recorder lists them)
            matching = [r for r in matching if not r.fields.get("parent")]
        self._rows = sort_rows(matching, COLUMN_INDEX[query.sort], reverse=query.reverse)
        self._index = {row.device_key: i for i, row in enumerate(self._rows)}

    def with_query(self, query: ListingQuery) -> MemorySource:
        """The same rows under another query (nothing re-read, no row rebuilt)."""
        return MemorySource(self._records, query, rows=self._all)

    def count(self) -> int:
        return len(self._rows)

    def total(self) -> int:
        return len(self._all)

    def rows(self, offset: int, limit: int) -> list[DeviceRow]:
        return self._rows[offset : offset + limit]

    def keys(self) -> list[str]:
        return [row.device_key for row in self._rows]

    def records(self) -> list[DeviceRecord]:
        return [self._by_key[row.device_key] for row in self._rows]

    def position(self, device_key: str) -> int | None:
        return self._index.get(device_key)


def query_is_empty(query: ListingQuery) -> bool:
    """True when the query selects every device."""
    return query.filter.empty and not query.flagged_only


def make_source(
    inventory: Inventory, query: ListingQuery, previous: RowSource | None = None
) -> RowSource:
    """The source for ``inventory``: paged from SQL, or in memory under a policy.  A
    ``previous`` source of the same inventory lends what a new filter does not change
    (the device total; a memory source's rows): pass None to read the inventory again."""
    if inventory.policy is None:
        total = previous.total() if isinstance(previous, StoreSource) else None
        return StoreSource(inventory, query, total=total)
    if isinstance(previous, MemorySource):
        return previous.with_query(query)
    return MemorySource(inventory.devices(), query)
