"""The app opens and filters an inventory of 10,000 devices (its speed: bench/tui.py)."""

from __future__ import annotations

from pathlib import Path

from tui_fixtures import build_large_inventory, fixed_clock, make_app

from camcensus.scanner.store import Inventory
from camcensus.tui.table import DeviceTable

DEVICES = 10_000


async def test_ten_thousand_devices_open_and_filter(tmp_path: Path) -> None:
    path = tmp_path / "large.db"
    build_large_inventory(path, DEVICES)
    with Inventory.open(path, create=False, clock=fixed_clock) as inventory:
        app = make_app(inventory, path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            table = app.query_one("#devices", DeviceTable)
            assert table.row_count == DEVICES
            await pilot.press("slash", *"maker:dahua")
            await pilot.pause()
            assert table.row_count == DEVICES // 5
            assert {r.cells[2] for r in table.rows} == {"Dahua"}
            # how fast filtering is, is bench/tui.py's to measure (apply_filter_ms)
            await pilot.press("enter", "end")
            await pilot.pause()
            assert table.cursor_row == DEVICES // 5 - 1
            assert table.cursor_key == table.rows[-1].device_key
