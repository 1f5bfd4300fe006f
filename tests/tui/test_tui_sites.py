"""The TUI shows and filters the site a scan gave each device (no site set by hand)."""

from __future__ import annotations

from pathlib import Path

from builders import make_device
from tui_fixtures import fixed_clock, make_app, screen_text

from camcensus.scanner.store import Inventory


def _two_sites(path: Path) -> None:
    """Sites Utrecht-CS and Amersfoort, the same two addresses in each."""
    with Inventory.open(path, clock=fixed_clock) as inventory:
        for site in ("Utrecht-CS", "Amersfoort"):
            scan = inventory.begin_scan(
                operator="alice", scope="lab", targets="198.18.0.0/24", site=site
            )
            for host in (5, 6):
                inventory.record_device(scan, make_device(host, site=site))
            inventory.finish_scan(scan)


async def test_the_table_shows_and_filters_the_site_of_each_scan(tmp_path: Path) -> None:
    path = tmp_path / "sites.db"
    _two_sites(path)
    with Inventory.open(path, create=False, read_only=True, clock=fixed_clock) as inventory:
        app = make_app(inventory, path)
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            assert len(app.visible_rows) == 4
            text = screen_text(app.export_screenshot())
            assert text.count("Utrecht-CS") == 2
            assert text.count("Amersfoort") == 2
            assert "missing" not in text
            await pilot.press("slash", *"site:amersfoort", "enter")
            await pilot.pause()
            assert sorted(r.device_key for r in app.visible_rows) == [
                "Amersfoort/mac:aa:bb:cc:00:00:05",
                "Amersfoort/mac:aa:bb:cc:00:00:06",
            ]


async def test_the_device_view_shows_a_review_conflict_a_merge_kept(tmp_path: Path) -> None:
    """Reviewed differently at the site and at the centre: the merge keeps the centre's
    review and the device view shows the other one beside it."""
    from camcensus.tui.screens import DeviceScreen

    site, central = tmp_path / "site.db", tmp_path / "central.db"
    _two_sites(site)
    key = "Amersfoort/mac:aa:bb:cc:00:00:05"
    with Inventory.open(central, clock=fixed_clock) as inventory, Inventory.open(site) as other:
        inventory.merge(other.dump(), origin="amersfoort.db")
        inventory.set_review(key, "accepted_risk", "board decision", reviewer="ciso")
        other.set_review(key, "to_replace", "site plan", reviewer="ann")
        assert len(inventory.merge(other.dump(), origin="amersfoort.db").conflicts) == 1
    with Inventory.open(central, create=False, read_only=True, clock=fixed_clock) as inventory:
        app = make_app(inventory, central)
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.press("slash", *"site:amersfoort 198.18.0.5", "enter")
            await pilot.pause()
            assert [r.device_key for r in app.visible_rows] == [key]
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DeviceScreen)
            text = screen_text(app.export_screenshot())
    assert "Review conflict: amersfoort.db says" in text
    assert "site plan" in text
    assert "ann" in text
    assert "this inventory's review is kept" in text
