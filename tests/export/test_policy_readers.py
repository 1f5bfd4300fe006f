"""``--policy`` on the readers (export, the TUI) and on scan: flags decided again from
each device's evidence under the policy given; the stored flags stay as they were.
Named policies on every command: test_named_policies.py."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from camcensus.base.errors import CamcensusError
from camcensus.cli import main
from camcensus.scanner.core.listing import ListingQuery
from camcensus.scanner.store import Inventory

NMAP_FIXTURE = Path(__file__).parent.parent / "fixtures" / "nmap" / "small.xml"
LENIENT = 'name = "lenient"\ncountries = []\nlists = []\n'


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "inv.db"
    assert main(["import-nmap", str(NMAP_FIXTURE), "--db", str(path)]) == 0
    return path


@pytest.fixture
def lenient(tmp_path: Path) -> Path:
    path = tmp_path / "lenient.toml"
    path.write_text(LENIENT, encoding="utf-8")
    return path


def _flags(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, str]:
    capsys.readouterr()
    assert main(argv) == 0
    rows = csv.DictReader(io.StringIO(capsys.readouterr().out))
    return {row["ip"]: row["flagged"] for row in rows}


def test_export_with_a_policy(db: Path, lenient: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shipped = _flags(capsys, ["export", "--db", str(db), "--csv", "-"])
    assert shipped["198.18.0.20"] == "yes"
    relaxed = _flags(capsys, ["export", "--db", str(db), "--csv", "-", "--policy", str(lenient)])
    assert relaxed["198.18.0.20"] == "no"
    with Inventory.open(db, read_only=True) as inventory:  # the stored flag is unchanged
        assert any(r.device.flagged for r in inventory.devices())


def test_a_bad_policy_is_a_clear_error(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('countries = ["China"]\n', encoding="utf-8")
    assert main(["export", "--db", str(db), "--csv", "-", "--policy", str(bad)]) == 2
    assert "not an ISO 3166 alpha-2 code" in capsys.readouterr().err


def test_tui_with_a_policy_opens_read_only(
    db: Path, lenient: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from camcensus.tui.app import InventoryApp

    seen: dict[str, object] = {}

    def fake_run(app: InventoryApp) -> None:
        seen["flagged"] = [r.device.flagged for r in app.inventory.devices()]
        summary = app.inventory.summary_by("maker")
        seen["summary_flagged"] = sum(c.flagged_count for c in summary)
        with pytest.raises(CamcensusError, match="read-only"):
            app.inventory.begin_scan(operator="x", scope="lab", targets="198.18.0.1")

    monkeypatch.setattr(InventoryApp, "run", fake_run)
    before = db.read_bytes()
    assert main(["tui", str(db), "--policy", str(lenient)]) == 0
    assert seen == {"flagged": [False, False], "summary_flagged": 0}
    assert db.read_bytes() == before


@pytest.mark.parametrize("by_name", [False, True])
def test_scan_passes_its_policy_to_the_runner(
    lenient: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_name: bool
) -> None:
    from camcensus.scanner import runner

    seen: dict[str, object] = {}

    async def fake_run_scan(config: runner.ScanConfig, *args: object) -> None:
        seen["policy"] = config.policy
        raise CamcensusError("stopped before any probe")

    monkeypatch.setattr(runner, "run_scan", fake_run_scan)
    argv = ["scan", "127.0.0.1", "--scope", "loopback", "--db", str(tmp_path / "i.db")]
    assert main([*argv, "--policy", "us-fcc-covered" if by_name else str(lenient)]) == 2
    policy = seen["policy"]
    assert isinstance(policy, runner.Policy)
    assert policy.name == ("us-fcc-covered" if by_name else "lenient")


async def test_the_tui_under_a_policy_filters_by_the_policys_flags(db: Path, lenient: Path) -> None:
    from camcensus.cli.options import load_policy
    from camcensus.tui.app import InventoryApp
    from camcensus.tui.source import MemorySource, StoreSource

    with Inventory.open(db, read_only=True) as shipped:
        stored_flagged = shipped.listing_count(ListingQuery(flagged_only=True))
    assert stored_flagged > 0
    policy = load_policy(str(lenient))
    with Inventory.open(db, read_only=True, policy=policy) as inventory:
        app = InventoryApp(inventory, clock=lambda: datetime(2025, 3, 1, tzinfo=UTC))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.source, MemorySource)  # SQL holds the stored flags
            everything = app.source.count()
            await pilot.press("f")  # flagged only: none under the lenient policy
            await pilot.pause()
            assert app.source.count() == 0
            assert not isinstance(app.source, StoreSource)
            await pilot.press("f")
            await pilot.pause()
            assert app.source.count() == everything
