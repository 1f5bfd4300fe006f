"""Snapshots of the main screens at fixed data and clock (review SVG diffs before updating)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from tui_fixtures import make_app

from camcensus.scanner.store import Inventory


async def settle(pilot: Pilot[None]) -> None:
    """A run_before hook (it also keeps Textual's screenshot cache out of the way)."""
    await pilot.pause()


def test_table_80x24(snap_compare, inventory: Inventory, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(inventory, db_path), terminal_size=(80, 24), run_before=settle)


def test_table_120x40(snap_compare, inventory: Inventory, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(inventory, db_path), terminal_size=(120, 40), press=["o"], run_before=settle
    )


def test_detail_120x40(snap_compare, inventory: Inventory, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(inventory, db_path),
        terminal_size=(120, 40),
        press=["down", "down", "enter"],
        run_before=settle,
    )


def test_summary_80x24(snap_compare, inventory: Inventory, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(inventory, db_path), terminal_size=(80, 24), press=["m"], run_before=settle
    )
