"""CSV/JSON export as pure functions: columns, neutralised cells, BOM, delimiter, summary."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from builders import make_record

from camcensus.base.evidence import Evidence
from camcensus.scanner.core.schema import DeviceRecord
from camcensus.scanner.export import (
    DEVICE_CSV_COLUMNS,
    JSON_FORMAT,
    SUMMARY_CSV_COLUMNS,
    devices_json,
    neutralise_cell,
    write_devices_csv,
    write_model_summary_csv,
)


def record(host: int, **overrides: Any) -> DeviceRecord:
    overrides.setdefault("confidence", 0.875)
    if overrides.get("flagged", True):
        overrides.setdefault("flag_reasons", ("FCC Covered List", "NDAA 889"))
    return make_record(host, **overrides)


def read_csv(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_device_csv_has_replacement_plan_columns() -> None:
    # spelled out: a change to the header is a change for every spreadsheet built on it
    assert DEVICE_CSV_COLUMNS == (
        "site", "location", "ip", "addresses", "mac", "maker", "brand", "model", "firmware",
        "serial", "firmware_source", "device_type", "flagged", "flag_level", "flag_reason",
        "flag_reasons", "list_status", "hardware_maker", "firmware_developer", "owner",
        "origin_sources", "vulnerability", "cves",
        "review_status", "note", "review_updated_at", "reviewer",
        "first_seen", "last_seen", "confidence", "sources", "presence", "device_key",
        "parent",
    )  # fmt: skip
    out = io.StringIO(newline="")
    assert write_devices_csv([record(5), record(6, flagged=False, flag_reasons=())], out) == 2
    rows = read_csv(out.getvalue())
    assert tuple(rows[0]) == DEVICE_CSV_COLUMNS
    first = rows[0]
    assert first["site"] == "HQ"
    assert first["ip"] == "198.18.0.5"
    assert first["flagged"] == "yes"
    assert first["flag_reasons"] == "FCC Covered List; NDAA 889"
    assert first["confidence"] == "0.88"
    assert first["sources"] == "https://www.fcc.gov/supplychain/coveredlist"
    assert rows[1]["flagged"] == "no"
    assert rows[1]["flag_reasons"] == ""


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tx", "'\\x09x"),
        ("\r=1", "'\\x0d=1"),
        ("  =1+1", "'  =1+1"),
        ("\uff1dHYPERLINK()", "'\uff1dHYPERLINK()"),
        ("cam\x1b[2J\x1b]0;pwned\x07", "cam\\x1b[2J\\x1b]0;pwned\\x07"),
        ("a\x00b\x7f\x9b", "a\\x00b\\x7f\\x9b"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),
        ("line1\nline2", "line1\\x0aline2"),
        ("DS-2CD2043G2-I", "DS-2CD2043G2-I"),
        ("", ""),
    ],
)
def test_neutralise_cell(hostile: str, expected: str) -> None:
    assert neutralise_cell(hostile) == expected


def test_neutralise_cell_keeps_newlines_only_when_asked() -> None:
    assert neutralise_cell("buy\nnew", keep_newlines=True) == "buy\nnew"
    assert neutralise_cell("=x\n\x1b", keep_newlines=True) == "'=x\n\\x1b"
    assert neutralise_cell(None) == ""


@pytest.mark.parametrize(
    "payload",
    ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\x1b[31mred", "\x00"],
)
def test_every_device_text_column_is_neutralised(payload: str) -> None:
    row = record(
        5,
        mac=payload,
        maker=payload,
        brand=payload,
        model=payload,
        firmware=payload,
        flag_reasons=(payload,),
        list_status=payload,
        sources=(payload,),
        site=payload,
        note=payload,
    )
    out = io.StringIO(newline="")
    write_devices_csv([row], out)
    (parsed,) = read_csv(out.getvalue())
    for column in ("mac", "maker", "brand", "model", "firmware", "flag_reasons",
                   "list_status", "sources", "site", "note", "device_key"):  # fmt: skip
        cell = parsed[column]
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), column
        assert not any(ord(c) < 0x20 or ord(c) == 0x7F for c in cell), column
    assert "\x1b" not in out.getvalue()
    assert "\x00" not in out.getvalue()


def test_bom_and_semicolon_delimiter() -> None:
    out = io.StringIO(newline="")
    write_devices_csv([record(5, note="ok; fine")], out, delimiter=";", bom=True)
    text = out.getvalue()
    assert text.startswith("\ufeffsite;location;ip;addresses;mac;")
    (row,) = read_csv(text.removeprefix("\ufeff"), delimiter=";")
    assert row["note"] == "ok; fine"
    assert row["confidence"] == "0.88"


def test_no_bom_by_default_and_bad_delimiter_rejected() -> None:
    out = io.StringIO(newline="")
    write_devices_csv([], out)
    assert out.getvalue() == ",".join(DEVICE_CSV_COLUMNS) + "\r\n"
    for bad in ('"', "ab", "", "x", "\n"):
        with pytest.raises(ValueError, match="delimiter"):
            write_devices_csv([], io.StringIO(), delimiter=bad)


def test_model_summary_counts_per_maker_and_model() -> None:
    rows = [
        record(5, site="HQ", review_status="to_replace"),
        record(6, site="Depot"),
        record(7, site="HQ", review_status="to_replace"),
        record(8, site=None, flagged=False, review_status="false_positive"),
        record(9, maker="Axis", model="P3245", flagged=False, site="HQ"),
        record(10, maker="Dahua", model="=IPC", site="Depot"),
    ]
    out = io.StringIO(newline="")
    assert write_model_summary_csv(rows, out, delimiter=";") == 3
    parsed = read_csv(out.getvalue(), delimiter=";")
    assert tuple(parsed[0]) == SUMMARY_CSV_COLUMNS
    assert parsed == [
        {
            "maker": "Hikvision",
            "brand": "Hikvision",
            "model": "DS-2CD2043G2-I",
            "device_type": "camera",
            "device_count": "4",
            "flagged_count": "3",
            "possible_count": "0",
            "to_replace_count": "2",
            "sites": "Depot; HQ",
            "locations": "",
        },
        {
            "maker": "Dahua",
            "brand": "Dahua",
            "model": "'=IPC",
            "device_type": "camera",
            "device_count": "1",
            "flagged_count": "1",
            "possible_count": "0",
            "to_replace_count": "0",
            "sites": "Depot",
            "locations": "",
        },
        {
            "maker": "Axis",
            "brand": "Axis",
            "model": "P3245",
            "device_type": "camera",
            "device_count": "1",
            "flagged_count": "0",
            "possible_count": "0",
            "to_replace_count": "0",
            "sites": "HQ",
            "locations": "",
        },
    ]


def test_summary_puts_cameras_and_recorders_apart_from_printers_and_laptops() -> None:
    rows = [
        record(5, maker="HP", brand="HP", model="LaserJet", device_type="other", flagged=False),
        record(6, maker="HP", brand="HP", model="LaserJet", device_type="other", flagged=False),
        record(7, maker="Dell", brand="Dell", model="", device_type="unknown", flagged=False),
        record(8, maker="Axis", model="P3245", flagged=False),
        record(9, maker="Hikvision", brand="Ezviz", model="C6N"),
        record(10, maker="Dahua", model="NVR4108", device_type="nvr"),
    ]
    out = io.StringIO(newline="")
    assert write_model_summary_csv(rows, out) == 5
    parsed = [
        (r["maker"], r["brand"], r["model"], r["device_type"], r["device_count"])
        for r in read_csv(out.getvalue())
    ]
    assert parsed == [
        ("Dahua", "Dahua", "NVR4108", "nvr", "1"),  # cameras and recorders, flagged first
        ("Hikvision", "Ezviz", "C6N", "camera", "1"),  # the brand kept apart from its maker
        ("Axis", "Axis", "P3245", "camera", "1"),
        ("HP", "HP", "LaserJet", "other", "2"),  # then the rest, most devices first
        ("Dell", "Dell", "", "unknown", "1"),
    ]


def test_serial_short_reason_and_sources_have_columns_of_their_own() -> None:
    long_reason = "Hikvision: " + "; ".join(f"fact number {n} about it" for n in range(30))
    row = record(
        5,
        flag_reasons=(long_reason, "caveat: white-label firmware"),
        evidence=(
            Evidence("http.server", "App-webs/", "http"),
            Evidence("sadp.serial", "DS-2CD2043G2-I20200101AAWR123456789", "sadp"),
        ),
    )
    out = io.StringIO(newline="")
    write_devices_csv([row, record(6, flagged=False, flag_reasons=())], out)
    first, second = read_csv(out.getvalue())
    assert first["serial"] == "DS-2CD2043G2-I20200101AAWR123456789"
    assert len(first["flag_reason"]) <= 100 + len(" (+1 more)")
    assert first["flag_reason"].startswith("Hikvision: fact number 0 about it")
    assert first["flag_reason"].endswith("... (+1 more)")
    assert first["flag_reasons"] == f"{long_reason}; caveat: white-label firmware"
    assert first["sources"] == "https://www.fcc.gov/supplychain/coveredlist"
    assert "http" not in first["flag_reason"]
    assert (second["serial"], second["flag_reason"]) == ("", "")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e"])
def test_zero_width_and_bidi_characters_are_made_visible(invisible: str) -> None:
    out = io.StringIO(newline="")
    write_devices_csv([record(5, model=f"DS{invisible}-2CD", maker=f"{invisible}Hik")], out)
    (row,) = read_csv(out.getvalue())
    code = f"\\u{ord(invisible):04x}"
    assert row["model"] == f"DS{code}-2CD"
    assert row["maker"] == f"{code}Hik"
    assert invisible not in out.getvalue()


def test_devices_json_round_trips_and_is_ascii() -> None:
    rows = [
        record(5, model="cam\x1b[2J", evidence=(Evidence("http.server", "App-webs/", "http"),)),
        record(6),
    ]
    text = devices_json(rows)
    assert text.isascii()
    assert "\x1b" not in text
    document = json.loads(text)
    assert document["format"] == JSON_FORMAT
    assert [d["device_key"] for d in document["devices"]] == [r.device_key for r in rows]
    first = document["devices"][0]
    assert first["model"] == "cam\x1b[2J"  # exact value survives, escaped in transit
    assert first["flag_reasons"] == ["FCC Covered List", "NDAA 889"]
    assert first["evidence"] == [
        {"key": "http.server", "value": "App-webs/", "source": "http", "address": ""}
    ]
