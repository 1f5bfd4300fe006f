"""Review at scale: one action reviews every device shown; export offers the CLI's
choices; summary and history by site (issue 13's "Export and review at scale", issue
11's sites in the TUI)."""

from __future__ import annotations

import contextlib
import csv
import getpass
import io
from collections.abc import AsyncIterator
from pathlib import Path

from builders import make_device
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input
from tui_fixtures import FIXED_NOW, fixed_clock, make_app, screen_text

from camcensus.scanner.export import write_devices_csv
from camcensus.scanner.store import Inventory
from camcensus.tui.app import InventoryApp
from camcensus.tui.screens import (
    BulkReviewScreen,
    ExportScreen,
    HistoryScreen,
    SummaryScreen,
    summary_filter,
    summary_label,
)

HIKVISION_FLAGGED = 13


@contextlib.asynccontextmanager
async def _running(
    path: Path, size: tuple[int, int]
) -> AsyncIterator[tuple[InventoryApp, Pilot[None]]]:
    """The app on the inventory at ``path``, opened read-only, at terminal ``size``."""
    with Inventory.open(path, create=False, read_only=True, clock=fixed_clock) as inventory:
        app = make_app(inventory, path)
        async with app.run_test(size=size) as pilot:
            yield app, pilot


def _fleet(folder: Path) -> Path:
    """13 flagged Hikvision, 2 possibly flagged Hikvision, 5 Dahua, 4 Axis, 1 without a
    maker: at site Utrecht-CS (location "platform 5"); two scans of it, one of Zwolle."""
    path = folder / "fleet.db"
    with Inventory.open(path, clock=fixed_clock) as inventory:
        for location in ("old location", "platform 5"):  # the newer one is the site's
            scan = inventory.begin_scan(
                operator="alice",
                scope="lab",
                targets="198.18.0.0/24",
                site="Utrecht-CS",
                location=location,
            )
            if location == "old location":
                inventory.record_device(scan, make_device(1, site="Utrecht-CS"))
                inventory.finish_scan(scan)
        host = 1
        for _ in range(HIKVISION_FLAGGED):
            inventory.record_device(scan, make_device(host, site="Utrecht-CS"))
            host += 1
        for _ in range(2):
            weak = make_device(host, site="Utrecht-CS", flagged=False, level="possible")
            inventory.record_device(scan, weak)
            host += 1
        for maker, flagged, n in (("Dahua", True, 5), ("Axis", False, 4), ("", False, 1)):
            for _ in range(n):
                device = make_device(host, site="Utrecht-CS", maker=maker, flagged=flagged)
                inventory.record_device(scan, device)
                host += 1
        inventory.finish_scan(scan)
        scan = inventory.begin_scan(
            operator="bob", scope="lab", targets="198.18.0.0/24", site="Zwolle"
        )
        inventory.record_device(scan, make_device(200, site="Zwolle", maker="Axis", flagged=False))
        inventory.finish_scan(scan)
    return path


def _csv_files(folder: Path) -> list[Path]:
    return list(folder.glob("*.csv"))


def _reviews(path: Path) -> dict[str, str]:
    with Inventory.open(path, create=False, read_only=True) as inventory:
        return {
            r.device_key: f"{r.device.maker}/{r.device.flag_level}/{r.review_status}"
            for r in inventory.devices()
        }


async def test_all_flagged_hikvision_marked_to_replace_in_four_keys(tmp_path: Path) -> None:
    path = _fleet(tmp_path)
    async with _running(path, (80, 24)) as (app, pilot):
        await pilot.pause()
        # m: summary (Hikvision, the most flagged maker, first); f: its flagged
        # devices; b: review all shown; t: to replace
        await pilot.press("m", "f")
        await pilot.pause()
        assert app.source.count() == HIKVISION_FLAGGED
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BulkReviewScreen)
        assert f"all {HIKVISION_FLAGGED} device(s)" in screen_text(app.export_screenshot())
        await pilot.press("t")
        await pilot.pause()
        assert "to replace" in screen_text(app.export_screenshot())
    states = sorted(_reviews(path).values())
    assert states.count("Hikvision/flagged/to_replace") == HIKVISION_FLAGGED
    with Inventory.open(path, create=False, read_only=True) as inventory:
        out = io.StringIO(newline="")
        write_devices_csv(inventory.devices(review_status="to_replace"), out)
    exported = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert len(exported) == HIKVISION_FLAGGED
    assert {r["review_updated_at"] for r in exported} == {FIXED_NOW.isoformat()}  # when
    assert {r["reviewer"] for r in exported} == {getpass.getuser()}  # and who
    assert states.count("Hikvision/possible/unreviewed") == 2  # not flagged: not shown
    assert all(s.endswith("/unreviewed") for s in states if not s.startswith("Hikvision/f"))


async def test_bulk_review_can_be_cancelled(tmp_path: Path) -> None:
    path = _fleet(tmp_path)
    async with _running(path, (80, 24)) as (app, pilot):
        await pilot.press("b", "escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]  # back on the table
    assert all(s.endswith("/unreviewed") for s in _reviews(path).values())


async def test_export_offers_delimiter_bom_and_summary(tmp_path: Path) -> None:
    path = _fleet(tmp_path)
    target = tmp_path / "plan.csv"
    async with _running(path, (80, 24)) as (app, pilot):
        await pilot.press("slash", *"maker:dahua", "enter", "e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#export-path", Input).value = str(target)
        app.screen.query_one("#export-delimiter", Input).value = ";"
        app.screen.query_one("#export-bom", Checkbox).value = True
        app.screen.query_one("#export-summary", Checkbox).value = True
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
    raw = target.read_text(encoding="utf-8")
    assert raw.startswith("\ufeffsite;location;ip;")
    rows = list(csv.DictReader(raw.removeprefix("\ufeff").splitlines(), delimiter=";"))
    assert len(rows) == 5
    assert {(r["maker"], r["site"], r["location"]) for r in rows} == {
        ("Dahua", "Utrecht-CS", "platform 5")  # the location of the site's latest scan
    }
    summary = (tmp_path / "plan-summary.csv").read_text(encoding="utf-8")
    assert summary.startswith("\ufeffmaker;brand;model;device_type;device_count")
    (line,) = csv.DictReader(summary.removeprefix("\ufeff").splitlines(), delimiter=";")
    assert (line["maker"], line["device_count"], line["sites"], line["locations"]) == (
        "Dahua",
        "5",
        "Utrecht-CS",
        "platform 5",
    )


async def test_export_refuses_an_unusable_delimiter(tmp_path: Path) -> None:
    path = _fleet(tmp_path)
    async with _running(path, (80, 24)) as (app, pilot):
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-delimiter", Input).value = "x"
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)  # still asking
    assert _csv_files(tmp_path) == []


async def test_summary_by_site_with_location_and_unknown_maker(tmp_path: Path) -> None:
    path = _fleet(tmp_path)
    async with _running(path, (120, 40)) as (app, pilot):
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        table = app.screen.query_one("#summary", DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("maker", "(unknown maker)", "0", "1", "") in rows
        assert ("site", "Utrecht-CS", "18", "25", "platform 5") in rows
        assert ("site", "Zwolle", "0", "1", "") in rows
        site_row = rows.index(("site", "Zwolle", "0", "1", ""))
        table.move_cursor(row=site_row)
        await pilot.press("enter")  # the site's devices
        await pilot.pause()
        assert [r.device_key for r in app.visible_rows] == ["Zwolle/mac:aa:bb:cc:00:00:c8"]
        assert app.screen_stack[0].query_one("#filter", Input).value == "site:zwolle"


def test_summary_rows_name_and_filter_what_they_count() -> None:
    assert summary_label("maker", "") == "(unknown maker)"
    assert summary_label("model", " / X1") == "(unknown maker) / X1"
    assert summary_label("site", "") == "(no site)"
    assert summary_filter("maker", "") is None
    assert summary_filter("site", "") == "site:-"
    assert summary_filter("site", "Platform 5") == 'site:"platform 5"'
    assert summary_filter("model", "Hikvision / DS-2CD") == "maker:hikvision model:ds-2cd"


async def test_history_shows_each_scans_site_and_compares_within_a_site(tmp_path: Path) -> None:
    path = _fleet(tmp_path)
    async with _running(path, (120, 40)) as (app, pilot):
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        scans = screen.query_one("#scans", DataTable)
        sites = [str(scans.get_row_at(i)[2]) for i in range(scans.row_count)]
        assert sites == ["Zwolle", "Utrecht-CS", "Utrecht-CS"]
        # the newest scan (Zwolle) has no earlier scan of its site: no comparison
        assert screen.comparison is None
        assert "Need two scans of one site" in screen_text(app.export_screenshot())
        await pilot.press("down", "enter")  # scan 2 of Utrecht-CS: against scan 1
        await pilot.pause()
        assert screen.comparison is not None
        assert (screen.comparison.old_scan_id, screen.comparison.new_scan_id) == (1, 2)
        text = screen_text(app.export_screenshot())
        assert "Scan 1 -> 2 (Utrecht-CS): 24 new, 0 missing" in text
        diff = screen.query_one("#diff", DataTable)
        assert str(diff.get_row_at(0)[1]).startswith("Hikvision DS-2CD2043G2-I 198.18.0.")
