"""Fixtures for TUI tests: the fixed inventory file, opened as often as a test likes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tui_fixtures import build_inventory, fixed_clock

from camcensus.scanner.store import Inventory


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.db"
    build_inventory(path)
    return path


@pytest.fixture
def open_inventory(db_path: Path) -> Iterator[Callable[[], Inventory]]:
    opened: list[Inventory] = []

    def _open() -> Inventory:
        inventory = Inventory.open(db_path, create=False, clock=fixed_clock)
        opened.append(inventory)
        return inventory

    yield _open
    for inventory in opened:
        inventory.close()


@pytest.fixture
def inventory(open_inventory: Callable[[], Inventory]) -> Inventory:
    return open_inventory()
