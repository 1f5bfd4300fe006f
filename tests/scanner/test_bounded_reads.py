"""Operator-named files are read bounded: a FIFO or /dev/zero has no size to stat first."""

from __future__ import annotations

from pathlib import Path

import pytest

import camcensus.vendor_db.oui
from camcensus.base.errors import ReplyTooLargeError, VendorDataError
from camcensus.cli import EXIT_ERROR, import_nmap_cmd, main

ENDLESS = Path("/dev/zero")
pytestmark = pytest.mark.skipif(not ENDLESS.exists(), reason="needs /dev/zero")


@pytest.mark.timeout(20)
def test_import_nmap_stops_reading_an_endless_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(import_nmap_cmd, "MAX_REPORT_BYTES", 4096)
    db = tmp_path / "inventory.db"
    assert main(["import-nmap", str(ENDLESS), "--db", str(db)]) == EXIT_ERROR
    assert "cap is 4096" in capsys.readouterr().err
    assert not db.exists()


def test_import_nmap_cap_still_applies_to_regular_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_nmap_cmd, "MAX_REPORT_BYTES", 64)
    report = tmp_path / "big.xml"
    report.write_bytes(b"<nmaprun>" + b" " * 100 + b"</nmaprun>")
    with pytest.raises(ReplyTooLargeError):
        import_nmap_cmd.run(_Args(report, tmp_path / "inventory.db"))


class _Args:
    def __init__(self, file: Path, db: Path) -> None:
        self.file = file
        self.db = db
        self.policy = None
        self.site = None


@pytest.mark.timeout(20)
def test_oui_csv_read_stops_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(camcensus.vendor_db.oui, "_MAX_CSV_BYTES", 4096)
    with pytest.raises(VendorDataError, match="cap"):
        camcensus.vendor_db.oui.read_ieee_csv_file(ENDLESS)
