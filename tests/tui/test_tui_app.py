"""Pilot tests: the app filters, sorts, shows details, saves reviews and exports."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from builders import FCC
from textual.widgets import DataTable, Input
from tui_fixtures import HOSTILE_BRAND, HOSTILE_MODEL, make_app, screen_text

from camcensus.cli import EXIT_ERROR, build_parser, main
from camcensus.scanner.store import Inventory
from camcensus.tui.app import InventoryApp
from camcensus.tui.screens import DeviceScreen, ExportScreen, HistoryScreen, SummaryScreen
from camcensus.tui.table import DeviceTable


def shown(app: InventoryApp) -> list[str]:
    """Last byte of the MAC of each row in table order."""
    return [row.device_key[-2:] for row in app.visible_rows]


async def test_table_lists_every_device_with_flag_as_text(
    inventory: Inventory, db_path: Path
) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.query_one("#devices", DeviceTable)
        assert table.row_count == 6
        assert shown(app) == ["05", "06", "01", "02", "04", "03"]  # flagged first
        text = screen_text(app.export_screenshot())
        assert "FLAG  198.18.0.1  Hikvision" in text
        assert " -     198.18.0.3  Axis" in text
        assert "6 of 6 devices" in text


async def test_filter_as_you_type(inventory: Inventory, db_path: Path) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"maker:dahua")
        await pilot.pause()
        assert shown(app) == ["02"]
        await pilot.press(*["backspace"] * len("maker:dahua"), *"site:hq")
        await pilot.pause()
        assert shown(app) == ["01", "03"]
        await pilot.press("enter", "f")  # back to the table, then flagged only
        await pilot.pause()
        assert shown(app) == ["01"]
        assert "1 of 6 devices  [flagged only]" in screen_text(app.export_screenshot())
        await pilot.press("f")
        assert shown(app) == ["01", "03"]


async def test_filter_is_debounced_and_enter_applies_it_at_once(
    inventory: Inventory, db_path: Path
) -> None:
    app = make_app(inventory, db_path, filter_debounce_s=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"uniview")
        assert len(app.visible_rows) == 6  # not yet: the timer is pending
        await pilot.pause(1.0)
        assert shown(app) == ["06"]
        await pilot.press("backspace", *"xyz", "enter")
        assert shown(app) == []
        assert app.query_one("#devices", DeviceTable).has_focus


async def test_sort_by_choosing_a_column_and_by_header_click(
    inventory: Inventory, db_path: Path
) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "i")  # sort, then the IP column's letter
        await pilot.pause()
        assert shown(app) == ["01", "02", "03", "04", "05", "06"]
        await pilot.press("o")
        assert shown(app) == ["06", "05", "04", "03", "02", "01"]
        await pilot.press("s", "l")  # Last seen in two keys, not ten
        await pilot.pause()
        assert app.sort_field == "last_seen"
        await pilot.press("s", "down", "enter")  # or from the list: the one after Last seen
        await pilot.pause()
        assert app.sort_field == "firmware"
        await pilot.click("#devices", offset=(20, 0))  # the Maker header
        await pilot.pause()
        assert app.sort_field == "maker"
        assert not app.sort_reverse
        assert [r.cells[2] for r in app.visible_rows][:3] == [
            "Axis",
            "Dahua",
            "Evil\\x1b[2J\\x1b]0;pwned\\x07",
        ]
        assert "sort: Maker asc" in screen_text(app.export_screenshot())


def review_cell(app: InventoryApp, device_key: str) -> str:
    return next(r.cells[3] for r in app.visible_rows if r.device_key == device_key)


async def move_to(pilot, app: InventoryApp, suffix: str) -> None:  # type: ignore[no-untyped-def]
    index = shown(app).index(suffix)
    app.query_one("#devices", DeviceTable).cursor_row = index
    await pilot.pause()


async def test_details_show_evidence_chain_and_flag_sources(
    inventory: Inventory, db_path: Path
) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await move_to(pilot, app, "01")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DeviceScreen)
        text = screen_text(app.export_screenshot())
        assert "Flag: FLAG (vendor of concern)" in text
        assert "maker Hikvision is on the FCC Covered List" in text
        assert FCC in text
        assert "maker = Hikvision  <- http.server 'App-webs/'" in text
        assert "rule fingerprint:hikvision-app-webs, weight 0.90, source http" in text
        assert "http.server = 'App-webs/'  (http @ 198.18.0.1)" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, DeviceScreen)


async def test_review_status_and_note_survive_a_restart(
    open_inventory: Callable[[], Inventory], db_path: Path
) -> None:
    app = make_app(open_inventory(), db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await move_to(pilot, app, "02")
        await pilot.press("enter", "t")
        await pilot.pause()
        assert "Review: to replace" in screen_text(app.export_screenshot())
        await pilot.press("n", *"swap Q3", "enter", "escape")
        await pilot.pause()
        assert review_cell(app, "mac:aa:bb:cc:00:00:02") == "to replace"
        await pilot.press("slash", *"status:to_replace")
        await pilot.pause()
        assert shown(app) == ["02"]

    again = make_app(open_inventory(), db_path)  # a new connection and a new app
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert review_cell(again, "mac:aa:bb:cc:00:00:02") == "to replace"
        await move_to(pilot, again, "02")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(again.export_screenshot())
        assert "Review: to replace" in text
        assert "Note: swap Q3" in text
        await pilot.press("x")  # false positive, note kept
    record = open_inventory().device("mac:aa:bb:cc:00:00:02")
    assert (record.review_status, record.note) == ("false_positive", "swap Q3")


async def test_escape_in_note_box_cancels_the_edit(inventory: Inventory, db_path: Path) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "n", *"draft", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DeviceScreen)
        assert app.screen.query_one("#note", Input).value == ""
    assert inventory.device("mac:aa:bb:cc:00:00:05").note == ""


async def test_export_writes_the_filtered_view_next_to_the_db(
    inventory: Inventory, db_path: Path
) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"flag:no", "enter", "e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("enter")
        await pilot.pause()
    path = db_path.with_name("inventory-export-20250301-093000.csv")
    assert app.last_export == path
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["ip"] for r in rows] == ["198.18.0.4", "198.18.0.3"]
    assert rows[0]["model"] == "'" + HOSTILE_MODEL  # neutralised by scanner.export
    assert rows[0]["maker"] == "Evil\\x1b[2J\\x1b]0;pwned\\x07"


async def test_export_to_a_typed_name_never_overwrites(
    inventory: Inventory, db_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "plan.csv"
    target.write_text("keep me", encoding="utf-8")
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert app.last_export is None
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "plan2.csv")
        await pilot.press("enter")
        await pilot.pause()
    assert target.read_text(encoding="utf-8") == "keep me"
    assert len((tmp_path / "plan2.csv").read_text(encoding="utf-8").splitlines()) == 7


async def test_export_can_be_cancelled(inventory: Inventory, db_path: Path) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
    assert sorted(p.name for p in db_path.parent.glob("*.csv")) == []


async def test_summary_counts_flagged_by_maker_model_and_site(
    inventory: Inventory, db_path: Path
) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        table = app.screen.query_one("#summary", DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i))[:4] for i in range(table.row_count)]
        assert ("maker", "Hikvision", "1", "1") in rows
        assert ("maker", "Axis", "0", "1") in rows
        assert ("model", "Dahua / IPC-HDW2431T", "1", "1") in rows
        assert ("site", "HQ", "1", "2") in rows
        assert ("site", "(no site)", "2", "3") in rows
        await pilot.press("escape")
        assert not isinstance(app.screen, SummaryScreen)


async def test_history_compares_two_scans(inventory: Inventory, db_path: Path) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        text = screen_text(app.export_screenshot())
        assert "Scan 1 -> 2 ((no site)): 1 new, 1 missing, 1 changed field(s)" in text
        # how the scan under the cursor (the newest) reached its targets
        assert "198.18.0.0/24: routed, 5 of 254 addresses answered, 4 MACs from a router" in text
        assert "SNMP 198.18.0.254 (v3): 6 ARP entries (4 in the targets), 2 forwarding" in text
        assert "SNMP 198.18.0.253: not read (SNMP agent 198.18.0.253 did not answer)" in text
        diff = screen.query_one("#diff", DataTable)
        rows = [tuple(str(c) for c in diff.get_row_at(i)) for i in range(diff.row_count)]
        # devices by name (maker, model, address), not by key
        assert rows[0] == ("new", "Uniview IPC322LB 198.18.0.6", "flag", "", "FLAG")
        assert rows[1] == ("missing", "Huawei M2120-10-EI 198.18.0.5", "flag", "FLAG", "")
        assert rows[2] == (
            "changed",
            "Dahua IPC-HDW2431T 198.18.0.2",
            "firmware",
            "2.800",
            "2.820",
        )
        # the oldest scan has nothing before it; with scan 2 as base it compares backwards
        await pilot.press("b", "down", "enter")
        await pilot.pause()
        assert "Coverage: not recorded for this scan." in screen_text(app.export_screenshot())
        assert screen.comparison is not None
        assert (screen.comparison.old_scan_id, screen.comparison.new_scan_id) == (2, 1)
        assert [s.device_key[-2:] for s in screen.comparison.new] == ["05"]


async def test_hostile_strings_are_shown_escaped(inventory: Inventory, db_path: Path) -> None:
    app = make_app(inventory, db_path)
    async with app.run_test(size=(200, 30)) as pilot:  # wide enough for the firmware
        await move_to(pilot, app, "04")
        svg = app.export_screenshot()
        text = screen_text(svg)
        assert "Evil\\x1b[2J\\x1b]0;pwned\\x07" in text  # the escape whole, not an ESC
        assert "[red]markup[" in text
        assert HOSTILE_MODEL in text
        assert "v1\\u202egpj." in text
        assert not set("\x1b\x07\u202e") & set(svg)
        await pilot.press("enter")
        await pilot.pause()
        svg = app.export_screenshot()
        text = screen_text(svg)
        assert "Maker: Evil\\x1b[2J\\x1b]0;pwned\\x07" in text
        assert f"Brand: {HOSTILE_BRAND}" in text
        assert "Firmware: v1\\u202egpj.exe\\x9b31m" in text
        assert "http.server = 'Evil\\x1b[2J\\x1b]0;pwned\\x07'" in text
        assert not set("\x1b\x9b\u202e") & set(svg)


def test_cli_registers_tui_with_a_default_db() -> None:
    args = build_parser().parse_args(["tui"])
    assert args.db == Path("inventory.db")
    assert build_parser().parse_args(["tui", "x.db"]).db == Path("x.db")


def test_cli_tui_refuses_a_missing_db(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["tui", str(tmp_path / "nope.db")]) == EXIT_ERROR
    assert "no inventory database" in capsys.readouterr().err
    assert not (tmp_path / "nope.db").exists()
