"""``camcensus export`` through ``camcensus.cli.main``, on a real inventory file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from builders import make_device

from camcensus.cli import EXIT_ERROR, EXIT_OK, main
from camcensus.scanner.core.schema import Device
from camcensus.scanner.store import Inventory


def _obs(host: int, *, flagged: bool, model: str = "DS-2CD2043G2-I") -> Device:
    maker = "Hikvision" if flagged else "Axis"
    reasons = ("FCC Covered List",) if flagged else ()
    return make_device(
        host, mac=None, maker=maker, model=model, firmware=None, confidence=0.8,
        flagged=flagged, flag_reasons=reasons,
    )  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.db"
    with Inventory.open(path) as inv:
        scan_id = inv.begin_scan(operator="alice", scope="lab", targets="198.18.0.0/24")
        inv.record_device(scan_id, _obs(5, flagged=True, model='=HYPERLINK("x")'))
        inv.record_device(scan_id, _obs(6, flagged=False, model="P3245"))
        inv.finish_scan(scan_id)
        inv.set_site("ip:198.18.0.5", "HQ")
        inv.set_review("ip:198.18.0.5", "to_replace")
    return path


def test_export_csv_and_summary(db: Path, tmp_path: Path) -> None:
    out, summary = tmp_path / "plan.csv", tmp_path / "summary.csv"
    argv = ["export", "--db", str(db), "--csv", str(out), "--summary-csv", str(summary)]
    assert main([*argv, "--delimiter", ";", "--bom"]) == EXIT_OK
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert [(r["ip"], r["flagged"], r["site"]) for r in rows] == [
        ("198.18.0.5", "yes", "HQ"),
        ("198.18.0.6", "no", ""),
    ]
    assert rows[0]["model"] == '\'=HYPERLINK("x")'
    assert rows[0]["review_status"] == "to_replace"
    summary_rows = list(
        csv.DictReader(
            io.StringIO(summary.read_text(encoding="utf-8").removeprefix("\ufeff")), delimiter=";"
        )
    )
    assert [(r["maker"], r["to_replace_count"]) for r in summary_rows] == [
        ("Hikvision", "1"),
        ("Axis", "0"),
    ]


def test_export_json_to_stdout_flagged_only(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", str(db), "--json", "-", "--flagged-only"]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert [d["ip"] for d in document["devices"]] == ["198.18.0.5"]
    (device,) = document["devices"]
    assert device["evidence"] == [
        {"key": "http.server", "value": "App-webs/", "source": "http", "address": "198.18.0.5"}
    ]
    assert device["identification"]["maker"] == "Hikvision"


def test_export_missing_db_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.db"
    assert main(["export", "--db", str(missing), "--json", "-"]) == EXIT_ERROR
    assert "no inventory" in capsys.readouterr().err
    assert not missing.exists()


def test_export_unwritable_output_is_an_error(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "plan.csv"
    assert main(["export", "--db", str(db), "--csv", str(target)]) == EXIT_ERROR


def test_export_requires_exactly_one_format(db: Path) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["export", "--db", str(db), "--csv", "a.csv", "--json", "b.json"])
    assert excinfo.value.code == 2
    with pytest.raises(SystemExit):
        main(["export", "--db", str(db), "--csv", "a.csv", "--delimiter", "ab"])
    assert main(["export", "--db", str(db), "--json", "-", "--summary-csv", "s.csv"]) == EXIT_ERROR


def test_export_carries_location_and_serial(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from camcensus.base.evidence import Evidence

    path = tmp_path / "sites.db"
    with Inventory.open(path) as inv:
        for location in ("old hall", "platform 5"):  # the latest scan's location counts
            scan_id = inv.begin_scan(
                operator="alice",
                scope="lab",
                targets="198.18.0.0/24",
                site="Utrecht-CS",
                location=location,
            )
            serial = Evidence("onvif.serial", "SN-0042", "onvif", "198.18.0.5")
            inv.record_device(scan_id, make_device(5, site="Utrecht-CS", evidence=(serial,)))
            inv.finish_scan(scan_id)
    capsys.readouterr()
    assert main(["export", "--db", str(path), "--csv", "-"]) == EXIT_OK
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert (row["site"], row["location"], row["serial"]) == (
        "Utrecht-CS",
        "platform 5",
        "SN-0042",
    )
