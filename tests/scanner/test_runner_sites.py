"""A scan covers one site: from the scope file, else ``--site`` (``ScanConfig.site``); its
devices are keyed in it and it marks missing only its own site's devices.  Replayed:
no network."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_runner import FakeDiscovery, _config

from camcensus.base.errors import ScopeError
from camcensus.base.evidence import Evidence
from camcensus.cli import EXIT_ERROR, main
from camcensus.cli.scan_cmd import _json_result, _print_summary
from camcensus.scanner.core.scope import Scope
from camcensus.scanner.export import devices_json, write_devices_csv
from camcensus.scanner.runner import run_scan
from camcensus.scanner.store import Inventory

# LAB_IF is 198.18.0.1/23: the whole /23 must be in scope for discovery on the link
SITES = Scope.load(
    "198.18.0.0/24 site=Utrecht-CS location='platform 5'\n198.18.1.0/24 site=Amersfoort\n"
)
PLAIN = Scope.load("198.18.0.0/23\n")


def _arp(*hosts: int) -> FakeDiscovery:
    return FakeDiscovery(
        "arp",
        [Evidence("mac", f"bc:ad:28:00:00:{h:02x}", "arp", f"198.18.0.{h}") for h in hosts],
    )


@pytest.fixture
def inventory() -> Inventory:
    return Inventory.memory()


async def test_the_scope_files_site_lands_on_devices_scan_evidence_csv_and_json(
    inventory: Inventory,
) -> None:
    config = _config(("198.18.0.0/24",), SITES, discovery=(_arp(10),))
    result = await run_scan(config, inventory)
    assert result.site == "Utrecht-CS"
    (device,) = result.devices
    assert device.device_key == "Utrecht-CS/mac:bc:ad:28:00:00:0a"
    scan = inventory.scan(result.scan_id)
    assert (scan.site, scan.location) == ("Utrecht-CS", "platform 5")
    (record,) = inventory.devices()
    assert (record.device_key, record.site) == (device.device_key, "Utrecht-CS")
    evidence_sites = {r["site"] for r in inventory.db.query("SELECT site FROM evidence")}
    assert evidence_sites == {"Utrecht-CS"}
    out = io.StringIO()
    write_devices_csv([record], out)
    assert [r["site"] for r in csv.DictReader(io.StringIO(out.getvalue()))] == ["Utrecht-CS"]
    assert [d["site"] for d in json.loads(devices_json([record]))["devices"]] == ["Utrecht-CS"]
    scan_json = json.loads(_json_result(result))
    assert scan_json["site"] == "Utrecht-CS"
    assert scan_json["devices"][0]["device_key"] == device.device_key
    summary = io.StringIO()
    _print_summary(result, summary)
    assert "site Utrecht-CS" in summary.getvalue()


async def test_the_site_option_names_the_site_of_targets_the_scope_names_none_for(
    inventory: Inventory,
) -> None:
    config = _config(("198.18.0.0/24",), PLAIN, discovery=(_arp(10),), site="Depot")
    result = await run_scan(config, inventory)
    assert [d.device_key for d in result.devices] == ["Depot/mac:bc:ad:28:00:00:0a"]
    assert inventory.scan(result.scan_id).site == "Depot"
    # where the scope file names a site, that site stands
    named = _config(("198.18.1.0/24",), SITES, discovery=(), site="Amersfoort")
    assert (await run_scan(named, inventory)).site == "Amersfoort"


async def test_two_sites_with_the_same_addresses_stay_two_sets_and_nothing_goes_missing(
    inventory: Inventory,
) -> None:
    for site in ("A", "B"):
        config = _config(("198.18.0.0/24",), PLAIN, discovery=(_arp(10, 11),), site=site)
        assert (await run_scan(config, inventory)).status == "complete"
    records = inventory.devices()
    assert sorted((r.site, r.device.ip) for r in records) == [
        ("A", "198.18.0.10"),
        ("A", "198.18.0.11"),
        ("B", "198.18.0.10"),
        ("B", "198.18.0.11"),
    ]
    assert {r.presence for r in records} == {"present"}
    # B again without .11: only B's .11 goes missing
    again = _config(("198.18.0.0/24",), PLAIN, discovery=(_arp(10),), site="B")
    await run_scan(again, inventory)
    missing = [r.device_key for r in inventory.devices() if r.presence == "missing"]
    assert missing == ["B/mac:bc:ad:28:00:00:0b"]


@pytest.mark.parametrize(
    ("targets", "site", "message"),
    [
        (("198.18.0.10", "198.18.1.10"), None, "more than one site"),
        (("198.18.0.10",), "a/b", "not a site name"),
        (("198.18.0.0/23",), None, "partly outside site"),
    ],
)
async def test_a_scan_of_more_than_one_site_is_refused_before_any_probe(
    inventory: Inventory, targets: tuple[str, ...], site: str | None, message: str
) -> None:
    probe = _arp(10)
    config = _config(targets, SITES, discovery=(probe,), site=site)
    with pytest.raises(ScopeError, match=message):
        await run_scan(config, inventory)
    assert probe.calls == []
    assert inventory.scans() == []


def test_the_cli_refuses_a_bad_site_before_the_inventory_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "inventory.db"
    scope = tmp_path / "scope.txt"
    scope.write_text("198.18.0.0/24 site=A\n198.18.1.0/24 site=B\n", encoding="utf-8")
    argv = ["scan", "198.18.0.5", "198.18.1.5", "--scope", str(scope), "--db", str(db)]
    assert main(argv) == EXIT_ERROR
    assert "more than one site" in capsys.readouterr().err
    assert main(["scan", "198.18.0.5", "--scope", "lab", "--site", "x:y", "--db", str(db)]) == (
        EXIT_ERROR
    )
    assert "not a site name" in capsys.readouterr().err
    assert not db.exists()
