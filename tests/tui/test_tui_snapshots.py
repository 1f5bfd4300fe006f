"""Snapshots of the main screens at fixed data and clock (review SVG diffs before updating),
and the table's columns fitting an 80x24 and a 200x60 terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from tui_fixtures import HOSTILE_MAKER, make_app, screen_text

from camcensus.scanner.core.text import escape_controls
from camcensus.scanner.store import Inventory


async def settle(pilot: Pilot[None]) -> None:
    """A run_before hook (it also keeps Textual's screenshot cache out of the way)."""
    await pilot.pause()


def test_table_80x24(snap_compare, inventory: Inventory, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(inventory, db_path), terminal_size=(80, 24), run_before=settle)


def test_table_200x60(snap_compare, inventory: Inventory, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(inventory, db_path), terminal_size=(200, 60), press=["o"], run_before=settle
    )


def test_detail_80x24(snap_compare, inventory: Inventory, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(inventory, db_path),
        terminal_size=(80, 24),
        press=["down", "down", "enter"],
        run_before=settle,
    )


def test_summary_80x24(snap_compare, inventory: Inventory, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(inventory, db_path), terminal_size=(80, 24), press=["m"], run_before=settle
    )


MAKERS = ("Huawei", "Uniview", "Hikvision", "Dahua", escape_controls(HOSTILE_MAKER), "Axis")


@pytest.mark.parametrize(
    ("size", "headers"),
    [
        ((80, 24), ("Flag", "IP", "Maker", "Review", "Site")),
        ((200, 60), ("Flag", "IP", "Maker", "Review", "Site", "Model", "MAC", "Last seen")),
    ],
)
async def test_columns_fit_the_terminal_without_cutting_a_maker_or_mac(
    inventory: Inventory, db_path: Path, size: tuple[int, int], headers: tuple[str, ...]
) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        lines = screen_text(app.export_screenshot()).splitlines()
    header = lines[1]
    assert all(f" {h} " in f"{header} " for h in headers), header
    assert max(len(line) for line in lines) <= size[0]
    body = "\n".join(lines[2:8])
    for maker in MAKERS:
        assert maker in body  # whole: the column is as wide as its widest maker
    assert "unreviewed" in body  # not "unrevi"
    assert ("aa:bb:cc:00:00:0" in body) == ("MAC" in header)
    if "MAC" in header:
        assert all(f"aa:bb:cc:00:00:0{n}" in body for n in range(1, 7))


async def test_review_status_is_near_the_top_of_the_device_view_at_80x24(
    inventory: Inventory, db_path: Path
) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down", "enter", "t")
        await pilot.pause()
        lines = screen_text(app.export_screenshot()).splitlines()
    assert any(line.startswith(" Review: to replace") for line in lines[:3]), lines[:3]
