"""Fixtures for inventory tests: a ticking clock and file inventories under tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_helpers import TickingClock

from camcensus.scanner.store import Inventory


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "inventory.db"


@pytest.fixture
def open_inventory(db_path: Path, clock: TickingClock) -> Iterator[Callable[[], Inventory]]:
    """Open the same file inventory as often as a test likes; all are closed afterwards."""
    opened: list[Inventory] = []

    def _open() -> Inventory:
        inventory = Inventory.open(db_path, clock=clock)
        opened.append(inventory)
        return inventory

    yield _open
    for inventory in opened:
        inventory.close()


@pytest.fixture
def inv(open_inventory: Callable[[], Inventory]) -> Inventory:
    return open_inventory()
