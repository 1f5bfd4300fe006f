"""Rows, filter syntax and sorting of the device table (pure functions)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from tui_fixtures import HOSTILE_BRAND, HOSTILE_MAKER, first_scan_devices, observation

from camcensus.scanner.core.schema import Device, DeviceRecord
from camcensus.tui.rows import COLUMNS, Query, filter_rows, make_row, parse_query, sort_rows

_COLUMN = {c.key: i for i, c in enumerate(COLUMNS)}


def record(device: Device, *, ip: str | None = None, **state: Any) -> DeviceRecord:
    if ip is not None:
        device = replace(device, ip=ip, addresses=(ip,))
    values: dict[str, Any] = {
        "site": None,
        "first_seen": "2025-03-01T09:00:00+00:00",
        "last_seen": "2025-03-01T09:30:05+00:00",
        "first_scan_id": 1,
        "last_scan_id": 1,
        "presence": "present",
        "review_status": "unreviewed",
        "note": "",
        "review_updated_at": None,
    }
    values.update(state)
    return DeviceRecord(device=device, **values)


def rows() -> list:  # type: ignore[type-arg]
    devices = first_scan_devices()
    return [
        make_row(record(devices[0], site="HQ", review_status="to_replace", note="budget 2026")),
        make_row(record(devices[1], site="Warehouse")),
        make_row(record(devices[2], site="HQ", review_status="accepted_risk")),
        make_row(record(devices[3])),
        make_row(record(devices[4], ip="198.18.0.40")),
    ]


def cell(row, key: str) -> str:  # type: ignore[no-untyped-def]
    """The text a cell shows (its markup, such as the flag's colour, rendered away)."""
    return Text.from_markup(str(row.cells[_COLUMN[key]])).plain


def row_cell(row, key: str) -> str:  # type: ignore[no-untyped-def]
    return str(row.cells[_COLUMN[key]])


def test_the_flag_is_coloured_and_keeps_its_word() -> None:
    hik, _, axis, _, _ = rows()
    flag = Text.from_markup(row_cell(hik, "flagged"))
    assert flag.plain == "FLAG"
    assert {str(span.style) for span in flag.spans} == {"bold red"}
    assert Text.from_markup(row_cell(axis, "flagged")).spans == []


def test_cells_carry_meaning_as_text() -> None:
    hik, _, axis, hostile, _ = rows()
    assert cell(hik, "flagged") == "FLAG"
    assert cell(axis, "flagged") == "-"
    assert cell(hik, "review_status") == "to replace"
    assert cell(hik, "last_seen") == "2025-03-01 09:30"
    assert cell(hik, "confidence") == "0.90"
    assert cell(hostile, "maker") == "Evil\\x1b[2J\\x1b]0;pwned\\x07"
    assert row_cell(hostile, "brand") == "\\[red]markup\\[/red]"  # escaped markup
    assert HOSTILE_MAKER.lower() in hostile.search  # filtering sees the raw text
    assert HOSTILE_BRAND not in row_cell(hostile, "brand")


def test_parse_query() -> None:
    assert parse_query("") == Query()
    assert parse_query("  Maker:Hik  flagged site:hq status:to_replace DS ") == Query(
        fields=(("maker", "hik"), ("site", "hq"), ("status", "to replace")),
        flagged=True,
        words=("ds",),
    )
    assert parse_query("flag:no") == Query(flagged=False)
    assert parse_query("maker:") == Query()  # an unfinished filter matches everything
    assert parse_query("http://x") == Query(words=("http://x",))


def keys(selected) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.device_key[-2:] for r in selected]


def test_filters() -> None:
    all_rows = rows()
    assert keys(filter_rows(all_rows, parse_query("maker:hik"))) == ["01"]
    assert keys(filter_rows(all_rows, parse_query("site:hq"))) == ["01", "03"]
    assert keys(filter_rows(all_rows, parse_query("site:-"))) == ["04", "05"]
    assert keys(filter_rows(all_rows, parse_query("status:accepted"))) == ["03"]
    assert keys(filter_rows(all_rows, parse_query("status:to_replace"))) == ["01"]
    assert keys(filter_rows(all_rows, parse_query("flag:no"))) == ["03", "04"]
    assert keys(filter_rows(all_rows, parse_query("budget"))) == ["01"]  # the note
    assert keys(filter_rows(all_rows, parse_query("camera hq"))) == ["01", "03"]
    assert keys(filter_rows(all_rows, Query(), flagged_only=True)) == ["01", "02", "05"]
    assert keys(filter_rows(all_rows, parse_query("hq"), flagged_only=True)) == ["01"]
    assert filter_rows(all_rows, parse_query("nothing-like-this")) == []


def test_sort_by_ip_is_numeric_and_reversible() -> None:
    ip = _COLUMN["ip"]
    assert keys(sort_rows(rows(), ip)) == ["01", "02", "03", "04", "05"]  # .40 after .4
    assert keys(sort_rows(rows(), ip, reverse=True)) == ["05", "04", "03", "02", "01"]


def test_sort_by_text_puts_empty_last_and_flag_first() -> None:
    site = _COLUMN["site"]
    assert keys(sort_rows(rows(), site)) == ["01", "03", "02", "04", "05"]
    # ties in the listing's base order: site ("" first, as SQL's), IP, key
    assert keys(sort_rows(rows(), _COLUMN["flagged"])) == ["05", "01", "02", "04", "03"]
    assert keys(sort_rows(rows(), _COLUMN["confidence"])) == ["04", "03", "05", "01", "02"]


def test_unparsable_ip_sorts_after_addresses() -> None:
    devices = first_scan_devices()
    odd = make_row(record(devices[0], ip="not-an-ip"))
    normal = make_row(record(devices[1]))
    assert sort_rows([odd, normal], _COLUMN["ip"]) == [normal, odd]


def test_a_possible_flag_shows_and_filters_apart_from_a_flag() -> None:
    weak = observation(7, maker="Dahua", flagged=False, level="possible")
    row = make_row(record(weak))
    assert cell(row, "flagged") == "poss"
    everything = [*rows(), row]
    assert keys(filter_rows(everything, parse_query("flag:possible"))) == ["07"]
    assert "07" not in keys(filter_rows(everything, parse_query("flag:yes")))
    order = keys(sort_rows(everything, _COLUMN["flagged"]))
    assert order.index("07") == 3  # after the three flagged, before the rest
    assert cell(row, "flagged") == "poss"
