"""The app opens and filters an inventory of 10,000 devices, reading only the rows on
screen (its speed at 100,000: bench/tui.py)."""

from __future__ import annotations

from pathlib import Path

from tui_fixtures import build_large_inventory, fixed_clock, make_app

from camcensus.scanner.store import Inventory
from camcensus.tui.table import DeviceTable

DEVICES = 10_000


async def test_ten_thousand_devices_open_and_filter_a_page_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "large.db"
    build_large_inventory(path, DEVICES)
    with Inventory.open(path, create=False, read_only=True, clock=fixed_clock) as inventory:
        read: list[int] = []
        listing = inventory.listing

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            rows = listing(*args, **kwargs)
            read.append(len(rows))
            return rows

        inventory.listing = counted  # type: ignore[method-assign]
        app = make_app(inventory, path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            table = app.query_one("#devices", DeviceTable)
            assert table.row_count == DEVICES
            assert sum(read) <= 200  # one window, not 10,000 rows
            await pilot.press("slash", *"maker:dahua")
            await pilot.pause()
            assert table.row_count == DEVICES // 5
            shown = [table.row_at(i) for i in range(30)]
            assert {r.cells[2] for r in shown if r is not None} == {"Dahua"}
            await pilot.press("enter", "end")
            await pilot.pause()
            assert table.cursor_row == DEVICES // 5 - 1
            last = inventory.listing_keys(app.listing_query)[-1]
            assert table.cursor_key == last
            assert "Dahua" in table.row_at(table.cursor_row).cells[2]  # type: ignore[union-attr]
            assert max(read) <= 200  # every read was one window
